//! `schema-check lint DIR`: tenant isolation of the schema the migrations in DIR produce;
//! the tables the cache structs of DIR's crate map are tenant tables (by their tenant field).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use schema_check::lint::config::LintConfig;
use schema_check::lint::{lint, rules};
use schema_check::report::EXIT_USAGE;
use schema_check::report::render::Tool;
use schema_check::suggest::closest;
use schema_check::{Dialect, ReplayOptions, replay_dir};

use crate::output::{self, OutputArgs};

/// `schema-check lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// The migrations directory (flat, sqlx, Flyway/refinery or diesel layout).
    #[arg(required_unless_present = "explain")]
    dir: Option<PathBuf>,
    /// The SQL dialect the migrations are written in: postgres, mysql or sqlite.
    #[arg(long, default_value = "postgres", value_name = "DIALECT")]
    dialect: Dialect,
    /// Read the configuration (`tenant-columns`, `global-tables`, a `[lint]` table of rule
    /// levels) from this TOML file instead of `[package.metadata.cache-contract]` of the
    /// nearest `Cargo.toml` at or above DIR.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Explain a rule (what it finds, why it matters, how to fix it) and exit.
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `schema-check lint`.
pub fn run(args: &LintArgs) -> ExitCode {
    if let Some(id) = &args.explain {
        return explain(id, args.output.color);
    }
    let Some(dir) = &args.dir else {
        return usage("a migrations directory is required", args.output.color);
    };
    let mut config = match LintConfig::load(args.config.as_deref(), dir) {
        Ok(config) => config,
        Err(e) => return usage(&e, args.output.color),
    };
    // A table a cache struct of the crate maps is a tenant table, by its struct's tenant
    // field, whatever the configured tenant column names are.
    config.mapped_tables = crate::check::mapped_tables(dir);
    let options = ReplayOptions {
        dialect: args.dialect,
        ..Default::default()
    };
    let replay = match replay_dir(dir, &options) {
        Ok(replay) => replay,
        Err(e) => return usage(&e.to_string(), args.output.color),
    };
    let report = lint(&replay, &config);
    output::emit(&report, &args.output, &Tool::schema_check("lint"));
    ExitCode::from(report.exit_code(args.deny_warnings))
}

/// `--explain RULE`: the rule's id, summary, default level and explanation.
fn explain(id: &str, color: output::ColorWhen) -> ExitCode {
    let Some(rule) = rules::rule(id) else {
        let hint = match closest(id, rules::RULES.iter().map(|r| r.id)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "the rules are: {}",
                rules::RULES
                    .iter()
                    .map(|r| r.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return usage(&format!("no lint rule `{id}`; {hint}"), color);
    };
    let text = format!(
        "{} ({} by default): {}\n\n{}\n",
        rule.id, rule.default_severity, rule.summary, rule.explanation
    );
    let mut out = output::stdout(color);
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    ExitCode::SUCCESS
}

fn usage(message: &str, color: output::ColorWhen) -> ExitCode {
    let mut err = output::stderr(color);
    let _ = writeln!(err, "error: {message}");
    ExitCode::from(EXIT_USAGE)
}
