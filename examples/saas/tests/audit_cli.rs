//! The `audit` binary against a running instance of the service: a row changed behind the
//! cache is reported (exit 1, the column named, the value redacted), `--fix` repairs it and
//! the running instance serves the row from the database again; a later run against the
//! baseline is clean (exit 0).

use std::process::Output;
use std::time::{Duration, Instant};

use cache_contract::edge::HttpClient;
use saas::app::{Config, start};
use serde_json::{Value, json};

mod common;

use common::{POSTGRES, REDIS, isolated, suffix};

async fn call(
    http: &HttpClient,
    method: &str,
    url: String,
    body: Option<Value>,
) -> (u16, http::HeaderMap, Value) {
    let mut request = http::Request::builder().method(method).uri(&url);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let reply = http
        .send(request.body(bytes.into()).unwrap())
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status.as_u16(), reply.headers, value)
}

async fn audit(config: &Config, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_audit"))
        .env("DATABASE_URL", &config.database_url)
        .env("REDIS_URL", &config.redis_url)
        .args([
            "--prefix",
            &config.redis_prefix,
            "--channel",
            &config.channel,
        ])
        .args(args)
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_binary_reports_and_fixes_a_row_changed_behind_the_cache() {
    let (config, _cleanup) = isolated("audit");
    let run = suffix(&config);
    let service = start(config.clone()).await.unwrap_or_else(|e| {
        panic!("the service (PostgreSQL at {POSTGRES}, Redis at {REDIS}): {e}")
    });
    let api = format!("http://{}", service.addr);
    let http = HttpClient::new(Duration::from_secs(5));
    let (status, _, tenant) = call(
        &http,
        "POST",
        format!("{api}/tenants"),
        Some(json!({"slug": format!("acme-{run}"), "name": "Acme"})),
    )
    .await;
    assert_eq!(status, 201, "{tenant}");
    let t = tenant["id"].as_str().unwrap().to_string();
    let (status, _, user) = call(
        &http,
        "POST",
        format!("{api}/t/{t}/users"),
        Some(json!({"email": "ada@example.com", "full_name": "Ada"})),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let user_url = format!("{api}/t/{t}/users/{}", user["id"]);
    for url in [&user_url, &format!("{api}/tenants/{t}")] {
        call(&http, "GET", url.clone(), None).await;
        let (_, h, _) = call(&http, "GET", url.clone(), None).await;
        assert_eq!(h["x-served-from"], "cache", "{url}");
    }

    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let log = dir.path().join("audit.jsonl");
    let baseline_s = baseline.to_str().unwrap();
    let log_s = log.to_str().unwrap();
    let clean = audit(&config, &["--baseline", baseline_s, "--log", log_s]).await;
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );

    // Behind the cache: a write that published nothing.
    let (pg, conn) = tokio_postgres::connect(&config.database_url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    pg.execute("UPDATE users SET full_name = 'Ada Lovelace'", &[])
        .await
        .unwrap();

    let drift = audit(&config, &["--baseline", baseline_s, "--log", log_s]).await;
    let stderr = String::from_utf8_lossy(&drift.stderr);
    assert_eq!(drift.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("regression: tenant"), "{stderr}");
    assert!(stderr.contains("dry run"), "{stderr}");
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["kind"], "stale");
    assert_eq!(lines[0]["table"], "users");
    // The `users_touch_updated_at` trigger moved `updated_at` too.
    assert_eq!(lines[0]["columns"], json!(["full_name", "updated_at"]));
    assert!(!lines[0].to_string().contains("Lovelace"));
    assert_eq!(lines[1]["status"], "DRIFT");
    // Nothing changed yet: the service still serves the old name from its cache.
    let (_, _, body) = call(&http, "GET", user_url.clone(), None).await;
    assert_eq!(body["full_name"], "Ada");

    let fixed = audit(&config, &["--fix", "--log", log_s]).await;
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert!(stderr.contains("fixed: 1 invalidated"), "{stderr}");
    // The running service dropped its local copy: the next read comes from the database.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, h, body) = call(&http, "GET", user_url.clone(), None).await;
        if body["full_name"] == "Ada Lovelace" {
            assert_eq!(h["x-served-from"], "database");
            break;
        }
        assert!(Instant::now() < deadline, "the service still serves {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = audit(&config, &["--baseline", baseline_s, "--log", log_s]).await;
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    drop(service);
}
