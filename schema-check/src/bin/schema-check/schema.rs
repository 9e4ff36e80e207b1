//! `schema-check schema DIR`: the schema a migration directory produces.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use schema_check::report::render::{self, Format, Sources, Tool};
use schema_check::report::{
    EXIT_FINDINGS, EXIT_USAGE, Finding, MIGRATION_ERROR, MIGRATION_WARNING, Report,
};
use schema_check::suggest::closest;
use schema_check::{Diagnostic, Dialect, Replay, ReplayOptions, replay_dir};

use crate::output::{self, OutputArgs};
use crate::{json, text};

/// `schema-check schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The migrations directory (flat, sqlx, Flyway/refinery or diesel layout).
    dir: PathBuf,
    /// The SQL dialect the migrations are written in: postgres, mysql or sqlite.
    #[arg(long, default_value = "postgres", value_name = "DIALECT")]
    dialect: Dialect,
    #[command(flatten)]
    output: OutputArgs,
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

/// Runs `schema-check schema`.
pub fn run(args: &SchemaArgs) -> ExitCode {
    let options = ReplayOptions {
        dialect: args.dialect,
        display_prefix: None,
        strict: args.strict,
        ..Default::default()
    };
    let color = args.output.color;
    let replay = match replay_dir(&args.dir, &options) {
        Ok(replay) => replay,
        Err(e) => return fail(&e, color),
    };
    let only = match &args.table {
        None => None,
        Some(name) => match find_table(&replay, name) {
            Ok(found) => Some(found),
            Err(e) => return fail(&e, color),
        },
    };
    let mut report = Report::new(&[MIGRATION_ERROR, MIGRATION_WARNING]);
    report
        .findings
        .extend(replay.warnings.iter().map(Finding::from));
    report
        .findings
        .extend(replay.errors.iter().map(Finding::from));
    match args.output.format {
        Format::Text => {
            write(
                &text::render(&replay, &args.dir, only.as_deref(), args.verbose),
                output::stdout(output::ColorWhen::Never),
            );
            if !report.findings.is_empty() {
                let mut errors = render::text(&report, &mut Sources::new(), true);
                let n = replay.errors.len();
                if n > 0 {
                    errors.push_str(&format!(
                        "error: {n} error{} in the migrations in `{}`\n",
                        if n == 1 { "" } else { "s" },
                        args.dir.display()
                    ));
                }
                write(&errors, output::stderr(color));
            }
        }
        Format::Json => write(
            &json::render(&replay, only.as_deref()),
            output::stdout(color),
        ),
        Format::Sarif => output::emit(&report, &args.output, &Tool::schema_check("schema")),
    }
    if replay.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
}

fn write(text: &str, mut out: impl Write) {
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
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
    let help = match closest(name, tables.keys().map(String::as_str)) {
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

fn fail(error: &Diagnostic, color: output::ColorWhen) -> ExitCode {
    write(&error.to_string(), output::stderr(color));
    ExitCode::from(EXIT_USAGE)
}
