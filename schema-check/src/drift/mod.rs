//! Drift: what a live database has that its migrations do not say, and the SQL that
//! brings it back.
//!
//! Everything here is pure (no database): [`diff()`] compares two [`crate::model::Schema`]
//! values, the one [`crate::run::replay_dir`] replays from the migrations and the one
//! `crate::live` introspects from a database; [`group_tenants`] folds many tenants' results
//! into groups of identical drift; [`findings::report`] turns the groups into the
//! [`crate::report::Report`] every command renders. Feature `drift` (implied by `live`).

pub mod diff;
pub mod difference;
pub mod expr;
pub mod findings;
pub mod group;
pub mod ignore;
pub mod migration_file;
pub mod remediation;

pub use diff::{DiffOptions, diff};
pub use difference::{Change, Difference, Object};
pub use group::{Group, group_tenants};
pub use ignore::Ignore;
pub use remediation::{Step, remediation, render};
