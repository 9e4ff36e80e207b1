//! `schema_check::lint` on small histories: each rule with and without its fault, allow
//! comments (with and without a reason, unknown rules, unused ones), and configuration.

use schema_check::lint::config::LintConfig;
use schema_check::lint::lint;
use schema_check::report::{Level, Report, Severity};
use schema_check::{Dialect, ReplayOptions, replay_dir};

/// Lints the history `files` (name, SQL) written to a fresh directory, shown as
/// `migrations/<name>`.
fn lint_with(files: &[(&str, &str)], dialect: Dialect, config: &LintConfig) -> Report {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, sql) in files {
        std::fs::write(dir.path().join(name), sql).expect("write migration");
    }
    let options = ReplayOptions {
        dialect,
        display_prefix: Some("migrations".into()),
        ..Default::default()
    };
    let replay = replay_dir(dir.path(), &options).expect("replay");
    assert!(replay.errors.is_empty(), "{:?}", replay.errors);
    lint(&replay, config)
}

fn lint_pg(files: &[(&str, &str)]) -> Report {
    lint_with(files, Dialect::Postgres, &LintConfig::default())
}

/// `rule@file:line` of every finding, in report order.
fn found(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            let at = f.primary.as_ref().map_or(String::new(), |p| {
                format!(
                    "{}:{}",
                    p.span.file.trim_start_matches("migrations/"),
                    p.span.line
                )
            });
            format!("{}@{at}", f.rule)
        })
        .collect()
}

const ACCOUNTS: &str = "CREATE TABLE accounts (\n    tenant_id bigint NOT NULL,\n    id bigint NOT NULL,\n    PRIMARY KEY (tenant_id, id)\n);\n";

#[test]
fn clean_history_has_no_findings() {
    let r = lint_pg(&[
        ("0001_accounts.sql", ACCOUNTS),
        (
            "0002_orders.sql",
            "CREATE TABLE orders (\n    tenant_id bigint NOT NULL,\n    id bigint NOT NULL,\n    account_id bigint,\n    email text,\n    PRIMARY KEY (tenant_id, id),\n    UNIQUE (tenant_id, email),\n    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)\n);\nCREATE INDEX orders_by_account ON orders (tenant_id, account_id);\n",
        ),
    ]);
    assert_eq!(found(&r), Vec::<String>::new());
    assert_eq!(r.exit_code(true), 0);
}

