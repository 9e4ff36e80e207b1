//! Replays cached per compiler process: 200 derives over one migration directory replay
//! it once. Inside rustc, which compiles one crate and exits, a replay is kept for the
//! life of the process: a migration edited meanwhile is `include_bytes!`d by the
//! expansion, so cargo compiles the crate again. In a long-lived host (rust-analyzer's
//! proc-macro server) an entry is reused while the directory's fingerprint (every file's
//! path, size and modification time) is unchanged, the fingerprint being taken at most
//! every [`RECHECK_AFTER`], so edits are seen.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use schema_check::{Diagnostic, Dialect, Schema};

use crate::replay_store::Store;

/// What the derive needs from one replay.
pub struct Loaded {
    /// The final schema.
    pub schema: Schema,
    /// Every migration file read, absolute, for `include_bytes!`.
    pub files: Vec<PathBuf>,
    /// Errors found in the migrations.
    pub errors: Vec<Diagnostic>,
    /// Whether a derive of this compiler process already `include_bytes!`d [`Self::files`].
    tracked: AtomicBool,
    /// Where a derive of this compiler process reported [`Self::errors`] in full.
    reported_at: OnceLock<String>,
}

impl Loaded {
    /// A replay's outcome, not yet tracked by any derive.
    pub fn new(schema: Schema, files: Vec<PathBuf>, errors: Vec<Diagnostic>) -> Self {
        Loaded {
            schema,
            files,
            errors,
            tracked: AtomicBool::new(false),
            reported_at: OnceLock::new(),
        }
    }

    /// Where an earlier derive reported [`Self::errors`] in full (`file:line:col`), for
    /// this one to point at instead of repeating them; `None` for the first derive to ask,
    /// which reports them at `here`. Only inside rustc, which expands each derive once: a
    /// long-lived host (rust-analyzer) shows every struct's errors in full.
    pub fn earlier_report(&self, here: impl FnOnce() -> String) -> Option<&str> {
        if !in_compiler() {
            return None;
        }
        let mut first = false;
        let at = self.reported_at.get_or_init(|| {
            first = true;
            here()
        });
        (!first).then_some(at.as_str())
    }

    /// The files to track for rebuilds the first time this is asked (every later call, by
    /// another derive over the same replay, gets none): one inclusion per crate is enough.
    pub fn files_to_track(&self) -> &[PathBuf] {
        if self.tracked.swap(true, Ordering::Relaxed) {
            &[]
        } else {
            &self.files
        }
    }
}

/// Every file's path (as bytes: comparing `Path`s component by component costs more than
/// the rest of the fingerprint), size and modification time, sorted.
pub(crate) type Fingerprint = Vec<(OsString, u64, Option<SystemTime>)>;

/// A cached replay: the fingerprint it was made from, when that was last compared with the
/// directory, and the replay.
type Entry = (Fingerprint, Instant, Arc<Loaded>);

type Cache = HashMap<(PathBuf, String, Dialect, bool), Entry>;

/// How long a long-lived host trusts a fingerprint without looking at the directory again:
/// it sees an edit after at most this long.
const RECHECK_AFTER: Duration = Duration::from_millis(500);

