//! `schema-check check [PATH]`: every `#[derive(CacheContract)]` of a crate (or of every
//! member of a workspace) checked against its migrations, without compiling, by the
//! derive's own code (`schema_check::contract`).
//!
//! The structs are found by parsing, with syn, every `.rs` file below the crate's `src/`,
//! `tests/`, `examples/` and `benches/`: anywhere in a file (modules, function bodies), and
//! whatever `#[cfg]` they are under — a struct behind a feature or `#[cfg(test)]` is
//! checked too, as if every configuration were built. Each is checked with the same
//! configuration as the derive (`[package.metadata.cache-contract]`, then the struct's
//! `#[cache(...)]`); each migration directory is replayed once.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use proc_macro2::Span as TokenSpan;
use schema_check::contract::ast::Input;
use schema_check::contract::config::{self, Manifest};
use schema_check::contract::{self, Errors, Problem, compare, validate};
use schema_check::report::render::Tool;
use schema_check::report::{
    EXIT_USAGE, Finding, MIGRATION_ERROR, MIGRATION_WARNING, Report, Rule, Severity, Span,
};
use schema_check::{Dialect, ReplayOptions, replay_dir};
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::output::{self, OutputArgs};

/// `schema-check check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The crate (or workspace) directory, or its `Cargo.toml`.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Check every member of the workspace PATH belongs to (a virtual workspace's members
    /// are checked without it).
    #[arg(long)]
    workspace: bool,
    #[command(flatten)]
    output: OutputArgs,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// A source file that does not parse as Rust: its structs cannot be checked.
const UNPARSED: Rule = Rule {
    id: "check-unparsed-file",
    summary: "a Rust source file does not parse, so its cache structs are not checked",
    explanation: "`schema-check check` parses every `.rs` file below `src/`, `tests/`, \
`examples/` and `benches/` with syn. A file that does not parse (a syntax error, or a \
compile-fail test case written not to) is skipped: the compiler will say what is wrong \
with it.",
    default_severity: Severity::Warning,
};

/// Runs `schema-check check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let packages = match packages(&args.path, args.workspace) {
        Ok(p) => p,
        Err(e) => return usage(&e, args.output.color),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut report = Report::new(contract::RULES);
    report.add_rules(&[MIGRATION_ERROR, MIGRATION_WARNING, UNPARSED]);
    for dir in &packages {
        if let Err(e) = check_crate(dir, &cwd, &mut report) {
            return usage(&e, args.output.color);
        }
    }
    report.sort();
    output::emit(&report, &args.output, &Tool::schema_check("check"));
    ExitCode::from(report.exit_code(args.deny_warnings))
}

fn usage(error: &str, color: output::ColorWhen) -> ExitCode {
    use std::io::Write;
    let mut err = output::stderr(color);
    let _ = writeln!(err, "error: {error}");
    ExitCode::from(EXIT_USAGE)
}

/// The directories of the crates to check: the package at `path`, or every workspace
/// member (with `workspace`, or when `path` is a virtual workspace).
fn packages(path: &Path, workspace: bool) -> Result<Vec<PathBuf>, String> {
    let manifest = if path.file_name().is_some_and(|n| n == "Cargo.toml") {
        path.to_path_buf()
    } else {
        path.join("Cargo.toml")
    };
    if !manifest.is_file() {
        return Err(format!(
            "no Cargo.toml at {}: give the directory of a crate or workspace",
            manifest.display()
        ));
    }
    if !workspace && is_package(&manifest)? {
        // A package is its own directory: no need to ask cargo (which costs more than
        // checking a crate's structs).
        return Ok(vec![
            manifest.parent().unwrap_or(Path::new(".")).to_path_buf(),
        ]);
    }
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|e| format!("cannot read the workspace of {}: {e}", manifest.display()))?;
    let dir_of = |p: &cargo_metadata::Package| {
        p.manifest_path
            .parent()
            .map(|d| d.as_std_path().to_path_buf())
            .unwrap_or_default()
    };
    let members = metadata.workspace_packages();
    let chosen: Vec<PathBuf> = match metadata.root_package() {
        Some(root) if !workspace => vec![dir_of(root)],
        _ => members.into_iter().map(dir_of).collect(),
    };
    Ok(chosen)
}

/// Whether `manifest` has a `[package]` (a virtual workspace has none).
fn is_package(manifest: &Path) -> Result<bool, String> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("{}: {}", manifest.display(), e.message()))?;
    Ok(doc.contains_key("package"))
}

