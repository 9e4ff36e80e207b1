use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "Userz", migrations = "tests/ui/fail/table/mysql_case/migrations", dialect = "mysql")]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
