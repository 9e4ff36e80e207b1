//! Finding the migrations in a directory and putting them in the order the migration
//! tool would run them.
//!
//! Accepted layouts (they may be mixed in one directory; the version decides the order):
//!
//! | layout            | example                                   | version            |
//! |-------------------|-------------------------------------------|--------------------|
//! | flat / sqlx       | `0001_init.sql`, `20240101120000_init.sql` | `1`, `20240101120000` |
//! | sqlx reversible   | `0002_users.up.sql` (`.down.sql` ignored)  | `2`                |
//! | Flyway / refinery | `V3__projects.sql`, `V1_1__fix.sql`, `V1.2__x.sql` | `3`, `1.1`, `1.2` |
//! | diesel            | `2017-09-23-182408_users/up.sql` (`down.sql` ignored) | `20170923182408` |
//! | Flyway repeatable | `R__views.sql`                            | none: runs last    |
//!
//! Each layout is ordered exactly as the tool that runs it orders it (read from each
//! tool's source):
//!
//! - diesel (`diesel_migrations`): the version is the directory name up to the first `_`
//!   with `-` removed, kept as a **string**, and migrations run in string order: so
//!   `2024-03-06-170000_x` (`20240306170000`) runs before `2024-03-13_y` (`20240313`),
//!   and `10_a` before `9_b`;
//! - sqlx (`<ver>_x.sql`, `.up.sql`) and flat files: the version is an integer, compared
//!   numerically (`9_a` before `10_b`, `0001` equals `1`) — sqlx-core `migrate/source.rs`
//!   splits the name at the first `_`, parses an `i64` and sorts by it;
//! - Flyway (`V<ver>__x.sql`): dotted versions (`_` read as `.`) compared numerically part
//!   by part, trailing zero parts ignored (`V2` before `V10`, `V1.0` equals `V1`) — Flyway's
//!   `MigrationVersion` (`BigInteger` parts);
//! - refinery (`V<ver>__x.sql`, `U<ver>__x.sql`): an integer version (`i32`), migrations
//!   sorted by it — refinery-core `util.rs`/`migration.rs`; a subset of Flyway's order.
//!
//! Numbers have no width limit. Flyway repeatable migrations (`R__`)
//! are replayed after every versioned migration, ordered by description, as `flyway migrate`
//! does on a fresh database. A `U<ver>__` file beside the `V<ver>__` file of the same
//! version is a Flyway undo migration and is ignored with a reason; alone, it is a refinery
//! "unversioned" migration, which refinery runs in version order with the `V` ones, and so
//! does the replay. `.down.sql`/`down.sql` files and anything else that is not a migration
//! (`README.md`, `.keep`, `seed.sql`, `schema.sql`...) are ignored with a reason.

use std::cmp::Ordering;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Warning};
use crate::model::{Ignored, Location};

/// A migration version: its numeric parts, compared numerically with no width limit.
///
/// ```
/// use schema_check::discover::Version;
/// let v2 = Version::parse("2").unwrap();
/// let v10 = Version::parse("10").unwrap();
/// assert!(v2 < v10);
/// assert_eq!(Version::parse("0001").unwrap(), Version::parse("1").unwrap());
/// assert_eq!(Version::parse("1.0").unwrap(), Version::parse("1").unwrap());
/// assert!(Version::parse("1.2").unwrap() < Version::parse("1.10").unwrap());
/// assert!(Version::parse("v1").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Version {
    /// The version as written in the file name (diesel's `-` removed, Flyway's `_` read as `.`).
    text: String,
    /// Numeric parts without leading zeros, trailing zero parts removed.
    parts: Vec<String>,
    /// Compared as text, as diesel compares its versions (against another textual
    /// version; against a numeric one, numerically).
    textual: bool,
}

