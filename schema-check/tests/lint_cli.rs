//! `schema-check lint` end to end: findings, exit codes, configuration from `Cargo.toml` and
//! `--config`, `--explain`, a snapshot of the JSON document, and the SARIF of `lint` and
//! `schema` validated against the SARIF 2.1.0 JSON schema (`tests/fixtures/sarif/`).

use std::path::Path;

use serde_json::Value;

#[path = "support/run.rs"]
mod support;
use support::Run;

#[path = "support/sarif.rs"]
mod sarif;
use sarif::{assert_valid_sarif, sarif_schema};

/// The history of `tests/fixtures/lint_tenants`: one finding of every rule (see the
/// comments of its files).
const FIXTURE: &str = "tests/fixtures/lint_tenants";

/// Runs `schema-check <args>` in `dir` (the crate directory when `None`).
fn run_in(dir: Option<&Path>, args: &[&str]) -> Run {
    match dir {
        Some(dir) => support::run_in(dir, args),
        None => support::run(args),
    }
}

fn run(args: &[&str]) -> Run {
    run_in(None, args)
}

fn parse(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\n{}", r.stdout, r.stderr))
}

/// `rule@file:line` of every finding of a JSON document.
fn found(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{}@{}:{}",
                f["rule"].as_str().unwrap(),
                f["primary"]["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap(),
                f["primary"]["line"]
            )
        })
        .collect()
}

