//! cache-contract: multi-tenant cache structs proven consistent with their SQL tables at
//! compile time, and kept coherent at run time.

pub mod contract;
pub mod key;
pub mod tenant;

pub mod envelope;
pub mod invalidation;
pub mod metrics;
#[cfg(test)]
mod testing;
pub mod tiered;

pub use contract::{CacheContract, ColumnMapping};
pub use key::{CacheKey, KeyParseError, SchemaHash};
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
    pub use crate::tenant::{TenantId, TenantScoped};
    pub use serde;
}
