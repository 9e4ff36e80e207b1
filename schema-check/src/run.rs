//! Replaying a whole migration directory: discover, read, split, replay, and collect every
//! error on the way (a file that cannot be read or split is an error; the rest still
//! replays).

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlparser::dialect::Dialect as SqlGrammar;

use crate::diagnostic::{Diagnostic, Warning};
use crate::dialect::Dialect;
use crate::discover::{Migration, discover};
use crate::model::{Ignored, Schema, Skipped};
use crate::replay::{Parsed, Replayer, parse};
use crate::source::read_migration;
use crate::split::split;
use crate::statement::Statement;

/// How to replay a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// The dialect the migrations are written in.
    pub dialect: Dialect,
    /// What to show instead of the directory in file paths (`None`: the directory as
    /// given). The derive passes the path relative to the user's crate (`migrations`).
    pub display_prefix: Option<String>,
    /// How many threads may parse migrations (`None`: one per core). Statements are
    /// applied in order whatever the number: the result is the same.
    pub threads: Option<NonZeroUsize>,
    /// Turn every warning (a conflict an earlier skipped statement could explain) into an
    /// error (`--strict`; `strict = true` in `[package.metadata.cache-contract]`).
    pub strict: bool,
}

/// The result of replaying a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The dialect replayed.
    pub dialect: Dialect,
    /// The final schema (best effort up to each error).
    pub schema: Schema,
    /// The migrations, in the order they were replayed; `path` is every file read.
    pub migrations: Vec<Migration>,
    /// Files in the directory that are not migrations, and why.
    pub ignored: Vec<Ignored>,
    /// Statements that cannot change a table's columns and were skipped.
    pub skipped: Vec<Skipped>,
    /// Every error, in file order.
    pub errors: Vec<Diagnostic>,
    /// Conflicts an earlier skipped statement could explain, in file order (empty in
    /// strict mode, where they are errors).
    pub warnings: Vec<Warning>,
}

impl Replay {
    /// Whether the replay found no error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Replays the migrations in `dir`, in the order the migration tool runs them.
///
/// Files are read, split and parsed on up to [`ReplayOptions::threads`] threads (parsing is
/// most of a replay and needs only the dialect); statements are applied one at a time, in
/// order, on the calling thread.
///
/// `Err` only when the directory itself cannot be read; every other problem (a file that
/// is not UTF-8, an unterminated string, a statement that cannot be
/// applied) is collected in [`Replay::errors`] and the rest still replays.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # std::fs::write(dir.path().join("0001_init.sql"), "CREATE TABLE users (id bigint);\n").unwrap();
/// # std::fs::write(dir.path().join("0002_bad.sql"), "SELECT 'oops;\n").unwrap();
/// use schema_check::run::{replay_dir, ReplayOptions};
/// let options = ReplayOptions { display_prefix: Some("migrations".into()), ..Default::default() };
/// let replay = replay_dir(dir.path(), &options).unwrap();
/// assert!(replay.schema.tables.contains_key("users"));
/// assert_eq!(replay.errors.len(), 1);
/// assert_eq!(replay.errors[0].location.as_ref().unwrap().to_string(), "migrations/0002_bad.sql:1:8");
/// ```
pub fn replay_dir(dir: &Path, options: &ReplayOptions) -> Result<Replay, Diagnostic> {
    let threads = options
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get);
    let found = discover(dir, options.display_prefix.as_deref())?;
    let mut errors = found.errors;
    let discovery_warnings = found.warnings;
    let mut replayer = Replayer::new(options.dialect);
    if let Some(tool) = crate::replay::bookkeeping::Tool::of(&found.migrations) {
        replayer.tool_table(tool);
    }
    for prepared in prepare_all(&found.migrations, options.dialect, threads) {
        match prepared {
            Ok(file) => {
                for (statement, parsed) in file.statements {
                    replayer.apply_parsed(&statement, parsed);
                }
                errors.extend(file.split_error);
            }
            Err(e) => errors.push(e),
        }
    }
    let mut output = replayer.finish();
    errors.extend(output.errors);
    output.warnings.splice(0..0, discovery_warnings);
    if options.strict {
        errors.extend(output.warnings.drain(..).map(Warning::into_error));
    }
    sort_by_file_order(&mut errors, &found.migrations);
    Ok(Replay {
        dialect: options.dialect,
        schema: output.schema,
        migrations: found.migrations,
        ignored: found.ignored,
        skipped: output.skipped,
        errors,
        warnings: output.warnings,
    })
}

/// A migration read, split and parsed: all of its replay that does not depend on the
/// migrations before it.
struct Prepared {
    statements: Vec<(Statement, Parsed)>,
    /// The error that stopped splitting, if any (the statements before it still replay).
    split_error: Option<Diagnostic>,
}

