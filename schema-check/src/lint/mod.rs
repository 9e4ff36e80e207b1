//! Tenant-isolation lints over the replayed schema (`schema-check lint`), feature `lint`
//! (all but [`METADATA_KEYS`]).
//!
//! A *tenant table* is one a cached struct maps ([`LintConfig::mapped_tables`]) or one with
//! a tenant column (a name in [`LintConfig::tenant_columns`], `tenant_id` by default);
//! tables declared global are not. The rules ([`rules::RULES`]) each have a stable id, and
//! each finding points at the migration that created or last changed the object, so that
//! it can be suppressed there: `-- schema-check: allow(rule-id) reason` ([`allow`]).
//!
//! ```
//! # #[cfg(feature = "lint")] {
//! use schema_check::{replay_dir, ReplayOptions};
//! use schema_check::lint::{lint, config::LintConfig};
//! # let dir = tempfile::tempdir().unwrap();
//! # std::fs::write(dir.path().join("0001_init.sql"), "\
//! # CREATE TABLE accounts (tenant_id bigint NOT NULL, id bigint, PRIMARY KEY (tenant_id, id));\n\
//! # CREATE TABLE orders (\n    tenant_id bigint,\n    id bigint,\n    UNIQUE (tenant_id, id)\n);\n").unwrap();
//! let options = ReplayOptions { display_prefix: Some("migrations".into()), ..Default::default() };
//! let replay = replay_dir(dir.path(), &options).unwrap();
//! let report = lint(&replay, &LintConfig::default());
//! assert_eq!(report.findings.len(), 1);
//! let f = &report.findings[0];
//! assert_eq!(f.rule, "tenant-column-nullable");
//! assert_eq!(f.primary.as_ref().unwrap().span.to_string(), "migrations/0001_init.sql:3:5");
//! # }
//! ```

#[cfg(feature = "lint")]
pub mod allow;
#[cfg(feature = "lint")]
pub mod checks;
#[cfg(feature = "lint")]
pub mod config;
#[cfg(feature = "lint")]
pub mod rules;
#[cfg(feature = "lint")]
pub mod script;
#[cfg(feature = "lint")]
pub mod tenant;

#[cfg(feature = "lint")]
use crate::report::{Finding, Level, MIGRATION_ERROR, MIGRATION_WARNING, Report};
#[cfg(feature = "lint")]
use crate::run::Replay;

#[cfg(feature = "lint")]
use self::checks::Context;
#[cfg(feature = "lint")]
use self::config::LintConfig;
#[cfg(feature = "lint")]
use self::script::Scripts;

/// The keys of `[package.metadata.cache-contract]` that configure the lint
/// (`tenant-columns`, `global-tables`, and the `lint` table of rule levels): whoever else
/// reads the section (the derive) leaves them to it. Available without the `lint` feature.
pub const METADATA_KEYS: &[&str] = &["tenant-columns", "global-tables", "lint"];

/// Lints the schema `replay` produced. The report lists the replay's own errors and
/// warnings too (the schema the rules saw may be wrong until they are fixed), then every
/// finding of every rule, with allow comments and configured levels applied, in file
/// order.
#[cfg(feature = "lint")]
pub fn lint(replay: &Replay, config: &LintConfig) -> Report {
    let scripts = Scripts::read(replay);
    let mut report = Report::new(&[MIGRATION_ERROR, MIGRATION_WARNING]);
    report.add_rules(rules::RULES);
    report
        .findings
        .extend(replay.errors.iter().map(Finding::from));
    report
        .findings
        .extend(replay.warnings.iter().map(Finding::from));

    let cx = Context {
        schema: &replay.schema,
        dialect: replay.dialect,
        config,
        scripts: &scripts,
    };
    let mut found = checks::run(&cx);
    let (mut allows, invalid) = allow::collect(&scripts);
    found.retain(|f| {
        // Every allow that covers the finding is used, not just the first.
        let mut suppressed = false;
        for a in &mut allows {
            suppressed |= a.suppress(f);
        }
        !suppressed
    });
    found.extend(invalid);
    found.extend(allows.iter().flat_map(allow::Allow::unused));
    report.findings.extend(
        found
            .into_iter()
            .filter_map(|f| match config.level(f.rule) {
                None => Some(f),
                Some(Level::Allow) => None,
                Some(Level::Report(severity)) => Some(f.with_severity(severity)),
            }),
    );
    report.sort();
    report
}
