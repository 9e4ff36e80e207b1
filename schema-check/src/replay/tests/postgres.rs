//! PostgreSQL replay tests.

use super::*;

const PG: Dialect = Dialect::Postgres;

#[test]
fn types_are_spelled_like_format_type() {
    // Expected spellings checked against PostgreSQL's format_type(atttypid, atttypmod).
    let out = ok(
        PG,
        "CREATE TYPE mood AS ENUM ('a', 'b');
         CREATE TABLE t (a serial, b timestamptz, c int4, d varchar(3)[], e integer ARRAY,
           f int[][], g double precision, i time with time zone, j timestamp(3) with time zone,
           k bit varying(3), l character(2), m mood, n bigserial, o float, p float(30),
           q decimal, r decimal(5), s char, t2 interval, u float(10), v timetz, w time(2),
           x bit, y numeric(10,2), z mood[], aa smallserial, ab timestamp, ad varchar,
           ae text, af bytea, ag uuid, ah json, ai jsonb, aj boolean, ak int8, al int2,
           am inet, an citext, ao real, ap date)",
    );
    let expected = [
        ("a", "integer", false),
        ("b", "timestamp with time zone", true),
        ("c", "integer", true),
        ("d", "character varying(3)[]", true),
        ("e", "integer[]", true),
        ("f", "integer[]", true),
        ("g", "double precision", true),
        ("i", "time with time zone", true),
        ("j", "timestamp(3) with time zone", true),
        ("k", "bit varying(3)", true),
        ("l", "character(2)", true),
        ("m", "mood", true),
        ("n", "bigint", false),
        ("o", "double precision", true),
        ("p", "double precision", true),
        ("q", "numeric", true),
        ("r", "numeric(5,0)", true),
        ("s", "character(1)", true),
        ("t2", "interval", true),
        ("u", "real", true),
        ("v", "time with time zone", true),
        ("w", "time(2) without time zone", true),
        ("x", "bit(1)", true),
        ("y", "numeric(10,2)", true),
        ("z", "mood[]", true),
        ("aa", "smallint", false),
        ("ab", "timestamp without time zone", true),
        ("ad", "character varying", true),
        ("ae", "text", true),
        ("af", "bytea", true),
        ("ag", "uuid", true),
        ("ah", "json", true),
        ("ai", "jsonb", true),
        ("aj", "boolean", true),
        ("ak", "bigint", true),
        ("al", "smallint", true),
        ("am", "inet", true),
        ("an", "citext", true),
        ("ao", "real", true),
        ("ap", "date", true),
    ];
    assert_eq!(shape(&out, "t"), cols(&expected));
}

#[test]
fn type_families() {
    let out = ok(
        PG,
        "CREATE TYPE mood AS ENUM ('sad', 'ok');
         CREATE TABLE t (a int, b bigint, c numeric(10,2), d varchar(9), e timestamptz,
           f int[], g mood, h jsonb, i inet)",
    );
    let fam = |c: &str| col(&out, "t", c).ty.family.clone();
    assert_eq!(fam("a"), TypeFamily::Int { bytes: 4 });
    assert_eq!(fam("b"), TypeFamily::Int { bytes: 8 });
    assert_eq!(
        fam("c"),
        TypeFamily::Numeric {
            precision: Some(10),
            scale: Some(2)
        }
    );
    assert_eq!(fam("d"), TypeFamily::Text { max_len: Some(9) });
    assert_eq!(fam("e"), TypeFamily::TimestampTz);
    assert_eq!(
        fam("f"),
        TypeFamily::Array {
            element: Box::new(TypeFamily::Int { bytes: 4 })
        }
    );
    assert_eq!(
        fam("g"),
        TypeFamily::Enum {
            name: Some("mood".into()),
            values: s(&["sad", "ok"])
        }
    );
    assert_eq!(fam("h"), TypeFamily::Json);
    assert_eq!(fam("i"), TypeFamily::Other);
}

#[test]
fn serial_is_not_null_integer_with_sequence_default() {
    let out = ok(PG, "CREATE TABLE users (id serial PRIMARY KEY)");
    let id = col(&out, "users", "id");
    assert_eq!(id.ty.canonical, "integer");
    assert!(!id.nullable);
    assert_eq!(
        id.default.as_deref(),
        Some("nextval('users_id_seq'::regclass)")
    );
    assert_eq!(id.generated, Some(Generated::Identity { always: false }));
}

