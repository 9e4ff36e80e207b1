use cache_contract::CacheContract;

// Each field gets one of nullability and width wrong, or both: the message says which.
#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "people", migrations = "tests/ui/fail/types/width_and_nullability/migrations")]
struct Person {
    tenant_id: String,
    id: i64,
    // Nullable bigint: the `Option` is right, `i32` is too narrow.
    age: Option<i32>,
    // Nullable bigint: neither the NULL nor the width fits.
    score: i32,
    // bigint NOT NULL: the `Option` is wrong, and `i32` too narrow.
    rank: Option<i32>,
}

fn main() {}