#[test]
fn tenant_column_nullable_at_creation_and_at_the_change() {
    let r = lint_pg(&[(
        "0001_t.sql",
        "CREATE TABLE t (\n    tenant_id bigint,\n    id bigint,\n    PRIMARY KEY (tenant_id, id)\n);\n",
    )]);
    // A primary key column is NOT NULL: PostgreSQL makes it so, and so does the replay.
    assert_eq!(found(&r), Vec::<String>::new());

    let r = lint_pg(&[
        (
            "0001_t.sql",
            "CREATE TABLE t (\n    tenant_id bigint,\n    id bigint PRIMARY KEY\n);\n",
        ),
        ("0002_ok.sql", ACCOUNTS),
    ]);
    assert!(
        found(&r).contains(&"tenant-column-nullable@0001_t.sql:2".to_string()),
        "{:?}",
        found(&r)
    );

    let r = lint_pg(&[
        ("0001_accounts.sql", ACCOUNTS),
        (
            "0002_relax.sql",
            "-- who knows\nALTER TABLE accounts\n    ADD COLUMN note text;\nCREATE TABLE notes (tenant_id bigint NOT NULL, body text);\nALTER TABLE notes ALTER COLUMN tenant_id DROP NOT NULL;\n",
        ),
    ]);
    assert_eq!(found(&r), ["tenant-column-nullable@0002_relax.sql:5"]);
    let f = &r.findings[0];
    let primary = f.primary.as_ref().unwrap();
    assert_eq!(primary.span.column, 32, "at the column's name in the ALTER");
    assert_eq!(primary.label, "made nullable here");
    assert_eq!(f.secondary[0].span.line, 4, "and where it was created");
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn key_without_tenant_primary_unique_and_unique_index() {
    let r = lint_pg(&[(
        "0001_users.sql",
        "CREATE TABLE users (\n    tenant_id bigint NOT NULL,\n    id bigint PRIMARY KEY,\n    email text UNIQUE,\n    login text\n);\nCREATE UNIQUE INDEX users_login ON users (login);\nCREATE UNIQUE INDEX users_login_per_tenant ON users (tenant_id, login);\n",
    )]);
    assert_eq!(
        found(&r),
        [
            "key-without-tenant@0001_users.sql:3",
            "key-without-tenant@0001_users.sql:4",
            "key-without-tenant@0001_users.sql:7"
        ]
    );
    assert!(
        r.findings[0].message.contains("primary key (id)"),
        "{}",
        r.findings[0].message
    );
    assert!(
        r.findings[2].message.contains("unique index `users_login`"),
        "{}",
        r.findings[2].message
    );

    let fixed = lint_pg(&[(
        "0001_users.sql",
        "CREATE TABLE users (\n    tenant_id bigint NOT NULL,\n    id bigint,\n    email text,\n    PRIMARY KEY (tenant_id, id),\n    UNIQUE (tenant_id, email)\n);\n",
    )]);
    assert_eq!(found(&fixed), Vec::<String>::new());
}

#[test]
fn foreign_key_without_tenant_only_between_tenant_tables() {
    let history = |fk: &str| {
        lint_with(
            &[
                ("0001_accounts.sql", ACCOUNTS),
                (
                    "0002_plans.sql",
                    "CREATE TABLE plans (id bigint PRIMARY KEY);\n",
                ),
                (
                    "0003_orders.sql",
                    &format!(
                        "CREATE TABLE orders (\n    tenant_id bigint NOT NULL,\n    id bigint NOT NULL,\n    account_id bigint,\n    plan_id bigint REFERENCES plans (id),\n    PRIMARY KEY (tenant_id, id)\n);\n{fk}\n"
                    ),
                ),
            ],
            Dialect::Postgres,
            &LintConfig {
                global_tables: vec!["plans".into()],
                ..LintConfig::default()
            },
        )
    };
    let r = history(
        "ALTER TABLE orders ADD CONSTRAINT orders_account\n    FOREIGN KEY (account_id) REFERENCES accounts (id);",
    );
    assert_eq!(found(&r), ["foreign-key-without-tenant@0003_orders.sql:9"]);
    let f = &r.findings[0];
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .contains("FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)"),
        "{f:?}"
    );
    assert_eq!(f.secondary[0].span.file, "migrations/0001_accounts.sql");

    // The tenant columns paired with the wrong columns do not match the tenants either.
    let r = history(
        "ALTER TABLE orders ADD FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (id, tenant_id);",
    );
    assert_eq!(found(&r), ["foreign-key-without-tenant@0003_orders.sql:8"]);

    let r = history(
        "ALTER TABLE orders ADD FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id);",
    );
    assert_eq!(
        found(&r),
        Vec::<String>::new(),
        "a foreign key to the global `plans` is fine too"
    );
    // Without a column list, the referenced table's primary key (tenant_id, id).
    let r =
        history("ALTER TABLE orders ADD FOREIGN KEY (tenant_id, account_id) REFERENCES accounts;");
    assert_eq!(found(&r), Vec::<String>::new());
}

#[test]
fn index_not_tenant_first_is_a_warning() {
    let r = lint_pg(&[
        ("0001_accounts.sql", ACCOUNTS),
        (
            "0002_index.sql",
            "ALTER TABLE accounts ADD COLUMN created_at timestamptz;\nCREATE INDEX accounts_created ON accounts (created_at);\nCREATE INDEX accounts_created_per_tenant ON accounts (tenant_id, created_at);\nCREATE INDEX accounts_lower ON accounts (created_at, tenant_id);\n",
        ),
    ]);
    assert_eq!(
        found(&r),
        [
            "index-not-tenant-first@0002_index.sql:2",
            "index-not-tenant-first@0002_index.sql:4"
        ]
    );
    assert!(r.findings.iter().all(|f| f.severity == Severity::Warning));
    assert_eq!(r.exit_code(false), 0, "warnings alone pass");
    assert_eq!(r.exit_code(true), 1, "unless denied");
}

#[test]
fn mysql_foreign_key_index_is_the_foreign_keys_finding() {
    let r = lint_with(
        &[(
            "0001_init.sql",
            "CREATE TABLE accounts (\n  tenant_id bigint NOT NULL,\n  id bigint NOT NULL,\n  PRIMARY KEY (tenant_id, id)\n);\nCREATE TABLE orders (\n  tenant_id bigint NOT NULL,\n  id bigint NOT NULL,\n  account_id bigint,\n  created_at datetime,\n  PRIMARY KEY (tenant_id, id),\n  KEY by_created (created_at),\n  FOREIGN KEY (account_id) REFERENCES accounts (id)\n);\n",
        )],
        Dialect::Mysql,
        &LintConfig::default(),
    );
    assert_eq!(
        found(&r),
        [
            "index-not-tenant-first@0001_init.sql:12",
            "foreign-key-without-tenant@0001_init.sql:13"
        ]
    );
}