#[test]
fn text_report_points_at_the_migrations_and_fails() {
    let r = run(&["lint", FIXTURE]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("error[foreign-key-without-tenant]: the foreign key `orders_account_id_fkey` (account_id) of `orders` references `accounts` (id) without the tenant column"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(" --> tests/fixtures/lint_tenants/0002_orders.sql:4:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("4 |     account_id bigint NOT NULL REFERENCES accounts (id),"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("6 errors, 2 warnings\n"), "{}", r.stdout);
    assert!(!r.stdout.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn json_document_snapshot() {
    let r = run(&["lint", FIXTURE, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut doc = parse(&r);
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    doc["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("lint_tenants", doc);
}

#[test]
fn every_rule_of_the_fixture_once() {
    let doc = parse(&run(&["lint", FIXTURE, "--format", "json"]));
    assert_eq!(
        found(&doc),
        [
            "key-without-tenant@0001_accounts.sql:4",
            "foreign-key-without-tenant@0002_orders.sql:4",
            "index-not-tenant-first@0002_orders.sql:9",
            "invalid-allow@0002_orders.sql:11",
            "tenant-column-nullable@0002_orders.sql:13",
            "key-without-tenant@0002_orders.sql:14",
            "unused-allow@0002_orders.sql:17",
            "table-without-tenant@0002_orders.sql:18",
        ]
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    std::fs::write(
        migrations.join("0001_t.sql"),
        "CREATE TABLE t (tenant_id bigint NOT NULL, id bigint, at date, PRIMARY KEY (tenant_id, id));\nCREATE INDEX t_at ON t (at);\n",
    )
    .unwrap();
    let r = run_in(Some(dir.path()), &["lint", "migrations"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("warning[index-not-tenant-first]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("1 warning\n"), "{}", r.stdout);
    let r = run_in(Some(dir.path()), &["lint", "migrations", "--deny-warnings"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

#[test]
fn configuration_from_the_manifest_and_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("db/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        migrations.join("0001_init.sql"),
        "CREATE TABLE teams (org_id bigint NOT NULL, id bigint, PRIMARY KEY (org_id, id));\nCREATE TABLE plans (id int PRIMARY KEY);\nCREATE INDEX teams_id ON teams (id);\n",
    )
    .unwrap();
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", "db/migrations", "--format", "json"];
        args.extend(extra);
        let r = run_in(Some(dir.path()), &args);
        (r.code, found(&parse(&r)))
    };
    // No manifest at all: the defaults (`tenant_id`), so neither table is scoped.
    assert_eq!(
        lint(&[]),
        (
            1,
            vec![
                "table-without-tenant@0001_init.sql:1".to_string(),
                "table-without-tenant@0001_init.sql:2".to_string()
            ]
        )
    );

    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.cache-contract]\nmigrations = \"db/migrations\"\ntenant-columns = [\"org_id\"]\nglobal-tables = [\"plans\"]\n\n[package.metadata.cache-contract.lint]\nindex-not-tenant-first = \"deny\"\n",
    )
    .unwrap();
    assert_eq!(
        lint(&[]),
        (
            1,
            vec!["index-not-tenant-first@0001_init.sql:3".to_string()]
        )
    );

    std::fs::write(
        dir.path().join("lint.toml"),
        "tenant-columns = [\"org_id\"]\nglobal-tables = [\"plans\"]\n[lint]\nindex-not-tenant-first = \"allow\"\n",
    )
    .unwrap();
    assert_eq!(lint(&["--config", "lint.toml"]), (0, vec![]));

    std::fs::write(
        dir.path().join("bad.toml"),
        "[lint]\ntable-without-tenent = \"allow\"\n",
    )
    .unwrap();
    let r = run_in(
        Some(dir.path()),
        &["lint", "db/migrations", "--config", "bad.toml"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("bad.toml: unknown rule `table-without-tenent`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `table-without-tenant`?"),
        "{}",
        r.stderr
    );
    let r = run_in(
        Some(dir.path()),
        &["lint", "db/migrations", "--config", "missing.toml"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot read the configuration missing.toml"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_and_usage_errors() {
    let r = run(&["lint", "--explain", "foreign-key-without-tenant"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("foreign-key-without-tenant (error by default): a foreign key between tenant tables leaves out the tenant column\n\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("REFERENCES accounts (tenant_id, id)"),
        "{}",
        r.stdout
    );

    let r = run(&["lint", "--explain", "foreign-key-without-tennant"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("did you mean `foreign-key-without-tenant`?"),
        "{}",
        r.stderr
    );

    let r = run(&["lint"]);
    assert_eq!(r.code, 2, "clap's usage error");
    let r = run(&["lint", "tests/fixtures/no_such_dir"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no_such_dir"), "{}", r.stderr);
}

#[test]
fn sarif_of_lint_and_schema_is_valid_sarif_2_1_0() {
    let validator = sarif_schema();
    // The schema does reject what it should: a result without a message.
    let mut broken = parse(&run(&["lint", FIXTURE, "--format", "sarif"]));
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));

    for args in [
        &["lint", FIXTURE, "--format", "sarif"][..],
        &["schema", "tests/fixtures/broken", "--format", "sarif"][..],
        &["schema", "tests/fixtures/pg_basic", "--format", "sarif"][..],
    ] {
        let r = run(args);
        let log = parse(&r);
        assert_valid_sarif(&validator, &log);
        assert_eq!(log["version"], "2.1.0");
    }

    let log = parse(&run(&["lint", FIXTURE, "--format", "sarif"]));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"tenant-column-nullable") && ids.contains(&"unused-allow"),
        "{ids:?}"
    );
    assert!(
        rules
            .iter()
            .all(|r| !r["help"]["text"].as_str().unwrap().is_empty())
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "schema-check/tests/fixtures/lint_tenants/0001_accounts.sql"
    );
    assert_eq!(location["region"]["startLine"], 4);
    // Fingerprints do not depend on the run.
    let again = parse(&run(&["lint", FIXTURE, "--format", "sarif"]));
    assert_eq!(
        results[0]["partialFingerprints"],
        again["runs"][0]["results"][0]["partialFingerprints"]
    );
}

/// The example service's history is tenant-isolated: its one shared table is declared in
/// its `Cargo.toml`, and without that declaration the lint names it.
#[test]
fn the_example_service_lints_clean_with_its_declared_global_table() {
    let saas = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/saas");
    let r = run_in(Some(&saas), &["lint", "migrations"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("lint.toml");
    std::fs::write(&config, "tenant-columns = [\"tenant_id\"]\n").unwrap();
    let r = run_in(
        Some(&saas),
        &[
            "lint",
            "migrations",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        found(&parse(&r)),
        ["table-without-tenant@20240105090000_create_tenants.sql:2"]
    );
}

/// A table a cache struct maps is a tenant table by its struct's tenant field, whatever the
/// configured tenant column names: its key is then linted like any tenant table's.
#[test]
fn a_table_a_cache_struct_maps_is_a_tenant_table_by_its_tenant_field() {
    let krate = tempfile::tempdir().unwrap();
    let root = krate.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"orgs\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("migrations")).unwrap();
    std::fs::write(
        root.join("migrations/0001_members.sql"),
        "CREATE TABLE members (\n  org bigint NOT NULL,\n  id bigint PRIMARY KEY,\n  name text NOT NULL\n);\n",
    )
    .unwrap();

    // No struct yet: `members` has no `tenant_id`, so it is a table without a tenant.
    let before = run_in(Some(root), &["lint", "migrations", "--format", "json"]);
    assert_eq!(before.code, 1, "{}{}", before.stdout, before.stderr);
    assert_eq!(
        found(&parse(&before)),
        ["table-without-tenant@0001_members.sql:1"]
    );

    // A struct maps it with `org` as its tenant: the table is a tenant table, and its
    // primary key leaves the tenant out.
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "#[derive(CacheContract)]\n#[cache(table = \"members\")]\npub struct Member {\n    #[cache(tenant)]\n    pub org: i64,\n    pub id: i64,\n    pub name: String,\n}\n",
    )
    .unwrap();
    let after = run_in(Some(root), &["lint", "migrations", "--format", "json"]);
    assert_eq!(after.code, 1, "{}{}", after.stdout, after.stderr);
    assert_eq!(
        found(&parse(&after)),
        ["key-without-tenant@0001_members.sql:3"]
    );
}
