//! Replay tests: per dialect, per feature, small readable cases.

use super::*;
use crate::model::{Column, Generated, HistoryEvent, Table};
use crate::types::TypeFamily;

mod history;
mod mysql;
mod names;
mod postgres;
mod sqlite;
mod views;

/// The statements of `sql`, as the real splitter cuts them from a file `m.sql`.
pub(crate) fn statements(dialect: Dialect, sql: &str) -> Vec<Statement> {
    crate::split::split(sql, "m.sql", dialect)
        .into_result()
        .unwrap_or_else(|e| panic!("test SQL does not split: {e}"))
}

/// Replays `sql` in `dialect`.
pub(crate) fn replay(dialect: Dialect, sql: &str) -> ReplayOutput {
    let mut r = Replayer::new(dialect);
    for s in statements(dialect, sql) {
        r.apply(&s);
    }
    r.finish()
}

/// Replays `sql`, which must produce no error.
pub(crate) fn ok(dialect: Dialect, sql: &str) -> ReplayOutput {
    let out = replay(dialect, sql);
    assert!(
        out.errors.is_empty(),
        "unexpected errors:\n{}",
        out.errors
            .iter()
            .map(ToString::to_string)
            .collect::<String>()
    );
    out
}

/// Replays `sql`, which must produce exactly one error; returns it.
pub(crate) fn one_error(dialect: Dialect, sql: &str) -> Diagnostic {
    let out = replay(dialect, sql);
    assert_eq!(
        out.errors.len(),
        1,
        "expected one error, got {:#?}",
        out.errors
    );
    out.errors.into_iter().next().unwrap()
}

pub(crate) fn table<'a>(out: &'a ReplayOutput, name: &str) -> &'a Table {
    out.schema
        .tables
        .get(name)
        .unwrap_or_else(|| panic!("no table {name}; tables: {:?}", out.schema.tables.keys()))
}

pub(crate) fn col<'a>(out: &'a ReplayOutput, t: &str, c: &str) -> &'a Column {
    table(out, t)
        .column(c)
        .unwrap_or_else(|| panic!("no column {t}.{c}"))
}

/// `(name, canonical type, nullable)` of every column of `t`.
pub(crate) fn shape(out: &ReplayOutput, t: &str) -> Vec<(String, String, bool)> {
    table(out, t)
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty.canonical.clone(), c.nullable))
        .collect()
}

/// The canonical type of every column of `t`, in order.
pub(crate) fn types(out: &ReplayOutput, t: &str) -> Vec<String> {
    table(out, t)
        .columns
        .iter()
        .map(|c| c.ty.canonical.clone())
        .collect()
}

pub(crate) fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[allow(dead_code)]
pub(crate) fn cols(spec: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    spec.iter()
        .map(|(n, t, null)| (n.to_string(), t.to_string(), *null))
        .collect()
}

#[test]
fn every_dialect_replays_basic_create_and_alter() {
    for d in Dialect::ALL {
        let out = ok(
            d,
            "CREATE TABLE t (id integer PRIMARY KEY, name varchar(20) NOT NULL);\n\
             ALTER TABLE t ADD COLUMN note text;\n\
             ALTER TABLE t RENAME COLUMN note TO remark;\n\
             ALTER TABLE t DROP COLUMN remark;",
        );
        let t = table(&out, "t");
        assert_eq!(t.columns.len(), 2, "{d}");
        assert_eq!(t.primary_key, Some(s(&["id"])), "{d}");
        assert!(!col(&out, "t", "name").nullable, "{d}");
        assert!(matches!(
            col(&out, "t", "name").ty.family,
            TypeFamily::Text { .. }
        ));
        assert_eq!(out.schema.history.len(), 2, "{d}");
    }
}

#[test]
fn unparseable_table_change_is_an_error_at_file_position() {
    let d = one_error(
        Dialect::Postgres,
        "CREATE TABLE ok (a int);\n\nCREATE TABLE t (\n  a int,\n  b int int\n);",
    );
    let loc = d.location.clone().unwrap();
    assert_eq!(loc.line, 5, "{d}");
    assert!(loc.column > 1, "{d}");
    assert!(d.message.contains("cannot parse"), "{d}");
    assert!(d.help.is_some());
    assert_eq!(d.source_line.as_deref(), Some("  b int int"));
    // A comment before the statement does not shift the position.
    let d = one_error(
        Dialect::Postgres,
        "-- note\n/* block\n comment */ CREATE TABLE t (\n  a int int\n)",
    );
    assert_eq!(d.location.map(|l| (l.line, l.column)), Some((4, 9)));
    assert_eq!(d.source_line.as_deref(), Some("  a int int"));
}

