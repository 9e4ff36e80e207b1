//! `schema-check drift` as a user runs it, on SQLite files and one PostgreSQL database (the
//! other servers' cases are in the `tests/` crate): exit codes, the report in each format
//! (the SARIF validated against the SARIF 2.1.0 schema), ignore globs, `--remediation`,
//! `--as-migration`, tenants as several files or schemas, and passwords never printed.

use std::path::Path;

#[path = "support/run.rs"]
mod support;

#[path = "support/sarif.rs"]
mod sarif;

/// Runs `schema-check drift <args>` in `cwd`: exit code, stdout, stderr.
fn run(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let all: Vec<&str> = std::iter::once("drift")
        .chain(args.iter().copied())
        .collect();
    let r = support::run_in(cwd, &all);
    (r.code, r.stdout, r.stderr)
}

fn database(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

const INIT: &str = "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, note text);\n";

/// A project in `root`: `migrations/0001_init.sql` creating [`INIT`].
fn project(root: &Path) {
    std::fs::create_dir(root.join("migrations")).unwrap();
    std::fs::write(root.join("migrations/0001_init.sql"), INIT).unwrap();
}

/// `drift` over every file of `root/tenants`, in `format`: the exit code and stdout.
fn all_tenants(root: &Path, format: &str) -> (i32, String) {
    let (code, out, _) = run(
        root,
        &[
            "--database-url",
            "sqlite://tenants/*.db",
            "--format",
            format,
        ],
    );
    (code, out)
}

#[test]
fn sqlite_drift_report_remediation_and_migration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    project(root);
    std::fs::create_dir(root.join("tenants")).unwrap();
    for t in ["a", "b", "c"] {
        database(&root.join(format!("tenants/{t}.db")), INIT);
    }
    // Clean: exit 0.
    let (code, out, err) = run(root, &["--database-url", "sqlite://tenants/a.db"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no drift"), "{out}");

    // Two tenants drift the same way: one finding per difference, the group named once.
    for t in ["b", "c"] {
        database(
            &root.join(format!("tenants/{t}.db")),
            "ALTER TABLE users DROP COLUMN note; CREATE INDEX hot ON users (email);",
        );
    }
    let (code, out, _) = run(root, &["--database-url", "sqlite://tenants/*.db"]);
    assert_eq!(code, 1, "{out}");
    let titles: Vec<&str> = out.lines().filter(|l| l.starts_with("error[")).collect();
    assert_eq!(
        titles,
        [
            "error[drift-missing]: 2 tenants (tenants/b.db, tenants/c.db): column `users.note` \
             is missing (expected `text`, from migrations/0001_init.sql:1)",
            "error[drift-extra]: 2 tenants (tenants/b.db, tenants/c.db): index `hot` on `users` \
             is not in the migrations (found `INDEX ON users (email)`)",
        ],
        "{out}"
    );
    assert!(out.contains(" --> migrations/0001_init.sql:1:1"), "{out}");
    assert!(out.contains("^^^^^^ creates it as `text`"), "{out}");
    assert!(out.contains("1 tenant (tenants/a.db): no drift"), "{out}");
    assert!(
        out.ends_with("2 of 3 compared against migrations drifted\n"),
        "{out}"
    );

    // JSON: the shared document, every tenant listed.
    let (code, out) = all_tenants(root, "json");
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["command"], "drift");
    assert_eq!(doc["summary"]["errors"], 2);
    assert_eq!(
        doc["tenants"],
        serde_json::json!(["tenants/a.db", "tenants/b.db", "tenants/c.db"])
    );
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{doc:#}");
    for f in findings {
        assert_eq!(
            f["tenants"],
            serde_json::json!(["tenants/b.db", "tenants/c.db"])
        );
    }
    assert_eq!(findings[0]["rule"], "drift-missing");
    assert_eq!(findings[0]["primary"]["file"], "migrations/0001_init.sql");
    assert_eq!(findings[0]["primary"]["line"], 1);
    assert_eq!(findings[1]["rule"], "drift-extra");
    assert!(findings[1]["primary"].is_null(), "no migration creates it");

    // SARIF: a result per finding, the tenants in its properties.
    let (code, out) = all_tenants(root, "sarif");
    assert_eq!(code, 1, "{out}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    sarif::assert_valid_sarif(&sarif::sarif_schema(), &log);
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "drift-missing",
            "drift-extra",
            "drift-changed",
            "drift-unreadable"
        ]
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{log:#}");
    assert_eq!(results[0]["ruleId"], "drift-missing");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "migrations/0001_init.sql"
    );
    assert_eq!(
        results[1]["properties"]["tenants"],
        serde_json::json!(["tenants/b.db", "tenants/c.db"])
    );

    // The remediation: the index dropped, the column added back.
    let (code, sql, _) = run(
        root,
        &["--database-url", "sqlite://tenants/b.db", "--remediation"],
    );
    assert_eq!(code, 1);
    assert!(sql.contains("DROP INDEX \"hot\""), "{sql}");
    assert!(sql.contains("ADD COLUMN \"note\" text"), "{sql}");
    database(&root.join("tenants/b.db"), &sql);
    let (code, out, _) = run(root, &["--database-url", "sqlite://tenants/b.db"]);
    assert_eq!(code, 0, "converged: {out}");

    // As a migration, in the directory's numbering.
    let (code, out, _) = run(
        root,
        &["--database-url", "sqlite://tenants/c.db", "--as-migration"],
    );
    assert_eq!(code, 1, "{out}");
    let written = std::fs::read_to_string(root.join("migrations/0002_drift_fix.sql")).unwrap();
    assert!(written.contains("DROP INDEX \"hot\""), "{written}");
    assert!(
        !written.contains("BEGIN"),
        "migration tools run a file in their own transaction"
    );
}

#[test]
fn a_password_is_never_printed_and_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    for url in [
        "postgres://app:s3cr3t-pw@127.0.0.1:1/app",
        "mysql://app:s3cr3t-pw@127.0.0.1:1/app",
    ] {
        let (code, out, err) = run(dir.path(), &["--database-url", url, "migrations"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            !out.contains("s3cr3t") && !err.contains("s3cr3t"),
            "{out}{err}"
        );
        assert!(
            format!("{out}{err}").contains("app:***@127.0.0.1:1"),
            "{out}{err}"
        );
    }
    let (code, _, err) = run(dir.path(), &["--database-url", "oracle://x"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected postgres://"), "{err}");
}

#[test]
fn ignore_globs_from_configuration_and_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    project(root);
    database(
        &root.join("app.db"),
        &format!(
            "{INIT}CREATE TABLE audit_log (at text); CREATE INDEX hot ON users (email);\n\
             CREATE TABLE _sqlx_migrations (version bigint);"
        ),
    );
    let url = ["--database-url", "sqlite://app.db"];
    let (code, out, _) = run(root, &url);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("table `audit_log`"), "{out}");
    assert!(out.contains("index `hot`"), "{out}");
    assert!(!out.contains("_sqlx_migrations"), "a tool's table: {out}");

    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"app\"\n[package.metadata.cache-contract]\n\
         dialect = \"sqlite\"\ndrift-ignore = [\"audit_*\"]\n",
    )
    .unwrap();
    let (code, out, _) = run(root, &url);
    assert_eq!(code, 1, "{out}");
    assert!(
        !out.contains("audit_log"),
        "ignored by the configuration: {out}"
    );
    assert!(out.contains("index `hot`"), "{out}");
    let (code, out, _) = run(root, &[url[0], url[1], "--ignore", "h?t"]);
    assert_eq!(code, 0, "both globs apply: {out}");

    std::fs::write(
        root.join("Cargo.toml"),
        "[package.metadata.cache-contract]\ndrift-ignore = \"audit_*\"\n",
    )
    .unwrap();
    let (code, _, err) = run(root, &url);
    assert_eq!(code, 2);
    assert!(err.contains("must be a list of glob strings"), "{err}");

    // The rest of the section is read as the derive reads it: a typo is named.
    std::fs::write(
        root.join("Cargo.toml"),
        "[package.metadata.cache-contract]\nmigration = \"db\"\n",
    )
    .unwrap();
    let (code, _, err) = run(root, &url);
    assert_eq!(code, 2);
    assert!(err.contains("unknown key `migration`"), "{err}");
}

#[test]
fn unreadable_tenants_and_broken_migrations_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    project(root);
    std::fs::create_dir(root.join("tenants")).unwrap();
    database(&root.join("tenants/a.db"), INIT);
    std::fs::write(root.join("tenants/b.db"), "not a database, just text\n").unwrap();
    let (code, out) = all_tenants(root, "json");
    assert_eq!(code, 2, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["findings"][0]["rule"], "drift-unreadable", "{doc:#}");
    assert_eq!(
        doc["findings"][0]["tenants"],
        serde_json::json!(["tenants/b.db"])
    );
    assert_eq!(
        doc["tenants"],
        serde_json::json!(["tenants/a.db", "tenants/b.db"])
    );

    // Migrations that do not replay: reported like `schema` reports them, and exit 2.
    std::fs::write(
        root.join("migrations/0002_bad.sql"),
        "ALTER TABLE nowhere ADD COLUMN x int;\n",
    )
    .unwrap();
    let (code, out, _) = run(root, &["--database-url", "sqlite://tenants/a.db"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.starts_with("error[migration-error]: "), "{out}");
    assert!(out.contains("migrations/0002_bad.sql:1"), "{out}");
    assert!(out.contains("fix them first"), "{out}");
}

/// A database of its own on the local PostgreSQL, dropped when done.
struct PgDatabase {
    name: String,
}

const PG: &str = "postgres://postgres@127.0.0.1:5432";

impl PgDatabase {
    fn new(sql: &str) -> PgDatabase {
        let name = format!(
            "drift_cli_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mut admin = postgres::Client::connect(&format!("{PG}/postgres"), postgres::NoTls)
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL must run on 127.0.0.1:5432 (user postgres, trust): {e}; start \
                     it with `service postgresql start`"
                )
            });
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let mut db = postgres::Client::connect(&format!("{PG}/{name}"), postgres::NoTls).unwrap();
        db.batch_execute(sql).unwrap();
        PgDatabase { name }
    }

    fn url(&self) -> String {
        format!("{PG}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&format!("{PG}/postgres"), postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
fn postgres_tenant_schemas_exit_0_then_1() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    project(root);
    let mut sql = String::new();
    for t in 0..12 {
        sql.push_str(&format!(
            "CREATE SCHEMA tenant_{t:02}; SET search_path TO tenant_{t:02}; {INIT}"
        ));
    }
    let db = PgDatabase::new(&sql);
    let args = [
        "--database-url",
        &db.url(),
        "--schemas",
        "tenant_*",
        "--jobs",
        "3",
    ];
    let (code, out, err) = run(root, &args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "12 tenants (tenant_00, tenant_01, tenant_02, tenant_03, tenant_04, … 7 more): no drift"
        ),
        "{out}"
    );

    let mut conn = postgres::Client::connect(&db.url(), postgres::NoTls).unwrap();
    conn.batch_execute(
        "ALTER TABLE tenant_03.users ALTER COLUMN email DROP NOT NULL;
         ALTER TABLE tenant_07.users ALTER COLUMN email DROP NOT NULL;",
    )
    .unwrap();
    let (code, out, err) = run(root, &args);
    assert_eq!(code, 1, "{out}{err}");
    let titles: Vec<&str> = out.lines().filter(|l| l.starts_with("error[")).collect();
    assert_eq!(
        titles,
        [
            "error[drift-changed]: 2 tenants (tenant_03, tenant_07): column `users.email`: \
          nullability is `NULL`, expected `NOT NULL` (from migrations/0001_init.sql:1)"
        ],
        "{out}"
    );
    assert!(
        out.ends_with("2 of 12 compared against migrations drifted\n"),
        "{out}"
    );
}
