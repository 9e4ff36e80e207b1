//! What the schema's relations have been keyed, and which indexes and sequences each
//! table has had: supersets of what the schema holds, so that a generated name is known
//! free, and the indexes or sequences of one table are found, without reading every
//! relation of the schema.
//!
//! Every statement that puts a table, view, index, sequence or composite type into the
//! schema (or moves an index or a sequence to another table) records it here, right
//! after. Removals need not be recorded: an entry the schema no longer holds only costs
//! a look at the schema's map. The lists of a table are pruned when what they list goes
//! with the table or move to its new name ([`RelationIndex::forget_indexes`]); a schema put back by
//! [`super::Replayer::restore`] is recorded again ([`RelationIndex::of`]). Debug builds
//! check the supersets against the schema whenever they are read.

use super::maps::{HashMap, HashSet};
use crate::model::Schema;

/// The keys the schema's relations have had, and the indexes and owned sequences of each
/// table (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct RelationIndex {
    /// Every key a table, view, index, sequence or composite type has had.
    names: HashSet<String>,
    /// For each table or materialized view: the keys of the indexes that have been on it.
    indexes: HashMap<String, Vec<String>>,
    /// For each table: the keys of the sequences its columns have owned.
    sequences: HashMap<String, Vec<String>>,
}

impl RelationIndex {
    /// What `schema` holds, recorded.
    pub fn of(schema: &Schema) -> Self {
        let mut out = RelationIndex::default();
        let keys = schema
            .tables
            .keys()
            .chain(schema.views.keys())
            .chain(schema.composite_types.keys());
        for k in keys {
            out.note(k);
        }
        for (k, ix) in &schema.indexes {
            out.note_index(k, &ix.table);
        }
        for (k, s) in &schema.sequences {
            out.note_sequence(k, s.owned_by.as_ref().map(|o| o.table.as_str()));
        }
        out
    }

    /// Records that a table, view or composite type is keyed `key`.
    pub fn note(&mut self, key: &str) {
        if !self.names.contains(key) {
            self.names.insert(key.to_string());
        }
    }

    /// Records that the index keyed `key` is on `table`.
    pub fn note_index(&mut self, key: &str, table: &str) {
        self.note(key);
        add(&mut self.indexes, table, key);
    }

    /// Records that the sequence keyed `key` is owned by a column of `owner` (`None`: by
    /// no column).
    pub fn note_sequence(&mut self, key: &str, owner: Option<&str>) {
        self.note(key);
        if let Some(table) = owner {
            add(&mut self.sequences, table, key);
        }
    }

    /// Whether a relation keyed `key` may exist in the schema (`false`: none does).
    pub fn may_exist(&self, key: &str) -> bool {
        self.names.contains(key)
    }

    /// The keys of the indexes of `schema` on `table` (a table or a materialized view).
    pub fn indexes_on(&self, schema: &Schema, table: &str) -> Vec<String> {
        debug_assert!(self.covers(schema), "{}", self.uncovered(schema));
        listed(&self.indexes, table)
            .filter(|k| schema.indexes.get(*k).is_some_and(|ix| ix.table == table))
            .map(str::to_string)
            .collect()
    }

    /// The keys of the sequences of `schema` that columns of `table` own.
    pub fn sequences_of(&self, schema: &Schema, table: &str) -> Vec<String> {
        debug_assert!(self.covers(schema), "{}", self.uncovered(schema));
        listed(&self.sequences, table)
            .filter(|k| {
                schema
                    .sequences
                    .get(*k)
                    .and_then(|s| s.owned_by.as_ref())
                    .is_some_and(|o| o.table == table)
            })
            .map(str::to_string)
            .collect()
    }

    /// Forgets the index list of `table`, whose indexes `schema` no longer holds (they
    /// went with it, or moved to its new name).
    pub fn forget_indexes(&mut self, schema: &Schema, table: &str) {
        debug_assert!(
            self.indexes_on(schema, table).is_empty(),
            "`{table}` still has indexes"
        );
        self.indexes.remove(table);
    }

