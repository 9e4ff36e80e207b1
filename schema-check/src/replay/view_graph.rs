//! Which views read which relations (tables, views, and the functions they call), both
//! ways, so that `DROP ... CASCADE` finds every view built on a relation in time
//! proportional to what it finds, however many views the history created before.
//!
//! Each name is a node, known by a number: edges and the columns a view reads name their
//! nodes by number, so a rename renames one node, and a relation read by hundreds of views
//! (`now()`) costs each of them a number in a set, not a string.
//!
//! ```
//! use schema_check::replay::{view_columns::ColumnUse, view_graph::ViewGraph};
//! let mut g = ViewGraph::default();
//! let none = ColumnUse::default();
//! g.set("v1", [], ["users"], &ColumnUse { definite: vec![("users", "id")], maybe: vec![] });
//! g.set("v2", ["now"], ["v1", "orders"], &none);
//! g.set("v3", [], ["orders"], &none);
//! assert_eq!(g.dependents("users"), ["v1", "v2"]);
//! g.rename("users", "people");
//! assert_eq!(g.dependents("people"), ["v1", "v2"]);
//! assert_eq!(g.column_readers("people", "id"), (vec!["v1".to_string()], vec![]));
//! assert_eq!(g.dependents("function now()"), ["v2"]);
//! g.remove("v2");
//! assert_eq!(g.dependents("orders"), ["v3"]);
//! ```

use std::collections::BTreeSet;

use super::maps::HashMap;

use super::view_columns::ColumnUse;

/// The views and the relations each reads.
#[derive(Debug, Clone, Default)]
pub struct ViewGraph {
    /// The node of each name.
    ids: HashMap<String, u32>,
    /// Nodes by number (a free one has an empty name and is listed in `free`).
    nodes: Vec<Node>,
    /// Numbers free for new nodes.
    free: Vec<u32>,
    /// Room to spell a function's node name in.
    scratch: String,
}

/// A relation (table, view, function) or a view.
#[derive(Debug, Clone, Default)]
struct Node {
    name: String,
    /// The relations this view reads.
    reads: Vec<u32>,
    /// The views that read this relation.
    readers: BTreeSet<u32>,
    /// The table columns this view reads (see [`super::view_columns`]).
    columns: Vec<ColumnRead>,
}

/// A column of a table (a node this view reads) that a view surely or maybe reads.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ColumnRead {
    table: u32,
    column: String,
    sure: bool,
}

