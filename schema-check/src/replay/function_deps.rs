//! PostgreSQL `DROP FUNCTION ... CASCADE`: functions are not modelled, but what calls one
//! in the schema is: generated columns computed with it are dropped, defaults and checks
//! that call it are removed, indexes over it (or whose predicate calls it) are dropped, as
//! the server does. Views that call it may be dropped too (the replay does not keep view
//! bodies): they become doubtful, so that creating them again is a warning, never an error.

use sqlparser::ast::DropFunction;

use super::ident::object_name;
use super::pg_typeconv::strip;
use super::{Ctx, Replayer};
use crate::Dialect;
use crate::canonical::canonical_type;
use crate::model::Generated;
use crate::types::SqlType;

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

/// How many arguments a call of one overload may pass: `min` to `max` (`None`: any
/// number, for `VARIADIC`); parameters with defaults may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    /// Parameters without a default.
    pub min: usize,
    /// All input parameters; `None` with a VARIADIC one.
    pub max: Option<usize>,
}

impl Arity {
    /// Whether a call with `n` arguments may call this overload.
    pub(crate) fn accepts(self, n: usize) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

/// Splits `text` at its top-level commas (outside parentheses and quotes).
fn top_level_parts(text: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let mut parts = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The text between the parenthesis at the start of `rest` and its match.
fn parenthesized(rest: &str) -> Option<&str> {
    let rest = rest.trim_start().strip_prefix('(')?;
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The parameter list (lower-cased, spaces collapsed) and [`Arity`] of the function
/// `name` that the lower-cased `CREATE FUNCTION` text `lower` defines.
///
/// ```
/// use schema_check::replay::function_deps::{Arity, signature};
/// let sig = |t: &str| signature(&t.to_lowercase(), "f").map(|(_, a)| a);
/// assert_eq!(sig("CREATE FUNCTION f(a int, b int DEFAULT 0) RETURNS int AS ''"), Some(Arity { min: 1, max: Some(2) }));
/// assert_eq!(sig("create function public.f(out x int, y text) returns int as ''"), Some(Arity { min: 1, max: Some(1) }));
/// assert_eq!(sig("CREATE FUNCTION f(VARIADIC xs int[]) RETURNS int AS ''"), Some(Arity { min: 0, max: None }));
/// ```
pub fn signature(lower: &str, name: &str) -> Option<(String, Arity)> {
    let at = lower
        .find(&format!("{name}("))
        .or_else(|| lower.find(&format!("{name} (")))?;
    let params = parenthesized(&lower[at + name.len()..])?;
    let (mut min, mut max) = (0, Some(0usize));
    for p in top_level_parts(params) {
        let p = p.trim();
        let first = p.split_whitespace().next().unwrap_or("");
        if first == "out" {
            continue;
        }
        if first == "variadic" {
            max = None;
            continue;
        }
        max = max.map(|m| m + 1);
        if !(p.contains(" default ") || p.contains('=')) {
            min += 1;
        }
    }
    let normalized = params.split_whitespace().collect::<Vec<_>>().join(" ");
    Some((normalized, Arity { min, max }))
}

/// The types of the input parameters of a parameter list as [`signature`] gives it (`a
/// int, out b text, c varchar(10) default 'x'`), each in canonical form where it is a
/// built-in type (`integer`, `character varying(10)`), else as written; `None` when one
/// cannot be read.
///
/// ```
/// use schema_check::replay::function_deps::parameter_types;
/// let types = |p: &str| parameter_types(p).map(|t| t.join(", "));
/// assert_eq!(types("a int, out b text, c varchar(10) default 'x'").as_deref(), Some("integer, character varying(10)"));
/// assert_eq!(types("timestamptz, in p double precision = 1").as_deref(), Some("timestamp with time zone, double precision"));
/// assert_eq!(types("inout x my_enum").as_deref(), Some("my_enum"));
/// assert_eq!(types("").as_deref(), Some(""));
/// ```
pub fn parameter_types(params: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for p in top_level_parts(params) {
        let mut words: Vec<&str> = p.split_whitespace().collect();
        match words.first().copied() {
            Some("out") => continue,
            Some("in" | "inout" | "variadic") => {
                words.remove(0);
            }
            _ => {}
        }
        if let Some(i) = words
            .iter()
            .position(|w| *w == "default" || w.starts_with('='))
        {
            words.truncate(i);
        }
        let whole = words.join(" ");
        let ty = parsed_type(&whole).or_else(|| parsed_type(&words.get(1..)?.join(" ")))?;
        out.push(ty);
    }
    Some(out)
}

/// `text` read as one data type: its canonical spelling for a built-in type, else `text`
/// itself (a type of the history's); `None` if it is not one data type.
fn parsed_type(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let mut parser = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
        .try_with_sql(text)
        .ok()?;
    let data_type = parser.parse_data_type().ok()?;
    if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return None;
    }
    let schema = crate::model::Schema::default();
    Some(
        match crate::canonical::canonical_type(crate::Dialect::Postgres, &data_type, &schema) {
            Ok(c) => c.ty.canonical,
            Err(_) => text.to_string(),
        },
    )
}

/// The type the function `name` defined by the lower-cased `CREATE FUNCTION` text `lower`
/// returns, as written (`RETURNS integer`), when it returns one value: `None` for `SETOF`,
/// `TABLE (...)`, `trigger`, `void`, `record` and a function without `RETURNS` (OUT
/// parameters).
///
/// ```
/// use schema_check::replay::function_deps::returns;
/// let r = |t: &str| returns(&t.to_lowercase(), "f");
/// assert_eq!(r("CREATE FUNCTION f(a int) RETURNS integer AS $$ select 1 $$ LANGUAGE sql").as_deref(), Some("integer"));
/// assert_eq!(r("create function f(p timestamp) returns timestamp with time zone language sql immutable return p").as_deref(), Some("timestamp with time zone"));
/// assert_eq!(r("CREATE FUNCTION f() RETURNS numeric(10, 2)\n AS 'select 1'").as_deref(), Some("numeric(10, 2)"));
/// assert_eq!(r("CREATE FUNCTION f() RETURNS SETOF int AS ''"), None);
/// assert_eq!(r("CREATE FUNCTION f() RETURNS trigger AS ''"), None);
/// ```
pub fn returns(lower: &str, name: &str) -> Option<String> {
    let at = lower
        .find(&format!("{name}("))
        .or_else(|| lower.find(&format!("{name} (")))?;
    let rest = &lower[at + name.len()..];
    let params = parenthesized(rest)?;
    // `params` is a slice of `rest`: the text after its closing parenthesis.
    let end = params.as_ptr() as usize - rest.as_ptr() as usize + params.len() + 1;
    let after = rest.get(end..)?;
    let after = after.trim_start().strip_prefix("returns")?;
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    // The type runs up to the first clause of CREATE FUNCTION (or the body).
    const CLAUSES: &[&str] = &[
        "as",
        "language",
        "immutable",
        "stable",
        "volatile",
        "strict",
        "called",
        "security",
        "external",
        "cost",
        "rows",
        "parallel",
        "leakproof",
        "not",
        "set",
        "window",
        "support",
        "transform",
        "return",
        "begin",
    ];
    let mut ty = Vec::new();
    for word in after.split_whitespace() {
        if CLAUSES.contains(&word) || word.starts_with(['$', '\'', ';']) {
            break;
        }
        ty.push(word);
    }
    let ty = ty.join(" ");
    let first = ty.split([' ', '(']).next().unwrap_or("");
    let sets = [
        "setof",
        "table",
        "trigger",
        "event_trigger",
        "void",
        "record",
    ];
    (!ty.is_empty() && !sets.contains(&first)).then_some(ty)
}

/// The argument counts of the calls of `name` in `expr`.
///
/// ```
/// use schema_check::replay::function_deps::call_arities;
/// assert_eq!(call_arities("f(1) + g(f(a, (b, c)), '(,)')", "f"), vec![1, 2]);
/// assert_eq!(call_arities("f()", "f"), vec![0]);
/// ```
pub fn call_arities(expr: &str, name: &str) -> Vec<usize> {
    let lower = expr.to_lowercase();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    lower
        .match_indices(name)
        .filter_map(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let rest = &lower[i + name.len()..];
            if before.is_some_and(is_ident) || rest.starts_with(is_ident) {
                return None;
            }
            parenthesized(rest).map(|args| top_level_parts(args).len())
        })
        .collect()
}

impl Replayer {
    /// Applies what `DROP FUNCTION ... CASCADE` drops with the function (see the module).
    pub(crate) fn drop_function_dependents(&mut self, ctx: &Ctx<'_>, df: &DropFunction) {
        for desc in &df.func_desc {
            let full = object_name(self.dialect, &desc.name);
            let name = full.rsplit('.').next().unwrap_or(&full).to_lowercase();
            // With several overloads of the name, a call belongs to the dropped one when
            // only it takes that many arguments; a call another overload could take too is
            // left be (the replay does not resolve argument types).
            let args = desc.args.as_ref().map(|a| {
                a.iter()
                    .filter(|p| !matches!(p.mode, Some(sqlparser::ast::ArgMode::Out)))
                    .count()
            });
            let overloads = self.unseen.overloads_of(&name).to_vec();
            let filter = match args {
                Some(n) if overloads.len() > 1 => {
                    let mut others = overloads.clone();
                    if let Some(i) = others.iter().position(|(_, a)| a.max == Some(n)) {
                        let (_, dropped) = others.remove(i);
                        Some((dropped, others.into_iter().map(|(_, a)| a).collect()))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            self.drop_callers(ctx, &name, filter.as_ref());
        }
        self.forget_dropped_functions(df);
    }

    /// Forgets the overloads `DROP FUNCTION` drops (PostgreSQL): those whose input
    /// parameter types are the listed ones, or every overload of a name listed without
    /// parameters (the server accepts that only for a name with one overload).
    pub(crate) fn forget_dropped_functions(&mut self, df: &DropFunction) {
        for desc in &df.func_desc {
            let full = object_name(self.dialect, &desc.name);
            let name = full.rsplit('.').next().unwrap_or(&full).to_lowercase();
            let Some(args) = &desc.args else {
                self.unseen.forget_overloads(&name, |_| true);
                continue;
            };
            let dropped: Option<Vec<SqlType>> = args
                .iter()
                .filter(|p| !matches!(p.mode, Some(sqlparser::ast::ArgMode::Out)))
                .map(|p| {
                    canonical_type(Dialect::Postgres, &p.data_type, &self.schema)
                        .ok()
                        .map(|c| strip(&c.ty))
                })
                .collect();
            let count = args
                .iter()
                .filter(|p| !matches!(p.mode, Some(sqlparser::ast::ArgMode::Out)))
                .count();
            let types_of = |params: &str| -> Option<Vec<SqlType>> {
                parameter_types(params)?
                    .iter()
                    .map(|t| self.written_type(t))
                    .collect()
            };
            let gone: Vec<String> = self
                .unseen
                .overloads_of(&name)
                .iter()
                .filter(|(params, arity)| match (&dropped, types_of(params)) {
                    (Some(d), Some(t)) => *d == t,
                    // Types the replay cannot read: by the number of parameters.
                    _ => arity.max == Some(count),
                })
                .map(|(params, _)| params.clone())
                .collect();
            self.unseen
                .forget_overloads(&name, |params| gone.iter().any(|g| g == params));
        }
    }

    fn drop_callers(&mut self, ctx: &Ctx<'_>, name: &str, overload: Option<&(Arity, Vec<Arity>)>) {
        // Whether `expr` calls the dropped function (the dropped overload, when known).
        let calls = |expr: &str, name: &str| match overload {
            None => calls(expr, name),
            Some((dropped, others)) => call_arities(expr, name)
                .into_iter()
                .any(|n| dropped.accepts(n) && !others.iter().any(|o| o.accepts(n))),
        };
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
    let mut node = String::with_capacity(name.len() + 11);
    function_node_into(name, &mut node);
    node
}

/// Appends the [`function_node`] of `name` to `out`.
pub(crate) fn function_node_into(name: &str, out: &mut String) {
    out.push_str("function ");
    out.push_str(name);
    out.push_str("()");
}
