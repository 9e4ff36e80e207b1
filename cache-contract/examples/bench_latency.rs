//! Publish-to-handler latency over Redis Pub/Sub at a paced rate (default 50 000 msg/s:
//! a batch of 50 every millisecond), through cache-contract's `Publisher` and `Subscriber`
//! (JSON encode, validation, dedup, broadcast) against a baseline of raw redis-rs
//! `PUBLISH` / `SUBSCRIBE` with the same payloads, in the same run.
//!
//! With `REDIS_CLUSTER_URLS` (a comma-separated list of a cluster's nodes) it also runs
//! cache-contract's transport on the cluster (sharded Pub/Sub), in the same run.
//!
//! `cargo run --release -p cache-contract --example bench_latency -- [seconds] [rate]`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cache_contract::endpoint::RedisEndpoint;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::invalidation::{Event, Target};
use cache_contract::{CacheContract, Invalidation, TenantId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

/// The examples' `users` row (`examples/migrations/`), through the derive.
#[derive(CacheContract, Serialize, Deserialize)]
#[cache(table = "users", migrations = "examples/migrations")]
struct User {
    tenant_id: String,
    id: i64,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Send instants (ns since `origin`) and measured latencies (ns), indexed by sequence.
struct Clock {
    origin: Instant,
    sent: Vec<AtomicU64>,
    latency: Vec<AtomicU64>,
    received: AtomicU64,
}

impl Clock {
    fn new(n: usize) -> Arc<Self> {
        Arc::new(Clock {
            origin: Instant::now(),
            sent: (0..n).map(|_| AtomicU64::new(0)).collect(),
            latency: (0..n).map(|_| AtomicU64::new(0)).collect(),
            received: AtomicU64::new(0),
        })
    }
    fn now(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }
    fn arrived(&self, seq: usize) {
        let now = self.now();
        let sent = self.sent[seq].load(Ordering::Acquire);
        self.latency[seq].store(now.saturating_sub(sent).max(1), Ordering::Release);
        self.received.fetch_add(1, Ordering::AcqRel);
    }
    fn percentiles(&self) -> (usize, [f64; 3]) {
        let mut l: Vec<u64> = self
            .latency
            .iter()
            .map(|a| a.load(Ordering::Acquire))
            .filter(|&v| v > 0)
            .collect();
        l.sort_unstable();
        let p = |q: f64| l[((l.len() as f64 * q) as usize).min(l.len() - 1)] as f64 / 1000.0;
        (l.len(), [p(0.50), p(0.99), p(0.999)])
    }
}

fn message(seq: u64) -> Invalidation {
    // 1 024 tenants of one width: every shard channel on a cluster, one payload size.
    Invalidation::key::<User>(
        &TenantId::new(format!("0b6f5c1e-8a4d-4c3b-9f2e-1d7a6b5c{:04}", seq % 1024)),
        &(seq as i64),
    )
    .with_source("bench-latency")
}

/// Publishes `n` messages paced at `rate` per second in 1 ms batches via `send`.
async fn pace<F, Fut>(n: usize, rate: usize, clock: &Clock, mut send: F) -> Result<(), Error>
where
    F: FnMut(std::ops::Range<usize>) -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    let per_tick = (rate / 1000).max(1);
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut next = 0;
    while next < n {
        tick.tick().await;
        let end = (next + per_tick).min(n);
        let now = clock.now();
        for s in &clock.sent[next..end] {
            s.store(now, Ordering::Release);
        }
        send(next..end).await?;
        next = end;
    }
    Ok(())
}

async fn wait_all(clock: &Clock, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while (clock.received.load(Ordering::Acquire) as usize) < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn ours(endpoint: &RedisEndpoint, n: usize, rate: usize) -> Result<Arc<Clock>, Error> {
    let channel = format!("cc-bench-latency-{}-ours", std::process::id());
    let config = PubSubConfig::new(&channel);
    let subscriber = pubsub::subscriber(endpoint.clone(), config.clone());
    let mut events = subscriber.subscribe();
    subscriber.wait_connected(Duration::from_secs(5)).await?;
    let publisher = pubsub::publisher(endpoint.clone(), &config).await?;
    let clock = Clock::new(n);
    let handler = {
        let clock = clock.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if let Event::Invalidate(msg) = event
                    && let Target::Keys { keys, .. } = &msg.target
                    && let Ok(seq) = keys[0][0].parse::<usize>()
                {
                    clock.arrived(seq);
                }
            }
        })
    };
    let msgs: Vec<Invalidation> = (0..n as u64).map(message).collect();
    pace(n, rate, &clock, |range| {
        let publisher = publisher.clone();
        let batch = msgs[range].to_vec();
        async move { publisher.publish_batch(batch).await.map_err(Error::from) }
    })
    .await?;
    wait_all(&clock, n).await;
    handler.abort();
    Ok(clock)
}