    /// Forgets the sequence list of `table`, whose sequences `schema` no longer holds.
    pub fn forget_sequences(&mut self, schema: &Schema, table: &str) {
        debug_assert!(
            self.sequences_of(schema, table).is_empty(),
            "`{table}` still owns sequences"
        );
        self.sequences.remove(table);
    }

    /// Whether everything `schema` holds is recorded (what the readers rely on; checked
    /// in debug builds).
    pub fn covers(&self, schema: &Schema) -> bool {
        self.uncovered(schema).is_empty()
    }

    /// What of `schema` is not recorded, described (empty when nothing).
    fn uncovered(&self, schema: &Schema) -> String {
        let mut out = Vec::new();
        let keys = schema
            .tables
            .keys()
            .chain(schema.views.keys())
            .chain(schema.indexes.keys())
            .chain(schema.sequences.keys())
            .chain(schema.composite_types.keys());
        for k in keys.filter(|k| !self.names.contains(*k)) {
            out.push(format!("relation `{k}`"));
        }
        for (k, ix) in &schema.indexes {
            if !listed(&self.indexes, &ix.table).any(|l| l == k) {
                out.push(format!("index `{k}` on `{}`", ix.table));
            }
        }
        for (k, s) in &schema.sequences {
            if let Some(o) = &s.owned_by
                && !listed(&self.sequences, &o.table).any(|l| l == k)
            {
                out.push(format!("sequence `{k}` of `{}`", o.table));
            }
        }
        if out.is_empty() {
            return String::new();
        }
        format!("not in the replay's RelationIndex: {}", out.join(", "))
    }
}

/// Adds `key` to the list of `table` in `lists`, once.
fn add(lists: &mut HashMap<String, Vec<String>>, table: &str, key: &str) {
    match lists.get_mut(table) {
        Some(list) => {
            if !list.iter().any(|k| k == key) {
                list.push(key.to_string());
            }
        }
        None => {
            lists.insert(table.to_string(), vec![key.to_string()]);
        }
    }
}

/// The list of `table` in `lists`.
fn listed<'a>(
    lists: &'a HashMap<String, Vec<String>>,
    table: &str,
) -> impl Iterator<Item = &'a str> {
    lists.get(table).into_iter().flatten().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ColumnRef, Index, Location, Provenance, Sequence};

    fn at() -> Provenance {
        Provenance::new(Location {
            file: "m.sql".into(),
            line: 1,
            column: 1,
        })
    }

    fn index(table: &str) -> Index {
        Index {
            name: "i".into(),
            table: table.into(),
            columns: vec!["a".into()],
            unique: false,
            predicate: None,
            provenance: at(),
        }
    }

    #[test]
    fn finds_what_the_schema_holds_and_only_that() {
        let mut schema = Schema::default();
        schema.indexes.insert("i".into(), index("t"));
        schema.sequences.insert(
            "t_id_seq".into(),
            Sequence {
                name: "t_id_seq".into(),
                owned_by: Some(ColumnRef {
                    table: "t".into(),
                    column: "id".into(),
                }),
                provenance: at(),
            },
        );
        let mut known = RelationIndex::default();
        assert!(!known.covers(&schema));
        known.note_index("i", "t");
        known.note_sequence("t_id_seq", Some("t"));
        assert!(known.covers(&schema));
        assert!(known.may_exist("i") && known.may_exist("t_id_seq"));
        assert!(!known.may_exist("t_pkey"));
        assert_eq!(known.indexes_on(&schema, "t"), ["i"]);
        assert_eq!(known.sequences_of(&schema, "t"), ["t_id_seq"]);
        // Moved to another table: the old entry is stale, and not listed.
        schema.indexes.insert("i".into(), index("u"));
        known.note_index("i", "u");
        assert!(known.indexes_on(&schema, "t").is_empty());
        assert_eq!(known.indexes_on(&schema, "u"), ["i"]);
        known.forget_indexes(&schema, "t");
        assert!(known.covers(&schema));
        // A schema put back is recorded whole.
        assert!(RelationIndex::of(&schema).covers(&schema));
    }
}
