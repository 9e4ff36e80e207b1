//! The example service end to end against the real servers: two instances over one
//! PostgreSQL database (created, migrated at start, dropped after) and one Redis (a prefix
//! and channel of this test's own, removed after), a varnishd with vmod-xkey in front of
//! instance A. A change made through A reaches B's local tier and the edge.

use std::time::{Duration, Instant};

use cache_contract::TenantId;
use cache_contract::edge::{HttpClient, Scope};
use saas::app::{Config, start};
use saas::varnish::{Varnishd, free_port};
use serde_json::{Value, json};

mod common;

use common::{POSTGRES, REDIS, isolated, suffix};

struct Http(HttpClient);

impl Http {
    async fn call(
        &self,
        method: &str,
        url: String,
        body: Option<Value>,
    ) -> (u16, http::HeaderMap, Value) {
        let mut request = http::Request::builder().method(method).uri(&url);
        let bytes = match body {
            Some(b) => {
                request = request.header("content-type", "application/json");
                b.to_string()
            }
            None => String::new(),
        };
        let reply = self
            .0
            .send(request.body(bytes.into()).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        (reply.status.as_u16(), reply.headers, value)
    }

    async fn get(&self, url: String) -> (http::HeaderMap, Value) {
        let (status, headers, body) = self.call("GET", url, None).await;
        assert_eq!(status, 200, "{body}");
        (headers, body)
    }
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> &'a str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_reaches_the_other_instance_and_the_edge() {
    let (config, _cleanup) = isolated("e2e");
    let run = suffix(&config);
    let a_port = free_port();
    let varnish = Varnishd::start(0, a_port).await.unwrap_or_else(|e| {
        panic!("this test needs varnishd with vmod-xkey (.ci/run installs it): {e}")
    });
    let a = start(Config {
        listen: format!("127.0.0.1:{a_port}").parse().unwrap(),
        varnish_nodes: vec![varnish.url()],
        ..config.clone()
    })
    .await
    .unwrap_or_else(|e| panic!("instance A (PostgreSQL at {POSTGRES}, Redis at {REDIS}): {e}"));
    // B starts second: the migrations are applied already, nothing is applied twice.
    let b = start(config).await.unwrap();
    let (api_a, api_b, edge) = (
        format!("http://{}", a.addr),
        format!("http://{}", b.addr),
        varnish.url(),
    );
    let http = Http(HttpClient::new(Duration::from_secs(5)));

    let (status, _, tenant) = http
        .call(
            "POST",
            format!("{api_a}/tenants"),
            Some(json!({"slug": format!("acme-{run}"), "name": "Acme"})),
        )
        .await;
    assert_eq!(status, 201, "{tenant}");
    let t = tenant["id"].as_str().unwrap().to_string();
    let (status, _, user) = http
        .call(
            "POST",
            format!("{api_a}/t/{t}/users"),
            Some(json!({"email": "ada@example.com", "full_name": "Ada"})),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_i64().unwrap();
    let user_path = format!("/t/{t}/users/{id}");

    // B loads the row from the database, then serves it from its cache.
    let (h, _) = http.get(format!("{api_b}{user_path}")).await;
    assert_eq!(header(&h, "x-served-from"), "database");
    let (h, _) = http.get(format!("{api_b}{user_path}")).await;
    assert_eq!(header(&h, "x-served-from"), "cache");

    // Through Varnish: a miss, tagged with the row's tag, then a hit; the list too.
    let (h, body) = http.get(format!("{edge}{user_path}")).await;
    assert_eq!(header(&h, "x-cache"), "MISS");
    assert_eq!(body["full_name"], "Ada");
    let row_tag = Scope::Row {
        tenant: TenantId::new(&t),
        table: "users".into(),
        key: vec![id.to_string()],
    }
    .tag();
    assert!(
        header(&h, "xkey")
            .split(' ')
            .any(|tag| tag == row_tag.as_str()),
        "{:?}",
        h.get("xkey")
    );
    assert_eq!(
        header(&http.get(format!("{edge}{user_path}")).await.0, "x-cache"),
        "HIT"
    );
    http.get(format!("{edge}/t/{t}/users")).await;
    assert_eq!(
        header(&http.get(format!("{edge}/t/{t}/users")).await.0, "x-cache"),
        "HIT"
    );

    // Change the row through A.
    let (status, _, changed) = http
        .call(
            "PUT",
            format!("{api_a}{user_path}"),
            Some(json!({"full_name": "Ada Lovelace"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    let bridge = a.bridge.as_ref().unwrap();
    // The user's creation (a table invalidation) and its change (a key invalidation).
    bridge
        .wait_settled(2, Duration::from_secs(10))
        .await
        .unwrap();

    // The edge purged the row's objects: a miss with the new name, and not the others' lists.
    let (h, body) = http.get(format!("{edge}{user_path}")).await;
    assert_eq!(
        (header(&h, "x-cache"), body["full_name"].as_str()),
        ("MISS", Some("Ada Lovelace"))
    );
    // B's local tier dropped its copy (Redis Pub/Sub); bounded wait for delivery.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, body) = http.get(format!("{api_b}{user_path}")).await;
        if body["full_name"] == "Ada Lovelace" {
            break;
        }
        assert!(Instant::now() < deadline, "B still serves {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A new user changes the list: a table invalidation purges the cached list page.
    let (status, _, _) = http
        .call(
            "POST",
            format!("{api_a}/t/{t}/users"),
            Some(json!({"email": "grace@example.com"})),
        )
        .await;
    assert_eq!(status, 201);
    bridge
        .wait_settled(3, Duration::from_secs(10))
        .await
        .unwrap();
    let (h, list) = http.get(format!("{edge}/t/{t}/users")).await;
    assert_eq!(header(&h, "x-cache"), "MISS");
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(bridge.stats().refused(), 0);

    // Errors are answers, not crashes.
    let (status, _, body) = http
        .call("GET", format!("{api_b}/t/{t}/users/999999"), None)
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("no such user"))
    );
}
