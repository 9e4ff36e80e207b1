use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "prices", migrations = "tests/ui/fail/types/sqlite_real_into_f32/migrations", dialect = "sqlite")]
struct Price {
    tenant_id: String,
    id: i64,
    amount: f32,
}

fn main() {}
