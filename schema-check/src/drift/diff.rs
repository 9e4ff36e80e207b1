//! The diff: a pure function of two [`Schema`] values, the one the migrations produce
//! (expected) and the one a database has (actual).
//!
//! Compared: tables, columns (type, nullability, default, identity/generation), primary
//! keys, unique, foreign-key and check constraints, indexes (expression and partial ones
//! included), enums and their labels, domains, and views by name. Column order is not
//! compared. Names of constraints and indexes are: a constraint found under another name
//! is a [`Change::Name`]; a constraint the migrations leave unnamed (MySQL, SQLite) is
//! matched by its definition. Expressions compare in their [`normalize`]d form.

use std::collections::{BTreeMap, BTreeSet};

use super::difference::{Change, Difference, Object};
use super::expr::normalize;
use super::ignore::Ignore;
use crate::dialect::Dialect;
use crate::model::{Column, Generated, Index, Location, ReferentialAction, Schema, Table};
use crate::replay::ident::same_column;
use crate::types::TypeFamily;

/// How to compare.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// The dialect both schemas are in (decides identifier folding in expressions).
    pub dialect: Dialect,
    /// Objects left out of the comparison.
    pub ignore: Ignore,
}

/// Every difference between `expected` (the migrations' schema) and `actual` (the
/// database's), sorted.
///
/// ```
/// use schema_check::drift::{diff, Change, DiffOptions};
/// use schema_check::{Dialect, Replayer, Location, Statement};
/// let schema = |sql: &str| {
///     let mut r = Replayer::new(Dialect::Postgres);
///     let at = Location { file: "0001_init.sql".into(), line: 1, column: 1 };
///     r.apply(&Statement { text: sql.into(), at, source_line: sql.into() });
///     r.finish().schema
/// };
/// let expected = schema("CREATE TABLE t (id int PRIMARY KEY, note text)");
/// let actual = schema("CREATE TABLE t (note varchar(20), id int PRIMARY KEY)");
/// let found = diff(&expected, &actual, &DiffOptions::default());
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].change, Change::Type);
/// assert_eq!(found[0].to_string(),
///     "column `t.note`: type is `character varying(20)`, expected `text` (from 0001_init.sql:1)");
/// ```
pub fn diff(expected: &Schema, actual: &Schema, options: &DiffOptions) -> Vec<Difference> {
    let expected = options.ignore.apply(expected);
    let actual = options.ignore.apply(actual);
    let mut cx = Cx {
        dialect: options.dialect,
        expected: &expected,
        actual: &actual,
        out: Vec::new(),
    };
    cx.tables();
    cx.indexes();
    cx.enums();
    cx.domains();
    cx.views();
    let mut out = cx.out;
    out.sort();
    out.dedup();
    out
}

struct Cx<'a> {
    dialect: Dialect,
    expected: &'a Schema,
    actual: &'a Schema,
    out: Vec<Difference>,
}

/// Pairs the keys of two maps: in both, only in the first, only in the second.
fn pair<'a, V>(
    a: &'a BTreeMap<String, V>,
    b: &'a BTreeMap<String, V>,
) -> (Vec<(&'a V, &'a V)>, Vec<&'a V>, Vec<&'a V>) {
    let mut both = Vec::new();
    let mut only_a = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            Some(w) => both.push((v, w)),
            None => only_a.push(v),
        }
    }
    let only_b = b
        .iter()
        .filter(|(k, _)| !a.contains_key(*k))
        .map(|(_, v)| v)
        .collect();
    (both, only_a, only_b)
}

/// A constraint reduced to what is compared: its name (if any), its definition as text,
/// and where it comes from.
struct Keyed {
    name: Option<String>,
    definition: String,
    since: Option<Location>,
}

