//! The columns a PostgreSQL query gives a table created from it (`CREATE TABLE t AS
//! SELECT ...`): each output column's name and type, as the server derives them, for the
//! queries [`super::ctas`] does not copy column by column: expressions, aggregates,
//! window functions, set operations, `VALUES`, joins, subqueries and functions in `FROM`.
//!
//! - Names: the alias, else what `FigureColname` gives ([`super::names::figure_colname`]),
//!   else `?column?`; a set operation takes its first branch's names, `VALUES` are
//!   `column1`..; an alias's column list (`AS x(a, b)`, `WITH x(a, b)`) renames.
//! - Types follow PostgreSQL's type conversion rules ([`super::pg_typeconv`]): a column
//!   reference has its column's type, a cast its target type; operators and built-in
//!   functions resolve as the server resolves them ([`super::pg_typeconv::binary`],
//!   [`super::pg_functions`]); `UNION`/`INTERSECT`/`EXCEPT`, `CASE`, `COALESCE`,
//!   `GREATEST`, `LEAST`, `VALUES`, `ARRAY[...]` and `USING` columns have their inputs'
//!   common type (`select_common_type`, modifiers kept only when all inputs agree); a
//!   literal integer is `integer` (`bigint` past 32 bits, `numeric` past 64 or with a
//!   point), a string literal or `NULL` is untyped, and an output column left untyped is
//!   `text`. A scalar subquery has its one column's type and reads the queries around
//!   it; `WITH` entries are read by the query and the later entries (a `RECURSIVE` one has
//!   its non-recursive term's types); a `LATERAL` subquery or function reads the
//!   relations before it. A call of one of the history's own functions resolves against
//!   the built-ins as PostgreSQL does ([`Typer::call`]).
//!
//! A column whose type the replay does not derive still exists, of type [`unknown`]
//! (never a guess). `None` (the columns themselves not known) only where the select list
//! expands `*` over a relation whose columns the replay does not know.
//!
//! Views are typed the same way when they are created ([`ViewTypes`]), so a table created
//! from a view gets its columns too.

use sqlparser::ast::{
    AccessExpr, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, JoinConstraint, ObjectName,
    ObjectNamePart, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Subscript,
    TableAlias, TableFactor, Value,
};

use std::borrow::Cow;

use super::function_deps::Arity;
use super::ident::{fold, folded, last_part_into, object_name};
use super::maps::HashMap;
use super::names::figured_colname;
use super::pg_fold::{self, Folded};
use super::pg_functions;
use super::pg_typeconv;
use super::pg_typeconv::{Ty, binary, coercible, common_type, is_string, strip, unary};
use super::view_columns::join_constraint;
use crate::canonical::canonical_type;
use crate::dialect::Dialect;
use crate::model::{Location, Schema, Table};
use crate::types::{SqlType, TypeFamily, UNKNOWN_TYPE};

/// One output column: its name and type, borrowed from the relation it comes from (or the
/// query's own text) where it can be (typing a view copies nothing of the tables it reads).
type Col<'d> = (Cow<'d, str>, Ty<'d>);

/// The columns of one relation of a `FROM` clause, read in place where they can be: a
/// table's or a typed view's are not copied to type a query reading them.
#[derive(Clone)]
enum Columns<'d> {
    /// A table of the schema: its columns as they are.
    Table(&'d Table),
    /// A view the replay typed ([`ViewTypes`]).
    View(Typed<'d>),
    /// Columns the query derives (a subquery, a function, a common table expression, a
    /// relation renamed by its alias's column list).
    Derived(Vec<Col<'d>>),
}

impl<'d> Columns<'d> {
    /// How many columns there are.
    fn len(&self) -> usize {
        match self {
            Columns::Table(t) => t.columns.len(),
            Columns::View(v) => v.len(),
            Columns::Derived(c) => c.len(),
        }
    }

    /// The `i`th column as the query reads it.
    fn col(&self, i: usize) -> Col<'d> {
        match self {
            Columns::Table(t) => {
                let c = &t.columns[i];
                (Cow::Borrowed(c.name.as_str()), read(&c.ty))
            }
            Columns::View(v) => (Cow::Borrowed(v[i].0.as_str()), read(&v[i].1)),
            Columns::Derived(c) => c[i].clone(),
        }
    }

    /// Every column, in order (what `*` expands to over the relation).
    fn all(&self) -> impl Iterator<Item = Col<'d>> + '_ {
        (0..self.len()).map(|i| self.col(i))
    }

    /// The columns renamed by an alias's column list ([`renamed`]); read in place still
    /// where the alias renames none.
    fn renamed(self, alias: Option<&TableAlias>) -> Option<Columns<'d>> {
        match (self, alias) {
            (Columns::Derived(c), alias) => renamed(c, alias).map(Columns::Derived),
            (columns, Some(a)) if !a.columns.is_empty() => {
                renamed(columns.all().collect(), alias).map(Columns::Derived)
            }
            (columns, _) => Some(columns),
        }
    }

    /// How many columns are named `name`, and the type of the last of them.
    fn find(&self, name: &str) -> (usize, Option<Ty<'d>>) {
        fn matches<'n>(names: impl Iterator<Item = &'n str>, name: &str) -> (usize, Option<usize>) {
            let mut count = 0;
            let mut last = None;
            for (i, n) in names.enumerate() {
                if n == name {
                    count += 1;
                    last = Some(i);
                }
            }
            (count, last)
        }
        let (count, last) = match self {
            Columns::Table(t) => matches(t.columns.iter().map(|c| c.name.as_str()), name),
            Columns::View(v) => matches(v.iter().map(|(n, _)| n.as_str()), name),
            Columns::Derived(c) => matches(c.iter().map(|(n, _)| n.as_ref()), name),
        };
        (count, last.map(|i| self.col(i).1))
    }
}

