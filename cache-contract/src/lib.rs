//! cache-contract: multi-tenant cache structs proven consistent with their SQL tables at
//! compile time, and kept coherent at run time.
//!
//! ```text
//! use cache_contract::CacheContract;
//!
//! #[derive(CacheContract, serde::Serialize, serde::Deserialize)]
//! #[cache(table = "users")]
//! struct User {
//!     #[cache(tenant)]
//!     tenant_id: uuid::Uuid,
//!     #[cache(key)]
//!     id: i64,
//!     name: String,
//!     email: Option<String>,
//! }
//! ```
//!
//! The derive replays the crate's SQL migrations (`migrations/` next to `Cargo.toml` by
//! default) and refuses to compile a struct that drifted from its table. See the
//! `cache-contract-derive` crate for the attributes.
//!
//! # Features
//!
//! - `derive` (default): re-exports `#[derive(CacheContract)]`;
//! - `chrono`, `time`, `uuid`, `serde_json`, `rust_decimal`, `bytes`: [`sql::HoldsSql`]
//!   (and, for `uuid`, [`KeyPart`]) implementations for those crates' types.

pub mod build;
pub mod contract;
pub mod key;
pub mod key_part;
pub mod sql;
pub mod tenant;

pub mod envelope;
pub mod invalidation;
pub mod metrics;
#[cfg(test)]
mod testing;
pub mod tiered;

pub use contract::{CacheContract, ColumnMapping};
pub use key::{CacheKey, KeyParseError, SchemaHash};
pub use key_part::KeyPart;
pub use tenant::{TenantId, TenantScoped};

pub use invalidation::{Event, Invalidation, Publisher, Subscriber};
pub use tiered::TieredCache;

#[cfg(feature = "derive")]
pub use cache_contract_derive::CacheContract;

/// Items the derive's generated code names. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::contract::{CacheContract, ColumnMapping};
    pub use crate::key::{CacheKey, SchemaHash};
    pub use crate::key_part::KeyPart;
    pub use crate::sql;
    pub use crate::tenant::{TenantId, TenantScoped};
    pub use serde;
    pub use std::string::String;
    pub use std::vec::Vec;
}
