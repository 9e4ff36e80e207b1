//! `CREATE INDEX`, `ALTER INDEX ... RENAME`; unique indexes also become unique keys of
//! their table (when they are on plain columns and not partial).

use sqlparser::ast::{CreateIndex, ObjectName};

use super::column::index_column;
use super::constraint::index_key;
use super::ident::object_name;
use super::{Applied, Ctx, Replayer};
use crate::dialect::Dialect;
use crate::model::{Index, Provenance, Skipped, UniqueConstraint};

impl Replayer {
    pub(crate) fn create_index(&mut self, ctx: &Ctx<'_>, ci: &CreateIndex) -> Applied {
        let dialect = self.dialect;
        let table_name = object_name(dialect, &ci.table_name);
        let Some(table_key) = self.table_key(&table_name) else {
            return Err(self.missing_table(ctx, &table_name, "CREATE INDEX ON"));
        };
        let simple: Vec<Option<String>> = ci
            .columns
            .iter()
            .map(|c| index_column(dialect, c))
            .collect();
        let columns: Vec<String> = ci
            .columns
            .iter()
            .zip(&simple)
            .map(|(c, s)| s.clone().unwrap_or_else(|| c.column.expr.to_string()))
            .collect();
        let name = match &ci.name {
            Some(n) => object_name(dialect, n),
            // PostgreSQL names an unnamed index <table>_<cols>_idx.
            None => super::column::pg_constraint_name(&table_key, &columns, "idx"),
        };
        // PostgreSQL: an index lives in its table's schema.
        let name = match table_key.split_once('.') {
            Some((schema, _)) if dialect == Dialect::Postgres && !name.contains('.') => {
                format!("{schema}.{name}")
            }
            _ => name,
        };
        let key = index_key(dialect, &table_key, &name);
        if let Some(existing) = self.schema.indexes.get(&key) {
            if ci.if_not_exists {
                self.skipped.push(Skipped {
                    at: ctx.at().clone(),
                    reason: format!("index `{name}` already exists (IF NOT EXISTS)"),
                    first_line: ctx.stmt.first_line().to_string(),
                });
                return Ok(());
            }
            return Err(ctx.error(
                format!(
                    "index `{name}` already exists (created at {})",
                    existing.provenance.created
                ),
                "drop it first, or use CREATE INDEX IF NOT EXISTS",
            ));
        }
        let table = self.schema.tables.get_mut(&table_key).ok_or_else(|| {
            ctx.error(
                format!("table `{table_key}` does not exist"),
                "create it first",
            )
        })?;
        for c in simple.iter().flatten() {
            if super::alter_table::column_index(dialect, table, c).is_none() {
                return Err(ctx.error(
                    format!("index `{name}`: column `{c}` does not exist in table `{table_key}`"),
                    "index existing columns only",
                ));
            }
        }
        if ci.unique && ci.predicate.is_none() && simple.iter().all(Option::is_some) {
            table.unique.push(UniqueConstraint {
                name: Some(name.clone()),
                columns: columns.clone(),
            });
            table.provenance.touch(ctx.at());
        }
        self.schema.indexes.insert(
            key,
            Index {
                name,
                table: table_key,
                columns,
                unique: ci.unique,
                predicate: ci.predicate.as_ref().map(ToString::to_string),
                provenance: Provenance::new(ctx.at().clone()),
            },
        );
        Ok(())
    }

    /// Whether an index named `name` exists: a CREATE INDEX, or the index behind a
    /// PRIMARY KEY or UNIQUE constraint (which has the constraint's name).
    pub(crate) fn index_exists(&self, name: &str) -> bool {
        self.schema.indexes.contains_key(name)
            || self.pk_names.values().any(|pk| pk == name)
            || self
                .schema
                .tables
                .values()
                .any(|t| t.unique.iter().any(|u| u.name.as_deref() == Some(name)))
    }

    /// `ALTER INDEX old RENAME TO new` (PostgreSQL).
    pub(crate) fn rename_index(
        &mut self,
        ctx: &Ctx<'_>,
        old: &ObjectName,
        new: &ObjectName,
    ) -> Applied {
        let dialect = self.dialect;
        let (old, mut new) = (object_name(dialect, old), object_name(dialect, new));
        if dialect == Dialect::Postgres
            && !new.contains('.')
            && let Some((schema, _)) = old.split_once('.')
        {
            new = format!("{schema}.{new}");
        }
        let Some(mut ix) = self.schema.indexes.remove(&old) else {
            // The index behind a PRIMARY KEY or UNIQUE constraint has the constraint's name;
            // renaming it renames the constraint.
            let mut found = false;
            for pk in self.pk_names.values_mut().filter(|pk| **pk == old) {
                *pk = new.clone();
                found = true;
            }
            for t in self.schema.tables.values_mut() {
                for u in t.unique.iter_mut() {
                    if u.name.as_deref() == Some(old.as_str()) {
                        u.name = Some(new.clone());
                        found = true;
                    }
                }
            }
            if found {
                return Ok(());
            }
            return Err(ctx.error(
                format!("index `{old}` does not exist"),
                "create the index first",
            ));
        };
        if let Some(t) = self.schema.tables.get_mut(&ix.table) {
            for u in &mut t.unique {
                if u.name.as_deref() == Some(ix.name.as_str()) {
                    u.name = Some(new.clone());
                }
            }
        }
        ix.name = new.clone();
        ix.provenance.touch(ctx.at());
        self.schema.indexes.insert(new, ix);
        Ok(())
    }
}
