//! Tags and plans without a network: tags are injective and within every CDN's alphabet and
//! length (property test), plans are deterministic whatever the order of their input,
//! de-duplicated widest first, batched within each CDN's limits, and guarded by the
//! deployed contracts; the layer never cuts a response's tags.

mod common;

use std::collections::HashMap;

use cache_contract::edge::{
    Cdn, ContractGuard, EdgeTagLayer, EdgeTags, InvalidationPlan, MAX_TAG_LEN, Rendered,
    SchemaChange, Scope,
};
use cache_contract::invalidation::{Invalidation, Target};
use cache_contract::{CacheContract, ContractHash, TenantId};
use common::{User, UserV2};
use proptest::prelude::*;
use tower::{Layer, Service, ServiceExt};

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Short strings over the characters that matter: separators, escapes, case, spaces,
        // commas, non-ASCII.
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('A'),
                Just('0'),
                Just('.'),
                Just('_'),
                Just(','),
                Just(' '),
                Just(':'),
                Just('%'),
                Just('*'),
                Just('é'),
                Just('\u{1F600}'),
                Just('t'),
                Just('g'),
            ],
            0..12
        )
        .prop_map(|v| v.into_iter().collect()),
        // Long ones, hashed.
        "[a-z]{100,160}",
    ]
}

fn any_tenant() -> impl Strategy<Value = TenantId> {
    prop_oneof![Just(TenantId::global()), any_text().prop_map(TenantId::new)]
}

