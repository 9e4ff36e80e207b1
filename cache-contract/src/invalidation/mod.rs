//! Invalidations: messages that evict cached rows, and the transports that carry them.
//!
//! - [`message`]: the [`Invalidation`] and its documented JSON wire format (see also
//!   `cache-contract/WIRE.md`);
//! - [`generation`]: how wide invalidations (a table, a tenant) work without scanning the
//!   keyspace;
//! - [`bus`]: the in-process transport (tokio broadcast), the embedded default;
//! - `pubsub`: Redis Pub/Sub, the fast at-most-once path (feature `redis`);
//! - `streams`: Redis Streams, the durable at-least-once path (feature `redis`);
//! - [`shards`]: on a Redis Cluster, which shard channel or stream carries a tenant.
//!
//! Every transport gives the same two handles: a [`Publisher`] that sends invalidations and
//! a [`Subscriber`] whose [`Subscription`]s yield [`Event`]s. A subscriber drops malformed
//! messages (counted) and repeated ids (bounded memory), and reports every moment
//! invalidations may have been lost as [`Event::Disconnected`] / [`Event::Resync`], on which
//! a [`TieredCache`](crate::tiered::TieredCache) flushes its local tier.
//!
//! # Redis Cluster
//!
//! Given a cluster `cache_contract::endpoint::RedisEndpoint` (feature `redis`), the same
//! [`Publisher`] and [`Subscriber`] use sharded Pub/Sub or one stream per shard (see
//! [`shards`], `pubsub` and `streams`), and the Redis tier's scripts run on the primary of
//! each tenant's hash slot ([`crate::key`]).

pub mod bus;
pub mod dedup;
pub mod generation;
pub mod message;
#[cfg(feature = "redis")]
pub mod pubsub;
#[cfg(feature = "redis")]
mod redis_link;
#[cfg(feature = "redis")]
mod sharded_pubsub;
pub mod shards;
#[cfg(feature = "redis")]
pub mod streams;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, broadcast, watch};

pub use dedup::RecentIds;
pub use message::{Invalidation, MessageError, Target};

use crate::metrics as m;

/// What a [`Subscription`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A valid, not yet seen invalidation.
    Invalidate(Arc<Invalidation>),
    /// The subscriber lost its connection: invalidations may be lost from now until the next
    /// [`Event::Resync`]. Caches stop serving their local tier.
    Disconnected {
        /// What happened.
        reason: String,
    },
    /// The subscriber is (again) receiving every invalidation, but some may have been lost
    /// before: caches flush their local tier, then serve it again.
    Resync {
        /// Why.
        reason: String,
    },
}

/// Counters of one subscriber, for tests and health checks (the same numbers go to the
/// `metrics` facade).
#[derive(Debug, Default)]
pub struct SubscriberStats {
    received: AtomicU64,
    malformed: AtomicU64,
    duplicates: AtomicU64,
    resyncs: AtomicU64,
    disconnects: AtomicU64,
}

impl SubscriberStats {
    /// Valid invalidations delivered.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
    /// Malformed messages skipped.
    pub fn malformed(&self) -> u64 {
        self.malformed.load(Ordering::Relaxed)
    }
    /// Repeated ids dropped.
    pub fn duplicates(&self) -> u64 {
        self.duplicates.load(Ordering::Relaxed)
    }
    /// `Resync` events emitted.
    pub fn resyncs(&self) -> u64 {
        self.resyncs.load(Ordering::Relaxed)
    }
    /// `Disconnected` events emitted.
    pub fn disconnects(&self) -> u64 {
        self.disconnects.load(Ordering::Relaxed)
    }
}

/// The fan-out point every transport delivers into: validates, drops repeats, counts, and
/// broadcasts to subscriptions.
pub(crate) struct Hub {
    tx: broadcast::Sender<Event>,
    seen: std::sync::Mutex<RecentIds>,
    stats: SubscriberStats,
    transport: &'static str,
    connected: watch::Sender<bool>,
}

