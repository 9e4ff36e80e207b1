//! Which views read which relations (tables or views), both ways, so that `DROP ... CASCADE`
//! finds every view built on a relation in time proportional to what it finds, however
//! many views the history created before.
//!
//! ```
//! use schema_check::replay::view_graph::ViewGraph;
//! let mut g = ViewGraph::default();
//! g.set("v1", vec!["users".into()]);
//! g.set("v2", vec!["v1".into(), "orders".into()]);
//! g.set("v3", vec!["orders".into()]);
//! assert_eq!(g.dependents("users"), ["v1", "v2"]);
//! g.rename("users", "people");
//! assert_eq!(g.dependents("people"), ["v1", "v2"]);
//! g.remove("v2");
//! assert_eq!(g.dependents("orders"), ["v3"]);
//! ```

use std::collections::BTreeSet;

use super::maps::HashMap;

use super::view_columns::ColumnUse;

/// The views and the relations each reads.
#[derive(Debug, Clone, Default)]
pub struct ViewGraph {
    /// View → the relations it reads.
    reads: HashMap<String, Vec<String>>,
    /// Relation → the views that read it.
    readers: HashMap<String, BTreeSet<String>>,
    /// View → the table columns it reads (see [`super::view_columns`]).
    columns: HashMap<String, ColumnUse>,
}

impl ViewGraph {
    /// Records that `view` reads `relations` (replacing what it read before).
    pub fn set(&mut self, view: &str, relations: Vec<String>) {
        self.unlink(view);
        for r in &relations {
            self.readers
                .entry(r.clone())
                .or_default()
                .insert(view.to_string());
        }
        self.reads.insert(view.to_string(), relations);
    }

    /// Records the table columns `view` reads (after [`ViewGraph::set`]).
    pub fn set_columns(&mut self, view: &str, uses: ColumnUse) {
        self.columns.insert(view.to_string(), uses);
    }

    /// The views that read column `column` of table `table`: those that surely do, and
    /// those that may (see [`super::view_columns`]).
    pub fn column_readers(&self, table: &str, column: &str) -> (Vec<String>, Vec<String>) {
        let key = (table.to_string(), column.to_string());
        let (mut sure, mut maybe) = (Vec::new(), Vec::new());
        for v in self.readers.get(table).into_iter().flatten() {
            if let Some(u) = self.columns.get(v) {
                if u.definite.contains(&key) {
                    sure.push(v.clone());
                } else if u.maybe.contains(&key) {
                    maybe.push(v.clone());
                }
            }
        }
        (sure, maybe)
    }

    /// Follows a rename of column `old` of `table` to `new` in the views that read it.
    pub fn rename_column(&mut self, table: &str, old: &str, new: &str) {
        let swap = |set: &mut BTreeSet<(String, String)>| {
            let from = (table.to_string(), old.to_string());
            if set.remove(&from) {
                set.insert((table.to_string(), new.to_string()));
            }
        };
        for v in self.readers.get(table).into_iter().flatten() {
            if let Some(u) = self.columns.get_mut(v) {
                swap(&mut u.definite);
                swap(&mut u.maybe);
            }
        }
    }

    /// Forgets `view` as a reader (what reads it is kept: those views are dropped or
    /// rebuilt by the caller).
    pub fn remove(&mut self, view: &str) {
        self.unlink(view);
        self.reads.remove(view);
        self.columns.remove(view);
    }

    fn unlink(&mut self, view: &str) {
        for r in self.reads.get(view).into_iter().flatten() {
            if let Some(set) = self.readers.get_mut(r) {
                set.remove(view);
                if set.is_empty() {
                    self.readers.remove(r);
                }
            }
        }
    }

    /// Every view built on `relation`, directly or through other views, each once, in the
    /// order found (breadth first; the readers of one relation by name).
    pub fn dependents(&self, relation: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::from([relation]);
        let mut next = 0;
        let mut frontier: Vec<&str> = vec![relation];
        while let Some(r) = frontier.get(next).copied() {
            next += 1;
            for v in self.readers.get(r).into_iter().flatten() {
                if seen.insert(v.as_str()) {
                    found.push(v.clone());
                    frontier.push(v.as_str());
                }
            }
        }
        found
    }

    /// Follows a rename of the relation (table or view) `old` to `new`.
    pub fn rename(&mut self, old: &str, new: &str) {
        if let Some(readers) = self.readers.remove(old) {
            for v in &readers {
                if let Some(u) = self.columns.get_mut(v) {
                    for set in [&mut u.definite, &mut u.maybe] {
                        let moved: Vec<(String, String)> =
                            set.iter().filter(|(t, _)| t == old).cloned().collect();
                        for (t, c) in moved {
                            set.remove(&(t, c.clone()));
                            set.insert((new.to_string(), c));
                        }
                    }
                }
                if let Some(rels) = self.reads.get_mut(v) {
                    for r in rels.iter_mut().filter(|r| *r == old) {
                        *r = new.to_string();
                    }
                }
            }
            self.readers
                .entry(new.to_string())
                .or_default()
                .extend(readers);
        }
        if let Some(rels) = self.reads.remove(old) {
            for r in &rels {
                if let Some(set) = self.readers.get_mut(r) {
                    set.remove(old);
                    set.insert(new.to_string());
                }
            }
            self.reads.insert(new.to_string(), rels);
        }
        if let Some(u) = self.columns.remove(old) {
            self.columns.insert(new.to_string(), u);
        }
    }
}
