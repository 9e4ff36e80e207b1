//! The runtime on a real Redis Cluster (3 primaries, 3 replicas on loopback ports, started
//! by the test and removed by it): the tiered cache's scripts, sharded Pub/Sub and Streams,
//! through a slot migration and a primary's failover, with a stale-read checker running
//! across both. One cluster serves every scenario, in order (each leaves the cluster
//! healthy for the next).

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cache_contract::TenantId;
use cache_contract::endpoint::RedisEndpoint;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::invalidation::shards::{self, shard_names};
use cache_contract::invalidation::streams::{self, StreamsConfig};
use cache_contract::invalidation::{Event, Invalidation, Publisher, Subscriber, Subscription};
use cache_contract::key::tenant_slot;
use cache_contract::tiered::{RedisTier, TieredCache};
use common::cluster::TestCluster;
use common::{AWKWARD_TENANTS, User, WAIT, unique, user};
use futures_util::FutureExt;

/// Shards used by the tests: as many as the default.
const SHARDS: usize = 16;

fn pubsub_config(channel: &str) -> PubSubConfig {
    let mut c = PubSubConfig::new(channel);
    c.cluster_shards = SHARDS;
    c.ping_interval = Duration::from_millis(100);
    c.ping_timeout = Duration::from_millis(400);
    c.connect_timeout = Duration::from_secs(2);
    c.backoff_min = Duration::from_millis(20);
    c.backoff_max = Duration::from_millis(200);
    c
}

/// The slot of a channel or stream name (its hash tag's).
fn name_slot(name: &str) -> u16 {
    let tag = name
        .rsplit_once('{')
        .and_then(|(_, t)| t.strip_suffix('}'))
        .unwrap_or_else(|| panic!("{name} has no hash tag"));
    // A tag is a decimal number, which is also a tenant-free way to reach `tenant_slot`'s
    // CRC16: compare with the cluster's own answer in `shard_channels_spread_over_primaries`.
    crc16(tag.as_bytes())
}

fn crc16(bytes: &[u8]) -> u16 {
    // CRC16/XMODEM, bit by bit: the cluster specification's reference algorithm.
    let mut crc: u16 = 0;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16_384
}

/// Runs a blocking cluster operation without stalling the runtime's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// The "database": the current name of user 1 of each tenant.
#[derive(Clone, Default)]
struct Db(Arc<Mutex<BTreeMap<String, String>>>);

impl Db {
    fn set(&self, tenant: &str, name: &str) {
        self.0.lock().unwrap().insert(tenant.into(), name.into());
    }
    fn row(&self, tenant: &str) -> User {
        let name = self
            .0
            .lock()
            .unwrap()
            .get(tenant)
            .cloned()
            .unwrap_or_default();
        user(tenant, 1, &name)
    }
}

/// One service instance: the tiered cache over the cluster, with its subscriber.
struct Instance {
    cache: TieredCache<User>,
    subscriber: Subscriber,
    events: Subscription,
}

async fn instance(endpoint: &RedisEndpoint, prefix: &str, config: &PubSubConfig) -> Instance {
    let subscriber = pubsub::subscriber(endpoint.clone(), config.clone());
    let events = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let cache = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect_to(endpoint, prefix, Duration::from_secs(60))
                .await
                .unwrap(),
        )
        .publisher(pubsub::publisher(endpoint.clone(), config).await.unwrap())
        .subscriber(subscriber.clone())
        .build()
        .unwrap();
    Instance {
        cache,
        subscriber,
        events,
    }
}

async fn read(cache: &TieredCache<User>, db: &Db, tenant: &str) -> String {
    let row = db.row(tenant);
    cache
        .get_or_load(&TenantId::new(tenant), &1, || async move {
            Ok::<_, std::convert::Infallible>(row)
        })
        .await
        .unwrap()
        .name
        .clone()
}

