use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "shifts", migrations = "tests/ui/fail/types/timetz_has_no_builtin/migrations")]
struct Shift {
    tenant_id: String,
    id: i64,
    starts: chrono::NaiveTime,
}

fn main() {}
