//! Shared helpers of the runtime tests: derived `CacheContract` structs, unique
//! names, a Redis connection that fails loudly, and a private redis-server for fault tests.
#![allow(dead_code)]
#![cfg_attr(not(feature = "redis"), allow(unused_imports))]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cache_contract_derive::CacheContract;
use serde::{Deserialize, Serialize};

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
/// gives it another `SCHEMA_HASH`.
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