#[test]
fn unparseable_noise_is_skipped_with_reason() {
    let out = ok(
        Dialect::Postgres,
        "CREATE STATISTICS s ON a, b FROM t;\nREINDEX TABLE t;\nCREATE TABLE t (a int)",
    );
    assert_eq!(out.skipped.len(), 2);
    assert!(
        out.skipped[0]
            .reason
            .starts_with("not parsed: CREATE STATISTICS")
    );
    assert_eq!(out.skipped[1].at.line, 2);
    assert_eq!(out.skipped[1].first_line, "REINDEX TABLE t");
}

#[test]
fn parsed_noise_is_skipped_and_recorded() {
    let out = ok(
        Dialect::Postgres,
        "CREATE TABLE t (a int);\n\
         INSERT INTO t VALUES (1);\n\
         GRANT SELECT ON t TO bob;\n\
         COMMENT ON TABLE t IS 'x';\n\
         CREATE SEQUENCE s;\n\
         BEGIN;\n\
         COMMIT;\n\
         ALTER TABLE t OWNER TO bob;\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         ALTER TABLE t SET (fillfactor = 70);\n\
         CREATE EXTENSION IF NOT EXISTS citext;\n\
         UPDATE t SET a = 2;\n\
         DELETE FROM t;\n\
         SELECT 1",
    );
    // CREATE SEQUENCE is modelled (sequences are part of the schema), not skipped.
    assert_eq!(out.skipped.len(), 12, "{:#?}", out.skipped);
    assert!(out.schema.sequences.contains_key("s"));
    assert_eq!(table(&out, "t").provenance.last_changed.line, 1);
}

#[test]
fn errors_do_not_stop_the_replay() {
    let out = replay(
        Dialect::Postgres,
        "ALTER TABLE missing ADD COLUMN a int;\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD COLUMN b int",
    );
    assert_eq!(out.errors.len(), 2);
    assert!(out.errors[0].message.contains("`missing` does not exist"));
    assert!(out.errors[1].message.contains("already exists"));
    assert!(
        out.errors[1].message.contains("m.sql:2:1"),
        "{}",
        out.errors[1]
    );
    assert_eq!(table(&out, "t").columns.len(), 2);
}

#[test]
fn missing_table_error_explains_rename_and_drop() {
    let d = one_error(
        Dialect::Postgres,
        "CREATE TABLE a (x int);\nALTER TABLE a RENAME TO b;\nALTER TABLE a ADD y int",
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("renamed to `b` at m.sql:2:1"),
        "{d}"
    );
    let d = one_error(
        Dialect::Sqlite,
        "CREATE TABLE a (x int);\nDROP TABLE a;\nALTER TABLE a ADD y int",
    );
    assert!(
        d.help.as_deref().unwrap().contains("dropped at m.sql:2:1"),
        "{d}"
    );
}

#[test]
fn missing_column_error_names_table_and_history() {
    let d = one_error(
        Dialect::Mysql,
        "CREATE TABLE a (x int, y int);\nALTER TABLE a DROP COLUMN y;\nALTER TABLE a DROP COLUMN y",
    );
    assert!(
        d.message.contains("`y`") && d.message.contains("`a`"),
        "{d}"
    );
    assert!(
        d.help.as_deref().unwrap().contains("dropped at m.sql:2:1"),
        "{d}"
    );
    assert_eq!(d.location.unwrap().line, 3);
}

#[test]
fn provenance_tracks_creation_and_last_change() {
    let out = ok(
        Dialect::Postgres,
        "CREATE TABLE t (a int, b int);\n\
         ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n\
         INSERT INTO t VALUES (1, 2)",
    );
    let t = table(&out, "t");
    assert_eq!(t.provenance.created.line, 1);
    assert_eq!(t.provenance.last_changed.line, 2);
    assert_eq!(col(&out, "t", "a").provenance.last_changed.line, 1);
    assert_eq!(col(&out, "t", "b").provenance.last_changed.line, 2);
}

#[test]
fn create_table_as_select_copies_the_columns_of_one_table() {
    // Checked against PostgreSQL 16, MariaDB 10.11 and SQLite: the backup step of a table
    // rebuild. Types as each server gives them; NOT NULL kept by MySQL only.
    let sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(10) NOT NULL, b DOUBLE PRECISION);
               CREATE TABLE c AS SELECT * FROM t;
               CREATE TABLE c2 AS SELECT x.id AS k, a FROM t x WHERE b > 1";
    let expect = |d: Dialect| -> [(&str, &str, bool); 3] {
        match d {
            Dialect::Postgres => [
                ("id", "integer", true),
                ("a", "character varying(10)", true),
                ("b", "double precision", true),
            ],
            Dialect::Mysql => [
                ("id", "int", false),
                ("a", "varchar(10)", false),
                ("b", "double", true),
            ],
            Dialect::Sqlite => [
                ("id", "int", true),
                ("a", "text", true),
                ("b", "real", true),
            ],
        }
    };
    for d in Dialect::ALL {
        let out = ok(d, sql);
        assert_eq!(shape(&out, "c"), cols(&expect(d)), "{d:?}");
        let [id, a, _] = expect(d);
        assert_eq!(shape(&out, "c2"), cols(&[("k", id.1, id.2), a]), "{d:?}");
        assert_eq!(table(&out, "c").primary_key, None);
    }
}

