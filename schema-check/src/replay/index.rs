//! `CREATE INDEX`, `ALTER INDEX ... RENAME`; unique indexes also become unique keys of
//! their table (when they are on plain columns and not partial).

use sqlparser::ast::{CreateIndex, ObjectName};

use super::column::index_column;
use super::constraint::index_key;
use super::ident::object_name;
use super::{Applied, Ctx, Replayer};
use crate::dialect::Dialect;
use crate::model::{Index, Provenance, UniqueConstraint, UniqueKind};

impl Replayer {
    pub(crate) fn create_index(&mut self, ctx: &Ctx<'_>, ci: &CreateIndex) -> Applied {
        let dialect = self.dialect;
        let table_name = self.lookup_key(&ci.table_name, super::search_path::Among::Relations);
        if let Some(kind) = self.unmodelled_target(&table_name) {
            if let Some(n) = &ci.name {
                self.unmodelled
                    .note_index(&object_name(dialect, n), &table_name);
            }
            self.skip(
                ctx,
                format!(
                    "index on {} `{table_name}`, which is not modelled",
                    kind.noun()
                ),
            );
            return Ok(());
        }
        let Some(table_key) = self.table_key(&table_name) else {
            if self
                .schema
                .views
                .get(&table_name)
                .is_some_and(|v| v.materialized)
            {
                // An index on a materialized view: recorded, no table changes.
                let name = match &ci.name {
                    Some(n) => object_name(dialect, n),
                    None => self.pg_index_name(&table_name, ci),
                };
                self.relation_index.note_index(&name, &table_name);
                self.schema.indexes.insert(
                    name.clone(),
                    Index {
                        name,
                        table: table_name,
                        columns: ci
                            .columns
                            .iter()
                            .map(|c| c.column.expr.to_string())
                            .collect(),
                        unique: ci.unique,
                        predicate: ci.predicate.as_ref().map(ToString::to_string),
                        provenance: Provenance::new(ctx.at().clone()),
                    },
                );
                return Ok(());
            }
            let error = self.missing_table(ctx, &table_name, "CREATE INDEX ON");
            return self.conflict(ctx, &table_name, error);
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
            None if dialect == Dialect::Mysql => {
                let first = simple.first().cloned().flatten().unwrap_or_default();
                let prefix = format!("{table_key}.");
                let t = &self.schema.tables[&table_key];
                let taken: Vec<String> = t
                    .unique
                    .iter()
                    .filter_map(|u| u.name.clone())
                    .chain(
                        self.schema
                            .indexes
                            .range(prefix.clone()..)
                            .take_while(|(k, _)| k.starts_with(&prefix))
                            .map(|(_, ix)| ix.name.clone()),
                    )
                    .collect();
                super::names::mysql_key_name(&first, taken.iter().map(String::as_str))
            }
            // PostgreSQL names an unnamed index <table>_<cols>_idx.
            None => self.pg_index_name(&table_key, ci),
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
                self.skip(
                    ctx,
                    format!("index `{name}` already exists (IF NOT EXISTS)"),
                );
                return Ok(());
            }
            let error = ctx.error(
                format!(
                    "index `{name}` already exists (created at {})",
                    existing.provenance.created
                ),
                "drop it first, or use CREATE INDEX IF NOT EXISTS",
            );
            return self.conflict(ctx, &name, error);
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
        if dialect == Dialect::Mysql {
            super::constraint::mysql_supersede(
                &mut self.schema.indexes,
                &mut self.fk_indexes,
                &table_key,
                &key,
                &columns,
            );
        }
        let table = self.schema.tables.get_mut(&table_key).ok_or_else(|| {
            ctx.error(
                format!("table `{table_key}` does not exist"),
                "create it first",
            )
        })?;
        if ci.unique && ci.predicate.is_none() && simple.iter().all(Option::is_some) {
            self.constraint_names.note(&name);
            table.unique.push(UniqueConstraint {
                name: Some(name.clone()),
                columns: columns.clone(),
                kind: UniqueKind::Index,
                provenance: Provenance::new(ctx.at().clone()),
            });
            table.provenance.touch(ctx.at());
        }
        self.relation_index.note_index(&key, &table_key);
        self.schema.indexes.insert(
            key.clone(),
            Index {
                name,
                table: table_key.clone(),
                columns,
                unique: ci.unique,
                predicate: ci.predicate.as_ref().map(ToString::to_string),
                provenance: Provenance::new(ctx.at().clone()),
            },
        );
        self.partition_index_created(ctx, &table_key, &key, ci, self.index_on_only);
        Ok(())
    }

