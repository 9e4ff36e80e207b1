//! `schema-check check` reports what the compiler reports, at the same places: a real
//! `cargo build` of a fixture crate (many cache structs, correct and drifted, over a
//! history of migrations, in `src/`, `tests/` and `examples/`, one behind a feature) and
//! `schema-check check` of the same crate must name the same `file:line:col`s, and the
//! same messages for the derive's own errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `file:line:col` and the first line of the message.
type Place = (String, u64, u64);

/// The fixture written into a temporary directory, as a crate of its own.
fn fixture() -> tempfile::TempDir {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check-crate");
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&from, dir.path());
    let manifest = std::fs::read_to_string(from.join("Cargo.toml"))
        .unwrap()
        .replace("@CC", &workspace.join("cache-contract").to_string_lossy());
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    // The workspace's lock file pins the same versions (so `--offline` resolves), and its
    // toolchain the same compiler.
    for f in ["Cargo.lock", "rust-toolchain.toml"] {
        std::fs::copy(workspace.join(f), dir.path().join(f)).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The errors of `cargo build` of every target with every feature: where each is, and its
/// message.
fn compiler_errors(dir: &Path) -> (BTreeSet<Place>, Vec<String>) {
    let target: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("target/check-parity");
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--offline",
            "--all-targets",
            "--all-features",
            "--keep-going",
            "--message-format=json",
        ])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CACHE_CONTRACT_MANIFEST_DIR")
        .output()
        .expect("cargo runs");
    assert!(!out.status.success(), "the fixture has drifted structs");
    let mut places = BTreeSet::new();
    let mut messages = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["reason"] != "compiler-message" || v["message"]["level"] != "error" {
            continue;
        }
        let message = &v["message"];
        let Some(primary) = message["spans"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["is_primary"] == true))
        else {
            continue; // "aborting due to N previous errors"
        };
        places.insert((
            primary["file_name"].as_str().unwrap().to_string(),
            primary["line_start"].as_u64().unwrap(),
            primary["column_start"].as_u64().unwrap(),
        ));
        messages.push(message["message"].as_str().unwrap().to_string());
    }
    (places, messages)
}

/// The errors of `schema-check check` of the crate, run from its directory.
fn check_errors(dir: &Path) -> (BTreeSet<Place>, Vec<serde_json::Value>, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_schema-check"))
        .args(["check", ".", "--format", "json"])
        .current_dir(dir)
        .output()
        .expect("schema-check runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let findings = doc["findings"].as_array().unwrap().clone();
    let places = findings
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let p = &f["primary"];
            (
                p["file"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap(),
                p["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (places, findings, out.status.code().unwrap_or(-1))
}

#[test]
fn check_reports_what_the_compiler_reports_at_the_same_places() {
    let dir = fixture();
    let (compiler, compiler_messages) = compiler_errors(dir.path());
    let (check, findings, code) = check_errors(dir.path());
    assert_eq!(code, 1, "findings exit 1");
    assert_eq!(
        compiler, check,
        "compiler messages: {compiler_messages:#?}\ncheck findings: {findings:#?}"
    );

    // Every kind of drift in the fixture is there, named as the derive names it.
    let has = |rule: &str, needle: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == rule && f["message"].as_str().unwrap().contains(needle))
    };
    for (rule, needle) in [
        ("contract-type", "field `id` of type `i32` cannot hold it"),
        ("contract-type", "`i32` cannot hold `bigint`"),
        ("contract-type", "migrations/0002_widen_age.sql:2"),
        (
            "contract-type",
            "field `user_id` of type `i64` cannot hold NULL",
        ),
        ("contract-type", "field `tags` of type `Vec<i32>`"),
        ("contract-type", "field `price_cents` of type `i16`"),
        (
            "contract-column",
            "column `name` was renamed to `display_name` in migrations/0003_cleanup.sql:1",
        ),
        (
            "contract-column",
            "column `note` was dropped in migrations/0003_cleanup.sql:3",
        ),
        ("contract-column", "is already mapped to field `user_id`"),
        (
            "contract-table",
            "table `legacy_events` was dropped in migrations/0003_cleanup.sql:5",
        ),
        ("contract-tenant", "`CountryName` has no tenant field"),
        (
            "contract-tenant",
            "tenant column `sessions.tenant_id` is nullable",
        ),
        (
            "contract-key",
            "the key (`user_id`) does not identify a row of `orders`",
        ),
        ("contract-attribute", "unknown attribute `tabel`"),
    ] {
        assert!(
            has(rule, needle),
            "no {rule} finding with {needle:?}: {findings:#?}"
        );
    }
    // The derive's own errors (all but the type checks, which rustc words) read the same.
    for f in findings.iter().filter(|f| f["rule"] != "contract-type") {
        let m = f["message"].as_str().unwrap();
        assert!(
            compiler_messages.iter().any(|c| c == m),
            "the compiler did not say {m:?}: {compiler_messages:#?}"
        );
    }
    // The type findings carry rustc's first line, with the type as written.
    for f in findings.iter().filter(|f| f["rule"] == "contract-type") {
        let m = f["message"].as_str().unwrap();
        let (column, _) = m.split_once(": field").unwrap();
        assert!(
            compiler_messages.iter().any(|c| c.starts_with(column)),
            "the compiler did not report {column:?}: {compiler_messages:#?}"
        );
    }
}

#[test]
fn a_clean_crate_exits_zero_and_a_missing_one_two() {
    let dir = fixture();
    // Only the matching structs.
    for f in [
        "src/users.rs",
        "src/orders.rs",
        "src/misc.rs",
        "tests/products.rs",
    ] {
        std::fs::remove_file(dir.path().join(f)).unwrap();
    }
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let (places, findings, code) = check_errors(dir.path());
    assert!(places.is_empty(), "{findings:#?}");
    assert_eq!(code, 0);

    let out = Command::new(env!("CARGO_BIN_EXE_schema-check"))
        .args(["check", "does/not/exist"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no Cargo.toml at does/not/exist/Cargo.toml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
