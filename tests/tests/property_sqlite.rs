//! Property test: random SQLite DDL histories (declared types as written, rowid aliases,
//! WITHOUT ROWID, the rebuild idiom...) from a model of SQLite are applied to a fresh
//! SQLite database per case; the model must predict what SQLite built, and
//! `schema-check`'s replay of the same files must agree with it.

use cache_contract_tests::sqlite_model::{history, lite_seed};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use schema_check::Dialect;

proptest! {
    #![proptest_config(ProptestConfig {
        // SQLite needs no server: 64 cases take seconds; PROPTEST_CASES=2000 hunts harder.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/property_sqlite.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sqlite_histories_match_sqlite(
        seeds in prop::collection::vec(lite_seed(), 1..40),
        per_file in 1usize..5,
    ) {
        history(&seeds, per_file).check(Dialect::Sqlite).map_err(TestCaseError::fail)?;
    }
}
