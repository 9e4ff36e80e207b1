//! Purges against a real varnishd with vmod-xkey: each test starts its own varnishd on a
//! free loopback port (the library's reference VCL) in front of its own axum backend, whose
//! responses `EdgeTagLayer` tags; objects are warmed, purged through a plan or the bridge,
//! and read back through Varnish (`X-Cache`) and at the backend (request counts).

mod common;
mod edge_support;

use std::time::Duration;

use cache_contract::CacheContract;
use cache_contract::edge::{
    BridgeConfig, ContractGuard, EdgeBridge, HttpClient, InvalidationPlan, Purger, RetryPolicy,
    SchemaChange, VarnishExecutor,
};
use cache_contract::invalidation::bus::InProcessBus;
use cache_contract::invalidation::{Invalidation, Target};
use common::{User, UserV2};
use edge_support::{Backend, Varnish, fetch, start_varnish, tenant};

fn client() -> HttpClient {
    HttpClient::new(Duration::from_secs(5))
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_millis(100),
    }
}

/// Fetches each path twice: the second must be a hit.
async fn warm(client: &HttpClient, base: &str, paths: &[&str]) {
    for path in paths {
        fetch(client, base, path).await;
        assert_eq!(fetch(client, base, path).await, "HIT", "{path} not cached");
    }
}

async fn purge(varnish: &Varnish, plan: &InvalidationPlan) {
    let purger = Purger::new(VarnishExecutor::new([varnish.url()]).unwrap());
    let (execution, report) = purger.execute(plan).await;
    assert!(execution.is_done(), "{:?}", execution.failures());
    assert_eq!(report.failed, 0);
}

fn keys_msg(t: &str, table: &str, ids: &[i64]) -> Invalidation {
    Invalidation::new(
        tenant(t),
        Target::Keys {
            table: table.into(),
            keys: ids.iter().map(|id| vec![id.to_string()]).collect(),
        },
    )
}

#[tokio::test]
async fn purging_one_row_misses_only_that_object() {
    let backend = Backend::start().await;
    let varnish = start_varnish(backend.port).await;
    let (c, base) = (client(), varnish.url());
    let paths = ["/users/a/1", "/users/a/2", "/users/b/1", "/orders/a/9"];
    warm(&c, &base, &paths).await;

    let plan = InvalidationPlan::build([&keys_msg("a", "users", &[2])], &[], &ContractGuard::new())
        .unwrap();
    purge(&varnish, &plan).await;

    let purger = Purger::new(VarnishExecutor::new([varnish.url()]).unwrap());
    let verified = purger.verify(&[format!("{base}/users/a/2")]).await;
    assert!(verified[0].miss, "{verified:?}");
    for path in ["/users/a/1", "/users/b/1", "/orders/a/9"] {
        assert_eq!(fetch(&c, &base, path).await, "HIT", "{path}");
    }
    assert_eq!(backend.hits("/users/a/2"), 2);
    assert_eq!(backend.hits("/users/a/1"), 1);
}

#[tokio::test]
async fn purging_a_tenants_table_spares_other_tenants_and_tables() {
    let backend = Backend::start().await;
    let varnish = start_varnish(backend.port).await;
    let (c, base) = (client(), varnish.url());
    warm(
        &c,
        &base,
        &["/users/a/1", "/users/a/2", "/users/b/1", "/orders/a/9"],
    )
    .await;

    let msg = Invalidation::new(
        tenant("a"),
        Target::Table {
            table: "users".into(),
        },
    );
    let plan = InvalidationPlan::build([&msg], &[], &ContractGuard::new()).unwrap();
    purge(&varnish, &plan).await;

    assert_eq!(fetch(&c, &base, "/users/a/1").await, "MISS");
    assert_eq!(fetch(&c, &base, "/users/a/2").await, "MISS");
    assert_eq!(fetch(&c, &base, "/users/b/1").await, "HIT");
    // The order page shows user 1 of `a` too (two contracts, merged tags): it goes as well.
    assert_eq!(fetch(&c, &base, "/orders/a/9").await, "MISS");
}