/// Whether this process is rustc compiling one crate (its command line names the crate),
/// rather than a long-lived host of proc macros such as rust-analyzer's server.
fn in_compiler() -> bool {
    static IN_COMPILER: OnceLock<bool> = OnceLock::new();
    *IN_COMPILER.get_or_init(|| std::env::args_os().any(|a| a == "--crate-name"))
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// The replay of `dir` (displayed as `display`) in `dialect`, from the cache when no file
/// changed since it was made (inside rustc: since the process started).
/// With `strict`, the replay's warnings are errors.
pub fn load(
    dir: &Path,
    display: &str,
    dialect: Dialect,
    strict: bool,
) -> Result<Arc<Loaded>, String> {
    let recheck = if in_compiler() {
        Duration::MAX
    } else {
        RECHECK_AFTER
    };
    load_within(dir, display, dialect, strict, recheck)
}

/// [`load`], trusting a fingerprint taken less than `recheck` ago.
fn load_within(
    dir: &Path,
    display: &str,
    dialect: Dialect,
    strict: bool,
    recheck: Duration,
) -> Result<Arc<Loaded>, String> {
    if !dir.is_dir() {
        return Err(format!(
            "the migration directory `{display}` does not exist (looked in {}); create it, or point to yours with `#[cache(migrations = \"...\")]` or `migrations = \"...\"` in `[package.metadata.cache-contract]` of Cargo.toml",
            dir.display()
        ));
    }
    let key = (dir.to_path_buf(), display.to_string(), dialect, strict);
    // A poisoned lock only means another derive panicked mid-insert; the map is still valid.
    let mut guard = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = guard.get_or_insert_with(HashMap::new);
    if let Some((_, checked, loaded)) = cache.get(&key)
        && checked.elapsed() < recheck
    {
        return Ok(Arc::clone(loaded));
    }
    let fingerprint = fingerprint(dir);
    if let Some((fp, checked, loaded)) = cache.get_mut(&key)
        && *fp == fingerprint
    {
        *checked = Instant::now();
        return Ok(Arc::clone(loaded));
    }
    let loaded = Arc::new(stored_or_replayed(
        dir,
        display,
        dialect,
        strict,
        &fingerprint,
    )?);
    cache.insert(key, (fingerprint, Instant::now(), Arc::clone(&loaded)));
    Ok(loaded)
}

/// The replay from this build's on-disk store when it holds one for exactly these files,
/// else replayed now (and stored, when the files did not change while it ran).
fn stored_or_replayed(
    dir: &Path,
    display: &str,
    dialect: Dialect,
    strict: bool,
    fingerprint: &Fingerprint,
) -> Result<Loaded, String> {
    let Some(store) = Store::for_this_process() else {
        return replay(dir, display, dialect, strict);
    };
    let files = || fingerprint.iter().map(|(p, ..)| p.as_os_str());
    let key = store.key(dir, display, dialect, strict, files());
    if let Some(key) = &key
        && let Some(loaded) = store.load(key)
    {
        return Ok(loaded);
    }
    let loaded = replay(dir, display, dialect, strict)?;
    if let Some(key) = key
        && store.key(dir, display, dialect, strict, files()).as_ref() == Some(&key)
    {
        store.save(&key, &loaded);
    }
    Ok(loaded)
}

/// Replays `dir` now (with `strict`, warnings are errors).
pub(crate) fn replay(
    dir: &Path,
    display: &str,
    dialect: Dialect,
    strict: bool,
) -> Result<Loaded, String> {
    let options = schema_check::ReplayOptions {
        dialect,
        strict,
        display_prefix: Some(display.to_string()),
        ..Default::default()
    };
    let replay = schema_check::replay_dir(dir, &options).map_err(|d| d.to_string())?;
    Ok(Loaded::new(
        replay.schema,
        replay.migrations.iter().map(|m| m.path.clone()).collect(),
        replay.errors,
    ))
}

/// `schema_check`'s canonical hash of a table definition.
pub fn table_hash(table: &schema_check::Table) -> [u8; 32] {
    schema_check::hash::table_hash(table)
}

/// Paths, sizes and modification times of every file below `dir`, sorted.
pub(crate) fn fingerprint(dir: &Path) -> Fingerprint {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(path),
                Ok(m) => out.push((path.into_os_string(), m.len(), m.modified().ok())),
                Err(_) => out.push((path.into_os_string(), 0, None)),
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration directory with one file creating `users`, and that file.
    fn users_migrations() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("0001_init.sql");
        std::fs::write(&file, "CREATE TABLE users (id bigint PRIMARY KEY);\n").unwrap();
        (dir, file)
    }

    #[test]
    fn a_replay_is_reused_until_a_migration_changes() {
        let (dir, file) = users_migrations();
        let load = || {
            load_within(
                dir.path(),
                "migrations",
                Dialect::Postgres,
                false,
                Duration::ZERO,
            )
            .unwrap()
        };

        let first = load();
        assert!(Arc::ptr_eq(&first, &load()), "unchanged: the cached replay");
        assert_eq!(first.files, std::slice::from_ref(&file));

        std::fs::write(
            &file,
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        )
        .unwrap();
        let edited = load();
        assert!(!Arc::ptr_eq(&first, &edited), "an edit replays again");
        assert!(edited.schema.tables["users"].column("email").is_some());

        std::fs::write(
            dir.path().join("0002_more.sql"),
            "ALTER TABLE users ADD COLUMN age int;\n",
        )
        .unwrap();
        let added = load();
        assert_eq!(added.files.len(), 2, "a new file replays again");
        assert!(added.schema.tables["users"].column("age").is_some());
    }

    #[test]
    fn inside_the_compiler_a_replay_lasts_the_process() {
        let (dir, file) = users_migrations();
        let load = || {
            load_within(
                dir.path(),
                "migrations",
                Dialect::Postgres,
                false,
                Duration::MAX,
            )
            .unwrap()
        };
        let first = load();
        std::fs::write(&file, "CREATE TABLE accounts (id bigint PRIMARY KEY);\n").unwrap();
        assert!(
            Arc::ptr_eq(&first, &load()),
            "rustc keeps its replay; the include_bytes! of the edited file rebuilds the crate"
        );
        assert!(
            !in_compiler(),
            "a test binary is not rustc compiling a crate"
        );
    }

    #[test]
    fn a_missing_directory_says_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let e = match load(&missing, "nope", Dialect::Postgres, false) {
            Err(e) => e,
            Ok(_) => panic!("a missing directory is an error"),
        };
        assert!(
            e.contains("the migration directory `nope` does not exist"),
            "{e}"
        );
    }
}
