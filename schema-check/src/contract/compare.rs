//! The struct against its replayed table: does every field have a column that its type can
//! hold, is the tenant `NOT NULL`, do the key fields identify a row. Every problem becomes
//! a [`Problem`](super::errors::Problem) at the offending field or attribute, naming the
//! column and the migration behind it; what passed is returned once, as `(&Field, &Column)`
//! pairs, for the derive to expand.

use proc_macro2::Span;

use super::ast::Field;
use super::errors::{COLUMN, Errors, KEY, TABLE, TENANT};
use super::types::{self, Fit};
use super::validate::Validated;
use crate::Dialect;
use crate::model::{Column, HistoryEvent, Schema, Table};
use crate::replay::ident::{same_column, same_table, unqualified};
use crate::suggest;

/// A field and the column it maps to.
#[derive(Clone, Copy)]
pub struct Mapped<'f, 's> {
    /// The field.
    pub field: &'f Field<'f>,
    /// Its column.
    pub column: &'s Column,
}

/// A field whose type must hold its column, and what can be said of it without rustc.
#[derive(Clone, Copy)]
pub struct TypeCheck<'f, 's> {
    /// The field and its column.
    pub mapped: Mapped<'f, 's>,
    /// Whether its type, as written, holds the column ([`Fit::Unknown`]: ask rustc).
    pub fit: Fit,
}

/// What the comparison established: everything the expansion needs, computed once.
pub struct Compared<'f, 's> {
    /// The table.
    pub table: &'s Table,
    /// Every field whose column exists, in declaration order.
    pub mapped: Vec<Mapped<'f, 's>>,
    /// The tenant field and its column; `None` for a `global` struct (or when it has no
    /// column: reported).
    pub tenant: Option<Mapped<'f, 's>>,
    /// The key fields and their columns, in key order.
    pub key: Vec<Mapped<'f, 's>>,
    /// The fields whose type must hold their column, in declaration order: every mapped
    /// field but a nullable tenant or key (reported as such: `Option` would be the wrong
    /// advice).
    pub types: Vec<TypeCheck<'f, 's>>,
}

/// Compares the struct with `schema` (in `dialect`, replayed from `dir`, with errors when
/// `replay_failed`); `None` when its table is not there (reported).
pub fn compare<'f, 's>(
    valid: &Validated<'f>,
    schema: &'s Schema,
    replay_failed: bool,
    dialect: Dialect,
    dir: &str,
    errors: &mut Errors,
) -> Option<Compared<'f, 's>> {
    let eq = move |a: &str, b: &str| same_column(dialect, a, b);
    let input = valid.input;
    let table = find_table(
        schema,
        replay_failed,
        &valid.table.value,
        dialect,
        dir,
        valid.table.span,
        errors,
    )?;

    let former_names = suggest::former_names(&schema.history, &table.name);
    let mut mapped: Vec<Mapped> = Vec::new();
    for f in input.mapped() {
        let Some(column) = table
            .columns
            .iter()
            .chain(&table.hidden_columns)
            .find(|c| eq(&c.name, &f.column))
        else {
            missing_column(f, table, &former_names, &schema.history, eq, errors);
            continue;
        };
        if let Some(first) = mapped.iter().find(|m| m.column.name == column.name) {
            errors.at(
                &COLUMN,
                f.column_span(),
                format!(
                    "column `{}` is already mapped to field `{}`: each column maps to one field (mark the copy `#[cache(skip)]`)",
                    column.name,
                    first.field.name()
                ),
            );
        }
        if column.name.contains('\0') || column.ty.canonical.contains('\0') {
            // The generated code packs names into one NUL-separated literal.
            errors.at_migration(
                &COLUMN,
                f.column_span(),
                format!(
                    "column `{}` of `{}` has a NUL character in its name or type (last changed in {}): cache-contract cannot map it; rename the column in a new migration",
                    column.name.escape_debug(),
                    table.name,
                    suggest::at(&column.provenance.last_changed)
                ),
                &column.provenance.last_changed,
            );
        }
        mapped.push(Mapped { field: f, column });
    }
    let column_of = |f: &Field| mapped.iter().find(|m| std::ptr::eq(m.field, f)).copied();

    let tenant = valid.tenant.and_then(column_of);
    if let Some(t) = tenant
        && t.column.nullable
    {
        let col = t.column;
        errors.at_migration(
            &TENANT,
            t.field.column_span(),
            format!(
                "tenant column `{}.{}` is nullable (last changed in {}): a row without a tenant cannot be cached safely; add `NOT NULL` to it in a new migration",
                table.name,
                col.name,
                suggest::at(&col.provenance.last_changed)
            ),
            &col.provenance.last_changed,
        );
    }

    let key = key_fields(valid, table, &mapped, tenant, dialect, errors);
    check_key_covers_a_unique_set(valid, table, &key, tenant, eq, errors);

    let unchecked = |m: &Mapped| {
        m.column.nullable
            && (tenant.is_some_and(|t| std::ptr::eq(t.field, m.field))
                || key.iter().any(|k| std::ptr::eq(k.field, m.field)))
    };
    let types = mapped
        .iter()
        .filter(|m| !unchecked(m))
        .map(|&m| TypeCheck {
            mapped: m,
            fit: types::fit(m.field.ty, &m.column.ty.family, m.column.nullable),
        })
        .collect();
    Some(Compared {
        table,
        mapped,
        tenant,
        key,
        types,
    })
}

