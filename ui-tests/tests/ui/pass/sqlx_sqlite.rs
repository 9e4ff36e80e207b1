use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "notes", migrations = "tests/ui/pass/sqlx_sqlite/migrations", dialect = "sqlite")]
struct Note {
    tenant_id: String,
    id: i64,
    body: String,
    pinned: Option<i64>,
}

fn main() {
    assert_eq!(Note::KEY_COLUMNS, ["id"]);
}
