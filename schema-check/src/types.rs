//! Canonical SQL types.
//!
//! Every column type is reduced to a [`SqlType`]: one canonical spelling per type per
//! dialect, plus a dialect-neutral [`TypeFamily`] that says what a Rust value must be able
//! to hold. The spelling is the one the database itself reports:
//!
//! - PostgreSQL: `format_type(atttypid, atttypmod)` (`integer`, `character varying(255)`,
//!   `timestamp with time zone`, `integer[]`, an enum's name);
//! - MySQL/MariaDB: `information_schema.COLUMNS.COLUMN_TYPE` without integer display widths
//!   (`int`, `bigint unsigned`, `tinyint(1)`, `varchar(255)`, `decimal(10,2)`);
//! - SQLite: the declared type, lower-cased with white space collapsed (SQLite keeps the
//!   declaration verbatim; its affinity is derived from it).
//!
//! MySQL details: integer display widths are dropped (`int(11)` is `int`) except
//! `tinyint(1)`, the BOOLEAN spelling; `year(4)` is kept as MariaDB prints it; JSON is
//! `longtext` (MariaDB) with family [`TypeFamily::Json`].
//!
//! The conversion from sqlparser's AST lives in [`crate::canonical`].

use std::fmt;

use serde::{Serialize, Serializer};

/// A column type: its canonical spelling in the schema's dialect and its family.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SqlType {
    /// Canonical spelling, as the database reports it (see the module docs).
    pub canonical: String,
    /// What kind of value the type holds, independent of dialect.
    pub family: TypeFamily,
}

impl SqlType {
    /// A type with the given canonical spelling and family.
    pub fn new(canonical: impl Into<String>, family: TypeFamily) -> Self {
        SqlType {
            canonical: canonical.into(),
            family,
        }
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl Serialize for SqlType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.canonical)
    }
}

/// What a column of a type holds, independent of dialect and spelling. The derive maps
/// each family to a marker type in `cache_contract::sql` and asks rustc whether the field's
/// Rust type implements the matching trait.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "family")]
pub enum TypeFamily {
    /// `boolean`, MySQL `tinyint(1)`.
    Bool,
    /// A signed integer of the given width in bytes (1, 2, 3, 4 or 8).
    Int {
        /// Width in bytes.
        bytes: u8,
    },
    /// An unsigned integer (MySQL `... unsigned`) of the given width in bytes.
    UInt {
        /// Width in bytes.
        bytes: u8,
    },
    /// `real` / `float4` / MySQL `float`.
    Float4,
    /// `double precision` / `float8` / MySQL `double`.
    Float8,
    /// `numeric(p, s)` / `decimal(p, s)`.
    Numeric {
        /// Precision, when declared.
        precision: Option<u32>,
        /// Scale, when declared.
        scale: Option<u32>,
    },
    /// Character data: `text`, `varchar(n)`, `char(n)`, `citext`, MySQL `*text`.
    Text {
        /// Maximum length in characters, when declared.
        max_len: Option<u32>,
    },
    /// Binary data: `bytea`, `blob`, `varbinary(n)`.
    Bytes,
    /// `date`.
    Date,
    /// `time` without time zone.
    Time,
    /// `time with time zone`.
    TimeTz,
    /// `timestamp` without time zone, MySQL `datetime`.
    Timestamp,
    /// `timestamp with time zone`, MySQL `timestamp`.
    TimestampTz,
    /// `interval`.
    Interval,
    /// `uuid`.
    Uuid,
    /// `json` / `jsonb`.
    Json,
    /// An array of the element family.
    Array {
        /// Element family.
        element: Box<TypeFamily>,
    },
    /// An enum: PostgreSQL named enum type, or MySQL inline `enum('a','b')`.
    Enum {
        /// The type's name (PostgreSQL) or `None` for an inline MySQL enum.
        name: Option<String>,
        /// Labels, in order.
        values: Vec<String>,
    },
    /// Anything else (`inet`, `money`, `point`, `tsvector`, SQLite declarations with no
    /// recognised affinity...). Only Rust types that opt in can hold it.
    Other,
    /// A type the server derives and the replay does not: a column of a `CREATE TABLE ...
    /// AS SELECT` (or of a view) computed by an expression the replay does not type. The
    /// column exists; any Rust type is taken to hold it (nothing is asserted of it).
    Unknown,
}

/// The canonical spelling of a column of [`TypeFamily::Unknown`] (no database prints it).
pub const UNKNOWN_TYPE: &str = "(type unknown to the replay)";
