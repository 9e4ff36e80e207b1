use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(migrations = "tests/ui/fail/attr/missing_table/migrations")]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
