//! `ALTER TABLE`: every operation of the statement, in order.

use sqlparser::ast::{AlterTable, AlterTableOperation, RenameTableNameKind};

use super::constraint::{self, Env, index_key};
use super::ident::{fold, object_name, same_column};
use super::names::mysql_stored_name;
use super::search_path::Among;
use super::{Applied, Ctx, Replayer};
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{HistoryEvent, Table};

/// Whether an operation changed the table (`false` for storage/ownership/security
/// operations that cannot change columns).
pub(crate) type Changed = Result<bool, Diagnostic>;

/// The position of the column `name` in `table`, per the dialect's lookup rules.
pub(crate) fn column_index(dialect: Dialect, table: &Table, name: &str) -> Option<usize> {
    table
        .columns
        .iter()
        .position(|c| same_column(dialect, &c.name, name))
}

/// The new name an `ALTER TABLE ... RENAME TO|AS new` gives, if the statement renames.
fn renamed_to(at: &AlterTable) -> Option<&sqlparser::ast::ObjectName> {
    at.operations.iter().find_map(|op| match op {
        AlterTableOperation::RenameTable {
            table_name: RenameTableNameKind::To(n) | RenameTableNameKind::As(n),
        } => Some(n),
        _ => None,
    })
}

/// Which of a table's names a statement refers to (see [`Replayer::stored_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// An index or UNIQUE key (`DROP INDEX`, `RENAME INDEX`).
    Index,
    /// A foreign key (`DROP FOREIGN KEY`).
    ForeignKey,
    /// A UNIQUE key, foreign key or CHECK (`DROP CONSTRAINT`).
    Constraint,
}

impl Replayer {
    pub(crate) fn alter_table(&mut self, ctx: &Ctx<'_>, at: &AlterTable) -> Applied {
        let name = self.lookup_key(&at.name, Among::Relations);
        if let Some(kind) = self.unmodelled_target(&name) {
            if let Some(n) = renamed_to(at) {
                self.unmodelled.rename(&name, &object_name(self.dialect, n));
            }
            self.skip(
                ctx,
                format!(
                    "ALTER TABLE of {} `{name}`, which is not modelled",
                    kind.noun()
                ),
            );
            return Ok(());
        }
        let Some(mut key) = self.table_key(&name) else {
            if self.schema.views.contains_key(&name) {
                return self.alter_table_on_view(ctx, &name, at);
            }
            if self.schema.sequences.contains_key(&name) {
                self.alter_table_on_sequence(ctx, &name, at);
                return Ok(());
            }
            if at.if_exists {
                self.skip(
                    ctx,
                    format!("table `{name}` does not exist (ALTER TABLE IF EXISTS)"),
                );
                return Ok(());
            }
            let error = self.missing_table(ctx, &name, "ALTER TABLE");
            return self.conflict(ctx, &name, error);
        };
        let mut changed = false;
        for op in &at.operations {
            changed |= self.alter_op(ctx, &mut key, op)?;
            self.reach_heirs(ctx, &key, op, at.only)?;
        }
        if changed {
            if let Some(t) = self.schema.tables.get_mut(&key) {
                t.provenance.touch(ctx.at());
            }
            if !at.only {
                self.partitions.follow(&mut self.schema, &key);
                for part in self.partitions.all_of(&key) {
                    if let Some(parent) = self.partitions.parent(&part) {
                        self.partition_keys(ctx, &part, &parent);
                    }
                }
            }
        } else {
            self.skip(
                ctx,
                format!("ALTER TABLE `{key}` changes storage, ownership or security, not columns"),
            );
        }
        Ok(())
    }

    /// `ALTER TABLE` naming a view (PostgreSQL accepts it for the forms that apply to
    /// views): `RENAME TO` renames the view; the other forms change no table.
    fn alter_table_on_view(&mut self, ctx: &Ctx<'_>, name: &str, at: &AlterTable) -> Applied {
        if let Some(n) = renamed_to(at) {
            let new = object_name(self.dialect, n);
            return self.rename_view(ctx, name, &new);
        }
        self.skip(
            ctx,
            format!("ALTER TABLE of view `{name}` cannot change table columns"),
        );
        Ok(())
    }

    /// `ALTER TABLE` naming a sequence (PostgreSQL accepts it, and pg_dump writes
    /// `ALTER TABLE seq OWNER TO ...`): `RENAME TO` renames the sequence; the other forms
    /// change no table.
    fn alter_table_on_sequence(&mut self, ctx: &Ctx<'_>, name: &str, at: &AlterTable) {
        if let Some(n) = renamed_to(at) {
            self.rename_sequence(ctx, name, n);
            return;
        }
        self.skip(
            ctx,
            format!("ALTER TABLE of sequence `{name}` cannot change table columns"),
        );
    }

