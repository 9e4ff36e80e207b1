use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "Orders", migrations = "tests/ui/pass/flyway_mysql/migrations", dialect = "mysql")]
struct Order {
    #[cache(tenant)]
    shop_id: u32,
    #[cache(key)]
    order_no: u64,
    #[cache(column = "Status")]
    status: String,
    paid: bool,
    total: rust_decimal::Decimal,
    placed_at: chrono::DateTime<chrono::Utc>,
    shipped_at: Option<chrono::NaiveDateTime>,
    notes: Option<String>,
    priority: i8,
}

fn main() {
    assert_eq!(Order::KEY_COLUMNS, ["order_no"]);
    let o = Order {
        shop_id: 3,
        order_no: 10,
        status: "new".into(),
        paid: false,
        total: rust_decimal::Decimal::ZERO,
        placed_at: chrono::DateTime::UNIX_EPOCH,
        shipped_at: None,
        notes: None,
        priority: 0,
    };
    assert!(o.cache_key().as_str().starts_with("cc2:{t.3}:Orders:"));
}
