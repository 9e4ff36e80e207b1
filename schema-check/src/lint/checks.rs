//! The tenant-isolation rules, each a function from the replayed schema to findings at its
//! default severity (configuration and allow comments are applied after).

use crate::dialect::Dialect;
use crate::model::{Column, ForeignKey, Index, Schema, Table};
use crate::replay::ident::{same_column, same_table};
use crate::report::{Finding, Span};

use super::config::LintConfig;
use super::rules::{
    FOREIGN_KEY_WITHOUT_TENANT, INDEX_NOT_TENANT_FIRST, KEY_WITHOUT_TENANT, TABLE_WITHOUT_TENANT,
    TENANT_COLUMN_NULLABLE,
};
use super::script::Scripts;
use super::tenant::{Scope, scope};

/// What every rule looks at.
pub struct Context<'a> {
    /// The replayed schema.
    pub schema: &'a Schema,
    /// Its dialect.
    pub dialect: Dialect,
    /// The configuration.
    pub config: &'a LintConfig,
    /// The migrations' text, to point inside statements.
    pub scripts: &'a Scripts,
}

impl Context<'_> {
    fn scope(&self, table: &str) -> Option<Scope<'_>> {
        self.schema
            .tables
            .values()
            .find(|t| same_table(self.dialect, &t.name, table))
            .map(|t| scope(t, self.config, self.dialect))
    }

    /// `columns` with the tenant column first (and only there): what the fix looks like.
    fn tenant_first(&self, tenant: &str, columns: &[String]) -> Vec<String> {
        std::iter::once(tenant.to_string())
            .chain(
                columns
                    .iter()
                    .filter(|c| !same_column(self.dialect, c, tenant))
                    .cloned(),
            )
            .collect()
    }

    fn has(&self, columns: &[String], tenant: &Column) -> bool {
        columns
            .iter()
            .any(|c| same_column(self.dialect, c, &tenant.name))
    }
}

/// Every rule's findings, table by table.
pub fn run(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for table in cx.schema.tables.values() {
        match scope(table, cx.config, cx.dialect) {
            Scope::Global => {}
            Scope::Unscoped => out.push(table_without_tenant(cx, table)),
            Scope::Tenant(tenant) => {
                out.extend(tenant_column_nullable(cx, table, tenant));
                out.extend(key_without_tenant(cx, table, tenant));
                out.extend(
                    table
                        .foreign_keys
                        .iter()
                        .filter_map(|fk| foreign_key_without_tenant(cx, table, tenant, fk)),
                );
                out.extend(
                    cx.schema
                        .indexes
                        .values()
                        .filter(|ix| same_table(cx.dialect, &ix.table, &table.name))
                        .filter_map(|ix| index_not_tenant_first(cx, table, tenant, ix)),
                );
            }
        }
    }
    out
}

fn list(columns: &[String]) -> String {
    columns.join(", ")
}

/// [`TENANT_COLUMN_NULLABLE`], at the migration that created the column or last changed it.
fn tenant_column_nullable(cx: &Context<'_>, table: &Table, tenant: &Column) -> Option<Finding> {
    if !tenant.nullable {
        return None;
    }
    let p = &tenant.provenance;
    let fix = match cx.dialect {
        Dialect::Postgres => format!(
            "`ALTER TABLE {} ALTER COLUMN {} SET NOT NULL` in a new migration",
            table.name, tenant.name
        ),
        Dialect::Mysql => format!(
            "`ALTER TABLE {} MODIFY {} {} NOT NULL` in a new migration",
            table.name, tenant.name, tenant.ty
        ),
        Dialect::Sqlite => format!(
            "a new migration that rebuilds `{}` with `{} {} NOT NULL`",
            table.name, tenant.name, tenant.ty
        ),
    };
    let label = if p.created == p.last_changed {
        "created nullable here"
    } else {
        "made nullable here"
    };
    let mut f = Finding::new(
        &TENANT_COLUMN_NULLABLE,
        format!(
            "the tenant column `{}.{}` is nullable: a row without a tenant belongs to no one",
            table.name, tenant.name
        ),
    )
    .at(cx.scripts.locate(&p.last_changed, &[&tenant.name]), label)
    .with_help(format!("make it NOT NULL: {fix}"))
    .with_identity(format!("{}.{}", table.name, tenant.name));
    if p.created != p.last_changed {
        f = f.with_secondary(
            cx.scripts.locate(&p.created, &[&tenant.name]),
            "created here",
        );
    }
    Some(f)
}

