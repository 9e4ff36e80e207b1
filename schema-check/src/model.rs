//! The replayed schema: tables, columns, constraints, indexes, enums, domains and views,
//! each carrying the provenance (migration file and line) that created and last changed it.
//!
//! Everything here is plain data with a stable serde representation: it is what
//! `schema-check schema --format json` prints and what the derive compares structs against.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::types::SqlType;

/// A position in a migration file: the file's path as displayed to users (relative to
/// the directory the user named, e.g. `migrations/0003_users.sql`), 1-based line and column.
///
/// The path is shared: every object a file creates carries it twice (created, last
/// changed), so copying a location copies a reference, not the path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Path of the migration file, as shown to users (`"m.sql".into()` builds one).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Where an object was created and where it was last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The statement that created the object.
    pub created: Location,
    /// The statement that last changed it (equal to `created` when never changed).
    pub last_changed: Location,
}

impl Provenance {
    /// Provenance of an object created (and not yet changed) at `at`.
    pub fn new(at: Location) -> Self {
        Provenance {
            created: at.clone(),
            last_changed: at,
        }
    }

    /// Records a change at `at`.
    pub fn touch(&mut self, at: &Location) {
        self.last_changed = at.clone();
    }
}

/// The final schema after replaying every migration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// Tables by canonical name (schema-qualified only outside the default schema).
    pub tables: BTreeMap<String, Table>,
    /// Views by canonical name (recorded, never treated as tables).
    pub views: BTreeMap<String, View>,
    /// Enum types by canonical name (PostgreSQL `CREATE TYPE ... AS ENUM`).
    pub enums: BTreeMap<String, EnumType>,
    /// Domains by canonical name (PostgreSQL `CREATE DOMAIN`).
    pub domains: BTreeMap<String, Domain>,
    /// Indexes by canonical name (PostgreSQL: schema-qualified outside `public`, like
    /// tables; MySQL: `table.index`, since MySQL index names are per table).
    pub indexes: BTreeMap<String, Index>,
    /// Sequences by canonical name (PostgreSQL: `CREATE SEQUENCE`, and the sequences
    /// serial and identity columns own).
    pub sequences: BTreeMap<String, Sequence>,
    /// Composite types by canonical name (PostgreSQL `CREATE TYPE t AS (a text, ...)`).
    pub composite_types: BTreeMap<String, CompositeType>,
    /// Drops and renames of tables and columns, in replay order: lets callers say
    /// "column `x` was renamed to `y` in 0007_rename.sql:3" instead of just "no such column".
    pub history: Vec<HistoryEvent>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Canonical name.
    pub name: String,
    /// Columns in table order.
    pub columns: Vec<Column>,
    /// Columns the server keeps and a query may name, but which `SELECT *`, SHOW CREATE
    /// TABLE and information_schema.COLUMNS do not list: MariaDB's implicit `row_start`
    /// and `row_end` of a table `WITH SYSTEM VERSIONING` that names no period columns of
    /// its own. A struct may map them; the schema's comparisons (drift, the tests'
    /// harness) read [`Table::columns`] only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden_columns: Vec<Column>,
    /// Primary key columns, in key order; `None` when the table has no primary key.
    pub primary_key: Option<Vec<String>>,
    /// The primary key constraint's name: as given, or the server's (PostgreSQL
    /// `<table>_pkey`, with a numeric suffix when that name is taken; MySQL `PRIMARY`);
    /// `None` without a primary key, or for an unnamed SQLite one.
    pub primary_key_name: Option<String>,
    /// Where the primary key was created and last changed; `None` without one.
    pub primary_key_provenance: Option<Provenance>,
    /// Unique constraints (named or not), including unique indexes.
    pub unique: Vec<UniqueConstraint>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints, as canonical SQL text.
    pub checks: Vec<Check>,
    /// PostgreSQL typed tables (`CREATE TABLE t OF type`): the composite type (canonical
    /// name) whose attributes are the table's columns; `ALTER TYPE ... CASCADE` changes
    /// them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of_type: Option<String>,
    /// Where the table was created and last changed.
    pub provenance: Provenance,
}

