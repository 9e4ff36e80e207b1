//! Metrics go through the `metrics` facade: a debugging recorder (installed globally, so
//! this binary holds a single test) sees every counter move.

mod common;

use std::time::Duration;

use cache_contract::envelope::{EnvelopeKey, Keyring};
use cache_contract::invalidation::bus::InProcessBus;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::key::RedisKeys;
use cache_contract::metrics as m;
use cache_contract::tiered::{RedisTier, TieredCache};
use cache_contract::{CacheContract, ContractHash, TenantId, envelope};
use common::metrics::take;
use common::{User, WAIT, cleanup, held_load, redis_client, unique, user};
use metrics_util::debugging::DebuggingRecorder;

#[tokio::test]
async fn counters_move() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("no other recorder in this test binary");
    let acme = TenantId::new("acme");
    let load = |name: &'static str| {
        move || async move { Ok::<_, std::convert::Infallible>(user("acme", 1, name)) }
    };

    // Local tier: a miss that loads, then a hit.
    let bus = InProcessBus::new();
    let embedded = TieredCache::<User>::builder()
        .publisher(bus.publisher())
        .subscriber(bus.subscriber())
        .build()
        .unwrap();
    take(&snapshotter);
    embedded.get_or_load(&acme, &1, load("Ada")).await.unwrap();
    embedded.get_or_load(&acme, &1, load("Ada")).await.unwrap();
    let seen = take(&snapshotter);
    assert_eq!(seen.counter(m::MISSES, &[("table", "users")]), 1);
    assert_eq!(seen.counter(m::LOADS, &[]), 1);
    assert_eq!(seen.counter(m::HITS, &[("tier", "local")]), 1);

    // An invalidation: sent, received, applied; publish latency recorded.
    embedded.invalidate_key(&acme, &1).await.unwrap();
    embedded.wait_applied(1, WAIT).await.unwrap();
    let seen = take(&snapshotter);
    assert_eq!(
        seen.counter(m::INVALIDATIONS_SENT, &[("transport", "in-process")]),
        1
    );
    assert_eq!(
        seen.counter(m::INVALIDATIONS_RECEIVED, &[("transport", "in-process")]),
        1
    );
    assert_eq!(seen.counter(m::INVALIDATIONS_APPLIED, &[]), 1);
    assert_eq!(seen.histogram_samples(m::PUBLISH_SECONDS), 1);

    // A load overtaken by an invalidation: the stale set is refused and counted.
    let loading = held_load(&embedded, "acme", 1).await;
    embedded.invalidate_key(&acme, &1).await.unwrap();
    loading.finish().await;
    let seen = take(&snapshotter);
    assert_eq!(seen.counter(m::STALE_SETS_REFUSED, &[("tier", "local")]), 1);

    // Redis tier: a hit, then stale, corrupt and foreign entries.
    let client = redis_client().await;
    let prefix = unique("metrics") + ":";
    let channel = unique("metrics");
    let config = PubSubConfig::new(&channel);
    let subscriber = pubsub::subscriber(client.clone(), config);
    subscriber.wait_connected(WAIT).await.unwrap();
    let seen = take(&snapshotter);
    assert_eq!(
        seen.counter(m::RESYNCS, &[("transport", "redis-pubsub")]),
        1
    );
    let cache = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect(common::REDIS_URL, prefix.clone(), Duration::from_secs(60))
                .await
                .unwrap(),
        )
        .subscriber(subscriber.clone())
        .build()
        .unwrap();
    cache.insert(user("acme", 1, "Ada")).await.unwrap();
    cache.flush_local();
    take(&snapshotter);
    assert!(cache.get(&acme, &1).await.unwrap().is_some());
    let seen = take(&snapshotter);
    assert_eq!(seen.counter(m::HITS, &[("tier", "redis")]), 1);

    let storage = RedisKeys::new(&prefix).entry(&User::cache_key_for(&acme, &1), 0, 0);
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for (bytes, metric) in [
        (
            envelope::seal_raw(&acme, "users", &ContractHash::from_bytes([3; 32]), b"").unwrap(),
            m::STALE,
        ),
        (b"garbage".to_vec(), m::CORRUPT),
        (
            envelope::seal(&user("globex", 1, "Eve")).unwrap(),
            m::FOREIGN_TENANT,
        ),
    ] {
        let _: () = redis::cmd("SET")
            .arg(&storage)
            .arg(bytes)
            .query_async(&mut conn)
            .await
            .unwrap();
        cache.flush_local();
        assert!(cache.get(&acme, &1).await.unwrap().is_none());
        let seen = take(&snapshotter);
        assert_eq!(seen.counter(metric, &[("table", "users")]), 1, "{metric}");
        assert_eq!(seen.counter(m::MISSES, &[]), 1, "{metric}");
    }

    // A keyed tier: a genuine entry opens; a forged one, an unkeyed one and a genuine one
    // moved under another row's key are refused, counted and deleted.
    let ring = || Keyring::new(EnvelopeKey::new(5, b"the deployment's secret").unwrap());
    let keyed = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect(common::REDIS_URL, prefix.clone(), Duration::from_secs(60))
                .await
                .unwrap()
                .with_keyring(ring()),
        )
        .build()
        .unwrap();
    let forger = Keyring::new(EnvelopeKey::new(5, b"a guess at the secret").unwrap());
    for (bytes, metric) in [
        (
            envelope::seal_with(Some(&ring()), &user("acme", 1, "Ada")).unwrap(),
            m::HITS,
        ),
        (
            envelope::seal_with(Some(&forger), &user("acme", 1, "Mallory")).unwrap(),
            m::FORGED,
        ),
        (
            envelope::seal(&user("acme", 1, "Mallory")).unwrap(),
            m::FORGED,
        ),
        (
            envelope::seal_with(Some(&ring()), &user("acme", 2, "Bob")).unwrap(),
            m::FOREIGN_TENANT,
        ),
    ] {
        let _: () = redis::cmd("SET")
            .arg(&storage)
            .arg(bytes)
            .query_async(&mut conn)
            .await
            .unwrap();
        keyed.flush_local();
        let got = keyed.get(&acme, &1).await.unwrap();
        let seen = take(&snapshotter);
        assert_eq!(seen.counter(metric, &[("table", "users")]), 1, "{metric}");
        let exists: bool = redis::cmd("EXISTS")
            .arg(&storage)
            .query_async(&mut conn)
            .await
            .unwrap();
        if metric == m::HITS {
            assert_eq!(got.unwrap().name, "Ada");
            assert!(exists);
        } else {
            assert!(got.is_none(), "{metric}: served");
            assert!(!exists, "{metric}: not deleted");
        }
    }

    // A malformed message on the wire, then a valid one to know it was processed.
    let mut events = subscriber.subscribe();
    let sentinel = cache_contract::Invalidation::tenant(&TenantId::new("sentinel"));
    let mut pipe = redis::pipe();
    pipe.cmd("PUBLISH").arg(&channel).arg("{not json").ignore();
    pipe.cmd("PUBLISH")
        .arg(&channel)
        .arg(sentinel.to_json())
        .ignore();
    pipe.exec_async(&mut conn).await.unwrap();
    loop {
        match tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            cache_contract::Event::Invalidate(msg) if msg.id == sentinel.id => break,
            _ => {}
        }
    }
    let seen = take(&snapshotter);
    assert_eq!(
        seen.counter(m::INVALIDATIONS_MALFORMED, &[("transport", "redis-pubsub")]),
        1
    );
    cleanup(&client, &prefix).await;
}
