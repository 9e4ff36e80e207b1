//! `CREATE TABLE`.

use sqlparser::ast::{CreateTable, CreateTableLikeKind};

use super::constraint::{self, Env};
use super::ident::{object_name, same_column};
use super::{Applied, Ctx, Replayer};
use crate::model::{Provenance, Skipped, Table};

impl Replayer {
    pub(crate) fn create_table(&mut self, ctx: &Ctx<'_>, ct: &CreateTable) -> Applied {
        let dialect = self.dialect;
        let name = object_name(dialect, &ct.name);
        if ct.temporary {
            self.skipped.push(Skipped {
                at: ctx.at().clone(),
                reason: format!("temporary table `{name}` does not outlive the migration"),
                first_line: ctx.stmt.first_line().to_string(),
            });
            return Ok(());
        }
        if let Some(existing) = self.table_key(&name) {
            if ct.if_not_exists {
                self.skipped.push(Skipped {
                    at: ctx.at().clone(),
                    reason: format!(
                        "table `{existing}` already exists (IF NOT EXISTS): the statement does \
                         nothing"
                    ),
                    first_line: ctx.stmt.first_line().to_string(),
                });
                return Ok(());
            }
            let created = &self.schema.tables[&existing].provenance.created;
            return Err(ctx.error(
                format!("table `{name}` already exists (created at {created})"),
                "drop it first, or use CREATE TABLE IF NOT EXISTS",
            ));
        }
        if ct.query.is_some() {
            return Err(ctx.error(
                format!(
                    "`CREATE TABLE {name} ... AS SELECT` creates columns schema-check cannot know"
                ),
                "create the table with explicit column definitions, then fill it with \
                 INSERT INTO ... SELECT",
            ));
        }
        if let Some(like) = &ct.like {
            let source = match like {
                CreateTableLikeKind::Parenthesized(l) | CreateTableLikeKind::Plain(l) => &l.name,
            };
            return self.create_table_like(ctx, &name, &object_name(dialect, source));
        }
        let mut table = Table {
            name: name.clone(),
            columns: Vec::with_capacity(ct.columns.len()),
            primary_key: None,
            unique: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            provenance: Provenance::new(ctx.at().clone()),
        };
        let mut inline_pk = None;
        for def in &ct.columns {
            let spec = self.column_spec(
                ctx,
                &name,
                &def.name,
                &def.data_type,
                def.options.iter().map(|o| (o.name.as_ref(), &o.option)),
            )?;
            if let Some(dup) = table
                .columns
                .iter()
                .find(|c| same_column(dialect, &c.name, &spec.column.name))
            {
                return Err(ctx.error(
                    format!("column `{}` is declared twice in table `{name}`", dup.name),
                    "remove or rename one of the two declarations",
                ));
            }
            if let Some(pk_name) = spec.primary_key {
                if inline_pk.is_some() {
                    return Err(ctx.error(
                        format!("table `{name}` declares PRIMARY KEY on more than one column"),
                        "declare a composite key as a table constraint: PRIMARY KEY (a, b)",
                    ));
                }
                inline_pk = Some((spec.column.name.clone(), pk_name));
            }
            table.unique.extend(spec.unique);
            table.foreign_keys.extend(spec.foreign_keys);
            table.checks.extend(spec.checks);
            table.columns.push(spec.column);
        }
        let mut env = Env {
            dialect,
            pk_names: &mut self.pk_names,
            indexes: &mut self.schema.indexes,
        };
        if let Some((col, pk_name)) = inline_pk {
            constraint::set_primary_key(ctx, &mut env, &mut table, vec![col], pk_name)?;
        }
        for c in &ct.constraints {
            constraint::add(ctx, &mut env, &mut table, c)?;
        }
        if dialect == crate::Dialect::Sqlite {
            sqlite_key_not_null(&mut table, ct.without_rowid);
        }
        self.schema.tables.insert(name, table);
        Ok(())
    }

    /// `CREATE TABLE new LIKE old` / `CREATE TABLE new (LIKE old)`: a copy of the
    /// columns and keys of `source`.
    fn create_table_like(&mut self, ctx: &Ctx<'_>, name: &str, source: &str) -> Applied {
        let Some(key) = self.table_key(source) else {
            return Err(self.missing_table(ctx, source, "CREATE TABLE ... LIKE"));
        };
        let mut table = self.schema.tables[&key].clone();
        table.name = name.to_string();
        table.provenance = Provenance::new(ctx.at().clone());
        for c in &mut table.columns {
            c.provenance = Provenance::new(ctx.at().clone());
        }
        // Constraint names are regenerated by the database; foreign keys are not copied.
        table.foreign_keys.clear();
        if let Some(pk) = self.pk_names.get(&key).cloned() {
            let renamed = if pk == super::column::pg_constraint_name(&key, &[], "pkey") {
                super::column::pg_constraint_name(name, &[], "pkey")
            } else {
                pk
            };
            self.pk_names.insert(name.to_string(), renamed);
        }
        self.schema.tables.insert(name.to_string(), table);
        Ok(())
    }
}

/// SQLite: PRIMARY KEY does not imply NOT NULL, except where no NULL can be stored: the
/// key of a WITHOUT ROWID table, and the rowid alias (a single `INTEGER` key column,
/// which *is* the rowid). `PRAGMA table_info` reports `notnull = 0` for the rowid alias;
/// we report what a reader observes.
fn sqlite_key_not_null(table: &mut Table, without_rowid: bool) {
    let Some(pk) = table.primary_key.clone() else {
        return;
    };
    let rowid_alias = !without_rowid && pk.len() == 1;
    for c in table.columns.iter_mut().filter(|c| pk.contains(&c.name)) {
        if without_rowid || (rowid_alias && c.ty.canonical == "integer") {
            c.nullable = false;
        }
    }
}
