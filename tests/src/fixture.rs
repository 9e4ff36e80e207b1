//! A checked-in migration history (`fixtures/<dialect>/<name>/migrations/`) with its
//! hand-reviewed final schema (`expected.txt`), and the checks run on it.

use std::path::{Path, PathBuf};

use schema_check::Dialect;

use crate::database::{build, server_name};
use crate::diff::compare;
use crate::layout::migration_files;
use crate::observed::ObservedSchema;
use crate::replay::replay;

/// Set to `1` to (re)write every `expected.txt` from what the database built; review the
/// diff before committing, as with `TRYBUILD=overwrite`.
pub const BLESS_VAR: &str = "CC_BLESS";

/// One fixture history.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The dialect its SQL is written in.
    pub dialect: Dialect,
    /// Its directory, `fixtures/<dialect>/<name>`.
    pub dir: PathBuf,
}

/// The crate's `fixtures/` directory.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

impl Fixture {
    /// The fixture `fixtures/<id>`, where `id` is `<dialect>/<name>`.
    pub fn named(id: &str) -> Result<Self, String> {
        let (dialect, _) = id
            .split_once('/')
            .ok_or_else(|| format!("fixture id `{id}` must be `<dialect>/<name>`"))?;
        let dialect: Dialect = dialect
            .parse()
            .map_err(|e| format!("fixture `{id}`: {e}"))?;
        let dir = fixtures_root().join(id);
        if !dir.join("migrations").is_dir() {
            return Err(format!(
                "fixture `{id}` has no migrations/ directory at {}",
                dir.display()
            ));
        }
        Ok(Fixture { dialect, dir })
    }

    /// Every fixture on disk, as `<dialect>/<name>` ids, sorted.
    pub fn all_ids() -> Result<Vec<String>, String> {
        let mut ids = Vec::new();
        for dialect in Dialect::ALL {
            let dir = fixtures_root().join(dialect.name());
            if !dir.exists() {
                continue;
            }
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            for entry in entries {
                let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
                if entry.path().join("migrations").is_dir() {
                    ids.push(format!(
                        "{}/{}",
                        dialect.name(),
                        entry.file_name().to_string_lossy()
                    ));
                }
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// `<dialect>/<name>`.
    pub fn id(&self) -> String {
        let name = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        format!("{}/{}", self.dialect.name(), name.unwrap_or_default())
    }

    /// The migrations directory.
    pub fn migrations_dir(&self) -> PathBuf {
        self.dir.join("migrations")
    }

    /// The expected final schema file.
    pub fn expected_path(&self) -> PathBuf {
        self.dir.join("expected.txt")
    }

    /// Parses `expected.txt`.
    pub fn expected(&self) -> Result<ObservedSchema, String> {
        let path = self.expected_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read {}: {e}\nwrite it by hand, or run with {BLESS_VAR}=1 and review it",
                path.display()
            )
        })?;
        ObservedSchema::parse(&text, &path.display().to_string())
    }

    /// The name of the real server this fixture runs on, for messages.
    pub fn server_name(&self) -> &'static str {
        server_name(self.dialect)
    }

    /// Applies the history to a fresh database of the fixture's dialect (dropped before
    /// returning) and returns what the database built.
    pub fn database_schema(&self) -> Result<ObservedSchema, String> {
        build(self.dialect, &self.migrations_dir())
    }

    /// Checks that `expected.txt` describes what the database built (or rewrites it when
    /// `CC_BLESS=1`).
    pub fn check_expected(&self, database: &ObservedSchema) -> Result<(), String> {
        if std::env::var(BLESS_VAR).as_deref() == Ok("1") {
            let text = format!(
                "# Final schema of fixtures/{} as {} builds it (see src/observed.rs for the format).\n{database}",
                self.id(),
                self.server_name()
            );
            return std::fs::write(self.expected_path(), text)
                .map_err(|e| format!("cannot write {}: {e}", self.expected_path().display()));
        }
        let expected = self.expected()?;
        let report = compare(
            "expected.txt",
            &expected,
            self.server_name(),
            database,
            None,
        );
        if report.is_empty() {
            Ok(())
        } else {
            Err(format!("fixture {}: {report}", self.id()))
        }
    }

    /// Checks that `schema-check`'s replay of the history reports no error and agrees
    /// with the database on every table, column (and order), type, nullability and
    /// primary key.
    pub fn check_replay(&self, database: &ObservedSchema) -> Result<(), String> {
        let replayed = replay(&self.migrations_dir(), self.dialect)
            .map_err(|e| format!("fixture {}: {e}", self.id()))?;
        let report = compare(
            "replay",
            &replayed.observed,
            self.server_name(),
            database,
            Some(&replayed.schema),
        );
        let mut problems = Vec::new();
        problems.extend(replayed.error_report());
        if !report.is_empty() {
            problems.push(report.to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("fixture {}: {}", self.id(), problems.join("\n")))
        }
    }

    /// Checks that `schema-check`'s discovery finds the same up-migrations in the same
    /// order as this crate's independent [`migration_files`].
    pub fn check_discovery(&self) -> Result<(), String> {
        let dir = self.migrations_dir();
        let ours: Vec<_> = migration_files(&dir)?.into_iter().map(|f| f.path).collect();
        let found = schema_check::discover::discover(&dir, Some("migrations"))
            .map_err(|d| format!("fixture {}: {d}", self.id()))?;
        let theirs: Vec<_> = found.migrations.into_iter().map(|m| m.path).collect();
        if ours == theirs && found.errors.is_empty() {
            return Ok(());
        }
        let show = |paths: &[PathBuf]| {
            paths
                .iter()
                .map(|p| p.strip_prefix(&dir).unwrap_or(p).display().to_string())
                .collect::<Vec<_>>()
                .join("\n    ")
        };
        Err(format!(
            "fixture {}: schema-check discovers migrations differently\n  harness:\n    {}\n  schema-check:\n    {}\n  errors: {:?}",
            self.id(),
            show(&ours),
            show(&theirs),
            found
                .errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
        ))
    }
}
