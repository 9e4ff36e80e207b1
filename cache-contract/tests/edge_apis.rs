//! The Fastly and Cloudflare executors against their documented request formats. Neither
//! API can be reached from here, so a local HTTP server stands in: it checks every request
//! (method, path, authentication, content type, JSON body, per-request limits) and answers
//! as the API documents, or with a scripted failure (429 with `Retry-After`, 503, 403).

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cache_contract::TenantId;
use cache_contract::edge::{
    CloudflareExecutor, ContractGuard, FastlyExecutor, InvalidationPlan, Purger, RetryPolicy,
};
use cache_contract::invalidation::{Invalidation, Target};
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Fastly,
    Cloudflare,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    tags: Vec<String>,
    soft: bool,
}

/// A scripted answer: a status and a `Retry-After`.
type Scripted = (StatusCode, Option<&'static str>);

#[derive(Clone)]
struct Fake {
    api: Api,
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
}

const TOKEN: &str = "s3cr3t-token";

/// Checks a request against the API's documented format; `Err` is the reason it is not.
fn check(
    api: Api,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Seen, String> {
    if method != Method::POST {
        return Err(format!("method {method}"));
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if header("content-type") != "application/json" {
        return Err("content-type is not application/json".into());
    }
    let body: Value = serde_json::from_slice(body).map_err(|e| format!("body: {e}"))?;
    let (field, max) = match api {
        Api::Fastly => {
            if uri.path() != "/service/svc123/purge" {
                return Err(format!("path {}", uri.path()));
            }
            if header("fastly-key") != TOKEN {
                return Err("Fastly-Key".into());
            }
            if header("accept") != "application/json" {
                return Err("accept".into());
            }
            ("surrogate_keys", 256)
        }
        Api::Cloudflare => {
            if uri.path() != "/client/v4/zones/zone456/purge_cache" {
                return Err(format!("path {}", uri.path()));
            }
            if header("authorization") != format!("Bearer {TOKEN}") {
                return Err("Authorization".into());
            }
            ("tags", 100)
        }
    };
    let object = body.as_object().ok_or("body is not an object")?;
    if object.len() != 1 {
        return Err(format!("unexpected fields in {body}"));
    }
    let tags: Vec<String> = object
        .get(field)
        .and_then(Value::as_array)
        .ok_or(format!("no `{field}` array"))?
        .iter()
        .map(|t| {
            t.as_str()
                .map(str::to_string)
                .ok_or("a tag is not a string")
        })
        .collect::<Result<_, _>>()?;
    if tags.is_empty() || tags.len() > max {
        return Err(format!("{} tags (1..={max} allowed)", tags.len()));
    }
    Ok(Seen {
        tags,
        soft: header("fastly-soft-purge") == "1",
    })
}

async fn handle(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seen = match check(fake.api, &method, &uri, &headers, &body) {
        Ok(seen) => seen,
        Err(reason) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("malformed purge: {reason}"),
            )
                .into_response();
        }
    };
    fake.seen.lock().unwrap().push(seen.clone());
    if let Some((status, retry_after)) = fake.script.lock().unwrap().pop_front() {
        let mut response = (status, "scripted failure").into_response();
        if let Some(after) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", after.parse().unwrap());
        }
        return response;
    }
    match fake.api {
        Api::Fastly => {
            let ids: serde_json::Map<String, Value> = seen
                .tags
                .iter()
                .map(|t| (t.clone(), json!(format!("108-{t}"))))
                .collect();
            axum::Json(Value::Object(ids)).into_response()
        }
        Api::Cloudflare => axum::Json(
            json!({"success": true, "errors": [], "messages": [], "result": {"id": "zone456"}}),
        )
        .into_response(),
    }
}

async fn start(api: Api) -> (String, Fake, tokio::task::JoinHandle<()>) {
    let fake = Fake {
        api,
        seen: Arc::default(),
        script: Arc::default(),
    };
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, fake, task)
}

