//! Property test: random DDL histories (from a model that knows what PostgreSQL will do)
//! are applied to a fresh PostgreSQL database per case; the model must predict what the
//! server built, and `schema-check`'s replay of the same files must agree with it.

use cache_contract_tests::ddl_model::{History, op_seed};
use cache_contract_tests::diff::compare;
use cache_contract_tests::layout::migration_files;
use cache_contract_tests::postgres_db::PgDatabase;
use cache_contract_tests::replay::replay;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use schema_check::Dialect;

fn run_case(history: &History) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    history
        .write_to(dir.path())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let sql = || {
        history
            .files
            .iter()
            .map(|(n, s)| format!("-- {n}\n{s}"))
            .collect::<String>()
    };
    let mut db = PgDatabase::create().map_err(TestCaseError::fail)?;
    if history.files.is_empty() {
        return Ok(());
    }
    let files = migration_files(dir.path()).map_err(TestCaseError::fail)?;
    db.apply(&files)
        .map_err(|e| TestCaseError::fail(format!("{e}\nhistory:\n{}", sql())))?;
    let database = db.introspect().map_err(TestCaseError::fail)?;
    let report = compare("model", &history.expected, "postgres", &database, None);
    prop_assert!(
        report.is_empty(),
        "the generator's model is wrong: {report}\nhistory:\n{}",
        sql()
    );

    let replayed = replay(dir.path(), Dialect::Postgres).map_err(TestCaseError::fail)?;
    if let Some(errors) = replayed.error_report() {
        return Err(TestCaseError::fail(format!(
            "{errors}\nhistory:\n{}",
            sql()
        )));
    }
    let report = compare(
        "replay",
        &replayed.observed,
        "postgres",
        &database,
        Some(&replayed.schema),
    );
    prop_assert!(report.is_empty(), "{report}\nhistory:\n{}", sql());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // 32 keeps the suite fast; PROPTEST_CASES=500 hunts harder.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/property_postgres.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_ddl_histories_match_postgres(
        seeds in prop::collection::vec(op_seed(), 1..40),
        per_file in 1usize..5,
    ) {
        run_case(&History::from_seeds(&seeds, per_file))?;
    }
}
