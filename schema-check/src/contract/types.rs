//! Whether a field's Rust type, as written, can hold its column: decided here for the
//! standard types whose `cache_contract::sql::HoldsSql` implementations are fixed (nobody
//! else may implement a foreign trait for them), and worded here for every type — the
//! derive puts the words on the trait rustc checks, `schema-check check` prints them.
//!
//! The table below mirrors `cache_contract::sql`'s `holds!` lines (this crate cannot see
//! that one). A divergence cannot make the derive accept a field that does not fit: it
//! asserts every field through the trait itself, and only the wording would change;
//! `tests/check_parity.rs` compiles a crate and compares the two.

use crate::model::Column;
use crate::suggest;
use crate::types::TypeFamily;

/// What can be said of a field's type without compiling the crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// A standard type that holds the column.
    Fits,
    /// A standard type that cannot hold it.
    DoesNot,
    /// Not a standard type (an alias, a newtype, another crate's type): only rustc knows.
    Unknown,
}

/// Whether `ty` holds a column of `family` (nullable or not).
///
/// ```
/// use schema_check::contract::types::{Fit, fit};
/// use schema_check::TypeFamily;
/// let ty = |s| syn::parse_str::<syn::Type>(s).unwrap();
/// let bigint = TypeFamily::Int { bytes: 8 };
/// assert_eq!(fit(&ty("i64"), &bigint, false), Fit::Fits);
/// assert_eq!(fit(&ty("Option<i32>"), &bigint, true), Fit::DoesNot);
/// assert_eq!(fit(&ty("UserId"), &bigint, false), Fit::Unknown);
/// ```
pub fn fit(ty: &syn::Type, family: &TypeFamily, nullable: bool) -> Fit {
    match fit_as_written(ty, family, nullable) {
        // Of a column whose type the replay does not know, only the nullability is
        // checked, where the type as written shows it; rustc is asked nothing.
        Fit::Unknown if *family == TypeFamily::Unknown => Fit::Fits,
        f => f,
    }
}

/// [`fit`], before a column of unknown type is taken to fit whatever rustc would decide.
fn fit_as_written(ty: &syn::Type, family: &TypeFamily, nullable: bool) -> Fit {
    if let Some(inner) = single_generic(ty, "Option") {
        return match (nullable, fit(inner, family, false)) {
            (true, f) => f,
            (false, Fit::Unknown) => Fit::Unknown,
            (false, _) => Fit::DoesNot, // `Option` of a known type over `NOT NULL`
        };
    }
    if nullable {
        // Only `Option` holds NULL among the types known here.
        return if known(ty) {
            Fit::DoesNot
        } else {
            Fit::Unknown
        };
    }
    if *family == TypeFamily::Unknown {
        // The replay does not know the column's type: any type is taken to hold it.
        return Fit::Fits;
    }
    if let Some(inner) = single_generic(ty, "Vec") {
        return match family {
            TypeFamily::Array { element } => fit(inner, element, false),
            TypeFamily::Bytes if bare_ident(inner).as_deref() == Some("u8") => Fit::Fits,
            _ if known(inner) => Fit::DoesNot,
            _ => Fit::Unknown,
        };
    }
    let Some(name) = bare_ident(ty).filter(|n| PRIMITIVES.contains(&n.as_str())) else {
        return Fit::Unknown;
    };
    if holders(family).contains(&name.as_str()) {
        Fit::Fits
    } else {
        Fit::DoesNot
    }
}

/// The standard types [`fit`] decides for, written as a bare name.
const PRIMITIVES: &[&str] = &[
    "bool", "i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128", "f32", "f64",
    "String",
];

