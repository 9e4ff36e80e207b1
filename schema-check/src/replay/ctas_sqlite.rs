//! The columns SQLite gives a table created by `CREATE TABLE t AS SELECT ...`, as its
//! `sqlite3ColumnsFromExprList` and `sqlite3SubqueryColumnTypes` derive them, for a query
//! over tables, views, subqueries in `FROM` and common table expressions (joined or not),
//! literals and expressions, and compound selects (`UNION [ALL]`, `INTERSECT`, `EXCEPT`):
//!
//! - Name: the alias; else, for a column reference (parentheses and `COLLATE` aside), the
//!   column's name as its table spells it; else the expression's text as written. A name
//!   already taken (compared without case) gets `:1`, `:2`, `:3`. A compound select takes
//!   its first arm's names.
//! - Declared type: the name of the column's affinity — `INT`, `TEXT`, `REAL`, `NUM`, or
//!   none for BLOB affinity. A column reference has its column's affinity, `CAST(x AS t)`
//!   the affinity of `t`, any other expression (a literal, an operator, a function) none.
//!   A view, a subquery or a `WITH` table is read as SQLite expands it: a column of it has
//!   the affinity of its expression (none stays none), under the name SQLite gives it
//!   (the same rules, or the names a `WITH w (a, b)` or `CREATE VIEW v (a, b)` lists).
//!   In a compound select, an arm without affinity takes the next arm's; one whose
//!   affinity is TEXT or numeric falls back to BLOB when a later arm's values may be of
//!   another kind (a number, resp. text or a blob).
//! - No column is NOT NULL, has a default or is a key.
//!
//! Anything else (a recursive `WITH`, a table-valued function, a scalar subquery, `USING`
//! or `NATURAL` joins under `*`, a name the tables do not have, a fourth duplicate name,
//! which SQLite makes random, views nested deeper than [`MAX_DEPTH`]) is `None`: the caller
//! records that it cannot know the columns.

use sqlparser::ast::{
    CastKind, Expr, JoinConstraint, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    SetExpr, TableFactor, Value,
};

use super::maps::HashMap;

use super::ident::{fold, object_name, same_column};
use crate::dialect::Dialect;
use crate::model::{Location, Schema, Table};

/// How deep views, subqueries and `WITH` tables may nest inside one another before the
/// replay gives up on a query's columns.
pub(crate) const MAX_DEPTH: usize = 32;

/// The text of each view's `CREATE VIEW` statement, kept with where the view was created:
/// an entry counts only while a view of that name created there exists (SQLite expands a
/// view's query where it is read, over the tables as they are then).
#[derive(Debug, Clone, Default)]
pub(crate) struct ViewTexts(HashMap<String, (Location, String)>);

impl ViewTexts {
    /// View `name` was created at `created` by statement `text`.
    pub(crate) fn note(&mut self, name: &str, created: &Location, text: &str) {
        self.0
            .insert(name.to_string(), (created.clone(), text.to_string()));
    }

    /// The statement that created view `name`, if it still is that view.
    pub(crate) fn get<'v>(&'v self, schema: &Schema, name: &str) -> Option<&'v str> {
        let (created, text) = self.0.get(name)?;
        let view = schema.views.get(name)?;
        (view.provenance.created == *created).then_some(text.as_str())
    }
}

/// SQLite's column affinities, in SQLite's order (`SQLITE_AFF_*`): `None` for an
/// expression without affinity, which a table column gets as BLOB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Affinity {
    None,
    Blob,
    Text,
    Numeric,
    Integer,
    Real,
}

impl Affinity {
    /// The affinity of declared type `declared` (SQLite's `sqlite3AffinityType`).
    fn of_declared(declared: &str) -> Affinity {
        match super::ctas::sqlite_affinity_name(&declared.to_ascii_lowercase()) {
            "int" => Affinity::Integer,
            "text" => Affinity::Text,
            "" => Affinity::Blob,
            "real" => Affinity::Real,
            _ => Affinity::Numeric,
        }
    }

