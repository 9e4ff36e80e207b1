use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/missing_value/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    #[cache(column)]
    full_name: String,
}

fn main() {}
