use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/config/missing_directory/no_such_dir")]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