/// Checks every cache struct of the crate in `dir` into `report`.
fn check_crate(dir: &Path, cwd: &Path, report: &mut Report) -> Result<(), String> {
    let manifest = Manifest::read(dir);
    let shown = |file: &Path| shown_path(file, cwd);
    let mut replays = Replays::default();
    for file in rust_files(dir) {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let structs = match cache_structs(&text) {
            Ok(structs) => structs,
            Err(e) => {
                let at = e.span().start();
                report.push(
                    Finding::new(&UNPARSED, format!("cannot parse this file: {e}"))
                        .at(
                            Span::point(shown(&file), at.line as u32, at.column as u32 + 1),
                            "",
                        )
                        .with_identity(shown(&file)),
                );
                continue;
            }
        };
        for (derive_input, call_site) in structs {
            let mut errors = Errors::default();
            check_struct(
                &derive_input,
                call_site,
                &manifest,
                &mut replays,
                &mut errors,
            );
            let name = derive_input.ident.to_string();
            for p in errors {
                report.push(finding(p, &shown(&file), &name, dir, cwd));
            }
        }
    }
    for (source, replay) in replays.done {
        let rebase = |f: &mut Finding| {
            for l in f.primary.iter_mut().chain(f.secondary.iter_mut()) {
                l.span.file = shown(&source.0.join(&l.span.file));
            }
        };
        let Ok(replay) = replay else { continue };
        for d in &replay.errors {
            let mut f = Finding::from(d);
            rebase(&mut f);
            report.push(f);
        }
        for w in &replay.warnings {
            let mut f = Finding::from(w);
            rebase(&mut f);
            report.push(f);
        }
    }
    Ok(())
}

/// The parse → validate → resolve → compare flow of the derive, for one struct.
fn check_struct(
    item: &syn::DeriveInput,
    call_site: TokenSpan,
    manifest: &Manifest,
    replays: &mut Replays,
    errors: &mut Errors,
) {
    resolve_struct(item, call_site, manifest, errors, |valid, cfg, errors| {
        let replay = match replays.get(manifest, cfg) {
            Ok(r) => r,
            Err(e) => {
                errors.at(&contract::errors::CONFIG, cfg.span, e);
                return;
            }
        };
        if let Some(compared) = compare::compare(
            valid,
            &replay.schema,
            !replay.errors.is_empty(),
            cfg.dialect,
            &cfg.display,
            errors,
        ) {
            contract::type_problems(&compared, errors);
        }
    });
}

/// The derive's parse → validate → resolve steps for one struct, then `then` with their
/// result; `None` (with the problems in `errors`) when a step stops.
fn resolve_struct<R>(
    item: &syn::DeriveInput,
    call_site: TokenSpan,
    manifest: &Manifest,
    errors: &mut Errors,
    then: impl FnOnce(&validate::Validated<'_>, &config::Config, &mut Errors) -> R,
) -> Option<R> {
    let input = Input::from_syn(item, errors)?;
    if input.container_errors {
        return None;
    }
    let valid = validate::validate(&input, errors)?;
    let cfg = config::resolve(&input.attrs, manifest, call_site, errors)?;
    Some(then(&valid, &cfg, errors))
}

/// One replay per migration directory, dialect and strictness, with the error of a
/// directory that cannot be replayed.
#[derive(Default)]
struct Replays {
    done: Vec<(ReplayKey, Result<schema_check::Replay, String>)>,
    index: HashMap<ReplayKey, usize>,
}

/// The crate directory, the migration directory as configured, the dialect, strictness.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReplayKey(PathBuf, String, Dialect, bool);

impl Replays {
    fn get(
        &mut self,
        manifest: &Manifest,
        cfg: &config::Config,
    ) -> Result<&schema_check::Replay, String> {
        let key = ReplayKey(
            manifest.dir.clone(),
            cfg.display.clone(),
            cfg.dialect,
            cfg.strict,
        );
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let result = match cfg.missing_dir() {
                    Some(e) => Err(e),
                    None => {
                        let options = ReplayOptions {
                            dialect: cfg.dialect,
                            strict: cfg.strict,
                            display_prefix: Some(cfg.display.clone()),
                            ..Default::default()
                        };
                        replay_dir(&cfg.dir, &options).map_err(|d| d.to_string())
                    }
                };
                self.done.push((key.clone(), result));
                self.index.insert(key, self.done.len() - 1);
                self.done.len() - 1
            }
        };
        self.done[i].1.as_ref().map_err(Clone::clone)
    }
}

