//! Redis Streams transport (durable, at-least-once), against the shared Redis at
//! 127.0.0.1:6379. Every test uses its own stream.

mod common;

use cache_contract::TenantId;
use cache_contract::invalidation::streams::{self, StreamsConfig};
use cache_contract::invalidation::{Event, Invalidation, Subscriber, Subscription};
use common::{User, WAIT, next, next_invalidation, redis_client, unique};

/// Reads every new entry as the instance's consumer without acknowledging it (as an
/// instance that crashed after delivery, before XACK).
async fn read_without_ack(conn: &mut redis::aio::MultiplexedConnection, config: &StreamsConfig) {
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg(config.group())
        .arg(&config.instance)
        .arg("STREAMS")
        .arg(&config.stream)
        .arg(">")
        .query_async(conn)
        .await
        .unwrap();
}

/// Starts a subscriber and returns it with a subscription opened before it connected, and
/// the reason of its first resync.
async fn start(
    client: &redis::Client,
    config: &StreamsConfig,
) -> (Subscriber, Subscription, String) {
    let subscriber = streams::subscriber(client.clone(), config.clone());
    let mut sub = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let Event::Resync { reason } = next(&mut sub).await else {
        panic!("the first event is a resync")
    };
    (subscriber, sub, reason)
}

async fn delete_stream(client: &redis::Client, stream: &str) {
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg(stream)
        .query_async(&mut conn)
        .await
        .unwrap();
}

fn keys(n: i64) -> Vec<Invalidation> {
    (0..n)
        .map(|i| Invalidation::key::<User>(&TenantId::new("t:*?["), &i))
        .collect()
}

#[tokio::test]
async fn every_instance_receives_every_message_in_order() {
    let client = redis_client().await;
    let stream = unique("streams-fanout");
    let (_s1, mut a, _) = start(&client, &StreamsConfig::new(&stream, "a")).await;
    let (_s2, mut b, _) = start(&client, &StreamsConfig::new(&stream, "b")).await;
    let publisher = streams::publisher(client.clone(), &StreamsConfig::new(&stream, "pub"))
        .await
        .unwrap();
    let mut sent = keys(500);
    sent.push(Invalidation::keys::<User>(&TenantId::new("x"), &[1, 2, 3]));
    sent.push(Invalidation::table::<User>(&TenantId::new("x")));
    sent.push(Invalidation::tenant(&TenantId::global()));
    for batch in sent.chunks(50) {
        publisher.publish_batch(batch.to_vec()).await.unwrap();
    }
    for sub in [&mut a, &mut b] {
        for msg in &sent {
            let got = next_invalidation(sub).await;
            assert_eq!((&got.id, &got.target), (&msg.id, &msg.target));
        }
    }
    delete_stream(&client, &stream).await;
}

#[tokio::test]
async fn a_restarted_instance_misses_nothing() {
    let client = redis_client().await;
    let stream = unique("streams-restart");
    let config = StreamsConfig::new(&stream, "pod-1");
    let publisher = streams::publisher(client.clone(), &config).await.unwrap();
    let (subscriber, mut sub, _) = start(&client, &config).await;
    let first = keys(10);
    publisher.publish_batch(first.clone()).await.unwrap();
    for msg in &first {
        assert_eq!(next_invalidation(&mut sub).await.id, msg.id);
    }
    drop(sub);
    drop(subscriber); // the instance goes away
    let while_down: Vec<_> = (100..400i64)
        .map(|i| Invalidation::key::<User>(&TenantId::new("t"), &i))
        .collect();
    for batch in while_down.chunks(30) {
        publisher.publish_batch(batch.to_vec()).await.unwrap();
    }
    let (subscriber, mut sub, reason) = start(&client, &config).await;
    assert!(!reason.contains("trimmed"), "{reason}");
    for msg in &while_down {
        assert_eq!(next_invalidation(&mut sub).await.id, msg.id);
    }
    // The ten acknowledged before the restart were not delivered again.
    assert_eq!(subscriber.stats().received(), while_down.len() as u64);
    delete_stream(&client, &stream).await;
}

#[tokio::test]
async fn entries_delivered_but_not_acknowledged_are_redelivered() {
    let client = redis_client().await;
    let stream = unique("streams-pending");
    let config = StreamsConfig::new(&stream, "pod-1");
    // A first run creates the group, then "crashes" (goes away).
    let (subscriber, sub, _) = start(&client, &config).await;
    drop((subscriber, sub));
    let publisher = streams::publisher(client.clone(), &config).await.unwrap();
    let sent = keys(5);
    publisher.publish_batch(sent.clone()).await.unwrap();
    // Simulate a crash after delivery, before acknowledgement: read as the instance's
    // consumer without XACK.
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    read_without_ack(&mut conn, &config).await;
    let (_subscriber, mut sub, _) = start(&client, &config).await;
    for msg in &sent {
        assert_eq!(next_invalidation(&mut sub).await.id, msg.id);
    }
    // And they are acknowledged now.
    let pending: redis::Value = redis::cmd("XPENDING")
        .arg(&stream)
        .arg(config.group())
        .query_async(&mut conn)
        .await
        .unwrap();
    let redis::Value::Array(items) = pending else {
        panic!("XPENDING reply {pending:?}")
    };
    let deadline = std::time::Instant::now() + WAIT;
    let mut count = items[0].clone();
    while count != redis::Value::Int(0) {
        assert!(
            std::time::Instant::now() < deadline,
            "entries never acknowledged"
        );
        tokio::task::yield_now().await;
        let redis::Value::Array(items) = redis::cmd("XPENDING")
            .arg(&stream)
            .arg(config.group())
            .query_async::<redis::Value>(&mut conn)
            .await
            .unwrap()
        else {
            panic!("XPENDING")
        };
        count = items[0].clone();
    }
    delete_stream(&client, &stream).await;
}

