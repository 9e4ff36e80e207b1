//! Code generation: the type assertions, rebuild tracking and the trait implementations,
//! naming runtime items only through `<crate>::__private`.

use std::path::PathBuf;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, TokenStreamExt, format_ident, quote, quote_spanned};
use schema_check::TypeFamily;
use schema_check::contract::ast::Input;
use schema_check::contract::compare::Compared;
use schema_check::contract::types::{self, Fit};
use syn::spanned::Spanned;
use syn::{LitStr, Type};

use crate::markers;

/// The local name of `<crate>::__private` in the expansion: one short path segment.
const P: &str = "__cache_contract_p";

/// Everything the expansion needs besides the struct and its comparison.
pub struct Context<'a> {
    /// The path of the `cache_contract` crate.
    pub krate: syn::Path,
    /// The rebuild tracking of the migrations ([`track`]), empty when an earlier derive
    /// emitted it.
    pub tracking: &'a TokenStream,
}

impl<'a> Context<'a> {
    /// The context of `input`'s expansion: `#[cache(crate = "...")]`, else
    /// `::cache_contract`.
    pub fn new(input: &Input, tracking: &'a TokenStream) -> Context<'a> {
        let krate = input.attrs.krate.as_ref().map_or_else(
            || {
                let name = Ident::new("cache_contract", Span::call_site());
                let mut path = syn::Path::from(name);
                path.leading_colon = Some(Default::default());
                path
            },
            |k| k.value.clone(),
        );
        Context { krate, tracking }
    }
}

/// The `include_bytes!` of `files` (the migrations a derive read, when no earlier derive of
/// this compiler process included them: [`crate::reporting::first_to_track`]),
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
    /// A trait per field of a type that does not fit or is not a standard one, carrying the
    /// field's error message, and the constant that asserts it, in field order.
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
/// A field of a standard type that fits ([`types::fit`]) is asserted with
/// `HoldsSql` directly; any other goes through a trait of its own whose `on_unimplemented`
/// names the column, the migration and the fix. Field types that mention a type parameter
/// get plain `HoldsSql` bounds too (they are checked where the struct is used). `p` is the
/// local name of `cache_contract::__private`, where the markers and `HoldsSql` are.
fn type_checks(input: &Input, compared: &Compared, p: &Ident) -> TypeChecks {
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    let table = &compared.table.name;
    let mut items = TokenStream::new();
    // Appended to one stream, token by token (interpolating a stream per predicate would be
    // a round trip to the compiler each), last field first.
    let mut preds = TokenStream::new();
    let mut generic_bounds = Vec::new();
    let mut column_traits = Vec::new();
    for check in compared.types.iter().rev() {
        let (f, col) = (check.mapped.field, check.mapped.column);
        let ty = f.ty;
        if col.ty.family == TypeFamily::Unknown && check.fit != Fit::DoesNot {
            // The replay does not know the column's type: nothing to assert.
            continue;
        }
        if mentions(ty, &params) {
            let marker = markers::marker(p, &col.ty.family, col.nullable, Span::call_site());
            generic_bounds.push(quote!(#ty: #p::HoldsSql<#marker>));
            continue;
        }
        if check.fit == Fit::Fits {
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
        // Everything interpolated into an `on_unimplemented` string must escape its braces.
        let esc = |s: &str| s.replace('{', "{{").replace('}', "}}");
        let m = types::type_message(ty, &f.name(), table, col, "{Self}", &esc);
        let (message, label, note) = (lit(&m.message), lit(&m.label), lit(&m.note));
        // Spanned at the field's type, so that rustc's notes point at the field. The blanket
        // impl is `do_not_recommend`: rustc then reports the field's own trait and message,
        // without walking into `HoldsSql`'s impls or suggesting bounds on a type parameter
        // (it takes the impl for a derive's).
        //
        // Asserted through the trait's constant, not a where-clause: rustc reports an
        // unsatisfied where-clause on concrete types with a note on trivial bounds
        // (`see issue #48214`) that names nothing a user can act on; a projection gets
        // the message, label and note alone.
        column_traits.push(quote_spanned! {ty.span()=>
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            #[allow(non_camel_case_types)]
            trait #trait_ident {
                const OK: () = ();
            }
            #[diagnostic::do_not_recommend]
            impl<T: ?::core::marker::Sized + #p::HoldsSql<#marker>> #trait_ident for T {}
            const _: () = <#ty as #trait_ident>::OK;
        });
    }
    items.extend(column_traits.into_iter().rev()); // in field order
    generic_bounds.reverse(); // in field order
    TypeChecks {
        items,
        preds,
        generic_bounds,
    }
}

/// The whole expansion for a struct that passed the derive's own checks.
pub fn expand(input: &Input, compared: &Compared, cx: &Context) -> TokenStream {
    // One short local name for `<crate>::__private` ([`P`]): fewer tokens for rustc to take
    // in. An `Ident`, not a stream: interpolating a stream is a round trip to the compiler.
    let p = Ident::new(P, Span::call_site());
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    let mut checks = type_checks(input, compared, &p);
    let mut generic_bounds = std::mem::take(&mut checks.generic_bounds);
    let checks = checks.into_items();

    let table = &compared.table.name;
    let hash = contract_hash(compared);
    let hash_bytes = syn::LitByteStr::new(&hash, Span::call_site());
    // Packed as `cache_contract::Columns::from_packed` reads them: one literal.
    let mut columns = String::new();
    for m in &compared.mapped {
        let c = m.column;
        let nullable = if c.nullable { "1" } else { "0" };
        for part in [
            &m.field.name(),
            &c.name,
            &c.ty.canonical,
            nullable,
            &types::marker_name(&c.ty.family, ""),
        ] {
            columns.push_str(part);
            columns.push('\0');
        }
    }
    let key_columns = compared.key.iter().map(|m| &m.column.name);
    let tenant_column = match compared.tenant {
        Some(t) => {
            let name = &t.column.name;
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };

    let key_fields: Vec<_> = compared.key.iter().map(|m| m.field).collect();
    let key_types: Vec<&Type> = key_fields.iter().map(|f| f.ty).collect();
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    for f in key_fields
        .iter()
        .chain(compared.tenant.map(|t| t.field).iter())
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

    let tenant_body = match compared.tenant {
        Some(t) => {
            let (id, ty) = (t.field.ident, t.field.ty);
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

    // At most `cache_contract::MAX_KEY_PARTS` key fields: asked of the constant's owner by
    // rustc (this crate cannot depend on it), at the last key field.
    let key_limit = match compared.key.last() {
        Some(last) if compared.key.len() > 1 => {
            let n = compared.key.len();
            let f = last.field;
            let span = f.attrs.key.unwrap_or_else(|| f.ident.span());
            let msg = format!(
                "a cache key has at most `cache_contract::MAX_KEY_PARTS` fields, and this key has {n}: key on a unique constraint with fewer columns"
            );
            quote_spanned!(span=> const _: () = ::core::assert!(#n <= #p::MAX_KEY_PARTS, #msg);)
        }
        _ => TokenStream::new(),
    };

    let body = quote! {
            #checks
            #key_limit

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
pub fn contract_hash(compared: &Compared) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"cache-contract mapping v1\0");
    h.update(&schema_check::hash::table_hash(compared.table));
    for m in &compared.mapped {
        h.update(b"field\0");
        h.update(m.field.name().as_bytes());
        h.update(b"\0");
        h.update(m.column.name.as_bytes());
        h.update(b"\0");
    }
    for k in &compared.key {
        h.update(b"key\0");
        h.update(k.column.name.as_bytes());
        h.update(b"\0");
    }
    match compared.tenant {
        Some(t) => {
            h.update(b"tenant\0");
            h.update(t.column.name.as_bytes());
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

/// Only the rebuild tracking and type assertions, for a struct that failed other checks:
/// rustc's type errors are then reported together with the derive's own.
pub fn type_checks_only(input: &Input, compared: &Compared, cx: &Context) -> TokenStream {
    let p = Ident::new(P, Span::call_site());
    scoped(cx, type_checks(input, compared, &p).into_items())
}
