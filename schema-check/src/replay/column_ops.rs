//! Column operations of ALTER TABLE: ADD, DROP, MySQL MODIFY/CHANGE, ALTER COLUMN.

use sqlparser::ast::{AlterColumnOperation, ColumnOption, DataType, Ident, MySQLColumnPosition};

use super::alter_table::{Changed, column_index};
use super::column::ColumnSpec;
use super::constraint;
use super::expr_columns::mentions;
use super::ident::{fold, same_column};
use super::{Applied, Ctx, Replayer};
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{Generated, HistoryEvent};

impl Replayer {
    pub(crate) fn add_column(
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
        let mut spec = spec;
        self.report_unknown_type(ctx, &mut spec);
        if dialect == Dialect::Mysql {
            self.note_column_charset(key, &col_name, spec.charset.take());
        }
        if spec.owns_sequence {
            // The table is in the schema as it is: no `current` copy to name the sequence by.
            let seq = self.owned_sequence(ctx, None, key, &col_name);
            if spec.column.generated.is_none() {
                spec.column.default = Some(super::sequence::nextval_default(&seq));
            }
        }
        self.with_table(ctx, key, |table, env| {
            table.columns.insert(at, spec.column);
            table.unique.extend(spec.unique);
            if env.dialect == Dialect::Mysql {
                constraint::mysql_name_uniques(env.schema, table);
            }
            for (fk, index) in spec.foreign_keys {
                if env.dialect == Dialect::Mysql {
                    constraint::mysql_foreign_key_index(ctx, env, table, &fk, index.as_deref());
                }
                table.foreign_keys.push(fk);
            }
            table.checks.extend(spec.checks);
            if let Some(pk_name) = spec.primary_key {
                constraint::set_primary_key(ctx, env, table, vec![col_name], pk_name)?;
            }
            Ok(true)
        })
    }

    pub(crate) fn drop_column(
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
        let col = self.schema.tables[key].columns[i].name.clone();
        self.drop_column_views(ctx, key, &col, cascade)?;
        let table = self.table_mut(ctx, key)?;
        let in_pk = table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.contains(&col));
        match dialect {
            Dialect::Sqlite => {
                // SQLite removes the column's definition, with the constraints written in
                // it, and refuses if the rest of the schema still names the column.
                let own = |declared: &Option<String>| declared.as_deref() == Some(col.as_str());
                let why = if in_pk {
                    Some("it is part of the PRIMARY KEY")
                } else if table.unique.iter().any(|u| u.columns.contains(&col)) {
                    Some("it has a UNIQUE constraint")
                } else if table
                    .foreign_keys
                    .iter()
                    .any(|f| !own(&f.column) && f.columns.contains(&col))
                {
                    Some("a table FOREIGN KEY constraint uses it")
                } else if table
                    .checks
                    .iter()
                    .any(|c| !own(&c.column) && mentions(dialect, &c.expr, &col))
                {
                    Some("a CHECK constraint of the table or of another column uses it")
                } else if table.columns.iter().any(|c| {
                    c.name != col
                        && matches!(&c.generated, Some(Generated::Expression { expr, .. }) if mentions(dialect, expr, &col))
                }) {
                    Some("a generated column uses it")
                } else {
                    None
                };
                let why = why.or_else(|| {
                    self.schema
                        .indexes
                        .values()
                        .any(|ix| {
                            ix.table == key
                                && (ix.columns.iter().any(|c| mentions(dialect, c, &col))
                                    || ix
                                        .predicate
                                        .as_deref()
                                        .is_some_and(|p| mentions(dialect, p, &col)))
                        })
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
                        matches!(&c.generated, Some(Generated::Expression { expr, .. }) if mentions(dialect, expr, &col))
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
        // Checks that use the column go with it, and so do those written in its definition
        // (MariaDB, SQLite: see `Check::column`).
        table.checks.retain(|c| {
            c.column.as_deref() != Some(col.as_str()) && !mentions(dialect, &c.expr, &col)
        });
        if in_pk {
            table.primary_key_name = None;
            table.primary_key_provenance = None;
        }
        let mut emptied = Vec::new();
        for k in self.relation_index.indexes_on(&self.schema, key) {
            let Some(ix) = self.schema.indexes.get_mut(&k) else {
                continue;
            };
            if dialect == Dialect::Mysql {
                ix.columns.retain(|c| c != &col);
                if ix.columns.is_empty() {
                    emptied.push(k);
                }
            } else if ix.columns.iter().any(|c| mentions(dialect, c, &col))
                || ix
                    .predicate
                    .as_deref()
                    .is_some_and(|p| mentions(dialect, p, &col))
            {
                emptied.push(k);
            }
        }
        for k in emptied {
            self.schema.indexes.remove(&k);
        }
        if dialect == Dialect::Postgres
            && self.constraint_names.may_be_referenced(&self.schema, key)
        {
            // A foreign key referencing the column depends on the key (index) it references,
            // which went with the column: CASCADE drops it (without CASCADE the server
            // refuses, so an accepted history has none).
            for t in self.schema.tables.values_mut() {
                t.foreign_keys.retain(|f| {
                    f.foreign_table != key
                        || !(f.foreign_columns.contains(&col)
                            || f.foreign_columns.is_empty() && in_pk)
                });
            }
        }
        self.drop_owned_sequences(key, Some(&col));
        self.schema.history.push(HistoryEvent::ColumnDropped {
            table: key.to_string(),
            column: col,
            at: ctx.at().clone(),
        });
        Ok(true)
    }

    /// The index of column `name` in table `key`, or the error for trying to `verb` a
    /// column that does not exist.
    pub(crate) fn existing_column(
        &self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        verb: &str,
    ) -> Result<usize, Diagnostic> {
        self.schema
            .tables
            .get(key)
            .and_then(|t| column_index(self.dialect, t, name))
            .ok_or_else(|| self.missing_column(ctx, key, name, verb))
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

    /// MySQL `MODIFY`/`CHANGE COLUMN`: the new definition replaces the old one entirely.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn redefine_column(
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
        let i = self.existing_column(ctx, key, old, "modify")?;
        let mut spec = self.column_spec(
            ctx,
            key,
            new_name,
            data_type,
            options.iter().map(|o| (None, o)),
        )?;
        self.note_column_charset(key, &spec.column.name, spec.charset.take());
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
        let replaced = table.columns.remove(i).name;
        // The old definition's own checks go with it.
        table
            .checks
            .retain(|c| c.column.as_deref() != Some(replaced.as_str()));
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
        table
            .foreign_keys
            .extend(spec.foreign_keys.into_iter().map(|(f, _)| f));
        table.checks.extend(spec.checks);
        // Names what the new definition declared unnamed.
        self.with_table(ctx, key, |_, _| Ok(()))
    }

    pub(crate) fn alter_column(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        name: &str,
        op: &AlterColumnOperation,
    ) -> Applied {
        let dialect = self.dialect;
        let i = self.existing_column(ctx, key, name, "alter")?;
        let new_type = match op {
            AlterColumnOperation::SetDataType { data_type, .. } => {
                let col = self.schema.tables[key].columns[i].name.clone();
                self.refuse_type_change_under_views(ctx, key, &col)?;
                let c = self.canonical(data_type).map_err(|msg| {
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
}