impl ViewGraph {
    /// Records that `view` calls `functions` (bare lower-case names, for DROP FUNCTION
    /// ... CASCADE), reads `relations` and the table columns `uses` (replacing what it read
    /// before); the tables of `uses` are read relations too.
    pub fn set<'r>(
        &mut self,
        view: &str,
        functions: impl IntoIterator<Item = &'r str>,
        relations: impl IntoIterator<Item = &'r str>,
        uses: &ColumnUse<'_>,
    ) {
        let v = self.intern(view);
        self.unlink(v);
        let mut reads = std::mem::take(&mut self.node_mut(v).reads);
        let mut columns = std::mem::take(&mut self.node_mut(v).columns);
        columns.clear();
        let mut node = std::mem::take(&mut self.scratch);
        for f in functions {
            node.clear();
            super::function_deps::function_node_into(f, &mut node);
            let f = self.intern(&node);
            if !reads.contains(&f) {
                reads.push(f);
            }
        }
        self.scratch = node;
        for r in relations {
            let r = self.intern(r);
            if r != v && !reads.contains(&r) {
                reads.push(r);
            }
        }
        for (list, sure) in [(&uses.definite, true), (&uses.maybe, false)] {
            for (table, column) in list {
                // Its tables are among the relations it reads, most often.
                let known = reads.iter().copied().find(|&r| self.node(r).name == *table);
                let table = match known {
                    Some(t) => t,
                    None => {
                        let t = self.intern(table);
                        if t != v && !reads.contains(&t) {
                            reads.push(t);
                        }
                        t
                    }
                };
                columns.push(ColumnRead {
                    table,
                    column: column.to_string(),
                    sure,
                });
            }
        }
        for &r in &reads {
            self.node_mut(r).readers.insert(v);
        }
        let node = self.node_mut(v);
        node.reads = reads;
        node.columns = columns;
        self.release(v);
    }

    /// The views that read column `column` of table `table`: those that surely do, and
    /// those that may (see [`super::view_columns`]), each by name.
    pub fn column_readers(&self, table: &str, column: &str) -> (Vec<String>, Vec<String>) {
        let (mut sure, mut maybe) = (Vec::new(), Vec::new());
        let Some(t) = self.id(table) else {
            return (sure, maybe);
        };
        for &v in &self.node(t).readers {
            let node = self.node(v);
            let mut reads = node
                .columns
                .iter()
                .filter(|c| c.table == t && c.column == column);
            let found = reads.next().map(|c| c.sure || reads.any(|c| c.sure));
            match found {
                Some(true) => sure.push(node.name.clone()),
                Some(false) => maybe.push(node.name.clone()),
                None => {}
            }
        }
        sure.sort_unstable();
        maybe.sort_unstable();
        (sure, maybe)
    }

    /// Follows a rename of column `old` of `table` to `new` in the views that read it.
    pub fn rename_column(&mut self, table: &str, old: &str, new: &str) {
        let Some(t) = self.id(table) else {
            return;
        };
        let readers: Vec<u32> = self.node(t).readers.iter().copied().collect();
        for v in readers {
            let columns = &mut self.node_mut(v).columns;
            for c in columns.iter_mut() {
                if c.table == t && c.column == old {
                    c.column = new.to_string();
                }
            }
            dedup(columns);
        }
    }

    /// Forgets `view` as a reader (what reads it is kept: those views are dropped or
    /// rebuilt by the caller).
    pub fn remove(&mut self, view: &str) {
        let Some(v) = self.id(view) else {
            return;
        };
        self.unlink(v);
        self.node_mut(v).columns.clear();
        self.release(v);
    }

    /// Every view built on `relation`, directly or through other views, each once, in the
    /// order found (breadth first; the readers of one relation by name).
    pub fn dependents(&self, relation: &str) -> Vec<String> {
        let Some(start) = self.id(relation) else {
            return Vec::new();
        };
        let mut seen: BTreeSet<u32> = BTreeSet::from([start]);
        let mut frontier: Vec<u32> = vec![start];
        let mut next = 0;
        let mut batch = Vec::new();
        while let Some(&r) = frontier.get(next) {
            next += 1;
            batch.clear();
            batch.extend(
                self.node(r)
                    .readers
                    .iter()
                    .copied()
                    .filter(|v| !seen.contains(v)),
            );
            batch.sort_unstable_by(|a, b| self.node(*a).name.cmp(&self.node(*b).name));
            for &v in &batch {
                seen.insert(v);
                frontier.push(v);
            }
        }
        frontier[1..]
            .iter()
            .map(|&v| self.node(v).name.clone())
            .collect()
    }

    /// Follows a rename of the relation (table or view) `old` to `new`.
    pub fn rename(&mut self, old: &str, new: &str) {
        let Some(o) = self.id(old) else {
            return;
        };
        match self.id(new) {
            Some(n) if n == o => {}
            // A name no view reads: the node takes it.
            None => {
                self.ids.remove(old);
                self.ids.insert(new.to_string(), o);
                self.node_mut(o).name = new.to_string();
            }
            // Views read a relation of that name already (one dropped without them):
            // `old`'s readers join its readers, and what `old` reads becomes what it reads.
            Some(n) => self.merge(o, n),
        }
    }

    /// Moves everything said of node `o` to node `n`, then frees `o`.
    fn merge(&mut self, o: u32, n: u32) {
        let readers = std::mem::take(&mut self.node_mut(o).readers);
        for &v in &readers {
            let node = self.node_mut(v);
            for r in &mut node.reads {
                if *r == o {
                    *r = n;
                }
            }
            let mut seen = Vec::new();
            node.reads.retain(|r| {
                let first = !seen.contains(r);
                seen.push(*r);
                first
            });
            for c in &mut node.columns {
                if c.table == o {
                    c.table = n;
                }
            }
            dedup(&mut node.columns);
        }
        self.node_mut(n).readers.extend(readers);
        let o_node = self.node(o);
        if !o_node.reads.is_empty() || !o_node.columns.is_empty() {
            self.unlink(n);
            let reads = std::mem::take(&mut self.node_mut(o).reads);
            let columns = std::mem::take(&mut self.node_mut(o).columns);
            for &r in &reads {
                let readers = &mut self.node_mut(r).readers;
                readers.remove(&o);
                readers.insert(n);
            }
            let node = self.node_mut(n);
            node.reads = reads;
            node.columns = columns;
        }
        self.release(o);
    }

    fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    fn node_mut(&mut self, id: u32) -> &mut Node {
        &mut self.nodes[id as usize]
    }

    /// The node of `name`, made if new.
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.id(name) {
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.nodes.push(Node::default());
                u32::try_from(self.nodes.len() - 1).expect("fewer than 2^32 views and relations")
            }
        };
        self.node_mut(id).name = name.to_string();
        self.ids.insert(name.to_string(), id);
        id
    }

    /// Frees node `id` when nothing is said of it any more.
    fn release(&mut self, id: u32) {
        let node = self.node_mut(id);
        if node.readers.is_empty() && node.reads.is_empty() && node.columns.is_empty() {
            let name = std::mem::take(&mut node.name);
            self.ids.remove(&name);
            self.free.push(id);
        }
    }

    /// Unlinks view `v` from the relations it reads (freeing those nothing else needs).
    fn unlink(&mut self, v: u32) {
        let reads = std::mem::take(&mut self.node_mut(v).reads);
        for &r in &reads {
            self.node_mut(r).readers.remove(&v);
            self.release(r);
        }
        let mut reads = reads;
        reads.clear();
        self.node_mut(v).reads = reads;
    }
}

