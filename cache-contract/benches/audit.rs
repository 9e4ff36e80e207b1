//! Audit throughput against its yardstick, measured in the same run: an audit of 100,000
//! entries over 100 tenants (PostgreSQL rows) against a raw pipelined `SCAN` + `MGET` of the
//! same keys (the least any audit must do in Redis). Runs alternate, pair by pair; the
//! median of the pairs' throughput ratios is printed. Target: ≥ 0.5.
//!
//! It also prints the CPU seconds each side costs per run, by process: this bench, every
//! `redis-server` and every `postgres` process on the machine (Linux `/proc`; other load on
//! the same servers counts too). On a machine of few cores, an audit cannot take less wall
//! time than its CPU seconds over the cores.
//!
//! `cargo bench -p cache-contract --features audit-postgres --bench audit` (or
//! `scripts/bench-audit.sh`); `AUDIT_BENCH_ENTRIES` and `AUDIT_BENCH_TENANTS` resize it.
//! Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (user postgres, trust);
//! creates and drops its own database and keys.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use cache_contract::CacheContract;
use cache_contract::audit::rows::PostgresRows;
use cache_contract::audit::{Audit, FindingKind, Scope};
use cache_contract::tiered::RedisTier;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};

/// A row of `users` (`tests/migrations/`).
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "users", migrations = "tests/migrations")]
struct User {
    #[cache(tenant)]
    tenant: String,
    id: i64,
    name: String,
    email: Option<String>,
}

const PG: &str = "host=127.0.0.1 port=5432 user=postgres";
const REDIS: &str = "redis://127.0.0.1:6379";
const PAIRS: usize = 5;

/// CPU seconds used so far by [this process, `redis-server` processes, `postgres`
/// processes], from Linux `/proc` (zeros elsewhere).
fn cpu_seconds() -> [f64; 3] {
    // utime + stime, in clock ticks (fields 14 and 15; the name in parentheses may hold
    // blanks, so count from its closing parenthesis).
    let ticks = |pid: &str| -> u64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return 0;
        };
        let Some(close) = stat.rfind(')') else {
            return 0;
        };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        field(11) + field(12)
    };
    let mut total = [ticks("self"), 0, 0];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        match std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .as_deref()
            .map(str::trim)
        {
            Ok("redis-server") => total[1] += ticks(&pid),
            Ok("postgres") => total[2] += ticks(&pid),
            _ => {}
        }
    }
    // The kernel's USER_HZ is 100 on every Linux platform Rust targets.
    total.map(|t| t as f64 / 100.0)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The raw yardstick: one `SCAN` walk, `MGET` of every page's keys, 4 `MGET`s in flight.
async fn raw_scan_mget(conn: &redis::aio::ConnectionManager, pattern: &str) -> usize {
    let mut cursor = 0u64;
    let mut values = 0usize;
    let mut in_flight = FuturesUnordered::new();
    loop {
        let mut c = conn.clone();
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut c)
            .await
            .unwrap();
        if !keys.is_empty() {
            if in_flight.len() >= 4 {
                values += in_flight.next().await.unwrap_or(0);
            }
            let mut c = conn.clone();
            in_flight.push(async move {
                let got: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
                    .arg(keys)
                    .query_async(&mut c)
                    .await
                    .unwrap();
                got.iter().filter(|v| v.is_some()).count()
            });
        }
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    while let Some(n) = in_flight.next().await {
        values += n;
    }
    values
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that is not ours means another bench was asked for.
    if std::env::args().skip(1).any(|a| !a.starts_with("--")) {
        return;
    }
    let entries = env("AUDIT_BENCH_ENTRIES", 100_000);
    let tenants = env("AUDIT_BENCH_TENANTS", 100).max(1);
    let per_tenant = entries / tenants;
    let db = format!("cc_audit_bench_{}", std::process::id());
    let prefix = format!("bench-audit-{}:", std::process::id());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (admin, conn) =
            tokio_postgres::connect(&format!("{PG} dbname=postgres"), tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL at `{PG}`: {e}; start it (`service postgresql start`)")
                });
        tokio::spawn(conn);
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .await
            .unwrap();
        let url = format!("{PG} dbname={db}");
        let result = AssertUnwindSafe(run(&url, &prefix, tenants, per_tenant))
            .catch_unwind()
            .await;
        // Clean up whatever happened.
        let client = redis::Client::open(REDIS).unwrap();
        let mut conn = redis::aio::ConnectionManager::new(client).await.unwrap();
        let keys = cache_contract::key::RedisKeys::new(&prefix);
        let mut cursor = 0u64;
        loop {
            let (next, found): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}*", keys.prefix()))
                .arg("COUNT")
                .arg(5000)
                .query_async(&mut conn)
                .await
                .unwrap();
            if !found.is_empty() {
                let _: () = redis::cmd("UNLINK")
                    .arg(found)
                    .query_async(&mut conn)
                    .await
                    .unwrap();
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        admin
            .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
            .await
            .unwrap();
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    });
}

