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

impl super::Replayer {
    /// MariaDB `ALTER TABLE t ... (a, p WITHOUT OVERLAPS)` naming an application-time
    /// period `p` that `t` got from an earlier statement: the text with `p WITHOUT
    /// OVERLAPS` replaced by the period's end and start columns, as MariaDB lists the key
    /// (a period the statement itself defines is the rewrite's, in `compat`). `None` when
    /// there is nothing to replace.
    pub(super) fn expand_overlaps(&self, text: &str) -> Option<String> {
        use sqlparser::tokenizer::{Token, Tokenizer};
        let mentions = text
            .as_bytes()
            .windows(b"overlaps".len())
            .any(|w| w.eq_ignore_ascii_case(b"overlaps"));
        if !mentions || super::skip::leading_words(text, 2) != "ALTER TABLE" {
            return None;
        }
        let tokens = Tokenizer::new(&sqlparser::dialect::MySqlDialect {}, text)
            .tokenize_with_location()
            .ok()?;
        let sig: Vec<&sqlparser::tokenizer::TokenWithSpan> = tokens
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .collect();
        let word = |n: usize, w: &str| matches!(sig.get(n).map(|t| &t.token), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
        // `ALTER TABLE [IF EXISTS] [schema.]name`
        let mut n = 2;
        if word(n, "IF") {
            n += 2;
        }
        while sig.get(n + 1).is_some_and(|t| t.token == Token::Period) {
            n += 2;
        }
        let Some(Token::Word(name)) = sig.get(n).map(|t| &t.token) else {
            return None;
        };
        let name = ident::fold(
            self.dialect,
            &sqlparser::ast::Ident::new(name.value.as_str()),
        );
        let table = self.schema.tables.get(&self.table_key(&name)?)?;
        // Each `p WITHOUT OVERLAPS` of a period of the table, replaced in the text as written
        // (back to front, so the offsets stay right).
        let offset = |loc| super::words::byte_offset(text, loc);
        let mut out = text.to_string();
        let mut changed = false;
        for k in (0..sig.len().saturating_sub(2)).rev() {
            let Token::Word(p) = &sig[k].token else {
                continue;
            };
            if !(word(k + 1, "WITHOUT") && word(k + 2, "OVERLAPS")) {
                continue;
            }
            let Some((start, end)) = period_columns(table, &p.value) else {
                continue;
            };
            let from = offset(sig[k].span.start)?;
            let to = offset(sig[k + 2].span.end)?;
            out.replace_range(from..to, &format!("`{end}`, `{start}`"));
            changed = true;
        }
        changed.then_some(out)
    }
}

/// The `(start, end)` columns of `table`'s application-time period `p`, from the CHECK
/// constraint the period added (see [`super::Replayer::temporal`]).
fn period_columns(table: &crate::model::Table, p: &str) -> Option<(String, String)> {
    let check = table
        .checks
        .iter()
        .find(|c| c.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(p)))?;
    let (start, end) = check.expr.split_once(" < ")?;
    let unquote = |s: &str| Some(s.strip_prefix('`')?.strip_suffix('`')?.to_string());
    Some((unquote(start)?, unquote(end)?))
}

/// Whether `c` is a system-versioned table's explicit `ROW END` column.
fn is_row_end(c: &Column) -> bool {
    matches!(&c.generated, Some(Generated::Expression { expr, .. }) if expr == "ROW END")
}
