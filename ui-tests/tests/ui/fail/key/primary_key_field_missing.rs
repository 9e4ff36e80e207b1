use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/fail/key/primary_key_field_missing/migrations")]
struct User {
    tenant_id: String,
    name: String,
}

fn main() {}
