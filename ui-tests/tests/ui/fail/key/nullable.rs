use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/key/nullable/migrations")]
struct User {
    tenant_id: String,
    #[cache(key)]
    email: Option<String>,
}

fn main() {}
