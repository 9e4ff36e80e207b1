use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "user", migrations = "tests/ui/fail/table/typo/migrations")]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
