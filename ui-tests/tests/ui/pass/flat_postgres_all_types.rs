use cache_contract::{CacheContract, TenantId};

/// An e-mail address: a user type holding a `text` column.
#[derive(serde::Serialize, serde::Deserialize)]
struct Email(String);
impl cache_contract::sql::HoldsSql<cache_contract::sql::Text> for Email {}

/// A network address, kept as text: `inet` has no built-in Rust type, so this one opts in.
#[derive(serde::Serialize, serde::Deserialize)]
struct Inet(String);
impl cache_contract::sql::HoldsSql<cache_contract::sql::Other> for Inet {}

/// An `interval`, as months, days and microseconds (what PostgreSQL stores).
#[derive(serde::Serialize, serde::Deserialize)]
struct Interval {
    months: i32,
    days: i32,
    micros: i64,
}
impl cache_contract::sql::HoldsSql<cache_contract::sql::Interval> for Interval {}

type Count = i64;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "everything", migrations = "tests/ui/pass/flat_postgres_all_types/migrations")]
struct Everything {
    tenant_id: uuid::Uuid,
    id: i64,
    small: i32,
    normal: Count,
    flag: bool,
    ratio: f64,
    price: rust_decimal::Decimal,
    title: String,
    code: Box<str>,
    email: Option<Email>,
    raw: Vec<u8>,
    born: chrono::NaiveDate,
    alarm: chrono::NaiveTime,
    local: chrono::NaiveDateTime,
    created: chrono::DateTime<chrono::Utc>,
    seen: Option<time::OffsetDateTime>,
    doc: serde_json::Value,
    tags: Vec<String>,
    scores: Option<Vec<i64>>,
    mood: String,
    blob: bytes::Bytes,
    precise: f64,
    day: time::Date,
    stamp: time::PrimitiveDateTime,
    ip: Inet,
    wait: Interval,
    #[cache(skip)]
    cached_at: u64,
}

fn main() {
    assert_eq!(Everything::TABLE, "everything");
    assert_eq!(Everything::KEY_COLUMNS, ["id"]);
    assert!(!Everything::GLOBAL);
    assert_eq!(Everything::COLUMNS.len(), 26);
    assert_eq!(Everything::TENANT_COLUMN, Some("tenant_id"));
    // Each column's type family, as the audit normalises values by it.
    let families: Vec<(&str, &str)> =
        Everything::COLUMNS.iter().map(|c| (c.column, c.family)).collect();
    assert_eq!(
        families,
        [
            ("tenant_id", "Uuid"), ("id", "Int8"), ("small", "Int2"), ("normal", "Int4"),
            ("flag", "Bool"), ("ratio", "Float4"), ("price", "Numeric"), ("title", "Text"),
            ("code", "Text"), ("email", "Text"), ("raw", "Bytes"), ("born", "Date"),
            ("alarm", "Time"), ("local", "Timestamp"), ("created", "Timestamptz"),
            ("seen", "Timestamptz"), ("doc", "Json"), ("tags", "Array<Text>"),
            ("scores", "Array<Int8>"), ("mood", "Enum"), ("blob", "Bytes"),
            ("precise", "Float8"), ("day", "Date"), ("stamp", "Timestamp"), ("ip", "Other"),
            ("wait", "Interval"),
        ]
    );
    let key = Everything::cache_key_for(&TenantId::new("acme"), &42);
    assert!(key.as_str().starts_with("cc2:{t.acme}:everything:"), "{key}");
    assert!(key.as_str().ends_with(":42"), "{key}");
}
