//! Redis Pub/Sub: the fast, at-most-once transport.
//!
//! - The [`publisher`] sends a batch as one pipeline of `PUBLISH <channel> <json>`
//!   on a reconnecting connection; one publisher's messages arrive in order.
//! - The [`subscriber`] runs a background task on a dedicated connection. It
//!   notices every disconnect: a closed socket ends the message stream, and a half-open
//!   connection (peer gone silent: a paused or partitioned server) fails a `PING` sent every
//!   `ping_interval` that must be answered within `ping_timeout`. Then it emits
//!   [`Event::Disconnected`](super::Event::Disconnected) (caches stop serving their local
//!   tier), reconnects with exponential backoff (`backoff_min` doubling up to
//!   `backoff_max`), resubscribes and emits [`Event::Resync`](super::Event::Resync) (caches
//!   flush, then serve again). Malformed messages are counted and skipped; repeated ids are
//!   dropped (a bounded memory of `dedup_capacity` recent ids).
//!
//! Redis drops a subscriber whose output buffer overflows
//! (`client-output-buffer-limit pubsub`); that is a disconnect like any other and ends in a
//! resync, never in silently lost invalidations.
//!
//! # On a Redis Cluster
//!
//! Plain Pub/Sub on a cluster sends every message to every node. Given a cluster
//! [`RedisEndpoint`], this transport uses *sharded* Pub/Sub instead (`SPUBLISH` /
//! `SSUBSCRIBE`, Redis 7): `cluster_shards` channels named after `channel` (see
//! [`shards`](super::shards)), a tenant's messages on the channel of its hash slot, so each
//! primary carries its share. The subscriber subscribes to every shard channel on the
//! primary that serves it, over one RESP3 cluster connection, and treats as a disconnect of
//! that channel — `Disconnected`, resubscribe on the new owner, `Resync` — each of:
//!
//! - the server's unsolicited `sunsubscribe` when the channel's slot moves to another
//!   primary or its primary becomes a replica (redis-rs forwards it, but forgets the
//!   subscription: it would never resubscribe);
//! - a lost connection to a node, and a `PING` to every primary that fails or takes longer
//!   than `ping_timeout` (a dead or half-open node); the subscriber then reconnects to the
//!   whole cluster and subscribes every channel again, one `SSUBSCRIBE` per channel
//!   (redis-rs's own resubscription sends one per node, which the server refuses with
//!   `CROSSSLOT` when a node serves several channels' slots).
//!
//! ```no_run
//! # async fn demo() -> redis::RedisResult<()> {
//! use cache_contract::endpoint::RedisEndpoint;
//! use cache_contract::invalidation::pubsub::{self, PubSubConfig};
//! let cluster = RedisEndpoint::from_urls(["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"])?;
//! let config = PubSubConfig::new("myapp:invalidations");
//! let subscriber = pubsub::subscriber(cluster.clone(), config.clone());
//! let publisher = pubsub::publisher(cluster, &config).await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use futures_util::StreamExt;

use super::redis_link::{self, Connected};
use super::shards::{ShardHealth, Shards};
use super::{Hub, PublishError, Publisher, Subscriber, TaskGuard, Transport};
use crate::endpoint::{RedisConnection, RedisEndpoint};
use crate::invalidation::Invalidation;

/// Settings of the Pub/Sub transport.
#[derive(Debug, Clone)]
pub struct PubSubConfig {
    /// The channel invalidations are published on (on a cluster: the base name of the
    /// shard channels).
    pub channel: String,
    /// On a cluster, how many shard channels (default 16; at most 16 384). Every publisher
    /// and subscriber of one channel must agree.
    pub cluster_shards: usize,
    /// How often the subscriber pings its connection (default 1 s).
    pub ping_interval: Duration,
    /// How long a ping may take before the connection is declared dead (default 1 s).
    pub ping_timeout: Duration,
    /// How long connecting and subscribing may take (default 2 s).
    pub connect_timeout: Duration,
    /// The first reconnect delay (default 50 ms).
    pub backoff_min: Duration,
    /// The longest reconnect delay (default 2 s).
    pub backoff_max: Duration,
    /// Events buffered per subscription before a slow one is told to resync (default 65 536).
    pub buffer: usize,
    /// Recent message ids remembered to drop repeats (default 16 384).
    pub dedup_capacity: usize,
}

