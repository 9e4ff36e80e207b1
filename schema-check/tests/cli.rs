//! The `schema-check` binary, run on the fixture directories in `tests/fixtures/` and on
//! `examples/saas/migrations`: output, exit codes and errors.

use std::path::PathBuf;

use serde_json::Value;

#[path = "support/run.rs"]
mod support;
use support::{Run, run, run_with};

fn json(args: &[&str]) -> (Run, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let r = run(&all);
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", r.stdout));
    (r, v)
}

/// The grid row of `column` in the text output (the first one found).
fn row<'a>(stdout: &'a str, column: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split('|').next().is_some_and(|c| c.trim() == column))
        .unwrap_or_else(|| panic!("no row for column `{column}` in:\n{stdout}"))
}

/// The element of the array `parent[list]` whose `name` is `name`.
fn named<'a>(parent: &'a Value, list: &str, name: &str) -> &'a Value {
    parent[list]
        .as_array()
        .unwrap_or_else(|| panic!("`{list}` is not an array in {parent:#}"))
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` in `{list}` of {parent:#}"))
}

/// The `file` of every entry of `migrations`, in replay order.
fn migration_files(doc: &Value) -> Vec<&str> {
    doc["migrations"]
        .as_array()
        .expect("migrations is an array")
        .iter()
        .map(|m| m["file"].as_str().expect("file is a string"))
        .collect()
}

fn table<'a>(doc: &'a Value, name: &str) -> &'a Value {
    named(doc, "tables", name)
}

fn column<'a>(table: &'a Value, name: &str) -> &'a Value {
    named(table, "columns", name)
}

#[test]
fn text_output_is_a_psql_like_table() {
    let r = run(&["schema", "tests/fixtures/pg_basic"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.starts_with("Schema replayed from tests/fixtures/pg_basic (postgres): 1 table"),
        "{out}"
    );
    assert!(
        out.contains("\nTable \"accounts\"\n Column    | Type   | Nullable | Default\n"),
        "{out}"
    );
    let id = row(out, "id");
    assert!(
        id.contains("| bigint ") && id.contains("| not null |"),
        "{id}"
    );
    let email = row(out, "email");
    assert!(
        email.contains("| text ") && email.contains("not null"),
        "{email}"
    );
    // 0010 (the rename) replays after 0002: numeric order.
    assert!(row(out, "remark").contains("a;b -- c"), "{out}");
    assert!(!out.contains("\n note "), "{out}");
    assert!(out.contains("Primary key: (tenant_id, id)\n"), "{out}");
    assert!(
        out.contains("Created:      tests/fixtures/pg_basic/0001_accounts.sql:2:1\n"),
        "{out}"
    );
    assert!(
        out.contains("Last changed: tests/fixtures/pg_basic/0010_rename.sql:1:1\n"),
        "{out}"
    );
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("Hash:         "))
        .expect("hash line");
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(
        out.contains(
            "3 migrations replayed; 1 statement skipped, 0 warnings, 3 files ignored (--verbose lists them)"
        ),
        "{out}"
    );
}

#[test]
fn verbose_lists_skipped_statements_ignored_files_and_column_provenance() {
    let r = run(&["schema", "tests/fixtures/pg_basic", "--verbose"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let out = &r.stdout;
    assert!(row(out, "Column").contains("| Last changed"), "{out}");
    assert!(
        row(out, "remark").contains("tests/fixtures/pg_basic/0010_rename.sql:1:1"),
        "{out}"
    );
    assert!(
        row(out, "email").contains("tests/fixtures/pg_basic/0001_accounts.sql:2:1"),
        "{out}"
    );
    assert!(out.contains("\nMigrations (3):\n    0001  tests/fixtures/pg_basic/0001_accounts.sql\n    0002  tests/fixtures/pg_basic/0002_touch.sql\n    0010  tests/fixtures/pg_basic/0010_rename.sql\n"), "{out}");
    assert!(out.contains("\nSkipped statements (1):\n    tests/fixtures/pg_basic/0002_touch.sql:1:1  CREATE FUNCTION touch()"), "{out}");
    assert!(out.contains("\nIgnored files (3):\n"), "{out}");
    for (file, reason) in [
        ("0002_touch.down.sql", "down migration"),
        ("README.md", "not a `.sql` file"),
        ("seed.sql", "not a migration name"),
    ] {
        let line = out
            .lines()
            .find(|l| {
                l.trim_start()
                    .starts_with(&format!("tests/fixtures/pg_basic/{file} "))
            })
            .unwrap_or_else(|| panic!("{file} not listed:\n{out}"));
        assert!(line.contains(reason), "{line}");
    }
    assert!(
        out.contains("column accounts.note renamed to remark"),
        "{out}"
    );
}

#[test]
fn json_output_has_the_documented_shape() {
    let (r, doc) = json(&["schema", "tests/fixtures/pg_basic"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert_eq!(doc["dialect"], "postgres");
    let files = migration_files(&doc);
    assert_eq!(
        files,
        [
            "tests/fixtures/pg_basic/0001_accounts.sql",
            "tests/fixtures/pg_basic/0002_touch.sql",
            "tests/fixtures/pg_basic/0010_rename.sql"
        ]
    );
    assert_eq!(doc["migrations"][2]["version"], "0010");
    assert_eq!(doc["migrations"][2]["layout"], "flat");
    let accounts = table(&doc, "accounts");
    let names: Vec<&str> = accounts["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tenant_id", "id", "email", "remark"]);
    let id = column(accounts, "id");
    assert_eq!(id["type"], "bigint");
    assert_eq!(id["nullable"], false);
    let tenant = column(accounts, "tenant_id");
    assert_eq!(tenant["type"], "uuid");
    assert_eq!(tenant["nullable"], false);
    assert_eq!(tenant["default"], Value::Null);
    assert_eq!(column(accounts, "remark")["nullable"], true);
    assert_eq!(
        accounts["primary_key"],
        serde_json::json!(["tenant_id", "id"])
    );
    assert_eq!(
        accounts["provenance"]["created"]["file"],
        "tests/fixtures/pg_basic/0001_accounts.sql"
    );
    assert_eq!(accounts["provenance"]["last_changed"]["line"], 1);
    let hash = accounts["hash"].as_str().unwrap();
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    for key in ["views", "enums", "domains", "indexes", "history", "errors"] {
        assert!(doc[key].is_array(), "{key} is not an array: {doc:#}");
    }
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        skipped[0]["at"]["file"],
        "tests/fixtures/pg_basic/0002_touch.sql"
    );
    assert!(
        skipped[0]["first_line"]
            .as_str()
            .unwrap()
            .starts_with("CREATE FUNCTION touch()")
    );
    assert!(!skipped[0]["reason"].as_str().unwrap().is_empty());
    let ignored = doc["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 3);
    assert!(
        ignored
            .iter()
            .all(|i| i["file"].is_string() && i["reason"].is_string())
    );
}

#[test]
fn table_filter_and_did_you_mean() {
    let r = run(&[
        "schema",
        "tests/fixtures/diesel_mixed",
        "--table",
        "customers",
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stdout.contains("Table \"customers\""), "{}", r.stdout);
    assert!(!r.stdout.contains("Table \"setup_marker\""), "{}", r.stdout);

    let (r, doc) = json(&[
        "schema",
        "tests/fixtures/diesel_mixed",
        "--table",
        "CUSTOMERS",
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert_eq!(doc["tables"].as_array().unwrap().len(), 1);
    assert_eq!(doc["tables"][0]["name"], "customers");

    let r = run(&[
        "schema",
        "tests/fixtures/diesel_mixed",
        "--table",
        "custmers",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("error: no table named `custmers` in the replayed schema"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("help: did you mean `customers`?"),
        "{}",
        r.stderr
    );

    let r = run(&[
        "schema",
        "tests/fixtures/diesel_mixed",
        "--table",
        "invoices",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the tables are: `customers`, `setup_marker`"),
        "{}",
        r.stderr
    );
}

#[test]
fn diesel_layout_replays_in_numeric_version_order() {
    let (r, doc) = json(&["schema", "tests/fixtures/diesel_mixed"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let files = migration_files(&doc);
    assert_eq!(
        files,
        [
            "tests/fixtures/diesel_mixed/00000000000000_setup/up.sql",
            "tests/fixtures/diesel_mixed/20170101000000_accounts/up.sql",
            "tests/fixtures/diesel_mixed/2017-09-23-182408_notes/up.sql",
        ]
    );
    assert_eq!(doc["migrations"][2]["version"], "20170923182408");
    table(&doc, "customers");
    assert!(
        doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["name"] != "accounts")
    );
    assert_eq!(
        doc["ignored"].as_array().unwrap().len(),
        3,
        "the three down.sql"
    );
}

#[test]
fn every_error_is_reported_and_the_rest_still_replays() {
    let r = run(&["schema", "tests/fixtures/broken"]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    let err = &r.stderr;
    // In file order, each rustc-style with its location.
    let missing = err
        .find("--> tests/fixtures/broken/0002_missing_table.sql:1:1")
        .expect(err);
    let latin1 = err
        .find("--> tests/fixtures/broken/0003_latin1.sql:1:7")
        .expect(err);
    let unterminated = err
        .find("--> tests/fixtures/broken/0004_unterminated.sql:2:30")
        .expect(err);
    assert!(missing < latin1 && latin1 < unterminated, "{err}");
    assert!(err.contains("nonexistent"), "{err}");
    assert!(err.contains("is not valid UTF-8: byte 0xE9"), "{err}");
    assert!(err.contains("help: re-save the file as UTF-8"), "{err}");
    assert!(
        err.contains("error[migration-error]: unterminated string literal"),
        "{err}"
    );
    assert!(
        err.contains("2 | INSERT INTO items VALUES (1, 'unterminated);"),
        "{err}"
    );
    assert!(
        err.ends_with("error: 3 errors in the migrations in `tests/fixtures/broken`\n"),
        "{err}"
    );
    // What replayed is still printed: the statement before the unterminated string, and
    // the migration after it.
    let out = &r.stdout;
    assert!(out.contains("Table \"items\""), "{out}");
    assert!(row(out, "price").contains("numeric(10,2)"), "{out}");
    row(out, "sku");
    assert!(!out.contains("latin1"), "{out}");
    assert!(out.contains("3 errors (printed to stderr)"), "{out}");

    let (r, doc) = json(&["schema", "tests/fixtures/broken"]);
    assert_eq!(r.code, 1);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[1]["location"]["line"], 1);
    assert_eq!(errors[1]["location"]["column"], 7);
    assert!(errors.iter().all(|e| e["help"].is_string()), "{errors:#?}");
}

#[test]
fn shared_versions_warn_and_fail_only_in_strict_mode() {
    let message = "migrations `tests/fixtures/duplicate/0001_a.sql` and \
                   `tests/fixtures/duplicate/1_b.sql` have the same version 1; they are \
                   replayed in file-name order";
    let r = run(&["schema", "tests/fixtures/duplicate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("warning[migration-warning]: {message}")),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("1 warning"), "{}", r.stdout);
    let strict = run(&["schema", "tests/fixtures/duplicate", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict.stderr.contains(&format!(
            "error[migration-error]: {message} (the other migration with version 1: \
             tests/fixtures/duplicate/0001_a.sql:1:1; strict mode makes this an error)"
        )),
        "{}",
        strict.stderr
    );
}

#[test]
fn sqlite_trigger_bodies_are_one_statement() {
    let (r, doc) = json(&[
        "schema",
        "tests/fixtures/sqlite_triggers",
        "--dialect",
        "sqlite",
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert_eq!(doc["dialect"], "sqlite");
    column(table(&doc, "notes"), "updated at");
    column(table(&doc, "tags"), "name");
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0]["at"]["line"], 2);
}

#[test]
fn mysql_delimiter_blocks_and_hash_comments() {
    let (r, doc) = json(&[
        "schema",
        "tests/fixtures/mysql_delimiter",
        "--dialect",
        "mariadb",
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert_eq!(doc["dialect"], "mysql");
    let orders = table(&doc, "orders");
    let names: Vec<&str> = orders["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["id", "status", "total"]);
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0]["at"]["line"], 7);
    assert_eq!(
        skipped[0]["first_line"],
        "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW"
    );
}

#[test]
fn the_saas_example_replays_cleanly() {
    let example: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "examples",
        "saas",
        "migrations",
    ]
    .iter()
    .collect();
    let example = example.to_str().unwrap();
    let (r, doc) = json(&["schema", example]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert_eq!(doc["migrations"].as_array().unwrap().len(), 10);
    let users = table(&doc, "users");
    assert_eq!(column(users, "tenant_id")["nullable"], false);
    assert_eq!(column(users, "tenant_id")["type"], "uuid");
    assert_eq!(column(users, "id")["type"], "bigint");
    assert_eq!(column(users, "full_name")["type"], "character varying(100)");
    assert_eq!(users["primary_key"], serde_json::json!(["tenant_id", "id"]));
    let api_keys = table(&doc, "api_keys");
    assert_eq!(
        column(api_keys, "last_used_at")["type"],
        "timestamp with time zone"
    );
    let projects = table(&doc, "projects");
    assert_eq!(column(projects, "description")["nullable"], false);
    assert_eq!(column(projects, "owner_id")["nullable"], true);
    let tenants = table(&doc, "tenants");
    assert_eq!(column(tenants, "plan")["type"], "plan");
    let plan = &doc["enums"][0];
    assert_eq!(plan["name"], "plan");
    assert_eq!(
        plan["values"],
        serde_json::json!(["free", "pro", "enterprise"])
    );
    assert_eq!(doc["views"][0]["name"], "active_projects");
    let indexes: Vec<&str> = doc["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(indexes.contains(&"projects_owner_idx"), "{indexes:?}");
    assert!(indexes.contains(&"api_keys_prefix_key"), "{indexes:?}");

    let r = run(&["schema", example]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.contains("): 4 tables, 1 view, 1 enum, 2 indexes\n"),
        "{out}"
    );
    assert!(
        out.contains("\nViews:\n    active_projects  created "),
        "{out}"
    );
    assert!(
        out.contains("\nEnums:\n    plan  ('free', 'pro', 'enterprise')  "),
        "{out}"
    );
    assert!(
        out.contains("Indexes:\n    \"projects_owner_idx\" (tenant_id, owner_id)\n"),
        "{out}"
    );
    let owner: Vec<&str> = row(out, "owner_id").split('|').map(str::trim).collect();
    assert_eq!(owner[1..3], ["bigint", ""], "{out}");
    assert!(
        out.ends_with(
            "10 migrations replayed; 3 statements skipped, 0 warnings, 0 files ignored (--verbose lists them)\n"
        ),
        "{out}"
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let r = run(&["schema", "tests/fixtures/no_such_dir"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: cannot read migration directory `tests/fixtures/no_such_dir`"),
        "{}",
        r.stderr
    );
    let r = run(&["schema", "tests/fixtures/pg_basic", "--dialect", "oracle"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown dialect `oracle`"),
        "{}",
        r.stderr
    );
    let r = run(&["schema", "tests/fixtures/pg_basic", "--format", "yaml"]);
    assert_eq!(r.code, 2);
    let r = run(&["schema"]);
    assert_eq!(r.code, 2);
}

#[test]
fn migration_errors_as_sarif_and_coloured_only_when_asked() {
    let r = run(&["schema", "tests/fixtures/broken", "--format", "sarif"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let log: Value = serde_json::from_str(&r.stdout).expect("SARIF is JSON");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{log:#}");
    assert!(results.iter().all(|r| r["ruleId"] == "migration-error"));
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(
        uri, "schema-check/tests/fixtures/broken/0002_missing_table.sql",
        "relative to the repository root"
    );

    // Not a terminal: no colour unless asked for (`--color always`, which wins over
    // NO_COLOR, or CLICOLOR_FORCE).
    let plain = run(&["schema", "tests/fixtures/broken"]);
    assert!(!plain.stderr.contains('\u{1b}'), "{}", plain.stderr);
    let forced = run(&["schema", "tests/fixtures/broken", "--color", "always"]);
    assert!(forced.stderr.contains('\u{1b}'), "{}", forced.stderr);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let no_color = run_with(
        dir,
        &["schema", "tests/fixtures/broken", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(no_color.stderr.contains('\u{1b}'), "{}", no_color.stderr);
    let clicolor = run_with(
        dir,
        &["schema", "tests/fixtures/broken"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(clicolor.stderr.contains('\u{1b}'), "{}", clicolor.stderr);
}
