//! Parsing of `#[cache(...)]` attributes, accumulating every error instead of stopping at
//! the first.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, LitStr, meta::ParseNestedMeta};

use super::errors::{ATTRIBUTE, Errors};
use crate::suggest;

/// A value written in an attribute, with the span of its literal.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// `#[cache(...)]` on the struct.
#[derive(Default)]
pub struct ContainerAttrs {
    /// `table = "users"`.
    pub table: Option<Located<String>>,
    /// `migrations = "db/migrations"`.
    pub migrations: Option<Located<String>>,
    /// `dialect = "sqlite"`.
    pub dialect: Option<Located<String>>,
    /// `global`: the table opted out of tenancy.
    pub global: Option<Span>,
    /// `crate = "path"`: where `cache_contract` is.
    pub krate: Option<Located<syn::Path>>,
}

/// `#[cache(...)]` on a field.
#[derive(Default)]
pub struct FieldAttrs {
    /// `tenant`: this field holds the tenant.
    pub tenant: Option<Span>,
    /// `key`: this field is part of the key.
    pub key: Option<Span>,
    /// `skip`: this field has no column.
    pub skip: Option<Span>,
    /// `column = "name"`.
    pub column: Option<Located<String>>,
}

const CONTAINER_KEYS: &[&str] = &["table", "migrations", "dialect", "global", "crate"];
const FIELD_KEYS: &[&str] = &["tenant", "key", "skip", "column"];

/// Parses the struct's `#[cache(...)]` attributes.
pub fn container(attrs: &[Attribute], errors: &mut Errors) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in cache_attrs(attrs, errors) {
        let result = attr.parse_nested_meta(|meta| {
            let name = meta_name(&meta);
            match name.as_str() {
                "table" => set(&mut out.table, string_value(&meta)?, &meta, errors),
                "migrations" => set(&mut out.migrations, string_value(&meta)?, &meta, errors),
                "dialect" => set(&mut out.dialect, string_value(&meta)?, &meta, errors),
                "crate" => {
                    let lit = value_lit(&meta)?;
                    let path = lit.parse::<syn::Path>().map_err(|_| {
                        syn::Error::new(
                            lit.span(),
                            format!(
                                "`crate = \"{}\"` is not a path; write e.g. `crate = \"::cache_contract\"`",
                                lit.value()
                            ),
                        )
                    })?;
                    set(
                        &mut out.krate,
                        Located {
                            value: path,
                            span: lit.span(),
                        },
                        &meta,
                        errors,
                    )
                }
                "global" => set_flag(&mut out.global, &meta, errors),
                other if FIELD_KEYS.contains(&other) => {
                    errors.push(&ATTRIBUTE, meta.error(format!(
                        "`{other}` belongs on a field, not on the struct: `#[cache({other})]` above the field"
                    )));
                    skip_value(&meta)
                }
                other => {
                    errors.push(&ATTRIBUTE, unknown(&meta, other, CONTAINER_KEYS, "on a struct"));
                    skip_value(&meta)
                }
            }
        });
        if let Err(e) = result {
            errors.push(&ATTRIBUTE, e);
        }
    }
    out
}

/// Parses one field's `#[cache(...)]` attributes.
pub fn field(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in cache_attrs(attrs, errors) {
        let result = attr.parse_nested_meta(|meta| {
            let name = meta_name(&meta);
            match name.as_str() {
                "tenant" => set_flag(&mut out.tenant, &meta, errors),
                "key" => set_flag(&mut out.key, &meta, errors),
                "skip" => set_flag(&mut out.skip, &meta, errors),
                "column" => set(&mut out.column, string_value(&meta)?, &meta, errors),
                other if CONTAINER_KEYS.contains(&other) => {
                    errors.push(&ATTRIBUTE, meta.error(format!(
                        "`{other}` belongs on the struct, not on a field: `#[cache({other} ...)]` above `struct`"
                    )));
                    skip_value(&meta)
                }
                other => {
                    errors.push(&ATTRIBUTE, unknown(&meta, other, FIELD_KEYS, "on a field"));
                    skip_value(&meta)
                }
            }
        });
        if let Err(e) = result {
            errors.push(&ATTRIBUTE, e);
        }
    }
    if let Some(skip) = out.skip {
        for (name, other) in [
            ("tenant", out.tenant),
            ("key", out.key),
            ("column", out.column.as_ref().map(|c| c.span)),
        ] {
            if other.is_some() {
                errors.at(
                    &ATTRIBUTE,
                    skip,
                    format!("a `skip`ped field has no column, so it cannot also be `{name}`"),
                );
            }
        }
    }
    if let (Some(_), Some(key)) = (out.tenant, out.key) {
        errors.at(
            &ATTRIBUTE,
            key,
            "the tenant is always part of the cache key; remove `key` from the tenant field",
        );
    }
    out
}

/// The `#[cache]` attributes; `#[cache]` without a list is an error.
fn cache_attrs<'a>(attrs: &'a [Attribute], errors: &mut Errors) -> Vec<&'a Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cache"))
        .filter(|a| match &a.meta {
            syn::Meta::List(_) => true,
            other => {
                errors.at(
                    &ATTRIBUTE,
                    other.span(),
                    "expected `#[cache(...)]`, e.g. `#[cache(table = \"users\")]`",
                );
                false
            }
        })
        .collect()
}

fn meta_name(meta: &ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| quote::quote!(meta.path).to_string())
}

fn unknown(meta: &ParseNestedMeta, name: &str, known: &[&str], place: &str) -> syn::Error {
    let mut msg = format!("unknown attribute `{name}` {place}");
    match suggest::closest(name, known.iter().copied()) {
        Some(s) => msg.push_str(&format!("; did you mean `{s}`?")),
        None => msg.push_str(&format!("; expected one of: {}", known.join(", "))),
    }
    meta.error(msg)
}

/// Consumes the `= value` or `(...)` of an attribute already reported, so that parsing goes
/// on with the next one.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

fn value_lit(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let name = meta_name(meta);
    if meta.input.is_empty() || meta.input.peek(syn::Token![,]) {
        return Err(meta.error(format!("`{name}` needs a value: `{name} = \"...\"`")));
    }
    let value = meta.value().map_err(|_| {
        meta.error(format!(
            "expected `{name} = \"...\"`; write the value as a string literal"
        ))
    })?;
    let expr: syn::Expr = value.parse()?;
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s),
        other => Err(syn::Error::new(
            other.span(),
            format!("`{name}` takes a string literal: `{name} = \"...\"`"),
        )),
    }
}

fn string_value(meta: &ParseNestedMeta) -> syn::Result<Located<String>> {
    let lit = value_lit(meta)?;
    let value = lit.value();
    if value.trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{}` cannot be empty", meta_name(meta)),
        ));
    }
    Ok(Located {
        value,
        span: lit.span(),
    })
}

fn set<T>(
    slot: &mut Option<Located<T>>,
    value: Located<T>,
    meta: &ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<()> {
    if slot.is_some() {
        errors.push(
            &ATTRIBUTE,
            meta.error(format!("duplicate `{}` attribute", meta_name(meta))),
        );
    } else {
        *slot = Some(value);
    }
    Ok(())
}

fn set_flag(
    slot: &mut Option<Span>,
    meta: &ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<()> {
    let name = meta_name(meta);
    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        return Err(meta.error(format!("`{name}` takes no value: write `#[cache({name})]`")));
    }
    if slot.is_some() {
        errors.push(
            &ATTRIBUTE,
            meta.error(format!("duplicate `{name}` attribute")),
        );
    } else {
        *slot = Some(meta.path.span());
    }
    Ok(())
}
