//! The edge's metrics and tracing spans: a purge run against two scripted endpoints (one
//! answers 503 then 200, one refuses with 403) and a bridge window with a refused message
//! move the purge counters (requests by outcome, tags, retries, failures), the latency
//! histogram, the bridge counters (bridged, refused) and both spans. The debugging recorder
//! and the span collector are installed globally, so this binary holds a single test.

mod common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use cache_contract::edge::{
    BridgeConfig, ContractGuard, EdgeBridge, InvalidationPlan, Purger, RetryPolicy, VarnishExecutor,
};
use cache_contract::invalidation::Invalidation;
use cache_contract::invalidation::bus::InProcessBus;
use cache_contract::metrics as m;
use cache_contract::{CacheContract, TenantId};
use common::metrics::take;
use common::{User, UserV2};
use metrics_util::debugging::DebuggingRecorder;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata};

/// Records the name of every span opened and the level of every event.
#[derive(Default)]
struct Collector {
    spans: Mutex<Vec<&'static str>>,
    events: Mutex<Vec<Level>>,
    next: AtomicU64,
}

impl tracing::Subscriber for &'static Collector {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.spans.lock().unwrap().push(span.metadata().name());
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.events.lock().unwrap().push(*event.metadata().level());
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

impl Collector {
    fn take_spans(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.spans.lock().unwrap())
    }
    fn take_events(&self) -> Vec<Level> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }
}

/// A purge endpoint answering the scripted statuses in turn, then 200.
async fn endpoint(script: Vec<StatusCode>) -> String {
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let app = axum::Router::new()
        .fallback(
            |State(script): State<Arc<Mutex<VecDeque<StatusCode>>>>| async move {
                let status = script.lock().unwrap().pop_front().unwrap_or(StatusCode::OK);
                (status, [("retry-after", "0")], "")
            },
        )
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(1),
        ..RetryPolicy::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_and_bridge_windows_are_counted_timed_and_traced() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("no other recorder in this test binary");
    let collector: &'static Collector = Box::leak(Box::default());
    tracing::subscriber::set_global_default(collector).expect("no other subscriber");

    // One batch of three row tags to two nodes: the first answers 503 then 200 (one retry),
    // the second refuses with 403 (not retried: a failure).
    let flaky = endpoint(vec![StatusCode::SERVICE_UNAVAILABLE]).await;
    let refusing = endpoint(vec![StatusCode::FORBIDDEN]).await;
    let purger =
        Purger::new(VarnishExecutor::new([&flaky, &refusing]).unwrap()).retry(fast_retries());
    let acme = TenantId::new("acme");
    let msg = Invalidation::keys::<User>(&acme, &[1, 2, 3]);
    let plan = InvalidationPlan::build([&msg], &[], &ContractGuard::new()).unwrap();
    take(&snapshotter);
    collector.take_spans();
    collector.take_events();
    let (execution, report) = purger.execute(&plan).await;
    assert!(!execution.is_done());
    assert_eq!((report.requests, report.retries, report.failed), (3, 1, 1));
    let seen = take(&snapshotter);
    let varnish = ("cdn", "varnish");
    assert_eq!(
        seen.counter(m::EDGE_PURGE_REQUESTS, &[varnish, ("outcome", "ok")]),
        1
    );
    assert_eq!(
        seen.counter(m::EDGE_PURGE_REQUESTS, &[varnish, ("outcome", "error")]),
        2
    );
    assert_eq!(seen.counter(m::EDGE_PURGE_RETRIES, &[varnish]), 1);
    assert_eq!(seen.counter(m::EDGE_PURGE_FAILURES, &[varnish]), 1);
    assert_eq!(seen.counter(m::EDGE_PURGED_TAGS, &[varnish]), 3);
    assert_eq!(seen.histogram_samples(m::EDGE_PURGE_SECONDS), 3);
    assert_eq!(collector.take_spans(), ["cache_contract.edge.purge"]);
    assert!(
        collector.take_events().contains(&Level::WARN),
        "the failed batch is logged as a warning"
    );

    // A bridge window of two messages, one from a release with another contract: one
    // bridged plan, one refusal (logged as an error), one purge run inside the window's span.
    let bus = InProcessBus::new();
    let subscriber = bus.subscriber();
    let purger = Purger::new(VarnishExecutor::new([&flaky]).unwrap()).retry(fast_retries());
    let bridge = EdgeBridge::spawn(
        &subscriber,
        purger,
        ContractGuard::new().contract::<UserV2>(),
        BridgeConfig {
            window: Duration::from_millis(200),
            ..BridgeConfig::default()
        },
    );
    let stale = Invalidation::key::<User>(&acme, &1);
    let current = Invalidation::key::<UserV2>(&acme, &2);
    assert_ne!(User::CONTRACT_HASH, UserV2::CONTRACT_HASH);
    bus.publisher()
        .publish_batch(vec![stale, current])
        .await
        .unwrap();
    bridge
        .wait_settled(2, Duration::from_secs(10))
        .await
        .unwrap();
    let seen = take(&snapshotter);
    assert_eq!(seen.counter(m::EDGE_BRIDGED, &[]), 2);
    assert_eq!(seen.counter(m::EDGE_REFUSED, &[]), 1);
    assert_eq!(seen.counter(m::EDGE_PURGED_TAGS, &[varnish]), 1);
    let spans = collector.take_spans();
    assert!(
        spans.contains(&"cache_contract.edge.bridge")
            && spans.contains(&"cache_contract.edge.purge"),
        "{spans:?}"
    );
    assert!(collector.take_events().contains(&Level::ERROR));
}
