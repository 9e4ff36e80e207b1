//! Normalization: an entry's value and its row's value, both as JSON, turned into one
//! canonical text per SQL type family, so that equal values compare equal whichever database
//! and serde representation they come from. The rules are listed in the
//! [audit module docs](super#normalization).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Timelike, Utc};
use serde_json::Value;

use crate::contract::ColumnMapping;

/// One column value in canonical form: `None` for SQL `NULL` (JSON `null`).
pub type Canonical = Option<String>;

/// The canonical form of `value`, a value of the column `column` (its family decides).
///
/// ```
/// use cache_contract::ColumnMapping;
/// use cache_contract::audit::normalize::canonical;
/// use serde_json::json;
/// let numeric = ColumnMapping { field: "p", column: "p", sql_type: "numeric(10,2)", nullable: false, family: "Numeric" };
/// assert_eq!(canonical(&numeric, &json!("12.50")), canonical(&numeric, &json!(12.5)));
/// let ts = ColumnMapping { family: "Timestamptz", sql_type: "timestamp with time zone", ..numeric };
/// assert_eq!(
///     canonical(&ts, &json!("2024-01-02 04:04:05.120+01:00")),
///     canonical(&ts, &json!("2024-01-02T03:04:05.12Z")),
/// );
/// ```
pub fn canonical(column: &ColumnMapping, value: &Value) -> Canonical {
    canonical_text(column, value).map(Cow::into_owned)
}

/// [`canonical`], borrowed from `value` where the canonical text is the string it holds
/// (most text columns): the audit compares and hashes without copying those.
pub(crate) fn canonical_text<'a>(column: &ColumnMapping, value: &'a Value) -> Option<Cow<'a, str>> {
    of_family(column.family, column.sql_type, value)
}

fn of_family<'a>(family: &str, sql_type: &str, value: &'a Value) -> Option<Cow<'a, str>> {
    if value.is_null() {
        return None;
    }
    if let Some(element) = family
        .strip_prefix("Array<")
        .and_then(|f| f.strip_suffix('>'))
    {
        return Some(Cow::Owned(match value {
            Value::Array(items) => {
                let element_type = sql_type.strip_suffix("[]").unwrap_or(sql_type);
                let items: Vec<Value> = items
                    .iter()
                    .map(|v| {
                        of_family(element, element_type, v)
                            .map_or(Value::Null, |t| Value::String(t.into_owned()))
                    })
                    .collect();
                Value::Array(items).to_string()
            }
            other => plain(other),
        }));
    }
    Some(Cow::Owned(match family {
        "Bool" => boolean(value),
        "Int1" | "Int2" | "Int4" | "Int8" | "UInt1" | "UInt2" | "UInt4" | "UInt8" => integer(value),
        "Float4" => float(value, true),
        "Float8" => float(value, false),
        "Numeric" => decimal(value),
        "Text" if is_blank_padded(sql_type) => plain(value).trim_end_matches(' ').to_string(),
        "Bytes" => bytes(value),
        "Time" => time_of_day(value),
        "Timestamp" | "Timestamptz" => timestamp(value),
        "Uuid" => plain(value).to_ascii_lowercase(),
        "Json" => json(value),
        "Enum" => enum_label(value),
        _ => return Some(plain_text(value)),
    }))
}

/// `character(n)` / `char(n)`: trailing blanks are padding, not data.
fn is_blank_padded(sql_type: &str) -> bool {
    let starts = |prefix: &str| {
        sql_type
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    sql_type.eq_ignore_ascii_case("character")
        || sql_type.eq_ignore_ascii_case("char")
        || starts("character(")
        || starts("char(")
}

/// A string as is; anything else as compact JSON.
fn plain(value: &Value) -> String {
    plain_text(value).into_owned()
}

/// [`plain`], borrowing a string.
fn plain_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

fn boolean(value: &Value) -> String {
    let truth = match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "t" | "true" | "1" | "y" | "yes" | "on" => Some(true),
            "f" | "false" | "0" | "n" | "no" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    };
    truth.map_or_else(|| plain(value), |b| b.to_string())
}

fn integer(value: &Value) -> String {
    if let Value::Number(n) = value
        && (n.is_i64() || n.is_u64())
    {
        return n.to_string(); // already the decimal integer
    }
    let text = plain(value);
    match text.trim().parse::<i128>() {
        Ok(n) => n.to_string(),
        Err(_) => text,
    }
}

fn float(value: &Value, single: bool) -> String {
    let text = plain(value);
    match text.trim().parse::<f64>() {
        Ok(f) if single => format!("{:?}", f as f32),
        Ok(f) => format!("{f:?}"),
        Err(_) => text,
    }
}

