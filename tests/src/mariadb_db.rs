//! A fresh, uniquely named MariaDB/MySQL database per test, dropped (even on panic) when
//! the guard goes out of scope.

use mysql::prelude::Queryable;
use mysql::{Conn, Opts};

use crate::naming::unique_db_name;
use crate::observed::{ObservedColumn, ObservedSchema, ObservedTable};

/// The server URL (`CC_TEST_MYSQL` overrides the default `mysql://root@127.0.0.1:3306`).
pub fn server_url() -> String {
    std::env::var("CC_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_string())
}

fn connect(base: &str, db: Option<&str>) -> Result<Conn, String> {
    let url = match db {
        Some(db) => format!("{}/{db}", base.trim_end_matches('/')),
        None => base.to_string(),
    };
    let opts = Opts::from_url(&url).map_err(|e| format!("bad MariaDB URL `{url}`: {e}"))?;
    Conn::new(opts).map_err(|e| {
        format!(
            "MariaDB is not reachable at {base} (user root, empty password): {e}\n\
             start it with `service mariadb start` (or set CC_TEST_MYSQL to a mysql:// URL); \
             these tests need it"
        )
    })
}

/// A throw-away database on the MariaDB server.
pub struct MariaDatabase {
    name: String,
    url: String,
    conn: Option<Conn>,
}

impl MariaDatabase {
    /// Creates a new empty database and connects to it.
    pub fn create() -> Result<Self, String> {
        Self::create_on(&server_url())
    }

    /// Like [`MariaDatabase::create`], on the server at `url`.
    pub fn create_on(url: &str) -> Result<Self, String> {
        let name = unique_db_name();
        let mut admin = connect(url, None)?;
        admin
            .query_drop(format!("CREATE DATABASE `{name}`"))
            .map_err(|e| format!("cannot create MariaDB database {name}: {e}"))?;
        let mut db = MariaDatabase {
            name,
            url: url.to_string(),
            conn: None,
        };
        db.conn = Some(connect(url, Some(&db.name))?);
        Ok(db)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection.
    pub fn conn(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("connected while the guard lives")
    }

    /// Runs a whole file as one multi-statement query, the way sqlx does for MySQL (the
    /// server itself splits it, so `BEGIN ... END` trigger bodies need no `DELIMITER`).
    /// Every statement's result is drained, so an error in any of them is reported.
    pub fn execute(&mut self, sql: &str, origin: &str) -> Result<(), String> {
        let fail = |e: mysql::Error| format!("MariaDB rejected {origin}: {e}");
        // `query_drop` would swallow errors of every statement after the first: walk
        // every result set and surface the first error.
        let mut result = self.conn().query_iter(sql).map_err(fail)?;
        while let Some(set) = result.iter() {
            for row in set {
                row.map_err(fail)?;
            }
        }
        Ok(())
    }

    /// What the server built: base tables (system-versioned ones too; information_schema
    /// does not list their hidden ROW_START / ROW_END columns), columns in order with `COLUMN_TYPE` (integer
    /// display widths removed, see [`canonical_column_type`]) and `IS_NULLABLE`, and
    /// primary keys.
    pub fn introspect(&mut self) -> Result<ObservedSchema, String> {
        let err = |e: mysql::Error| format!("introspecting MariaDB failed: {e}");
        let conn = self.conn();
        let mut schema = ObservedSchema::default();
        let tables: Vec<String> = conn
            .query(
                "SELECT TABLE_NAME FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
            )
            .map_err(err)?;
        for t in tables {
            schema.tables.insert(t, ObservedTable::default());
        }
        let views: Vec<String> = conn
            .query(
                "SELECT TABLE_NAME FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'VIEW'",
            )
            .map_err(err)?;
        schema.views = views.into_iter().collect();
        let columns: Vec<(String, String, String, String)> = conn
            .query(
                "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE \
                 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                 ORDER BY TABLE_NAME, ORDINAL_POSITION",
            )
            .map_err(err)?;
        for (table, name, ty, nullable) in columns {
            if let Some(t) = schema.tables.get_mut(&table) {
                t.columns.push(ObservedColumn {
                    name,
                    ty: canonical_column_type(&ty),
                    nullable: nullable == "YES",
                });
            }
        }
        let pks: Vec<(String, String)> = conn
            .query(
                "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE \
                 WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'PRIMARY' \
                 ORDER BY TABLE_NAME, ORDINAL_POSITION",
            )
            .map_err(err)?;
        for (table, column) in pks {
            // MariaDB appends a system-versioned table's hidden `row_end` to its keys, here
            // only (not in SHOW CREATE TABLE or information_schema.STATISTICS): left out,
            // like the column itself.
            if let Some(t) = schema.tables.get_mut(&table)
                && t.columns.iter().any(|c| c.name == column)
            {
                t.primary_key.get_or_insert_with(Vec::new).push(column);
            }
        }
        let constraints: Vec<(String, String, String)> = conn
            .query(
                "SELECT TABLE_NAME, CONSTRAINT_TYPE, CONSTRAINT_NAME \
                 FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE()",
            )
            .map_err(err)?;
        for (table, kind, name) in constraints {
            let kind = match kind.as_str() {
                "PRIMARY KEY" => "primary",
                "UNIQUE" => "unique",
                "FOREIGN KEY" => "foreign",
                "CHECK" => "check",
                other => return Err(format!("MariaDB reports a constraint of type {other}")),
            };
            schema.constraints.insert((table, kind.to_string(), name));
        }
        // Every index that backs no PRIMARY KEY or UNIQUE constraint (the ones MariaDB
        // creates for foreign keys included).
        let indexes: Vec<(String, String)> = conn
            .query(
                "SELECT DISTINCT s.TABLE_NAME, s.INDEX_NAME FROM information_schema.STATISTICS s \
                 WHERE s.TABLE_SCHEMA = DATABASE() AND NOT EXISTS ( \
                   SELECT 1 FROM information_schema.TABLE_CONSTRAINTS c \
                   WHERE c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME \
                     AND c.CONSTRAINT_NAME = s.INDEX_NAME \
                     AND c.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE'))",
            )
            .map_err(err)?;
        schema.indexes.extend(indexes);
        Ok(schema)
    }
}

/// `COLUMN_TYPE` without integer display widths, which carry no meaning (`int(11)` →
/// `int`, `bigint(20) unsigned` → `bigint unsigned`); `tinyint(1)` keeps its width because
/// it is how MySQL spells `boolean`. Everything else is kept as reported (MariaDB's
/// `year(4)` included).
///
/// ```
/// use cache_contract_tests::mariadb_db::canonical_column_type;
/// assert_eq!(canonical_column_type("int(11)"), "int");
/// assert_eq!(canonical_column_type("bigint(20) unsigned"), "bigint unsigned");
/// assert_eq!(canonical_column_type("tinyint(1)"), "tinyint(1)");
/// assert_eq!(canonical_column_type("tinyint(4)"), "tinyint");
/// assert_eq!(canonical_column_type("year(4)"), "year(4)");
/// assert_eq!(canonical_column_type("tinyint(4) unsigned zerofill"), "tinyint unsigned zerofill");
/// assert_eq!(canonical_column_type("varchar(255)"), "varchar(255)");
/// assert_eq!(canonical_column_type("enum('a','b')"), "enum('a','b')");
/// ```
pub fn canonical_column_type(ty: &str) -> String {
    for int in ["tinyint", "smallint", "mediumint", "int", "bigint"] {
        if let Some(rest) = ty.strip_prefix(int).and_then(|r| r.strip_prefix('('))
            && let Some((width, tail)) = rest.split_once(')')
            && width.chars().all(|c| c.is_ascii_digit())
        {
            if int == "tinyint" && width == "1" {
                return ty.to_string();
            }
            return format!("{int}{tail}");
        }
    }
    ty.to_string()
}

impl Drop for MariaDatabase {
    fn drop(&mut self) {
        drop(self.conn.take());
        let result = connect(&self.url, None).and_then(|mut admin| {
            admin
                .query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name))
                .map_err(|e| e.to_string())
        });
        if let Err(e) = result {
            eprintln!(
                "warning: could not drop MariaDB database {}: {e}",
                self.name
            );
        }
    }
}
