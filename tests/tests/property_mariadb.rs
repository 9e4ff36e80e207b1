//! Property test: random MySQL DDL histories (CHANGE, MODIFY, FIRST/AFTER, RENAME TABLE,
//! key changes...) from a model that knows what MariaDB does are applied to a fresh
//! MariaDB database per case; the model must predict what the server built, and
//! `schema-check`'s replay of the same files must agree with it.

use cache_contract_tests::diff::compare;
use cache_contract_tests::layout::migration_files;
use cache_contract_tests::mariadb_db::MariaDatabase;
use cache_contract_tests::mysql_model::{history, my_seed};
use cache_contract_tests::replay::replay;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use schema_check::Dialect;

fn run_case(
    files: &[(String, String)],
    expected: &cache_contract_tests::ObservedSchema,
) -> Result<(), TestCaseError> {
    let fail = |e: String| TestCaseError::fail(e);
    let dir = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
    for (name, sql) in files {
        std::fs::write(dir.path().join(name), sql).map_err(|e| fail(e.to_string()))?;
    }
    let sql = || {
        files
            .iter()
            .map(|(n, s)| format!("-- {n}\n{s}"))
            .collect::<String>()
    };
    if files.is_empty() {
        return Ok(());
    }
    let mut db = MariaDatabase::create().map_err(fail)?;
    let migrations = migration_files(dir.path()).map_err(fail)?;
    db.apply(&migrations)
        .map_err(|e| fail(format!("{e}\nhistory:\n{}", sql())))?;
    let database = db.introspect().map_err(fail)?;
    let report = compare("model", expected, "mariadb", &database, None);
    prop_assert!(
        report.is_empty(),
        "the generator's model is wrong: {report}\nhistory:\n{}",
        sql()
    );

    let replayed = replay(dir.path(), Dialect::Mysql).map_err(fail)?;
    if let Some(errors) = replayed.error_report() {
        return Err(fail(format!("{errors}\nhistory:\n{}", sql())));
    }
    let report = compare(
        "replay",
        &replayed.observed,
        "mariadb",
        &database,
        Some(&replayed.schema),
    );
    prop_assert!(report.is_empty(), "{report}\nhistory:\n{}", sql());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // 24 keeps the suite fast (MariaDB DDL is slow); PROPTEST_CASES=300 hunts harder.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/property_mariadb.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_mysql_histories_match_mariadb(
        seeds in prop::collection::vec(my_seed(), 1..40),
        per_file in 1usize..5,
    ) {
        let (files, expected) = history(&seeds, per_file);
        run_case(&files, &expected)?;
    }
}
