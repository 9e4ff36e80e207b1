//! The replay engine: applies migration statements, one at a time and in order, to an
//! in-memory [`Schema`], the way the database would.
//!
//! Each [`Statement`] is parsed alone with sqlparser in the dialect's grammar. Statements
//! that change tables are applied; statements that cannot change a table's columns are
//! recorded as [`Skipped`]; anything that would change the schema but cannot be understood
//! or applied is a [`Diagnostic`] at the statement. Nothing is dropped silently.
//!
//! ```
//! use schema_check::replay::Replayer;
//! use schema_check::{Dialect, Location, Statement};
//!
//! let mut r = Replayer::new(Dialect::Postgres);
//! let at = Location { file: "0001_init.sql".into(), line: 1, column: 1 };
//! let text = "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)";
//! r.apply(&Statement { text: text.into(), at, source_line: text.into() });
//! let out = r.finish();
//! assert!(out.errors.is_empty());
//! let users = &out.schema.tables["users"];
//! assert_eq!(users.columns[0].ty.canonical, "bigint");
//! assert_eq!(users.primary_key, Some(vec!["id".to_string()]));
//! ```

pub mod alter_table;
mod attach;
pub mod bookkeeping;
pub mod charset;
pub mod column;
pub mod column_ops;
pub mod compat;
pub mod constraint;
mod constraint_names;
pub mod create_table;
pub mod ctas;
mod ctas_mysql;
mod ctas_mysql_ops;
mod ctas_sqlite;
pub mod declared;
mod do_block;
pub mod drop;
pub mod expr_columns;
pub mod function_deps;
pub mod ident;
pub mod index;
mod info_schema;
mod locals;
mod maps;
pub mod names;
mod partition;
mod partition_index;
mod pg_fold;
mod pg_functions;
mod pg_typeconv;
pub mod position;
mod prepared;
mod procedure_ddl;
mod query_types;
mod relation_index;
pub mod rename;
mod search_path;
mod select_texts;
pub mod sequence;
pub mod skip;
mod temporal;
mod typed_table;
pub mod types_ddl;
mod uncertain;
mod unmodelled;
pub mod view;
pub mod view_columns;
pub mod view_graph;
mod words;

#[cfg(test)]
mod tests;

use sqlparser::ast::Statement as Ast;
use sqlparser::parser::Parser;

use crate::diagnostic::{Diagnostic, Warning};
use crate::dialect::Dialect;
use crate::model::{Generated, Location, Schema, Skipped};
use crate::statement::Statement;

/// What a replay produced: the final schema, the statements skipped (and why), and the
/// errors found. A schema with errors is the best effort up to each error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayOutput {
    /// The final schema.
    pub schema: Schema,
    /// Statements that cannot change a table's columns, in replay order.
    pub skipped: Vec<Skipped>,
    /// Errors, in replay order.
    pub errors: Vec<Diagnostic>,
    /// Conflicts an earlier skipped statement could explain, in replay order.
    pub warnings: Vec<Warning>,
}

