use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "counters", migrations = "tests/ui/fail/types/mysql_unsigned/migrations", dialect = "mysql")]
struct Counter {
    tenant_id: String,
    id: i64,
    hits: i64,
}

fn main() {}
