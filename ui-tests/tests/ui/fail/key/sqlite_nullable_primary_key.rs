use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "tags", migrations = "tests/ui/fail/key/sqlite_nullable_primary_key/migrations", dialect = "sqlite")]
struct Tag {
    tenant_id: String,
    slug: String,
}

fn main() {}
