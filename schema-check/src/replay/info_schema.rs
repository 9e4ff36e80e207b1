//! The `information_schema` probes MySQL migrations guard dynamic DDL with, evaluated
//! against the replayed schema:
//!
//! ```sql
//! SET @s = (SELECT IF(
//!     (SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS
//!      WHERE table_name = 'teams' AND table_schema = DATABASE()
//!      AND column_name = 'kind' AND column_type != 'varchar(20)') > 0,
//!     'ALTER TABLE teams MODIFY kind varchar(255)', 'SELECT 1'));
//! ```
//!
//! The condition is `(SELECT COUNT(*) FROM information_schema.T WHERE ...) <op> <n>`,
//! `(SELECT field FROM information_schema.T WHERE ...) <op> 'text'` or
//! `[NOT] EXISTS (SELECT ... FROM information_schema.T WHERE ...) [<op> <n>]`, the `WHERE` clause
//! `[NOT] field = 'text'` / `field != 'text'` terms joined by `AND` (`table_schema =
//! DATABASE()` holds for every row). The tables and fields known: `TABLES` (`table_name`,
//! `table_type`), `COLUMNS` (`table_name`, `column_name`, `column_type` but that of
//! integer and `YEAR` columns, whose display width the replay does not keep, `data_type`,
//! `is_nullable`), `STATISTICS` (`table_name`, `index_name`, `non_unique`) and
//! `TABLE_CONSTRAINTS` (`table_name`, `constraint_name`, `constraint_type`). Text compares
//! without case, as the server's collation does; a table name matching only so is
//! unknown (the server may compare it by file name). Anything else is `None`: the caller
//! keeps its rule for conditions it does not evaluate.
//!
//! PostgreSQL's `information_schema` (the probes of `DO` blocks, [`super::do_block`])
//! differs: every table has `table_schema` (`public` for a name the replay keeps bare),
//! text compares exactly, `COLUMNS.data_type` is the type's SQL name without modifiers
//! (`character varying`, `timestamp with time zone`; `ARRAY`, `USER-DEFINED` for an enum or
//! composite type, a domain's base type), with `character_maximum_length` for
//! `character varying(n)` and `character(n)`, and `TABLE_CONSTRAINTS` lists each `NOT
//! NULL` as a `CHECK` constraint whose name the replay does not know. There is no
//! `STATISTICS` and no `column_type`.

use super::maps::HashMap;

use sqlparser::tokenizer::Token;

use crate::dialect::Dialect;
use crate::model::Schema;
use crate::types::{SqlType, TypeFamily};

/// One row of an `information_schema` table: field (lower case) -> value, `None` when the
/// replay does not know it.
type Row = HashMap<&'static str, Option<String>>;

/// Whether condition `tokens` (significant tokens, as [`super::words::Words`] keeps them)
/// holds on `schema`, whose `information_schema` is `dialect`'s; `None` when the replay
/// cannot tell.
pub(crate) fn evaluate(schema: &Schema, dialect: Dialect, tokens: &[Token]) -> Option<bool> {
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    let negated = word(0, "NOT");
    let start = usize::from(negated);
    if word(start, "EXISTS") {
        let inner = parenthesized(tokens, start + 1)?;
        let found = count(schema, dialect, &tokens[inner.start..inner.end - 1])? > 0;
        // `EXISTS (...) <op> n` compares the truth as 0 or 1 (`NOT` applies to the
        // comparison, which binds tighter).
        let holds = match &tokens[inner.end..] {
            [] => found,
            [op, Token::Number(bound, _)] if bound.parse::<u64>().is_ok() => compare(
                dialect,
                &Some(u8::from(found).to_string()),
                op,
                &Some(bound.clone()),
            )?,
            _ => return None,
        };
        return Some(holds != negated);
    }
    if negated {
        return None;
    }
    let inner = parenthesized(tokens, 0)?;
    let query = &tokens[inner.start..inner.end - 1];
    match &tokens[inner.end..] {
        // A scalar subquery against text: no row reads as NULL.
        [op, Token::SingleQuotedString(want)] => {
            let have = select_value(schema, dialect, query)?.flatten();
            compare(dialect, &have, op, &Some(want.clone()))
        }
        [op, Token::Number(bound, _)] if bound.parse::<u64>().is_ok() => {
            let n = count(schema, dialect, query)?;
            compare(dialect, &Some(n.to_string()), op, &Some(bound.clone()))
        }
        _ => None,
    }
}

