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
        self.view_deps.insert(name, deps);
        Ok(())
    }
}

impl Replayer {
    /// Every view built on `name` (a table or a view), directly or through other views,
    /// in the order they must be dropped (dependents of dependents first is not needed:
    /// all are dropped together).
    pub(crate) fn dependent_views(&self, name: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let mut frontier = vec![name.to_string()];
        while let Some(n) = frontier.pop() {
            for (view, deps) in &self.view_deps {
                if deps.contains(&n) && !found.contains(view) && view != name {
                    found.push(view.clone());
                    frontier.push(view.clone());
                }
            }
        }
        found
    }

    /// Drops the views `views` (with the indexes of materialized ones).
    pub(crate) fn drop_views(&mut self, views: &[String]) {
        for v in views {
            self.schema.views.remove(v);
            self.view_deps.remove(v);
            self.schema.indexes.retain(|_, ix| &ix.table != v);
        }
    }
}
