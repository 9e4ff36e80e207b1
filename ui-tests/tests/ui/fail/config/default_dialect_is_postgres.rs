use cache_contract::CacheContract;

// No `dialect`, and no `dialect` in `[package.metadata.cache-contract]`: PostgreSQL
// applies, and these MySQL backticks do not parse.
#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/config/default_dialect_is_postgres/migrations")]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
