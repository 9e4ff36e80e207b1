//! The replay of a migration directory, as the derive keeps it: a plain value, shared
//! between derives through [`crate::replay_cache`] and stored on disk by
//! [`crate::replay_store`].

use std::path::{Path, PathBuf};

use schema_check::{Diagnostic, Dialect, Schema};

/// What the derive needs from one replay.
#[derive(Debug)]
pub struct Replay {
    /// The final schema.
    pub schema: Schema,
    /// Every migration file read, absolute, for `include_bytes!`.
    pub files: Vec<PathBuf>,
    /// Errors found in the migrations.
    pub errors: Vec<Diagnostic>,
}

/// What a replay is made from besides the files: the directory (absolute, and as shown),
/// the dialect and strictness. Keys the caches and the once-per-process reporting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    /// The directory, absolute.
    pub dir: PathBuf,
    /// The directory as messages show it.
    pub display: String,
    /// The dialect.
    pub dialect: Dialect,
    /// Warnings are errors.
    pub strict: bool,
}

impl From<&schema_check::contract::config::Config> for Source {
    fn from(c: &schema_check::contract::config::Config) -> Source {
        Source {
            dir: c.dir.clone(),
            display: c.display.clone(),
            dialect: c.dialect,
            strict: c.strict,
        }
    }
}

/// Replays `source` now (with `strict`, warnings are errors).
pub fn replay(source: &Source) -> Result<Replay, String> {
    replay_dir(&source.dir, &source.display, source.dialect, source.strict)
}

fn replay_dir(dir: &Path, display: &str, dialect: Dialect, strict: bool) -> Result<Replay, String> {
    let options = schema_check::ReplayOptions {
        dialect,
        strict,
        display_prefix: Some(display.to_string()),
        ..Default::default()
    };
    let replay = schema_check::replay_dir(dir, &options).map_err(|d| d.to_string())?;
    Ok(Replay {
        schema: replay.schema,
        files: replay.migrations.iter().map(|m| m.path.clone()).collect(),
        errors: replay.errors,
    })
}