/// The bare-named standard types that hold a `NOT NULL` column of `family`.
fn holders(family: &TypeFamily) -> &'static [&'static str] {
    match family {
        TypeFamily::Bool => &["bool"],
        TypeFamily::Int { bytes: 1 } => &["i8", "i16", "i32", "i64", "i128"],
        TypeFamily::Int { bytes: 2 } => &["i16", "i32", "i64", "i128"],
        TypeFamily::Int { bytes: 3 | 4 } => &["i32", "i64", "i128"],
        TypeFamily::Int { .. } => &["i64", "i128"],
        TypeFamily::UInt { bytes: 1 } => &[
            "u8", "u16", "u32", "u64", "u128", "i16", "i32", "i64", "i128",
        ],
        TypeFamily::UInt { bytes: 2 } => &["u16", "u32", "u64", "u128", "i32", "i64", "i128"],
        TypeFamily::UInt { bytes: 3 | 4 } => &["u32", "u64", "u128", "i64", "i128"],
        TypeFamily::UInt { .. } => &["u64", "u128", "i128"],
        TypeFamily::Float4 => &["f32", "f64"],
        TypeFamily::Float8 => &["f64"],
        TypeFamily::Text { .. } | TypeFamily::Enum { .. } => &["String"],
        _ => &[],
    }
}

/// Whether [`fit`] decides for `ty` (a primitive, or `Option`/`Vec` of one).
fn known(ty: &syn::Type) -> bool {
    match single_generic(ty, "Option").or_else(|| single_generic(ty, "Vec")) {
        Some(inner) => known(inner),
        None => bare_ident(ty).is_some_and(|n| PRIMITIVES.contains(&n.as_str())),
    }
}

/// The name of the `cache_contract::sql` marker of a family other than an array.
pub fn scalar_marker(family: &TypeFamily) -> &'static str {
    match family {
        TypeFamily::Bool => "Bool",
        TypeFamily::Int { bytes: 1 } => "Int1",
        TypeFamily::Int { bytes: 2 } => "Int2",
        TypeFamily::Int { bytes: 3 | 4 } => "Int4",
        TypeFamily::Int { .. } => "Int8",
        TypeFamily::UInt { bytes: 1 } => "UInt1",
        TypeFamily::UInt { bytes: 2 } => "UInt2",
        TypeFamily::UInt { bytes: 3 | 4 } => "UInt4",
        TypeFamily::UInt { .. } => "UInt8",
        TypeFamily::Float4 => "Float4",
        TypeFamily::Float8 => "Float8",
        TypeFamily::Numeric { .. } => "Numeric",
        TypeFamily::Text { .. } => "Text",
        TypeFamily::Bytes => "Bytes",
        TypeFamily::Date => "Date",
        TypeFamily::Time => "Time",
        TypeFamily::TimeTz => "TimeTz",
        TypeFamily::Timestamp => "Timestamp",
        TypeFamily::TimestampTz => "Timestamptz",
        TypeFamily::Interval => "Interval",
        TypeFamily::Uuid => "Uuid",
        TypeFamily::Json => "Json",
        TypeFamily::Enum { .. } => "Enum",
        TypeFamily::Other | TypeFamily::Array { .. } => "Other",
        TypeFamily::Unknown => "Unknown",
    }
}

/// The marker of a family with `prefix` before each name: `sql::Array<sql::Text>` with
/// `"sql::"`, `Array<Text>` with `""` (what `cache_contract::ColumnMapping::family` holds).
pub fn marker_name(family: &TypeFamily, prefix: &str) -> String {
    match family {
        TypeFamily::Array { element } => {
            format!("{prefix}Array<{}>", marker_name(element, prefix))
        }
        _ => format!("{prefix}{}", scalar_marker(family)),
    }
}

