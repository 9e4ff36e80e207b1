//! Fault tests: each starts its own redis-server on a free loopback port, then kills it,
//! freezes it (SIGSTOP: a half-open connection) or makes it drop the subscriber (output
//! buffer limit). The subscriber must notice, the cache must stop serving its local tier,
//! resync after reconnecting, and never return a value older than an invalidation it could
//! have missed.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cache_contract::TenantId;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::invalidation::{Event, Subscriber, Subscription};
use cache_contract::tiered::{RedisTier, TieredCache};
use common::{PrivateRedis, User, WAIT, unique, user};

fn fast_config(channel: &str) -> PubSubConfig {
    let mut c = PubSubConfig::new(channel);
    c.ping_interval = Duration::from_millis(100);
    c.ping_timeout = Duration::from_millis(300);
    c.connect_timeout = Duration::from_millis(500);
    c.backoff_min = Duration::from_millis(20);
    c.backoff_max = Duration::from_millis(200);
    c
}

/// The "database": the current name of user 1 of `acme`.
#[derive(Clone)]
struct Db(Arc<Mutex<String>>);

impl Db {
    fn new(name: &str) -> Self {
        Db(Arc::new(Mutex::new(name.into())))
    }
    fn set(&self, name: &str) {
        *self.0.lock().unwrap() = name.into();
    }
    fn row(&self) -> User {
        user("acme", 1, &self.0.lock().unwrap())
    }
}

struct Instance {
    cache: TieredCache<User>,
    subscriber: Subscriber,
    events: Subscription,
}

async fn instance(server: &PrivateRedis, prefix: &str, channel: &str) -> Instance {
    let client = server.client();
    let config = fast_config(channel);
    let subscriber = pubsub::subscriber(client.clone(), config.clone());
    let mut events = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    wait_for(&mut events, false).await; // the first connection's resync
    let cache = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect(&server.url(), prefix, Duration::from_secs(60))
                .await
                .unwrap(),
        )
        .publisher(pubsub::publisher(client, &config).await.unwrap())
        .subscriber(subscriber.clone())
        .build()
        .unwrap();
    assert!(cache.local_tier_enabled());
    Instance {
        cache,
        subscriber,
        events,
    }
}

async fn read(cache: &TieredCache<User>, db: &Db) -> String {
    let db = db.clone();
    cache
        .get_or_load(&TenantId::new("acme"), &1, || async move {
            Ok::<_, std::convert::Infallible>(db.row())
        })
        .await
        .unwrap()
        .name
        .clone()
}

