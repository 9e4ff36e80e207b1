//! `schema-check drift`: live databases (one, or every tenant) against the migrations.
//!
//! Exit codes: 0 no drift; 1 drift; 2 usage, I/O, connection or migration errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use schema_check::drift::migration_file::{new_migration, utc_timestamp};
use schema_check::drift::{
    DiffOptions, Group, Ignore, diff, findings, group_tenants, remediation, render,
};
use schema_check::live::{self, DatabaseUrl, Kind, Tenants};
use schema_check::report::render::Tool;
use schema_check::report::{EXIT_FINDINGS, EXIT_USAGE, Finding, MIGRATION_ERROR, Report};
use schema_check::{Dialect, ReplayOptions, replay_dir};

use crate::output::{self, OutputArgs};

/// Arguments of `schema-check drift`.
#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// The database: postgres://USER[:PASSWORD]@HOST[:PORT]/DB, mysql://... (MySQL and
    /// MariaDB) or sqlite://PATH (a glob such as sqlite://tenants/*.db names several files).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// The migrations directory (default: `migrations` in `[package.metadata.cache-contract]`
    /// of ./Cargo.toml, else `migrations`).
    dir: Option<PathBuf>,
    /// PostgreSQL: compare every schema whose name matches GLOB (a schema per tenant).
    #[arg(long, value_name = "GLOB", conflicts_with = "databases")]
    schemas: Option<String>,
    /// MySQL/MariaDB: compare every database whose name matches GLOB (a database per tenant).
    #[arg(long, value_name = "GLOB")]
    databases: Option<String>,
    /// How many tenants to introspect at once (one connection each).
    #[arg(long, default_value_t = 8, value_name = "N")]
    jobs: usize,
    /// Leave out tables, views, indexes and types whose names match GLOB (repeatable; added
    /// to `drift-ignore` of `[package.metadata.cache-contract]`).
    #[arg(long, value_name = "GLOB")]
    ignore: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
    /// Print the SQL that brings the database(s) to the migrations' schema (one script per
    /// group of tenants) instead of the report.
    #[arg(long)]
    remediation: bool,
    /// Include destructive statements (dropping columns or tables, narrowing types), which
    /// are otherwise commented out with a warning.
    #[arg(long)]
    allow_destructive: bool,
    /// Write the remediation as a new migration in the migrations directory, in its layout
    /// and numbering, for review like any migration.
    #[arg(long)]
    as_migration: bool,
}

/// What `[package.metadata.cache-contract]` of ./Cargo.toml says drift needs.
#[derive(Debug, Default)]
struct Config {
    migrations: Option<String>,
    dialect: Option<String>,
    ignore: Vec<String>,
}

