use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/key/global_not_unique/migrations", global)]
struct User {
    #[cache(key)]
    id: i64,
}

fn main() {}
