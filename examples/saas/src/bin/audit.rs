//! `cargo run -p saas --bin audit -- [OPTIONS]`: audits the service's Redis entries against
//! its PostgreSQL rows (`DATABASE_URL`, `REDIS_URL`, as the service reads them). Writes the
//! JSON Lines audit log, prints the summary and the fix plan; `--fix` applies it and
//! publishes the invalidations on the service's channel. Exit status: 0 consistent, 1 drift
//! (or regressions against `--baseline`), 2 usage or I/O error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cache_contract::TenantId;
use cache_contract::audit::{Audit, AuditConfig, Baseline, Scope, rows::PostgresRows};
use cache_contract::invalidation::pubsub::{self, PubSubConfig};
use cache_contract::tiered::RedisTier;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use saas::app::Config;
use saas::contracts::{ApiKey, Project, Tenant, User};

/// Audit the saas service's cached entries against its database rows.
#[derive(Parser, Debug)]
#[command(name = "audit")]
struct Args {
    /// Audit only this tenant (repeatable; default: every tenant).
    #[arg(long = "tenant", value_name = "ID")]
    tenants: Vec<String>,
    /// At most this many Redis key reads per second.
    #[arg(long, value_name = "OPS")]
    rate: Option<u32>,
    /// Put the differing values of stale entries in the log (redacted by default).
    #[arg(long)]
    show_values: bool,
    /// Write the audit log here (default: standard output).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Compare with this baseline, report regressions, then replace it (atomically).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Apply the fix (default: print what it would do).
    #[arg(long)]
    fix: bool,
    /// The deployment's Redis key prefix (the service's default: `saas:`).
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<String>,
    /// The deployment's invalidation channel (the service's default: `saas:invalidations`).
    #[arg(long, value_name = "CHANNEL")]
    channel: Option<String>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(clean) if clean => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("audit: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool, Error> {
    let mut config = Config::local();
    if let Ok(url) = std::env::var("DATABASE_URL") {
        config.database_url = url;
    }
    if let Ok(url) = std::env::var("REDIS_URL") {
        config.redis_url = url;
    }
    if let Some(prefix) = args.prefix {
        config.redis_prefix = prefix;
    }
    if let Some(channel) = args.channel {
        config.channel = channel;
    }
    let tier = RedisTier::connect(
        &config.redis_url,
        config.redis_prefix.clone(),
        Duration::from_secs(300),
    )
    .await
    .map_err(|e| format!("Redis: {e} (start redis-server, or set REDIS_URL)"))?;
    let rows = PostgresRows::connect(&config.database_url).await?;
    let audit = Audit::new(tier, rows)
        .contract::<Tenant>()
        .contract::<User>()
        .contract::<Project>()
        .contract::<ApiKey>()
        .config(AuditConfig {
            rate_limit: args.rate,
            show_values: args.show_values,
            ..AuditConfig::default()
        });
    let scope = if args.tenants.is_empty() {
        Scope::AllTenants
    } else {
        Scope::Tenants(args.tenants.iter().map(TenantId::new).collect())
    };

    let bar = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}")?);
    bar.enable_steady_tick(Duration::from_millis(100));
    let report = audit
        .run_with_progress(&scope, |p| {
            bar.set_message(format!(
                "{} keys listed, {} entries audited",
                p.keys_listed, p.entries_audited
            ))
        })
        .await?;
    bar.finish_and_clear();

    let baseline = match &args.baseline {
        Some(path) => Baseline::load(path)?,
        None => None,
    };
    let regressions = baseline.as_ref().map(|b| b.regressions(&report));
    match &args.log {
        Some(path) => {
            let mut file =
                std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            report.write_log(&mut file, regressions.as_deref())?;
        }
        None => report.write_log(&mut std::io::stdout().lock(), regressions.as_deref())?,
    }
    eprintln!(
        "{}: {} entries in {} tenants, {} drifted ({:.1?})",
        report.status(),
        report.counts.total(),
        report.tenants.len(),
        report.counts.drift(),
        report.duration
    );
    for r in regressions.iter().flatten() {
        eprintln!(
            "regression: tenant {} has {} {} entries (baseline: {})",
            r.tenant.as_deref().unwrap_or("(global)"),
            r.after,
            r.kind,
            r.before
        );
    }
    if let Some(path) = &args.baseline {
        Baseline::of(&report).write_atomic(path)?;
    }
    let plan = audit.plan_fix(&report);
    if args.fix {
        let redis = redis::Client::open(config.redis_url.as_str())?;
        let publisher = pubsub::publisher(redis, &PubSubConfig::new(&config.channel)).await?;
        let done = audit.apply_fix(&plan, Some(&publisher)).await?;
        eprintln!(
            "fixed: {} invalidated, {} tables bumped, {} deleted, {} invalidations published",
            done.invalidated, done.bumped, done.deleted, done.published
        );
    } else if !plan.actions.is_empty() {
        eprint!("dry run (--fix applies it):\n{plan}");
    }
    Ok(report.is_consistent() && regressions.is_none_or(|r| r.is_empty()))
}
