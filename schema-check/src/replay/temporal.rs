//! MariaDB's temporal tables, as information_schema shows them after the statement that
//! defines them ([`crate::replay::compat::Fixup::Temporal`]):
//!
//! - A system-versioned table's explicit period columns (`GENERATED ALWAYS AS ROW START |
//!   ROW END`) are NOT NULL, generated and stored. MariaDB appends the `ROW END` column to
//!   the table's primary key and each unique key, those defined later included (so that
//!   history rows do not collide), as SHOW CREATE TABLE and information_schema show.
//! - A table versioned without explicit period columns gets hidden `row_start` and
//!   `row_end` (`timestamp(6)`, NOT NULL), which a query may name but information_schema
//!   .COLUMNS does not list ([`crate::model::Table::hidden_columns`]); MariaDB appends
//!   that `row_end` to the keys too, but only KEY_COLUMN_USAGE lists it there (not SHOW
//!   CREATE TABLE or information_schema.STATISTICS), so the keys are recorded without it.
//! - An application-time period `PERIOD FOR p (start, end)` makes both columns NOT NULL and
//!   adds a CHECK constraint `p` (`start < end`); `DROP PERIOD FOR p` drops the constraint,
//!   the columns stay NOT NULL.

use super::ident;
use crate::model::{Check, Column, Generated, Provenance};
use crate::types::{SqlType, TypeFamily};

impl super::Replayer {
    /// Marks `columns` (as written, with their `ROW START | ROW END`) of table `key` as
    /// MariaDB records a system-versioned table's explicit period columns (NOT NULL: the
    /// rewrite said so), and appends the `ROW END` one to the table's keys.
    pub(super) fn row_period(&mut self, key: &str, columns: &[(String, String)]) {
        let Some(table) = self.schema.tables.get_mut(key) else {
            return;
        };
        for (name, expr) in columns {
            let name = ident::fold(self.dialect, &sqlparser::ast::Ident::new(name.as_str()));
            let Some(c) = table.columns.iter_mut().find(|c| c.name == name) else {
                continue;
            };
            c.generated = Some(Generated::Expression {
                expr: expr.clone(),
                stored: true,
            });
        }
        self.row_end_keys(key);
    }

    /// Appends table `key`'s explicit `ROW END` column, if it has one, to each of its
    /// primary and unique keys that lacks it, as MariaDB does with a key defined on a
    /// system-versioned table.
    pub(super) fn row_end_keys(&mut self, key: &str) {
        let Some(table) = self.schema.tables.get_mut(key) else {
            return;
        };
        let Some(row_end) = table
            .columns
            .iter()
            .find(|c| is_row_end(c))
            .map(|c| c.name.clone())
        else {
            return;
        };
        let keys = table
            .primary_key
            .iter_mut()
            .chain(table.unique.iter_mut().map(|u| &mut u.columns));
        for columns in keys {
            if !columns.iter().any(|k| k.eq_ignore_ascii_case(&row_end)) {
                columns.push(row_end.clone());
            }
        }
    }

    /// Applies a statement's other temporal clauses to table `key`: `versioned` gives it
    /// hidden period columns unless it has explicit ones; each of `periods` (`(p, start,
    /// end)`, as written) makes its columns NOT NULL and adds its CHECK constraint; each
    /// of `dropped` drops one.
    pub(super) fn temporal(
        &mut self,
        ctx: &super::Ctx<'_>,
        key: &str,
        versioned: bool,
        periods: &[(String, String, String)],
        dropped: &[String],
    ) {
        let dialect = self.dialect;
        let fold = |name: &str| ident::fold(dialect, &sqlparser::ast::Ident::new(name));
        let Some(table) = self.schema.tables.get_mut(key) else {
            return;
        };
        let at = ctx.at();
        if versioned
            && table.hidden_columns.is_empty()
            && !table.columns.iter().any(|c| {
                matches!(&c.generated, Some(Generated::Expression { expr, .. }) if expr == "ROW START")
            })
        {
            let hidden = |name: &str, expr: &str| Column {
                name: name.to_string(),
                ty: SqlType::new("timestamp(6)", TypeFamily::TimestampTz),
                nullable: false,
                default: None,
                generated: Some(Generated::Expression {
                    expr: expr.to_string(),
                    stored: true,
                }),
                provenance: Provenance::new(at.clone()),
            };
            table.hidden_columns = vec![
                hidden("row_start", "ROW START"),
                hidden("row_end", "ROW END"),
            ];
        }
        for (name, start, end) in periods {
            let (start, end) = (fold(start), fold(end));
            for c in table.columns.iter_mut() {
                if c.name == start || c.name == end {
                    c.nullable = false;
                    c.provenance.touch(at);
                }
            }
            table.checks.push(Check {
                name: Some(fold(name)),
                expr: format!("`{start}` < `{end}`"),
                column: None,
                provenance: Provenance::new(at.clone()),
            });
        }
        for name in dropped {
            table.checks.retain(|c| {
                !c.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
        }
    }
}

/// Whether `c` is a system-versioned table's explicit `ROW END` column.
fn is_row_end(c: &Column) -> bool {
    matches!(&c.generated, Some(Generated::Expression { expr, .. }) if expr == "ROW END")
}
