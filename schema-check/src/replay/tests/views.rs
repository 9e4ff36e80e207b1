//! Views: renames, dependencies and CASCADE (each case checked on PostgreSQL 15 first).

use super::*;

const PG: Dialect = Dialect::Postgres;

fn views(out: &ReplayOutput) -> Vec<&str> {
    out.schema.views.keys().map(String::as_str).collect()
}

#[test]
fn views_are_renamed_by_alter_view_alter_materialized_view_and_alter_table() {
    let out = ok(
        PG,
        "CREATE TABLE t (id int PRIMARY KEY, org int);
         CREATE VIEW a AS SELECT id FROM t;
         ALTER VIEW a RENAME TO b;
         ALTER VIEW IF EXISTS missing RENAME TO whatever;
         ALTER VIEW b RENAME COLUMN id TO ident;
         ALTER VIEW b OWNER TO CURRENT_USER;
         CREATE MATERIALIZED VIEW m AS SELECT org, count(*) AS n FROM t GROUP BY org;
         ALTER MATERIALIZED VIEW m RENAME TO totals;
         CREATE UNIQUE INDEX ON totals (org);
         CREATE VIEW c AS SELECT * FROM t;
         ALTER TABLE c RENAME TO d;",
    );
    assert_eq!(views(&out), ["b", "d", "totals"]);
    assert!(out.schema.views["totals"].materialized);
    assert_eq!(out.schema.indexes["totals_org_idx"].table, "totals");
}

#[test]
fn a_renamed_view_keeps_its_dependents_and_its_indexes() {
    let out = ok(
        PG,
        "CREATE TABLE t (id int);
         CREATE VIEW base AS SELECT id FROM t;
         CREATE MATERIALIZED VIEW top AS SELECT id FROM base;
         CREATE INDEX top_id ON top (id);
         ALTER VIEW base RENAME TO base2;
         ALTER MATERIALIZED VIEW top RENAME TO top2;
         CREATE VIEW other AS SELECT 1 AS one;
         DROP VIEW base2 CASCADE;",
    );
    assert_eq!(views(&out), ["other"]);
    assert!(out.schema.indexes.is_empty());
    let e = one_error(
        PG,
        "CREATE TABLE t (id int);
         CREATE VIEW base AS SELECT id FROM t;
         CREATE VIEW top AS SELECT id FROM base;
         ALTER VIEW base RENAME TO base2;
         DROP VIEW base2;",
    );
    assert!(e.message.contains("`top`"), "{}", e.message);
}

#[test]
fn renaming_a_view_onto_a_taken_name_or_a_missing_view_fails() {
    let e = one_error(
        PG,
        "CREATE TABLE t (id int); CREATE VIEW a AS SELECT 1; ALTER VIEW a RENAME TO t;",
    );
    assert!(
        e.message.contains("a table with that name exists"),
        "{}",
        e.message
    );
    let e = one_error(PG, "ALTER VIEW nope RENAME TO b;");
    assert!(
        e.message.contains("view `nope` does not exist"),
        "{}",
        e.message
    );
}
