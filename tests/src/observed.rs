//! The part of a schema the differential tests compare, reduced to plain strings, and its
//! compact text form (the format of the fixtures' `expected.txt`).
//!
//! ```text
//! # comments and blank lines are ignored
//! table users pk(id)
//!   id bigint not null
//!   email character varying(255)
//! table billing.invoices
//!   amount numeric(10,2) not null
//! ```
//!
//! A `view` line names a view or materialized view. A `table` line names a table (schema-qualified outside the default schema) and its
//! primary key, if any, as `pk(a,b)`; the indented lines below it are its columns in table
//! order: name, canonical type, and `not null` when the column rejects NULL. A column
//! declared without a type (SQLite allows it) shows its type as `(none)`. Names with
//! white space, commas or parentheses are written `"quoted"` (`""` for a quote).
//!
//! `index <name> on <relation>` names an index that backs no constraint (over columns or
//! expressions, partial or not; on a table or a materialized view), and
//! `constraint <kind> <name> on <table>` a constraint, `<kind>` being `primary`, `unique`,
//! `check` or `foreign`: every name the server gave, or was given. Which ones a server
//! reports is its own ([`NameRules`]): PostgreSQL's constraints and the indexes behind none
//! of them; MariaDB's constraints (`PRIMARY`, unique keys, foreign keys, checks) and its
//! other indexes (those it creates for foreign keys too); SQLite's explicit indexes (it
//! keeps no constraint names in its catalog).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use schema_check::Schema;

/// Tables by canonical name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedSchema {
    /// Tables by canonical name.
    pub tables: BTreeMap<String, ObservedTable>,
    /// Views and materialized views by canonical name.
    pub views: std::collections::BTreeSet<String>,
    /// Indexes that back no constraint: (relation, index name).
    pub indexes: IndexNames,
    /// Constraints: (table, kind, name), kind one of [`CONSTRAINT_KINDS`].
    pub constraints: ConstraintNames,
}

/// Index names: (relation, index name).
pub type IndexNames = BTreeSet<(String, String)>;

/// Constraint names: (table, kind, name).
pub type ConstraintNames = BTreeSet<(String, String, String)>;

/// The kinds of constraint the text form names, as written there.
pub const CONSTRAINT_KINDS: [&str; 4] = ["primary", "unique", "check", "foreign"];

/// Which of the replay's names a server's catalog shows, so that both sides list the same
/// kind of object (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRules {
    /// PostgreSQL: constraint names; indexes that back no PRIMARY KEY or UNIQUE constraint.
    Postgres,
    /// MariaDB: constraint names (the primary key is `PRIMARY`); indexes that back no
    /// PRIMARY KEY or UNIQUE constraint.
    Mysql,
    /// SQLite: explicit indexes only.
    Sqlite,
}

impl NameRules {
    /// The rules of `dialect`'s server.
    pub fn of(dialect: schema_check::Dialect) -> Self {
        match dialect {
            schema_check::Dialect::Postgres => NameRules::Postgres,
            schema_check::Dialect::Mysql => NameRules::Mysql,
            schema_check::Dialect::Sqlite => NameRules::Sqlite,
        }
    }
}

/// A table: its columns in order and its primary key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedTable {
    /// Columns in table order.
    pub columns: Vec<ObservedColumn>,
    /// Primary key columns in key order, `None` without a primary key.
    pub primary_key: Option<Vec<String>>,
}

/// A column: name, canonical type spelling, nullability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedColumn {
    /// Column name.
    pub name: String,
    /// Canonical type, spelled as the database reports it (see `schema_check::types`).
    pub ty: String,
    /// Whether the column accepts NULL.
    pub nullable: bool,
}

impl ObservedSchema {
    /// Leaves `table` out: its columns, indexes and constraints.
    pub fn forget_table(&mut self, table: &str) {
        self.tables.remove(table);
        self.indexes.retain(|(t, _)| t != table);
        self.constraints.retain(|(t, _, _)| t != table);
    }

    /// The same schema without index and constraint names (what the property tests'
    /// generator models predict: they check the generator, the names are the replay's job).
    pub fn without_names(&self) -> Self {
        ObservedSchema {
            indexes: BTreeSet::new(),
            constraints: BTreeSet::new(),
            ..self.clone()
        }
    }

    /// The comparable part of a replayed schema, with the names `rules`' server shows.
    pub fn from_replay(schema: &Schema, rules: NameRules) -> Self {
        let tables = schema
            .tables
            .iter()
            .map(|(name, t)| {
                let columns = t
                    .columns
                    .iter()
                    .map(|c| ObservedColumn {
                        name: c.name.clone(),
                        ty: c.ty.canonical.clone(),
                        nullable: c.nullable,
                    })
                    .collect();
                let table = ObservedTable {
                    columns,
                    primary_key: t.primary_key.clone(),
                };
                (name.clone(), table)
            })
            .collect();
        let (indexes, constraints) = replay_names(schema, rules);
        ObservedSchema {
            tables,
            views: schema.views.keys().cloned().collect(),
            indexes,
            constraints,
        }
    }

