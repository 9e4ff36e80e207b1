//! The table hash: blake3 of a canonical, versioned serialization of a table's
//! definition. Provenance is excluded, so identical final tables hash identically
//! whatever history produced them.

use std::fmt::Write;

use crate::model::{Generated, Table};
use crate::types::TypeFamily;

/// Bumped whenever the serialization below changes: hashes of different versions never
/// compare equal by accident.
const FORMAT: &str = "cache-contract schema v1";

/// Appends a length-prefixed string: no two sequences of fields serialize alike.
fn put(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_list<'a>(out: &mut Vec<u8>, items: impl ExactSizeIterator<Item = &'a String>) {
    out.extend_from_slice(&(items.len() as u64).to_le_bytes());
    for i in items {
        put(out, i);
    }
}

/// Writes `s` as a JSON string, escaped as `serde_json` escapes it.
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `n` as JSON: the number, or `null`.
fn json_opt(out: &mut String, n: Option<u32>) {
    match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// Writes a type family in its JSON form (`{"family":"int","bytes":4}`), byte for byte what
/// its serde representation gives: the hash was defined over that form, and this spells
/// it without a serializer (a derive computes one hash per struct).
fn family(out: &mut String, f: &TypeFamily) {
    let tag = |out: &mut String, name: &str| {
        out.push_str("{\"family\":\"");
        out.push_str(name);
        out.push('"');
    };
    match f {
        TypeFamily::Bool => tag(out, "bool"),
        TypeFamily::Int { bytes } | TypeFamily::UInt { bytes } => {
            tag(
                out,
                if matches!(f, TypeFamily::Int { .. }) {
                    "int"
                } else {
                    "u_int"
                },
            );
            let _ = write!(out, ",\"bytes\":{bytes}");
        }
        TypeFamily::Float4 => tag(out, "float4"),
        TypeFamily::Float8 => tag(out, "float8"),
        TypeFamily::Numeric { precision, scale } => {
            tag(out, "numeric");
            out.push_str(",\"precision\":");
            json_opt(out, *precision);
            out.push_str(",\"scale\":");
            json_opt(out, *scale);
        }
        TypeFamily::Text { max_len } => {
            tag(out, "text");
            out.push_str(",\"max_len\":");
            json_opt(out, *max_len);
        }
        TypeFamily::Bytes => tag(out, "bytes"),
        TypeFamily::Date => tag(out, "date"),
        TypeFamily::Time => tag(out, "time"),
        TypeFamily::TimeTz => tag(out, "time_tz"),
        TypeFamily::Timestamp => tag(out, "timestamp"),
        TypeFamily::TimestampTz => tag(out, "timestamp_tz"),
        TypeFamily::Interval => tag(out, "interval"),
        TypeFamily::Uuid => tag(out, "uuid"),
        TypeFamily::Json => tag(out, "json"),
        TypeFamily::Array { element } => {
            tag(out, "array");
            out.push_str(",\"element\":");
            family(out, element);
        }
        TypeFamily::Enum { name, values } => {
            tag(out, "enum");
            out.push_str(",\"name\":");
            match name {
                Some(n) => json_str(out, n),
                None => out.push_str("null"),
            }
            out.push_str(",\"values\":[");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(out, v);
            }
            out.push(']');
        }
        TypeFamily::Other => tag(out, "other"),
        TypeFamily::Unknown => tag(out, "unknown"),
    }
    out.push('}');
}

/// Writes a column's generation in its JSON form (`{"kind":"identity","always":true}`),
/// byte for byte its serde representation, like [`family`].
fn generated(out: &mut String, g: &Generated) {
    match g {
        Generated::Identity { always } => {
            let _ = write!(out, "{{\"kind\":\"identity\",\"always\":{always}}}");
        }
        Generated::Expression { expr, stored } => {
            out.push_str("{\"kind\":\"expression\",\"expr\":");
            json_str(out, expr);
            let _ = write!(out, ",\"stored\":{stored}}}");
        }
    }
}

