//! Finds the up-migrations of a directory in the order the real tools apply them.
//!
//! This is an independent, deliberately simple implementation (not `schema-check`'s), so the
//! differential tests check `schema-check`'s discovery too. Layouts:
//!
//! - flat `0001_x.sql` and sqlx `<ver>_x.sql`: the version is the leading digits;
//! - sqlx reversible `<ver>_x.up.sql` (the `.down.sql` twin is skipped);
//! - Flyway/refinery `V<ver>__x.sql`; refinery `U<ver>__x.sql` when no `V` file has that
//!   version (beside one, it is a Flyway undo migration, never applied forward);
//! - diesel `<ver>_x/up.sql` (its `down.sql` is skipped; hidden directories too): the
//!   version is the directory name before the first `_` (all of it without one) with `-`
//!   removed, any text.
//!
//! - numbered `<ver>-x.sql` or `<ver>.sql` (the name not starting with a digit), only in a
//!   directory with none of the above: a project's own runner, listing them in code.
//!
//! Versions compare numerically (`V2` before `V10`), except diesel's, which diesel compares
//! as strings (`20240306170000` before `20240313`). Migrations sharing a version (which
//! only a project's own runner accepts) are applied in file-name order.

use std::path::{Path, PathBuf};

/// One up-migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// Numeric version.
    pub version: u128,
    /// diesel's version string (diesel orders by it as text), for a diesel migration.
    pub diesel: Option<String>,
    /// The file to apply.
    pub path: PathBuf,
    /// Path relative to the migrations directory, for messages.
    pub display: String,
}

/// The up-migrations in `dir`, in apply order.
pub fn migration_files(dir: &Path) -> Result<Vec<MigrationFile>, String> {
    let mut files = Vec::new();
    let mut unversioned = Vec::new();
    let mut numbered = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read migrations directory {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            let up = path.join("up.sql");
            if up.is_file() && !name.starts_with('.') {
                // diesel's version is any text (ordered as text): its number only if any.
                let text = name.split('_').next().unwrap_or("").replace('-', "");
                let version = text.parse().unwrap_or(0);
                files.push(MigrationFile {
                    version,
                    diesel: Some(text),
                    path: up,
                    display: format!("{name}/up.sql"),
                });
            }
            continue;
        }
        if !name.ends_with(".sql") || name.ends_with(".down.sql") {
            continue;
        }
        if let Some(rest) = name.strip_prefix('U').filter(|r| r.contains("__")) {
            let digits = rest.split("__").next().unwrap_or("");
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                unversioned.push(MigrationFile {
                    version: parse_version(digits, &name)?,
                    diesel: None,
                    path,
                    display: name,
                });
            }
            continue;
        }
        let digits = match name.strip_prefix('V') {
            Some(rest) if rest.contains("__") => rest.split("__").next().unwrap_or(""),
            _ => name.split('_').next().unwrap_or(""),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            let stem = name.trim_end_matches(".sql");
            let (digits, rest) = stem.split_once('-').unwrap_or((stem, ""));
            let digit = |s: &str| s.chars().all(|c| c.is_ascii_digit());
            let down = stem.ends_with("-down") || stem.ends_with("_down");
            if !down
                && !digits.is_empty()
                && digit(digits)
                && !rest.starts_with(|c: char| c.is_ascii_digit())
                && !rest.contains('.')
            {
                numbered.push(MigrationFile {
                    version: parse_version(digits, &name)?,
                    diesel: None,
                    path,
                    display: name,
                });
            }
            continue;
        }
        files.push(MigrationFile {
            version: parse_version(digits, &name)?,
            diesel: None,
            path,
            display: name,
        });
    }
    let versioned: Vec<u128> = files
        .iter()
        .filter(|f| f.display.starts_with('V'))
        .map(|f| f.version)
        .collect();
    files.extend(
        unversioned
            .into_iter()
            .filter(|u| !versioned.contains(&u.version)),
    );
    let order = |a: &MigrationFile, b: &MigrationFile| match (&a.diesel, &b.diesel) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => a.version.cmp(&b.version),
    };
    if files.is_empty() {
        files = numbered;
    }
    files.sort_by(|a, b| order(a, b).then(a.display.cmp(&b.display)));
    if files.is_empty() {
        return Err(format!("{}: no migrations found", dir.display()));
    }
    Ok(files)
}

fn parse_version(digits: &str, name: &str) -> Result<u128, String> {
    digits
        .parse()
        .map_err(|_| format!("`{name}`: version `{digits}` is not a number"))
}

/// Reads a migration file as UTF-8, with a clear error naming it: what its tool runs
/// when migrating up ([`up_part`]).
pub fn read_sql(file: &MigrationFile) -> Result<String, String> {
    let bytes = std::fs::read(&file.path)
        .map_err(|e| format!("cannot read {}: {e}", file.path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 (invalid byte at offset {}): save it as UTF-8",
            file.path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(up_part(&text))
}

/// The lines goose (`-- +goose Up`/`Down`, any case), sql-migrate (`-- +migrate Up`/`Down`)
/// and dbmate (`-- migrate:up`/`down`) run when migrating up: all but those of the down
/// sections (a file without such markers whole).
pub fn up_part(text: &str) -> String {
    let mut running = true;
    let mut kept = String::new();
    for line in text.lines() {
        let lower = line.trim_end().to_lowercase();
        for prefix in ["-- +goose ", "-- +migrate ", "-- migrate:"] {
            match lower.strip_prefix(prefix).and_then(|r| r.split(' ').next()) {
                Some("up") => running = true,
                Some("down") => running = false,
                _ => {}
            }
        }
        if running {
            kept.push_str(line);
        }
        kept.push('\n');
    }
    kept
}