/// Replays statements into a [`Schema`]; see the module docs.
pub struct Replayer {
    dialect: Dialect,
    parser: Box<dyn sqlparser::dialect::Dialect>,
    schema: Schema,
    skipped: Vec<Skipped>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Warning>,
    /// MySQL: indexes the server created for foreign keys (see [`constraint::Env`]).
    fk_indexes: maps::HashSet<String>,
    /// Temporary and SQLite virtual tables: they exist, but are not modelled.
    unmodelled: unmodelled::Unmodelled,
    /// MySQL: each table's default character set and its columns', where known (see
    /// [`charset`]).
    mysql_charsets: maps::HashMap<String, charset::TableCharsets>,
    /// Skipped statements that may have changed the schema unseen.
    unseen: uncertain::Unseen,
    /// The relations each view reads, for `DROP ... CASCADE` (PostgreSQL).
    view_graph: view_graph::ViewGraph,
    /// Views a `DROP COLUMN ... CASCADE` may have dropped (the replay could not tell
    /// whether they read the column): where each became doubtful, and that line.
    doubtful_views: maps::HashMap<String, (crate::model::Location, String)>,
    /// `LIKE ... INCLUDING/EXCLUDING` options of the statement being applied (removed
    /// before parsing by [`compat`]).
    like_options: Vec<(bool, String)>,
    /// The statement being applied is `CREATE INDEX ... ON ONLY table` (PostgreSQL): the
    /// index is not created on the table's partitions.
    index_on_only: bool,
    /// PostgreSQL partitions and their parents, so ALTER TABLE of a parent reaches them.
    partitions: partition::Partitions,
    /// MySQL: user variables, prepared statements and procedures that build statements.
    dynamic: prepared::Dynamic,
    /// PostgreSQL: the column types of the views the replay could type, for a table
    /// created from a view.
    view_types: query_types::ViewTypes,
    /// SQLite: the statement that created each view, for a table created from a query
    /// that reads it (not in [`Snapshot`]: an entry counts only while its view exists).
    sqlite_views: ctas_sqlite::ViewTexts,
    /// PostgreSQL: the `search_path` in force and the schemas that exist.
    search_path: search_path::SearchPath,
    /// The migration tool whose bookkeeping table the replay created first, if any.
    bookkeeping: Option<bookkeeping::Tool>,
    /// The constraint names the replay's tables have had, so that generated names are
    /// checked against every table only when one may have them.
    constraint_names: constraint_names::ConstraintNames,
    /// The keys the schema's relations have had, and each table's indexes and sequences
    /// (see [`relation_index`]).
    relation_index: relation_index::RelationIndex,
    /// MySQL: a column type was declared with a display width MariaDB's CTAS arithmetic
    /// reads and the canonical types drop (`INT(20)`, see `ctas_mysql`). Only ever set: a
    /// doubt, never undone.
    mysql_display_widths: std::cell::Cell<bool>,
}

/// Everything applying statements can change, saved to undo statements the server did not
/// run or undid: a guarded dynamic statement that would fail ([`prepared`]), a `DO` block
/// whose exception handler caught an error ([`do_block`]).
pub(crate) struct Snapshot {
    schema: Schema,
    fk_indexes: maps::HashSet<String>,
    unmodelled: unmodelled::Unmodelled,
    mysql_charsets: maps::HashMap<String, charset::TableCharsets>,
    unseen: uncertain::Unseen,
    view_graph: view_graph::ViewGraph,
    doubtful_views: maps::HashMap<String, (crate::model::Location, String)>,
    partitions: partition::Partitions,
    dynamic: prepared::Dynamic,
    view_types: query_types::ViewTypes,
    search_path: search_path::SearchPath,
    skipped: usize,
    errors: usize,
    warnings: usize,
}

/// The statement being applied: where errors point.
pub(crate) struct Ctx<'a> {
    pub stmt: &'a Statement,
}

impl Ctx<'_> {
    /// The statement's location.
    pub fn at(&self) -> &Location {
        &self.stmt.at
    }

    /// An error at the statement with a hint.
    pub fn error(&self, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message)
            .at(self.stmt.at.clone())
            .with_source_line(self.stmt.source_line.clone())
            .with_help(help)
    }
}

/// The result of applying one statement.
pub(crate) type Applied = Result<(), Diagnostic>;

/// What parsing a statement alone gave ([`parse`]). Parsing needs only the dialect, so a
/// directory's statements can be parsed on several threads first and applied in order
/// after ([`Replayer::apply_parsed`]).
pub(crate) enum Parsed {
    /// A statement that cannot change a table's columns, and why (`skip::obvious_noise`).
    Noise(String),
    /// sqlparser's statements.
    Ast(Vec<Ast>),
    /// What sqlparser said; the replayer then tries its fallbacks.
    Error(sqlparser::parser::ParserError),
}

