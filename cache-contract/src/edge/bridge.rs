//! [`EdgeBridge`]: carries every invalidation a [`Subscriber`] receives (in-process bus,
//! Redis Pub/Sub or Streams) to the edge, coalescing over a short window so that a burst of
//! row invalidations becomes a few purge requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tracing::Instrument;

use super::execute::{Execution, PurgeExecutor, Purger};
use super::plan::{ContractGuard, InvalidationPlan};
use crate::invalidation::{Event, Invalidation, Subscriber, TaskGuard, TimeoutError};
use crate::metrics as m;

/// How the bridge coalesces and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeConfig {
    /// How long after the first message of a burst the bridge keeps collecting (default
    /// 100 ms).
    pub window: Duration,
    /// The most messages one plan takes (default 100 000); more wait for the next window.
    pub max_messages: usize,
    /// How often unacknowledged plans are resumed (default 1 s).
    pub retry_interval: Duration,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            window: Duration::from_millis(100),
            max_messages: 100_000,
            retry_interval: Duration::from_secs(1),
        }
    }
}

/// The bridge's counters (the same numbers go to the `metrics` facade).
#[derive(Debug, Default)]
pub struct BridgeStats {
    received: AtomicU64,
    refused: AtomicU64,
    plans: AtomicU64,
    requests: AtomicU64,
    unfinished: AtomicU64,
}

impl BridgeStats {
    /// Invalidations received.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
    /// Invalidations the contract guard refused.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
    /// Plans built (one per window).
    pub fn plans(&self) -> u64 {
        self.plans.load(Ordering::Relaxed)
    }
    /// Purge requests sent, retries included.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
    /// Plans not yet acknowledged everywhere.
    pub fn unfinished(&self) -> u64 {
        self.unfinished.load(Ordering::Relaxed)
    }
}

/// The running bridge. Dropping it stops it.
///
/// A reader task drains the subscription into an unbounded queue (so a slow purge never
/// makes the subscription lag); a worker takes everything that arrived within
/// [`BridgeConfig::window`] of the first message, drops messages the [`ContractGuard`]
/// refuses (logged, counted), builds one [`InvalidationPlan`] and runs it. A plan not
/// acknowledged by every endpoint is kept and resumed every
/// [`BridgeConfig::retry_interval`] until it is. Spans: `cache_contract.edge.bridge` around
/// each window's plan, `cache_contract.edge.purge` around each run.
pub struct EdgeBridge {
    stats: Arc<BridgeStats>,
    settled: watch::Receiver<u64>,
    _reader: TaskGuard,
    _worker: TaskGuard,
}

impl std::fmt::Debug for EdgeBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeBridge")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl EdgeBridge {
    /// Starts carrying `subscriber`'s invalidations to `purger`'s edge. Must run inside a
    /// tokio runtime.
    pub fn spawn<E: PurgeExecutor>(
        subscriber: &Subscriber,
        purger: Purger<E>,
        guard: ContractGuard,
        config: BridgeConfig,
    ) -> Self {
        let stats = Arc::new(BridgeStats::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let mut subscription = subscriber.subscribe();
        let transport = subscriber.transport();
        let reader = tokio::spawn(async move {
            while let Some(event) = subscription.recv().await {
                match event {
                    Event::Invalidate(msg) => {
                        if tx.send(msg).is_err() {
                            break;
                        }
                    }
                    Event::Disconnected { reason } | Event::Resync { reason } => {
                        // Invalidations may have been lost: the edge keeps what it missed
                        // until its TTL. Counted so that alerting can see it.
                        metrics::counter!(m::EDGE_BRIDGE_GAPS, "transport" => transport)
                            .increment(1);
                        tracing::warn!(transport, %reason, "edge bridge: invalidations may have been lost; edge objects live until their TTL");
                    }
                }
            }
        });
        let (settled_tx, settled) = watch::channel(0u64);
        let worker = Worker {
            purger,
            guard,
            config,
            stats: stats.clone(),
            settled: settled_tx,
            unfinished: Vec::new(),
        };
        let worker = tokio::spawn(worker.run(rx));
        EdgeBridge {
            stats,
            settled,
            _reader: TaskGuard(reader),
            _worker: TaskGuard(worker),
        }
    }

    /// The bridge's counters.
    pub fn stats(&self) -> &BridgeStats {
        &self.stats
    }

    /// How many received invalidations are settled: purged everywhere, or refused.
    pub fn settled(&self) -> u64 {
        *self.settled.borrow()
    }

    /// Waits until at least `count` received invalidations are settled, at most `timeout`.
    pub async fn wait_settled(&self, count: u64, timeout: Duration) -> Result<(), TimeoutError> {
        crate::invalidation::wait_count(
            self.settled.clone(),
            count,
            timeout,
            "the edge bridge to purge invalidations",
        )
        .await
    }
}