/// One relation of a `FROM` clause: the name it is referred to by, and its columns
/// (`None`: the server knows them, the replay does not — a table function it does not
/// type, a table created from a query it could not read).
#[derive(Clone)]
struct Relation<'d> {
    qualifier: Cow<'d, str>,
    columns: Option<Columns<'d>>,
    /// A table of the schema: its name, the type of its rows (`f(alias)`).
    row: Option<&'d str>,
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

/// One overload of one of the history's own functions.
#[derive(Debug, Clone)]
pub(crate) struct Overload {
    /// Its input parameters' types (canonical, without modifiers); `None` where the
    /// replay could not read them.
    pub(crate) params: Option<Vec<SqlType>>,
    /// How many arguments a call of it may pass.
    pub(crate) arity: Arity,
    /// What it returns (without modifiers), when it returns one value of a known type.
    pub(crate) returns: Option<SqlType>,
}

/// The overloads of the history's own functions of a name (lower case, unqualified).
pub(crate) type Functions<'a> = &'a dyn Fn(&str) -> Vec<Overload>;

/// The type of a column whose type the replay does not derive ([`TypeFamily::Unknown`]).
pub(crate) fn unknown() -> SqlType {
    SqlType::new(UNKNOWN_TYPE, TypeFamily::Unknown)
}

/// The output columns (name, type) of `query`, reading tables through `tables`, views
/// through `views` (by canonical name), the history's functions through `functions` and
/// types through `schema`; `None` when the replay cannot know which columns there are. A
/// column whose type it cannot derive has the type [`unknown`].
pub(crate) fn output_columns<'d>(
    query: &'d Query,
    tables: &dyn Fn(&str) -> Option<&'d Table>,
    views: &dyn Fn(&str) -> Option<Typed<'d>>,
    functions: Functions<'_>,
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
            .map(|(name, ty)| match ty.resolved() {
                Ty::Known(t) => (name.into_owned(), t.into_owned()),
                _ => (name.into_owned(), unknown()),
            })
            .collect(),
    )
}

/// A column type as the query reads it: a column of unknown type is [`Ty::Unsure`].
fn read(ty: &SqlType) -> Ty<'_> {
    match ty.family {
        TypeFamily::Unknown => Ty::Unsure,
        _ => Ty::Known(Cow::Borrowed(ty)),
    }
}

/// `columns` renamed by an alias's column list (`AS x(a, b)` renames the first ones);
/// `None` when the list is longer (the server refuses it).
fn renamed<'d>(mut columns: Vec<Col<'d>>, alias: Option<&TableAlias>) -> Option<Vec<Col<'d>>> {
    let Some(alias) = alias else {
        return Some(columns);
    };
    if alias.columns.len() > columns.len() {
        return None;
    }
    for (c, def) in columns.iter_mut().zip(&alias.columns) {
        c.0 = Cow::Owned(fold(Dialect::Postgres, &def.name));
    }
    Some(columns)
}

struct Typer<'a, 'd> {
    tables: &'a dyn Fn(&str) -> Option<&'d Table>,
    views: &'a dyn Fn(&str) -> Option<Typed<'d>>,
    functions: Functions<'a>,
    schema: &'a Schema,
}

