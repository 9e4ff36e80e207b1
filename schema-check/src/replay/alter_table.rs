//! `ALTER TABLE`: every operation of the statement, in order.

use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnOption, DataType, Ident,
    MySQLColumnPosition, RenameTableNameKind,
};

use super::column::ColumnSpec;
use super::constraint::{self, Env, index_key};
use super::ident::{fold, object_name, same_column};
use super::{Applied, Ctx, Replayer};
use crate::canonical::canonical_type;
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{Generated, HistoryEvent, Skipped, Table};

/// Whether an operation changed the table (`false` for storage/ownership/security
/// operations that cannot change columns).
type Changed = Result<bool, Diagnostic>;

/// The position of the column `name` in `table`, per the dialect's lookup rules.
pub(crate) fn column_index(dialect: Dialect, table: &Table, name: &str) -> Option<usize> {
    table
        .columns
        .iter()
        .position(|c| same_column(dialect, &c.name, name))
}

/// Whether `expr` (SQL text) mentions the identifier `column`.
pub(crate) fn mentions(expr: &str, column: &str) -> bool {
    expr.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w.eq_ignore_ascii_case(column))
}

impl Replayer {
    pub(crate) fn alter_table(&mut self, ctx: &Ctx<'_>, at: &AlterTable) -> Applied {
        let name = object_name(self.dialect, &at.name);
        let Some(mut key) = self.table_key(&name) else {
            if at.if_exists {
                self.skipped.push(Skipped {
                    at: ctx.at().clone(),
                    reason: format!("table `{name}` does not exist (ALTER TABLE IF EXISTS)"),
                    first_line: ctx.stmt.first_line().to_string(),
                });
                return Ok(());
            }
            return Err(self.missing_table(ctx, &name, "ALTER TABLE"));
        };
        let mut changed = false;
        for op in &at.operations {
            changed |= self.alter_op(ctx, &mut key, op)?;
        }
        if changed {
            if let Some(t) = self.schema.tables.get_mut(&key) {
                t.provenance.touch(ctx.at());
            }
        } else {
            self.skipped.push(Skipped {
                at: ctx.at().clone(),
                reason: format!(
                    "ALTER TABLE `{key}` changes storage, ownership or security, not columns"
                ),
                first_line: ctx.stmt.first_line().to_string(),
            });
        }
        Ok(())
    }

    fn table_mut(&mut self, ctx: &Ctx<'_>, key: &str) -> Result<&mut Table, Diagnostic> {
        match self.schema.tables.get_mut(key) {
            Some(t) => Ok(t),
            None => Err(ctx.error(
                format!("table `{key}` does not exist"),
                "create the table first",
            )),
        }
    }

    /// The table `key` and what constraints may touch besides it.
    fn table_and_env(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
    ) -> Result<(&mut Table, Env<'_>), Diagnostic> {
        let env = Env {
            dialect: self.dialect,
            pk_names: &mut self.pk_names,
            indexes: &mut self.schema.indexes,
        };
        match self.schema.tables.get_mut(key) {
            Some(t) => Ok((t, env)),
            None => Err(ctx.error(
                format!("table `{key}` does not exist"),
                "create the table first",
            )),
        }
    }

