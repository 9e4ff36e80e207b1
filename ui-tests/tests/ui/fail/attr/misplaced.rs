use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/misplaced/migrations", skip)]
struct User {
    tenant_id: String,
    #[cache(table = "users")]
    id: i64,
}

fn main() {}
