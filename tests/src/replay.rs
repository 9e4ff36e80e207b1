//! Runs `schema-check`'s replay on a migration directory and reduces the result to an
//! [`ObservedSchema`] for comparison with a database.

use std::path::Path;

use schema_check::{Dialect, Schema};

use crate::observed::ObservedSchema;

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

/// Replays `dir` (file paths shown as `migrations/...`). `Err` only when the directory
/// cannot be replayed at all; diagnostics are in [`Replayed::errors`].
pub fn replay(dir: &Path, dialect: Dialect) -> Result<Replayed, String> {
    let (schema, errors) = run(dir, dialect)?;
    let observed = ObservedSchema::from_replay(&schema);
    Ok(Replayed {
        schema,
        observed,
        errors: errors.iter().map(ToString::to_string).collect(),
    })
}

/// Discovers, reads, splits and replays `dir` with `schema-check`'s own components, the
/// way `replay_dir` does. (Switch to `schema_check::replay_dir` once it is on main.)
fn run(dir: &Path, dialect: Dialect) -> Result<(Schema, Vec<schema_check::Diagnostic>), String> {
    use schema_check::discover::discover;
    use schema_check::source::read_migration;
    use schema_check::split::split;
    let found = discover(dir, Some("migrations")).map_err(|d| d.to_string())?;
    let mut errors = found.errors;
    let mut replayer = schema_check::Replayer::new(dialect);
    for migration in &found.migrations {
        match read_migration(&migration.path, &migration.display) {
            Ok(text) => {
                let split = split(&text, &migration.display, dialect);
                for statement in &split.statements {
                    replayer.apply(statement);
                }
                errors.extend(split.error);
            }
            Err(e) => errors.push(e),
        }
    }
    let output = replayer.finish();
    errors.extend(output.errors);
    Ok((output.schema, errors))
}
