//! The columns a PostgreSQL query gives a table created from it (`CREATE TABLE t AS
//! SELECT ...`): each output column's name and type, as the server derives them, for the
//! queries [`super::ctas`] does not copy column by column: expressions, aggregates,
//! `UNION [ALL]`, joins and subqueries in `FROM`.
//!
//! - Names: the alias, else what `FigureColname` gives ([`super::names::figure_colname`]),
//!   else `?column?`; a `UNION` takes its first branch's names.
//! - Types: a column reference has its column's type; a cast (`x::t`, `CAST(x AS t)`)
//!   has `t`; `max`/`min` the type of their argument; `count` is `bigint`; `sum` of
//!   `smallint`/`integer` is `bigint`, of `bigint`/`numeric` is `numeric`; comparisons,
//!   `AND`/`OR`/`NOT`, `IS [NOT] NULL`, `IN`, `BETWEEN`, `LIKE` and `EXISTS` are
//!   `boolean`; `now()` (and the other clocks, `to_timestamp`) is `timestamp with time
//!   zone`; built-ins whose result type is fixed have it (`length` `integer`, `concat`,
//!   `format`, `to_char` `text`, `lower`, `substr`, `trim` and the like `text` of a
//!   character string, `gen_random_uuid` `uuid`, `random`/`date_part` `double precision`,
//!   `current_date` `date`, the `json`/`jsonb` builders theirs); `coalesce`/`greatest`/`least` the
//!   common type of their arguments; `+`, `-`, `*` over integers and `numeric` the wider
//!   operand's type, `||` of text `text`; an integer literal is `integer` (`bigint` past 32
//!   bits, `numeric` past 64 or with a point), a string literal or `NULL` has no type of
//!   its own. A `UNION` column has the common type of its branches (`select_common_type`:
//!   untyped branches take the others' type; `integer` with `bigint` is `bigint`, with
//!   `numeric` is `numeric`); a column left untyped is `text`. A `CASE` has the common
//!   type of its results the same way (`text` when all are untyped); a scalar subquery
//!   `(SELECT x ...)` the type of its one column (an untyped one is `text`), and it reads
//!   the columns of the queries around it. `alias.*` and `table.*` expand to that
//!   relation's columns. A `WITH` (not `RECURSIVE`) defines relations its query (and its
//!   later entries) read, an untyped column of one being `text`; a `LATERAL` subquery in
//!   `FROM` reads the relations before it. `-x` of a number has `x`'s type. A call of one of the history's
//!   own functions has its `RETURNS` type, without modifiers (`varchar(10)` gives
//!   `character varying`), when every overload the call's argument count may reach
//!   returns that type.
//!
//! Anything else (a window, division, date arithmetic, a function not listed, `WITH
//! RECURSIVE`) is
//! `None`: the caller treats the columns as unknown rather than guess.
//!
//! Views are typed the same way when they are created ([`ViewTypes`]), so a table created
//! from a view gets its columns too.

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, ObjectNamePart, Query,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, SetOperator, TableFactor,
    UnaryOperator, Value,
};

use std::borrow::Cow;
use std::collections::HashMap;

use super::ident::{fold, object_name};
use super::names::figure_colname;
use crate::canonical::canonical_type;
use crate::dialect::Dialect;
use crate::model::{Location, Schema, Table};
use crate::types::{SqlType, TypeFamily};

/// A type as the query derives it: a known type (borrowed from the table or view it
/// comes from where it can be), or none yet (`NULL`, a string literal).
#[derive(Debug, Clone, PartialEq)]
enum Ty<'d> {
    Known(Cow<'d, SqlType>),
    Untyped,
}

/// One output column: its name and type, borrowed from the relation it comes from where
/// it can be (typing a view copies nothing of the tables it reads).
type Col<'d> = (Cow<'d, str>, Ty<'d>);

/// One relation of a `FROM` clause: the name it is referred to by, and its columns.
#[derive(Clone)]
struct Relation<'d> {
    qualifier: String,
    columns: Vec<Col<'d>>,
}

