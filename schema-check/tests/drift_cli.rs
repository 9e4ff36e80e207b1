//! `schema-check drift` as a user runs it, on SQLite files (the servers' cases are in the
//! `tests/` crate): exit codes, the report, `--remediation`, `--as-migration`, tenants as
//! several files, and passwords never printed.

use std::path::Path;
use std::process::Command;

fn run(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schema-check"))
        .arg("drift")
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run schema-check");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn database(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

const INIT: &str = "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, note text);\n";

#[test]
fn sqlite_drift_report_remediation_and_migration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("migrations")).unwrap();
    std::fs::write(root.join("migrations/0001_init.sql"), INIT).unwrap();
    std::fs::create_dir(root.join("tenants")).unwrap();
    for t in ["a", "b", "c"] {
        database(&root.join(format!("tenants/{t}.db")), INIT);
    }
    // Clean: exit 0.
    let (code, out, err) = run(root, &["--database-url", "sqlite://tenants/a.db"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no drift"), "{out}");

    // Two tenants drift the same way: one line for both.
    for t in ["b", "c"] {
        database(
            &root.join(format!("tenants/{t}.db")),
            "ALTER TABLE users DROP COLUMN note; CREATE INDEX hot ON users (email);",
        );
    }
    let (code, out, _) = run(root, &["--database-url", "sqlite://tenants/*.db"]);
    assert_eq!(code, 1, "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("2 tenants"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("column `users.note` is missing"), "{line}");
    assert!(line.contains("migrations/0001_init.sql:1"), "{line}");
    assert!(
        line.contains("index `hot` on `users` is not in the migrations"),
        "{line}"
    );
    assert!(out.contains("1 tenant (tenants/a.db): no drift"), "{out}");

    // JSON lists every tenant.
    let (_, out, _) = run(
        root,
        &[
            "--database-url",
            "sqlite://tenants/*.db",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["tenants"], 3);
    assert_eq!(doc["drifted"], 2);
    assert_eq!(
        doc["groups"][0]["tenants"],
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
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("migrations/0001_init.sql"), INIT).unwrap();
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
