use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/tenant/global_with_tenant/migrations", global)]
struct User {
    #[cache(tenant)]
    tenant_id: String,
    id: i64,
}

fn main() {}
