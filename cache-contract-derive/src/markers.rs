//! The one place that maps a column's type family to a marker type of
//! `cache_contract::sql`, whose `HoldsSql` implementations decide which Rust types fit.

use proc_macro2::TokenStream;
use quote::quote;
use schema_check::TypeFamily;

/// The marker of a column of the given family and nullability, as a path below `sql`
/// (`krate` is the path of `cache_contract::__private::sql`).
pub fn marker(sql: &TokenStream, family: &TypeFamily, nullable: bool) -> TokenStream {
    let inner = family_marker(sql, family);
    if nullable {
        quote!(#sql::Nullable<#inner>)
    } else {
        inner
    }
}

fn family_marker(sql: &TokenStream, family: &TypeFamily) -> TokenStream {
    let name = match family {
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
        TypeFamily::Other => "Other",
        TypeFamily::Array { element } => {
            let element = family_marker(sql, element);
            return quote!(#sql::Array<#element>);
        }
    };
    let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
    quote!(#sql::#ident)
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
