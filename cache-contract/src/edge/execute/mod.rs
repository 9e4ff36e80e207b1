//! Purge executors: one trait per edge, and the [`Purger`] that runs a plan through one with
//! retries, in parallel, resumably.

mod api;
mod cloudflare;
mod fastly;
mod http;
mod retry;
mod varnish;

pub use api::{ApiExecutor, Flavor};
pub use cloudflare::{Cloudflare, CloudflareExecutor};
pub use fastly::{Fastly, FastlyExecutor};
pub use http::{Body, HttpClient, Reply};
pub use retry::RetryPolicy;
pub use varnish::{VarnishExecutor, vcl};

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tracing::Instrument;

use super::cdn::Cdn;
use super::plan::{Batch, InvalidationPlan};
use crate::metrics as m;

/// Why one attempt to send a batch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptError {
    /// Whether a retry may succeed (transport failures, timeouts, 5xx, 429).
    pub retryable: bool,
    /// The server's `Retry-After`, if any.
    pub retry_after: Option<Duration>,
    /// The HTTP status, if the server answered.
    pub status: Option<u16>,
    /// What happened (never a credential).
    pub message: String,
}

impl AttemptError {
    /// A retryable failure without a response (connection refused, reset, timeout).
    pub fn transport(message: String) -> Self {
        AttemptError {
            retryable: true,
            retry_after: None,
            status: None,
            message,
        }
    }

    /// A response that is not an acknowledgement and will not become one by retrying.
    pub fn refused(message: String) -> Self {
        AttemptError {
            retryable: false,
            retry_after: None,
            status: None,
            message,
        }
    }
}

impl fmt::Display for AttemptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AttemptError {}

/// Sends purge batches to one kind of edge.
pub trait PurgeExecutor: Send + Sync + 'static {
    /// The CDN whose limits cut the plan into batches.
    fn cdn(&self) -> Cdn;

    /// The endpoints that must each acknowledge every batch (Varnish: every node; an API:
    /// one), by a printable name without credentials.
    fn endpoints(&self) -> &[String];

    /// Sends `batch` to endpoint number `endpoint`, once.
    fn send(
        &self,
        endpoint: usize,
        batch: &Batch,
    ) -> impl Future<Output = Result<(), AttemptError>> + Send;

    /// The client the executor sends with (and [`Purger::verify`] requests with).
    fn client(&self) -> &HttpClient;
}

/// One (batch, endpoint) pair given up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFailure {
    /// The batch's index.
    pub batch: usize,
    /// The endpoint's name.
    pub endpoint: String,
    /// Attempts made.
    pub attempts: u32,
    /// The last attempt's error.
    pub error: AttemptError,
}

impl fmt::Display for BatchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "batch {} to {} failed after {} attempt(s): {}",
            self.batch, self.endpoint, self.attempts, self.error
        )
    }
}

/// A plan being executed: its batches, and which endpoint acknowledged which batch.
#[derive(Debug, Clone)]
pub struct Execution {
    plan_hash: String,
    endpoints: Vec<String>,
    batches: Vec<Batch>,
    /// `acked[batch][endpoint]`.
    acked: Vec<Vec<bool>>,
    failures: Vec<BatchFailure>,
}

impl Execution {
    /// The executed plan's hash.
    pub fn plan_hash(&self) -> &str {
        &self.plan_hash
    }

    /// The batches.
    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// `true` once every endpoint acknowledged every batch.
    pub fn is_done(&self) -> bool {
        self.acked.iter().all(|row| row.iter().all(|&a| a))
    }

    /// How many (batch, endpoint) pairs are still unacknowledged.
    pub fn pending(&self) -> usize {
        self.acked.iter().flatten().filter(|&&a| !a).count()
    }

    /// Whether `endpoint` acknowledged batch `batch`.
    pub fn acknowledged(&self, batch: usize, endpoint: usize) -> bool {
        self.acked[batch][endpoint]
    }

    /// The pairs given up on in the last run (empty when done).
    pub fn failures(&self) -> &[BatchFailure] {
        &self.failures
    }
}

