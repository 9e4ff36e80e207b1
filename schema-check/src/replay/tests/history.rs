//! Long, messy histories per dialect, and the table hash's independence from history.

use super::*;
use crate::hash::table_hash;

#[test]
fn messy_postgres_history() {
    let out = ok(
        Dialect::Postgres,
        r#"
        CREATE EXTENSION IF NOT EXISTS citext;
        CREATE TYPE status AS ENUM ('new', 'active');
        CREATE TABLE public.Tenants (id bigserial PRIMARY KEY, name text NOT NULL);
        CREATE TABLE users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            "Email" citext NOT NULL,
            status status NOT NULL DEFAULT 'new',
            tags text[],
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (tenant_id, "Email")
        );
        COMMENT ON TABLE users IS 'people';
        GRANT SELECT ON users TO reporting;
        CREATE INDEX CONCURRENTLY users_created ON users (created_at);
        ALTER TABLE users ADD COLUMN nickname varchar(40), ADD COLUMN age int CHECK (age > 0);
        INSERT INTO tenants (name) VALUES ('acme');
        ALTER TABLE users RENAME COLUMN "Email" TO email;
        ALTER TYPE status ADD VALUE 'banned' AFTER 'active';
        ALTER TABLE users ALTER COLUMN nickname TYPE text;
        ALTER TABLE users ALTER COLUMN age SET NOT NULL;
        ALTER TABLE users DROP COLUMN age;
        CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';
        CREATE TABLE scratch (x int);
        DROP TABLE scratch;
        CREATE UNIQUE INDEX users_nick ON users (tenant_id, nickname);
        ALTER TABLE users ALTER COLUMN tags SET DEFAULT '{}';
        ALTER TABLE tenants RENAME TO orgs;
        ALTER TABLE users RENAME COLUMN tenant_id TO org_id
        "#,
    );
    assert_eq!(
        shape(&out, "users"),
        cols(&[
            ("id", "uuid", false),
            ("org_id", "bigint", false),
            ("email", "citext", false),
            ("status", "status", false),
            ("tags", "text[]", true),
            ("created_at", "timestamp with time zone", false),
            ("nickname", "text", true),
        ])
    );
    let users = table(&out, "users");
    let uniques: Vec<Vec<String>> = users.unique.iter().map(|u| u.columns.clone()).collect();
    assert_eq!(
        uniques,
        vec![s(&["org_id", "email"]), s(&["org_id", "nickname"])]
    );
    assert_eq!(users.foreign_keys[0].foreign_table, "orgs");
    assert_eq!(users.foreign_keys[0].columns, s(&["org_id"]));
    assert!(users.checks.is_empty());
    assert_eq!(
        col(&out, "users", "status").ty.family,
        TypeFamily::Enum {
            name: Some("status".into()),
            values: s(&["new", "active", "banned"])
        }
    );
    assert_eq!(col(&out, "users", "email").provenance.last_changed.line, 19);
    assert!(out.schema.views.contains_key("active_users"));
    assert_eq!(out.schema.tables.len(), 2);
    assert_eq!(out.skipped.len(), 4, "{:#?}", out.skipped);
}

