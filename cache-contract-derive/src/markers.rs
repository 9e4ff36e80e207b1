//! The one place that maps a column's type family to a marker type of
//! `cache_contract::sql`, whose `HoldsSql` implementations decide which Rust types fit.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream};
use quote::TokenStreamExt;
use schema_check::TypeFamily;

/// The marker of a column of the given family and nullability, as a path below `sql`: the
/// local name of `cache_contract::__private` (which re-exports the markers), or `sql` for
/// messages. Every token but `sql` itself is spanned at `span`.
pub fn marker(sql: &Ident, family: &TypeFamily, nullable: bool, span: Span) -> TokenStream {
    let mut out = TokenStream::new();
    append_marker(&mut out, sql, family, nullable, span);
    out
}

/// [`marker`], appended to `out` token by token: no stream is built and then interpolated,
/// each of which would be a round trip to the compiler.
pub fn append_marker(
    out: &mut TokenStream,
    sql: &Ident,
    family: &TypeFamily,
    nullable: bool,
    span: Span,
) {
    if nullable {
        append_generic(out, sql, "Nullable", span, |out| {
            append_family(out, sql, family, span)
        });
    } else {
        append_family(out, sql, family, span);
    }
}

fn append_family(out: &mut TokenStream, sql: &Ident, family: &TypeFamily, span: Span) {
    match family {
        TypeFamily::Array { element } => append_generic(out, sql, "Array", span, |out| {
            append_family(out, sql, element, span)
        }),
        _ => append_path(out, sql, scalar_name(family), span),
    }
}

/// The marker's name of a family, arrays spelled `Array<Element>`: what the derive writes
/// in `cache_contract::ColumnMapping::family`.
pub fn family_name(family: &TypeFamily) -> String {
    match family {
        TypeFamily::Array { element } => format!("Array<{}>", family_name(element)),
        _ => scalar_name(family).to_string(),
    }
}

/// The name of the marker of a family other than an array.
fn scalar_name(family: &TypeFamily) -> &'static str {
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
    }
}

/// `sql::name`, the `::` and `name` at `span`.
pub fn append_path(out: &mut TokenStream, sql: &Ident, name: &str, span: Span) {
    out.append(sql.clone());
    let mut colon = Punct::new(':', Spacing::Joint);
    colon.set_span(span);
    out.append(colon);
    out.append(punct(':', span));
    out.append(Ident::new(name, span));
}

/// `sql::name<..>`, the arguments appended by `args`; every token but `sql` at `span`.
pub fn append_generic(
    out: &mut TokenStream,
    sql: &Ident,
    name: &str,
    span: Span,
    args: impl FnOnce(&mut TokenStream),
) {
    append_path(out, sql, name, span);
    out.append(punct('<', span));
    args(out);
    out.append(punct('>', span));
}

/// A lone punctuation character at `span`.
pub fn punct(c: char, span: Span) -> Punct {
    let mut p = Punct::new(c, Spacing::Alone);
    p.set_span(span);
    p
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
    }
}

/// Whether `ty`, as written, is a standard type that `cache_contract::sql` implements
/// `HoldsSql` for the family's marker (`Option` of one for a nullable column).
///
/// Only a shortcut for the expansion's cost: such a field is still checked through rustc's
/// trait system, just without a column-specific message (which only a mismatch would
/// show). A wrong answer here can therefore never accept a field that does not fit.
pub fn std_type_fits(ty: &syn::Type, family: &TypeFamily, nullable: bool) -> bool {
    if nullable {
        return single_generic(ty, "Option")
            .is_some_and(|inner| std_type_fits(inner, family, false));
    }
    let Some(name) = bare_ident(ty) else {
        return false;
    };
    let fits: &[&str] = match family {
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
    };
    fits.contains(&name.as_str())
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

    fn fits(ty: &str, family: TypeFamily, nullable: bool) -> bool {
        std_type_fits(&syn::parse_str(ty).unwrap(), &family, nullable)
    }

    #[test]
    fn std_types_that_fit_skip_the_column_message() {
        assert!(fits("i64", TypeFamily::Int { bytes: 4 }, false), "widening");
        assert!(fits("String", TypeFamily::Text { max_len: None }, false));
        assert!(fits(
            "Option<String>",
            TypeFamily::Text { max_len: None },
            true
        ));
        assert!(fits("f64", TypeFamily::Float4, false));
    }

    #[test]
    fn anything_else_gets_the_column_message() {
        assert!(
            !fits("i32", TypeFamily::Int { bytes: 8 }, false),
            "narrowing"
        );
        assert!(
            !fits("String", TypeFamily::Text { max_len: None }, true),
            "NULL"
        );
        assert!(!fits(
            "Option<String>",
            TypeFamily::Text { max_len: None },
            false
        ));
        assert!(
            !fits("UserId", TypeFamily::Int { bytes: 8 }, false),
            "an alias"
        );
        assert!(!fits(
            "std::string::String",
            TypeFamily::Text { max_len: None },
            false
        ));
        assert!(!fits(
            "Option<Option<i64>>",
            TypeFamily::Int { bytes: 8 },
            true
        ));
        assert!(!fits("f32", TypeFamily::Float8, false));
    }
}
