//! The problems the contract check finds, accumulated so that all of them are reported at
//! once, each with the [`Rule`] it breaks and the span it is at.

use proc_macro2::{Span, TokenStream};

use crate::model::Location;
use crate::report::{Rule, Severity};

/// A `#[cache(...)]` attribute that is malformed, misplaced, unknown or contradicts another;
/// a type that is not a struct with named fields.
pub const ATTRIBUTE: Rule = Rule {
    id: "contract-attribute",
    summary: "a `#[cache(...)]` attribute is malformed, or the type cannot be a cache struct",
    explanation: "`#[derive(CacheContract)]` reads `#[cache(...)]` on the struct (`table`, \
`migrations`, `dialect`, `global`, `crate`) and on its fields (`tenant`, `key`, `column`, \
`skip`). An unknown, duplicate, misplaced or contradictory attribute is an error, with the \
closest known name when there is one. Only structs with named fields can be cache structs: \
each field maps to a column.",
    default_severity: Severity::Error,
};

/// The struct's migration directory or dialect cannot be resolved.
pub const CONFIG: Rule = Rule {
    id: "contract-config",
    summary: "the migration directory or dialect of a cache struct cannot be resolved",
    explanation: "A struct's migrations are in `#[cache(migrations = \"...\")]`, else \
`migrations` of `[package.metadata.cache-contract]` in the crate's Cargo.toml, else \
`migrations/`; its dialect likewise (`dialect`, default PostgreSQL). The directory must \
exist and be relative to the crate's Cargo.toml, and the dialect one of `postgres`, `mysql` \
or `sqlite`.",
    default_severity: Severity::Error,
};

/// The migrations a struct is checked against do not replay.
pub const MIGRATIONS: Rule = Rule {
    id: "contract-migrations",
    summary: "the migrations a cache struct is checked against do not replay",
    explanation: "A cache struct is checked against the schema its crate's migrations \
produce. When they do not replay (a statement the database would refuse, a file that \
cannot be read), the check reports their errors and the struct cannot be trusted until \
they are fixed.",
    default_severity: Severity::Error,
};

/// The struct's table is not in the schema.
pub const TABLE: Rule = Rule {
    id: "contract-table",
    summary: "a cache struct names a table the migrations do not create",
    explanation: "`#[cache(table = \"...\")]` must name a table of the schema the \
migrations produce: not a view, not a table that was dropped or renamed. The message says \
what became of the table when a migration dropped or renamed it, or the closest name.",
    default_severity: Severity::Error,
};

/// A field maps to no column, or two fields map to one column.
pub const COLUMN: Rule = Rule {
    id: "contract-column",
    summary: "a field of a cache struct maps to no column of its table",
    explanation: "Every field maps to the column of its name (or `#[cache(column = \
\"...\")]`), unless marked `#[cache(skip)]`. A column that was dropped or renamed is \
named with the migration that did it; each column maps to one field.",
    default_severity: Severity::Error,
};

/// A field's Rust type cannot hold its column's SQL type.
pub const TYPE: Rule = Rule {
    id: "contract-type",
    summary: "a field's Rust type cannot hold its column's SQL type or its NULLs",
    explanation: "A field must hold every value of its column without loss: a type at \
least as wide as the column's (`i64` for `bigint`), and `Option<_>` exactly when the \
column is nullable. The derive asks rustc through `cache_contract::sql::HoldsSql`, so type \
aliases, newtypes and your own implementations count; `schema-check check`, which does not \
compile the crate, decides only for the standard types it knows (integers, floats, `bool`, \
`String`, `Vec` and `Option` of them) and leaves every other type to the compiler.",
    default_severity: Severity::Error,
};

/// The struct's tenant is missing, ambiguous or nullable.
pub const TENANT: Rule = Rule {
    id: "contract-tenant",
    summary: "a cache struct has no tenant field, or its tenant column is nullable",
    explanation: "Every cached row belongs to a tenant and its keys say which: a field \
marked `#[cache(tenant)]` (or named `tenant_id`) whose column is `NOT NULL`. A table shared \
by all tenants opts out with `#[cache(global)]`.",
    default_severity: Severity::Error,
};

/// The struct's key fields do not identify a row.
pub const KEY: Rule = Rule {
    id: "contract-key",
    summary: "the key fields of a cache struct do not identify a row",
    explanation: "The key fields (`#[cache(key)]`, default the primary key's columns \
without the tenant) must, with the tenant, cover the primary key or a unique constraint, \
be `NOT NULL`, and number at most `cache_contract::MAX_KEY_PARTS`: otherwise two rows \
could share a cache key.",
    default_severity: Severity::Error,
};

/// Every rule of the contract check, in catalogue order.
pub const RULES: &[Rule] = &[
    ATTRIBUTE, CONFIG, MIGRATIONS, TABLE, COLUMN, TYPE, TENANT, KEY,
];

/// One problem: the rule it breaks, where, what, and the migration behind it.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The rule broken.
    pub rule: &'static Rule,
    /// Where: a token of the struct.
    pub span: Span,
    /// What is wrong and what to do, as the compiler shows it.
    pub message: String,
    /// The migration that last changed the column or table concerned, when there is one.
    pub migration: Option<Location>,
    /// What to say at the span, when the message does not end with it (type problems).
    pub label: Option<String>,
    /// A note after the message.
    pub note: Option<String>,
    /// The `syn` error it came from, whose span may cover several tokens (`span` is where
    /// it starts, on stable Rust).
    pub error: Option<syn::Error>,
}

/// Collects problems so that all of them are reported at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<Problem>);

impl Errors {
    /// Records a problem of `rule` at `span`.
    pub fn at(&mut self, rule: &'static Rule, span: Span, message: impl std::fmt::Display) {
        self.0.push(Problem {
            rule,
            span,
            message: message.to_string(),
            migration: None,
            label: None,
            note: None,
            error: None,
        });
    }

    /// Records a problem of `rule` at `span`, caused by the migration at `migration`.
    pub fn at_migration(
        &mut self,
        rule: &'static Rule,
        span: Span,
        message: impl std::fmt::Display,
        migration: &Location,
    ) {
        self.0.push(Problem {
            rule,
            span,
            message: message.to_string(),
            migration: Some(migration.clone()),
            label: None,
            note: None,
            error: None,
        });
    }

    /// Records a problem with a label at its span and a note (see [`Problem`]).
    pub fn push_problem(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Records a `syn` error (each of its messages) as problems of `rule`.
    pub fn push(&mut self, rule: &'static Rule, error: syn::Error) {
        for e in error {
            self.0.push(Problem {
                rule,
                span: e.span(),
                message: e.to_string(),
                migration: None,
                label: None,
                note: None,
                error: Some(e),
            });
        }
    }

    /// How many problems were recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.0
    }

    /// Every problem as a `compile_error!`, spanned at its token.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.0
            .iter()
            .map(|p| match &p.error {
                Some(e) => e.to_compile_error(),
                None => syn::Error::new(p.span, &p.message).to_compile_error(),
            })
            .collect()
    }
}

impl IntoIterator for Errors {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