fn any_scope() -> impl Strategy<Value = Scope> {
    prop_oneof![
        any_tenant().prop_map(|tenant| Scope::Tenant { tenant }),
        (any_tenant(), any_text()).prop_map(|(tenant, table)| Scope::Table { tenant, table }),
        (
            any_tenant(),
            any_text(),
            proptest::collection::vec(any_text(), 1..3)
        )
            .prop_map(|(tenant, table, key)| Scope::Row { tenant, table, key }),
        (any_text(), any::<[u8; 32]>()).prop_map(|(table, h)| Scope::Contract {
            table,
            hash: ContractHash::from_bytes(h)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn distinct_scopes_give_distinct_tags(a in any_scope(), b in any_scope()) {
        let (ta, tb) = (a.tag(), b.tag());
        if a == b {
            prop_assert_eq!(ta, tb);
        } else {
            prop_assert_ne!(ta.as_str(), tb.as_str(), "{:?} and {:?}", a, b);
            // Cloudflare matches tags case-insensitively.
            prop_assert_ne!(ta.as_str().to_ascii_lowercase(), tb.as_str().to_ascii_lowercase());
        }
    }

    #[test]
    fn tags_fit_every_cdn(scope in any_scope()) {
        let tag = scope.tag();
        prop_assert!(tag.as_str().len() <= MAX_TAG_LEN);
        prop_assert!(!tag.as_str().is_empty());
        prop_assert!(tag.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-'),
            "{}", tag);
    }
}

#[test]
fn a_tenant_with_separators_never_yields_another_tenants_tag() {
    // `a b` and `a,b` would split into two tags in a space- or comma-separated header.
    let tags: Vec<String> = ["a b", "a,b", "a", "b", "A", "a.b", "a_2cb"]
        .iter()
        .map(|t| {
            Scope::Tenant {
                tenant: TenantId::new(t),
            }
            .tag()
            .to_string()
        })
        .collect();
    let mut unique = tags.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tags.len(), "{tags:?}");
    assert!(tags.iter().all(|t| !t.contains(' ') && !t.contains(',')));
}

fn messages() -> Vec<Invalidation> {
    let t = |s: &str| TenantId::new(s);
    let keys = |tenant: &str, table: &str, ids: &[&str]| {
        Invalidation::new(
            t(tenant),
            Target::Keys {
                table: table.into(),
                keys: ids.iter().map(|i| vec![i.to_string()]).collect(),
            },
        )
    };
    vec![
        keys("a", "users", &["1", "2"]),
        keys("a", "users", &["2", "3"]),
        keys("a", "orders", &["9"]),
        keys("b", "users", &["1"]),
        keys("c", "users", &["5"]),
        Invalidation::new(
            t("a"),
            Target::Table {
                table: "users".into(),
            },
        ),
        Invalidation::new(t("c"), Target::Tenant),
        keys("c", "orders", &["1"]),
        Invalidation::new(
            TenantId::global(),
            Target::Table {
                table: "countries".into(),
            },
        ),
    ]
}

#[test]
fn plans_are_deduplicated_widest_first_and_sorted() {
    let msgs = messages();
    let plan = InvalidationPlan::build(&msgs, &[], &ContractGuard::new()).unwrap();
    let scopes: Vec<(&str, String)> = plan
        .purges()
        .iter()
        .map(|p| (p.scope.kind(), p.tag.to_string()))
        .collect();
    assert_eq!(
        scopes,
        [
            ("tenant", "cct.tc".to_string()),
            ("table", "ccb.g.countries".to_string()),
            ("table", "ccb.ta.users".to_string()),
            ("row", "ccr.ta.orders.9".to_string()),
            ("row", "ccr.tb.users.1".to_string()),
        ]
    );
}

#[test]
fn the_same_input_in_any_order_gives_a_byte_identical_plan() {
    let msgs = messages();
    let change = SchemaChange {
        table: "users".into(),
        previous: User::CONTRACT_HASH,
        deployed: UserV2::CONTRACT_HASH,
    };
    let reference =
        InvalidationPlan::build(&msgs, std::slice::from_ref(&change), &ContractGuard::new())
            .unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..50 {
        let mut shuffled = msgs.clone();
        rng.shuffle(&mut shuffled);
        // Fresh ids, sources and timestamps: they do not matter.
        let renamed: Vec<Invalidation> = shuffled
            .into_iter()
            .map(|m| Invalidation::new(m.tenant, m.target).with_source("elsewhere"))
            .collect();
        let plan = InvalidationPlan::build(
            &renamed,
            std::slice::from_ref(&change),
            &ContractGuard::new(),
        )
        .unwrap();
        assert_eq!(plan.to_json(), reference.to_json());
        assert_eq!(plan.hash(), reference.hash());
    }
    let json: serde_json::Value = serde_json::from_str(&reference.to_json()).unwrap();
    assert_eq!(json["v"], 1);
    assert_eq!(json["hash"], reference.hash());
    assert_eq!(json["purges"][0]["scope"], "contract");
    assert_eq!(json["purges"][0]["hash"], User::CONTRACT_HASH.to_hex());
    assert_eq!(
        json["purges"][2]["tenant"],
        serde_json::Value::Null,
        "global scope"
    );
    assert_eq!(json["purges"][4]["key"], serde_json::json!(["9"]));
    // The JSON form is stable: this exact text is what audit logs keep.
    assert!(reference.to_json().starts_with(&format!(
        "{{\"v\":1,\"hash\":\"{}\",\"purges\":[{{\"scope\":\"contract\",\"table\":\"users\",\"hash\":\"{}\",\"tag\":\"ccc.users.",
        reference.hash(),
        User::CONTRACT_HASH.to_hex()
    )));
}

#[test]
fn batches_respect_each_cdns_limits_and_keep_plan_order() {
    let msg = Invalidation::new(
        TenantId::new("tenant-with-a-longer-name"),
        Target::Keys {
            table: "users".into(),
            keys: (0..5_000).map(|i| vec![format!("{i:08}")]).collect(),
        },
    );
    let plan = InvalidationPlan::build([&msg], &[], &ContractGuard::new()).unwrap();
    for cdn in Cdn::ALL {
        let limits = cdn.limits();
        let batches = plan.batches(cdn);
        let flat: Vec<_> = batches
            .iter()
            .flat_map(|b| b.tags.iter().cloned())
            .collect();
        let planned: Vec<_> = plan.purges().iter().map(|p| p.tag.clone()).collect();
        assert_eq!(flat, planned, "{cdn}: every tag once, in plan order");
        for (i, batch) in batches.iter().enumerate() {
            assert_eq!(batch.index, i);
            assert!(batch.tags.len() <= limits.max_tags_per_purge, "{cdn}");
            let bytes: usize = batch
                .tags
                .iter()
                .map(|t| t.as_str().len() + limits.purge_tag_overhead)
                .sum();
            assert!(bytes <= limits.max_purge_bytes, "{cdn}: {bytes}");
        }
        let expected_min = match cdn {
            Cdn::Fastly => 5_000usize.div_ceil(256),
            Cdn::Cloudflare => 5_000usize.div_ceil(100),
            _ => 1,
        };
        assert!(batches.len() >= expected_min, "{cdn}: {}", batches.len());
    }
    assert_eq!(plan.batches(Cdn::Fastly).len(), 20);
    assert_eq!(plan.batches(Cdn::Cloudflare).len(), 50);
}

#[test]
fn the_contract_guard_refuses_a_plan_naming_both_hashes() {
    let guard = ContractGuard::new().contract::<UserV2>();
    let tenant = TenantId::new("a");
    let old = Invalidation::key::<User>(&tenant, &1);
    let new = Invalidation::key::<UserV2>(&tenant, &1);
    assert!(InvalidationPlan::build([&new], &[], &guard).is_ok());
    let err = InvalidationPlan::build([&new, &old], &[], &guard).unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&User::CONTRACT_HASH.to_hex()), "{text}");
    assert!(text.contains(&UserV2::CONTRACT_HASH.to_hex()), "{text}");
    assert!(text.contains("`users`") && text.contains(&old.id), "{text}");
    // Messages without a hash, or for tables the guard does not know, pass.
    let bare = Invalidation::new(
        tenant.clone(),
        Target::Table {
            table: "users".into(),
        },
    );
    let other = Invalidation::new(
        tenant,
        Target::Table {
            table: "orders".into(),
        },
    );
    assert!(InvalidationPlan::build([&bare, &other], &[], &guard).is_ok());
}