/// The tokens inside the parentheses opening at `open`, as the range from after `(` to
/// after the matching `)`.
fn parenthesized(tokens: &[Token], open: usize) -> Option<std::ops::Range<usize>> {
    if tokens.get(open) != Some(&Token::LParen) {
        return None;
    }
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + 1..i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The number of rows `SELECT ... FROM information_schema.T WHERE ...` (`query`) finds.
fn count(schema: &Schema, dialect: Dialect, query: &[Token]) -> Option<u64> {
    let found = matching(schema, dialect, query)?;
    if found.group_by.is_some() {
        return None;
    }
    u64::try_from(found.rows.len()).ok()
}

/// The rows a `SELECT` over `information_schema` keeps, and what else it says.
struct Found<'q> {
    /// The select list (the tokens between `SELECT` and `FROM`).
    list: &'q [Token],
    /// The rows its `WHERE` clause keeps, in the table's order (an index's rows in
    /// `seq_in_index` order).
    rows: Vec<Row>,
    /// `GROUP BY field`, lower case.
    group_by: Option<String>,
}

/// Reads `SELECT list FROM information_schema.T [WHERE terms] [GROUP BY field]` and keeps
/// the rows its terms hold on (`None`: another form, or a term the replay cannot tell).
fn matching<'q>(schema: &Schema, dialect: Dialect, query: &'q [Token]) -> Option<Found<'q>> {
    let is = |t: &Token, w: &str| matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    if !query.first().is_some_and(|t| is(t, "SELECT")) {
        return None;
    }
    let mut depth = 0usize;
    let from = query.iter().position(|t| {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0 && is(t, "FROM")
    })?;
    let word = |i: usize| match query.get(i) {
        Some(Token::Word(x)) => Some(x.value.to_ascii_lowercase()),
        _ => None,
    };
    if word(from + 1)? != "information_schema" || query.get(from + 2) != Some(&Token::Period) {
        return None;
    }
    let all = rows(schema, dialect, &word(from + 3)?)?;
    // `GROUP BY field` ends the query, if it is there.
    let mut end = query.len();
    let mut group_by = None;
    if let Some(g) = (from + 4..query.len()).find(|&i| is(&query[i], "GROUP")) {
        if !query.get(g + 1).is_some_and(|t| is(t, "BY")) || g + 3 != query.len() {
            return None;
        }
        group_by = Some(word(g + 2)?);
        end = g;
    }
    let terms = match query.get(from + 4) {
        _ if from + 4 == end => Vec::new(),
        Some(t) if is(t, "WHERE") => terms(&query[from + 5..end])?,
        _ => return None,
    };
    let mut rows = Vec::new();
    for row in all {
        let mut holds = Some(true);
        for term in &terms {
            holds = match (holds, term.holds(&row, dialect)?) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        if holds? {
            rows.push(row);
        }
    }
    Some(Found {
        list: &query[1..from],
        rows,
        group_by,
    })
}

/// What a query's one column holds in a row: `None` is SQL's `NULL`.
pub(crate) type Value = Option<String>;

