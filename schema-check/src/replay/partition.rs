//! PostgreSQL partitions (`CREATE TABLE p PARTITION OF parent ...`): a partition has its
//! parent's columns (names, order, types, NOT NULL, defaults), CHECK constraints and
//! foreign keys (under the parent's names); `ALTER TABLE parent` (without `ONLY`)
//! changes them in every partition too, and `DROP TABLE parent` drops its partitions.
//! A table created with `INHERITS (parent)` (or joined with `ALTER TABLE t INHERIT parent`)
//! gets the columns and CHECK constraints added to its parent later, loses the columns
//! its parent drops that it has only from its parents, and follows their renames.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Provenance, Schema, Table};

/// The partitions (`PARTITION OF`, `ATTACH PARTITION`: partition key → parent key) and
/// the inheritance children (`INHERITS`, `INHERIT`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Partitions {
    parent_of: BTreeMap<String, String>,
    /// Inheritance children: child key → parent keys.
    inherits: BTreeMap<String, Vec<String>>,
    /// The columns an inheritance child has only from its parents (PostgreSQL's
    /// `attislocal = false`): the ones a parent's `DROP COLUMN` takes from it.
    inherited_only: BTreeMap<String, BTreeSet<String>>,
    /// Tables created with `PARTITION BY`.
    partitioned: BTreeSet<String>,
    /// Partitioned indexes (on a partitioned table): index key → the statement that
    /// creates it on a partition (no name).
    index_templates: BTreeMap<String, sqlparser::ast::CreateIndex>,
    /// A partition's index → the partitioned index it is attached to.
    index_parent: BTreeMap<String, String>,
}

impl Partitions {
    /// Records that `partition` was created as a partition of `parent`.
    pub fn add(&mut self, partition: &str, parent: &str) {
        self.parent_of
            .insert(partition.to_string(), parent.to_string());
    }

    /// Records that `child` was created with `INHERITS (parent, ...)`.
    pub fn add_inheritance(&mut self, child: &str, parent: &str) {
        self.inherits
            .entry(child.to_string())
            .or_default()
            .push(parent.to_string());
    }

    /// Forgets that `partition` is a partition (`DETACH PARTITION`): its indexes become
    /// its own.
    pub fn detach(&mut self, schema: &Schema, partition: &str) {
        self.parent_of.remove(partition);
        self.index_parent
            .retain(|ix, _| schema.indexes.get(ix).is_none_or(|i| i.table != partition));
    }

    /// Records that `table` was created with `PARTITION BY`.
    pub fn mark_partitioned(&mut self, table: &str) {
        self.partitioned.insert(table.to_string());
    }

    /// Whether `table` is partitioned (`PARTITION BY`, or has partitions).
    pub fn is_partitioned(&self, table: &str) -> bool {
        self.partitioned.contains(table) || self.parent_of.values().any(|p| p == table)
    }

    /// The table `partition` is a partition of.
    pub fn parent(&self, partition: &str) -> Option<String> {
        self.parent_of.get(partition).cloned()
    }