/// A decimal in its shortest exact form: no `+`, no leading zeros, no trailing fractional
/// zeros, `0` for every zero. Exponents (`1.5e3`) are expanded.
fn decimal(value: &Value) -> String {
    let text = plain(value);
    canonical_decimal(text.trim()).unwrap_or(text)
}

fn canonical_decimal(text: &str) -> Option<String> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // All digits, and where the decimal point falls among them.
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let point = i64::from(exponent) + int.len() as i64;
    let mut int_part = String::new();
    let mut frac_part = String::new();
    for (i, d) in digits.iter().enumerate() {
        if (i as i64) < point {
            int_part.push(*d as char);
        } else {
            frac_part.push(*d as char);
        }
    }
    if point > digits.len() as i64 {
        int_part.extend(std::iter::repeat_n(
            '0',
            (point - digits.len() as i64) as usize,
        ));
    }
    if point < 0 {
        frac_part.insert_str(0, &"0".repeat((-point) as usize));
    }
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let mut out = String::new();
    if negative && !(int_part == "0" && frac_part.is_empty()) {
        out.push('-');
    }
    out.push_str(int_part);
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(frac_part);
    }
    Some(out)
}

/// Lower-case hex: JSON arrays of byte values (serde's form of `Vec<u8>`) and hex strings
/// (what the row fetch selects) alike; a `\x` prefix (PostgreSQL's `bytea` output) is dropped.
fn bytes(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|v| v.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            match bytes {
                Some(bytes) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
                None => plain(value),
            }
        }
        Value::String(s) => s.strip_prefix("\\x").unwrap_or(s).to_ascii_lowercase(),
        other => plain(other),
    }
}

/// `HH:MM:SS` with the fraction's trailing zeros dropped.
fn time_of_day(value: &Value) -> String {
    let text = plain(value);
    match text.split_once('.') {
        Some((whole, frac)) if frac.bytes().all(|b| b.is_ascii_digit()) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{frac}")
            }
        }
        _ => text,
    }
}

/// An instant in UTC to the microsecond (`2024-01-02T03:04:05.123456Z`): `T` or a blank
/// between date and time, any fraction, an offset (`Z`, `+01:00`, `+0100`, `+01`) or none
/// (read as UTC). Anything else stays as it is.
fn timestamp(value: &Value) -> String {
    let text = plain(value);
    parse_instant(text.trim()).map_or(text, |t| {
        let t = t
            .with_nanosecond(t.timestamp_subsec_micros() * 1000)
            .unwrap_or(t);
        t.to_rfc3339_opts(SecondsFormat::Micros, true)
    })
}

fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if text.len() < 19 || !text.is_char_boundary(10) {
        return None;
    }
    let mut s = text.to_string();
    if s.as_bytes()[10] == b' ' {
        s.replace_range(10..11, "T");
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(&s, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// JSON structurally: object keys sorted, integral numbers as integers; a string that
/// parses as JSON is that JSON (databases that keep JSON as text give it as a string).
fn json(value: &Value) -> String {
    let value = match value {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    };
    let mut out = String::new();
    write_json(&mut out, &value);
    out
}

fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, v);
            }
            out.push(']');
        }
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                out.push_str(&(f as i64).to_string())
            }
            _ => out.push_str(&n.to_string()),
        },
        other => out.push_str(&other.to_string()),
    }
}

/// An enum label: lower case without `_`, `-` and blanks, so that a Rust variant
/// (`InProgress`) matches its label (`in_progress`, `in-progress`).
fn enum_label(value: &Value) -> String {
    plain(value)
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// blake3 of the canonical values of `values` (an entry's mapped fields or a fetched row,
/// `columns` first, in their order), each laid out by [`hashed_value`]: the row checksum of
/// the audit's digests, and how a cached range tells a fresh entry.
pub(crate) fn checksum(
    columns: &[ColumnMapping],
    values: &[Value],
    scratch: &mut Vec<u8>,
) -> blake3::Hash {
    scratch.clear();
    let null = Value::Null;
    for (i, c) in columns.iter().enumerate() {
        let text = canonical_text(c, values.get(i).unwrap_or(&null));
        hashed_value(scratch, c.column, text.as_deref());
    }
    blake3::hash(scratch)
}

/// Lays out one canonical column value for the row checksum, unambiguously: the column's
/// name and the value, each length first, `N` for `NULL`, `S` before a value.
pub(crate) fn hashed_value(out: &mut Vec<u8>, column: &str, value: Option<&str>) {
    out.extend_from_slice(&(column.len() as u64).to_le_bytes());
    out.extend_from_slice(column.as_bytes());
    match value {
        None => out.push(b'N'),
        Some(v) => {
            out.push(b'S');
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
            out.extend_from_slice(v.as_bytes());
        }
    }
}

/// A key part (or tenant id) as the row gives it: a string as is, a number or boolean as its
/// JSON text — what [`KeyPart`](crate::KeyPart) writes for integers, booleans and strings.
pub fn key_text(value: &Value) -> Option<String> {
    with_key_text(value, str::to_string)
}

/// [`key_text`], lent to `f` rather than returned: a string borrowed, a number or boolean
/// written on the stack (the audit matches rows to entries without copying their keys).
pub(crate) fn with_key_text<R>(value: &Value, f: impl FnOnce(&str) -> R) -> Option<R> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(f(s)),
        Value::Bool(b) => Some(f(if *b { "true" } else { "false" })),
        Value::Number(n) => {
            let mut buf = StackText::default();
            if std::fmt::Write::write_fmt(&mut buf, format_args!("{n}")).is_ok() {
                Some(f(buf.as_str()))
            } else {
                Some(f(&n.to_string()))
            }
        }
        other => Some(f(&other.to_string())),
    }
}