#[test]
fn unknown_type_is_an_error_naming_column() {
    let e = one_error(PG, "CREATE TABLE t (m mood)");
    assert!(
        e.message.contains("`m`") && e.message.contains("`mood`"),
        "{e}"
    );
    assert!(e.help.as_deref().unwrap().contains("CREATE TYPE"), "{e}");
}

#[test]
fn identifiers_fold_and_public_is_default_schema() {
    let out = ok(
        PG,
        r#"CREATE TABLE public.Users (ID int, "MixedCase" int);
           ALTER TABLE users ADD COLUMN Email text;
           ALTER TABLE PUBLIC.USERS ADD COLUMN "Quoted" text;
           CREATE TABLE audit.Events (id int)"#,
    );
    let names: Vec<String> = shape(&out, "users").into_iter().map(|c| c.0).collect();
    assert_eq!(names, s(&["id", "MixedCase", "email", "Quoted"]));
    assert!(out.schema.tables.contains_key("audit.events"));
    // Quoted names are case-sensitive.
    let e = one_error(
        PG,
        r#"CREATE TABLE t ("A" int); ALTER TABLE t DROP COLUMN a"#,
    );
    assert!(e.message.contains("no such column"), "{e}");
}

#[test]
fn alter_column_type_not_null_default() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int, b text DEFAULT 'x', c int NOT NULL);
         ALTER TABLE ONLY t ALTER COLUMN a TYPE bigint USING a::bigint;
         ALTER TABLE t ALTER COLUMN a SET DATA TYPE numeric(12,2);
         ALTER TABLE t ALTER COLUMN a SET NOT NULL;
         ALTER TABLE t ALTER COLUMN b DROP DEFAULT;
         ALTER TABLE t ALTER COLUMN c DROP NOT NULL, ALTER COLUMN c SET DEFAULT 7",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("a", "numeric(12,2)", false),
            ("b", "text", true),
            ("c", "integer", true)
        ])
    );
    assert_eq!(col(&out, "t", "b").default, None);
    assert_eq!(col(&out, "t", "c").default.as_deref(), Some("7"));
    assert_eq!(col(&out, "t", "a").provenance.last_changed.line, 4);
}

#[test]
fn primary_key_forms_and_drop() {
    let out = ok(
        PG,
        "CREATE TABLE a (x int PRIMARY KEY);
         CREATE TABLE b (x int, y int, PRIMARY KEY (x, y));
         CREATE TABLE c (x int);
         ALTER TABLE c ADD CONSTRAINT c_pk PRIMARY KEY (x);
         CREATE TABLE d (x int PRIMARY KEY, y int);
         ALTER TABLE d DROP CONSTRAINT d_pkey;
         ALTER TABLE c DROP CONSTRAINT c_pk",
    );
    assert_eq!(table(&out, "a").primary_key, Some(s(&["x"])));
    assert_eq!(table(&out, "b").primary_key, Some(s(&["x", "y"])));
    assert!(!col(&out, "b", "y").nullable);
    assert_eq!(table(&out, "c").primary_key, None);
    assert_eq!(table(&out, "d").primary_key, None);
    // The columns stay NOT NULL after the key is gone (as in PostgreSQL).
    assert!(!col(&out, "c", "x").nullable);
    let e = one_error(
        PG,
        "CREATE TABLE a (x int PRIMARY KEY, y int);\nALTER TABLE a ADD PRIMARY KEY (y)",
    );
    assert!(e.message.contains("already has a primary key"), "{e}");
}

#[test]
fn unique_constraints_get_postgres_names_and_can_be_dropped() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int UNIQUE, b int, c int, UNIQUE (b, c));
         ALTER TABLE t ADD CONSTRAINT named UNIQUE (c);
         ALTER TABLE t DROP CONSTRAINT t_a_key;
         ALTER TABLE t DROP CONSTRAINT IF EXISTS nothing_here",
    );
    let u: Vec<(Option<String>, Vec<String>)> = table(&out, "t")
        .unique
        .iter()
        .map(|u| (u.name.clone(), u.columns.clone()))
        .collect();
    assert_eq!(
        u,
        vec![
            (Some("t_b_c_key".into()), s(&["b", "c"])),
            (Some("named".into()), s(&["c"]))
        ]
    );
    let e = one_error(
        PG,
        "CREATE TABLE t (a int);\nALTER TABLE t DROP CONSTRAINT nope",
    );
    assert!(e.message.contains("no constraint named `nope`"), "{e}");
}

