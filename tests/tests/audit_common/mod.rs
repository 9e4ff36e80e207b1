//! Shared by the audit tests: the contract, its rows, unique Redis prefixes and cleanup.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::Duration;

use cache_contract::audit::rows::{BoxFuture, Row};
use cache_contract::audit::{Dialect, FindingKind, Report, RowError, RowKey, RowSource, TableSpec};
use cache_contract::tiered::{RedisTier, TieredCache};
use cache_contract::{CacheContract, TenantId};
use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// A row of `audit_items` (`tests/audit_migrations/`).
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "audit_items", migrations = "audit_migrations")]
pub struct Item {
    #[cache(tenant)]
    pub tenant: String,
    pub id: i64,
    pub name: String,
    pub price: Decimal,
    pub data: Vec<u8>,
    pub updated_at: DateTime<Utc>,
    pub note: Option<String>,
    pub status: Status,
}

/// The `item_status` enum, as Rust variants (the audit matches them to the labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Active,
    Archived,
}

impl cache_contract::sql::HoldsSql<cache_contract::sql::Enum> for Status {}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Archived => "archived",
        }
    }
}

/// The item `id` of `tenant`, with values that exercise every normalization: a decimal with
/// a trailing zero, bytes, a timestamp with microseconds, a null, an enum.
pub fn item(tenant: &str, id: i64) -> Item {
    Item {
        tenant: tenant.to_string(),
        id,
        name: format!("item {id}"),
        price: Decimal::new(1250 + id * 100, 2),
        data: vec![0, 1, 0xab, id as u8],
        updated_at: Utc
            .with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
            .unwrap()
            .checked_add_signed(chrono::Duration::microseconds(123_456 + id))
            .unwrap(),
        note: (id % 2 == 0).then(|| format!("note {id}")),
        status: if id % 3 == 0 {
            Status::Archived
        } else {
            Status::Active
        },
    }
}

/// The timestamp as SQL text in UTC.
pub fn sql_timestamp(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// A prefix no other test uses.
pub fn unique_prefix(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("test-audit-{what}-{}-{nanos}:", std::process::id())
}

/// A Redis connection, or a loud failure saying how to start Redis.
pub async fn redis() -> redis::aio::ConnectionManager {
    let client = redis::Client::open(REDIS_URL).unwrap();
    redis::aio::ConnectionManager::new(client).await.unwrap_or_else(|e| {
        panic!("Redis is not reachable at {REDIS_URL}: {e}; start it with `redis-server --daemonize yes`")
    })
}

/// A Redis tier under `prefix`.
pub async fn tier(prefix: &str) -> RedisTier {
    RedisTier::new(redis().await, prefix, Duration::from_secs(600))
}

/// A tiered cache of `Item` over `tier` alone (no invalidation transport).
pub fn cache(tier: &RedisTier) -> TieredCache<Item> {
    TieredCache::<Item>::builder()
        .redis(tier.clone())
        .build()
        .unwrap()
}

/// Loads `items` into `cache` (through `get_or_load`, as a service would).
pub async fn populate(cache: &TieredCache<Item>, items: &[Item]) {
    for it in items {
        let value = it.clone();
        let got = cache
            .get_or_load(&TenantId::new(&it.tenant), &it.id, || async move {
                Ok::<_, std::convert::Infallible>(value)
            })
            .await
            .unwrap();
        assert_eq!(&*got, it);
    }
}

/// The Redis key of `tenant`'s item `id` under generations 0.
pub fn entry_key(tier: &RedisTier, tenant: &str, id: i64) -> String {
    tier.keys()
        .entry(&Item::cache_key_for(&TenantId::new(tenant), &id), 0, 0)
}

/// Every key under `prefix`, deleted (cleanup).
pub struct Cleanup(pub String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(REDIS_URL) else {
            return;
        };
        let Ok(mut conn) = client.get_connection() else {
            return;
        };
        let mut pattern: String = self
            .0
            .chars()
            .flat_map(|c| match c {
                '*' | '?' | '[' | ']' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        pattern.push('*');
        let keys: Vec<String> = match redis::Commands::scan_match(&mut conn, &pattern) {
            Ok(iter) => iter.filter_map(Result::ok).collect(),
            Err(_) => return,
        };
        if !keys.is_empty() {
            let _: Result<(), _> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}

/// One verdict: kind, tenant, key parts, differing columns.
pub type Verdict = (FindingKind, Option<String>, Vec<String>, Vec<String>);

/// The non-fresh findings as verdicts, sorted.
pub fn verdicts(report: &Report) -> BTreeSet<Verdict> {
    report
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::Fresh)
        .map(|f| {
            (
                f.kind,
                f.tenant.clone(),
                f.key.clone().unwrap_or_default(),
                f.columns.clone(),
            )
        })
        .collect()
}

/// Shorthand for one expected verdict.
pub fn v(kind: FindingKind, tenant: &str, id: i64, columns: &[&str]) -> Verdict {
    (
        kind,
        Some(tenant.to_string()),
        vec![id.to_string()],
        columns.iter().map(|c| c.to_string()).collect(),
    )
}

/// What [`Counting`] runs after its first range.
pub type AfterRange = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

/// A row source that counts the tenant ranges it read (as `Some`) and can run something
/// once, right after the first of them: a write that lands between a range's read and the
/// comparison of its entries.
pub struct Counting<S> {
    pub inner: S,
    pub ranges: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub after_first_range: std::sync::Mutex<Option<AfterRange>>,
}

impl<S> Counting<S> {
    pub fn new(inner: S) -> Self {
        Counting {
            inner,
            ranges: Default::default(),
            after_first_range: std::sync::Mutex::new(None),
        }
    }
}

impl<S: RowSource> RowSource for Counting<S> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    fn fetch<'a>(
        &'a self,
        spec: &'a TableSpec,
        keys: &'a [RowKey<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, RowError>> {
        self.inner.fetch(spec, keys)
    }

    fn fetch_tenant<'a>(
        &'a self,
        spec: &'a TableSpec,
        tenant: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Option<Vec<Row>>, RowError>> {
        Box::pin(async move {
            let rows = self.inner.fetch_tenant(spec, tenant, limit).await?;
            if rows.is_some() {
                self.ranges
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let after = self.after_first_range.lock().unwrap().take();
                if let Some(after) = after {
                    after().await;
                }
            }
            Ok(rows)
        })
    }
}
