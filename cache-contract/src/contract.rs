//! The `CacheContract` trait: what the derive proves about a cache struct.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::key::{CacheKey, SchemaHash};
use crate::key_part::KeyParts;
use crate::tenant::{TenantId, TenantScoped};

/// How one struct field maps to a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The Rust field name.
    pub field: &'static str,
    /// The column name (canonical).
    pub column: &'static str,
    /// The column's canonical SQL type, as replayed from the migrations.
    pub sql_type: &'static str,
    /// Whether the column is nullable.
    pub nullable: bool,
}

/// What the derive proved about a struct's table, in one constant: [`CacheContract::CONTRACT`].
/// The trait's other constants read their values from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// The table the struct caches rows of.
    pub table: &'static str,
    /// blake3 of the table's canonical definition and the field mapping.
    pub schema_hash: SchemaHash,
    /// The mapped fields, in declaration order.
    pub columns: &'static [ColumnMapping],
    /// The columns that make up the key, in key order.
    pub key_columns: &'static [&'static str],
    /// `true` for tables that opted out of tenancy with `#[cache(global)]`.
    pub global: bool,
}

/// A cache struct proven consistent with its SQL table. Implemented by
/// `#[derive(CacheContract)]`; implementing it by hand gives up the compile-time checks.
pub trait CacheContract:
    TenantScoped + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// Everything below, as the derive wrote it: one item per struct for rustc to check.
    /// Read the constants below rather than this; do not override them.
    const CONTRACT: Contract;
    /// The table the struct caches rows of.
    const TABLE: &'static str = Self::CONTRACT.table;
    /// blake3 of the table's canonical definition and the field mapping.
    const SCHEMA_HASH: SchemaHash = Self::CONTRACT.schema_hash;
    /// The mapped fields, in declaration order.
    const COLUMNS: &'static [ColumnMapping] = Self::CONTRACT.columns;
    /// The columns that make up the key, in key order.
    const KEY_COLUMNS: &'static [&'static str] = Self::CONTRACT.key_columns;
    /// `true` for tables that opted out of tenancy with `#[cache(global)]`.
    const GLOBAL: bool = Self::CONTRACT.global;

    /// The key: the key field's type, or a tuple of them for composite keys.
    type Key: KeyParts;

    /// The key of this value.
    fn key(&self) -> Self::Key;

    /// The key's parts as strings, in key order.
    fn key_parts(key: &Self::Key) -> Vec<String> {
        key.key_parts()
    }

    /// The cache key of the row `key` of `tenant`, without a value at hand.
    fn cache_key_for(tenant: &TenantId, key: &Self::Key) -> CacheKey {
        CacheKey::new(
            tenant,
            Self::TABLE,
            &Self::SCHEMA_HASH,
            Self::key_parts(key),
        )
    }

    /// The cache key of this value.
    fn cache_key(&self) -> CacheKey {
        CacheKey::from_parts(
            self.tenant(),
            Self::TABLE,
            &Self::SCHEMA_HASH,
            Self::key_parts(&self.key()),
        )
    }
}
