use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/unknown_field_attr/migrations")]
struct User {
    #[cache(tennant)]
    tenant_id: String,
    #[cache(primary)]
    id: i64,
}

fn main() {}