    fn alter_op(&mut self, ctx: &Ctx<'_>, key: &mut String, op: &AlterTableOperation) -> Changed {
        use AlterTableOperation as Op;
        let dialect = self.dialect;
        match op {
            Op::AddColumn {
                if_not_exists,
                column_def,
                column_position,
                ..
            } => {
                let spec = self.column_spec(
                    ctx,
                    key,
                    &column_def.name,
                    &column_def.data_type,
                    column_def
                        .options
                        .iter()
                        .map(|o| (o.name.as_ref(), &o.option)),
                )?;
                self.add_column(ctx, key, spec, *if_not_exists, column_position.as_ref())
            }
            Op::DropColumn {
                column_names,
                if_exists,
                drop_behavior,
                ..
            } => {
                let mut changed = false;
                let cascade = matches!(drop_behavior, Some(sqlparser::ast::DropBehavior::Cascade));
                for c in column_names {
                    changed |=
                        self.drop_column(ctx, key, &fold(dialect, c), *if_exists, cascade)?;
                }
                Ok(changed)
            }
            Op::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                self.rename_column(
                    ctx,
                    key,
                    &fold(dialect, old_column_name),
                    &fold(dialect, new_column_name),
                )?;
                Ok(true)
            }
            Op::RenameTable { table_name } => {
                let new = match table_name {
                    RenameTableNameKind::To(n) | RenameTableNameKind::As(n) => n,
                };
                // PostgreSQL: the new name never takes a schema (the table stays in its own).
                let mut new = object_name(dialect, new);
                if dialect == Dialect::Postgres
                    && !new.contains('.')
                    && let Some((schema, _)) = key.split_once('.')
                {
                    new = format!("{schema}.{new}");
                }
                let old = key.clone();
                self.rename_table(ctx, &old, &new)?;
                *key = new;
                Ok(true)
            }
            Op::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                column_position,
            } => {
                let old = fold(dialect, old_name);
                let new = fold(dialect, new_name);
                self.redefine_column(
                    ctx,
                    key,
                    &old,
                    new_name,
                    data_type,
                    options,
                    column_position.as_ref(),
                )?;
                if !same_column(dialect, &old, &new) || old != new {
                    self.rename_references(key, &old, &new);
                    self.schema.history.push(HistoryEvent::ColumnRenamed {
                        table: key.clone(),
                        from: old,
                        to: new,
                        at: ctx.at().clone(),
                    });
                }
                Ok(true)
            }
            Op::ModifyColumn {
                col_name,
                data_type,
                options,
                column_position,
            } => {
                let name = fold(dialect, col_name);
                self.redefine_column(
                    ctx,
                    key,
                    &name,
                    col_name,
                    data_type,
                    options,
                    column_position.as_ref(),
                )?;
                Ok(true)
            }
            Op::AlterColumn { column_name, op } => {
                self.alter_column(ctx, key, &fold(dialect, column_name), op)?;
                Ok(true)
            }
            Op::AddConstraint { constraint, .. } => {
                let (table, mut env) = self.table_and_env(ctx, key)?;
                constraint::add(ctx, &mut env, table, constraint).map(|()| true)
            }
            Op::DropConstraint {
                if_exists, name, ..
            } => self.drop_constraint(ctx, key, &fold(dialect, name), *if_exists),
            Op::DropPrimaryKey { .. } => {
                let table = self.table_mut(ctx, key)?;
                if table.primary_key.take().is_none() {
                    return Err(ctx.error(
                        format!("table `{key}` has no primary key to drop"),
                        "remove the DROP PRIMARY KEY",
                    ));
                }
                self.pk_names.remove(key.as_str());
                Ok(true)
            }
            Op::DropForeignKey { name, .. } => {
                let name = fold(dialect, name);
                let table = self.table_mut(ctx, key)?;
                let before = table.foreign_keys.len();
                table
                    .foreign_keys
                    .retain(|f| f.name.as_deref() != Some(name.as_str()));
                if table.foreign_keys.len() == before {
                    return Err(ctx.error(
                        format!("table `{key}` has no foreign key named `{name}`"),
                        "check the constraint name (SHOW CREATE TABLE shows it)",
                    ));
                }
                Ok(true)
            }
            Op::DropIndex { name } => {
                let name = fold(dialect, name);
                let ikey = index_key(dialect, key, &name);
                let removed_index = self.schema.indexes.remove(&ikey).is_some();
                let table = self.table_mut(ctx, key)?;
                let before = table.unique.len();
                table
                    .unique
                    .retain(|u| u.name.as_deref() != Some(name.as_str()));
                if !removed_index && table.unique.len() == before {
                    return Err(ctx.error(
                        format!("table `{key}` has no index named `{name}`"),
                        "check the index name (SHOW INDEX FROM the table shows it)",
                    ));
                }
                Ok(true)
            }
            Op::RenameConstraint { old_name, new_name } => {
                let (old, new) = (fold(dialect, old_name), fold(dialect, new_name));
                let table = self.table_mut(ctx, key)?;
                let mut found = false;
                for n in table
                    .unique
                    .iter_mut()
                    .map(|u| &mut u.name)
                    .chain(table.foreign_keys.iter_mut().map(|f| &mut f.name))
                    .chain(table.checks.iter_mut().map(|c| &mut c.name))
                {
                    if n.as_deref() == Some(old.as_str()) {
                        *n = Some(new.clone());
                        found = true;
                    }
                }
                if let Some(pk) = self.pk_names.get_mut(key.as_str())
                    && *pk == old
                {
                    *pk = new.clone();
                    found = true;
                }
                if !found {
                    return Err(ctx.error(
                        format!("table `{key}` has no constraint named `{old}`"),
                        "check the constraint name",
                    ));
                }
                Ok(true)
            }
            Op::OwnerTo { .. }
            | Op::EnableRowLevelSecurity
            | Op::DisableRowLevelSecurity
            | Op::ForceRowLevelSecurity
            | Op::NoForceRowLevelSecurity
            | Op::EnableTrigger { .. }
            | Op::DisableTrigger { .. }
            | Op::EnableAlwaysTrigger { .. }
            | Op::EnableReplicaTrigger { .. }
            | Op::EnableRule { .. }
            | Op::DisableRule { .. }
            | Op::EnableAlwaysRule { .. }
            | Op::EnableReplicaRule { .. }
            | Op::ReplicaIdentity { .. }
            | Op::SetTblProperties { .. }
            | Op::SetOptionsParens { .. }
            | Op::SetLogged
            | Op::SetUnlogged
            | Op::ClusterBy { .. }
            | Op::Algorithm { .. }
            | Op::Lock { .. }
            | Op::AutoIncrement { .. }
            | Op::ValidateConstraint { .. } => Ok(false),
            other => Err(ctx.error(
                format!("ALTER TABLE operation `{other}` is not supported by schema-check"),
                "express the change with ADD/DROP/RENAME/ALTER COLUMN or ADD/DROP CONSTRAINT",
            )),
        }
    }

    fn add_column(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        spec: ColumnSpec,
        if_not_exists: bool,
        position: Option<&MySQLColumnPosition>,
    ) -> Changed {
        let dialect = self.dialect;
        let table = self.table_mut(ctx, key)?;
        if let Some(i) = column_index(dialect, table, &spec.column.name) {
            if if_not_exists {
                return Ok(false);
            }
            let existing = &table.columns[i];
            return Err(ctx.error(
                format!(
                    "column `{}` already exists in table `{key}` (created at {})",
                    existing.name, existing.provenance.created
                ),
                "drop the column first, or use ADD COLUMN IF NOT EXISTS",
            ));
        }
        if dialect == Dialect::Sqlite && (spec.primary_key.is_some() || !spec.unique.is_empty()) {
            return Err(ctx.error(
                format!(
                    "SQLite cannot add a PRIMARY KEY or UNIQUE column (`{}` to `{key}`)",
                    spec.column.name
                ),
                "rebuild the table (CREATE TABLE new_x ..., INSERT INTO new_x SELECT ..., DROP \
                 TABLE x, ALTER TABLE new_x RENAME TO x), or add a UNIQUE INDEX",
            ));
        }
        let at = match position {
            Some(MySQLColumnPosition::First) => 0,
            Some(MySQLColumnPosition::After(after)) => {
                let after = fold(dialect, after);
                column_index(dialect, table, &after)
                    .map(|i| i + 1)
                    .ok_or_else(|| {
                        ctx.error(
                            format!("ADD COLUMN ... AFTER `{after}`: no such column in `{key}`"),
                            "name an existing column",
                        )
                    })?
            }
            None => table.columns.len(),
        };
        let col_name = spec.column.name.clone();
        table.columns.insert(at, spec.column);
        table.unique.extend(spec.unique);
        table.foreign_keys.extend(spec.foreign_keys);
        table.checks.extend(spec.checks);
        if let Some(pk_name) = spec.primary_key {
            let (table, mut env) = self.table_and_env(ctx, key)?;
            constraint::set_primary_key(ctx, &mut env, table, vec![col_name], pk_name)?;
        }
        Ok(true)
    }

    fn drop_column(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Changed {
        let dialect = self.dialect;
        let Some(i) = self
            .schema
            .tables
            .get(key)
            .and_then(|t| column_index(dialect, t, name))
        else {
            if if_exists {
                return Ok(false);
            }
            return Err(self.missing_column(ctx, key, name, "drop"));
        };
        let table = self.table_mut(ctx, key)?;
        let col = table.columns[i].name.clone();
        let in_pk = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.contains(&col));
        match dialect {
            Dialect::Sqlite => {
                let why = if in_pk {
                    Some("it is part of the PRIMARY KEY")
                } else if table.unique.iter().any(|u| u.columns.contains(&col)) {
                    Some("it has a UNIQUE constraint")
                } else if table.foreign_keys.iter().any(|f| f.columns.contains(&col)) {
                    Some("it is used by a FOREIGN KEY")
                } else if table.checks.iter().any(|c| mentions(&c.expr, &col)) {
                    Some("a CHECK constraint uses it")
                } else {
                    None
                };
                let why = why.or_else(|| {
                    self.schema
                        .indexes
                        .values()
                        .any(|ix| ix.table == key && ix.columns.iter().any(|c| mentions(c, &col)))
                        .then_some("an index uses it")
                });
                if let Some(why) = why {
                    return Err(ctx.error(
                        format!("SQLite cannot drop column `{col}` of `{key}`: {why}"),
                        "drop the index or constraint first, or rebuild the table",
                    ));
                }
            }
            Dialect::Mysql => {
                let multi = table
                    .primary_key
                    .iter()
                    .chain(table.unique.iter().map(|u| &u.columns))
                    .any(|cols| cols.len() > 1 && cols.contains(&col));
                if multi {
                    return Err(ctx.error(
                        format!(
                            "MariaDB refuses to drop column `{col}` of `{key}`: it is part of a \
                             multi-column PRIMARY KEY or UNIQUE key (\"Key column doesn't exist\")"
                        ),
                        "drop or redefine the key first",
                    ));
                }
            }
            Dialect::Postgres => {
                // Generated columns computed from this one depend on it.
                let dependents: Vec<String> = table
                    .columns
                    .iter()
                    .filter(|c| c.name != col)
                    .filter(|c| {
                        matches!(&c.generated, Some(Generated::Expression { expr, .. }) if mentions(expr, &col))
                    })
                    .map(|c| c.name.clone())
                    .collect();
                if !dependents.is_empty() {
                    if !cascade {
                        return Err(ctx.error(
                            format!(
                                "cannot drop column `{col}` of `{key}`: generated column(s) {} depend on it",
                                dependents.join(", ")
                            ),
                            "drop the generated columns first, or use DROP COLUMN ... CASCADE",
                        ));
                    }
                    for d in dependents {
                        self.drop_column(ctx, key, &d, true, true)?;
                    }
                    return self.drop_column(ctx, key, &col, false, true);
                }
            }
        }
        let table = self.table_mut(ctx, key)?;
        table.columns.remove(i);
        // Keys that contained the column are dropped with it (PostgreSQL drops the whole
        // primary key; MySQL allows this only for single-column keys, checked above).
        if in_pk {
            table.primary_key = None;
        }
        table.unique.retain(|u| !u.columns.contains(&col));
        table.foreign_keys.retain(|f| !f.columns.contains(&col));
        table.checks.retain(|c| !mentions(&c.expr, &col));
        if in_pk {
            self.pk_names.remove(key);
        }
        let mut emptied = Vec::new();
        for (k, ix) in self
            .schema
            .indexes
            .iter_mut()
            .filter(|(_, ix)| ix.table == key)
        {
            if dialect == Dialect::Mysql {
                ix.columns.retain(|c| c != &col);
                if ix.columns.is_empty() {
                    emptied.push(k.clone());
                }
            } else if ix.columns.iter().any(|c| mentions(c, &col))
                || ix.predicate.as_deref().is_some_and(|p| mentions(p, &col))
            {
                emptied.push(k.clone());
            }
        }
        for k in emptied {
            self.schema.indexes.remove(&k);
        }
        self.schema.history.push(HistoryEvent::ColumnDropped {
            table: key.to_string(),
            column: col,
            at: ctx.at().clone(),
        });
        Ok(true)
    }

    /// An error for an operation on a column that does not exist.
    pub(crate) fn missing_column(
        &self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        verb: &str,
    ) -> Diagnostic {
        let fate = self.schema.history.iter().rev().find_map(|e| match e {
            HistoryEvent::ColumnDropped { table, column, at } if table == key && column == name => {
                Some(format!("it was dropped at {at}"))
            }
            HistoryEvent::ColumnRenamed {
                table,
                from,
                to,
                at,
            } if table == key && from == name => Some(format!("it was renamed to `{to}` at {at}")),
            _ => None,
        });
        let columns = self
            .schema
            .tables
            .get(key)
            .map(|t| {
                t.columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let help = match fate {
            Some(f) => format!("{f}; the table now has: {columns}"),
            None => format!("the table has: {columns}"),
        };
        ctx.error(
            format!("cannot {verb} column `{name}`: table `{key}` has no such column"),
            help,
        )
    }

    fn rename_column(&mut self, ctx: &Ctx<'_>, key: &str, old: &str, new: &str) -> Applied {
        let dialect = self.dialect;
        let Some(i) = self
            .schema
            .tables
            .get(key)
            .and_then(|t| column_index(dialect, t, old))
        else {
            return Err(self.missing_column(ctx, key, old, "rename"));
        };
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
        self.schema.history.push(HistoryEvent::ColumnRenamed {
            table: key.to_string(),
            from: old,
            to: new.to_string(),
            at: ctx.at().clone(),
        });
        Ok(())
    }

    /// Follows a column rename in keys, foreign keys (both ends) and indexes.
    fn rename_references(&mut self, key: &str, old: &str, new: &str) {
        let swap = |c: &mut String| {
            if c == old {
                *c = new.to_string();
            }
        };
        for t in self.schema.tables.values_mut() {
            if t.name == key {
                t.primary_key.iter_mut().flatten().for_each(swap);
                t.unique
                    .iter_mut()
                    .flat_map(|u| u.columns.iter_mut())
                    .for_each(swap);
                t.foreign_keys
                    .iter_mut()
                    .flat_map(|f| f.columns.iter_mut())
                    .for_each(swap);
            }
            t.foreign_keys
                .iter_mut()
                .filter(|f| f.foreign_table == key)
                .flat_map(|f| f.foreign_columns.iter_mut())
                .for_each(swap);
        }
        self.schema
            .indexes
            .values_mut()
            .filter(|ix| ix.table == key)
            .flat_map(|ix| ix.columns.iter_mut())
            .for_each(swap);
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
        let Some(mut table) = self.schema.tables.remove(old) else {
            return Err(self.missing_table(ctx, old, "ALTER TABLE"));
        };
        table.name = new.to_string();
        table.provenance.touch(ctx.at());
        self.schema.tables.insert(new.to_string(), table);
        for t in self.schema.tables.values_mut() {
            for f in &mut t.foreign_keys {
                if f.foreign_table == old {
                    f.foreign_table = new.to_string();
                }
            }
        }
        let dialect = self.dialect;
        let moved: Vec<String> = self
            .schema
            .indexes
            .iter()
            .filter(|(_, ix)| ix.table == old)
            .map(|(k, _)| k.clone())
            .collect();
        for k in moved {
            if let Some(mut ix) = self.schema.indexes.remove(&k) {
                ix.table = new.to_string();
                self.schema
                    .indexes
                    .insert(index_key(dialect, new, &ix.name), ix);
            }
        }
        if let Some(pk) = self.pk_names.remove(old) {
            self.pk_names.insert(new.to_string(), pk);
        }
        for deps in self.view_deps.values_mut() {
            for d in deps.iter_mut() {
                if d == old {
                    *d = new.to_string();
                }
            }
        }
        self.schema.history.push(HistoryEvent::TableRenamed {
            from: old.to_string(),
            to: new.to_string(),
            at: ctx.at().clone(),
        });
        Ok(())
    }

    /// MySQL `MODIFY`/`CHANGE COLUMN`: the new definition replaces the old one entirely.
    #[allow(clippy::too_many_arguments)]
    fn redefine_column(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        old: &str,
        new_name: &Ident,
        data_type: &DataType,
        options: &[ColumnOption],
        position: Option<&MySQLColumnPosition>,
    ) -> Applied {
        let dialect = self.dialect;
        let Some(i) = self
            .schema
            .tables
            .get(key)
            .and_then(|t| column_index(dialect, t, old))
        else {
            return Err(self.missing_column(ctx, key, old, "modify"));
        };
        let spec = self.column_spec(
            ctx,
            key,
            new_name,
            data_type,
            options.iter().map(|o| (None, o)),
        )?;
        let table = self.table_mut(ctx, key)?;
        if let Some(j) = column_index(dialect, table, &spec.column.name)
            && j != i
        {
            return Err(ctx.error(
                format!("table `{key}` already has a column `{}`", spec.column.name),
                "drop or rename the other column first",
            ));
        }
        let mut column = spec.column;
        column.provenance.created = table.columns[i].provenance.created.clone();
        let in_pk = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.iter().any(|c| same_column(dialect, c, old)));
        if in_pk {
            column.nullable = false;
        }
        table.columns.remove(i);
        let at = match position {
            Some(MySQLColumnPosition::First) => 0,
            Some(MySQLColumnPosition::After(after)) => {
                let after = fold(dialect, after);
                column_index(dialect, table, &after).map_or(i, |j| j + 1)
            }
            None => i,
        };
        table.columns.insert(at, column);
        table.unique.extend(spec.unique);
        table.foreign_keys.extend(spec.foreign_keys);
        table.checks.extend(spec.checks);
        Ok(())
    }

    fn alter_column(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        op: &AlterColumnOperation,
    ) -> Applied {
        let dialect = self.dialect;
        let Some(i) = self
            .schema
            .tables
            .get(key)
            .and_then(|t| column_index(dialect, t, name))
        else {
            return Err(self.missing_column(ctx, key, name, "alter"));
        };
        let new_type = match op {
            AlterColumnOperation::SetDataType { data_type, .. } => {
                let c = canonical_type(dialect, data_type, &self.schema).map_err(|msg| {
                    ctx.error(
                        format!("column `{name}` of table `{key}`: {msg}"),
                        "create the type in an earlier migration, or fix the type name",
                    )
                })?;
                if c.serial {
                    return Err(ctx.error(
                        format!("type `{data_type}` is not a real type: it only works in CREATE TABLE / ADD COLUMN"),
                        "use the integer type and set the default or identity separately",
                    ));
                }
                Some(c.ty)
            }
            _ => None,
        };
        let table = self.table_mut(ctx, key)?;
        let in_pk = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.contains(&table.columns[i].name));
        let col = &mut table.columns[i];
        match op {
            AlterColumnOperation::SetNotNull => col.nullable = false,
            AlterColumnOperation::DropNotNull => {
                if in_pk && dialect == Dialect::Postgres {
                    return Err(ctx.error(
                        format!(
                            "column `{name}` of `{key}` is in a primary key: it cannot be NULL"
                        ),
                        "drop the primary key first",
                    ));
                }
                if matches!(col.generated, Some(Generated::Identity { .. }))
                    && dialect == Dialect::Postgres
                {
                    return Err(ctx.error(
                        format!(
                            "column `{name}` of `{key}` is an identity column: it cannot be NULL"
                        ),
                        "drop the identity first (ALTER COLUMN ... DROP IDENTITY)",
                    ));
                }
                col.nullable = true;
            }
            AlterColumnOperation::SetDefault { value } => col.default = Some(value.to_string()),
            AlterColumnOperation::DropDefault => col.default = None,
            AlterColumnOperation::SetDataType { .. } => {
                if let Some(ty) = new_type {
                    col.ty = ty;
                }
            }
            AlterColumnOperation::AddGenerated { generated_as, .. } => {
                if col.nullable && dialect == Dialect::Postgres {
                    return Err(ctx.error(
                        format!("column `{name}` of `{key}` must be NOT NULL before it can become an identity"),
                        "add ALTER COLUMN ... SET NOT NULL before ADD GENERATED ... AS IDENTITY",
                    ));
                }
                col.generated = Some(Generated::Identity {
                    always: matches!(generated_as, Some(sqlparser::ast::GeneratedAs::Always)),
                });
            }
        }
        col.provenance.touch(ctx.at());
        Ok(())
    }

    fn drop_constraint(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        if_exists: bool,
    ) -> Changed {
        let is_pk = self.pk_names.get(key).is_some_and(|pk| pk == name);
        let dialect = self.dialect;
        let ikey = index_key(dialect, key, name);
        let table = self.table_mut(ctx, key)?;
        let before = table.unique.len() + table.foreign_keys.len() + table.checks.len();
        let named = |n: &Option<String>| n.as_deref() == Some(name);
        table.unique.retain(|u| !named(&u.name));
        table.foreign_keys.retain(|f| !named(&f.name));
        table.checks.retain(|c| !named(&c.name));
        let mut found =
            before != table.unique.len() + table.foreign_keys.len() + table.checks.len();
        if is_pk {
            table.primary_key = None;
            self.pk_names.remove(key);
            found = true;
        }
        if found {
            self.schema.indexes.remove(&ikey);
            return Ok(true);
        }
        if if_exists {
            return Ok(false);
        }
        Err(ctx.error(
            format!("table `{key}` has no constraint named `{name}`"),
            "check the constraint name; unnamed PostgreSQL constraints are named \
             <table>_<columns>_key / _fkey / _check and <table>_pkey",
        ))
    }
}
