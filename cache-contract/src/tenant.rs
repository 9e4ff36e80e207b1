//! Tenants: who a cached value belongs to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The tenant a value, key or invalidation belongs to: a tenant's id (any string: a UUID,
/// a number, a slug), or the explicit global scope of tables marked `#[cache(global)]`.
///
/// ```
/// use cache_contract::TenantId;
/// let t = TenantId::new(42);
/// assert_eq!(t.as_str(), Some("42"));
/// assert!(TenantId::global().is_global());
/// assert_ne!(TenantId::new("global"), TenantId::global());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(Option<String>);

impl TenantId {
    /// The tenant whose id displays as `id`.
    pub fn new(id: impl fmt::Display) -> Self {
        TenantId(Some(id.to_string()))
    }

    /// The tenant whose id is `id`, taking the string as is (no formatting, no copy).
    ///
    /// ```
    /// use cache_contract::TenantId;
    /// assert_eq!(TenantId::from_string("acme".to_string()), TenantId::new("acme"));
    /// ```
    pub fn from_string(id: String) -> Self {
        TenantId(Some(id))
    }

    /// The global scope, for tables that explicitly opted out of tenancy.
    pub const fn global() -> Self {
        TenantId(None)
    }

    /// The tenant's id, or `None` for the global scope.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether this is the global scope.
    pub fn is_global(&self) -> bool {
        self.0.is_none()
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(t) => write!(f, "TenantId({t:?})"),
            None => f.write_str("TenantId(global)"),
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(t) => f.write_str(t),
            None => f.write_str("<global>"),
        }
    }
}

/// A value that belongs to a tenant. Derived by `#[derive(CacheContract)]` from the
/// struct's tenant field.
pub trait TenantScoped {
    /// The tenant this value belongs to.
    fn tenant(&self) -> TenantId;
}
