//! SQLite rows over rusqlite (feature `audit-sqlite`), on tokio's blocking threads.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::{BoxFuture, RangeGate, Row, RowError, RowKey, RowSource, TenantIndexes, parse_row};
use crate::audit::query::{Dialect, TableSpec};

/// Rows from one SQLite database.
#[derive(Clone)]
pub struct SqliteRows {
    conn: Arc<Mutex<Connection>>,
    indexes: Arc<TenantIndexes>,
}

impl SqliteRows {
    /// Reads rows through `conn`.
    pub fn new(conn: Connection) -> Self {
        SqliteRows {
            conn: Arc::new(Mutex::new(conn)),
            indexes: Arc::default(),
        }
    }

    /// Opens the database file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, RowError> {
        let path = path.as_ref();
        Connection::open(path).map(Self::new).map_err(|e| {
            RowError(format!(
                "cannot open SQLite database {}: {e}",
                path.display()
            ))
        })
    }
}

impl RowSource for SqliteRows {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn fetch<'a>(
        &'a self,
        spec: &'a TableSpec,
        keys: &'a [RowKey<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, RowError>> {
        let sql = spec.select(Dialect::Sqlite, keys.len());
        let params: Vec<String> = keys
            .iter()
            .flat_map(|k| k.bound().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let conn = self.conn.clone();
        let table = spec.table;
        Box::pin(async move {
            let texts = tokio::task::spawn_blocking(move || {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
                    r.get::<_, String>(0)
                })?;
                rows.collect::<Result<Vec<String>, _>>()
            })
            .await
            .map_err(|e| RowError(format!("SQLite fetch task: {e}")))?
            .map_err(|e| RowError(format!("SQLite, table `{table}`: {e}")))?;
            texts.iter().map(|t| parse_row(t)).collect()
        })
    }

    fn fetch_tenant<'a>(
        &'a self,
        spec: &'a TableSpec,
        tenant: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Option<Vec<Row>>, RowError>> {
        let gate = RangeGate::new(&self.indexes, spec, tenant, Dialect::Sqlite);
        let sql = spec.select_tenant(Dialect::Sqlite);
        let tenant = tenant.map(str::to_string);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn.clone();
        let table = spec.table;
        Box::pin(async move {
            let texts = tokio::task::spawn_blocking(move || {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let allowed = gate.allowed(|query, name, column| {
                    let n: i64 =
                        conn.query_row(query, rusqlite::params![name, column], |r| r.get(0))?;
                    Ok::<_, rusqlite::Error>(u64::try_from(n).unwrap_or(0))
                })?;
                if !allowed {
                    return Ok(None);
                }
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = match &tenant {
                    Some(tenant) => stmt
                        .query_map(rusqlite::params![tenant, limit], |r| r.get::<_, String>(0))?
                        .collect::<Result<Vec<String>, _>>(),
                    None => stmt
                        .query_map(rusqlite::params![limit], |r| r.get::<_, String>(0))?
                        .collect::<Result<Vec<String>, _>>(),
                };
                rows.map(Some)
            })
            .await
            .map_err(|e| RowError(format!("SQLite fetch task: {e}")))?
            .map_err(|e: rusqlite::Error| RowError(format!("SQLite, table `{table}`: {e}")))?;
            texts
                .map(|texts| texts.iter().map(|t| parse_row(t)).collect())
                .transpose()
        })
    }
}
