//! Renames: columns (following keys, foreign keys and indexes) and tables (following
//! foreign keys, indexes and views).

use super::alter_table::column_index;
use super::constraint::index_key;
use super::expr_columns::rename_in_expr;
use super::{Applied, Ctx, Replayer};
use crate::model::{Generated, HistoryEvent};

impl Replayer {
    pub(crate) fn rename_column(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        old: &str,
        new: &str,
    ) -> Applied {
        let dialect = self.dialect;
        let i = self.existing_column(ctx, key, old, "rename")?;
        let table = self.table_mut(ctx, key)?;
        if let Some(j) = column_index(dialect, table, new)
            && j != i
        {
            return Err(ctx.error(
                format!(
                    "cannot rename `{old}` to `{new}`: table `{key}` already has a column \
                         `{new}` (created at {})",
                    table.columns[j].provenance.created
                ),
                "drop or rename the other column first",
            ));
        }
        let col = &mut table.columns[i];
        let old = std::mem::replace(&mut col.name, new.to_string());
        col.provenance.touch(ctx.at());
        self.rename_references(key, &old, new);
        self.view_graph.rename_column(key, &old, new);
        self.rename_column_charset(key, &old, new);
        self.schema.history.push(HistoryEvent::ColumnRenamed {
            table: key.to_string(),
            from: old,
            to: new.to_string(),
            at: ctx.at().clone(),
        });
        Ok(())
    }

    /// Follows a column rename in keys, foreign keys (both ends) and indexes.
    pub(crate) fn rename_references(&mut self, key: &str, old: &str, new: &str) {
        let swap = |c: &mut String| {
            if c == old {
                *c = new.to_string();
            }
        };
        if let Some(t) = self.schema.tables.get_mut(key) {
            t.primary_key.iter_mut().flatten().for_each(swap);
            t.unique
                .iter_mut()
                .flat_map(|u| u.columns.iter_mut())
                .for_each(swap);
            for f in &mut t.foreign_keys {
                f.columns.iter_mut().chain(f.column.as_mut()).for_each(swap);
            }
            t.checks
                .iter_mut()
                .filter_map(|c| c.column.as_mut())
                .for_each(swap);
        }
        // The foreign keys referencing the table (most tables have none).
        if self.constraint_names.may_be_referenced(&self.schema, key) {
            for t in self.schema.tables.values_mut() {
                t.foreign_keys
                    .iter_mut()
                    .filter(|f| f.foreign_table == key)
                    .flat_map(|f| f.foreign_columns.iter_mut())
                    .for_each(swap);
            }
        }
        for k in self.relation_index.sequences_of(&self.schema, key) {
            if let Some(o) = self
                .schema
                .sequences
                .get_mut(&k)
                .and_then(|s| s.owned_by.as_mut())
                .filter(|o| o.column == old)
            {
                o.column = new.to_string();
            }
        }
        // Expressions name the column too: the database keeps them as parsed trees, so a
        // rename shows in CHECKs, defaults, generated columns and index expressions.
        let dialect = self.dialect;
        let rename = |text: &mut String| *text = rename_in_expr(dialect, text, old, new);
        if let Some(t) = self.schema.tables.get_mut(key) {
            t.checks.iter_mut().for_each(|c| rename(&mut c.expr));
            for c in &mut t.columns {
                if let Some(Generated::Expression { expr, .. }) = &mut c.generated {
                    rename(expr);
                }
            }
        }
        // An index's columns: a plain column by its name, an expression by the names in it.
        for k in self.relation_index.indexes_on(&self.schema, key) {
            let Some(ix) = self.schema.indexes.get_mut(&k) else {
                continue;
            };
            ix.columns.iter_mut().for_each(swap);
            ix.columns.iter_mut().for_each(rename);
            if let Some(p) = &mut ix.predicate {
                rename(p);
            }
        }
    }

    /// Renames table `old` to `new`, following foreign keys, indexes and views.
    pub(crate) fn rename_table(&mut self, ctx: &Ctx<'_>, old: &str, new: &str) -> Applied {
        if let Some(existing) = self.table_key(new)
            && (!super::ident::same_table(self.dialect, old, new) || existing != old)
        {
            let created = &self.schema.tables[&existing].provenance.created;
            return Err(ctx.error(
                    format!("cannot rename `{old}` to `{new}`: table `{new}` already exists (created at {created})"),
                    "drop or rename the other table first",
                ));
        }
        if !self.schema.tables.contains_key(old) && self.schema.views.contains_key(old) {
            // MySQL RENAME TABLE renames views too.
            return self.rename_view(ctx, old, new);
        }
        let Some(mut table) = self.schema.tables.remove(old) else {
            return Err(self.missing_table(ctx, old, "ALTER TABLE"));
        };
        table.name = new.to_string();
        table.provenance.touch(ctx.at());
        self.relation_index.note(new);
        self.schema.tables.insert(new.to_string(), table);
        self.partitions.rename(old, new);
        if let Some(cs) = self.mysql_charsets.remove(old) {
            self.mysql_charsets.insert(new.to_string(), cs);
        }
        if self.constraint_names.may_be_referenced(&self.schema, old) {
            for t in self.schema.tables.values_mut() {
                for f in &mut t.foreign_keys {
                    if f.foreign_table == old {
                        f.foreign_table = new.to_string();
                    }
                }
            }
            self.constraint_names.note_referenced(new);
        }
        let dialect = self.dialect;
        for k in self.relation_index.indexes_on(&self.schema, old) {
            if let Some(mut ix) = self.schema.indexes.remove(&k) {
                ix.table = new.to_string();
                let k = index_key(dialect, new, &ix.name);
                self.relation_index.note_index(&k, new);
                self.schema.indexes.insert(k, ix);
            }
        }
        if new != old {
            self.relation_index.forget_indexes(&self.schema, old);
        }
        for k in self.relation_index.sequences_of(&self.schema, old) {
            if let Some(o) = self
                .schema
                .sequences
                .get_mut(&k)
                .and_then(|s| s.owned_by.as_mut())
            {
                o.table = new.to_string();
                self.relation_index.note_sequence(&k, Some(new));
            }
        }
        if new != old {
            self.relation_index.forget_sequences(&self.schema, old);
        }
        if dialect == crate::Dialect::Mysql {
            // InnoDB renames the foreign keys it named after the table.
            let (from, to) = (format!("{old}_ibfk_"), format!("{new}_ibfk_"));
            if let Some(t) = self.schema.tables.get_mut(new) {
                for f in &mut t.foreign_keys {
                    if let Some(n) = f.name.as_deref().and_then(|n| n.strip_prefix(&from)) {
                        f.name = Some(format!("{to}{n}"));
                    }
                }
                self.constraint_names.note_table(t);
            }
        }
        self.view_graph.rename(old, new);
        self.schema.history.push(HistoryEvent::TableRenamed {
            from: old.to_string(),
            to: new.to_string(),
            at: ctx.at().clone(),
        });
        Ok(())
    }
}
