use cache_contract::CacheContract;

// A primary key of 13 columns besides the tenant: one more than a cache key can have.
#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "wide", migrations = "tests/ui/fail/key/too_many_fields/migrations")]
struct Wide {
    tenant_id: String,
    c0: i64,
    c1: i64,
    c2: i64,
    c3: i64,
    c4: i64,
    c5: i64,
    c6: i64,
    c7: i64,
    c8: i64,
    c9: i64,
    c10: i64,
    c11: i64,
    c12: i64,
}

fn main() {}
