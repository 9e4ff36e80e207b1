//! PostgreSQL partitioned indexes: `CREATE INDEX ON parent (...)` (without `ONLY`) also
//! creates the index on every partition (and theirs), each named as an unnamed index on
//! that partition would be (`<partition>_<columns>_idx`), unless the partition already
//! has an equivalent index, which is attached instead. A partition created later
//! (`PARTITION OF`) or attached later (`ATTACH PARTITION`) gets the parent's indexes the
//! same way. `DROP INDEX` of the parent's index drops the partitions' ones; `DETACH
//! PARTITION` leaves them on the detached table as its own.

use sqlparser::ast::{CreateIndex, ObjectName};

use super::ident::object_name;
use super::{Ctx, Replayer};
use crate::dialect::Dialect;

impl Replayer {
    /// After `CREATE INDEX` on `table` created the index `key`: records it when `table`
    /// is partitioned, and creates it on the partitions unless the statement said `ONLY`.
    pub(crate) fn partition_index_created(
        &mut self,
        ctx: &Ctx<'_>,
        table: &str,
        key: &str,
        ci: &CreateIndex,
        only: bool,
    ) {
        if self.dialect != Dialect::Postgres || !self.partitions.is_partitioned(table) {
            return;
        }
        let mut template = ci.clone();
        template.name = None;
        template.if_not_exists = false;
        template.concurrently = false;
        self.partitions.add_index(key, template);
        if only {
            return;
        }
        for part in self.partitions.direct(table) {
            self.index_partition(ctx, &part, key);
        }
    }

    /// Gives the partition `part` (just created or attached) the indexes of `parent`.
    pub(crate) fn partition_joined(&mut self, ctx: &Ctx<'_>, part: &str, parent: &str) {
        let keys: Vec<String> = self
            .partitions
            .indexes_of(parent, &self.schema.indexes)
            .into_iter()
            .collect();
        for key in keys {
            self.index_partition(ctx, part, &key);
        }
    }

    /// `ATTACH PARTITION`: the partition `part` gets the primary key and unique
    /// constraints of `parent` that it lacks (an equivalent one of its own is attached
    /// instead), named for the partition.
    pub(crate) fn partition_keys(&mut self, ctx: &Ctx<'_>, part: &str, parent: &str) {
        let Some(src) = self.schema.tables.get(parent).cloned() else {
            return;
        };
        let Some(mut t) = self.schema.tables.remove(part) else {
            return;
        };
        let at = crate::model::Provenance::new(ctx.at().clone());
        if t.primary_key.is_none() && src.primary_key.is_some() {
            t.primary_key.clone_from(&src.primary_key);
            t.primary_key_name = None;
            t.primary_key_provenance = Some(at.clone());
        }
        for u in &src.unique {
            if u.kind != crate::model::UniqueKind::Constraint
                || t.unique.iter().any(|own| own.columns == u.columns)
            {
                continue;
            }
            t.unique.push(crate::model::UniqueConstraint {
                name: None,
                provenance: at.clone(),
                ..u.clone()
            });
        }
        super::constraint::assign_names(
            self.dialect,
            &self.schema,
            &mut self.constraint_names,
            &self.relation_index,
            &mut t,
        );
        self.relation_index.note(part);
        self.schema.tables.insert(part.to_string(), t);
    }

    /// Creates (or attaches an equivalent existing) index of partition `part` for the
    /// partitioned index `parent_key`.
    fn index_partition(&mut self, ctx: &Ctx<'_>, part: &str, parent_key: &str) {
        let Some(template) = self.partitions.index_template(parent_key).cloned() else {
            return;
        };
        let Some(parent) = self.schema.indexes.get(parent_key).cloned() else {
            return;
        };
        let equivalent = self
            .schema
            .indexes
            .iter()
            .find(|(k, ix)| {
                ix.table == part
                    && ix.columns == parent.columns
                    && ix.unique == parent.unique
                    && ix.predicate == parent.predicate
                    && !self.partitions.is_attached(k)
            })
            .map(|(k, _)| k.clone());
        if let Some(existing) = equivalent {
            self.partitions.attach_index(&existing, parent_key);
            return;
        }
        let before: Vec<String> = self.index_keys_on(part);
        let mut ci = template;
        ci.table_name = partition_object_name(part);
        if let Err(d) = self.create_index(ctx, &ci) {
            // The partition's copy is derived, not written: a failure to make it (a
            // column the replay lost track of) is not the statement's error.
            self.skip(
                ctx,
                format!(
                    "index `{}` not copied to partition `{part}`: {}",
                    parent.name, d.message
                ),
            );
            return;
        }
        if let Some(created) = self
            .index_keys_on(part)
            .into_iter()
            .find(|k| !before.contains(k))
        {
            self.partitions.attach_index(&created, parent_key);
        }
    }

    /// The keys of the indexes on `table`.
    fn index_keys_on(&self, table: &str) -> Vec<String> {
        self.relation_index.indexes_on(&self.schema, table)
    }

    /// The partitions' indexes that go when the index `key` is dropped (theirs too).
    pub(crate) fn partition_indexes_of(&self, key: &str) -> Vec<String> {
        self.partitions.attached_to(key)
    }
}

/// `part` (a canonical table key, `schema.name` or `name`) as an object name that
/// [`object_name`] reads back as `part`.
fn partition_object_name(part: &str) -> ObjectName {
    let parts: Vec<sqlparser::ast::Ident> = part
        .split('.')
        .map(|p| sqlparser::ast::Ident::with_quote('"', p))
        .collect();
    let name = ObjectName::from(parts);
    debug_assert_eq!(object_name(Dialect::Postgres, &name), part);
    name
}
