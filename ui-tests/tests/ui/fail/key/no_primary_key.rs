use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "events", migrations = "tests/ui/fail/key/no_primary_key/migrations")]
struct Event {
    tenant_id: String,
    kind: String,
}

fn main() {}
