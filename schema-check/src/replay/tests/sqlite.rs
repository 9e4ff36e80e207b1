//! SQLite replay tests (expected values checked against `PRAGMA table_info`, SQLite 3.40).

use super::*;

const LITE: Dialect = Dialect::Sqlite;

#[test]
fn declared_types_and_nullability_match_pragma() {
    let out = ok(
        LITE,
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a, b VARCHAR( 10 ),
           d BOOLEAN NOT NULL, e DOUBLE   PRECISION, f datetime DEFAULT current_timestamp)",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("id", "integer", false),
            ("a", "", true),
            ("b", "varchar( 10 )", true),
            ("d", "boolean", false),
            ("e", "double precision", true),
            ("f", "datetime", true),
        ])
    );
    assert_eq!(
        col(&out, "t", "id").generated,
        Some(Generated::Identity { always: false })
    );
    // Syntax errors point at the file position.
    let e = one_error(LITE, "CREATE TABLE u (\n  e int,,\n)");
    assert_eq!(e.location.map(|l| (l.line, l.column)), Some((2, 9)));
    let fam = |c: &str| col(&out, "t", c).ty.family.clone();
    assert_eq!(fam("id"), TypeFamily::Int { bytes: 8 });
    assert_eq!(fam("a"), TypeFamily::Other);
    assert_eq!(fam("b"), TypeFamily::Text { max_len: None });
    assert_eq!(fam("d"), TypeFamily::Bool);
    assert_eq!(fam("f"), TypeFamily::Timestamp);
}

#[test]
fn primary_key_implies_not_null_only_for_rowid_alias_and_without_rowid() {
    let out = ok(
        LITE,
        "CREATE TABLE u (x TEXT PRIMARY KEY, y INT);
         CREATE TABLE r (id INTEGER, n INT, PRIMARY KEY (id));
         CREATE TABLE i (id INT PRIMARY KEY);
         CREATE TABLE w (p INT, q INT, PRIMARY KEY (p, q)) WITHOUT ROWID",
    );
    assert_eq!(
        shape(&out, "u"),
        cols(&[("x", "text", true), ("y", "int", true)])
    );
    assert_eq!(
        shape(&out, "w"),
        cols(&[("p", "int", false), ("q", "int", false)])
    );
    assert_eq!(table(&out, "u").primary_key, Some(s(&["x"])));
    // `INTEGER` (exactly) is the rowid alias; `INT` is not.
    assert!(!col(&out, "r", "id").nullable);
    assert!(col(&out, "i", "id").nullable);
}

#[test]
fn table_rebuild_idiom() {
    let out = ok(
        LITE,
        "CREATE TABLE x (id INTEGER PRIMARY KEY, old_col TEXT, keep INT);
         CREATE INDEX x_keep ON x (keep);
         CREATE TABLE new_x (id INTEGER PRIMARY KEY, keep INT NOT NULL, added TEXT);
         INSERT INTO new_x (id, keep) SELECT id, keep FROM x;
         DROP TABLE x;
         ALTER TABLE new_x RENAME TO x;
         CREATE INDEX x_keep ON x (keep)",
    );
    assert_eq!(
        shape(&out, "x"),
        cols(&[
            ("id", "integer", false),
            ("keep", "int", false),
            ("added", "text", true)
        ])
    );
    assert!(!out.schema.tables.contains_key("new_x"));
    let t = table(&out, "x");
    // Created where its columns were declared, last changed by the rename.
    assert_eq!(t.provenance.created.line, 3);
    assert_eq!(t.provenance.last_changed.line, 6);
    assert_eq!(col(&out, "x", "keep").provenance.created.line, 3);
    assert_eq!(out.schema.indexes["x_keep"].provenance.created.line, 7);
    assert!(
        matches!(&out.schema.history[0], HistoryEvent::TableDropped { table, .. } if table == "x")
    );
    assert!(
        matches!(&out.schema.history[1], HistoryEvent::TableRenamed { from, to, .. } if from == "new_x" && to == "x")
    );
}

