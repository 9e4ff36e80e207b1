//! The columns SQLite gives a table created by `CREATE TABLE t AS SELECT ...`, as its
//! `sqlite3ColumnsFromExprList` and `sqlite3SubqueryColumnTypes` derive them, for a query
//! over tables (joined or not), literals and expressions, and compound selects
//! (`UNION [ALL]`, `INTERSECT`, `EXCEPT`):
//!
//! - Name: the alias; else, for a column reference (parentheses and `COLLATE` aside), the
//!   column's name as its table spells it; else the expression's text as written. A name
//!   already taken (compared without case) gets `:1`, `:2`, `:3`. A compound select takes
//!   its first arm's names.
//! - Declared type: the name of the column's affinity — `INT`, `TEXT`, `REAL`, `NUM`, or
//!   none for BLOB affinity. A column reference has its column's affinity, `CAST(x AS t)`
//!   the affinity of `t`, any other expression (a literal, an operator, a function) none.
//!   In a compound select, an arm without affinity takes the next arm's; one whose
//!   affinity is TEXT or numeric falls back to BLOB when a later arm's values may be of
//!   another kind (a number, resp. text or a blob).
//! - No column is NOT NULL, has a default or is a key.
//!
//! Anything else (a `WITH`, a subquery or a view in `FROM`, a scalar subquery, `USING` or
//! `NATURAL` joins under `*`, a name the tables do not have, a fourth duplicate name,
//! which SQLite makes random) is `None`: the caller records that it cannot know the
//! columns.

use sqlparser::ast::{
    CastKind, Expr, JoinConstraint, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    SetExpr, TableFactor, Value,
};

use super::ident::{fold, object_name, same_column};
use crate::dialect::Dialect;
use crate::model::Table;

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

/// One table of a `FROM` clause: the name it is referred to by, and the table.
struct Source<'s> {
    qualifier: String,
    table: &'s Table,
}

/// One output expression of one arm, with its tables.
struct Item<'q> {
    alias: Option<String>,
    expr: ItemExpr<'q>,
}

/// What an output column is computed from.
enum ItemExpr<'q> {
    /// A column of a table, from `*` or `t.*`: its name and declared type.
    Column(String, String),
    /// An expression of the select list.
    Expr(&'q Expr),
}