impl Version {
    /// Parses a version made of digit groups separated by `.`; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = Vec::new();
        for part in text.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let trimmed = part.trim_start_matches('0');
            parts.push(trimmed.to_string());
        }
        while parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        Some(Version {
            text: text.to_string(),
            parts,
            textual: false,
        })
    }

    /// A diesel version: the directory name up to the first `_` (all of it when it has
    /// none), `-` removed, compared as text, as `diesel_migrations` does; diesel takes
    /// any text there, digits or not.
    ///
    /// ```
    /// use schema_check::discover::Version;
    /// let long = Version::diesel("20240306170000").unwrap();
    /// let short = Version::diesel("20240313").unwrap();
    /// assert!(long < short, "as strings: \"20240306...\" < \"20240313\"");
    /// assert!(Version::diesel("10").unwrap() < Version::diesel("9").unwrap());
    /// assert!(Version::diesel("20241209134400message").unwrap() > long);
    /// assert!(Version::diesel("").is_none());
    /// ```
    pub fn diesel(text: &str) -> Option<Version> {
        if text.is_empty() {
            return None;
        }
        Some(Version {
            text: text.to_string(),
            parts: Version::parse(text).map(|v| v.parts).unwrap_or_default(),
            textual: true,
        })
    }

    /// The version as written (after layout normalisation).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.textual && other.textual {
            return self.text.cmp(&other.text);
        }
        // Leading zeros are stripped, so a longer digit string is a larger number.
        let numeric = |a: &String, b: &String| a.len().cmp(&b.len()).then_with(|| a.cmp(b));
        for (a, b) in self.parts.iter().zip(&other.parts) {
            match numeric(a, b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        self.parts.len().cmp(&other.parts.len())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// The layout a migration was recognised in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `<version>_<name>.sql` (flat numbering and sqlx simple migrations).
    Flat,
    /// `<version>_<name>.up.sql` (sqlx reversible migrations).
    SqlxUp,
    /// `V<version>__<name>.sql` (Flyway, refinery).
    Flyway,
    /// `R__<name>.sql` (Flyway repeatable: replayed after all versioned migrations).
    FlywayRepeatable,
    /// `<version>_<name>/up.sql` (diesel).
    Diesel,
    /// `U<version>__<name>.sql` with no `V` file of the same version: a refinery
    /// "unversioned" migration, which refinery runs in version order with the others (a
    /// Flyway undo migration, `U` with its `V`, is not replayed).
    RefineryUnversioned,
    /// `<version>-<name>.sql` or `<version>.sql`, in a directory with no migration of the
    /// other layouts: files a runner of the project's own lists in code (as users of
    /// `rusqlite_migration` do), replayed in version order.
    Numbered,
}

/// One migration file, in replay order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// The version (`None` for a Flyway repeatable migration, which runs last).
    pub version: Option<Version>,
    /// The description part of the name (`init` in `0001_init.sql`).
    pub name: String,
    /// The full path of the file to read (not serialized: it is machine-specific).
    #[serde(skip)]
    pub path: PathBuf,
    /// The path shown to users: `<display prefix>/<path inside the directory>`
    /// (serialized as `file`).
    #[serde(rename = "file")]
    pub display: String,
    /// Which layout the file was recognised in.
    pub layout: Layout,
}

/// Everything found in a migration directory.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The migrations, in the order they run.
    pub migrations: Vec<Migration>,
    /// Entries that are not migrations, with the reason.
    pub ignored: Vec<Ignored>,
    /// Directories that could not be read; the rest is still listed.
    pub errors: Vec<Diagnostic>,
    /// Two migrations with one version: sqlx, diesel, refinery and Flyway refuse to run
    /// them, a runner of the project's own may not (they are replayed in file-name order).
    pub warnings: Vec<Warning>,
}

/// The display prefix for a directory given as `dir`: the path as given, with `/`
/// separators and no trailing `/`; empty for `.`.
///
/// ```
/// use std::path::Path;
/// use schema_check::discover::default_display_prefix;
/// assert_eq!(default_display_prefix(Path::new("examples/saas/migrations/")), "examples/saas/migrations");
/// assert_eq!(default_display_prefix(Path::new(".")), "");
/// ```
pub fn default_display_prefix(dir: &Path) -> String {
    normalize_prefix(&dir.to_string_lossy())
}