/// A plan of 600 rows of one tenant: 3 Fastly batches, 6 Cloudflare ones.
fn plan() -> InvalidationPlan {
    let msg = Invalidation::new(
        TenantId::new("acme"),
        Target::Keys {
            table: "users".into(),
            keys: (0..600).map(|i| vec![i.to_string()]).collect(),
        },
    );
    InvalidationPlan::build([&msg], &[], &ContractGuard::new()).unwrap()
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn all_tags(fake: &Fake) -> Vec<String> {
    let mut tags: Vec<String> = fake
        .seen
        .lock()
        .unwrap()
        .iter()
        .flat_map(|s| s.tags.clone())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

#[tokio::test]
async fn fastly_purges_by_surrogate_keys_in_batches_of_256_soft_on_request() {
    let (base, fake, _server) = start(Api::Fastly).await;
    let plan = plan();
    let executor = FastlyExecutor::new("svc123", TOKEN)
        .api_base(&base)
        .soft(true);
    assert!(
        !format!("{executor:?}").contains(TOKEN),
        "the token is never printed"
    );
    let purger = Purger::new(executor).retry(policy());
    let (execution, report) = purger.execute(&plan).await;
    assert!(execution.is_done(), "{:?}", execution.failures());
    assert_eq!(report.requests, 3);
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().map(|s| s.tags.len()).collect::<Vec<_>>(),
        [256, 256, 88]
    );
    assert!(seen.iter().all(|s| s.soft));
    let mut planned: Vec<String> = plan.purges().iter().map(|p| p.tag.to_string()).collect();
    planned.sort();
    assert_eq!(all_tags(&fake), planned);
}

#[tokio::test]
async fn cloudflare_purges_by_tags_in_batches_of_100() {
    let (base, fake, _server) = start(Api::Cloudflare).await;
    let purger = Purger::new(
        CloudflareExecutor::new("zone456", TOKEN).api_base(format!("{base}/client/v4")),
    )
    .retry(policy());
    let (execution, report) = purger.execute(&plan()).await;
    assert!(execution.is_done(), "{:?}", execution.failures());
    assert_eq!(report.requests, 6);
    assert!(
        fake.seen
            .lock()
            .unwrap()
            .iter()
            .all(|s| s.tags.len() == 100)
    );
    assert_eq!(all_tags(&fake).len(), 600);
}

#[tokio::test]
async fn retries_honour_retry_after_on_429_and_back_off_on_5xx() {
    let (base, fake, _server) = start(Api::Cloudflare).await;
    fake.script.lock().unwrap().extend([
        (StatusCode::TOO_MANY_REQUESTS, Some("1")),
        (StatusCode::SERVICE_UNAVAILABLE, None),
    ]);
    let one = Invalidation::new(TenantId::new("acme"), Target::Tenant);
    let plan = InvalidationPlan::build([&one], &[], &ContractGuard::new()).unwrap();
    let purger = Purger::new(
        CloudflareExecutor::new("zone456", TOKEN).api_base(format!("{base}/client/v4")),
    )
    .retry(policy());
    let started = Instant::now();
    let (execution, report) = purger.execute(&plan).await;
    assert!(execution.is_done(), "{:?}", execution.failures());
    assert_eq!((report.requests, report.retries), (3, 2));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn a_refused_batch_is_reported_not_retried_and_resumed_later() {
    let (base, fake, _server) = start(Api::Fastly).await;
    // The second request is refused (a token without purge rights): not retryable.
    fake.script
        .lock()
        .unwrap()
        .extend([(StatusCode::OK, None), (StatusCode::FORBIDDEN, None)]);
    // A scripted 200 whose body is not the JSON of purged keys is no acknowledgement either.
    let purger = Purger::new(FastlyExecutor::new("svc123", TOKEN).api_base(&base))
        .retry(policy())
        .concurrency(1);
    let plan = plan();
    let mut execution = purger.start(&plan);
    let report = purger.run(&mut execution).await;
    assert_eq!(report.failed, 2, "{:?}", execution.failures());
    assert_eq!(report.requests, 3, "refusals are not retried");
    assert_eq!(execution.pending(), 2);
    let failure = &execution.failures()[0];
    assert!(!failure.error.retryable);
    assert_eq!(failure.attempts, 1);
    assert!(!failure.error.message.contains(TOKEN));
    assert!(
        execution
            .failures()
            .iter()
            .any(|f| f.error.status == Some(403)),
        "{:?}",
        execution.failures()
    );
    assert!(
        execution
            .failures()
            .iter()
            .any(|f| f.error.message.contains("not a JSON object"))
    );

    let report = purger.run(&mut execution).await;
    assert!(execution.is_done(), "{:?}", execution.failures());
    assert_eq!(
        report.requests, 2,
        "only the two unacknowledged batches are sent again"
    );
}
