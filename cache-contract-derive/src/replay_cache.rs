//! Replays cached per compiler process: 200 derives over one migration directory replay
//! it once. Inside rustc, which compiles one crate and exits, a replay is kept for the
//! life of the process: a migration edited meanwhile is `include_bytes!`d by the
//! expansion, so cargo compiles the crate again. In a long-lived host (rust-analyzer's
//! proc-macro server) an entry is reused while the directory's fingerprint (every file's
//! path, size and modification time) is unchanged, the fingerprint being taken at most
//! every [`RECHECK_AFTER`], so edits are seen. A replay not in memory is read from the
//! build's disk store ([`crate::replay_store`]) when it holds one for exactly these files.

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::replay::{self, Replay, Source};
use crate::replay_store::Store;
use crate::reporting::in_compiler;
use crate::stamp_cache::StampCache;

/// Every file's path (as bytes: comparing `Path`s component by component costs more than
/// the rest of the fingerprint), size and modification time, sorted.
pub type Fingerprint = Vec<(OsString, u64, Option<SystemTime>)>;

/// How long a long-lived host trusts a fingerprint without looking at the directory again:
/// it sees an edit after at most this long.
const RECHECK_AFTER: Duration = Duration::from_millis(500);

static REPLAYS: StampCache<Source, Fingerprint, Replay> = StampCache::new();

/// The replay of `source`, from the cache when no file changed since it was made (inside
/// rustc: since the process started).
pub fn load(source: &Source) -> Result<Arc<Replay>, String> {
    let recheck = if in_compiler() {
        Duration::MAX
    } else {
        RECHECK_AFTER
    };
    load_within(source, recheck)
}

/// [`load`], trusting a fingerprint taken less than `recheck` ago.
fn load_within(source: &Source, recheck: Duration) -> Result<Arc<Replay>, String> {
    if let Some(e) = schema_check::contract::config::missing_dir(&source.dir, &source.display) {
        return Err(e);
    }
    REPLAYS.get(
        source.clone(),
        recheck,
        || fingerprint(&source.dir),
        |fp| stored_or_replayed(source, fp),
    )
}

/// The replay from this build's on-disk store when it holds one for exactly these files,
/// else replayed now (and stored, when the files did not change while it ran).
fn stored_or_replayed(source: &Source, fingerprint: &Fingerprint) -> Result<Replay, String> {
    let Some(store) = Store::for_this_process() else {
        return replay::replay(source);
    };
    let files = || fingerprint.iter().map(|(p, ..)| p.as_os_str());
    let key = store.key(source, files());
    if let Some(key) = &key
        && let Some(loaded) = store.load(key)
    {
        return Ok(loaded);
    }
    let loaded = replay::replay(source)?;
    if let Some(key) = key
        && store.key(source, files()).as_ref() == Some(&key)
    {
        store.save(&key, &loaded);
    }
    Ok(loaded)
}

/// Paths, sizes and modification times of every file below `dir`, sorted.
pub fn fingerprint(dir: &Path) -> Fingerprint {
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
    use schema_check::Dialect;
    use std::path::PathBuf;

    fn source(dir: &Path) -> Source {
        Source {
            dir: dir.to_path_buf(),
            display: "migrations".into(),
            dialect: Dialect::Postgres,
            strict: false,
        }
    }

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
        let source = source(dir.path());
        let load = || load_within(&source, Duration::ZERO).unwrap();

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
        let source = source(dir.path());
        let load = || load_within(&source, Duration::MAX).unwrap();
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
}
