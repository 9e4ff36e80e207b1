//! Helpers of the edge tests: a real varnishd with vmod-xkey on a free loopback port (its
//! own work directory and the library's reference VCL, stopped on drop, also on panic), and
//! a small axum backend serving tagged responses through `EdgeTagLayer`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Extension, Path, State};
use axum::routing::get;
use cache_contract::TenantId;
use cache_contract::edge::{Cdn, EdgeTagLayer, HttpClient, Rendered};

use crate::common::{Order, user};

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

/// A varnishd owned by one test; stopped (its whole process group) and its work directory
/// removed on drop.
pub struct Varnish {
    pub port: u16,
    backend_port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Varnish {
    /// Starts varnishd on a free port in front of `backend_port`, and waits until its VCL
    /// answers.
    pub async fn start(backend_port: u16) -> Self {
        Self::start_on(free_port(), backend_port).await
    }

    /// Starts varnishd on `port`.
    pub async fn start_on(port: u16, backend_port: u16) -> Self {
        let mut v = Varnish {
            port,
            backend_port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        v.restart().await;
        v
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// (Re)starts on the same port with a fresh work directory (an empty cache).
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "varnishd already running");
        let vcl = self.dir.path().join("edge.vcl");
        std::fs::write(
            &vcl,
            cache_contract::edge::vcl("127.0.0.1", self.backend_port),
        )
        .unwrap();
        let workdir = self.dir.path().join(format!("n{}", fastrand_suffix()));
        let child = Command::new(varnishd())
            .arg("-F")
            .arg("-n")
            .arg(&workdir)
            .args(["-a", &format!("127.0.0.1:{}", self.port)])
            .arg("-f")
            .arg(&vcl)
            .args(["-s", "malloc,32m", "-T", "none"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the edge tests need `varnishd` with vmod-xkey: `apt-get install varnish varnish-modules` (.ci/run does): {e}"
                )
            });
        self.child = Some(child);
        let client = HttpClient::new(Duration::from_millis(500));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // Our VCL answers a PURGE without a key header with a 400: proof it is loaded.
            let probe = http::Request::builder()
                .method("PURGE")
                .uri(format!("{}/", self.url()))
                .body(Default::default())
                .unwrap();
            if let Ok(reply) = client.send(probe).await
                && reply.status == 400
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                let _ = self
                    .child
                    .as_mut()
                    .unwrap()
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err);
                self.child = None;
                panic!("varnishd exited ({status}) on port {}: {err}", self.port);
            }
            assert!(
                Instant::now() < deadline,
                "varnishd did not answer on port {} within 20 s",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops varnishd (the manager and its cache process).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pgid = child.id() as i32;
            // SAFETY: signalling a process group this test created.
            unsafe {
                libc::kill(-pgid, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while child.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    // SAFETY: as above.
                    unsafe {
                        libc::kill(-pgid, libc::SIGKILL);
                    }
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // The cache process may outlive the manager by a moment.
            // SAFETY: as above.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

/// `varnishd` from PATH, or where Debian installs it (`/usr/sbin`, not on every PATH).
fn varnishd() -> &'static str {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("varnishd").exists()));
    if on_path {
        "varnishd"
    } else {
        "/usr/sbin/varnishd"
    }
}

fn fastrand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

impl Drop for Varnish {
    fn drop(&mut self) {
        self.stop();
    }
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
