use cache_contract::{CacheContract, TenantId, TenantScoped};

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "memberships", migrations = "tests/ui/pass/attributes/migrations", crate = "::cache_contract")]
struct Membership {
    #[cache(tenant)]
    org: i64,
    #[cache(key)]
    user_id: i64,
    #[cache(key)]
    team_id: i32,
    #[cache(column = "role")]
    r#type: String,
    #[cache(skip)]
    loaded: bool,
}

#[derive(CacheContract, serde::Serialize, serde::Deserialize)]
#[cache(table = "countries", migrations = "tests/ui/pass/attributes/migrations", global)]
struct Country {
    code: String,
    name: String,
}

fn main() {
    assert_eq!(Membership::KEY_COLUMNS, ["user_id", "team_id"]);
    let m = Membership { org: 1, user_id: 2, team_id: 3, r#type: "admin".into(), loaded: false };
    let key: (i64, i32) = m.key();
    assert_eq!(key, (2, 3));
    assert!(m.cache_key().as_str().starts_with("cc2:{t.1}:memberships:"));
    assert!(m.cache_key().as_str().ends_with(":2:3"));
    assert!(Country::GLOBAL);
    assert_eq!(Country::TENANT_COLUMN, None);
    assert_eq!(Membership::TENANT_COLUMN, Some("org"));
    let c = Country { code: "FR".into(), name: "France".into() };
    assert_eq!(c.tenant(), TenantId::global());
    assert!(c.cache_key().as_str().starts_with("cc2:{global}:countries:"));
}
