use cache_contract::CacheContract;

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "projects", migrations = "tests/ui/pass/diesel_postgres/migrations")]
struct Project {
    tenant_id: uuid::Uuid,
    slug: String,
    name: String,
}

fn main() {
    // The key defaults to the primary key (tenant_id, slug) minus the tenant.
    assert_eq!(Project::KEY_COLUMNS, ["slug"]);
}
