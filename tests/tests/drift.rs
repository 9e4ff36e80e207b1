//! `schema-check drift` against the real servers.
//!
//! No false positives: every fixture history in `fixtures/` (found on disk, as
//! `tests/fixtures.rs` finds them, so new ones are included), applied to a fresh database
//! in the tool's order, has no drift.

use cache_contract_tests::fixture::Fixture;
use cache_contract_tests::live_db::{LiveDb, drift};
use schema_check::Dialect;

fn no_drift_in_any_history_of(dialect: Dialect) {
    let ids: Vec<String> = Fixture::all_ids()
        .unwrap()
        .into_iter()
        .filter(|id| id.starts_with(&format!("{}/", dialect.name())))
        .collect();
    assert!(!ids.is_empty(), "no {dialect} fixtures found");
    let mut problems = Vec::new();
    for id in &ids {
        let fixture = Fixture::named(id).unwrap();
        let mut db = LiveDb::create(dialect).unwrap_or_else(|e| panic!("{e}"));
        db.apply_dir(&fixture.migrations_dir())
            .unwrap_or_else(|e| panic!("fixture {id}: {e}"));
        match drift(&fixture.migrations_dir(), &db) {
            Ok(found) if found.is_empty() => {}
            Ok(found) => problems.push(format!(
                "fixture {id}: drift reported on an untouched database:\n  {}",
                found
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n  ")
            )),
            Err(e) => problems.push(format!("fixture {id}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn postgres_histories_have_no_drift() {
    no_drift_in_any_history_of(Dialect::Postgres);
}

#[test]
fn mariadb_histories_have_no_drift() {
    no_drift_in_any_history_of(Dialect::Mysql);
}

#[test]
fn sqlite_histories_have_no_drift() {
    no_drift_in_any_history_of(Dialect::Sqlite);
}
