//! `CREATE TABLE`.

use sqlparser::ast::{CreateTable, CreateTableLikeDefaults, CreateTableLikeKind};

use super::constraint::{self, Env};
use super::ident::{fold, object_name, same_column};
use super::search_path::Among;
use super::{Applied, Ctx, Replayer};
use crate::model::{Index, Provenance, Table, UniqueConstraint};

impl Replayer {
    pub(crate) fn create_table(&mut self, ctx: &Ctx<'_>, ct: &CreateTable) -> Applied {
        let dialect = self.dialect;
        let name = self.create_key(&ct.name);
        if ct.temporary {
            self.unmodelled
                .note(&name, super::unmodelled::Kind::Temporary);
            self.skip(
                ctx,
                format!(
                    "temporary table `{name}` is not modelled (it does not outlive the session)"
                ),
            );
            return Ok(());
        }
        if ct.or_replace {
            // MariaDB `CREATE OR REPLACE TABLE`: drop the old table, then create.
            if let Some(existing) = self.table_key(&name) {
                self.drop_table(ctx, &existing, true, false)?;
            }
        }
        if let Some(existing) = self.table_key(&name) {
            if ct.if_not_exists {
                self.skip(
                    ctx,
                    format!(
                        "table `{existing}` already exists (IF NOT EXISTS): the statement does \
                         nothing"
                    ),
                );
                return Ok(());
            }
            let created = &self.schema.tables[&existing].provenance.created;
            return Err(ctx.error(
                format!("table `{name}` already exists (created at {created})"),
                "drop it first, or use CREATE TABLE IF NOT EXISTS",
            ));
        }
        // MySQL `CREATE TABLE t (definitions) [AS] SELECT ...`: the query's columns, to
        // merge with the defined ones below.
        let mut selected = None;
        if let Some(query) = &ct.query {
            let columns = self.ctas_columns(query, &ctx.stmt.text, ctx.at());
            let defines = !ct.columns.is_empty() || !ct.constraints.is_empty();
            if dialect == crate::Dialect::Mysql && defines && columns.is_some() {
                selected = columns;
            } else if let Some(columns) = columns.filter(|_| ct.columns.is_empty()) {
                let table = Table::new(name.clone(), columns, Provenance::new(ctx.at().clone()));
                if dialect == crate::Dialect::Mysql {
                    self.note_table_charset(&name, &ct.table_options.to_string());
                }
                self.relation_index.note(&name);
                self.schema.tables.insert(name, table);
                return Ok(());
            } else {
                // The server created the table; the replay cannot know its columns. Later
                // statements about it are warnings that name this one, not errors.
                self.unseen.created(ctx.at(), ctx.stmt.first_line(), &name);
                self.schema
                    .history
                    .push(crate::model::HistoryEvent::TableUnknown {
                        table: name.clone(),
                        at: ctx.at().clone(),
                    });
                self.skip(
                ctx,
                format!(
                    "`CREATE TABLE {name} ... AS SELECT`: the replay cannot know the columns of \
                     this query (to model the table, create it with explicit columns, then \
                     fill it with INSERT INTO ... SELECT)"
                ),
            );
                return Ok(());
            }
        }
        // MySQL `CREATE TABLE new (LIKE old)`, which sqlparser reads as a column `LIKE`
        // of type `old`.
        if dialect == crate::Dialect::Mysql
            && ct.like.is_none()
            && ct.constraints.is_empty()
            && let [only] = ct.columns.as_slice()
            && only.name.quote_style.is_none()
            && only.name.value.eq_ignore_ascii_case("LIKE")
            && only.options.is_empty()
            && let sqlparser::ast::DataType::Custom(source, modifiers) = &only.data_type
            && modifiers.is_empty()
        {
            let source = object_name(dialect, source);
            return self.create_table_like(ctx, &name, &source, LikeIncludes::default());
        }
        if let Some(like) = &ct.like {
            let (source, defaults) = match like {
                CreateTableLikeKind::Parenthesized(l) | CreateTableLikeKind::Plain(l) => {
                    (&l.name, l.defaults)
                }
            };
            let mut inc = LikeIncludes {
                defaults: defaults == Some(CreateTableLikeDefaults::Including),
                ..LikeIncludes::default()
            };
            for (include, what) in &self.like_options {
                inc.set(what, *include);
            }
            let source = self.lookup_key(source, Among::Relations);
            return self.create_table_like(ctx, &name, &source, inc);
        }
        let mut table = Table::new(
            name.clone(),
            Vec::with_capacity(ct.columns.len()),
            Provenance::new(ctx.at().clone()),
        );
        let mut inline_pk = None;
        let mut pk_desc = false;
        // PostgreSQL `INHERITS (parent, ...)`: the parents' columns come first, with their
        // NOT NULL and defaults (not their keys); `PARTITION OF parent`: the parent's
        // columns and keys.
        let mut parents: Vec<&sqlparser::ast::ObjectName> = Vec::new();
        if let Some(p) = &ct.partition_of {
            parents.push(p);
        }
        parents.extend(ct.inherits.iter().flatten());
        for parent in parents {
            let pname = self.lookup_key(parent, Among::Relations);
            let Some(pkey) = self.table_key(&pname) else {
                return Err(self.missing_table(ctx, &pname, "INHERITS / PARTITION OF"));
            };
            if ct.partition_of.is_none() {
                self.partitions.add_inheritance(&name, &pkey);
            }
            let src = &self.schema.tables[&pkey];
            for c in &src.columns {
                if let Some(mine) = table.columns.iter_mut().find(|m| m.name == c.name) {
                    mine.nullable &= c.nullable;
                    continue;
                }
                let mut c = c.clone();
                c.provenance = Provenance::new(ctx.at().clone());
                if c.generated.is_some() && ct.partition_of.is_none() {
                    c.generated = None;
                }
                if ct.partition_of.is_none()
                    && !ct
                        .columns
                        .iter()
                        .any(|own| fold(dialect, &own.name) == c.name)
                {
                    self.partitions.mark_inherited(&name, &c.name);
                }
                table.columns.push(c);
            }
            if ct.partition_of.is_some() {
                // The partition's own key indexes, named for the partition (the parent's
                // unique indexes come with its other indexes: `partition_joined`).
                table.primary_key = src.primary_key.clone();
                table.primary_key_provenance = table
                    .primary_key
                    .as_ref()
                    .map(|_| Provenance::new(ctx.at().clone()));
                table.unique = src
                    .unique
                    .iter()
                    .filter(|u| u.kind == crate::model::UniqueKind::Constraint)
                    .map(|u| UniqueConstraint {
                        name: None,
                        provenance: Provenance::new(ctx.at().clone()),
                        ..u.clone()
                    })
                    .collect();
                super::partition::inherit(src, &mut table);
                self.partitions.add(&name, &pkey);
            }
        }
        let inherited_count = table.columns.len();
        let inherited_unique = table.unique.len();
        let mut foreign_key_indexes = Vec::new();
        if dialect == crate::Dialect::Mysql {
            // Before the columns: those that name no character set take the table's.
            self.note_table_charset(&name, &ct.table_options.to_string());
        }
        for def in &ct.columns {
            let mut spec = self.column_spec(
                ctx,
                &name,
                &def.name,
                &def.data_type,
                def.options.iter().map(|o| (o.name.as_ref(), &o.option)),
            )?;
            if let Some(inherited) = table.columns[..inherited_count]
                .iter_mut()
                .find(|c| same_column(dialect, &c.name, &spec.column.name))
            {
                // A local definition of an inherited column merges with it.
                inherited.nullable &= spec.column.nullable;
                if spec.column.default.is_some() {
                    inherited.default = spec.column.default.clone();
                }
                continue;
            }
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
            self.report_unknown_type(ctx, &mut spec);
            if let Some(pk_name) = spec.primary_key.take() {
                if inline_pk.is_some() {
                    return Err(ctx.error(
                        format!("table `{name}` declares PRIMARY KEY on more than one column"),
                        "declare a composite key as a table constraint: PRIMARY KEY (a, b)",
                    ));
                }
                inline_pk = Some((spec.column.name.clone(), pk_name));
                pk_desc = spec.pk_desc;
            }
            if spec.owns_sequence {
                let seq = self.owned_sequence(ctx, Some(&table), &name, &spec.column.name);
                if spec.column.generated.is_none() {
                    spec.column.default = Some(super::sequence::nextval_default(&seq));
                }
            }
            table.unique.extend(spec.unique);
            if dialect == crate::Dialect::Mysql {
                constraint::mysql_name_uniques(&self.schema, &mut table);
            }
            for (fk, index) in spec.foreign_keys {
                foreign_key_indexes.push((table.foreign_keys.len(), index));
                table.foreign_keys.push(fk);
            }
            table.checks.extend(spec.checks);
            if dialect == crate::Dialect::Mysql {
                self.note_column_charset(&name, &spec.column.name, spec.charset);
            }
            table.columns.push(spec.column);
        }
        if let Some(selected) = selected {
            // MySQL: the defined columns the query does not give come first, then the
            // query's in its order, each as defined when the definitions name it.
            let defined = std::mem::take(&mut table.columns);
            let named = |c: &crate::model::Column, among: &[crate::model::Column]| {
                among
                    .iter()
                    .find(|d| same_column(dialect, &d.name, &c.name))
                    .cloned()
            };
            table.columns = defined
                .iter()
                .filter(|d| named(d, &selected).is_none())
                .cloned()
                .collect();
            for c in &selected {
                table
                    .columns
                    .push(named(c, &defined).unwrap_or_else(|| c.clone()));
            }
        }
        let mut env = Env {
            dialect,
            schema: &mut self.schema,
            search_path: &self.search_path,
            fk_indexes: &mut self.fk_indexes,
            relation_index: &mut self.relation_index,
            pending_fk_indexes: Some(foreign_key_indexes),
        };
        if let Some((col, pk_name)) = inline_pk {
            constraint::set_primary_key(ctx, &mut env, &mut table, vec![col], pk_name)?;
        }
        for c in &ct.constraints {
            constraint::add(ctx, &mut env, &mut table, c)?;
        }
        // MariaDB creates an index for a foreign key only when no key of the whole
        // statement (before or after it) serves it.
        let pending = env.pending_fk_indexes.take().unwrap_or_default();
        if dialect == crate::Dialect::Mysql {
            for (i, index) in pending {
                let fk = table.foreign_keys[i].clone();
                constraint::mysql_foreign_key_index(ctx, &mut env, &table, &fk, index.as_deref());
            }
        }
        if dialect == crate::Dialect::Sqlite {
            sqlite_key_not_null(&mut table, ct.without_rowid, pk_desc);
        }
        if dialect == crate::Dialect::Postgres {
            constraint::pg_merge_duplicate_keys(&mut table, inherited_unique);
        }
        constraint::assign_names(
            dialect,
            &self.schema,
            &mut self.constraint_names,
            &self.relation_index,
            &mut table,
        );
        self.relation_index.note(&name);
        self.schema.tables.insert(name.clone(), table);
        if dialect == crate::Dialect::Postgres {
            if ct.partition_by.is_some() {
                self.partitions.mark_partitioned(&name);
            }
            if let Some(parent) = &ct.partition_of
                && let Some(pkey) = self.table_key(&self.lookup_key(parent, Among::Relations))
            {
                self.partition_joined(ctx, &name, &pkey);
            }
        }
        Ok(())
    }