impl<'d> Typer<'_, 'd> {
    fn query(&self, query: &'d Query, outer: Option<&Scope<'_, 'd>>) -> Option<Vec<Col<'d>>> {
        let Some(with) = &query.with else {
            return self.set_expr(&query.body, outer);
        };
        // Each common table expression sees the ones before it; an untyped output
        // column of one is text, as PostgreSQL resolves it. A recursive one has the
        // types of its non-recursive term (the server refuses a recursive term of other
        // types).
        let mut ctes: Vec<(String, Vec<Col<'d>>)> = Vec::new();
        for cte in &with.cte_tables {
            let level = Scope {
                local: Vec::new(),
                ctes: ctes.clone(),
                outer,
            };
            let columns = match cte.query.body.as_ref() {
                SetExpr::SetOperation { left, .. } if with.recursive => {
                    self.set_expr(left, Some(&level))?
                }
                _ => self.query(&cte.query, Some(&level))?,
            };
            let columns = columns
                .into_iter()
                .map(|(n, t)| (n, t.resolved()))
                .collect();
            let columns = renamed(columns, Some(&cte.alias))?;
            ctes.push((fold(Dialect::Postgres, &cte.alias.name), columns));
        }
        let level = Scope {
            local: Vec::new(),
            ctes,
            outer,
        };
        self.set_expr(&query.body, Some(&level))
    }

    fn set_expr(&self, body: &'d SetExpr, outer: Option<&Scope<'_, 'd>>) -> Option<Vec<Col<'d>>> {
        match body {
            SetExpr::Select(select) => self.select(select, outer),
            SetExpr::Query(inner) => self.query(inner, outer),
            // UNION, INTERSECT, EXCEPT: the first branch's names, the common types.
            SetExpr::SetOperation { left, right, .. } => {
                let left = self.set_expr(left, outer)?;
                let right = self.set_expr(right, outer)?;
                if left.len() != right.len() {
                    return None;
                }
                Some(
                    left.into_iter()
                        .zip(right)
                        .map(|((name, a), (_, b))| (name, common_type([a, b], self.schema)))
                        .collect(),
                )
            }
            SetExpr::Values(values) => {
                let scope = Scope {
                    local: Vec::new(),
                    ctes: Vec::new(),
                    outer,
                };
                let width = values.rows.first()?.len();
                if values.rows.iter().any(|r| r.len() != width) {
                    return None;
                }
                Some(
                    (0..width)
                        .map(|i| {
                            let ty = common_type(
                                values.rows.iter().map(|r| self.expr(&r[i], &scope)),
                                self.schema,
                            );
                            (Cow::Owned(format!("column{}", i + 1)), ty)
                        })
                        .collect(),
                )
            }
            _ => None,
        }
    }

    fn select(&self, select: &'d Select, outer: Option<&Scope<'_, 'd>>) -> Option<Vec<Col<'d>>> {
        let relations = select.from.iter().map(|f| 1 + f.joins.len()).sum();
        let mut local: Vec<Relation<'d>> = Vec::with_capacity(relations);
        // What `*` expands to: every relation's columns, those a `USING` or `NATURAL`
        // join merges once (`None`: not known); gathered only for a select list with `*`.
        let wildcard = (select.projection.iter()).any(|i| matches!(i, SelectItem::Wildcard(_)));
        let mut star: Option<Vec<Col<'d>>> = Some(Vec::new());
        for from in &select.from {
            let columns = self.joined(from, &mut local, outer, wildcard);
            star = star.zip(columns).map(|(mut s, c)| {
                s.extend(c);
                s
            });
        }
        let scope = Scope {
            local,
            ctes: Vec::new(),
            outer,
        };
        let mut out = Vec::with_capacity(select.projection.len());
        for (i, item) in select.projection.iter().enumerate() {
            // The items after this one.
            let after = select.projection.len() - i - 1;
            match item {
                SelectItem::Wildcard(_) => {
                    let star = star.as_ref()?;
                    out.reserve(star.len() + after);
                    out.extend(star.iter().cloned());
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    // `alias.*`, `table.*`, `schema.table.*`: the relation's own name.
                    let q = last_part(name);
                    let columns = scope
                        .local
                        .iter()
                        .find(|r| r.qualifier == q)?
                        .columns
                        .as_ref()?;
                    out.reserve(columns.len() + after);
                    out.extend(columns.all());
                }
                SelectItem::UnnamedExpr(e) => {
                    let name = figured_colname(e).unwrap_or(Cow::Borrowed("?column?"));
                    out.push((name, self.expr(e, &scope)));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    out.push((folded(Dialect::Postgres, alias), self.expr(expr, &scope)));
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// One item of a `FROM` list, a relation and its joins: each relation is added to
    /// `local` (a parenthesised join without alias adds those it joins); the columns `*`
    /// expands to over it, when `star` asks for them (`None`: not known, or not asked).
    fn joined(
        &self,
        from: &'d sqlparser::ast::TableWithJoins,
        local: &mut Vec<Relation<'d>>,
        outer: Option<&Scope<'_, 'd>>,
        star: bool,
    ) -> Option<Vec<Col<'d>>> {
        let mut columns = self.factor(&from.relation, local, outer, star);
        for join in &from.joins {
            let right = self.factor(&join.relation, local, outer, star);
            columns = match (columns, right, join_constraint(&join.join_operator)) {
                (Some(left), Some(right), Some(JoinConstraint::Using(names))) => {
                    let names: Vec<String> = names
                        .iter()
                        .map(|n| object_name(Dialect::Postgres, n))
                        .collect();
                    self.merged(left, right, &names)
                }
                (Some(left), Some(right), Some(JoinConstraint::Natural)) => {
                    let names: Vec<String> = left
                        .iter()
                        .filter(|(n, _)| right.iter().any(|(m, _)| m == n))
                        .map(|(n, _)| n.to_string())
                        .collect();
                    self.merged(left, right, &names)
                }
                (Some(mut left), Some(right), Some(_)) => {
                    left.extend(right);
                    Some(left)
                }
                _ => None,
            };
        }
        columns
    }

    /// One relation of a `FROM` item, added to `local` (see [`Typer::joined`]); its
    /// columns, when `star` asks for them.
    fn factor(
        &self,
        factor: &'d TableFactor,
        local: &mut Vec<Relation<'d>>,
        outer: Option<&Scope<'_, 'd>>,
        star: bool,
    ) -> Option<Vec<Col<'d>>> {
        let r = match factor {
            // `(a JOIN b)`: `a` and `b` are seen as they are.
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => return self.joined(table_with_joins, local, outer, star),
            // `(a JOIN b) AS j`: one relation `j`, of the join's columns.
            TableFactor::NestedJoin {
                table_with_joins,
                alias: Some(a),
            } => {
                let mut inner = local.clone();
                let columns = self.joined(table_with_joins, &mut inner, outer, true);
                Relation {
                    qualifier: folded(Dialect::Postgres, &a.name),
                    columns: columns.and_then(|c| Columns::Derived(c).renamed(Some(a))),
                    row: None,
                }
            }
            _ => self.relation(factor, local, outer),
        };
        let columns = match &r.columns {
            Some(c) if star => Some(c.all().collect()),
            _ => None,
        };
        local.push(r);
        columns
    }

    /// The columns of `left JOIN right USING (names)`: each merged column once, first, of
    /// the two sides' common type; then the others of each side.
    fn merged(
        &self,
        left: Vec<Col<'d>>,
        right: Vec<Col<'d>>,
        names: &[String],
    ) -> Option<Vec<Col<'d>>> {
        let find = |side: &[Col<'d>], n: &str| side.iter().find(|(c, _)| c == n).cloned();
        let mut out = Vec::with_capacity(left.len() + right.len());
        for n in names {
            let (name, a) = find(&left, n)?;
            let (_, b) = find(&right, n)?;
            out.push((name, common_type([a, b], self.schema).resolved()));
        }
        let rest = |side: Vec<Col<'d>>| {
            side.into_iter()
                .filter(|(c, _)| !names.iter().any(|n| n == c))
        };
        out.extend(rest(left));
        out.extend(rest(right));
        Some(out)
    }

    /// One relation of a `FROM` clause; a `LATERAL` subquery or function reads the ones
    /// before it (`preceding`).
    fn relation(
        &self,
        factor: &'d TableFactor,
        preceding: &[Relation<'d>],
        outer: Option<&Scope<'_, 'd>>,
    ) -> Relation<'d> {
        let pg = Dialect::Postgres;
        let alias_name = |alias: &'d Option<TableAlias>| {
            alias
                .as_ref()
                .map_or(Cow::Borrowed(""), |a| folded(pg, &a.name))
        };
        // What a `LATERAL` item (and a function in `FROM`, always lateral) reads: the
        // relations before it.
        let before = || Scope {
            local: preceding.to_vec(),
            ctes: Vec::new(),
            outer,
        };
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let key = relation_key(name);
                let cte = match name.0.as_slice() {
                    [_] => outer.and_then(|o| o.cte(&key)),
                    _ => None,
                };
                let table = (self.tables)(&key);
                let row = table.filter(|_| cte.is_none()).map(|t| t.name.as_str());
                let columns = match (cte, table) {
                    (Some(cols), _) => Some(Columns::Derived(cols.to_vec())),
                    (None, Some(table)) => Some(Columns::Table(table)),
                    (None, None) => (self.views)(&key).map(Columns::View),
                };
                let qualifier = match alias {
                    Some(a) => folded(pg, &a.name),
                    None => last_part(name),
                };
                Relation {
                    qualifier,
                    columns: columns.and_then(|c| c.renamed(alias.as_ref())),
                    row,
                }
            }
            // A function in `FROM` (`generate_series(1, 3) AS g`, `unnest(tags) t(tag)`).
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } => self.function_relation(
                name,
                &args.args,
                alias.as_ref(),
                *with_ordinality,
                &before(),
            ),
            TableFactor::Function {
                name,
                args,
                alias,
                with_ordinality,
                ..
            } => self.function_relation(name, args, alias.as_ref(), *with_ordinality, &before()),
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let columns = if *lateral {
                    self.query(subquery, Some(&before()))
                } else {
                    self.query(subquery, outer)
                };
                Relation {
                    qualifier: alias_name(alias),
                    columns: columns.and_then(|c| Columns::Derived(c).renamed(alias.as_ref())),
                    row: None,
                }
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_ordinality,
                with_offset: false,
                ..
            } => {
                let level = before();
                let mut columns: Vec<Col<'d>> = array_exprs
                    .iter()
                    .map(|e| {
                        let ty = self.call(None, "unnest", &[self.expr(e, &level)]);
                        (Cow::Borrowed("unnest"), ty)
                    })
                    .collect();
                if let ([only], Some(a)) = (columns.as_mut_slice(), alias) {
                    only.0 = folded(pg, &a.name);
                }
                if *with_ordinality {
                    columns.push((Cow::Borrowed("ordinality"), Ty::of("bigint")));
                }
                Relation {
                    qualifier: alias_name(alias),
                    columns: Columns::Derived(columns).renamed(alias.as_ref()),
                    row: None,
                }
            }
            // Read by `factor` (a parenthesised join may add several relations).
            TableFactor::NestedJoin { alias, .. } => Relation {
                qualifier: alias_name(alias),
                columns: None,
                row: None,
            },
            _ => Relation {
                qualifier: Cow::Borrowed(""),
                columns: None,
                row: None,
            },
        }
    }

    /// A function called in `FROM` as a relation (`WITH ORDINALITY` adds a last column).
    fn function_relation(
        &self,
        name: &'d sqlparser::ast::ObjectName,
        args: &'d [FunctionArg],
        alias: Option<&'d TableAlias>,
        with_ordinality: bool,
        scope: &Scope<'_, 'd>,
    ) -> Relation<'d> {
        let columns = self.table_function(name, args, alias, scope).map(|mut c| {
            if with_ordinality {
                c.push((Cow::Borrowed("ordinality"), Ty::of("bigint")));
            }
            c
        });
        Relation {
            qualifier: alias.map_or(Cow::Borrowed(""), |a| folded(Dialect::Postgres, &a.name)),
            columns: columns.and_then(|c| Columns::Derived(c).renamed(alias)),
            row: None,
        }
    }

    /// The columns of a function called in `FROM`: one column for a function returning a
    /// single value (named by the alias, else the function), the `OUT` columns of the
    /// JSON set functions; `None` for the others.
    fn table_function(
        &self,
        name: &'d sqlparser::ast::ObjectName,
        args: &'d [FunctionArg],
        alias: Option<&'d TableAlias>,
        scope: &Scope<'_, 'd>,
    ) -> Option<Vec<Col<'d>>> {
        let (qualifier, fname) = function_name(name)?;
        let args: Vec<Ty<'d>> = args.iter().map(|a| self.arg(a, scope)).collect();
        let named = |n: &'static str, ty: &str| (Cow::Borrowed(n), Ty::of(ty));
        match fname.as_str() {
            "jsonb_array_elements" | "jsonb_path_query" => {
                return Some(vec![named("value", "jsonb")]);
            }
            "json_array_elements" => return Some(vec![named("value", "json")]),
            "jsonb_array_elements_text" | "json_array_elements_text" => {
                return Some(vec![named("value", "text")]);
            }
            "jsonb_each" => return Some(vec![named("key", "text"), named("value", "jsonb")]),
            "json_each" => return Some(vec![named("key", "text"), named("value", "json")]),
            "jsonb_each_text" | "json_each_text" | "each" => {
                return Some(vec![named("key", "text"), named("value", "text")]);
            }
            _ => {}
        }
        let known = matches!(
            fname.as_str(),
            "generate_series"
                | "unnest"
                | "regexp_split_to_table"
                | "string_to_table"
                | "jsonb_object_keys"
                | "json_object_keys"
                | "skeys"
                | "svals"
                | "generate_subscripts"
                | "regexp_matches"
        ) && qualifier.as_deref().is_none_or(|q| q == "pg_catalog");
        if !known || (fname == "unnest" && args.len() != 1) {
            return None;
        }
        let ty = self.call(qualifier.as_deref(), &fname, &args);
        let column = match alias {
            Some(a) => fold(Dialect::Postgres, &a.name),
            None => fname,
        };
        Some(vec![(Cow::Owned(column), ty)])
    }

    /// The column `qualifier.name` (or `name`) as the nearest query level that has it
    /// sees it; [`Ty::Unsure`] where a relation of unknown columns may hold it.
    fn column(&self, scope: &Scope<'_, 'd>, qualifier: Option<&str>, name: &str) -> Ty<'d> {
        let mut matched = false;
        let mut opaque = false;
        let mut found: Option<Ty<'d>> = None;
        let mut count = 0;
        for r in scope
            .local
            .iter()
            .filter(|r| qualifier.is_none_or(|q| r.qualifier == q))
        {
            matched = true;
            match &r.columns {
                None => opaque = true,
                Some(cols) => {
                    let (n, t) = cols.find(name);
                    count += n;
                    found = t.or(found);
                }
            }
        }
        match found {
            // An ambiguous name is an error on the server: not a query that ran.
            Some(t) if count == 1 => t,
            Some(_) => Ty::Unsure,
            None if opaque || (qualifier.is_some() && matched) => Ty::Unsure,
            None => match scope.outer {
                Some(o) => self.column(o, qualifier, name),
                None if qualifier.is_none() => self.whole_row(scope, name).unwrap_or_else(|| {
                    // `current_user`, `current_date` and the like, written without
                    // parentheses.
                    pg_functions::result(name, &[], self.schema).unwrap_or(Ty::Unsure)
                }),
                None => Ty::Unsure,
            },
        }
    }

    /// A relation's name or alias written as a value (`f(account)`, `f(a)`): its row type,
    /// for a table of the schema, at this level or one around it.
    fn whole_row(&self, scope: &Scope<'_, 'd>, name: &str) -> Option<Ty<'d>> {
        let mut level = Some(scope);
        while let Some(s) = level {
            if let Some(r) = s.local.iter().find(|r| r.qualifier == name) {
                return Some(Ty::Known(Cow::Owned(SqlType::new(
                    r.row?,
                    TypeFamily::Other,
                ))));
            }
            level = s.outer;
        }
        None
    }

    fn expr(&self, e: &'d Expr, scope: &Scope<'_, 'd>) -> Ty<'d> {
        let pg = Dialect::Postgres;
        let schema = self.schema;
        match e {
            Expr::Identifier(i) => self.column(scope, None, &folded(pg, i)),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [.., q, c] => self.column(scope, Some(&folded(pg, q)), &folded(pg, c)),
                _ => Ty::Unsure,
            },
            Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => self.expr(inner, scope),
            Expr::Cast { data_type, .. }
            | Expr::TypedString(sqlparser::ast::TypedString { data_type, .. }) => {
                match canonical_type(pg, data_type, schema) {
                    Ok(c) => Ty::Known(Cow::Owned(c.ty)),
                    Err(_) => Ty::Unsure,
                }
            }
            Expr::Interval(_) => Ty::of("interval"),
            Expr::Value(v) => match &v.value {
                Value::Null
                | Value::SingleQuotedString(_)
                | Value::EscapedStringLiteral(_)
                | Value::DollarQuotedString(_) => Ty::Untyped,
                Value::Boolean(_) => Ty::of("boolean"),
                Value::Number(n, _) => number(&n.to_string()),
                _ => Ty::Unsure,
            },
            Expr::BinaryOp { left, op, right } => {
                binary(op, self.expr(left, scope), self.expr(right, scope), schema)
            }
            Expr::UnaryOp { op, expr } => unary(op, self.expr(expr, scope), schema),
            Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotTrue(_)
            | Expr::IsNotFalse(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotUnknown(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::IsNormalized { .. }
            | Expr::InList { .. }
            | Expr::InSubquery { .. }
            | Expr::InUnnest { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::SimilarTo { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. }
            | Expr::Exists { .. } => Ty::of("boolean"),
            Expr::Function(f) => self.function(f, scope),
            // `substring(s FROM ...)`, `trim(... FROM s)`, `overlay(s PLACING ...)` of a
            // character string are text, of `bytea` `bytea`.
            Expr::Substring { expr, .. } | Expr::Trim { expr, .. } | Expr::Overlay { expr, .. } => {
                match self.expr(expr, scope).bare(schema) {
                    Some(t) if t.canonical == "bytea" => Ty::of("bytea"),
                    Some(t) if !is_string(&t) => Ty::Unsure,
                    _ => Ty::of("text"),
                }
            }
            Expr::Position { .. } => Ty::of("integer"),
            Expr::Extract { .. } => Ty::of("numeric"),
            Expr::Ceil { expr, .. } | Expr::Floor { expr, .. } => {
                self.call(Some("pg_catalog"), "ceil", &[self.expr(expr, scope)])
            }
            Expr::AtTimeZone { timestamp, .. } => {
                match self
                    .expr(timestamp, scope)
                    .bare(schema)
                    .as_ref()
                    .map(|t| t.canonical.as_str())
                {
                    Some("timestamp without time zone") => Ty::of("timestamp with time zone"),
                    Some("timestamp with time zone") => Ty::of("timestamp without time zone"),
                    Some("time without time zone" | "time with time zone") => {
                        Ty::of("time with time zone")
                    }
                    _ => Ty::Unsure,
                }
            }
            // A scalar subquery: its one column, an untyped one resolved as text (as
            // PostgreSQL resolves a subquery's outputs).
            Expr::Subquery(q) => match self.query(q, Some(scope)).map(<[Col<'d>; 1]>::try_from) {
                Some(Ok([(_, ty)])) => ty.resolved(),
                _ => Ty::Unsure,
            },
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
            ),
            Expr::Array(array) => array_of(common_type(
                array.elem.iter().map(|e| self.expr(e, scope)),
                schema,
            )),
            Expr::CompoundFieldAccess { root, access_chain } => {
                let mut ty = self.expr(root, scope);
                for access in access_chain {
                    ty = match (access, ty.bare(schema)) {
                        (AccessExpr::Subscript(Subscript::Slice { .. }), Some(t))
                            if t.canonical.ends_with("[]") =>
                        {
                            Ty::Known(Cow::Owned(t))
                        }
                        (AccessExpr::Subscript(Subscript::Index { .. }), Some(t)) => {
                            match (&t.family, t.canonical.strip_suffix("[]")) {
                                (TypeFamily::Array { element }, Some(e)) => {
                                    Ty::Known(Cow::Owned(SqlType::new(e, (**element).clone())))
                                }
                                _ if t.canonical == "jsonb" => Ty::of("jsonb"),
                                _ if t.canonical == "hstore" => Ty::of("text"),
                                _ => Ty::Unsure,
                            }
                        }
                        _ => Ty::Unsure,
                    };
                }
                ty
            }
            _ => Ty::Unsure,
        }
    }

    /// `CASE ... END`: the common type of its results (`select_common_type`, which the
    /// server gives the `ELSE` result first), text when all are untyped. The planner then
    /// drops each arm whose condition folds to false or `NULL` and makes the first that
    /// folds to true the `ELSE`, dropping what follows ([`pg_fold`]): what is left keeps
    /// the type, with the modifier of the results left (all of them the type, with the
    /// same modifier), or of the one result left. Where the replay cannot tell what a
    /// condition folds to, the modifier is known only if every result has it.
    fn case(
        &self,
        operand: Option<&'d Expr>,
        conditions: &'d [sqlparser::ast::CaseWhen],
        else_result: Option<&'d Expr>,
        scope: &Scope<'_, 'd>,
    ) -> Ty<'d> {
        let schema = self.schema;
        let ty = common_type(
            else_result
                .into_iter()
                .chain(conditions.iter().map(|c| &c.result))
                .map(|r| self.expr(r, scope)),
            schema,
        )
        .resolved();
        let folded: Vec<Folded> = conditions
            .iter()
            .map(|c| pg_fold::when(operand, &c.condition))
            .collect();
        if folded.iter().all(|f| *f == Folded::Varies) {
            return ty;
        }
        let Some(full) = ty.known().cloned() else {
            return ty;
        };
        let unknown = folded.contains(&Folded::Unknown);
        // The results left, `ELSE` first (`None`: an implicit `ELSE NULL`); every result
        // where a condition's value is not known.
        let mut left: Vec<&'d Expr> = Vec::new();
        let mut otherwise = else_result;
        for (c, f) in conditions.iter().zip(&folded) {
            match f {
                Folded::Const(Some(true)) if !unknown => {
                    otherwise = Some(&c.result);
                    break;
                }
                Folded::Const(_) if !unknown => {}
                _ => left.push(&c.result),
            }
        }
        let inputs: Vec<Ty<'d>> =
            std::iter::once(otherwise.map_or(Ty::Untyped, |e| self.expr(e, scope)))
                .chain(left.iter().map(|e| self.expr(e, scope)))
                .collect();
        // Each result is converted to the type; one of another type (or untyped) loses
        // its modifier there.
        let stripped = Ty::Known(Cow::Owned(strip(&full)));
        let mut modifier: Option<SqlType> = None;
        for input in inputs {
            match input {
                Ty::Known(t) if strip(&t) == strip(&full) => match &modifier {
                    None => modifier = Some(t.into_owned()),
                    Some(m) if *m == *t => {}
                    Some(_) if unknown => return Ty::Unsure,
                    Some(_) => return stripped,
                },
                Ty::Unsure => return Ty::Unsure,
                _ if unknown => return Ty::Unsure,
                _ => return stripped,
            }
        }
        modifier.map_or(stripped, |m| Ty::Known(Cow::Owned(m)))
    }

    /// The type of one argument of a call (`name => value` by its value).
    fn arg(&self, a: &'d FunctionArg, scope: &Scope<'_, 'd>) -> Ty<'d> {
        match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
            | FunctionArg::Named {
                arg: FunctionArgExpr::Expr(e),
                ..
            }
            | FunctionArg::ExprNamed {
                arg: FunctionArgExpr::Expr(e),
                ..
            } => self.expr(e, scope),
            _ => Ty::Unsure,
        }
    }

    fn function(&self, f: &'d sqlparser::ast::Function, scope: &Scope<'_, 'd>) -> Ty<'d> {
        let Some((qualifier, name)) = function_name(&f.name) else {
            return Ty::Unsure;
        };
        // `percentile_disc(f) WITHIN GROUP (ORDER BY x)`, `mode()`: `x`'s type.
        if let Some(order) = f.within_group.first() {
            return match name.as_str() {
                "percentile_disc" | "mode" => match self.expr(&order.expr, scope).bare(self.schema)
                {
                    Some(t) => Ty::Known(Cow::Owned(t)),
                    None => Ty::Unsure,
                },
                "percentile_cont" => match self.expr(&order.expr, scope).bare(self.schema) {
                    Some(t) if t.canonical == "interval" => Ty::of("interval"),
                    Some(_) => Ty::of("double precision"),
                    None => Ty::Unsure,
                },
                _ => Ty::Unsure,
            };
        }
        let args: Vec<Ty<'d>> = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(list) => match list.args.as_slice() {
                // count(*)
                [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if name == "count" => Vec::new(),
                args => args.iter().map(|a| self.arg(a, scope)).collect(),
            },
            // ARRAY(SELECT ...): an array of the subquery's one column.
            FunctionArguments::Subquery(q) if name == "array" => {
                return match self.query(q, Some(scope)).map(<[Col<'d>; 1]>::try_from) {
                    Some(Ok([(_, ty)])) => array_of(ty.resolved()),
                    _ => Ty::Unsure,
                };
            }
            FunctionArguments::Subquery(_) => return Ty::Unsure,
        };
        self.call(qualifier.as_deref(), &name, &args)
    }

    /// The type a call of the function `name` (in schema `qualifier`, if written) with
    /// arguments of types `args` returns, resolved as PostgreSQL resolves it: the history's
    /// overload whose parameter types are exactly the arguments' (unless a built-in of the
    /// same signature comes first: `pg_catalog` is searched first), else the built-in,
    /// unless an overload of the history could be chosen instead and returns another type.
    fn call(&self, qualifier: Option<&str>, name: &str, args: &[Ty<'d>]) -> Ty<'d> {
        let builtin = || pg_functions::result(name, args, self.schema);
        if qualifier == Some("pg_catalog") {
            return builtin().unwrap_or(Ty::Unsure);
        }
        // The history's overloads a call with these arguments may reach: as many
        // parameters, each taking its argument (by an implicit cast at most).
        let user: Vec<Overload> = (self.functions)(name)
            .into_iter()
            .filter(|o| {
                o.arity.accepts(args.len())
                    && o.params.as_ref().is_none_or(|p| {
                        p.iter()
                            .zip(args)
                            .all(|(p, a)| coercible(a, p, self.schema))
                    })
            })
            .collect();
        if user.is_empty() {
            // A qualified call of no function of the history's: an extension's (installed
            // in a schema of the user's), named like the built-ins the replay knows.
            return builtin().unwrap_or(Ty::Unsure);
        }
        let returns = |o: &Overload| {
            o.returns
                .clone()
                .map_or(Ty::Unsure, |t| Ty::Known(Cow::Owned(t)))
        };
        let exact: Vec<&Overload> = user
            .iter()
            .filter(|o| {
                o.params.as_ref().is_some_and(|p| {
                    p.len() == args.len()
                        && p.iter()
                            .zip(args)
                            .all(|(p, a)| a.known().is_some_and(|a| strip(a) == *p))
                })
            })
            .collect();
        let builtin = if qualifier.is_some() { None } else { builtin() };
        match (exact.as_slice(), builtin) {
            // A built-in without arguments has the same (empty) signature, and comes first.
            ([_], Some(b)) if args.is_empty() => b,
            ([one], _) => returns(one),
            (_, builtin) => {
                let mut tys = user.iter().map(returns);
                let first = tys.next().unwrap_or(Ty::Unsure);
                let agree = tys.all(|t| t == first) && builtin.as_ref().is_none_or(|b| *b == first);
                if agree {
                    return first;
                }
                // Several of the history's overloads could take the arguments (untyped
                // literals): PostgreSQL's own choice, when no built-in competes.
                let params: Option<Vec<&[SqlType]>> =
                    user.iter().map(|o| o.params.as_deref()).collect();
                match params {
                    Some(params) if builtin.is_none() => {
                        pg_typeconv::select_candidate(args, &params, self.schema)
                            .map_or(Ty::Unsure, |i| returns(&user[i]))
                    }
                    _ => Ty::Unsure,
                }
            }
        }
    }
}

/// The schema (if written) and the name of a called function, as PostgreSQL folds them.
fn function_name(name: &sqlparser::ast::ObjectName) -> Option<(Option<String>, String)> {
    let part = |p: &ObjectNamePart| match p {
        ObjectNamePart::Identifier(i) => Some(fold(Dialect::Postgres, i)),
        _ => None,
    };
    match name.0.as_slice() {
        [n] => Some((None, part(n)?)),
        [.., s, n] => Some((Some(part(s)?), part(n)?)),
        [] => None,
    }
}

/// The canonical name of the relation `name` written in `FROM` ([`object_name`]),
/// borrowed from the query where folding leaves it as written.
fn relation_key(name: &ObjectName) -> Cow<'_, str> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => folded(Dialect::Postgres, i),
        _ => Cow::Owned(object_name(Dialect::Postgres, name)),
    }
}

/// The name an unaliased relation is known by in its query ([`last_part_into`]),
/// borrowed from the query where folding leaves it as written.
fn last_part(name: &ObjectName) -> Cow<'_, str> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => folded(Dialect::Postgres, i),
        _ => {
            let mut q = String::new();
            last_part_into(Dialect::Postgres, name, &mut q);
            Cow::Owned(q)
        }
    }
}

