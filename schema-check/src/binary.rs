//! A compact, lossless binary form of a replayed [`Schema`] and its [`Diagnostic`]s, for
//! caches that keep a replay between processes (the derive keeps one per migration
//! directory in the build's target directory).
//!
//! The JSON that `schema-check schema --format json` prints is for people and tools: it
//! spells types by name only and cannot be read back. This form mirrors the model field
//! for field (every struct is destructured exhaustively, so adding a field to the model
//! does not compile until it is encoded here) and reading it back gives an equal value.
//! It carries no checksum or version of its own: callers that store it put both around it.
//!
//! ```
//! use schema_check::{Dialect, Location, Replayer, Statement, binary};
//! let mut r = Replayer::new(Dialect::Postgres);
//! let at = Location { file: "m.sql".into(), line: 1, column: 1 };
//! let sql = "CREATE TABLE t (id bigint PRIMARY KEY, name text)";
//! r.apply(&Statement { text: sql.into(), at, source_line: sql.into() });
//! let out = r.finish();
//!
//! let bytes = binary::encode(&out.schema, &out.errors);
//! let (schema, errors) = binary::decode(&bytes).unwrap();
//! assert_eq!((schema, errors), (out.schema, out.errors));
//! assert!(binary::decode(&bytes[..bytes.len() - 1]).is_err());
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::model::{
    Check, Column, ColumnRef, CompositeAttribute, CompositeType, Domain, EnumType, ForeignKey,
    Generated, HistoryEvent, Index, Location, Provenance, ReferentialAction, Schema, Sequence,
    Table, UniqueConstraint, UniqueKind, View,
};
use crate::types::{SqlType, TypeFamily};

/// Why bytes could not be read back: they were not written by [`encode`] (truncated,
/// corrupted, or from another version of this form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(&'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an encoded schema: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// The binary form of a schema and the diagnostics of its replay.
pub fn encode(schema: &Schema, errors: &[Diagnostic]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    schema.encode(&mut out);
    errors.len().encode(&mut out);
    for e in errors {
        e.encode(&mut out);
    }
    out
}

/// Reads back what [`encode`] wrote; any other bytes are an error, never a panic.
pub fn decode(bytes: &[u8]) -> Result<(Schema, Vec<Diagnostic>), DecodeError> {
    let mut r = Reader { rest: bytes };
    let schema = Schema::decode(&mut r)?;
    let errors = Vec::<Diagnostic>::decode(&mut r)?;
    if !r.rest.is_empty() {
        return Err(DecodeError("trailing bytes"));
    }
    Ok((schema, errors))
}

/// The bytes not yet read.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.rest.len() < n {
            return Err(DecodeError("truncated"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
}

trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

trait Decode: Sized {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError>;
}

impl Encode for u32 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl Decode for u32 {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let b = r.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Lengths: as `u32` (a replay holds far fewer than 4 G of anything).
impl Encode for usize {
    fn encode(&self, out: &mut Vec<u8>) {
        u32::try_from(*self).unwrap_or(u32::MAX).encode(out);
    }
}

impl Decode for usize {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let n = u32::decode(r)? as usize;
        // Every element takes at least one byte: a longer count is corruption, and must
        // not become a huge allocation.
        if n > r.rest.len() {
            return Err(DecodeError("length past the end"));
        }
        Ok(n)
    }
}

impl Encode for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Decode for u8 {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        r.byte()
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Decode for bool {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        match r.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError("bad bool")),
        }
    }
}

impl Encode for String {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Decode for String {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let n = usize::decode(r)?;
        let bytes = r.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| DecodeError("bad UTF-8"))
    }
}

impl Encode for std::sync::Arc<str> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Decode for std::sync::Arc<str> {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let n = usize::decode(r)?;
        let bytes = r.take(n)?;
        std::str::from_utf8(bytes)
            .map(Self::from)
            .map_err(|_| DecodeError("bad UTF-8"))
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        match r.byte()? {
            0 => Ok(None),
            1 => Ok(Some(T::decode(r)?)),
            _ => Err(DecodeError("bad option")),
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        for v in self {
            v.encode(out);
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let n = usize::decode(r)?;
        (0..n).map(|_| T::decode(r)).collect()
    }
}

impl<T: Encode> Encode for Box<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out);
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        T::decode(r).map(Box::new)
    }
}

impl<T: Encode> Encode for BTreeMap<String, T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.len().encode(out);
        for (k, v) in self {
            k.encode(out);
            v.encode(out);
        }
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
        let n = usize::decode(r)?;
        (0..n)
            .map(|_| Ok((String::decode(r)?, T::decode(r)?)))
            .collect()
    }
}

/// Encodes and decodes a struct field by field, in declaration order. The encoder
/// destructures without `..`: a field added to the model must be added here.
macro_rules! fields {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                let $ty { $($field),* } = self;
                $($field.encode(out);)*
            }
        }

        impl Decode for $ty {
            fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
                Ok($ty { $($field: Decode::decode(r)?),* })
            }
        }
    };
}