/// The value `SELECT expr FROM information_schema.T [WHERE ...] [GROUP BY field]`
/// (`query`) yields, as `SELECT expr INTO var` stores it or a scalar subquery reads it:
/// `Some(None)` when it yields no row (the variable keeps its value; a subquery is
/// `NULL`), `None` when the replay cannot tell (another form, several rows). `expr` is
/// `COUNT(*)`, a field, `GROUP_CONCAT(field [ORDER BY seq_in_index])` (rows come in
/// that order) or `IFNULL`/`COALESCE(expr, 'text')`.
pub(crate) fn select_value(
    schema: &Schema,
    dialect: Dialect,
    query: &[Token],
) -> Option<Option<Value>> {
    let found = matching(schema, dialect, query)?;
    let groups: Vec<&[Row]> = match &found.group_by {
        None => vec![&found.rows[..]],
        Some(field) => {
            // The rows of one group (several groups are several rows: not told).
            let first = found.rows.first().map(|r| r.get(field.as_str()));
            match first {
                None => Vec::new(),
                Some(None) => return None,
                Some(Some(key)) => {
                    let key = key.as_ref()?;
                    let same = |r: &Row| {
                        r.get(field.as_str())
                            .and_then(|v| v.as_ref())
                            .is_some_and(|v| v.eq_ignore_ascii_case(key))
                    };
                    if !found.rows.iter().all(same) {
                        return None;
                    }
                    vec![&found.rows[..]]
                }
            }
        }
    };
    let Some(rows) = groups.first() else {
        return Some(None);
    };
    let aggregate = aggregates(found.list);
    if !aggregate && rows.len() != 1 {
        return if rows.is_empty() { Some(None) } else { None };
    }
    Some(Some(expression(found.list, rows, dialect)?))
}

/// Whether select list `list` aggregates (`COUNT`, `GROUP_CONCAT`, inside `IFNULL` or not).
fn aggregates(list: &[Token]) -> bool {
    list.iter().any(|t| {
        matches!(t, Token::Word(w) if w.quote_style.is_none()
            && ["count", "group_concat"].iter().any(|f| w.value.eq_ignore_ascii_case(f)))
    })
}

/// Expression `e` over `rows` (one row unless `e` aggregates); `None` when the replay
/// cannot tell. A comparison (`COUNT(*) > 0`, PostgreSQL's usual boolean probe) is 1 or
/// 0, as MySQL has it and as the replay keeps booleans ([`super::locals`]).
fn expression(e: &[Token], rows: &[Row], dialect: Dialect) -> Option<Value> {
    let mut depth = 0usize;
    let op = e.iter().position(|t| {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0
            && matches!(
                t,
                Token::Eq | Token::Neq | Token::Lt | Token::LtEq | Token::Gt | Token::GtEq
            )
    });
    if let Some(op) = op {
        let left = expression(&e[..op], rows, dialect)?;
        let right = expression(&e[op + 1..], rows, dialect)?;
        if left.is_none() || right.is_none() {
            return Some(None);
        }
        let holds = compare(dialect, &left, &e[op], &right)?;
        return Some(Some(u8::from(holds).to_string()));
    }
    let is = |i: usize, w: &str| e.get(i).is_some_and(|t| super::words::is_word(t, w));
    let field = |t: &Token| match t {
        Token::Word(w) => Some(w.value.to_ascii_lowercase()),
        _ => None,
    };
    let call = |name: &str| {
        is(0, name) && e.get(1) == Some(&Token::LParen) && e.last() == Some(&Token::RParen)
    };
    match e {
        [Token::SingleQuotedString(s) | Token::Number(s, _)] => Some(Some(s.clone())),
        [t] => Some(Some(rows.first()?.get(field(t)?.as_str())?.clone()?)),
        _ if call("COUNT") && e.len() == 4 && e[2] == Token::Mul => {
            Some(Some(rows.len().to_string()))
        }
        _ if call("IFNULL") || call("COALESCE") => {
            // `f(a, b)`: the comma at depth 1 splits the arguments.
            let mut depth = 0usize;
            let comma = e.iter().position(|t| {
                match t {
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.saturating_sub(1),
                    _ => {}
                }
                depth == 1 && *t == Token::Comma
            })?;
            let first = expression(&e[2..comma], rows, dialect)?;
            match first {
                Some(v) => Some(Some(v)),
                None => expression(&e[comma + 1..e.len() - 1], rows, dialect),
            }
        }
        _ if call("GROUP_CONCAT") => {
            let f = field(e.get(2)?)?;
            match &e[3..e.len() - 1] {
                [] => {}
                [order, by, key]
                    if matches!(order, Token::Word(w) if w.value.eq_ignore_ascii_case("ORDER"))
                        && matches!(by, Token::Word(w) if w.value.eq_ignore_ascii_case("BY"))
                        && field(key).as_deref() == Some("seq_in_index") => {}
                _ => return None,
            }
            if rows.is_empty() {
                return Some(None);
            }
            let values: Option<Vec<String>> =
                rows.iter().map(|r| r.get(f.as_str())?.clone()).collect();
            Some(Some(values?.join(",")))
        }
        _ => None,
    }
}

