use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/types/option_for_not_null/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    name: Option<String>,
}

fn main() {}