fn normalize_prefix(prefix: &str) -> String {
    let p = prefix.replace('\\', "/");
    let p = p.trim_end_matches('/');
    if p == "." || p.is_empty() {
        return String::new();
    }
    p.strip_prefix("./").unwrap_or(p).to_string()
}

fn join_display(prefix: &str, rel: &str) -> String {
    if prefix.is_empty() {
        rel.to_string()
    } else {
        format!("{prefix}/{rel}")
    }
}

/// Lists the migrations in `dir`, ordered as the migration tool runs them.
///
/// `display_prefix` replaces the directory in displayed paths (`None`: the directory as
/// given). `Err` only when the directory itself cannot be read.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # for f in ["V10__ten.sql", "V2__two.sql", "README.md"] { std::fs::write(dir.path().join(f), "").unwrap(); }
/// use schema_check::discover::discover;
/// let found = discover(dir.path(), Some("migrations")).unwrap();
/// let names: Vec<_> = found.migrations.iter().map(|m| m.display.as_str()).collect();
/// assert_eq!(names, ["migrations/V2__two.sql", "migrations/V10__ten.sql"]);
/// assert_eq!(found.ignored[0].file, "migrations/README.md");
/// ```
pub fn discover(dir: &Path, display_prefix: Option<&str>) -> Result<Discovery, Diagnostic> {
    let prefix = match display_prefix {
        Some(p) => normalize_prefix(p),
        None => default_display_prefix(dir),
    };
    let shown_dir = if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.clone()
    };
    let entries = read_dir_sorted(dir).map_err(|e| {
        let help = if e.kind() == std::io::ErrorKind::NotFound {
            "check the path; it must name the directory that holds the migration files"
        } else {
            "check that the path is a directory you can read"
        };
        Diagnostic::new(format!(
            "cannot read migration directory `{shown_dir}`: {e}"
        ))
        .with_help(help)
    })?;

    let mut found = Discovery::default();
    let mut numbered = Vec::new();
    for (file_name, path, is_dir) in entries {
        let display = join_display(&prefix, &file_name);
        if is_dir {
            discover_subdir(&file_name, &path, &display, &mut found);
        } else {
            match classify_file(&file_name) {
                Ok((version, name, layout)) => found.migrations.push(Migration {
                    version,
                    name,
                    path,
                    display,
                    layout,
                }),
                Err(reason) => match numbered_file(&file_name) {
                    Some((version, name)) => numbered.push(Migration {
                        version: Some(version),
                        name,
                        path,
                        display,
                        layout: Layout::Numbered,
                    }),
                    None => found.ignored.push(Ignored {
                        file: display,
                        reason,
                    }),
                },
            }
        }
    }
    take_numbered(&mut found, numbered);

    // `U<n>__` beside `V<n>__` is Flyway's undo of that migration (run only by `flyway
    // undo`); alone, it is a refinery unversioned migration, run in version order.
    let versioned: std::collections::BTreeSet<Version> = found
        .migrations
        .iter()
        .filter(|m| m.layout == Layout::Flyway)
        .filter_map(|m| m.version.clone())
        .collect();
    let (undo, kept): (Vec<Migration>, Vec<Migration>) = std::mem::take(&mut found.migrations)
        .into_iter()
        .partition(|m| {
            m.layout == Layout::RefineryUnversioned
                && m.version.as_ref().is_some_and(|v| versioned.contains(v))
        });
    found.migrations = kept;
    for m in undo {
        found.ignored.push(Ignored {
            file: m.display,
            reason: "Flyway undo migration (`U` prefix, beside the `V` migration of its \
                     version): run only by `flyway undo`, not replayed"
                .to_string(),
        });
    }
    // Repeatable migrations (no version) run last, by description; ties (and migrations
    // sharing a version) by file name.
    found.migrations.sort_by(|a, b| {
        let key = |m: &Migration| (m.version.is_none(), m.version.clone());
        key(a)
            .cmp(&key(b))
            .then_with(|| match a.version {
                None => a.name.cmp(&b.name),
                Some(_) => Ordering::Equal,
            })
            .then_with(|| a.display.cmp(&b.display))
    });
    found.warnings = shared_versions(&found.migrations);
    Ok(found)
}