    /// MySQL `ALTER TABLE table RENAME {INDEX | KEY} old TO new` (a clause sqlparser 0.63
    /// does not read; see [`super::compat::Fixup::RenameIndexes`]): renames the index, or
    /// the unique key behind it.
    pub(crate) fn rename_mysql_index(
        &mut self,
        ctx: &Ctx<'_>,
        table: &str,
        old: &str,
        new: &str,
    ) -> Applied {
        let Some(key) = self.table_key(table) else {
            return Err(self.missing_table(ctx, table, "ALTER TABLE"));
        };
        // Index names are not case-sensitive: `RENAME INDEX UK_A` of a key made `uk_a`.
        let old = &self.stored_name(&key, super::alter_table::NameKind::Index, old.to_string());
        let old_key = index_key(Dialect::Mysql, &key, old);
        let mut found = false;
        if let Some(mut ix) = self.schema.indexes.remove(&old_key) {
            ix.name = new.to_string();
            let new_key = index_key(Dialect::Mysql, &key, new);
            self.relation_index.note_index(&new_key, &key);
            self.schema.indexes.insert(new_key, ix);
            found = true;
        }
        if let Some(t) = self.schema.tables.get_mut(&key) {
            for u in t
                .unique
                .iter_mut()
                .filter(|u| u.name.as_deref() == Some(old))
            {
                u.name = Some(new.to_string());
                u.provenance.touch(ctx.at());
                self.constraint_names.note(new);
                found = true;
            }
        }
        if found {
            return Ok(());
        }
        let error = ctx.error(
            format!("table `{key}` has no index named `{old}`"),
            "check the index name (SHOW INDEX FROM the table shows it)",
        );
        self.conflict(ctx, old, error)
    }

    /// Whether an index named `name` exists: a CREATE INDEX, or the index behind a
    /// PRIMARY KEY or UNIQUE constraint (which has the constraint's name).
    pub(crate) fn index_exists(&self, name: &str) -> bool {
        self.schema.indexes.contains_key(name)
            || self
                .schema
                .tables
                .values()
                .any(|t| t.primary_key_name.as_deref() == Some(name))
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
        let (old, mut new) = (
            self.lookup_key(old, super::search_path::Among::Relations),
            object_name(dialect, new),
        );
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
            let (old_bare, new_bare) = (bare(&old), bare(&new));
            self.constraint_names.note(new_bare);
            for t in self.schema.tables.values_mut() {
                if t.primary_key_name.as_deref() == Some(old_bare) {
                    t.primary_key_name = Some(new_bare.to_string());
                    if let Some(p) = t.primary_key_provenance.as_mut() {
                        p.touch(ctx.at());
                    }
                    found = true;
                }
                for u in t.unique.iter_mut() {
                    if u.name.as_deref() == Some(old_bare) {
                        u.name = Some(new_bare.to_string());
                        u.provenance.touch(ctx.at());
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
        self.constraint_names.note(&new);
        if let Some(t) = self.schema.tables.get_mut(&ix.table) {
            for u in &mut t.unique {
                if u.name.as_deref() == Some(ix.name.as_str()) {
                    u.name = Some(new.clone());
                    u.provenance.touch(ctx.at());
                }
            }
        }
        ix.name = new.clone();
        ix.provenance.touch(ctx.at());
        self.partitions.rename_index(&old, &new);
        self.relation_index.note_index(&new, &ix.table);
        self.schema.indexes.insert(new, ix);
        Ok(())
    }
}

/// A PostgreSQL name without its schema.
fn bare(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

impl Replayer {
    /// The name PostgreSQL gives an unnamed `CREATE INDEX` on `table`:
    /// `<table>_<columns>_idx`, an expression's column named by `FigureColname` (or
    /// `expr`), with a numeric suffix while the name is taken by a relation.
    fn pg_index_name(&self, table: &str, ci: &CreateIndex) -> String {
        let raw: Vec<String> = ci
            .columns
            .iter()
            .map(|c| match index_column(Dialect::Postgres, c) {
                Some(name) => name,
                None => super::names::figure_colname(&c.column.expr)
                    .unwrap_or_else(|| "expr".to_string()),
            })
            // PostgreSQL names `INCLUDE` columns too.
            .chain(
                ci.include
                    .iter()
                    .map(|i| super::ident::fold(Dialect::Postgres, i)),
            )
            .collect();
        let columns = super::names::index_column_names(&raw);
        let addition = super::names::name_addition(&columns);
        super::names::pg_choose_known_name(
            &self.schema,
            &self.constraint_names,
            &self.relation_index,
            None,
            table,
            Some(&addition),
            "idx",
            super::names::PgNameSpace::Relations,
        )
    }
}