    /// The declared type SQLite writes for a column of this affinity (lower case, as
    /// the replay spells SQLite types).
    fn declared(self) -> &'static str {
        match self {
            Affinity::None | Affinity::Blob => "",
            Affinity::Text => "text",
            Affinity::Numeric => "num",
            Affinity::Integer => "int",
            Affinity::Real => "real",
        }
    }
}

/// One table of a `FROM` clause: the name it is referred to by, and its columns (name,
/// affinity).
struct Source {
    qualifier: String,
    columns: Vec<(String, Affinity)>,
}

/// What names in a `FROM` clause resolve to: the `WITH` tables in scope (innermost last),
/// then the views and tables of the schema.
struct Env<'e, 's, T: Fn(&str) -> Option<&'s Table>, V: Fn(&str) -> Option<&'e str>> {
    tables: &'e T,
    views: &'e V,
    ctes: Vec<(String, Vec<(String, Affinity)>)>,
    depth: usize,
    _schema: std::marker::PhantomData<&'s Table>,
}

/// One output expression of one arm, with its tables.
struct Item<'q> {
    alias: Option<String>,
    expr: ItemExpr<'q>,
}

/// What an output column is computed from.
enum ItemExpr<'q> {
    /// A column of a table, from `*` or `t.*`: its name and affinity.
    Column(String, Affinity),
    /// An expression of the select list.
    Expr(&'q Expr),
}

/// The columns (name, declared type) SQLite gives a table created from `query`, whose
/// statement text is `text` (for the names taken from expressions as written), reading
/// tables from `tables` (by canonical name) and views from `views` (the text of the
/// `CREATE VIEW` statement that made each); `None` when the replay cannot know them.
pub(crate) fn columns<'e, 's>(
    query: &Query,
    text: &str,
    tables: &'e impl Fn(&str) -> Option<&'s Table>,
    views: &'e impl Fn(&str) -> Option<&'e str>,
) -> Option<Vec<(String, &'static str)>> {
    let mut env = Env {
        tables,
        views,
        ctes: Vec::new(),
        depth: 0,
        _schema: std::marker::PhantomData,
    };
    let out = query_columns(query, text, &mut env)?;
    Some(
        out.into_iter()
            .map(|(name, affinity)| {
                // A table column without affinity has BLOB affinity.
                (name, affinity.max(Affinity::Blob).declared())
            })
            .collect(),
    )
}

/// The columns (name, affinity: none when the expressions give none) of `query`, whose
/// statement text is `text`, with the names of `env` (its `WITH` tables added while it is
/// read).
fn query_columns<'e, 's, T, V>(
    query: &Query,
    text: &str,
    env: &mut Env<'e, 's, T, V>,
) -> Option<Vec<(String, Affinity)>>
where
    T: Fn(&str) -> Option<&'s Table>,
    V: Fn(&str) -> Option<&'e str>,
{
    if env.depth >= MAX_DEPTH {
        return None;
    }
    env.depth += 1;
    let scope = env.ctes.len();
    let out = with_columns(query, text, env).and_then(|()| body_columns(query, text, env));
    env.ctes.truncate(scope);
    env.depth -= 1;
    out
}

/// Adds the `WITH` tables of `query` to `env`, each with its columns; `None` for a
/// recursive `WITH` or one whose columns the replay cannot know.
fn with_columns<'e, 's, T, V>(query: &Query, text: &str, env: &mut Env<'e, 's, T, V>) -> Option<()>
where
    T: Fn(&str) -> Option<&'s Table>,
    V: Fn(&str) -> Option<&'e str>,
{
    let Some(with) = &query.with else {
        return Some(());
    };
    if with.recursive {
        return None;
    }
    for cte in &with.cte_tables {
        let mut columns = query_columns(&cte.query, text, env)?;
        rename(
            &mut columns,
            cte.alias
                .columns
                .iter()
                .map(|c| fold(Dialect::Sqlite, &c.name)),
        )?;
        env.ctes
            .push((fold(Dialect::Sqlite, &cte.alias.name), columns));
    }
    Some(())
}

