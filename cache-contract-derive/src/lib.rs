//! `#[derive(CacheContract)]`: checks a cache struct against the table its crate's SQL
//! migrations define, and implements `cache_contract::CacheContract` and `TenantScoped`.
//!
//! Use it through the `cache-contract` crate, which re-exports it.
//!
//! # Attributes
//!
//! On the struct:
//! - `table = "users"` (required): the table the struct caches rows of;
//! - `migrations = "db/migrations"`: the migration directory, relative to the crate's
//!   `Cargo.toml` (absolute paths are rejected: they only exist on one machine). Default:
//!   `migrations` in `[package.metadata.cache-contract]` of `Cargo.toml`, else `migrations`;
//! - `dialect = "postgres" | "mysql" | "sqlite"`: default `dialect` in the same metadata
//!   table, else PostgreSQL;
//! - `global`: the table is shared by all tenants (keys start `cc2:{global}:`);
//! - `crate = "path"`: where `cache_contract` is, when not `::cache_contract`.
//!
//! On a field:
//! - `tenant`: the field holds the tenant (default: the field named `tenant_id`);
//! - `key`: the field is part of the key (default: the primary key's fields, minus the
//!   tenant); key fields must cover the primary key or a unique constraint;
//! - `column = "name"`: the column (default: the field's name);
//! - `skip`: the field is not stored in the table.
//!
//! # What is checked
//!
//! Every problem of a struct is reported at once, each at the offending field or attribute,
//! naming the column and the migration `file:line` behind it: an unknown table (with "did
//! you mean", or where it was dropped or renamed; a view is not a table), a field without a
//! column, a Rust type that cannot hold the column's SQL type (asked of rustc through
//! `cache_contract::sql::HoldsSql`, so aliases and newtypes work), a nullable column in a
//! non-`Option` field, a missing or nullable tenant, a key that does not identify a row,
//! malformed attributes, and migrations that do not replay (each of their errors once per
//! build, at the first struct over the directory; the other structs point there).
//!
//! # Rebuilds
//!
//! The expansion `include_bytes!`s every migration it read, so editing one re-runs the
//! checks; `cache_contract::build::track_migrations()` in a build script makes adding or
//! removing one re-run them too. Replays are cached per compiler process, and on Unix also
//! on disk beside rustc's output (`target/<profile>/cache-contract/`), keyed by the
//! contents of every file below the migration directory and by the build of this macro:
//! a rebuild that changed no migration reads the replay back instead of parsing the SQL
//! again. A damaged or stale entry is never believed, only replaced.
//!
//! # Test harnesses
//!
//! Relative paths start at `CARGO_MANIFEST_DIR`, or at `CACHE_CONTRACT_MANIFEST_DIR` when
//! set: trybuild compiles test cases in a crate it generates under `target/`, and its
//! callers set the variable to their own crate's directory.

use proc_macro::TokenStream;

mod ast;
mod attr;
mod check;
mod config;
mod expand;
mod markers;
mod replay_store;
mod schema_cache;

/// Derives `cache_contract::CacheContract` and `TenantScoped`. See the crate docs.
#[proc_macro_derive(CacheContract, attributes(cache))]
pub fn derive_cache_contract(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive(&input, &schema_cache::load).into()
}

/// Loads the replay of a migration directory (`schema_cache::load`, or a fixed schema in
/// tests).
type Loader<'a> = dyn Fn(
        &std::path::Path,
        &str,
        schema_check::Dialect,
        bool,
    ) -> Result<std::sync::Arc<schema_cache::Loaded>, String>
    + 'a;

fn derive(input: &syn::DeriveInput, load: &Loader) -> proc_macro2::TokenStream {
    let mut errors = attr::Errors::default();
    let Some(ast) = ast::Input::from_syn(input, &mut errors) else {
        return errors.to_compile_errors();
    };
    if ast.container_errors {
        // A mistyped `table` or `migrations` would only cause misleading follow-up errors.
        return errors.to_compile_errors();
    }
    let Some(config) = config::resolve(&ast.attrs, ast.ident.span(), &mut errors) else {
        return errors.to_compile_errors();
    };
    let loaded = match load(&config.dir, &config.display, config.dialect, config.strict) {
        Ok(l) => l,
        Err(e) => {
            errors.at(config.span, e);
            return errors.to_compile_errors();
        }
    };
    if !loaded.errors.is_empty() {
        // Every struct over the directory fails alike: the first reports the errors in full,
        // the others where to find them.
        match loaded.earlier_report(|| location(config.span)) {
            None => {
                for e in &loaded.errors {
                    errors.at(config.span, migration_error(e));
                }
            }
            Some(at) => {
                let n = loaded.errors.len();
                let msg = format!(
                    "the migrations in `{}` do not replay ({n} error{}, shown in full at {at}): cache structs cannot be checked against them until they do",
                    config.display,
                    if n == 1 { "" } else { "s" },
                );
                errors.at(config.span, msg);
            }
        }
    }
    let tracking = expand::track(loaded.files_to_track());
    let Some(checked) = check::check(
        &ast,
        &loaded.schema,
        !loaded.errors.is_empty(),
        config.dialect,
        &config.display,
        &mut errors,
    ) else {
        let errs = errors.to_compile_errors();
        return quote::quote!(#errs #tracking);
    };
    let krate = ast.attrs.krate.as_ref().map_or_else(
        || {
            let name = proc_macro2::Ident::new("cache_contract", proc_macro2::Span::call_site());
            let mut path = syn::Path::from(name);
            path.leading_colon = Some(Default::default());
            path
        },
        |k| k.value.clone(),
    );
    let cx = expand::Context {
        krate,
        tracking: &tracking,
        table_hash: schema_cache::table_hash(checked.table),
    };
    let errs = errors.to_compile_errors();
    if errors.is_empty() {
        expand::expand(&ast, &checked, &cx)
    } else {
        // Report rustc's type errors together with the derive's own.
        let checks = expand::type_checks_only(&ast, &checked, &cx);
        quote::quote!(#errs #checks)
    }
}

/// `file:line:col` of `span`, as rustc shows it.
fn location(span: proc_macro2::Span) -> String {
    if !proc_macro::is_available() {
        return "an earlier derive".to_string(); // unit tests run outside the compiler
    }
    let span = span.unwrap();
    format!("{}:{}:{}", span.file(), span.line(), span.column())
}

/// A migration error as one compile error: where, what, the line, and what to do.
fn migration_error(d: &schema_check::Diagnostic) -> String {
    let mut msg = match &d.location {
        Some(at) => format!("{at}: {}", d.message),
        None => d.message.clone(),
    };
    if let (Some(at), Some(line)) = (&d.location, &d.source_line) {
        msg.push_str(&format!("\n{:>5} | {}", at.line, line.trim_end()));
    }
    if let Some(help) = &d.help {
        msg.push_str(&format!("\nhelp: {help}"));
    }
    msg.push_str(
        "\n(the migrations must replay cleanly before cache structs can be checked against them)",
    );
    msg
}

#[cfg(test)]
mod tests;
