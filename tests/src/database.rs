//! One entry point over the three real databases: build a migration directory in a fresh
//! database of a dialect and read back what it built.

use std::path::Path;

use schema_check::Dialect;
use schema_check::replay::bookkeeping::Tool;

use crate::layout::{MigrationFile, migration_files, read_sql};
use crate::mariadb_db::MariaDatabase;
use crate::observed::ObservedSchema;
use crate::postgres_db::PgDatabase;
use crate::sqlite_db::SqliteDatabase;

/// The name of the server a dialect's migrations run on, for messages.
///
/// ```
/// use cache_contract_tests::database::server_name;
/// assert_eq!(server_name(schema_check::Dialect::Mysql), "mariadb");
/// ```
pub fn server_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mariadb",
        Dialect::Sqlite => "sqlite",
    }
}

/// How the migrations' session is set up before the first file runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Session {
    /// MySQL/MariaDB only: run with `FOREIGN_KEY_CHECKS = 0`, as some migration runners do
    /// (vaultwarden's, for one), so a foreign key may name a table created later and a
    /// referenced table may be dropped.
    pub mysql_without_foreign_key_checks: bool,
}

/// Applies the up-migrations of `dir`, in order, to a fresh database of `dialect` (dropped
/// before returning, also on error) and returns what the database built.
pub fn build(dialect: Dialect, dir: &Path) -> Result<ObservedSchema, String> {
    build_in(dialect, dir, Session::default())
}

/// Like [`build`], in a session set up as `session` says.
pub fn build_in(dialect: Dialect, dir: &Path, session: Session) -> Result<ObservedSchema, String> {
    let files = migration_files(dir)?;
    // sqlx and diesel create their bookkeeping table before the first migration; a
    // history may refer to it (lemmy puts a trigger on diesel's, underway copies sqlx's).
    // It is not part of the history's schema.
    let tool = tool_of(&files);
    let bookkeeping = tool.map(|t| t.create_sql(dialect));
    let mut observed = match dialect {
        Dialect::Postgres => {
            let mut db = PgDatabase::create()?;
            if let Some(sql) = bookkeeping {
                db.execute(sql, "the migration tool's bookkeeping table")?;
            }
            apply(&files, |sql, origin| db.execute(sql, origin))?;
            db.introspect()
        }
        Dialect::Mysql => {
            let mut db = MariaDatabase::create()?;
            if session.mysql_without_foreign_key_checks {
                db.execute("SET FOREIGN_KEY_CHECKS = 0", "the session setup")?;
            }
            if let Some(sql) = bookkeeping {
                db.execute(sql, "the migration tool's bookkeeping table")?;
            }
            apply(&files, |sql, origin| db.execute(sql, origin))?;
            db.introspect()
        }
        Dialect::Sqlite => {
            let db = SqliteDatabase::create()?;
            if let Some(sql) = bookkeeping {
                db.execute(sql, "the migration tool's bookkeeping table")?;
            }
            apply(&files, |sql, origin| db.execute(sql, origin))?;
            db.introspect()
        }
    }?;
    if let Some(tool) = tool {
        observed.forget_table(tool.table());
    }
    Ok(observed)
}

/// The tool that runs `files`: diesel for its directories, none for a Flyway/refinery
/// directory (`V1__x.sql`), else sqlx (whose `<version>_x.sql` a flat directory shares).
pub fn tool_of(files: &[MigrationFile]) -> Option<Tool> {
    let flyway = |f: &MigrationFile| {
        f.display.contains("__") && (f.display.starts_with('V') || f.display.starts_with('U'))
    };
    if files.iter().any(|f| f.diesel.is_some()) {
        Some(Tool::Diesel)
    } else if files.iter().any(|f| !flyway(f)) {
        Some(Tool::Sqlx)
    } else {
        None
    }
}

/// Runs each migration file, in order, through `execute(sql, origin)` (the file's whole
/// text, as the migration tools send it).
fn apply(
    files: &[MigrationFile],
    mut execute: impl FnMut(&str, &str) -> Result<(), String>,
) -> Result<(), String> {
    for f in files {
        execute(&read_sql(f)?, &f.display)?;
    }
    Ok(())
}
