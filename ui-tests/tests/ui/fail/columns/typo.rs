use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/columns/typo/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    nmae: String,
}

fn main() {}