/// Every struct of a file that derives `CacheContract`, with the span of that name in the
/// `#[derive(...)]` (where the derive reports what concerns no attribute).
#[derive(Default)]
struct Structs {
    found: Vec<(syn::ItemStruct, TokenSpan)>,
}

impl<'ast> Visit<'ast> for Structs {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        if let Some(span) = derives_cache_contract(&item.attrs) {
            self.found.push((item.clone(), span));
        }
        syn::visit::visit_item_struct(self, item);
    }
}

/// Every struct of a Rust source file that derives `CacheContract`, with the span of that
/// name in its `#[derive(...)]`; the error when the file does not parse.
fn cache_structs(text: &str) -> syn::Result<Vec<(syn::DeriveInput, TokenSpan)>> {
    let mut structs = Structs::default();
    structs.visit_file(&syn::parse_file(text)?);
    Ok(structs
        .found
        .into_iter()
        .map(|(item, call_site)| (syn::DeriveInput::from(item), call_site))
        .collect())
}

/// The span of `CacheContract` in a `#[derive(...)]` among `attrs`.
fn derives_cache_contract(attrs: &[syn::Attribute]) -> Option<TokenSpan> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .find_map(|a| {
            let paths = a
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .ok()?;
            paths
                .into_iter()
                .find(|p| {
                    p.segments
                        .last()
                        .is_some_and(|s| s.ident == "CacheContract")
                })
                .map(|p| {
                    p.segments
                        .last()
                        .map_or_else(|| p.span(), |s| s.ident.span())
                })
        })
}

/// A problem as a finding at `file` (as shown), with the migration behind it.
fn finding(p: Problem, file: &str, name: &str, crate_dir: &Path, cwd: &Path) -> Finding {
    let (start, end) = (p.span.start(), p.span.end());
    let span = Span::range(
        file,
        (start.line as u32, start.column as u32 + 1),
        (end.line as u32, end.column as u32 + 1),
    );
    let mut f = Finding::new(p.rule, p.message.clone())
        .at(span, p.label.clone().unwrap_or_default())
        .with_identity(format!("{name}: {}", p.message));
    if let Some(note) = &p.note {
        f = f.with_note(note.clone());
    }
    if let Some(m) = &p.migration {
        let mut at = Span::from(m);
        at.file = shown_path(&crate_dir.join(&*m.file), cwd);
        f = f.with_secondary(at, "last changed here");
    }
    f
}

/// `file` relative to `cwd` when below it, else as is.
fn shown_path(file: &Path, cwd: &Path) -> String {
    let rel = file.strip_prefix(cwd).unwrap_or(file);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    rel.to_string_lossy().replace('\\', "/")
}

/// The `.rs` files below `dir`'s `src/`, `tests/`, `examples/` and `benches/`, sorted;
/// directories holding a package of their own are left out.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = ["src", "tests", "examples", "benches"]
        .iter()
        .map(|d| dir.join(d))
        .collect();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            match e.file_type() {
                // A package of its own (a fixture, a nested crate): not this one's.
                Ok(t) if t.is_dir() && path.join("Cargo.toml").is_file() => {}
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) if path.extension().is_some_and(|x| x == "rs") => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// The tables the cache structs of the crate holding `migrations` map, each with its
/// tenant field's column: what makes a table a tenant table for `lint`, whatever its
/// columns are named. Structs of other migration directories, global structs, and files or
/// structs that do not parse or validate are left out (`check` reports those).
pub fn mapped_tables(migrations: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(migrations) = std::fs::canonicalize(migrations) else {
        return out;
    };
    let Some(dir) = migrations
        .ancestors()
        .find(|d| is_package(&d.join("Cargo.toml")).unwrap_or(false))
    else {
        return out;
    };
    let manifest = Manifest::read(dir);
    for file in rust_files(dir) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(structs) = cache_structs(&text) else {
            continue;
        };
        for (derive_input, call_site) in structs {
            let mapped = resolve_struct(
                &derive_input,
                call_site,
                &manifest,
                &mut Errors::default(),
                |valid, cfg, _| {
                    let same_dir = std::fs::canonicalize(&cfg.dir).is_ok_and(|d| d == migrations);
                    let tenant = valid.tenant.filter(|_| same_dir)?;
                    Some((valid.table.value.clone(), tenant.column.clone()))
                },
            );
            if let Some((table, column)) = mapped.flatten() {
                out.insert(table, column);
            }
        }
    }
    out
}