/// The relations a query level sees: its own `FROM`, then those of the levels around it
/// (a scalar subquery reads the outer query's columns), nearest first.
struct Scope<'s, 'd> {
    local: Vec<Relation<'d>>,
    /// The common table expressions (`WITH name AS (...)`) this level defines.
    ctes: Vec<(String, Vec<Col<'d>>)>,
    outer: Option<&'s Scope<'s, 'd>>,
}

impl<'d> Scope<'_, 'd> {
    /// The columns of the common table expression `name` visible here, nearest first.
    fn cte(&self, name: &str) -> Option<&[Col<'d>]> {
        match self.ctes.iter().rev().find(|(n, _)| n == name) {
            Some((_, cols)) => Some(cols),
            None => self.outer?.cte(name),
        }
    }
}

/// The typed columns of a relation that is not a table (a view), by canonical name.
pub(crate) type Typed<'v> = &'v [(String, SqlType)];

/// What a call of one of the history's own functions returns, by (name, argument count).
pub(crate) type Returns<'a> = &'a dyn Fn(&str, usize) -> Option<SqlType>;

/// The output columns (name, type) of `query`, reading tables through `tables`, views
/// through `views` (by canonical name), the history's functions through `functions` and
/// types through `schema`; `None` when the replay cannot know them.
pub(crate) fn output_columns<'d>(
    query: &Query,
    tables: &dyn Fn(&str) -> Option<&'d Table>,
    views: &dyn Fn(&str) -> Option<Typed<'d>>,
    functions: Returns<'_>,
    schema: &Schema,
) -> Option<Vec<(String, SqlType)>> {
    let typer = Typer {
        tables,
        views,
        functions,
        schema,
    };
    let columns = typer.query(query, None)?;
    Some(
        columns
            .into_iter()
            .map(|(name, ty)| match ty {
                Ty::Known(t) => (name.into_owned(), t.into_owned()),
                Ty::Untyped => (name.into_owned(), text()),
            })
            .collect(),
    )
}

fn text() -> SqlType {
    SqlType::new("text", TypeFamily::Text { max_len: None })
}

fn named(canonical: &str, family: TypeFamily) -> Ty<'static> {
    Ty::Known(Cow::Owned(SqlType::new(canonical, family)))
}

fn boolean() -> Ty<'static> {
    named("boolean", TypeFamily::Bool)
}

fn bigint() -> Ty<'static> {
    named("bigint", TypeFamily::Int { bytes: 8 })
}

fn numeric() -> Ty<'static> {
    named(
        "numeric",
        TypeFamily::Numeric {
            precision: None,
            scale: None,
        },
    )
}

/// `select_common_type` for two branches' types; `None` when PostgreSQL would pick a type
/// by rules this module does not model (or refuse).
fn common<'d>(a: Ty<'d>, b: Ty<'d>) -> Option<Ty<'d>> {
    let (a, b) = match (a, b) {
        (Ty::Untyped, other) | (other, Ty::Untyped) => return Some(other),
        (Ty::Known(a), Ty::Known(b)) => (a, b),
    };
    if a == b {
        return Some(Ty::Known(a));
    }
    let rank = |t: &SqlType| match (t.canonical.as_str(), &t.family) {
        ("smallint", _) => Some(1),
        ("integer", _) => Some(2),
        ("bigint", _) => Some(3),
        ("numeric", _) => Some(4),
        _ => None,
    };
    let (ra, rb) = (rank(&a)?, rank(&b)?);
    Some(Ty::Known(if ra >= rb { a } else { b }))
}

struct Typer<'a, 'd> {
    tables: &'a dyn Fn(&str) -> Option<&'d Table>,
    views: &'a dyn Fn(&str) -> Option<Typed<'d>>,
    functions: Returns<'a>,
    schema: &'a Schema,
}

