use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(tabel = "users", migrations = "tests/ui/fail/attr/unknown_struct_attr/migrations")]
struct User {
    tenant_id: String,
    id: i64,
}

fn main() {}