/// [`KEY_WITHOUT_TENANT`]: the primary key, then each unique constraint or index.
fn key_without_tenant(cx: &Context<'_>, table: &Table, tenant: &Column) -> Vec<Finding> {
    let mut out = Vec::new();
    let help = |cols: &[String]| {
        format!(
            "make the tenant column part of the key, first: ({}, {})",
            tenant.name,
            list(cols)
        )
    };
    if let (Some(pk), Some(p)) = (&table.primary_key, &table.primary_key_provenance)
        && !cx.has(pk, tenant)
    {
        let name = table.primary_key_name.as_deref().unwrap_or("primary key");
        out.push(
            Finding::new(
                &KEY_WITHOUT_TENANT,
                format!(
                    "the primary key ({}) of tenant table `{}` leaves out its tenant column `{}`: one tenant's row blocks another's and reveals that it exists",
                    list(pk),
                    table.name,
                    tenant.name
                ),
            )
            .at(
                cx.scripts.locate(&p.last_changed, &[name, "PRIMARY"]),
                format!("primary key ({})", list(pk)),
            )
            .with_help(help(pk))
            .with_identity(format!("{} primary key", table.name)),
        );
    }
    for u in &table.unique {
        if cx.has(&u.columns, tenant) {
            continue;
        }
        let name = u.name.as_deref().unwrap_or("");
        let what = match u.kind {
            crate::model::UniqueKind::Constraint => "unique constraint",
            crate::model::UniqueKind::Index => "unique index",
        };
        let first = u.columns.first().map_or("", String::as_str);
        out.push(
            Finding::new(
                &KEY_WITHOUT_TENANT,
                format!(
                    "the {what}{} ({}) of tenant table `{}` leaves out its tenant column `{}`: one tenant's row blocks another's and reveals that it exists",
                    if name.is_empty() { String::new() } else { format!(" `{name}`") },
                    list(&u.columns),
                    table.name,
                    tenant.name
                ),
            )
            .at(
                cx.scripts.locate(&u.provenance.last_changed, &[name, first]),
                format!("unique ({})", list(&u.columns)),
            )
            .with_help(help(&u.columns))
            .with_identity(format!("{} unique ({})", table.name, list(&u.columns))),
        );
    }
    out
}

