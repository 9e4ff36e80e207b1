use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "readings", migrations = "tests/ui/fail/key/composite_not_a_key_part/migrations")]
struct Reading {
    tenant_id: String,
    sensor: i64,
    at: f64,
    value: f64,
}

fn main() {}