/// `<version>-<name>.sql` or `<version>.sql` (not a down migration): the version and name of a
/// file that only a runner of the project's own runs. The name must not start with a
/// digit, so a date written with dashes (`2024-03-06-x.sql`) is not read as version 2024.
fn numbered_file(file_name: &str) -> Option<(Version, String)> {
    let stem = file_name.strip_suffix(".sql")?;
    // `.up`/`.down` belong to sqlx; `0001-x-down.sql` reverts `0001-x-up.sql`.
    if [".up", ".down", "-down", "_down"]
        .iter()
        .any(|s| stem.ends_with(s))
    {
        return None;
    }
    let (raw, name) = stem.split_once('-').unwrap_or((stem, ""));
    if name.starts_with(|c: char| c.is_ascii_digit()) || (name.is_empty() && stem.contains('-')) {
        return None;
    }
    Some((Version::parse(raw)?, name.to_string()))
}

/// Numbered files are the directory's migrations only when it has no migration of the
/// other layouts: sqlx, diesel, refinery and Flyway skip such names, so beside their own
/// migrations the files never run.
fn take_numbered(found: &mut Discovery, numbered: Vec<Migration>) {
    if found.migrations.is_empty() {
        found.migrations = numbered;
        return;
    }
    found.ignored.extend(numbered.into_iter().map(|m| {
        Ignored {
            file: m.display,
            reason: "named `<version>-<name>.sql`, which sqlx, diesel, refinery and Flyway \
                     skip: replayed only in a directory whose migrations are all named so"
                .to_string(),
        }
    }));
}

/// A warning for each migration whose version the one before it already has.
///
/// sqlx and diesel record each applied version under a primary key, so the second
/// migration of a version fails when it is recorded (and is rolled back); refinery and
/// Flyway refuse the directory. A history the database accepted with such a pair was run
/// by a runner of the project's own (matrix-sdk's and cdk's stores name files `002_a`,
/// `002_b`), which runs them in file-name order, as the replay does: so this is a
/// warning, not an error (strict mode makes it one).
fn shared_versions(migrations: &[Migration]) -> Vec<Warning> {
    let start = |m: &Migration| Location {
        file: m.display.as_str().into(),
        line: 1,
        column: 1,
    };
    migrations
        .windows(2)
        .filter_map(|pair| {
            let (first, second) = (&pair[0], &pair[1]);
            let version = second.version.as_ref()?;
            (first.version.as_ref() == Some(version)).then(|| Warning {
                message: format!(
                    "migrations `{}` and `{}` have the same version {version}; they are \
                     replayed in file-name order",
                    first.display, second.display
                ),
                location: start(second),
                source_line: String::new(),
                cause: start(first),
                cause_line: String::new(),
                cause_note: format!("the other migration with version {version}"),
                help: "sqlx, diesel, refinery and Flyway refuse to run two migrations with one \
                       version: give each its own, unless a runner of your own runs them in \
                       file-name order (strict mode makes this an error)"
                    .to_string(),
            })
        })
        .collect()
}

/// Reads a directory's entries as (file name, path, is directory), sorted by name.
fn read_dir_sorted(dir: &Path) -> std::io::Result<Vec<(String, PathBuf, bool)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // Follows symlinks, so a linked migration file or directory counts.
        let is_dir = fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false);
        out.push((name, path, is_dir));
    }
    out.sort();
    Ok(out)
}