/// Drops repeated column reads (a rename may make two one), keeping the first.
fn dedup(columns: &mut Vec<ColumnRead>) {
    let mut i = 1;
    while i < columns.len() {
        if columns[..i].contains(&columns[i]) {
            columns.remove(i);
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses<'a>(definite: &[(&'a str, &'a str)], maybe: &[(&'a str, &'a str)]) -> ColumnUse<'a> {
        ColumnUse {
            definite: definite.to_vec(),
            maybe: maybe.to_vec(),
        }
    }

    #[test]
    fn column_reads_follow_renames_and_go_with_their_view() {
        let mut g = ViewGraph::default();
        g.set("a", [], ["t"], &uses(&[("t", "x")], &[("t", "y")]));
        g.set("b", ["now"], ["t"], &uses(&[], &[("t", "x")]));
        assert_eq!(
            g.column_readers("t", "x"),
            (vec!["a".into()], vec!["b".into()])
        );
        assert_eq!(g.column_readers("t", "y"), (vec![], vec!["a".into()]));
        g.rename_column("t", "x", "z");
        assert_eq!(g.column_readers("t", "x"), (vec![], vec![]));
        assert_eq!(
            g.column_readers("t", "z"),
            (vec!["a".into()], vec!["b".into()])
        );
        // A rename onto a column read too merges the two reads (surely wins).
        g.rename_column("t", "y", "z");
        assert_eq!(
            g.column_readers("t", "z"),
            (vec!["a".into()], vec!["b".into()])
        );
        g.rename("t", "u");
        assert_eq!(
            g.column_readers("u", "z"),
            (vec!["a".into()], vec!["b".into()])
        );
        assert_eq!(g.dependents("function now()"), ["b"]);
        g.remove("a");
        g.remove("b");
        assert_eq!(g.column_readers("u", "z"), (vec![], vec![]));
        assert!(g.ids.is_empty(), "{:?}", g.ids);
        assert_eq!(g.free.len(), g.nodes.len());
    }

    #[test]
    fn a_rename_onto_a_name_views_still_read_merges_the_two() {
        let mut g = ViewGraph::default();
        let none = ColumnUse::default();
        // `t` was dropped without its views (MySQL), and `s` takes its name.
        g.set("old", [], ["t"], &uses(&[("t", "id")], &[]));
        g.set("new", [], ["s"], &none);
        g.set("top", [], ["old", "new"], &none);
        g.rename("s", "t");
        assert_eq!(g.dependents("t"), ["new", "old", "top"]);
        assert_eq!(g.column_readers("t", "id"), (vec!["old".into()], vec![]));
        // A view renamed onto a name a view reads: it takes that view's readers.
        g.set("w", [], ["gone"], &none);
        g.set("v", [], ["t"], &none);
        g.rename("v", "gone");
        assert_eq!(g.dependents("t"), ["gone", "new", "old", "w", "top"]);
        g.remove("w");
        assert_eq!(g.dependents("t"), ["gone", "new", "old", "top"]);
    }
}