/// Reads, splits and parses one migration; `Err` when it cannot be read.
fn prepare(
    migration: &Migration,
    dialect: Dialect,
    grammar: &dyn SqlGrammar,
) -> Result<Prepared, Diagnostic> {
    let text = read_migration(&migration.path, &migration.display)?;
    let split = split(&text, &migration.display, dialect);
    let statements = split
        .statements
        .into_iter()
        .map(|statement| {
            let parsed = parse(grammar, &statement);
            (statement, parsed)
        })
        .collect();
    Ok(Prepared {
        statements,
        split_error: split.error,
    })
}

/// Migrations a worker thread should have at least, for the thread to pay for itself.
const MIGRATIONS_PER_WORKER: usize = 4;

/// [`prepare`]s every migration, in order, on up to `threads` threads: parsing is most of a
/// replay, and needs only the dialect. Applying stays in order, on the caller's thread.
fn prepare_all(
    migrations: &[Migration],
    dialect: Dialect,
    threads: usize,
) -> Vec<Result<Prepared, Diagnostic>> {
    let workers = threads.min(migrations.len() / MIGRATIONS_PER_WORKER).max(1);
    // A worker takes the next migration not yet taken (so one large file does not hold back
    // the others' share) until none is left, and returns them with their index.
    let next = AtomicUsize::new(0);
    let work = || {
        let grammar = dialect.parser_dialect();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(m) = migrations.get(i) else {
                return done;
            };
            done.push((i, prepare(m, dialect, &*grammar)));
        }
    };
    let mut done = if workers == 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                // A panic in a worker is the caller's, as it would be without threads.
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, prepared)| prepared).collect()
}

/// Orders errors by migration, then position; errors that concern no single place
/// (duplicate versions) come first. The sort is stable.
fn sort_by_file_order(errors: &mut [Diagnostic], migrations: &[Migration]) {
    let index: HashMap<&str, usize> = migrations
        .iter()
        .enumerate()
        .map(|(i, m)| (m.display.as_str(), i + 1))
        .collect();
    errors.sort_by_key(|e| match &e.location {
        None => (0, 0, 0),
        Some(loc) => (
            index.get(&*loc.file).copied().unwrap_or(usize::MAX),
            loc.line,
            loc.column,
        ),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of outcome, spread over enough files for several workers: statements that
    /// apply, depend on earlier files, are skipped, fail to parse or to apply, a file that
    /// does not split and one that cannot be read.
    fn mixed_directory() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, sql: &[u8]| std::fs::write(dir.path().join(name), sql).unwrap();
        write(
            "0001_users.sql",
            b"CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
        );
        for i in 2..=30 {
            let sql = match i {
                7 => "ALTER TABLE users ADD COLUMN email text;\nSELECT 1;\n".to_string(),
                11 => "CREATE TABLE broken (id bigint,;\n".to_string(),
                13 => "ALTER TABLE missing ADD COLUMN x int;\n".to_string(),
                17 => "INSERT INTO users VALUES (1, 'unterminated);\n".to_string(),
                23 => "ALTER TABLE users DROP COLUMN email;\n".to_string(),
                _ => {
                    format!("CREATE TABLE t{i} (id bigint);\nALTER TABLE t{i} ADD COLUMN n int;\n")
                }
            };
            write(&format!("{i:04}_m.sql"), sql.as_bytes());
        }
        write("0031_latin1.sql", b"CREATE TABLE caf\xe9 (id int);\n");
        dir
    }

    #[test]
    fn parsing_on_threads_replays_exactly_as_on_one() {
        let dir = mixed_directory();
        let options = ReplayOptions {
            display_prefix: Some("migrations".into()),
            ..Default::default()
        };
        let on = |threads| {
            let options = ReplayOptions {
                threads: NonZeroUsize::new(threads),
                ..options.clone()
            };
            replay_dir(dir.path(), &options).unwrap()
        };
        let one = on(1);
        // The directory exercises every path: applied, skipped, and each kind of error.
        assert!(one.schema.tables.contains_key("t30"));
        assert!(!one.skipped.is_empty());
        let errors: Vec<String> = one.errors.iter().map(|e| e.to_string()).collect();
        for file in ["0011_m.sql", "0013_m.sql", "0017_m.sql", "0031_latin1.sql"] {
            assert!(
                errors.iter().any(|e| e.contains(file)),
                "an error in {file}: {errors:#?}"
            );
        }
        assert!(
            errors
                .iter()
                .any(|e| e.contains("`migrations/0031_latin1.sql` is not valid UTF-8")),
            "the unreadable file's own error: {errors:#?}"
        );
        assert_eq!(errors.len(), 4, "no other error: {errors:#?}");
        for threads in [2, 3, 8] {
            assert_eq!(on(threads), one);
        }
    }
}
