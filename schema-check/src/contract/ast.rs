//! The parsed struct: its fields, their attributes and the columns they name.

use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use super::attr::{self, ContainerAttrs, FieldAttrs};
use super::errors::{ATTRIBUTE, Errors};

/// A struct deriving `CacheContract`.
pub struct Input<'a> {
    /// The struct's name.
    pub ident: &'a Ident,
    /// Its generics.
    pub generics: &'a syn::Generics,
    /// `#[cache(...)]` on the struct.
    pub attrs: ContainerAttrs,
    /// Its named fields, in declaration order.
    pub fields: Vec<Field<'a>>,
    /// Whether the struct's own `#[cache(...)]` had errors.
    pub container_errors: bool,
}

/// One named field.
pub struct Field<'a> {
    /// The field's name.
    pub ident: &'a Ident,
    /// Its type.
    pub ty: &'a Type,
    /// `#[cache(...)]` on the field.
    pub attrs: FieldAttrs,
    /// The column it maps to, as written (`column = "..."`, else the field name without `r#`).
    pub column: String,
}

impl Field<'_> {
    /// The field's name without `r#`.
    pub fn name(&self) -> String {
        unraw(self.ident)
    }

    /// Where errors about the field's column go: the `column = "..."` literal when there is
    /// one, else the field's name.
    pub fn column_span(&self) -> proc_macro2::Span {
        self.attrs
            .column
            .as_ref()
            .map_or_else(|| self.ident.span(), |c| c.span)
    }
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

impl<'a> Input<'a> {
    /// Parses the derive input; `None` when it is not a struct with named fields (the
    /// error is in `errors`).
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let before = errors.len();
        let attrs = attr::container(&input.attrs, errors);
        let container_errors = errors.len() > before;
        let named = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(f) => {
                    errors.at(
                        &ATTRIBUTE,
                        f.span(),
                        "CacheContract needs named fields, one per column: a tuple struct cannot name its columns",
                    );
                    return None;
                }
                Fields::Unit => {
                    errors.at(
                        &ATTRIBUTE,
                        input.ident.span(),
                        "CacheContract needs a struct with named fields, one per column",
                    );
                    return None;
                }
            },
            Data::Enum(e) => {
                errors.at(
                        &ATTRIBUTE,
                    e.enum_token.span,
                    "CacheContract caches rows of a table and can only be derived for structs with named fields, not enums",
                );
                return None;
            }
            Data::Union(u) => {
                errors.at(
                    &ATTRIBUTE,
                    u.union_token.span,
                    "CacheContract can only be derived for structs with named fields, not unions",
                );
                return None;
            }
        };
        let fields = named
            .named
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?;
                let attrs = attr::field(&f.attrs, errors);
                let column = attrs
                    .column
                    .as_ref()
                    .map_or_else(|| unraw(ident), |c| c.value.clone());
                Some(Field {
                    ident,
                    ty: &f.ty,
                    attrs,
                    column,
                })
            })
            .collect();
        Some(Input {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            fields,
            container_errors,
        })
    }

    /// The fields that map to columns (not `skip`ped).
    pub fn mapped(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.attrs.skip.is_none())
    }
}