/// `columns` with their first names replaced by `names` (a `WITH w (a, b)` or `CREATE
/// VIEW v (a, b)` list); `None` when the list has more names than there are columns.
fn rename(
    columns: &mut [(String, Affinity)],
    names: impl ExactSizeIterator<Item = String>,
) -> Option<()> {
    if names.len() > columns.len() {
        return None;
    }
    for (column, name) in columns.iter_mut().zip(names) {
        column.0 = name;
    }
    Some(())
}

/// The columns of `query`'s body (its `WITH` tables already in `env`).
fn body_columns<'e, 's, T, V>(
    query: &Query,
    text: &str,
    env: &mut Env<'e, 's, T, V>,
) -> Option<Vec<(String, Affinity)>>
where
    T: Fn(&str) -> Option<&'s Table>,
    V: Fn(&str) -> Option<&'e str>,
{
    let mut arms = Vec::new();
    flatten(&query.body, &mut arms)?;
    let mut resolved = Vec::new();
    for select in &arms {
        let sources = sources(select, text, env)?;
        let items = items(select, &sources)?;
        resolved.push((sources, items));
    }
    let (first_sources, first_items) = resolved.first()?;
    if resolved
        .iter()
        .any(|(_, items)| items.len() != first_items.len())
    {
        return None;
    }
    // The texts of the first select list's items; each item that is an expression is one.
    let texts = super::select_texts::select_list_texts(
        &sqlparser::dialect::SQLiteDialect {},
        text,
        arms[0],
    )
    .filter(|t| t.len() == arms[0].projection.len());
    let mut written = arms[0].projection.iter().enumerate().flat_map(|(n, item)| {
        let text = texts.as_ref().and_then(|t| t.get(n)).map(|t| t.to_next);
        let count = match item {
            SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. } => 1,
            _ => 0,
        };
        std::iter::repeat_n(text, count)
    });
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, item) in first_items.iter().enumerate() {
        let text = match item.expr {
            ItemExpr::Expr(_) => written.next()?,
            ItemExpr::Column(..) => None,
        };
        let name = unique(&names, item_name(item, first_sources, text)?)?;
        names.push(name.clone());
        let kinds: Vec<Affinity> = resolved
            .iter()
            .map(|(sources, items)| affinity(&items[i], sources))
            .collect::<Option<_>>()?;
        let data: Vec<u8> = resolved
            .iter()
            .map(|(sources, items)| data_kind(&items[i], sources))
            .collect::<Option<_>>()?;
        let cast = matches!(&item.expr, ItemExpr::Expr(Expr::Cast { .. }));
        let affinity = compound_affinity(&kinds, &data, cast);
        out.push((name, affinity));
    }
    Some(out)
}

/// The arms of a compound select, left to right; `None` for anything but plain selects.
fn flatten<'q>(body: &'q SetExpr, arms: &mut Vec<&'q Select>) -> Option<()> {
    match body {
        SetExpr::Select(select) => arms.push(select),
        SetExpr::SetOperation { left, right, .. } => {
            flatten(left, arms)?;
            flatten(right, arms)?;
        }
        _ => return None,
    }
    Some(())
}

/// The tables a select reads, in `FROM` order (tables, views, `WITH` tables, subqueries);
/// `None` for anything else.
fn sources<'e, 's, T, V>(
    select: &Select,
    text: &str,
    env: &mut Env<'e, 's, T, V>,
) -> Option<Vec<Source>>
where
    T: Fn(&str) -> Option<&'s Table>,
    V: Fn(&str) -> Option<&'e str>,
{
    let mut out = Vec::new();
    for from in &select.from {
        out.push(source(&from.relation, text, env)?);
        for join in &from.joins {
            out.push(source(&join.relation, text, env)?);
        }
    }
    Some(out)
}

