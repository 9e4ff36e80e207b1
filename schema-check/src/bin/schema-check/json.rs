//! The JSON document printed by `schema-check schema --format json` (documented in the
//! crate README; fields are only ever added).

use schema_check::discover::Migration;
use schema_check::hash::table_hash;
use schema_check::model::{
    CompositeType, Domain, EnumType, HistoryEvent, Ignored, Index, Sequence, Skipped, View,
};
use schema_check::{Diagnostic, Dialect, Replay, Table, Warning};
use serde::Serialize;

/// The whole document.
#[derive(Serialize)]
struct Document<'a> {
    dialect: Dialect,
    migrations: &'a [Migration],
    tables: Vec<TableEntry<'a>>,
    views: Vec<&'a View>,
    enums: Vec<&'a EnumType>,
    domains: Vec<&'a Domain>,
    indexes: Vec<&'a Index>,
    sequences: Vec<&'a Sequence>,
    composite_types: Vec<&'a CompositeType>,
    history: &'a [HistoryEvent],
    skipped: &'a [Skipped],
    ignored: &'a [Ignored],
    errors: &'a [Diagnostic],
    warnings: &'a [Warning],
}

/// A table with its table hash.
#[derive(Serialize)]
struct TableEntry<'a> {
    #[serde(flatten)]
    table: &'a Table,
    hash: String,
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders the document (pretty-printed, with a final newline); `only` restricts
/// `tables` and `indexes` to one table.
pub fn render(replay: &Replay, only: Option<&str>) -> String {
    let schema = &replay.schema;
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    let doc = Document {
        dialect: replay.dialect,
        migrations: &replay.migrations,
        tables: schema
            .tables
            .values()
            .filter(|t| wanted(&t.name))
            .map(|table| TableEntry {
                table,
                hash: hex(&table_hash(table)),
            })
            .collect(),
        views: schema.views.values().collect(),
        enums: schema.enums.values().collect(),
        domains: schema.domains.values().collect(),
        indexes: schema
            .indexes
            .values()
            .filter(|i| wanted(&i.table))
            .collect(),
        sequences: schema.sequences.values().collect(),
        composite_types: schema.composite_types.values().collect(),
        history: &schema.history,
        skipped: &replay.skipped,
        ignored: &replay.ignored,
        errors: &replay.errors,
        warnings: &replay.warnings,
    };
    // Plain data with string keys: serializing cannot fail, but never panic if it does.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        let message = format!("cannot serialize the schema: {e}");
        serde_json::json!({ "errors": [{ "message": message }] }).to_string()
    });
    out.push('\n');
    out
}
