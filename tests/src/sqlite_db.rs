//! A fresh SQLite database file per test (in its own temporary directory, removed when
//! the guard goes out of scope).

use rusqlite::Connection;

use crate::naming::unique_db_name;
use crate::observed::{ObservedColumn, ObservedSchema, ObservedTable};

/// A throw-away SQLite database.
pub struct SqliteDatabase {
    conn: Connection,
    path: std::path::PathBuf,
    // Declared last: dropped after the connection is closed.
    _dir: tempfile::TempDir,
}

impl SqliteDatabase {
    /// Creates a new empty database file.
    pub fn create() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
        let path = dir.path().join(format!("{}.sqlite", unique_db_name()));
        let conn = Connection::open(&path)
            .map_err(|e| format!("cannot create SQLite database {}: {e}", path.display()))?;
        // A throw-away file needs no durability; without fsyncs each DDL statement is
        // fast. (Schema semantics do not depend on it.)
        conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY;")
            .map_err(|e| format!("cannot configure SQLite database {}: {e}", path.display()))?;
        Ok(SqliteDatabase {
            conn,
            path,
            _dir: dir,
        })
    }

    /// The database file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs a whole file with `execute_batch`, as sqlx and diesel do for SQLite.
    pub fn execute(&self, sql: &str, origin: &str) -> Result<(), String> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| format!("SQLite rejected {origin}: {e}"))
    }

    /// What SQLite built: the ordinary tables of `main` from `PRAGMA table_list` (no
    /// virtual or shadow tables), columns from `PRAGMA table_xinfo` (generated columns
    /// included; declared type lower-cased with white space collapsed), primary keys in
    /// key order.
    ///
    /// Nullability is what a reader can observe: a column is `not null` when declared so,
    /// or when it is the rowid alias (`INTEGER PRIMARY KEY`, found by asking SQLite, not
    /// by reading the declaration) or a primary-key column of a `WITHOUT ROWID` table. Other primary-key columns accept NULL in SQLite (a
    /// long-standing quirk) and are reported as nullable.
    pub fn introspect(&self) -> Result<ObservedSchema, String> {
        let err = |e: rusqlite::Error| format!("introspecting SQLite failed: {e}");
        let mut schema = ObservedSchema::default();
        let names: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT name FROM pragma_table_list \
                     WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                )
                .map_err(err)?;
            stmt.query_map([], |r| r.get(0))
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?
        };
        schema.views = {
            let mut stmt = self
                .conn
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'view'")
                .map_err(err)?;
            stmt.query_map([], |r| r.get(0))
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?
        };
        // Explicit indexes (sql is NULL for the ones SQLite makes for PRIMARY KEY and
        // UNIQUE); SQLite keeps no constraint names in its catalog.
        {
            let mut stmt = self
                .conn
                .prepare("SELECT tbl_name, name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")
                .map_err(err)?;
            let rows: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?;
            schema.indexes.extend(rows);
        }
        for name in names {
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            // table_xinfo, unlike table_info, lists generated columns (hidden 2 and 3);
            // hidden 1 marks a virtual table's hidden columns.
            let rows: Vec<(String, String, bool, i64)> = {
                let mut stmt = self
                    .conn
                    .prepare(&format!("PRAGMA main.table_xinfo({quoted})"))
                    .map_err(err)?;
                let all: Vec<(String, String, bool, i64, i64)> = stmt
                    .query_map([], |r| {
                        Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?, r.get(6)?))
                    })
                    .map_err(err)?
                    .collect::<Result<_, _>>()
                    .map_err(err)?;
                all.into_iter()
                    .filter(|r| r.4 != 1)
                    .map(|(n, t, nn, pk, _)| (n, t, nn, pk))
                    .collect()
            };
            let without_rowid = self
                .conn
                .prepare(&format!("SELECT rowid FROM main.{quoted} LIMIT 0"))
                .is_err();
            let mut pk: Vec<(i64, String)> = rows
                .iter()
                .filter(|r| r.3 > 0)
                .map(|r| (r.3, r.0.clone()))
                .collect();
            pk.sort();
            // The rowid alias is the one primary key SQLite backs with no index of its own
            // (so `INTEGER PRIMARY KEY DESC`, which gets one, is not an alias).
            let pk_index: i64 = self
                .conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM pragma_index_list('{}') WHERE origin = 'pk'",
                        name.replace('\'', "''")
                    ),
                    [],
                    |r| r.get(0),
                )
                .map_err(err)?;
            let rowid_alias = pk.len() == 1 && !without_rowid && pk_index == 0;
            let columns = rows
                .iter()
                .map(|(col, ty, notnull, pk_pos)| {
                    let ty = canonical_declared_type(ty);
                    let in_pk = *pk_pos > 0;
                    let never_null = *notnull
                        || (in_pk && without_rowid)
                        || (in_pk && rowid_alias && ty == "integer");
                    ObservedColumn {
                        name: col.clone(),
                        ty,
                        nullable: !never_null,
                    }
                })
                .collect();
            let primary_key = (!pk.is_empty()).then(|| pk.into_iter().map(|p| p.1).collect());
            schema.tables.insert(
                name,
                ObservedTable {
                    columns,
                    primary_key,
                },
            );
        }
        Ok(schema)
    }
}

/// A declared type lower-cased with runs of white space collapsed to one space.
///
/// ```
/// use cache_contract_tests::sqlite_db::canonical_declared_type;
/// assert_eq!(canonical_declared_type("VARCHAR (255)"), "varchar (255)");
/// assert_eq!(canonical_declared_type("  Unsigned   BIG INT "), "unsigned big int");
/// ```
pub fn canonical_declared_type(ty: &str) -> String {
    ty.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
