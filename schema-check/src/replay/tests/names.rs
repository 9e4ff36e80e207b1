//! Generated names, constraint provenance, foreign key actions and warnings.

use super::*;
use crate::model::{ReferentialAction, UniqueKind};

const PG: Dialect = Dialect::Postgres;
const MY: Dialect = Dialect::Mysql;

fn unique_names(t: &Table) -> Vec<&str> {
    t.unique.iter().filter_map(|u| u.name.as_deref()).collect()
}

#[test]
fn postgres_names_clash_with_the_keys_of_renamed_tables() {
    let out = ok(
        PG,
        "CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, age int CHECK (age > 0));
         ALTER TABLE users RENAME TO old_users;
         CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, age int CHECK (age > 0));",
    );
    let old = table(&out, "old_users");
    assert_eq!(old.primary_key_name.as_deref(), Some("users_pkey"));
    let new = table(&out, "users");
    assert_eq!(new.primary_key_name.as_deref(), Some("users_pkey1"));
    assert_eq!(unique_names(new), ["users_email_key1"]);
    assert_eq!(new.checks[0].name.as_deref(), Some("users_age_check1"));
    assert_eq!(
        new.columns[0].default.as_deref(),
        Some("nextval('users_id_seq1'::regclass)")
    );
    assert!(out.schema.sequences.contains_key("users_id_seq1"));
    assert_eq!(
        out.schema.sequences["users_id_seq"]
            .owned_by
            .as_ref()
            .unwrap()
            .table,
        "old_users"
    );
}

#[test]
fn postgres_index_names_follow_expressions_and_clashes() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int, b text, data jsonb);
         CREATE INDEX ON t (lower(b));
         CREATE UNIQUE INDEX ON t (a, b);
         CREATE INDEX ON t ((data->>'x'));
         CREATE INDEX ON t (a);
         CREATE INDEX ON t (a);
         DROP INDEX t_lower_idx;
         DROP INDEX t_a_idx1;",
    );
    let names: Vec<&String> = out.schema.indexes.keys().collect();
    assert_eq!(names, ["t_a_b_idx", "t_a_idx", "t_expr_idx"]);
    assert_eq!(table(&out, "t").unique[0].kind, UniqueKind::Index);
}

#[test]
fn postgres_check_and_foreign_key_names() {
    let out = ok(
        PG,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (a int REFERENCES p ON DELETE CASCADE, b int, CHECK (a > b), CHECK (b > 0),
                         FOREIGN KEY (b) REFERENCES p (id) ON UPDATE SET NULL);
         ALTER TABLE c ADD CHECK (a < b);",
    );
    let c = table(&out, "c");
    let checks: Vec<&str> = c.checks.iter().filter_map(|x| x.name.as_deref()).collect();
    assert_eq!(checks, ["c_check", "c_b_check", "c_check1"]);
    let fks: Vec<(&str, ReferentialAction, ReferentialAction)> = c
        .foreign_keys
        .iter()
        .map(|f| (f.name.as_deref().unwrap(), f.on_delete, f.on_update))
        .collect();
    assert_eq!(
        fks,
        [
            (
                "c_a_fkey",
                ReferentialAction::Cascade,
                ReferentialAction::NoAction
            ),
            (
                "c_b_fkey",
                ReferentialAction::NoAction,
                ReferentialAction::SetNull
            )
        ]
    );
    assert_eq!(c.checks[2].provenance.created.line, 4);
}

#[test]
fn postgres_long_names_are_cut_like_make_object_name() {
    let t = "t".repeat(40);
    let col = "c".repeat(40);
    let out = ok(PG, &format!("CREATE TABLE {t} ({col} int UNIQUE)"));
    let name = unique_names(table(&out, &t))[0].to_string();
    assert_eq!(name, format!("{}_{}_key", "t".repeat(29), "c".repeat(29)));
}

#[test]
fn mysql_names_keys_foreign_keys_and_checks() {
    let out = ok(
        MY,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (id int, pid int REFERENCES p (id) CHECK (pid > 0), x int,
                         CHECK (x > 1), UNIQUE (x), UNIQUE (x),
                         CONSTRAINT fx FOREIGN KEY (x) REFERENCES p (id));
         ALTER TABLE c ADD FOREIGN KEY (x) REFERENCES p (id);
         RENAME TABLE c TO d;",
    );
    let d = table(&out, "d");
    assert_eq!(unique_names(d), ["x", "x_2"]);
    let fks: Vec<&str> = d
        .foreign_keys
        .iter()
        .filter_map(|f| f.name.as_deref())
        .collect();
    assert_eq!(fks, ["d_ibfk_1", "fx", "d_ibfk_2"]);
    assert!(
        d.foreign_keys
            .iter()
            .all(|f| f.on_delete == ReferentialAction::Restrict)
    );
    let checks: Vec<&str> = d.checks.iter().filter_map(|x| x.name.as_deref()).collect();
    assert_eq!(checks, ["pid", "CONSTRAINT_1"]);
    assert_eq!(
        table(&out, "p").primary_key_name.as_deref(),
        Some("PRIMARY")
    );
    // The index MariaDB creates for the foreign key on `pid`.
    assert!(
        out.schema.indexes.contains_key("d.pid"),
        "{:?}",
        out.schema.indexes.keys()
    );
}