#[tokio::test]
async fn a_schema_change_misses_every_tenants_objects_of_that_table() {
    let backend = Backend::start().await;
    let varnish = start_varnish(backend.port).await;
    let (c, base) = (client(), varnish.url());
    warm(&c, &base, &["/users/a/1", "/users/b/7", "/users/c/3"]).await;
    let change = SchemaChange {
        table: User::TABLE.into(),
        previous: User::CONTRACT_HASH,
        deployed: UserV2::CONTRACT_HASH,
    };
    let guard = ContractGuard::new().contract::<UserV2>();
    let plan = InvalidationPlan::build([], std::slice::from_ref(&change), &guard).unwrap();
    purge(&varnish, &plan).await;
    for path in ["/users/a/1", "/users/b/7", "/users/c/3"] {
        assert_eq!(fetch(&c, &base, path).await, "MISS", "{path}");
    }

    // A change to a contract that is not the deployed one is refused before any purge.
    warm(&c, &base, &["/users/a/1"]).await;
    let stale_guard = ContractGuard::new().contract::<User>();
    let err = InvalidationPlan::build([], &[change], &stale_guard).unwrap_err();
    assert!(
        err.to_string().contains(&User::CONTRACT_HASH.to_hex()),
        "{err}"
    );
    assert!(
        err.to_string().contains(&UserV2::CONTRACT_HASH.to_hex()),
        "{err}"
    );
    assert_eq!(fetch(&c, &base, "/users/a/1").await, "HIT");
}

#[tokio::test]
async fn a_node_down_is_retried_reported_and_resumed() {
    let backend = Backend::start().await;
    let up = start_varnish(backend.port).await;
    let mut down = start_varnish(backend.port).await;
    let c = client();
    warm(&c, &up.url(), &["/users/a/1", "/users/a/2"]).await;
    down.stop();

    let plan = InvalidationPlan::build([&keys_msg("a", "users", &[1])], &[], &ContractGuard::new())
        .unwrap();
    let purger =
        Purger::new(VarnishExecutor::new([up.url(), down.url()]).unwrap()).retry(fast_retries());
    let mut execution = purger.start(&plan);
    let report = purger.run(&mut execution).await;
    assert!(!execution.is_done());
    assert_eq!(execution.pending(), 1);
    assert!(execution.acknowledged(0, 0));
    assert!(!execution.acknowledged(0, 1));
    assert_eq!(report.failed, 1);
    assert_eq!(report.retries, 2, "{report:?}");
    let failure = &execution.failures()[0];
    assert_eq!(failure.attempts, 3);
    assert!(
        failure.endpoint.contains(&down.port.to_string()),
        "{failure}"
    );
    assert!(failure.error.retryable);
    // The node that was up purged already.
    assert_eq!(fetch(&c, &up.url(), "/users/a/1").await, "MISS");

    down.restart().await.unwrap();
    warm(&c, &down.url(), &["/users/a/1", "/users/a/2"]).await;
    let report = purger.run(&mut execution).await;
    assert!(execution.is_done(), "{:?}", execution.failures());
    assert_eq!(report.requests, 1, "only the missing pair is sent again");
    assert_eq!(fetch(&c, &down.url(), "/users/a/1").await, "MISS");
    assert_eq!(fetch(&c, &down.url(), "/users/a/2").await, "HIT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_ten_thousand_invalidations_becomes_a_few_purges() {
    let backend = Backend::start().await;
    let varnish = start_varnish(backend.port).await;
    let (c, base) = (client(), varnish.url());
    // Warm a sample: 40 rows that will be purged, 40 that will not.
    let purged: Vec<String> = (0..40).map(|i| format!("/users/a/{}", i * 250)).collect();
    let kept: Vec<String> = (0..40).map(|i| format!("/users/b/{i}")).collect();
    let all: Vec<&str> = purged.iter().chain(&kept).map(String::as_str).collect();
    warm(&c, &base, &all).await;

    let bus = InProcessBus::new();
    let subscriber = bus.subscriber();
    let purger = Purger::new(VarnishExecutor::new([varnish.url()]).unwrap());
    let config = BridgeConfig {
        window: Duration::from_millis(300),
        ..BridgeConfig::default()
    };
    let bridge = EdgeBridge::spawn(
        &subscriber,
        purger,
        ContractGuard::new().contract::<User>(),
        config,
    );
    let publisher = bus.publisher();
    let messages: Vec<Invalidation> = (0..10_000i64)
        .map(|id| Invalidation::key::<User>(&tenant("a"), &id))
        .collect();
    for chunk in messages.chunks(1_000) {
        publisher.publish_batch(chunk.to_vec()).await.unwrap();
        tokio::task::yield_now().await;
    }
    bridge
        .wait_settled(10_000, Duration::from_secs(30))
        .await
        .unwrap();

    let stats = bridge.stats();
    assert_eq!(stats.received(), 10_000);
    assert_eq!(stats.refused(), 0);
    // 10 000 row tags of ~20 bytes fit in 8 000-byte xkey-purge headers: ~26 requests for
    // one window; a burst split over a few windows adds at most a request per window.
    assert!(
        stats.requests() <= 40,
        "{} purge requests",
        stats.requests()
    );
    assert!(stats.plans() <= 10, "{} plans", stats.plans());
    for path in &purged {
        assert_eq!(fetch(&c, &base, path).await, "MISS", "{path}");
    }
    for path in &kept {
        assert_eq!(fetch(&c, &base, path).await, "HIT", "{path}");
    }
}