fn find_table<'s>(
    schema: &'s Schema,
    replay_failed: bool,
    name: &str,
    dialect: Dialect,
    dir: &str,
    span: Span,
    errors: &mut Errors,
) -> Option<&'s Table> {
    let eq = move |a: &str, b: &str| same_table(dialect, a, b);
    let wanted = unqualified(dialect, name);
    let found = schema
        .tables
        .get(wanted)
        .or_else(|| schema.tables.values().find(|t| eq(&t.name, wanted)));
    if found.is_some() {
        return found;
    }
    let mut msg = format!("no table `{name}` in the schema replayed from `{dir}/`");
    if let Some(view) = schema.views.values().find(|v| eq(&v.name, wanted)) {
        msg = format!(
            "`{name}` is a {}view (created in {}), not a table: cache the rows of the table behind it, whose columns and keys the view cannot guarantee",
            if view.materialized {
                "materialized "
            } else {
                ""
            },
            suggest::at(&view.provenance.created)
        );
    } else if let Some(fate) = suggest::table_fate(&schema.history, wanted, eq) {
        msg.push_str(&format!("; {fate}"));
    } else if let Some(s) = suggest::closest(wanted, schema.tables.keys().map(String::as_str)) {
        msg.push_str(&format!("; did you mean `{s}`?"));
    } else if replay_failed {
        msg.push_str(
            "; the migrations did not replay cleanly (see the errors above), which may be why",
        );
    } else if schema.tables.is_empty() {
        msg.push_str(&format!(
            "; no migration creates a table (is `{dir}` the right directory? set it with `#[cache(migrations = \"...\")]` or `[package.metadata.cache-contract]`)"
        ));
    }
    errors.at(&TABLE, span, msg);
    None
}

fn missing_column(
    f: &Field,
    table: &Table,
    former_names: &[String],
    history: &[HistoryEvent],
    eq: impl Fn(&str, &str) -> bool + Copy,
    errors: &mut Errors,
) {
    let mut msg = format!("no column `{}` in table `{}`", f.column, table.name);
    let mut help = Vec::new();
    if let Some((fate, renamed_to)) = suggest::column_fate(history, former_names, &f.column, eq) {
        msg = format!("{msg}: {fate}");
        if let Some(to) = renamed_to
            && table.column(&to).is_some()
        {
            help.push(format!("map the field with `#[cache(column = \"{to}\")]`"));
        }
    } else {
        msg = format!("{msg} ({})", suggest::history(&table.provenance));
        let names = table.columns.iter().map(|c| c.name.as_str());
        if let Some(s) = suggest::closest(&f.column, names) {
            help.push(format!(
                "did you mean `{s}`? (`#[cache(column = \"{s}\")]`)"
            ));
        }
    }
    help.push("mark the field `#[cache(skip)]` if it is not stored in the table".into());
    errors.at(
        &COLUMN,
        f.column_span(),
        format!("{msg}; {}", help.join("; or ")),
    );
}

/// The key: the fields marked `key`, else the primary key's fields without the tenant.
fn key_fields<'f, 's>(
    valid: &Validated<'f>,
    table: &'s Table,
    mapped: &[Mapped<'f, 's>],
    tenant: Option<Mapped<'f, 's>>,
    dialect: Dialect,
    errors: &mut Errors,
) -> Vec<Mapped<'f, 's>> {
    let eq = move |a: &str, b: &str| same_column(dialect, a, b);
    let input = valid.input;
    let key: Vec<Mapped> = if !valid.explicit_key.is_empty() {
        valid
            .explicit_key
            .iter()
            .filter_map(|&f| mapped.iter().find(|m| std::ptr::eq(m.field, f)).copied())
            .collect()
    } else if valid.tenant.is_none() && input.attrs.global.is_none() {
        // No tenant (reported already): which primary key columns remain is unknown.
        return Vec::new();
    } else {
        let Some(pk) = &table.primary_key else {
            errors.at(
                &KEY,
                input.ident.span(),
                format!(
                    "table `{}` has no primary key, so the cache key cannot default to it: mark the fields that identify a row with `#[cache(key)]` (they must cover a unique constraint)",
                    table.name
                ),
            );
            return Vec::new();
        };
        let mut key = Vec::new();
        for col in pk {
            if tenant.is_some_and(|t| eq(&t.column.name, col)) {
                continue;
            }
            match mapped.iter().find(|m| eq(&m.column.name, col)) {
                Some(m) => key.push(*m),
                None => errors.at(
                    &KEY,
                    input.ident.span(),
                    format!(
                        "the cache key defaults to the primary key ({}) of `{}`, but no field maps to its column `{col}`: add the field, or mark the fields that identify a row with `#[cache(key)]`",
                        list(pk),
                        table.name
                    ),
                ),
            }
        }
        key
    };
    for k in &key {
        let col = k.column;
        if col.nullable {
            let f = k.field;
            errors.at_migration(
                &KEY,
                f.attrs.key.unwrap_or_else(|| f.ident.span()),
                format!(
                    "key column `{}.{}` is nullable (last changed in {}): a NULL cannot identify a row; add `NOT NULL` to it in a new migration, or key on other columns{}",
                    table.name,
                    col.name,
                    suggest::at(&col.provenance.last_changed),
                    if dialect == Dialect::Sqlite {
                        " (SQLite lets a PRIMARY KEY column hold NULL unless it is declared NOT NULL, is the `INTEGER PRIMARY KEY` rowid alias, or belongs to a WITHOUT ROWID table)"
                    } else {
                        ""
                    }
                ),
                &col.provenance.last_changed,
            );
        }
    }
    key
}

