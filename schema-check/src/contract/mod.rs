//! The contract check of cache structs, shared by `#[derive(CacheContract)]` and
//! `schema-check check`: one implementation, so that the command reports what the compiler
//! would, at the same places.
//!
//! The flow is linear, as in serde_derive and thiserror:
//!
//! 1. parse ([`ast::Input::from_syn`]): the struct, its fields and their `#[cache(...)]`
//!    attributes ([`attr`]);
//! 2. validate ([`validate::validate`]): the rules of the attributes alone (a table is
//!    named, one tenant, which fields are the key);
//! 3. resolve ([`config::resolve`]): the migration directory and dialect, from the
//!    attributes and `[package.metadata.cache-contract]`; the caller then replays (or
//!    loads a cached replay of) the directory;
//! 4. compare ([`compare::compare`]): the struct against its table, returning the
//!    `(&Field, &Column)` pairs of the fields, the tenant and the key, and what each
//!    field's type needs: everything the derive expands, computed once.
//!
//! Every problem is recorded in [`Errors`] with its [`Rule`](crate::report::Rule), at a
//! span of the struct. The derive turns them into `compile_error!`s; the command into
//! findings at `file:line:col`.
//!
//! Whether a field's type can hold its column is asked of rustc by the derive (through
//! `cache_contract::sql::HoldsSql`, so aliases, newtypes and your own implementations
//! count); [`type_problems`] reports, without compiling, the standard types that cannot
//! ([`types::fit`]), with the same words.
//!
//! ```
//! use schema_check::contract::{self, Errors, ast::Input, config::{self, Manifest}};
//! use schema_check::{ReplayOptions, replay_dir};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::create_dir(dir.path().join("migrations")).unwrap();
//! std::fs::write(
//!     dir.path().join("migrations/0001_users.sql"),
//!     "CREATE TABLE users (tenant_id text NOT NULL, id bigint NOT NULL, age bigint, PRIMARY KEY (tenant_id, id));",
//! ).unwrap();
//! let item: syn::DeriveInput = syn::parse_quote! {
//!     #[cache(table = "users")]
//!     struct User { tenant_id: String, id: i64, age: Option<i32> }
//! };
//! let mut errors = Errors::default();
//! let input = Input::from_syn(&item, &mut errors).unwrap();
//! let valid = contract::validate::validate(&input, &mut errors).unwrap();
//! let manifest = Manifest::read(dir.path());
//! let span = proc_macro2::Span::call_site();
//! let cfg = config::resolve(&input.attrs, &manifest, span, &mut errors).unwrap();
//! let options = ReplayOptions { dialect: cfg.dialect, display_prefix: Some(cfg.display.clone()), ..Default::default() };
//! let replay = replay_dir(&cfg.dir, &options).unwrap();
//! let compared = contract::compare::compare(&valid, &replay.schema, false, cfg.dialect, &cfg.display, &mut errors).unwrap();
//! assert_eq!(compared.key.len(), 1);
//! contract::type_problems(&compared, &mut errors);
//! let [problem] = errors.problems() else { panic!("one problem") };
//! assert_eq!(problem.rule.id, "contract-type");
//! assert!(problem.message.contains("`i32` cannot hold `bigint`"), "{}", problem.message);
//! ```

pub mod ast;
pub mod attr;
pub mod compare;
pub mod config;
pub mod errors;
pub mod types;
pub mod validate;

pub use errors::{Errors, Problem, RULES};

use syn::spanned::Spanned;

use compare::Compared;
use types::Fit;

/// Records, at each field's type, the fields whose standard type cannot hold their column
/// (what rustc reports for the derive, through `HoldsSql`, with these words).
pub fn type_problems(compared: &Compared, errors: &mut Errors) {
    for check in &compared.types {
        if check.fit != Fit::DoesNot {
            continue;
        }
        let (f, col) = (check.mapped.field, check.mapped.column);
        let written = types::type_string(f.ty);
        let m = types::type_message(f.ty, &f.name(), &compared.table.name, col, &written, &|s| {
            s.to_string()
        });
        errors.push_problem(Problem {
            rule: &errors::TYPE,
            span: f.ty.span(),
            message: m.message,
            migration: Some(col.provenance.last_changed.clone()),
            label: Some(m.label),
            note: Some(m.note),
            error: None,
        });
    }
}
