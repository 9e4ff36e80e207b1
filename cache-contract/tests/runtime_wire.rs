//! A publisher in "another language": raw Redis commands and hand-written JSON, following
//! `cache-contract/WIRE.md` to the letter, must invalidate a Rust cache's both tiers.

mod common;

use std::time::Duration;

use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::tiered::{RedisTier, TieredCache};
use cache_contract::{CacheContract, TenantId};
use common::{User, WAIT, cleanup, redis_client, unique, user};

#[tokio::test]
async fn a_foreign_publisher_following_wire_md_invalidates_both_tiers() {
    let client = redis_client().await;
    let prefix = unique("wire") + ":";
    let channel = unique("wire");
    let subscriber = pubsub::subscriber(client.clone(), PubSubConfig::new(&channel));
    subscriber.wait_connected(WAIT).await.unwrap();
    let cache = TieredCache::<User>::builder()
        .redis(
            RedisTier::connect(common::REDIS_URL, prefix.clone(), Duration::from_secs(60))
                .await
                .unwrap(),
        )
        .subscriber(subscriber)
        .build()
        .unwrap();
    let tenant = TenantId::new("a:*?[");
    for id in [1, 2] {
        let u = user("a:*?[", id, "old");
        cache
            .get_or_load(&tenant, &id, || async move {
                Ok::<_, std::convert::Infallible>(u)
            })
            .await
            .unwrap();
    }
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();

    // WIRE.md section 2, written out by hand: the hash tag `{t.<escaped tenant>}`, hash8 =
    // first 8 hex digits of CONTRACT_HASH, parts escaped and joined by `:`.
    let tag = "{t.a%3A%2A%3F%5B}";
    let hash8 = &User::CONTRACT_HASH.to_hex()[..8];
    let row_version = format!("{prefix}cc2:{tag}:v:users:{hash8}:1");
    let entry = format!("{prefix}cc2:{tag}:e:users:{hash8}:g0.0:1");
    let exists: i64 = redis::cmd("EXISTS")
        .arg(&entry)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(exists, 1, "the entry is where WIRE.md says");

    // Key invalidation: INCR + PEXPIRE the row version, DEL the entry, then publish.
    let mut pipe = redis::pipe();
    pipe.cmd("INCR").arg(&row_version).ignore();
    pipe.cmd("PEXPIRE").arg(&row_version).arg(600_000).ignore();
    pipe.cmd("DEL").arg(&entry).ignore();
    pipe.cmd("PUBLISH")
        .arg(&channel)
        .arg(r#"{"v":1,"id":"py-1","tenant":"a:*?[","kind":"key","table":"users","keys":[["1"]],"source":"python/billing","ts":1763700000000}"#)
        .ignore();
    let applied = cache.applied_events();
    pipe.exec_async(&mut conn).await.unwrap();
    cache.wait_applied(applied + 1, WAIT).await.unwrap();
    assert!(
        cache.get(&tenant, &1).await.unwrap().is_none(),
        "key 1 evicted"
    );
    assert!(
        cache.get(&tenant, &2).await.unwrap().is_some(),
        "key 2 kept"
    );

    // Table invalidation: INCR the table generation, then publish.
    let mut pipe = redis::pipe();
    pipe.cmd("INCR")
        .arg(format!("{prefix}cc2:{tag}:g:users"))
        .ignore();
    pipe.cmd("PUBLISH")
        .arg(&channel)
        .arg(r#"{"v":1,"id":"py-2","tenant":"a:*?[","kind":"table","table":"users","source":"python/billing","ts":1763700000001}"#)
        .ignore();
    let applied = cache.applied_events();
    pipe.exec_async(&mut conn).await.unwrap();
    cache.wait_applied(applied + 1, WAIT).await.unwrap();
    assert!(
        cache.get(&tenant, &2).await.unwrap().is_none(),
        "table evicted"
    );
    cleanup(&client, &prefix).await;
}
