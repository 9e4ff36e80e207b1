//! Edge benchmarks, each printing a ratio against a baseline measured in the same run:
//!
//! 1. `InvalidationPlan::build` for 10 000, 100 000 and 1 000 000 invalidations (rows of
//!    1 000 tenants over 4 tables, a table purge per 100 messages, a tenant purge per 1 000):
//!    time per message, and its ratio to the 10 000-message run (1.0 = linear).
//! 2. Purge throughput against a local varnishd (vmod-xkey, started here on a free port):
//!    the `Purger` running a plan's batches vs raw `PURGE` requests with the same headers
//!    sent by a plain hyper client over the same connection pool, same concurrency,
//!    A/B pairs in alternating order; target ≥ 0.8x.
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

/// One plan build, never inlined: callgrind counts its instructions alone
/// (`--toggle-collect=*build_plan*`).
#[inline(never)]
fn build_plan(msgs: &[Invalidation]) -> InvalidationPlan {
    InvalidationPlan::build(msgs, &[], &ContractGuard::new()).unwrap()
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
            let plan = build_plan(&msgs);
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

/// The purge bench's fixture: a varnishd, a client, a purger over that client's pool, a
/// plan and its batches.
struct PurgeBench {
    _varnish: varnish::Varnishd,
    client: HttpClient,
    purger: Purger<VarnishExecutor>,
    plan: InvalidationPlan,
    batches: Vec<cache_contract::edge::Batch>,
    url: String,
    concurrency: usize,
}

impl PurgeBench {
    async fn start() -> Self {
        let varnish = varnish::Varnishd::start(0, varnish::free_port())
            .await
            .unwrap_or_else(|e| panic!("the purge bench needs varnishd with vmod-xkey: {e}"));
        let client = HttpClient::new(Duration::from_secs(10));
        let executor = VarnishExecutor::new([varnish.url()])
            .unwrap()
            .with_client(client.clone());
        let concurrency = 8;
        let purger = Purger::new(executor).concurrency(concurrency);
        // ~60 000 row purges cut into Varnish's 8 000-byte batches: a few hundred requests
        // per round, each removing nothing (the bench measures the purge path, not eviction).
        let msgs = messages(60_000);
        let plan = InvalidationPlan::build(&msgs, &[], &ContractGuard::new()).unwrap();
        let batches = purger.start(&plan).batches().to_vec();
        let url = format!("{}/", varnish.url());
        PurgeBench {
            _varnish: varnish,
            client,
            purger,
            plan,
            batches,
            url,
            concurrency,
        }
    }

    /// Raw `PURGE` requests: like any client, it writes each request's header from the
    /// batch's tags, and sends it through the same pooled client.
    async fn raw(&self) -> Duration {
        let started = Instant::now();
        let ok = futures_util::stream::iter(&self.batches)
            .map(|batch| {
                let value = batch
                    .tags
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let request = http::Request::builder()
                    .method("PURGE")
                    .uri(&self.url)
                    .header("xkey-purge", value)
                    .body(Default::default())
                    .unwrap();
                async move {
                    self.client
                        .send(request)
                        .await
                        .map(|r| r.status == 200)
                        .unwrap_or(false)
                }
            })
            .buffer_unordered(self.concurrency)
            .filter(|ok| std::future::ready(*ok))
            .count()
            .await;
        assert_eq!(ok, self.batches.len());
        started.elapsed()
    }

    /// The library: `Purger::execute` cuts the plan into batches, sends them with retries and
    /// records every acknowledgement.
    async fn ours(&self) -> Duration {
        let started = Instant::now();
        let (execution, report) = self.purger.execute(&self.plan).await;
        assert!(execution.is_done());
        assert_eq!(report.requests as usize, self.batches.len());
        started.elapsed()
    }
}

async fn bench_purge() {
    let bench = PurgeBench::start().await;
    // Warm the connection pool.
    bench.raw().await;
    bench.ours().await;
    let pairs = 31;
    let mut ratios = Vec::new();
    let (mut raw_times, mut our_times) = (Vec::new(), Vec::new());
    for i in 0..pairs {
        // Alternate which goes first, so neither always follows the other.
        let (r, o) = if i % 2 == 0 {
            let r = bench.raw().await;
            (r, bench.ours().await)
        } else {
            let o = bench.ours().await;
            (bench.raw().await, o)
        };
        raw_times.push(r);
        our_times.push(o);
        ratios.push(r.as_secs_f64() / o.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    raw_times.sort();
    our_times.sort();
    let requests = bench.batches.len();
    let tags: usize = bench.batches.iter().map(|b| b.tags.len()).sum();
    println!(
        "purge throughput, {requests} requests ({tags} tags, ~{} per request), {} in flight, {pairs} A/B pairs (alternating order):",
        tags / requests,
        bench.concurrency
    );
    for (name, times) in [
        ("raw PURGE (plain hyper client)", &raw_times),
        ("Purger + VarnishExecutor      ", &our_times),
    ] {
        println!(
            "  {name}: median {:.1} ms = {:.0} requests/s (best {:.1} ms)",
            times[pairs / 2].as_secs_f64() * 1e3,
            requests as f64 / times[pairs / 2].as_secs_f64(),
            times[0].as_secs_f64() * 1e3,
        );
    }
    println!(
        "  throughput ratio (Purger / raw) per pair: median {:.2}x, min {:.2}x, max {:.2}x; ratio of medians {:.2}x (target >= 0.8x)",
        ratios[pairs / 2],
        ratios[0],
        ratios[pairs - 1],
        raw_times[pairs / 2].as_secs_f64() / our_times[pairs / 2].as_secs_f64()
    );
}

/// `--purge-only raw|ours ROUNDS`: one warm-up round and `ROUNDS` rounds of one side only,
/// for callgrind: the difference of two runs' instruction counts is that side's client-side
/// cost (varnishd is a child process callgrind does not follow).
async fn purge_only(side: &str, rounds: usize) {
    let bench = PurgeBench::start().await;
    for _ in 0..=rounds {
        match side {
            "raw" => bench.raw().await,
            "ours" => bench.ours().await,
            other => panic!("--purge-only raw|ours ROUNDS, not {other}"),
        };
    }
    println!(
        "{side}: {rounds} rounds of {} requests",
        bench.batches.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // `--plan-once N`: build one plan of N messages and nothing else (for callgrind).
    if let Some(i) = args.iter().position(|a| a == "--plan-once") {
        let n: usize = args[i + 1].parse().expect("--plan-once N");
        let plan = build_plan(&messages(n));
        println!("{n} messages -> {} purges", plan.purges().len());
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Some(i) = args.iter().position(|a| a == "--purge-only") {
        let rounds = args[i + 2].parse().expect("--purge-only raw|ours ROUNDS");
        runtime.block_on(purge_only(&args[i + 1], rounds));
        return;
    }
    bench_plan();
    runtime.block_on(bench_purge());
}
