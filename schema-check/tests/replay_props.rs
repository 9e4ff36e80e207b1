//! The replay never panics, whatever the statements: arbitrary sequences of SQL-ish
//! fragments produce a schema, skips and errors, nothing else.

use proptest::prelude::*;
use schema_check::{Dialect, Location, Replayer, Statement};

const FRAGMENTS: &[&str] = &[
    "CREATE TABLE t (a int PRIMARY KEY, b text UNIQUE)",
    "CREATE TABLE u (x int, y int, PRIMARY KEY (x, y))",
    "CREATE TABLE IF NOT EXISTS t (a int)",
    "ALTER TABLE t ADD COLUMN c int",
    "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int",
    "ALTER TABLE t DROP COLUMN a",
    "ALTER TABLE t DROP COLUMN IF EXISTS b",
    "ALTER TABLE t RENAME COLUMN b TO a",
    "ALTER TABLE t RENAME TO u",
    "ALTER TABLE u RENAME TO t",
    "ALTER TABLE t ALTER COLUMN c TYPE bigint",
    "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
    "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
    "ALTER TABLE t ADD PRIMARY KEY (c)",
    "ALTER TABLE t DROP CONSTRAINT t_pkey",
    "ALTER TABLE t MODIFY c varchar(10)",
    "ALTER TABLE t CHANGE c d int FIRST",
    "ALTER TABLE t DROP PRIMARY KEY",
    "RENAME TABLE t TO u, u TO t",
    "DROP TABLE t",
    "DROP TABLE IF EXISTS t, u CASCADE",
    "CREATE UNIQUE INDEX i ON t (a)",
    "CREATE INDEX j ON t (lower(b)) WHERE a > 0",
    "DROP INDEX i",
    "CREATE VIEW v AS SELECT a FROM t",
    "DROP VIEW v",
    "CREATE TYPE m AS ENUM ('a', 'b')",
    "ALTER TYPE m ADD VALUE 'c' BEFORE 'a'",
    "ALTER TYPE m RENAME TO n",
    "DROP TYPE m CASCADE",
    "CREATE TABLE e (k m, l m[])",
    "CREATE DOMAIN d AS text NOT NULL",
    "INSERT INTO t VALUES (1)",
    "DO $$ BEGIN END $$",
    "CREATE TABLE (",
    "ALTER TABLE",
    ")))",
    "'unterminated",
    "-- only a comment",
    "",
    "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (x)",
    "CREATE TABLE t2 (LIKE t)",
    "DROP SCHEMA s CASCADE",
    "CREATE TABLE s.t (a int)",
];

fn statements(picks: &[(usize, u32)]) -> Vec<Statement> {
    picks
        .iter()
        .enumerate()
        .map(|(i, (f, col))| {
            let text = FRAGMENTS[*f % FRAGMENTS.len()].to_string();
            Statement {
                source_line: text.clone(),
                text,
                at: Location {
                    file: "p.sql".into(),
                    line: i as u32 + 1,
                    column: *col,
                },
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn replay_never_panics(picks in proptest::collection::vec((0usize..1000, 1u32..5), 0..40), d in 0usize..3) {
        let dialect = Dialect::ALL[d];
        let mut r = Replayer::new(dialect);
        for s in statements(&picks) {
            r.apply(&s);
        }
        let out = r.finish();
        // Every error points into the file.
        for e in &out.errors {
            let loc = e.location.as_ref().expect("replay errors have a location");
            prop_assert_eq!(&*loc.file, "p.sql");
            prop_assert!(loc.line >= 1);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}", d in 0usize..3) {
        let mut r = Replayer::new(Dialect::ALL[d]);
        r.apply(&Statement {
            text: text.clone(),
            at: Location { file: "x.sql".into(), line: 1, column: 1 },
            source_line: text,
        });
        let out = r.finish();
        for e in &out.errors {
            let loc = e.location.as_ref().expect("replay errors have a location");
            prop_assert_eq!(&*loc.file, "x.sql");
            prop_assert!(loc.line >= 1 && loc.column >= 1);
        }
    }
}