/// What one [`Purger::run`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Retries among them.
    pub retries: u64,
    /// Pairs acknowledged in this run.
    pub acknowledged: usize,
    /// Pairs given up on in this run.
    pub failed: usize,
}

/// What [`Purger::verify`] found for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The URL requested.
    pub url: String,
    /// Whether the edge reported a miss.
    pub miss: bool,
    /// The cache status header's value (or why there is none).
    pub status: String,
}

/// How sending one batch to one endpoint ended.
struct Attempts {
    batch: usize,
    endpoint: usize,
    /// Requests sent (the first and the retries).
    attempts: u32,
    /// The last error, unless acknowledged.
    error: Option<AttemptError>,
}

/// Runs plans through an executor, with retries, in parallel, resumably. Cheap to clone.
///
/// - An executor ([`VarnishExecutor`], [`FastlyExecutor`], [`CloudflareExecutor`]) sends one
///   batch of tags to one of its endpoints, once: a Varnish node, or a CDN's purge API.
/// - The [`Purger`] cuts a plan into the executor's CDN's batches and sends every batch to
///   every endpoint, concurrently; a 5xx, a 429 or a transport failure is retried with
///   backoff and jitter (honouring `Retry-After`) up to [`RetryPolicy::max_attempts`];
///   purging a tag twice is harmless, so retries are idempotent.
/// - An [`Execution`] records which (batch, endpoint) pairs were acknowledged. It is done
///   only when every endpoint acknowledged every batch; after a partial failure, running it
///   again sends only what is still missing.
pub struct Purger<E> {
    executor: Arc<E>,
    retry: RetryPolicy,
    concurrency: usize,
}

impl<E> Clone for Purger<E> {
    fn clone(&self) -> Self {
        Purger {
            executor: self.executor.clone(),
            retry: self.retry,
            concurrency: self.concurrency,
        }
    }
}

