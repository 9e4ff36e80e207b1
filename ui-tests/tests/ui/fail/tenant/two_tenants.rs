use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/tenant/two_tenants/migrations")]
struct User {
    #[cache(tenant)]
    tenant_id: String,
    #[cache(tenant)]
    name: String,
    id: i64,
}

fn main() {}
