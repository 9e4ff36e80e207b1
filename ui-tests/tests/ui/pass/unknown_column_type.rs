use cache_contract::CacheContract;

/// Columns whose type the replay could not determine (`TypeFamily::Unknown`): the derive
/// checks only their nullability (`size` is nullable, so `Option`; `backend` NOT NULL).
#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "reading_sizes", migrations = "tests/ui/pass/unknown_column_type/migrations")]
struct ReadingSize {
    #[cache(tenant)]
    tenant_id: i64,
    #[cache(key)]
    id: i64,
    size: Option<i32>,
    backend: i32,
}

fn main() {
    assert_eq!(ReadingSize::KEY_COLUMNS, ["id"]);
    let r = ReadingSize {
        tenant_id: 7,
        id: 1,
        size: None,
        backend: 42,
    };
    assert!(r.cache_key().as_str().starts_with("cc2:{t.7}:reading_sizes:"));
}
