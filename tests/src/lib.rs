//! Shared harness for the integration tests in `tests/`.
//!
//! The differential tests apply checked-in migration histories (`fixtures/<dialect>/<name>/`)
//! to real PostgreSQL, MariaDB and SQLite databases, introspect what the server actually
//! built, and compare that with (a) the fixture's hand-reviewed `expected.txt` and (b) what
//! `schema-check` replays from the same files without a database.
//!
//! - [`naming`]: unique database names, so tests run in parallel;
//! - [`layout`]: an independent discovery of migration files in apply order (flat, Flyway,
//!   sqlx, diesel), deliberately not shared with `schema-check` so that both can be checked;
//! - [`postgres_db`], [`mariadb_db`], [`sqlite_db`]: a fresh database per test, applying
//!   files the way the real migration tools do, introspection, and a drop guard;
//! - [`database`]: one entry point over the three: build a directory, read the result;
//! - [`observed`]: the dialect-neutral listing both sides are reduced to, and its text form
//!   (the `expected.txt` format);
//! - [`replay`]: `schema-check`'s replay of a directory, reduced to the same listing;
//! - [`diff`]: the readable comparison of two listings, with replay provenance;
//! - [`fixture`]: runs one fixture end to end;
//! - [`live_db`]: a database of any dialect read back the way `schema-check drift` reads it;
//! - [`ddl_model`], [`mysql_model`], [`sqlite_model`]: random but valid PostgreSQL, MySQL
//!   and SQLite DDL histories for the property tests, checked by [`history`].

pub mod database;
pub mod ddl_model;
pub mod diff;
pub mod fixture;
pub mod history;
pub mod layout;
pub mod live_db;
pub mod mariadb_db;
pub mod mysql_model;
pub mod naming;
pub mod observed;
pub mod postgres_db;
pub mod replay;
pub mod sqlite_db;
pub mod sqlite_model;

pub use observed::{ObservedColumn, ObservedSchema, ObservedTable};