impl Hub {
    pub(crate) fn new(transport: &'static str, capacity: usize, dedup: usize) -> Arc<Self> {
        let (tx, _) = broadcast::channel(capacity.max(16));
        Arc::new(Hub {
            tx,
            seen: std::sync::Mutex::new(RecentIds::new(dedup)),
            stats: SubscriberStats::default(),
            transport,
            connected: watch::Sender::new(false),
        })
    }

    /// Parses and delivers one raw wire message.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn deliver_raw(&self, bytes: &[u8]) {
        match Invalidation::from_json(bytes) {
            Ok(msg) => self.deliver(msg),
            Err(e) => self.malformed(&e),
        }
    }

    /// Counts and logs a message that is not a valid invalidation.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn malformed(&self, error: &dyn fmt::Display) {
        self.stats.malformed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(m::INVALIDATIONS_MALFORMED, "transport" => self.transport).increment(1);
        tracing::warn!(transport = self.transport, error = %error, "skipping malformed invalidation");
    }

    /// Delivers one parsed invalidation unless its id was seen recently.
    pub(crate) fn deliver(&self, msg: Invalidation) {
        let fresh = self
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(&msg.id);
        if !fresh {
            self.stats.duplicates.fetch_add(1, Ordering::Relaxed);
            metrics::counter!(m::INVALIDATIONS_DUPLICATE, "transport" => self.transport)
                .increment(1);
            return;
        }
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(m::INVALIDATIONS_RECEIVED, "transport" => self.transport).increment(1);
        // No receivers is fine: nothing to invalidate.
        let _ = self.tx.send(Event::Invalidate(Arc::new(msg)));
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn disconnected(&self, reason: String) {
        if !*self.connected.borrow() {
            return;
        }
        self.connected.send_replace(false);
        self.stats.disconnects.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(transport = self.transport, %reason, "invalidation subscriber disconnected");
        let _ = self.tx.send(Event::Disconnected { reason });
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn resync(&self, reason: String) {
        self.connected.send_replace(true);
        self.stats.resyncs.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(m::RESYNCS, "transport" => self.transport).increment(1);
        tracing::info!(transport = self.transport, %reason, "invalidation subscriber resync");
        let _ = self.tx.send(Event::Resync { reason });
    }

    /// Marks the hub connected without a resync (the in-process bus never loses messages).
    pub(crate) fn set_connected(&self) {
        self.connected.send_replace(true);
    }
}

/// A stream of [`Event`]s from a [`Subscriber`].
pub struct Subscription {
    rx: broadcast::Receiver<Event>,
}

impl Subscription {
    /// The next event; `None` once the subscriber is gone. A subscription that fell behind
    /// the subscriber's buffer yields [`Event::Resync`] (it missed invalidations).
    pub async fn recv(&mut self) -> Option<Event> {
        match self.rx.recv().await {
            Ok(e) => Some(e),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Event::Resync {
                reason: format!("subscription fell behind by {n} events"),
            }),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Runs a Redis operation, once more if the connection had dropped (a reconnecting
/// connection fails the first command after an outage). Operations retried this way must be
/// harmless to repeat: publishes (receivers drop repeated ids), generation bumps and
/// lease-checked stores.
#[cfg(feature = "redis")]
pub(crate) async fn retry_once<T, F, Fut>(mut op: F) -> redis::RedisResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = redis::RedisResult<T>>,
{
    match op().await {
        Err(e) if e.is_connection_dropped() || e.is_io_error() => {
            tracing::debug!(error = %e, "retrying a Redis command once after a dropped connection");
            op().await
        }
        other => other,
    }
}

/// Aborts a background task when dropped.
pub(crate) struct TaskGuard(pub(crate) tokio::task::JoinHandle<()>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The receiving end of a transport. Cheap to clone; the background task (if any) stops
/// when the last clone is dropped.
#[derive(Clone)]
pub struct Subscriber {
    hub: Arc<Hub>,
    _task: Option<Arc<TaskGuard>>,
}

impl fmt::Debug for Subscriber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriber")
            .field("transport", &self.hub.transport)
            .finish_non_exhaustive()
    }
}

impl Subscriber {
    pub(crate) fn new(hub: Arc<Hub>, task: Option<TaskGuard>) -> Self {
        Subscriber {
            hub,
            _task: task.map(Arc::new),
        }
    }

    /// A new subscription, receiving every event from now on.
    pub fn subscribe(&self) -> Subscription {
        Subscription {
            rx: self.hub.tx.subscribe(),
        }
    }

    /// The subscriber's counters.
    pub fn stats(&self) -> &SubscriberStats {
        &self.hub.stats
    }

    /// The transport's name (`in-process`, `redis-pubsub`, `redis-streams`).
    pub fn transport(&self) -> &'static str {
        self.hub.transport
    }

    /// Whether the subscriber currently receives every invalidation.
    pub fn is_connected(&self) -> bool {
        *self.hub.connected.borrow()
    }

    /// Waits until the subscriber is connected (subscribed), at most `timeout`.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<(), TimeoutError> {
        let mut rx = self.hub.connected.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|c| *c))
            .await
            .map(|_| ())
            .map_err(|_| TimeoutError {
                what: "the invalidation subscriber to connect",
                after: timeout,
            })
    }
}