#[test]
fn messy_mysql_history() {
    let out = ok(
        Dialect::Mysql,
        "
        SET NAMES utf8mb4;
        CREATE TABLE `accounts` (
          `id` bigint unsigned NOT NULL AUTO_INCREMENT,
          `tenant` int NOT NULL,
          `email` varchar(191) NOT NULL,
          `active` tinyint(1) NOT NULL DEFAULT '1',
          `kind` enum('user','admin') DEFAULT 'user',
          `meta` json DEFAULT NULL,
          PRIMARY KEY (`id`),
          UNIQUE KEY `accounts_tenant_email` (`tenant`,`email`),
          KEY `idx_kind` (`kind`)
        ) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4;
        INSERT INTO accounts (tenant, email) VALUES (1, 'a@b.c');
        ALTER TABLE accounts ADD COLUMN `name` varchar(100) NULL AFTER `email`;
        ALTER TABLE accounts MODIFY `kind` enum('user','admin','owner') NOT NULL;
        ALTER TABLE accounts CHANGE `meta` `settings` longtext;
        CREATE TABLE tmp_import (a int);
        RENAME TABLE tmp_import TO archive, accounts TO users;
        DROP TABLE IF EXISTS archive;
        ALTER TABLE users DROP INDEX idx_kind, ADD INDEX idx_name (name);
        ALTER TABLE users ADD CONSTRAINT uq_name UNIQUE (name)
        ",
    );
    assert_eq!(
        shape(&out, "users"),
        cols(&[
            ("id", "bigint unsigned", false),
            ("tenant", "int", false),
            ("email", "varchar(191)", false),
            ("name", "varchar(100)", true),
            ("active", "tinyint(1)", false),
            ("kind", "enum('user','admin','owner')", false),
            ("settings", "longtext", true),
        ])
    );
    let t = table(&out, "users");
    assert_eq!(t.primary_key, Some(s(&["id"])));
    assert_eq!(t.unique.len(), 2);
    assert!(out.schema.indexes.contains_key("users.idx_name"));
    assert!(!out.schema.indexes.contains_key("users.idx_kind"));
    assert_eq!(out.schema.tables.len(), 1);
}

#[test]
fn messy_sqlite_history() {
    let out = ok(
        Dialect::Sqlite,
        "
        PRAGMA foreign_keys=OFF;
        CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT, author);
        CREATE TABLE IF NOT EXISTS notes (id INTEGER);
        CREATE INDEX notes_author ON notes (author);
        ALTER TABLE notes ADD COLUMN created_at DATETIME;
        ALTER TABLE notes RENAME COLUMN body TO content;
        BEGIN;
        CREATE TABLE _notes_new (id INTEGER PRIMARY KEY AUTOINCREMENT, content TEXT NOT NULL,
          author_id INTEGER REFERENCES users (id), created_at DATETIME NOT NULL);
        INSERT INTO _notes_new SELECT id, content, NULL, created_at FROM notes;
        DROP TABLE notes;
        ALTER TABLE _notes_new RENAME TO notes;
        COMMIT;
        CREATE UNIQUE INDEX notes_content ON notes (content)
        ",
    );
    assert_eq!(
        shape(&out, "notes"),
        cols(&[
            ("id", "integer", false),
            ("content", "text", false),
            ("author_id", "integer", true),
            ("created_at", "datetime", false),
        ])
    );
    assert!(!out.schema.indexes.contains_key("notes_author"));
    assert_eq!(table(&out, "notes").unique[0].columns, s(&["content"]));
}

#[test]
fn same_table_from_different_histories_has_the_same_hash() {
    for d in Dialect::ALL {
        let direct = ok(
            d,
            "CREATE TABLE t (id int NOT NULL, name varchar(20), age int, PRIMARY KEY (id), UNIQUE (name))",
        );
        let winding = ok(
            d,
            "CREATE TABLE old (id int NOT NULL, nom varchar(20));
             INSERT INTO old VALUES (1, 'x');
             ALTER TABLE old RENAME COLUMN nom TO name;
             ALTER TABLE old ADD COLUMN age int;
             CREATE TABLE t (id int NOT NULL, name varchar(20), age int, PRIMARY KEY (id), UNIQUE (name));
             DROP TABLE old",
        );
        let a = table_hash(table(&direct, "t"));
        let b = table_hash(table(&winding, "t"));
        assert_eq!(a, b, "{d}");
        assert_ne!(
            table(&direct, "t").provenance,
            table(&winding, "t").provenance
        );
        let changed = ok(
            d,
            "CREATE TABLE t (id int NOT NULL, name varchar(20), age bigint, PRIMARY KEY (id), UNIQUE (name))",
        );
        assert_ne!(a, table_hash(table(&changed, "t")), "{d}");
        let nullable = ok(
            d,
            "CREATE TABLE t (id int NOT NULL, name varchar(20) NOT NULL, age int, PRIMARY KEY (id), UNIQUE (name))",
        );
        assert_ne!(a, table_hash(table(&nullable, "t")), "{d}");
    }
}

