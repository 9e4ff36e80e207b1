//! Property test: random MySQL DDL histories (CHANGE, MODIFY, FIRST/AFTER, RENAME TABLE,
//! key changes...) from a model that knows what MariaDB does are applied to a fresh
//! MariaDB database per case; the model must predict what the server built, and
//! `schema-check`'s replay of the same files must agree with it.

use cache_contract_tests::mysql_model::{history, my_seed};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use schema_check::Dialect;

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
        history(&seeds, per_file).check(Dialect::Mysql).map_err(TestCaseError::fail)?;
    }
}
