//! SQLite introspection: pragmas for columns, keys and indexes; the statements SQLite keeps
//! in `sqlite_schema` for what no pragma reports (CHECK constraints, constraint names,
//! generated-column expressions, expression and partial index definitions).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{LiveError, live_provenance, quote_double, referential_action};
use crate::dialect::Dialect;
use crate::model::{Column, ForeignKey, Location, Schema, UniqueConstraint, UniqueKind};
use crate::replay::Replayer;
use crate::statement::Statement;

/// The files `path` names: itself, or every file its glob matches (sorted).
pub fn files(path: &Path) -> Result<Vec<String>, LiveError> {
    let text = path.to_string_lossy();
    if !text.contains(['*', '?', '[']) {
        if !path.is_file() {
            return Err(LiveError(format!(
                "SQLite database `{}` does not exist (drift never creates one)",
                path.display()
            )));
        }
        return Ok(vec![text.into_owned()]);
    }
    let found: Vec<PathBuf> = glob::glob(&text)
        .map_err(|e| LiveError(format!("invalid SQLite path pattern `{text}`: {}", e.msg)))?
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .collect();
    if found.is_empty() {
        return Err(LiveError(format!("no SQLite file matches `{text}`")));
    }
    let mut names: Vec<String> = found
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

fn fail(path: &Path, what: &str, e: &rusqlite::Error) -> LiveError {
    LiveError(format!("SQLite database {}: {what}: {e}", path.display()))
}

/// Introspects the SQLite file at `path`, opened read-only.
pub fn introspect(path: &Path) -> Result<Schema, LiveError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(path, "cannot open", &e))?;
    let err = |what: &'static str| move |e: rusqlite::Error| fail(path, what, &e);
    // One read transaction: one consistent view of the schema.
    conn.execute_batch("BEGIN")
        .map_err(err("starting a read transaction"))?;
    let result = read(path, &conn);
    conn.execute_batch("COMMIT")
        .map_err(err("ending the read transaction"))?;
    result
}

type XInfoRow = (String, String, bool, Option<String>, i64, i64);

