//! The names servers give objects the migration did not name: one owner for each
//! server's rules.
//!
//! PostgreSQL (`src/backend/commands/indexcmds.c`, `catalog/pg_constraint.c`):
//! `makeObjectName` builds `<table>_<addition>_<label>` within 63 bytes, cutting the longer
//! of table and addition first; `ChooseRelationName` / `ChooseConstraintName` append `1`,
//! `2`... to the label while the name is taken: by any relation of the schema (tables,
//! views, indexes, sequences, composite types) for indexes and sequences, by any
//! constraint of the schema for constraints, by both for the indexes behind PRIMARY KEY
//! and UNIQUE constraints. The addition is the key's columns joined by `_` (stopping once
//! 63 bytes are reached); an expression's column name is what `FigureColname` gives (a
//! function's name, a cast's type...), else `expr`.
//!
//! MySQL/MariaDB: an unnamed index takes its first column's name, then `<name>_2`,
//! `<name>_3`...; an unnamed foreign key is `<table>_ibfk_<n>` (one more than the highest
//! n); an unnamed CHECK is named after its column when declared with a column, else
//! `CONSTRAINT_<n>`. SQLite names nothing.

use std::borrow::Cow;

use sqlparser::ast::{Expr, FunctionArguments, ObjectNamePart};

use super::constraint_names::ConstraintNames;
use super::relation_index::RelationIndex;
use crate::dialect::Dialect;
use crate::model::{Schema, Table, UniqueKind};

/// PostgreSQL's longest identifier, in bytes (`NAMEDATALEN - 1`).
pub const PG_MAX_IDENT: usize = 63;

/// `s` cut to at most `max` bytes, on a character boundary.
pub(crate) fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// PostgreSQL's `makeObjectName(name1, name2, label)`.
///
/// ```
/// use schema_check::replay::names::make_object_name;
/// assert_eq!(make_object_name("users", Some("email"), "key"), "users_email_key");
/// assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
/// let long = "a".repeat(40);
/// let name = make_object_name(&long, Some(&"b".repeat(40)), "fkey");
/// assert_eq!(name.len(), 63);
/// assert_eq!(name, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
/// ```
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead =
        if label.is_empty() { 0 } else { label.len() + 1 } + usize::from(name2.is_some());
    let avail = PG_MAX_IDENT.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut name = String::with_capacity(n1 + n2 + overhead);
    name.push_str(clip(name1, n1));
    if let Some(n) = name2 {
        name.push('_');
        name.push_str(clip(n, n2));
    }
    if !label.is_empty() {
        name.push('_');
        name.push_str(label);
    }
    name
}

/// PostgreSQL's `ChooseIndexNameAddition` (also used for foreign keys): the names joined
/// by `_`, stopping once 63 bytes are reached.
pub fn name_addition(columns: &[String]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(clip(c, PG_MAX_IDENT));
        if out.len() >= PG_MAX_IDENT {
            break;
        }
    }
    out
}

/// PostgreSQL's `ChooseIndexColumnNames`: each index column's name (`expr` for an
/// expression without a name of its own), made distinct with `1`, `2`... suffixes.
pub fn index_column_names(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for orig in raw {
        let mut cur = orig.clone();
        let mut i = 1;
        while out.contains(&cur) {
            let suffix = i.to_string();
            cur = format!("{}{suffix}", clip(orig, PG_MAX_IDENT - suffix.len()));
            i += 1;
        }
        out.push(cur);
    }
    out
}

/// The column name PostgreSQL figures for an index expression (`FigureIndexColname`), or
/// `None` when it has none (the index column is then called `expr`).
pub fn figure_colname(expr: &Expr) -> Option<String> {
    figured_colname(expr).map(Cow::into_owned)
}

/// [`figure_colname`], borrowing the name from `expr` where folding leaves it as written.
pub(crate) fn figured_colname(expr: &Expr) -> Option<Cow<'_, str>> {
    figure(expr).map(|(name, _)| name)
}

