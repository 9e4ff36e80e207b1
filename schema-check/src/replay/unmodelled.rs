//! Tables that exist for the server but are not part of the replayed schema: temporary
//! tables and views (every dialect) and SQLite virtual tables. The replay skips what a history does
//! with them (ALTER, CREATE INDEX, DROP) instead of calling them missing.
//!
//! A temporary table lives until its session ends or it is dropped. Migration tools run a
//! whole history on one connection, so one file's temporary table may be dropped by a
//! later file; the replay keeps them until dropped. A temporary table hides a permanent
//! one of the same name (PostgreSQL searches `pg_temp` first, MySQL and SQLite likewise):
//! an unqualified `DROP TABLE` or `ALTER TABLE` of that name reaches the temporary one.
//! Indexes created on such tables are kept too, so that dropping one is not an error; they
//! go with their table. Names are compared as their last part, lower-cased.

use super::maps::HashMap;

/// What kind of unmodelled table a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `CREATE TEMPORARY|TEMP TABLE`.
    Temporary,
    /// `CREATE TEMP[ORARY] VIEW`, or (PostgreSQL) a view reading a temporary table or view.
    TemporaryView,
    /// SQLite `CREATE VIRTUAL TABLE` (FTS and the like).
    Virtual,
}

impl Kind {
    /// How a note names a table of this kind.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Temporary => "temporary table",
            Kind::TemporaryView => "temporary view",
            Kind::Virtual => "virtual table",
        }
    }
}

/// The unmodelled tables alive at this point of the history, and their indexes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Unmodelled {
    tables: HashMap<String, Kind>,
    /// Index -> its table.
    indexes: HashMap<String, String>,
}

/// The key a canonical name is kept under: its last part, lower-cased.
fn key(name: &str) -> String {
    name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase()
}

impl Unmodelled {
    /// `name` now exists, of kind `kind`.
    pub(crate) fn note(&mut self, name: &str, kind: Kind) {
        self.tables.insert(key(name), kind);
    }

    /// An index `index` was created on the unmodelled table `table`.
    pub(crate) fn note_index(&mut self, index: &str, table: &str) {
        self.indexes.insert(key(index), key(table));
    }

    /// The index `index` is dropped: whether it was one of an unmodelled table.
    pub(crate) fn forget_index(&mut self, index: &str) -> bool {
        self.indexes.remove(&key(index)).is_some()
    }

    /// The kind of `name`, if it is an unmodelled table.
    pub(crate) fn get(&self, name: &str) -> Option<Kind> {
        // Most histories have none: no key to make.
        if self.tables.is_empty() {
            return None;
        }
        self.tables.get(&key(name)).copied()
    }

    /// `name` is gone; its kind, if it was an unmodelled table.
    pub(crate) fn forget(&mut self, name: &str) -> Option<Kind> {
        let table = key(name);
        let kind = self.tables.remove(&table)?;
        self.indexes.retain(|_, t| *t != table);
        Some(kind)
    }

    /// The table `from` is renamed to `to`; its indexes follow.
    pub(crate) fn rename(&mut self, from: &str, to: &str) {
        let (from, to) = (key(from), key(to));
        if let Some(kind) = self.tables.remove(&from) {
            self.tables.insert(to.clone(), kind);
            for t in self.indexes.values_mut().filter(|t| **t == from) {
                t.clone_from(&to);
            }
        }
    }
}

impl super::Replayer {
    /// Whether the view `cv` is temporary: declared so, or (PostgreSQL, which makes such a
    /// view temporary) reading a temporary table or view; `relations` are the relations
    /// its query reads (canonical names, [`super::view_columns::QueryNames::relations`]).
    pub(crate) fn is_temporary_view(
        &self,
        cv: &sqlparser::ast::CreateView,
        relations: &[&str],
    ) -> bool {
        cv.temporary
            || relations.iter().any(|name| {
                matches!(
                    self.unmodelled.get(name),
                    Some(Kind::Temporary | Kind::TemporaryView)
                )
            })
    }

    /// The kind of unmodelled table a statement naming `name` reaches, if it reaches one:
    /// a temporary table of that name (which hides a permanent one), else an unmodelled
    /// table where no permanent one exists.
    pub(crate) fn unmodelled_target(&self, name: &str) -> Option<Kind> {
        match self.unmodelled.get(name)? {
            kind @ (Kind::Temporary | Kind::TemporaryView) => Some(kind),
            kind => self.table_key(name).is_none().then_some(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_by_last_part_in_any_case() {
        let mut u = Unmodelled::default();
        u.note("Backup", Kind::Temporary);
        u.note("docs_fts", Kind::Virtual);
        assert_eq!(u.get("pg_temp.backup"), Some(Kind::Temporary));
        assert_eq!(u.get("DOCS_FTS"), Some(Kind::Virtual));

        u.note_index("backup_a_idx", "backup");
        u.rename("backup", "backup2");
        assert_eq!(u.get("backup2"), Some(Kind::Temporary));
        assert_eq!(u.forget("backup2"), Some(Kind::Temporary));
        assert_eq!(u.get("backup2"), None);
        assert!(
            !u.forget_index("backup_a_idx"),
            "an index goes with its table"
        );
        u.note_index("docs_idx", "docs_fts");
        assert!(u.forget_index("DOCS_IDX"));
    }
}