async fn run(url: &str, prefix: &str, tenants: usize, per_tenant: usize) {
    let (pg, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    pg.batch_execute(include_str!("../tests/migrations/0001_fixtures.sql"))
        .await
        .unwrap();
    pg.execute(
        "INSERT INTO users (tenant, id, name, email)
         SELECT 'tenant-' || t, i, 'user ' || i, CASE WHEN i % 2 = 0 THEN 'u' || i || '@example.com' END
         FROM generate_series(1, $1::int) AS t, generate_series(1, $2::int) AS i",
        &[&(tenants as i32), &(per_tenant as i32)],
    )
    .await
    .unwrap();
    let client = redis::Client::open(REDIS).unwrap();
    let conn = redis::aio::ConnectionManager::new(client)
        .await
        .unwrap_or_else(|e| {
            panic!("Redis at {REDIS}: {e}; start it (`redis-server --daemonize yes`)")
        });
    let tier = RedisTier::new(conn.clone(), prefix, Duration::from_secs(3600));
    // The entries, as the tier writes them (generation 0), in pipelines of 1000.
    let mut pipe = redis::pipe();
    let mut n = 0;
    for t in 1..=tenants {
        for i in 1..=per_tenant as i64 {
            let user = User {
                tenant: format!("tenant-{t}"),
                id: i,
                name: format!("user {i}"),
                email: (i % 2 == 0).then(|| format!("u{i}@example.com")),
            };
            let key = tier.keys().entry(&user.cache_key(), 0, 0);
            pipe.set(key, cache_contract::envelope::seal(&user).unwrap())
                .ignore();
            n += 1;
            if n % 1000 == 0 {
                let _: () = pipe.query_async(&mut conn.clone()).await.unwrap();
                pipe = redis::pipe();
            }
        }
    }
    if n % 1000 != 0 {
        let _: () = pipe.query_async(&mut conn.clone()).await.unwrap();
    }
    let total = tenants * per_tenant;
    let audit =
        Audit::new(tier.clone(), PostgresRows::connect(url).await.unwrap()).contract::<User>();
    let pattern = tier.keys().all_entries_pattern();
    // Warm-up, and a check that both read every entry.
    assert_eq!(raw_scan_mget(&conn, &pattern).await, total);
    let report = audit.run(&Scope::AllTenants).await.unwrap();
    assert_eq!(
        report.counts.get(FindingKind::Fresh),
        total as u64,
        "{:?}",
        report.counts
    );
    assert_eq!(report.tenants.len(), tenants);
    let mut ratios = Vec::new();
    let (mut raw_times, mut audit_times) = (Vec::new(), Vec::new());
    let (mut raw_cpu, mut audit_cpu) = ([0.0f64; 3], [0.0f64; 3]);
    let mut row_reads = 0;
    for _ in 0..PAIRS {
        let before_raw = cpu_seconds();
        let t = Instant::now();
        raw_scan_mget(&conn, &pattern).await;
        let raw = t.elapsed();
        let before_audit = cpu_seconds();
        let t = Instant::now();
        row_reads = audit.run(&Scope::AllTenants).await.unwrap().row_reads;
        let audited = t.elapsed();
        let after = cpu_seconds();
        for i in 0..3 {
            raw_cpu[i] += (before_audit[i] - before_raw[i]) / PAIRS as f64;
            audit_cpu[i] += (after[i] - before_audit[i]) / PAIRS as f64;
        }
        ratios.push(raw.as_secs_f64() / audited.as_secs_f64());
        raw_times.push(raw);
        audit_times.push(audited);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut raw_s: Vec<f64> = raw_times.iter().map(Duration::as_secs_f64).collect();
    let mut audit_s: Vec<f64> = audit_times.iter().map(Duration::as_secs_f64).collect();
    let (raw_m, audit_m) = (median(&mut raw_s), median(&mut audit_s));
    println!(
        "audit of {total} entries over {tenants} tenants: {:.0} entries/s (median {:.3} s); raw SCAN+MGET: {:.0} entries/s (median {:.3} s)",
        total as f64 / audit_m,
        audit_m,
        total as f64 / raw_m,
        raw_m
    );
    let side = |name: &str, [own, redis, pg]: [f64; 3]| {
        println!(
            "CPU s per run, {name}: this process {own:.2}, redis-server {redis:.2}, postgres {pg:.2}, total {:.2}",
            own + redis + pg
        )
    };
    side("raw SCAN+MGET", raw_cpu);
    side("audit", audit_cpu);
    println!("rows read from PostgreSQL by the last audit run: {row_reads}");
    println!(
        "audit throughput / raw SCAN+MGET throughput: median of {PAIRS} pairs {:.2} (target >= 0.5)",
        median(&mut ratios)
    );
}