/// Explicit key fields, with the tenant, must cover the primary key or a unique constraint.
fn check_key_covers_a_unique_set(
    valid: &Validated,
    table: &Table,
    key: &[Mapped],
    tenant: Option<Mapped>,
    eq: impl Fn(&str, &str) -> bool + Copy,
    errors: &mut Errors,
) {
    let Some(first) = valid.explicit_key.first() else {
        // The default key is the primary key: it covers itself (or an error was reported).
        return;
    };
    if key.len() != valid.explicit_key.len() {
        return; // a key field has no column: reported already
    }
    let mut have: Vec<&str> = key.iter().map(|m| m.column.name.as_str()).collect();
    match (valid.tenant, tenant) {
        (Some(_), Some(t)) => have.push(t.column.name.as_str()),
        (Some(_), None) => return, // the tenant has no column: reported already
        (None, _) => {}
    }
    let mut sets: Vec<&Vec<String>> = Vec::new();
    if let Some(pk) = &table.primary_key {
        sets.push(pk);
    }
    sets.extend(table.unique.iter().map(|u| &u.columns));
    let covered = sets
        .iter()
        .any(|set| set.iter().all(|c| have.iter().any(|h| eq(h, c))));
    if covered {
        return;
    }
    let candidates: Vec<String> = sets.iter().map(|s| format!("({})", list(s))).collect();
    let key_names: Vec<String> = key.iter().map(|m| m.column.name.clone()).collect();
    let scope = if valid.tenant.is_some() {
        " within a tenant"
    } else {
        ""
    };
    let msg = format!(
        "the key ({}) does not identify a row of `{}`: two rows{scope} could share one cache key; key fields must cover {}",
        list(&key_names),
        table.name,
        if candidates.is_empty() {
            "a primary key or unique constraint, and the table has none: add one in a migration"
                .to_string()
        } else {
            format!(
                "the primary key or a unique constraint: {}",
                candidates.join(", ")
            )
        }
    );
    errors.at(
        &KEY,
        first.attrs.key.unwrap_or_else(|| first.ident.span()),
        msg,
    );
}

fn list(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use crate::contract::{Errors, ast::Input, validate::validate};
    use crate::{Dialect, Location, Replayer, Statement};

    #[test]
    fn a_field_may_map_a_hidden_period_column() {
        let mut r = Replayer::new(Dialect::Mysql);
        let sql = "CREATE TABLE h (tenant_id INT NOT NULL, id INT NOT NULL, \
                   PRIMARY KEY (tenant_id, id)) WITH SYSTEM VERSIONING";
        let at = Location {
            file: "m.sql".into(),
            line: 1,
            column: 1,
        };
        r.apply(&Statement {
            text: sql.into(),
            at,
            source_line: sql.into(),
        });
        let out = r.finish();
        let compare = |item: syn::DeriveInput| {
            let mut errors = Errors::default();
            let input = Input::from_syn(&item, &mut errors).unwrap();
            let valid = validate(&input, &mut errors).unwrap();
            let mapped =
                super::compare(&valid, &out.schema, false, Dialect::Mysql, "m", &mut errors)
                    .map(|c| c.mapped.len());
            (mapped, errors.problems().len())
        };
        let item: syn::DeriveInput = syn::parse_quote! {
            #[cache(table = "h")]
            struct H { tenant_id: i32, id: i32, row_start: String, row_end: String }
        };
        assert_eq!(compare(item), (Some(4), 0));
        let item: syn::DeriveInput = syn::parse_quote! {
            #[cache(table = "h")]
            struct H { tenant_id: i32, id: i32, row_middle: String }
        };
        assert_eq!(compare(item), (Some(2), 1));
    }
}