#[tokio::test]
async fn trimmed_unread_entries_are_reported_as_a_resync() {
    let client = redis_client().await;
    let stream = unique("streams-trim");
    let mut config = StreamsConfig::new(&stream, "pod-1");
    config.max_len = 10;
    let (subscriber, sub, _) = start(&client, &config).await;
    drop((subscriber, sub));
    let publisher = streams::publisher(client.clone(), &config).await.unwrap();
    for batch in keys(1000).chunks(100) {
        publisher.publish_batch(batch.to_vec()).await.unwrap();
    }
    let (_subscriber, _sub, reason) = start(&client, &config).await;
    assert!(reason.contains("trimmed"), "{reason}");
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let len: usize = redis::cmd("XLEN")
        .arg(&stream)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(len < 1000, "the stream was trimmed (length {len})");
    delete_stream(&client, &stream).await;
}

#[tokio::test]
async fn malformed_entries_are_counted_skipped_and_acknowledged() {
    let client = redis_client().await;
    let stream = unique("streams-garbage");
    let config = StreamsConfig::new(&stream, "pod-1");
    let (subscriber, mut sub, _) = start(&client, &config).await;
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    for (field, value) in [("m", "not json"), ("other", "x"), ("m", "{}")] {
        let _: String = redis::cmd("XADD")
            .arg(&stream)
            .arg("*")
            .arg(field)
            .arg(value)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let end = Invalidation::tenant(&TenantId::new("end"));
    let _: String = redis::cmd("XADD")
        .arg(&stream)
        .arg("*")
        .arg("m")
        .arg(end.to_json())
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(next_invalidation(&mut sub).await.id, end.id);
    assert_eq!(subscriber.stats().malformed(), 3);
    delete_stream(&client, &stream).await;
}

#[tokio::test]
async fn a_cache_wired_to_streams_evicts_on_invalidations() {
    use cache_contract::tiered::TieredCache;
    let client = redis_client().await;
    let stream = unique("streams-cache");
    let subscriber = streams::subscriber(client.clone(), StreamsConfig::new(&stream, "a"));
    subscriber.wait_connected(WAIT).await.unwrap();
    let config = StreamsConfig::new(&stream, "b");
    let a = TieredCache::<User>::builder()
        .subscriber(subscriber)
        .build()
        .unwrap();
    let b = TieredCache::<User>::builder()
        .publisher(streams::publisher(client.clone(), &config).await.unwrap())
        .build()
        .unwrap();
    let tenant = TenantId::new("t:*?[");
    let load = |name: &'static str| {
        move || async move { Ok::<_, std::convert::Infallible>(common::user("t:*?[", 1, name)) }
    };
    assert_eq!(
        a.get_or_load(&tenant, &1, load("v1")).await.unwrap().name,
        "v1"
    );
    assert_eq!(
        a.get_or_load(&tenant, &1, load("v2")).await.unwrap().name,
        "v1"
    );
    let applied = a.applied_events();
    b.invalidate_key(&tenant, &1).await.unwrap();
    a.wait_applied(applied + 1, WAIT).await.unwrap();
    assert_eq!(
        a.get_or_load(&tenant, &1, load("v2")).await.unwrap().name,
        "v2"
    );
    delete_stream(&client, &stream).await;
}

#[tokio::test]
async fn pending_entries_trimmed_before_handling_are_reported_as_a_resync() {
    let client = redis_client().await;
    let stream = unique("streams-pending-trim");
    let config = StreamsConfig::new(&stream, "pod-1");
    let (subscriber, sub, _) = start(&client, &config).await;
    drop((subscriber, sub));
    let publisher = streams::publisher(client.clone(), &config).await.unwrap();
    publisher.publish_batch(keys(3)).await.unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    // Delivered to the instance (pending), then trimmed away before it handled them.
    read_without_ack(&mut conn, &config).await;
    let _: i64 = redis::cmd("XTRIM")
        .arg(&stream)
        .arg("MAXLEN")
        .arg(0)
        .query_async(&mut conn)
        .await
        .unwrap();
    let subscriber = streams::subscriber(client.clone(), config.clone());
    let mut sub = subscriber.subscribe();
    subscriber.wait_connected(WAIT).await.unwrap();
    let mut reasons = Vec::new();
    while !reasons
        .iter()
        .any(|r: &String| r.contains("trimmed before being handled"))
    {
        match next(&mut sub).await {
            Event::Resync { reason } => reasons.push(reason),
            other => panic!("unexpected {other:?} (resyncs so far: {reasons:?})"),
        }
    }
    assert_eq!(subscriber.stats().received(), 0);
    delete_stream(&client, &stream).await;
}
