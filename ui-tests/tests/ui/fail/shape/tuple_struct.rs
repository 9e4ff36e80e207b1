use cache_contract::CacheContract;

#[derive(CacheContract)]
#[cache(table = "users", migrations = "tests/ui/fail/shape/tuple_struct/migrations")]
struct User(String, i64);

fn main() {}
