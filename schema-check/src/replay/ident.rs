//! Identifier folding and canonical object names, per dialect.
//!
//! - PostgreSQL folds unquoted identifiers to lower case (ASCII letters only, as its
//!   scanner does in a UTF-8 database) and keeps quoted ones verbatim; it cuts every
//!   identifier, quoted or not, to 63 bytes on a character boundary (`truncate_identifier`;
//!   a migration may create an index under a 64-byte name and drop it under the 63-byte one
//!   the server kept); the default schema `public` is dropped (`public.users` is `users`), any other schema
//!   is kept (`audit.events`).
//! - MySQL/MariaDB and SQLite keep identifiers as written; a qualified name keeps only its
//!   last part (`shop.orders` is `orders`: a migration directory describes one database).
//!   Column names compare case-insensitively ([`same_column`]); SQLite table names too.

use std::borrow::Cow;

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};

use crate::dialect::Dialect;

/// The canonical spelling of one identifier.
///
/// ```
/// use schema_check::{Dialect, replay::ident::fold};
/// use sqlparser::ast::Ident;
/// assert_eq!(fold(Dialect::Postgres, &Ident::new("Users")), "users");
/// assert_eq!(fold(Dialect::Postgres, &Ident::with_quote('"', "Users")), "Users");
/// assert_eq!(fold(Dialect::Mysql, &Ident::new("Users")), "Users");
/// // PostgreSQL keeps 63 bytes of a longer name.
/// let long = format!("idx_{}", "x".repeat(60));
/// assert_eq!(fold(Dialect::Postgres, &Ident::new(&long)), long[..63]);
/// ```
pub fn fold(dialect: Dialect, ident: &Ident) -> String {
    let mut out = String::with_capacity(ident.value.len());
    fold_into(dialect, ident, &mut out);
    out
}

/// Appends the canonical spelling of `ident` ([`fold`]) to `out`, without allocating
/// when `out` has room.
///
/// ```
/// use schema_check::{Dialect, replay::ident::fold_into};
/// use sqlparser::ast::Ident;
/// let mut out = String::from("t.");
/// fold_into(Dialect::Postgres, &Ident::new("Users"), &mut out);
/// assert_eq!(out, "t.users");
/// ```
pub fn fold_into(dialect: Dialect, ident: &Ident, out: &mut String) {
    match dialect {
        Dialect::Postgres => {
            let kept = super::names::clip(&ident.value, super::names::PG_MAX_IDENT);
            let start = out.len();
            out.push_str(kept);
            // Most names are written in lower case: only what follows the first upper-case
            // letter is rewritten.
            if ident.quote_style.is_none()
                && let Some(first) = kept.bytes().position(|b| b.is_ascii_uppercase())
            {
                out[start + first..].make_ascii_lowercase();
            }
        }
        _ => out.push_str(&ident.value),
    }
}

/// [`fold`], borrowing the identifier where folding leaves it as written (an unquoted
/// PostgreSQL identifier already in lower case, a quoted one, any MySQL or SQLite one):
/// for comparisons that need no owned name.
pub(crate) fn folded(dialect: Dialect, ident: &Ident) -> Cow<'_, str> {
    let kept = match dialect {
        Dialect::Postgres => super::names::clip(&ident.value, super::names::PG_MAX_IDENT),
        _ => &ident.value,
    };
    if dialect == Dialect::Postgres
        && ident.quote_style.is_none()
        && kept.bytes().any(|b| b.is_ascii_uppercase())
    {
        Cow::Owned(fold(dialect, ident))
    } else {
        Cow::Borrowed(kept)
    }
}

/// PostgreSQL's keywords other than the unreserved ones (`pg_get_keywords()` of
/// PostgreSQL 15, `catcode <> 'U'`): `quote_identifier` quotes a name that is one.
const PG_QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// `name` as PostgreSQL's `quote_identifier` prints it (in `format_type`, `regclass`
/// output...): as is when it is a plain lower-case identifier (`a`-`z`, `_`, then also
/// digits) and not a keyword that needs quotes; quoted otherwise.
///
/// ```
/// use schema_check::replay::ident::pg_quote_ident;
/// assert_eq!(pg_quote_ident("job_status"), "job_status");
/// assert_eq!(pg_quote_ident("JobStatus"), "\"JobStatus\"");
/// assert_eq!(pg_quote_ident("user"), "\"user\"");
/// assert_eq!(pg_quote_ident("status"), "status");
/// assert_eq!(pg_quote_ident("a\"b"), "\"a\"\"b\"");
/// ```
pub fn pg_quote_ident(name: &str) -> String {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == b'_')
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !PG_QUOTED_KEYWORDS.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// `text` (PostgreSQL SQL) with what the scanner folds folded: ASCII letters lower-cased
/// except inside double-quoted identifiers, which keep their case (quotes kept; string
/// literals and `--` comments are lower-cased, their `"` quote nothing).
///
/// ```
/// use schema_check::replay::ident::pg_fold_text;
/// assert_eq!(pg_fold_text(r#"CREATE FUNCTION F(e "Email") RETURNS "Email""#),
///            r#"create function f(e "Email") returns "Email""#);
/// assert_eq!(pg_fold_text(r#"SELECT 'A "B' || X -- "C"#), r#"select 'a "b' || x -- "c"#);
/// ```
pub fn pg_fold_text(text: &str) -> String {
    // Every byte that matters is ASCII: the text is copied whole, then each stretch outside
    // double quotes is lower-cased in place.
    let mut out = text.to_string();
    let bytes = text.as_bytes();
    // The byte after the first `close` at or after `from` (the end when there is none).
    let past = |from: usize, close: u8| {
        bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == close))
            .map_or(bytes.len(), |p| from + p + 1)
    };
    let mut fold_from = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i = match b {
            b'"' => {
                out[fold_from..i].make_ascii_lowercase();
                fold_from = past(i + 1, b'"');
                fold_from
            }
            b'\'' => past(i + 1, b'\''),
            b'-' if bytes.get(i + 1) == Some(&b'-') => past(i + 2, b'\n'),
            _ => i + 1,
        };
    }
    out[fold_from..].make_ascii_lowercase();
    out
}