/// A short example of a Rust type that holds the family, for messages.
pub fn example(family: &TypeFamily) -> String {
    match family {
        TypeFamily::Bool => "bool".into(),
        TypeFamily::Int { bytes: 1 } => "i8".into(),
        TypeFamily::Int { bytes: 2 } => "i16".into(),
        TypeFamily::Int { bytes: 3 | 4 } => "i32".into(),
        TypeFamily::Int { .. } => "i64".into(),
        TypeFamily::UInt { bytes: 1 } => "u8".into(),
        TypeFamily::UInt { bytes: 2 } => "u16".into(),
        TypeFamily::UInt { bytes: 3 | 4 } => "u32".into(),
        TypeFamily::UInt { .. } => "u64".into(),
        TypeFamily::Float4 => "f32".into(),
        TypeFamily::Float8 => "f64".into(),
        TypeFamily::Numeric { .. } => "rust_decimal::Decimal".into(),
        TypeFamily::Text { .. } | TypeFamily::Enum { .. } => "String".into(),
        TypeFamily::Bytes => "Vec<u8>".into(),
        TypeFamily::Date => "chrono::NaiveDate".into(),
        TypeFamily::Time => "chrono::NaiveTime".into(),
        TypeFamily::Timestamp => "chrono::NaiveDateTime".into(),
        TypeFamily::TimestampTz => "chrono::DateTime<Utc>".into(),
        TypeFamily::Uuid => "uuid::Uuid".into(),
        TypeFamily::Json => "serde_json::Value".into(),
        TypeFamily::Array { element } => format!("Vec<{}>", example(element)),
        TypeFamily::TimeTz | TypeFamily::Interval | TypeFamily::Other => {
            "a type of yours implementing `HoldsSql`".into()
        }
        TypeFamily::Unknown => "any type".into(),
    }
}

/// What is said of a field whose type may not hold its column: rustc's message, the label
/// under the field's type and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMessage {
    /// The message.
    pub message: String,
    /// The label at the field's type.
    pub label: String,
    /// What fits, and how to extend it.
    pub note: String,
}

/// Which part of a field's type is wrong: the nullability, the width (the type inside
/// `Option`, or the type itself), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrong {
    /// The column is nullable, the field is not an `Option`, and its type holds the rest.
    NotOption,
    /// The column is `NOT NULL`, the field is an `Option` of a type that holds it.
    NeedlessOption,
    /// The nullability matches; the type (inside `Option` for a nullable column) does not
    /// hold the column's SQL type.
    Width,
    /// Both the nullability and the type are wrong.
    Both,
    /// Not known which (a type only rustc can judge, over a nullable column).
    Unknown,
}

/// Why `ty` may not hold `column`: decided from the type as written (see [`fit`]).
fn wrong(ty: &syn::Type, column: &Column) -> Wrong {
    let family = &column.ty.family;
    match (single_generic(ty, "Option"), column.nullable) {
        (Some(_), true) => Wrong::Width,
        (Some(inner), false) => match fit(inner, family, false) {
            Fit::Fits | Fit::Unknown => Wrong::NeedlessOption,
            Fit::DoesNot => Wrong::Both,
        },
        (None, true) => match fit(ty, family, false) {
            Fit::Fits => Wrong::NotOption,
            Fit::DoesNot => Wrong::Both,
            Fit::Unknown => Wrong::Unknown,
        },
        (None, false) => Wrong::Width,
    }
}

