//! The SQL that fetches rows, generated from a contract, for each dialect: a batch of rows
//! by key (filtered on the tenant column and the key columns), a tenant's rows by range,
//! and the catalog query that tells whether such a range is one index range. Each row is
//! selected as one JSON array of its columns ([`TableSpec::selected`]).

use crate::contract::{CacheContract, ColumnMapping, Columns};

/// The SQL dialects the audit fetches rows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL: `json_build_array`, keys passed as `text[]` arrays and `unnest`ed.
    Postgres,
    /// MySQL and MariaDB: `JSON_ARRAY`, keys as `?` placeholders.
    MySql,
    /// SQLite: `json_array`, keys as `?` placeholders.
    Sqlite,
}

/// What the row fetch needs of one contract: its table, tenant column, key columns and
/// mapped columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// The table.
    pub table: &'static str,
    /// The tenant column; `None` for a `#[cache(global)]` table.
    pub tenant_column: Option<ColumnMapping>,
    /// The key columns, in key order.
    pub key_columns: Vec<ColumnMapping>,
    /// Every mapped column, in declaration order.
    pub columns: Columns,
}

impl TableSpec {
    /// The spec of `T`'s table.
    ///
    /// ```
    /// use cache_contract::CacheContract;
    /// use cache_contract::audit::query::{Dialect, TableSpec};
    /// #[derive(CacheContract, serde::Serialize, serde::Deserialize)]
    /// #[cache(table = "users", migrations = "tests/doc_migrations")]
    /// struct User { tenant_id: String, id: i64, name: String }
    /// let spec = TableSpec::of::<User>();
    /// assert_eq!(
    ///     spec.select(Dialect::Sqlite, 2),
    ///     "SELECT json_array(t.\"tenant_id\", t.\"id\", t.\"name\") \
    ///      FROM \"users\" AS t WHERE (t.\"tenant_id\" = ? AND t.\"id\" = ?) OR (t.\"tenant_id\" = ? AND t.\"id\" = ?)"
    /// );
    /// ```
    pub fn of<T: CacheContract>() -> Self {
        let columns = T::COLUMNS;
        let find = |name: &str| {
            columns
                .iter()
                .find(|c| c.column == name)
                .unwrap_or(ColumnMapping {
                    field: "",
                    column: T::KEY_COLUMNS
                        .iter()
                        .chain(T::TENANT_COLUMN.iter())
                        .find(|c| **c == name)
                        .copied()
                        .unwrap_or(""),
                    sql_type: "text",
                    nullable: false,
                    family: "Text",
                })
        };
        TableSpec {
            table: T::TABLE,
            tenant_column: T::TENANT_COLUMN.map(find),
            key_columns: T::KEY_COLUMNS.iter().map(|c| find(c)).collect(),
            columns,
        }
    }

    /// The columns a row is filtered on, tenant first: one bound value each per key.
    pub fn filter_columns(&self) -> impl Iterator<Item = &ColumnMapping> {
        self.tenant_column.iter().chain(&self.key_columns)
    }

    /// The columns each fetched row holds, in order: every mapped column in declaration
    /// order, then the [filter columns](Self::filter_columns) that are not mapped.
    pub fn selected(&self) -> Vec<ColumnMapping> {
        let mut selected: Vec<ColumnMapping> = self.columns.iter().collect();
        for c in self.filter_columns() {
            if !selected.iter().any(|s| s.column == c.column) {
                selected.push(*c);
            }
        }
        selected
    }

    /// Where each [filter column](Self::filter_columns) is in a fetched row (its
    /// [selected](Self::selected) columns), tenant first.
    pub fn filter_positions(&self) -> Vec<usize> {
        let selected = self.selected();
        self.filter_columns()
            .filter_map(|c| selected.iter().position(|s| s.column == c.column))
            .collect()
    }

    /// The statement that fetches the rows of `keys` keys (ignored for PostgreSQL, whose
    /// statement takes one `text[]` array per filter column). Each result row has one
    /// column: the row as a JSON array (text) of its [selected](Self::selected) columns.
    pub fn select(&self, dialect: Dialect, keys: usize) -> String {
        let object = self.json_array(dialect);
        let table = quote(self.table);
        match dialect {
            Dialect::Postgres => {
                let arrays: Vec<String> = (1..=self.filter_columns().count())
                    .map(|i| format!("${i}::text[]"))
                    .collect();
                let names: Vec<String> = (0..arrays.len()).map(|i| format!("k{i}")).collect();
                let on: Vec<String> = self
                    .filter_columns()
                    .enumerate()
                    .map(|(i, c)| format!("t.{} = CAST(k.k{i} AS {})", quote(c.column), c.sql_type))
                    .collect();
                format!(
                    "SELECT ({object})::text FROM {table} AS t JOIN unnest({}) AS k({}) ON {}",
                    arrays.join(", "),
                    names.join(", "),
                    on.join(" AND ")
                )
            }
            Dialect::MySql | Dialect::Sqlite => {
                let quote = |c: &str| match dialect {
                    Dialect::MySql => quote_mysql(c),
                    _ => quote(c),
                };
                let one: Vec<String> = self
                    .filter_columns()
                    .map(|c| format!("t.{} = ?", quote(c.column)))
                    .collect();
                let one = format!("({})", one.join(" AND "));
                let table = quote(self.table);
                let filter = vec![one; keys.max(1)].join(" OR ");
                format!("SELECT {object} FROM {table} AS t WHERE {filter}")
            }
        }
    }

