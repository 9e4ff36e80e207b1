use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/tenant/missing/migrations")]
struct User {
    #[cache(key)]
    id: i64,
    name: String,
}

fn main() {}
