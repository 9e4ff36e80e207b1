use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "users", migrations = "tests/ui/pass/unique_constraint_key/migrations")]
struct UserByEmail {
    tenant_id: uuid::Uuid,
    #[cache(key)]
    email: String,
    id: i64,
}

fn main() {
    assert_eq!(UserByEmail::KEY_COLUMNS, ["email"]);
}
