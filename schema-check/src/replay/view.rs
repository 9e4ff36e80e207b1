//! `CREATE [OR REPLACE] [MATERIALIZED] VIEW`: recorded as views (never as tables), with
//! the tables they read (for `DROP TABLE ... CASCADE`).

use sqlparser::ast::CreateView;

use super::{Applied, Ctx, Replayer};
use crate::model::{Provenance, View};

impl Replayer {
    pub(crate) fn create_view(&mut self, ctx: &Ctx<'_>, cv: &CreateView) -> Applied {
        let dialect = self.dialect;
        // PostgreSQL alone refuses or cascades over the columns a view reads: elsewhere no
        // name resolves to a table, and no column is looked up.
        let pg = dialect == crate::Dialect::Postgres;
        let tables = &self.schema.tables;
        let (names, uses) = super::view_columns::view_reads(dialect, &cv.query, |n| {
            let key = super::table_key_in(tables, dialect, n).filter(|_| pg)?;
            let columns = tables[key].columns.iter().map(|c| c.name.as_str());
            Some((key, columns))
        });
        let relations: Vec<&str> = names.relations().collect();
        if self.is_temporary_view(cv, &relations) {
            let name = super::ident::object_name(dialect, &cv.name);
            self.unmodelled
                .note(&name, super::unmodelled::Kind::TemporaryView);
            self.skip(
                ctx,
                format!(
                    "temporary view `{name}` is not modelled (it does not outlive the session)"
                ),
            );
            return Ok(());
        }
        let name = self.create_key(&cv.name);
        if let Some(t) = self.table_key(&name) {
            return Err(ctx.error(
                format!(
                    "cannot create view `{name}`: a table with that name exists (created at {})",
                    self.schema.tables[&t].provenance.created
                ),
                "choose another name for the view",
            ));
        }
        let doubtful = self.doubtful_views.remove(&name);
        match self.schema.views.get_mut(&name) {
            Some(existing) if cv.or_replace || doubtful.is_some() => {
                if let Some((cause, cause_line)) = doubtful.filter(|_| !cv.or_replace) {
                    self.warnings.push(crate::diagnostic::Warning {
                        message: format!(
                            "view `{name}` is created again; the replay could not tell whether an \
                             earlier DROP COLUMN ... CASCADE dropped it, and takes it that it did"
                        ),
                        location: ctx.at().clone(),
                        source_line: ctx.stmt.source_line.clone(),
                        cause,
                        cause_line,
                        cause_note: "the column dropped with CASCADE; the view may have \
                                     read it"
                            .to_string(),
                        help: "qualify the view's column names with their table (`t.col`) to let \
                               the replay see which columns it reads (strict mode makes this an error)"
                            .to_string(),
                    });
                }
                existing.provenance.touch(ctx.at());
                existing.materialized = cv.materialized;
            }
            Some(existing) if cv.if_not_exists => {
                let _ = existing;
                self.skip(ctx, format!("view `{name}` already exists (IF NOT EXISTS)"));
                return Ok(());
            }
            Some(existing) => {
                let error = ctx.error(
                    format!(
                        "view `{name}` already exists (created at {})",
                        existing.provenance.created
                    ),
                    "use CREATE OR REPLACE VIEW, or drop the view first",
                );
                return self.conflict(ctx, &name, error);
            }
            None => {
                self.relation_index.note(&name);
                self.schema.views.insert(
                    name.clone(),
                    View {
                        name: name.clone(),
                        materialized: cv.materialized,
                        provenance: Provenance::new(ctx.at().clone()),
                    },
                );
            }
        }
        // What it reads: the functions it calls (for DROP FUNCTION ... CASCADE, by their
        // bare lower-case names), the tables and views.
        let functions: Vec<std::borrow::Cow<str>> = names
            .functions()
            .map(|full| {
                let bare = full.rsplit('.').next().unwrap_or(full);
                if bare
                    .bytes()
                    .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
                {
                    bare.into()
                } else {
                    bare.to_lowercase().into()
                }
            })
            .collect();
        let (tables, views) = (&self.schema.tables, &self.schema.views);
        let relations = relations.iter().filter_map(|rel| {
            super::table_key_in(tables, dialect, rel)
                .or_else(|| views.get_key_value(*rel).map(|(k, _)| k.as_str()))
                .filter(|k| *k != name)
        });
        let uses = if pg { uses } else { Default::default() };
        self.view_graph.set(
            &name,
            functions.iter().map(|f| f.as_ref()),
            relations,
            &uses,
        );
        Ok(())
    }

