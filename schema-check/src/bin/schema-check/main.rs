//! `schema-check`: replays SQL migrations into the exact final schema, checks a crate's cache
//! structs against it, and lints it for tenant isolation.
//!
//! Exit codes, the same for every command: 0 nothing to report; 1 findings (errors, or
//! warnings with `--deny-warnings`); 2 usage or I/O errors (bad arguments, a directory or
//! manifest that cannot be read).

mod check;
#[cfg(feature = "live")]
mod drift;
mod json;
mod lint;
mod output;
mod schema;
mod text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Replays SQL migrations into the exact final schema, without a database.
#[derive(Debug, Parser)]
#[command(name = "schema-check", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the schema the migrations in DIR produce.
    ///
    /// Tables, columns, keys, indexes, enums, views, each table's hash (of its canonical
    /// definition) and where it was created and last changed.
    #[command(
        after_help = "Exit codes: 0 the migrations replay cleanly; 1 the migrations have \
                      errors (printed to stderr with --format text, in the document with \
                      json, as results with sarif; the schema is still printed); 2 usage or \
                      I/O error, or --table names no table."
    )]
    Schema(schema::SchemaArgs),
    /// Lint the schema the migrations in DIR produce for tenant isolation.
    ///
    /// Nullable tenant columns, keys and foreign keys without the tenant, indexes that do
    /// not start with it, tables with no tenant that are not declared global
    /// (`--explain RULE` for each); suppress one in the migration with
    /// `-- schema-check: allow(rule-id) reason`.
    #[command(
        after_help = "Exit codes: 0 no errors (warnings too with --deny-warnings); 1 \
                      findings; 2 usage or I/O error (a directory or configuration that \
                      cannot be read, an unknown rule for --explain)."
    )]
    Lint(lint::LintArgs),
    /// Check every `#[derive(CacheContract)]` of a crate (or workspace) against its
    /// migrations, without compiling: the derive's own checks, every problem at once.
    ///
    /// Structs are found in every `.rs` file below `src/`, `tests/`, `examples/` and
    /// `benches/`, whatever `#[cfg]` they are under (all are checked). Types other than
    /// the standard ones (aliases, newtypes, other crates' types) are left to the compiler.
    #[command(
        after_help = "Exit codes: 0 every struct matches its table (warnings alone, unless \
                      --deny-warnings); 1 findings; 2 usage or I/O error (no Cargo.toml, \
                      cargo metadata failed, a file that cannot be read)."
    )]
    Check(check::CheckArgs),
    /// Compare live databases (one, or every tenant's) with the schema the migrations
    /// produce, read-only.
    ///
    /// Tables, columns (type, nullability, default), keys, unique, check and foreign-key
    /// constraints, indexes, enums and views; tenants with identical drift are grouped.
    #[cfg(feature = "live")]
    #[command(
        after_help = "Exit codes: 0 no drift; 1 drift; 2 usage, I/O, connection or migration \
                      errors."
    )]
    Drift(drift::DriftArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema(args) => schema::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Check(args) => check::run(&args),
        #[cfg(feature = "live")]
        Command::Drift(args) => drift::run(&args),
    }
}
