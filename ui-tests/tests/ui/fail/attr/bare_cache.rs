use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/bare_cache/migrations")]
#[cache]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
