//! The SQL dialects migrations can be written in.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A SQL dialect: decides how statements parse, how unquoted identifiers fold and how
/// types are spelled canonically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL (the default): unquoted identifiers fold to lower case.
    #[default]
    Postgres,
    /// MySQL and MariaDB: identifiers keep their case (column names compare
    /// case-insensitively; table names are kept as written).
    Mysql,
    /// SQLite: identifiers keep their case and compare case-insensitively.
    Sqlite,
}

impl Dialect {
    /// All dialects, in a stable order.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    /// The name used on the command line and in attributes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The sqlparser dialect that parses this dialect's statements.
    pub fn parser_dialect(self) -> Box<dyn sqlparser::dialect::Dialect> {
        match self {
            Dialect::Postgres => Box::new(sqlparser::dialect::PostgreSqlDialect {}),
            Dialect::Mysql => Box::new(sqlparser::dialect::MySqlDialect {}),
            Dialect::Sqlite => Box::new(sqlparser::dialect::SQLiteDialect {}),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an unknown dialect name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown dialect `{}`: expected one of postgres, mysql, sqlite",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// Parses a dialect name; `postgresql`, `pg`, `mariadb` are accepted aliases.
    ///
    /// ```
    /// use schema_check::Dialect;
    /// assert_eq!("mariadb".parse::<Dialect>().unwrap(), Dialect::Mysql);
    /// assert!("oracle".parse::<Dialect>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            _ => Err(UnknownDialect(s.to_string())),
        }
    }
}
