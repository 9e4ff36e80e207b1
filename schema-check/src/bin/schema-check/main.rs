//! `schema-check`: prints the schema a directory of SQL migrations produces.
//!
//! Exit codes: 0 the migrations replay cleanly; 1 the migrations have errors (each is
//! printed to stderr, and what replayed is still printed); 2 usage or I/O errors (bad
//! arguments, unreadable directory, unknown `--table`).

#[cfg(feature = "live")]
mod drift;
mod json;
mod suggest;
mod text;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use schema_check::{Diagnostic, Dialect, Replay, ReplayOptions, replay_dir};

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
    /// Tables, columns, keys, indexes, enums, views, each table's hash (of its canonical definition) and where it
    /// was created and last changed.
    #[command(
        after_help = "Exit codes: 0 the migrations replay cleanly; 1 the migrations have \
                            errors (printed to stderr; the schema is still printed); 2 usage or \
                            I/O error, or --table names no table."
    )]
    Schema(SchemaArgs),
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

#[derive(Debug, clap::Args)]
struct SchemaArgs {
    /// The migrations directory (flat, sqlx, Flyway/refinery or diesel layout).
    dir: PathBuf,
    /// The SQL dialect the migrations are written in: postgres, mysql or sqlite.
    #[arg(long, default_value = "postgres", value_name = "DIALECT")]
    dialect: Dialect,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Show only this table (and its indexes).
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// Also show where each column last changed, skipped statements, warnings and
    /// ignored files.
    #[arg(long, short)]
    verbose: bool,
    /// Treat warnings (conflicts an earlier skipped statement, such as a DO block, could
    /// explain) as errors.
    #[arg(long)]
    strict: bool,
}

/// How the schema is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned tables, like psql's `\d`.
    Text,
    /// The stable JSON document described in the README.
    Json,
}

/// Exit code for migrations with errors.
const SCHEMA_ERRORS: u8 = 1;
/// Exit code for usage and I/O errors.
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema(args) => schema(&args),
        #[cfg(feature = "live")]
        Command::Drift(args) => drift::run(&args),
    }
}

fn schema(args: &SchemaArgs) -> ExitCode {
    let options = ReplayOptions {
        dialect: args.dialect,
        display_prefix: None,
        strict: args.strict,
        ..Default::default()
    };
    let replay = match replay_dir(&args.dir, &options) {
        Ok(replay) => replay,
        Err(e) => return fail(&e, USAGE),
    };
    let only = match &args.table {
        None => None,
        Some(name) => match find_table(&replay, name) {
            Ok(found) => Some(found),
            Err(e) => return fail(&e, USAGE),
        },
    };
    let out = match args.format {
        Format::Text => text::render(&replay, &args.dir, only.as_deref(), args.verbose),
        Format::Json => json::render(&replay, only.as_deref()),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    let mut stderr = std::io::stderr().lock();
    for w in &replay.warnings {
        let _ = writeln!(stderr, "{w}");
    }
    if replay.errors.is_empty() {
        return ExitCode::SUCCESS;
    }
    for e in &replay.errors {
        let _ = writeln!(stderr, "{e}");
    }
    let n = replay.errors.len();
    let _ = writeln!(
        stderr,
        "error: {n} error{} in the migrations in `{}`",
        if n == 1 { "" } else { "s" },
        args.dir.display()
    );
    ExitCode::from(SCHEMA_ERRORS)
}

/// The canonical name of the table the user asked for: exact, else the only
/// case-insensitive match; otherwise an error with a suggestion.
fn find_table(replay: &Replay, name: &str) -> Result<String, Diagnostic> {
    let tables = &replay.schema.tables;
    if tables.contains_key(name) {
        return Ok(name.to_string());
    }
    let folded: Vec<&String> = tables
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(name))
        .collect();
    if let [only] = folded.as_slice() {
        return Ok((*only).clone());
    }
    let mut error = Diagnostic::new(format!("no table named `{name}` in the replayed schema"));
    let help = match suggest::closest(name, tables.keys().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None if tables.is_empty() => "the migrations create no tables".to_string(),
        None => format!(
            "the tables are: {}",
            tables
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    error = error.with_help(help);
    Err(error)
}

fn fail(error: &Diagnostic, code: u8) -> ExitCode {
    eprint!("{error}");
    ExitCode::from(code)
}
