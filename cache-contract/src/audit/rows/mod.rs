//! Where the audit reads rows: a [`RowSource`] per database, each behind its own feature
//! (`audit-postgres`, `audit-mysql`, `audit-sqlite`), so that `audit` alone links no
//! database client. Each runs the statement [`TableSpec::select`] generates and returns the
//! rows as JSON arrays of their [selected](TableSpec::selected) columns.

#[cfg(feature = "audit-mysql")]
mod mysql;
#[cfg(feature = "audit-postgres")]
mod postgres;
#[cfg(feature = "audit-sqlite")]
mod sqlite;

#[cfg(feature = "audit-mysql")]
pub use self::mysql::MySqlRows;
#[cfg(feature = "audit-postgres")]
pub use self::postgres::{DEFAULT_CONNECTIONS, PostgresRows};
#[cfg(feature = "audit-sqlite")]
pub use self::sqlite::SqliteRows;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::query::{Dialect, TableSpec};

/// One row's identity as the cache key holds it, borrowed from the key: the tenant id
/// (`None` for a global table) and the key parts, in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey<'a> {
    /// The tenant id, as its key part.
    pub tenant: Option<&'a str>,
    /// The key parts.
    pub parts: &'a [String],
}

impl<'a> RowKey<'a> {
    /// The values bound for this key, in [`TableSpec::filter_columns`] order.
    pub fn bound(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.tenant
            .into_iter()
            .chain(self.parts.iter().map(String::as_str))
    }
}

/// A row as fetched: the values of its [selected](TableSpec::selected) columns, in that
/// order.
pub type Row = Vec<Value>;

/// Why rows could not be fetched.
#[derive(Debug)]
pub struct RowError(pub String);

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fetching rows failed: {}", self.0)
    }
}

impl std::error::Error for RowError {}

/// A boxed future, as [`RowSource::fetch`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A database the audit reads rows from.
pub trait RowSource: Send + Sync {
    /// The SQL dialect of the statements it runs.
    fn dialect(&self) -> Dialect;

    /// The rows of `keys` in `spec`'s table, in any order; keys without a row are absent.
    fn fetch<'a>(
        &'a self,
        spec: &'a TableSpec,
        keys: &'a [RowKey<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, RowError>>;

    /// At most `limit` rows of one tenant in `spec`'s table (`tenant` `None`: every row of a
    /// global table), in any order, with the statement [`TableSpec::select_tenant`]
    /// generates. `Ok(None)` when the source reads no such ranges: when no index of the
    /// table begins with its tenant column (a range would read the whole table), or when the
    /// source does not implement it (the default). The audit then fetches by key.
    fn fetch_tenant<'a>(
        &'a self,
        spec: &'a TableSpec,
        tenant: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Option<Vec<Row>>, RowError>> {
        let _ = (spec, tenant, limit);
        Box::pin(async { Ok(None) })
    }
}

/// Per table, whether an index begins with its tenant column, as each source asked its
/// database's catalog once ([`TableSpec::tenant_index_query`]).
#[cfg_attr(
    not(any(
        feature = "audit-postgres",
        feature = "audit-mysql",
        feature = "audit-sqlite"
    )),
    allow(dead_code)
)]
#[derive(Debug, Default)]
pub(crate) struct TenantIndexes(std::sync::Mutex<std::collections::HashMap<&'static str, bool>>);

#[cfg_attr(
    not(any(
        feature = "audit-postgres",
        feature = "audit-mysql",
        feature = "audit-sqlite"
    )),
    allow(dead_code)
)]
impl TenantIndexes {
    /// What the catalog said of `table`, if it was asked.
    pub(crate) fn get(&self, table: &str) -> Option<bool> {
        let known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        known.get(table).copied()
    }

    /// Remembers what the catalog said of `table`.
    pub(crate) fn set(&self, table: &'static str, indexed: bool) {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        known.insert(table, indexed);
    }

    /// Whether a range of `spec`'s table may be read for `tenant`: the tenant is given
    /// exactly when the table has a tenant column. `None`: ask the catalog.
    pub(crate) fn range_allowed(&self, spec: &TableSpec, tenant: Option<&str>) -> Option<bool> {
        match (&spec.tenant_column, tenant) {
            (None, None) => Some(true),
            (Some(_), Some(_)) => self.get(spec.table),
            _ => Some(false),
        }
    }
}

/// Whether a tenant's range of one table may be read, taken into a blocking fetch task:
/// what [`TenantIndexes::range_allowed`] knows already, else how to ask the catalog once
/// (MySQL and SQLite; PostgreSQL asks on its own connection).
#[cfg(any(feature = "audit-mysql", feature = "audit-sqlite"))]
pub(crate) struct RangeGate {
    known: Option<bool>,
    query: Option<&'static str>,
    name: String,
    column: Option<&'static str>,
    table: &'static str,
    indexes: std::sync::Arc<TenantIndexes>,
}

#[cfg(any(feature = "audit-mysql", feature = "audit-sqlite"))]
impl RangeGate {
    /// The gate of `spec`'s range for `tenant` in `dialect`.
    pub(crate) fn new(
        indexes: &std::sync::Arc<TenantIndexes>,
        spec: &TableSpec,
        tenant: Option<&str>,
        dialect: Dialect,
    ) -> Self {
        RangeGate {
            known: indexes.range_allowed(spec, tenant),
            query: spec.tenant_index_query(dialect),
            name: spec.catalog_name(dialect),
            column: spec.tenant_column.map(|c| c.column),
            table: spec.table,
            indexes: indexes.clone(),
        }
    }

    /// Whether the range may be read; when that is not known yet, `count(query, table,
    /// column)` asks the catalog how many indexes lead with the tenant column, and the
    /// answer is remembered for the run.
    pub(crate) fn allowed<E>(
        self,
        count: impl FnOnce(&str, &str, &str) -> Result<u64, E>,
    ) -> Result<bool, E> {
        Ok(match (self.known, self.query, self.column) {
            (Some(allowed), _, _) => allowed,
            (None, Some(query), Some(column)) => {
                let allowed = count(query, &self.name, column)? > 0;
                self.indexes.set(self.table, allowed);
                allowed
            }
            _ => false,
        })
    }
}

/// Parses one fetched JSON array.
#[cfg_attr(
    not(any(
        feature = "audit-postgres",
        feature = "audit-mysql",
        feature = "audit-sqlite"
    )),
    allow(dead_code)
)]
pub(crate) fn parse_row(text: &str) -> Result<Row, RowError> {
    match serde_json::from_str(text) {
        Ok(Value::Array(row)) => Ok(row),
        Ok(other) => Err(RowError(format!("the row is not a JSON array: {other}"))),
        Err(e) => Err(RowError(format!("the row is not JSON: {e}"))),
    }
}
