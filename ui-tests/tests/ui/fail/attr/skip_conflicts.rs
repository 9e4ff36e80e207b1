use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/attr/skip_conflicts/migrations")]
struct User {
    tenant_id: String,
    #[cache(skip, key)]
    id: i64,
}

fn main() {}
