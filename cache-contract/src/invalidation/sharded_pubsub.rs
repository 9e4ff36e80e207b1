//! The Pub/Sub subscriber on a Redis Cluster: sharded channels over one RESP3 cluster
//! connection, built on redis-rs's cluster Pub/Sub (routing, redirects, push delivery) plus
//! what it does not do — notice the server's unsolicited `sunsubscribe`, resubscribe one
//! channel at a time, ping every primary, and tell caches to flush (see
//! [`pubsub`](super::pubsub)).

use std::time::Duration;

use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use super::pubsub::PubSubConfig;
use super::redis_link::{self, Connected};
use super::shards::{ShardHealth, Shards};
use crate::endpoint::RedisEndpoint;

/// Subscribes to every shard channel of `shards` on the cluster, forever.
pub(crate) async fn run(
    endpoint: RedisEndpoint,
    config: PubSubConfig,
    shards: Shards,
    health: ShardHealth,
) {
    redis_link::reconnect_forever(config.backoff_min, config.backoff_max, || {
        session(&endpoint, &config, &shards, &health)
    })
    .await
}

/// One cluster connection: subscribes every shard channel, delivers until a node's
/// connection is lost or a primary stops answering, and resubscribes a channel the server
/// unsubscribed.
async fn session(
    endpoint: &RedisEndpoint,
    config: &PubSubConfig,
    shards: &Shards,
    health: &ShardHealth,
) -> Connected {
    let (tx, mut pushes) = mpsc::unbounded_channel::<PushInfo>();
    let connect = async {
        let client = endpoint.cluster_client(config.connect_timeout, |b| {
            b.use_protocol(redis::ProtocolVersion::RESP3)
                .push_sender(tx)
        })?;
        let mut conn = client.get_async_connection().await?;
        // One `SSUBSCRIBE` per channel: channels of distinct slots cannot share one.
        for channel in shards.names() {
            conn.ssubscribe(channel).await?;
        }
        Ok::<_, redis::RedisError>(conn)
    };
    let mut conn = match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            tracing::warn!(channel = %config.channel, error = %e, "cannot subscribe to the shard channels; retrying");
            return Connected::No;
        }
        Err(_) => {
            tracing::warn!(channel = %config.channel, "subscribing to the shard channels timed out; retrying");
            return Connected::No;
        }
    };
    let subscribed = format!(
        "subscribed to the {} shard channels of `{}`",
        shards.names().len(),
        config.channel
    );
    for shard in 0..shards.names().len() {
        health.up(shard, subscribed.clone());
    }
    let reason = pump(&mut conn, &mut pushes, config, shards, health).await;
    for shard in 0..shards.names().len() {
        health.down(shard, reason.clone());
    }
    Connected::Yes
}

/// Delivers messages until the session must end; returns why.
async fn pump(
    conn: &mut ClusterConnection,
    pushes: &mut mpsc::UnboundedReceiver<PushInfo>,
    config: &PubSubConfig,
    shards: &Shards,
    health: &ShardHealth,
) -> String {
    let mut tick = tokio::time::interval(config.ping_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            push = pushes.recv() => {
                let Some(push) = push else {
                    return "the cluster connection stopped delivering".to_string();
                };
                match push.kind {
                    PushKind::SMessage => match push.data.get(1) {
                        Some(Value::BulkString(payload)) => health.hub().deliver_raw(payload),
                        other => health.hub().malformed(&format!(
                            "a shard channel message without a payload: {other:?}"
                        )),
                    },
                    PushKind::SUnsubscribe => {
                        if let Some(why) =
                            resubscribe(conn, &push.data, config.connect_timeout, shards, health).await
                        {
                            return why;
                        }
                    }
                    PushKind::Disconnection => {
                        return "lost the connection to a cluster node".to_string();
                    }
                    _ => {}
                }
            }
            _ = tick.tick() => {
                if let Some(why) = ping_primaries(conn, config.ping_timeout).await {
                    return why;
                }
            }
        }
    }
}

/// Handles a `sunsubscribe` push. We never unsubscribe, so the server sent it: the
/// channel's slot moved, or its primary became a replica. Marks the shard down, subscribes
/// the channel again (redis-rs follows the `MOVED` to the new owner) and marks it up.
/// Returns why the session must end if that fails.
async fn resubscribe(
    conn: &mut ClusterConnection,
    data: &[Value],
    timeout: Duration,
    shards: &Shards,
    health: &ShardHealth,
) -> Option<String> {
    let channel = match data.first() {
        Some(Value::BulkString(c)) => c.as_slice(),
        _ => return None,
    };
    let shard = shards
        .names()
        .iter()
        .position(|n| n.as_bytes() == channel)?;
    let name = &shards.names()[shard];
    health.down(
        shard,
        format!(
            "the server unsubscribed shard channel `{name}` (its slot moved or its primary changed)"
        ),
    );
    match tokio::time::timeout(timeout, conn.ssubscribe(name)).await {
        Ok(Ok(())) => {
            health.up(
                shard,
                format!("resubscribed shard channel `{name}` on its new primary"),
            );
            None
        }
        Ok(Err(e)) => Some(format!("cannot resubscribe shard channel `{name}`: {e}")),
        Err(_) => Some(format!(
            "resubscribing shard channel `{name}` timed out after {timeout:?}"
        )),
    }
}

/// Pings every primary; why the session must end if one fails or is too slow.
async fn ping_primaries(conn: &mut ClusterConnection, timeout: Duration) -> Option<String> {
    // redis-rs sends a keyless `PING` to every primary and fails if one fails.
    match tokio::time::timeout(timeout, redis::cmd("PING").query_async::<Value>(conn)).await {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(format!("PING to the cluster's primaries failed: {e}")),
        Err(_) => Some(format!(
            "a primary gave no PING reply within {timeout:?} (dead or half-open)"
        )),
    }
}