    /// The statement that fetches the rows of one tenant (every row, for a global table), at
    /// most a bound number of them, each as [`select`](Self::select) gives it. Its parameters:
    /// the tenant id (not for a global table), then the bound. PostgreSQL takes the tenant as
    /// `text` cast to the column's type and the bound as `bigint`.
    ///
    /// ```
    /// use cache_contract::CacheContract;
    /// use cache_contract::audit::query::{Dialect, TableSpec};
    /// #[derive(CacheContract, serde::Serialize, serde::Deserialize)]
    /// #[cache(table = "users", migrations = "tests/doc_migrations")]
    /// struct User { tenant_id: String, id: i64, name: String }
    /// assert_eq!(
    ///     TableSpec::of::<User>().select_tenant(Dialect::Sqlite),
    ///     "SELECT json_array(t.\"tenant_id\", t.\"id\", t.\"name\") \
    ///      FROM \"users\" AS t WHERE t.\"tenant_id\" = ? LIMIT ?"
    /// );
    /// ```
    pub fn select_tenant(&self, dialect: Dialect) -> String {
        let object = self.json_array(dialect);
        match dialect {
            Dialect::Postgres => {
                let table = quote(self.table);
                match &self.tenant_column {
                    Some(c) => format!(
                        "SELECT ({object})::text FROM {table} AS t WHERE t.{} = CAST($1::text AS {}) LIMIT $2::bigint",
                        quote(c.column),
                        c.sql_type
                    ),
                    None => format!("SELECT ({object})::text FROM {table} AS t LIMIT $1::bigint"),
                }
            }
            Dialect::MySql | Dialect::Sqlite => {
                let quote = |c: &str| match dialect {
                    Dialect::MySql => quote_mysql(c),
                    _ => quote(c),
                };
                let table = quote(self.table);
                match &self.tenant_column {
                    Some(c) => format!(
                        "SELECT {object} FROM {table} AS t WHERE t.{} = ? LIMIT ?",
                        quote(c.column)
                    ),
                    None => format!("SELECT {object} FROM {table} AS t LIMIT ?"),
                }
            }
        }
    }

    /// The catalog query that tells whether an index of the table begins with its tenant
    /// column (so that [`select_tenant`](Self::select_tenant) reads one index range rather
    /// than the whole table); `None` for a global table, whose every row is its range.
    /// Parameters: the table's name (PostgreSQL: quoted, as the statements name it), then
    /// the tenant column's name. One row, one integer column: the number of such indexes.
    /// Partial indexes do not count (a range may need rows outside their predicate).
    pub fn tenant_index_query(&self, dialect: Dialect) -> Option<&'static str> {
        self.tenant_column.as_ref()?;
        Some(match dialect {
            Dialect::Postgres => {
                "SELECT count(*) FROM pg_catalog.pg_index AS i \
                 JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                 WHERE i.indrelid = to_regclass($1::text) AND a.attname = $2::text \
                 AND i.indpred IS NULL AND i.indisvalid"
            }
            Dialect::MySql => {
                "SELECT COUNT(*) FROM information_schema.statistics \
                 WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ? AND seq_in_index = 1"
            }
            Dialect::Sqlite => {
                "SELECT count(*) FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i \
                 WHERE i.seqno = 0 AND i.name = ?2 AND l.partial = 0"
            }
        })
    }

    /// The table's name as [`tenant_index_query`](Self::tenant_index_query) takes it.
    pub fn catalog_name(&self, dialect: Dialect) -> String {
        match dialect {
            Dialect::Postgres => quote(self.table),
            Dialect::MySql | Dialect::Sqlite => self.table.to_string(),
        }
    }

    /// The JSON array of one row's [selected](Self::selected) columns, with the conversions
    /// the normalization needs (exact decimals as text, bytes as hex). An array rather than
    /// an object: no column names to build, send and parse per row (measured on PostgreSQL:
    /// `json_build_array` costs half of `json_build_object` for the same columns).
    fn json_array(&self, dialect: Dialect) -> String {
        let args: Vec<String> = self
            .selected()
            .iter()
            .map(|c| {
                let column = match dialect {
                    Dialect::MySql => format!("t.{}", quote_mysql(c.column)),
                    _ => format!("t.{}", quote(c.column)),
                };
                value_expr(dialect, c, &column)
            })
            .collect();
        match dialect {
            // `json_build_array` is cheaper than `jsonb_build_array`, but a function takes at
            // most 100 arguments: wider rows are jsonb arrays of 100 columns, concatenated.
            Dialect::Postgres if args.len() <= 100 => {
                format!("json_build_array({})", args.join(", "))
            }
            Dialect::Postgres => {
                let parts: Vec<String> = args
                    .chunks(100)
                    .map(|chunk| format!("jsonb_build_array({})", chunk.join(", ")))
                    .collect();
                parts.join(" || ")
            }
            Dialect::MySql => format!("JSON_ARRAY({})", args.join(", ")),
            Dialect::Sqlite => format!("json_array({})", args.join(", ")),
        }
    }
}

/// The expression selecting `column` (already qualified) so that its JSON value normalizes.
fn value_expr(dialect: Dialect, c: &ColumnMapping, column: &str) -> String {
    match (dialect, c.family) {
        (Dialect::Postgres, "Numeric" | "Interval" | "Other") => format!("{column}::text"),
        (Dialect::Postgres, "Array<Numeric>") => format!("{column}::text[]"),
        (Dialect::Postgres, "Bytes") => format!("encode({column}, 'hex')"),
        (Dialect::MySql, "Numeric") => format!("CAST({column} AS CHAR)"),
        (Dialect::MySql, "Bytes") => format!("HEX({column})"),
        (Dialect::Sqlite, "Numeric") => format!("CAST({column} AS TEXT)"),
        (Dialect::Sqlite, "Bytes") => format!("hex({column})"),
        _ => column.to_string(),
    }
}

/// A double-quoted identifier (PostgreSQL, SQLite).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A back-quoted identifier (MySQL, MariaDB).
fn quote_mysql(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}