impl<E> fmt::Debug for Purger<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Purger")
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl<E: PurgeExecutor> Purger<E> {
    /// A purger with the default [`RetryPolicy`] and 8 requests in flight.
    pub fn new(executor: E) -> Self {
        Purger {
            executor: Arc::new(executor),
            retry: RetryPolicy::default(),
            concurrency: 8,
        }
    }

    /// Replaces the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many requests may be in flight at once, over all endpoints (at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// The executor.
    pub fn executor(&self) -> &E {
        &self.executor
    }

    /// An execution of `plan`, nothing sent yet.
    pub fn start(&self, plan: &InvalidationPlan) -> Execution {
        let batches = plan.batches(self.executor.cdn());
        let endpoints = self.executor.endpoints().to_vec();
        Execution {
            plan_hash: plan.hash().to_string(),
            acked: vec![vec![false; endpoints.len()]; batches.len()],
            endpoints,
            batches,
            failures: Vec::new(),
        }
    }

    /// Starts and runs `plan` once; check [`Execution::is_done`], and [`run`](Self::run) it
    /// again to resume after a failure.
    pub async fn execute(&self, plan: &InvalidationPlan) -> (Execution, RunReport) {
        let mut execution = self.start(plan);
        let report = self.run(&mut execution).await;
        (execution, report)
    }

    /// Sends every unacknowledged batch to every endpoint that has not acknowledged it,
    /// retrying as the policy allows.
    pub async fn run(&self, execution: &mut Execution) -> RunReport {
        let cdn = self.executor.cdn();
        let span = tracing::info_span!(
            "cache_contract.edge.purge",
            cdn = cdn.name(),
            plan = %&execution.plan_hash[..16.min(execution.plan_hash.len())],
            batches = execution.batches.len(),
            pending = execution.pending(),
        );
        let pairs: Vec<(usize, usize)> = execution
            .acked
            .iter()
            .enumerate()
            .flat_map(|(b, row)| {
                row.iter()
                    .enumerate()
                    .filter(|(_, a)| !**a)
                    .map(move |(e, _)| (b, e))
            })
            .collect();
        let batches = &execution.batches;
        let outcomes: Vec<Attempts> = futures_util::stream::iter(pairs)
            .map(|(b, e)| self.send_with_retries(&batches[b], e))
            .buffer_unordered(self.concurrency)
            .collect()
            .instrument(span.clone())
            .await;
        let mut report = RunReport::default();
        execution.failures.clear();
        for outcome in outcomes {
            let (b, e) = (outcome.batch, outcome.endpoint);
            report.requests += u64::from(outcome.attempts);
            report.retries += u64::from(outcome.attempts.saturating_sub(1));
            match outcome.error {
                None => {
                    execution.acked[b][e] = true;
                    report.acknowledged += 1;
                }
                Some(error) => {
                    report.failed += 1;
                    metrics::counter!(m::EDGE_PURGE_FAILURES, "cdn" => cdn.name()).increment(1);
                    let failure = BatchFailure {
                        batch: b,
                        endpoint: execution.endpoints[e].clone(),
                        attempts: outcome.attempts,
                        error,
                    };
                    tracing::warn!(parent: &span, %failure, "purge batch not acknowledged");
                    execution.failures.push(failure);
                }
            }
        }
        execution
            .failures
            .sort_by(|a, b| (a.batch, &a.endpoint).cmp(&(b.batch, &b.endpoint)));
        report
    }

    /// Sends one batch to one endpoint until acknowledged, refused, or out of attempts.
    async fn send_with_retries(&self, batch: &Batch, endpoint: usize) -> Attempts {
        let cdn = self.executor.cdn().name();
        let mut attempt = 0u32;
        let done = |attempts, error| Attempts {
            batch: batch.index,
            endpoint,
            attempts,
            error,
        };
        loop {
            attempt += 1;
            let started = Instant::now();
            let result = self.executor.send(endpoint, batch).await;
            metrics::histogram!(m::EDGE_PURGE_SECONDS, "cdn" => cdn)
                .record(started.elapsed().as_secs_f64());
            match result {
                Ok(()) => {
                    metrics::counter!(m::EDGE_PURGE_REQUESTS, "cdn" => cdn, "outcome" => "ok")
                        .increment(1);
                    metrics::counter!(m::EDGE_PURGED_TAGS, "cdn" => cdn)
                        .increment(batch.tags.len() as u64);
                    return done(attempt, None);
                }
                Err(error) => {
                    metrics::counter!(m::EDGE_PURGE_REQUESTS, "cdn" => cdn, "outcome" => "error")
                        .increment(1);
                    if !error.retryable || attempt >= self.retry.max_attempts.max(1) {
                        return done(attempt, Some(error));
                    }
                    metrics::counter!(m::EDGE_PURGE_RETRIES, "cdn" => cdn).increment(1);
                    let delay = self.retry.delay(attempt, error.retry_after);
                    tracing::debug!(%error, attempt, ?delay, "retrying a purge batch");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Requests each of `urls` through the edge and reports whether it was a miss (read from
    /// the CDN's [cache status header](super::CdnLimits::cache_status_header)). Run it right
    /// after a purge, on URLs whose objects carried a purged tag.
    pub async fn verify(&self, urls: &[String]) -> Vec<Verified> {
        let header = self.executor.cdn().limits().cache_status_header;
        let client = self.executor.client();
        let checks = urls.iter().map(|url| async move {
            let request = ::http::Request::get(url.as_str()).body(Body::default());
            let (miss, status) = match request {
                Err(e) => (false, format!("not a valid URL: {e}")),
                Ok(request) => match client.send(request).await {
                    Err(e) => (false, e.message),
                    Ok(reply) => match reply.headers.get(header).and_then(|v| v.to_str().ok()) {
                        Some(v) => (v.to_ascii_uppercase().contains("MISS"), v.to_string()),
                        None => (false, format!("no `{header}` header ({})", reply.status)),
                    },
                },
            };
            Verified {
                url: http::redact(url),
                miss,
                status,
            }
        });
        futures_util::future::join_all(checks).await
    }
}
