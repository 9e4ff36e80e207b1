//! `DROP TABLE/VIEW/INDEX/TYPE/SCHEMA` and MySQL `RENAME TABLE`.

use sqlparser::ast::{ObjectName, ObjectType, RenameTable};

use super::constraint::index_key;
use super::ident::object_name;
use super::{Applied, Ctx, Replayer};
use crate::dialect::Dialect;
use crate::model::HistoryEvent;

impl Replayer {
    pub(crate) fn drop_objects(
        &mut self,
        ctx: &Ctx<'_>,
        object_type: ObjectType,
        if_exists: bool,
        names: &[ObjectName],
        cascade: bool,
        on_table: Option<&ObjectName>,
    ) -> Applied {
        let dialect = self.dialect;
        let mut changed = false;
        // What the drops below record themselves (an unmodelled object skipped, a conflict
        // made a warning): then there is nothing more to say about the statement.
        let noted = (self.skipped.len(), self.warnings.len());
        for raw in names {
            let name = match object_type {
                ObjectType::Schema => object_name(dialect, raw),
                ObjectType::Type => self.lookup_key(raw, super::search_path::Among::Types),
                _ => self.lookup_key(raw, super::search_path::Among::Relations),
            };
            changed |= match object_type {
                ObjectType::Table => self.drop_table(ctx, &name, if_exists, cascade)?,
                ObjectType::View | ObjectType::MaterializedView => {
                    self.drop_view(ctx, &name, if_exists, cascade)?
                }
                ObjectType::Index => {
                    let table = on_table.map(|t| object_name(dialect, t));
                    self.drop_index(ctx, &name, table.as_deref(), if_exists)?
                }
                ObjectType::Type => self.drop_type(ctx, &name, if_exists, cascade)?,
                ObjectType::Sequence if dialect == Dialect::Postgres => {
                    self.drop_sequence(ctx, &name, if_exists, cascade)?
                }
                ObjectType::Schema if dialect == Dialect::Postgres => {
                    self.drop_schema(ctx, &name, cascade)?
                }
                _ => false,
            };
        }
        if !changed && noted == (self.skipped.len(), self.warnings.len()) {
            self.skip(
                ctx,
                match object_type {
                    ObjectType::Table
                    | ObjectType::View
                    | ObjectType::MaterializedView
                    | ObjectType::Index
                    | ObjectType::Sequence
                    | ObjectType::Type => {
                        format!("DROP {object_type} IF EXISTS of objects that do not exist")
                    }
                    other => format!("DROP {other} cannot change table columns"),
                },
            );
        }
        Ok(())
    }

