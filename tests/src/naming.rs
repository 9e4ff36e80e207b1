//! Unique names for throw-away test databases.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database name no other test (in this or another process) uses:
/// `cc_test_<pid>_<nanos>_<n>`. Lower case, so it needs no quoting in any dialect.
///
/// ```
/// let a = cache_contract_tests::naming::unique_db_name();
/// let b = cache_contract_tests::naming::unique_db_name();
/// assert!(a.starts_with("cc_test_"));
/// assert_ne!(a, b);
/// ```
pub fn unique_db_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("cc_test_{}_{}_{}", std::process::id(), nanos, n)
}