impl Cx<'_> {
    fn push(
        &mut self,
        object: Object,
        change: Change,
        expected: Option<String>,
        actual: Option<String>,
        since: Option<&Location>,
    ) {
        self.out.push(Difference {
            object,
            change,
            expected,
            actual,
            since: since.cloned(),
        });
    }

    fn norm(&self, text: &str) -> String {
        normalize(self.dialect, text)
    }

    fn tables(&mut self) {
        let (both, missing, extra) = pair(&self.expected.tables, &self.actual.tables);
        for t in missing {
            self.push(
                Object::Table {
                    table: t.name.clone(),
                },
                Change::Missing,
                Some(table_summary(t)),
                None,
                Some(&t.provenance.created),
            );
        }
        for t in extra {
            self.push(
                Object::Table {
                    table: t.name.clone(),
                },
                Change::Extra,
                None,
                Some(table_summary(t)),
                None,
            );
        }
        for (e, a) in both {
            self.columns(e, a);
            self.primary_key(e, a);
            self.constraints(e, a);
        }
    }

    fn columns(&mut self, e: &Table, a: &Table) {
        let dialect = self.dialect;
        let find = |t: &'_ Table, name: &str| -> Option<usize> {
            t.columns.iter().position(|c| c.name == name).or_else(|| {
                t.columns
                    .iter()
                    .position(|c| same_column(dialect, &c.name, name))
            })
        };
        let mut seen = BTreeSet::new();
        for ec in &e.columns {
            let object = Object::Column {
                table: e.name.clone(),
                column: ec.name.clone(),
            };
            let since = Some(&ec.provenance.last_changed);
            let Some(i) = find(a, &ec.name) else {
                self.push(
                    object,
                    Change::Missing,
                    Some(column_summary(ec)),
                    None,
                    since,
                );
                continue;
            };
            seen.insert(i);
            let ac = &a.columns[i];
            // A type the replay does not know is not a difference.
            let unknown = [&ec.ty.family, &ac.ty.family].contains(&&TypeFamily::Unknown);
            if !unknown && !ec.ty.canonical.eq_ignore_ascii_case(&ac.ty.canonical) {
                self.push(
                    object.clone(),
                    Change::Type,
                    Some(ec.ty.canonical.clone()),
                    Some(ac.ty.canonical.clone()),
                    since,
                );
            }
            if ec.nullable != ac.nullable {
                let show = |n: bool| if n { "NULL" } else { "NOT NULL" }.to_string();
                self.push(
                    object.clone(),
                    Change::Nullability,
                    Some(show(ec.nullable)),
                    Some(show(ac.nullable)),
                    since,
                );
            }
            let (ed, ad) = (self.default(ec), self.default(ac));
            if ed != ad {
                self.push(object.clone(), Change::Default, ed, ad, since);
            }
            let (eg, ag) = (self.generated(ec), self.generated(ac));
            if eg != ag {
                self.push(object, Change::Generated, eg, ag, since);
            }
        }
        for (i, ac) in a.columns.iter().enumerate() {
            if !seen.contains(&i) {
                self.push(
                    Object::Column {
                        table: e.name.clone(),
                        column: ac.name.clone(),
                    },
                    Change::Extra,
                    None,
                    Some(column_summary(ac)),
                    None,
                );
            }
        }
    }

    /// A column's default, normalised; `DEFAULT NULL` is no default.
    fn default(&self, c: &Column) -> Option<String> {
        let d = self.norm(c.default.as_deref()?);
        (d != "NULL").then_some(d)
    }

    fn generated(&self, c: &Column) -> Option<String> {
        match c.generated.as_ref()? {
            Generated::Identity { always } => Some(
                if *always {
                    "GENERATED ALWAYS AS IDENTITY"
                } else {
                    "GENERATED BY DEFAULT AS IDENTITY"
                }
                .to_string(),
            ),
            Generated::Expression { expr, stored } => Some(format!(
                "GENERATED ALWAYS AS ({}) {}",
                self.norm(expr),
                if *stored { "STORED" } else { "VIRTUAL" }
            )),
        }
    }

    fn primary_key(&mut self, e: &Table, a: &Table) {
        let since = e
            .primary_key_provenance
            .as_ref()
            .map_or(&e.provenance.last_changed, |p| &p.last_changed);
        let object = Object::PrimaryKey {
            table: e.name.clone(),
        };
        if e.primary_key != a.primary_key {
            let show =
                |pk: &Option<Vec<String>>| pk.as_ref().map(|c| format!("({})", c.join(", ")));
            let (expected, actual) = (show(&e.primary_key), show(&a.primary_key));
            let change = match (&expected, &actual) {
                (Some(_), None) => Change::Missing,
                (None, Some(_)) => Change::Extra,
                _ => Change::Definition,
            };
            self.push(object, change, expected, actual, Some(since));
        } else if let (Some(en), Some(an)) = (&e.primary_key_name, &a.primary_key_name)
            && en != an
        {
            self.push(
                object,
                Change::Name,
                Some(en.clone()),
                Some(an.clone()),
                Some(since),
            );
        }
    }

    /// The columns a foreign key references: as declared, or the referenced table's
    /// primary key when the declaration names none.
    fn referenced(schema: &Schema, table: &str, declared: &[String]) -> Vec<String> {
        if !declared.is_empty() {
            return declared.to_vec();
        }
        schema
            .tables
            .get(table)
            .and_then(|t| t.primary_key.clone())
            .unwrap_or_default()
    }

    fn keyed(&self, schema: &Schema, t: &Table) -> [Vec<Keyed>; 3] {
        let unique = t
            .unique
            .iter()
            .map(|u| Keyed {
                name: u.name.clone(),
                definition: format!("({})", u.columns.join(", ")),
                since: Some(u.provenance.last_changed.clone()),
            })
            .collect();
        let fks = t
            .foreign_keys
            .iter()
            .map(|fk| {
                let mut definition = format!(
                    "({}) REFERENCES {} ({})",
                    fk.columns.join(", "),
                    fk.foreign_table,
                    Self::referenced(schema, &fk.foreign_table, &fk.foreign_columns).join(", ")
                );
                for (clause, action) in [("ON DELETE", fk.on_delete), ("ON UPDATE", fk.on_update)] {
                    if action != default_action(self.dialect) {
                        definition.push_str(&format!(" {clause} {}", action_sql(action)));
                    }
                }
                Keyed {
                    name: fk.name.clone(),
                    definition,
                    since: Some(fk.provenance.last_changed.clone()),
                }
            })
            .collect();
        let checks = t
            .checks
            .iter()
            .map(|c| Keyed {
                name: c.name.clone(),
                definition: format!("CHECK ({})", self.norm(&c.expr)),
                since: Some(c.provenance.last_changed.clone()),
            })
            .collect();
        [unique, fks, checks]
    }

    fn constraints(&mut self, e: &Table, a: &Table) {
        let [eu, ef, ec] = self.keyed(self.expected, e);
        let [au, af, ac] = self.keyed(self.actual, a);
        let table = e.name.clone();
        let make = |kind: usize| {
            let table = table.clone();
            move |name: String| match kind {
                0 => Object::Unique {
                    table: table.clone(),
                    name,
                },
                1 => Object::ForeignKey {
                    table: table.clone(),
                    name,
                },
                _ => Object::Check {
                    table: table.clone(),
                    name,
                },
            }
        };
        self.match_keyed(eu, au, make(0));
        self.match_keyed(ef, af, make(1));
        self.match_keyed(ec, ac, make(2));
    }

    /// Matches constraints by name, then unnamed ones (and renamed ones) by definition.
    fn match_keyed(
        &mut self,
        expected: Vec<Keyed>,
        actual: Vec<Keyed>,
        object: impl Fn(String) -> Object,
    ) {
        let mut actual: Vec<Option<Keyed>> = actual.into_iter().map(Some).collect();
        let mut unmatched = Vec::new();
        // By name.
        for e in expected {
            let hit = e.name.as_ref().and_then(|n| {
                actual
                    .iter()
                    .position(|a| a.as_ref().is_some_and(|a| a.name.as_ref() == Some(n)))
            });
            match hit {
                Some(i) => {
                    let a = actual[i].take().expect("matched once");
                    if a.definition != e.definition {
                        self.push(
                            object(e.name.clone().unwrap_or_default()),
                            Change::Definition,
                            Some(e.definition),
                            Some(a.definition),
                            e.since.as_ref(),
                        );
                    }
                }
                None => unmatched.push(e),
            }
        }
        // By definition: unnamed on either side is a match; two names are a rename.
        let mut missing = Vec::new();
        for e in unmatched {
            let hit = actual
                .iter()
                .position(|a| a.as_ref().is_some_and(|a| a.definition == e.definition));
            match hit {
                Some(i) => {
                    let a = actual[i].take().expect("matched once");
                    if let (Some(en), Some(an)) = (&e.name, &a.name)
                        && en != an
                    {
                        self.push(
                            object(en.clone()),
                            Change::Name,
                            Some(en.clone()),
                            Some(an.clone()),
                            e.since.as_ref(),
                        );
                    }
                }
                None => missing.push(e),
            }
        }
        for e in missing {
            let name = e.name.clone().unwrap_or_else(|| e.definition.clone());
            self.push(
                object(name),
                Change::Missing,
                Some(e.definition),
                None,
                e.since.as_ref(),
            );
        }
        for a in actual.into_iter().flatten() {
            let name = a.name.clone().unwrap_or_else(|| a.definition.clone());
            self.push(object(name), Change::Extra, None, Some(a.definition), None);
        }
    }

    /// Indexes that are not the unique constraints already compared with their table.
    fn plain_indexes(schema: &Schema) -> BTreeMap<String, Index> {
        schema
            .indexes
            .iter()
            .filter(|(_, ix)| {
                !(ix.unique
                    && ix.predicate.is_none()
                    && schema.tables.get(&ix.table).is_some_and(|t| {
                        t.unique.iter().any(|u| {
                            u.name.as_deref() == Some(unqualified(&ix.name))
                                || u.name.as_deref() == Some(ix.name.as_str())
                        })
                    }))
            })
            .map(|(k, ix)| (k.clone(), ix.clone()))
            .collect()
    }

    fn index_definition(&self, ix: &Index) -> String {
        let columns: Vec<String> = ix.columns.iter().map(|c| self.norm(c)).collect();
        let mut s = format!(
            "{}INDEX ON {} ({})",
            if ix.unique { "UNIQUE " } else { "" },
            ix.table,
            columns.join(", ")
        );
        if let Some(p) = &ix.predicate {
            s.push_str(" WHERE ");
            s.push_str(&self.norm(p));
        }
        s
    }

    fn indexes(&mut self) {
        let expected = Self::plain_indexes(self.expected);
        let actual = Self::plain_indexes(self.actual);
        // Indexes of a missing or extra table are part of that difference.
        let tables_in_both = |ix: &Index| {
            self.expected.tables.contains_key(&ix.table)
                == self.actual.tables.contains_key(&ix.table)
        };
        let (both, missing, extra) = pair(&expected, &actual);
        let mut diffs = Vec::new();
        let mut lost: Vec<&Index> = missing
            .into_iter()
            .filter(|ix| tables_in_both(ix))
            .collect();
        let mut found: Vec<&Index> = extra
            .into_iter()
            .filter(|ix| tables_in_both(ix) && !self.implied_by_foreign_key(ix))
            .collect();
        for (e, a) in both {
            let (ed, ad) = (self.index_definition(e), self.index_definition(a));
            if ed != ad {
                diffs.push((
                    Object::Index {
                        table: e.table.clone(),
                        name: e.name.clone(),
                    },
                    Change::Definition,
                    Some(ed),
                    Some(ad),
                    Some(e.provenance.last_changed.clone()),
                ));
            }
        }
        // Same definition under another name: renamed.
        lost.retain(|e| {
            let ed = self.index_definition(e);
            match found.iter().position(|a| self.index_definition(a) == ed) {
                Some(i) => {
                    let a = found.remove(i);
                    diffs.push((
                        Object::Index {
                            table: e.table.clone(),
                            name: e.name.clone(),
                        },
                        Change::Name,
                        Some(e.name.clone()),
                        Some(a.name.clone()),
                        Some(e.provenance.last_changed.clone()),
                    ));
                    false
                }
                None => true,
            }
        });
        for e in lost {
            diffs.push((
                Object::Index {
                    table: e.table.clone(),
                    name: e.name.clone(),
                },
                Change::Missing,
                Some(self.index_definition(e)),
                None,
                Some(e.provenance.created.clone()),
            ));
        }
        for a in found {
            diffs.push((
                Object::Index {
                    table: a.table.clone(),
                    name: a.name.clone(),
                },
                Change::Extra,
                None,
                Some(self.index_definition(a)),
                None,
            ));
        }
        for (object, change, expected, actual, since) in diffs {
            self.push(object, change, expected, actual, since.as_ref());
        }
    }

    /// MySQL/MariaDB (InnoDB) create an index for a foreign key that no index starts with,
    /// named after the constraint (or, unnamed, its first column): such an index in the
    /// database is the migrations' foreign key, not drift.
    fn implied_by_foreign_key(&self, ix: &Index) -> bool {
        if self.dialect != Dialect::Mysql || ix.unique {
            return false;
        }
        let Some(t) = self.expected.tables.get(&ix.table) else {
            return false;
        };
        let starts_with = |cols: &[String], fk: &[String]| {
            cols.len() >= fk.len() && cols.iter().zip(fk).all(|(a, b)| a.eq_ignore_ascii_case(b))
        };
        t.foreign_keys.iter().any(|fk| {
            let named = fk.name.as_deref() == Some(ix.name.as_str())
                || fk
                    .columns
                    .first()
                    .is_some_and(|c| c.eq_ignore_ascii_case(&ix.name));
            let covered_elsewhere = t
                .primary_key
                .as_deref()
                .is_some_and(|pk| starts_with(pk, &fk.columns))
                || t.unique
                    .iter()
                    .any(|u| starts_with(&u.columns, &fk.columns))
                || self.expected.indexes.values().any(|other| {
                    other.table == ix.table && starts_with(&other.columns, &fk.columns)
                });
            named && !covered_elsewhere && same_names(&ix.columns, &fk.columns)
        })
    }

    fn enums(&mut self) {
        let show = |v: &[String]| {
            v.iter()
                .map(|l| format!("'{}'", l.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (both, missing, extra) = pair(&self.expected.enums, &self.actual.enums);
        for e in missing {
            self.push(
                Object::Enum {
                    name: e.name.clone(),
                },
                Change::Missing,
                Some(show(&e.values)),
                None,
                Some(&e.provenance.created),
            );
        }
        for a in extra {
            self.push(
                Object::Enum {
                    name: a.name.clone(),
                },
                Change::Extra,
                None,
                Some(show(&a.values)),
                None,
            );
        }
        for (e, a) in both {
            if e.values != a.values {
                self.push(
                    Object::Enum {
                        name: e.name.clone(),
                    },
                    Change::Values,
                    Some(show(&e.values)),
                    Some(show(&a.values)),
                    Some(&e.provenance.last_changed),
                );
            }
        }
    }

    fn domains(&mut self) {
        let show = |d: &crate::model::Domain| {
            format!(
                "{}{}",
                d.base.canonical,
                if d.not_null { " NOT NULL" } else { "" }
            )
        };
        let (both, missing, extra) = pair(&self.expected.domains, &self.actual.domains);
        for e in missing {
            self.push(
                Object::Domain {
                    name: e.name.clone(),
                },
                Change::Missing,
                Some(show(e)),
                None,
                Some(&e.provenance.created),
            );
        }
        for a in extra {
            self.push(
                Object::Domain {
                    name: a.name.clone(),
                },
                Change::Extra,
                None,
                Some(show(a)),
                None,
            );
        }
        for (e, a) in both {
            if show(e) != show(a) {
                self.push(
                    Object::Domain {
                        name: e.name.clone(),
                    },
                    Change::Definition,
                    Some(show(e)),
                    Some(show(a)),
                    Some(&e.provenance.last_changed),
                );
            }
        }
    }

    fn views(&mut self) {
        let show = |m: bool| if m { "materialized view" } else { "view" }.to_string();
        let (both, missing, extra) = pair(&self.expected.views, &self.actual.views);
        for e in missing {
            self.push(
                Object::View {
                    name: e.name.clone(),
                },
                Change::Missing,
                Some(show(e.materialized)),
                None,
                Some(&e.provenance.created),
            );
        }
        for a in extra {
            self.push(
                Object::View {
                    name: a.name.clone(),
                },
                Change::Extra,
                None,
                Some(show(a.materialized)),
                None,
            );
        }
        for (e, a) in both {
            if e.materialized != a.materialized {
                self.push(
                    Object::View {
                        name: e.name.clone(),
                    },
                    Change::Materialized,
                    Some(show(e.materialized)),
                    Some(show(a.materialized)),
                    Some(&e.provenance.last_changed),
                );
            }
        }
    }
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The action a foreign key has when none is written, as the dialect's server reports it.
pub fn default_action(dialect: Dialect) -> ReferentialAction {
    match dialect {
        Dialect::Mysql => ReferentialAction::Restrict,
        Dialect::Postgres | Dialect::Sqlite => ReferentialAction::NoAction,
    }
}

/// The SQL spelling of a referential action.
pub fn action_sql(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

/// `name` without a `schema.` prefix.
fn unqualified(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// A column as one line: `type [NOT NULL] [DEFAULT expr]`.
pub fn column_summary(c: &Column) -> String {
    let mut s = c.ty.canonical.clone();
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(d);
    }
    s
}

/// A table as one line: its columns.
fn table_summary(t: &Table) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("{} {}", c.name, column_summary(c)))
        .collect();
    format!("({})", cols.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::Replayer;
    use crate::statement::Statement;

    fn schema(dialect: Dialect, sql: &str) -> Schema {
        let mut r = Replayer::new(dialect);
        for (i, text) in sql.split(';').filter(|s| !s.trim().is_empty()).enumerate() {
            let at = Location {
                file: "0001_init.sql".into(),
                line: i as u32 + 1,
                column: 1,
            };
            r.apply(&Statement {
                text: text.trim().into(),
                at,
                source_line: text.trim().into(),
            });
        }
        let out = r.finish();
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        out.schema
    }

    fn changes(dialect: Dialect, expected: &str, actual: &str) -> Vec<(Object, Change)> {
        let options = DiffOptions {
            dialect,
            ..Default::default()
        };
        diff(
            &schema(dialect, expected),
            &schema(dialect, actual),
            &options,
        )
        .into_iter()
        .map(|d| (d.object, d.change))
        .collect()
    }

    const BASE: &str = "CREATE TYPE mood AS ENUM ('sad', 'ok');
        CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, m mood DEFAULT 'ok');
        CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id),
            total numeric(10,2) CHECK (total >= 0), note varchar(20) DEFAULT 'x');
        CREATE INDEX orders_note_idx ON orders (lower(note)) WHERE note IS NOT NULL;
        CREATE VIEW big AS SELECT 1";

    fn col(t: &str, c: &str) -> Object {
        Object::Column {
            table: t.into(),
            column: c.into(),
        }
    }

    #[test]
    fn identical_schemas_and_column_order_are_not_drift() {
        assert!(changes(Dialect::Postgres, BASE, BASE).is_empty());
        let reordered = BASE.replace(
            "total numeric(10,2) CHECK (total >= 0), note varchar(20) DEFAULT 'x'",
            "note varchar(20) DEFAULT 'x', total numeric(10,2) CHECK (total >= 0)",
        );
        assert!(changes(Dialect::Postgres, BASE, &reordered).is_empty());
    }

    #[test]
    fn every_kind_of_column_drift_is_reported() {
        let pg = Dialect::Postgres;
        let actual = BASE
            .replace(
                "note varchar(20) DEFAULT 'x'",
                "note varchar(30) DEFAULT 'y'",
            )
            .replace(
                "email text NOT NULL UNIQUE",
                "email text UNIQUE, legacy int",
            );
        let found = changes(pg, BASE, &actual);
        assert!(
            found.contains(&(col("orders", "note"), Change::Type)),
            "{found:?}"
        );
        assert!(found.contains(&(col("orders", "note"), Change::Default)));
        assert!(found.contains(&(col("users", "email"), Change::Nullability)));
        assert!(found.contains(&(col("users", "legacy"), Change::Extra)));
        assert_eq!(found.len(), 4, "{found:?}");
        let dropped = BASE.replace(", m mood DEFAULT 'ok'", "");
        assert_eq!(
            changes(pg, BASE, &dropped),
            [(col("users", "m"), Change::Missing)]
        );
    }

    #[test]
    fn keys_constraints_indexes_enums_and_views_are_compared() {
        let pg = Dialect::Postgres;
        let actual = BASE
            .replace("('sad', 'ok')", "('sad', 'ok', 'glad')")
            .replace("CHECK (total >= 0)", "CHECK (total > 0)")
            .replace(
                "REFERENCES users (id)",
                "REFERENCES users (id) ON DELETE CASCADE",
            )
            .replace("WHERE note IS NOT NULL", "")
            .replace("CREATE VIEW big AS SELECT 1", "CREATE TABLE extra (x int)");
        let found = changes(pg, BASE, &actual);
        let expect = [
            (
                Object::Enum {
                    name: "mood".into(),
                },
                Change::Values,
            ),
            (
                Object::Check {
                    table: "orders".into(),
                    name: "orders_total_check".into(),
                },
                Change::Definition,
            ),
            (
                Object::ForeignKey {
                    table: "orders".into(),
                    name: "orders_user_id_fkey".into(),
                },
                Change::Definition,
            ),
            (
                Object::Index {
                    table: "orders".into(),
                    name: "orders_note_idx".into(),
                },
                Change::Definition,
            ),
            (Object::View { name: "big".into() }, Change::Missing),
            (
                Object::Table {
                    table: "extra".into(),
                },
                Change::Extra,
            ),
        ];
        for e in &expect {
            assert!(found.contains(e), "{e:?} not in {found:?}");
        }
        assert_eq!(found.len(), expect.len(), "{found:?}");
    }

    #[test]
    fn constraint_names_are_compared_and_renames_recognised() {
        let pg = Dialect::Postgres;
        let renamed =
            format!("{BASE}; ALTER TABLE users RENAME CONSTRAINT users_email_key TO u_email");
        assert_eq!(
            changes(pg, BASE, &renamed),
            [(
                Object::Unique {
                    table: "users".into(),
                    name: "users_email_key".into()
                },
                Change::Name
            )]
        );
        let pk = format!("{BASE}; ALTER TABLE users RENAME CONSTRAINT users_pkey TO users_pk");
        assert_eq!(
            changes(pg, BASE, &pk),
            [(
                Object::PrimaryKey {
                    table: "users".into()
                },
                Change::Name
            )]
        );
    }

    #[test]
    fn ignored_objects_and_tool_tables_are_left_out() {
        let pg = Dialect::Postgres;
        let actual = format!(
            "{BASE}; CREATE TABLE _sqlx_migrations (version bigint); CREATE TABLE audit_x (a int)"
        );
        let options = DiffOptions {
            dialect: pg,
            ignore: Ignore::new(["audit_*"]).unwrap(),
        };
        assert!(diff(&schema(pg, BASE), &schema(pg, &actual), &options).is_empty());
    }

    #[test]
    fn mysql_unnamed_constraints_match_by_definition() {
        let my = Dialect::Mysql;
        let expected = "CREATE TABLE t (id int PRIMARY KEY, a int, CHECK (a > 0))";
        let mut actual = schema(my, expected);
        actual.tables.get_mut("t").unwrap().checks[0].name = Some("CONSTRAINT_1".into());
        let options = DiffOptions {
            dialect: my,
            ..Default::default()
        };
        assert!(diff(&schema(my, expected), &actual, &options).is_empty());
    }
}
