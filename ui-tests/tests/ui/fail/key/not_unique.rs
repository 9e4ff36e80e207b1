use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/key/not_unique/migrations")]
struct User {
    tenant_id: String,
    #[cache(key)]
    name: String,
}

fn main() {}
