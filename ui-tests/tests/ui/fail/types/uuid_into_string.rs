use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/types/uuid_into_string/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    owner: String,
}

fn main() {}
