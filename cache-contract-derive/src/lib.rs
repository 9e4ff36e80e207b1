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
//! # How it is built
//!
//! The checks are `schema_check::contract`'s, which `schema-check check` runs too, without
//! compiling: parse → validate (attributes alone) → resolve (the configuration, then the
//! replay, cached) → compare (the struct against its table) → expand. This crate is the
//! shell around them: the caches, the once-per-process reporting and the expansion.
//!
//! # Test harnesses
//!
//! Relative paths start at `CARGO_MANIFEST_DIR`, or at `CACHE_CONTRACT_MANIFEST_DIR` when
//! set: trybuild compiles test cases in a crate it generates under `target/`, and its
//! callers set the variable to their own crate's directory.

use std::sync::Arc;

use proc_macro::TokenStream;
use schema_check::contract::ast::Input;
use schema_check::contract::{Errors, compare, config, validate};

mod expand;
mod manifest;
mod markers;
mod replay;
mod replay_cache;
mod replay_store;
mod reporting;
mod stamp_cache;

use replay::{Replay, Source};

/// Derives `cache_contract::CacheContract` and `TenantScoped`. See the crate docs.
#[proc_macro_derive(CacheContract, attributes(cache))]
pub fn derive_cache_contract(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive(&input, &replay_cache::load).into()
}

/// Loads the replay of a migration directory ([`replay_cache::load`], or a fixed schema in
/// tests).
type Loader<'a> = dyn Fn(&Source) -> Result<Arc<Replay>, String> + 'a;

fn derive(item: &syn::DeriveInput, load: &Loader) -> proc_macro2::TokenStream {
    let call_site = proc_macro2::Span::call_site();
    let mut errors = Errors::default();
    // Parse.
    let Some(input) = Input::from_syn(item, &mut errors) else {
        return errors.to_compile_errors();
    };
    if input.container_errors {
        // A mistyped `table` or `migrations` would only cause misleading follow-up errors.
        return errors.to_compile_errors();
    }
    // Validate the attributes.
    let Some(valid) = validate::validate(&input, &mut errors) else {
        return errors.to_compile_errors();
    };
    // Resolve: the configuration, then the replay.
    let Some(manifest) = manifest::current(call_site, &mut errors) else {
        return errors.to_compile_errors();
    };
    let Some(config) = config::resolve(&input.attrs, &manifest, call_site, &mut errors) else {
        return errors.to_compile_errors();
    };
    let source = Source::from(&config);
    let replay = match load(&source) {
        Ok(r) => r,
        Err(e) => {
            errors.at(&schema_check::contract::errors::CONFIG, config.span, e);
            return errors.to_compile_errors();
        }
    };
    reporting::report_migration_errors(&source, &replay, config.span, &mut errors);
    let tracking = if reporting::first_to_track(&source, &replay) {
        expand::track(&replay.files)
    } else {
        proc_macro2::TokenStream::new()
    };
    // Compare.
    let Some(compared) = compare::compare(
        &valid,
        &replay.schema,
        !replay.errors.is_empty(),
        config.dialect,
        &config.display,
        &mut errors,
    ) else {
        let errs = errors.to_compile_errors();
        return quote::quote!(#errs #tracking);
    };
    // Expand.
    let cx = expand::Context::new(&input, &tracking);
    let errs = errors.to_compile_errors();
    if errors.is_empty() {
        expand::expand(&input, &compared, &cx)
    } else {
        // Report rustc's type errors together with the derive's own.
        let checks = expand::type_checks_only(&input, &compared, &cx);
        quote::quote!(#errs #checks)
    }
}

#[cfg(test)]
mod tests;