/// The canonical serialization of `table` that [`table_hash`] hashes.
pub fn canonical_bytes(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    put(&mut out, FORMAT);
    put(&mut out, &table.name);
    out.extend_from_slice(&(table.columns.len() as u64).to_le_bytes());
    let mut json = String::new();
    for c in &table.columns {
        put(&mut out, &c.name);
        put(&mut out, &c.ty.canonical);
        json.clear();
        family(&mut json, &c.ty.family);
        put(&mut out, &json);
        out.push(u8::from(c.nullable));
        match &c.default {
            Some(d) => {
                out.push(1);
                put(&mut out, d);
            }
            None => out.push(0),
        }
        match &c.generated {
            Some(g) => {
                out.push(1);
                json.clear();
                generated(&mut json, g);
                put(&mut out, &json);
            }
            None => out.push(0),
        }
    }
    match &table.primary_key {
        Some(pk) => {
            out.push(1);
            put_list(&mut out, pk.iter());
        }
        None => out.push(0),
    }
    // Sets: sorted so the order constraints were declared in does not matter. Names are
    // not part of the shape of the data and are left out.
    let mut unique: Vec<&Vec<String>> = table.unique.iter().map(|u| &u.columns).collect();
    unique.sort();
    unique.dedup();
    out.extend_from_slice(&(unique.len() as u64).to_le_bytes());
    for u in unique {
        put_list(&mut out, u.iter());
    }
    let mut fks: Vec<(&Vec<String>, &String, &Vec<String>)> = table
        .foreign_keys
        .iter()
        .map(|f| (&f.columns, &f.foreign_table, &f.foreign_columns))
        .collect();
    fks.sort();
    out.extend_from_slice(&(fks.len() as u64).to_le_bytes());
    for (cols, ft, fcols) in fks {
        put_list(&mut out, cols.iter());
        put(&mut out, ft);
        put_list(&mut out, fcols.iter());
    }
    let mut checks: Vec<&String> = table.checks.iter().map(|c| &c.expr).collect();
    checks.sort();
    put_list(&mut out, checks.into_iter());
    out
}

/// blake3 of the canonical table definition: name, columns in order (canonical type,
/// family, nullability, default, generation), primary key, unique sets, foreign keys and
/// checks (sorted). Never provenance.
///
/// ```
/// use schema_check::{Dialect, Location, Replayer, Statement, hash::table_hash};
/// let table = |sql: &str, line| {
///     let mut r = Replayer::new(Dialect::Postgres);
///     let at = Location { file: "m.sql".into(), line, column: 1 };
///     r.apply(&Statement { text: sql.into(), at, source_line: sql.into() });
///     r.finish().schema.tables["t"].clone()
/// };
/// assert_eq!(table_hash(&table("CREATE TABLE t (a int)", 1)), table_hash(&table("create table T (A integer)", 9)));
/// assert_ne!(table_hash(&table("CREATE TABLE t (a int)", 1)), table_hash(&table("CREATE TABLE t (a bigint)", 1)));
/// ```
pub fn table_hash(table: &Table) -> [u8; 32] {
    *blake3::hash(&canonical_bytes(table)).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_family() -> impl Strategy<Value = TypeFamily> {
        let text = ".*";
        let leaf = prop_oneof![
            Just(TypeFamily::Bool),
            any::<u8>().prop_map(|bytes| TypeFamily::Int { bytes }),
            any::<u8>().prop_map(|bytes| TypeFamily::UInt { bytes }),
            Just(TypeFamily::Float4),
            Just(TypeFamily::Float8),
            (any::<Option<u32>>(), any::<Option<u32>>())
                .prop_map(|(precision, scale)| TypeFamily::Numeric { precision, scale }),
            any::<Option<u32>>().prop_map(|max_len| TypeFamily::Text { max_len }),
            Just(TypeFamily::Bytes),
            Just(TypeFamily::Date),
            Just(TypeFamily::Time),
            Just(TypeFamily::TimeTz),
            Just(TypeFamily::Timestamp),
            Just(TypeFamily::TimestampTz),
            Just(TypeFamily::Interval),
            Just(TypeFamily::Uuid),
            Just(TypeFamily::Json),
            (
                proptest::option::of(text),
                proptest::collection::vec(text, 0..4)
            )
                .prop_map(|(name, values)| TypeFamily::Enum { name, values }),
            Just(TypeFamily::Other),
            Just(TypeFamily::Unknown),
        ];
        leaf.prop_recursive(3, 8, 1, |inner| {
            inner.prop_map(|element| TypeFamily::Array {
                element: Box::new(element),
            })
        })
    }

    fn any_generated() -> impl Strategy<Value = Generated> {
        prop_oneof![
            any::<bool>().prop_map(|always| Generated::Identity { always }),
            (".*", any::<bool>()).prop_map(|(expr, stored)| Generated::Expression { expr, stored }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The hash was defined over the serde JSON of families and generations: the
        /// hand-written spelling must not move a single byte (or every CONTRACT_HASH moves).
        #[test]
        fn spellings_are_the_serde_json_of_the_value(f in any_family(), g in any_generated()) {
            let mut out = String::new();
            family(&mut out, &f);
            prop_assert_eq!(&out, &serde_json::to_string(&f).unwrap());
            out.clear();
            generated(&mut out, &g);
            prop_assert_eq!(&out, &serde_json::to_string(&g).unwrap());
        }
    }

    #[test]
    fn control_characters_and_quotes_are_escaped_like_serde_json() {
        let f = TypeFamily::Enum {
            name: Some("a\"b\\c".into()),
            values: vec!["\u{0}\u{1f}\u{7f}\n\r\t\u{8}\u{c}é€".into()],
        };
        let mut out = String::new();
        family(&mut out, &f);
        assert_eq!(out, serde_json::to_string(&f).unwrap());
    }
}