    /// Parses the text form; `origin` (a file name) is used in error messages.
    ///
    /// ```
    /// use cache_contract_tests::ObservedSchema;
    /// let text = "table users pk(id)\n  id bigint not null\n  created_at timestamp with time zone\n";
    /// let schema = ObservedSchema::parse(text, "expected.txt").unwrap();
    /// let users = &schema.tables["users"];
    /// assert_eq!(users.primary_key, Some(vec!["id".to_string()]));
    /// assert_eq!(users.columns[1].ty, "timestamp with time zone");
    /// assert!(users.columns[1].nullable);
    /// assert_eq!(schema.to_string(), text);
    /// assert!(ObservedSchema::parse("  id bigint\n", "x.txt").unwrap_err().contains("x.txt:1"));
    ///
    /// let odd = "table \"Weird Name\" pk(\"Col A\",b)\n  \"Col A\" integer not null\n  b text not null\n  \"q\"\"x\" text\n";
    /// let schema = ObservedSchema::parse(odd, "odd.txt").unwrap();
    /// let t = &schema.tables["Weird Name"];
    /// assert_eq!(t.primary_key, Some(vec!["Col A".to_string(), "b".to_string()]));
    /// assert_eq!(t.columns[2].name, "q\"x");
    /// assert_eq!(schema.to_string(), odd);
    /// ```
    pub fn parse(text: &str, origin: &str) -> Result<Self, String> {
        let mut schema = ObservedSchema::default();
        let mut current: Option<String> = None;
        for (i, raw) in text.lines().enumerate() {
            let at = format!("{origin}:{}", i + 1);
            let line = raw.trim_end();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix("index ") {
                let (name, rel) = parse_named_on(rest).map_err(|e| format!("{at}: {e}"))?;
                schema.indexes.insert((rel, name));
                current = None;
            } else if let Some(rest) = line.strip_prefix("constraint ") {
                let (kind, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                if !CONSTRAINT_KINDS.contains(&kind) {
                    return Err(format!(
                        "{at}: constraint kind `{kind}` is not one of {CONSTRAINT_KINDS:?}"
                    ));
                }
                let (name, rel) = parse_named_on(rest).map_err(|e| format!("{at}: {e}"))?;
                schema.constraints.insert((rel, kind.to_string(), name));
                current = None;
            } else if let Some(rest) = line.strip_prefix("view ") {
                let (name, _) = take_name(rest.trim()).map_err(|e| format!("{at}: {e}"))?;
                schema.views.insert(name);
                current = None;
            } else if let Some(rest) = line.strip_prefix("table ") {
                let (name, pk) = parse_table_line(rest).map_err(|e| format!("{at}: {e}"))?;
                if schema.tables.contains_key(&name) {
                    return Err(format!("{at}: table `{name}` is listed twice"));
                }
                schema.tables.insert(
                    name.clone(),
                    ObservedTable {
                        columns: Vec::new(),
                        primary_key: pk,
                    },
                );
                current = Some(name);
            } else if let Some(rest) = line.strip_prefix("  ") {
                let Some(table) = current.as_ref() else {
                    return Err(format!(
                        "{at}: column line before any `table` line; start with `table <name>`"
                    ));
                };
                let column = parse_column_line(rest).map_err(|e| format!("{at}: {e}"))?;
                let columns = &mut schema
                    .tables
                    .get_mut(table)
                    .expect("inserted above")
                    .columns;
                if columns.iter().any(|c| c.name == column.name) {
                    return Err(format!("{at}: column `{}` is listed twice", column.name));
                }
                columns.push(column);
            } else {
                return Err(format!(
                    "{at}: expected `table <name> [pk(a,b)]` or an indented `<column> <type> [not null]`, found `{line}`"
                ));
            }
        }
        Ok(schema)
    }
}

/// Reads `<name> on <relation>`.
fn parse_named_on(rest: &str) -> Result<(String, String), String> {
    let (name, after) = take_name(rest.trim_start())?;
    let after = after
        .trim_start()
        .strip_prefix("on ")
        .ok_or_else(|| format!("expected `on <relation>` after `{name}`"))?;
    let (rel, tail) = take_name(after.trim_start())?;
    if !tail.trim().is_empty() {
        return Err(format!("unexpected `{}` after the relation", tail.trim()));
    }
    Ok((name, rel))
}

/// The index and constraint names of a replayed schema that `rules`' server would show.
fn replay_names(schema: &Schema, rules: NameRules) -> (IndexNames, ConstraintNames) {
    // A name the replay left unset where the server always has one shows as `?`.
    let shown = |n: &Option<String>| n.clone().unwrap_or_else(|| "?".to_string());
    let mut constraints = BTreeSet::new();
    if rules != NameRules::Sqlite {
        for (name, t) in &schema.tables {
            let mut add = |kind: &str, n: String| {
                constraints.insert((name.clone(), kind.to_string(), n));
            };
            if t.primary_key.is_some() {
                add("primary", shown(&t.primary_key_name));
            }
            for u in &t.unique {
                if rules == NameRules::Mysql
                    || u.kind == schema_check::model::UniqueKind::Constraint
                {
                    add("unique", shown(&u.name));
                }
            }
            for f in &t.foreign_keys {
                add("foreign", shown(&f.name));
            }
            for c in &t.checks {
                add("check", shown(&c.name));
            }
        }
    }
    let indexes = schema
        .indexes
        .values()
        .filter(|ix| {
            rules != NameRules::Mysql
                || !constraints.contains(&(ix.table.clone(), "unique".to_string(), ix.name.clone()))
        })
        .map(|ix| (ix.table.clone(), ix.name.clone()))
        .collect();
    (indexes, constraints)
}

/// How a column without a declared type is written.
const NO_TYPE: &str = "(none)";

fn parse_table_line(rest: &str) -> Result<(String, Option<Vec<String>>), String> {
    let (name, rest) = take_name(rest.trim_start())?;
    let rest = rest.trim();
    let pk = if rest.is_empty() {
        None
    } else {
        let mut inner = rest
            .strip_prefix("pk(")
            .and_then(|p| p.strip_suffix(')'))
            .ok_or_else(|| format!("expected `pk(a,b)` after the table name, found `{rest}`"))?;
        let mut cols = Vec::new();
        loop {
            let (col, after) = take_name(inner)?;
            cols.push(col);
            match after.strip_prefix(',') {
                Some(more) => inner = more,
                None if after.is_empty() => break,
                None => return Err(format!("unexpected `{after}` in the primary key")),
            }
        }
        Some(cols)
    };
    Ok((name, pk))
}

fn parse_column_line(rest: &str) -> Result<ObservedColumn, String> {
    let (name, ty) = take_name(rest.trim())?;
    let ty = ty.trim();
    if ty.is_empty() {
        return Err(format!(
            "column `{name}` needs a type (write `(none)` for none)"
        ));
    }
    let (ty, nullable) = match ty.strip_suffix(" not null") {
        Some(ty) => (ty.trim(), false),
        None => (ty, true),
    };
    Ok(ObservedColumn {
        name,
        ty: if ty == NO_TYPE { "" } else { ty }.to_string(),
        nullable,
    })
}

/// Reads a name: up to white space, `,` or `)`, or `"quoted"` with `""` for a quote.
fn take_name(s: &str) -> Result<(String, &str), String> {
    let Some(quoted) = s.strip_prefix('"') else {
        let end = s
            .find(|c: char| c.is_whitespace() || c == ',' || c == ')')
            .unwrap_or(s.len());
        if end == 0 {
            return Err(format!("expected a name, found `{s}`"));
        }
        return Ok((s[..end].to_string(), &s[end..]));
    };
    let mut name = String::new();
    let mut chars = quoted.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            if chars.peek().map(|p| p.1) == Some('"') {
                chars.next();
                name.push('"');
            } else {
                return Ok((name, &quoted[i + 1..]));
            }
        } else {
            name.push(c);
        }
    }
    Err(format!("unterminated quoted name `\"{quoted}`"))
}

/// Writes a name, quoted when it would not read back as one token.
fn show_name(name: &str) -> String {
    let plain = !name.is_empty()
        && !name.contains('"')
        && !name.contains(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

impl fmt::Display for ObservedSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, table) in &self.tables {
            write!(f, "table {}", show_name(name))?;
            if let Some(pk) = &table.primary_key {
                let cols: Vec<String> = pk.iter().map(|c| show_name(c)).collect();
                write!(f, " pk({})", cols.join(","))?;
            }
            writeln!(f)?;
            for c in &table.columns {
                let ty = if c.ty.is_empty() { NO_TYPE } else { &c.ty };
                write!(f, "  {} {ty}", show_name(&c.name))?;
                if !c.nullable {
                    write!(f, " not null")?;
                }
                writeln!(f)?;
            }
        }
        for v in &self.views {
            writeln!(f, "view {}", show_name(v))?;
        }
        for (rel, name) in &self.indexes {
            writeln!(f, "index {} on {}", show_name(name), show_name(rel))?;
        }
        for (rel, kind, name) in &self.constraints {
            writeln!(
                f,
                "constraint {kind} {} on {}",
                show_name(name),
                show_name(rel)
            )?;
        }
        Ok(())
    }
}
