use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/tenant/column_missing/migrations")]
struct User {
    #[cache(tenant)]
    org_id: String,
    id: i64,
}

fn main() {}
