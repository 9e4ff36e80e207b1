//! PostgreSQL rows over tokio-postgres (feature `audit-postgres`).

use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

use super::{BoxFuture, Row, RowError, RowKey, RowSource, parse_row};
use crate::audit::query::{Dialect, TableSpec};

/// Rows from PostgreSQL, over a connected tokio-postgres [`Client`]. One statement per
/// batch, whatever its size: the keys go in as one `text[]` array per filter column.
pub struct PostgresRows {
    client: Client,
}

impl PostgresRows {
    /// Reads rows through `client` (its connection task must be running).
    pub fn new(client: Client) -> Self {
        PostgresRows { client }
    }

    /// Connects to `url` (a `postgres://` URL or key=value string) without TLS and spawns
    /// the connection task. Errors never repeat the URL (it may hold a password).
    pub async fn connect(url: &str) -> Result<Self, RowError> {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .map_err(|e| RowError(format!("cannot connect to PostgreSQL: {e}")))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "audit: PostgreSQL connection ended");
            }
        });
        Ok(PostgresRows::new(client))
    }
}

impl RowSource for PostgresRows {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn fetch<'a>(
        &'a self,
        spec: &'a TableSpec,
        keys: &'a [RowKey],
    ) -> BoxFuture<'a, Result<Vec<Row>, RowError>> {
        Box::pin(async move {
            let sql = spec.select(Dialect::Postgres, keys.len());
            let width = spec.filter_columns().count();
            let mut arrays: Vec<Vec<&str>> = vec![Vec::with_capacity(keys.len()); width];
            for key in keys {
                for (i, v) in key.bound().enumerate() {
                    arrays[i].push(v);
                }
            }
            let params: Vec<&(dyn ToSql + Sync)> =
                arrays.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
            let rows = self
                .client
                .query(sql.as_str(), &params)
                .await
                .map_err(|e| RowError(format!("PostgreSQL, table `{}`: {e}", spec.table)))?;
            rows.iter()
                .map(|r| {
                    let text: &str = r.try_get(0).map_err(|e| {
                        RowError(format!("PostgreSQL, table `{}`: {e}", spec.table))
                    })?;
                    parse_row(text)
                })
                .collect()
        })
    }
}
