//! The table a migration tool creates before the first migration to record what ran:
//! sqlx's `_sqlx_migrations`, diesel's `__diesel_schema_migrations`. A history may read it
//! (`CREATE TABLE app._sqlx_migrations (LIKE public._sqlx_migrations INCLUDING ALL)`, a
//! trigger on diesel's), so the replay creates it first, as the tool does, and
//! [`super::Replayer::finish`] leaves it out of the history's schema (unless the history
//! dropped and created it again).
//!
//! The definitions are the tools' own (sqlx's `ensure_migrations_table` of each driver,
//! diesel_migrations' `CREATE_MIGRATIONS_TABLE`).

use crate::dialect::Dialect;
use crate::discover::{Layout, Migration};

/// A migration tool that keeps a bookkeeping table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// sqlx (`<version>_<name>.sql`, `.up.sql`).
    Sqlx,
    /// diesel (`<version>_<name>/up.sql`).
    Diesel,
}

impl Tool {
    /// The tool that runs `migrations`, judged by their layout (a flat `0001_x.sql`
    /// directory is taken for sqlx's: its table only matters to a history that names it).
    ///
    /// ```
    /// use schema_check::replay::bookkeeping::Tool;
    /// assert_eq!(Tool::of(&[]), None);
    /// ```
    pub fn of(migrations: &[Migration]) -> Option<Tool> {
        let has = |l: Layout| migrations.iter().any(|m| m.layout == l);
        if has(Layout::Diesel) {
            Some(Tool::Diesel)
        } else if has(Layout::Flat) || has(Layout::SqlxUp) {
            Some(Tool::Sqlx)
        } else {
            None
        }
    }

    /// The bookkeeping table's name.
    pub fn table(self) -> &'static str {
        match self {
            Tool::Sqlx => "_sqlx_migrations",
            Tool::Diesel => "__diesel_schema_migrations",
        }
    }

    /// The statement the tool creates its table with on `dialect`.
    ///
    /// ```
    /// use schema_check::{Dialect, replay::bookkeeping::Tool};
    /// assert!(Tool::Sqlx.create_sql(Dialect::Postgres).contains("TIMESTAMPTZ"));
    /// ```
    pub fn create_sql(self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (Tool::Sqlx, Dialect::Postgres) => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\
                 version BIGINT PRIMARY KEY, \
                 description TEXT NOT NULL, \
                 installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), \
                 success BOOLEAN NOT NULL, \
                 checksum BYTEA NOT NULL, \
                 execution_time BIGINT NOT NULL)"
            }
            (Tool::Sqlx, Dialect::Mysql | Dialect::Sqlite) => {
                "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\
                 version BIGINT PRIMARY KEY, \
                 description TEXT NOT NULL, \
                 installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, \
                 success BOOLEAN NOT NULL, \
                 checksum BLOB NOT NULL, \
                 execution_time BIGINT NOT NULL)"
            }
            (Tool::Diesel, _) => {
                "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\
                 version VARCHAR(50) PRIMARY KEY NOT NULL, \
                 run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            }
        }
    }

    /// Where the replay says the table was created (no file of the history).
    pub(crate) fn location(self) -> crate::model::Location {
        crate::model::Location {
            file: format!("({} before the first migration)", self.name()).into(),
            line: 1,
            column: 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tool::Sqlx => "sqlx",
            Tool::Diesel => "diesel",
        }
    }
}

impl super::Replayer {
    /// Creates `tool`'s bookkeeping table, as the tool does before the first migration.
    pub fn tool_table(&mut self, tool: Tool) {
        let at = tool.location();
        let text = tool.create_sql(self.dialect);
        self.apply(&crate::Statement {
            text: text.into(),
            at,
            source_line: text.into(),
        });
        self.bookkeeping = Some(tool);
    }

    /// Removes the bookkeeping table from the schema, if it is still the tool's.
    pub(crate) fn forget_tool_table(&mut self) {
        let Some(tool) = self.bookkeeping else {
            return;
        };
        let name = tool.table();
        if self
            .schema
            .tables
            .get(name)
            .is_some_and(|t| t.provenance.created == tool.location())
        {
            self.schema.tables.remove(name);
        }
        // What the tool's statement was recorded as (nothing of the history).
        let at = tool.location();
        self.skipped.retain(|s| s.at != at);
    }
}