/// Parses `stmt` alone in `grammar` (a [`Dialect::parser_dialect`]); see [`Parsed`].
pub(crate) fn parse(grammar: &dyn sqlparser::dialect::Dialect, stmt: &Statement) -> Parsed {
    if let Some(reason) = skip::obvious_noise(&stmt.text) {
        return Parsed::Noise(reason);
    }
    match Parser::parse_sql(grammar, &stmt.text) {
        Ok(asts) => Parsed::Ast(asts),
        Err(e) => Parsed::Error(e),
    }
}

impl Replayer {
    /// A replayer for migrations written in `dialect`, starting from an empty schema.
    pub fn new(dialect: Dialect) -> Self {
        Replayer {
            dialect,
            parser: dialect.parser_dialect(),
            schema: Schema::default(),
            skipped: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            fk_indexes: maps::HashSet::default(),
            mysql_charsets: maps::HashMap::default(),
            unmodelled: unmodelled::Unmodelled::default(),
            unseen: uncertain::Unseen::default(),
            view_graph: view_graph::ViewGraph::default(),
            doubtful_views: maps::HashMap::default(),
            like_options: Vec::new(),
            index_on_only: false,
            partitions: partition::Partitions::default(),
            dynamic: prepared::Dynamic::default(),
            view_types: query_types::ViewTypes::default(),
            sqlite_views: ctas_sqlite::ViewTexts::default(),
            search_path: search_path::SearchPath::default(),
            bookkeeping: None,
            constraint_names: constraint_names::ConstraintNames::default(),
            relation_index: relation_index::RelationIndex::default(),
            mysql_display_widths: std::cell::Cell::new(false),
        }
    }

    /// The dialect being replayed.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The schema so far.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Parses `stmt.text` alone and applies it; records a skip or an error when it
    /// cannot (or need not) be applied.
    pub fn apply(&mut self, stmt: &Statement) {
        let parsed = parse(&*self.parser, stmt);
        self.apply_parsed(stmt, parsed);
    }

    /// Applies `stmt`, already parsed ([`parse`], possibly on another thread).
    pub(crate) fn apply_parsed(&mut self, stmt: &Statement, parsed: Parsed) {
        if self.dialect == Dialect::Mysql && self.follow_dynamic(stmt) {
            return;
        }
        if self.dialect == Dialect::Postgres && self.follow_do_block(stmt) {
            return;
        }
        let skipped_before = self.skipped.len();
        self.apply_one(stmt, parsed);
        if self.skipped.len() > skipped_before && self.skipped[skipped_before].at == stmt.at {
            self.note_unseen(stmt);
        }
    }

