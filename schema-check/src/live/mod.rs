//! Live introspection: reads a database's schema, read-only, into the same
//! [`Schema`] model the replay produces, so that [`crate::drift::diff()`] can compare the two.
//!
//! - PostgreSQL: `pg_catalog` (`format_type`, `pg_get_expr`, `pg_get_indexdef`), one
//!   read-only, repeatable-read transaction per schema, with `search_path` set to it so
//!   that types and sequences are spelled as the migrations spelled them;
//! - MySQL and MariaDB: `information_schema`, in a read-only transaction;
//! - SQLite: the pragmas (`table_xinfo`, `index_list`, `index_xinfo`, `foreign_key_list`)
//!   for columns and keys, and the statements SQLite keeps in `sqlite_schema` (read with the
//!   replay's parser) for CHECK constraints and constraint names; the file is opened
//!   read-only.
//!
//! Objects that belong to extensions are left out. Tenants (PostgreSQL schemas, MySQL
//! databases, SQLite files) are introspected concurrently on a bounded pool
//! ([`introspect_all`]). Feature `live`.

pub mod mysql;
pub mod pool;
pub mod postgres;
pub mod sqlite;
pub mod url;

use std::fmt;

use sqlparser::parser::Parser;

pub use self::url::{DatabaseUrl, Kind};
use crate::canonical::canonical_type;
use crate::dialect::Dialect;
use crate::model::{Location, Provenance, ReferentialAction, Schema};
use crate::types::{SqlType, TypeFamily};

/// An introspection error, with any password already scrubbed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveError(pub String);

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LiveError {}

/// Which tenants to introspect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Tenants {
    /// The database the URL names (PostgreSQL: every user schema, `public` unqualified;
    /// SQLite: every file the path's glob matches).
    #[default]
    Database,
    /// PostgreSQL schemas (`--schemas`) or MySQL databases (`--databases`) whose names match
    /// the glob; each is compared on its own, unqualified.
    Matching(String),
}

/// The provenance given to introspected objects: they come from the database, not from a
/// migration.
pub(crate) fn live_provenance() -> Provenance {
    Provenance::new(Location {
        file: "(database)".into(),
        line: 0,
        column: 0,
    })
}

/// The [`SqlType`] the database reports as `text`: that canonical spelling, with the family
/// the replay would give the same spelling (so a reported type reads like a declared one).
pub(crate) fn reported_type(dialect: Dialect, text: &str, schema: &Schema) -> SqlType {
    let grammar = dialect.parser_dialect();
    let family = Parser::new(&*grammar)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_data_type())
        .ok()
        .and_then(|dt| canonical_type(dialect, &dt, schema).ok())
        .map_or(TypeFamily::Other, |c| c.ty.family);
    SqlType::new(text, family)
}

/// Lists the tenants `tenants` selects behind `url`: PostgreSQL schema names, MySQL database
/// names, SQLite file paths; `[""]` for PostgreSQL's and MySQL's [`Tenants::Database`].
pub fn list_tenants(url: &DatabaseUrl, tenants: &Tenants) -> Result<Vec<String>, LiveError> {
    let pattern = match tenants {
        Tenants::Database => None,
        Tenants::Matching(p) => Some(glob::Pattern::new(p).map_err(|e| {
            LiveError(format!(
                "invalid tenant pattern `{p}`: {} (use `*`, `?` and `[...]`, e.g. `tenant_*`)",
                e.msg
            ))
        })?),
    };
    let names = match (&url.kind, &pattern) {
        (Kind::Sqlite(path), None) => sqlite::files(path)?,
        (Kind::Sqlite(_), Some(_)) => {
            return Err(LiveError(
                "SQLite has no schemas or databases to select: name several files with a glob \
                 in the path instead (sqlite://tenants/*.db)"
                    .into(),
            ));
        }
        (_, None) => vec![String::new()],
        (Kind::Postgres, Some(p)) => {
            let mut client = postgres::connect(url)?;
            postgres::list_schemas(url, &mut client, p)?
        }
        (Kind::Mysql, Some(p)) => {
            let mut conn = mysql::connect(url, None)?;
            mysql::list_databases(url, &mut conn, p)?
        }
    };
    Ok(names)
}

/// Introspects every tenant in `tenants` ([`list_tenants`]) on at most `jobs` connections at
/// once, calling `progress` after each; results come back in `tenants`' order.
pub fn introspect_all(
    url: &DatabaseUrl,
    tenants: &[String],
    jobs: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<(String, Result<Schema, LiveError>)> {
    match &url.kind {
        Kind::Postgres => pool::run(
            tenants,
            jobs,
            || postgres::connect(url),
            |client, tenant| postgres::introspect(url, client, tenant),
            progress,
        ),
        Kind::Mysql => pool::run(
            tenants,
            jobs,
            || mysql::connect(url, None),
            |conn, tenant| mysql::introspect(url, conn, tenant),
            progress,
        ),
        Kind::Sqlite(_) => pool::run(
            tenants,
            jobs,
            || Ok(()),
            |(), file| sqlite::introspect(std::path::Path::new(file)),
            progress,
        ),
    }
}

/// A referential action as the servers spell it (`NO ACTION`, `CASCADE`...; PostgreSQL's
/// one-letter `confdeltype` codes too).
pub(crate) fn referential_action(text: &str) -> ReferentialAction {
    match text.to_ascii_uppercase().as_str() {
        "R" | "RESTRICT" => ReferentialAction::Restrict,
        "C" | "CASCADE" => ReferentialAction::Cascade,
        "N" | "SET NULL" => ReferentialAction::SetNull,
        "D" | "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// `"name"` with inner quotes doubled (PostgreSQL and SQLite identifiers).
pub(crate) fn quote_double(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
