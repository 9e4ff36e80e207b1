//! A fresh database of any dialect with a migration history applied the way the tools
//! apply it, read back through `schema_check::live` (what `schema-check drift` reads).

use std::path::Path;

use schema_check::Dialect;
use schema_check::drift::{DiffOptions, Difference, diff};
use schema_check::live::{DatabaseUrl, introspect_all};
use schema_check::model::Schema;
use schema_check::run::{ReplayOptions, replay_dir};

use crate::database::tool_of;
use crate::layout::{migration_files, read_sql};
use crate::mariadb_db::{MariaDatabase, server_url};
use crate::postgres_db::{PgDatabase, server_params};
use crate::sqlite_db::SqliteDatabase;

/// One throw-away database (dropped with the value, also on panic).
pub enum LiveDb {
    /// PostgreSQL.
    Postgres(PgDatabase),
    /// MariaDB.
    Mariadb(MariaDatabase),
    /// SQLite.
    Sqlite(SqliteDatabase),
}

/// A `postgres://` URL for the libpq-style parameters of [`server_params`] and `db`.
pub fn postgres_url(db: &str) -> String {
    let params = server_params();
    let get = |key: &str, default: &str| {
        params
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(String::from))
            .unwrap_or_else(|| default.to_string())
    };
    format!(
        "postgres://{}@{}:{}/{db}",
        get("user", "postgres"),
        get("host", "127.0.0.1"),
        get("port", "5432")
    )
}

impl LiveDb {
    /// A new empty database of `dialect`.
    pub fn create(dialect: Dialect) -> Result<Self, String> {
        Ok(match dialect {
            Dialect::Postgres => LiveDb::Postgres(PgDatabase::create()?),
            Dialect::Mysql => LiveDb::Mariadb(MariaDatabase::create()?),
            Dialect::Sqlite => LiveDb::Sqlite(SqliteDatabase::create()?),
        })
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        match self {
            LiveDb::Postgres(_) => Dialect::Postgres,
            LiveDb::Mariadb(_) => Dialect::Mysql,
            LiveDb::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// Runs `sql` (several statements) as the migration tools run a file.
    pub fn execute(&mut self, sql: &str, origin: &str) -> Result<(), String> {
        match self {
            LiveDb::Postgres(db) => db.execute(sql, origin),
            LiveDb::Mariadb(db) => db.execute(sql, origin),
            LiveDb::Sqlite(db) => db.execute(sql, origin),
        }
    }

    /// Applies every up-migration of `dir`, in the tools' order, after the tool's
    /// bookkeeping table (as the tools create it; drift leaves it out).
    pub fn apply_dir(&mut self, dir: &Path) -> Result<(), String> {
        let files = migration_files(dir)?;
        if let Some(tool) = tool_of(&files) {
            let dialect = self.dialect();
            self.execute(
                tool.create_sql(dialect),
                "the migration tool's bookkeeping table",
            )?;
        }
        for f in files {
            self.execute(&read_sql(&f)?, &f.display)?;
        }
        Ok(())
    }

    /// The URL `schema-check drift` takes for this database.
    pub fn url(&self) -> String {
        match self {
            LiveDb::Postgres(db) => postgres_url(db.name()),
            LiveDb::Mariadb(db) => format!("{}/{}", server_url().trim_end_matches('/'), db.name()),
            LiveDb::Sqlite(db) => format!("sqlite://{}", db.path().display()),
        }
    }

    /// What `schema_check::live` reads from the database.
    pub fn introspect(&self) -> Result<Schema, String> {
        let url = DatabaseUrl::parse(&self.url())?;
        let tenants = schema_check::live::list_tenants(&url, &Default::default())
            .map_err(|e| e.to_string())?;
        let mut all = introspect_all(&url, &tenants, 1, &|_| {});
        let (_, result) = all.pop().ok_or("nothing introspected")?;
        result.map_err(|e| e.to_string())
    }
}

/// The schema the migrations in `dir` replay to (an error if the replay reports any).
pub fn replayed(dir: &Path, dialect: Dialect) -> Result<Schema, String> {
    let replay = replay_dir(
        dir,
        &ReplayOptions {
            dialect,
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    if let Some(e) = replay.errors.first() {
        return Err(format!("replaying {} failed: {e}", dir.display()));
    }
    Ok(replay.schema)
}

/// The drift between the migrations in `dir` and the database.
pub fn drift(dir: &Path, db: &LiveDb) -> Result<Vec<Difference>, String> {
    let expected = replayed(dir, db.dialect())?;
    let actual = db.introspect()?;
    Ok(diff(
        &expected,
        &actual,
        &DiffOptions {
            dialect: db.dialect(),
            ..Default::default()
        },
    ))
}
