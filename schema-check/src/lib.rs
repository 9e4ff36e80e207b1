//! `schema-check`: replays a directory of SQL migrations into the exact final schema
//! (tables, columns, canonical types, nullability, keys, indexes, enums, views), without a
//! database, with the file and line behind every object and every error.

pub mod binary;
pub mod canonical;
#[cfg(feature = "contract")]
pub mod contract;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
#[cfg(feature = "drift")]
pub mod drift;
pub mod hash;
pub mod lint;
#[cfg(feature = "live")]
pub mod live;
pub mod model;
pub mod replay;
pub mod report;
pub mod run;
pub mod source;
pub mod split;
pub mod statement;
pub mod suggest;
pub mod types;

pub use diagnostic::{Diagnostic, Warning};
pub use dialect::Dialect;
pub use model::{Column, Location, Provenance, Schema, Table};
pub use replay::{ReplayOutput, Replayer};
pub use run::{Replay, ReplayOptions, replay_dir};
pub use statement::Statement;
pub use types::{SqlType, TypeFamily};

/// The README's examples, compiled and run as doc tests.
#[cfg(all(doctest, feature = "render"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
