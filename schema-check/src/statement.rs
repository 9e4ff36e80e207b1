//! One SQL statement cut out of a migration file, with where it starts.

use crate::model::Location;

/// A statement as the splitter cut it from a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, without the terminating `;` (comments inside are kept).
    pub text: String,
    /// Where the statement's first token starts.
    pub at: Location,
    /// The full source line the statement starts on (for diagnostics).
    pub source_line: String,
}

impl Statement {
    /// The statement's first line, trimmed, for messages and `skipped` records.
    pub fn first_line(&self) -> &str {
        self.text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }
}