impl PubSubConfig {
    /// Defaults for `channel`.
    pub fn new(channel: impl Into<String>) -> Self {
        PubSubConfig {
            channel: channel.into(),
            cluster_shards: 16,
            ping_interval: Duration::from_secs(1),
            ping_timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(2),
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
            buffer: 65_536,
            dedup_capacity: 16_384,
        }
    }
}

/// The sending half of the Pub/Sub transport (wrapped in a [`Publisher`]).
#[derive(Clone)]
pub(crate) struct PubSubPublisher {
    conn: RedisConnection,
    shards: Shards,
}

impl PubSubPublisher {
    pub(crate) async fn publish(&self, msgs: &[Invalidation]) -> Result<(), PublishError> {
        let command = if self.conn.is_cluster() {
            "SPUBLISH"
        } else {
            "PUBLISH"
        };
        redis_link::send_sharded(
            &self.conn,
            &self.shards,
            msgs,
            |pipe, channel, msg| {
                pipe.cmd(command).arg(channel).arg(msg.to_json()).ignore();
            },
            |_| {},
            |_| Ok(()),
        )
        .await
    }
}

/// A publisher on `config.channel` (sharded channels on a cluster), over a reconnecting
/// connection.
pub async fn publisher(
    endpoint: impl Into<RedisEndpoint>,
    config: &PubSubConfig,
) -> redis::RedisResult<Publisher> {
    let endpoint = endpoint.into();
    let conn = redis_link::publisher_connection(&endpoint).await?;
    Ok(Publisher::with_transport(Transport::PubSub(
        PubSubPublisher {
            shards: Shards::new(
                &config.channel,
                endpoint.is_cluster(),
                config.cluster_shards,
            ),
            conn,
        },
    )))
}

/// A subscriber of `config.channel` (of every shard channel on a cluster). Spawns its
/// background task on the current tokio runtime (panics outside one, like
/// `tokio::spawn`); the task stops when the last clone of the subscriber is dropped. It
/// connects in the background: see [`Subscriber::wait_connected`].
pub fn subscriber(endpoint: impl Into<RedisEndpoint>, config: PubSubConfig) -> Subscriber {
    let endpoint = endpoint.into();
    let hub = Hub::new("redis-pubsub", config.buffer, config.dedup_capacity);
    let task = match endpoint.node_client() {
        Some(client) => tokio::spawn(run(
            client.clone(),
            config,
            ShardHealth::new(hub.clone(), 1),
        )),
        None => {
            let shards = Shards::new(&config.channel, true, config.cluster_shards);
            let health = ShardHealth::new(hub.clone(), shards.names().len());
            tokio::spawn(super::sharded_pubsub::run(endpoint, config, shards, health))
        }
    };
    Subscriber::new(hub, Some(TaskGuard(task)))
}

async fn run(client: redis::Client, config: PubSubConfig, health: ShardHealth) {
    redis_link::reconnect_forever(config.backoff_min, config.backoff_max, || {
        session(&client, &config, &health)
    })
    .await
}

/// One connection: subscribes, emits `Resync`, delivers until the connection dies.
async fn session(client: &redis::Client, config: &PubSubConfig, health: &ShardHealth) -> Connected {
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&config.channel).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok(pubsub)) => {
            health.up(0, format!("subscribed to `{}`", config.channel));
            let reason = pump(pubsub, config, health.hub()).await;
            health.down(0, reason);
            return Connected::Yes;
        }
        Ok(Err(e)) => {
            tracing::warn!(channel = %config.channel, error = %e, "cannot subscribe; retrying");
        }
        Err(_) => {
            tracing::warn!(channel = %config.channel, "subscribing timed out; retrying");
        }
    }
    Connected::No
}

/// Delivers messages until the connection dies; returns why.
async fn pump(pubsub: redis::aio::PubSub, config: &PubSubConfig, hub: &Hub) -> String {
    let (mut sink, mut stream) = pubsub.split();
    let (dead_tx, mut dead_rx) = tokio::sync::oneshot::channel::<String>();
    let (interval, timeout) = (config.ping_interval, config.ping_timeout);
    let _pinger = TaskGuard(tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let why = match tokio::time::timeout(timeout, sink.ping::<redis::Value>()).await {
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => format!("PING failed: {e}"),
                Err(_) => format!("no PING reply within {timeout:?} (half-open connection)"),
            };
            let _ = dead_tx.send(why);
            return;
        }
    }));
    loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(msg) => hub.deliver_raw(msg.get_payload_bytes()),
                None => return "connection closed".to_string(),
            },
            why = &mut dead_rx => {
                return why.unwrap_or_else(|_| "pinger stopped".to_string());
            }
        }
    }
}