/// The words for a field of type `ty` named `field` that may not hold `column` of `table`.
/// `self_ty` is how the field's type is shown (the derive passes `{Self}`, which rustc
/// replaces); `esc` escapes whatever else is interpolated (the derive doubles braces).
///
/// ```
/// use schema_check::contract::types::type_message;
/// # use schema_check::model::{Column, Location, Provenance};
/// # use schema_check::{SqlType, TypeFamily};
/// let age = Column {
///     name: "age".into(),
///     ty: SqlType::new("bigint", TypeFamily::Int { bytes: 8 }),
///     nullable: true,
///     default: None,
///     generated: None,
///     provenance: Provenance::new(Location { file: "migrations/0002_widen.sql".into(), line: 1, column: 1 }),
/// };
/// let ty: syn::Type = syn::parse_str("Option<i32>").unwrap();
/// let m = type_message(&ty, "age", "users", &age, "Option<i32>", &|s| s.to_string());
/// assert!(m.message.contains("`i32` cannot hold `bigint`"), "{}", m.message);
/// assert!(m.message.contains("migrations/0002_widen.sql:1"));
/// assert_eq!(m.label, "`i32` cannot hold `bigint`: use `Option<i64>`");
/// ```
pub fn type_message(
    ty: &syn::Type,
    field: &str,
    table: &str,
    column: &Column,
    self_ty: &str,
    esc: &dyn Fn(&str) -> String,
) -> TypeMessage {
    let family = &column.ty.family;
    let (table, field, col) = (esc(table), esc(field), esc(&column.name));
    let sql_ty = esc(&column.ty.canonical);
    let since = esc(&suggest::at(&column.provenance.last_changed));
    let example = example(family);
    let marker = marker_name(family, "sql::");
    let inner = single_generic(ty, "Option").unwrap_or(ty);
    let inner = esc(&type_string(inner));
    let widen = format!("`{inner}` cannot hold `{sql_ty}`");
    let (what, label, note) = match wrong(ty, column) {
        Wrong::NotOption => (
            "cannot hold NULL".to_string(),
            format!("the column is nullable: use `Option<{inner}>`"),
            format!(
                "use `Option<_>` of a type that holds `{sql_ty}` (e.g. `Option<{example}>`), or add `NOT NULL` to `{table}.{col}` in a new migration"
            ),
        ),
        Wrong::NeedlessOption => (
            "cannot hold it".to_string(),
            "the column is `NOT NULL`: drop the `Option`".to_string(),
            fits_note(family, &sql_ty, &example, &marker),
        ),
        Wrong::Width if column.nullable => (
            format!("cannot hold it: {widen}"),
            format!("{widen}: use `Option<{example}>`"),
            fits_note(family, &sql_ty, &example, &marker),
        ),
        Wrong::Width => (
            "cannot hold it".to_string(),
            format!("cannot hold `{sql_ty}`"),
            fits_note(family, &sql_ty, &example, &marker),
        ),
        Wrong::Both if column.nullable => (
            format!("cannot hold NULL, and {widen}"),
            format!("the column is nullable `{sql_ty}`: use `Option<{example}>`"),
            fits_note(family, &sql_ty, &example, &marker),
        ),
        Wrong::Both => (
            format!("cannot hold it: {widen}, and the column is `NOT NULL`"),
            format!("the column is `{sql_ty} NOT NULL`: use `{example}`"),
            fits_note(family, &sql_ty, &example, &marker),
        ),
        Wrong::Unknown => (
            "cannot hold it".to_string(),
            format!("the column is nullable `{sql_ty}`: use `Option<_>` of a type that holds it"),
            format!(
                "use `Option<_>` of a type that holds `{sql_ty}` (e.g. `Option<{example}>`), or add `NOT NULL` to `{table}.{col}` in a new migration"
            ),
        ),
    };
    let column_is = if column.nullable {
        format!("nullable `{sql_ty}`")
    } else {
        format!("`{sql_ty} NOT NULL`")
    };
    TypeMessage {
        message: format!(
            "column `{table}.{col}` is {column_is} (since {since}): field `{field}` of type `{self_ty}` {what}"
        ),
        label,
        note,
    }
}

/// What fits a `NOT NULL` column of the family, and how to extend it.
fn fits_note(family: &TypeFamily, sql_ty: &str, example: &str, marker: &str) -> String {
    let extend =
        format!("or implement `cache_contract::sql::HoldsSql<{marker}>` for your own type");
    match family {
        TypeFamily::Int { .. }
        | TypeFamily::UInt { .. }
        | TypeFamily::Float4
        | TypeFamily::Float8 => format!(
            "a column of type `{sql_ty}` fits `{example}` or a wider type (narrower ones could lose data); {extend}"
        ),
        TypeFamily::Enum { .. } => format!(
            "`{sql_ty}` is an enum type: its labels fit `String`, or a Rust enum of yours that implements `cache_contract::sql::HoldsSql<sql::Enum>`"
        ),
        TypeFamily::TimeTz | TypeFamily::Interval | TypeFamily::Other => format!(
            "no built-in Rust type holds `{sql_ty}`: implement `cache_contract::sql::HoldsSql<{marker}>` for a type of yours"
        ),
        _ => format!("a column of type `{sql_ty}` fits `{example}`; {extend}"),
    }
}