    /// `CREATE TABLE new LIKE old` (MySQL: a full copy of columns, keys and indexes, not
    /// foreign keys) and `CREATE TABLE new (LIKE old [INCLUDING DEFAULTS])` (PostgreSQL:
    /// columns, types and NOT NULL; defaults only when included; no keys, checks or
    /// identity).
    fn create_table_like(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        source: &str,
        inc: LikeIncludes,
    ) -> Applied {
        let Some(key) = self.table_key(source) else {
            return Err(self.missing_table(ctx, source, "CREATE TABLE ... LIKE"));
        };
        let src = &self.schema.tables[&key];
        let mut table = Table::new(
            name.to_string(),
            src.columns.clone(),
            Provenance::new(ctx.at().clone()),
        );
        for c in &mut table.columns {
            c.provenance = Provenance::new(ctx.at().clone());
        }
        if self.dialect == crate::Dialect::Postgres {
            for c in &mut table.columns {
                use crate::model::Generated;
                // A serial's sequence default follows INCLUDING DEFAULTS like any default;
                // an identity follows INCLUDING IDENTITY.
                if !inc.defaults {
                    c.default = None;
                }
                c.generated = match c.generated.take() {
                    Some(g @ Generated::Identity { .. }) => inc.identity.then_some(g),
                    Some(g @ Generated::Expression { .. }) => inc.generated.then_some(g),
                    None => None,
                };
            }
            if inc.indexes {
                // New indexes, named for the new table.
                table.primary_key = src.primary_key.clone();
                table.unique = src
                    .unique
                    .iter()
                    .map(|u| UniqueConstraint {
                        name: None,
                        ..u.clone()
                    })
                    .collect();
            }
            if inc.constraints {
                // CHECK constraints keep their names.
                table.checks = src.checks.clone();
            }
        } else {
            table.primary_key = src.primary_key.clone();
            table.primary_key_name = src.primary_key_name.clone();
            table.unique = src.unique.clone();
            table.checks = src.checks.clone();
            // MariaDB: the copy is system-versioned too (its hidden period columns).
            table.hidden_columns = src.hidden_columns.clone();
            for c in &mut table.hidden_columns {
                c.provenance = Provenance::new(ctx.at().clone());
            }
            let copied: Vec<Index> = self
                .relation_index
                .indexes_on(&self.schema, &key)
                .iter()
                .map(|k| Index {
                    table: name.to_string(),
                    provenance: Provenance::new(ctx.at().clone()),
                    ..self.schema.indexes[k].clone()
                })
                .collect();
            for ix in copied {
                let k = super::constraint::index_key(self.dialect, name, &ix.name);
                self.relation_index.note_index(&k, name);
                self.schema.indexes.insert(k, ix);
            }
        }
        let at = Provenance::new(ctx.at().clone());
        table.primary_key_provenance = table.primary_key.as_ref().map(|_| at.clone());
        for u in &mut table.unique {
            u.provenance = at.clone();
        }
        for c in &mut table.checks {
            c.provenance = at.clone();
        }
        constraint::assign_names(
            self.dialect,
            &self.schema,
            &mut self.constraint_names,
            &self.relation_index,
            &mut table,
        );
        self.relation_index.note(name);
        self.schema.tables.insert(name.to_string(), table);
        // MySQL: the copy keeps the source's character sets.
        if let Some(sets) = self.mysql_charsets.get(&key).cloned() {
            self.mysql_charsets.insert(name.to_string(), sets);
        }
        Ok(())
    }
}

