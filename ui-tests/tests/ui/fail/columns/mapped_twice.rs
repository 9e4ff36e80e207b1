use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/columns/mapped_twice/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    #[cache(column = "id")]
    user_id: i64,
}

fn main() {}