/// A diesel migration directory `<version>_<name>/` (or `<version>/`) holding `up.sql`;
/// anything else is ignored, and so are hidden directories, as diesel does. An unreadable
/// migration directory is an error, and discovery goes on.
fn discover_subdir(dir_name: &str, path: &Path, display: &str, found: &mut Discovery) {
    if dir_name.starts_with('.') {
        found.ignored.push(Ignored {
            file: format!("{display}/"),
            reason: "hidden directory (diesel skips it)".to_string(),
        });
        return;
    }
    let Some((version, name)) = diesel_version(dir_name) else {
        found.ignored.push(Ignored {
            file: format!("{display}/"),
            reason: "directory whose name is not `<version>_<name>` (a diesel migration)"
                .to_string(),
        });
        return;
    };
    let entries = match read_dir_sorted(path) {
        Ok(entries) => entries,
        Err(e) => {
            found.errors.push(
                Diagnostic::new(format!("cannot read migration directory `{display}`: {e}"))
                    .with_help("check the directory's permissions"),
            );
            return;
        }
    };
    let mut has_up = false;
    for (file_name, file_path, _) in entries {
        let file_display = format!("{display}/{file_name}");
        match file_name.as_str() {
            "up.sql" => {
                has_up = true;
                found.migrations.push(Migration {
                    version: Some(version.clone()),
                    name: name.clone(),
                    path: file_path,
                    display: file_display,
                    layout: Layout::Diesel,
                });
            }
            "down.sql" => found.ignored.push(Ignored {
                file: file_display,
                reason: "down migration (reverts `up.sql`; not part of the forward history)"
                    .to_string(),
            }),
            _ => found.ignored.push(Ignored {
                file: file_display,
                reason: "not `up.sql` or `down.sql` in a diesel migration directory".to_string(),
            }),
        }
    }
    if !has_up {
        found.ignored.push(Ignored {
            file: format!("{display}/"),
            reason: "diesel-style migration directory without an `up.sql`".to_string(),
        });
    }
}

/// diesel: the version is the text before the first `_` (the whole name without one),
/// with `-` removed.
fn diesel_version(dir_name: &str) -> Option<(Version, String)> {
    let (raw, name) = dir_name.split_once('_').unwrap_or((dir_name, ""));
    let digits: String = raw.chars().filter(|&c| c != '-').collect();
    if digits.is_empty() {
        return None;
    }
    Some((Version::diesel(&digits)?, name.to_string()))
}

