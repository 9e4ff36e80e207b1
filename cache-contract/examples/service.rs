//! Two service instances sharing Redis: a Redis tier under each local tier, invalidations
//! over Redis Pub/Sub, and a durable Redis Streams subscriber alongside.
//! Run with `cargo run -p cache-contract --example service` (Redis at `REDIS_URL`, default
//! `redis://127.0.0.1:6379`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cache_contract::invalidation::Event;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::invalidation::streams::{self, StreamsConfig};
use cache_contract::tiered::{RedisTier, TieredCache};
use cache_contract::{CacheContract, TenantId};
use serde::{Deserialize, Serialize};

/// A cached row of `users`, checked at compile time against `examples/migrations/`: a
/// field that drifts from its column, a missing tenant or a key that does not identify a
/// row would not compile.
#[derive(CacheContract, Debug, Clone, Serialize, Deserialize)]
#[cache(table = "users", migrations = "examples/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    name: String,
}

/// A stand-in for the shared database, counting queries.
#[derive(Clone, Default)]
struct Db {
    rows: Arc<Mutex<HashMap<i64, String>>>,
    queries: Arc<AtomicUsize>,
}

impl Db {
    async fn load(&self, tenant: &TenantId, id: i64) -> Result<User, String> {
        self.queries.fetch_add(1, Ordering::SeqCst);
        let name = self
            .rows
            .lock()
            .unwrap()
            .get(&id)
            .cloned()
            .ok_or("no such user")?;
        Ok(User {
            tenant_id: tenant.as_str().unwrap_or_default().to_string(),
            id,
            name,
        })
    }
}

type Error = Box<dyn std::error::Error>;

/// One service instance: a tiered cache publishing and subscribing on `channel`.
async fn instance(
    client: &redis::Client,
    url: &str,
    prefix: &str,
    channel: &str,
) -> Result<TieredCache<User>, Error> {
    let config = PubSubConfig::new(channel);
    let subscriber = pubsub::subscriber(client.clone(), config.clone());
    subscriber.wait_connected(Duration::from_secs(5)).await?;
    Ok(TieredCache::<User>::builder()
        .redis(RedisTier::connect(url, prefix, Duration::from_secs(300)).await?)
        .publisher(pubsub::publisher(client.clone(), &config).await?)
        .subscriber(subscriber)
        .build()?)
}

async fn lookup(
    name: &str,
    cache: &TieredCache<User>,
    db: &Db,
    tenant: &TenantId,
) -> Result<(), Error> {
    let before = db.queries.load(Ordering::SeqCst);
    let user = cache.get_or_load(tenant, &1, || db.load(tenant, 1)).await?;
    let from = if db.queries.load(Ordering::SeqCst) > before {
        "database"
    } else {
        "cache (local tier or Redis)"
    };
    println!(
        "  {name}: user 1 of {tenant} = {:?} from the {from}",
        user.name
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let client = redis::Client::open(url.as_str())?;
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| {
            format!("cannot connect to Redis at {url}: {e} (start redis-server or set REDIS_URL)")
        })?;
    let run = format!("cc-example-{}", std::process::id());
    let prefix = format!("{run}:");
    let channel = format!("{run}:invalidations");
    let stream = format!("{run}:stream");
    println!("Redis at {url}; keys under `{prefix}`, channel `{channel}`");

    let db = Db::default();
    db.rows.lock().unwrap().insert(1, "Ada".into());
    let tenant = TenantId::new("acme:eu*");
    let a = instance(&client, &url, &prefix, &channel).await?;
    let b = instance(&client, &url, &prefix, &channel).await?;

    // A durable subscriber, as an auditing service would run it.
    let streams_config = StreamsConfig::new(&stream, "auditor-1");
    let audit = streams::subscriber(client.clone(), streams_config.clone());
    let mut audit_events = audit.subscribe();
    audit.wait_connected(Duration::from_secs(5)).await?;
    let audit_publisher = streams::publisher(client.clone(), &streams_config).await?;

    println!("1. Instance A loads; instance B finds the value in Redis:");
    lookup("A", &a, &db, &tenant).await?;
    lookup("B", &b, &db, &tenant).await?;
    lookup("A", &a, &db, &tenant).await?;

    println!("2. B changes the row and invalidates it (Redis + Pub/Sub); A drops its copy:");
    db.rows.lock().unwrap().insert(1, "Ada Lovelace".into());
    let applied = a.applied_events();
    b.invalidate_key(&tenant, &1).await?;
    a.wait_applied(applied + 1, Duration::from_secs(5)).await?;
    lookup("A", &a, &db, &tenant).await?;
    lookup("B", &b, &db, &tenant).await?;

    println!("3. A whole-tenant invalidation is one INCR of the tenant's generation:");
    let applied = b.applied_events();
    a.invalidate_tenant(&tenant).await?;
    b.wait_applied(applied + 1, Duration::from_secs(5)).await?;
    lookup("B", &b, &db, &tenant).await?;

    println!("4. The same messages over Redis Streams reach the durable subscriber:");
    let msg = cache_contract::Invalidation::table::<User>(&tenant).with_source("example");
    println!("  wire format: {}", msg.to_json());
    audit_publisher.publish(msg).await?;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), audit_events.recv()).await? {
            Some(Event::Invalidate(m)) => {
                println!(
                    "  auditor-1 received {} {:?} for {}",
                    m.target.kind(),
                    m.target.table(),
                    m.tenant
                );
                break;
            }
            Some(_) => continue,
            None => return Err("the streams subscriber stopped".into()),
        }
    }
    println!(
        "  auditor-1 stats: received={} malformed={} resyncs={}",
        audit.stats().received(),
        audit.stats().malformed(),
        audit.stats().resyncs()
    );

    // Clean up this run's keys (by exact names where known, SCAN on our own prefix for
    // entries; the library itself never scans).
    streams::remove_instance(&client, &streams_config).await?;
    let _: () = redis::cmd("DEL")
        .arg(&stream)
        .query_async(&mut conn)
        .await?;
    let mut iter: redis::AsyncIter<String> = redis::cmd("SCAN")
        .cursor_arg(0)
        .arg("MATCH")
        .arg(format!("{prefix}*"))
        .clone()
        .iter_async(&mut conn)
        .await?;
    let mut keys = Vec::new();
    while let Some(k) = iter.next_item().await {
        keys.push(k?);
    }
    drop(iter);
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await?;
    }
    println!("Removed {} keys of this run.", keys.len() + 1);
    Ok(())
}
