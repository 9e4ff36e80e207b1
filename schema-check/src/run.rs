//! Replaying a whole migration directory: discover, read, split, replay, and collect every
//! error on the way (a file that cannot be read or split is an error; the rest still
//! replays).

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::discover::{Migration, discover};
use crate::model::{Ignored, Schema, Skipped};
use crate::replay::Replayer;
use crate::source::read_migration;
use crate::split::split;

/// How to replay a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// The dialect the migrations are written in.
    pub dialect: Dialect,
    /// What to show instead of the directory in file paths (`None`: the directory as
    /// given). The derive passes the path relative to the user's crate (`migrations`).
    pub display_prefix: Option<String>,
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
}

impl Replay {
    /// Whether the replay found no error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Replays the migrations in `dir`, in the order the migration tool runs them.
///
/// `Err` only when the directory itself cannot be read; every other problem (a duplicate
/// version, a file that is not UTF-8, an unterminated string, a statement that cannot be
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
    let found = discover(dir, options.display_prefix.as_deref())?;
    let mut errors = found.errors;
    let mut replayer = Replayer::new(options.dialect);
    for migration in &found.migrations {
        let text = match read_migration(&migration.path, &migration.display) {
            Ok(text) => text,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let split = split(&text, &migration.display, options.dialect);
        for statement in &split.statements {
            replayer.apply(statement);
        }
        errors.extend(split.error);
    }
    let output = replayer.finish();
    errors.extend(output.errors);
    sort_by_file_order(&mut errors, &found.migrations);
    Ok(Replay {
        dialect: options.dialect,
        schema: output.schema,
        migrations: found.migrations,
        ignored: found.ignored,
        skipped: output.skipped,
        errors,
    })
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
            index.get(loc.file.as_str()).copied().unwrap_or(usize::MAX),
            loc.line,
            loc.column,
        ),
    });
}
