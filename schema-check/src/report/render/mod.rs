//! Renders a [`Report`](super::Report) for people and machines:
//!
//! - [`text`]: rustc-style diagnostics through `annotate-snippets` (the renderer rustc and
//!   cargo use): every span of a finding shown on its source line, across files, coloured
//!   when asked;
//! - [`json`]: a stable, versioned document (fields are only ever added; `version` changes
//!   only when one is removed or changes meaning), described in the crate README;
//! - [`sarif`]: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! The source lines behind spans are read through [`Sources`], once per file.

mod json;
mod sarif;
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use json::{JSON_VERSION, json};
pub use sarif::{repository_root, sarif};
pub use text::{summary, text};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// rustc-style text ([`text`]).
    Text,
    /// The versioned JSON document ([`json`]).
    Json,
    /// SARIF 2.1.0 ([`sarif`]).
    Sarif,
}

/// The tool named in JSON and SARIF output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// Its name, e.g. `schema-check`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The command that produced the report, e.g. `check`.
    pub command: String,
}

impl Tool {
    /// `schema-check` at this crate's version, running `command`.
    pub fn schema_check(command: &str) -> Tool {
        Tool {
            name: "schema-check".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
        }
    }
}

/// The text of the files spans point into, read on first use and kept. A file that cannot
/// be read is shown without its source (`--> file:line:col` only).
#[derive(Debug, Default)]
pub struct Sources {
    base: Option<PathBuf>,
    files: HashMap<String, Option<String>>,
}

impl Sources {
    /// Files whose paths are relative to the current directory (or absolute).
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Files whose relative paths start at `base`.
    pub fn relative_to(base: impl Into<PathBuf>) -> Sources {
        Sources {
            base: Some(base.into()),
            files: HashMap::new(),
        }
    }

    /// Gives the text of `file` instead of reading it.
    pub fn insert(&mut self, file: impl Into<String>, text: impl Into<String>) {
        self.files.insert(file.into(), Some(text.into()));
    }

    /// The text of `file`, if it can be read.
    pub fn get(&mut self, file: &str) -> Option<&str> {
        let base = self.base.as_deref();
        self.files
            .entry(file.to_string())
            .or_insert_with(|| {
                let path = match base {
                    Some(b) => b.join(file),
                    None => PathBuf::from(file),
                };
                // Lossily: a file that is not UTF-8 is itself a finding, at the first
                // byte that is not (one replacement character, so columns still count).
                std::fs::read(path)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            })
            .as_deref()
    }

    /// Where `file` is on disk.
    pub fn path(&self, file: &str) -> PathBuf {
        match &self.base {
            Some(b) => b.join(file),
            None => Path::new(file).to_path_buf(),
        }
    }
}
