use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/columns/renamed/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    name: String,
}

fn main() {}