    fn apply_one(&mut self, stmt: &Statement, parsed: Parsed) {
        let ctx = Ctx { stmt };
        self.like_options.clear();
        self.index_on_only = false;
        self.search_path.enter(&stmt.at.file);
        if self.dialect == Dialect::Sqlite
            && let Some(name) = skip::virtual_table_name(&stmt.text)
        {
            self.unmodelled.note(&name, unmodelled::Kind::Virtual);
        }
        let parsed = match parsed {
            Parsed::Ast(_) if compat::misread(self.dialect, &stmt.text) => {
                Parsed::Error(sqlparser::parser::ParserError::ParserError(
                    "sqlparser misreads this statement".to_string(),
                ))
            }
            parsed => parsed,
        };
        match parsed {
            Parsed::Noise(reason) => self.skip(&ctx, reason),
            Parsed::Ast(asts) => self.apply_all(&ctx, asts, compat::Fixup::None),
            Parsed::Error(_)
                if self.dialect == Dialect::Postgres && self.alter_domain_text(&ctx) => {}
            Parsed::Error(_)
                if self.dialect == Dialect::Postgres && self.alter_sequence_text(&ctx) => {}
            Parsed::Error(_)
                if self.dialect == Dialect::Postgres && self.create_sequence_text(&ctx) => {}
            Parsed::Error(_) if self.dialect == Dialect::Postgres && self.alter_view_text(&ctx) => {
            }
            Parsed::Error(_) if self.dialect == Dialect::Postgres && self.attach_text(&ctx) => {}
            Parsed::Error(_)
                if self.dialect == Dialect::Postgres && self.typed_table_text(&ctx) => {}
            Parsed::Error(e) => {
                let exists = |q: compat::Exists<'_>| self.exists(q);
                let overlaps = (self.dialect == Dialect::Mysql)
                    .then(|| self.expand_overlaps(&stmt.text))
                    .flatten();
                let text = overlaps.as_deref().unwrap_or(&stmt.text);
                // The expanded text may need no other rewrite.
                let retried = overlaps
                    .as_deref()
                    .and_then(|t| Parser::parse_sql(&*self.parser, t).ok())
                    .map(|asts| (asts, compat::Fixup::None))
                    .or_else(|| {
                        compat::rewrite(self.dialect, &*self.parser, text, &exists).and_then(
                            |(text, fix)| {
                                Parser::parse_sql(&*self.parser, &text)
                                    .ok()
                                    .map(|asts| (asts, fix))
                            },
                        )
                    });
                match retried {
                    Some((asts, fix)) => self.apply_all(&ctx, asts, fix),
                    None => match skip::unparsed(&ctx, &e) {
                        Ok(skipped) => self.skipped.push(skipped),
                        Err(d) => self.errors.push(d),
                    },
                }
            }
        }
    }