/// The columns one `FROM` item gives, under the name it goes by.
fn source<'e, 's, T, V>(
    factor: &TableFactor,
    text: &str,
    env: &mut Env<'e, 's, T, V>,
) -> Option<Source>
where
    T: Fn(&str) -> Option<&'s Table>,
    V: Fn(&str) -> Option<&'e str>,
{
    match factor {
        TableFactor::Derived {
            lateral: false,
            subquery,
            alias,
            ..
        } => {
            let mut columns = query_columns(subquery, text, env)?;
            let qualifier = match alias {
                Some(a) => {
                    rename(
                        &mut columns,
                        a.columns.iter().map(|c| fold(Dialect::Sqlite, &c.name)),
                    )?;
                    fold(Dialect::Sqlite, &a.name)
                }
                None => String::new(),
            };
            Some(Source { qualifier, columns })
        }
        TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } => {
            let key = object_name(Dialect::Sqlite, name);
            let qualifier = |own: &str| {
                alias
                    .as_ref()
                    .map_or_else(|| own.to_string(), |a| fold(Dialect::Sqlite, &a.name))
            };
            // A `WITH` table of this name hides a table or view (an unqualified name only).
            if name.0.len() == 1
                && let Some((cte, columns)) = env
                    .ctes
                    .iter()
                    .rev()
                    .find(|(cte, _)| same_column(Dialect::Sqlite, cte, &key))
            {
                return Some(Source {
                    qualifier: qualifier(cte),
                    columns: columns.clone(),
                });
            }
            if let Some((own, table)) =
                super::ctas::named_table(Dialect::Sqlite, factor, env.tables)
            {
                let columns = table
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), Affinity::of_declared(&c.ty.canonical)))
                    .collect();
                return Some(Source {
                    qualifier: own,
                    columns,
                });
            }
            let view_text = (env.views)(&key)?;
            let columns = view_columns(view_text, env)?;
            Some(Source {
                qualifier: qualifier(&key),
                columns,
            })
        }
        _ => None,
    }
}

/// The columns of the view that `CREATE VIEW` statement `text` made, as SQLite expands
/// it where it is read (the `WITH` tables around the reader are not in its scope).
fn view_columns<'e, 's, T, V>(
    text: &str,
    env: &mut Env<'e, 's, T, V>,
) -> Option<Vec<(String, Affinity)>>
where
    T: Fn(&str) -> Option<&'s Table>,
    V: Fn(&str) -> Option<&'e str>,
{
    let statements =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, text).ok()?;
    let [sqlparser::ast::Statement::CreateView(cv)] = statements.as_slice() else {
        return None;
    };
    let outer = std::mem::take(&mut env.ctes);
    let columns = query_columns(&cv.query, text, env);
    env.ctes = outer;
    let mut columns = columns?;
    rename(
        &mut columns,
        cv.columns.iter().map(|c| fold(Dialect::Sqlite, &c.name)),
    )?;
    Some(columns)
}

/// Whether a join of the select merges columns (`USING`, `NATURAL`), which `*` then
/// lists once.
fn merges_columns(select: &Select) -> bool {
    select.from.iter().flat_map(|f| &f.joins).any(|j| {
        let Some(constraint) = super::view_columns::join_constraint(&j.join_operator) else {
            return true;
        };
        matches!(
            constraint,
            JoinConstraint::Using(_) | JoinConstraint::Natural
        )
    })
}

/// The select list with `*` and `t.*` expanded into the tables' columns.
fn items<'q>(select: &'q Select, sources: &[Source]) -> Option<Vec<Item<'q>>> {
    let columns_of = |s: &Source| {
        s.columns
            .iter()
            .map(|(name, affinity)| Item {
                alias: None,
                expr: ItemExpr::Column(name.clone(), *affinity),
            })
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::Wildcard(_) => {
                if merges_columns(select) || sources.is_empty() {
                    return None;
                }
                out.extend(sources.iter().flat_map(columns_of));
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(q), _) => {
                let q = object_name(Dialect::Sqlite, q);
                let source = sources
                    .iter()
                    .find(|s| same_column(Dialect::Sqlite, &s.qualifier, &q))?;
                out.extend(columns_of(source));
            }
            SelectItem::UnnamedExpr(e) => out.push(Item {
                alias: None,
                expr: ItemExpr::Expr(e),
            }),
            SelectItem::ExprWithAlias { expr, alias } => out.push(Item {
                alias: Some(fold(Dialect::Sqlite, alias)),
                expr: ItemExpr::Expr(expr),
            }),
            _ => return None,
        }
    }
    Some(out)
}

