//! The drift checks: the struct against the replayed table. Every problem becomes a
//! `syn::Error` spanned at the offending field or attribute, and all of them are reported.
//! (Whether a field's Rust type can hold its column's SQL type is asked of rustc by the
//! expansion, through `cache_contract::sql::HoldsSql`.)

use proc_macro2::Span;
use schema_check::Dialect;
use schema_check::model::{Column, Schema, Table};

use crate::ast::Input;
use crate::attr::Errors;
use schema_check::suggest;

/// A field mapped to its column.
pub struct Mapped<'s> {
    /// Index of the field in `Input::fields`.
    pub field: usize,
    /// The column.
    pub column: &'s Column,
}

/// The outcome of the checks that passed far enough to generate code.
pub struct Checked<'s> {
    /// The table.
    pub table: &'s Table,
    /// Mapped fields, in declaration order (only those whose column exists).
    pub mapped: Vec<Mapped<'s>>,
    /// The tenant field's index, `None` for `#[cache(global)]`.
    pub tenant: Option<usize>,
    /// Key fields' indices, in key order.
    pub key: Vec<usize>,
}

impl Checked<'_> {
    /// The column of field `field`, if mapped.
    pub fn column_of(&self, field: usize) -> Option<&Column> {
        self.mapped
            .iter()
            .find(|m| m.field == field)
            .map(|m| m.column)
    }
}

/// Compares identifiers the way the dialect does once canonicalized: PostgreSQL names are
/// folded already and compare exactly; MySQL and SQLite column names compare ignoring case.
fn same(dialect: Dialect) -> impl Fn(&str, &str) -> bool + Copy {
    move |a: &str, b: &str| match dialect {
        Dialect::Postgres => a == b,
        Dialect::Mysql | Dialect::Sqlite => a.eq_ignore_ascii_case(b),
    }
}

/// Runs every check; returns what code generation needs when the table exists.
pub fn check<'s>(
    input: &Input,
    schema: &'s Schema,
    replay_failed: bool,
    dialect: Dialect,
    dir: &str,
    errors: &mut Errors,
) -> Option<Checked<'s>> {
    let eq = same(dialect);
    let Some(table_attr) = &input.attrs.table else {
        errors.at(
            input.ident.span(),
            "missing `#[cache(table = \"...\")]`: name the table this struct caches rows of",
        );
        return None;
    };
    let table = find_table(
        schema,
        replay_failed,
        &table_attr.value,
        dialect,
        dir,
        table_attr.span,
        errors,
    )?;

    // Tenant.
    let tenant = tenant_field(input, errors);

    // Columns.
    let names = suggest::former_names(&schema.history, &table.name);
    let mut mapped = Vec::new();
    for (i, f) in input.mapped() {
        match table.columns.iter().find(|c| eq(&c.name, &f.column)) {
            Some(column) => {
                if let Some(first) = mapped
                    .iter()
                    .find(|m: &&Mapped| m.column.name == column.name)
                {
                    errors.at(
                        f.column_span(),
                        format!(
                            "column `{}` is already mapped to field `{}`: each column maps to one field (mark the copy `#[cache(skip)]`)",
                            column.name,
                            input.fields[first.field].name()
                        ),
                    );
                }
                if column.name.contains('\0') || column.ty.canonical.contains('\0') {
                    // The generated code packs names into one NUL-separated literal.
                    errors.at(
                        f.column_span(),
                        format!(
                            "column `{}` of `{}` has a NUL character in its name or type (last changed in {}): cache-contract cannot map it; rename the column in a new migration",
                            column.name.escape_debug(),
                            table.name,
                            suggest::at(&column.provenance.last_changed)
                        ),
                    );
                }
                mapped.push(Mapped { field: i, column });
            }
            None => errors.push(missing_column(input, i, table, &names, &schema.history, eq)),
        }
    }
    let mut checked = Checked {
        table,
        mapped,
        tenant,
        key: Vec::new(),
    };

    if let Some(t) = tenant
        && let Some(col) = checked.column_of(t)
        && col.nullable
    {
        errors.at(
            input.fields[t].column_span(),
            format!(
                "tenant column `{}.{}` is nullable (last changed in {}): a row without a tenant cannot be cached safely; add `NOT NULL` to it in a new migration",
                table.name,
                col.name,
                suggest::at(&col.provenance.last_changed)
            ),
        );
    }

    checked.key = key_fields(input, &checked, dialect, errors);
    check_key_covers_a_unique_set(input, &checked, eq, errors);
    Some(checked)
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
    let eq = same(dialect);
    let wanted = match dialect {
        Dialect::Postgres => name.strip_prefix("public.").unwrap_or(name),
        _ => name,
    };
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
    errors.at(span, msg);
    None
}

