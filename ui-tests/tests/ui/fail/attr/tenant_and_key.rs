use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/tenant_and_key/migrations")]
struct User {
    #[cache(tenant, key)]
    tenant_id: String,
    id: i64,
}

fn main() {}