#[test]
fn a_do_block_turns_what_it_may_explain_into_a_warning() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int);
         DO $$ BEGIN EXECUTE 'CREATE INDEX t_a_idx ON t (a)'; END $$;
         DROP INDEX t_a_idx;",
    );
    assert_eq!(out.warnings.len(), 1, "{:#?}", out.warnings);
    let w = &out.warnings[0];
    assert_eq!((w.location.line, w.cause.line), (3, 2));
    assert!(w.message.contains("t_a_idx"), "{}", w.message);
    // The warning says it all: the DROP is not also listed as skipped ("DROP INDEX IF
    // EXISTS of objects that do not exist" was, though it has no IF EXISTS).
    assert!(
        out.skipped.iter().all(|s| s.at.line != 3),
        "{:#?}",
        out.skipped
    );
    // Without the DO block, the same DROP is an error.
    let e = one_error(PG, "CREATE TABLE t (a int);\nDROP INDEX t_a_idx;");
    assert!(e.message.contains("does not exist"));
}

#[test]
fn composite_types_and_sequences_are_modelled() {
    let out = ok(
        PG,
        "CREATE TYPE address AS (street text, tags text[]);
         CREATE SEQUENCE ids;
         CREATE TABLE t (id bigint NOT NULL, home address, homes address[]);
         ALTER SEQUENCE ids OWNED BY t.id;
         ALTER TABLE ONLY t ALTER COLUMN id SET DEFAULT nextval('ids'::regclass);",
    );
    let t = table(&out, "t");
    assert_eq!(t.columns[1].ty.canonical, "address");
    assert_eq!(t.columns[2].ty.canonical, "address[]");
    assert_eq!(out.schema.composite_types["address"].attributes.len(), 2);
    assert_eq!(
        out.schema.sequences["ids"]
            .owned_by
            .as_ref()
            .unwrap()
            .column,
        "id"
    );
    let out = ok(PG, "CREATE TABLE t (id serial);\nDROP TABLE t;");
    assert!(out.schema.sequences.is_empty());
}

#[test]
fn an_unknown_type_is_one_error_and_the_table_still_exists() {
    let out = replay(
        PG,
        "CREATE TABLE t (id int, loc geometryish);
         ALTER TABLE t ADD COLUMN name text;",
    );
    assert_eq!(out.errors.len(), 1, "{:#?}", out.errors);
    assert_eq!(table(&out, "t").columns.len(), 3);
    // An extension may have created it: a warning naming the extension.
    let out = ok(
        PG,
        "CREATE EXTENSION postgis_like;
         CREATE TABLE t (id int, loc geometryish);",
    );
    assert_eq!(out.warnings.len(), 1, "{:#?}", out.warnings);
    assert_eq!(out.warnings[0].cause.line, 1);
}

#[test]
fn pg_dump_sequences_replay() {
    let out = ok(
        PG,
        "CREATE TABLE public.t (id integer NOT NULL);
         CREATE SEQUENCE public.t_id_seq
             AS integer
             START WITH 1
             INCREMENT BY 1
             NO MINVALUE
             NO MAXVALUE
             CACHE 1;
         ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;
         ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);
         ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
    );
    assert_eq!(
        out.schema.sequences["t_id_seq"]
            .owned_by
            .as_ref()
            .unwrap()
            .table,
        "t"
    );
    assert_eq!(table(&out, "t").primary_key_name.as_deref(), Some("t_pkey"));
}

#[test]
fn mariadb_json_columns_carry_a_check_named_after_the_column() {
    // Checked on MariaDB 10.11: the check keeps its name through RENAME COLUMN, goes with
    // the column's old definition on MODIFY, and a CHANGE to JSON names it anew.
    let out = ok(
        MY,
        "CREATE TABLE t (id int, j JSON, k json NOT NULL, n int CHECK (n > 0));
         ALTER TABLE t ADD COLUMN m json;
         ALTER TABLE t RENAME COLUMN j TO j2;
         ALTER TABLE t MODIFY k text;
         ALTER TABLE t MODIFY n bigint;
         ALTER TABLE t MODIFY id json;
         ALTER TABLE t CHANGE m m2 json;",
    );
    let t = table(&out, "t");
    let checks: Vec<(&str, Option<&str>)> = t
        .checks
        .iter()
        .map(|c| (c.name.as_deref().unwrap(), c.column.as_deref()))
        .collect();
    assert_eq!(
        checks,
        [("j", Some("j2")), ("id", Some("id")), ("m2", Some("m2"))]
    );
    let pg = ok(PG, "CREATE TABLE t (j json CHECK (j IS NOT NULL))");
    assert_eq!(table(&pg, "t").checks.len(), 1);
    assert_eq!(table(&pg, "t").checks[0].column, None);
}

#[test]
fn mariadb_foreign_key_indexes_are_spared_by_any_key_of_the_statement() {
    // Checked on MariaDB 10.11: a key declared after the foreign key (even the primary
    // key) serves it, and the keys it spares are named as if it had never been there.
    let out = ok(
        MY,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c2 (a int, b int, FOREIGN KEY (a) REFERENCES p(id), KEY (a), KEY (b));
         CREATE TABLE c3 (a int, b int, FOREIGN KEY (a) REFERENCES p(id), KEY (b), PRIMARY KEY (a, b));
         CREATE TABLE c4 (a int REFERENCES p(id), b int REFERENCES p(id), KEY (a), c int,
                          FOREIGN KEY (c) REFERENCES p(id), KEY (c, a));
         CREATE TABLE c5 (x int, a int REFERENCES p(id), KEY (x), KEY (a, x));
         CREATE TABLE c6 (x int, a int, FOREIGN KEY (a) REFERENCES p(id), KEY (a, x), KEY (a));
         CREATE TABLE c7 (a int, x int, FOREIGN KEY (a) REFERENCES p(id), KEY (x), KEY (a));",
    );
    let names: Vec<&String> = out.schema.indexes.keys().collect();
    assert_eq!(
        names,
        [
            "c2.a", "c2.b", "c3.b", "c4.a", "c4.b", "c4.c", "c5.a", "c5.x", "c6.a", "c6.a_2",
            "c7.a", "c7.x"
        ]
    );
}