/// `ARRAY[...]` of elements of type `element` (an array's elements: the same array type).
fn array_of(element: Ty<'_>) -> Ty<'_> {
    match element.resolved() {
        Ty::Known(t) if t.canonical.ends_with("[]") => Ty::Known(t),
        Ty::Known(t) => Ty::Known(Cow::Owned(SqlType::new(
            format!("{}[]", t.canonical),
            TypeFamily::Array {
                element: Box::new(t.family.clone()),
            },
        ))),
        _ => Ty::Unsure,
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
        name: String,
        created: Location,
        columns: Option<Vec<(String, SqlType)>>,
    ) {
        match columns {
            Some(c) => {
                self.0.insert(name, (created, c));
            }
            None => {
                self.0.remove(&name);
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

/// The type of an integer or decimal literal.
fn number(text: &str) -> Ty<'static> {
    if text.contains(['.', 'e', 'E']) {
        Ty::of("numeric")
    } else if text.parse::<i32>().is_ok() {
        Ty::of("integer")
    } else if text.parse::<i64>().is_ok() {
        Ty::of("bigint")
    } else {
        Ty::of("numeric")
    }
}

impl super::Replayer {
    /// The overloads of the history's function `name` (see `Unseen::overloads_of`), their
    /// parameter and result types canonical, without modifiers.
    pub(crate) fn function_overloads(&self, name: &str) -> Vec<Overload> {
        self.unseen
            .overloads_of(name)
            .iter()
            .map(|(params, arity)| Overload {
                params: super::function_deps::parameter_types(params)
                    .and_then(|types| types.iter().map(|t| self.written_type(t)).collect()),
                arity: *arity,
                returns: self
                    .unseen
                    .returns_of(name, params)
                    .and_then(|t| self.written_type(t)),
            })
            .collect()
    }

    /// The type written `written` (lower case) in canonical form, without modifiers (a
    /// function's result and parameters have none: `RETURNS varchar(10)` returns
    /// `character varying`).
    pub(crate) fn written_type(&self, written: &str) -> Option<SqlType> {
        let mut parser = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(written)
            .ok()?;
        let data_type = parser.parse_data_type().ok()?;
        if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
            return None;
        }
        match canonical_type(Dialect::Postgres, &data_type, &self.schema) {
            Ok(c) => Some(strip(&c.ty)),
            // A table's row type.
            Err(_) => {
                let key = self.table_key(written)?;
                Some(SqlType::new(key, TypeFamily::Other))
            }
        }
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
        let functions = |f: &str| self.function_overloads(f);
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
        self.view_types.note(name, created, columns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_have_their_types() {
        assert_eq!(number("2147483648"), Ty::of("bigint"));
        assert_eq!(number("1.5"), Ty::of("numeric"));
        assert_eq!(number("7"), Ty::of("integer"));
    }
}
