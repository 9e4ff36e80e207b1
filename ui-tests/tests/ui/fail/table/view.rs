use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "active_users", migrations = "tests/ui/fail/table/view/migrations")]
struct ActiveUser {
    tenant_id: String,
    id: i64,
}

fn main() {}