/// Whether `have <op> want` holds as `dialect` compares them: numerically when both are
/// integers, else as text: MySQL without case (the collations migrations compare names
/// under), PostgreSQL exactly (its order of text, a collation's, is not modelled: only `=`
/// and `<>`); `NULL` on either side holds for no operator. `None`: an operator not
/// modelled.
pub(crate) fn compare(dialect: Dialect, have: &Value, op: &Token, want: &Value) -> Option<bool> {
    let (Some(have), Some(want)) = (have, want) else {
        return matches!(
            op,
            Token::Eq | Token::Neq | Token::Lt | Token::LtEq | Token::Gt | Token::GtEq
        )
        .then_some(false);
    };
    let ordering = match (have.parse::<i64>(), want.parse::<i64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ if dialect == Dialect::Postgres => {
            let same = have == want;
            return match op {
                Token::Eq => Some(same),
                Token::Neq => Some(!same),
                _ => None,
            };
        }
        _ => have.to_ascii_lowercase().cmp(&want.to_ascii_lowercase()),
    };
    Some(match op {
        Token::Eq => ordering.is_eq(),
        Token::Neq => ordering.is_ne(),
        Token::Lt => ordering.is_lt(),
        Token::LtEq => ordering.is_le(),
        Token::Gt => ordering.is_gt(),
        Token::GtEq => ordering.is_ge(),
        _ => return None,
    })
}

/// One `field = value` / `field != value` term of a `WHERE` clause.
struct Term {
    field: String,
    equal: bool,
    /// `None`: `DATABASE()` (MySQL, the history's database) or `current_schema()`
    /// (PostgreSQL, which the replay does not tell here).
    value: Option<String>,
}

impl Term {
    /// Whether the term holds on `row`: `None` (outer) for a field the table does not
    /// have here, `Some(None)` when the replay does not know.
    fn holds(&self, row: &Row, dialect: Dialect) -> Option<Option<bool>> {
        if dialect == Dialect::Postgres {
            let field = match self.field.as_str() {
                "constraint_schema" => "table_schema",
                f => f,
            };
            let (Some(have), Some(want)) = (row.get(field)?, &self.value) else {
                return Some(None);
            };
            return Some(Some((have == want) == self.equal));
        }
        if self.field == "table_schema" || self.field == "constraint_schema" {
            return Some(match &self.value {
                None => Some(self.equal),
                Some(_) => None,
            });
        }
        let known = row.get(self.field.as_str())?;
        let (Some(have), Some(want)) = (known, &self.value) else {
            return Some(None);
        };
        let same = if have == want {
            true
        } else if have.eq_ignore_ascii_case(want) {
            if self.field == "table_name" {
                return Some(None);
            }
            true
        } else {
            false
        };
        Some(Some(same == self.equal))
    }
}

/// The terms of a `WHERE` clause of `AND`ed comparisons (`None` for anything else).
fn terms(tokens: &[Token]) -> Option<Vec<Term>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        // `[NOT] [table.]field`
        let negated = matches!(&tokens[i], Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("NOT"));
        i += usize::from(negated);
        let mut field = match tokens.get(i)? {
            Token::Word(w) => w.value.to_ascii_lowercase(),
            _ => return None,
        };
        i += 1;
        if tokens.get(i) == Some(&Token::Period) {
            field = match tokens.get(i + 1)? {
                Token::Word(w) => w.value.to_ascii_lowercase(),
                _ => return None,
            };
            i += 2;
        }
        let equal = match tokens.get(i)? {
            Token::Eq => true,
            Token::Neq => false,
            _ => return None,
        };
        i += 1;
        let value = match tokens.get(i)? {
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) | Token::Number(s, _) => {
                i += 1;
                Some(s.clone())
            }
            Token::Word(w)
                if ["database", "schema", "current_schema"]
                    .iter()
                    .any(|f| w.value.eq_ignore_ascii_case(f))
                    && tokens.get(i + 1) == Some(&Token::LParen)
                    && tokens.get(i + 2) == Some(&Token::RParen) =>
            {
                i += 3;
                None
            }
            _ => return None,
        };
        out.push(Term {
            field,
            equal: equal != negated,
            value,
        });
        match tokens.get(i) {
            None => {}
            Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("AND") => i += 1,
            Some(_) => return None,
        }
    }
    Some(out)
}

