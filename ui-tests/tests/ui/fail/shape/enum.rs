use cache_contract::CacheContract;

#[derive(CacheContract)]
#[cache(table = "users", migrations = "tests/ui/fail/shape/enum/migrations")]
enum User {
    Admin,
}

fn main() {}
