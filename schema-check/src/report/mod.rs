//! Findings and reports: what every command (`schema`, `check`, `lint`, `drift`) reports, in
//! one shape, rendered by one renderer ([`render`], feature `render`) as rustc-style text,
//! a versioned JSON document or SARIF 2.1.0.
//!
//! A [`Finding`] is one problem: the [`Rule`] it breaks (a stable id such as
//! `tenant-column-nullable`), a severity, a one-sentence message, a primary [`Span`] at
//! `file:line:col` with a label, secondary spans (the migration that last changed a column,
//! the table a foreign key points at), a help text and notes. A [`Report`] is the findings
//! of one run and the catalogue of rules that could have produced them.
//!
//! ```
//! use schema_check::report::{Finding, Report, Rule, Severity, Span};
//!
//! const NULLABLE_TENANT: Rule = Rule {
//!     id: "tenant-column-nullable",
//!     summary: "the tenant column of a tenant table is nullable",
//!     explanation: "A row without a tenant belongs to no one ...",
//!     default_severity: Severity::Error,
//! };
//!
//! let mut report = Report::new(&[NULLABLE_TENANT]);
//! report.push(
//!     Finding::new(&NULLABLE_TENANT, "`users.tenant_id` is nullable")
//!         .at(Span::point("migrations/0001_users.sql", 3, 5), "made nullable here")
//!         .with_help("add `NOT NULL` to it in a new migration")
//!         .with_identity("users.tenant_id"),
//! );
//! assert_eq!(report.count(Severity::Error), 1);
//! assert_eq!(report.exit_code(false), schema_check::report::EXIT_FINDINGS);
//! ```
//!
//! Exit codes, the same for every command: [`EXIT_CLEAN`], [`EXIT_FINDINGS`], [`EXIT_USAGE`].

#[cfg(feature = "render")]
pub mod render;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Warning};
use crate::model::Location;

/// Exit code of a run that found nothing to report (warnings alone, unless denied).
pub const EXIT_CLEAN: u8 = 0;
/// Exit code of a run that reported at least one error (or a warning, with warnings denied).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code of a run that could not do its job: bad arguments, a directory or manifest
/// that cannot be read.
pub const EXIT_USAGE: u8 = 2;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed: fails the run.
    Error,
    /// Should be looked at: fails the run only when warnings are denied.
    Warning,
    /// Information.
    Note,
}

impl Severity {
    /// `error`, `warning` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's configured level: a severity, or `allow` (not reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported at this severity.
    Report(Severity),
}

impl FromStr for Level {
    type Err = String;

    /// `allow`, `warn`/`warning`, `deny`/`error` or `note`.
    ///
    /// ```
    /// use schema_check::report::{Level, Severity};
    /// assert_eq!("warn".parse::<Level>(), Ok(Level::Report(Severity::Warning)));
    /// assert_eq!("allow".parse::<Level>(), Ok(Level::Allow));
    /// assert!("loud".parse::<Level>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "allow" => Ok(Level::Allow),
            "note" => Ok(Level::Report(Severity::Note)),
            "warn" | "warning" => Ok(Level::Report(Severity::Warning)),
            "deny" | "error" => Ok(Level::Report(Severity::Error)),
            other => Err(format!(
                "unknown level `{other}`: expected `allow`, `warn` or `deny`"
            )),
        }
    }
}

/// What a finding breaks: a stable id and the texts that explain it. Ids never change once
/// released; they are what users suppress, configure and search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable kebab-case id, e.g. `tenant-column-nullable`.
    pub id: &'static str,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Why it matters and what to do, in Markdown paragraphs (`--explain`, SARIF help).
    pub explanation: &'static str,
    /// The severity of its findings unless configured otherwise.
    pub default_severity: Severity,
}

