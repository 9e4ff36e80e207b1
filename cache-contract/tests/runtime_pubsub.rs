//! Redis Pub/Sub transport and the Redis tier, against the shared Redis at 127.0.0.1:6379.
//! Every test uses its own key prefix and channel.

mod common;

use std::time::Duration;

use cache_contract::envelope;
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::invalidation::{Event, Invalidation, Target};
use cache_contract::key::RedisKeys;
use cache_contract::tiered::{RedisTier, TieredCache};
use cache_contract::{CacheContract, ContractHash, TenantId};
use common::{
    AWKWARD_TENANTS, KINDS, User, WAIT, cleanup, held_load, invalidate, load, next,
    next_invalidation, redis_client, unique, user,
};

/// One service instance: a cache with the Redis tier, publishing and subscribing on
/// `channel`, ready (subscribed, local tier enabled).
async fn instance(prefix: &str, channel: &str, publish: bool) -> TieredCache<User> {
    let client = redis_client().await;
    let config = PubSubConfig::new(channel);
    let subscriber = pubsub::subscriber(client.clone(), config.clone());
    subscriber.wait_connected(WAIT).await.unwrap();
    let mut builder = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect(common::REDIS_URL, prefix, Duration::from_secs(60))
                .await
                .unwrap(),
        )
        .subscriber(subscriber.clone());
    if publish {
        builder = builder.publisher(pubsub::publisher(client, &config).await.unwrap());
    }
    let cache = builder.build().unwrap();
    assert!(cache.local_tier_enabled());
    cache
}

#[tokio::test]
async fn every_kind_is_published_and_received() {
    let client = redis_client().await;
    let config = PubSubConfig::new(unique("kinds"));
    let subscriber = pubsub::subscriber(client.clone(), config.clone());
    let mut sub = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    assert!(matches!(next(&mut sub).await, Event::Resync { .. }));
    let publisher = pubsub::publisher(client, &config)
        .await
        .unwrap()
        .with_source("kinds-test");
    let t = TenantId::new("a:b*c?d[e]");
    let sent = vec![
        Invalidation::key::<User>(&t, &1),
        Invalidation::keys::<User>(&t, &[1, 2, 3]),
        Invalidation::table::<User>(&t),
        Invalidation::tenant(&t),
        Invalidation::tenant(&TenantId::global()),
    ];
    for msg in &sent {
        publisher.publish(msg.clone()).await.unwrap();
    }
    for msg in &sent {
        let got = next_invalidation(&mut sub).await;
        assert_eq!(got.id, msg.id);
        assert_eq!(got.tenant, msg.tenant);
        assert_eq!(got.target, msg.target);
        assert_eq!(got.source, "kinds-test");
    }
    assert_eq!(subscriber.stats().received(), sent.len() as u64);
}

#[tokio::test]
async fn one_publishers_batches_arrive_in_order() {
    let client = redis_client().await;
    let config = PubSubConfig::new(unique("order"));
    let subscriber = pubsub::subscriber(client.clone(), config.clone());
    let mut sub = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let publisher = pubsub::publisher(client, &config).await.unwrap();
    let t = TenantId::new("t");
    let msgs: Vec<_> = (0..2000i64)
        .map(|i| Invalidation::key::<User>(&t, &i))
        .collect();
    for batch in msgs.chunks(64) {
        publisher.publish_batch(batch.to_vec()).await.unwrap();
    }
    for (i, msg) in msgs.iter().enumerate() {
        let got = next_invalidation(&mut sub).await;
        assert_eq!(got.id, msg.id, "message {i} out of order");
        assert_eq!(
            got.target,
            Target::Keys {
                table: "users".into(),
                keys: vec![vec![i.to_string()]]
            }
        );
    }
}