/// `migrations` and `dialect` as the derive reads them
/// ([`schema_check::contract::config::read_metadata`], which also refuses unknown keys);
/// `drift-ignore`, drift's own key, here.
fn read_config(manifest: &Path) -> Result<Config, String> {
    let metadata = schema_check::contract::config::read_metadata(manifest)?;
    let ignore = match std::fs::read_to_string(manifest) {
        Err(_) => Vec::new(), // no manifest: read_metadata said so already
        Ok(text) => {
            let doc: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| format!("{}: {}", manifest.display(), e.message()))?;
            let value = doc
                .get("package")
                .and_then(|p| p.get("metadata"))
                .and_then(|m| m.get("cache-contract"))
                .and_then(|c| c.get("drift-ignore"));
            match value {
                None => Vec::new(),
                Some(v) => v
                    .as_array()
                    .and_then(|a| a.iter().map(|v| v.as_str().map(String::from)).collect())
                    .ok_or_else(|| {
                        format!(
                            "{}: `drift-ignore` in `[package.metadata.cache-contract]` must be \
                             a list of glob strings, e.g. `drift-ignore = [\"audit_*\"]`",
                            manifest.display()
                        )
                    })?,
            }
        }
    };
    Ok(Config {
        migrations: metadata.migrations,
        dialect: metadata.dialect,
        ignore,
    })
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Runs `schema-check drift`.
pub fn run(args: &DriftArgs) -> ExitCode {
    let url = match DatabaseUrl::parse(&args.database_url) {
        Ok(u) => u,
        Err(e) => return usage(e),
    };
    let config = match read_config(Path::new("Cargo.toml")) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let dialect = url.dialect();
    if let Some(configured) = &config.dialect
        && configured.parse::<Dialect>().ok() != Some(dialect)
    {
        return usage(format!(
            "the database {url} is {dialect}, but `[package.metadata.cache-contract]` says the \
             migrations are written for `{configured}`"
        ));
    }
    let tenants = match (&args.schemas, &args.databases, &url.kind) {
        (Some(p), None, Kind::Postgres) | (None, Some(p), Kind::Mysql) => {
            Tenants::Matching(p.clone())
        }
        (None, None, _) => Tenants::Database,
        (Some(_), _, _) => {
            return usage("--schemas selects PostgreSQL schemas: use a postgres:// URL");
        }
        (_, Some(_), _) => {
            return usage("--databases selects MySQL/MariaDB databases: use a mysql:// URL");
        }
    };
    let ignore = match Ignore::new(config.ignore.iter().chain(&args.ignore)) {
        Ok(i) => i,
        Err(e) => return usage(e),
    };
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(config.migrations.as_deref().unwrap_or("migrations")));
    let replay = match replay_dir(
        &dir,
        &ReplayOptions {
            dialect,
            ..Default::default()
        },
    ) {
        Ok(r) => r,
        Err(e) => {
            eprint!("{e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if !replay.errors.is_empty() {
        // Reported like `schema` reports them, in the chosen format; the run is an error (2):
        // without the migrations' schema there is nothing to compare with.
        let mut report = Report::new(&[MIGRATION_ERROR]);
        report
            .findings
            .extend(replay.errors.iter().map(Finding::from));
        let closing = format!(
            "error: the migrations in `{}` have errors, so the schema they produce is not \
             known: fix them first\n",
            dir.display()
        );
        output::emit_with(&report, &args.output, &tool(), &closing);
        return ExitCode::from(EXIT_USAGE);
    }
    let names = match live::list_tenants(&url, &tenants) {
        Ok(n) => n,
        Err(e) => return usage(e),
    };
    if names.is_empty() {
        return usage(format!("no tenant matches the pattern at {url}"));
    }
    let bar = progress_bar(names.len());
    let results = live::introspect_all(&url, &names, args.jobs.max(1), &|_| {
        if let Some(b) = &bar {
            b.inc(1);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let options = DiffOptions { dialect, ignore };
    let mut compared = Vec::new();
    let mut unreadable = Vec::new();
    let mut schemas = std::collections::HashMap::new();
    for (tenant, result) in results {
        let shown = shown_tenant(&url, &tenant);
        match result {
            Ok(actual) => {
                compared.push((shown.clone(), diff(&replay.schema, &actual, &options)));
                schemas.insert(shown, actual);
            }
            Err(e) => unreadable.push((shown, url.scrub(&e.0))),
        }
    }
    let total = compared.len() + unreadable.len();
    let groups = group_tenants(compared);
    let drifted: usize = groups
        .iter()
        .filter(|g| !g.differences.is_empty())
        .map(|g| g.tenants.len())
        .sum();
    if args.remediation || args.as_migration {
        let scripts: Vec<(&Group, String)> = groups
            .iter()
            .filter(|g| !g.differences.is_empty())
            .map(|g| {
                let actual = &schemas[&g.tenants[0]];
                let steps = remediation(&replay.schema, actual, &g.differences, dialect);
                (
                    g,
                    render(&steps, dialect, args.allow_destructive, !args.as_migration),
                )
            })
            .collect();
        if args.as_migration {
            return write_migration(&dir, &replay.migrations, &scripts, unreadable.is_empty());
        }
        let mut out = String::new();
        for (g, sql) in &scripts {
            out.push_str(&format!("-- {}\n{sql}", g.tenants.join(", ")));
        }
        if scripts.is_empty() {
            out.push_str("-- No drift: nothing to do.\n");
        }
        for (tenant, message) in &unreadable {
            eprintln!("error: cannot read `{tenant}`: {message}");
        }
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush());
        return exit_code(!unreadable.is_empty(), drifted);
    }
    let report = findings::report(&groups, &unreadable);
    let closing = closing_lines(&url, &dir, total, &groups, unreadable.len());
    output::emit_with(&report, &args.output, &tool(), &closing);
    exit_code(!unreadable.is_empty(), drifted)
}

fn tool() -> Tool {
    Tool::schema_check("drift")
}

/// Writes the one group's remediation as a new migration of `dir`.
fn write_migration(
    dir: &Path,
    existing: &[schema_check::discover::Migration],
    scripts: &[(&Group, String)],
    complete: bool,
) -> ExitCode {
    let [(_, sql)] = scripts else {
        if scripts.is_empty() {
            println!("no drift: no migration written");
            return ExitCode::SUCCESS;
        }
        return usage(format!(
            "the tenants drifted in {} different ways: one migration cannot fix them all; \
             print the scripts with --remediation instead",
            scripts.len()
        ));
    };
    if !complete {
        return usage("some tenants could not be read: no migration written");
    }
    let header = "-- Written by `schema-check drift --as-migration`: review before applying.\n";
    let files = new_migration(
        existing,
        "drift_fix",
        &format!("{header}{sql}"),
        utc_timestamp(),
    );
    for (path, text) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            return usage(format!("cannot create {}: {e}", parent.display()));
        }
        if full.exists() {
            return usage(format!(
                "{} already exists: not overwritten",
                full.display()
            ));
        }
        if let Err(e) = std::fs::write(&full, text) {
            return usage(format!("cannot write {}: {e}", full.display()));
        }
        println!("wrote {}", full.display());
    }
    ExitCode::from(EXIT_FINDINGS)
}

/// 2 when a tenant could not be read, else 1 when one drifted, else 0.
fn exit_code(unreadable: bool, drifted: usize) -> ExitCode {
    if unreadable {
        ExitCode::from(EXIT_USAGE)
    } else if drifted > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// How a tenant is named in reports: the schema, database or file; the redacted URL for
/// the one database of a URL.
fn shown_tenant(url: &DatabaseUrl, tenant: &str) -> String {
    if tenant.is_empty() {
        url.redacted()
    } else {
        tenant.to_string()
    }
}

/// The text report's last lines, after the findings: the tenants without drift (one line
/// for them all), then the count.
fn closing_lines(
    url: &DatabaseUrl,
    dir: &Path,
    total: usize,
    groups: &[Group],
    unreadable: usize,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for g in groups.iter().filter(|g| g.differences.is_empty()) {
        let who = if total == 1 {
            g.tenants[0].clone()
        } else {
            findings::tenants_phrase(&g.tenants)
        };
        let _ = writeln!(out, "{who}: no drift");
    }
    let drifted: usize = groups
        .iter()
        .filter(|g| !g.differences.is_empty())
        .map(|g| g.tenants.len())
        .sum();
    let _ = writeln!(
        out,
        "{drifted} of {total} compared against {} drifted{}",
        dir.display(),
        if unreadable == 0 {
            String::new()
        } else {
            format!("; {unreadable} could not be read ({url})")
        }
    );
    out
}

fn progress_bar(len: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if len < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} tenants introspected ({eta})")
    {
        bar.set_style(style);
    }
    Some(bar)
}
