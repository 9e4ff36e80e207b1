//! What the Redis transports (Pub/Sub and Streams) share: the publisher's reconnecting
//! connection, its sharded, pipelined send, and the subscriber's reconnect loop with
//! exponential backoff.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::try_join_all;
use redis::Value;

use super::PublishError;
use super::shards::Shards;
use crate::endpoint::{RedisConnection, RedisEndpoint};
use crate::invalidation::Invalidation;

/// A publisher's connection: reconnects by itself, 2 s connect and response timeouts.
pub(crate) async fn publisher_connection(
    endpoint: &RedisEndpoint,
) -> redis::RedisResult<RedisConnection> {
    endpoint.connect(Duration::from_secs(2)).await
}

/// Sends `msgs` as one pipeline per shard (a cluster runs a pipeline on one slot's node),
/// the pipelines concurrently, each once more if the connection had dropped (see
/// [`super::retry_once`]: receivers drop repeated ids). `command` appends one message's
/// command for the named channel or stream; `finish` may append a last command whose reply
/// `check` then inspects. One tenant's messages keep their order: they share a shard.
pub(crate) async fn send_sharded(
    conn: &RedisConnection,
    shards: &Shards,
    msgs: &[Invalidation],
    command: impl Fn(&mut redis::Pipeline, &str, &Invalidation),
    finish: impl Fn(&mut redis::Pipeline),
    check: impl Fn(&[Value]) -> Result<(), PublishError>,
) -> Result<(), PublishError> {
    let mut pipes: BTreeMap<usize, redis::Pipeline> = BTreeMap::new();
    for msg in msgs {
        let (shard, name) = shards.for_tenant(&msg.tenant);
        command(pipes.entry(shard).or_insert_with(redis::pipe), name, msg);
    }
    let sends = pipes.into_values().map(|mut pipe| {
        finish(&mut pipe);
        let check = &check;
        async move {
            let replies: Vec<Value> = super::retry_once(|| {
                let mut conn = conn.clone();
                let pipe = &pipe;
                async move { pipe.query_async(&mut conn).await }
            })
            .await
            .map_err(PublishError::Redis)?;
            check(&replies)
        }
    });
    try_join_all(sends).await.map(|_| ())
}

/// Runs `session` (connect, then consume until the connection dies) forever. After a
/// session that connected, the next attempt waits `min`; each failed attempt doubles the
/// wait, up to `max`.
pub(crate) async fn reconnect_forever<F, Fut>(min: Duration, max: Duration, mut session: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Connected>,
{
    let mut backoff = min;
    loop {
        if session().await == Connected::Yes {
            backoff = min;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(max);
    }
}

/// Whether a subscriber's session got connected (which resets the backoff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connected {
    Yes,
    No,
}