#[test]
fn create_table_as_select_of_unknown_columns_is_skipped_with_what_to_do() {
    // The server accepted it: not an error. The skip says how to make it modelled, and the
    // history records it for a cache struct naming the table.
    for d in Dialect::ALL {
        // PostgreSQL types a recursive query; not `*` over a function it does not know.
        let sql = match d {
            Dialect::Postgres => {
                "CREATE TABLE t AS SELECT * FROM pg_options_to_table(ARRAY['a=1'])"
            }
            _ => {
                "CREATE TABLE t AS WITH RECURSIVE w AS (SELECT 1 AS a UNION ALL SELECT a + 1 FROM w WHERE a < 3) SELECT a FROM w"
            }
        };
        let out = ok(d, sql);
        assert!(out.schema.tables.is_empty());
        assert!(
            out.skipped[0].reason.contains("AS SELECT"),
            "{:?}",
            out.skipped
        );
        assert!(out.skipped[0].reason.contains("explicit columns"));
        let fate = crate::suggest::table_fate(&out.schema.history, "t", |a, b| a == b);
        assert!(fate.is_some_and(|f| f.contains("m.sql:1")));
    }
}

#[test]
fn create_existing_table_errors_unless_if_not_exists() {
    for d in Dialect::ALL {
        let e = one_error(d, "CREATE TABLE t (a int);\nCREATE TABLE t (b int)");
        assert!(e.message.contains("created at m.sql:1:1"), "{e}");
        let out = ok(
            d,
            "CREATE TABLE t (a int);\nCREATE TABLE IF NOT EXISTS t (b int)",
        );
        assert_eq!(shape(&out, "t")[0].0, "a");
        assert_eq!(out.skipped.len(), 1);
    }
}

#[test]
fn several_operations_in_one_alter() {
    for d in [Dialect::Postgres, Dialect::Mysql] {
        let out = ok(
            d,
            "CREATE TABLE t (a int, b int);\nALTER TABLE t ADD COLUMN c int, DROP COLUMN a, ADD COLUMN d text",
        );
        let names: Vec<String> = shape(&out, "t").into_iter().map(|c| c.0).collect();
        assert_eq!(names, s(&["b", "c", "d"]), "{d}");
    }
}

#[test]
fn views_are_recorded_not_tables() {
    for d in Dialect::ALL {
        let out = ok(
            d,
            "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nDROP VIEW v;\nCREATE VIEW w AS SELECT a FROM t",
        );
        assert!(out.schema.views.contains_key("w"));
        assert!(!out.schema.views.contains_key("v"));
        assert!(!out.schema.tables.contains_key("w"));
    }
}

#[test]
fn identity_and_generated_columns() {
    let out = ok(
        Dialect::Postgres,
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY, a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
    );
    assert_eq!(
        col(&out, "t", "id").generated,
        Some(Generated::Identity { always: true })
    );
    assert!(!col(&out, "t", "id").nullable);
    assert_eq!(
        col(&out, "t", "b").generated,
        Some(Generated::Expression {
            expr: "a * 2".into(),
            stored: true
        })
    );
}

#[test]
fn history_records_drops_and_renames() {
    let out = ok(
        Dialect::Postgres,
        "CREATE TABLE a (x int);\nALTER TABLE a RENAME COLUMN x TO y;\nALTER TABLE a RENAME TO b;\nDROP TABLE b",
    );
    assert!(
        matches!(&out.schema.history[0], HistoryEvent::ColumnRenamed { from, to, .. } if from == "x" && to == "y")
    );
    assert!(
        matches!(&out.schema.history[1], HistoryEvent::TableRenamed { from, to, .. } if from == "a" && to == "b")
    );
    assert!(
        matches!(&out.schema.history[2], HistoryEvent::TableDropped { table, .. } if table == "b")
    );
}

#[test]
fn views_with_check_option_are_views() {
    // PostgreSQL and MariaDB accept `WITH [LOCAL|CASCADED] CHECK OPTION` after a view's
    // query; it restricts writes, not the view.
    for d in [Dialect::Postgres, Dialect::Mysql] {
        let out = ok(
            d,
            "CREATE TABLE t (id INT PRIMARY KEY, n INT);
             CREATE VIEW v AS SELECT id, n FROM t WHERE n > 0 WITH LOCAL CHECK OPTION;
             CREATE OR REPLACE VIEW w AS SELECT id FROM t
               WITH CHECK OPTION",
        );
        assert_eq!(
            out.schema
                .views
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["v", "w"],
            "{d:?}"
        );
    }
}