#[tokio::test]
async fn malformed_messages_are_counted_and_skipped_and_repeats_dropped() {
    let client = redis_client().await;
    let channel = unique("garbage");
    let subscriber = pubsub::subscriber(client.clone(), PubSubConfig::new(&channel));
    let mut sub = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let valid = Invalidation::tenant(&TenantId::new("t")).to_json();
    let garbage: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"not json".to_vec(),
        vec![0xff, 0xfe, 0x00],
        br#"{"v":1}"#.to_vec(),
        br#"{"v":9,"id":"x","tenant":"t","kind":"tenant","source":"s","ts":1}"#.to_vec(),
        valid.replace("\"tenant\",", "\"everything\",").into_bytes(),
        vec![b'['; 100_000],
    ];
    let mut pipe = redis::pipe();
    for g in &garbage {
        pipe.cmd("PUBLISH").arg(&channel).arg(g.as_slice()).ignore();
    }
    pipe.cmd("PUBLISH").arg(&channel).arg(&valid).ignore();
    pipe.cmd("PUBLISH").arg(&channel).arg(&valid).ignore();
    let end = Invalidation::tenant(&TenantId::new("end"));
    pipe.cmd("PUBLISH")
        .arg(&channel)
        .arg(end.to_json())
        .ignore();
    pipe.exec_async(&mut conn).await.unwrap();
    assert_eq!(next_invalidation(&mut sub).await.tenant, TenantId::new("t"));
    assert_eq!(next_invalidation(&mut sub).await.id, end.id);
    assert_eq!(subscriber.stats().malformed(), garbage.len() as u64);
    assert_eq!(subscriber.stats().duplicates(), 1);
    assert_eq!(subscriber.stats().received(), 2);
}

#[tokio::test]
async fn values_are_shared_through_redis_and_invalidations_respect_tenants() {
    let client = redis_client().await;
    let prefix = unique("iso") + ":";
    let channel = unique("iso");
    let a = instance(&prefix, &channel, true).await;
    let b = instance(&prefix, &channel, true).await;
    let tenants = AWKWARD_TENANTS;
    for t in tenants {
        for id in [1, 2] {
            load(&a, t, id, "v1").await;
        }
        // B reads A's values from the Redis tier.
        let got = b.get(&TenantId::new(t), &1).await.unwrap().unwrap();
        assert_eq!(got.name, "v1");
    }
    for (i, t) in tenants.iter().enumerate() {
        let tenant = TenantId::new(*t);
        let before = a.applied_events();
        invalidate(&b, &tenant, KINDS[i % 3]).await;
        a.wait_applied(before + 1, WAIT).await.unwrap();
        for cache in [&a, &b] {
            assert!(cache.get(&tenant, &1).await.unwrap().is_none(), "{t}");
            assert_eq!(
                cache.get(&tenant, &2).await.unwrap().is_some(),
                i % 3 == 0,
                "{t}: only wide invalidations evict other keys"
            );
        }
        for other in &tenants[i + 1..] {
            for cache in [&a, &b] {
                assert!(
                    cache
                        .get(&TenantId::new(*other), &1)
                        .await
                        .unwrap()
                        .is_some(),
                    "invalidating {t:?} evicted {other:?}"
                );
            }
        }
    }
    cleanup(&client, &prefix).await;
}

/// A load on A that began before B's invalidation must not be stored, in either tier.
/// `published`: whether A hears of the invalidation before storing (else only the Redis
/// lease check stands between the load and a stale set).
async fn no_stale_set_across_instances(published: bool) {
    let client = redis_client().await;
    let prefix = unique("lease") + ":";
    let channel = unique("lease");
    let a = instance(&prefix, &channel, true).await;
    let b = instance(&prefix, &channel, published).await;
    let acme = TenantId::new("acme");
    let loading = held_load(&a, "acme", 1).await;
    let before = a.applied_events();
    b.invalidate_key(&acme, &1).await.unwrap();
    if published {
        a.wait_applied(before + 1, WAIT).await.unwrap();
    }
    assert_eq!(loading.finish().await.name, "old");
    assert!(a.get(&acme, &1).await.unwrap().is_none(), "A kept it");
    assert!(b.get(&acme, &1).await.unwrap().is_none(), "Redis kept it");
    assert_eq!(load(&a, "acme", 1, "new").await.name, "new");
    assert_eq!(b.get(&acme, &1).await.unwrap().unwrap().name, "new");
    cleanup(&client, &prefix).await;
}

#[tokio::test]
async fn no_stale_set_when_the_invalidation_was_received() {
    no_stale_set_across_instances(true).await;
}

#[tokio::test]
async fn no_stale_set_when_only_redis_knows_of_the_invalidation() {
    no_stale_set_across_instances(false).await;
}

#[tokio::test]
async fn no_stale_set_after_a_table_invalidation_in_redis() {
    let client = redis_client().await;
    let prefix = unique("lease-table") + ":";
    let channel = unique("lease-table");
    let a = instance(&prefix, &channel, true).await;
    let b = instance(&prefix, &channel, false).await;
    let acme = TenantId::new("acme");
    let loading = held_load(&a, "acme", 1).await;
    b.invalidate_table(&acme).await.unwrap();
    loading.finish().await;
    assert!(b.get(&acme, &1).await.unwrap().is_none(), "Redis kept it");
    cleanup(&client, &prefix).await;
}