/// A short text written without allocating; writing more than it holds fails.
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(family: &'static str, sql_type: &'static str) -> ColumnMapping {
        ColumnMapping {
            field: "f",
            column: "f",
            sql_type,
            nullable: true,
            family,
        }
    }

    fn same(family: &'static str, sql_type: &'static str, a: Value, b: Value) -> bool {
        let col = c(family, sql_type);
        canonical(&col, &a) == canonical(&col, &b)
    }

    #[test]
    fn key_texts_lent_and_returned_agree() {
        for v in [
            json!("a:b"),
            json!(-42),
            json!(18446744073709551615u64),
            json!(1.5),
            json!(true),
            json!([1]),
        ] {
            assert_eq!(
                with_key_text(&v, str::to_string),
                Some(match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            );
        }
        assert_eq!(key_text(&json!(null)), None);
    }

    #[test]
    fn numbers_and_decimals() {
        assert!(same("Int8", "bigint", json!(42), json!("42")));
        assert!(!same("Int8", "bigint", json!(42), json!(43)));
        assert!(same("Numeric", "numeric", json!("012.500"), json!(12.5)));
        assert!(same("Numeric", "numeric", json!("-0.00"), json!("0")));
        assert!(same("Numeric", "numeric", json!("1.5e3"), json!("1500")));
        assert!(same("Numeric", "numeric", json!("15e-3"), json!("0.015")));
        assert!(!same("Numeric", "numeric", json!("12.51"), json!("12.5")));
        assert!(same("Float4", "real", json!(0.1), json!(0.100000001)));
        assert!(!same(
            "Float8",
            "double precision",
            json!(0.1),
            json!(0.100000001)
        ));
        assert!(same("Bool", "boolean", json!(true), json!(1)));
        assert!(!same("Bool", "boolean", json!(false), json!(1)));
    }

    #[test]
    fn timestamps_bytes_enums_and_json() {
        assert!(same(
            "Timestamptz",
            "timestamp with time zone",
            json!("2024-01-02T03:04:05.123456+00:00"),
            json!("2024-01-02T03:04:05.123456789Z")
        ));
        assert!(same(
            "Timestamp",
            "datetime",
            json!("2024-01-02 03:04:05.000000"),
            json!("2024-01-02T03:04:05")
        ));
        assert!(!same(
            "Timestamptz",
            "timestamp with time zone",
            json!("2024-01-02T03:04:05+01:00"),
            json!("2024-01-02T03:04:05Z")
        ));
        assert!(same("Bytes", "bytea", json!([1, 171]), json!("01AB")));
        assert!(same("Bytes", "bytea", json!([1, 171]), json!("\\x01ab")));
        assert!(same(
            "Enum",
            "status",
            json!("InProgress"),
            json!("in_progress")
        ));
        assert!(!same("Enum", "status", json!("Done"), json!("in_progress")));
        assert!(same(
            "Json",
            "jsonb",
            json!({"b": 1, "a": [1.0]}),
            json!("{\"a\":[1],\"b\":1}")
        ));
        assert!(same("Text", "character(4)", json!("ab  "), json!("ab")));
        assert!(same("Text", "CHAR(4)", json!("ab  "), json!("ab")));
        assert!(same("Text", "Character", json!("a "), json!("a")));
        assert!(!same("Text", "text", json!("ab  "), json!("ab")));
        assert!(!same(
            "Text",
            "character varying(4)",
            json!("ab  "),
            json!("ab")
        ));
        assert!(!same("Text", "charé(4)", json!("ab  "), json!("ab")));
        assert!(same(
            "Time",
            "time",
            json!("10:00:00.000"),
            json!("10:00:00")
        ));
        assert!(same(
            "Array<Numeric>",
            "numeric[]",
            json!(["1.0", null]),
            json!([1, null])
        ));
        assert_eq!(canonical(&c("Text", "text"), &Value::Null), None);
        assert!(!same("Text", "text", json!("null"), Value::Null));
    }
}
