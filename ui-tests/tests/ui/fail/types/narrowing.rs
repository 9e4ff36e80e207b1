use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/types/narrowing/migrations")]
struct User {
    tenant_id: String,
    id: i32,
}

fn main() {}