#[test]
fn foreign_keys_and_checks() {
    let out = ok(
        PG,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (id int, pid int REFERENCES p (id), n int CHECK (n > 0),
           CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES public.p);
         ALTER TABLE c DROP CONSTRAINT c_n_check",
    );
    let t = table(&out, "c");
    assert_eq!(t.foreign_keys.len(), 2);
    assert_eq!(t.foreign_keys[0].name.as_deref(), Some("c_pid_fkey"));
    assert_eq!(t.foreign_keys[1].foreign_table, "p");
    assert!(t.foreign_keys[1].foreign_columns.is_empty());
    assert!(t.checks.is_empty());
}

#[test]
fn drop_column_of_primary_key_drops_the_key() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int, b int, c int, PRIMARY KEY (a, b), UNIQUE (c), CHECK (c > 1));
         CREATE INDEX t_c ON t (c);
         ALTER TABLE t DROP COLUMN b;
         ALTER TABLE t DROP COLUMN IF EXISTS zz;
         ALTER TABLE t DROP COLUMN c CASCADE",
    );
    let t = table(&out, "t");
    assert_eq!(t.primary_key, None);
    assert!(t.unique.is_empty() && t.checks.is_empty());
    assert!(out.schema.indexes.is_empty());
}

#[test]
fn rename_column_follows_keys_indexes_and_foreign_keys() {
    let out = ok(
        PG,
        "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
         CREATE TABLE c (pid int REFERENCES p (id));
         CREATE INDEX p_code_idx ON p (code);
         ALTER TABLE p RENAME COLUMN id TO pk;
         ALTER TABLE p RENAME code TO slug",
    );
    assert_eq!(table(&out, "p").primary_key, Some(s(&["pk"])));
    assert_eq!(table(&out, "p").unique[0].columns, s(&["slug"]));
    assert_eq!(out.schema.indexes["p_code_idx"].columns, s(&["slug"]));
    assert_eq!(table(&out, "c").foreign_keys[0].foreign_columns, s(&["pk"]));
    let e = one_error(
        PG,
        "CREATE TABLE t (a int, b int);\nALTER TABLE t RENAME COLUMN a TO b",
    );
    assert!(e.message.contains("already has a column `b`"), "{e}");
}

#[test]
fn rename_table_follows_foreign_keys_and_indexes() {
    let out = ok(
        PG,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (pid int REFERENCES p);
         CREATE UNIQUE INDEX p_id ON p (id);
         ALTER TABLE IF EXISTS p RENAME TO parent;
         ALTER TABLE IF EXISTS ghost RENAME TO spirit",
    );
    assert!(out.schema.tables.contains_key("parent"));
    assert_eq!(table(&out, "c").foreign_keys[0].foreign_table, "parent");
    assert_eq!(out.schema.indexes["p_id"].table, "parent");
    assert_eq!(out.skipped.len(), 1);
}

#[test]
fn indexes_unique_partial_expression() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int, b text, c bool);
         CREATE UNIQUE INDEX CONCURRENTLY t_a ON t (a);
         CREATE UNIQUE INDEX IF NOT EXISTS t_b_partial ON t (b) WHERE c;
         CREATE UNIQUE INDEX t_lower ON t (lower(b));
         CREATE INDEX ON t (b, c);
         CREATE INDEX IF NOT EXISTS t_a ON t (a)",
    );
    let t = table(&out, "t");
    assert_eq!(t.unique.len(), 1, "{:?}", t.unique);
    assert_eq!(t.unique[0].name.as_deref(), Some("t_a"));
    assert_eq!(
        out.schema.indexes["t_b_partial"].predicate.as_deref(),
        Some("c")
    );
    assert_eq!(out.schema.indexes["t_lower"].columns, s(&["lower(b)"]));
    assert!(out.schema.indexes.contains_key("t_b_c_idx"));
    assert_eq!(out.skipped.len(), 1);
    let out = ok(
        PG,
        "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX u ON t (a);\nDROP INDEX CONCURRENTLY IF EXISTS u",
    );
    assert!(table(&out, "t").unique.is_empty());
    let e = one_error(PG, "CREATE TABLE t (a int);\nCREATE INDEX i ON t (zz)");
    assert!(e.message.contains("`zz`"), "{e}");
}