#[tokio::test]
async fn bad_entries_in_redis_are_never_served() {
    let client = redis_client().await;
    let prefix = unique("bad") + ":";
    let cache = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect(common::REDIS_URL, prefix.clone(), Duration::from_secs(60))
                .await
                .unwrap(),
        )
        .build()
        .unwrap();
    let acme = TenantId::new("acme");
    let key = User::cache_key_for(&acme, &1);
    let storage = RedisKeys::new(&prefix).entry(&key, 0, 0);
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let exists = |conn: &mut redis::aio::MultiplexedConnection| {
        let mut conn = conn.clone();
        let storage = storage.clone();
        async move {
            redis::cmd("EXISTS")
                .arg(&storage)
                .query_async::<i64>(&mut conn)
                .await
                .unwrap()
        }
    };
    let good = envelope::seal(&user("acme", 1, "Ada")).unwrap();
    let bad_entries: Vec<(&str, Vec<u8>, bool)> = vec![
        ("garbage", b"garbage".to_vec(), false),
        ("truncated", good[..good.len() - 1].to_vec(), false),
        (
            "bit flip",
            {
                let mut b = good.clone();
                let last = b.len() - 1;
                b[last] ^= 1;
                b
            },
            false,
        ),
        (
            "other tenant",
            envelope::seal(&user("globex", 1, "Eve")).unwrap(),
            false,
        ),
        (
            "other schema",
            envelope::seal_raw(&acme, "users", &ContractHash::from_bytes([9; 32]), b"x").unwrap(),
            true,
        ),
    ];
    for (what, bytes, kept) in bad_entries {
        let _: () = redis::cmd("SET")
            .arg(&storage)
            .arg(bytes)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(
            cache.get(&acme, &1).await.unwrap().is_none(),
            "{what} served"
        );
        assert_eq!(
            exists(&mut conn).await == 1,
            kept,
            "{what}: deleted unless merely stale"
        );
    }
    let _: () = redis::cmd("SET")
        .arg(&storage)
        .arg(good)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(cache.get(&acme, &1).await.unwrap().unwrap().name, "Ada");
    cleanup(&client, &prefix).await;
}

#[tokio::test]
async fn insert_writes_both_tiers_and_entries_expire() {
    let client = redis_client().await;
    let prefix = unique("ttl") + ":";
    let tier = RedisTier::connect(common::REDIS_URL, prefix.clone(), Duration::from_secs(30))
        .await
        .unwrap();
    let cache = TieredCache::<User>::builder().redis(tier).build().unwrap();
    cache.insert(user("acme", 1, "Ada")).await.unwrap();
    let key = User::cache_key_for(&TenantId::new("acme"), &1);
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(RedisKeys::new(&prefix).entry(&key, 0, 0))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0 && ttl <= 30_000, "entry TTL {ttl}");
    cache.flush_local();
    assert_eq!(
        cache
            .get(&TenantId::new("acme"), &1)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Ada"
    );
    cleanup(&client, &prefix).await;
}

#[tokio::test]
async fn entries_written_before_a_migration_are_misses_after_it() {
    let client = redis_client().await;
    let prefix = unique("migration") + ":";
    let tier = || RedisTier::connect(common::REDIS_URL, prefix.clone(), Duration::from_secs(60));
    let before = TieredCache::<User>::builder()
        .redis(tier().await.unwrap())
        .build()
        .unwrap();
    let after = TieredCache::<common::UserV2>::builder()
        .redis(tier().await.unwrap())
        .build()
        .unwrap();
    let acme = TenantId::new("acme");
    before.insert(user("acme", 1, "Ada")).await.unwrap();
    assert!(after.get(&acme, &1).await.unwrap().is_none());
    let v2 = after
        .get_or_load(&acme, &1, || async {
            Ok::<_, std::convert::Infallible>(common::UserV2 {
                tenant: "acme".into(),
                id: 1,
                name: "Ada".into(),
                email: Some("ada@example.com".into()),
            })
        })
        .await
        .unwrap();
    assert_eq!(v2.email.as_deref(), Some("ada@example.com"));
    // Both shapes coexist under their own keys until the old one expires.
    assert_eq!(before.get(&acme, &1).await.unwrap().unwrap().name, "Ada");
    cleanup(&client, &prefix).await;
}
