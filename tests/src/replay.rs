//! Runs `schema-check`'s replay on a migration directory and reduces the result to an
//! [`ObservedSchema`] for comparison with a database.

use std::path::Path;

use schema_check::{Dialect, ReplayOptions, Schema, replay_dir};

use crate::observed::{NameRules, ObservedSchema};

/// A replayed directory: the full schema (for provenance), its comparable part, and the
/// replay's errors rendered as the user would see them.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The replayed schema (best effort up to each error).
    pub schema: Schema,
    /// Its tables, columns, types, nullability and keys.
    pub observed: ObservedSchema,
    /// Every diagnostic the replay reported, rendered.
    pub errors: Vec<String>,
    /// Every warning (what the replay is unsure of), rendered.
    pub warnings: Vec<String>,
}

impl Replayed {
    /// The errors as one message, or `None` without errors.
    pub fn error_report(&self) -> Option<String> {
        (!self.errors.is_empty()).then(|| {
            format!(
                "the replay reported {} error(s):\n{}",
                self.errors.len(),
                self.errors.join("\n")
            )
        })
    }
}

/// Replays `dir` with [`schema_check::replay_dir`] (file paths shown as
/// `migrations/...`). `Err` only when the directory cannot be replayed at all;
/// diagnostics are in [`Replayed::errors`].
pub fn replay(dir: &Path, dialect: Dialect) -> Result<Replayed, String> {
    let options = ReplayOptions {
        dialect,
        display_prefix: Some("migrations".to_string()),
        ..Default::default()
    };
    let replay = replay_dir(dir, &options).map_err(|d| d.to_string())?;
    Ok(Replayed {
        observed: ObservedSchema::from_replay(&replay.schema, NameRules::of(dialect)),
        errors: replay.errors.iter().map(ToString::to_string).collect(),
        warnings: replay.warnings.iter().map(ToString::to_string).collect(),
        schema: replay.schema,
    })
}