/// Waits until the counter watched by `rx` reaches `count`, at most `timeout`; `what` names
/// the wait in the error.
pub(crate) async fn wait_count(
    mut rx: watch::Receiver<u64>,
    count: u64,
    timeout: Duration,
    what: &'static str,
) -> Result<(), TimeoutError> {
    tokio::time::timeout(timeout, rx.wait_for(|n| *n >= count))
        .await
        .ok()
        .and_then(|r| r.ok())
        .map(|_| ())
        .ok_or(TimeoutError::new(what, timeout))
}

/// A wait that did not finish in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    what: &'static str,
    after: Duration,
}

impl TimeoutError {
    pub(crate) fn new(what: &'static str, after: Duration) -> Self {
        TimeoutError { what, after }
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}",
            self.after, self.what
        )
    }
}

impl std::error::Error for TimeoutError {}

/// Why a publish failed. The invalidation may not have reached every subscriber.
#[derive(Debug)]
pub enum PublishError {
    /// The message is invalid (see [`message`]).
    Invalid(MessageError),
    /// Redis refused or the connection failed.
    #[cfg(feature = "redis")]
    Redis(redis::RedisError),
    /// Redis stored the messages but fewer replicas than required acknowledged them in
    /// time (see [`StreamsConfig::replica_acks`](streams::StreamsConfig::replica_acks)): a
    /// failover now could lose them.
    NotReplicated {
        /// Replicas that acknowledged.
        acked: u64,
        /// Replicas required.
        wanted: u64,
    },
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Invalid(e) => write!(f, "cannot publish: {e}"),
            #[cfg(feature = "redis")]
            PublishError::Redis(e) => write!(f, "cannot publish invalidations to Redis: {e}"),
            PublishError::NotReplicated { acked, wanted } => write!(
                f,
                "invalidations were written, but only {acked} of {wanted} replicas acknowledged them in time: a failover could lose them"
            ),
        }
    }
}

impl std::error::Error for PublishError {}

#[derive(Clone)]
enum Transport {
    InProcess(Arc<Hub>),
    #[cfg(feature = "redis")]
    PubSub(pubsub::PubSubPublisher),
    #[cfg(feature = "redis")]
    Streams(streams::StreamsPublisher),
}

/// The sending end of a transport. Cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    transport: Transport,
    source: Arc<str>,
    // Serializes publishes of one publisher so its messages keep their order.
    order: Arc<Mutex<()>>,
}