impl<'d> Typer<'_, 'd> {
    fn query(&self, query: &Query, outer: Option<&Scope<'_, 'd>>) -> Option<Vec<Col<'d>>> {
        let Some(with) = &query.with else {
            return self.set_expr(&query.body, outer);
        };
        if with.recursive {
            return None;
        }
        // Each common table expression sees the ones before it; an untyped output
        // column of one is text, as PostgreSQL resolves it.
        let mut ctes: Vec<(String, Vec<Col<'d>>)> = Vec::new();
        for cte in &with.cte_tables {
            if !cte.alias.columns.is_empty() {
                return None;
            }
            let level = Scope {
                local: Vec::new(),
                ctes: ctes.clone(),
                outer,
            };
            let columns = self
                .query(&cte.query, Some(&level))?
                .into_iter()
                .map(|(n, t)| match t {
                    Ty::Untyped => (n, Ty::Known(Cow::Owned(text()))),
                    known => (n, known),
                })
                .collect();
            ctes.push((fold(Dialect::Postgres, &cte.alias.name), columns));
        }
        let level = Scope {
            local: Vec::new(),
            ctes,
            outer,
        };
        self.set_expr(&query.body, Some(&level))
    }

    fn set_expr(&self, body: &SetExpr, outer: Option<&Scope<'_, 'd>>) -> Option<Vec<Col<'d>>> {
        match body {
            SetExpr::Select(select) => self.select(select, outer),
            SetExpr::Query(inner) => self.query(inner, outer),
            SetExpr::SetOperation {
                left,
                op: SetOperator::Union,
                right,
                ..
            } => {
                let left = self.set_expr(left, outer)?;
                let right = self.set_expr(right, outer)?;
                if left.len() != right.len() {
                    return None;
                }
                left.into_iter()
                    .zip(right)
                    .map(|((name, a), (_, b))| Some((name, common(a, b)?)))
                    .collect()
            }
            _ => None,
        }
    }

    fn select(&self, select: &Select, outer: Option<&Scope<'_, 'd>>) -> Option<Vec<Col<'d>>> {
        let mut local = Vec::new();
        for from in &select.from {
            let r = self.relation(&from.relation, &local, outer)?;
            local.push(r);
            for join in &from.joins {
                let r = self.relation(&join.relation, &local, outer)?;
                local.push(r);
            }
        }
        let scope = Scope {
            local,
            ctes: Vec::new(),
            outer,
        };
        let mut out = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::Wildcard(_) => {
                    for r in &scope.local {
                        out.extend(r.columns.iter().cloned());
                    }
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    // `alias.*`, `table.*`, `schema.table.*`: the relation's own name.
                    let key = object_name(Dialect::Postgres, name);
                    let q = key.rsplit('.').next().unwrap_or(&key);
                    let r = scope.local.iter().find(|r| r.qualifier == q)?;
                    out.extend(r.columns.iter().cloned());
                }
                SelectItem::UnnamedExpr(e) => {
                    let name = figure_colname(e).map_or(Cow::Borrowed("?column?"), Cow::Owned);
                    out.push((name, self.expr(e, &scope)?));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let name = Cow::Owned(fold(Dialect::Postgres, alias));
                    out.push((name, self.expr(expr, &scope)?));
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// One relation of a `FROM` clause; a `LATERAL` subquery reads the ones before it
    /// (`preceding`).
    fn relation(
        &self,
        factor: &TableFactor,
        preceding: &[Relation<'d>],
        outer: Option<&Scope<'_, 'd>>,
    ) -> Option<Relation<'d>> {
        let borrowed = |name: &'d String, ty: &'d SqlType| {
            (Cow::Borrowed(name.as_str()), Ty::Known(Cow::Borrowed(ty)))
        };
        match factor {
            TableFactor::Table {
                name, alias, args, ..
            } if args.is_none() => {
                let key = object_name(Dialect::Postgres, name);
                let cte = match name.0.as_slice() {
                    [_] => outer.and_then(|o| o.cte(&key)),
                    _ => None,
                };
                let columns = match (cte, (self.tables)(&key)) {
                    (Some(cols), _) => cols.to_vec(),
                    (None, Some(table)) => table
                        .columns
                        .iter()
                        .map(|c| borrowed(&c.name, &c.ty))
                        .collect(),
                    (None, None) => (self.views)(&key)?
                        .iter()
                        .map(|(n, t)| borrowed(n, t))
                        .collect(),
                };
                let qualifier = match alias {
                    Some(a) if a.columns.is_empty() => fold(Dialect::Postgres, &a.name),
                    Some(_) => return None,
                    None => match key.rfind('.') {
                        Some(dot) => key[dot + 1..].to_string(),
                        None => key,
                    },
                };
                Some(Relation { qualifier, columns })
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias: Some(alias),
                ..
            } if alias.columns.is_empty() => {
                let columns = if *lateral {
                    let level = Scope {
                        local: preceding.to_vec(),
                        ctes: Vec::new(),
                        outer,
                    };
                    self.query(subquery, Some(&level))?
                } else {
                    self.query(subquery, outer)?
                };
                Some(Relation {
                    qualifier: fold(Dialect::Postgres, &alias.name),
                    columns,
                })
            }
            _ => None,
        }
    }

    /// The column `qualifier.name` (or `name`) as the nearest query level that has it
    /// sees it.
    fn column(&self, scope: &Scope<'_, 'd>, qualifier: Option<&str>, name: &str) -> Option<Ty<'d>> {
        let mut found = scope
            .local
            .iter()
            .filter(|r| qualifier.is_none_or(|q| r.qualifier == q))
            .flat_map(|r| r.columns.iter().filter(|(n, _)| n == name));
        let Some((_, ty)) = found.next() else {
            return self.column(scope.outer?, qualifier, name);
        };
        // An ambiguous name is an error on the server: not a query that ran.
        found.next().is_none().then(|| ty.clone())
    }

    fn expr(&self, e: &Expr, scope: &Scope<'_, 'd>) -> Option<Ty<'d>> {
        let pg = Dialect::Postgres;
        match e {
            Expr::Identifier(i) => self.column(scope, None, &fold(pg, i)),
            Expr::CompoundIdentifier(parts) => {
                let [q, c] = parts.as_slice() else {
                    return None;
                };
                self.column(scope, Some(&fold(pg, q)), &fold(pg, c))
            }
            Expr::Nested(inner) => self.expr(inner, scope),
            Expr::Cast { data_type, .. } => canonical_type(pg, data_type, self.schema)
                .ok()
                .map(|c| Ty::Known(Cow::Owned(c.ty))),
            Expr::Value(v) => match &v.value {
                Value::Null | Value::SingleQuotedString(_) => Some(Ty::Untyped),
                Value::Boolean(_) => Some(boolean()),
                Value::Number(n, _) => Some(number(&n.to_string())),
                _ => None,
            },
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply,
                right,
            } => arithmetic(self.expr(left, scope)?, self.expr(right, scope)?),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::StringConcat,
                right,
            } => {
                let text_like = |t: &Ty| match t {
                    Ty::Untyped => true,
                    Ty::Known(t) => matches!(t.family, TypeFamily::Text { .. }),
                };
                (text_like(&self.expr(left, scope)?) && text_like(&self.expr(right, scope)?))
                    .then(|| Ty::Known(Cow::Owned(text())))
            }
            Expr::BinaryOp { op, .. } => matches!(
                op,
                BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq
                    | BinaryOperator::And
                    | BinaryOperator::Or
            )
            .then(boolean),
            // `-x`, `+x` of a number: its type (a literal's sign is part of the literal).
            Expr::UnaryOp {
                op: UnaryOperator::Minus | UnaryOperator::Plus,
                expr,
            } => match self.expr(expr, scope)? {
                Ty::Known(t)
                    if matches!(
                        t.canonical.as_str(),
                        "smallint"
                            | "integer"
                            | "bigint"
                            | "numeric"
                            | "real"
                            | "double precision"
                            | "interval"
                    ) =>
                {
                    Some(Ty::Known(t))
                }
                _ => None,
            },
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                ..
            }
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotTrue(_)
            | Expr::IsNotFalse(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::InList { .. }
            | Expr::InSubquery { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::Exists { .. } => Some(boolean()),
            Expr::Function(f) => self.function(f, scope),
            // `substr(s, ...)`, `substring(s FROM ...)`, `trim(... FROM s)` of a character
            // string are text (of `bytea`, `bytea`).
            Expr::Substring { expr, .. } | Expr::Trim { expr, .. } => {
                match self.expr(expr, scope)? {
                    Ty::Known(t) if !is_character_string(&t) => None,
                    _ => Some(Ty::Known(Cow::Owned(text()))),
                }
            }
            // A scalar subquery: its one column, an untyped one resolved as text (as
            // PostgreSQL resolves a subquery's outputs).
            Expr::Subquery(q) => match self.query(q, Some(scope))?.as_slice() {
                [(_, Ty::Untyped)] => Some(Ty::Known(Cow::Owned(text()))),
                [(_, ty)] => Some(ty.clone()),
                _ => None,
            },
            // The common type of its results (`select_common_type`), text when all are
            // untyped.
            Expr::Case {
                conditions,
                else_result,
                ..
            } => {
                let mut ty = Ty::Untyped;
                for result in conditions
                    .iter()
                    .map(|c| &c.result)
                    .chain(else_result.as_deref())
                {
                    ty = common(ty, self.expr(result, scope)?)?;
                }
                Some(match ty {
                    Ty::Untyped => Ty::Known(Cow::Owned(text())),
                    known => known,
                })
            }
            _ => None,
        }
    }

    fn function(&self, f: &sqlparser::ast::Function, scope: &Scope<'_, 'd>) -> Option<Ty<'d>> {
        let [ObjectNamePart::Identifier(name)] = f.name.0.as_slice() else {
            return None;
        };
        if f.over.is_some() || !f.within_group.is_empty() {
            return None;
        }
        let name = name.value.to_ascii_lowercase();
        let args: Vec<&Expr> = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(list) => list
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect::<Option<_>>()
                .or_else(|| {
                    // count(*)
                    (name == "count" && list.args.len() == 1).then(Vec::new)
                })?,
            FunctionArguments::Subquery(_) => return None,
        };
        let arg = |i: usize| args.get(i).and_then(|e| self.expr(e, scope));
        match (name.as_str(), args.len()) {
            ("max" | "min", 1) => arg(0),
            ("count", _) => Some(bigint()),
            ("sum", 1) => match arg(0)? {
                Ty::Known(t) => match t.canonical.as_str() {
                    "smallint" | "integer" => Some(bigint()),
                    "bigint" | "numeric" => Some(numeric()),
                    "real" | "double precision" | "interval" => Some(Ty::Known(t)),
                    _ => None,
                },
                Ty::Untyped => None,
            },
            ("bool_and" | "bool_or" | "every", 1) => Some(boolean()),
            (
                "now"
                | "current_timestamp"
                | "clock_timestamp"
                | "statement_timestamp"
                | "transaction_timestamp",
                0,
            )
            | ("to_timestamp", 1 | 2) => {
                Some(named("timestamp with time zone", TypeFamily::TimestampTz))
            }
            ("current_date", 0) => Some(named("date", TypeFamily::Date)),
            ("gen_random_uuid", 0) => Some(named("uuid", TypeFamily::Uuid)),
            ("random", 0) | ("date_part", 2) => Some(named("double precision", TypeFamily::Float8)),
            (
                "length" | "char_length" | "character_length" | "octet_length" | "bit_length"
                | "strpos" | "ascii",
                _,
            )
            | ("array_length", 2) => Some(named("integer", TypeFamily::Int { bytes: 4 })),
            // Text whatever the arguments' types.
            (
                "concat" | "concat_ws" | "format" | "to_char" | "md5" | "chr" | "quote_literal",
                _,
            ) => Some(Ty::Known(Cow::Owned(text()))),
            // Text of a character string (`lower` of a range is its bound, not text).
            (
                "lower" | "upper" | "btrim" | "ltrim" | "rtrim" | "initcap" | "replace"
                | "translate" | "split_part" | "lpad" | "rpad" | "left" | "right" | "repeat"
                | "regexp_replace" | "quote_ident" | "substr" | "reverse",
                n,
            ) if n > 0 => match arg(0)? {
                Ty::Known(t) if !is_character_string(&t) => None,
                _ => Some(Ty::Known(Cow::Owned(text()))),
            },
            (
                "to_jsonb" | "jsonb_build_object" | "jsonb_build_array" | "jsonb_agg"
                | "jsonb_object_agg",
                _,
            ) => Some(named("jsonb", TypeFamily::Json)),
            (
                "to_json" | "json_build_object" | "json_build_array" | "json_agg"
                | "json_object_agg" | "row_to_json",
                _,
            ) => Some(named("json", TypeFamily::Json)),
            ("coalesce" | "greatest" | "least", n) if n > 0 => {
                let mut ty = arg(0)?;
                for i in 1..n {
                    ty = common(ty, arg(i)?)?;
                }
                Some(ty)
            }
            // One of the history's own functions: its declared `RETURNS` type.
            (_, n) => (self.functions)(&name, n).map(|t| Ty::Known(Cow::Owned(t))),
        }
    }
}

