//! Detection and convergence, on the real servers: a history is applied, then random
//! out-of-band changes (columns added, dropped, retyped, renamed; nullability and defaults
//! changed; indexes, constraints and tables added and dropped; enum labels added) → drift
//! reports every change and nothing else; the remediation SQL (destructive steps allowed)
//! applied to that database → drift reports nothing. Every dialect.

use std::collections::BTreeSet;

use cache_contract_tests::live_db::{LiveDb, replayed};
use proptest::prelude::*;
use schema_check::Dialect;
use schema_check::drift::{DiffOptions, Object, diff, remediation, render};

/// The history every case starts from.
fn history(dialect: Dialect) -> String {
    let (mood_type, mood) = match dialect {
        Dialect::Postgres => ("CREATE TYPE mood AS ENUM ('sad', 'ok');\n", "mood"),
        Dialect::Mysql => ("", "enum('sad','ok')"),
        Dialect::Sqlite => ("", "text"),
    };
    format!(
        "{mood_type}\
         CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name text, \
             age int DEFAULT 0, nick varchar(20), bio text, m {mood});\n\
         CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL, \
             total numeric(10,2), note text, ref varchar(10), \
             CONSTRAINT orders_total_check CHECK (total >= 0), \
             CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n\
         CREATE TABLE tags (id bigint PRIMARY KEY, label text);\n\
         CREATE UNIQUE INDEX users_email_idx ON users (email);\n\
         CREATE INDEX orders_ref_idx ON orders (ref);\n"
    )
}

/// One out-of-band change: its SQL and the objects drift must report for it.
struct Change {
    sql: &'static str,
    objects: Vec<Object>,
}

fn col(t: &str, c: &str) -> Object {
    Object::Column {
        table: t.into(),
        column: c.into(),
    }
}

fn changes(dialect: Dialect) -> Vec<Change> {
    use Dialect::*;
    let c = |sql, objects| Change { sql, objects };
    let mut all = vec![
        c(
            "ALTER TABLE users ADD COLUMN extra int",
            vec![col("users", "extra")],
        ),
        c(
            "ALTER TABLE users DROP COLUMN bio",
            vec![col("users", "bio")],
        ),
        c(
            "ALTER TABLE orders RENAME COLUMN note TO memo",
            vec![col("orders", "note"), col("orders", "memo")],
        ),
        c(
            match dialect {
                Mysql => "DROP INDEX orders_ref_idx ON orders",
                _ => "DROP INDEX orders_ref_idx",
            },
            vec![Object::Index {
                table: "orders".into(),
                name: "orders_ref_idx".into(),
            }],
        ),
        c(
            "CREATE INDEX hot_idx ON users (nick)",
            vec![Object::Index {
                table: "users".into(),
                name: "hot_idx".into(),
            }],
        ),
        c(
            "CREATE TABLE junk (a int)",
            vec![Object::Table {
                table: "junk".into(),
            }],
        ),
        c(
            "DROP TABLE tags",
            vec![Object::Table {
                table: "tags".into(),
            }],
        ),
    ];
    if dialect != Sqlite {
        all.extend([
            c(
                match dialect {
                    Mysql => "ALTER TABLE users MODIFY age bigint DEFAULT 0",
                    _ => "ALTER TABLE users ALTER COLUMN age TYPE bigint",
                },
                vec![col("users", "age")],
            ),
            c(
                match dialect {
                    Mysql => "ALTER TABLE orders MODIFY total numeric(10,2) NOT NULL",
                    _ => "ALTER TABLE orders ALTER COLUMN total SET NOT NULL",
                },
                vec![col("orders", "total")],
            ),
            c(
                "ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'x'",
                vec![col("users", "nick")],
            ),
            c(
                "ALTER TABLE orders DROP CONSTRAINT orders_total_check",
                vec![Object::Check {
                    table: "orders".into(),
                    name: "orders_total_check".into(),
                }],
            ),
            c(
                match dialect {
                    Mysql => "ALTER TABLE orders DROP FOREIGN KEY orders_user_fk",
                    _ => "ALTER TABLE orders DROP CONSTRAINT orders_user_fk",
                },
                vec![Object::ForeignKey {
                    table: "orders".into(),
                    name: "orders_user_fk".into(),
                }],
            ),
            c(
                match dialect {
                    Mysql => "ALTER TABLE users MODIFY m enum('sad','ok','glad')",
                    _ => "ALTER TYPE mood ADD VALUE 'glad'",
                },
                vec![match dialect {
                    Mysql => col("users", "m"),
                    _ => Object::Enum {
                        name: "mood".into(),
                    },
                }],
            ),
        ]);
    }
    all
}

/// Applies the history and the chosen changes, checks detection, applies the remediation,
/// checks convergence.
fn case(dialect: Dialect, chosen: &[usize]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("0001_init.sql"), history(dialect))
        .map_err(|e| e.to_string())?;
    let expected = replayed(dir.path(), dialect)?;
    let mut db = LiveDb::create(dialect)?;
    db.apply_dir(dir.path())?;
    let all = changes(dialect);
    let mut wanted = BTreeSet::new();
    for &i in chosen {
        db.execute(all[i].sql, all[i].sql)?;
        wanted.extend(all[i].objects.iter().cloned());
    }
    let options = DiffOptions {
        dialect,
        ..Default::default()
    };
    let actual = db.introspect()?;
    let found = diff(&expected, &actual, &options);
    let reported: BTreeSet<Object> = found.iter().map(|d| d.object.clone()).collect();
    let sqls: Vec<&str> = chosen.iter().map(|&i| all[i].sql).collect();
    if reported != wanted {
        return Err(format!(
            "{dialect}: after {sqls:#?}\nexpected drift on {wanted:#?}\nreported:\n{}",
            found
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    let steps = remediation(&expected, &actual, &found, dialect);
    let script = render(&steps, dialect, true, true);
    db.execute(&script, "the remediation")
        .map_err(|e| format!("{dialect}: after {sqls:#?}\n{e}\nscript:\n{script}"))?;
    let after = diff(&expected, &db.introspect()?, &options);
    if !after.is_empty() {
        return Err(format!(
            "{dialect}: after {sqls:#?} and the remediation\n{script}\nstill:\n{}",
            after
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    Ok(())
}

fn every_change_at_once(dialect: Dialect) {
    let all: Vec<usize> = (0..changes(dialect).len()).collect();
    case(dialect, &all).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn postgres_every_change_at_once() {
    every_change_at_once(Dialect::Postgres);
}

#[test]
fn mariadb_every_change_at_once() {
    every_change_at_once(Dialect::Mysql);
}

#[test]
fn sqlite_every_change_at_once() {
    every_change_at_once(Dialect::Sqlite);
}

fn subset(dialect: Dialect) -> impl Strategy<Value = Vec<usize>> {
    let n = changes(dialect).len();
    proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 1..=n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn postgres_random_changes_detected_and_remediated(chosen in subset(Dialect::Postgres)) {
        case(Dialect::Postgres, &chosen).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mariadb_random_changes_detected_and_remediated(chosen in subset(Dialect::Mysql)) {
        case(Dialect::Mysql, &chosen).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn sqlite_random_changes_detected_and_remediated(chosen in subset(Dialect::Sqlite)) {
        case(Dialect::Sqlite, &chosen).map_err(TestCaseError::fail)?;
    }
}
