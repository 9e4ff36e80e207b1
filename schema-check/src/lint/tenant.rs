//! Which tables are tenant tables, and which column holds their tenant.

use crate::dialect::Dialect;
use crate::model::{Column, Table};
use crate::replay::ident::{same_column, same_table};

use super::config::LintConfig;

/// What a table is to the lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// A tenant table, and its tenant column.
    Tenant(&'a Column),
    /// Declared global in the configuration.
    Global,
    /// Neither: no tenant column, not declared global.
    Unscoped,
}

/// How `table` is scoped: declared global; else a tenant table when a cached struct maps it
/// (its tenant field's column) or when it has a column named in `tenant-columns` (the
/// first name in that order); else unscoped.
///
/// ```
/// use schema_check::{Dialect, replay_dir, ReplayOptions};
/// use schema_check::lint::{config::LintConfig, tenant::{scope, Scope}};
/// # let dir = tempfile::tempdir().unwrap();
/// # std::fs::write(dir.path().join("0001_init.sql"), "CREATE TABLE users (tenant_id bigint NOT NULL, id bigint);\nCREATE TABLE plans (id int);\n").unwrap();
/// let replay = replay_dir(dir.path(), &ReplayOptions::default()).unwrap();
/// let config = LintConfig::default();
/// let tables = &replay.schema.tables;
/// assert!(matches!(scope(&tables["users"], &config, Dialect::Postgres), Scope::Tenant(c) if c.name == "tenant_id"));
/// assert_eq!(scope(&tables["plans"], &config, Dialect::Postgres), Scope::Unscoped);
/// ```
pub fn scope<'a>(table: &'a Table, config: &LintConfig, dialect: Dialect) -> Scope<'a> {
    if config
        .global_tables
        .iter()
        .any(|g| same_table(dialect, g, &table.name))
    {
        return Scope::Global;
    }
    let mapped = config
        .mapped_tables
        .iter()
        .find(|(t, _)| same_table(dialect, t, &table.name))
        .map(|(_, c)| c);
    let column = mapped
        .into_iter()
        .chain(&config.tenant_columns)
        .find_map(|name| {
            table
                .columns
                .iter()
                .find(|c| same_column(dialect, &c.name, name))
        });
    match column {
        Some(c) => Scope::Tenant(c),
        None => Scope::Unscoped,
    }
}