    /// Renames the view `old` to `new` (`ALTER [MATERIALIZED] VIEW ... RENAME TO`, and
    /// `ALTER TABLE` / `RENAME TABLE` of a view), following the views built on it and the
    /// indexes of a materialized view.
    pub(crate) fn rename_view(&mut self, ctx: &Ctx<'_>, old: &str, new: &str) -> Applied {
        let new = match old.rsplit_once('.') {
            // PostgreSQL: the view stays in its schema.
            Some((schema, _)) if self.dialect == crate::Dialect::Postgres && !new.contains('.') => {
                format!("{schema}.{new}")
            }
            _ => new.to_string(),
        };
        if let Some(t) = self.table_key(&new) {
            return Err(ctx.error(
                format!(
                    "cannot rename view `{old}` to `{new}`: a table with that name exists (created at {})",
                    self.schema.tables[&t].provenance.created
                ),
                "choose another name",
            ));
        }
        if let Some(v) = self.schema.views.get(&new) {
            return Err(ctx.error(
                format!(
                    "cannot rename view `{old}` to `{new}`: view `{new}` exists (created at {})",
                    v.provenance.created
                ),
                "choose another name, or drop the other view first",
            ));
        }
        let Some(mut view) = self.schema.views.remove(old) else {
            let error = ctx.error(
                format!("view `{old}` does not exist"),
                "create the view first, or use ALTER VIEW IF EXISTS",
            );
            return self.conflict(ctx, old, error);
        };
        view.name = new.clone();
        view.provenance.touch(ctx.at());
        self.relation_index.note(&new);
        self.schema.views.insert(new.clone(), view);
        self.view_graph.rename(old, &new);
        for k in self.relation_index.indexes_on(&self.schema, old) {
            if let Some(ix) = self.schema.indexes.get_mut(&k) {
                ix.table.clone_from(&new);
                self.relation_index.note_index(&k, &new);
            }
        }
        self.relation_index.forget_indexes(&self.schema, old);
        Ok(())
    }

    /// PostgreSQL `ALTER [MATERIALIZED] VIEW [IF EXISTS] name ...` that sqlparser cannot
    /// parse: `RENAME TO` renames the view; every other form (renaming a column, owner,
    /// schema options, defaults) changes no table and is skipped. Returns `false` when the
    /// statement is not an ALTER VIEW.
    pub(crate) fn alter_view_text(&mut self, ctx: &Ctx<'_>) -> bool {
        let lead = super::skip::leading_words(&ctx.stmt.text, 3);
        let start = if lead.starts_with("ALTER VIEW") {
            2
        } else if lead == "ALTER MATERIALIZED VIEW" {
            3
        } else {
            return false;
        };
        let Some(sig) = super::words::Words::of(&*self.parser, &ctx.stmt.text) else {
            return false;
        };
        let word = |i: usize, w: &str| sig.is(i, w);
        let if_exists = word(start, "IF") && word(start + 1, "EXISTS");
        let i = if if_exists { start + 2 } else { start };
        let (name, i) = sig.name_at(i).unwrap_or_else(|| {
            (
                sqlparser::ast::ObjectName::from(Vec::<sqlparser::ast::Ident>::new()),
                i,
            )
        });
        let name = self.lookup_key(&name, super::search_path::Among::Relations);
        let renames_view = word(i, "RENAME") && word(i + 1, "TO") && sig.len() == i + 3;
        if !self.schema.views.contains_key(&name) && if_exists {
            self.skip(ctx, format!("view `{name}` does not exist (IF EXISTS)"));
            return true;
        }
        if renames_view {
            let Some(ident) = sig.ident(i + 2) else {
                return false;
            };
            let new = super::ident::fold(self.dialect, &ident);
            if let Err(e) = self.rename_view(ctx, &name, &new) {
                self.errors.push(e);
            }
            return true;
        }
        if !self.schema.views.contains_key(&name) {
            let error = ctx.error(
                format!("view `{name}` does not exist"),
                "create the view first, or use ALTER VIEW IF EXISTS",
            );
            if let Err(e) = self.conflict(ctx, &name, error) {
                self.errors.push(e);
            }
            return true;
        }
        self.skip(
            ctx,
            format!(
                "{} cannot change table columns",
                super::skip::leading_words(&ctx.stmt.text, start)
            ),
        );
        true
    }
}