impl Table {
    /// A table of `columns` with no keys or constraints yet, created at `provenance`.
    pub fn new(name: String, columns: Vec<Column>, provenance: Provenance) -> Self {
        Table {
            name,
            columns,
            hidden_columns: Vec::new(),
            primary_key: None,
            primary_key_name: None,
            primary_key_provenance: None,
            unique: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            of_type: None,
            provenance,
        }
    }

    /// The column named `name` (already canonical), if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Mutable access to the column named `name`, if any.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Canonical name.
    pub name: String,
    /// Canonical type.
    #[serde(rename = "type")]
    pub ty: SqlType,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// The default expression as canonical SQL text, if any.
    pub default: Option<String>,
    /// `GENERATED ALWAYS AS (expr)` / identity information, if any.
    pub generated: Option<Generated>,
    /// Where the column was created and last changed.
    pub provenance: Provenance,
}

/// How a column's value is produced by the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Generated {
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`, MySQL `AUTO_INCREMENT` (and its
    /// `SERIAL`), SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`. A PostgreSQL `serial` is not
    /// one: it is a `nextval(..)` default, as PostgreSQL itself records it.
    Identity {
        /// `true` for `GENERATED ALWAYS`.
        always: bool,
    },
    /// `GENERATED ALWAYS AS (expr) STORED|VIRTUAL`.
    Expression {
        /// The expression as SQL text.
        expr: String,
        /// `true` when stored.
        stored: bool,
    },
}

/// A UNIQUE constraint or unique index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UniqueConstraint {
    /// Constraint or index name: as the migration gave it, or the name the database gives
    /// an unnamed one (PostgreSQL `<table>_<columns>_key`, with a numeric suffix when that
    /// name is taken; MySQL the first column's name, then `_2`, `_3`...); `None` for
    /// unnamed SQLite constraints.
    pub name: Option<String>,
    /// Columns, in order.
    pub columns: Vec<String>,
    /// A UNIQUE constraint, or a unique index (`CREATE UNIQUE INDEX`: in PostgreSQL an
    /// index and not a constraint, dropped with DROP INDEX, not DROP CONSTRAINT).
    pub kind: UniqueKind,
    /// Where it was created and last changed (renamed, or its columns renamed).
    pub provenance: Provenance,
}

/// What declared a [`UniqueConstraint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UniqueKind {
    /// `UNIQUE` in CREATE/ALTER TABLE (MySQL also `UNIQUE KEY`/`UNIQUE INDEX` there).
    Constraint,
    /// `CREATE UNIQUE INDEX`.
    Index,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    /// Constraint name: as given, or the server's for an unnamed one (PostgreSQL
    /// `<table>_<columns>_fkey` with a numeric suffix when taken, MySQL `<table>_ibfk_<n>`);
    /// `None` for an unnamed SQLite one.
    pub name: Option<String>,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table (canonical name).
    pub foreign_table: String,
    /// Referenced columns (empty means the referenced table's primary key).
    pub foreign_columns: Vec<String>,
    /// `ON DELETE` action, as the server reports it when none is written (PostgreSQL and
    /// SQLite `NO ACTION`, MySQL/MariaDB `RESTRICT`).
    pub on_delete: ReferentialAction,
    /// `ON UPDATE` action (same default as `on_delete`).
    pub on_update: ReferentialAction,
    /// SQLite: the column whose definition declared it (`b int REFERENCES p`), which
    /// `DROP COLUMN b` removes with it (a table constraint naming `b` makes SQLite refuse);
    /// `None` for a table constraint and in the other dialects.
    pub column: Option<String>,
    /// Where it was created and last changed.
    pub provenance: Provenance,
}

/// What a foreign key does when the referenced row is deleted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    /// `NO ACTION` (checked at the end of the statement, or of the transaction when
    /// deferred).
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Constraint name: as given, or the server's for an unnamed one (PostgreSQL
    /// `<table>_<column>_check` when the expression uses one column, else
    /// `<table>_check`, with a numeric suffix when taken; MariaDB the column's name for a
    /// column constraint, `CONSTRAINT_<n>` for a table constraint); `None` for an
    /// unnamed SQLite one.
    pub name: Option<String>,
    /// The expression as SQL text.
    pub expr: String,
    /// MariaDB and SQLite: the column whose definition declared it (a column constraint, or
    /// MariaDB's `json_valid` check of a JSON column). MariaDB replaces it with that
    /// definition on `MODIFY` / `CHANGE COLUMN`; both drop it with the column (SQLite
    /// even when it names other columns, and refuses to drop a column that another
    /// column's or the table's check names). `None` for a table constraint and in
    /// PostgreSQL.
    pub column: Option<String>,
    /// Where it was created and last changed.
    pub provenance: Provenance,
}

