use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "points", migrations = "tests/ui/fail/key/not_a_key_part/migrations")]
struct Point {
    tenant_id: String,
    x: f64,
}

fn main() {}