/// `FigureColnameInternal`: a name and its strength (2 strong, 1 weak).
fn figure(expr: &Expr) -> Option<(Cow<'_, str>, u8)> {
    // Names are folded (ASCII only) and cut to 63 bytes as every PostgreSQL identifier.
    fn ident(i: &sqlparser::ast::Ident) -> Cow<'_, str> {
        super::ident::folded(Dialect::Postgres, i)
    }
    match expr {
        Expr::Identifier(i) => Some((ident(i), 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| (ident(i), 2)),
        Expr::Nested(inner) => figure(inner),
        Expr::Collate { expr, .. } => figure(expr),
        Expr::Function(f) => {
            let name = match f.name.0.last()? {
                ObjectNamePart::Identifier(i) => ident(i),
                other => Cow::Owned(other.to_string().to_ascii_lowercase()),
            };
            // `coalesce`, `greatest`, `nullif`... are functions in sqlparser's AST too.
            let _ = &f.args;
            let _ = matches!(f.args, FunctionArguments::None);
            Some((name, 2))
        }
        Expr::Cast {
            expr, data_type, ..
        } => match figure(expr) {
            Some((n, 2)) => Some((n, 2)),
            weaker => pg_internal_type_name(&data_type.to_string())
                .map(|t| (Cow::Owned(t), 1))
                .or(weaker),
        },
        Expr::Case { .. } => Some(("case".into(), 1)),
        Expr::Array(_) => Some(("array".into(), 1)),
        Expr::Tuple(_) => Some(("row".into(), 1)),
        Expr::Extract { .. } => Some(("extract".into(), 2)),
        Expr::Substring { .. } => Some(("substring".into(), 2)),
        Expr::Position { .. } => Some(("position".into(), 2)),
        Expr::Overlay { .. } => Some(("overlay".into(), 2)),
        Expr::Trim { trim_where, .. } => {
            let name = match trim_where {
                Some(sqlparser::ast::TrimWhereField::Leading) => "ltrim",
                Some(sqlparser::ast::TrimWhereField::Trailing) => "rtrim",
                _ => "btrim",
            };
            Some((name.into(), 2))
        }
        Expr::Exists { .. } => Some(("exists".into(), 2)),
        _ => None,
    }
}

/// The name PostgreSQL's catalog gives a type written in a cast (`integer` is `int4`),
/// the last part of the name otherwise.
fn pg_internal_type_name(written: &str) -> Option<String> {
    let lower = written.to_ascii_lowercase();
    let base = lower.split('(').next().unwrap_or("").trim();
    let base = base.strip_suffix("[]").unwrap_or(base);
    let name = match base {
        "int" | "integer" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "boolean" | "bool" => "bool",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "float" => "float8",
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "decimal" | "numeric" => "numeric",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "time with time zone" | "timetz" => "timetz",
        "time" | "time without time zone" => "time",
        other => other.rsplit('.').next().unwrap_or(other),
    };
    (!name.is_empty()).then(|| name.to_string())
}

/// The schema part of a PostgreSQL canonical name (`None` for `public`).
fn schema_of(key: &str) -> Option<&str> {
    key.split_once('.').map(|(s, _)| s)
}

/// Whether a relation (table, view, index, sequence, composite type, or the index behind
/// a PRIMARY KEY or UNIQUE constraint) named `name` exists in the namespace `ns`.
/// `current` is a table being built or changed, not in `schema.tables`; `others`: whether
/// a table of `schema` may have a constraint named `name` (see [`any_table_in`]).
fn pg_relation_taken(
    schema: &Schema,
    known: Option<&RelationIndex>,
    current: Option<&Table>,
    ns: Option<&str>,
    name: &str,
    others: bool,
) -> bool {
    if pg_relation_key_taken(schema, known, current, ns, name) {
        return true;
    }
    any_table_in(schema, current, ns, others, |t| {
        t.primary_key_name.as_deref() == Some(name)
            || t.unique
                .iter()
                .any(|u| u.name.as_deref() == Some(name) && u.kind == UniqueKind::Constraint)
    })
}

/// Whether a table, view, index, sequence or composite type named `name` exists in the
/// namespace `ns` (`current`: see [`pg_relation_taken`]); the maps of `schema` are read
/// only when `known` (the keys its relations have had) may hold the name.
fn pg_relation_key_taken(
    schema: &Schema,
    known: Option<&RelationIndex>,
    current: Option<&Table>,
    ns: Option<&str>,
    name: &str,
) -> bool {
    // The key, qualified outside `public` (`None`).
    let qualified;
    let key = match ns {
        Some(s) => {
            qualified = format!("{s}.{name}");
            qualified.as_str()
        }
        None => name,
    };
    if current.is_some_and(|t| t.name == key) {
        return true;
    }
    if known.is_some_and(|k| !k.may_exist(key)) {
        return false;
    }
    schema.tables.contains_key(key)
        || schema.views.contains_key(key)
        || schema.indexes.contains_key(key)
        || schema.sequences.contains_key(key)
        || schema.composite_types.contains_key(key)
}

/// Whether a constraint named `name` exists on any table of the namespace `ns` (`others`:
/// see [`any_table_in`]).
fn pg_constraint_taken(
    schema: &Schema,
    current: Option<&Table>,
    ns: Option<&str>,
    name: &str,
    others: bool,
) -> bool {
    any_table_in(schema, current, ns, others, |t| {
        table_has_constraint(t, name)
    })
}