fields!(Location { file, line, column });
fields!(Provenance {
    created,
    last_changed
});
fields!(SqlType { canonical, family });
fields!(Column {
    name,
    ty,
    nullable,
    default,
    generated,
    provenance,
});
fields!(UniqueConstraint {
    name,
    columns,
    kind,
    provenance
});
fields!(ForeignKey {
    name,
    columns,
    foreign_table,
    foreign_columns,
    on_delete,
    on_update,
    column,
    provenance,
});
fields!(Check {
    name,
    expr,
    column,
    provenance
});
fields!(Table {
    name,
    columns,
    hidden_columns,
    primary_key,
    primary_key_name,
    primary_key_provenance,
    unique,
    foreign_keys,
    checks,
    of_type,
    provenance,
});
fields!(Index {
    name,
    table,
    columns,
    unique,
    predicate,
    provenance,
});
fields!(View {
    name,
    materialized,
    provenance,
});
fields!(EnumType {
    name,
    values,
    provenance
});
fields!(Domain {
    name,
    base,
    not_null,
    provenance,
});
fields!(Sequence {
    name,
    owned_by,
    provenance
});
fields!(ColumnRef { table, column });
fields!(CompositeType {
    name,
    attributes,
    provenance
});
fields!(CompositeAttribute { name, ty });
fields!(Schema {
    tables,
    views,
    enums,
    domains,
    indexes,
    sequences,
    composite_types,
    history,
});
fields!(Diagnostic {
    message,
    location,
    source_line,
    help,
});

/// Encodes and decodes an enum as a tag byte (the variant's position in the list) and its
/// fields. The encoder's `match` is exhaustive: a variant added to the model must be added
/// here.
macro_rules! variants {
    ($ty:ident { $($tag:literal => $variant:ident $({ $($field:ident),* })?),* $(,)? }) => {
        impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                match self {
                    $($ty::$variant $({ $($field),* })? => {
                        out.push($tag);
                        $($($field.encode(out);)*)?
                    })*
                }
            }
        }

        impl Decode for $ty {
            fn decode(r: &mut Reader) -> Result<Self, DecodeError> {
                match r.byte()? {
                    $($tag => Ok($ty::$variant $({ $($field: Decode::decode(r)?),* })?),)*
                    _ => Err(DecodeError(concat!("bad ", stringify!($ty), " tag"))),
                }
            }
        }
    };
}

variants!(TypeFamily {
    0 => Bool,
    1 => Int { bytes },
    2 => UInt { bytes },
    3 => Float4,
    4 => Float8,
    5 => Numeric { precision, scale },
    6 => Text { max_len },
    7 => Bytes,
    8 => Date,
    9 => Time,
    10 => TimeTz,
    11 => Timestamp,
    12 => TimestampTz,
    13 => Interval,
    14 => Uuid,
    15 => Json,
    16 => Array { element },
    17 => Enum { name, values },
    18 => Other,
    19 => Unknown,
});

variants!(UniqueKind {
    0 => Constraint,
    1 => Index,
});

variants!(ReferentialAction {
    0 => NoAction,
    1 => Restrict,
    2 => Cascade,
    3 => SetNull,
    4 => SetDefault,
});

variants!(Generated {
    0 => Identity { always },
    1 => Expression { expr, stored },
});

variants!(HistoryEvent {
    0 => TableDropped { table, at },
    1 => TableRenamed { from, to, at },
    2 => ColumnDropped { table, column, at },
    3 => ColumnRenamed { table, from, to, at },
    4 => TableUnknown { table, at },
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dialect, ReplayOptions, replay_dir};
    use proptest::prelude::*;

    /// Every fixture history of the crate's tests, replayed in every dialect.
    fn fixture_replays() -> Vec<(Schema, Vec<Diagnostic>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut out = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut has_sql = false;
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "sql") {
                    has_sql = true;
                }
            }
            if has_sql {
                for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
                    let options = ReplayOptions {
                        dialect,
                        display_prefix: None,
                        ..Default::default()
                    };
                    if let Ok(r) = replay_dir(&d, &options) {
                        out.push((r.schema, r.errors));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_fixture_replay_reads_back_equal() {
        let replays = fixture_replays();
        assert!(replays.len() >= 10, "found {} replays", replays.len());
        assert!(
            replays.iter().any(|(_, e)| !e.is_empty()),
            "with errors too"
        );
        assert!(
            replays.iter().any(|(s, _)| !s.history.is_empty()),
            "and history"
        );
        for (schema, errors) in replays {
            let bytes = encode(&schema, &errors);
            assert_eq!(decode(&bytes), Ok((schema, errors)));
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let (schema, errors) = fixture_replays().swap_remove(0);
        let bytes = encode(&schema, &errors);
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "{n} of {} bytes", bytes.len());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), Err(DecodeError("trailing bytes")));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Flipped bytes give an error or some schema, never a panic or a huge allocation.
        #[test]
        fn corrupted_bytes_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let mut bytes = BYTES
                .get_or_init(|| {
                    let (schema, errors) = fixture_replays().swap_remove(0);
                    encode(&schema, &errors)
                })
                .clone();
            for (at, x) in flips {
                let i = at % bytes.len();
                bytes[i] ^= x | 1;
            }
            let _ = decode(&bytes);
        }
    }
}
