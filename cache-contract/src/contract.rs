//! The `CacheContract` trait: what the derive proves about a cache struct.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::key::{CacheKey, ContractHash};
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
    /// The column type's family: the name of its marker in [`sql`](crate::sql) (`Bool`,
    /// `Int8`, `Numeric`, `Text`, `Timestamptz`, `Enum`, `Other`, ...), arrays spelled
    /// `Array<Element>` (e.g. `Array<Text>`); nullability is [`nullable`](Self::nullable).
    pub family: &'static str,
}

/// The mapped fields of a struct, in declaration order: [`CacheContract::COLUMNS`].
///
/// The derive writes them as one string literal rather than an array of structs (one
/// literal is far less for rustc to check than a struct expression per field); this reads
/// them back as [`ColumnMapping`]s.
///
/// ```
/// use cache_contract::Columns;
///
/// let columns = Columns::from_packed(
///     "tenant_id\0tenant_id\0uuid\00\0Uuid\0email\0email\0text\01\0Text\0",
/// );
/// assert_eq!(columns.len(), 2);
/// let email = columns.get(1).unwrap();
/// assert_eq!((email.column, email.sql_type, email.nullable), ("email", "text", true));
/// assert_eq!(email.family, "Text");
/// assert_eq!(columns.iter().map(|c| c.field).collect::<Vec<_>>(), ["tenant_id", "email"]);
/// assert_eq!(columns.find("email"), Some(email));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Columns {
    packed: &'static str,
}

impl Columns {
    /// Columns from their packed form: for every column its field name, column name, SQL
    /// type, `1` (nullable) or `0`, and family, each followed by a NUL character (names
    /// cannot hold one: the derive refuses them). The empty string holds no columns.
    ///
    /// # Panics
    ///
    /// Reading columns from a string not of that form (one the derive did not write) panics.
    pub const fn from_packed(packed: &'static str) -> Self {
        Columns { packed }
    }

    /// The columns, in declaration order.
    pub fn iter(&self) -> ColumnsIter {
        ColumnsIter {
            parts: self.packed.split_terminator('\0'),
        }
    }

    /// How many fields are mapped.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// `true` when no field is mapped.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// The `index`th mapped field.
    pub fn get(&self, index: usize) -> Option<ColumnMapping> {
        self.iter().nth(index)
    }

    /// The mapping of the field named `field`.
    pub fn find(&self, field: &str) -> Option<ColumnMapping> {
        self.iter().find(|c| c.field == field)
    }
}

impl fmt::Debug for Columns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl IntoIterator for Columns {
    type Item = ColumnMapping;
    type IntoIter = ColumnsIter;

    fn into_iter(self) -> ColumnsIter {
        self.iter()
    }
}

/// The iterator of [`Columns::iter`].
#[derive(Debug, Clone)]
pub struct ColumnsIter {
    parts: std::str::SplitTerminator<'static, char>,
}

impl Iterator for ColumnsIter {
    type Item = ColumnMapping;

    fn next(&mut self) -> Option<ColumnMapping> {
        let field = self.parts.next()?;
        let mut next = || self.parts.next().expect("a packed column has five parts");
        Some(ColumnMapping {
            field,
            column: next(),
            sql_type: next(),
            nullable: next() == "1",
            family: next(),
        })
    }
}

/// What the derive proved about a struct's table, in one constant: [`CacheContract::CONTRACT`].
/// The trait's other constants read their values from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// The table the struct caches rows of.
    pub table: &'static str,
    /// blake3 of the table's canonical definition and the field mapping.
    pub contract_hash: ContractHash,
    /// The mapped fields, in declaration order, packed as [`Columns::from_packed`] reads
    /// them (a plain literal in the generated code); read them through
    /// [`CacheContract::COLUMNS`].
    pub columns: &'static str,
    /// The columns that make up the key, in key order.
    pub key_columns: &'static [&'static str],
    /// The tenant's column; `None` for tables that opted out of tenancy with
    /// `#[cache(global)]`.
    pub tenant_column: Option<&'static str>,
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
    const CONTRACT_HASH: ContractHash = Self::CONTRACT.contract_hash;
    /// The mapped fields, in declaration order.
    const COLUMNS: Columns = Columns::from_packed(Self::CONTRACT.columns);
    /// The columns that make up the key, in key order.
    const KEY_COLUMNS: &'static [&'static str] = Self::CONTRACT.key_columns;
    /// The tenant's column; `None` for tables that opted out of tenancy with
    /// `#[cache(global)]`.
    const TENANT_COLUMN: Option<&'static str> = Self::CONTRACT.tenant_column;
    /// `true` for tables that opted out of tenancy with `#[cache(global)]`.
    const GLOBAL: bool = Self::CONTRACT.tenant_column.is_none();

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
            &Self::CONTRACT_HASH,
            Self::key_parts(key),
        )
    }

    /// The cache key of this value.
    fn cache_key(&self) -> CacheKey {
        CacheKey::from_parts(
            self.tenant(),
            Self::TABLE,
            &Self::CONTRACT_HASH,
            Self::key_parts(&self.key()),
        )
    }
}