/// Waits for the next event of the given kind, skipping invalidations.
async fn wait_for(events: &mut Subscription, disconnected: bool) -> String {
    loop {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("no subscriber event within the deadline")
            .expect("subscriber gone");
        match event {
            Event::Disconnected { reason } if disconnected => return reason,
            Event::Resync { reason } if !disconnected => return reason,
            Event::Invalidate(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Waits until the cache has applied everything its subscriber emitted so far.
async fn settle(cache: &TieredCache<User>, at_least: u64) {
    cache.wait_applied(at_least, WAIT).await.unwrap();
}

#[tokio::test]
async fn killed_and_restarted_redis_resyncs_and_never_serves_stale() {
    let mut server = PrivateRedis::start();
    let prefix = unique("kill") + ":";
    let channel = unique("kill");
    let mut a = instance(&server, &prefix, &channel).await;
    let b = instance(&server, &prefix, &channel).await;
    let db = Db::new("v1");
    assert_eq!(read(&a.cache, &db).await, "v1");

    let applied = a.cache.applied_events();
    server.kill();
    let reason = wait_for(&mut a.events, true).await;
    settle(&a.cache, applied + 1).await;
    assert!(!a.cache.local_tier_enabled(), "disconnected: {reason}");
    assert!(!a.subscriber.is_connected());

    // The row changes while Redis is down: nobody can tell A.
    db.set("v2");
    let acme = TenantId::new("acme");
    assert!(
        b.cache.invalidate_key(&acme, &1).await.is_err(),
        "an invalidation that cannot reach Redis is an error"
    );
    assert_eq!(
        read(&a.cache, &db).await,
        "v2",
        "served the local tier while disconnected"
    );

    let applied = a.cache.applied_events();
    server.restart();
    wait_for(&mut a.events, false).await;
    settle(&a.cache, applied + 1).await;
    assert!(a.cache.local_tier_enabled());
    assert!(a.subscriber.stats().resyncs() >= 2);
    assert_eq!(read(&a.cache, &db).await, "v2");

    // Invalidations flow again after the restart.
    db.set("v3");
    let applied = a.cache.applied_events();
    b.cache.invalidate_key(&acme, &1).await.unwrap();
    settle(&a.cache, applied + 1).await;
    assert_eq!(read(&a.cache, &db).await, "v3");
}

#[tokio::test]
async fn a_subscriber_dropped_for_its_output_buffer_resyncs() {
    let server = PrivateRedis::start();
    let prefix = unique("obuf") + ":";
    let channel = unique("obuf");
    let mut a = instance(&server, &prefix, &channel).await;
    let b = instance(&server, &prefix, &channel).await;
    let db = Db::new("v1");
    assert_eq!(read(&a.cache, &db).await, "v1");
    let mut conn = server
        .client()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("client-output-buffer-limit")
        .arg("pubsub 1kb 1kb 1")
        .query_async(&mut conn)
        .await
        .unwrap();

    // A flood the subscribers cannot take, then the real invalidation, which A's dropped
    // connection never carries.
    db.set("v2");
    let applied = a.cache.applied_events();
    let mut flood = redis::pipe();
    for _ in 0..50 {
        flood
            .cmd("PUBLISH")
            .arg(&channel)
            .arg(vec![b'x'; 10_000])
            .ignore();
    }
    flood.exec_async(&mut conn).await.unwrap();
    let _ = b.cache.invalidate_key(&TenantId::new("acme"), &1).await;

    let reason = wait_for(&mut a.events, true).await;
    wait_for(&mut a.events, false).await;
    settle(&a.cache, applied + 2).await;
    assert!(a.subscriber.stats().disconnects() >= 1, "{reason}");
    assert!(a.subscriber.stats().resyncs() >= 2);
    assert_eq!(
        read(&a.cache, &db).await,
        "v2",
        "stale value after the resync"
    );
}

#[tokio::test]
async fn a_half_open_connection_is_noticed_by_ping() {
    let server = PrivateRedis::start();
    let prefix = unique("stop") + ":";
    let channel = unique("stop");
    let mut a = instance(&server, &prefix, &channel).await;
    let db = Db::new("v1");
    assert_eq!(read(&a.cache, &db).await, "v1");

    // SIGSTOP: the socket stays open, nothing answers.
    server.signal("STOP");
    let applied = a.cache.applied_events();
    let reason = wait_for(&mut a.events, true).await;
    assert!(reason.contains("PING"), "{reason}");
    settle(&a.cache, applied + 1).await;
    assert!(!a.cache.local_tier_enabled());

    server.signal("CONT");
    let applied = a.cache.applied_events();
    wait_for(&mut a.events, false).await;
    settle(&a.cache, applied + 1).await;
    assert!(a.cache.local_tier_enabled());
    assert_eq!(read(&a.cache, &db).await, "v1");

    // And the new connection carries invalidations.
    let b = instance(&server, &prefix, &channel).await;
    db.set("v2");
    let applied = a.cache.applied_events();
    b.cache
        .invalidate_key(&TenantId::new("acme"), &1)
        .await
        .unwrap();
    settle(&a.cache, applied + 1).await;
    assert_eq!(read(&a.cache, &db).await, "v2");
}

#[tokio::test]
async fn a_streams_subscriber_survives_a_redis_restart() {
    use cache_contract::invalidation::streams::{self, StreamsConfig};
    let mut server = PrivateRedis::start();
    let stream = unique("restart-stream");
    let mut config = StreamsConfig::new(&stream, "pod-1");
    config.block = Duration::from_millis(200);
    config.timeout = Duration::from_millis(300);
    config.backoff_min = Duration::from_millis(20);
    config.backoff_max = Duration::from_millis(200);
    let subscriber = streams::subscriber(server.client(), config.clone());
    let mut events = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    wait_for(&mut events, false).await;

    server.kill();
    wait_for(&mut events, true).await;
    server.restart();
    // The restarted server lost the stream and the group (no persistence): the subscriber
    // recreates them and resyncs.
    let reason = wait_for(&mut events, false).await;
    assert!(subscriber.is_connected(), "{reason}");
    let publisher = streams::publisher(server.client(), &config).await.unwrap();
    let msg = cache_contract::Invalidation::tenant(&TenantId::new("after-restart"));
    publisher.publish(msg.clone()).await.unwrap();
    loop {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("the message after the restart never arrived")
            .expect("subscriber gone");
        if let Event::Invalidate(got) = event {
            assert_eq!(got.id, msg.id);
            break;
        }
    }
}
