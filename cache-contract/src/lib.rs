//! cache-contract: multi-tenant cache structs proven consistent with their SQL tables at
//! compile time, and kept coherent at run time.
//!
//! ```
//! use cache_contract::{CacheContract, TenantId};
//!
//! // tests/doc_migrations/0001_users.sql:
//! //   CREATE TABLE users (tenant_id text NOT NULL, id bigserial, name text NOT NULL,
//! //                       email text, PRIMARY KEY (tenant_id, id));
//! #[derive(CacheContract, serde::Serialize, serde::Deserialize)]
//! #[cache(table = "users", migrations = "tests/doc_migrations")]
//! struct User {
//!     tenant_id: String, // the tenant: `#[cache(tenant)]` is implied by the name
//!     id: i64,           // the key: the primary key minus the tenant
//!     name: String,
//!     email: Option<String>, // nullable column, so `Option`
//!     #[cache(skip)]
//!     display: String, // not stored in the table
//! }
//!
//! assert_eq!(User::KEY_COLUMNS, ["id"]);
//! let key = User::cache_key_for(&TenantId::new("acme"), &42);
//! assert!(key.as_str().starts_with("cc2:{t.acme}:users:"));
//! assert!(key.as_str().ends_with(":42"));
//! ```
//!
//! The derive replays the crate's SQL migrations (`migrations/` next to `Cargo.toml` by
//! default) and refuses to compile a struct that drifted from its table. See the
//! `cache-contract-derive` crate for the attributes.
//!
//! # Features
//!
//! - `derive` (default): re-exports `#[derive(CacheContract)]`;
//! - `runtime` (default): the `invalidation`, `tiered` and `metrics` modules (tokio, moka,
//!   `metrics`, `tracing`). Without it the crate is the contract alone — traits, keys,
//!   envelopes, SQL type markers — which is all a crate that only defines cache structs
//!   needs: `cache-contract = { version = "0.1", default-features = false, features =
//!   ["derive"] }`;
//! - `redis` (default, implies `runtime`): the Redis tier and the Redis Pub/Sub and
//!   Streams transports;
//! - `edge` (off by default, implies `runtime`): the `edge` module — surrogate-key tags, a
//!   tower layer, purge plans and the Varnish, Fastly and Cloudflare purge executors (hyper,
//!   rustls);
//! - `audit` (off by default, implies `redis`): [`audit`], the consistency audit of Redis
//!   entries against their database rows; the row fetch of each database is its own feature
//!   (`audit-postgres`, `audit-mysql`, `audit-sqlite`), so `audit` alone links no client;
//! - `chrono`, `time`, `uuid`, `serde_json`, `rust_decimal`, `bytes`: [`sql::HoldsSql`]
//!   (and, for `uuid`, [`KeyPart`]) implementations for those crates' types.

#[cfg(feature = "audit")]
pub mod audit;
pub mod build;
pub mod contract;
#[cfg(feature = "redis")]
pub mod endpoint;
pub mod key;
pub mod key_part;
pub mod sql;
pub mod tenant;

#[cfg(feature = "edge")]
pub mod edge;
pub mod envelope;
#[cfg(feature = "runtime")]
pub mod invalidation;
#[cfg(feature = "runtime")]
pub mod metrics;
#[cfg(test)]
mod testing;
#[cfg(feature = "runtime")]
pub mod tiered;

pub use contract::{CacheContract, ColumnMapping, Columns, ColumnsIter, Contract};
pub use key::{CacheKey, ContractHash, KeyParseError};
pub use key_part::{KeyPart, KeyParts};
pub use tenant::{TenantId, TenantScoped};

#[cfg(feature = "runtime")]
pub use invalidation::{Event, Invalidation, Publisher, Subscriber};
#[cfg(feature = "runtime")]
pub use tiered::TieredCache;

#[cfg(feature = "derive")]
pub use cache_contract_derive::CacheContract;

/// Items the derive's generated code names. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::contract::{CacheContract, Contract};
    pub use crate::key::{CacheKey, ContractHash};
    pub use crate::key_part::{KeyPart, MAX_KEY_PARTS};
    pub use crate::sql;
    // The markers and `HoldsSql` one path segment closer: type checks name one per field.
    pub use crate::sql::*;
    pub use crate::tenant::{TenantId, TenantScoped};
    pub use serde;
    pub use std::string::String;
    pub use std::vec::Vec;
}
