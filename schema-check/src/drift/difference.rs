//! One difference between the schema the migrations produce and a live database's: the
//! object, what differs, the expected state with the migration that made it so, and the
//! actual state. Plain data: grouped across tenants, rendered as text or JSON, and turned
//! into remediation SQL.

use std::fmt;

use serde::Serialize;

use crate::model::Location;

/// A schema object a difference is about. Names are canonical, as in
/// [`crate::model::Schema`]; an unnamed constraint is named by its definition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum Object {
    /// A table.
    Table {
        /// The table.
        table: String,
    },
    /// A column of a table.
    Column {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A table's primary key.
    PrimaryKey {
        /// The table.
        table: String,
    },
    /// A UNIQUE constraint (or unique index on columns).
    Unique {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
    },
    /// A foreign key.
    ForeignKey {
        /// The referencing table.
        table: String,
        /// The constraint's name.
        name: String,
    },
    /// A CHECK constraint.
    Check {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
    },
    /// An index that is not a unique constraint.
    Index {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
    },
    /// An enum type.
    Enum {
        /// The type.
        name: String,
    },
    /// A domain.
    Domain {
        /// The domain.
        name: String,
    },
    /// A view or materialized view.
    View {
        /// The view.
        name: String,
    },
}

impl Object {
    /// The table the object belongs to, if it belongs to one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Object::Table { table }
            | Object::Column { table, .. }
            | Object::PrimaryKey { table }
            | Object::Unique { table, .. }
            | Object::ForeignKey { table, .. }
            | Object::Check { table, .. }
            | Object::Index { table, .. } => Some(table),
            Object::Enum { .. } | Object::Domain { .. } | Object::View { .. } => None,
        }
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Object::Table { table } => write!(f, "table `{table}`"),
            Object::Column { table, column } => write!(f, "column `{table}.{column}`"),
            Object::PrimaryKey { table } => write!(f, "primary key of `{table}`"),
            Object::Unique { table, name } => write!(f, "unique constraint `{name}` on `{table}`"),
            Object::ForeignKey { table, name } => write!(f, "foreign key `{name}` on `{table}`"),
            Object::Check { table, name } => write!(f, "check constraint `{name}` on `{table}`"),
            Object::Index { table, name } => write!(f, "index `{name}` on `{table}`"),
            Object::Enum { name } => write!(f, "enum `{name}`"),
            Object::Domain { name } => write!(f, "domain `{name}`"),
            Object::View { name } => write!(f, "view `{name}`"),
        }
    }
}

/// What differs about an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The migrations create it; the database does not have it.
    Missing,
    /// The database has it; the migrations do not create it.
    Extra,
    /// A column's type (length, precision, array-ness included).
    Type,
    /// A column's nullability.
    Nullability,
    /// A column's default.
    Default,
    /// A column's identity or generation expression.
    Generated,
    /// The definition of a key, constraint, index or domain (columns, expression, target).
    Definition,
    /// An enum's labels (or their order).
    Values,
    /// The same definition under another name.
    Name,
    /// A view that is materialized on one side only.
    Materialized,
}

impl Change {
    /// What the aspect is called in messages.
    fn aspect(self) -> &'static str {
        match self {
            Change::Missing | Change::Extra => "",
            Change::Type => "type",
            Change::Nullability => "nullability",
            Change::Default => "default",
            Change::Generated => "generation",
            Change::Definition => "definition",
            Change::Values => "values",
            Change::Name => "name",
            Change::Materialized => "kind",
        }
    }
}

/// One difference between the migrations' schema (expected) and the database's (actual).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Difference {
    /// The object.
    #[serde(flatten)]
    pub object: Object,
    /// What differs.
    pub change: Change,
    /// The expected state (`None` when the object should not exist).
    pub expected: Option<String>,
    /// The actual state (`None` when the object does not exist).
    pub actual: Option<String>,
    /// The migration statement that made the expected state so, when known.
    pub since: Option<Location>,
}

/// `file:line`, the way drift reports point at a migration.
pub fn file_line(at: &Location) -> String {
    format!("{}:{}", at.file, at.line)
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let since = |f: &mut fmt::Formatter<'_>| match &self.since {
            Some(at) => write!(f, ", from {}", file_line(at)),
            None => Ok(()),
        };
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_string());
        match self.change {
            Change::Missing => {
                write!(
                    f,
                    "{} is missing (expected `{}`",
                    self.object,
                    shown(&self.expected)
                )?;
                since(f)?;
                f.write_str(")")
            }
            Change::Extra => write!(
                f,
                "{} is not in the migrations (found `{}`)",
                self.object,
                shown(&self.actual)
            ),
            other => {
                write!(
                    f,
                    "{}: {} is `{}`, expected `{}` (",
                    self.object,
                    other.aspect(),
                    shown(&self.actual),
                    shown(&self.expected)
                )?;
                match &self.since {
                    Some(at) => write!(f, "from {})", file_line(at)),
                    None => f.write_str("no migration says where)"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_object_expected_origin_and_actual() {
        let at = Location {
            file: "migrations/0007_notes.sql".into(),
            line: 3,
            column: 1,
        };
        let missing = Difference {
            object: Object::Column {
                table: "orders".into(),
                column: "note".into(),
            },
            change: Change::Missing,
            expected: Some("text".into()),
            actual: None,
            since: Some(at.clone()),
        };
        assert_eq!(
            missing.to_string(),
            "column `orders.note` is missing (expected `text`, from migrations/0007_notes.sql:3)"
        );
        let retyped = Difference {
            change: Change::Type,
            expected: Some("text".into()),
            actual: Some("character varying(20)".into()),
            ..missing.clone()
        };
        assert_eq!(
            retyped.to_string(),
            "column `orders.note`: type is `character varying(20)`, expected `text` (from \
             migrations/0007_notes.sql:3)"
        );
        let extra = Difference {
            object: Object::Index {
                table: "orders".into(),
                name: "hotfix_idx".into(),
            },
            change: Change::Extra,
            expected: None,
            actual: Some("(note)".into()),
            since: None,
        };
        assert_eq!(
            extra.to_string(),
            "index `hotfix_idx` on `orders` is not in the migrations (found `(note)`)"
        );
    }
}