/// An index (kept for lints; unique indexes also appear in [`Table::unique`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    /// Canonical name.
    pub name: String,
    /// Table the index is on.
    pub table: String,
    /// Indexed columns or expressions, as SQL text.
    pub columns: Vec<String>,
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
    /// Partial index predicate, if any.
    pub predicate: Option<String>,
    /// Where the index was created.
    pub provenance: Provenance,
}

/// A view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// Canonical name.
    pub name: String,
    /// `true` for `CREATE MATERIALIZED VIEW`.
    pub materialized: bool,
    /// Where the view was created and last changed.
    pub provenance: Provenance,
}

/// An enum type (`CREATE TYPE mood AS ENUM ('sad', 'ok')`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    /// Canonical name.
    pub name: String,
    /// Labels, in order.
    pub values: Vec<String>,
    /// Where the type was created and last changed.
    pub provenance: Provenance,
}

/// A domain (`CREATE DOMAIN email AS text CHECK (...)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    /// Canonical name.
    pub name: String,
    /// The underlying type.
    pub base: SqlType,
    /// `true` when the domain itself is declared NOT NULL.
    pub not_null: bool,
    /// Where the domain was created and last changed.
    pub provenance: Provenance,
}

/// A sequence (PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sequence {
    /// Canonical name.
    pub name: String,
    /// The column that owns it (`OWNED BY`, a serial or identity column): dropping the
    /// column or its table drops the sequence.
    pub owned_by: Option<ColumnRef>,
    /// Where it was created and last changed.
    pub provenance: Provenance,
}

/// A column of a table, by canonical names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRef {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
}

/// A composite type (`CREATE TYPE address AS (street text, zip text)`); columns of the
/// type have it as their canonical type, of family [`crate::TypeFamily::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositeType {
    /// Canonical name.
    pub name: String,
    /// Its attributes, in order.
    pub attributes: Vec<CompositeAttribute>,
    /// Where the type was created and last changed.
    pub provenance: Provenance,
}

/// One attribute of a [`CompositeType`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositeAttribute {
    /// Canonical name.
    pub name: String,
    /// Canonical type.
    #[serde(rename = "type")]
    pub ty: SqlType,
}

/// A drop or rename in the history, kept so that errors can explain where a name went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HistoryEvent {
    /// `DROP TABLE`.
    TableDropped {
        /// The dropped table.
        table: String,
        /// Where.
        at: Location,
    },
    /// `ALTER TABLE ... RENAME TO` / `RENAME TABLE`.
    TableRenamed {
        /// Old name.
        from: String,
        /// New name.
        to: String,
        /// Where.
        at: Location,
    },
    /// `ALTER TABLE ... DROP COLUMN`.
    ColumnDropped {
        /// The table (its name at the time).
        table: String,
        /// The dropped column.
        column: String,
        /// Where.
        at: Location,
    },
    /// `ALTER TABLE ... RENAME COLUMN` / MySQL `CHANGE COLUMN`.
    ColumnRenamed {
        /// The table (its name at the time).
        table: String,
        /// Old name.
        from: String,
        /// New name.
        to: String,
        /// Where.
        at: Location,
    },
    /// `CREATE TABLE ... AS SELECT` whose columns the replay cannot know: the server has
    /// the table, the replayed schema does not.
    TableUnknown {
        /// The table.
        table: String,
        /// Where.
        at: Location,
    },
}

/// A statement that was skipped because it cannot change a table's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Where the statement starts.
    pub at: Location,
    /// Why it was skipped (e.g. "CREATE FUNCTION cannot change table columns").
    pub reason: String,
    /// The statement's first line, for display.
    pub first_line: String,
}

/// A file in the migration directory that is not a migration, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    /// The file, as displayed.
    pub file: String,
    /// Why it was ignored (e.g. "not a migration name", "down migration").
    pub reason: String,
}