    pub(crate) fn drop_table(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<bool, crate::Diagnostic> {
        if let Some(kind) = self.unmodelled_target(name) {
            self.unmodelled.forget(name);
            self.skip(ctx, format!("{} `{name}` is not modelled", kind.noun()));
            return Ok(false);
        }
        let Some(key) = self.table_key(name) else {
            if if_exists {
                return Ok(false);
            }
            let error = self.missing_table(ctx, name, "DROP TABLE");
            return self.conflict(ctx, name, error).map(|()| false);
        };
        if self.dialect == Dialect::Postgres {
            let views = self.dependent_views(&key);
            // Most tables no foreign key references: then no table need be read.
            let referenced = self.constraint_names.may_be_referenced(&self.schema, &key);
            let referencing: Vec<String> = if referenced {
                self.schema
                    .tables
                    .values()
                    .filter(|t| {
                        t.name != key && t.foreign_keys.iter().any(|f| f.foreign_table == key)
                    })
                    .map(|t| t.name.clone())
                    .collect()
            } else {
                Vec::new()
            };
            if !cascade && (!views.is_empty() || !referencing.is_empty()) {
                let mut deps: Vec<String> = views.iter().map(|v| format!("view `{v}`")).collect();
                deps.extend(
                    referencing
                        .iter()
                        .map(|t| format!("a foreign key of table `{t}`")),
                );
                let error = ctx.error(
                    format!(
                        "cannot drop table `{key}`: {} depend(s) on it",
                        deps.join(", ")
                    ),
                    "drop the dependent objects first, or use DROP TABLE ... CASCADE",
                );
                let names: Vec<String> = views.iter().chain(&referencing).cloned().collect();
                self.dependents_unseen(ctx, &names, error)?;
            }
            self.drop_views(&views);
            if referenced {
                for t in self.schema.tables.values_mut() {
                    t.foreign_keys.retain(|f| f.foreign_table != key);
                }
            }
        }
        // A partitioned table's partitions go with it.
        for part in self.partitions.all_of(&key) {
            self.schema.tables.remove(&part);
            self.drop_indexes_of(&part);
        }
        self.partitions.forget(&key);
        self.schema.tables.remove(&key);
        self.drop_owned_sequences(&key, None);
        self.drop_indexes_of(&key);
        self.schema.history.push(HistoryEvent::TableDropped {
            table: key,
            at: ctx.at().clone(),
        });
        Ok(true)
    }

    /// Drops the indexes on `table` (a table or a materialized view, dropped).
    pub(crate) fn drop_indexes_of(&mut self, table: &str) {
        for k in self.relation_index.indexes_on(&self.schema, table) {
            self.schema.indexes.remove(&k);
        }
        self.relation_index.forget_indexes(&self.schema, table);
    }

    /// `DROP [MATERIALIZED] VIEW`: PostgreSQL refuses while other views are built on it,
    /// unless CASCADE, which drops them (and theirs).
    fn drop_view(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<bool, crate::Diagnostic> {
        if let Some(kind @ super::unmodelled::Kind::TemporaryView) = self.unmodelled.get(name) {
            self.unmodelled.forget(name);
            self.skip(ctx, format!("{} `{name}` is not modelled", kind.noun()));
            return Ok(false);
        }
        if self.schema.views.contains_key(name) {
            let dependents = if self.dialect == Dialect::Postgres {
                self.dependent_views(name)
            } else {
                Vec::new()
            };
            if !dependents.is_empty() && !cascade {
                let error = ctx.error(
                    format!(
                        "cannot drop view `{name}`: view(s) {} depend on it",
                        dependents
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "drop the dependent views first, or use DROP VIEW ... CASCADE",
                );
                self.dependents_unseen(ctx, &dependents, error)?;
            }
            let mut all = dependents;
            all.push(name.to_string());
            self.drop_views(&all);
            return Ok(true);
        }
        if if_exists {
            return Ok(false);
        }
        let error = ctx.error(
            format!("view `{name}` does not exist"),
            "create the view first, or use DROP VIEW IF EXISTS",
        );
        self.conflict(ctx, name, error).map(|()| false)
    }

    fn drop_index(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        table: Option<&str>,
        if_exists: bool,
    ) -> Result<bool, crate::Diagnostic> {
        let dialect = self.dialect;
        if dialect == Dialect::Mysql
            && let Some(t) = table.and_then(|t| self.table_key(t))
        {
            return self.drop_table_index(ctx, &t, name.to_string(), if_exists);
        }
        let key = match table {
            Some(t) => index_key(dialect, t, name),
            None => name.to_string(),
        };
        let Some(ix) = self.schema.indexes.remove(&key) else {
            if self.unmodelled.forget_index(name) {
                self.skip(
                    ctx,
                    format!("index `{name}` of a table that is not modelled"),
                );
                return Ok(false);
            }
            if if_exists {
                return Ok(false);
            }
            let error = ctx.error(
                format!("index `{name}` does not exist"),
                "create the index first, or use DROP INDEX IF EXISTS",
            );
            return self.conflict(ctx, name, error).map(|()| false);
        };
        if let Some(t) = self.schema.tables.get_mut(&ix.table) {
            t.unique
                .retain(|u| u.name.as_deref() != Some(ix.name.as_str()));
            t.provenance.touch(ctx.at());
        }
        // A partitioned index takes the partitions' indexes attached to it.
        for k in self.partition_indexes_of(&key) {
            if let Some(ix) = self.schema.indexes.remove(&k)
                && let Some(t) = self.schema.tables.get_mut(&ix.table)
            {
                t.unique
                    .retain(|u| u.name.as_deref() != Some(ix.name.as_str()));
            }
            self.partitions.forget_index(&k);
        }
        self.partitions.forget_index(&key);
        Ok(true)
    }

    fn drop_schema(
        &mut self,
        ctx: &Ctx<'_>,
        schema: &str,
        cascade: bool,
    ) -> Result<bool, crate::Diagnostic> {
        self.search_path.schema_dropped(schema);
        let prefix = format!("{schema}.");
        let tables: Vec<String> = self
            .schema
            .tables
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        if tables.is_empty() {
            return Ok(false);
        }
        if !cascade {
            return Err(ctx.error(
                format!(
                    "cannot drop schema `{schema}`: it contains table(s) {}",
                    tables.join(", ")
                ),
                "drop the tables first, or use DROP SCHEMA ... CASCADE",
            ));
        }
        for t in tables {
            self.drop_table(ctx, &t, false, true)?;
        }
        self.schema.views.retain(|k, _| !k.starts_with(&prefix));
        self.schema.enums.retain(|k, _| !k.starts_with(&prefix));
        self.schema.domains.retain(|k, _| !k.starts_with(&prefix));
        Ok(true)
    }

    pub(crate) fn rename_tables(&mut self, ctx: &Ctx<'_>, renames: &[RenameTable]) -> Applied {
        for r in renames {
            let old = object_name(self.dialect, &r.old_name);
            let new = object_name(self.dialect, &r.new_name);
            if self.unmodelled_target(&old).is_some() {
                self.unmodelled.rename(&old, &new);
                continue;
            }
            let Some(key) = self.table_key(&old) else {
                let error = self.missing_table(ctx, &old, "RENAME TABLE");
                self.conflict(ctx, &old, error)?;
                continue;
            };
            self.rename_table(ctx, &key, &new)?;
        }
        Ok(())
    }
}
