//! Property test: random DDL histories (from a model that knows what PostgreSQL will do)
//! are applied to a fresh PostgreSQL database per case; the model must predict what the
//! server built, and `schema-check`'s replay of the same files must agree with it.

use cache_contract_tests::ddl_model::{history, op_seed};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use schema_check::Dialect;

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
        history(&seeds, per_file).check(Dialect::Postgres).map_err(TestCaseError::fail)?;
    }
}
