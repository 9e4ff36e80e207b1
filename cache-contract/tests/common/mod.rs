//! Shared helpers of the runtime tests: a hand-written `CacheContract` struct, unique
//! names, a Redis connection that fails loudly, and a private redis-server for fault tests.
#![allow(dead_code)]
#![cfg_attr(not(feature = "redis"), allow(unused_imports))]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cache_contract::{CacheContract, ColumnMapping, SchemaHash, TenantId, TenantScoped};
use serde::{Deserialize, Serialize};

/// The shared Redis of ordinary tests.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// How long any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// A row of `users` (implemented by hand, like the derive would).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub tenant: String,
    pub id: u64,
    pub name: String,
}

pub fn user(tenant: &str, id: u64, name: &str) -> User {
    User {
        tenant: tenant.into(),
        id,
        name: name.into(),
    }
}

impl TenantScoped for User {
    fn tenant(&self) -> TenantId {
        TenantId::new(&self.tenant)
    }
}

impl CacheContract for User {
    const TABLE: &'static str = "users";
    const SCHEMA_HASH: SchemaHash = SchemaHash::from_bytes([0x11; 32]);
    const COLUMNS: &'static [ColumnMapping] = &[];
    const KEY_COLUMNS: &'static [&'static str] = &["id"];
    const GLOBAL: bool = false;
    type Key = u64;

    fn key(&self) -> u64 {
        self.id
    }

    fn key_parts(key: &u64) -> Vec<String> {
        vec![key.to_string()]
    }
}

/// The same table under another schema (as after a migration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserV2 {
    pub tenant: String,
    pub id: u64,
    pub name: String,
    pub email: Option<String>,
}

impl TenantScoped for UserV2 {
    fn tenant(&self) -> TenantId {
        TenantId::new(&self.tenant)
    }
}

impl CacheContract for UserV2 {
    const TABLE: &'static str = "users";
    const SCHEMA_HASH: SchemaHash = SchemaHash::from_bytes([0x22; 32]);
    const COLUMNS: &'static [ColumnMapping] = &[];
    const KEY_COLUMNS: &'static [&'static str] = &["id"];
    const GLOBAL: bool = false;
    type Key = u64;

    fn key(&self) -> u64 {
        self.id
    }

    fn key_parts(key: &u64) -> Vec<String> {
        vec![key.to_string()]
    }
}

/// A row of another table, `orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub tenant: String,
    pub id: u64,
    pub total: i64,
}

impl TenantScoped for Order {
    fn tenant(&self) -> TenantId {
        TenantId::new(&self.tenant)
    }
}

impl CacheContract for Order {
    const TABLE: &'static str = "orders";
    const SCHEMA_HASH: SchemaHash = SchemaHash::from_bytes([0x33; 32]);
    const COLUMNS: &'static [ColumnMapping] = &[];
    const KEY_COLUMNS: &'static [&'static str] = &["id"];
    const GLOBAL: bool = false;
    type Key = u64;

    fn key(&self) -> u64 {
        self.id
    }

    fn key_parts(key: &u64) -> Vec<String> {
        vec![key.to_string()]
    }
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
