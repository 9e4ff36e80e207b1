//! `CREATE [OR REPLACE] [MATERIALIZED] VIEW`: recorded as views (never as tables), with
//! the tables they read (for `DROP TABLE ... CASCADE`).

use std::ops::ControlFlow;

use sqlparser::ast::{CreateView, visit_relations};

use super::ident::object_name;
use super::{Applied, Ctx, Replayer};
use crate::model::{Provenance, Skipped, View};

impl Replayer {
    pub(crate) fn create_view(&mut self, ctx: &Ctx<'_>, cv: &CreateView) -> Applied {
        let dialect = self.dialect;
        let name = object_name(dialect, &cv.name);
        if let Some(t) = self.table_key(&name) {
            return Err(ctx.error(
                format!(
                    "cannot create view `{name}`: a table with that name exists (created at {})",
                    self.schema.tables[&t].provenance.created
                ),
                "choose another name for the view",
            ));
        }
        let mut deps = Vec::new();
        let _ = visit_relations(&cv.query, |rel| {
            let rel = object_name(dialect, rel);
            let key = self
                .table_key(&rel)
                .or_else(|| self.schema.views.contains_key(&rel).then(|| rel.clone()));
            if let Some(k) = key
                && k != name
                && !deps.contains(&k)
            {
                deps.push(k);
            }
            ControlFlow::<()>::Continue(())
        });
        match self.schema.views.get_mut(&name) {
            Some(existing) if cv.or_replace => {
                existing.provenance.touch(ctx.at());
                existing.materialized = cv.materialized;
            }
            Some(existing) if cv.if_not_exists => {
                let _ = existing;
                self.skipped.push(Skipped {
                    at: ctx.at().clone(),
                    reason: format!("view `{name}` already exists (IF NOT EXISTS)"),
                    first_line: ctx.stmt.first_line().to_string(),
                });
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
        self.view_graph.set(&name, deps);
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
        self.schema.views.insert(new.clone(), view);
        self.view_graph.rename(old, &new);
        for ix in self
            .schema
            .indexes
            .values_mut()
            .filter(|ix| ix.table == old)
        {
            ix.table = new.clone();
        }
        Ok(())
    }

    /// PostgreSQL `ALTER [MATERIALIZED] VIEW [IF EXISTS] name ...` that sqlparser cannot
    /// parse: `RENAME TO` renames the view; every other form (renaming a column, owner,
    /// schema options, defaults) changes no table and is skipped. Returns `false` when the
    /// statement is not an ALTER VIEW.
    pub(crate) fn alter_view_text(&mut self, ctx: &Ctx<'_>) -> bool {
        use sqlparser::tokenizer::{Token, Tokenizer};
        let lead = super::skip::leading_words(&ctx.stmt.text, 3);
        let start = if lead.starts_with("ALTER VIEW") {
            2
        } else if lead == "ALTER MATERIALIZED VIEW" {
            3
        } else {
            return false;
        };
        let Ok(tokens) = Tokenizer::new(&*self.parser, &ctx.stmt.text).tokenize() else {
            return false;
        };
        let sig: Vec<&Token> = tokens
            .iter()
            .filter(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
            .collect();
        let word = |i: usize, w: &str| matches!(sig.get(i), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
        let if_exists = word(start, "IF") && word(start + 1, "EXISTS");
        let mut i = if if_exists { start + 2 } else { start };
        let mut parts = Vec::new();
        while let Some(Token::Word(w)) = sig.get(i) {
            parts.push(sqlparser::ast::Ident {
                value: w.value.clone(),
                quote_style: w.quote_style,
                span: sqlparser::tokenizer::Span::empty(),
            });
            i += 1;
            if sig.get(i) == Some(&&Token::Period) {
                i += 1;
            } else {
                break;
            }
        }
        let name = object_name(self.dialect, &sqlparser::ast::ObjectName::from(parts));
        let renames_view = word(i, "RENAME") && word(i + 1, "TO") && sig.len() == i + 3;
        if !self.schema.views.contains_key(&name) && if_exists {
            self.skip(ctx, format!("view `{name}` does not exist (IF EXISTS)"));
            return true;
        }
        if renames_view {
            let Some(Token::Word(w)) = sig.get(i + 2) else {
                return false;
            };
            let ident = sqlparser::ast::Ident {
                value: w.value.clone(),
                quote_style: w.quote_style,
                span: sqlparser::tokenizer::Span::empty(),
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

    /// Drops the views `views` (with the indexes of materialized ones).
    pub(crate) fn drop_views(&mut self, views: &[String]) {
        if views.is_empty() {
            return;
        }
        for v in views {
            self.schema.views.remove(v);
            self.view_graph.remove(v);
        }
        let dropped: std::collections::HashSet<&str> = views.iter().map(String::as_str).collect();
        self.schema
            .indexes
            .retain(|_, ix| !dropped.contains(ix.table.as_str()));
    }
}
