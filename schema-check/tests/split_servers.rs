//! The splitter against the real servers: every statement cut from the fixture histories
//! executes alone, in order, on PostgreSQL, MariaDB and SQLite. A statement cut in the wrong
//! place is a syntax error. PostgreSQL's extended protocol and rusqlite's `prepare` accept
//! exactly one statement, so two statements left together fail there too.
//!
//! Needs PostgreSQL (127.0.0.1:5432, user postgres) and MariaDB (127.0.0.1:3306, root);
//! each history runs in its own freshly created database, dropped afterwards.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use mysql::prelude::Queryable;
use schema_check::discover::discover;
use schema_check::source::read_migration;
use schema_check::split::split;
use schema_check::{Dialect, Statement};

/// A database name no other test (or test run) uses.
fn unique_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "sc_split_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The migration directories written in `dialect`: the workspace's differential-test
/// fixtures, this crate's CLI fixtures and the saas example.
fn histories(dialect: Dialect) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let shared = repo_root().join("tests/fixtures").join(dialect.name());
    if let Ok(entries) = std::fs::read_dir(&shared) {
        for e in entries.flatten() {
            let migrations = e.path().join("migrations");
            if migrations.is_dir() {
                dirs.push(migrations);
            }
        }
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mine: &[&str] = match dialect {
        Dialect::Postgres => &["pg_basic", "diesel_mixed"],
        Dialect::Mysql => &["mysql_delimiter"],
        Dialect::Sqlite => &["sqlite_triggers"],
    };
    dirs.extend(mine.iter().map(|d| local.join(d)));
    if dialect == Dialect::Postgres {
        dirs.push(repo_root().join("examples/saas/migrations"));
    }
    dirs.sort();
    dirs
}

/// Every statement of the history in `dir`, in replay order.
fn statements(dir: &Path, dialect: Dialect) -> Vec<Statement> {
    let found = discover(dir, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let mut all = Vec::new();
    for m in &found.migrations {
        let text = read_migration(&m.path, &m.display).unwrap_or_else(|e| panic!("{e}"));
        let stmts = split(&text, &m.display, dialect)
            .into_result()
            .unwrap_or_else(|e| panic!("{e}"));
        all.extend(stmts);
    }
    assert!(!all.is_empty(), "no statements in {}", dir.display());
    all
}

fn failure(stmt: &Statement, server: &str, error: &dyn std::fmt::Display) -> String {
    format!(
        "{server} rejected the statement split at {}:\n{}\n--- error: {error}",
        stmt.at, stmt.text
    )
}

/// Drops a PostgreSQL database when the test ends, even on failure.
struct PgDatabase(String);

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = pg_connect("postgres") {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0));
        }
    }
}

fn pg_connect(db: &str) -> Result<postgres::Client, postgres::Error> {
    postgres::Client::connect(
        &format!("host=127.0.0.1 port=5432 user=postgres dbname={db}"),
        postgres::NoTls,
    )
}

#[test]
fn postgres_runs_every_statement_alone() {
    for dir in histories(Dialect::Postgres) {
        let name = unique_name();
        let mut admin = pg_connect("postgres").unwrap_or_else(|e| {
            panic!("PostgreSQL at 127.0.0.1:5432 (user postgres) is not reachable: {e}")
        });
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let _guard = PgDatabase(name.clone());
        let mut client = pg_connect(&name).unwrap();
        // The tool's bookkeeping table exists first, as the tools create it (a history may
        // read it).
        let found = discover(&dir, None).unwrap_or_else(|e| panic!("{e}"));
        if let Some(tool) = schema_check::replay::bookkeeping::Tool::of(&found.migrations) {
            client
                .batch_execute(tool.create_sql(Dialect::Postgres))
                .unwrap();
        }
        for stmt in statements(&dir, Dialect::Postgres) {
            // The extended protocol refuses more than one statement.
            if let Err(e) = client.execute(stmt.text.as_str(), &[]) {
                let message = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_string());
                panic!("{}", failure(&stmt, "PostgreSQL", &message));
            }
        }
    }
}

/// Drops a MariaDB database when the test ends, even on failure.
struct MyDatabase(String);

impl Drop for MyDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = my_connect() {
            let _ = admin.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.0));
        }
    }
}

fn my_connect() -> Result<mysql::Conn, mysql::Error> {
    mysql::Conn::new(mysql::Opts::from_url("mysql://root@127.0.0.1:3306").expect("url"))
}

#[test]
fn mariadb_runs_every_statement_alone() {
    for dir in histories(Dialect::Mysql) {
        let name = unique_name();
        let mut conn = my_connect().unwrap_or_else(|e| {
            panic!("MariaDB at 127.0.0.1:3306 (user root) is not reachable: {e}")
        });
        conn.query_drop(format!("CREATE DATABASE `{name}`"))
            .unwrap();
        let _guard = MyDatabase(name.clone());
        conn.query_drop(format!("USE `{name}`")).unwrap();
        for stmt in statements(&dir, Dialect::Mysql) {
            // The server knows nothing of `DELIMITER`: a body cut wrongly is a syntax error.
            if let Err(e) = conn.query_drop(stmt.text.as_str()) {
                panic!("{}", failure(&stmt, "MariaDB", &e));
            }
        }
    }
}

#[test]
fn sqlite_runs_every_statement_alone() {
    for dir in histories(Dialect::Sqlite) {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for stmt in statements(&dir, Dialect::Sqlite) {
            // `prepare` refuses more than one statement.
            let result = conn
                .prepare(&stmt.text)
                .and_then(|mut prepared| prepared.raw_execute());
            if let Err(e) = result {
                panic!("{}", failure(&stmt, "SQLite", &e));
            }
        }
    }
}