#[test]
fn alter_table_forms() {
    let out = ok(
        LITE,
        "CREATE TABLE t (a INT, b TEXT, c BLOB);
         ALTER TABLE t ADD COLUMN d REAL NOT NULL DEFAULT 0;
         ALTER TABLE t ADD e;
         ALTER TABLE t RENAME COLUMN b TO bee;
         ALTER TABLE t RENAME c TO see;
         ALTER TABLE t DROP COLUMN a;
         ALTER TABLE T RENAME TO t2",
    );
    assert_eq!(
        shape(&out, "t2"),
        cols(&[
            ("bee", "text", true),
            ("see", "blob", true),
            ("d", "real", false),
            ("e", "", true)
        ])
    );
}

#[test]
fn sqlite_refuses_some_drops_and_adds() {
    for (sql, needle) in [
        (
            "CREATE TABLE t (a INT PRIMARY KEY, b INT);\nALTER TABLE t DROP COLUMN a",
            "PRIMARY KEY",
        ),
        (
            "CREATE TABLE t (a INT UNIQUE, b INT);\nALTER TABLE t DROP COLUMN a",
            "UNIQUE",
        ),
        (
            "CREATE TABLE t (a INT, b INT);\nCREATE INDEX i ON t (a);\nALTER TABLE t DROP COLUMN a",
            "index",
        ),
        (
            "CREATE TABLE t (a INT);\nALTER TABLE t ADD COLUMN b INT UNIQUE",
            "UNIQUE",
        ),
    ] {
        let e = one_error(LITE, sql);
        assert!(e.message.contains(needle), "{e}");
    }
}

#[test]
fn names_compare_case_insensitively() {
    let out = ok(
        LITE,
        "CREATE TABLE Users (Email TEXT);\nALTER TABLE users ADD COLUMN Name TEXT;\nALTER TABLE USERS DROP COLUMN email",
    );
    assert_eq!(shape(&out, "Users"), cols(&[("Name", "text", true)]));
}

#[test]
fn pragma_and_transactions_are_skipped() {
    let out = ok(
        LITE,
        "PRAGMA foreign_keys = off;\nBEGIN TRANSACTION;\nCREATE TABLE t (a);\nCOMMIT;\nPRAGMA foreign_keys = on",
    );
    assert_eq!(out.skipped.len(), 4);
}

#[test]
fn primary_key_desc_column_constraint_is_not_a_rowid_alias() {
    // Difftest finding F26.
    let out = ok(
        LITE,
        "CREATE TABLE a (id INTEGER PRIMARY KEY DESC, x TEXT);
         CREATE TABLE b (id INTEGER, PRIMARY KEY (id DESC))",
    );
    assert!(col(&out, "a", "id").nullable);
    assert!(!col(&out, "b", "id").nullable);
}

#[test]
fn multi_word_type_names_and_virtual_tables() {
    // Difftest findings F8/F27.
    let out = ok(
        LITE,
        "CREATE TABLE t1 (c1 INTEGER, c2 UNSIGNED  BIG INT, c3 VARYING CHARACTER(255) NOT NULL,
           c4 NATIVE CHARACTER(70));
         ALTER TABLE t1 ADD COLUMN c5 UNSIGNED BIG INT DEFAULT 0;
         CREATE VIRTUAL TABLE docs USING fts5(title, body)",
    );
    assert_eq!(
        shape(&out, "t1"),
        cols(&[
            ("c1", "integer", true),
            ("c2", "unsigned big int", true),
            ("c3", "varying character(255)", false),
            ("c4", "native character(70)", true),
            ("c5", "unsigned big int", true),
        ])
    );
    assert_eq!(
        col(&out, "t1", "c2").ty.family,
        TypeFamily::Int { bytes: 8 }
    );
    assert_eq!(
        col(&out, "t1", "c3").ty.family,
        TypeFamily::Text { max_len: None }
    );
    assert!(!out.schema.tables.contains_key("docs"));
    assert_eq!(out.skipped.len(), 1);
}