async fn respond(tags: EdgeTags, cdns: &[Cdn]) -> http::Response<()> {
    let handler = tower::service_fn(move |req: http::Request<()>| {
        let tags = tags.clone();
        async move {
            req.extensions().get::<Rendered>().unwrap().merge(&tags);
            Ok::<_, std::convert::Infallible>(http::Response::new(()))
        }
    });
    let mut service = EdgeTagLayer::new(cdns.iter().copied()).layer(handler);
    service
        .ready()
        .await
        .unwrap()
        .call(http::Request::new(()))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_layer_merges_contracts_and_never_cuts_tags() {
    let tenant = TenantId::new("a");
    let mut tags = EdgeTags::new();
    tags.row(&common::user("a", 1, "x"));
    tags.rows::<User>(&tenant, [&common::user("a", 2, "y")]);
    let response = respond(tags.clone(), &[Cdn::Varnish, Cdn::Cloudflare, Cdn::Akamai]).await;
    let xkey = response.headers()["xkey"].to_str().unwrap();
    assert_eq!(xkey.split(' ').count(), 5, "{xkey}"); // tenant, table, contract, 2 rows
    assert_eq!(
        response.headers()["cache-tag"].to_str().unwrap(),
        xkey.replace(' ', ",")
    );
    assert!(response.headers().get("cache-control").is_none());

    // 200 rows: 203 tags are over Akamai's 128 per object: uncacheable, no partial header.
    let mut many = EdgeTags::new();
    let rows: Vec<User> = (0..200).map(|i| common::user("a", i, "z")).collect();
    many.rows::<User>(&tenant, &rows);
    let response = respond(many.clone(), &[Cdn::Varnish, Cdn::Akamai]).await;
    assert_eq!(response.headers()["cache-control"], "private, no-store");
    assert!(response.headers().get("xkey").is_none());
    assert!(response.headers().get("edge-cache-tag").is_none());
    // Varnish alone takes them.
    let response = respond(many, &[Cdn::Varnish]).await;
    assert!(response.headers().get("cache-control").is_none());
    let counts: HashMap<&str, usize> = [("xkey", 203)].into();
    assert_eq!(
        response.headers()["xkey"]
            .to_str()
            .unwrap()
            .split(' ')
            .count(),
        counts["xkey"]
    );
}

/// The plan's JSON and hash are what an audit log keeps: a given set of purges keeps its
/// bytes and hash across releases (this hash was written by the first implementation).
#[test]
fn a_plans_hash_is_stable_across_releases() {
    let mut msgs = messages();
    for tenant in ["Acme, Inc", "ünï", &"x".repeat(200)] {
        msgs.push(Invalidation::new(
            TenantId::new(tenant),
            Target::Keys {
                table: "users".into(),
                keys: vec![vec!["1".into(), "a b".into()]],
            },
        ));
    }
    let change = SchemaChange {
        table: "users".into(),
        previous: ContractHash::from_bytes([0xab; 32]),
        deployed: ContractHash::from_bytes([0xcd; 32]),
    };
    let plan = InvalidationPlan::build(&msgs, &[change], &ContractGuard::new()).unwrap();
    assert_eq!(plan.purges().len(), 9, "{}", plan.to_json());
    assert_eq!(
        plan.hash(),
        "fe34fe34043e9134f2927c403431c3ce053c434524d7a99caed4581ea34bd57a",
        "{}",
        plan.to_json()
    );
}
