use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/types/text_into_integer/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    name: i64,
}

fn main() {}
