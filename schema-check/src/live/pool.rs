//! A bounded pool of worker threads, each with its own connection, working through a list
//! of tenants.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::LiveError;

/// Runs `work(connection, tenant)` for every tenant on at most `jobs` threads; each thread
/// opens one connection with `connect` and keeps it while it works (and opens a new one
/// after an error, in case the error broke it). Calls `progress(tenant)` after each tenant.
/// Results come back in `tenants`' order.
///
/// ```
/// use schema_check::live::pool::run;
/// let tenants: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
/// let out = run(&tenants, 3, || Ok(0usize), |n, t| { *n += 1; Ok(t.len()) }, &|_| {});
/// assert_eq!(out.len(), 10);
/// assert_eq!(out[0], ("t0".to_string(), Ok(2)));
/// ```
pub fn run<C, R: Send>(
    tenants: &[String],
    jobs: usize,
    connect: impl Fn() -> Result<C, LiveError> + Sync,
    work: impl Fn(&mut C, &str) -> Result<R, LiveError> + Sync,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<(String, Result<R, LiveError>)> {
    let workers = jobs.clamp(1, tenants.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<R, LiveError>>>> =
        Mutex::new((0..tenants.len()).map(|_| None).collect());
    let worker = || {
        let mut conn: Option<C> = None;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(tenant) = tenants.get(i) else {
                return;
            };
            let result = match conn.as_mut() {
                Some(c) => work(c, tenant),
                None => connect().and_then(|c| work(conn.insert(c), tenant)),
            };
            if result.is_err() {
                conn = None;
            }
            results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
            progress(tenant);
        }
    };
    if workers == 1 {
        worker();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(worker);
            }
        });
    }
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    tenants
        .iter()
        .cloned()
        .zip(results)
        .map(|(t, r)| {
            let r = r.unwrap_or_else(|| Err(LiveError(format!("`{t}` was not introspected"))));
            (t, r)
        })
        .collect()
}
