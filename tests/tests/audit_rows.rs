//! The audit's row fetch on MariaDB and SQLite: entries populated through a `TieredCache`,
//! the same rows in the database (decimals, bytes, timestamps, nulls and enums normalized as
//! documented), then rows changed and deleted behind the cache: exactly those stale and
//! orphan entries, whether the rows are read by key or by tenant range (the `bulk` tenant
//! has enough entries for its range to be read), with the same digests both ways.

mod audit_common;

use audit_common::*;
use cache_contract::audit::rows::{MySqlRows, SqliteRows};
use cache_contract::audit::{Audit, AuditConfig, FindingKind as K, RowSource, Scope};
use cache_contract_tests::mariadb_db::{MariaDatabase, server_url};
use cache_contract_tests::sqlite_db::SqliteDatabase;
use mysql::prelude::Queryable;

fn items() -> Vec<Item> {
    let mut items: Vec<Item> = (1..=6).map(|id| item("acme", id)).collect();
    items.extend((1..=3).map(|id| item("a'b:*", id)));
    items.extend((1..=40).map(|id| item("bulk", id)));
    items
}

/// Populates the cache, lets `change` update acme 2's and bulk 2's price and delete acme 5
/// and bulk 5 behind it, and checks the audit before and after, with rows by range (bulk's)
/// and by key alone.
async fn scenario(name: &str, rows: impl RowSource + Clone + 'static, change: impl FnOnce()) {
    let prefix = unique_prefix(name);
    let _cleanup = Cleanup(prefix.clone());
    let tier = tier(&prefix).await;
    let cache = cache(&tier);
    populate(&cache, &items()).await;
    let counting = Counting::new(rows.clone());
    let ranges = counting.ranges.clone();
    let audit = Audit::new(tier.clone(), counting).contract::<Item>();
    let by_key = Audit::new(tier, rows)
        .contract::<Item>()
        .config(AuditConfig {
            cached_rows: 0,
            ..AuditConfig::default()
        });
    let before = audit.run(&Scope::AllTenants).await.unwrap();
    assert_eq!(before.status(), "CONSISTENT", "{:?}", verdicts(&before));
    assert_eq!(before.counts.get(K::Fresh), items().len() as u64);
    assert_eq!(ranges.load(std::sync::atomic::Ordering::SeqCst), 1); // bulk's
    let before_by_key = by_key.run(&Scope::AllTenants).await.unwrap();
    assert_eq!(before.tenants, before_by_key.tenants);
    assert_eq!(before_by_key.row_reads, items().len() as u64);
    change();
    let after = audit.run(&Scope::AllTenants).await.unwrap();
    let expected: std::collections::BTreeSet<_> = [
        v(K::Stale, "acme", 2, &["price"]),
        v(K::Orphan, "acme", 5, &[]),
        v(K::Stale, "bulk", 2, &["price"]),
        v(K::Orphan, "bulk", 5, &[]),
    ]
    .into_iter()
    .collect();
    assert_eq!(verdicts(&after), expected);
    assert_eq!(ranges.load(std::sync::atomic::Ordering::SeqCst), 2);
    // By range: bulk's 39 rows, then bulk 2 and 5 again by key (one row); acme's 5 and
    // a'b:*'s 3 rows by key.
    assert_eq!(after.row_reads, 39 + 1 + 5 + 3);
    let after_by_key = by_key.run(&Scope::AllTenants).await.unwrap();
    assert_eq!(verdicts(&after_by_key), expected);
    assert_eq!(after.tenants, after_by_key.tenants);
    // The other tenant's digest did not move; acme's and bulk's did.
    assert_eq!(before.tenant(Some("a'b:*")), after.tenant(Some("a'b:*")));
    assert_ne!(before.tenant(Some("acme")), after.tenant(Some("acme")));
    assert_ne!(before.tenant(Some("bulk")), after.tenant(Some("bulk")));
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_rows() {
    let mut db = MariaDatabase::create().unwrap_or_else(|e| panic!("{e}"));
    db.execute(
        "CREATE TABLE audit_items (
            tenant varchar(64) NOT NULL,
            id bigint NOT NULL,
            name text NOT NULL,
            price decimal(10, 2) NOT NULL,
            data blob NOT NULL,
            updated_at timestamp(6) NOT NULL,
            note text NULL,
            status enum('active', 'archived') NOT NULL,
            PRIMARY KEY (tenant, id)
        )",
        "test setup",
    )
    .unwrap();
    db.conn().query_drop("SET time_zone = '+00:00'").unwrap();
    for it in items() {
        db.conn()
            .exec_drop(
                "INSERT INTO audit_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    &it.tenant,
                    it.id,
                    &it.name,
                    it.price.to_string(),
                    &it.data,
                    sql_timestamp(&it.updated_at),
                    &it.note,
                    it.status.label(),
                ),
            )
            .unwrap();
    }
    let url = format!("{}/{}", server_url().trim_end_matches('/'), db.name());
    let rows = MySqlRows::connect(&url).unwrap();
    scenario("mariadb", rows, || {
        db.conn()
            .query_drop(
                "UPDATE audit_items SET price = 1.5 WHERE tenant IN ('acme', 'bulk') AND id = 2",
            )
            .unwrap();
        db.conn()
            .query_drop("DELETE FROM audit_items WHERE tenant IN ('acme', 'bulk') AND id = 5")
            .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_rows() {
    let db = SqliteDatabase::create().unwrap_or_else(|e| panic!("{e}"));
    db.execute(
        "CREATE TABLE audit_items (
            tenant text NOT NULL,
            id integer NOT NULL,
            name text NOT NULL,
            price numeric NOT NULL,
            data blob NOT NULL,
            updated_at text NOT NULL,
            note text,
            status text NOT NULL CHECK (status IN ('active', 'archived')),
            PRIMARY KEY (tenant, id)
        )",
        "test setup",
    )
    .unwrap();
    for it in items() {
        db.conn()
            .execute(
                "INSERT INTO audit_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rusqlite::params![
                    it.tenant,
                    it.id,
                    it.name,
                    it.price.to_string(),
                    it.data,
                    sql_timestamp(&it.updated_at),
                    it.note,
                    it.status.label(),
                ],
            )
            .unwrap();
    }
    let rows = SqliteRows::open(db.path()).unwrap();
    scenario("sqlite", rows, || {
        db.conn()
            .execute_batch(
                "UPDATE audit_items SET price = 1.5 WHERE tenant IN ('acme', 'bulk') AND id = 2;
                 DELETE FROM audit_items WHERE tenant IN ('acme', 'bulk') AND id = 5;",
            )
            .unwrap();
    })
    .await;
}