/// Recognises a migration file name, or says why it is not one.
fn classify_file(file_name: &str) -> Result<(Option<Version>, String, Layout), String> {
    const EXPECTED: &str = "not a migration name (expected `<version>_<name>.sql`, \
                            `<version>_<name>.up.sql` or `V<version>__<name>.sql`)";
    if file_name.starts_with('.') {
        return Err("hidden file".to_string());
    }
    let Some(stem) = file_name.strip_suffix(".sql") else {
        return Err("not a `.sql` file".to_string());
    };
    if stem.ends_with(".down") {
        return Err(
            "down migration (reverts the matching `.up.sql`; not part of the forward \
                    history)"
                .to_string(),
        );
    }
    if let Some(desc) = stem.strip_prefix("R__") {
        return Ok((None, desc.to_string(), Layout::FlywayRepeatable));
    }
    if let Some(rest) = stem.strip_prefix('V')
        && let Some((raw, desc)) = rest.split_once("__")
        && let Some(version) = Version::parse(&raw.replace('_', "."))
    {
        return Ok((Some(version), desc.to_string(), Layout::Flyway));
    }
    if let Some(rest) = stem.strip_prefix('U')
        && let Some((raw, desc)) = rest.split_once("__")
        && let Some(version) = Version::parse(&raw.replace('_', "."))
    {
        // Kept only if no `V` file has its version (see `discover`).
        return Ok((Some(version), desc.to_string(), Layout::RefineryUnversioned));
    }
    let (stem, layout) = match stem.strip_suffix(".up") {
        Some(s) => (s, Layout::SqlxUp),
        None => (stem, Layout::Flat),
    };
    if let Some((raw, desc)) = stem.split_once('_')
        && !raw.contains('.')
        && let Some(version) = Version::parse(raw)
    {
        return Ok((Some(version), desc.to_string(), layout));
    }
    Err(EXPECTED.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: &str) -> Result<(Option<String>, String, Layout), String> {
        classify_file(name).map(|(v, n, l)| (v.map(|v| v.to_string()), n, l))
    }

    #[test]
    fn classifies_layouts() {
        assert_eq!(
            class("0001_init.sql").unwrap(),
            (Some("0001".into()), "init".into(), Layout::Flat)
        );
        assert_eq!(
            class("20240101_users.up.sql").unwrap(),
            (Some("20240101".into()), "users".into(), Layout::SqlxUp)
        );
        assert_eq!(
            class("V1_1__fix_it.sql").unwrap(),
            (Some("1.1".into()), "fix_it".into(), Layout::Flyway)
        );
        assert_eq!(
            class("R__views.sql").unwrap(),
            (None, "views".into(), Layout::FlywayRepeatable)
        );
        assert!(
            class("0002_x.down.sql")
                .unwrap_err()
                .contains("down migration")
        );
        // Undo or refinery migration: decided by `discover`, beside the `V` files.
        assert_eq!(
            class("U2__x.sql").unwrap(),
            (Some("2".into()), "x".into(), Layout::RefineryUnversioned)
        );
        assert!(
            class("seed.sql")
                .unwrap_err()
                .contains("not a migration name")
        );
        assert!(
            class("0001.sql")
                .unwrap_err()
                .contains("not a migration name")
        );
        assert!(
            class("README.md")
                .unwrap_err()
                .contains("not a `.sql` file")
        );
        assert!(class(".keep").unwrap_err().contains("hidden"));
    }

    #[test]
    fn diesel_versions_drop_dashes() {
        let (v, name) = diesel_version("2017-09-23-182408_create_users").unwrap();
        assert_eq!(v.as_str(), "20170923182408");
        assert_eq!(name, "create_users");
        // diesel takes the whole name when it has no `_`, and any text as a version.
        let (v, name) = diesel_version("2019-09-11-164500").unwrap();
        assert_eq!((v.as_str(), name.as_str()), ("20190911164500", ""));
        let (v, _) = diesel_version("2024-12-09-134400-message").unwrap();
        assert_eq!(v.as_str(), "20241209134400message");
        assert!(diesel_version("-_x").is_none());
    }

    #[test]
    fn diesel_orders_as_text_where_numbers_would_not() {
        let mut names = [
            "2024-03-13_short",
            "2024-03-06-170000_long",
            "2019-01-01-000000_init",
            "00000000000000_diesel_setup",
        ];
        names.sort_by_key(|n| diesel_version(n).unwrap().0);
        assert_eq!(
            names,
            [
                "00000000000000_diesel_setup",
                "2019-01-01-000000_init",
                "2024-03-06-170000_long",
                "2024-03-13_short"
            ]
        );
        // As numbers, 20240313 would run first.
        assert!(Version::parse("20240313").unwrap() < Version::parse("20240306170000").unwrap());
        // Different strings are different versions, even of equal value.
        assert_ne!(
            diesel_version("01_a").unwrap().0,
            diesel_version("1_b").unwrap().0
        );
    }

    #[test]
    fn versions_compare_without_width_limit() {
        let big = Version::parse("1234567890123456789012345678901234567890123").unwrap();
        let bigger = Version::parse("1234567890123456789012345678901234567890124").unwrap();
        assert!(big < bigger);
        assert!(Version::parse("00000000000000").unwrap() < Version::parse("1").unwrap());
        assert_eq!(
            Version::parse("0").unwrap(),
            Version::parse("00000000000000").unwrap()
        );
    }
}
