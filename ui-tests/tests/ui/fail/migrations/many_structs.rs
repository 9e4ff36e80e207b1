// A broken migration fails every struct over the directory: the first derive shows the
// errors in full, the others point there instead of repeating them.
use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/migrations/many_structs/migrations")]
struct User {
    tenant_id: String,
    id: i64,
    name: String,
}

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "projects", migrations = "tests/ui/fail/migrations/many_structs/migrations")]
struct Project {
    tenant_id: String,
    id: i64,
}

fn main() {}