/// A type as written, without the spaces token printing puts around `<`, `>` and `::`.
pub fn type_string(ty: &syn::Type) -> String {
    let s = quote::ToTokens::to_token_stream(ty).to_string();
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.peek().copied();
            let tight = |c: Option<char>| matches!(c, Some('<' | '>' | ':' | '&' | '('));
            if tight(prev) && prev != Some('>') || matches!(next, Some('<' | '>' | ':' | ',' | ')'))
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// `Name` for a type written as a bare identifier.
fn bare_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() => {
            match p.path.segments.iter().collect::<Vec<_>>().as_slice() {
                [s] if s.arguments.is_none() => Some(s.ident.to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `T` for a type written `name<T>`.
fn single_generic<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    if p.qself.is_some() || p.path.leading_colon.is_some() || p.path.segments.len() != 1 {
        return None;
    }
    let s = &p.path.segments[0];
    let syn::PathArguments::AngleBracketed(args) = &s.arguments else {
        return None;
    };
    match (
        s.ident == name,
        args.args.iter().collect::<Vec<_>>().as_slice(),
    ) {
        (true, [syn::GenericArgument::Type(inner)]) => Some(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(ty: &str, family: TypeFamily, nullable: bool) -> Fit {
        fit(&syn::parse_str(ty).unwrap(), &family, nullable)
    }

    const BIGINT: TypeFamily = TypeFamily::Int { bytes: 8 };
    const TEXT: TypeFamily = TypeFamily::Text { max_len: None };

    #[test]
    fn standard_types_are_decided() {
        assert_eq!(fits("i64", TypeFamily::Int { bytes: 4 }, false), Fit::Fits);
        assert_eq!(fits("String", TEXT, false), Fit::Fits);
        assert_eq!(fits("Option<String>", TEXT, true), Fit::Fits);
        assert_eq!(fits("f64", TypeFamily::Float4, false), Fit::Fits);
        assert_eq!(fits("Vec<u8>", TypeFamily::Bytes, false), Fit::Fits);
        let tags = TypeFamily::Array {
            element: Box::new(TEXT),
        };
        assert_eq!(fits("Vec<String>", tags.clone(), false), Fit::Fits);
        assert_eq!(fits("Vec<i32>", tags, false), Fit::DoesNot);
        assert_eq!(fits("i32", BIGINT, false), Fit::DoesNot);
        assert_eq!(fits("String", TEXT, true), Fit::DoesNot);
        assert_eq!(fits("Option<String>", TEXT, false), Fit::DoesNot);
        assert_eq!(fits("Option<i32>", BIGINT, true), Fit::DoesNot);
        assert_eq!(fits("f32", TypeFamily::Float8, false), Fit::DoesNot);
        assert_eq!(fits("Option<Option<i64>>", BIGINT, true), Fit::DoesNot);
    }

    #[test]
    fn other_types_are_left_to_rustc() {
        assert_eq!(fits("UserId", BIGINT, false), Fit::Unknown);
        assert_eq!(fits("std::string::String", TEXT, false), Fit::Unknown);
        assert_eq!(fits("Option<UserId>", BIGINT, false), Fit::Unknown);
        assert_eq!(fits("Box<str>", TEXT, false), Fit::Unknown);
        assert_eq!(fits("uuid::Uuid", TypeFamily::Uuid, false), Fit::Unknown);
    }

    #[test]
    fn a_column_of_unknown_type_is_held_by_any_type_of_the_right_nullability() {
        let unknown = TypeFamily::Unknown;
        assert_eq!(fits("Option<i64>", unknown.clone(), true), Fit::Fits);
        assert_eq!(fits("Option<UserId>", unknown.clone(), true), Fit::Fits);
        assert_eq!(fits("MaybeId", unknown.clone(), true), Fit::Fits);
        assert_eq!(fits("Vec<String>", unknown.clone(), false), Fit::Fits);
        assert_eq!(fits("i64", unknown.clone(), true), Fit::DoesNot);
        assert_eq!(fits("Option<String>", unknown, false), Fit::DoesNot);
    }

    #[test]
    fn types_print_as_written() {
        for s in [
            "Option<Vec<i32>>",
            "std::string::String",
            "HashMap<String, i64>",
            "&'static str",
        ] {
            assert_eq!(type_string(&syn::parse_str(s).unwrap()), s);
        }
    }
}
