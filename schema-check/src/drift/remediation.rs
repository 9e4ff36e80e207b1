//! Remediation: the SQL, in the database's dialect, that brings a live schema (actual) to
//! the migrations' schema (expected), built from the [`Difference`]s of [`super::diff()`].
//!
//! Order, so that it applies: foreign keys, constraints and indexes that change are dropped
//! first; enum types are created (and given their new labels) before columns use them;
//! tables are created, then columns added, changed and dropped; then keys, constraints and
//! indexes are added, foreign keys last; tables, views and types that should not exist are
//! dropped at the end. SQLite cannot alter most of a table: such a table is rebuilt
//! (created anew, rows copied, old table dropped, new one renamed). Destructive steps
//! (dropping a column or table, narrowing a type, a rebuild that loses a column) are
//! marked: [`render`] comments them out with a warning unless they are allowed.

use std::collections::BTreeSet;

use super::diff::action_sql;
use super::difference::{Change, Difference, Object};
use crate::dialect::Dialect;
use crate::model::{Column, Generated, Index, Schema, Table};
use crate::types::TypeFamily;

/// One statement of a remediation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The SQL (one statement, without the final `;`).
    pub sql: String,
    /// Whether it can lose data.
    pub destructive: bool,
}

/// Phases, in the order their steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    DropForeignKeys,
    DropConstraints,
    Types,
    CreateTables,
    Columns,
    AddConstraints,
    AddForeignKeys,
    DropObjects,
}

/// The steps that turn `actual` into `expected`, given their `differences`.
pub fn remediation(
    expected: &Schema,
    actual: &Schema,
    differences: &[Difference],
    dialect: Dialect,
) -> Vec<Step> {
    let mut b = Builder {
        dialect,
        expected,
        actual,
        steps: Vec::new(),
    };
    if dialect == Dialect::Sqlite {
        b.sqlite(differences);
    } else {
        for d in differences {
            b.difference(d);
        }
    }
    b.steps.sort_by_key(|(phase, _)| *phase);
    b.steps.into_iter().map(|(_, s)| s).collect()
}

/// The steps as one script: in a transaction where the dialect's DDL is transactional
/// (`transaction`), destructive steps commented out with a warning unless
/// `allow_destructive`.
pub fn render(
    steps: &[Step],
    dialect: Dialect,
    allow_destructive: bool,
    transaction: bool,
) -> String {
    let mut out = String::new();
    if steps.is_empty() {
        out.push_str("-- No drift: nothing to do.\n");
        return out;
    }
    let transactional = transaction && dialect != Dialect::Mysql;
    if dialect == Dialect::Mysql {
        out.push_str("-- MySQL/MariaDB commit each DDL statement on its own: no transaction.\n");
    }
    if transactional {
        out.push_str("BEGIN;\n");
    }
    if dialect == Dialect::Sqlite && steps.iter().any(|s| s.sql.contains("__drift_new")) {
        out.push_str("PRAGMA defer_foreign_keys = ON;\n");
    }
    for s in steps {
        if s.destructive && !allow_destructive {
            out.push_str("-- WARNING: destructive (loses data); re-run with --allow-destructive to include it:\n");
            for line in s.sql.lines() {
                out.push_str("-- ");
                out.push_str(line);
                out.push('\n');
            }
            out.pop();
            out.push_str(";\n");
        } else {
            out.push_str(&s.sql);
            out.push_str(";\n");
        }
    }
    if transactional {
        out.push_str("COMMIT;\n");
    }
    out
}

struct Builder<'a> {
    dialect: Dialect,
    expected: &'a Schema,
    actual: &'a Schema,
    steps: Vec<(Phase, Step)>,
}

