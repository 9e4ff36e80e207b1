//! Publisher throughput: one `Publisher` (Redis Pub/Sub) sending `N` invalidations of 1 024
//! tenants in pipelined batches. Used by `scripts/bench-publish.sh`, which compares it with
//! `redis-benchmark` publishing payloads of the same size on the same Redis, and by
//! `scripts/bench-cluster.sh`, which compares one node with a cluster.
//!
//! `cargo run --release -p cache-contract --example bench_publish -- [messages] [batch] [channel]`
//! Redis at `REDIS_URL`: one URL, or a comma-separated list of a cluster's nodes (sharded
//! Pub/Sub).
//! Prints `payload_bytes=<n>` and `msgs_per_sec=<x>`. With `--payload-size` it only prints
//! the payload size.

use std::time::Instant;

use cache_contract::endpoint::RedisEndpoint;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::{CacheContract, Invalidation, TenantId};
use serde::{Deserialize, Serialize};

/// The examples' `users` row (`examples/migrations/`), through the derive.
#[derive(CacheContract, Serialize, Deserialize)]
#[cache(table = "users", migrations = "examples/migrations")]
struct User {
    tenant_id: String,
    id: i64,
}

fn message(i: u64) -> Invalidation {
    // Fixed-width ids keep every payload the same size; 1 024 tenants cover every shard.
    Invalidation::key::<User>(
        &TenantId::new(format!("0b6f5c1e-8a4d-4c3b-9f2e-1d7a6b5c{:04}", i % 1024)),
        &(1_000_000 + i as i64),
    )
    .with_source("bench-publisher")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size = message(0).to_json().len();
    if args.first().map(String::as_str) == Some("--payload-size") {
        println!("{size}");
        return Ok(());
    }
    let n: u64 = args
        .first()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200_000);
    let batch: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(256);
    let channel = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "cc-bench-publish".into());
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let endpoint = RedisEndpoint::from_urls(url.split(','))?;
    let publisher = pubsub::publisher(endpoint, &PubSubConfig::new(&channel))
        .await
        .map_err(|e| format!("cannot connect to Redis at {url}: {e}"))?
        .with_source("bench-publisher");
    // Messages are built up front so the loop measures publishing: serializing to JSON
    // and the pipelined round trips.
    let msgs: Vec<Invalidation> = (0..n).map(message).collect();
    let started = Instant::now();
    for chunk in msgs.chunks(batch) {
        publisher.publish_batch(chunk.to_vec()).await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!("payload_bytes={size}");
    println!("batch={batch}");
    println!("msgs_per_sec={:.0}", n as f64 / secs);
    Ok(())
}
