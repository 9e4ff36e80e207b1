//! PostgreSQL `ALTER TABLE` forms sqlparser 0.63 does not parse that join or split a
//! table from its parent without changing any columns: `parent ATTACH PARTITION child
//! ...`, `parent DETACH PARTITION child ...`, `child INHERIT parent` and `child NO INHERIT
//! parent`. The replay records who follows whom (see [`super::partition`]).

use super::words::Words;
use super::{Ctx, Replayer};

/// What the statement does to the relation between two tables.
enum Link {
    Attach,
    Detach,
    Inherit,
    NoInherit,
}

impl Replayer {
    /// Applies `stmt` when it is one of the forms this module reads (see its doc);
    /// `false` when it is not.
    pub(crate) fn attach_text(&mut self, ctx: &Ctx<'_>) -> bool {
        if !super::skip::leading_words(&ctx.stmt.text, 2).eq("ALTER TABLE") {
            return false;
        }
        let Some(sig) = Words::of(&*self.parser, &ctx.stmt.text) else {
            return false;
        };
        let word = |i: usize, w: &str| sig.is(i, w);
        let mut i = 2;
        let if_exists = word(i, "IF") && word(i + 1, "EXISTS");
        if if_exists {
            i += 2;
        }
        if word(i, "ONLY") {
            i += 1;
        }
        let Some((first, next)) = self.name_at(&sig, i) else {
            return false;
        };
        i = next;
        let link = if word(i, "ATTACH") && word(i + 1, "PARTITION") {
            i += 2;
            Link::Attach
        } else if word(i, "DETACH") && word(i + 1, "PARTITION") {
            i += 2;
            Link::Detach
        } else if word(i, "INHERIT") {
            i += 1;
            Link::Inherit
        } else if word(i, "NO") && word(i + 1, "INHERIT") {
            i += 2;
            Link::NoInherit
        } else {
            return false;
        };
        let Some((second, next)) = self.name_at(&sig, i) else {
            return false;
        };
        // INHERIT and NO INHERIT end after the parent; the partition forms go on with
        // FOR VALUES / DEFAULT, or CONCURRENTLY / FINALIZE.
        if matches!(link, Link::Inherit | Link::NoInherit) && next != sig.len() {
            return false;
        }
        let (child, parent) = match link {
            Link::Attach | Link::Detach => (second, first.clone()),
            Link::Inherit | Link::NoInherit => (first.clone(), second),
        };
        let (Some(child), Some(parent)) = (self.table_key(&child), self.table_key(&parent)) else {
            if if_exists && self.table_key(&first).is_none() {
                self.skip(ctx, format!("table `{first}` does not exist (IF EXISTS)"));
                return true;
            }
            let missing = if self.table_key(&child).is_none() {
                child
            } else {
                parent
            };
            let error = self.missing_table(ctx, &missing, "ALTER TABLE");
            if let Err(e) = self.conflict(ctx, &missing, error) {
                self.errors.push(e);
            }
            return true;
        };
        let what = match link {
            Link::Attach => {
                self.partitions.add(&child, &parent);
                self.partition_keys(ctx, &child, &parent);
                self.partition_joined(ctx, &child, &parent);
                "now follows"
            }
            Link::Detach => {
                self.partitions.detach(&self.schema, &child);
                "no longer follows"
            }
            Link::Inherit => {
                self.partitions.add_inheritance(&child, &parent);
                "now follows"
            }
            Link::NoInherit => {
                self.partitions.disinherit(&self.schema, &child, &parent);
                "no longer follows"
            }
        };
        self.skip(
            ctx,
            format!("changes no columns (not parsed): `{child}` {what} `{parent}`"),
        );
        true
    }

    /// The table name (`a` or `a.b`, quoted or not) starting at token `i`, canonical, and
    /// the index after it.
    fn name_at(&self, sig: &Words, i: usize) -> Option<(String, usize)> {
        let (name, next) = sig.name_at(i)?;
        Some((
            self.lookup_key(&name, super::search_path::Among::Relations),
            next,
        ))
    }
}
