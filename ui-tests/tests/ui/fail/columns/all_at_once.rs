use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/columns/all_at_once/migrations")]
struct User {
    tenant_id: String,
    id: i32,
    nmae: String,
    email: String,
    #[cache(colum = "x")]
    extra: bool,
}

fn main() {}