/// The typed columns of the views the replay could type, each kept with where its view
/// was created: an entry counts only while a view of that name created there exists (a
/// view dropped and made again by another statement, or renamed, is not mistaken for it).
#[derive(Debug, Clone, Default)]
pub(crate) struct ViewTypes(HashMap<String, (Location, Vec<(String, SqlType)>)>);

impl ViewTypes {
    /// View `name`, created at `created`, has `columns` (or could not be typed: `None`).
    pub(crate) fn note(
        &mut self,
        name: &str,
        created: &Location,
        columns: Option<Vec<(String, SqlType)>>,
    ) {
        match columns {
            Some(c) => {
                self.0.insert(name.to_string(), (created.clone(), c));
            }
            None => {
                self.0.remove(name);
            }
        }
    }

    /// The typed columns of view `name` if it still is the view they were noted for.
    pub(crate) fn get<'v>(&'v self, schema: &Schema, name: &str) -> Option<Typed<'v>> {
        let (created, columns) = self.0.get(name)?;
        let view = schema.views.get(name)?;
        (view.provenance.created == *created).then_some(columns.as_slice())
    }
}

/// `a + b`, `a - b`, `a * b` over integers and `numeric`: the wider operand's type (an
/// untyped operand takes the other's), as PostgreSQL's operators for them give; `None`
/// for any other operands (dates, intervals, floats, division).
fn arithmetic<'d>(a: Ty<'d>, b: Ty<'d>) -> Option<Ty<'d>> {
    let numeric_kind = |t: &Ty| match t {
        Ty::Untyped => true,
        Ty::Known(t) => matches!(
            t.canonical.as_str(),
            "smallint" | "integer" | "bigint" | "numeric"
        ),
    };
    if !numeric_kind(&a) || !numeric_kind(&b) || (a == Ty::Untyped && b == Ty::Untyped) {
        return None;
    }
    common(a, b)
}

