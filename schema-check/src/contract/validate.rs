//! The rules of a struct's attributes that need no schema: a table is named, at most one
//! field is the tenant (none on a `global` struct), and which fields are the key.

use super::ast::{Field, Input};
use super::attr::Located;
use super::errors::{ATTRIBUTE, Errors, TENANT};

/// A struct whose attributes make sense on their own.
pub struct Validated<'f> {
    /// The struct.
    pub input: &'f Input<'f>,
    /// `#[cache(table = "...")]`.
    pub table: &'f Located<String>,
    /// The tenant field: the one marked `tenant`, else the one named `tenant_id`; `None`
    /// for a `global` struct, or when there is none (reported).
    pub tenant: Option<&'f Field<'f>>,
    /// The fields marked `key`, in declaration order (empty: the primary key's).
    pub explicit_key: Vec<&'f Field<'f>>,
}

/// Checks the attributes of `input`; `None` when no table is named (reported).
pub fn validate<'f>(input: &'f Input<'f>, errors: &mut Errors) -> Option<Validated<'f>> {
    let Some(table) = &input.attrs.table else {
        errors.at(
            &ATTRIBUTE,
            input.ident.span(),
            "missing `#[cache(table = \"...\")]`: name the table this struct caches rows of",
        );
        return None;
    };
    Some(Validated {
        input,
        table,
        tenant: tenant_field(input, errors),
        // The tenant is never a key field (marking it is reported by the attribute parser).
        explicit_key: input
            .fields
            .iter()
            .filter(|f| f.attrs.key.is_some() && f.attrs.tenant.is_none())
            .collect(),
    })
}

fn tenant_field<'f>(input: &'f Input<'f>, errors: &mut Errors) -> Option<&'f Field<'f>> {
    let mut marked = input.fields.iter().filter(|f| f.attrs.tenant.is_some());
    if input.attrs.global.is_some() {
        for span in marked.filter_map(|f| f.attrs.tenant) {
            errors.at(
                &TENANT,
                span,
                "a `#[cache(global)]` struct has no tenant: remove `tenant`, or remove `global` if the table is per tenant",
            );
        }
        return None;
    }
    let first = marked.next();
    for span in marked.filter_map(|f| f.attrs.tenant) {
        errors.at(&TENANT, span, "only one field can be the tenant");
    }
    if first.is_some() {
        return first;
    }
    if let Some(f) = input
        .fields
        .iter()
        .find(|f| f.name() == "tenant_id" && f.attrs.skip.is_none())
    {
        return Some(f);
    }
    errors.at(
        &TENANT,
        input.ident.span(),
        format!(
            "`{}` has no tenant field: every cached row belongs to a tenant, and its keys must say which; mark the field holding it with `#[cache(tenant)]` (a field named `tenant_id` is picked up without it), or opt out with `#[cache(global)]` if the table is truly shared by all tenants",
            input.ident
        ),
    );
    None
}