/// The column an expression references (parentheses and `COLLATE` aside), if it is a
/// column reference: `Some(None)` when it is not one, `None` when it names no column of
/// the tables (or one of several).
fn column_ref(e: &Expr, sources: &[Source]) -> Option<Option<(String, Affinity)>> {
    let (qualifier, name) = match e {
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => {
            return column_ref(inner, sources);
        }
        Expr::Identifier(i) => (None, fold(Dialect::Sqlite, i)),
        Expr::CompoundIdentifier(parts) => {
            let [.., q, c] = parts.as_slice() else {
                return None;
            };
            (Some(fold(Dialect::Sqlite, q)), fold(Dialect::Sqlite, c))
        }
        _ => return Some(None),
    };
    let mut found = sources
        .iter()
        .filter(|s| {
            qualifier
                .as_ref()
                .is_none_or(|q| same_column(Dialect::Sqlite, &s.qualifier, q))
        })
        .flat_map(|s| s.columns.iter())
        .filter(|(c, _)| same_column(Dialect::Sqlite, c, &name));
    let column = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(Some(column.clone()))
}

/// The name SQLite gives an output column (before making it unique).
fn item_name(item: &Item<'_>, sources: &[Source], written: Option<&str>) -> Option<String> {
    if let Some(alias) = &item.alias {
        return Some(alias.clone());
    }
    match &item.expr {
        ItemExpr::Column(name, _) => Some(name.clone()),
        ItemExpr::Expr(e) => match column_ref(e, sources)? {
            Some((name, _)) => Some(name),
            None => written.map(str::to_string),
        },
    }
}

/// `name`, or `name:N` for the first N (1 to 3) that no earlier column has.
fn unique(taken: &[String], name: String) -> Option<String> {
    let clash = |n: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if !clash(&name) {
        return Some(name);
    }
    // SQLite first strips a `:digits` suffix the name already has.
    let base = match name.rsplit_once(':') {
        Some((b, digits)) if !b.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => b,
        _ => name.as_str(),
    };
    (1..=3).map(|n| format!("{base}:{n}")).find(|n| !clash(n))
}

/// The affinity of an output column's expression (`sqlite3ExprAffinity`).
fn affinity(item: &Item<'_>, sources: &[Source]) -> Option<Affinity> {
    match &item.expr {
        ItemExpr::Column(_, affinity) => Some(*affinity),
        ItemExpr::Expr(e) => expr_affinity(e, sources),
    }
}

fn expr_affinity(e: &Expr, sources: &[Source]) -> Option<Affinity> {
    match e {
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => expr_affinity(inner, sources),
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            let (_, affinity) = column_ref(e, sources)??;
            Some(affinity)
        }
        Expr::Cast {
            kind: CastKind::Cast,
            data_type,
            ..
        } => Some(Affinity::of_declared(&data_type.to_string())),
        Expr::Subquery(_) | Expr::Cast { .. } => None,
        _ => Some(Affinity::None),
    }
}

/// What kinds of values an expression may give (`sqlite3ExprDataType`): bit 0 a number,
/// bit 1 text, bit 2 a blob; 0 for `NULL`.
fn data_kind(item: &Item<'_>, sources: &[Source]) -> Option<u8> {
    let of_affinity = |a: Affinity| match a {
        Affinity::Numeric | Affinity::Integer | Affinity::Real => 0x05,
        Affinity::Text => 0x06,
        Affinity::None | Affinity::Blob => 0x07,
    };
    match &item.expr {
        ItemExpr::Column(_, affinity) => Some(of_affinity(*affinity)),
        ItemExpr::Expr(e) => expr_kind(e, sources, &of_affinity),
    }
}

