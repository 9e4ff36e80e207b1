//! What drift leaves out: the migration tools' own bookkeeping tables, and objects named by
//! glob patterns (configuration or `--ignore`). Extension objects never reach the diff: the
//! introspection leaves them out.

use crate::model::Schema;

/// The tables migration tools keep their history in.
pub const TOOL_TABLES: [&str; 4] = [
    "__diesel_schema_migrations",
    "_sqlx_migrations",
    "refinery_schema_history",
    "flyway_schema_history",
];

/// Which objects drift ignores: the tools' tables plus glob patterns matched against object
/// names (tables, views, indexes, enums, domains; a pattern matching a table also covers
/// its columns, keys and indexes).
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    patterns: Vec<glob::Pattern>,
}

/// A glob pattern that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid ignore pattern `{}`: {} (use `*`, `?` and `[...]`, e.g. `audit_*`)",
            self.pattern, self.message
        )
    }
}

impl Ignore {
    /// The tools' tables plus `patterns` (shell globs: `*`, `?`, `[...]`).
    ///
    /// ```
    /// use schema_check::drift::Ignore;
    /// let ignore = Ignore::new(["audit_*"]).unwrap();
    /// assert!(ignore.matches("audit_log"));
    /// assert!(ignore.matches("_sqlx_migrations"));
    /// assert!(!ignore.matches("users"));
    /// assert!(Ignore::new(["[oops"]).is_err());
    /// ```
    pub fn new<S: AsRef<str>>(patterns: impl IntoIterator<Item = S>) -> Result<Self, BadPattern> {
        let patterns = patterns
            .into_iter()
            .map(|p| {
                let p = p.as_ref();
                glob::Pattern::new(p).map_err(|e| BadPattern {
                    pattern: p.to_string(),
                    message: e.msg.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Ignore { patterns })
    }

    /// Whether an object named `name` (canonical, possibly `schema.name`) is ignored.
    pub fn matches(&self, name: &str) -> bool {
        let bare = name.rsplit('.').next().unwrap_or(name);
        TOOL_TABLES.contains(&bare) || self.patterns.iter().any(|p| p.matches(name))
    }

    /// `schema` without the ignored objects (and the indexes of ignored tables).
    pub fn apply(&self, schema: &Schema) -> Schema {
        let mut out = schema.clone();
        out.tables.retain(|name, _| !self.matches(name));
        out.views.retain(|name, _| !self.matches(name));
        out.enums.retain(|name, _| !self.matches(name));
        out.domains.retain(|name, _| !self.matches(name));
        out.indexes
            .retain(|_, ix| !self.matches(&ix.name) && !self.matches(&ix.table));
        out
    }
}