/// Evaluates the (async) condition until it holds, at most `WAIT`.
macro_rules! eventually {
    ($what:expr, $condition:expr $(,)?) => {{
        let deadline = Instant::now() + WAIT;
        while !$condition {
            assert!(Instant::now() < deadline, "{}: not within {WAIT:?}", $what);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }};
}

/// The stale-read checker: `a` caches the row of `tenant`, the row changes, `b` invalidates
/// it (retrying while the cluster refuses, as during a failover), and `a` must serve the
/// new row within `WAIT` — by receiving the invalidation or by resyncing. An instance that
/// silently lost its subscription would serve the old row forever.
async fn check_round(a: &Instance, b: &Instance, db: &Db, tenant: &str, round: u64) {
    let t = TenantId::new(tenant);
    read(&a.cache, db, tenant).await;
    let new = format!("v{round}");
    db.set(tenant, &new);
    eventually!(
        &format!("round {round}: B invalidates {tenant}"),
        b.cache.invalidate_key(&t, &1).await.is_ok()
    );
    eventually!(
        &format!("round {round}: A serves the new row of {tenant} (stale read)"),
        read(&a.cache, db, tenant).await == new
    );
}

/// Checker rounds over one tenant, run in the background across a disruption.
struct Checker {
    stop: Arc<AtomicBool>,
    rounds: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Checker {
    /// Starts the rounds and returns once a few have passed.
    async fn start(a: &Arc<Instance>, b: &Arc<Instance>, db: &Db, tenant: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(AtomicU64::new(1));
        let task = tokio::spawn({
            let (a, b, db, tenant) = (a.clone(), b.clone(), db.clone(), tenant.to_string());
            let (stop, rounds) = (stop.clone(), rounds.clone());
            async move {
                while !stop.load(Ordering::Relaxed) {
                    let round = rounds.fetch_add(1, Ordering::Relaxed);
                    check_round(&a, &b, &db, &tenant, round).await;
                }
            }
        });
        eventually!("checker rounds before", rounds.load(Ordering::Relaxed) > 3);
        Checker { stop, rounds, task }
    }

    /// Waits for a few more rounds (each must see the new row: no stale read), then stops.
    async fn finish(self) {
        let during = self.rounds.load(Ordering::Relaxed);
        eventually!(
            "checker rounds after",
            self.rounds.load(Ordering::Relaxed) > during + 3
        );
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap();
    }
}

/// Skips events until a `Resync` whose reason contains `needle`; returns the reasons seen.
async fn wait_resync(events: &mut Subscription, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no resync mentioning `{needle}`; saw {seen:#?}"))
            .expect("subscriber gone");
        match event {
            Event::Resync { reason } if reason.contains(needle) => {
                seen.push(format!("resync: {reason}"));
                return seen;
            }
            Event::Resync { reason } => seen.push(format!("resync: {reason}")),
            Event::Disconnected { reason } => seen.push(format!("disconnected: {reason}")),
            Event::Invalidate(_) => {}
        }
    }
}

/// Drains pending events (so later waits see only new ones).
fn drain(events: &mut Subscription) {
    while let Some(Some(_)) = events.recv().now_or_never() {}
}

/// Tenants whose keys live on each primary (several per primary).
fn tenants_per_primary(cluster: &TestCluster) -> Vec<String> {
    let mut by_primary: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    for i in 0.. {
        let t = format!("tenant-{i}");
        let p = cluster.primary_of(tenant_slot(&TenantId::new(&t)));
        let list = by_primary.entry(p).or_default();
        if list.len() < 3 {
            list.push(t);
        }
        if by_primary.len() == 3 && by_primary.values().all(|l| l.len() == 3) {
            break;
        }
    }
    by_primary.into_values().flatten().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_runtime_on_a_redis_cluster() {
    let mut cluster = blocking(TestCluster::start);
    let endpoint = cluster.endpoint();
    let started = Instant::now();

    shard_channels_spread_over_primaries(&cluster);
    let pubsub_channel = unique("cl-pubsub");
    let config = pubsub_config(&pubsub_channel);
    let prefix = unique("cl") + ":";
    let a = Arc::new(instance(&endpoint, &prefix, &config).await);
    let b = Arc::new(instance(&endpoint, &prefix, &config).await);
    let db = Db::default();
    let tenants = tenants_per_primary(&cluster);

    tiered_cache_on_every_primary(&a, &b, &db, &tenants).await;
    println!("tier: {:?}", started.elapsed());
    pubsub_every_kind_in_order(&endpoint, &config).await;
    println!("pubsub: {:?}", started.elapsed());
    let a = slot_migration_under_traffic(&cluster, a, b.clone(), &db, &pubsub_channel).await;
    println!("migration: {:?}", started.elapsed());
    let a = manual_failover_under_traffic(&cluster, a, b.clone(), &db, &pubsub_channel).await;
    println!("manual failover: {:?}", started.elapsed());
    primary_failover_under_traffic(&mut cluster, a, b, &db, &pubsub_channel).await;
    println!("pubsub failover: {:?}", started.elapsed());
    streams_failover_loses_nothing(&mut cluster, &endpoint).await;
    println!("streams failover: {:?}", started.elapsed());
}

/// The shard channels' slots (as this crate computes them) are the cluster's, and the 16
/// channels spread over all three primaries.
fn shard_channels_spread_over_primaries(cluster: &TestCluster) {
    let names = shard_names("spread", SHARDS);
    let port = cluster.primaries()[0];
    let mut per_primary: BTreeMap<u16, usize> = BTreeMap::new();
    for name in &names {
        let slot: i64 = cluster.query(port, redis::cmd("CLUSTER").arg("KEYSLOT").arg(name));
        assert_eq!(slot, i64::from(name_slot(name)), "{name}");
        *per_primary
            .entry(cluster.primary_of(slot as u16))
            .or_default() += 1;
    }
    assert_eq!(per_primary.len(), 3, "{per_primary:?}");
    assert!(per_primary.values().all(|&n| n >= 4), "{per_primary:?}");
    // Tenants' keys: the cluster agrees with `tenant_slot` for awkward ids too.
    for t in AWKWARD_TENANTS {
        let tenant = TenantId::new(t);
        let key = format!("x{{t.{}}}y", cache_contract::key::escape(t));
        let slot: i64 = cluster.query(port, redis::cmd("CLUSTER").arg("KEYSLOT").arg(&key));
        assert_eq!(slot, i64::from(tenant_slot(&tenant)), "{t}");
    }
}

/// Loads, Redis-tier hits and every kind of invalidation, for tenants on every primary:
/// the scripts touch an entry with its generations and row version in one slot.
async fn tiered_cache_on_every_primary(a: &Instance, b: &Instance, db: &Db, tenants: &[String]) {
    for (i, tenant) in tenants.iter().enumerate() {
        let t = TenantId::new(tenant);
        db.set(tenant, "v1");
        assert_eq!(read(&a.cache, db, tenant).await, "v1");
        // B finds A's entry in Redis: its loader is never called.
        let from_redis = b
            .cache
            .get_or_load(&t, &1, || async {
                Err::<User, _>("B's loader ran: the Redis tier missed")
            })
            .await
            .unwrap();
        assert_eq!(from_redis.name, "v1");
        db.set(tenant, "v2");
        match i % 3 {
            0 => b.cache.invalidate_key(&t, &1).await.unwrap(),
            1 => b.cache.invalidate_table(&t).await.unwrap(),
            _ => b.cache.invalidate_tenant(&t).await.unwrap(),
        }
        eventually!(
            &format!("A sees {tenant}'s invalidation"),
            read(&a.cache, db, tenant).await == "v2"
        );
        assert!(
            b.cache
                .get(&t, &1)
                .await
                .unwrap()
                .is_some_and(|u| u.name == "v2"),
            "{tenant}: B reads A's fresh entry"
        );
    }
}

/// Every kind of invalidation, from many tenants (every shard channel), arrives, and one
/// tenant's messages arrive in the order they were published.
async fn pubsub_every_kind_in_order(endpoint: &RedisEndpoint, base: &PubSubConfig) {
    // (`unique` names contain no `%`, `{` or `}`, so the shard names start with them as is.)
    let config = pubsub_config(&unique("cl-order"));
    assert_eq!(config.cluster_shards, base.cluster_shards);
    let subscriber = pubsub::subscriber(endpoint.clone(), config.clone());
    let mut events = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let publisher = pubsub::publisher(endpoint.clone(), &config).await.unwrap();
    let (sent, shards_used) = publish_mixed(&publisher, 96, 3).await;
    assert_eq!(shards_used, SHARDS, "the tenants cover every shard channel");
    let received = receive(&mut events, sent.values().map(Vec::len).sum()).await;
    assert_eq!(received, sent, "per-tenant order and completeness");
    assert_eq!(subscriber.stats().malformed(), 0);

    // A publisher in another language, following WIRE.md section 5 by hand: the shard is
    // the tenant's slot (CLUSTER KEYSLOT of its hash tag) * 16 / 16384, its channel
    // `<base>{<k>}` with k from the table.
    const TAGS: [&str; 16] = [
        "10", "3", "61", "43", "11", "2", "60", "42", "12", "1", "63", "41", "13", "0", "62", "40",
    ];
    let mut conn = endpoint.connect(Duration::from_secs(2)).await.unwrap();
    for tenant in ["acme", "a:*?["] {
        let tag = format!("{{t.{}}}", cache_contract::key::escape(tenant));
        let slot: i64 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(&tag)
            .query_async(&mut conn)
            .await
            .unwrap();
        let channel = format!(
            "{}{{{}}}",
            config.channel,
            TAGS[slot as usize * 16 / 16_384]
        );
        let json = format!(
            r#"{{"v":1,"id":"foreign-{tenant}","tenant":"{tenant}","kind":"tenant","source":"py","ts":1}}"#
        );
        let _: () = redis::cmd("SPUBLISH")
            .arg(&channel)
            .arg(json)
            .query_async(&mut conn)
            .await
            .unwrap();
        let got = receive(&mut events, 1).await;
        assert_eq!(
            got.get(tenant).map(Vec::as_slice),
            Some(&[format!("foreign-{tenant}")][..])
        );
    }
}

/// Publishes `rounds` batches of one message of every kind for each of `tenants` tenants;
/// returns the ids per tenant in publication order and how many shards they used.
async fn publish_mixed(
    publisher: &Publisher,
    tenants: usize,
    rounds: usize,
) -> (BTreeMap<String, Vec<String>>, usize) {
    let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut shards_used = HashSet::new();
    for _ in 0..rounds {
        let mut batch = Vec::new();
        for i in 0..tenants {
            let t = TenantId::new(format!("order-{i}"));
            shards_used.insert(shards::shard_of(&t, SHARDS));
            for msg in [
                Invalidation::key::<User>(&t, &1),
                Invalidation::keys::<User>(&t, &[2, 3]),
                Invalidation::table::<User>(&t),
                Invalidation::tenant(&t),
            ] {
                sent.entry(format!("order-{i}"))
                    .or_default()
                    .push(msg.id.clone());
                batch.push(msg);
            }
        }
        publisher.publish_batch(batch).await.unwrap();
    }
    (sent, shards_used.len())
}

/// Receives `count` invalidations; their ids per tenant, in arrival order.
async fn receive(events: &mut Subscription, count: usize) -> BTreeMap<String, Vec<String>> {
    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut n = 0;
    while n < count {
        match tokio::time::timeout(WAIT, events.recv()).await {
            Ok(Some(Event::Invalidate(msg))) => {
                got.entry(msg.tenant.to_string())
                    .or_default()
                    .push(msg.id.clone());
                n += 1;
            }
            Ok(Some(_)) => {}
            Ok(None) => panic!("subscriber gone"),
            Err(_) => panic!("received {n} of {count} invalidations"),
        }
    }
    got
}

/// Moves the slot of a tenant's shard channel, and the slot of its keys, to another
/// primary while the stale-read checker runs: A's subscriber is unsubscribed by the server,
/// resubscribes on the new primary and resyncs, and no stale row is served afterwards.
async fn slot_migration_under_traffic(
    cluster: &TestCluster,
    mut a: Arc<Instance>,
    b: Arc<Instance>,
    db: &Db,
    channel: &str,
) -> Arc<Instance> {
    let tenant = "moving";
    let t = TenantId::new(tenant);
    db.set(tenant, "v0");
    let names = shard_names(channel, SHARDS);
    let channel_slot = name_slot(&names[shards::shard_of(&t, SHARDS)]);
    let tenant_key_slot = tenant_slot(&t);
    drain(&mut Arc::get_mut(&mut a).expect("only the test holds A").events);
    let resyncs = a.subscriber.stats().resyncs();

    let checker = Checker::start(&a, &b, db, tenant).await;
    blocking(|| {
        for slot in [channel_slot, tenant_key_slot] {
            let from = cluster.primary_of(slot);
            let to = *cluster.primaries().iter().find(|&&p| p != from).unwrap();
            cluster.migrate_slot(slot, to);
        }
    });
    checker.finish().await;

    let a_events = &mut Arc::get_mut(&mut a).expect("the checker is done").events;
    let seen = wait_resync(a_events, "resubscribed shard channel").await;
    assert!(
        seen.iter()
            .any(|e| e.starts_with("disconnected: the server unsubscribed")),
        "{seen:#?}"
    );
    assert!(a.subscriber.stats().resyncs() > resyncs);
    assert!(a.subscriber.is_connected());
    for round in 0..3 {
        check_round(&a, &b, db, tenant, 1000 + round).await;
    }
    a
}

/// `CLUSTER FAILOVER` of the primary serving a tenant's shard channel while the checker
/// runs: the old primary, now a replica, unsubscribes A; A resubscribes on the new primary.
async fn manual_failover_under_traffic(
    cluster: &TestCluster,
    mut a: Arc<Instance>,
    b: Arc<Instance>,
    db: &Db,
    channel: &str,
) -> Arc<Instance> {
    let tenant = "switching";
    let t = TenantId::new(tenant);
    db.set(tenant, "v0");
    let slot = name_slot(&shard_names(channel, SHARDS)[shards::shard_of(&t, SHARDS)]);
    drain(&mut Arc::get_mut(&mut a).expect("only the test holds A").events);
    let checker = Checker::start(&a, &b, db, tenant).await;
    let new = blocking(|| cluster.manual_failover(slot));
    checker.finish().await;
    let a_events = &mut Arc::get_mut(&mut a).expect("the checker is done").events;
    let seen = wait_resync(a_events, "").await;
    assert!(
        seen.iter().any(|e| e.starts_with("disconnected:")),
        "the switch to {new} was noticed: {seen:#?}"
    );
    for round in 0..3 {
        check_round(&a, &b, db, tenant, 3000 + round).await;
    }
    a
}

/// Kills the primary serving a tenant's shard channel and keys while the checker runs:
/// the replica takes over, A's subscriber reconnects and resyncs, no stale row afterwards;
/// the old primary then rejoins as a replica.
async fn primary_failover_under_traffic(
    cluster: &mut TestCluster,
    mut a: Arc<Instance>,
    b: Arc<Instance>,
    db: &Db,
    channel: &str,
) {
    let names = shard_names(channel, SHARDS);
    // A tenant whose keys and shard channel share a primary.
    let tenant = (0..)
        .map(|i| format!("failing-{i}"))
        .find(|t| {
            let t = TenantId::new(t);
            let channel_slot = name_slot(&names[shards::shard_of(&t, SHARDS)]);
            cluster.primary_of(channel_slot) == cluster.primary_of(tenant_slot(&t))
        })
        .unwrap();
    let slot = tenant_slot(&TenantId::new(&tenant));
    db.set(&tenant, "v0");
    drain(&mut Arc::get_mut(&mut a).expect("only the test holds A").events);

    let checker = Checker::start(&a, &b, db, &tenant).await;
    let old = cluster.primary_of(slot);
    let began = Instant::now();
    cluster.kill(old);
    let new = blocking(|| cluster.wait_failover(slot, old));
    println!("failover of {old} to {new} took {:?}", began.elapsed());
    checker.finish().await;

    let a_events = &mut Arc::get_mut(&mut a).expect("the checker is done").events;
    let seen = wait_resync(a_events, "subscribed to the").await;
    assert!(
        seen.iter().any(|e| e.starts_with("disconnected:")),
        "{seen:#?}"
    );
    for round in 0..3 {
        check_round(&a, &b, db, &tenant, 2000 + round).await;
    }
    blocking(|| cluster.restart(old));
}

/// Streams with `replica_acks = 1`: messages published before, during and after a
/// primary's failover all arrive (at least once; repeats are dropped by id), in order per
/// tenant.
async fn streams_failover_loses_nothing(cluster: &mut TestCluster, endpoint: &RedisEndpoint) {
    let mut config = StreamsConfig::new(unique("cl-stream"), "instance-1");
    config.cluster_shards = SHARDS;
    config.replica_acks = 1;
    config.block = Duration::from_millis(200);
    config.timeout = Duration::from_millis(500);
    config.backoff_min = Duration::from_millis(20);
    config.backoff_max = Duration::from_millis(200);
    let subscriber = streams::subscriber(endpoint.clone(), config.clone());
    let mut events = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let publisher = streams::publisher(endpoint.clone(), &config).await.unwrap();

    // The primary to kill: one serving some shard stream, with a replica in sync.
    let streams = shard_names(&config.stream, SHARDS);
    let victim_slot = name_slot(&streams[0]);
    let victim = cluster.primary_of(victim_slot);

    // Publishing runs on while the primary is killed, its replica takes over and the old
    // primary rejoins as a replica (until then the shard has no replica to acknowledge).
    let total: u64 = 300;
    let published = Arc::new(AtomicU64::new(0));
    let publishing = tokio::spawn({
        let published = published.clone();
        async move {
            let mut sent: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut failed_attempts = 0;
            for n in 0..total {
                let tenant = TenantId::new(format!("stream-{}", n % 24));
                let msg = Invalidation::key::<User>(&tenant, &(n as i64));
                sent.entry(tenant.to_string())
                    .or_default()
                    .push(msg.id.clone());
                // A publish that failed may have been written: send the same message (same
                // id) again until a primary and a replica acknowledge it.
                let deadline = Instant::now() + Duration::from_secs(30);
                while let Err(e) = publisher.publish(msg.clone()).await {
                    failed_attempts += 1;
                    assert!(
                        Instant::now() < deadline,
                        "message {n} never published: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                published.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (sent, failed_attempts)
        }
    });
    eventually!(
        "a third of the messages published",
        published.load(Ordering::Relaxed) >= total / 3
    );
    cluster.kill(victim);
    let began = Instant::now();
    let new = blocking(|| cluster.wait_failover(victim_slot, victim));
    let failover = began.elapsed();
    let during = published.load(Ordering::Relaxed);
    blocking(|| cluster.restart(victim));
    let (sent, failed_attempts) = publishing.await.unwrap();
    println!(
        "streams: primary {victim} -> {new} in {failover:?}; {during} of {total} published by then; {failed_attempts} publish attempts failed"
    );
    let received = receive(&mut events, total as usize).await;
    assert_eq!(received, sent, "every message, in order per tenant");
    assert!(
        subscriber.stats().disconnects() >= 1,
        "the failover was noticed"
    );
}