/// A stretch of a file: where a finding is. Lines and columns are 1-based and columns count
/// characters (Unicode scalar values); the end, when known, is exclusive: the column just
/// past the last character, on `end_line`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// The file as shown to users, openable from the current directory (e.g.
    /// `migrations/0001_users.sql`, `src/models.rs`).
    pub file: String,
    /// First line.
    pub line: u32,
    /// First column.
    pub column: u32,
    /// Last line, when the end is known.
    pub end_line: Option<u32>,
    /// The column just past the end, when the end is known.
    pub end_column: Option<u32>,
}

impl Span {
    /// A span whose end is not known (renderers underline the word that starts there).
    pub fn point(file: impl Into<String>, line: u32, column: u32) -> Span {
        Span {
            file: file.into(),
            line,
            column,
            end_line: None,
            end_column: None,
        }
    }

    /// A span from `line:column` to `end_line:end_column` (exclusive).
    pub fn range(
        file: impl Into<String>,
        (line, column): (u32, u32),
        (end_line, end_column): (u32, u32),
    ) -> Span {
        Span {
            file: file.into(),
            line,
            column,
            end_line: Some(end_line),
            end_column: Some(end_column),
        }
    }
}

impl From<&Location> for Span {
    fn from(l: &Location) -> Span {
        Span::point(l.file.to_string(), l.line, l.column)
    }
}

impl fmt::Display for Span {
    /// `file:line:col`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A span and what to say there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    #[serde(flatten)]
    pub span: Span,
    /// What to print under it (empty: nothing).
    pub label: String,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The id of the [`Rule`] broken.
    pub rule: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where: the primary span, `None` when the finding concerns no place in a file.
    pub primary: Option<Label>,
    /// Related places (the migration that last changed a column, ...).
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Further facts.
    pub notes: Vec<String>,
    /// The tenants the finding holds for, every one of them (`drift`: the tenants of a
    /// group with identical drift); empty when the finding is not about tenants.
    pub tenants: Vec<String>,
    /// What the finding is about, independently of where it is (e.g.
    /// `users.tenant_id`, `src/models.rs::User.email`): with the rule and the file it makes
    /// [`Finding::fingerprint`], which stays the same when lines move.
    #[serde(skip)]
    pub identity: String,
}

impl Finding {
    /// A finding of `rule` at its default severity.
    pub fn new(rule: &Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.id,
            severity: rule.default_severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            tenants: Vec::new(),
            identity: String::new(),
        }
    }

    /// Sets the primary span and its label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.primary = Some(Label {
            span,
            label: label.into(),
        });
        self
    }

    /// Adds a secondary span.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Finding {
        self.secondary.push(Label {
            span,
            label: label.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }

    /// Sets the tenants the finding holds for (see [`Finding::tenants`]).
    pub fn with_tenants(mut self, tenants: impl IntoIterator<Item = impl Into<String>>) -> Finding {
        self.tenants = tenants.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the severity.
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Sets what the finding is about (see [`Finding::identity`]).
    pub fn with_identity(mut self, identity: impl Into<String>) -> Finding {
        self.identity = identity.into();
        self
    }

    /// A fingerprint that stays the same across runs and when lines move: blake3 of the
    /// rule, the primary file and the identity (the message when no identity was set), as
    /// 32 hex digits.
    ///
    /// ```
    /// use schema_check::report::{Finding, Rule, Severity, Span};
    /// const R: Rule = Rule { id: "r", summary: "", explanation: "", default_severity: Severity::Error };
    /// let at = |line| Finding::new(&R, "x").at(Span::point("a.sql", line, 1), "").with_identity("t.c");
    /// assert_eq!(at(3).fingerprint(), at(30).fingerprint());
    /// assert_ne!(at(3).fingerprint(), at(3).with_identity("t.d").fingerprint());
    /// ```
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        for part in [
            "schema-check finding v1",
            self.rule,
            self.primary.as_ref().map_or("", |p| p.span.file.as_str()),
            if self.identity.is_empty() {
                &self.message
            } else {
                &self.identity
            },
        ] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().to_hex()[..32].to_string()
    }
}

