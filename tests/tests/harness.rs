//! The harness itself: database guards create and drop fresh databases, statement errors
//! anywhere in a file are reported, missing servers fail loudly, and migration discovery
//! orders versions numerically.

use std::fs;

use cache_contract_tests::layout::{migration_files, read_sql};
use cache_contract_tests::mariadb_db::MariaDatabase;
use cache_contract_tests::postgres_db::PgDatabase;
use cache_contract_tests::sqlite_db::SqliteDatabase;
use mysql::prelude::Queryable;

fn pg_database_exists(name: &str) -> bool {
    let mut admin = postgres::Client::connect(
        &format!(
            "{} dbname=postgres",
            cache_contract_tests::postgres_db::server_params()
        ),
        postgres::NoTls,
    )
    .expect("PostgreSQL reachable");
    let row = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap();
    row.get::<_, i64>(0) == 1
}

#[test]
fn postgres_guard_drops_its_database_even_on_panic() {
    let name = std::panic::catch_unwind(|| {
        let mut db = PgDatabase::create().unwrap();
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "inline")
            .unwrap();
        assert!(pg_database_exists(db.name()));
        let name = db.name().to_string();
        std::panic::panic_any(name);
    })
    .unwrap_err();
    let name = name.downcast::<String>().unwrap();
    assert!(
        !pg_database_exists(&name),
        "database {name} was left behind"
    );
}

#[test]
fn postgres_reports_errors_in_later_statements_and_rolls_back_the_file() {
    let mut db = PgDatabase::create().unwrap();
    let sql = "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\nCREATE TABLE a (x int);";
    let err = db.execute(sql, "0001_dup.sql").unwrap_err();
    assert!(
        err.contains("0001_dup.sql") && err.contains("already exists"),
        "{err}"
    );
    // The file ran as one implicit transaction, like under diesel and sqlx.
    assert!(db.introspect().unwrap().tables.is_empty());
}

#[test]
fn postgres_concurrent_index_needs_a_file_of_its_own() {
    let mut db = PgDatabase::create().unwrap();
    db.execute("CREATE TABLE t (x int)", "setup").unwrap();
    let err = db
        .execute(
            "CREATE TABLE u (y int); CREATE INDEX CONCURRENTLY t_x ON t (x);",
            "multi",
        )
        .unwrap_err();
    assert!(err.contains("transaction block"), "{err}");
    db.execute("CREATE INDEX CONCURRENTLY t_x ON t (x);", "alone")
        .unwrap();
}

#[test]
fn mariadb_guard_drops_its_database_and_reports_errors_in_later_statements() {
    let name;
    {
        let mut db = MariaDatabase::create().unwrap();
        name = db.name().to_string();
        let sql = "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\nCREATE TABLE a (x int);";
        let err = db.execute(sql, "0001_dup.sql").unwrap_err();
        assert!(
            err.contains("0001_dup.sql") && err.contains("already exists"),
            "{err}"
        );
        // Unlike PostgreSQL, MariaDB DDL is not transactional: the first two stay.
        let tables = db.introspect().unwrap();
        assert_eq!(tables.tables.keys().collect::<Vec<_>>(), ["a", "b"]);
        // The connection is still usable after the error.
        db.execute("CREATE TABLE c (z int)", "next").unwrap();
    }
    let mut admin = mysql::Conn::new(
        mysql::Opts::from_url(&cache_contract_tests::mariadb_db::server_url()).unwrap(),
    )
    .unwrap();
    let left: Vec<String> = admin
        .exec(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (name.clone(),),
        )
        .unwrap();
    assert!(left.is_empty(), "database {name} was left behind");
}

#[test]
fn sqlite_guard_removes_its_file() {
    let path;
    {
        let db = SqliteDatabase::create().unwrap();
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT PRIMARY KEY)",
            "bad",
        )
        .unwrap_err();
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n\
             CREATE TABLE k (code TEXT PRIMARY KEY, n  Unsigned   Big INT NOT NULL);\n\
             CREATE TABLE w (a TEXT, b INT, PRIMARY KEY (b, a)) WITHOUT ROWID;",
            "ok",
        )
        .unwrap();
        path = db.path().to_path_buf();
        assert!(path.exists());
        let got = db.introspect().unwrap().to_string();
        let want = "table k pk(code)\n  code text\n  n unsigned big int not null\n\
                    table t pk(id)\n  id integer not null\n  name text\n\
                    table w pk(b,a)\n  a text not null\n  b int not null\n";
        assert_eq!(got, want);
    }
    assert!(!path.exists(), "{} was left behind", path.display());
}

#[test]
fn unreachable_servers_fail_loudly_with_what_to_do() {
    let err = PgDatabase::create_on("host=127.0.0.1 port=1 user=postgres connect_timeout=2")
        .err()
        .expect("nothing listens on port 1");
    assert!(
        err.contains("PostgreSQL is not reachable") && err.contains("these tests need it"),
        "{err}"
    );
    let err = MariaDatabase::create_on("mysql://root@127.0.0.1:1")
        .err()
        .expect("nothing listens on port 1");
    assert!(
        err.contains("MariaDB is not reachable") && err.contains("these tests need it"),
        "{err}"
    );
}

#[test]
fn discovery_orders_every_layout_numerically_and_skips_down_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for f in [
        "V10__ten.sql",
        "V2__two.sql",
        "3_three.up.sql",
        "3_three.down.sql",
        "README.md",
        "0001_one.sql",
    ] {
        fs::write(d.join(f), "SELECT 1;").unwrap();
    }
    fs::create_dir(d.join("2024-01-02-030405_diesel")).unwrap();
    fs::write(d.join("2024-01-02-030405_diesel/up.sql"), "SELECT 1;").unwrap();
    fs::write(d.join("2024-01-02-030405_diesel/down.sql"), "SELECT 1;").unwrap();
    let files = migration_files(d).unwrap();
    let names: Vec<_> = files.iter().map(|f| f.display.as_str()).collect();
    assert_eq!(
        names,
        [
            "0001_one.sql",
            "V2__two.sql",
            "3_three.up.sql",
            "V10__ten.sql",
            "2024-01-02-030405_diesel/up.sql"
        ]
    );
    assert_eq!(files[4].version, 20240102030405);

    // A shared version (a project's own runner): file-name order.
    fs::write(d.join("2_again.sql"), "SELECT 1;").unwrap();
    let files = migration_files(d).unwrap();
    let names: Vec<_> = files.iter().map(|f| f.display.as_str()).collect();
    assert_eq!(names[1..3], ["2_again.sql", "V2__two.sql"]);
}

#[test]
fn non_utf8_migrations_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("0001_latin1.sql"),
        b"-- caf\xe9\nCREATE TABLE t (x int);",
    )
    .unwrap();
    let files = migration_files(dir.path()).unwrap();
    let err = read_sql(&files[0]).unwrap_err();
    assert!(
        err.contains("0001_latin1.sql is not UTF-8") && err.contains("offset 6"),
        "{err}"
    );
}
