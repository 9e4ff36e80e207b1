use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/types/enum_into_integer/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    mood: i32,
}

fn main() {}
