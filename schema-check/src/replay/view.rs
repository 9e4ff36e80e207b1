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
            if let Some(k) = self.table_key(&rel)
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