#[test]
fn enums_create_alter_drop() {
    let out = ok(
        PG,
        "CREATE TYPE mood AS ENUM ('sad', 'ok');
         CREATE TABLE t (m mood, ms mood[]);
         ALTER TYPE mood ADD VALUE 'happy';
         ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok';
         ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy';
         ALTER TYPE mood ADD VALUE 'glad' AFTER 'sad';
         ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
         ALTER TYPE mood RENAME TO feeling",
    );
    let values = s(&["blue", "glad", "meh", "ok", "happy"]);
    assert_eq!(out.schema.enums["feeling"].values, values);
    let m = col(&out, "t", "m");
    assert_eq!(m.ty.canonical, "feeling");
    assert_eq!(
        m.ty.family,
        TypeFamily::Enum {
            name: Some("feeling".into()),
            values: values.clone()
        }
    );
    assert_eq!(col(&out, "t", "ms").ty.canonical, "feeling[]");
    let e = one_error(
        PG,
        "CREATE TYPE m AS ENUM ('a');\nCREATE TABLE t (x m);\nDROP TYPE m",
    );
    assert!(e.message.contains("t.x"), "{e}");
    let out = ok(
        PG,
        "CREATE TYPE m AS ENUM ('a');\nCREATE TABLE t (x m, y int);\nDROP TYPE m CASCADE",
    );
    assert_eq!(shape(&out, "t").len(), 1);
    assert!(out.schema.enums.is_empty());
    let e = one_error(
        PG,
        "CREATE TYPE m AS ENUM ('a');\nALTER TYPE m ADD VALUE 'b' BEFORE 'zz'",
    );
    assert!(e.message.contains("'zz'"), "{e}");
}

#[test]
fn domains() {
    let out = ok(
        PG,
        "CREATE DOMAIN email AS varchar(200) CHECK (VALUE LIKE '%@%');
         CREATE TABLE u (e email NOT NULL)",
    );
    let e = col(&out, "u", "e");
    assert_eq!(e.ty.canonical, "email");
    assert_eq!(e.ty.family, TypeFamily::Text { max_len: Some(200) });
    assert_eq!(
        out.schema.domains["email"].base.canonical,
        "character varying(200)"
    );
    let out = ok(
        PG,
        "CREATE DOMAIN d AS int;\nDROP DOMAIN d;\nDROP DOMAIN IF EXISTS d",
    );
    assert!(out.schema.domains.is_empty());
}

#[test]
fn drop_table_cascade_drops_views_and_foreign_keys() {
    let out = ok(
        PG,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE c (pid int REFERENCES p);
         CREATE VIEW v AS SELECT id FROM p;
         CREATE MATERIALIZED VIEW mv AS SELECT pid FROM c;
         DROP TABLE p CASCADE",
    );
    assert!(!out.schema.views.contains_key("v"));
    assert!(out.schema.views["mv"].materialized);
    assert!(table(&out, "c").foreign_keys.is_empty());
    let e = one_error(
        PG,
        "CREATE TABLE p (id int);\nCREATE VIEW v AS SELECT id FROM p;\nDROP TABLE p",
    );
    assert!(e.message.contains("view `v`"), "{e}");
    assert!(e.help.as_deref().unwrap().contains("CASCADE"));
}

#[test]
fn drop_several_tables_and_if_exists() {
    let out = ok(
        PG,
        "CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE TABLE c (x int);
         DROP TABLE IF EXISTS a, b, zz;
         DROP TABLE IF EXISTS zz",
    );
    assert_eq!(out.schema.tables.keys().collect::<Vec<_>>(), vec!["c"]);
    assert_eq!(out.skipped.len(), 1);
    let e = one_error(PG, "DROP TABLE zz");
    assert!(e.message.contains("`zz` does not exist"));
}

