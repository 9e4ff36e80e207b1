//! MySQL and MariaDB rows over the `mysql` crate's pool (feature `audit-mysql`), on tokio's
//! blocking threads.

use mysql::prelude::Queryable;
use mysql::{Opts, OptsBuilder, Pool};

use std::sync::Arc;

use super::{BoxFuture, RangeGate, Row, RowError, RowKey, RowSource, TenantIndexes, parse_row};
use crate::audit::query::{Dialect, TableSpec};

/// Rows from MySQL or MariaDB. Sessions run in UTC (`time_zone = '+00:00'`), so
/// `TIMESTAMP` columns read as the instants they hold.
#[derive(Clone)]
pub struct MySqlRows {
    pool: Pool,
    indexes: Arc<TenantIndexes>,
}

impl MySqlRows {
    /// Connects a pool to `url` (`mysql://user:pass@host:port/db`). Errors never repeat the
    /// URL (it may hold a password).
    pub fn connect(url: &str) -> Result<Self, RowError> {
        let opts =
            Opts::from_url(url).map_err(|_| RowError("not a valid MySQL URL".to_string()))?;
        let opts = OptsBuilder::from_opts(opts).init(vec!["SET time_zone = '+00:00'"]);
        let pool =
            Pool::new(opts).map_err(|e| RowError(format!("cannot connect to MySQL: {e}")))?;
        Ok(MySqlRows {
            pool,
            indexes: Arc::default(),
        })
    }
}

impl RowSource for MySqlRows {
    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    fn fetch<'a>(
        &'a self,
        spec: &'a TableSpec,
        keys: &'a [RowKey<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, RowError>> {
        let sql = spec.select(Dialect::MySql, keys.len());
        let params: Vec<mysql::Value> = keys
            .iter()
            .flat_map(|k| k.bound().map(mysql::Value::from).collect::<Vec<_>>())
            .collect();
        let pool = self.pool.clone();
        let table = spec.table;
        Box::pin(async move {
            let texts = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get_conn()?;
                conn.exec::<String, _, _>(sql, params)
            })
            .await
            .map_err(|e| RowError(format!("MySQL fetch task: {e}")))?
            .map_err(|e| RowError(format!("MySQL, table `{table}`: {e}")))?;
            texts.iter().map(|t| parse_row(t)).collect()
        })
    }

    fn fetch_tenant<'a>(
        &'a self,
        spec: &'a TableSpec,
        tenant: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Option<Vec<Row>>, RowError>> {
        let gate = RangeGate::new(&self.indexes, spec, tenant, Dialect::MySql);
        let sql = spec.select_tenant(Dialect::MySql);
        let mut params: Vec<mysql::Value> = tenant.map(mysql::Value::from).into_iter().collect();
        params.push(mysql::Value::from(limit as u64));
        let pool = self.pool.clone();
        let table = spec.table;
        Box::pin(async move {
            let texts = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get_conn()?;
                let allowed = gate.allowed(|query, name, column| {
                    let n: Option<u64> = conn.exec_first(query, (name, column))?;
                    Ok::<_, mysql::Error>(n.unwrap_or(0))
                })?;
                if !allowed {
                    return Ok(None);
                }
                conn.exec::<String, _, _>(sql, params).map(Some)
            })
            .await
            .map_err(|e| RowError(format!("MySQL fetch task: {e}")))?
            .map_err(|e: mysql::Error| RowError(format!("MySQL, table `{table}`: {e}")))?;
            texts
                .map(|texts| texts.iter().map(|t| parse_row(t)).collect())
                .transpose()
        })
    }
}
