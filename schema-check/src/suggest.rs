//! "Did you mean" suggestions and explanations of where a table or column went, from the
//! schema's drop/rename history.

use crate::model::{HistoryEvent, Location, Provenance};

/// The candidate closest to `name` by edit distance, if it is close enough to be a typo
/// (ignoring case).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Edit distance over chars, counting a swap of adjacent characters as one edit
/// (optimal string alignment), so `emial` is one edit from `email`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// A place in a migration, as `file:line`.
pub fn at(loc: &Location) -> String {
    format!("{}:{}", loc.file, loc.line)
}

/// `created in <file:line>`, and `, last changed in <file:line>` when that differs.
pub fn history(p: &Provenance) -> String {
    if p.created == p.last_changed {
        format!("created in {}", at(&p.created))
    } else {
        format!(
            "created in {}, last changed in {}",
            at(&p.created),
            at(&p.last_changed)
        )
    }
}

/// What became of a table that is not in the schema: the last drop or rename of `table`.
pub fn table_fate(
    history: &[HistoryEvent],
    table: &str,
    eq: impl Fn(&str, &str) -> bool,
) -> Option<String> {
    history.iter().rev().find_map(|e| match e {
        HistoryEvent::TableDropped { table: t, at: loc } if eq(t, table) => {
            Some(format!("table `{t}` was dropped in {}", at(loc)))
        }
        HistoryEvent::TableRenamed { from, to, at: loc } if eq(from, table) => Some(format!(
            "table `{from}` was renamed to `{to}` in {}; write `#[cache(table = \"{to}\")]`",
            at(loc)
        )),
        HistoryEvent::TableUnknown { table: t, at: loc } if eq(t, table) => Some(format!(
            "table `{t}` is created in {} by `CREATE TABLE ... AS SELECT`, whose columns the \
             replay cannot know: create it with explicit column definitions, then fill it with \
             INSERT INTO ... SELECT",
            at(loc)
        )),
        _ => None,
    })
}

/// What became of a column that is not in `table`: its last drop or rename (the table under
/// any of its former names).
pub fn column_fate(
    history: &[HistoryEvent],
    table_names: &[String],
    column: &str,
    eq: impl Fn(&str, &str) -> bool,
) -> Option<(String, Option<String>)> {
    let in_table = |t: &str| table_names.iter().any(|n| eq(n, t));
    history.iter().rev().find_map(|e| match e {
        HistoryEvent::ColumnDropped {
            table,
            column: c,
            at: loc,
        } if in_table(table) && eq(c, column) => {
            Some((format!("column `{c}` was dropped in {}", at(loc)), None))
        }
        HistoryEvent::ColumnRenamed {
            table,
            from,
            to,
            at: loc,
        } if in_table(table) && eq(from, column) => Some((
            format!("column `{from}` was renamed to `{to}` in {}", at(loc)),
            Some(to.clone()),
        )),
        _ => None,
    })
}

/// `table` and every name it had before renames, newest first.
pub fn former_names(history: &[HistoryEvent], table: &str) -> Vec<String> {
    let mut names = vec![table.to_string()];
    for e in history.iter().rev() {
        if let HistoryEvent::TableRenamed { from, to, .. } = e
            && names.last().is_some_and(|n| n == to)
        {
            names.push(from.clone());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["email", "name", "created_at"];
        assert_eq!(closest("emial", names), Some("email"));
        assert_eq!(closest("Name", names), Some("name"));
        assert_eq!(closest("created", names), None);
        assert_eq!(closest("zzz", names), None);
    }

    #[test]
    fn follows_renames_back() {
        let loc = Location {
            file: "m/1.sql".into(),
            line: 1,
            column: 1,
        };
        let history = vec![
            HistoryEvent::TableRenamed {
                from: "a".into(),
                to: "b".into(),
                at: loc.clone(),
            },
            HistoryEvent::TableRenamed {
                from: "b".into(),
                to: "c".into(),
                at: loc.clone(),
            },
            HistoryEvent::ColumnRenamed {
                table: "a".into(),
                from: "x".into(),
                to: "y".into(),
                at: loc,
            },
        ];
        assert_eq!(former_names(&history, "c"), ["c", "b", "a"]);
        let names = former_names(&history, "c");
        let fate = column_fate(&history, &names, "x", |a, b| a == b).unwrap();
        assert_eq!(fate.0, "column `x` was renamed to `y` in m/1.sql:1");
        assert_eq!(fate.1.as_deref(), Some("y"));
    }
}
