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

#[test]
fn a_column_a_view_reads_cannot_be_dropped_or_retyped_without_cascade() {
    // Each refused by PostgreSQL 15 ("cannot drop column a of table t because other
    // objects depend on it", "cannot alter type of a column used by a view or rule").
    for (view, stmt) in [
        ("SELECT a FROM t", "ALTER TABLE t DROP COLUMN a"),
        (
            "SELECT x.a AS n FROM t x JOIN u ON u.id = x.id",
            "ALTER TABLE t DROP COLUMN a",
        ),
        ("SELECT * FROM t", "ALTER TABLE t DROP COLUMN b"),
        (
            "SELECT t.* FROM t JOIN u USING (id)",
            "ALTER TABLE t DROP COLUMN b",
        ),
        ("SELECT a FROM t", "ALTER TABLE t ALTER COLUMN a TYPE int"),
        (
            "SELECT t.b FROM t, u",
            "ALTER TABLE t ALTER COLUMN b TYPE varchar(9)",
        ),
        (
            "SELECT b, u.a FROM t JOIN u ON u.id = t.id",
            "ALTER TABLE t DROP COLUMN b",
        ),
    ] {
        let sql = format!(
            "CREATE TABLE t (id int PRIMARY KEY, a int, b text);
             CREATE TABLE u (id int PRIMARY KEY, a int);
             CREATE VIEW v AS {view};
             {stmt};"
        );
        let e = one_error(PG, &sql);
        assert!(e.message.contains("view(s) `v`"), "{sql}: {}", e.message);
    }
}

#[test]
fn columns_a_view_does_not_read_are_dropped_and_retyped_freely() {
    let out = ok(
        PG,
        "CREATE TABLE t (id int PRIMARY KEY, a int, b text);
         CREATE TABLE u (id int PRIMARY KEY, a int, b text);
         CREATE VIEW star AS SELECT * FROM t;
         ALTER TABLE t ADD COLUMN c int;
         ALTER TABLE t ALTER COLUMN c TYPE bigint;
         ALTER TABLE t DROP COLUMN c;
         CREATE VIEW counts AS SELECT count(*) AS n FROM u;
         CREATE VIEW joined AS SELECT t.a, id FROM t JOIN u USING (id) WHERE t.b IS NULL;
         CREATE VIEW aliased AS SELECT u.id AS b FROM u ORDER BY b;
         ALTER TABLE u DROP COLUMN b;
         ALTER TABLE u ALTER COLUMN a TYPE bigint;
         ALTER TABLE u DROP COLUMN a;",
    );
    assert_eq!(views(&out), ["aliased", "counts", "joined", "star"]);
}

#[test]
fn drop_column_cascade_drops_the_views_that_read_it_and_theirs() {
    let out = ok(
        PG,
        "CREATE TABLE t (id int PRIMARY KEY, a int, b text);
         CREATE VIEW v AS SELECT id, a FROM t;
         CREATE MATERIALIZED VIEW m AS SELECT * FROM v;
         CREATE UNIQUE INDEX m_id ON m (id);
         CREATE VIEW keep AS SELECT t.id, t.b FROM t;
         ALTER TABLE t RENAME COLUMN a TO renamed;
         ALTER TABLE t DROP COLUMN renamed CASCADE;
         CREATE VIEW v AS SELECT id FROM t;",
    );
    assert_eq!(views(&out), ["keep", "v"]);
    assert!(out.schema.indexes.keys().all(|k| k != "m_id"));
    let out = ok(
        PG,
        "CREATE TYPE mood AS ENUM ('a', 'b');
         CREATE TABLE t (id int PRIMARY KEY, m mood);
         CREATE INDEX t_m ON t (m);
         CREATE VIEW v AS SELECT t.m FROM t;
         CREATE VIEW w AS SELECT t.id FROM t;
         DROP TYPE mood CASCADE;",
    );
    assert_eq!(views(&out), ["w"]);
    assert!(out.schema.indexes.keys().all(|k| k != "t_m"));
}

#[test]
fn a_view_that_may_read_a_dropped_column_is_kept_and_may_be_created_again() {
    // `a` could be t.a or a column of the CTE: the replay keeps the view, and a later
    // CREATE VIEW of the same name (PostgreSQL had dropped it: t.a it was) is a warning.
    let out = ok(
        PG,
        "CREATE TABLE t (id int PRIMARY KEY, a int);
         CREATE TABLE u (id int PRIMARY KEY, z int);
         CREATE VIEW v AS WITH k AS (SELECT 1 AS one) SELECT a FROM t, k;
         ALTER TABLE t DROP COLUMN a CASCADE;
         CREATE VIEW v AS SELECT z FROM t JOIN u ON u.id = t.id;",
    );
    assert_eq!(views(&out), ["v"]);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
}