/// The rows of `information_schema.<table>` the replay can tell (`None`: a table not
/// modelled here).
fn rows(schema: &Schema, dialect: Dialect, table: &str) -> Option<Vec<Row>> {
    if dialect == Dialect::Postgres {
        return pg_rows(schema, table);
    }
    let row = |fields: Vec<(&'static str, Option<String>)>| fields.into_iter().collect::<Row>();
    let text = |s: &str| Some(s.to_string());
    let mut out = Vec::new();
    match table {
        "tables" => {
            for t in schema.tables.keys() {
                out.push(row(vec![
                    ("table_name", text(t)),
                    ("table_type", text("BASE TABLE")),
                ]));
            }
            for v in schema.views.keys() {
                out.push(row(vec![
                    ("table_name", text(v)),
                    ("table_type", text("VIEW")),
                ]));
            }
        }
        "columns" => {
            for (name, t) in &schema.tables {
                for c in &t.columns {
                    let ty = &c.ty.canonical;
                    let data_type = ty.split(['(', ' ']).next().unwrap_or_default().to_string();
                    let widthless = ["tinyint", "smallint", "mediumint", "int", "bigint", "year"]
                        .contains(&data_type.as_str());
                    out.push(row(vec![
                        ("table_name", text(name)),
                        ("column_name", text(&c.name)),
                        ("column_type", (!widthless).then(|| ty.clone())),
                        ("data_type", Some(data_type)),
                        ("is_nullable", text(if c.nullable { "YES" } else { "NO" })),
                    ]));
                }
            }
        }
        "statistics" => {
            // One row per column of each index (PRIMARY, unique keys, other indexes).
            let mut seen = super::maps::HashSet::default();
            let mut index = |table: &str, index: &str, unique: bool, columns: &[String]| {
                if !seen.insert((table.to_ascii_lowercase(), index.to_ascii_lowercase())) {
                    return;
                }
                for c in columns {
                    out.push(row(vec![
                        ("table_name", text(table)),
                        ("index_name", text(index)),
                        ("column_name", text(c)),
                        ("non_unique", text(if unique { "0" } else { "1" })),
                    ]));
                }
            };
            for (name, t) in &schema.tables {
                if let Some(pk) = &t.primary_key {
                    index(name, "PRIMARY", true, pk);
                }
                for u in &t.unique {
                    index(name, u.name.as_deref()?, true, &u.columns);
                }
            }
            for ix in schema.indexes.values() {
                index(&ix.table, &ix.name, ix.unique, &ix.columns);
            }
        }
        "table_constraints" => {
            for (name, t) in &schema.tables {
                let mut constraint = |n: &str, kind: &str| {
                    out.push(row(vec![
                        ("table_name", text(name)),
                        ("constraint_name", text(n)),
                        ("constraint_type", text(kind)),
                    ]));
                };
                if t.primary_key.is_some() {
                    constraint("PRIMARY", "PRIMARY KEY");
                }
                for u in &t.unique {
                    constraint(u.name.as_deref()?, "UNIQUE");
                }
                for f in &t.foreign_keys {
                    constraint(f.name.as_deref()?, "FOREIGN KEY");
                }
                for c in &t.checks {
                    constraint(c.name.as_deref()?, "CHECK");
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// The schema and name PostgreSQL's `information_schema` shows for key `key` (bare in
/// `public`, `schema.name` elsewhere).
fn pg_place(key: &str) -> (String, String) {
    match key.split_once('.') {
        Some((s, n)) => (s.to_string(), n.to_string()),
        None => ("public".to_string(), key.to_string()),
    }
}

/// `COLUMNS.data_type` and `character_maximum_length` of a PostgreSQL column of type `ty`
/// (`None` where the replay does not know).
fn pg_data_type(schema: &Schema, ty: &SqlType) -> (Option<String>, Option<String>) {
    let base = super::pg_typeconv::bare(ty, schema);
    if matches!(base.family, TypeFamily::Array { .. }) {
        return (Some("ARRAY".to_string()), None);
    }
    let key = crate::canonical::pg_type_key(&base.canonical);
    if schema.enums.contains_key(key.as_ref()) || schema.composite_types.contains_key(key.as_ref())
    {
        return (Some("USER-DEFINED".to_string()), None);
    }
    let name = match base.canonical.as_str() {
        "bpchar" | "character" => "character",
        n => n,
    };
    let builtin = match name {
        "character" => "bpchar",
        n => n,
    };
    if name == "citext" || super::pg_typeconv::builtin(builtin).family == TypeFamily::Other {
        // An extension's type, or one the replay does not name here.
        return (None, None);
    }
    // The length `character varying(n)` / `character(n)` declares, through domains (a
    // string type without one, like any other type, has NULL, which a row cannot hold:
    // unknown).
    let mut declared = ty.clone();
    while let Some(d) = schema
        .domains
        .get(crate::canonical::pg_type_key(&declared.canonical).as_ref())
    {
        declared = d.base.clone();
    }
    let length = match declared.family {
        TypeFamily::Text { max_len } => max_len.map(|n| n.to_string()),
        _ => None,
    };
    (Some(name.to_string()), length)
}

/// The rows of PostgreSQL's `information_schema.<table>` the replay can tell (`None`: a
/// table not modelled here).
fn pg_rows(schema: &Schema, table: &str) -> Option<Vec<Row>> {
    let row = |fields: Vec<(&'static str, Option<String>)>| fields.into_iter().collect::<Row>();
    let text = |s: &str| Some(s.to_string());
    let mut out = Vec::new();
    match table {
        "tables" => {
            let kinds = schema
                .tables
                .keys()
                .map(|k| (k, "BASE TABLE"))
                .chain(schema.views.keys().map(|k| (k, "VIEW")));
            for (key, kind) in kinds {
                let (s, n) = pg_place(key);
                out.push(row(vec![
                    ("table_schema", Some(s)),
                    ("table_name", Some(n)),
                    ("table_type", text(kind)),
                ]));
            }
        }
        "columns" => {
            for (key, t) in &schema.tables {
                let (s, n) = pg_place(key);
                for c in &t.columns {
                    let (data_type, length) = pg_data_type(schema, &c.ty);
                    out.push(row(vec![
                        ("table_schema", Some(s.clone())),
                        ("table_name", Some(n.clone())),
                        ("column_name", text(&c.name)),
                        ("data_type", data_type),
                        ("character_maximum_length", length),
                        ("is_nullable", text(if c.nullable { "YES" } else { "NO" })),
                    ]));
                }
            }
        }
        "table_constraints" => {
            for (key, t) in &schema.tables {
                let (s, n) = pg_place(key);
                let mut constraint = |name: Option<&str>, kind: &str| {
                    out.push(row(vec![
                        ("table_schema", Some(s.clone())),
                        ("table_name", Some(n.clone())),
                        ("constraint_name", name.map(str::to_string)),
                        ("constraint_type", text(kind)),
                    ]));
                };
                if t.primary_key.is_some() {
                    constraint(t.primary_key_name.as_deref(), "PRIMARY KEY");
                }
                for u in &t.unique {
                    if u.kind == crate::model::UniqueKind::Constraint {
                        constraint(u.name.as_deref(), "UNIQUE");
                    }
                }
                for f in &t.foreign_keys {
                    constraint(f.name.as_deref(), "FOREIGN KEY");
                }
                for c in &t.checks {
                    constraint(c.name.as_deref(), "CHECK");
                }
                // Each NOT NULL column shows as a CHECK constraint, with a generated name.
                for _ in t.columns.iter().filter(|c| !c.nullable) {
                    constraint(None, "CHECK");
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;

    fn holds(history: &str, condition: &str) -> Option<bool> {
        let schema = super::super::tests::ok(Dialect::Mysql, history).schema;
        let w = super::super::words::Words::of(&sqlparser::dialect::MySqlDialect {}, condition)?;
        evaluate(&schema, Dialect::Mysql, w.slice(0, w.len()))
    }

    const T: &str =
        "CREATE TABLE t (id INT PRIMARY KEY, k VARCHAR(9) NOT NULL, n INT, KEY t_k (k))";

    #[test]
    fn counts_and_exists_over_columns_indexes_and_constraints() {
        let count = |table: &str, terms: &str, rest: &str| {
            format!(
                "(SELECT COUNT(*) FROM INFORMATION_SCHEMA.{table} WHERE table_schema = DATABASE() \
                 AND table_name = 't' AND {terms}) {rest}"
            )
        };
        let yes = Some(true);
        let no = Some(false);
        assert_eq!(holds(T, &count("COLUMNS", "column_name = 'k'", "> 0")), yes);
        assert_eq!(holds(T, &count("COLUMNS", "column_name = 'K'", "> 0")), yes);
        assert_eq!(holds(T, &count("COLUMNS", "column_name = 'x'", "= 0")), yes);
        assert_eq!(
            holds(
                T,
                &count(
                    "COLUMNS",
                    "column_type != 'varchar(9)' AND column_name = 'k'",
                    "> 0"
                )
            ),
            no
        );
        assert_eq!(
            holds(T, &count("COLUMNS", "is_nullable = 'NO'", "= 2")),
            yes
        );
        assert_eq!(
            holds(T, &count("STATISTICS", "index_name = 't_k'", ">= 1")),
            yes
        );
        assert_eq!(
            holds(T, &count("STATISTICS", "index_name = 'PRIMARY'", "= 1")),
            yes
        );
        assert_eq!(
            holds(
                T,
                &count("TABLE_CONSTRAINTS", "constraint_type = 'UNIQUE'", "> 0")
            ),
            no
        );
        let exists = "NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 't')";
        assert_eq!(holds(T, exists), no);
    }

    #[test]
    fn a_scalar_subquery_compares_with_text() {
        // MariaDB 10.11: column_type compares without case; no row reads as NULL, for
        // which `!=` does not hold.
        let scalar = |column: &str, rest: &str| {
            format!(
                "(SELECT column_type FROM information_schema.columns WHERE table_schema = \
                 DATABASE() AND table_name = 't' AND column_name = '{column}') {rest}"
            )
        };
        assert_eq!(holds(T, &scalar("k", "!= 'VARCHAR(9)'")), Some(false));
        assert_eq!(holds(T, &scalar("k", "!= 'varchar(250)'")), Some(true));
        assert_eq!(holds(T, &scalar("zz", "!= 'x'")), Some(false));
        // Several rows, or an integer's type (its display width is not kept), are unknown.
        assert_eq!(holds(T, &scalar("n", "!= 'int(11)'")), None);
        let several =
            "(SELECT column_type FROM information_schema.columns WHERE table_name = 't') = 'x'";
        assert_eq!(holds(T, several), None);
    }

    #[test]
    fn exists_compares_as_0_or_1() {
        // MariaDB 10.11: EXISTS(...) > 0 holds when a row is found; NOT EXISTS(...) > 0
        // is NOT (EXISTS(...) > 0). `column_name` of STATISTICS names indexed columns.
        let probe = |not: &str, column: &str, rest: &str| {
            format!(
                "{not}EXISTS(SELECT 1 FROM information_schema.statistics WHERE table_schema = \
                 DATABASE() AND table_name = 't' AND column_name = '{column}') {rest}"
            )
        };
        assert_eq!(holds(T, &probe("", "k", "> 0")), Some(true));
        assert_eq!(holds(T, &probe("", "n", "> 0")), Some(false));
        assert_eq!(holds(T, &probe("", "n", "= 0")), Some(true));
        assert_eq!(holds(T, &probe("NOT ", "k", "> 0")), Some(false));
        assert_eq!(holds(T, &probe("", "k", "> 'x'")), None);
    }

    #[test]
    fn what_the_replay_cannot_tell_is_none() {
        let probe = |terms: &str| {
            format!("(SELECT COUNT(*) FROM information_schema.columns WHERE {terms}) > 0")
        };
        // Integer display widths are not kept; a named schema is not known; OR, LIKE,
        // other tables and a table name matching only without case are not evaluated.
        assert_eq!(
            holds(T, &probe("table_name = 't' AND column_type = 'int(11)'")),
            None
        );
        assert_eq!(
            holds(T, &probe("table_schema = 'app' AND table_name = 't'")),
            None
        );
        assert_eq!(
            holds(T, &probe("table_name = 't' OR column_name = 'k'")),
            None
        );
        assert_eq!(holds(T, &probe("column_name LIKE 'k%'")), None);
        assert_eq!(holds(T, &probe("table_name = 'T'")), None);
        let other =
            "(SELECT COUNT(*) FROM information_schema.routines WHERE routine_name = 'p') > 0";
        assert_eq!(holds(T, other), None);
        // A column of another table does not make the type unknown.
        assert_eq!(
            holds(T, &probe("table_name = 'u' AND column_type = 'int(11)'")),
            Some(false)
        );
    }

    #[test]
    fn postgres_information_schema_as_postgresql_15_shows_it() {
        let schema = super::super::tests::ok(
            Dialect::Postgres,
            "CREATE TYPE mood AS ENUM ('a');
             CREATE DOMAIN short AS varchar(5);
             CREATE SCHEMA app;
             CREATE TABLE t (a varchar(20) NOT NULL, b text, c jsonb, d mood, e integer[],
               f timestamp(3) with time zone, g short, h character(3), i numeric(10,2),
               j bigint PRIMARY KEY, k interval(3));
             CREATE TABLE app.t (z int);",
        )
        .schema;
        let value = |query: &str| {
            let w =
                super::super::words::Words::of(&sqlparser::dialect::PostgreSqlDialect {}, query)
                    .unwrap();
            select_value(&schema, Dialect::Postgres, w.slice(0, w.len()))
        };
        let column = |field: &str, column: &str| {
            value(&format!(
                "SELECT {field} FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = 't' AND column_name = '{column}'"
            ))
        };
        let some = |s: &str| Some(Some(Some(s.to_string())));
        for (c, ty) in [
            ("a", "character varying"),
            ("b", "text"),
            ("c", "jsonb"),
            ("d", "USER-DEFINED"),
            ("e", "ARRAY"),
            ("f", "timestamp with time zone"),
            ("g", "character varying"),
            ("h", "character"),
            ("i", "numeric"),
            ("j", "bigint"),
        ] {
            assert_eq!(column("data_type", c), some(ty), "{c}");
        }
        assert_eq!(column("character_maximum_length", "a"), some("20"));
        assert_eq!(column("character_maximum_length", "g"), some("5"));
        assert_eq!(column("character_maximum_length", "h"), some("3"));
        // PostgreSQL shows NULL for every other type (`interval(3)` has a precision, not a
        // length); a row cannot hold NULL here, so the replay cannot tell.
        assert_eq!(column("character_maximum_length", "k"), None);
        assert_eq!(column("is_nullable", "a"), some("NO"));
        assert_eq!(column("is_nullable", "b"), some("YES"));
        // No row: NULL. Text compares exactly.
        assert_eq!(column("data_type", "zz"), Some(None));
        assert_eq!(column("data_type", "A"), Some(None));
        // `t` is in two schemas.
        let both = "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'";
        assert_eq!(value(both), some("2"));
        let app = "SELECT count(*) > 0 FROM information_schema.columns \
                   WHERE table_schema = 'app' AND column_name = 'z'";
        assert_eq!(value(app), some("1"));
        // The primary key and the NOT NULL columns' CHECK constraints.
        let checks = "SELECT count(*) FROM information_schema.table_constraints \
                      WHERE table_name = 't' AND table_schema = 'public' \
                      AND constraint_type = 'CHECK'";
        assert_eq!(value(checks), some("2"));
        let pk = "SELECT constraint_name FROM information_schema.table_constraints \
                  WHERE table_name = 't' AND constraint_type = 'PRIMARY KEY' \
                  AND table_schema = 'public'";
        assert_eq!(value(pk), some("t_pkey"));
    }
}
