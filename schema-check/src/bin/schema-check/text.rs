//! The human-readable schema, laid out like psql's `\d`.

use std::fmt::Write;
use std::path::Path;

use schema_check::hash::table_hash;
use schema_check::model::{Generated, HistoryEvent, Index};
use schema_check::{Column, Replay, Table};

use crate::json::hex;

/// Renders the schema; `only` restricts the output to one table.
pub fn render(replay: &Replay, dir: &Path, only: Option<&str>, verbose: bool) -> String {
    let mut out = String::new();
    let schema = &replay.schema;
    let _ = writeln!(
        out,
        "Schema replayed from {} ({}): {}, {}, {}, {}",
        dir.display(),
        replay.dialect,
        count(schema.tables.len(), "table"),
        count(schema.views.len(), "view"),
        count(schema.enums.len(), "enum"),
        count(schema.indexes.len(), "index"),
    );
    for table in schema.tables.values() {
        if only.is_none_or(|o| o == table.name) {
            out.push('\n');
            render_table(&mut out, table, replay, verbose);
        }
    }
    if only.is_none() {
        render_other_objects(&mut out, replay);
    }
    if verbose {
        render_verbose(&mut out, replay);
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{} replayed; {} skipped, {}, {} ignored{}",
        count(replay.migrations.len(), "migration"),
        count(replay.skipped.len(), "statement"),
        count(replay.warnings.len(), "warning"),
        count(replay.ignored.len(), "file"),
        if verbose
            || (replay.skipped.is_empty()
                && replay.ignored.is_empty()
                && replay.warnings.is_empty())
        {
            ""
        } else {
            " (--verbose lists them)"
        },
    );
    if !replay.errors.is_empty() {
        let _ = writeln!(
            out,
            "{} (printed to stderr): the schema above is what replayed up to each error",
            count(replay.errors.len(), "error"),
        );
    }
    out
}

fn count(n: usize, noun: &str) -> String {
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "index") => format!("{n} indexes"),
        _ => format!("{n} {noun}s"),
    }
}

fn render_table(out: &mut String, table: &Table, replay: &Replay, verbose: bool) {
    let _ = writeln!(out, "Table \"{}\"", table.name);
    let mut headers = vec!["Column", "Type", "Nullable", "Default"];
    if verbose {
        headers.push("Last changed");
    }
    let rows: Vec<Vec<String>> = table
        .columns
        .iter()
        .map(|c| {
            let mut row = vec![
                c.name.clone(),
                c.ty.to_string(),
                if c.nullable { "" } else { "not null" }.to_string(),
                default_text(c),
            ];
            if verbose {
                row.push(c.provenance.last_changed.to_string());
            }
            row
        })
        .collect();
    out.push_str(&grid(&headers, &rows));
    match &table.primary_key {
        Some(pk) => {
            let _ = writeln!(out, "Primary key: ({})", pk.join(", "));
        }
        None => out.push_str("Primary key: none\n"),
    }
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(out, "{title}:");
            for line in lines {
                let _ = writeln!(out, "    {line}");
            }
        }
    };
    section(
        "Unique constraints",
        table
            .unique
            .iter()
            .map(|u| {
                format!(
                    "{}({})",
                    name_prefix(u.name.as_deref()),
                    u.columns.join(", ")
                )
            })
            .collect(),
    );
    section(
        "Foreign keys",
        table
            .foreign_keys
            .iter()
            .map(|fk| {
                let target = if fk.foreign_columns.is_empty() {
                    fk.foreign_table.clone()
                } else {
                    format!("{}({})", fk.foreign_table, fk.foreign_columns.join(", "))
                };
                format!(
                    "{}({}) REFERENCES {target}",
                    name_prefix(fk.name.as_deref()),
                    fk.columns.join(", ")
                )
            })
            .collect(),
    );
    section(
        "Check constraints",
        table
            .checks
            .iter()
            .map(|c| format!("{}CHECK ({})", name_prefix(c.name.as_deref()), c.expr))
            .collect(),
    );
    section(
        "Indexes",
        replay
            .schema
            .indexes
            .values()
            .filter(|i| i.table == table.name)
            .map(index_text)
            .collect(),
    );
    let p = &table.provenance;
    let _ = writeln!(out, "Created:      {}", p.created);
    if p.last_changed != p.created {
        let _ = writeln!(out, "Last changed: {}", p.last_changed);
    }
    let _ = writeln!(out, "Hash:         {}", hex(&table_hash(table)));
}

fn name_prefix(name: Option<&str>) -> String {
    name.map(|n| format!("\"{n}\" ")).unwrap_or_default()
}

fn index_text(i: &Index) -> String {
    let mut s = format!(
        "\"{}\" {}({})",
        i.name,
        if i.unique { "UNIQUE " } else { "" },
        i.columns.join(", ")
    );
    if let Some(p) = &i.predicate {
        let _ = write!(s, " WHERE {p}");
    }
    s
}