    fn apply_all(&mut self, ctx: &Ctx<'_>, mut asts: Vec<Ast>, fixup: compat::Fixup) {
        if let compat::Fixup::RenameIndexes {
            table,
            renames,
            then,
        } = fixup
        {
            // The renames apply after the rest of the statement (`SELECT 1` when there is
            // no rest).
            asts.retain(|a| !matches!(a, Ast::Query(_)));
            self.apply_all(ctx, asts, *then);
            let table = ident::fold(self.dialect, &sqlparser::ast::Ident::new(table.as_str()));
            for (old, new) in renames {
                if let Err(d) = self.rename_mysql_index(ctx, &table, &old, &new) {
                    self.errors.push(d);
                }
            }
            return;
        }
        if let compat::Fixup::Temporal {
            table,
            row_columns,
            versioned,
            periods,
            dropped_periods,
            then,
        } = fixup
        {
            // A placeholder `SELECT 1` stands for a statement of temporal clauses only.
            asts.retain(|a| !matches!(a, Ast::Query(_)));
            let mut tables: Vec<String> = asts
                .iter()
                .filter_map(|a| match a {
                    Ast::CreateTable(ct) => Some(&ct.name),
                    Ast::AlterTable(at) => Some(&at.name),
                    _ => None,
                })
                .map(|name| ident::object_name(self.dialect, name))
                .collect();
            if tables.is_empty() {
                tables.push(ident::fold(
                    self.dialect,
                    &sqlparser::ast::Ident::new(table.as_str()),
                ));
            }
            self.apply_all(ctx, asts, *then);
            for name in tables {
                if let Some(key) = self.table_key(&name) {
                    self.row_period(&key, &row_columns);
                    self.temporal(ctx, &key, versioned, &periods, &dropped_periods);
                }
            }
            return;
        }
        if let compat::Fixup::Unversion { table, then } = fixup {
            let name = ident::fold(self.dialect, &sqlparser::ast::Ident::new(table.as_str()));
            if let Some(t) = self
                .table_key(&name)
                .and_then(|key| self.schema.tables.get_mut(&key))
            {
                let row_end: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| {
                        matches!(&c.generated, Some(crate::model::Generated::Expression { expr, .. }) if expr == "ROW END")
                    })
                    .map(|c| c.name.clone())
                    .collect();
                let keys = t
                    .primary_key
                    .iter_mut()
                    .chain(t.unique.iter_mut().map(|u| &mut u.columns));
                for columns in keys {
                    columns.retain(|c| !row_end.contains(c));
                }
                t.hidden_columns.clear();
            }
            asts.retain(|a| !matches!(a, Ast::Query(_)));
            return self.apply_all(ctx, asts, *then);
        }
        if let compat::Fixup::SkippedClauses { notes, then } = fixup {
            for reason in notes {
                self.skip(ctx, reason);
            }
            return self.apply_all(ctx, asts, *then);
        }
        if let compat::Fixup::AddColumnIfNotExists(names) = &fixup {
            for ast in &mut asts {
                if let Ast::AlterTable(at) = ast {
                    for op in &mut at.operations {
                        if let sqlparser::ast::AlterTableOperation::AddColumn {
                            if_not_exists,
                            column_def,
                            ..
                        } = op
                            && names
                                .iter()
                                .any(|n| n.eq_ignore_ascii_case(&column_def.name.value))
                        {
                            *if_not_exists = true;
                        }
                    }
                }
            }
        }
        if fixup == compat::Fixup::IndexOnly {
            self.index_on_only = true;
        }
        if let compat::Fixup::LikeOptions(options) = &fixup {
            self.like_options = options.clone();
        }
        if let compat::Fixup::Charset {
            table,
            charset,
            convert,
        } = &fixup
        {
            // The conversion applies to the columns the table had; the statement's other
            // clauses define theirs in the new character set.
            let name = ident::fold(self.dialect, &sqlparser::ast::Ident::new(table.as_str()));
            if *convert {
                self.convert_charset(ctx, &name, charset);
            } else {
                self.set_table_charset(&name, charset);
            }
            for ast in asts.iter().filter(|a| !matches!(a, Ast::Query(_))) {
                if let Err(d) = self.apply_ast(ctx, ast) {
                    self.errors.push(d);
                }
            }
            return;
        }
        if let compat::Fixup::Skip(reason) = &fixup {
            self.skip(ctx, reason.clone());
            return;
        }
        for ast in &asts {
            if matches!(
                (&fixup, ast),
                (compat::Fixup::ColumnGenerated { .. }, Ast::Query(_))
            ) {
                // The placeholder of a statement whose every action the fixup carries.
                continue;
            }
            if let (compat::Fixup::IndexIfExists, Ast::AlterIndex { name, .. }) = (&fixup, ast) {
                let key = ident::object_name(self.dialect, name);
                if !self.index_exists(&key) {
                    self.skip(
                        ctx,
                        format!("index `{key}` does not exist (ALTER INDEX IF EXISTS)"),
                    );
                    continue;
                }
            }
            match self.apply_ast(ctx, ast) {
                Ok(()) => {
                    if self.dialect == Dialect::Mysql {
                        // A key defined on a system-versioned table ends with its ROW END.
                        let table = match ast {
                            Ast::AlterTable(at) => Some(&at.name),
                            Ast::CreateIndex(ci) => Some(&ci.table_name),
                            _ => None,
                        };
                        if let Some(key) =
                            table.and_then(|t| self.table_key(&ident::object_name(self.dialect, t)))
                        {
                            self.row_end_keys(&key);
                        }
                    }
                    if let (compat::Fixup::DomainNotNull, Ast::CreateDomain(cd)) = (&fixup, ast) {
                        let name = ident::object_name(self.dialect, &cd.name);
                        if let Some(d) = self.schema.domains.get_mut(&name) {
                            d.not_null = true;
                        }
                    }
                }
                Err(d) => self.errors.push(d),
            }
        }
        if let compat::Fixup::ColumnGenerated { table, changes } = &fixup {
            self.column_generated(table, changes);
        }
    }

    /// Applies `ALTER COLUMN ... DROP IDENTITY | DROP EXPRESSION | SET GENERATED` to the
    /// columns of `table` (as written); nothing when the table or a column is unknown (the
    /// statement's other actions report that).
    fn column_generated(
        &mut self,
        table: &sqlparser::ast::ObjectName,
        changes: &[(sqlparser::ast::Ident, compat::GeneratedChange)],
    ) {
        let name = ident::object_name(self.dialect, table);
        let Some(key) = self.table_key(&name) else {
            return;
        };
        let dialect = self.dialect;
        let Some(t) = self.schema.tables.get_mut(&key) else {
            return;
        };
        for (column, change) in changes {
            let col_name = ident::fold(dialect, column);
            let Some(c) = t.columns.iter_mut().find(|c| c.name == col_name) else {
                continue;
            };
            match (change, &c.generated) {
                (compat::GeneratedChange::DropIdentity, Some(Generated::Identity { .. }))
                | (compat::GeneratedChange::DropExpression, Some(Generated::Expression { .. })) => {
                    c.generated = None;
                }
                (
                    compat::GeneratedChange::SetGenerated(always),
                    Some(Generated::Identity { .. }),
                ) => {
                    c.generated = Some(Generated::Identity { always: *always });
                }
                _ => {}
            }
        }
    }

    /// Records the statement of `ctx` as skipped, for `reason`.
    pub(crate) fn skip(&mut self, ctx: &Ctx<'_>, reason: String) {
        self.skipped.push(Skipped {
            at: ctx.at().clone(),
            reason,
            first_line: ctx.stmt.first_line().to_string(),
        });
    }

    /// Records `stmt`, which the replay did not follow with certainty, as a possible cause
    /// of later conflicts (see [`uncertain`]).
    fn note_unseen(&mut self, stmt: &Statement) {
        let words = skip::leading_words(&stmt.text, 4);
        self.unseen
            .skipped(&stmt.at, stmt.first_line(), &stmt.text, &words);
    }

    /// Saves everything applying statements can change (see [`Snapshot`]).
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            schema: self.schema.clone(),
            fk_indexes: self.fk_indexes.clone(),
            unmodelled: self.unmodelled.clone(),
            mysql_charsets: self.mysql_charsets.clone(),
            unseen: self.unseen.clone(),
            view_graph: self.view_graph.clone(),
            doubtful_views: self.doubtful_views.clone(),
            partitions: self.partitions.clone(),
            dynamic: self.dynamic.clone(),
            view_types: self.view_types.clone(),
            search_path: self.search_path.clone(),
            skipped: self.skipped.len(),
            errors: self.errors.len(),
            warnings: self.warnings.len(),
        }
    }

    /// Whether an error was recorded since `saved` was taken.
    pub(crate) fn failed_since(&self, saved: &Snapshot) -> bool {
        self.errors.len() > saved.errors
    }

    /// Returns to `saved`: what was applied since, and what it recorded, is undone.
    pub(crate) fn restore(&mut self, saved: Snapshot) {
        let Snapshot {
            schema,
            fk_indexes,
            unmodelled,
            mysql_charsets,
            unseen,
            view_graph,
            doubtful_views,
            partitions,
            dynamic,
            view_types,
            search_path,
            skipped,
            errors,
            warnings,
        } = saved;
        self.schema = schema;
        self.relation_index = relation_index::RelationIndex::of(&self.schema);
        self.fk_indexes = fk_indexes;
        self.unmodelled = unmodelled;
        self.mysql_charsets = mysql_charsets;
        self.unseen = unseen;
        self.view_graph = view_graph;
        self.doubtful_views = doubtful_views;
        self.partitions = partitions;
        self.dynamic = dynamic;
        self.view_types = view_types;
        self.search_path = search_path;
        self.skipped.truncate(skipped);
        self.errors.truncate(errors);
        self.warnings.truncate(warnings);
    }

    /// Ends the replay.
    pub fn finish(mut self) -> ReplayOutput {
        self.forget_tool_table();
        ReplayOutput {
            schema: self.schema,
            skipped: self.skipped,
            errors: self.errors,
            warnings: self.warnings,
        }
    }

    fn apply_ast(&mut self, ctx: &Ctx<'_>, ast: &Ast) -> Applied {
        if self.follow_search_path(ctx, ast) {
            return Ok(());
        }
        let qualified = self.qualify_query(ast);
        let ast = qualified.as_ref().unwrap_or(ast);
        match ast {
            Ast::CreateTable(ct) => self.create_table(ctx, ct),
            Ast::AlterTable(at) => self.alter_table(ctx, at),
            Ast::Drop {
                temporary: true,
                names,
                ..
            } => {
                // MySQL `DROP TEMPORARY TABLE` drops only temporary tables, which the
                // replay does not model.
                for n in names {
                    self.unmodelled.forget(&ident::object_name(self.dialect, n));
                }
                self.skip(
                    ctx,
                    "DROP TEMPORARY TABLE drops no permanent table".to_string(),
                );
                Ok(())
            }
            Ast::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                table,
                ..
            } => self.drop_objects(
                ctx,
                *object_type,
                *if_exists,
                names,
                *cascade,
                table.as_ref(),
            ),
            Ast::RenameTable(renames) => self.rename_tables(ctx, renames),
            Ast::CreateIndex(ci) => self.create_index(ctx, ci),
            Ast::CreateView(cv) => {
                self.create_view(ctx, cv)?;
                if self.dialect == Dialect::Postgres {
                    self.note_view_types(cv);
                }
                if self.dialect == Dialect::Sqlite {
                    let name = self.create_key(&cv.name);
                    if let Some(view) = self.schema.views.get(&name) {
                        self.sqlite_views
                            .note(&name, &view.provenance.created, &ctx.stmt.text);
                    }
                }
                Ok(())
            }
            Ast::CreateType {
                name,
                representation,
            } => self.create_type(ctx, name, representation.as_ref()),
            Ast::AlterType(at) => self.alter_type(ctx, at),
            Ast::CreateDomain(cd) => self.create_domain(ctx, cd),
            Ast::CreateSequence {
                temporary,
                if_not_exists,
                name,
                owned_by,
                ..
            } if self.dialect == Dialect::Postgres => {
                self.create_sequence(ctx, name, *if_not_exists, *temporary, owned_by.as_ref())
            }
            Ast::DropDomain(dd) => self.drop_domain(ctx, dd),
            Ast::DropFunction(df)
                if self.dialect == Dialect::Postgres
                    && matches!(
                        df.drop_behavior,
                        Some(sqlparser::ast::DropBehavior::Cascade)
                    ) =>
            {
                self.drop_function_dependents(ctx, df);
                self.skip(
                    ctx,
                    "DROP FUNCTION ... CASCADE: functions are not modelled (what \
                             called it in columns, checks and indexes was dropped with it)"
                        .to_string(),
                );
                Ok(())
            }
            Ast::DropFunction(df) if self.dialect == Dialect::Postgres => {
                self.forget_dropped_functions(df);
                self.skip(ctx, skip::classify(ast).unwrap_or_default());
                Ok(())
            }
            Ast::AlterIndex {
                name,
                operation: sqlparser::ast::AlterIndexOperation::RenameIndex { index_name },
            } => self.rename_index(ctx, name, index_name),
            Ast::Rollback { .. } => Err(ctx.error(
                "ROLLBACK inside a migration undoes earlier statements, which schema-check \
                 cannot follow",
                "remove the ROLLBACK (migration tools run each file in its own transaction), \
                 or remove the statements it undoes",
            )),
            other => match skip::classify(other) {
                Some(reason) => {
                    self.skip(ctx, reason);
                    Ok(())
                }
                None => Err(ctx.error(
                    format!(
                        "`{}` may change tables and is not supported by schema-check",
                        skip::leading_words(&ctx.stmt.text, 3)
                    ),
                    "express the change with CREATE/ALTER/DROP TABLE, or report the statement \
                     form as a schema-check issue",
                )),
            },
        }
    }

    /// Whether the object a MariaDB clause condition names exists (`None`: unknown table).
    /// MySQL compares column, index and constraint names without regard to case.
    fn exists(&self, q: compat::Exists<'_>) -> Option<bool> {
        let (compat::Exists::Index { table, .. }
        | compat::Exists::ForeignKey { table, .. }
        | compat::Exists::Check { table, .. }
        | compat::Exists::Column { table, .. }) = q;
        let key = self.table_key(&ident::fold(
            self.dialect,
            &sqlparser::ast::Ident::new(table),
        ))?;
        let t = self.schema.tables.get(&key)?;
        let same = |n: Option<&str>, name: &str| n.is_some_and(|n| n.eq_ignore_ascii_case(name));
        Some(match q {
            compat::Exists::Column { name, .. } => {
                t.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
            }
            compat::Exists::ForeignKey { name, .. } => {
                t.foreign_keys.iter().any(|f| same(f.name.as_deref(), name))
            }
            compat::Exists::Check { name, .. } => {
                t.checks.iter().any(|c| same(c.name.as_deref(), name))
            }
            compat::Exists::Index { name, .. } => {
                let prefix = format!("{key}.");
                (name.eq_ignore_ascii_case("PRIMARY") && t.primary_key.is_some())
                    || same(t.primary_key_name.as_deref(), name)
                    || t.unique.iter().any(|u| same(u.name.as_deref(), name))
                    || self.schema.indexes.keys().any(|k| {
                        k.strip_prefix(&prefix)
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    })
            }
        })
    }

    /// The table `name` denotes (as [`Self::table_key`] finds it), without copying its key.
    pub(crate) fn table(&self, name: &str) -> Option<&crate::model::Table> {
        match self.schema.tables.get(name) {
            Some(t) => Some(t),
            // Only SQLite finds a table under another spelling (see `table_key`).
            None if self.dialect == Dialect::Sqlite => self
                .table_key(name)
                .and_then(|k| self.schema.tables.get(&k)),
            None => None,
        }
    }

    /// The key of the table `name` (canonical) in the schema, if it exists.
    pub(crate) fn table_key(&self, name: &str) -> Option<String> {
        table_key_in(&self.schema.tables, self.dialect, name).map(str::to_string)
    }

    /// An error for a statement about a table that does not exist, explaining where it
    /// went when the history knows.
    pub(crate) fn missing_table(&self, ctx: &Ctx<'_>, name: &str, what: &str) -> Diagnostic {
        use crate::model::HistoryEvent;
        let fate = self.schema.history.iter().rev().find_map(|e| match e {
            HistoryEvent::TableDropped { table, at } if table == name => {
                Some(format!("it was dropped at {at}"))
            }
            HistoryEvent::TableRenamed { from, to, at } if from == name => {
                Some(format!("it was renamed to `{to}` at {at}"))
            }
            _ => None,
        });
        let help = match fate {
            Some(f) => format!("{f}; use its current name or create it first"),
            None if what == "ALTER TABLE" || what == "DROP TABLE" => format!(
                "create the table in an earlier migration, or use `{what} IF EXISTS` when its \
                 absence is expected"
            ),
            None => "create the table in an earlier migration (check the name's spelling and \
                     schema)"
                .to_string(),
        };
        ctx.error(format!("table `{name}` does not exist"), help)
    }
}

/// The key of the table of `tables` that `name` denotes in `dialect`, if any: the name
/// itself, or (SQLite) the table of that name in another case.
pub(crate) fn table_key_in<'t, V>(
    tables: &'t std::collections::BTreeMap<String, V>,
    dialect: Dialect,
    name: &str,
) -> Option<&'t str> {
    if let Some((key, _)) = tables.get_key_value(name) {
        return Some(key);
    }
    if dialect == Dialect::Sqlite {
        return tables
            .keys()
            .find(|k| ident::same_table(dialect, k, name))
            .map(String::as_str);
    }
    None
}