#[test]
fn views_or_replace_and_conflicts() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int);
         CREATE VIEW v AS SELECT a FROM t;
         CREATE OR REPLACE VIEW v AS SELECT a, a AS b FROM t",
    );
    assert_eq!(out.schema.views["v"].provenance.last_changed.line, 3);
    let e = one_error(
        PG,
        "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT 1;\nCREATE VIEW v AS SELECT 2",
    );
    assert!(e.message.contains("already exists"));
}

#[test]
fn identity_added_later_needs_not_null() {
    let out = ok(
        PG,
        "CREATE TABLE t (id int NOT NULL);
         ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY",
    );
    assert_eq!(
        col(&out, "t", "id").generated,
        Some(Generated::Identity { always: false })
    );
    let e = one_error(
        PG,
        "CREATE TABLE t (id int);\nALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
    );
    assert!(e.message.contains("NOT NULL"), "{e}");
}

#[test]
fn drop_not_null_on_primary_key_is_an_error() {
    let e = one_error(
        PG,
        "CREATE TABLE t (id int PRIMARY KEY);\nALTER TABLE t ALTER COLUMN id DROP NOT NULL",
    );
    assert!(e.message.contains("primary key"), "{e}");
}

#[test]
fn unparsed_functions_triggers_do_blocks_are_skipped() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int);
         DO 'begin perform 1; end';
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
         CREATE STATISTICS st ON a FROM t",
    );
    assert!(out.skipped.len() >= 2, "{:#?}", out.skipped);
}

#[test]
fn statements_sqlparser_misses_are_rewritten() {
    let out = ok(
        PG,
        "CREATE TABLE t (a int);
         CREATE UNIQUE INDEX u ON t (a);
         DROP INDEX CONCURRENTLY IF EXISTS u;
         CREATE DOMAIN nonempty AS text NOT NULL CHECK (VALUE <> '')",
    );
    assert!(table(&out, "t").unique.is_empty());
    assert!(out.schema.domains["nonempty"].not_null);
}

#[test]
fn create_table_like_copies_columns_not_keys() {
    // Difftest finding F3: PostgreSQL's LIKE copies columns, types and NOT NULL; defaults
    // only with INCLUDING DEFAULTS; never the primary key (without INCLUDING INDEXES).
    let out = ok(
        PG,
        "CREATE TABLE a (id bigserial PRIMARY KEY, n text NOT NULL DEFAULT 'x', u int UNIQUE);
         CREATE TABLE b (LIKE a);
         CREATE TABLE c (LIKE a INCLUDING DEFAULTS)",
    );
    assert_eq!(shape(&out, "b"), shape(&out, "a"));
    assert_eq!(table(&out, "b").primary_key, None);
    assert!(table(&out, "b").unique.is_empty());
    assert_eq!(col(&out, "b", "n").default, None);
    assert_eq!(col(&out, "b", "id").generated, None);
    assert_eq!(col(&out, "c", "n").default.as_deref(), Some("'x'"));
    assert_eq!(table(&out, "b").provenance.created.line, 2);
    let e = one_error(PG, "CREATE TABLE b (LIKE nothing)");
    assert!(e.message.contains("`nothing` does not exist"), "{e}");
}

#[test]
fn alter_index_if_exists_renames_or_skips() {
    // Difftest finding F2.
    let out = ok(
        PG,
        "CREATE TABLE t (a int);
         CREATE UNIQUE INDEX t_a ON t (a);
         ALTER INDEX IF EXISTS t_a RENAME TO t_a_uniq;
         ALTER INDEX IF EXISTS gone RENAME TO still_gone;
         ALTER INDEX t_a_uniq RENAME TO t_a2",
    );
    assert!(out.schema.indexes.contains_key("t_a2"));
    assert_eq!(table(&out, "t").unique[0].name.as_deref(), Some("t_a2"));
    assert_eq!(out.skipped.len(), 1);
    assert!(out.skipped[0].reason.contains("`gone`"));
}

