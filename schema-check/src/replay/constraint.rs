//! Table constraints (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK, MySQL KEY/INDEX), shared
//! by CREATE TABLE and ALTER TABLE ... ADD CONSTRAINT.

use std::collections::{BTreeMap, HashMap};

use sqlparser::ast::{Ident, IndexColumn, TableConstraint};

use super::Ctx;
use super::column::{index_column, pg_constraint_name};
use super::ident::{fold, object_name, same_column};
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{Check, ForeignKey, Index, Provenance, Table, UniqueConstraint};

/// What a constraint may touch besides its table.
pub(crate) struct Env<'a> {
    pub dialect: Dialect,
    pub pk_names: &'a mut HashMap<String, String>,
    pub indexes: &'a mut BTreeMap<String, Index>,
}

/// The key of an index in [`crate::model::Schema::indexes`]: index names are per schema
/// in PostgreSQL and SQLite, per table in MySQL (`table.index`).
pub(crate) fn index_key(dialect: Dialect, table: &str, name: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("{table}.{name}"),
        Dialect::Postgres | Dialect::Sqlite => name.to_string(),
    }
}

/// Resolves key columns to the table's canonical column names; every one must exist
/// and be a plain column.
pub(crate) fn key_columns(
    ctx: &Ctx<'_>,
    dialect: Dialect,
    table: &Table,
    cols: &[IndexColumn],
    what: &str,
) -> Result<Vec<String>, Diagnostic> {
    cols.iter()
        .map(|c| {
            let name = index_column(dialect, c).ok_or_else(|| {
                ctx.error(
                    format!(
                        "{what} of table `{}` uses an expression `{}`",
                        table.name, c
                    ),
                    "use plain column names in key constraints",
                )
            })?;
            existing_column(ctx, dialect, table, &name, what)
        })
        .collect()
}

