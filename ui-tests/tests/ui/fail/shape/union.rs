use cache_contract::CacheContract;

#[derive(CacheContract)]
#[cache(table = "users", migrations = "tests/ui/fail/shape/union/migrations")]
union User {
    id: i64,
}

fn main() {}
