//! Helpers of the edge tests: a real varnishd with vmod-xkey on a free loopback port (the
//! example service's launcher: its own work directory and the library's reference VCL,
//! stopped on drop, also on panic), and a small axum backend serving tagged responses through `EdgeTagLayer`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Extension, Path, State};
use axum::routing::get;
use cache_contract::TenantId;
use cache_contract::edge::{Cdn, EdgeTagLayer, HttpClient, Rendered};

use crate::common::{Order, user};

/// The test backend: `/users/{tenant}/{id}` and `/orders/{tenant}/{id}`, each response
/// tagged with the row's tags by `EdgeTagLayer`; counts requests per path (a request that
/// reaches it through Varnish is an edge miss).
pub struct Backend {
    pub port: u16,
    hits: Arc<Mutex<HashMap<String, u64>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        self._task.abort();
    }
}

type Hits = Arc<Mutex<HashMap<String, u64>>>;

async fn user_page(
    State(hits): State<Hits>,
    Path((tenant, id)): Path<(String, i64)>,
    Extension(rendered): Extension<Rendered>,
) -> String {
    *hits
        .lock()
        .unwrap()
        .entry(format!("/users/{tenant}/{id}"))
        .or_default() += 1;
    let row = user(&tenant, id, "someone");
    rendered.row(&row);
    format!("user {id} of {tenant}")
}

async fn order_page(
    State(hits): State<Hits>,
    Path((tenant, id)): Path<(String, i64)>,
    Extension(rendered): Extension<Rendered>,
) -> String {
    *hits
        .lock()
        .unwrap()
        .entry(format!("/orders/{tenant}/{id}"))
        .or_default() += 1;
    rendered.row(&Order {
        tenant: tenant.clone(),
        id,
        total: 1,
    });
    // A second contract on the same response: the tenant's user 1 is shown too.
    rendered.row(&user(&tenant, 1, "owner"));
    format!("order {id} of {tenant}")
}

impl Backend {
    pub async fn start() -> Self {
        let hits: Hits = Arc::default();
        let app = axum::Router::new()
            .route("/users/{tenant}/{id}", get(user_page))
            .route("/orders/{tenant}/{id}", get(order_page))
            .layer(EdgeTagLayer::new([Cdn::Varnish]))
            .with_state(hits.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Backend {
            port,
            hits,
            _task: task,
        }
    }

    /// How many requests for `path` reached the backend.
    pub fn hits(&self, path: &str) -> u64 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// The example service's varnishd launcher, shared as it is.
#[path = "../../../examples/saas/src/varnish.rs"]
mod varnish;

/// A varnishd owned by one test (stopped on drop, also on panic).
pub type Varnish = varnish::Varnishd;

/// Starts a varnishd on a free port in front of `backend_port`, failing loudly.
pub async fn start_varnish(backend_port: u16) -> Varnish {
    Varnish::start(0, backend_port).await.unwrap_or_else(|e| {
        panic!("the edge tests need varnishd with vmod-xkey (.ci/run installs it): {e}")
    })
}

/// Fetches `path` through the edge at `base`; returns its `X-Cache` (`HIT` or `MISS`).
pub async fn fetch(client: &HttpClient, base: &str, path: &str) -> String {
    let request = http::Request::get(format!("{base}{path}"))
        .body(Default::default())
        .unwrap();
    let reply = client.send(request).await.unwrap();
    assert_eq!(reply.status, 200, "GET {path}: {:?}", reply.body);
    reply.headers["x-cache"].to_str().unwrap().to_string()
}

/// The tenant id as the routes spell it.
pub fn tenant(name: &str) -> TenantId {
    TenantId::new(name)
}
