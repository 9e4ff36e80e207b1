//! Edge benchmarks, each printing a ratio against a baseline measured in the same run:
//!
//! 1. `InvalidationPlan::build` for 10 000, 100 000 and 1 000 000 invalidations (rows of
//!    1 000 tenants over 4 tables, a table purge per 100 messages, a tenant purge per 1 000):
//!    time per message, and its ratio to the 10 000-message run (1.0 = linear).
//! 2. Purge throughput against a local varnishd (vmod-xkey, started here on a free port):
//!    the `Purger` running a plan's batches vs raw `PURGE` requests with the same headers
//!    sent by a plain hyper client over the same connection pool, same concurrency,
//!    alternating A/B rounds; target ≥ 0.8x.
//!
//! Run: `cargo bench -p cache-contract --features edge --bench edge`.

#[path = "../../examples/saas/src/varnish.rs"]
mod varnish;

use std::time::{Duration, Instant};

use cache_contract::TenantId;
use cache_contract::edge::{ContractGuard, HttpClient, InvalidationPlan, Purger, VarnishExecutor};
use cache_contract::invalidation::{Invalidation, Target};
use futures_util::StreamExt;

fn messages(n: usize) -> Vec<Invalidation> {
    let tables = ["users", "projects", "api_keys", "invoices"];
    (0..n)
        .map(|i| {
            let tenant = TenantId::new(format!("tenant-{:04}", i % 1_000));
            let table = tables[i % tables.len()].to_string();
            let target = if i % 1_000 == 999 {
                Target::Tenant
            } else if i % 100 == 99 {
                Target::Table { table }
            } else {
                Target::Keys {
                    table,
                    keys: vec![vec![(i / 7).to_string()]],
                }
            };
            Invalidation::new(tenant, target)
        })
        .collect()
}

fn bench_plan() {
    println!("plan building (best of 3 runs):");
    let mut baseline = None;
    for n in [10_000, 100_000, 1_000_000] {
        let msgs = messages(n);
        let mut best = Duration::MAX;
        let mut purges = 0;
        for _ in 0..3 {
            let started = Instant::now();
            let plan = InvalidationPlan::build(&msgs, &[], &ContractGuard::new()).unwrap();
            best = best.min(started.elapsed());
            purges = plan.purges().len();
        }
        let per_message = best.as_nanos() as f64 / n as f64;
        let base = *baseline.get_or_insert(per_message);
        println!(
            "  {n:>9} messages -> {purges:>7} purges in {:>9.1} ms: {per_message:>6.0} ns/message, {:.2}x the 10 000-message cost per message",
            best.as_secs_f64() * 1e3,
            per_message / base
        );
    }
}

async fn bench_purge() {
    let varnish = varnish::Varnishd::start(0, varnish::free_port())
        .await
        .unwrap_or_else(|e| panic!("the purge bench needs varnishd with vmod-xkey: {e}"));
    let client = HttpClient::new(Duration::from_secs(10));
    let executor = VarnishExecutor::new([varnish.url()])
        .unwrap()
        .with_client(client.clone());
    let concurrency = 8;
    let purger = Purger::new(executor).concurrency(concurrency);
    // ~60 000 row purges cut into Varnish's 8 000-byte batches: a few hundred requests per
    // round, each removing nothing (the bench measures the purge path, not eviction).
    let msgs = messages(60_000);
    let plan = InvalidationPlan::build(&msgs, &[], &ContractGuard::new()).unwrap();
    let batches = purger.start(&plan).batches().to_vec();
    let url = format!("{}/", varnish.url());
    let raw = || async {
        let started = Instant::now();
        // Like any client, it writes each request's header from the batch's tags.
        let ok = futures_util::stream::iter(&batches)
            .map(|batch| {
                let value = batch
                    .tags
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let request = http::Request::builder()
                    .method("PURGE")
                    .uri(&url)
                    .header("xkey-purge", value)
                    .body(Default::default())
                    .unwrap();
                let client = &client;
                async move {
                    client
                        .send(request)
                        .await
                        .map(|r| r.status == 200)
                        .unwrap_or(false)
                }
            })
            .buffer_unordered(concurrency)
            .filter(|ok| std::future::ready(*ok))
            .count()
            .await;
        assert_eq!(ok, batches.len());
        started.elapsed()
    };
    let ours = || async {
        let started = Instant::now();
        let (execution, report) = purger.execute(&plan).await;
        assert!(execution.is_done());
        assert_eq!(report.requests as usize, batches.len());
        started.elapsed()
    };
    // Warm the connection pool.
    raw().await;
    ours().await;
    let mut ratios = Vec::new();
    let (mut best_raw, mut best_ours) = (Duration::MAX, Duration::MAX);
    for _ in 0..21 {
        let r = raw().await;
        let o = ours().await;
        best_raw = best_raw.min(r);
        best_ours = best_ours.min(o);
        ratios.push(r.as_secs_f64() / o.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let tags: usize = batches.iter().map(|b| b.tags.len()).sum();
    println!(
        "purge throughput, {} requests ({tags} tags, ~{} per request), {concurrency} in flight, 21 A/B pairs:",
        batches.len(),
        tags / batches.len()
    );
    println!(
        "  raw PURGE (plain hyper client): best {:.1} ms = {:.0} requests/s",
        best_raw.as_secs_f64() * 1e3,
        batches.len() as f64 / best_raw.as_secs_f64()
    );
    println!(
        "  Purger + VarnishExecutor:       best {:.1} ms = {:.0} requests/s",
        best_ours.as_secs_f64() * 1e3,
        batches.len() as f64 / best_ours.as_secs_f64()
    );
    println!(
        "  throughput ratio (Purger / raw): median {:.2}x, min {:.2}x, max {:.2}x (target >= 0.8x)",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    bench_plan();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(bench_purge());
}
