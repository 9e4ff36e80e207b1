//! The audit's row fetch on MariaDB and SQLite: entries populated through a `TieredCache`,
//! the same rows in the database (decimals, bytes, timestamps, nulls and enums normalized as
//! documented), then one row changed and one deleted behind the cache: exactly one stale
//! and one orphan entry.

mod audit_common;

use audit_common::*;
use cache_contract::audit::rows::{MySqlRows, SqliteRows};
use cache_contract::audit::{Audit, FindingKind as K, RowSource, Scope};
use cache_contract_tests::mariadb_db::{MariaDatabase, server_url};
use cache_contract_tests::sqlite_db::SqliteDatabase;
use mysql::prelude::Queryable;

fn items() -> Vec<Item> {
    let mut items: Vec<Item> = (1..=6).map(|id| item("acme", id)).collect();
    items.extend((1..=3).map(|id| item("a'b:*", id)));
    items
}

/// Populates the cache, lets `change` update acme 2's price and delete acme 5 behind it,
/// and checks the audit before and after.
async fn scenario(name: &str, rows: impl RowSource + 'static, change: impl FnOnce()) {
    let prefix = unique_prefix(name);
    let _cleanup = Cleanup(prefix.clone());
    let tier = tier(&prefix).await;
    let cache = cache(&tier);
    populate(&cache, &items()).await;
    let audit = Audit::new(tier, rows).contract::<Item>();
    let before = audit.run(&Scope::AllTenants).await.unwrap();
    assert_eq!(before.status(), "CONSISTENT", "{:?}", verdicts(&before));
    assert_eq!(before.counts.get(K::Fresh), items().len() as u64);
    change();
    let after = audit.run(&Scope::AllTenants).await.unwrap();
    assert_eq!(
        verdicts(&after),
        [
            v(K::Stale, "acme", 2, &["price"]),
            v(K::Orphan, "acme", 5, &[])
        ]
        .into_iter()
        .collect()
    );
    // The other tenant's digest did not move; acme's did.
    assert_eq!(before.tenant(Some("a'b:*")), after.tenant(Some("a'b:*")));
    assert_ne!(before.tenant(Some("acme")), after.tenant(Some("acme")));
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
            .query_drop("UPDATE audit_items SET price = 1.5 WHERE tenant = 'acme' AND id = 2")
            .unwrap();
        db.conn()
            .query_drop("DELETE FROM audit_items WHERE tenant = 'acme' AND id = 5")
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
                "UPDATE audit_items SET price = 1.5 WHERE tenant = 'acme' AND id = 2;
                 DELETE FROM audit_items WHERE tenant = 'acme' AND id = 5;",
            )
            .unwrap();
    })
    .await;
}