fn tenant_field(input: &Input, errors: &mut Errors) -> Option<usize> {
    let marked: Vec<usize> = input
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.attrs.tenant.is_some())
        .map(|(i, _)| i)
        .collect();
    if let Some(global) = input.attrs.global {
        for &i in &marked {
            if let Some(span) = input.fields[i].attrs.tenant {
                errors.at(
                    span,
                    "a `#[cache(global)]` struct has no tenant: remove `tenant`, or remove `global` if the table is per tenant",
                );
            }
        }
        let _ = global;
        return None;
    }
    for &extra in marked.iter().skip(1) {
        if let Some(span) = input.fields[extra].attrs.tenant {
            errors.at(span, "only one field can be the tenant");
        }
    }
    if let Some(&first) = marked.first() {
        return Some(first);
    }
    if let Some(i) = input
        .fields
        .iter()
        .position(|f| f.name() == "tenant_id" && f.attrs.skip.is_none())
    {
        return Some(i);
    }
    errors.at(
        input.ident.span(),
        format!(
            "`{}` has no tenant field: every cached row belongs to a tenant, and its keys must say which; mark the field holding it with `#[cache(tenant)]` (a field named `tenant_id` is picked up without it), or opt out with `#[cache(global)]` if the table is truly shared by all tenants",
            input.ident
        ),
    );
    None
}

fn missing_column(
    input: &Input,
    i: usize,
    table: &Table,
    former_names: &[String],
    history: &[schema_check::model::HistoryEvent],
    eq: impl Fn(&str, &str) -> bool + Copy,
) -> syn::Error {
    let f = &input.fields[i];
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
    syn::Error::new(f.column_span(), format!("{msg}; {}", help.join("; or ")))
}

fn key_fields(
    input: &Input,
    checked: &Checked,
    dialect: Dialect,
    errors: &mut Errors,
) -> Vec<usize> {
    let eq = same(dialect);
    let table = checked.table;
    // The tenant is never a key field (marking it is reported by the attribute parser).
    let explicit: Vec<usize> = input
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.attrs.key.is_some() && f.attrs.tenant.is_none())
        .map(|(i, _)| i)
        .collect();
    let key = if !explicit.is_empty() {
        explicit
    } else if checked.tenant.is_none() && input.attrs.global.is_none() {
        // No tenant (reported already): which primary key columns remain is unknown.
        return Vec::new();
    } else {
        let Some(pk) = &table.primary_key else {
            errors.at(
                input.ident.span(),
                format!(
                    "table `{}` has no primary key, so the cache key cannot default to it: mark the fields that identify a row with `#[cache(key)]` (they must cover a unique constraint)",
                    table.name
                ),
            );
            return Vec::new();
        };
        let tenant_col = checked
            .tenant
            .and_then(|t| checked.column_of(t))
            .map(|c| c.name.clone());
        let mut key = Vec::new();
        for col in pk {
            if tenant_col.as_deref().is_some_and(|t| eq(t, col)) {
                continue;
            }
            match checked
                .mapped
                .iter()
                .find(|m| eq(&m.column.name, col))
            {
                Some(m) => key.push(m.field),
                None => errors.at(
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
    for &k in &key {
        if let Some(col) = checked.column_of(k)
            && col.nullable
        {
            let f = &input.fields[k];
            errors.at(
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
            );
        }
    }
    if let Some(&k) = key.get(MAX_KEY_FIELDS) {
        let f = &input.fields[k];
        errors.at(
            f.attrs.key.unwrap_or_else(|| f.ident.span()),
            format!(
                "a cache key has at most {MAX_KEY_FIELDS} fields, and this key has {}: key on a unique constraint with fewer columns",
                key.len()
            ),
        );
    }
    key
}

/// The most key fields a struct can have: `cache_contract::key_part::MAX_KEY_PARTS`, the
/// largest tuple `KeyParts` is implemented for.
const MAX_KEY_FIELDS: usize = 12;

fn check_key_covers_a_unique_set(
    input: &Input,
    checked: &Checked,
    eq: impl Fn(&str, &str) -> bool + Copy,
    errors: &mut Errors,
) {
    let table = checked.table;
    let explicit: Vec<Span> = input
        .fields
        .iter()
        .filter(|f| f.attrs.tenant.is_none())
        .filter_map(|f| f.attrs.key)
        .collect();
    if explicit.is_empty() {
        // The default key is the primary key: it covers itself (or an error was reported).
        return;
    }
    let mut have: Vec<&str> = checked
        .key
        .iter()
        .filter_map(|&k| checked.column_of(k))
        .map(|c| c.name.as_str())
        .collect();
    if have.len() != checked.key.len() {
        return; // a key field has no column: reported already
    }
    if let Some(t) = checked.tenant {
        match checked.column_of(t) {
            Some(c) => have.push(c.name.as_str()),
            None => return,
        }
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
    let key_names: Vec<String> = checked
        .key
        .iter()
        .filter_map(|&k| checked.column_of(k))
        .map(|c| c.name.clone())
        .collect();
    let scope = if checked.tenant.is_some() {
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
    errors.at(explicit[0], msg);
}

fn list(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