async fn baseline(client: &redis::Client, n: usize, rate: usize) -> Result<Arc<Clock>, Error> {
    let channel = format!("cc-bench-latency-{}-raw", std::process::id());
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(&channel).await?;
    let clock = Clock::new(n);
    let handler = {
        let clock = clock.clone();
        tokio::spawn(async move {
            let mut stream = pubsub.into_on_message();
            while let Some(msg) = stream.next().await {
                // The sequence number is the one key part: `"keys":[["<seq>"]]`.
                let payload = msg.get_payload_bytes();
                let Some(at) = payload.windows(3).position(|w| w == b"[[\"") else {
                    continue;
                };
                let digits = payload[at + 3..].iter().take_while(|b| b.is_ascii_digit());
                let seq = digits.fold(0usize, |acc, d| acc * 10 + (d - b'0') as usize);
                clock.arrived(seq);
            }
        })
    };
    let conn = client.get_multiplexed_async_connection().await?;
    let payloads: Vec<String> = (0..n as u64).map(|i| message(i).to_json()).collect();
    pace(n, rate, &clock, |range| {
        let mut conn = conn.clone();
        let mut pipe = redis::pipe();
        for p in &payloads[range] {
            pipe.cmd("PUBLISH").arg(&channel).arg(p).ignore();
        }
        async move { pipe.exec_async(&mut conn).await.map_err(Error::from) }
    })
    .await?;
    wait_all(&clock, n).await;
    handler.abort();
    Ok(clock)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: usize = args.first().map(|s| s.parse()).transpose()?.unwrap_or(4);
    let rate: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(50_000);
    let n = seconds * rate;
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let client = redis::Client::open(url.as_str())?;
    println!(
        "{n} messages at {rate} msg/s ({} per 1 ms batch), Redis at {url}",
        rate / 1000
    );
    let base = baseline(&client, n, rate).await?;
    let ours_node = ours(&RedisEndpoint::from(&client), n, rate).await?;
    // The cluster runs last, after the one-node runs, on the same machine.
    let cluster = match std::env::var("REDIS_CLUSTER_URLS") {
        Ok(urls) => Some(ours(&RedisEndpoint::from_urls(urls.split(','))?, n, rate).await?),
        Err(_) => None,
    };
    let ours = ours_node;
    let (bn, [b50, b99, b999]) = base.percentiles();
    let (on, [o50, o99, o999]) = ours.percentiles();
    println!(
        "raw redis-rs   : received {bn}/{n}  p50 {b50:8.1} us  p99 {b99:8.1} us  p99.9 {b999:8.1} us"
    );
    println!(
        "cache-contract : received {on}/{n}  p50 {o50:8.1} us  p99 {o99:8.1} us  p99.9 {o999:8.1} us"
    );
    println!(
        "ratio          : p50 {:.2}x  p99 {:.2}x  p99.9 {:.2}x   (target: p99 <= 1000 us)",
        o50 / b50,
        o99 / b99,
        o999 / b999
    );
    if let Some(cluster) = cluster {
        let (cn, [c50, c99, c999]) = cluster.percentiles();
        println!(
            "cache-contract on the cluster (sharded): received {cn}/{n}  p50 {c50:8.1} us  p99 {c99:8.1} us  p99.9 {c999:8.1} us"
        );
        println!(
            "cluster vs one node (cache-contract): p50 {:.2}x  p99 {:.2}x  p99.9 {:.2}x",
            c50 / o50,
            c99 / o99,
            c999 / o999
        );
    }
    Ok(())
}
