//! The schema hash: blake3 of a canonical, versioned serialization of a table's
//! definition. Provenance is excluded, so identical final tables hash identically
//! whatever history produced them.

use crate::model::Table;
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

fn family(f: &TypeFamily) -> String {
    // The family is data-only and has a stable JSON form (serde tags are part of the API).
    serde_json::to_string(f).unwrap_or_else(|_| format!("{f:?}"))
}

/// The canonical serialization of `table` that [`schema_hash`] hashes.
pub fn canonical_bytes(table: &Table) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    put(&mut out, FORMAT);
    put(&mut out, &table.name);
    out.extend_from_slice(&(table.columns.len() as u64).to_le_bytes());
    for c in &table.columns {
        put(&mut out, &c.name);
        put(&mut out, &c.ty.canonical);
        put(&mut out, &family(&c.ty.family));
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
                put(
                    &mut out,
                    &serde_json::to_string(g).unwrap_or_else(|_| format!("{g:?}")),
                );
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
/// use schema_check::{Dialect, Location, Replayer, Statement, hash::schema_hash};
/// let table = |sql: &str, line| {
///     let mut r = Replayer::new(Dialect::Postgres);
///     let at = Location { file: "m.sql".into(), line, column: 1 };
///     r.apply(&Statement { text: sql.into(), at, source_line: sql.into() });
///     r.finish().schema.tables["t"].clone()
/// };
/// assert_eq!(schema_hash(&table("CREATE TABLE t (a int)", 1)), schema_hash(&table("create table T (A integer)", 9)));
/// assert_ne!(schema_hash(&table("CREATE TABLE t (a int)", 1)), schema_hash(&table("CREATE TABLE t (a bigint)", 1)));
/// ```
pub fn schema_hash(table: &Table) -> [u8; 32] {
    *blake3::hash(&canonical_bytes(table)).as_bytes()
}
