//! A generated migration history and the schema its model predicts, and the differential
//! check the property tests run on it.

use schema_check::Dialect;

use crate::database::{build, server_name};
use crate::diff::compare;
use crate::observed::ObservedSchema;
use crate::replay::replay;

/// Migration files (name, SQL) in order, and the predicted final schema.
#[derive(Debug, Clone)]
pub struct History {
    /// Migration files: name and content.
    pub files: Vec<(String, String)>,
    /// The schema the generating model predicts.
    pub expected: ObservedSchema,
}

impl History {
    /// Groups `statements` into flat-layout files of `per_file` statements each.
    pub fn new(statements: Vec<String>, per_file: usize, expected: ObservedSchema) -> Self {
        let files = statements
            .chunks(per_file.max(1))
            .enumerate()
            .map(|(i, chunk)| (format!("{:04}_step.sql", i + 1), chunk.join("\n") + "\n"))
            .collect();
        History { files, expected }
    }

    /// The whole history as one listing, for failure messages.
    pub fn sql(&self) -> String {
        self.files
            .iter()
            .map(|(n, s)| format!("-- {n}\n{s}"))
            .collect()
    }

    /// Writes the files into `dir`.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        for (name, sql) in &self.files {
            std::fs::write(dir.join(name), sql)?;
        }
        Ok(())
    }

    /// Builds the history in a fresh database of `dialect`; the model must predict what
    /// the server built (this checks the generator), and `schema-check`'s replay of the
    /// same files must report no error and agree with the server.
    pub fn check(&self, dialect: Dialect) -> Result<(), String> {
        if self.files.is_empty() {
            return Ok(());
        }
        let with_sql = |e: String| format!("{e}\nhistory:\n{}", self.sql());
        let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
        self.write_to(dir.path())
            .map_err(|e| format!("cannot write the history: {e}"))?;
        let server = server_name(dialect);
        let database = build(dialect, dir.path()).map_err(with_sql)?;
        let report = compare(
            "model",
            &self.expected,
            server,
            &database.without_names(),
            None,
        );
        if !report.is_empty() {
            return Err(with_sql(format!(
                "the generator's model is wrong: {report}"
            )));
        }
        let replayed = replay(dir.path(), dialect)?;
        if let Some(errors) = replayed.error_report() {
            return Err(with_sql(errors));
        }
        let report = compare(
            "replay",
            &replayed.observed,
            server,
            &database,
            Some(&replayed.schema),
        );
        if report.is_empty() {
            Ok(())
        } else {
            Err(with_sql(report.to_string()))
        }
    }
}