/// The canonical name of the existing column `name` (looked up per the dialect's rules).
pub(crate) fn existing_column(
    ctx: &Ctx<'_>,
    dialect: Dialect,
    table: &Table,
    name: &str,
    what: &str,
) -> Result<String, Diagnostic> {
    table
        .columns
        .iter()
        .find(|c| same_column(dialect, &c.name, name))
        .map(|c| c.name.clone())
        .ok_or_else(|| {
            ctx.error(
                format!(
                    "{what}: column `{name}` does not exist in table `{}`",
                    table.name
                ),
                format!(
                    "table `{}` has columns: {}",
                    table.name,
                    table
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

fn folded(dialect: Dialect, i: &Option<Ident>) -> Option<String> {
    i.as_ref().map(|i| fold(dialect, i))
}

/// Sets the primary key of `table`.
pub(crate) fn set_primary_key(
    ctx: &Ctx<'_>,
    env: &mut Env<'_>,
    table: &mut Table,
    columns: Vec<String>,
    name: Option<String>,
) -> Result<(), Diagnostic> {
    if let Some(existing) = &table.primary_key {
        return Err(ctx.error(
            format!(
                "table `{}` already has a primary key ({})",
                table.name,
                existing.join(", ")
            ),
            "a table has at most one primary key: drop the existing one first",
        ));
    }
    if env.dialect != Dialect::Sqlite {
        for c in &mut table.columns {
            if columns.contains(&c.name) && c.nullable {
                c.nullable = false;
                c.provenance.touch(ctx.at());
            }
        }
    }
    let name = name.unwrap_or_else(|| match env.dialect {
        Dialect::Postgres => pg_constraint_name(&table.name, &[], "pkey"),
        Dialect::Mysql | Dialect::Sqlite => "PRIMARY".to_string(),
    });
    env.pk_names.insert(table.name.clone(), name);
    table.primary_key = Some(columns);
    Ok(())
}

/// Adds `constraint` to `table`.
pub(crate) fn add(
    ctx: &Ctx<'_>,
    env: &mut Env<'_>,
    table: &mut Table,
    constraint: &TableConstraint,
) -> Result<(), Diagnostic> {
    let dialect = env.dialect;
    match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let cols = key_columns(ctx, dialect, table, &pk.columns, "PRIMARY KEY")?;
            set_primary_key(ctx, env, table, cols, folded(dialect, &pk.name))
        }
        TableConstraint::Unique(u) => {
            let cols = key_columns(ctx, dialect, table, &u.columns, "UNIQUE")?;
            let given = folded(dialect, &u.name).or_else(|| folded(dialect, &u.index_name));
            let name = match dialect {
                Dialect::Postgres => {
                    Some(given.unwrap_or_else(|| pg_constraint_name(&table.name, &cols, "key")))
                }
                Dialect::Mysql => given.or_else(|| cols.first().cloned()),
                Dialect::Sqlite => given,
            };
            table.unique.push(UniqueConstraint {
                name,
                columns: cols,
            });
            Ok(())
        }
        TableConstraint::ForeignKey(fk) => {
            let cols = fk
                .columns
                .iter()
                .map(|i| existing_column(ctx, dialect, table, &fold(dialect, i), "FOREIGN KEY"))
                .collect::<Result<Vec<_>, _>>()?;
            let given = folded(dialect, &fk.name);
            let name = match dialect {
                Dialect::Postgres => {
                    Some(given.unwrap_or_else(|| pg_constraint_name(&table.name, &cols, "fkey")))
                }
                _ => given,
            };
            table.foreign_keys.push(ForeignKey {
                name,
                columns: cols,
                foreign_table: object_name(dialect, &fk.foreign_table),
                foreign_columns: fk
                    .referred_columns
                    .iter()
                    .map(|i| fold(dialect, i))
                    .collect(),
            });
            Ok(())
        }
        TableConstraint::Check(c) => {
            let given = folded(dialect, &c.name);
            let name = match dialect {
                Dialect::Postgres => {
                    Some(given.unwrap_or_else(|| pg_constraint_name(&table.name, &[], "check")))
                }
                _ => given,
            };
            table.checks.push(Check {
                name,
                expr: c.expr.to_string(),
            });
            Ok(())
        }
        TableConstraint::Index(ix) => {
            let cols: Vec<String> = ix
                .columns
                .iter()
                .map(|c| index_column(dialect, c).unwrap_or_else(|| c.to_string()))
                .collect();
            let name = folded(dialect, &ix.name)
                .unwrap_or_else(|| cols.first().cloned().unwrap_or_default());
            env.indexes.insert(
                index_key(dialect, &table.name, &name),
                Index {
                    name,
                    table: table.name.clone(),
                    columns: cols,
                    unique: false,
                    predicate: None,
                    provenance: Provenance::new(ctx.at().clone()),
                },
            );
            Ok(())
        }
        // FULLTEXT/SPATIAL indexes and EXCLUDE constraints do not change columns or
        // uniqueness in a way the model records.
        TableConstraint::FulltextOrSpatial(_) | TableConstraint::Exclude(_) => Ok(()),
        TableConstraint::PrimaryKeyUsingIndex(c) | TableConstraint::UniqueUsingIndex(c) => {
            // `ADD CONSTRAINT name PRIMARY KEY/UNIQUE USING INDEX idx`: the unique index
            // becomes the constraint (and takes its name).
            let index = fold(dialect, &c.index_name);
            let key = match table.name.split_once('.') {
                Some((schema, _)) if !index.contains('.') => format!("{schema}.{index}"),
                _ => index.clone(),
            };
            let Some(ix) = env.indexes.get(&key).filter(|ix| ix.table == table.name) else {
                return Err(ctx.error(
                    format!("index `{index}` does not exist on table `{}`", table.name),
                    "create the unique index first (CREATE UNIQUE INDEX ... ON the table)",
                ));
            };
            if !ix.unique || ix.predicate.is_some() {
                return Err(ctx.error(
                    format!("index `{index}` is not a plain unique index"),
                    "USING INDEX needs a non-partial unique index on columns",
                ));
            }
            let cols = ix.columns.clone();
            let name = c
                .name
                .as_ref()
                .map(|n| fold(dialect, n))
                .unwrap_or_else(|| index.clone());
            env.indexes.remove(&key);
            table
                .unique
                .retain(|u| u.name.as_deref() != Some(index.as_str()));
            if matches!(constraint, TableConstraint::PrimaryKeyUsingIndex(_)) {
                set_primary_key(ctx, env, table, cols, Some(name))
            } else {
                table.unique.push(UniqueConstraint {
                    name: Some(name),
                    columns: cols,
                });
                Ok(())
            }
        }
    }
}