/// The rule of migration errors: a statement the database would refuse, a file that cannot
/// be read or split.
pub const MIGRATION_ERROR: Rule = Rule {
    id: "migration-error",
    summary: "a migration cannot be replayed",
    explanation: "The migration history does not replay: a statement the database would \
refuse (a column that does not exist, a table created twice), or a file that is not UTF-8 \
or cannot be split into statements (or cannot be read).\n\n\
Everything after the error still replays, so later findings are reported too, but the \
schema they are checked against may differ from the real one until the error is fixed.",
    default_severity: Severity::Error,
};

impl From<&Diagnostic> for Finding {
    /// A migration error ([`MIGRATION_ERROR`]) at its location.
    fn from(d: &Diagnostic) -> Finding {
        let mut f = Finding::new(&MIGRATION_ERROR, d.message.clone());
        if let Some(at) = &d.location {
            f = f.at(Span::from(at), "").with_identity(format!("{at}"));
        }
        if let Some(help) = &d.help {
            f = f.with_help(help.clone());
        }
        f
    }
}

/// The rule of migration warnings: something in the migrations the replay is unsure of,
/// which the database may well have accepted (an error in strict mode).
pub const MIGRATION_WARNING: Rule = Rule {
    id: "migration-warning",
    summary: "something in the migrations the replay is unsure of",
    explanation: "The database accepted the history, and the replay cannot be sure how: a \
statement conflicts with the schema as replayed (an index that does not exist, a view that \
already exists) and an earlier statement the replay skipped (a `DO` block, a function call, \
an extension) could explain it; or a dependency the replay cannot see; or two migrations \
share a version. The replay goes on as the database would have; the warning names both \
places.\n\n\
Write the change in SQL the replay can read, so that the schema is known exactly; \
`--strict` (or `strict = true` in `[package.metadata.cache-contract]`) makes these errors.",
    default_severity: Severity::Warning,
};

impl From<&Warning> for Finding {
    /// A migration warning ([`MIGRATION_WARNING`]) at the statement concerned, with the
    /// other place as a secondary span.
    fn from(w: &Warning) -> Finding {
        Finding::new(&MIGRATION_WARNING, w.message.clone())
            .at(Span::from(&w.location), "")
            .with_secondary(Span::from(&w.cause), w.cause_note.clone())
            .with_help(w.help.clone())
            .with_identity(w.location.to_string())
    }
}

/// The findings of one run, and the rules that could have produced them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// Every rule the command checks, in catalogue order (SARIF lists them all).
    pub rules: Vec<Rule>,
    /// The findings, in the order pushed (see [`Report::sort`]).
    pub findings: Vec<Finding>,
    /// Every tenant the run looked at, with or without findings (`drift`: each schema,
    /// database or file compared); empty for commands that do not look at tenants.
    pub tenants: Vec<String>,
}

impl Report {
    /// An empty report of a command that checks `rules`.
    pub fn new(rules: &[Rule]) -> Report {
        Report {
            rules: rules.to_vec(),
            findings: Vec::new(),
            tenants: Vec::new(),
        }
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Adds rules to the catalogue (those not in it yet).
    pub fn add_rules(&mut self, rules: &[Rule]) {
        for r in rules {
            if !self.rules.iter().any(|have| have.id == r.id) {
                self.rules.push(*r);
            }
        }
    }

    /// The rule with id `id`, if in the catalogue.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Orders findings by file, line, column, then rule: the order a reader expects.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                f.primary
                    .as_ref()
                    .map(|p| (p.span.file.clone(), p.span.line, p.span.column))
            };
            key(a).cmp(&key(b)).then_with(|| a.rule.cmp(b.rule))
        });
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// [`EXIT_FINDINGS`] when an error was found (or a warning, with `deny_warnings`), else
    /// [`EXIT_CLEAN`].
    pub fn exit_code(&self, deny_warnings: bool) -> u8 {
        let failing = self.count(Severity::Error)
            + if deny_warnings {
                self.count(Severity::Warning)
            } else {
                0
            };
        if failing > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }
}
