use cache_contract::CacheContract;

type UserId = u32;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/types/alias_narrowing/migrations")]
struct User {
    tenant_id: String,
    id: UserId,
}

fn main() {}