/// Whether `table` has a constraint (primary key, UNIQUE, foreign key, CHECK) named `name`.
pub(crate) fn table_has_constraint(t: &Table, name: &str) -> bool {
    let named = |n: &Option<String>| n.as_deref() == Some(name);
    named(&t.primary_key_name)
        || t.unique
            .iter()
            .any(|u| named(&u.name) && u.kind == UniqueKind::Constraint)
        || t.foreign_keys.iter().any(|f| named(&f.name))
        || t.checks.iter().any(|c| named(&c.name))
}

/// Whether `has` holds for a table of the namespace `ns`: the tables of `schema` (but the
/// one `current` replaces; only read when `others`, i.e. when one of them may have the
/// name) and `current`. `has` is asked first: it rejects almost every table by comparing
/// a name, cheaper than finding the table's namespace.
fn any_table_in(
    schema: &Schema,
    current: Option<&Table>,
    ns: Option<&str>,
    others: bool,
    has: impl Fn(&Table) -> bool,
) -> bool {
    let in_ns = |t: &Table| schema_of(&t.name) == ns;
    (others
        && schema
            .tables
            .values()
            .any(|t| has(t) && current.is_none_or(|c| c.name != t.name) && in_ns(t)))
        || current.is_some_and(|c| has(c) && in_ns(c))
}

/// What a generated PostgreSQL name must not collide with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgNameSpace {
    /// Relations only: plain indexes (`CREATE INDEX`), sequences.
    Relations,
    /// Constraints only: CHECK and FOREIGN KEY.
    Constraints,
    /// Both: the index behind a PRIMARY KEY or UNIQUE constraint.
    Both,
}

/// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName` for the table `table`
/// (its canonical key): `makeObjectName(table, addition, label)`, with `1`, `2`...
/// appended to the label while the name is taken in `space`.
pub fn pg_choose_name(
    schema: &Schema,
    current: Option<&Table>,
    table: &str,
    addition: Option<&str>,
    label: &str,
    space: PgNameSpace,
) -> String {
    choose_name(schema, None, current, table, addition, label, space)
}

/// [`pg_choose_name`], reading the tables of `schema` only for a name `known` (the
/// constraint names the replay's tables have had) holds, and its relations only for a
/// name `relations` (the keys they have had) holds.
#[allow(clippy::too_many_arguments)]
pub(crate) fn pg_choose_known_name(
    schema: &Schema,
    known: &ConstraintNames,
    relations: &RelationIndex,
    current: Option<&Table>,
    table: &str,
    addition: Option<&str>,
    label: &str,
    space: PgNameSpace,
) -> String {
    debug_assert!(
        known.covers(schema),
        "a constraint name of the schema is not in the replay's ConstraintNames"
    );
    debug_assert!(
        relations.covers(schema),
        "a relation is not in the RelationIndex"
    );
    choose_name(
        schema,
        Some((known, relations)),
        current,
        table,
        addition,
        label,
        space,
    )
}

/// [`pg_choose_name`]; `known`: see [`pg_choose_known_name`] (`None`: read every table
/// and every relation).
fn choose_name(
    schema: &Schema,
    known: Option<(&ConstraintNames, &RelationIndex)>,
    current: Option<&Table>,
    table: &str,
    addition: Option<&str>,
    label: &str,
    space: PgNameSpace,
) -> String {
    let ns = schema_of(table);
    let bare = table.rsplit('.').next().unwrap_or(table);
    let mut pass = 0u32;
    loop {
        let modlabel = if pass == 0 {
            std::borrow::Cow::Borrowed(label)
        } else {
            std::borrow::Cow::Owned(format!("{label}{pass}"))
        };
        let name = make_object_name(bare, addition, &modlabel);
        let others = known.is_none_or(|(k, _)| k.may_be_taken(&name));
        let relations = known.map(|(_, r)| r);
        let taken = match space {
            PgNameSpace::Relations => {
                pg_relation_taken(schema, relations, current, ns, &name, others)
            }
            PgNameSpace::Constraints => pg_constraint_taken(schema, current, ns, &name, others),
            // A table's PRIMARY KEY and UNIQUE names are among its constraints: one pass
            // over the tables checks both.
            PgNameSpace::Both => {
                pg_relation_key_taken(schema, relations, current, ns, &name)
                    || pg_constraint_taken(schema, current, ns, &name, others)
            }
        };
        if !taken {
            return name;
        }
        pass += 1;
    }
}