fn expr_kind(e: &Expr, sources: &[Source], of_affinity: &impl Fn(Affinity) -> u8) -> Option<u8> {
    Some(match e {
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => {
            return expr_kind(inner, sources, of_affinity);
        }
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Plus,
            expr,
        } => return expr_kind(expr, sources, of_affinity),
        Expr::Value(v) => match &v.value {
            Value::Null => 0x00,
            Value::SingleQuotedString(_) | Value::DoubleQuotedString(_) => 0x02,
            Value::HexStringLiteral(_) | Value::SingleQuotedByteStringLiteral(_) => 0x04,
            Value::Placeholder(_) => 0x07,
            _ => 0x01,
        },
        Expr::BinaryOp {
            op: sqlparser::ast::BinaryOperator::StringConcat,
            ..
        } => 0x06,
        Expr::Function(_) => 0x07,
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Cast { .. } => {
            of_affinity(expr_affinity(e, sources)?)
        }
        Expr::Subquery(_) => return None,
        Expr::Case {
            conditions,
            else_result,
            ..
        } => {
            let mut kind = 0;
            for when in conditions {
                kind |= expr_kind(&when.result, sources, of_affinity)?;
            }
            if let Some(e) = else_result {
                kind |= expr_kind(e, sources, of_affinity)?;
            }
            kind
        }
        _ => 0x01,
    })
}

/// The affinity of a column of a compound select whose arms' expressions have affinities
/// `kinds` and may give the values `data` (one entry each, first arm first; a plain
/// select has one arm); `cast`: the first arm's expression is a `CAST`, which makes a
/// numeric affinity of a compound select's column plain NUMERIC (SQLite's FLEXNUM).
/// `Affinity::None` when no arm has one (a table's column then has BLOB affinity, a
/// subquery's keeps none).
fn compound_affinity(kinds: &[Affinity], data: &[u8], cast: bool) -> Affinity {
    let mut arm = 0;
    let mut seen = 0u8;
    let mut affinity = kinds[0];
    while affinity <= Affinity::None && arm + 1 < kinds.len() {
        seen |= data[arm];
        arm += 1;
        affinity = kinds[arm];
    }
    if affinity >= Affinity::Text && kinds.len() > 1 {
        for d in &data[arm + 1..] {
            seen |= d;
        }
        let other_kind = if affinity == Affinity::Text {
            seen & 0x01 != 0
        } else {
            affinity >= Affinity::Numeric && seen & 0x02 != 0
        };
        if other_kind {
            affinity = Affinity::Blob;
        }
        if affinity >= Affinity::Numeric && cast {
            affinity = Affinity::Numeric;
        }
    }
    affinity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_get_numbered_suffixes_up_to_three() {
        let taken = vec!["a".to_string()];
        assert_eq!(unique(&taken, "A".into()).as_deref(), Some("A:1"));
        let taken: Vec<String> = ["a", "a:1", "a:2", "a:3"].map(String::from).to_vec();
        assert_eq!(unique(&taken, "a".into()), None);
        assert_eq!(unique(&[], "x:1".into()).as_deref(), Some("x:1"));
    }

    #[test]
    fn compound_affinity_follows_the_first_arm_with_one() {
        use Affinity::*;
        assert_eq!(compound_affinity(&[None], &[1], false), None);
        assert_eq!(compound_affinity(&[None, None], &[1, 2], false), None);
        assert_eq!(compound_affinity(&[None, Integer], &[1, 5], false), Integer);
        assert_eq!(compound_affinity(&[Text, None], &[6, 1], false), Blob);
        assert_eq!(compound_affinity(&[Integer, None], &[5, 2], false), Blob);
        assert_eq!(compound_affinity(&[Integer, None], &[5, 1], false), Integer);
        assert_eq!(compound_affinity(&[Integer, None], &[5, 1], true), Numeric);
        assert_eq!(compound_affinity(&[Integer], &[5], true), Integer);
    }
}
