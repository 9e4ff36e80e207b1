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

use std::collections::{BTreeSet, HashMap};

/// The views and the relations each reads.
#[derive(Debug, Clone, Default)]
pub struct ViewGraph {
    /// View → the relations it reads.
    reads: HashMap<String, Vec<String>>,
    /// Relation → the views that read it.
    readers: HashMap<String, BTreeSet<String>>,
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

    /// Forgets `view` as a reader (what reads it is kept: those views are dropped or
    /// rebuilt by the caller).
    pub fn remove(&mut self, view: &str) {
        self.unlink(view);
        self.reads.remove(view);
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
    }
}