#[test]
fn drop_schema_cascade_drops_its_tables() {
    let out = ok(
        PG,
        "CREATE SCHEMA audit;
         CREATE TABLE audit.events (id int);
         CREATE TABLE keep (id int);
         DROP SCHEMA audit CASCADE",
    );
    assert_eq!(out.schema.tables.keys().collect::<Vec<_>>(), vec!["keep"]);
    let e = one_error(PG, "CREATE TABLE audit.events (id int);\nDROP SCHEMA audit");
    assert!(e.message.contains("audit.events"), "{e}");
}

#[test]
fn indexes_live_in_their_tables_schema() {
    let out = ok(
        PG,
        "CREATE TABLE audit.events (id int, at timestamptz);
         CREATE UNIQUE INDEX events_id ON audit.events (id);
         CREATE INDEX ON audit.events (at);
         DROP INDEX audit.events_id",
    );
    assert_eq!(
        out.schema.indexes.keys().collect::<Vec<_>>(),
        vec!["audit.events_at_idx"]
    );
    assert!(table(&out, "audit.events").unique.is_empty());
}

#[test]
fn partitions_and_inheritance_take_the_parents_columns() {
    // Difftest findings F9 and F10.
    let out = ok(
        PG,
        "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, body text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE TABLE vehicles (id int PRIMARY KEY, name text NOT NULL);
         CREATE TABLE trucks (payload_kg int, name text) INHERITS (vehicles)",
    );
    assert_eq!(shape(&out, "events_2024"), shape(&out, "events"));
    assert_eq!(
        table(&out, "events_2024").primary_key,
        Some(s(&["id", "at"]))
    );
    assert_eq!(
        shape(&out, "trucks"),
        cols(&[
            ("id", "integer", false),
            ("name", "text", false),
            ("payload_kg", "integer", true)
        ])
    );
    assert_eq!(table(&out, "trucks").primary_key, None);
}

#[test]
fn drop_domain_and_generated_dependencies_cascade() {
    // Difftest findings F11 and F12.
    let out = ok(
        PG,
        "CREATE DOMAIN short_text AS varchar(10);
         CREATE TABLE labels (id int, code short_text);
         DROP DOMAIN short_text CASCADE;
         CREATE TABLE totals (a int, b int);
         ALTER TABLE totals ADD COLUMN c int GENERATED ALWAYS AS (a + b) STORED;
         ALTER TABLE totals DROP COLUMN a CASCADE",
    );
    assert_eq!(shape(&out, "labels"), cols(&[("id", "integer", true)]));
    assert_eq!(shape(&out, "totals"), cols(&[("b", "integer", true)]));
    let e = one_error(
        PG,
        "CREATE DOMAIN d AS int;\nCREATE TABLE t (x d);\nDROP DOMAIN d",
    );
    assert!(e.message.contains("t.x"), "{e}");
    let e = one_error(
        PG,
        "CREATE TABLE t (a int, c int GENERATED ALWAYS AS (a * 2) STORED);\nALTER TABLE t DROP COLUMN a",
    );
    assert!(e.message.contains("generated column(s) c"), "{e}");
}

#[test]
fn renaming_a_constraints_index_renames_the_constraint() {
    // Difftest finding F14.
    let out = ok(
        PG,
        "CREATE TABLE vouchers (id int PRIMARY KEY, code text UNIQUE);
         ALTER INDEX vouchers_pkey RENAME TO vouchers_pk;
         ALTER INDEX IF EXISTS vouchers_code_key RENAME TO vouchers_code;
         ALTER TABLE vouchers DROP CONSTRAINT vouchers_pk;
         ALTER TABLE vouchers DROP CONSTRAINT vouchers_code",
    );
    let t = table(&out, "vouchers");
    assert_eq!(t.primary_key, None);
    assert!(t.unique.is_empty());
}

#[test]
fn alter_domain_not_null_is_followed() {
    // Difftest finding F16.
    let out = ok(
        PG,
        "CREATE DOMAIN pos AS int CHECK (VALUE > 0);
         ALTER DOMAIN pos SET NOT NULL;
         ALTER DOMAIN pos ADD CONSTRAINT big CHECK (VALUE > 10)",
    );
    assert!(out.schema.domains["pos"].not_null);
    assert_eq!(out.skipped.len(), 1);
}