/// The columns (name, declared type) SQLite gives a table created from `query`, whose
/// statement text is `text` (for the names taken from expressions as written), reading
/// tables from `tables` (by canonical name); `None` when the replay cannot know them.
pub(crate) fn columns<'s>(
    query: &Query,
    text: &str,
    tables: &impl Fn(&str) -> Option<&'s Table>,
) -> Option<Vec<(String, &'static str)>> {
    if query.with.is_some() {
        return None;
    }
    let mut arms = Vec::new();
    flatten(&query.body, &mut arms)?;
    let mut resolved = Vec::new();
    for select in &arms {
        let sources = sources(select, tables)?;
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
    let texts = select_list_texts(text).filter(|t| t.len() == arms[0].projection.len());
    let mut written = arms[0].projection.iter().enumerate().flat_map(|(n, item)| {
        let text = texts.as_ref().and_then(|t| t.get(n)).map(String::as_str);
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
        out.push((name, affinity.declared()));
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

/// The tables a select reads, in `FROM` order; `None` for anything but tables.
fn sources<'s>(
    select: &Select,
    tables: &impl Fn(&str) -> Option<&'s Table>,
) -> Option<Vec<Source<'s>>> {
    let mut out = Vec::new();
    let mut add = |factor: &TableFactor| -> Option<()> {
        let (qualifier, table) = super::ctas::named_table(Dialect::Sqlite, factor, tables)?;
        out.push(Source { qualifier, table });
        Some(())
    };
    for from in &select.from {
        add(&from.relation)?;
        for join in &from.joins {
            add(&join.relation)?;
        }
    }
    Some(out)
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
fn items<'q>(select: &'q Select, sources: &[Source<'_>]) -> Option<Vec<Item<'q>>> {
    let columns_of = |s: &Source<'_>| {
        s.table
            .columns
            .iter()
            .map(|c| Item {
                alias: None,
                expr: ItemExpr::Column(c.name.clone(), c.ty.canonical.clone()),
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
fn column_ref<'s>(e: &Expr, sources: &[Source<'s>]) -> Option<Option<(String, String)>> {
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
        .flat_map(|s| s.table.columns.iter())
        .filter(|c| same_column(Dialect::Sqlite, &c.name, &name));
    let column = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(Some((column.name.clone(), column.ty.canonical.clone())))
}

/// The name SQLite gives an output column (before making it unique).
fn item_name(item: &Item<'_>, sources: &[Source<'_>], written: Option<&str>) -> Option<String> {
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

/// The text of each item of the first select list of statement `text`, as written
/// (SQLite names an expression's column by it: from its first token to the next token
/// after it, white space trimmed, comments kept); `None` when the replay cannot find it.
fn select_list_texts(text: &str) -> Option<Vec<String>> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = Tokenizer::new(&sqlparser::dialect::SQLiteDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    let offset = |loc| super::words::byte_offset(text, loc);
    let keyword = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    };
    let select = tokens
        .iter()
        .position(|t| keyword(&t.token) == Some(Keyword::SELECT))?;
    let mut texts = Vec::new();
    let mut item_start = None;
    let mut depth = 0usize;
    for t in &tokens[select + 1..] {
        let at = offset(t.span.start)?;
        let ends_list = depth == 0
            && (matches!(t.token, Token::SemiColon | Token::EOF)
                || matches!(
                    keyword(&t.token),
                    Some(
                        Keyword::FROM
                            | Keyword::WHERE
                            | Keyword::GROUP
                            | Keyword::HAVING
                            | Keyword::WINDOW
                            | Keyword::ORDER
                            | Keyword::LIMIT
                            | Keyword::UNION
                            | Keyword::INTERSECT
                            | Keyword::EXCEPT
                    )
                ));
        if ends_list || (depth == 0 && t.token == Token::Comma) {
            texts.push(text.get(item_start?..at)?.trim().to_string());
            item_start = None;
            if ends_list {
                return Some(texts);
            }
            continue;
        }
        match &t.token {
            Token::Whitespace(_) => continue,
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.checked_sub(1)?,
            _ => {}
        }
        if item_start.is_none() {
            if texts.is_empty()
                && matches!(keyword(&t.token), Some(Keyword::DISTINCT | Keyword::ALL))
            {
                continue;
            }
            item_start = Some(at);
        }
    }
    // The statement ends with the select list.
    texts.push(text.get(item_start?..)?.trim().to_string());
    Some(texts)
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
fn affinity(item: &Item<'_>, sources: &[Source<'_>]) -> Option<Affinity> {
    match &item.expr {
        ItemExpr::Column(_, ty) => Some(Affinity::of_declared(ty)),
        ItemExpr::Expr(e) => expr_affinity(e, sources),
    }
}

fn expr_affinity(e: &Expr, sources: &[Source<'_>]) -> Option<Affinity> {
    match e {
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => expr_affinity(inner, sources),
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            let (_, ty) = column_ref(e, sources)??;
            Some(Affinity::of_declared(&ty))
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
fn data_kind(item: &Item<'_>, sources: &[Source<'_>]) -> Option<u8> {
    let of_affinity = |a: Affinity| match a {
        Affinity::Numeric | Affinity::Integer | Affinity::Real => 0x05,
        Affinity::Text => 0x06,
        Affinity::None | Affinity::Blob => 0x07,
    };
    match &item.expr {
        ItemExpr::Column(_, ty) => Some(of_affinity(Affinity::of_declared(ty))),
        ItemExpr::Expr(e) => expr_kind(e, sources, &of_affinity),
    }
}

fn expr_kind(
    e: &Expr,
    sources: &[Source<'_>],
    of_affinity: &impl Fn(Affinity) -> u8,
) -> Option<u8> {
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
fn compound_affinity(kinds: &[Affinity], data: &[u8], cast: bool) -> Affinity {
    let mut arm = 0;
    let mut seen = 0u8;
    let mut affinity = kinds[0];
    while affinity <= Affinity::None && arm + 1 < kinds.len() {
        seen |= data[arm];
        arm += 1;
        affinity = kinds[arm];
    }
    if affinity <= Affinity::None {
        affinity = Affinity::Blob;
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
        assert_eq!(compound_affinity(&[None], &[1], false), Blob);
        assert_eq!(compound_affinity(&[None, Integer], &[1, 5], false), Integer);
        assert_eq!(compound_affinity(&[Text, None], &[6, 1], false), Blob);
        assert_eq!(compound_affinity(&[Integer, None], &[5, 2], false), Blob);
        assert_eq!(compound_affinity(&[Integer, None], &[5, 1], false), Integer);
        assert_eq!(compound_affinity(&[Integer, None], &[5, 1], true), Numeric);
        assert_eq!(compound_affinity(&[Integer], &[5], true), Integer);
    }
}