impl fmt::Debug for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher")
            .field("transport", &self.transport_name())
            .field("source", &self.source)
            .finish()
    }
}

impl Publisher {
    fn with_transport(transport: Transport) -> Self {
        Publisher {
            transport,
            source: Arc::from(message::default_source()),
            order: Arc::new(Mutex::new(())),
        }
    }

    /// Stamps `source` on every message this publisher sends (default:
    /// `rust/<process id hash>`).
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Arc::from(source.into());
        self
    }

    /// The transport's name.
    pub fn transport_name(&self) -> &'static str {
        match &self.transport {
            Transport::InProcess(_) => "in-process",
            #[cfg(feature = "redis")]
            Transport::PubSub(_) => "redis-pubsub",
            #[cfg(feature = "redis")]
            Transport::Streams(_) => "redis-streams",
        }
    }

    /// Publishes one invalidation.
    pub async fn publish(&self, msg: Invalidation) -> Result<(), PublishError> {
        self.publish_batch(vec![msg]).await
    }

    /// Publishes invalidations in order, in one round trip where the transport allows
    /// (a pipeline for Redis).
    pub async fn publish_batch(&self, mut msgs: Vec<Invalidation>) -> Result<(), PublishError> {
        if msgs.is_empty() {
            return Ok(());
        }
        for msg in &mut msgs {
            msg.source = self.source.to_string();
        }
        let transport = self.transport_name();
        let span = tracing::debug_span!("cache_contract.publish", transport, count = msgs.len());
        let _enter = span.enter();
        let started = Instant::now();
        let n = msgs.len() as u64;
        let result = {
            let _order = self.order.lock().await;
            match &self.transport {
                Transport::InProcess(hub) => {
                    for msg in &msgs {
                        Invalidation::from_json(msg.to_json().as_bytes())
                            .map_err(PublishError::Invalid)?;
                    }
                    for msg in msgs {
                        hub.deliver(msg);
                    }
                    Ok(())
                }
                #[cfg(feature = "redis")]
                Transport::PubSub(p) => p.publish(&msgs).await,
                #[cfg(feature = "redis")]
                Transport::Streams(p) => p.publish(&msgs).await,
            }
        };
        metrics::histogram!(m::PUBLISH_SECONDS, "transport" => transport)
            .record(started.elapsed().as_secs_f64());
        match &result {
            Ok(()) => {
                metrics::counter!(m::INVALIDATIONS_SENT, "transport" => transport).increment(n)
            }
            Err(e) => {
                metrics::counter!(m::PUBLISH_ERRORS, "transport" => transport).increment(1);
                tracing::warn!(transport, error = %e, "publishing invalidations failed");
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::TenantId;

    #[tokio::test]
    async fn a_lagging_subscription_is_told_to_resync() {
        let hub = Hub::new("test", 16, 1024);
        let subscriber = Subscriber::new(hub.clone(), None);
        let mut sub = subscriber.subscribe();
        for _ in 0..40 {
            hub.deliver(Invalidation::tenant(&TenantId::new("t")));
        }
        match sub.recv().await {
            Some(Event::Resync { reason }) => assert!(reason.contains("fell behind"), "{reason}"),
            other => panic!("expected a resync, got {other:?}"),
        }
        // Then it continues with the newest events.
        assert!(matches!(sub.recv().await, Some(Event::Invalidate(_))));
    }

    #[test]
    fn garbage_is_counted_not_delivered() {
        let hub = Hub::new("test", 16, 1024);
        let subscriber = Subscriber::new(hub.clone(), None);
        let mut sub = subscriber.subscribe();
        hub.deliver_raw(b"\xff\x00 garbage");
        hub.deliver_raw(br#"{"v":1,"id":"x"}"#);
        assert_eq!(subscriber.stats().malformed(), 2);
        assert_eq!(subscriber.stats().received(), 0);
        assert!(sub.rx.try_recv().is_err());
    }
}
