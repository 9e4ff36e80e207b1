use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "notes", migrations = "tests/ui/pass/sqlx_sqlite/migrations", dialect = "sqlite")]
struct Note {
    tenant_id: String,
    id: i64,
    body: String,
    pinned: Option<i64>,
}

/// `id INTEGER PRIMARY KEY` without `NOT NULL` is the rowid alias, which SQLite never
/// lets hold NULL: the replay makes it `NOT NULL`, so it is a valid key of a plain `i64`.
#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "tags", migrations = "tests/ui/pass/sqlx_sqlite/migrations", dialect = "sqlite")]
struct Tag {
    id: i64,
    tenant_id: String,
    name: String,
}

fn main() {
    assert_eq!(Note::KEY_COLUMNS, ["id"]);
    assert_eq!(Tag::KEY_COLUMNS, ["id"]);
    assert!(!Tag::COLUMNS.get(0).unwrap().nullable);
}
