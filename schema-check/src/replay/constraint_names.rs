//! The constraint names (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK) the replay's tables have
//! had, and the tables their foreign keys have referenced: supersets of what the schema
//! holds, so that a generated name not among them is known free without reading every
//! table ([`super::names`] reads them only when it is among them), and a table none
//! references is dropped or renamed without reading every table's foreign keys.
//!
//! Names and referenced tables enter when a table is named
//! ([`super::constraint::assign_names`], which every statement that builds or changes a
//! table's constraints ends with), where a statement renames a constraint or adds a unique
//! index in place, and where a referenced table is renamed. None ever leaves: a name that
//! went with its table or constraint only costs a reading of the tables, and a schema put
//! back by [`super::Replayer::restore`] holds no name the set lacks.

use super::maps::HashSet;

use crate::model::{Schema, Table};

/// Every constraint name a table of the replay has had, and every table a foreign key
/// has referenced (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConstraintNames {
    names: HashSet<String>,
    referenced: HashSet<String>,
}

impl ConstraintNames {
    /// Records `name`.
    pub fn note(&mut self, name: &str) {
        note(&mut self.names, name);
    }

    /// Records that a foreign key references the table `table`.
    pub fn note_referenced(&mut self, table: &str) {
        note(&mut self.referenced, table);
    }

    /// Records every constraint name of `table`, and the tables its foreign keys
    /// reference.
    pub fn note_table(&mut self, table: &Table) {
        for name in names_of(table) {
            self.note(name);
        }
        for f in &table.foreign_keys {
            self.note_referenced(&f.foreign_table);
        }
    }

    /// Whether a table of the replay may have a constraint named `name` (`false`: none
    /// has).
    pub fn may_be_taken(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Whether a foreign key of a table of `schema` may reference the table `table`
    /// (`false`: none does).
    pub fn may_be_referenced(&self, schema: &Schema, table: &str) -> bool {
        debug_assert!(
            self.covers(schema),
            "a constraint name or referenced table of the schema is not in the replay's \
             ConstraintNames"
        );
        self.referenced.contains(table)
    }

    /// Whether every constraint name of `schema`'s tables, and every table their foreign
    /// keys reference, is recorded (what [`Self::may_be_taken`] and
    /// [`Self::may_be_referenced`] rely on; checked in debug builds).
    pub fn covers(&self, schema: &Schema) -> bool {
        schema.tables.values().all(|t| {
            names_of(t).all(|n| self.names.contains(n))
                && t.foreign_keys
                    .iter()
                    .all(|f| self.referenced.contains(&f.foreign_table))
        })
    }
}

/// Adds `name` to `set`.
fn note(set: &mut HashSet<String>, name: &str) {
    if !set.contains(name) {
        set.insert(name.to_string());
    }
}

/// The constraint names of `table`.
fn names_of(table: &Table) -> impl Iterator<Item = &str> {
    table
        .primary_key_name
        .as_deref()
        .into_iter()
        .chain(table.unique.iter().filter_map(|u| u.name.as_deref()))
        .chain(table.foreign_keys.iter().filter_map(|f| f.name.as_deref()))
        .chain(table.checks.iter().filter_map(|c| c.name.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, ForeignKey, Location, Provenance, ReferentialAction};

    #[test]
    fn records_the_names_of_a_table() {
        let at = Location {
            file: "m.sql".into(),
            line: 1,
            column: 1,
        };
        let mut t = Table::new("t".into(), Vec::new(), Provenance::new(at.clone()));
        t.primary_key_name = Some("t_pkey".into());
        t.checks.push(Check {
            name: Some("t_check".into()),
            expr: "a > 0".into(),
            column: None,
            provenance: Provenance::new(at.clone()),
        });
        t.foreign_keys.push(ForeignKey {
            name: Some("t_p_fkey".into()),
            columns: vec!["p".into()],
            foreign_table: "parent".into(),
            foreign_columns: vec!["id".into()],
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
            column: None,
            provenance: Provenance::new(at),
        });
        let mut schema = Schema::default();
        schema.tables.insert("t".into(), t.clone());
        let mut names = ConstraintNames::default();
        assert!(!names.covers(&schema));
        names.note_table(&t);
        assert!(names.covers(&schema));
        assert!(names.may_be_taken("t_pkey") && names.may_be_taken("t_check"));
        assert!(!names.may_be_taken("t_key"));
        assert!(names.may_be_referenced(&schema, "parent"));
        assert!(!names.may_be_referenced(&schema, "t"));
    }
}
