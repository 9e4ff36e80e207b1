use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/columns/explicit_column_missing/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    #[cache(column = "mail")]
    email: Option<String>,
}

fn main() {}