fn read(path: &Path, conn: &Connection) -> Result<Schema, LiveError> {
    let err = |what: &'static str| move |e: rusqlite::Error| fail(path, what, &e);
    let mut stmt = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema \
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid",
        )
        .map_err(err("reading sqlite_schema"))?;
    let objects: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(err("reading sqlite_schema"))?
        .collect::<Result<_, _>>()
        .map_err(err("reading sqlite_schema"))?;
    // What SQLite keeps is the statements themselves: read them with the replay's parser.
    let mut replayer = Replayer::new(Dialect::Sqlite);
    for (kind, name, sql) in &objects {
        if kind == "trigger" {
            continue;
        }
        let at = Location {
            file: format!("sqlite_schema({name})").into(),
            line: 1,
            column: 1,
        };
        replayer.apply(&Statement {
            text: sql.clone(),
            source_line: sql.lines().next().unwrap_or_default().to_string(),
            at,
        });
    }
    let parsed = replayer.finish();
    if let Some(e) = parsed.errors.first() {
        return Err(LiveError(format!(
            "SQLite database {}: cannot read a definition SQLite keeps: {}",
            path.display(),
            e.message
        )));
    }
    let mut schema = parsed.schema;
    schema.history.clear();
    for v in schema.views.values_mut() {
        v.provenance = live_provenance();
    }
    for e in schema.indexes.values_mut() {
        e.provenance = live_provenance();
    }
    let names: Vec<String> = schema.tables.keys().cloned().collect();
    for name in names {
        let quoted = quote_double(&name);
        let rows: Vec<XInfoRow> = conn
            .prepare(&format!("PRAGMA main.table_xinfo({quoted})"))
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect()
            })
            .map_err(err("reading columns"))?;
        let without_rowid: bool = conn
            .query_row(
                "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1",
                [&name],
                |r| r.get(0),
            )
            .map_err(err("reading the table list"))?;
        let index_list: Vec<(String, bool, String, bool)> = conn
            .prepare(&format!("PRAGMA main.index_list({quoted})"))
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                    .collect()
            })
            .map_err(err("reading indexes"))?;
        let mut pk: Vec<(i64, String)> = rows
            .iter()
            .filter(|r| r.4 > 0)
            .map(|r| (r.4, r.0.clone()))
            .collect();
        pk.sort();
        let pk_index = index_list.iter().any(|i| i.2 == "pk");
        let rowid_alias = pk.len() == 1 && !without_rowid && !pk_index;
        let table = schema.tables.get_mut(&name).expect("listed");
        let parsed_columns = std::mem::take(&mut table.columns);
        for (col, ty, notnull, default, pk_pos, hidden) in rows {
            if hidden == 1 {
                continue; // a virtual table's hidden column
            }
            let ty = ty
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_lowercase();
            let in_pk = pk_pos > 0;
            let never_null =
                notnull || (in_pk && without_rowid) || (in_pk && rowid_alias && ty == "integer");
            let parsed = parsed_columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&col));
            table.columns.push(Column {
                ty: super::reported_type(Dialect::Sqlite, &ty, &Schema::default()),
                name: col,
                nullable: !never_null,
                default,
                generated: parsed.and_then(|c| c.generated.clone()),
                provenance: live_provenance(),
            });
        }
        table.provenance = live_provenance();
        table.primary_key = (!pk.is_empty()).then(|| pk.into_iter().map(|(_, c)| c).collect());

        // Unique constraints: the pragma's column lists, the statement's names.
        let parsed_unique = std::mem::take(&mut table.unique);
        for (index, unique, origin, partial) in &index_list {
            let columns: Vec<Option<String>> = conn
                .prepare(&format!("PRAGMA main.index_info({})", quote_double(index)))
                .and_then(|mut s| s.query_map([], |r| r.get(2))?.collect())
                .map_err(err("reading index columns"))?;
            let plain: Option<Vec<String>> = columns.into_iter().collect();
            match origin.as_str() {
                "u" => {
                    let columns = plain.unwrap_or_default();
                    let name = parsed_unique
                        .iter()
                        .find(|u| same_list(&u.columns, &columns))
                        .and_then(|u| u.name.clone());
                    table.unique.push(UniqueConstraint {
                        name,
                        columns,
                        kind: UniqueKind::Constraint,
                        provenance: live_provenance(),
                    });
                }
                "c" => {
                    if let Some(ix) = schema.indexes.get_mut(index) {
                        ix.unique = *unique;
                        if let Some(cols) = &plain {
                            ix.columns = cols.clone();
                        }
                        if *unique
                            && !*partial
                            && let Some(cols) = plain
                        {
                            table.unique.push(UniqueConstraint {
                                name: Some(index.clone()),
                                columns: cols,
                                kind: UniqueKind::Index,
                                provenance: live_provenance(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }

        // Foreign keys: the pragma's columns and targets, the statement's names.
        type FkRow = (i64, String, String, Option<String>, String, String);
        let fk_rows: Vec<FkRow> = conn
            .prepare(&format!("PRAGMA main.foreign_key_list({quoted})"))
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(6)?,
                        r.get(5)?,
                    ))
                })?
                .collect()
            })
            .map_err(err("reading foreign keys"))?;
        let parsed_fks = std::mem::take(&mut table.foreign_keys);
        let mut fks: Vec<(i64, ForeignKey)> = Vec::new();
        for (id, target, from, to, on_delete, on_update) in fk_rows {
            match fks.iter_mut().find(|(i, _)| *i == id) {
                Some((_, fk)) => {
                    fk.columns.push(from);
                    fk.foreign_columns.extend(to);
                }
                None => fks.push((
                    id,
                    ForeignKey {
                        name: None,
                        columns: vec![from],
                        foreign_table: target,
                        foreign_columns: to.into_iter().collect(),
                        on_delete: referential_action(&on_delete),
                        on_update: referential_action(&on_update),
                        column: None,
                        provenance: live_provenance(),
                    },
                )),
            }
        }
        fks.sort_by_key(|(id, _)| -*id);
        for (_, mut fk) in fks {
            fk.name = parsed_fks
                .iter()
                .find(|p| {
                    same_list(&p.columns, &fk.columns)
                        && p.foreign_table.eq_ignore_ascii_case(&fk.foreign_table)
                })
                .and_then(|p| p.name.clone());
            table.foreign_keys.push(fk);
        }
    }
    Ok(schema)
}

fn same_list(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}
