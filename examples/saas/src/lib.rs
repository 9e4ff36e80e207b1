//! The example SaaS service: multi-tenant `users`, `projects` and `api_keys` over the
//! migrations in `migrations/`, cached through contracts the derive checks against them.
//!
//! `contracts` holds one cache struct per table; a migration that drifts from a struct
//! fails `cargo build -p saas` at the field.
//!
//! ```
//! use cache_contract::{CacheContract, TenantId};
//! use saas::contracts::{ApiKey, Tenant, User};
//!
//! assert!(Tenant::GLOBAL);
//! assert_eq!(User::KEY_COLUMNS, ["id"]);
//! assert_eq!(ApiKey::KEY_COLUMNS, ["id"]);
//! let key = User::cache_key_for(&TenantId::new("8d1e…"), &7);
//! assert!(key.as_str().starts_with("cc2:{t.8d1e%E2%80%A6}:users:"));
//! ```

pub mod app;
pub mod contracts;
pub mod migrate;
pub mod varnish;