#[test]
fn table_without_tenant_unless_global_or_named_otherwise() {
    let files = [
        (
            "0001_plans.sql",
            "CREATE TABLE plans (id int PRIMARY KEY);\n",
        ),
        (
            "0002_teams.sql",
            "CREATE TABLE teams (org_id bigint NOT NULL, id bigint, PRIMARY KEY (org_id, id));\n",
        ),
    ];
    let r = lint_pg(&files);
    assert_eq!(
        found(&r),
        [
            "table-without-tenant@0001_plans.sql:1",
            "table-without-tenant@0002_teams.sql:1"
        ]
    );
    assert_eq!(
        r.findings[0].primary.as_ref().unwrap().span.column,
        14,
        "at the name"
    );
    let configured = LintConfig {
        tenant_columns: vec!["tenant_id".into(), "org_id".into()],
        global_tables: vec!["plans".into()],
        ..LintConfig::default()
    };
    let r = lint_with(&files, Dialect::Postgres, &configured);
    assert_eq!(found(&r), Vec::<String>::new());

    // A table a cached struct maps is a tenant table by its struct's tenant column.
    let mut mapped = LintConfig::default();
    mapped.global_tables.push("plans".into());
    mapped.mapped_tables.insert("teams".into(), "org_id".into());
    assert_eq!(
        found(&lint_with(&files, Dialect::Postgres, &mapped)),
        Vec::<String>::new()
    );
}

#[test]
fn allow_with_a_reason_suppresses_on_its_statement_only() {
    let r = lint_pg(&[(
        "0001_init.sql",
        "-- schema-check: allow(table-without-tenant) reference data, the same for everyone\nCREATE TABLE plans (id int PRIMARY KEY);\nCREATE TABLE countries (code text PRIMARY KEY); -- schema-check: allow(table-without-tenant) ISO codes\nCREATE TABLE users (\n    tenant_id bigint NOT NULL,\n    id bigint PRIMARY KEY,\n    -- schema-check: allow(key-without-tenant) logins are global\n    login text UNIQUE\n);\nCREATE TABLE audit (id int);\n",
    )]);
    // `users`' primary key is in the same statement as the allow: suppressed too; `audit`
    // has no allow.
    assert_eq!(found(&r), ["table-without-tenant@0001_init.sql:10"]);
}

#[test]
fn allow_without_reason_suppresses_nothing_and_is_reported() {
    let r = lint_pg(&[(
        "0001_init.sql",
        "-- schema-check: allow(table-without-tenant)\nCREATE TABLE plans (id int PRIMARY KEY);\n",
    )]);
    assert_eq!(
        found(&r),
        [
            "invalid-allow@0001_init.sql:1",
            "table-without-tenant@0001_init.sql:2"
        ]
    );
    assert!(
        r.findings[0].message.contains("gives no reason"),
        "{}",
        r.findings[0].message
    );
}

#[test]
fn unknown_and_malformed_allows_are_reported() {
    let r = lint_pg(&[(
        "0001_init.sql",
        "-- schema-check: allow(table-without-tennant) typo\nCREATE TABLE plans (id int PRIMARY KEY);\n-- schema-check: alow(x) y\nCREATE TABLE b (tenant_id int NOT NULL);\nSELECT '-- schema-check: allow(nothing) in a string';\n",
    )]);
    assert_eq!(
        found(&r),
        [
            "invalid-allow@0001_init.sql:1",
            "table-without-tenant@0001_init.sql:2",
            "invalid-allow@0001_init.sql:3"
        ]
    );
    assert_eq!(
        r.findings[0].help.as_deref(),
        Some("did you mean `table-without-tenant`?")
    );
}

#[test]
fn unused_allow_is_reported() {
    let r = lint_pg(&[
        ("0001_accounts.sql", ACCOUNTS),
        (
            "0002_x.sql",
            "-- schema-check: allow(key-without-tenant, tenant-column-nullable) legacy\nCREATE UNIQUE INDEX accounts_id ON accounts (id);\n-- schema-check: allow(table-without-tenant) nothing follows\n",
        ),
    ]);
    assert_eq!(
        found(&r),
        ["unused-allow@0002_x.sql:1", "unused-allow@0002_x.sql:3"]
    );
    assert!(
        r.findings[0]
            .message
            .contains("allow(tenant-column-nullable)"),
        "{}",
        r.findings[0].message
    );
    assert!(
        r.findings[1].message.contains("no statement follows it"),
        "{}",
        r.findings[1].message
    );
}

#[test]
fn configured_levels_drop_or_change_severity() {
    let files = [
        ("0001_accounts.sql", ACCOUNTS),
        (
            "0002_index.sql",
            "CREATE INDEX accounts_id ON accounts (id);\nCREATE TABLE plans (id int);\n",
        ),
    ];
    let config = LintConfig::from_file_text(
        "[lint]\nindex-not-tenant-first = \"deny\"\ntable-without-tenant = \"allow\"\n",
        "lint.toml",
    )
    .unwrap();
    let r = lint_with(&files, Dialect::Postgres, &config);
    assert_eq!(found(&r), ["index-not-tenant-first@0002_index.sql:1"]);
    assert_eq!(r.findings[0].severity, Severity::Error);
    assert_eq!(config.level("table-without-tenant"), Some(Level::Allow));
}