/// Appends the canonical spelling of the last part of `name` to `out`: `t` of `s.t`, the
/// whole `a.b` of a quoted `"a.b"` — the name an unaliased relation is known by in a query.
pub(crate) fn last_part_into(dialect: Dialect, name: &ObjectName, out: &mut String) {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => fold_into(dialect, i, out),
        Some(other) => {
            use std::fmt::Write;
            let _ = write!(out, "{other}");
        }
        None => {}
    }
}

/// The canonical name of a (possibly qualified) table, view, type or index name.
pub fn object_name(dialect: Dialect, name: &ObjectName) -> String {
    let mut out = match name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => String::with_capacity(i.value.len()),
        _ => String::new(),
    };
    object_name_into(dialect, name, &mut out);
    out
}

/// Appends the canonical name of `name` ([`object_name`]) to `out`.
///
/// ```
/// use schema_check::{Dialect, replay::ident::object_name_into};
/// use sqlparser::ast::{Ident, ObjectName};
/// let mut out = String::new();
/// let name = ObjectName::from(vec![Ident::new("Audit"), Ident::new("Events")]);
/// object_name_into(Dialect::Postgres, &name, &mut out);
/// assert_eq!(out, "audit.events");
/// ```
pub fn object_name_into(dialect: Dialect, name: &ObjectName, out: &mut String) {
    let part = |p: &ObjectNamePart, out: &mut String| match p {
        ObjectNamePart::Identifier(i) => fold_into(dialect, i, out),
        other => {
            use std::fmt::Write;
            let _ = write!(out, "{other}");
        }
    };
    match (dialect, name.0.as_slice()) {
        (_, []) => {}
        // [catalog.]schema.name: the catalog is the database itself.
        (Dialect::Postgres, [.., schema, last]) => {
            let start = out.len();
            part(schema, out);
            if matches!(&out[start..], "public" | "pg_catalog") {
                out.truncate(start);
            } else {
                out.push('.');
            }
            part(last, out);
        }
        (_, [.., last]) => part(last, out),
    }
}

/// A table name written outside SQL (`#[cache(table = "public.users")]`) as the schema
/// names it: PostgreSQL's default schema `public.` is dropped, as [`object_name`] drops it.
///
/// ```
/// use schema_check::{Dialect, replay::ident::unqualified};
/// assert_eq!(unqualified(Dialect::Postgres, "public.users"), "users");
/// assert_eq!(unqualified(Dialect::Postgres, "audit.events"), "audit.events");
/// assert_eq!(unqualified(Dialect::Mysql, "public.users"), "public.users");
/// ```
pub fn unqualified(dialect: Dialect, name: &str) -> &str {
    match dialect {
        Dialect::Postgres => name.strip_prefix("public.").unwrap_or(name),
        Dialect::Mysql | Dialect::Sqlite => name,
    }
}

/// Whether two canonical column names denote the same column in `dialect`.
pub fn same_column(dialect: Dialect, a: &str, b: &str) -> bool {
    match dialect {
        Dialect::Postgres => a == b,
        Dialect::Mysql | Dialect::Sqlite => a.eq_ignore_ascii_case(b),
    }
}

/// Whether two canonical table names denote the same table in `dialect` (SQLite compares
/// them case-insensitively; MySQL on Linux and PostgreSQL exactly).
pub fn same_table(dialect: Dialect, a: &str, b: &str) -> bool {
    match dialect {
        Dialect::Sqlite => a.eq_ignore_ascii_case(b),
        Dialect::Postgres | Dialect::Mysql => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(parts: &[Ident]) -> ObjectName {
        ObjectName::from(parts.to_vec())
    }

    #[test]
    fn postgres_drops_public_and_keeps_other_schemas() {
        let d = Dialect::Postgres;
        assert_eq!(
            object_name(d, &name(&[Ident::new("PUBLIC"), Ident::new("Users")])),
            "users"
        );
        assert_eq!(
            object_name(d, &name(&[Ident::new("Audit"), Ident::new("events")])),
            "audit.events"
        );
        assert_eq!(
            object_name(d, &name(&[Ident::with_quote('"', "Mixed")])),
            "Mixed"
        );
    }

    #[test]
    fn pg_fold_text_keeps_quoted_names_only() {
        // Quotes inside literals and comments quote nothing; an unclosed quote runs to the
        // end; letters that are not ASCII keep their case.
        assert_eq!(
            pg_fold_text("A 'B\"C' -- \"D\nE \"F\"\"G\" \u{c9}H \"I"),
            "a 'b\"c' -- \"d\ne \"F\"\"G\" \u{c9}h \"I"
        );
        assert_eq!(pg_fold_text("X-Y--"), "x-y--");
        assert_eq!(pg_fold_text(""), "");
    }

    #[test]
    fn mysql_and_sqlite_keep_last_part_as_written() {
        for d in [Dialect::Mysql, Dialect::Sqlite] {
            assert_eq!(
                object_name(d, &name(&[Ident::new("shop"), Ident::new("Orders")])),
                "Orders"
            );
        }
        assert!(same_column(Dialect::Mysql, "Email", "email"));
        assert!(!same_column(Dialect::Postgres, "Email", "email"));
        assert!(same_table(Dialect::Sqlite, "T", "t"));
        assert!(!same_table(Dialect::Mysql, "T", "t"));
    }
}
