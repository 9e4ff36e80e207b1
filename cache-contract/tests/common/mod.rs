//! Shared helpers of the runtime tests: derived `CacheContract` structs, loads (plain and
//! held mid-load), bounded waits for events, unique names, a Redis connection that fails
//! loudly, and a private redis-server for fault tests.
#![allow(dead_code)]
#![cfg_attr(not(feature = "redis"), allow(unused_imports))]

#[cfg(feature = "redis")]
pub mod cluster;
pub mod metrics;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cache_contract::TenantId;
use cache_contract::invalidation::{Event, Invalidation, Subscription};
use cache_contract::tiered::TieredCache;
use cache_contract_derive::CacheContract;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// The shared Redis of ordinary tests.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// How long any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// A row of `users`, checked against `tests/migrations/` by the derive.
#[derive(CacheContract, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cache(table = "users", migrations = "tests/migrations")]
pub struct User {
    #[cache(tenant)]
    pub tenant: String,
    pub id: i64,
    pub name: String,
}

pub fn user(tenant: &str, id: i64, name: &str) -> User {
    User {
        tenant: tenant.into(),
        id,
        name: name.into(),
    }
}

/// The same table under another schema (as after a migration): mapping one more column
/// gives it another `CONTRACT_HASH`.
#[derive(CacheContract, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cache(table = "users", migrations = "tests/migrations")]
pub struct UserV2 {
    #[cache(tenant)]
    pub tenant: String,
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
}

/// A row of another table, `orders`.
#[derive(CacheContract, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cache(table = "orders", migrations = "tests/migrations")]
pub struct Order {
    #[cache(tenant)]
    pub tenant: String,
    pub id: i64,
    pub total: i64,
}

/// Gets `(tenant, id)` from `cache`, loading `user(tenant, id, name)` on a miss.
pub async fn load(cache: &TieredCache<User>, tenant: &str, id: i64, name: &str) -> Arc<User> {
    let u = user(tenant, id, name);
    cache
        .get_or_load(&TenantId::new(tenant), &id, || async move {
            Ok::<_, std::convert::Infallible>(u)
        })
        .await
        .unwrap()
}

/// A `get_or_load` of `(tenant, id)` whose loader has started and waits for
/// [`HeldLoad::finish`]; it then returns `user(tenant, id, "old")`, the row as read before
/// whatever the test does meanwhile (synchronised by channels, no sleeps).
pub struct HeldLoad {
    go: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Arc<User>>,
}

/// Starts a [`HeldLoad`] on `cache` and returns once its loader runs.
pub async fn held_load(cache: &TieredCache<User>, tenant: &str, id: i64) -> HeldLoad {
    let (started_tx, started_rx) = oneshot::channel();
    let (go, go_rx) = oneshot::channel::<()>();
    let cache = cache.clone();
    let old = user(tenant, id, "old");
    let task = tokio::spawn(async move {
        cache
            .get_or_load(&TenantId::new(&old.tenant), &id, || async move {
                started_tx.send(()).unwrap();
                go_rx.await.unwrap();
                Ok::<_, std::convert::Infallible>(old)
            })
            .await
            .unwrap()
    });
    started_rx.await.unwrap();
    HeldLoad { go, task }
}

impl HeldLoad {
    /// Lets the loader return, and returns what the caller of `get_or_load` got.
    pub async fn finish(self) -> Arc<User> {
        self.go.send(()).unwrap();
        self.task.await.unwrap()
    }
}

/// The next event of `sub`, failing the test after [`WAIT`].
pub async fn next(sub: &mut Subscription) -> Event {
    tokio::time::timeout(WAIT, sub.recv())
        .await
        .expect("no event within the deadline")
        .expect("subscriber gone")
}

/// Skips resyncs (the first connection emits one) and returns the next invalidation.
pub async fn next_invalidation(sub: &mut Subscription) -> Arc<Invalidation> {
    loop {
        match next(sub).await {
            Event::Invalidate(msg) => return msg,
            Event::Resync { .. } => continue,
            Event::Disconnected { reason } => panic!("unexpected disconnect: {reason}"),
        }
    }
}

/// Tenant ids with the characters a key encoding or a glob could trip on.
pub const AWKWARD_TENANTS: [&str; 7] = [
    "plain",
    "with:colon",
    "star*",
    "quest?",
    "[bracket]",
    "a:*?[",
    "a",
];

/// Invalidates through `cache`, by `kind`: `"key"` (the row with id 1), `"table"` or
/// `"tenant"`.
pub async fn invalidate(cache: &TieredCache<User>, tenant: &TenantId, kind: &str) {
    match kind {
        "key" => cache.invalidate_key(tenant, &1).await.unwrap(),
        "table" => cache.invalidate_table(tenant).await.unwrap(),
        "tenant" => cache.invalidate_tenant(tenant).await.unwrap(),
        other => unreachable!("{other}"),
    }
}

/// The invalidation kinds, in the order tests cycle through them.
pub const KINDS: [&str; 3] = ["key", "table", "tenant"];

/// A name unique to this test run and call: `<label>-<pid>-<nanos>-<n>`.
pub fn unique(label: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "cctest-{label}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(feature = "redis")]
/// A client of the shared Redis, failing loudly when it is not running.
pub async fn redis_client() -> redis::Client {
    let client = redis::Client::open(REDIS_URL).unwrap();
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| {
            panic!("these tests need Redis at {REDIS_URL} (start `redis-server`): {e}")
        });
    let _: String = redis::cmd("PING").query_async(&mut conn).await.unwrap();
    client
}

#[cfg(feature = "redis")]
/// Deletes every key starting with `prefix` (test clean-up of its own unique prefix only).
pub async fn cleanup(client: &redis::Client, prefix: &str) {
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
}

#[cfg(feature = "redis")]
/// A redis-server owned by one test, on a free loopback port, killed on drop.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<Child>,
}

#[cfg(feature = "redis")]
impl PrivateRedis {
    /// Starts a server on a free port and waits until it answers.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = PrivateRedis { port, child: None };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn client(&self) -> redis::Client {
        redis::Client::open(self.url()).unwrap()
    }

    /// Starts (again) on the same port.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "server already running");
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("fault tests need `redis-server` on PATH: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(client) = redis::Client::open(self.url())
                && let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_millis(200))
                && redis::cmd("PING").query::<String>(&mut conn).is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not start",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends a signal (`STOP`, `CONT`) to the server.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("server running").id();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} {pid} failed");
    }
}

#[cfg(feature = "redis")]
impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            // A stopped server must be continued to die promptly.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
        }
        self.kill();
    }
}
