//! The embedded mode: a local tier and the in-process bus, no Redis.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cache_contract::TenantId;
use cache_contract::invalidation::bus::InProcessBus;
use cache_contract::invalidation::{Event, Invalidation, Target};
use cache_contract::tiered::{LoadError, TieredCache};
use common::{
    AWKWARD_TENANTS, KINDS, Order, User, WAIT, held_load, invalidate, load, next_invalidation, user,
};

fn cache(bus: &InProcessBus) -> TieredCache<User> {
    TieredCache::<User>::builder()
        .publisher(bus.publisher())
        .subscriber(bus.subscriber())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_misses_load_once() {
    let bus = InProcessBus::new();
    let users = cache(&bus);
    let calls = Arc::new(AtomicUsize::new(0));
    let (release_tx, release_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let users = users.clone();
        let calls = calls.clone();
        let mut release = release_rx.clone();
        tasks.push(tokio::spawn(async move {
            users
                .get_or_load(&TenantId::new("acme"), &1, || async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    release.wait_for(|r| *r).await.unwrap();
                    Ok::<_, std::convert::Infallible>(user("acme", 1, "Ada"))
                })
                .await
                .unwrap()
        }));
    }
    // On a current-thread runtime, yielding lets every spawned task run up to its first
    // await: the leader parks in the loader, the others wait for it.
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    release_tx.send(true).unwrap();
    for t in tasks {
        assert_eq!(t.await.unwrap().name, "Ada");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_leader_lets_followers_load() {
    let users = TieredCache::<User>::builder().build().unwrap();
    let err = users
        .get_or_load(&TenantId::new("acme"), &1, || async {
            Err::<User, _>("db down")
        })
        .await
        .unwrap_err();
    assert!(matches!(err, LoadError::Loader("db down")));
    assert!(
        users
            .get(&TenantId::new("acme"), &1)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(load(&users, "acme", 1, "Ada").await.name, "Ada");
}

#[tokio::test]
async fn a_loader_returning_another_tenants_row_is_refused() {
    let users = TieredCache::<User>::builder().build().unwrap();
    let err = users
        .get_or_load(&TenantId::new("acme"), &1, || async {
            Ok::<_, std::convert::Infallible>(user("globex", 1, "Eve"))
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("returned the row"), "{err}");
    assert!(
        users
            .get(&TenantId::new("globex"), &1)
            .await
            .unwrap()
            .is_none()
    );
}

/// The no-stale-set guarantee: a load that began before an invalidation must not store its
/// value after it. `wide` picks the invalidation: key, table or tenant.
async fn load_overtaken_by(wide: &str) {
    let bus = InProcessBus::new();
    let users = cache(&bus);
    let acme = TenantId::new("acme");
    // Returns the value read from the database before the invalidation.
    let loading = held_load(&users, "acme", 1).await;
    invalidate(&users, &acme, wide).await;
    // The caller whose request began before the invalidation gets the value ...
    assert_eq!(loading.finish().await.name, "old");
    // ... but the cache does not keep it.
    assert!(
        users.get(&acme, &1).await.unwrap().is_none(),
        "{wide} invalidation"
    );
    assert_eq!(load(&users, "acme", 1, "new").await.name, "new");
}

#[tokio::test]
async fn no_stale_set_after_key_invalidation() {
    load_overtaken_by("key").await;
}

#[tokio::test]
async fn no_stale_set_after_table_invalidation() {
    load_overtaken_by("table").await;
}

#[tokio::test]
async fn no_stale_set_after_tenant_invalidation() {
    load_overtaken_by("tenant").await;
}

#[tokio::test]
async fn no_stale_set_when_the_invalidation_comes_from_another_instance() {
    let bus = InProcessBus::new();
    let a = cache(&bus);
    let b = cache(&bus);
    let acme = TenantId::new("acme");
    let loading = held_load(&a, "acme", 1).await;
    let before = a.applied_events();
    b.invalidate_key(&acme, &1).await.unwrap();
    a.wait_applied(before + 1, WAIT).await.unwrap();
    assert_eq!(loading.finish().await.name, "old");
    assert!(a.get(&acme, &1).await.unwrap().is_none());
}

async fn load_after_own(wide: &str) {
    // The cache publishes on `outbound` and listens on `inbound`; the test carries its own
    // message from one to the other, so the echo arrives exactly when the test says.
    let (outbound, inbound) = (InProcessBus::new(), InProcessBus::new());
    let users = TieredCache::<User>::builder()
        .publisher(outbound.publisher())
        .subscriber(inbound.subscriber())
        .build()
        .unwrap();
    let outbound_sub = outbound.subscriber();
    let mut sent = outbound_sub.subscribe();
    let acme = TenantId::new("acme");
    invalidate(&users, &acme, wide).await;
    let echo = next_invalidation(&mut sent).await;
    // A load that begins after the cache's own invalidation, and finishes after its echo ...
    let loading = held_load(&users, "acme", 1).await;
    let before = users.applied_events();
    inbound
        .publisher()
        .publish(Invalidation::clone(&echo))
        .await
        .unwrap();
    users.wait_applied(before + 1, WAIT).await.unwrap();
    assert_eq!(loading.finish().await.name, "old");
    // ... is kept: the echo is not applied a second time.
    assert_eq!(
        users.get(&acme, &1).await.unwrap().map(|u| u.name.clone()),
        Some("old".to_string()),
        "{wide} invalidation"
    );
}

#[tokio::test]
async fn the_echo_of_an_own_invalidation_does_not_discard_later_loads() {
    for wide in ["key", "table", "tenant"] {
        load_after_own(wide).await;
    }
}

#[tokio::test]
async fn invalidations_reach_other_instances_and_respect_tenants() {
    let bus = InProcessBus::new();
    let a = cache(&bus);
    let b = cache(&bus);
    let tenants = AWKWARD_TENANTS;
    for t in tenants {
        load(&a, t, 1, "v1").await;
        load(&a, t, 2, "v1").await;
    }
    let mut applied = a.applied_events();
    for (i, t) in tenants.iter().enumerate() {
        let tenant = TenantId::new(*t);
        invalidate(&b, &tenant, KINDS[i % 3]).await;
        applied += 1;
        a.wait_applied(applied, WAIT).await.unwrap();
        assert!(a.get(&tenant, &1).await.unwrap().is_none(), "{t}: evicted");
        assert_eq!(
            a.get(&tenant, &2).await.unwrap().is_some(),
            i % 3 == 0,
            "{t}: a key invalidation keeps other keys; wide ones evict them"
        );
        for other in &tenants[i + 1..] {
            assert!(
                a.get(&TenantId::new(*other), &1).await.unwrap().is_some(),
                "invalidating {t:?} evicted {other:?}"
            );
        }
    }
}

#[tokio::test]
async fn table_invalidations_leave_other_tables_alone() {
    let bus = InProcessBus::new();
    let users = cache(&bus);
    let orders = TieredCache::<Order>::builder()
        .publisher(bus.publisher())
        .subscriber(bus.subscriber())
        .build()
        .unwrap();
    let acme = TenantId::new("acme");
    load(&users, "acme", 1, "Ada").await;
    orders
        .get_or_load(&acme, &1, || async {
            Ok::<_, std::convert::Infallible>(Order {
                tenant: "acme".into(),
                id: 1,
                total: 5,
            })
        })
        .await
        .unwrap();
    let before = users.applied_events();
    orders.invalidate_table(&acme).await.unwrap();
    users.wait_applied(before + 1, WAIT).await.unwrap();
    assert!(orders.get(&acme, &1).await.unwrap().is_none());
    assert!(users.get(&acme, &1).await.unwrap().is_some());
    let before = users.applied_events();
    orders.invalidate_tenant(&acme).await.unwrap();
    users.wait_applied(before + 1, WAIT).await.unwrap();
    assert!(users.get(&acme, &1).await.unwrap().is_none());
}

#[tokio::test]
async fn the_bus_delivers_in_order_and_drops_repeats() {
    let bus = InProcessBus::new();
    let mut sub = bus.subscriber().subscribe();
    let publisher = bus.publisher().with_source("test");
    let msgs: Vec<_> = (0..100i64)
        .map(|i| Invalidation::key::<User>(&TenantId::new("t"), &i))
        .collect();
    publisher.publish_batch(msgs.clone()).await.unwrap();
    publisher.publish(msgs[5].clone()).await.unwrap(); // a repeat
    publisher
        .publish(Invalidation::tenant(&TenantId::new("end")))
        .await
        .unwrap();
    for (i, sent) in msgs.iter().enumerate() {
        let Some(Event::Invalidate(got)) = sub.recv().await else {
            panic!("message {i} missing")
        };
        assert_eq!(got.id, sent.id);
        assert_eq!(got.source, "test");
    }
    let Some(Event::Invalidate(last)) = sub.recv().await else {
        panic!("end missing")
    };
    assert_eq!(last.target, Target::Tenant);
    assert_eq!(bus.subscriber().stats().duplicates(), 1);
}

#[tokio::test]
async fn invalid_messages_are_refused_by_the_bus() {
    let bus = InProcessBus::new();
    let mut msg = Invalidation::tenant(&TenantId::new("t"));
    msg.id = String::new();
    // The publisher stamps its source but keeps the (invalid) empty id.
    assert!(bus.publisher().publish(msg).await.is_err());
}
