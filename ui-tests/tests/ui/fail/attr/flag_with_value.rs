use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/flag_with_value/migrations")]
struct User {
    tenant_id: String,
    #[cache(key = true)]
    id: i64,
}

fn main() {}
