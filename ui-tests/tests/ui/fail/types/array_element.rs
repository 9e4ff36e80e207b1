use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "posts", migrations = "tests/ui/fail/types/array_element/migrations")]
struct Post {
    tenant_id: String,
    id: i64,
    tags: Vec<i32>,
}

fn main() {}
