//! Errors about migrations: a message, the `file:line:col` it concerns, the offending
//! source line and a hint. Commands report them as findings (`report::MIGRATION_ERROR`),
//! rendered with the offending line by `report::render`.

use std::fmt;

use serde::Serialize;

use crate::model::Location;

/// One error found while discovering, reading or replaying migrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, when the error concerns a place in a file.
    pub location: Option<Location>,
    /// The source line at `location`, shown under the message with a caret.
    pub source_line: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: None,
            source_line: None,
            help: None,
        }
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets the source line shown under the message.
    pub fn with_source_line(mut self, line: impl Into<String>) -> Self {
        self.source_line = Some(line.into());
        self
    }

    /// Sets the hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// The error in brief: the message, where, and the hint. Reports show it in full,
    /// with the offending line, through `report::render` (a [`Finding`] made from it).
    ///
    /// [`Finding`]: crate::report::Finding
    ///
    /// ```
    /// use schema_check::{Diagnostic, Location};
    /// let d = Diagnostic::new("column `email` already exists in table `users`")
    ///     .at(Location { file: "migrations/0002_email.sql".into(), line: 3, column: 5 })
    ///     .with_help("drop the column first, or use ADD COLUMN IF NOT EXISTS");
    /// assert_eq!(
    ///     d.to_string(),
    ///     "error: column `email` already exists in table `users`\n \
    ///      --> migrations/0002_email.sql:3:5\n  \
    ///      = help: drop the column first, or use ADD COLUMN IF NOT EXISTS\n"
    /// );
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if let Some(loc) = &self.location {
            writeln!(f, " --> {loc}")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Something the replay is unsure of, which the database may well have accepted: a
/// conflict ("index does not exist", "view already exists") that an earlier statement the
/// replay skipped (a `DO` block, a function call, an extension...) could explain, a
/// dependency it cannot see, two migrations with one version. It names both places: the
/// statement concerned and the one that makes the replay unsure. The replay goes on as the
/// server would have; strict mode ([`crate::ReplayOptions::strict`]) turns every warning
/// into an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What the replay is unsure of, in one sentence.
    pub message: String,
    /// The statement concerned.
    pub location: Location,
    /// The source line at `location`.
    pub source_line: String,
    /// The other place: the statement that makes the replay unsure.
    pub cause: Location,
    /// That statement's first line, for display (empty when there is none to show).
    pub cause_line: String,
    /// What `cause` is to this warning, in a few words (e.g. [`Warning::SKIPPED`]).
    pub cause_note: String,
    /// What to do about it.
    pub help: String,
}

impl Warning {
    /// The [`Warning::cause_note`] of a conflict that a statement the replay skipped could
    /// explain.
    pub const SKIPPED: &'static str = "skipped by the replay, it may explain this";

    /// The other place, as a note: `what: file:line:column (`first line`)`.
    fn cause_text(&self) -> String {
        if self.cause_line.is_empty() {
            format!("{}: {}", self.cause_note, self.cause)
        } else {
            format!(
                "{}: {} (`{}`)",
                self.cause_note, self.cause, self.cause_line
            )
        }
    }

    /// The warning as an error, for strict mode.
    ///
    /// ```
    /// use schema_check::{Location, diagnostic::Warning};
    /// let at = |line| Location { file: "m.sql".into(), line, column: 1 };
    /// let w = Warning {
    ///     message: "index `i` does not exist".into(),
    ///     location: at(9),
    ///     source_line: "DROP INDEX i;".into(),
    ///     cause: at(2),
    ///     cause_line: "DO $$ BEGIN".into(),
    ///     cause_note: Warning::SKIPPED.into(),
    ///     help: "drop the index in SQL the replay can read".into(),
    /// };
    /// let e = w.into_error();
    /// assert_eq!(e.location, Some(at(9)));
    /// assert!(e.to_string().contains("skipped by the replay, it may explain this: m.sql:2:1"));
    /// assert!(e.to_string().contains("strict"));
    /// ```
    pub fn into_error(self) -> Diagnostic {
        Diagnostic::new(format!(
            "{} ({}; strict mode makes this an error)",
            self.message,
            self.cause_text()
        ))
        .at(self.location)
        .with_source_line(self.source_line)
        .with_help(self.help)
    }
}

impl fmt::Display for Warning {
    /// The warning in brief, with the other place as a note (reports show it in full
    /// through `report::render`):
    ///
    /// ```
    /// use schema_check::{Location, diagnostic::Warning};
    /// let at = |line| Location { file: "m.sql".into(), line, column: 1 };
    /// let w = Warning {
    ///     message: "index `i` does not exist".into(),
    ///     location: at(9),
    ///     source_line: "DROP INDEX i;".into(),
    ///     cause: at(2),
    ///     cause_line: "DO $$ BEGIN".into(),
    ///     cause_note: Warning::SKIPPED.into(),
    ///     help: "write the change in SQL the replay can read".into(),
    /// };
    /// let text = w.to_string();
    /// assert!(text.starts_with("warning: index `i` does not exist\n"));
    /// assert!(text.contains("--> m.sql:9:1"));
    /// assert!(text.contains("= note: skipped by the replay, it may explain this: m.sql:2:1 (`DO $$ BEGIN`)"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "warning: {}", self.message)?;
        writeln!(f, " --> {}", self.location)?;
        writeln!(f, "  = note: {}", self.cause_text())?;
        writeln!(f, "  = help: {}", self.help)
    }
}