/// Whether `t` is `text`, `character varying` or `character` (with or without a length).
fn is_character_string(t: &SqlType) -> bool {
    t.canonical == "text"
        || t.canonical.starts_with("character varying")
        || t.canonical == "character"
        || t.canonical.starts_with("character(")
}

/// The type of an integer or decimal literal.
fn number(text: &str) -> Ty<'static> {
    if text.contains(['.', 'e', 'E']) {
        numeric()
    } else if text.parse::<i32>().is_ok() {
        named("integer", TypeFamily::Int { bytes: 4 })
    } else if text.parse::<i64>().is_ok() {
        bigint()
    } else {
        numeric()
    }
}

impl super::Replayer {
    /// The type a call of the history's function `name` with `args` arguments returns,
    /// when the replay knows it (see `Unseen::returned`), in canonical form.
    pub(crate) fn function_returns(&self, name: &str, args: usize) -> Option<SqlType> {
        let written = self.unseen.returned(name, args)?;
        // A function's result has no type modifier (`RETURNS varchar(10)` returns
        // `character varying`).
        let mut bare = String::new();
        let mut depth = 0usize;
        for c in written.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => bare.push(c),
                _ => {}
            }
        }
        let mut parser = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(&bare)
            .ok()?;
        let data_type = parser.parse_data_type().ok()?;
        if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
            return None;
        }
        canonical_type(Dialect::Postgres, &data_type, &self.schema)
            .ok()
            .map(|c| c.ty)
    }

    /// Types the view `cv` just created (PostgreSQL), for a table created from it later.
    pub(crate) fn note_view_types(&mut self, cv: &sqlparser::ast::CreateView) {
        let name = self.create_key(&cv.name);
        let Some(created) = self
            .schema
            .views
            .get(&name)
            .map(|v| v.provenance.created.clone())
        else {
            return;
        };
        let tables = |t: &str| self.table(t);
        let views = |v: &str| self.view_types.get(&self.schema, v);
        let functions = |f: &str, n: usize| self.function_returns(f, n);
        let columns = output_columns(&cv.query, &tables, &views, &functions, &self.schema)
            .and_then(|mut c| {
                // `CREATE VIEW v (a, b) AS ...` renames the first columns.
                if cv.columns.len() > c.len() {
                    return None;
                }
                for (col, def) in c.iter_mut().zip(&cv.columns) {
                    col.0 = fold(Dialect::Postgres, &def.name);
                }
                Some(c)
            });
        self.view_types.note(&name, &created, columns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_types_take_the_typed_branch_and_widen_integers() {
        let int = named("integer", TypeFamily::Int { bytes: 4 });
        assert_eq!(common(Ty::Untyped, int.clone()), Some(int.clone()));
        assert_eq!(common(int.clone(), bigint()), Some(bigint()));
        assert_eq!(common(numeric(), int.clone()), Some(numeric()));
        assert_eq!(common(int, boolean()), None);
        assert_eq!(number("2147483648"), bigint());
        assert_eq!(number("1.5"), numeric());
    }
}
