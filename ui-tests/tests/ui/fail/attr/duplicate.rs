use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/duplicate/migrations")]
#[cache(table = "users")]
struct User {
    tenant_id: String,
    #[cache(key, key)]
    id: i64,
}

fn main() {}
