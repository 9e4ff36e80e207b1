//! A readable comparison of two [`ObservedSchema`]s (replay vs database, expected file vs
//! database, model vs database), with the replay's provenance when there is one.

use std::fmt;

use schema_check::Schema;

use crate::observed::{ObservedSchema, ObservedTable};

/// One disagreement between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The table concerned.
    pub table: String,
    /// The column concerned, when the difference is about one column.
    pub column: Option<String>,
    /// What differs (e.g. "type", "nullability", "column order").
    pub what: String,
    /// The left side's value (`-` when absent).
    pub left: String,
    /// The right side's value (`-` when absent).
    pub right: String,
    /// Where the replay created or last changed the object, when known.
    pub provenance: Option<String>,
}

/// All differences between two schemas, with the names of the two sides.
#[derive(Debug, Clone)]
pub struct Report {
    /// Name of the left side (e.g. "replay").
    pub left: String,
    /// Name of the right side (e.g. "postgres").
    pub right: String,
    /// The differences, table by table.
    pub differences: Vec<Difference>,
}

impl Report {
    /// `true` when the two sides agree on everything compared.
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Compares every table, column (and column order), type, nullability and primary key,
/// every view, and every index and constraint name.
/// `replay` adds provenance (file:line) to differences about objects it knows.
///
/// ```
/// use cache_contract_tests::{ObservedSchema, diff::compare};
/// let a = ObservedSchema::parse("table t pk(id)\n  id integer not null\n", "a").unwrap();
/// let b = ObservedSchema::parse("table t pk(id)\n  id bigint not null\n", "b").unwrap();
/// assert!(compare("a", &a, "a", &a, None).is_empty());
/// let report = compare("replay", &a, "postgres", &b, None);
/// assert_eq!(report.differences.len(), 1);
/// assert!(report.to_string().contains("replay:   integer"));
/// ```
pub fn compare(
    left_name: &str,
    left: &ObservedSchema,
    right_name: &str,
    right: &ObservedSchema,
    replay: Option<&Schema>,
) -> Report {
    let mut differences = Vec::new();
    let names: std::collections::BTreeSet<&String> =
        left.tables.keys().chain(right.tables.keys()).collect();
    for name in names {
        let prov = |column: Option<&str>| provenance(replay, name, column);
        match (left.tables.get(name), right.tables.get(name)) {
            (Some(l), Some(r)) => compare_table(name, l, r, &prov, &mut differences),
            (l, r) => differences.push(Difference {
                table: name.clone(),
                column: None,
                what: "table exists on one side only".into(),
                left: presence(l.is_some()),
                right: presence(r.is_some()),
                provenance: prov(None),
            }),
        }
    }
    for view in left.views.symmetric_difference(&right.views) {
        differences.push(Difference {
            table: view.clone(),
            column: None,
            what: "view exists on one side only".into(),
            left: presence(left.views.contains(view)),
            right: presence(right.views.contains(view)),
            provenance: None,
        });
    }
    for (rel, name) in left.indexes.symmetric_difference(&right.indexes) {
        let key = (rel.clone(), name.clone());
        differences.push(Difference {
            table: rel.clone(),
            column: None,
            what: format!("index `{name}` exists on one side only"),
            left: presence(left.indexes.contains(&key)),
            right: presence(right.indexes.contains(&key)),
            provenance: index_provenance(replay, rel, name),
        });
    }
    for (rel, kind, name) in left.constraints.symmetric_difference(&right.constraints) {
        let key = (rel.clone(), kind.clone(), name.clone());
        differences.push(Difference {
            table: rel.clone(),
            column: None,
            what: format!("{kind} constraint `{name}` exists on one side only"),
            left: presence(left.constraints.contains(&key)),
            right: presence(right.constraints.contains(&key)),
            provenance: provenance(replay, rel, None),
        });
    }
    Report {
        left: left_name.to_string(),
        right: right_name.to_string(),
        differences,
    }
}

fn presence(present: bool) -> String {
    if present { "present" } else { "-" }.to_string()
}

fn compare_table(
    name: &str,
    l: &ObservedTable,
    r: &ObservedTable,
    prov: &dyn Fn(Option<&str>) -> Option<String>,
    out: &mut Vec<Difference>,
) {
    let mut push = |column: Option<&str>, what: &str, left: String, right: String| {
        out.push(Difference {
            table: name.to_string(),
            column: column.map(str::to_string),
            what: what.to_string(),
            left,
            right,
            provenance: prov(column),
        })
    };
    for lc in &l.columns {
        match r.columns.iter().find(|rc| rc.name == lc.name) {
            None => push(
                Some(&lc.name),
                "column exists on one side only",
                lc.ty.clone(),
                "-".into(),
            ),
            Some(rc) => {
                if lc.ty != rc.ty {
                    push(Some(&lc.name), "type", lc.ty.clone(), rc.ty.clone());
                }
                if lc.nullable != rc.nullable {
                    push(
                        Some(&lc.name),
                        "nullability",
                        null_word(lc.nullable),
                        null_word(rc.nullable),
                    );
                }
            }
        }
    }
    for rc in &r.columns {
        if !l.columns.iter().any(|lc| lc.name == rc.name) {
            push(
                Some(&rc.name),
                "column exists on one side only",
                "-".into(),
                rc.ty.clone(),
            );
        }
    }
    let order = |t: &ObservedTable| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (lo, ro) = (order(l), order(r));
    let same_set = lo.len() == ro.len() && lo.iter().all(|c| ro.contains(c));
    if same_set && lo != ro {
        push(None, "column order", lo.join(", "), ro.join(", "));
    }
    if l.primary_key != r.primary_key {
        let show = |pk: &Option<Vec<String>>| match pk {
            Some(cols) => format!("pk({})", cols.join(",")),
            None => "no primary key".to_string(),
        };
        push(
            None,
            "primary key",
            show(&l.primary_key),
            show(&r.primary_key),
        );
    }
}

fn null_word(nullable: bool) -> String {
    if nullable { "nullable" } else { "not null" }.to_string()
}

fn index_provenance(replay: Option<&Schema>, rel: &str, name: &str) -> Option<String> {
    let ix = replay?
        .indexes
        .values()
        .find(|ix| ix.table == rel && ix.name == name)?;
    Some(format!("index created at {}", ix.provenance.created))
}

fn provenance(replay: Option<&Schema>, table: &str, column: Option<&str>) -> Option<String> {
    let t = replay?.tables.get(table)?;
    match column {
        None => Some(format!(
            "table created at {}, last changed at {}",
            t.provenance.created, t.provenance.last_changed
        )),
        Some(c) => {
            let c = t.column(c)?;
            Some(format!(
                "column created at {}, last changed at {}",
                c.provenance.created, c.provenance.last_changed
            ))
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.differences.is_empty() {
            return writeln!(f, "{} and {} agree", self.left, self.right);
        }
        writeln!(
            f,
            "{} difference(s) between {} and {}:",
            self.differences.len(),
            self.left,
            self.right
        )?;
        let width = self.left.len().max(self.right.len()) + 1;
        for d in &self.differences {
            match &d.column {
                Some(c) => writeln!(f, "  {}.{}: {}", d.table, c, d.what)?,
                None => writeln!(f, "  {}: {}", d.table, d.what)?,
            }
            writeln!(f, "      {:width$} {}", format!("{}:", self.left), d.left)?;
            writeln!(f, "      {:width$} {}", format!("{}:", self.right), d.right)?;
            if let Some(p) = &d.provenance {
                writeln!(f, "      ({p})")?;
            }
        }
        Ok(())
    }
}