impl Replayer {
    /// Every view built on `name` (a table or a view), directly or through other views,
    /// in the order they must be dropped (dependents of dependents first is not needed:
    /// all are dropped together).
    pub(crate) fn dependent_views(&self, name: &str) -> Vec<String> {
        self.view_graph.dependents(name)
    }

    /// PostgreSQL, before column `col` of table `key` is dropped: refuses when a view surely
    /// reads it, unless `cascade`, which drops those views and the views built on them; a
    /// view that only may read it is kept, and marked doubtful (see
    /// [`super::view_columns`]): a later `CREATE VIEW` of it replaces it with a warning.
    pub(crate) fn drop_column_views(
        &mut self,
        ctx: &Ctx<'_>,
        key: &str,
        col: &str,
        cascade: bool,
    ) -> Applied {
        if self.dialect != crate::Dialect::Postgres {
            return Ok(());
        }
        let (sure, maybe) = self.view_graph.column_readers(key, col);
        if !sure.is_empty() && !cascade {
            let error = ctx.error(
                format!(
                    "cannot drop column `{col}` of `{key}`: view(s) {} read it",
                    quoted(&sure)
                ),
                "drop the views first (and create them again after), or use DROP COLUMN ... CASCADE",
            );
            self.dependents_unseen(ctx, &sure, error)?;
        }
        let mut gone = Vec::new();
        for v in &sure {
            if !gone.contains(v) {
                gone.push(v.clone());
            }
            for d in self.dependent_views(v) {
                if !gone.contains(&d) {
                    gone.push(d);
                }
            }
        }
        self.drop_views(&gone);
        if cascade {
            for v in maybe.iter().filter(|v| !gone.contains(v)) {
                let mut unsure = self.dependent_views(v);
                unsure.push(v.clone());
                for u in unsure {
                    self.doubtful_views
                        .insert(u, (ctx.at().clone(), ctx.stmt.first_line().to_string()));
                }
            }
        }
        Ok(())
    }

    /// PostgreSQL refuses to change the type of a column a view reads ("cannot alter type
    /// of a column used by a view or rule").
    pub(crate) fn refuse_type_change_under_views(
        &self,
        ctx: &Ctx<'_>,
        key: &str,
        col: &str,
    ) -> Applied {
        if self.dialect != crate::Dialect::Postgres {
            return Ok(());
        }
        let (sure, _) = self.view_graph.column_readers(key, col);
        if sure.is_empty() {
            return Ok(());
        }
        Err(ctx.error(
            format!(
                "cannot change the type of column `{col}` of `{key}`: view(s) {} read it \
                 (PostgreSQL: cannot alter type of a column used by a view or rule)",
                quoted(&sure)
            ),
            "drop the views first and create them again after the change",
        ))
    }

    /// Drops the views `views` (with the indexes of materialized ones).
    pub(crate) fn drop_views(&mut self, views: &[String]) {
        if views.is_empty() {
            return;
        }
        let mut materialized = false;
        for v in views {
            materialized |= self.schema.views.remove(v).is_some_and(|v| v.materialized);
            self.view_graph.remove(v);
            self.doubtful_views.remove(v);
        }
        // Only materialized views have indexes (`create_index`): when none was dropped,
        // there is nothing to look for.
        if !materialized {
            return;
        }
        for v in views {
            self.drop_indexes_of(v);
        }
    }
}

/// `` `a`, `b` ``.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
