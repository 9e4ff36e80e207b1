//! Code generation: the type assertions, rebuild tracking and the trait implementations,
//! naming runtime items only through `<crate>::__private`.

use std::path::PathBuf;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, TokenStreamExt, format_ident, quote, quote_spanned};
use schema_check::TypeFamily;
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::ast::Input;
use crate::check::Checked;
use crate::markers;
use schema_check::suggest;

/// The local name of `<crate>::__private` in the expansion: one short path segment.
const P: &str = "__cache_contract_p";

/// Everything the expansion needs besides the struct.
pub struct Context<'a> {
    /// The path of the `cache_contract` crate.
    pub krate: syn::Path,
    /// The rebuild tracking of the migrations ([`track`]), empty when an earlier derive
    /// emitted it.
    pub tracking: &'a TokenStream,
    /// `schema_check::hash::table_hash` of the table.
    pub table_hash: [u8; 32],
}

/// The `include_bytes!` of `files` (the migrations a derive read, when no earlier derive of
/// this compiler process included them: [`crate::schema_cache::Loaded::files_to_track`]),
/// so that editing one re-runs the derive. rustc records them in the crate's dep-info, and
/// every build expands all derives again, so one inclusion per crate is enough; all of them
/// go in one constant, one item for rustc to check.
pub fn track(files: &[PathBuf]) -> TokenStream {
    if files.is_empty() {
        return TokenStream::new();
    }
    let mut paths = Vec::with_capacity(files.len());
    let mut errors = TokenStream::new();
    for f in files {
        match f.to_str() {
            Some(path) => paths.push(path),
            None => {
                let msg = format!(
                    "the migration `{}` has a path that is not UTF-8, which `include_bytes!` cannot name, so editing it would not re-run these checks: rename it (or its directory) in UTF-8",
                    f.display()
                );
                errors.extend(quote!(::core::compile_error!(#msg);));
            }
        }
    }
    quote! {
        #errors
        const _: &[&[u8]] = &[#(::core::include_bytes!(#paths)),*];
    }
}

/// The type assertions of a struct: each field's type must hold its column's SQL type.
struct TypeChecks {
    /// A trait per field of a non-standard type, carrying the field's error message.
    items: TokenStream,
    /// One where-clause predicate per field of a concrete type, spanned at the field's type
    /// (rustc reports an unsatisfied one there), on a function of their own: on the impl,
    /// a failing one would also be reported wherever the struct is used. Each followed by a
    /// comma, in reverse field order: rustc reports unsatisfied where-clauses last first.
    preds: TokenStream,
    /// The `HoldsSql` bounds of field types that mention a type parameter, for the impl.
    generic_bounds: Vec<TokenStream>,
}

impl TypeChecks {
    /// The traits and the function whose where-clauses assert the field types.
    fn into_items(self) -> TokenStream {
        let (items, preds) = (self.items, self.preds);
        if preds.is_empty() {
            return items;
        }
        quote! {
            #items
            fn _cache_contract_check_types() where #preds {}
        }
    }
}

/// The type assertions of every mapped field.
///
/// A field of a standard type that fits ([`markers::std_type_fits`]) is asserted with
/// `HoldsSql` directly; any other goes through a trait of its own whose `on_unimplemented`
/// names the column, the migration and the fix. Field types that mention a type parameter
/// get plain `HoldsSql` bounds too (they are checked where the struct is used). `p` is the
/// local name of `cache_contract::__private`, where the markers and `HoldsSql` are.
fn type_checks(input: &Input, checked: &Checked, p: &Ident) -> TypeChecks {
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    let table = &checked.table.name;
    let mut items = TokenStream::new();
    // Appended to one stream, token by token (interpolating a stream per predicate would be
    // a round trip to the compiler each), last field first.
    let mut preds = TokenStream::new();
    let mut generic_bounds = Vec::new();
    for m in checked.mapped.iter().rev() {
        let f = &input.fields[m.field];
        let col = m.column;
        if col.nullable && (checked.tenant == Some(m.field) || checked.key.contains(&m.field)) {
            continue; // reported by the derive: `Option` would be the wrong advice
        }
        let ty = f.ty;
        if mentions(ty, &params) {
            let marker = markers::marker(p, &col.ty.family, col.nullable, Span::call_site());
            generic_bounds.push(quote!(#ty: #p::HoldsSql<#marker>));
            continue;
        }
        if markers::std_type_fits(ty, &col.ty.family, col.nullable) {
            // `ty: p::HoldsSql<marker>`, every token of the bound at the field's type (see
            // `last_span`), appended token by token.
            let span = last_span(ty);
            let p = Ident::new(P, span);
            bounded(&mut preds, ty);
            markers::append_generic(&mut preds, &p, "HoldsSql", span, |out| {
                markers::append_marker(out, &p, &col.ty.family, col.nullable, span)
            });
            preds.append(markers::punct(',', Span::call_site()));
            continue;
        }
        let marker = markers::marker(p, &col.ty.family, col.nullable, Span::call_site());
        let trait_ident = format_ident!("__cache_contract_column_{}", f.name());
        let name = f.name();
        // Everything interpolated into an `on_unimplemented` string must escape its braces.
        let esc = |s: &str| s.replace('{', "{{").replace('}', "}}");
        let (table, name) = (esc(table), esc(&name));
        let col_name = esc(&col.name);
        let sql_ty = esc(&col.ty.canonical);
        let since = esc(&suggest::at(&col.provenance.last_changed));
        let example = markers::example(&col.ty.family);
        let sql = Ident::new("sql", Span::call_site());
        let family_marker = markers::marker(&sql, &col.ty.family, false, Span::call_site())
            .to_string()
            .replace(' ', "");
        let (message, label, note) = if col.nullable {
            (
                format!(
                    "column `{table}.{}` is nullable `{sql_ty}` (since {since}): field `{name}` of type `{{Self}}` cannot hold NULL",
                    col_name
                ),
                format!("the column is nullable: use `Option<{example}>`"),
                format!(
                    "use `Option<_>` of a type that holds `{sql_ty}` (e.g. `Option<{example}>`), or add `NOT NULL` to `{table}.{}` in a new migration",
                    col_name
                ),
            )
        } else {
            let label = if is_option(ty) {
                "the column is `NOT NULL`: drop the `Option`".to_string()
            } else {
                format!("cannot hold `{sql_ty}`")
            };
            (
                format!(
                    "column `{table}.{}` is `{sql_ty} NOT NULL` (since {since}): field `{name}` of type `{{Self}}` cannot hold it",
                    col_name
                ),
                label,
                fits_note(&col.ty.family, &sql_ty, &example, &family_marker),
            )
        };
        let (message, label, note) = (lit(&message), lit(&label), lit(&note));
        // Spanned at the field's type, so that rustc's notes point at the field. The blanket
        // impl is `do_not_recommend`: rustc then reports the field's own trait and message,
        // without walking into `HoldsSql`'s impls or suggesting bounds on a type parameter
        // (it takes the impl for a derive's).
        items.extend(quote_spanned! {ty.span()=>
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            #[allow(non_camel_case_types)]
            trait #trait_ident {}
            #[diagnostic::do_not_recommend]
            impl<T: ?::core::marker::Sized + #p::HoldsSql<#marker>> #trait_ident for T {}
        });
        let mut bound = trait_ident;
        bound.set_span(last_span(ty));
        bounded(&mut preds, ty);
        preds.append(bound);
        preds.append(markers::punct(',', Span::call_site()));
    }
    generic_bounds.reverse(); // in field order
    TypeChecks {
        items,
        preds,
        generic_bounds,
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

/// The whole expansion for a struct that passed the derive's own checks.
pub fn expand(input: &Input, checked: &Checked, cx: &Context) -> TokenStream {
    // One short local name for `<crate>::__private` ([`P`]): fewer tokens for rustc to take
    // in. An `Ident`, not a stream: interpolating a stream is a round trip to the compiler.
    let p = Ident::new(P, Span::call_site());
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    let mut checks = type_checks(input, checked, &p);
    let mut generic_bounds = std::mem::take(&mut checks.generic_bounds);
    let checks = checks.into_items();

    let table = &checked.table.name;
    let hash = contract_hash(input, checked, cx.table_hash);
    let hash_bytes = syn::LitByteStr::new(&hash, Span::call_site());
    // Packed as `cache_contract::Columns::from_packed` reads them: one literal.
    let mut columns = String::new();
    for m in &checked.mapped {
        let c = m.column;
        let nullable = if c.nullable { "1" } else { "0" };
        for part in [
            &input.fields[m.field].name(),
            &c.name,
            &c.ty.canonical,
            nullable,
            &markers::family_name(&c.ty.family),
        ] {
            columns.push_str(part);
            columns.push('\0');
        }
    }
    let key_columns = checked
        .key
        .iter()
        .filter_map(|&k| checked.column_of(k))
        .map(|c| c.name.clone());
    let tenant_column = match checked.tenant.and_then(|t| checked.column_of(t)) {
        Some(c) => {
            let name = &c.name;
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };

    let key_fields: Vec<_> = checked.key.iter().map(|&k| &input.fields[k]).collect();
    let key_types: Vec<&Type> = key_fields.iter().map(|f| f.ty).collect();
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    for f in key_fields
        .iter()
        .chain(checked.tenant.map(|t| &input.fields[t]).iter())
    {
        if mentions(f.ty, &params) {
            let ty = f.ty;
            generic_bounds.push(quote!(#ty: #p::KeyPart + ::core::clone::Clone));
        }
    }
    // Each key field's `KeyPart`, spanned at its type: an unsuitable one is reported there,
    // once, and the trait's `Key: KeyParts` then follows from these bounds (a composite key
    // would otherwise be reported as a whole tuple, at the derive).
    for f in &key_fields {
        if !mentions(f.ty, &params) {
            let ty = f.ty;
            let span = last_span(ty);
            let mut pred = TokenStream::new();
            bounded(&mut pred, ty);
            markers::append_path(&mut pred, &Ident::new(P, span), "KeyPart", span);
            generic_bounds.push(pred);
        }
    }
    let clones = key_fields.iter().map(|f| {
        let (ty, id) = (f.ty, f.ident);
        quote_spanned!(ty.span()=> <#ty as ::core::clone::Clone>::clone(&self.#id))
    });
    // The key field's type, or a tuple of them: its `KeyParts` follows from the fields'
    // `KeyPart` bounds above.
    let (key_ty, key_expr) = match key_fields.len() {
        1 => (quote!(#(#key_types)*), quote!(#(#clones)*)),
        _ => (quote!((#(#key_types,)*)), quote!((#(#clones,)*))),
    };

    let tenant_body = match checked.tenant {
        Some(t) => {
            let f = &input.fields[t];
            let (id, ty) = (f.ident, f.ty);
            let value = quote_spanned!(ty.span()=> #p::KeyPart::key_part(&self.#id));
            quote!(#p::TenantId::from_string(#value))
        }
        None => quote!(#p::TenantId::global()),
    };

    let mut where_preds: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    for param in input.generics.type_params() {
        let id = &param.ident;
        where_preds.push(quote! {
            #id: #p::serde::Serialize + #p::serde::de::DeserializeOwned
                + ::core::marker::Send + ::core::marker::Sync + 'static
        });
    }
    where_preds.extend(generic_bounds);

    let body = quote! {
            #checks

            #[automatically_derived]
            impl #impl_generics #p::TenantScoped for #ident #ty_generics #where_clause {
                #[inline]
                fn tenant(&self) -> #p::TenantId {
                    #tenant_body
                }
            }

            #[automatically_derived]
            impl #impl_generics #p::CacheContract for #ident #ty_generics
            where #(#where_preds,)*
            {
                const CONTRACT: #p::Contract = #p::Contract {
                    table: #table,
                    contract_hash: #p::ContractHash::from_bytes(*#hash_bytes),
                    columns: #columns,
                    key_columns: &[#(#key_columns),*],
                    tenant_column: #tenant_column,
                };

                type Key = #key_ty;

                #[inline]
                fn key(&self) -> Self::Key {
                    #key_expr
                }
            }
    };
    scoped(cx, body)
}

/// `body` in an anonymous constant of its own, where [`P`] names `<crate>::__private`, with
/// the rebuild tracking. No lint is allowed on it (an attribute costs rustc ~0.1 M
/// instructions per struct): nothing in it is unused (the check function's name starts with
/// `_`), and the check traits, named after their field, allow their own name.
fn scoped(cx: &Context, body: TokenStream) -> TokenStream {
    let (krate, p, tracking) = (&cx.krate, Ident::new(P, Span::call_site()), cx.tracking);
    if body.is_empty() {
        return tracking.clone();
    }
    quote! {
        const _: () = {
            use #krate::__private as #p;
            #tracking
            #body
        };
    }
}

/// blake3 over the table's canonical hash and the field mapping: field→column pairs, key
/// columns, tenant column.
pub fn contract_hash(input: &Input, checked: &Checked, table_hash: [u8; 32]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"cache-contract mapping v1\0");
    h.update(&table_hash);
    for m in &checked.mapped {
        h.update(b"field\0");
        h.update(input.fields[m.field].name().as_bytes());
        h.update(b"\0");
        h.update(m.column.name.as_bytes());
        h.update(b"\0");
    }
    for &k in &checked.key {
        if let Some(c) = checked.column_of(k) {
            h.update(b"key\0");
            h.update(c.name.as_bytes());
            h.update(b"\0");
        }
    }
    match checked.tenant.and_then(|t| checked.column_of(t)) {
        Some(c) => {
            h.update(b"tenant\0");
            h.update(c.name.as_bytes());
        }
        None => {
            h.update(b"global\0");
        }
    }
    *h.finalize().as_bytes()
}

/// The span of the last token of `ty`. A where-clause `Ty: Bound` with the bound spanned
/// there spans exactly the type, and rustc reports an unsatisfied one at that span
/// (`ty.span()` is only the first token on stable: `Vec` of `Vec<i32>`).
fn last_span(ty: &Type) -> Span {
    // A path (`i64`, `Option<String>`) ends with its last segment's name or `>`.
    if let Type::Path(path) = ty
        && let Some(last) = path.path.segments.last()
    {
        match &last.arguments {
            syn::PathArguments::None => return last.ident.span(),
            syn::PathArguments::AngleBracketed(args) => return args.gt_token.span,
            syn::PathArguments::Parenthesized(_) => {}
        }
    }
    quote!(#ty)
        .into_iter()
        .last()
        .map_or_else(|| ty.span(), |tt| tt.span())
}

/// Appends `ty:`, the start of a where-clause predicate.
fn bounded(out: &mut TokenStream, ty: &Type) {
    ty.to_tokens(out);
    out.append(markers::punct(':', Span::call_site()));
}

fn lit(s: &str) -> LitStr {
    LitStr::new(s, Span::call_site())
}

/// Whether `ty` mentions one of the type parameters `params`.
fn mentions(ty: &Type, params: &[String]) -> bool {
    fn walk(ts: TokenStream, params: &[String]) -> bool {
        ts.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => params.iter().any(|p| i == p),
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), params),
            _ => false,
        })
    }
    !params.is_empty() && walk(quote!(#ty), params)
}

/// Whether `ty` is written as `Option<..>` (for a better label only: the check itself
/// goes through the trait system).
fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Only the rebuild tracking and type assertions, for a struct that failed other checks:
/// rustc's type errors are then reported together with the derive's own.
pub fn type_checks_only(input: &Input, checked: &Checked, cx: &Context) -> TokenStream {
    let p = Ident::new(P, Span::call_site());
    scoped(cx, type_checks(input, checked, &p).into_items())
}