/// Whether a value of type `from` always fits `to` (a widening, never destructive).
fn widens(from: &crate::types::SqlType, to: &crate::types::SqlType) -> bool {
    use TypeFamily as F;
    match (&from.family, &to.family) {
        (F::Int { bytes: a }, F::Int { bytes: b }) => a <= b,
        (F::UInt { bytes: a }, F::UInt { bytes: b }) => a <= b,
        (F::Float4, F::Float8) => true,
        (F::Text { max_len: a }, F::Text { max_len: b }) => match (a, b) {
            (_, None) => true,
            (Some(a), Some(b)) => a <= b,
            (None, Some(_)) => false,
        },
        (
            F::Numeric {
                precision: p1,
                scale: s1,
            },
            F::Numeric {
                precision: p2,
                scale: s2,
            },
        ) => s1 == s2 && (p2.is_none() || p1.zip(*p2).is_some_and(|(a, b)| a <= b)),
        (a, b) => a == b && from.canonical == to.canonical,
    }
}

impl Builder<'_> {
    fn push(&mut self, phase: Phase, sql: String, destructive: bool) {
        self.steps.push((phase, Step { sql, destructive }));
    }

    fn q(&self, name: &str) -> String {
        name.split('.')
            .map(|part| match self.dialect {
                Dialect::Mysql => format!("`{}`", part.replace('`', "``")),
                _ => format!("\"{}\"", part.replace('"', "\"\"")),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    fn cols(&self, cols: &[String]) -> String {
        cols.iter()
            .map(|c| self.q(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn column_def(&self, c: &Column) -> String {
        let mut s = format!("{} {}", self.q(&c.name), c.ty.canonical);
        match &c.generated {
            Some(Generated::Expression { expr, stored }) => {
                s.push_str(&format!(
                    " GENERATED ALWAYS AS ({expr}) {}",
                    if *stored { "STORED" } else { "VIRTUAL" }
                ));
            }
            Some(Generated::Identity { always }) if self.dialect == Dialect::Postgres => {
                s.push_str(if *always {
                    " GENERATED ALWAYS AS IDENTITY"
                } else {
                    " GENERATED BY DEFAULT AS IDENTITY"
                });
            }
            _ => {}
        }
        if !c.nullable {
            s.push_str(" NOT NULL");
        }
        if let Some(d) = &c.default {
            if self.dialect == Dialect::Sqlite {
                s.push_str(&format!(" DEFAULT ({d})"));
            } else {
                s.push_str(&format!(" DEFAULT {d}"));
            }
        }
        if self.dialect == Dialect::Mysql && matches!(c.generated, Some(Generated::Identity { .. }))
        {
            s.push_str(" AUTO_INCREMENT");
        }
        s
    }

    fn fk_def(&self, fk: &crate::model::ForeignKey) -> String {
        let mut s = format!(
            "FOREIGN KEY ({}) REFERENCES {}",
            self.cols(&fk.columns),
            self.q(&fk.foreign_table)
        );
        if !fk.foreign_columns.is_empty() {
            s.push_str(&format!(" ({})", self.cols(&fk.foreign_columns)));
        }
        let default = super::diff::default_action(self.dialect);
        if fk.on_delete != default {
            s.push_str(&format!(" ON DELETE {}", action_sql(fk.on_delete)));
        }
        if fk.on_update != default {
            s.push_str(&format!(" ON UPDATE {}", action_sql(fk.on_update)));
        }
        s
    }

    fn named(&self, name: &Option<String>) -> String {
        match name {
            Some(n) => format!("CONSTRAINT {} ", self.q(unqualified(n))),
            None => String::new(),
        }
    }

    /// `CREATE TABLE` for `t` as the migrations define it; foreign keys included only when
    /// `with_fks` (else they are added after every table exists).
    fn create_table(&self, name: &str, t: &Table, with_fks: bool) -> String {
        let mut parts: Vec<String> = t.columns.iter().map(|c| self.column_def(c)).collect();
        let autoincrement = self.dialect == Dialect::Sqlite
            && t.columns
                .iter()
                .any(|c| matches!(c.generated, Some(Generated::Identity { .. })));
        if let Some(pk) = &t.primary_key {
            if autoincrement && pk.len() == 1 {
                if let Some(p) = t.columns.iter().position(|c| c.name == pk[0]) {
                    parts[p].push_str(" PRIMARY KEY AUTOINCREMENT");
                }
            } else {
                let name = match (&t.primary_key_name, self.dialect) {
                    (Some(n), Dialect::Postgres) => self.named(&Some(n.clone())),
                    _ => String::new(),
                };
                parts.push(format!("{name}PRIMARY KEY ({})", self.cols(pk)));
            }
        }
        for u in &t.unique {
            if u.kind == crate::model::UniqueKind::Constraint {
                parts.push(format!(
                    "{}UNIQUE ({})",
                    self.named(&u.name),
                    self.cols(&u.columns)
                ));
            }
        }
        for c in &t.checks {
            parts.push(format!("{}CHECK ({})", self.named(&c.name), c.expr));
        }
        if with_fks {
            for fk in &t.foreign_keys {
                parts.push(format!("{}{}", self.named(&fk.name), self.fk_def(fk)));
            }
        }
        format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.q(name),
            parts.join(",\n    ")
        )
    }

    fn create_index(&self, ix: &Index) -> String {
        let columns: Vec<String> = ix
            .columns
            .iter()
            .map(|c| {
                if c.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                    self.q(c)
                } else {
                    format!("({c})")
                }
            })
            .collect();
        let mut s = format!(
            "CREATE {}INDEX {} ON {} ({})",
            if ix.unique { "UNIQUE " } else { "" },
            self.q(unqualified(&ix.name)),
            self.q(&ix.table),
            columns.join(", ")
        );
        if let Some(p) = &ix.predicate {
            s.push_str(&format!(" WHERE {p}"));
        }
        s
    }

    fn drop_index(&self, ix: &Index) -> String {
        match self.dialect {
            Dialect::Mysql => format!("DROP INDEX {} ON {}", self.q(&ix.name), self.q(&ix.table)),
            _ => format!("DROP INDEX {}", self.q(&ix.name)),
        }
    }

    fn index_of<'s>(schema: &'s Schema, table: &str, name: &str) -> Option<&'s Index> {
        schema
            .indexes
            .values()
            .find(|ix| ix.table == table && (ix.name == name || unqualified(&ix.name) == name))
    }

    fn alter(&self, table: &str, what: &str) -> String {
        format!("ALTER TABLE {} {what}", self.q(table))
    }

    fn difference(&mut self, d: &Difference) {
        let (e, a) = (self.expected, self.actual);
        match (&d.object, d.change) {
            (Object::Table { table }, Change::Missing) => {
                if let Some(t) = e.tables.get(table) {
                    self.push(
                        Phase::CreateTables,
                        self.create_table(table, t, false),
                        false,
                    );
                    for fk in &t.foreign_keys {
                        let sql = self.alter(
                            table,
                            &format!("ADD {}{}", self.named(&fk.name), self.fk_def(fk)),
                        );
                        self.push(Phase::AddForeignKeys, sql, false);
                    }
                    for ix in e.indexes.values().filter(|ix| &ix.table == table) {
                        self.push(Phase::AddConstraints, self.create_index(ix), false);
                    }
                }
            }
            (Object::Table { table }, Change::Extra) => {
                self.push(
                    Phase::DropObjects,
                    format!("DROP TABLE {}", self.q(table)),
                    true,
                );
            }
            (Object::Column { table, column }, change) => self.column(table, column, change),
            (Object::PrimaryKey { table }, change) => {
                let (Some(et), Some(at)) = (e.tables.get(table), a.tables.get(table)) else {
                    return;
                };
                if change == Change::Name && self.dialect == Dialect::Postgres {
                    if let (Some(an), Some(en)) = (&at.primary_key_name, &et.primary_key_name) {
                        let sql = self.alter(
                            table,
                            &format!("RENAME CONSTRAINT {} TO {}", self.q(an), self.q(en)),
                        );
                        self.push(Phase::AddConstraints, sql, false);
                    }
                    return;
                }
                if at.primary_key.is_some() {
                    let sql = match (self.dialect, &at.primary_key_name) {
                        (Dialect::Postgres, Some(n)) => {
                            self.alter(table, &format!("DROP CONSTRAINT {}", self.q(n)))
                        }
                        _ => self.alter(table, "DROP PRIMARY KEY"),
                    };
                    self.push(Phase::DropConstraints, sql, false);
                }
                if let Some(pk) = &et.primary_key {
                    let name = match self.dialect {
                        Dialect::Postgres => self.named(&et.primary_key_name),
                        _ => String::new(),
                    };
                    let sql =
                        self.alter(table, &format!("ADD {name}PRIMARY KEY ({})", self.cols(pk)));
                    self.push(Phase::AddConstraints, sql, false);
                }
            }
            (Object::Unique { table, name }, change) => {
                self.keyed(table, name, change, |t| {
                    t.unique
                        .iter()
                        .map(|u| (u.name.clone(), u.columns.clone(), u.kind))
                        .collect()
                });
            }
            (Object::Check { table, name }, change) => {
                let find = |s: &Schema| {
                    s.tables.get(table).and_then(|t| {
                        t.checks
                            .iter()
                            .find(|c| c.name.as_deref() == Some(name.as_str()))
                            .cloned()
                    })
                };
                if matches!(change, Change::Extra | Change::Definition | Change::Name) {
                    let actual_name = match change {
                        Change::Name => d.actual.clone(),
                        _ => find(a).and_then(|c| c.name).or(Some(name.clone())),
                    };
                    if let Some(n) = actual_name {
                        let kw = if self.dialect == Dialect::Mysql {
                            "CHECK"
                        } else {
                            "CONSTRAINT"
                        };
                        let sql = self.alter(table, &format!("DROP {kw} {}", self.q(&n)));
                        self.push(Phase::DropConstraints, sql, false);
                    }
                }
                if change != Change::Extra
                    && let Some(c) = find(e)
                {
                    let sql = self.alter(
                        table,
                        &format!("ADD {}CHECK ({})", self.named(&c.name), c.expr),
                    );
                    self.push(Phase::AddConstraints, sql, false);
                }
            }
            (Object::ForeignKey { table, name }, change) => {
                let find = |s: &Schema, n: &str| {
                    s.tables.get(table).and_then(|t| {
                        t.foreign_keys
                            .iter()
                            .find(|f| f.name.as_deref() == Some(n))
                            .cloned()
                    })
                };
                if change != Change::Missing {
                    let actual_name = if change == Change::Name {
                        d.actual.clone().unwrap_or_default()
                    } else {
                        name.clone()
                    };
                    let kw = if self.dialect == Dialect::Mysql {
                        "FOREIGN KEY"
                    } else {
                        "CONSTRAINT"
                    };
                    let sql = self.alter(table, &format!("DROP {kw} {}", self.q(&actual_name)));
                    self.push(Phase::DropForeignKeys, sql, false);
                }
                if change != Change::Extra
                    && let Some(fk) = find(e, name)
                {
                    let sql = self.alter(
                        table,
                        &format!("ADD {}{}", self.named(&fk.name), self.fk_def(&fk)),
                    );
                    self.push(Phase::AddForeignKeys, sql, false);
                }
            }
            (Object::Index { table, name }, change) => {
                if change == Change::Name {
                    let actual_name = d.actual.clone().unwrap_or_default();
                    let sql = match self.dialect {
                        Dialect::Mysql => self.alter(
                            table,
                            &format!("RENAME INDEX {} TO {}", self.q(&actual_name), self.q(name)),
                        ),
                        _ => format!(
                            "ALTER INDEX {} RENAME TO {}",
                            self.q(&actual_name),
                            self.q(unqualified(name))
                        ),
                    };
                    self.push(Phase::AddConstraints, sql, false);
                    return;
                }
                if change != Change::Missing
                    && let Some(ix) = Self::index_of(a, table, name)
                {
                    self.push(Phase::DropConstraints, self.drop_index(ix), false);
                }
                if change != Change::Extra
                    && let Some(ix) = Self::index_of(e, table, name)
                {
                    self.push(Phase::AddConstraints, self.create_index(ix), false);
                }
            }
            (Object::Enum { name }, change) => self.enum_type(name, change),
            (Object::View { name }, Change::Extra) => {
                let kw = if a.views.get(name).is_some_and(|v| v.materialized) {
                    "MATERIALIZED VIEW"
                } else {
                    "VIEW"
                };
                self.push(
                    Phase::DropObjects,
                    format!("DROP {kw} {}", self.q(name)),
                    false,
                );
            }
            (Object::View { name }, _) => {
                let at = e
                    .views
                    .get(name)
                    .map(|v| super::difference::file_line(&v.provenance.last_changed));
                self.push(
                    Phase::DropObjects,
                    format!(
                        "-- view {}: its definition is not in the model; re-run the statement at {}",
                        self.q(name),
                        at.unwrap_or_default()
                    ),
                    false,
                );
            }
            (Object::Domain { name }, _) => {
                self.push(
                    Phase::Types,
                    format!(
                        "-- domain {}: change it by hand (drift does not rewrite domains)",
                        self.q(name)
                    ),
                    false,
                );
            }
            _ => {}
        }
    }

    /// Unique constraints (MySQL: unique keys; PostgreSQL: constraints or unique indexes).
    fn keyed(
        &mut self,
        table: &str,
        name: &str,
        change: Change,
        list: impl Fn(&Table) -> Vec<(Option<String>, Vec<String>, crate::model::UniqueKind)>,
    ) {
        let (e, a) = (self.expected, self.actual);
        let find = |s: &Schema, n: &str| {
            s.tables.get(table).and_then(|t| {
                list(t).into_iter().find(|(un, cols, _)| {
                    un.as_deref() == Some(n) || format!("({})", cols.join(", ")) == n
                })
            })
        };
        if change != Change::Missing {
            let actual = match change {
                Change::Name => a.tables.get(table).and_then(|t| {
                    let expected_cols = find(e, name).map(|u| u.1);
                    list(t)
                        .into_iter()
                        .find(|u| Some(&u.1) == expected_cols.as_ref())
                }),
                _ => find(a, name),
            };
            if let Some((Some(n), _, kind)) = actual {
                let sql = match (self.dialect, kind) {
                    (Dialect::Mysql, _) => self.alter(table, &format!("DROP INDEX {}", self.q(&n))),
                    (_, crate::model::UniqueKind::Index) => format!("DROP INDEX {}", self.q(&n)),
                    _ => self.alter(table, &format!("DROP CONSTRAINT {}", self.q(&n))),
                };
                self.push(Phase::DropConstraints, sql, false);
            }
        }
        if change != Change::Extra
            && let Some((n, cols, kind)) = find(e, name)
        {
            let sql = match kind {
                crate::model::UniqueKind::Index if self.dialect == Dialect::Postgres => {
                    match Self::index_of(e, table, n.as_deref().unwrap_or_default()) {
                        Some(ix) => self.create_index(ix),
                        None => return,
                    }
                }
                _ => self.alter(
                    table,
                    &format!("ADD {}UNIQUE ({})", self.named(&n), self.cols(&cols)),
                ),
            };
            self.push(Phase::AddConstraints, sql, false);
        }
    }

    fn enum_type(&mut self, name: &str, change: Change) {
        let (e, a) = (self.expected, self.actual);
        let quote = |v: &str| format!("'{}'", v.replace('\'', "''"));
        match change {
            Change::Missing => {
                if let Some(t) = e.enums.get(name) {
                    let values: Vec<String> = t.values.iter().map(|v| quote(v)).collect();
                    self.push(
                        Phase::Types,
                        format!(
                            "CREATE TYPE {} AS ENUM ({})",
                            self.q(name),
                            values.join(", ")
                        ),
                        false,
                    );
                }
            }
            Change::Extra => self.push(
                Phase::DropObjects,
                format!("DROP TYPE {}", self.q(name)),
                true,
            ),
            _ => {
                let (Some(et), Some(at)) = (e.enums.get(name), a.enums.get(name)) else {
                    return;
                };
                // Labels can be added (in place); removing or reordering needs a new type.
                let kept: Vec<&String> =
                    et.values.iter().filter(|v| at.values.contains(v)).collect();
                let in_order = at
                    .values
                    .iter()
                    .filter(|v| et.values.contains(v))
                    .collect::<Vec<_>>()
                    == kept;
                if kept.len() == at.values.len() && in_order {
                    for (i, v) in et.values.iter().enumerate() {
                        if at.values.contains(v) {
                            continue;
                        }
                        let place =
                            match et.values[..i].iter().rev().find(|p| at.values.contains(p)) {
                                Some(p) => format!(" AFTER {}", quote(p)),
                                None => match et.values[i..].iter().find(|n| at.values.contains(n))
                                {
                                    Some(n) => format!(" BEFORE {}", quote(n)),
                                    None => String::new(),
                                },
                            };
                        self.push(
                            Phase::Types,
                            format!("ALTER TYPE {} ADD VALUE {}{place}", self.q(name), quote(v)),
                            false,
                        );
                    }
                } else {
                    // Labels removed or reordered: a new type, the columns converted to it
                    // (rows with a removed label make it fail, leaving nothing changed).
                    let old = format!("{name}__drift_old");
                    let values: Vec<String> = et.values.iter().map(|v| quote(v)).collect();
                    let mut sql = vec![
                        format!(
                            "ALTER TYPE {} RENAME TO {}",
                            self.q(name),
                            self.q(unqualified(&old))
                        ),
                        format!(
                            "CREATE TYPE {} AS ENUM ({})",
                            self.q(name),
                            values.join(", ")
                        ),
                    ];
                    for t in a.tables.values() {
                        for c in t.columns.iter().filter(|c| c.ty.canonical == name) {
                            let col = self.q(&c.name);
                            if c.default.is_some() {
                                sql.push(
                                    self.alter(
                                        &t.name,
                                        &format!("ALTER COLUMN {col} DROP DEFAULT"),
                                    ),
                                );
                            }
                            sql.push(self.alter(
                                &t.name,
                                &format!(
                                    "ALTER COLUMN {col} TYPE {n} USING {col}::text::{n}",
                                    n = self.q(name)
                                ),
                            ));
                            let expected_default = e
                                .tables
                                .get(&t.name)
                                .and_then(|et| et.column(&c.name))
                                .and_then(|ec| ec.default.clone());
                            if let Some(d) = expected_default {
                                sql.push(self.alter(
                                    &t.name,
                                    &format!("ALTER COLUMN {col} SET DEFAULT {d}"),
                                ));
                            }
                        }
                    }
                    sql.push(format!("DROP TYPE {}", self.q(&old)));
                    self.push(Phase::Types, sql.join(";\n"), true);
                }
            }
        }
    }

    fn column(&mut self, table: &str, column: &str, change: Change) {
        let (e, a) = (self.expected, self.actual);
        let ec = e.tables.get(table).and_then(|t| t.column(column)).cloned();
        let ac = a
            .tables
            .get(table)
            .and_then(|t| {
                t.columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(column))
            })
            .cloned();
        match (change, &ec, &ac) {
            (Change::Missing, Some(c), _) => {
                let sql = self.alter(table, &format!("ADD COLUMN {}", self.column_def(c)));
                self.push(Phase::Columns, sql, false);
            }
            (Change::Extra, _, Some(c)) => {
                let sql = self.alter(table, &format!("DROP COLUMN {}", self.q(&c.name)));
                self.push(Phase::Columns, sql, true);
            }
            (_, Some(ec), Some(ac)) if self.dialect == Dialect::Mysql => {
                // MODIFY restates the whole column, so one statement covers every aspect.
                let destructive = change == Change::Type && !widens(&ac.ty, &ec.ty);
                let sql = self.alter(table, &format!("MODIFY COLUMN {}", self.column_def(ec)));
                if !self.steps.iter().any(|(_, s)| s.sql == sql) {
                    self.push(Phase::Columns, sql, destructive);
                }
            }
            (Change::Type, Some(ec), Some(ac)) => {
                let destructive = !widens(&ac.ty, &ec.ty);
                let sql = self.alter(
                    table,
                    &format!(
                        "ALTER COLUMN {c} TYPE {t} USING {c}::{t}",
                        c = self.q(column),
                        t = ec.ty.canonical
                    ),
                );
                self.push(Phase::Columns, sql, destructive);
            }
            (Change::Nullability, Some(ec), _) => {
                let what = if ec.nullable {
                    "DROP NOT NULL"
                } else {
                    "SET NOT NULL"
                };
                let sql = self.alter(table, &format!("ALTER COLUMN {} {what}", self.q(column)));
                self.push(Phase::Columns, sql, false);
            }
            (Change::Default, Some(ec), _) => {
                let what = match &ec.default {
                    Some(d) => format!("SET DEFAULT {d}"),
                    None => "DROP DEFAULT".to_string(),
                };
                let sql = self.alter(table, &format!("ALTER COLUMN {} {what}", self.q(column)));
                self.push(Phase::Columns, sql, false);
            }
            (Change::Generated, Some(ec), Some(_)) => {
                self.push(
                    Phase::Columns,
                    format!(
                        "-- column {}.{}: identity or generation differs; expected `{}`: change it by hand",
                        self.q(table),
                        self.q(column),
                        self.column_def(ec)
                    ),
                    false,
                );
            }
            _ => {}
        }
    }

    /// SQLite: indexes and addable columns with ALTER, every other table change by a rebuild.
    fn sqlite(&mut self, differences: &[Difference]) {
        let (e, a) = (self.expected, self.actual);
        let mut rebuild: BTreeSet<String> = BTreeSet::new();
        let mut rest = Vec::new();
        for d in differences {
            match (&d.object, d.change) {
                (Object::Table { .. } | Object::Index { .. } | Object::View { .. }, _) => {
                    rest.push(d.clone());
                }
                (Object::Column { table, column }, Change::Missing) => {
                    let addable = e
                        .tables
                        .get(table)
                        .and_then(|t| t.column(column))
                        .is_some_and(|c| {
                            let t = &e.tables[table];
                            c.generated.is_none()
                                && !t.primary_key.iter().flatten().any(|p| p == &c.name)
                                && !t.unique.iter().any(|u| u.columns.contains(&c.name))
                                && !t.foreign_keys.iter().any(|f| f.columns.contains(&c.name))
                                && !t.checks.iter().any(|k| k.expr.contains(&c.name))
                                && (c.nullable || c.default.is_some())
                        });
                    if addable {
                        rest.push(d.clone());
                    } else {
                        rebuild.insert(table.clone());
                    }
                }
                (other, _) => {
                    if let Some(t) = other.table() {
                        rebuild.insert(t.to_string());
                    }
                }
            }
        }
        for d in &rest {
            if let Object::Column { table, .. } | Object::Index { table, .. } = &d.object
                && rebuild.contains(table)
            {
                continue; // the rebuild covers it
            }
            self.difference(d);
        }
        for table in &rebuild {
            let (Some(et), Some(at)) = (e.tables.get(table), a.tables.get(table)) else {
                continue;
            };
            let common: Vec<String> = et
                .columns
                .iter()
                .filter(|c| {
                    c.generated
                        .as_ref()
                        .is_none_or(|g| matches!(g, Generated::Identity { .. }))
                })
                .filter(|c| {
                    at.columns
                        .iter()
                        .any(|x| x.name.eq_ignore_ascii_case(&c.name))
                })
                .map(|c| c.name.clone())
                .collect();
            let loses = at.columns.iter().any(|c| {
                !et.columns
                    .iter()
                    .any(|x| x.name.eq_ignore_ascii_case(&c.name))
            }) || et.columns.iter().any(|c| {
                at.columns
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(&c.name))
                    .is_some_and(|x| !widens(&x.ty, &c.ty))
            });
            let new = format!("{table}__drift_new");
            let mut sql = vec![self.create_table(&new, et, true)];
            sql.push(format!(
                "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
                self.q(&new),
                self.q(table),
                cols = self.cols(&common)
            ));
            sql.push(format!("DROP TABLE {}", self.q(table)));
            sql.push(format!(
                "ALTER TABLE {} RENAME TO {}",
                self.q(&new),
                self.q(table)
            ));
            for ix in e.indexes.values().filter(|ix| &ix.table == table) {
                sql.push(self.create_index(ix));
            }
            self.push(Phase::Columns, sql.join(";\n"), loses);
        }
    }
}

fn unqualified(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
