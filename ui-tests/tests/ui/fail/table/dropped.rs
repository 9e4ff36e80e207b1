use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "sessions", migrations = "tests/ui/fail/table/dropped/migrations")]
struct Session {
    tenant_id: String,
    id: i64,
}

fn main() {}
