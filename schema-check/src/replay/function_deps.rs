//! PostgreSQL `DROP FUNCTION ... CASCADE`: functions are not modelled, but what calls one
//! in the schema is: generated columns computed with it are dropped, defaults and checks
//! that call it are removed, indexes over it (or whose predicate calls it) are dropped, as
//! the server does. Views that call it may be dropped too (the replay does not keep view
//! bodies): they become doubtful, so that creating them again is a warning, never an error.

use sqlparser::ast::DropFunction;

use super::ident::object_name;
use super::{Ctx, Replayer};
use crate::model::Generated;

/// Whether `expr` calls the function `name` (`name(` as a whole word, case-insensitive).
///
/// ```
/// use schema_check::replay::function_deps::calls;
/// assert!(calls("twice(id) + 1", "twice"));
/// assert!(calls("public.Twice (id)", "twice"));
/// assert!(!calls("twice_more(id)", "twice"));
/// assert!(!calls("twice + 1", "twice"));
/// ```
pub fn calls(expr: &str, name: &str) -> bool {
    let lower = expr.to_lowercase();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    lower.match_indices(name).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let rest = &lower[i + name.len()..];
        !before.is_some_and(is_ident)
            && !rest.starts_with(is_ident)
            && rest.trim_start().starts_with('(')
    })
}

impl Replayer {
    /// Applies what `DROP FUNCTION ... CASCADE` drops with the function (see the module).
    pub(crate) fn drop_function_dependents(&mut self, ctx: &Ctx<'_>, df: &DropFunction) {
        for desc in &df.func_desc {
            let full = object_name(self.dialect, &desc.name);
            let name = full.rsplit('.').next().unwrap_or(&full).to_lowercase();
            self.drop_callers(ctx, &name);
        }
    }

    fn drop_callers(&mut self, ctx: &Ctx<'_>, name: &str) {
        let generated: Vec<(String, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns.iter().filter_map(|c| match &c.generated {
                    Some(Generated::Expression { expr, .. }) if calls(expr, name) => {
                        Some((t.name.clone(), c.name.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        for (t, c) in generated {
            if let Err(e) = self.drop_column(ctx, &t, &c, true, true) {
                self.errors.push(e);
            }
        }
        for t in self.schema.tables.values_mut() {
            let mut touched = false;
            for c in &mut t.columns {
                if c.default.as_deref().is_some_and(|d| calls(d, name)) {
                    c.default = None;
                    c.provenance.touch(ctx.at());
                    touched = true;
                }
            }
            let before = t.checks.len();
            t.checks.retain(|c| !calls(&c.expr, name));
            if touched || t.checks.len() != before {
                t.provenance.touch(ctx.at());
            }
        }
        self.schema.indexes.retain(|_, ix| {
            !(ix.columns.iter().any(|c| calls(c, name))
                || ix.predicate.as_deref().is_some_and(|p| calls(p, name)))
        });
        let callers = self.view_graph.dependents(&function_node(name));
        for v in callers {
            self.doubtful_views
                .insert(v, (ctx.at().clone(), ctx.stmt.first_line().to_string()));
        }
    }
}

/// The [`super::view_graph::ViewGraph`] node standing for the function `name` (views are
/// recorded as reading the functions they call).
pub(crate) fn function_node(name: &str) -> String {
    format!("function {name}()")
}