/// [`FOREIGN_KEY_WITHOUT_TENANT`]: a foreign key to another tenant table must pair the two
/// tenant columns.
fn foreign_key_without_tenant(
    cx: &Context<'_>,
    table: &Table,
    tenant: &Column,
    fk: &ForeignKey,
) -> Option<Finding> {
    let Some(Scope::Tenant(their_tenant)) = cx.scope(&fk.foreign_table) else {
        return None;
    };
    let target = cx
        .schema
        .tables
        .values()
        .find(|t| same_table(cx.dialect, &t.name, &fk.foreign_table))?;
    let referenced: Vec<String> = if fk.foreign_columns.is_empty() {
        target.primary_key.clone().unwrap_or_default()
    } else {
        fk.foreign_columns.clone()
    };
    let paired = fk.columns.iter().zip(&referenced).any(|(mine, theirs)| {
        same_column(cx.dialect, mine, &tenant.name)
            && same_column(cx.dialect, theirs, &their_tenant.name)
    });
    if paired {
        return None;
    }
    let name = fk.name.as_deref().unwrap_or("");
    let first = fk.columns.first().map_or("", String::as_str);
    let mine = cx.tenant_first(&tenant.name, &fk.columns);
    let theirs = cx.tenant_first(&their_tenant.name, &referenced);
    Some(
        Finding::new(
            &FOREIGN_KEY_WITHOUT_TENANT,
            format!(
                "the foreign key{} ({}) of `{}` references `{}` ({}) without the tenant column: a row can point at another tenant's row",
                if name.is_empty() { String::new() } else { format!(" `{name}`") },
                list(&fk.columns),
                table.name,
                target.name,
                list(&referenced)
            ),
        )
        .at(
            cx.scripts
                .locate_reference(&fk.provenance.last_changed, &target.name, first, &[name, first]),
            "does not match the tenants",
        )
        .with_secondary(
            cx.scripts
                .locate(&their_tenant.provenance.created, &[&their_tenant.name]),
            format!("`{}` is a tenant table: its tenant is `{}`", target.name, their_tenant.name),
        )
        .with_help(format!(
            "reference the tenant too: FOREIGN KEY ({}) REFERENCES {} ({}), with a primary key or unique constraint on `{}` ({})",
            list(&mine),
            target.name,
            list(&theirs),
            target.name,
            list(&theirs)
        ))
        .with_identity(format!(
            "{} ({}) -> {}",
            table.name,
            list(&fk.columns),
            target.name
        )),
    )
}

/// [`INDEX_NOT_TENANT_FIRST`]: indexes (not constraints) whose first column is not the
/// tenant column. A unique index without the tenant column at all is
/// [`KEY_WITHOUT_TENANT`]'s; the index MySQL creates for a foreign key is the foreign key's.
fn index_not_tenant_first(
    cx: &Context<'_>,
    table: &Table,
    tenant: &Column,
    ix: &Index,
) -> Option<Finding> {
    let first = ix.columns.first()?;
    if same_column(cx.dialect, first, &tenant.name) {
        return None;
    }
    if ix.unique && !cx.has(&ix.columns, tenant) {
        return None;
    }
    let for_foreign_key = table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns == ix.columns && fk.provenance.created == ix.provenance.created);
    if for_foreign_key {
        return None;
    }
    let columns = cx.tenant_first(&tenant.name, &ix.columns);
    Some(
        Finding::new(
            &INDEX_NOT_TENANT_FIRST,
            format!(
                "the index `{}` ({}) of tenant table `{}` does not start with its tenant column `{}`: a query of one tenant scans every tenant's entries",
                ix.name,
                list(&ix.columns),
                table.name,
                tenant.name
            ),
        )
        .at(
            cx.scripts.locate(&ix.provenance.last_changed, &[&ix.name, first]),
            format!("starts with `{first}`"),
        )
        .with_help(format!("index ({}) instead", list(&columns)))
        .with_identity(format!("{} index {}", table.name, ix.name)),
    )
}

/// [`TABLE_WITHOUT_TENANT`], at the `CREATE TABLE`.
fn table_without_tenant(cx: &Context<'_>, table: &Table) -> Finding {
    let names = &cx.config.tenant_columns;
    let created = &table.provenance.created;
    let span: Span = cx.scripts.locate(created, &[bare(&table.name)]);
    Finding::new(
        &TABLE_WITHOUT_TENANT,
        format!(
            "table `{}` has no tenant column ({}) and is not declared global",
            table.name,
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    )
    .at(span, "created here")
    .with_help(format!(
        "add a `{}` column, or declare the table shared by every tenant: `global-tables = [\"{}\"]` in `[package.metadata.cache-contract]`",
        names.first().map_or("tenant_id", String::as_str),
        table.name
    ))
    .with_identity(table.name.clone())
}

/// The last part of a possibly schema-qualified name (`audit.events` is `events`).
fn bare(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