#[test]
fn like_options_and_set_schema() {
    // Difftest findings F13 and F15.
    let out = ok(
        PG,
        "CREATE TABLE serials (a serial PRIMARY KEY, b smallserial, c bigserial, n int CHECK (n > 0));
         CREATE TABLE copy_all (LIKE serials INCLUDING ALL);
         CREATE TABLE copy_some (LIKE serials INCLUDING DEFAULTS EXCLUDING INDEXES INCLUDING COMMENTS);
         CREATE TABLE old_orders (id int PRIMARY KEY);
         ALTER TABLE old_orders SET SCHEMA archive",
    );
    assert_eq!(shape(&out, "copy_all"), shape(&out, "serials"));
    assert_eq!(table(&out, "copy_all").primary_key, Some(s(&["a"])));
    assert_eq!(table(&out, "copy_all").checks.len(), 1);
    assert_eq!(table(&out, "copy_some").primary_key, None);
    assert!(col(&out, "copy_some", "a").default.is_some());
    assert!(out.schema.tables.contains_key("archive.old_orders"));
    assert!(!out.schema.tables.contains_key("old_orders"));
}

#[test]
fn search_path_and_rollback_are_errors_not_silently_skipped() {
    // Difftest finding F28 and the ROLLBACK note: both would make the replay lie.
    let e = one_error(
        PG,
        "SET search_path TO app, public;\nCREATE TABLE widgets (id int)",
    );
    assert!(e.message.contains("search_path"), "{e}");
    let e = one_error(PG, "SELECT set_config('search_path', 'app', false)");
    assert!(e.message.contains("search_path"), "{e}");
    let out = ok(
        PG,
        "SET search_path TO public;\nRESET search_path;\nSET statement_timeout = 0",
    );
    assert_eq!(out.skipped.len(), 3);
    let e = one_error(PG, "BEGIN;\nCREATE TABLE t (a int);\nROLLBACK");
    assert!(e.message.contains("ROLLBACK"), "{e}");
}

#[test]
fn saas_patterns_sqlparser_misses() {
    // Difftest findings F29-F33, F37-F39.
    let out = ok(
        PG,
        r#"CREATE TABLE idents (id int GENERATED ALWAYS AS IDENTITY, x int, b text);
           ALTER TABLE idents ALTER COLUMN id DROP IDENTITY IF EXISTS;
           ALTER TABLE idents ALTER COLUMN x SET STATISTICS 500;
           ALTER TABLE idents ALTER COLUMN b TYPE varchar(5) COLLATE "C";
           CREATE TABLE promoted (a int, b int);
           CREATE UNIQUE INDEX CONCURRENTLY promoted_a_idx ON promoted (a);
           ALTER TABLE promoted ADD CONSTRAINT promoted_pk PRIMARY KEY USING INDEX promoted_a_idx;
           CREATE TABLE odd ("c" "char", n name);
           CREATE TABLE metrics (at date NOT NULL, v int) PARTITION BY RANGE (at);
           CREATE TABLE metrics_2023 (at date NOT NULL, v int);
           ALTER TABLE metrics ATTACH PARTITION metrics_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
           ALTER TABLE idents ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5);
           CREATE MATERIALIZED VIEW idents_mv AS SELECT x FROM idents WITH NO DATA;
           CREATE UNIQUE INDEX idents_mv_x ON idents_mv (x)"#,
    );
    let id = col(&out, "idents", "id");
    assert_eq!(id.generated, None);
    assert!(!id.nullable);
    assert_eq!(
        col(&out, "idents", "b").ty.canonical,
        "character varying(5)"
    );
    assert_eq!(
        col(&out, "idents", "seq").generated,
        Some(Generated::Identity { always: true })
    );
    let p = table(&out, "promoted");
    assert_eq!(p.primary_key, Some(s(&["a"])));
    assert!(!col(&out, "promoted", "a").nullable);
    assert!(p.unique.is_empty());
    assert!(!out.schema.indexes.contains_key("promoted_a_idx"));
    assert_eq!(col(&out, "odd", "c").ty.canonical, "\"char\"");
    assert!(out.schema.views["idents_mv"].materialized);
    assert!(out.schema.indexes.contains_key("idents_mv_x"));
    assert_eq!(out.skipped.len(), 2, "{:#?}", out.skipped);
}
