//! The audit against real Redis and PostgreSQL: entries populated through a running
//! `TieredCache`, then rows changed and deleted behind it and entries damaged in Redis; the
//! audit reports exactly that, a fix repairs it, and the running cache stops serving stale
//! values.

mod audit_common;

use std::time::{Duration, Instant};

use audit_common::*;
use cache_contract::audit::{
    Audit, AuditConfig, Baseline, FindingKind as K, Scope, rows::PostgresRows,
};
use cache_contract::envelope::{self, EnvelopeKey, Keyring};
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::key::RedisKeys;
use cache_contract::tiered::TieredCache;
use cache_contract::{CacheContract, CacheKey, ContractHash, TenantId};
use cache_contract_tests::postgres_db::{PgDatabase, server_params};
use redis::AsyncCommands;

const MIGRATION: &str = include_str!("../audit_migrations/0001_items.sql");

/// A fresh database with the table, and a tokio-postgres client to it.
async fn database(db: &PgDatabase) -> tokio_postgres::Client {
    let params = format!("{} dbname={}", server_params(), db.name());
    let (client, conn) = tokio_postgres::connect(&params, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL is reachable (the guard connected)");
    tokio::spawn(conn);
    client.batch_execute(MIGRATION).await.unwrap();
    client
}

async fn rows(db: &PgDatabase) -> PostgresRows {
    PostgresRows::connect(&format!("{} dbname={}", server_params(), db.name()))
        .await
        .unwrap()
}

async fn insert(client: &tokio_postgres::Client, it: &Item) {
    client
        .execute(
            "INSERT INTO audit_items VALUES ($1, $2, $3, $4::text::numeric, $5, $6::text::timestamptz, $7, $8::text::item_status)",
            &[
                &it.tenant,
                &it.id,
                &it.name,
                &it.price.to_string(),
                &it.data,
                &sql_timestamp(&it.updated_at),
                &it.note,
                &it.status.label(),
            ],
        )
        .await
        .unwrap();
}

fn new_db() -> PgDatabase {
    // Created outside the runtime: the guard uses the blocking client.
    PgDatabase::create().unwrap_or_else(|e| panic!("{e}"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Waits until `check` holds (a running cache applies invalidations asynchronously).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn the_audit_reports_exactly_what_went_wrong_and_the_fix_repairs_it() {
    let db = new_db();
    runtime().block_on(async {
        let pg = database(&db).await;
        let prefix = unique_prefix("pg");
        let _cleanup = Cleanup(prefix.clone());
        let redis_client = redis::Client::open(REDIS_URL).unwrap();
        let channel = format!("{prefix}invalidations");
        let config = PubSubConfig::new(&channel);
        let subscriber = pubsub::subscriber(redis_client.clone(), config.clone());
        let publisher = pubsub::publisher(redis_client.clone(), &config).await.unwrap();
        let tier = tier(&prefix).await;
        // The running service: local tier, Redis tier, Pub/Sub.
        let cache = TieredCache::<Item>::builder()
            .redis(tier.clone())
            .publisher(publisher.clone())
            .subscriber(subscriber.clone())
            .build()
            .unwrap();
        eventually("the subscriber to connect", async || subscriber.is_connected()).await;

        let awkward = "a:*?[]\\";
        let mut items = Vec::new();
        for id in 1..=7 {
            items.push(item("acme", id));
        }
        for id in 1..=3 {
            items.push(item("globex", id));
        }
        items.push(item("globex", 5));
        for id in 1..=2 {
            items.push(item(awkward, id));
        }
        for it in &items {
            insert(&pg, it).await;
        }
        populate(&cache, &items).await;

        let audit = Audit::new(tier.clone(), rows(&db).await)
            .contract::<Item>()
            .config(AuditConfig {
                scan_count: 3,
                batch: 4,
                ..AuditConfig::default()
            });

        // An unchanged system: all fresh, the same digests twice.
        let first = audit.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(first.status(), "CONSISTENT", "{:?}", verdicts(&first));
        assert_eq!(first.counts.get(K::Fresh), items.len() as u64);
        let second = audit.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(first.tenants, second.tenants);
        assert_eq!(first.tenants.len(), 3);
        let dir = tempfile::tempdir().unwrap();
        let baseline_path = dir.path().join("audit-baseline.json");
        Baseline::of(&first).write_atomic(&baseline_path).unwrap();

        // Behind the cache: rows changed and deleted.
        pg.execute("UPDATE audit_items SET name = 'renamed' WHERE tenant = 'acme' AND id = 1", &[])
            .await
            .unwrap();
        pg.execute(
            "UPDATE audit_items SET name = 'renamed', price = 99.99 WHERE tenant = 'acme' AND id = 2",
            &[],
        )
        .await
        .unwrap();
        pg.execute("DELETE FROM audit_items WHERE tenant = 'acme' AND id = 3", &[])
            .await
            .unwrap();
        // Most of globex's entries stale: the fix bumps its table generation.
        pg.execute(
            "UPDATE audit_items SET note = 'changed' WHERE tenant = 'globex' AND id IN (1, 2, 3)",
            &[],
        )
        .await
        .unwrap();
        // In Redis: a flipped byte, another tenant's entry under acme's key, an entry of an
        // older schema.
        let mut conn = redis().await;
        let key4 = entry_key(&tier, "acme", 4);
        let mut bytes: Vec<u8> = conn.get(&key4).await.unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x20;
        let _: () = conn.set(&key4, bytes).await.unwrap();
        let globex5: Vec<u8> = conn.get(entry_key(&tier, "globex", 5)).await.unwrap();
        let _: () = conn.set(entry_key(&tier, "acme", 5), globex5).await.unwrap();
        let old_hash = ContractHash::from_bytes([7; 32]);
        let old_key = CacheKey::new(&TenantId::new("acme"), Item::TABLE, &old_hash, vec!["6".into()]);
        let old_entry = envelope::seal_raw(&TenantId::new("acme"), Item::TABLE, &old_hash, b"v0").unwrap();
        let _: () = conn.set(tier.keys().entry(&old_key, 0, 0), old_entry).await.unwrap();
        // A key under the entry namespace that no cache wrote.
        let stray = format!("{prefix}cc2:{{t.acme}}:e:audit_items:not-a-hash");
        let _: () = conn.set(&stray, "x").await.unwrap();
        // The running cache serves the stale name from its local tier.
        let acme = TenantId::new("acme");
        assert_eq!(cache.get(&acme, &1).await.unwrap().unwrap().name, "item 1");

        let report = audit.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(report.status(), "DRIFT");
        let expected = [
            v(K::Stale, "acme", 1, &["name"]),
            v(K::Stale, "acme", 2, &["name", "price"]),
            v(K::Orphan, "acme", 3, &[]),
            v(K::Corrupt, "acme", 4, &[]),
            v(K::WrongTenant, "acme", 5, &[]),
            v(K::OlderSchema, "acme", 6, &[]),
            v(K::Stale, "globex", 1, &["note"]),
            v(K::Stale, "globex", 2, &["note"]),
            v(K::Stale, "globex", 3, &["note"]),
        ];
        let unreadable = (K::UnreadableKey, None, vec![], vec![]);
        let mut want: std::collections::BTreeSet<_> = expected.iter().cloned().collect();
        want.insert(unreadable);
        assert_eq!(verdicts(&report), want);
        // Values are redacted unless asked for.
        assert!(report.findings.iter().all(|f| f.values.is_none()));
        let log = {
            let mut out = Vec::new();
            report.write_log(&mut out, None).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(!log.contains("renamed"), "{log}");
        let lines: Vec<serde_json::Value> =
            log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), want.len() + 1);
        let summary = lines.last().unwrap();
        assert_eq!(summary["type"], "summary");
        assert_eq!(summary["status"], "DRIFT");
        assert_eq!(summary["counts"]["stale"], 5);
        assert!(lines.iter().any(|l| l["kind"] == "wrong_tenant" && l["security"] == true));
        // With show_values, the differing values appear.
        let shown = Audit::new(tier.clone(), rows(&db).await)
            .contract::<Item>()
            .config(AuditConfig { show_values: true, ..AuditConfig::default() })
            .run(&Scope::Tenants(vec![acme.clone()]))
            .await
            .unwrap();
        let stale1 = shown.of_kind(K::Stale).find(|f| f.key == Some(vec!["1".into()])).unwrap();
        let name = &stale1.values.as_ref().unwrap()["name"];
        assert_eq!((name.entry.as_deref(), name.row.as_deref()), (Some("item 1"), Some("renamed")));

        // The baseline reports the regressions, tenant by tenant; the awkward tenant is unchanged.
        let baseline = Baseline::load(&baseline_path).unwrap().unwrap();
        let regressions: Vec<(Option<String>, K, u64, u64)> = baseline
            .regressions(&report)
            .into_iter()
            .map(|r| (r.tenant, r.kind, r.before, r.after))
            .collect();
        let acme_s = Some("acme".to_string());
        assert_eq!(
            regressions,
            [
                (None, K::UnreadableKey, 0, 1),
                (acme_s.clone(), K::Stale, 0, 2),
                (acme_s.clone(), K::Orphan, 0, 1),
                (acme_s.clone(), K::Corrupt, 0, 1),
                (acme_s.clone(), K::WrongTenant, 0, 1),
                (Some("globex".to_string()), K::Stale, 0, 3),
            ]
        );
        assert_eq!(
            baseline.changed_tenants(&report),
            [None, Some("acme".to_string()), Some("globex".to_string())]
        );

        // The dry run changes nothing.
        let plan = audit.plan_fix(&report);
        let text = plan.to_string();
        assert!(text.contains("bump the generation of `audit_items` for tenant globex"), "{text}");
        assert_eq!(verdicts(&audit.run(&Scope::AllTenants).await.unwrap()), verdicts(&report));

        let outcome = audit.apply_fix(&plan, Some(&publisher)).await.unwrap();
        assert_eq!((outcome.invalidated, outcome.bumped, outcome.deleted), (4, 1, 2));
        let left: Option<String> = conn.get(&stray).await.unwrap();
        assert_eq!(left, None);

        // The running cache no longer serves the stale values.
        eventually("the local tier to drop acme 1", async || {
            cache.get(&acme, &1).await.unwrap().is_none()
        })
        .await;
        let globex = TenantId::new("globex");
        eventually("the local tier to drop globex 1", async || {
            cache.get(&globex, &1).await.unwrap().is_none()
        })
        .await;
        // acme's own item 5 was never replaced by globex's in any tier.
        assert_eq!(cache.get(&acme, &5).await.unwrap().map(|i| i.tenant.clone()), Some("acme".into()));

        let after = audit.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(after.status(), "CONSISTENT", "{:?}", verdicts(&after));
        // What is left is harmless: the older-schema entry, globex's superseded entries.
        assert_eq!(after.counts.get(K::OlderSchema), 1);
        assert_eq!(after.counts.get(K::Superseded), 4);
        assert_eq!(baseline.regressions(&after), []);
    });
}

#[test]
fn a_tenant_id_with_glob_characters_matches_only_its_own_entries() {
    let db = new_db();
    runtime().block_on(async {
        let pg = database(&db).await;
        let prefix = unique_prefix("glob*?[");
        let _cleanup = Cleanup(prefix.clone());
        let tier = tier(&prefix).await;
        let cache = cache(&tier);
        let tenants = [
            "a*", "ab", "a", "a:b", "a?", "a[b]", "[ab]", "a\\", "a\\*", "*",
        ];
        let mut items = Vec::new();
        for t in tenants {
            for id in 1..=2 {
                items.push(item(t, id));
            }
        }
        for it in &items {
            insert(&pg, it).await;
        }
        populate(&cache, &items).await;
        // A finding per fresh entry too, so that each one's tenant can be checked.
        let audit = Audit::new(tier.clone(), rows(&db).await)
            .contract::<Item>()
            .config(AuditConfig {
                fresh_findings: true,
                ..AuditConfig::default()
            });
        for t in tenants {
            let report = audit
                .run(&Scope::Tenants(vec![TenantId::new(t)]))
                .await
                .unwrap();
            assert_eq!(
                report.counts.get(K::Fresh),
                2,
                "tenant {t:?}: {:?}",
                report.findings
            );
            assert_eq!(
                report.findings.len(),
                2,
                "tenant {t:?}: {:?}",
                report.findings
            );
            assert!(
                report
                    .findings
                    .iter()
                    .all(|f| f.tenant.as_deref() == Some(t)),
                "tenant {t:?}: {:?}",
                report.findings
            );
        }
        // One walk over every tenant sees them all.
        let all = audit.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(all.counts.get(K::Fresh), items.len() as u64);
        assert_eq!(all.tenants.len(), tenants.len());
    });
}

#[test]
fn a_keyed_audit_reports_forged_entries_and_the_fix_deletes_them() {
    let db = new_db();
    runtime().block_on(async {
        let pg = database(&db).await;
        let prefix = unique_prefix("keyed");
        let _cleanup = Cleanup(prefix.clone());
        let ring = Keyring::new(EnvelopeKey::new(3, b"the deployment secret, 32 bytes").unwrap());
        let tier = tier(&prefix).await.with_keyring(ring.clone());
        let cache = cache(&tier);
        let items: Vec<Item> = (1..=4).map(|id| item("acme", id)).collect();
        for it in &items {
            insert(&pg, it).await;
        }
        populate(&cache, &items[..2]).await;
        let mut conn = redis().await;
        // A forger without the secret, and an unkeyed entry: neither verifies.
        let forger = Keyring::new(EnvelopeKey::new(3, b"a guess at the secret!!").unwrap());
        let mut forged = items[2].clone();
        forged.name = "forged".into();
        let _: () = conn
            .set(
                entry_key(&tier, "acme", 3),
                envelope::seal_with(Some(&forger), &forged).unwrap(),
            )
            .await
            .unwrap();
        let _: () = conn
            .set(
                entry_key(&tier, "acme", 4),
                envelope::seal(&items[3]).unwrap(),
            )
            .await
            .unwrap();
        let audit = Audit::new(tier.clone(), rows(&db).await).contract::<Item>();
        let report = audit.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(
            verdicts(&report),
            [v(K::Forged, "acme", 3, &[]), v(K::Forged, "acme", 4, &[])]
                .into_iter()
                .collect()
        );
        assert_eq!(report.counts.get(K::Fresh), 2);
        // An unkeyed audit cannot tell: the keyed entries are unverifiable, not drift.
        let unkeyed = Audit::new(plain_tier(&prefix).await, rows(&db).await).contract::<Item>();
        let blind = unkeyed.run(&Scope::AllTenants).await.unwrap();
        assert_eq!(blind.counts.get(K::Unverifiable), 3);
        let outcome = audit
            .apply_fix(&audit.plan_fix(&report), None)
            .await
            .unwrap();
        assert_eq!(outcome.deleted, 2);
        assert_eq!(
            audit.run(&Scope::AllTenants).await.unwrap().status(),
            "CONSISTENT"
        );
    });
}

/// Entries compared with a tenant range that was read before their rows were written are
/// checked again by key: a row changed back, and a row inserted, after the range was read
/// make no finding. The same changes without the late writes make exactly a stale and an
/// orphan entry, with the digests of an audit by key.
#[test]
fn a_row_written_after_its_range_was_read_is_not_reported() {
    let db = new_db();
    runtime().block_on(async {
        let pg = std::sync::Arc::new(database(&db).await);
        let prefix = unique_prefix("range");
        let _cleanup = Cleanup(prefix.clone());
        let tier = tier(&prefix).await;
        let cache = cache(&tier);
        let items: Vec<Item> = (1..=40).map(|id| item("acme", id)).collect();
        for it in &items {
            insert(&pg, it).await;
        }
        populate(&cache, &items).await;
        let acme = Scope::Tenants(vec![TenantId::new("acme")]);
        let drift = "UPDATE audit_items SET name = 'renamed' WHERE tenant = 'acme' AND id = 1;
                     DELETE FROM audit_items WHERE tenant = 'acme' AND id = 3;";
        pg.batch_execute(drift).await.unwrap();

        // The rows change back right after the range was read.
        let late = Counting::new(rows(&db).await);
        let ranges = late.ranges.clone();
        let writer = pg.clone();
        let item3 = items[2].clone();
        *late.after_first_range.lock().unwrap() = Some(Box::new(move || {
            Box::pin(async move {
                writer
                    .batch_execute("UPDATE audit_items SET name = 'item 1' WHERE tenant = 'acme' AND id = 1")
                    .await
                    .unwrap();
                insert(&writer, &item3).await;
            })
        }));
        let report = Audit::new(tier.clone(), late)
            .contract::<Item>()
            .run(&acme)
            .await
            .unwrap();
        assert_eq!(ranges.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(report.status(), "CONSISTENT", "{:?}", verdicts(&report));
        assert_eq!(report.counts.get(K::Fresh), 40);
        // The range's 39 rows, then acme 1 and 3 again by key.
        assert_eq!(report.row_reads, 39 + 2);

        // Without the late writes: the range's verdicts, confirmed by key.
        pg.batch_execute(drift).await.unwrap();
        let counting = Counting::new(rows(&db).await);
        let ranges = counting.ranges.clone();
        let by_range = Audit::new(tier.clone(), counting)
            .contract::<Item>()
            .run(&acme)
            .await
            .unwrap();
        assert_eq!(ranges.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(
            verdicts(&by_range),
            [v(K::Stale, "acme", 1, &["name"]), v(K::Orphan, "acme", 3, &[])]
                .into_iter()
                .collect()
        );
        assert_eq!(by_range.row_reads, 39 + 1);
        let by_key = Audit::new(tier.clone(), rows(&db).await)
            .contract::<Item>()
            .config(AuditConfig {
                cached_rows: 0,
                ..AuditConfig::default()
            })
            .run(&acme)
            .await
            .unwrap();
        assert_eq!(by_key.tenants, by_range.tenants);
        assert_eq!(verdicts(&by_key), verdicts(&by_range));
        assert_eq!(by_key.row_reads, 39);

        // No index begins with the tenant column: a range would read the whole table, so
        // none is read.
        pg.batch_execute(
            "ALTER TABLE audit_items DROP CONSTRAINT audit_items_pkey, ADD PRIMARY KEY (id, tenant)",
        )
        .await
        .unwrap();
        let unindexed = Counting::new(rows(&db).await);
        let ranges = unindexed.ranges.clone();
        let report = Audit::new(tier.clone(), unindexed)
            .contract::<Item>()
            .run(&acme)
            .await
            .unwrap();
        assert_eq!(ranges.load(std::sync::atomic::Ordering::SeqCst), 0);
        assert_eq!(report.tenants, by_key.tenants);
        assert_eq!(report.row_reads, 39);
    });
}

/// A tenant's generation bumped while its entries are being audited: the batch read before
/// the bump is judged against its rows, every entry read after it is superseded (no reader
/// reaches it any more), and nothing is reported as drift.
#[test]
fn a_generation_bumped_mid_audit_supersedes_the_entries_read_after_it() {
    let db = new_db();
    runtime().block_on(async {
        let pg = database(&db).await;
        let prefix = unique_prefix("midbump");
        let _cleanup = Cleanup(prefix.clone());
        let tier = tier(&prefix).await;
        let cache = cache(&tier);
        let items: Vec<Item> = (1..=40).map(|id| item("acme", id)).collect();
        for it in &items {
            insert(&pg, it).await;
        }
        populate(&cache, &items).await;
        // Drift that only entries a reader still reaches could show.
        pg.batch_execute("UPDATE audit_items SET name = 'renamed' WHERE tenant = 'acme'")
            .await
            .unwrap();

        let bumping = Counting::new(rows(&db).await);
        let bumper = cache.clone();
        *bumping.after_first_range.lock().unwrap() = Some(Box::new(move || {
            Box::pin(async move {
                bumper
                    .invalidate_tenant(&TenantId::new("acme"))
                    .await
                    .unwrap();
            })
        }));
        // Batches of 10, one at a time. A batch reads its entries and their generations in
        // one `MGET`, then its rows: the batch whose rows include the first tenant range
        // (and every batch before it) is judged under the old generation, every later one
        // under the new.
        let report = Audit::new(tier.clone(), bumping)
            .contract::<Item>()
            .config(AuditConfig {
                batch: 10,
                concurrency: 1,
                ..AuditConfig::default()
            })
            .run(&Scope::Tenants(vec![TenantId::new("acme")]))
            .await
            .unwrap();
        let (stale, superseded) = (
            report.counts.get(K::Stale),
            report.counts.get(K::Superseded),
        );
        assert!(
            stale % 10 == 0 && (10..=30).contains(&stale) && superseded == 40 - stale,
            "whole batches on each side of the bump: {:?}",
            verdicts(&report)
        );
        assert_eq!(report.counts.get(K::Fresh), 0);

        // Audited again, every entry is under the earlier generation: superseded, harmless.
        let again = Audit::new(tier.clone(), rows(&db).await)
            .contract::<Item>()
            .run(&Scope::Tenants(vec![TenantId::new("acme")]))
            .await
            .unwrap();
        assert_eq!(again.counts.get(K::Superseded), 40);
        assert_eq!(again.status(), "CONSISTENT", "{:?}", verdicts(&again));
    });
}

/// The tier of `prefix` without a keyring.
async fn plain_tier(prefix: &str) -> cache_contract::tiered::RedisTier {
    let t = tier(prefix).await;
    assert_eq!(t.keys(), &RedisKeys::new(prefix));
    t
}