struct Worker<E> {
    purger: Purger<E>,
    guard: ContractGuard,
    config: BridgeConfig,
    stats: Arc<BridgeStats>,
    settled: watch::Sender<u64>,
    /// Plans not acknowledged everywhere yet, with how many messages each settles.
    unfinished: Vec<(Execution, u64)>,
}

impl<E: PurgeExecutor> Worker<E> {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Arc<Invalidation>>) {
        loop {
            let first = if self.unfinished.is_empty() {
                rx.recv().await
            } else {
                match tokio::time::timeout(self.config.retry_interval, rx.recv()).await {
                    Ok(msg) => msg,
                    Err(_) => {
                        self.resume().await;
                        continue;
                    }
                }
            };
            let Some(first) = first else { return };
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + self.config.window;
            while batch.len() < self.config.max_messages {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(msg)) => batch.push(msg),
                    Ok(None) | Err(_) => break,
                }
            }
            self.purge(batch).await;
            if !self.unfinished.is_empty() {
                self.resume().await;
            }
        }
    }

    fn settle(&self, n: u64) {
        self.settled.send_modify(|s| *s += n);
    }

    async fn purge(&mut self, batch: Vec<Arc<Invalidation>>) {
        let n = batch.len() as u64;
        self.stats.received.fetch_add(n, Ordering::Relaxed);
        metrics::counter!(m::EDGE_BRIDGED).increment(n);
        let span = tracing::info_span!("cache_contract.edge.bridge", messages = n);
        let accepted: Vec<&Invalidation> = batch
            .iter()
            .map(|m| m.as_ref())
            .filter(|msg| match self.guard.check(msg) {
                Ok(()) => true,
                Err(e) => {
                    self.stats.refused.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!(m::EDGE_REFUSED).increment(1);
                    tracing::error!(parent: &span, error = %e, "edge bridge: invalidation refused");
                    false
                }
            })
            .collect();
        let plan = match InvalidationPlan::build(accepted, &[], &self.guard) {
            Ok(plan) => plan,
            Err(e) => {
                // Every message passed the guard above: unreachable, but never fatal.
                tracing::error!(parent: &span, error = %e, "edge bridge: plan refused");
                self.settle(n);
                return;
            }
        };
        self.stats.plans.fetch_add(1, Ordering::Relaxed);
        let mut execution = self.purger.start(&plan);
        let report = self.purger.run(&mut execution).instrument(span).await;
        self.stats
            .requests
            .fetch_add(report.requests, Ordering::Relaxed);
        if execution.is_done() {
            self.settle(n);
        } else {
            self.stats.unfinished.fetch_add(1, Ordering::Relaxed);
            self.unfinished.push((execution, n));
        }
    }

    async fn resume(&mut self) {
        let mut still = Vec::new();
        for (mut execution, n) in std::mem::take(&mut self.unfinished) {
            let report = self.purger.run(&mut execution).await;
            self.stats
                .requests
                .fetch_add(report.requests, Ordering::Relaxed);
            if execution.is_done() {
                self.stats.unfinished.fetch_sub(1, Ordering::Relaxed);
                self.settle(n);
            } else {
                still.push((execution, n));
            }
        }
        self.unfinished = still;
    }
}
