//! `replay_dir`: discovery, reading, splitting and replay together, as the derive uses it.

use std::fs;
use std::path::Path;

use schema_check::discover::Layout;
use schema_check::{Dialect, ReplayOptions, replay_dir};

fn options(dialect: Dialect) -> ReplayOptions {
    ReplayOptions {
        dialect,
        display_prefix: Some("migrations".to_string()),
        ..Default::default()
    }
}

fn write(dir: &Path, file: &str, contents: &[u8]) {
    let path = dir.join(file);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

#[test]
fn locations_use_the_display_prefix_and_survive_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_init.sql",
        b"\xEF\xBB\xBF-- init\r\nCREATE TABLE users (id bigint PRIMARY KEY);\r\n\r\n  ALTER TABLE users ADD COLUMN email text NOT NULL;\r\n",
    );
    write(
        dir.path(),
        "0002_bad.sql",
        b"-- nothing to see\r\nALTER TABLE ghosts DROP COLUMN x;\r\n",
    );
    let replay = replay_dir(dir.path(), &options(Dialect::Postgres)).unwrap();
    let users = &replay.schema.tables["users"];
    assert_eq!(
        users.provenance.created.to_string(),
        "migrations/0001_init.sql:2:1"
    );
    let email = users.column("email").unwrap();
    assert_eq!(
        email.provenance.created.to_string(),
        "migrations/0001_init.sql:4:3"
    );
    assert!(!email.nullable);
    assert_eq!(replay.errors.len(), 1);
    let e = &replay.errors[0];
    assert_eq!(
        e.location.as_ref().unwrap().to_string(),
        "migrations/0002_bad.sql:2:1"
    );
    assert_eq!(
        e.source_line.as_deref(),
        Some("ALTER TABLE ghosts DROP COLUMN x;")
    );
}

#[test]
fn migrations_list_every_file_read_in_replay_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "V10__late.sql",
        b"ALTER TABLE t ADD COLUMN late int;",
    );
    write(dir.path(), "V2__early.sql", b"CREATE TABLE t (id int);");
    write(
        dir.path(),
        "R__view.sql",
        b"CREATE VIEW v AS SELECT late FROM t;",
    );
    write(dir.path(), "notes.txt", b"not sql");
    let replay = replay_dir(dir.path(), &options(Dialect::Postgres)).unwrap();
    assert!(replay.is_ok(), "{:?}", replay.errors);
    let files: Vec<_> = replay
        .migrations
        .iter()
        .map(|m| m.display.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "migrations/V2__early.sql",
            "migrations/V10__late.sql",
            "migrations/R__view.sql"
        ]
    );
    assert_eq!(replay.migrations[2].layout, Layout::FlywayRepeatable);
    assert!(replay.migrations.iter().all(|m| m.path.is_file()));
    assert!(replay.schema.views.contains_key("v"));
    assert!(replay.schema.tables["t"].column("late").is_some());
    assert_eq!(replay.ignored.len(), 1);
    assert_eq!(replay.ignored[0].file, "migrations/notes.txt");
}

#[test]
fn all_errors_are_collected_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_a.sql",
        b"CREATE TABLE a (id int);\nALTER TABLE nope ADD COLUMN x int;\n",
    );
    write(dir.path(), "0002_b.sql", b"SELECT 1; /* never closed\n");
    write(dir.path(), "0003_c.sql", b"\xFF\xFE");
    write(
        dir.path(),
        "0004_d.sql",
        b"ALTER TABLE a ADD COLUMN y int;\nALTER TABLE nope2 ADD COLUMN z int;\n",
    );
    write(dir.path(), "4_dup.sql", b"SELECT 1;");
    let replay = replay_dir(dir.path(), &options(Dialect::Postgres)).unwrap();
    let got: Vec<String> = replay
        .errors
        .iter()
        .map(|e| match &e.location {
            Some(l) => l.to_string(),
            None => e.message.clone(),
        })
        .collect();
    assert_eq!(
        got,
        [
            "migrations/0001_a.sql:2:1",
            "migrations/0002_b.sql:1:11",
            "migrations/0003_c.sql:1:1",
            "migrations/0004_d.sql:2:1",
        ]
    );
    // The rest still replayed.
    assert!(replay.schema.tables["a"].column("y").is_some());
    // The shared version is a warning; `4_dup.sql` sorts after `0004_d.sql` by file name.
    assert_eq!(replay.warnings.len(), 1);
    assert_eq!(&*replay.warnings[0].location.file, "migrations/4_dup.sql");
    assert_eq!(&*replay.warnings[0].cause.file, "migrations/0004_d.sql");
}

#[test]
fn a_missing_directory_is_the_only_fatal_error() {
    let err = replay_dir(Path::new("/definitely/not/here"), &options(Dialect::Sqlite)).unwrap_err();
    assert!(
        err.message
            .contains("cannot read migration directory `migrations`"),
        "{}",
        err.message
    );
}

#[test]
fn each_dialect_splits_its_own_way() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "0001_init.sql",
        b"CREATE TABLE t (id int, `odd;name` int); # done;\nCREATE TABLE u (id int);\n",
    );
    let replay = replay_dir(dir.path(), &options(Dialect::Mysql)).unwrap();
    assert!(replay.is_ok(), "{:?}", replay.errors);
    assert!(replay.schema.tables["t"].column("odd;name").is_some());
    assert!(replay.schema.tables.contains_key("u"));
}