    /// The direct partitions of `parent`.
    pub fn direct(&self, parent: &str) -> Vec<String> {
        self.parent_of
            .iter()
            .filter(|(_, p)| p.as_str() == parent)
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// Records the partitioned index `key` and how to create it on a partition.
    pub fn add_index(&mut self, key: &str, template: sqlparser::ast::CreateIndex) {
        self.index_templates.insert(key.to_string(), template);
    }

    /// How to create the partitioned index `key` on a partition.
    pub fn index_template(&self, key: &str) -> Option<&sqlparser::ast::CreateIndex> {
        self.index_templates.get(key)
    }

    /// The partitioned indexes on `table`.
    pub fn indexes_of(
        &self,
        table: &str,
        indexes: &BTreeMap<String, crate::model::Index>,
    ) -> Vec<String> {
        self.index_templates
            .keys()
            .filter(|k| indexes.get(*k).is_some_and(|ix| ix.table == table))
            .cloned()
            .collect()
    }

    /// Records that the partition's index `child` is attached to `parent`.
    pub fn attach_index(&mut self, child: &str, parent: &str) {
        self.index_parent
            .insert(child.to_string(), parent.to_string());
    }

    /// Whether the index `key` is attached to a partitioned index.
    pub fn is_attached(&self, key: &str) -> bool {
        self.index_parent.contains_key(key)
    }

    /// The partitions' indexes attached to `key`, and theirs.
    pub fn attached_to(&self, key: &str) -> Vec<String> {
        descendants(&self.index_parent, key)
    }

    /// Forgets a dropped index.
    pub fn forget_index(&mut self, key: &str) {
        self.index_templates.remove(key);
        self.index_parent.remove(key);
        self.index_parent.retain(|_, p| p != key);
    }

    /// Follows `ALTER INDEX old RENAME TO new`.
    pub fn rename_index(&mut self, old: &str, new: &str) {
        if let Some(t) = self.index_templates.remove(old) {
            self.index_templates.insert(new.to_string(), t);
        }
        if let Some(p) = self.index_parent.remove(old) {
            self.index_parent.insert(new.to_string(), p);
        }
        for p in self.index_parent.values_mut() {
            if p == old {
                *p = new.to_string();
            }
        }
    }

    /// Forgets that `child` inherits from `parent` (`NO INHERIT`): the columns it had
    /// from `parent` alone become its own.
    pub fn disinherit(&mut self, schema: &Schema, child: &str, parent: &str) {
        if let Some(ps) = self.inherits.get_mut(child) {
            ps.retain(|p| p != parent);
        }
        let parents = self.inherits.get(child).cloned().unwrap_or_default();
        if let Some(cols) = self.inherited_only.get_mut(child) {
            cols.retain(|c| {
                parents
                    .iter()
                    .any(|p| schema.tables.get(p).is_some_and(|t| t.column(c).is_some()))
            });
        }
    }

    /// Records that `child` has the column `column` only from its parents.
    pub fn mark_inherited(&mut self, child: &str, column: &str) {
        self.inherited_only
            .entry(child.to_string())
            .or_default()
            .insert(column.to_string());
    }

    /// The tables that inherit directly from `parent` (not its partitions).
    pub fn heirs_of(&self, parent: &str) -> Vec<String> {
        self.inherits
            .iter()
            .filter(|(_, ps)| ps.iter().any(|p| p == parent))
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// Whether `child` loses `column` now that one of its parents dropped it: it had it
    /// only from its parents, and none of them has it any more. A column it keeps
    /// because of `ALTER TABLE ONLY parent DROP COLUMN` becomes its own (`only`).
    pub fn loses_column(&mut self, schema: &Schema, child: &str, column: &str, only: bool) -> bool {
        let Some(cols) = self.inherited_only.get_mut(child) else {
            return false;
        };
        if only {
            cols.remove(column);
            return false;
        }
        let still_inherited = self.inherits.get(child).is_some_and(|ps| {
            ps.iter().any(|p| {
                schema
                    .tables
                    .get(p)
                    .is_some_and(|t| t.column(column).is_some())
            })
        });
        if still_inherited || !cols.contains(column) {
            return false;
        }
        cols.remove(column);
        true
    }

    /// Follows `ALTER TABLE child RENAME COLUMN old TO new` (a parent's rename reaching it).
    pub fn rename_column(&mut self, child: &str, old: &str, new: &str) {
        if let Some(cols) = self.inherited_only.get_mut(child)
            && cols.remove(old)
        {
            cols.insert(new.to_string());
        }
    }

    /// Makes every partition of `parent` (and theirs, for sub-partitioned tables) agree
    /// with it again after `ALTER TABLE parent`: its columns, and the parent's CHECK
    /// constraints and foreign keys it lacks.
    pub fn follow(&mut self, schema: &mut Schema, parent: &str) {
        let children: Vec<String> = self
            .parent_of
            .iter()
            .filter(|(_, p)| p.as_str() == parent)
            .map(|(c, _)| c.clone())
            .collect();
        for child in children {
            let Some(src) = schema.tables.get(parent).cloned() else {
                return;
            };
            if let Some(t) = schema.tables.get_mut(child.as_str()) {
                inherit(&src, t);
            }
            self.follow(schema, &child);
        }
        // Inheritance children get the parent's new columns (appended) and CHECK
        // constraints; their own columns stay.
        let heirs = self.heirs_of(parent);
        for child in heirs {
            let Some(src) = schema.tables.get(parent).cloned() else {
                return;
            };
            let mut added = Vec::new();
            if let Some(t) = schema.tables.get_mut(&child) {
                for c in &src.columns {
                    if t.column(&c.name).is_none() {
                        let mut c = c.clone();
                        c.provenance = Provenance::new(t.provenance.last_changed.clone());
                        added.push(c.name.clone());
                        t.columns.push(c);
                    }
                }
                for c in &src.checks {
                    match t.checks.iter_mut().find(|own| own.name == c.name) {
                        Some(own) => own.expr.clone_from(&c.expr),
                        None => t.checks.push(c.clone()),
                    }
                }
            }
            for c in added {
                self.mark_inherited(&child, &c);
            }
            self.follow(schema, &child);
        }
    }

    /// The partitions of `parent`, and theirs, for sub-partitioned tables.
    pub fn all_of(&self, parent: &str) -> Vec<String> {
        descendants(&self.parent_of, parent)
    }

    /// Follows `ALTER TABLE old RENAME TO new` (of a partition or of a parent).
    pub fn rename(&mut self, old: &str, new: &str) {
        if let Some(parent) = self.parent_of.remove(old) {
            self.parent_of.insert(new.to_string(), parent);
        }
        for p in self.parent_of.values_mut() {
            if p == old {
                *p = new.to_string();
            }
        }
        if let Some(parents) = self.inherits.remove(old) {
            self.inherits.insert(new.to_string(), parents);
        }
        if let Some(cols) = self.inherited_only.remove(old) {
            self.inherited_only.insert(new.to_string(), cols);
        }
        if self.partitioned.remove(old) {
            self.partitioned.insert(new.to_string());
        }
        for p in self.inherits.values_mut().flatten() {
            if p == old {
                *p = new.to_string();
            }
        }
    }

    /// Forgets a dropped table (a partition, or a parent whose partitions went with it).
    pub fn forget(&mut self, table: &str) {
        let gone = self.all_of(table);
        self.parent_of
            .retain(|c, _| c.as_str() != table && !gone.contains(c));
        self.inherits.remove(table);
        self.inherited_only.remove(table);
        self.partitioned.remove(table);
        for t in &gone {
            self.partitioned.remove(t);
        }
        for ps in self.inherits.values_mut() {
            ps.retain(|p| p != table);
        }
    }
}

/// Everything below `root` in a child -> parent map: its children, theirs, and so on.
fn descendants(parent_of: &BTreeMap<String, String>, root: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut todo = vec![root.to_string()];
    while let Some(p) = todo.pop() {
        for (child, parent) in parent_of {
            if *parent == p && !out.contains(child) {
                out.push(child.clone());
                todo.push(child.clone());
            }
        }
    }
    out
}

/// Gives the partition `t` the columns of `parent` (keeping the provenance of columns it
/// already had), and the parent's CHECK constraints and foreign keys as they are now.
pub(crate) fn inherit(parent: &Table, t: &mut Table) {
    let columns = parent
        .columns
        .iter()
        .map(|pc| {
            let mut c = pc.clone();
            c.provenance = t.column(&pc.name).map_or_else(
                || Provenance::new(t.provenance.last_changed.clone()),
                |own| own.provenance.clone(),
            );
            c
        })
        .collect();
    t.columns = columns;
    for c in &parent.checks {
        match t.checks.iter_mut().find(|own| own.name == c.name) {
            Some(own) => own.expr.clone_from(&c.expr),
            None => t.checks.push(c.clone()),
        }
    }
    for f in &parent.foreign_keys {
        match t.foreign_keys.iter_mut().find(|own| own.name == f.name) {
            Some(own) => *own = f.clone(),
            None => t.foreign_keys.push(f.clone()),
        }
    }
}
