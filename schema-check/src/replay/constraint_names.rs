//! The constraint names (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK) the replay's tables have
//! had: a superset of the names the schema holds, so that a generated name not among them
//! is known free without reading every table ([`super::names`] reads them only when it is
//! among them).
//!
//! Names enter when a table is named ([`super::constraint::assign_names`], which every
//! statement that builds or changes a table's constraints ends with) and where a statement
//! renames a constraint or adds a unique index in place. None ever leaves: a name that
//! went with its table or constraint only costs a reading of the tables, and a schema put
//! back by [`super::Replayer::restore`] holds no name the set lacks.

use super::maps::HashSet;

use crate::model::{Schema, Table};

/// Every constraint name a table of the replay has had (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConstraintNames(HashSet<String>);

impl ConstraintNames {
    /// Records `name`.
    pub fn note(&mut self, name: &str) {
        if !self.0.contains(name) {
            self.0.insert(name.to_string());
        }
    }

    /// Records every constraint name of `table`.
    pub fn note_table(&mut self, table: &Table) {
        for name in names_of(table) {
            self.note(name);
        }
    }

    /// Whether a table of the replay may have a constraint named `name` (`false`: none
    /// has).
    pub fn may_be_taken(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Whether every constraint name of `schema`'s tables is recorded (what
    /// [`Self::may_be_taken`] relies on; checked in debug builds).
    pub fn covers(&self, schema: &Schema) -> bool {
        schema
            .tables
            .values()
            .all(|t| names_of(t).all(|n| self.0.contains(n)))
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
    use crate::model::{Check, Location, Provenance};

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
    }
}