#[test]
fn rollback_to_savepoint_is_an_error() {
    // Difftest finding F36.
    let e = one_error(
        LITE,
        "CREATE TABLE undone (a INT);\nSAVEPOINT s2;\nALTER TABLE undone ADD COLUMN b TEXT;\nROLLBACK TO s2;\nRELEASE s2",
    );
    assert!(e.message.contains("ROLLBACK"), "{e}");
    assert_eq!(e.location.unwrap().line, 4);
}

#[test]
fn quoted_type_names_lose_their_quotes() {
    // Difftest finding F40.
    let out = ok(LITE, "CREATE TABLE q (f \"INTEGER\", h [REAL])");
    assert_eq!(col(&out, "q", "f").ty.canonical, "integer");
    assert_eq!(col(&out, "q", "f").ty.family, TypeFamily::Int { bytes: 8 });
    assert_eq!(col(&out, "q", "h").ty.canonical, "real");
}

#[test]
fn virtual_tables_with_module_arguments_are_skipped_and_may_be_dropped() {
    // FTS5 `content=` / `tokenize =` arguments are not SQL sqlparser reads; SQLite accepts
    // them, and dropping the virtual table later is no error.
    let out = ok(
        LITE,
        "CREATE TABLE notes (body TEXT);
         CREATE VIRTUAL TABLE IF NOT EXISTS notes_fts USING fts5(body, content='notes', tokenize = 'porter');
         CREATE VIRTUAL TABLE \"Other\" USING fts4(x);
         DROP TABLE notes_fts;
         DROP TABLE other;
         CREATE TABLE notes_fts (id INTEGER)",
    );
    assert_eq!(shape(&out, "notes_fts"), cols(&[("id", "integer", true)]));
    let e = one_error(
        LITE,
        "CREATE VIRTUAL TABLE v USING fts5(a);\nDROP TABLE v;\nDROP TABLE v",
    );
    assert_eq!(e.location.unwrap().line, 3);
}

#[test]
fn on_conflict_clauses_of_constraints_change_nothing() {
    let out = ok(
        LITE,
        "CREATE TABLE t (a TEXT NOT NULL ON CONFLICT IGNORE, b INT UNIQUE ON CONFLICT REPLACE,
           c INT, UNIQUE (a, c) ON CONFLICT REPLACE, PRIMARY KEY (a) ON CONFLICT ROLLBACK)",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[("a", "text", false), ("b", "int", true), ("c", "int", true)])
    );
    assert_eq!(table(&out, "t").primary_key, Some(s(&["a"])));
    assert_eq!(table(&out, "t").unique.len(), 2);
}

#[test]
fn strict_beside_without_rowid() {
    let out = ok(
        LITE,
        "CREATE TABLE s (a ANY PRIMARY KEY, b INT) STRICT, WITHOUT ROWID;
         CREATE TABLE r (a TEXT PRIMARY KEY, b INT) WITHOUT ROWID, STRICT",
    );
    assert_eq!(
        shape(&out, "s"),
        cols(&[("a", "any", false), ("b", "int", true)])
    );
    assert_eq!(
        shape(&out, "r"),
        cols(&[("a", "text", false), ("b", "int", true)])
    );
}

#[test]
fn create_table_as_select_names_and_types_columns_as_sqlite_does() {
    // Checked against SQLite 3.54.1 (rusqlite's bundled library); the fixture
    // sqlite/edge_cases covers more forms against the real library.
    let out = ok(
        LITE,
        "CREATE TABLE s (id INTEGER PRIMARY KEY, name VARCHAR(9) NOT NULL, at DATETIME);
         CREATE TABLE t AS SELECT random() AS r, id, id, name || '!', CAST(at AS REAL),
           at COLLATE NOCASE FROM s;
         CREATE TABLE u AS SELECT NULL AS a, name FROM s UNION SELECT id, 1 FROM s;",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("r", "", true),
            ("id", "int", true),
            ("id:1", "int", true),
            ("name || '!'", "", true),
            ("CAST(at AS REAL)", "real", true),
            ("at", "num", true),
        ])
    );
    // An arm without affinity takes the next one's; TEXT meeting a number has none.
    assert_eq!(
        shape(&out, "u"),
        cols(&[("a", "int", true), ("name", "", true)])
    );
}