/// SQLite: PRIMARY KEY does not imply NOT NULL, except where no NULL can be stored: the
/// key of a WITHOUT ROWID table, and the rowid alias (a single `INTEGER` key column,
/// which *is* the rowid, unless declared `PRIMARY KEY DESC` on the column).
/// `PRAGMA table_info` reports `notnull = 0` for the rowid alias;
/// we report what a reader observes.
fn sqlite_key_not_null(table: &mut Table, without_rowid: bool, column_pk_desc: bool) {
    let Some(pk) = table.primary_key.clone() else {
        return;
    };
    // `id INTEGER PRIMARY KEY DESC` (the column-constraint form) is not an alias.
    let rowid_alias = !without_rowid && pk.len() == 1 && !column_pk_desc;
    for c in table.columns.iter_mut().filter(|c| pk.contains(&c.name)) {
        if without_rowid || (rowid_alias && c.ty.canonical == "integer") {
            c.nullable = false;
        }
    }
}

/// Which parts `CREATE TABLE ... (LIKE src ...)` copies besides columns and NOT NULL.
#[derive(Debug, Clone, Copy, Default)]
struct LikeIncludes {
    defaults: bool,
    constraints: bool,
    indexes: bool,
    identity: bool,
    generated: bool,
}

impl LikeIncludes {
    /// Applies `INCLUDING what` (`include`) or `EXCLUDING what`.
    fn set(&mut self, what: &str, include: bool) {
        match what {
            "DEFAULTS" => self.defaults = include,
            "CONSTRAINTS" => self.constraints = include,
            "INDEXES" => self.indexes = include,
            "IDENTITY" => self.identity = include,
            "GENERATED" => self.generated = include,
            "ALL" => {
                *self = LikeIncludes {
                    defaults: include,
                    constraints: include,
                    indexes: include,
                    identity: include,
                    generated: include,
                }
            }
            // COMMENTS, COMPRESSION, STATISTICS, STORAGE do not change columns.
            _ => {}
        }
    }
}