#[test]
fn postgres_rename_history_gives_the_same_hash() {
    let direct = ok(Dialect::Postgres, "CREATE TABLE t (a int, b text NOT NULL)");
    let renamed = ok(
        Dialect::Postgres,
        "CREATE TABLE u (x int, y varchar);
         ALTER TABLE u RENAME COLUMN x TO a;
         ALTER TABLE u RENAME COLUMN y TO b;
         ALTER TABLE u ALTER COLUMN b TYPE text, ALTER COLUMN b SET NOT NULL;
         ALTER TABLE u RENAME TO t",
    );
    assert_eq!(
        table_hash(table(&direct, "t")),
        table_hash(table(&renamed, "t"))
    );
}

#[test]
fn temporary_tables_are_dropped_altered_and_indexed_without_errors() {
    // A backup-and-rebuild migration: temporary copies, an index on one, renamed, dropped
    // (in a later file too: migration tools run a history on one connection).
    for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
        let out = ok(
            dialect,
            "CREATE TABLE files (id int PRIMARY KEY, path text);
             CREATE TEMPORARY TABLE files_backup (id int, path text);
             INSERT INTO files_backup SELECT * FROM files;
             CREATE INDEX files_backup_path ON files_backup (id);
             ALTER TABLE files_backup RENAME TO files_old;
             DROP INDEX files_backup_path;
             DROP TABLE files_old;",
        );
        assert_eq!(
            out.schema.tables.keys().collect::<Vec<_>>(),
            ["files"],
            "{dialect:?}"
        );
        // Each drop of a temporary object is recorded once, as not modelled.
        let last = |line: u32| out.skipped.iter().filter(|s| s.at.line == line).count();
        assert_eq!(
            (last(6), last(7)),
            (1, 1),
            "{dialect:?}: {:#?}",
            out.skipped
        );
        // A temporary table hides the permanent table of its name: DROP TABLE reaches it.
        let out = ok(
            dialect,
            "CREATE TABLE t (id int);
             CREATE TEMPORARY TABLE t (id int);
             DROP TABLE t;",
        );
        assert!(out.schema.tables.contains_key("t"), "{dialect:?}");
        // Without the temporary table, the same DROP is an error.
        let e = one_error(dialect, "DROP TABLE files_old");
        assert!(e.message.contains("does not exist"), "{e}");
    }
}

#[test]
fn create_table_as_select_of_unknown_columns_is_a_warning_source_not_an_error() {
    // The server accepts it; the replay cannot know the columns of a query over a view
    // that reads `*` of a function it does not know, so it skips it, and what later
    // touches the table is a warning that names the CREATE TABLE ... AS SELECT, never an
    // error.
    let out = ok(
        Dialect::Postgres,
        "CREATE TABLE users (id int PRIMARY KEY, name text);
         CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);
         CREATE VIEW user_view AS
             SELECT * FROM users u, pg_options_to_table(ARRAY['a=1']) o;
         CREATE TABLE user_fast AS SELECT * FROM user_view;
         ALTER TABLE user_fast ADD PRIMARY KEY (id);
         CREATE INDEX user_fast_name ON user_fast (name);
         DROP TABLE user_fast;",
    );
    assert!(!out.schema.tables.contains_key("user_fast"));
    assert!(
        out.skipped
            .iter()
            .any(|s| s.at.line == 5 && s.reason.contains("cannot know the columns")),
        "{:?}",
        out.skipped
    );
    assert_eq!(out.warnings.len(), 3, "{:?}", out.warnings);
    assert!(out.warnings.iter().all(|w| w.cause.line == 5));
}