fn default_text(c: &Column) -> String {
    let generated = c.generated.as_ref().map(|g| match g {
        Generated::Identity { always: true } => "generated always as identity".to_string(),
        Generated::Identity { always: false } => "generated by default as identity".to_string(),
        Generated::Expression { expr, stored } => format!(
            "generated always as ({expr}) {}",
            if *stored { "stored" } else { "virtual" }
        ),
    });
    [c.default.clone(), generated]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Views, enums, domains, and indexes on objects that are not tables.
fn render_other_objects(out: &mut String, replay: &Replay) {
    let schema = &replay.schema;
    let mut list = |title: &str, items: Vec<(String, String)>| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title}:");
        let width = items
            .iter()
            .map(|(a, _)| a.chars().count())
            .max()
            .unwrap_or(0);
        for (name, detail) in items {
            let pad = width - name.chars().count();
            let _ = writeln!(out, "    {name}{:pad$}  {detail}", "");
        }
    };
    list(
        "Views",
        schema
            .views
            .values()
            .map(|v| {
                let kind = if v.materialized {
                    " (materialized)"
                } else {
                    ""
                };
                (
                    format!("{}{kind}", v.name),
                    format!("created {}", v.provenance.created),
                )
            })
            .collect(),
    );
    list(
        "Enums",
        schema
            .enums
            .values()
            .map(|e| {
                let labels: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| format!("'{}'", v.replace('\'', "''")))
                    .collect();
                (
                    e.name.clone(),
                    format!("({})  {}", labels.join(", "), e.provenance.last_changed),
                )
            })
            .collect(),
    );
    list(
        "Domains",
        schema
            .domains
            .values()
            .map(|d| {
                let not_null = if d.not_null { " not null" } else { "" };
                (
                    d.name.clone(),
                    format!("{}{not_null}  {}", d.base, d.provenance.last_changed),
                )
            })
            .collect(),
    );
    list(
        "Indexes on other objects",
        schema
            .indexes
            .values()
            .filter(|i| !schema.tables.contains_key(&i.table))
            .map(|i| (format!("on {}", i.table), index_text(i)))
            .collect(),
    );
}

/// Migrations, history, skipped statements and ignored files.
fn render_verbose(out: &mut String, replay: &Replay) {
    let _ = writeln!(out, "\nMigrations ({}):", replay.migrations.len());
    let rows: Vec<Vec<String>> = replay
        .migrations
        .iter()
        .map(|m| {
            let version = m
                .version
                .as_ref()
                .map_or("(repeatable)".to_string(), |v| v.to_string());
            vec![version, m.display.clone()]
        })
        .collect();
    out.push_str(&indented(&columns(&rows)));
    if !replay.schema.history.is_empty() {
        let _ = writeln!(
            out,
            "\nDrops, renames and unknown tables ({}):",
            replay.schema.history.len()
        );
        let rows: Vec<Vec<String>> = replay
            .schema
            .history
            .iter()
            .map(|h| match h {
                HistoryEvent::TableDropped { table, at } => {
                    vec![at.to_string(), format!("table {table} dropped")]
                }
                HistoryEvent::TableRenamed { from, to, at } => {
                    vec![at.to_string(), format!("table {from} renamed to {to}")]
                }
                HistoryEvent::ColumnDropped { table, column, at } => {
                    vec![at.to_string(), format!("column {table}.{column} dropped")]
                }
                HistoryEvent::ColumnRenamed {
                    table,
                    from,
                    to,
                    at,
                } => {
                    vec![
                        at.to_string(),
                        format!("column {table}.{from} renamed to {to}"),
                    ]
                }
                HistoryEvent::TableUnknown { table, at } => vec![
                    at.to_string(),
                    format!("table {table} created by AS SELECT: columns unknown"),
                ],
            })
            .collect();
        out.push_str(&indented(&columns(&rows)));
    }
    let _ = writeln!(out, "\nSkipped statements ({}):", replay.skipped.len());
    let rows: Vec<Vec<String>> = replay
        .skipped
        .iter()
        .map(|s| {
            vec![
                s.at.to_string(),
                s.first_line.clone(),
                format!("({})", s.reason),
            ]
        })
        .collect();
    out.push_str(&indented(&columns(&rows)));
    let _ = writeln!(out, "\nWarnings ({}):", replay.warnings.len());
    let rows: Vec<Vec<String>> = replay
        .warnings
        .iter()
        .map(|w| {
            vec![
                w.location.to_string(),
                w.message.clone(),
                format!("({}: {})", w.cause_note, w.cause),
            ]
        })
        .collect();
    out.push_str(&indented(&columns(&rows)));
    let _ = writeln!(out, "\nIgnored files ({}):", replay.ignored.len());
    let rows: Vec<Vec<String>> = replay
        .ignored
        .iter()
        .map(|i| vec![i.file.clone(), i.reason.clone()])
        .collect();
    out.push_str(&indented(&columns(&rows)));
}

fn indented(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn widths(rows: &[Vec<String>], headers: &[&str]) -> Vec<usize> {
    let mut w: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i >= w.len() {
                w.push(0);
            }
            w[i] = w[i].max(cell.chars().count());
        }
    }
    w
}

fn pad(cell: &str, width: usize) -> String {
    let n = width.saturating_sub(cell.chars().count());
    format!("{cell}{:n$}", "")
}

/// Aligned columns separated by two spaces, no header.
fn columns(rows: &[Vec<String>]) -> String {
    let w = widths(rows, &[]);
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().enumerate().map(|(i, c)| pad(c, w[i])).collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// A psql-style grid: ` a | b ` rows under a `---+---` rule.
fn grid(headers: &[&str], rows: &[Vec<String>]) -> String {
    let w = widths(rows, headers);
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, w[i]))
            .collect();
        format!(" {}", padded.join(" | ")).trim_end().to_string() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    let rule: Vec<String> = w.iter().map(|&n| "-".repeat(n + 2)).collect();
    out.push_str(&rule.join("+"));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_aligns_by_characters() {
        let rows = vec![
            vec!["id".to_string(), "bigint".to_string()],
            vec!["naïve_name".to_string(), "text".to_string()],
        ];
        assert_eq!(
            grid(&["Column", "Type"], &rows),
            " Column     | Type\n------------+--------\n id         | bigint\n naïve_name | text\n"
        );
    }

    #[test]
    fn counts_pluralise() {
        assert_eq!(count(1, "index"), "1 index");
        assert_eq!(count(2, "index"), "2 indexes");
        assert_eq!(count(0, "table"), "0 tables");
    }
}
