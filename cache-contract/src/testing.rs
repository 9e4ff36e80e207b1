//! The struct of the crate's unit tests, derived against `tests/migrations/` like the
//! integration tests' (the derive is a dev-dependency, so this needs no feature).

use cache_contract_derive::CacheContract;
use serde::{Deserialize, Serialize};

/// A row of the test table `rows`.
#[derive(CacheContract, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cache(table = "rows", migrations = "tests/migrations", crate = "crate")]
pub struct Row {
    #[cache(tenant)]
    pub tenant: String,
    pub id: i64,
    pub name: String,
}

pub fn row(tenant: &str, id: i64, name: &str) -> Row {
    Row {
        tenant: tenant.to_string(),
        id,
        name: name.to_string(),
    }
}
