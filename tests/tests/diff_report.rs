//! The comparison reports every kind of disagreement, readably, with the replay's
//! provenance.

use cache_contract_tests::ObservedSchema;
use cache_contract_tests::diff::compare;
use cache_contract_tests::observed::NameRules;
use schema_check::replay::Replayer;
use schema_check::{Dialect, Location, Statement};

fn listing(text: &str) -> ObservedSchema {
    ObservedSchema::parse(text, "inline").unwrap()
}

#[test]
fn every_kind_of_difference_is_reported() {
    let replay = listing(
        "table a pk(id)\n  id integer not null\n  x text\n  y text\n\
         table only_replay\n  z date\n\
         table b\n  p bigint\n  q text not null\n",
    );
    let database = listing(
        "table a pk(id,x)\n  id integer not null\n  y text\n  x text\n\
         table only_db\n  z date\n\
         table b\n  p integer\n  q text\n  r uuid\n",
    );
    let report = compare("replay", &replay, "postgres", &database, None);
    let kinds: Vec<(String, Option<String>, String)> = report
        .differences
        .iter()
        .map(|d| (d.table.clone(), d.column.clone(), d.what.clone()))
        .collect();
    let expect =
        |t: &str, c: Option<&str>, w: &str| (t.to_string(), c.map(str::to_string), w.to_string());
    assert_eq!(
        kinds,
        vec![
            expect("a", None, "column order"),
            expect("a", None, "primary key"),
            expect("b", Some("p"), "type"),
            expect("b", Some("q"), "nullability"),
            expect("b", Some("r"), "column exists on one side only"),
            expect("only_db", None, "table exists on one side only"),
            expect("only_replay", None, "table exists on one side only"),
        ]
    );
    let text = report.to_string();
    assert!(
        text.starts_with("7 difference(s) between replay and postgres:\n"),
        "{text}"
    );
    assert!(
        text.contains("  a: primary key\n      replay:   pk(id)\n      postgres: pk(id,x)\n"),
        "{text}"
    );
    assert!(
        text.contains("  b.q: nullability\n      replay:   not null\n      postgres: nullable\n"),
        "{text}"
    );
    assert!(compare("x", &replay, "y", &replay, None).is_empty());
}

#[test]
fn differences_name_the_migration_that_last_changed_the_column() {
    let mut replayer = Replayer::new(Dialect::Postgres);
    for (line, text) in [
        (1, "CREATE TABLE users (id int PRIMARY KEY, email text)"),
        (2, "ALTER TABLE users ALTER COLUMN email SET NOT NULL"),
    ] {
        let at = Location {
            file: "migrations/0001_init.sql".into(),
            line,
            column: 1,
        };
        replayer.apply(&Statement {
            text: text.into(),
            at,
            source_line: text.into(),
        });
    }
    let output = replayer.finish();
    assert!(output.errors.is_empty(), "{:?}", output.errors);
    let replay = ObservedSchema::from_replay(&output.schema, NameRules::Postgres);
    let database = listing(
        "table users pk(id)\n  id integer not null\n  email text\nconstraint primary users_pkey on users\n",
    );
    let report = compare(
        "replay",
        &replay,
        "postgres",
        &database,
        Some(&output.schema),
    );
    let text = report.to_string();
    assert!(
        text.contains(
            "  users.email: nullability\n      replay:   not null\n      postgres: nullable\n      \
             (column created at migrations/0001_init.sql:1:1, last changed at migrations/0001_init.sql:2:1)"
        ),
        "{text}"
    );
}

#[test]
fn index_and_constraint_names_are_compared_with_the_replays_provenance() {
    let mut replayer = Replayer::new(Dialect::Postgres);
    for (line, text) in [
        (1, "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE)"),
        (2, "CREATE INDEX ON t (lower(email))"),
    ] {
        let at = Location {
            file: "migrations/0001_init.sql".into(),
            line,
            column: 1,
        };
        replayer.apply(&Statement {
            text: text.into(),
            at,
            source_line: text.into(),
        });
    }
    let output = replayer.finish();
    let replay = ObservedSchema::from_replay(&output.schema, NameRules::Postgres);
    let shown = replay.to_string();
    assert!(shown.contains("index t_lower_idx on t\n"), "{shown}");
    assert!(
        shown.contains("constraint primary t_pkey on t\n"),
        "{shown}"
    );
    assert!(
        shown.contains("constraint unique t_email_key on t\n"),
        "{shown}"
    );
    assert_eq!(listing(&shown), replay, "the text form reads back");
    let database = listing(
        "table t pk(id)\n  id integer not null\n  email text\nindex t_lower_idx1 on t\n\
         constraint primary t_pkey on t\nconstraint unique t_email_key on t\n",
    );
    let report = compare(
        "replay",
        &replay,
        "postgres",
        &database,
        Some(&output.schema),
    );
    let text = report.to_string();
    assert_eq!(report.differences.len(), 2, "{text}");
    assert!(
        text.contains(
            "  t: index `t_lower_idx` exists on one side only\n      replay:   present\n      \
             postgres: -\n      (index created at migrations/0001_init.sql:2:1)"
        ),
        "{text}"
    );
    assert!(
        text.contains("  t: index `t_lower_idx1` exists on one side only"),
        "{text}"
    );
}