    /// PostgreSQL inheritance: a parent's `DROP COLUMN` drops the column from the
    /// children that have it only from their parents (with `ONLY` it becomes theirs), and
    /// its `RENAME COLUMN` renames it in every descendant.
    fn reach_heirs(
        &mut self,
        ctx: &Ctx<'_>,
        parent: &str,
        op: &AlterTableOperation,
        only: bool,
    ) -> Result<(), Diagnostic> {
        let dialect = self.dialect;
        let heirs = self.partitions.heirs_of(parent);
        if heirs.is_empty() {
            return Ok(());
        }
        match op {
            AlterTableOperation::DropColumn {
                column_names,
                drop_behavior,
                ..
            } => {
                let cascade = matches!(drop_behavior, Some(sqlparser::ast::DropBehavior::Cascade));
                for child in heirs {
                    for c in column_names {
                        let c = fold(dialect, c);
                        if self.partitions.loses_column(&self.schema, &child, &c, only) {
                            self.drop_column(ctx, &child, &c, false, cascade)?;
                            self.touch_heir(ctx, &child);
                            let one = AlterTableOperation::DropColumn {
                                has_column_keyword: true,
                                column_names: vec![sqlparser::ast::Ident::with_quote('"', c)],
                                if_exists: false,
                                drop_behavior: *drop_behavior,
                            };
                            self.reach_heirs(ctx, &child, &one, false)?;
                        }
                    }
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } if !only => {
                let (old, new) = (
                    fold(dialect, old_column_name),
                    fold(dialect, new_column_name),
                );
                for child in heirs {
                    let has = self
                        .schema
                        .tables
                        .get(&child)
                        .is_some_and(|t| column_index(dialect, t, &old).is_some());
                    if has {
                        self.rename_column(ctx, &child, &old, &new)?;
                        self.partitions.rename_column(&child, &old, &new);
                        self.touch_heir(ctx, &child);
                        self.reach_heirs(ctx, &child, op, false)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Marks the inheritance child `child` as changed by the current statement.
    fn touch_heir(&mut self, ctx: &Ctx<'_>, child: &str) {
        if let Some(t) = self.schema.tables.get_mut(child) {
            t.provenance.touch(ctx.at());
        }
    }

    pub(crate) fn table_mut(&mut self, ctx: &Ctx<'_>, key: &str) -> Result<&mut Table, Diagnostic> {
        match self.schema.tables.get_mut(key) {
            Some(t) => Ok(t),
            None => Err(ctx.error(
                format!("table `{key}` does not exist"),
                "create the table first",
            )),
        }
    }

    /// Runs `f` on the table `key` taken out of the schema, with the rest of the schema
    /// (constraints need it to name themselves and to add indexes), then names what `f`
    /// added unnamed and puts the table back.
    pub(crate) fn with_table<R>(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        f: impl FnOnce(&mut Table, &mut Env<'_>) -> Result<R, Diagnostic>,
    ) -> Result<R, Diagnostic> {
        let Some(mut table) = self.schema.tables.remove(key) else {
            return Err(ctx.error(
                format!("table `{key}` does not exist"),
                "create the table first",
            ));
        };
        let mut env = Env {
            dialect: self.dialect,
            schema: &mut self.schema,
            search_path: &self.search_path,
            fk_indexes: &mut self.fk_indexes,
            relation_index: &mut self.relation_index,
            pending_fk_indexes: None,
        };
        let result = f(&mut table, &mut env);
        constraint::assign_names(
            self.dialect,
            &self.schema,
            &mut self.constraint_names,
            &self.relation_index,
            &mut table,
        );
        self.relation_index.note(key);
        self.schema.tables.insert(key.to_string(), table);
        result
    }

    /// Drops the primary key of table `key` (`DROP PRIMARY KEY`; in MySQL also `DROP INDEX`
    /// of the key named PRIMARY, in `ALTER TABLE` or on its own).
    pub(crate) fn drop_primary_key(&mut self, ctx: &Ctx<'_>, key: &str) -> Changed {
        let table = self.table_mut(ctx, key)?;
        if table.primary_key.take().is_none() {
            return Err(ctx.error(
                format!("table `{key}` has no primary key to drop"),
                "remove the DROP PRIMARY KEY",
            ));
        }
        table.primary_key_name = None;
        table.primary_key_provenance = None;
        Ok(true)
    }

    /// The stored name of table `key`'s index or constraint of `kind` that a statement
    /// writes `written`: MySQL's index and constraint names are not case-sensitive, so the
    /// name as it was given, in any case (an exact match first). In other dialects, or when
    /// nothing matches, `written` itself.
    pub(crate) fn stored_name(&self, key: &str, kind: NameKind, written: String) -> String {
        if self.dialect != Dialect::Mysql {
            return written;
        }
        if kind == NameKind::Index
            && self
                .schema
                .indexes
                .contains_key(&index_key(Dialect::Mysql, key, &written))
        {
            return written;
        }
        let Some(table) = self.schema.tables.get(key) else {
            return written;
        };
        let unique = table.unique.iter().filter_map(|u| u.name.as_deref());
        let foreign = table.foreign_keys.iter().filter_map(|f| f.name.as_deref());
        let checks = table.checks.iter().filter_map(|c| c.name.as_deref());
        let indexes = (self.schema.indexes.values())
            .filter(|ix| ix.table == key)
            .map(|ix| ix.name.as_str());
        let found = match kind {
            NameKind::Index => mysql_stored_name(&written, unique.chain(indexes)),
            NameKind::ForeignKey => mysql_stored_name(&written, foreign),
            NameKind::Constraint => {
                mysql_stored_name(&written, unique.chain(foreign).chain(checks))
            }
        };
        found.map_or(written, str::to_string)
    }

    /// `ALTER TABLE key DROP INDEX written`, and MySQL's `DROP INDEX written ON key` (the
    /// same statement there): an index or a UNIQUE key; in MySQL, `PRIMARY` is the primary
    /// key and the name is matched in any case ([`Self::stored_name`]).
    pub(crate) fn drop_table_index(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        written: String,
        if_exists: bool,
    ) -> Changed {
        if self.dialect == Dialect::Mysql && written.eq_ignore_ascii_case("PRIMARY") {
            return self.drop_primary_key(ctx, key);
        }
        let name = self.stored_name(key, NameKind::Index, written);
        let removed_index = (self.schema.indexes)
            .remove(&index_key(self.dialect, key, &name))
            .is_some();
        let table = self.table_mut(ctx, key)?;
        let before = table.unique.len();
        table
            .unique
            .retain(|u| u.name.as_deref() != Some(name.as_str()));
        if removed_index || table.unique.len() != before {
            table.provenance.touch(ctx.at());
            return Ok(true);
        }
        if if_exists {
            return Ok(false);
        }
        let error = ctx.error(
            format!("table `{key}` has no index named `{name}`"),
            "check the index name (SHOW INDEX FROM the table shows it)",
        );
        self.conflict(ctx, &name, error).map(|()| false)
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
                if dialect == Dialect::Postgres
                    && let Some(name) = self
                        .schema
                        .tables
                        .get(key.as_str())
                        .and_then(|t| constraint::pg_taken_name(t, constraint))
                {
                    let error = ctx.error(
                        format!("constraint `{name}` of table `{key}` already exists"),
                        "drop the constraint first, or give the new one another name",
                    );
                    return self.conflict(ctx, &name, error).map(|()| false);
                }
                self.with_table(ctx, key, |table, env| {
                    constraint::add(ctx, env, table, constraint)
                })
                .map(|()| true)
            }
            Op::DropConstraint {
                if_exists,
                name,
                drop_behavior,
            } => {
                let cascade = matches!(drop_behavior, Some(sqlparser::ast::DropBehavior::Cascade));
                let name = self.stored_name(key, NameKind::Constraint, fold(dialect, name));
                self.drop_constraint(ctx, key, &name, *if_exists, cascade)
            }
            Op::DropPrimaryKey { .. } => self.drop_primary_key(ctx, key),
            Op::DropForeignKey { name, .. } => {
                let name = self.stored_name(key, NameKind::ForeignKey, fold(dialect, name));
                let table = self.table_mut(ctx, key)?;
                let before = table.foreign_keys.len();
                table
                    .foreign_keys
                    .retain(|f| f.name.as_deref() != Some(name.as_str()));
                if table.foreign_keys.len() == before {
                    let error = ctx.error(
                        format!("table `{key}` has no foreign key named `{name}`"),
                        "check the constraint name (SHOW CREATE TABLE shows it)",
                    );
                    return self.conflict(ctx, &name, error).map(|()| false);
                }
                Ok(true)
            }
            Op::DropIndex { name } => self.drop_table_index(ctx, key, fold(dialect, name), false),
            Op::RenameConstraint { old_name, new_name } => {
                let (old, new) = (fold(dialect, old_name), fold(dialect, new_name));
                self.constraint_names.note(&new);
                let table = self.table_mut(ctx, key)?;
                let mut found = false;
                let at = ctx.at();
                for (n, p) in table
                    .unique
                    .iter_mut()
                    .map(|u| (&mut u.name, Some(&mut u.provenance)))
                    .chain(
                        table
                            .foreign_keys
                            .iter_mut()
                            .map(|f| (&mut f.name, Some(&mut f.provenance))),
                    )
                    .chain(
                        table
                            .checks
                            .iter_mut()
                            .map(|c| (&mut c.name, Some(&mut c.provenance))),
                    )
                    .chain(std::iter::once((
                        &mut table.primary_key_name,
                        table.primary_key_provenance.as_mut(),
                    )))
                {
                    if n.as_deref() == Some(old.as_str()) {
                        *n = Some(new.clone());
                        if let Some(p) = p {
                            p.touch(at);
                        }
                        found = true;
                    }
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

    fn drop_constraint(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Changed {
        let is_pk = self
            .schema
            .tables
            .get(key)
            .is_some_and(|t| t.primary_key_name.as_deref() == Some(name));
        let dialect = self.dialect;
        if dialect == Dialect::Postgres {
            self.drop_referenced_key(ctx, key, name, is_pk, cascade)?;
        }
        let ikey = index_key(dialect, key, name);
        let table = self.table_mut(ctx, key)?;
        let (unique, others) = (
            table.unique.len(),
            table.foreign_keys.len() + table.checks.len(),
        );
        let named = |n: &Option<String>| n.as_deref() == Some(name);
        table.unique.retain(|u| !named(&u.name));
        table.foreign_keys.retain(|f| !named(&f.name));
        table.checks.retain(|c| !named(&c.name));
        let keyed = is_pk || unique != table.unique.len();
        let found = keyed || others != table.foreign_keys.len() + table.checks.len();
        if is_pk {
            table.primary_key = None;
            table.primary_key_name = None;
            table.primary_key_provenance = None;
        }
        // The index goes with a primary or unique key; a foreign key's index (MySQL makes
        // one, under the key's name) stays, as with DROP FOREIGN KEY.
        if keyed {
            self.schema.indexes.remove(&ikey);
        }
        if found {
            return Ok(true);
        }
        if if_exists {
            return Ok(false);
        }
        let error = ctx.error(
            format!("table `{key}` has no constraint named `{name}`"),
            "check the constraint name; unnamed PostgreSQL constraints are named \
             <table>_<columns>_key / _fkey / _check and <table>_pkey",
        );
        self.conflict(ctx, name, error).map(|()| false)
    }

    /// PostgreSQL: the foreign keys (of any table) that reference the primary key or
    /// unique constraint `name` of `key` depend on its index: dropping it is refused
    /// unless CASCADE, which drops them. When another key of the table covers the same
    /// columns, the replay cannot tell which one a foreign key uses, and leaves them be.
    fn drop_referenced_key(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        is_pk: bool,
        cascade: bool,
    ) -> Result<(), crate::Diagnostic> {
        let Some(table) = self.schema.tables.get(key) else {
            return Ok(());
        };
        let sorted = |cols: &[String]| {
            let mut v = cols.to_vec();
            v.sort();
            v
        };
        let uniques = || {
            table
                .unique
                .iter()
                .filter(|u| u.kind == crate::model::UniqueKind::Constraint)
        };
        let cols = if is_pk {
            table.primary_key.clone()
        } else {
            uniques()
                .find(|u| u.name.as_deref() == Some(name))
                .map(|u| u.columns.clone())
        };
        let Some(cols) = cols else {
            return Ok(());
        };
        let cols = sorted(&cols);
        let pk_cols = table.primary_key.as_deref().map(sorted);
        let keys_on_cols = uniques().filter(|u| sorted(&u.columns) == cols).count()
            + usize::from(pk_cols.as_ref() == Some(&cols));
        if keys_on_cols > 1 {
            return Ok(());
        }
        let uses = |f: &crate::model::ForeignKey| {
            f.foreign_table == key
                && (sorted(&f.foreign_columns) == cols || (f.foreign_columns.is_empty() && is_pk))
        };
        let (dependents, tables): (Vec<String>, Vec<String>) = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.foreign_keys.iter().filter(|f| uses(f)).map(|f| {
                    (
                        format!("`{}` of `{}`", f.name.as_deref().unwrap_or("?"), t.name),
                        t.name.clone(),
                    )
                })
            })
            .unzip();
        if dependents.is_empty() {
            return Ok(());
        }
        if !cascade {
            let error = ctx.error(
                format!(
                    "cannot drop constraint `{name}` of `{key}`: foreign key(s) {} reference it",
                    dependents.join(", ")
                ),
                "drop those foreign keys first, or use DROP CONSTRAINT ... CASCADE",
            );
            self.dependents_unseen(ctx, &tables, error)?;
        }
        for t in self.schema.tables.values_mut() {
            let before = t.foreign_keys.len();
            t.foreign_keys.retain(|f| !uses(f));
            if t.foreign_keys.len() != before {
                t.provenance.touch(ctx.at());
            }
        }
        Ok(())
    }
}
