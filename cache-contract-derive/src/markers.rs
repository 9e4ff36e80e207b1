//! The tokens of the marker type of `cache_contract::sql` for a column's type family (whose
//! names `schema_check::contract::types` owns), whose `HoldsSql` implementations decide
//! which Rust types fit.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream};
use quote::TokenStreamExt;
use schema_check::TypeFamily;
use schema_check::contract::types::scalar_marker;

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
        _ => append_path(out, sql, scalar_marker(family), span),
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
