//! A fresh, uniquely named PostgreSQL database per test, dropped (even on panic) when the
//! guard goes out of scope.

use postgres::{Client, NoTls};

use crate::naming::unique_db_name;
use crate::observed::{ObservedColumn, ObservedSchema, ObservedTable};

/// Connection parameters of the server (`CC_TEST_POSTGRES` overrides the default
/// `host=127.0.0.1 port=5432 user=postgres`).
pub fn server_params() -> String {
    std::env::var("CC_TEST_POSTGRES")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres".to_string())
}

fn connect(params: &str, dbname: &str) -> Result<Client, String> {
    Client::connect(&format!("{params} dbname={dbname}"), NoTls).map_err(|e| {
        format!(
            "PostgreSQL is not reachable at `{params}` (database {dbname}): {e}\n\
             start it with `service postgresql start` (or set CC_TEST_POSTGRES to \
             libpq-style connection parameters); these tests need it"
        )
    })
}

/// A throw-away database on the PostgreSQL server.
pub struct PgDatabase {
    name: String,
    params: String,
    client: Option<Client>,
}

impl PgDatabase {
    /// Creates a new empty database and connects to it.
    pub fn create() -> Result<Self, String> {
        Self::create_on(&server_params())
    }

    /// Like [`PgDatabase::create`], on the server at `params` (libpq-style).
    pub fn create_on(params: &str) -> Result<Self, String> {
        let name = unique_db_name();
        let mut admin = connect(params, "postgres")?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("cannot create PostgreSQL database {name}: {e}"))?;
        // From here on the guard owns the database and drops it.
        let mut db = PgDatabase {
            name,
            params: params.to_string(),
            client: None,
        };
        db.client = Some(connect(params, &db.name)?);
        Ok(db)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection.
    pub fn client(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("connected while the guard lives")
    }

    /// Runs `sql` like diesel and sqlx do: the whole file in one simple-query round trip
    /// (`batch_execute`), which PostgreSQL runs as one implicit transaction unless the file
    /// manages its own.
    pub fn execute(&mut self, sql: &str, origin: &str) -> Result<(), String> {
        self.client().batch_execute(sql).map_err(|e| {
            let detail = e
                .as_db_error()
                .map(|d| {
                    let pos = match d.position() {
                        Some(postgres::error::ErrorPosition::Original(p)) => {
                            let p = *p as usize;
                            let line = sql
                                .get(..p.saturating_sub(1))
                                .map_or(0, |s| s.lines().count());
                            format!(" (near line {})", line.max(1))
                        }
                        _ => String::new(),
                    };
                    format!("{}{pos}", d.message())
                })
                .unwrap_or_else(|| e.to_string());
            format!("PostgreSQL rejected {origin}: {detail}")
        })
    }

    /// What the server built: user tables (schema-qualified outside `public`), columns in
    /// order with `format_type(atttypid, atttypmod)` and `attnotnull`, and primary keys.
    /// Objects that belong to extensions are left out.
    pub fn introspect(&mut self) -> Result<ObservedSchema, String> {
        let err = |e: postgres::Error| format!("introspecting PostgreSQL failed: {e}");
        let client = self.client();
        // format_type qualifies names by the session's search_path; a migration may have
        // changed it, so read types as a fresh session would.
        client.batch_execute("RESET search_path").map_err(err)?;
        let mut schema = ObservedSchema::default();
        let tables = client
            .query(
                "SELECT c.oid, CASE WHEN n.nspname = 'public' THEN c.relname::text \
                        ELSE n.nspname || '.' || c.relname END \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p') \
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' \
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
                                   AND d.objid = c.oid AND d.deptype = 'e')",
                &[],
            )
            .map_err(err)?;
        let mut by_oid = std::collections::HashMap::new();
        for row in tables {
            let oid: u32 = row.get(0);
            let name: String = row.get(1);
            by_oid.insert(oid, name.clone());
            schema.tables.insert(name, ObservedTable::default());
        }
        let views = client
            .query(
                "SELECT c.oid, CASE WHEN n.nspname = 'public' THEN c.relname::text \
                        ELSE n.nspname || '.' || c.relname END \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('v', 'm') \
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
                   AND n.nspname NOT LIKE 'pg\\_temp%' \
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass \
                                   AND d.objid = c.oid AND d.deptype = 'e')",
                &[],
            )
            .map_err(err)?;
        let mut relations = by_oid.clone();
        for row in views {
            let name: String = row.get(1);
            relations.insert(row.get::<_, u32>(0), name.clone());
            schema.views.insert(name);
        }
        let columns = client
            .query(
                "SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull \
                 FROM pg_attribute a \
                 WHERE a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attrelid, a.attnum",
                &[],
            )
            .map_err(err)?;
        for row in columns {
            let oid: u32 = row.get(0);
            if let Some(table) = by_oid.get(&oid) {
                let not_null: bool = row.get(3);
                schema
                    .tables
                    .get_mut(table)
                    .expect("listed")
                    .columns
                    .push(ObservedColumn {
                        name: row.get(1),
                        ty: row.get(2),
                        nullable: !not_null,
                    });
            }
        }
        let pks = client
            .query(
                "SELECT c.conrelid, a.attname::text \
                 FROM pg_constraint c \
                 CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                 WHERE c.contype = 'p' ORDER BY c.conrelid, k.ord",
                &[],
            )
            .map_err(err)?;
        for row in pks {
            let oid: u32 = row.get(0);
            if let Some(table) = by_oid.get(&oid) {
                let t = schema.tables.get_mut(table).expect("listed");
                t.primary_key.get_or_insert_with(Vec::new).push(row.get(1));
            }
        }
        // Constraint names (domains' constraints have no relation), and the indexes that
        // back no PRIMARY KEY, UNIQUE or EXCLUDE constraint (a foreign key's conindid is
        // the referenced table's index, not one of its own).
        let constraints = client
            .query(
                "SELECT conrelid, CASE contype WHEN 'p' THEN 'primary' WHEN 'u' THEN 'unique' \
                        WHEN 'c' THEN 'check' ELSE 'foreign' END, conname::text \
                 FROM pg_constraint WHERE contype IN ('p', 'u', 'c', 'f') AND conrelid <> 0",
                &[],
            )
            .map_err(err)?;
        for row in constraints {
            if let Some(table) = by_oid.get(&row.get::<_, u32>(0)) {
                schema
                    .constraints
                    .insert((table.clone(), row.get(1), row.get(2)));
            }
        }
        let indexes = client
            .query(
                "SELECT i.indrelid, CASE WHEN n.nspname = 'public' THEN c.relname::text \
                        ELSE n.nspname || '.' || c.relname END \
                 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid \
                                   AND k.contype IN ('p', 'u', 'x'))",
                &[],
            )
            .map_err(err)?;
        for row in indexes {
            if let Some(rel) = relations.get(&row.get::<_, u32>(0)) {
                schema.indexes.insert((rel.clone(), row.get(1)));
            }
        }
        Ok(schema)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Close our own session first, then force out any other (e.g. a leaked one).
        drop(self.client.take());
        let result = connect(&self.params, "postgres").and_then(|mut admin| {
            admin
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .map_err(|e| e.to_string())
        });
        if let Err(e) = result {
            eprintln!(
                "warning: could not drop PostgreSQL database {}: {e}",
                self.name
            );
        }
    }
}