/// MySQL's `make_unique_key_name`: `first` unless an index of the table has that name
/// (or it is `PRIMARY`), else `first_2`, `first_3`... Names compare case-insensitively.
pub fn mysql_key_name<'a>(first: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let used = |n: &str| taken.clone().any(|t| t.eq_ignore_ascii_case(n));
    if !used(first) && !first.eq_ignore_ascii_case("PRIMARY") {
        return first.to_string();
    }
    (2..100)
        .map(|i| format!("{first}_{i}"))
        .find(|n| !used(n))
        .unwrap_or_else(|| "not_specified".to_string())
}

/// Of `names` (one table's index or constraint names), the one a MySQL statement that
/// writes `written` means: index and constraint names are not case-sensitive there, so
/// `written` itself if present, else the first equal to it in any ASCII case.
///
/// ```
/// use schema_check::replay::names::mysql_stored_name;
/// assert_eq!(mysql_stored_name("UK_A", ["uk_a", "x"].into_iter()), Some("uk_a"));
/// assert_eq!(mysql_stored_name("a", ["A", "a"].into_iter()), Some("a"));
/// assert_eq!(mysql_stored_name("b", ["A"].into_iter()), None);
/// ```
pub fn mysql_stored_name<'a>(
    written: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    (names.clone().find(|n| *n == written))
        .or_else(|| names.into_iter().find(|n| n.eq_ignore_ascii_case(written)))
}

/// InnoDB's name for an unnamed foreign key of `table`: `<table>_ibfk_<n>`, one more than
/// the highest `n` among the table's foreign keys.
pub fn mysql_foreign_key_name<'a>(table: &str, existing: impl Iterator<Item = &'a str>) -> String {
    let prefix = format!("{table}_ibfk_");
    let highest = existing
        .filter_map(|n| n.strip_prefix(&prefix)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

/// MariaDB's name for an unnamed table CHECK constraint: `CONSTRAINT_<n>`, the first `n`
/// from 1 not taken by the table's checks.
pub fn mysql_check_name<'a>(existing: impl Iterator<Item = &'a str> + Clone) -> String {
    (1..)
        .map(|i| format!("CONSTRAINT_{i}"))
        .find(|n| !existing.clone().any(|e| e.eq_ignore_ascii_case(n)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_column_names_are_made_distinct() {
        let raw = vec![
            "a".to_string(),
            "a".to_string(),
            "expr".to_string(),
            "expr".to_string(),
        ];
        assert_eq!(index_column_names(&raw), ["a", "a1", "expr", "expr1"]);
    }

    #[test]
    fn figure_colname_follows_postgres() {
        let d = sqlparser::dialect::PostgreSqlDialect {};
        let expr = |s: &str| {
            sqlparser::parser::Parser::new(&d)
                .try_with_sql(s)
                .unwrap()
                .parse_expr()
                .unwrap()
        };
        assert_eq!(
            figure_colname(&expr("lower(email)")).as_deref(),
            Some("lower")
        );
        assert_eq!(figure_colname(&expr("(data->>'x')")), None);
        // PostgreSQL 15 (UTF8): `CREATE TABLE c AS SELECT FÖÖ(), <70 letters>()` names
        // its columns `fÖÖ` (only ASCII is folded) and the first 63 bytes, folded.
        assert_eq!(figure_colname(&expr("FÖÖ()")).as_deref(), Some("fÖÖ"));
        let long = "ABCDEFGHIJ".repeat(7);
        assert_eq!(
            figure_colname(&expr(&format!("{long}()"))),
            Some(long[..63].to_ascii_lowercase())
        );
        assert_eq!(
            figure_colname(&expr("created_at::date")).as_deref(),
            Some("created_at")
        );
        assert_eq!(
            figure_colname(&expr("(a + b)::integer")).as_deref(),
            Some("int4")
        );
        assert_eq!(
            figure_colname(&expr("COALESCE(a, b)")).as_deref(),
            Some("coalesce")
        );
        assert_eq!(figure_colname(&expr("public.f(a)")).as_deref(), Some("f"));
    }

    #[test]
    fn mysql_names() {
        assert_eq!(mysql_key_name("a", ["b"].into_iter()), "a");
        assert_eq!(mysql_key_name("a", ["A", "a_2"].into_iter()), "a_3");
        assert_eq!(mysql_key_name("primary", std::iter::empty()), "primary_2");
        assert_eq!(
            mysql_foreign_key_name("t", ["t_ibfk_1", "t_ibfk_7", "x"].into_iter()),
            "t_ibfk_8"
        );
        assert_eq!(
            mysql_check_name(["CONSTRAINT_1"].into_iter()),
            "CONSTRAINT_2"
        );
    }
}
