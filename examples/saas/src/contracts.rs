//! The cache contracts of the example service: one struct per cached table, each checked at
//! compile time against the final schema of `migrations/`.

use cache_contract::CacheContract;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant (`tenants`): the one global table, keyed by its id.
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "tenants", global)]
pub struct Tenant {
    /// The tenant's id, the `tenant_id` of its rows elsewhere.
    #[cache(key)]
    pub id: Uuid,
    /// The tenant's unique short name.
    pub slug: String,
    /// The tenant's display name.
    pub name: String,
    /// When the tenant signed up.
    pub created_at: DateTime<Utc>,
    /// `free`, `pro` or `enterprise` (the `plan` enum).
    pub plan: String,
}

/// A user of a tenant (`users`).
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "users")]
pub struct User {
    /// The tenant the user belongs to.
    pub tenant_id: Uuid,
    /// The user's id within the tenant.
    pub id: i64,
    /// Unique within the tenant.
    pub email: String,
    /// Renamed from `display_name` by `20240212140000_rename_display_name.sql`.
    pub full_name: Option<String>,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// Kept current by the `users_touch_updated_at` trigger.
    pub updated_at: DateTime<Utc>,
}

/// A project of a tenant (`projects`).
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "projects")]
pub struct Project {
    /// The tenant the project belongs to.
    pub tenant_id: Uuid,
    /// The project's id within the tenant.
    pub id: i64,
    /// The user who created it; projects outlive their owners, so nullable.
    pub owner_id: Option<i64>,
    /// The project's name.
    pub name: String,
    /// Archived projects are hidden from `active_projects`.
    pub archived: bool,
    /// Added by `20240301110000_project_descriptions.sql`, NOT NULL since.
    pub description: String,
}

/// An API key of a user (`api_keys`); the secret itself is never stored, only its hash.
#[derive(CacheContract, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cache(table = "api_keys")]
pub struct ApiKey {
    /// The tenant the key belongs to.
    pub tenant_id: Uuid,
    /// The key's id.
    pub id: Uuid,
    /// The user the key acts as.
    pub user_id: i64,
    /// The public prefix (`char(8)`), unique within the tenant.
    pub prefix: String,
    /// The hash of the secret.
    pub secret_hash: Vec<u8>,
    /// What the key may do.
    pub scopes: Vec<String>,
    /// `timestamptz` since `20240220093000_api_keys_last_used_tz.sql`.
    pub last_used_at: Option<DateTime<Utc>>,
}
