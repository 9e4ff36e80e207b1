//! Constructs schema-check does not model yet. Each history under `tests/unsupported/`
//! is real SQL (the database must accept it), and the replay must refuse it with an error
//! at the statement, never return a silently wrong schema.

use std::path::PathBuf;

use cache_contract_tests::database::build;
use cache_contract_tests::replay::replay;
use schema_check::Dialect;

fn case_dir(dialect: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("unsupported")
        .join(dialect)
        .join(name)
        .join("migrations")
}

/// The database accepts the history; the replay reports an error whose rendering
/// contains every one of `expected` (location and message fragments).
fn check(dialect: Dialect, name: &str, expected: &[&str]) {
    let dir = case_dir(dialect.name(), name);
    build(dialect, &dir).unwrap_or_else(|e| panic!("{name}: the database refused it: {e}"));
    let replayed = replay(&dir, dialect).unwrap_or_else(|e| panic!("{name}: {e}"));
    let report = replayed
        .error_report()
        .unwrap_or_else(|| panic!("{name}: the replay accepted an unsupported construct"));
    for fragment in expected {
        assert!(
            report.contains(fragment),
            "{name}: expected `{fragment}` in:\n{report}"
        );
    }
}

#[test]
fn postgres_rollback_is_an_error_not_a_wrong_schema() {
    check(
        Dialect::Postgres,
        "rollback",
        &["migrations/0001_rollback.sql:5:1", "ROLLBACK"],
    );
}
