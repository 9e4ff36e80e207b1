//! Rewrites for valid statements sqlparser 0.63 cannot parse, tried only after a parse
//! failure. Each rewrite removes tokens that do not change what the replay records, and
//! says what it removed so the replay can account for it. When the rewritten text still
//! does not parse, the original error is reported.

pub(super) use super::words::is_word;
use std::collections::BTreeMap;

use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::dialect::Dialect;

pub mod mysql;
mod postgres;
mod sqlite;

/// What a rewrite removed that the replay must apply itself.
///
/// Rewrites: `DROP INDEX CONCURRENTLY` (PostgreSQL) loses `CONCURRENTLY`;
/// `ALTER INDEX IF EXISTS` loses `IF EXISTS` (reported as [`Fixup::IndexIfExists`]);
/// `CREATE DOMAIN ... [NOT] NULL` loses the null constraint (reported as
/// [`Fixup::DomainNotNull`]); MySQL `ZEROFILL` becomes `UNSIGNED`, which it implies (the
/// ` zerofill` suffix MariaDB prints is restored from the statement text); MariaDB
/// `ADD COLUMN IF NOT EXISTS` loses `IF NOT EXISTS` (reported as
/// [`Fixup::AddColumnIfNotExists`]); MariaDB's other `ALTER TABLE` clause conditions
/// (`ADD INDEX|KEY|UNIQUE|FOREIGN KEY IF NOT EXISTS`, `DROP INDEX|KEY|FOREIGN KEY IF EXISTS`,
/// `CHANGE|MODIFY|RENAME COLUMN IF EXISTS`, `RENAME INDEX|KEY IF EXISTS`,
/// `ADD CONSTRAINT IF NOT EXISTS c CHECK`) are decided against the replayed schema
/// ([`Lookup`]): the clause is removed where MariaDB skips it with a note (reported as
/// [`Fixup::SkippedClauses`]), else the condition is; MySQL `RENAME INDEX|KEY a TO b`
/// clauses are removed and reported as [`Fixup::RenameIndexes`]; MySQL `ALTER TABLE` table options (`ENGINE=`,
/// `[DEFAULT] CHARSET`, `ALGORITHM=`, ...) are removed, a `CONVERT TO CHARACTER SET` among
/// them and a `[DEFAULT] CHARSET` reported as [`Fixup::Charset`]; MySQL `CREATE FULLTEXT|SPATIAL INDEX` becomes
/// the `ALTER TABLE ... ADD FULLTEXT|SPATIAL INDEX` it means; SQLite multi-word type names (`UNSIGNED BIG INT`)
/// are joined with `_` (same length, so positions do not move; the declared text is
/// read back from the original statement). MariaDB system versioning: `[WITH | WITHOUT]
/// SYSTEM VERSIONING` (of a table or column) and `PERIOD FOR name (a, b)` definitions are
/// removed, `ALTER TABLE ... ADD | DROP SYSTEM VERSIONING | PERIOD` clauses too (as table
/// options); they and `GENERATED ALWAYS AS ROW START | END` are reported as
/// [`Fixup::Temporal`] (a table versioned without explicit period columns gets hidden
/// `row_start` / `row_end`, [`crate::model::Table::hidden_columns`]), `DROP SYSTEM
/// VERSIONING` as [`Fixup::Unversion`]. A key part `p WITHOUT OVERLAPS` of a period the
/// statement defines becomes its end and start columns, as MariaDB lists the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixup {
    /// Nothing: the removed words do not change the schema.
    None,
    /// `CREATE DOMAIN ... NOT NULL`: the domain is NOT NULL.
    DomainNotNull,
    /// `ALTER INDEX IF EXISTS`: a missing index is not an error.
    IndexIfExists,
    /// PostgreSQL `CREATE INDEX ... ON ONLY table` lost `ONLY`: the index is created on
    /// the table, not on its partitions.
    IndexOnly,
    /// `ADD COLUMN IF NOT EXISTS <name>` for these column names (as written).
    AddColumnIfNotExists(Vec<String>),
    /// PostgreSQL `(LIKE src INCLUDING x EXCLUDING y ...)`: `(including, WHAT)` in order.
    LikeOptions(Vec<(bool, String)>),
    /// PostgreSQL `ALTER TABLE` actions on columns' identity or generation expression
    /// (`ALTER COLUMN c DROP IDENTITY | DROP EXPRESSION | SET GENERATED ...`), removed from
    /// the statement: the replay applies them to `table` after the rest of it.
    ColumnGenerated {
        /// The altered table, as written.
        table: sqlparser::ast::ObjectName,
        /// Each column (as written) and what happens to it, in order.
        changes: Vec<(sqlparser::ast::Ident, GeneratedChange)>,
    },
    /// MySQL `ALTER TABLE table ... CONVERT TO CHARACTER SET charset` or `[DEFAULT]
    /// CHARSET charset` (table as written, unquoted): the clause was removed; the replay
    /// converts the table's text columns (`convert`) or sets the default for columns
    /// defined later ([`crate::replay::charset`]), then applies the rest of the statement.
    Charset {
        /// The table, as written (unquoted).
        table: String,
        /// The new character set.
        charset: String,
        /// `CONVERT TO`: the existing text columns change too.
        convert: bool,
    },
    /// The statement cannot change columns: record it as skipped with this reason.
    Skip(String),
    /// MariaDB skipped some clauses of an `ALTER TABLE` (their condition did not hold; the
    /// server emits a note for each): record each as skipped, then apply the rest with
    /// `then`.
    SkippedClauses {
        /// Why each removed clause was skipped.
        notes: Vec<String>,
        /// What the rest of the statement needs.
        then: Box<Fixup>,
    },
    /// MariaDB's temporal clauses, removed from a `CREATE TABLE` or `ALTER TABLE` (or, for
    /// `GENERATED ALWAYS AS ROW START | ROW END`, made `NOT NULL`); after the rest of the
    /// statement (applied with `then`) the replay applies them to `table` (see
    /// [`crate::replay`]'s `temporal`).
    Temporal {
        /// The created or altered table, as written (unquoted).
        table: String,
        /// The explicit period columns of a system-versioned table: `(column, expression)`
        /// (`ROW START` / `ROW END`, as information_schema shows it), in order; each is
        /// generated and stored.
        row_columns: Vec<(String, String)>,
        /// `WITH SYSTEM VERSIONING` (of the table or of a column) or `ADD SYSTEM
        /// VERSIONING`: the table keeps its rows' history (with hidden `row_start` and
        /// `row_end` columns unless it names its own).
        versioned: bool,
        /// Application-time periods added, `PERIOD FOR p (start, end)`: `(p, start, end)`
        /// as written. MariaDB makes both columns NOT NULL and adds a CHECK constraint
        /// named `p`.
        periods: Vec<(String, String, String)>,
        /// Application-time periods dropped, `DROP PERIOD FOR p` (names as written).
        dropped_periods: Vec<String>,
        /// What the rest of the statement needs.
        then: Box<Fixup>,
    },
    /// MariaDB `ALTER TABLE table ... DROP SYSTEM VERSIONING, ...` beside other clauses
    /// (the `DROP COLUMN`s of explicit period columns): before the rest (applied with
    /// `then`), the table's keys lose the `ROW END` column [`Fixup::Temporal`] appended, and
    /// the hidden period columns go.
    Unversion {
        /// The table, as written (unquoted).
        table: String,
        /// What the rest of the statement needs.
        then: Box<Fixup>,
    },
    /// MySQL `ALTER TABLE table ... RENAME {INDEX | KEY} old TO new, ...` (sqlparser does
    /// not read these clauses; they were removed): rename each index, in order, after the
    /// rest of the statement (applied with `then`).
    RenameIndexes {
        /// The table, as written (unquoted).
        table: String,
        /// `(old, new)` names, as written.
        renames: Vec<(String, String)>,
        /// What the rest of the statement needs.
        then: Box<Fixup>,
    },
}

/// What a PostgreSQL `ALTER COLUMN` action does to a column's identity or generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratedChange {
    /// `DROP IDENTITY [IF EXISTS]`: the column is no longer an identity (it stays NOT NULL).
    DropIdentity,
    /// `DROP EXPRESSION [IF EXISTS]`: a generated column becomes a plain one.
    DropExpression,
    /// `SET GENERATED ALWAYS` (`true`) / `SET GENERATED BY DEFAULT` (`false`).
    SetGenerated(bool),
}

pub(super) fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

/// Token index -> replacement (`None` removes the token and the white space before it).
/// The positions in `tokens` of every token that is not whitespace (comments are
/// whitespace to the tokenizer): what the rewrites read word by word.
pub(super) fn significant(tokens: &[Token]) -> Vec<usize> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .collect()
}

pub(super) type Edits = BTreeMap<usize, Option<String>>;

/// A MariaDB `ALTER TABLE` clause condition (`IF [NOT] EXISTS`) the rewrite asks the
/// replay about: whether this object exists on `table` (its last name part, as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exists<'a> {
    /// An index or key (PRIMARY, UNIQUE, plain, or one behind a foreign key) named `name`.
    Index {
        /// The table.
        table: &'a str,
        /// The index name.
        name: &'a str,
    },
    /// A foreign key constraint named `name`.
    ForeignKey {
        /// The table.
        table: &'a str,
        /// The constraint name.
        name: &'a str,
    },
    /// A CHECK constraint named `name`.
    Check {
        /// The table.
        table: &'a str,
        /// The constraint name.
        name: &'a str,
    },
    /// A column named `name`.
    Column {
        /// The table.
        table: &'a str,
        /// The column name.
        name: &'a str,
    },
}

/// Answers [`Exists`] against the schema replayed so far: `None` when it cannot tell
/// (unknown table), and the clause is then applied as if written without its condition.
pub type Lookup<'a> = &'a dyn Fn(Exists<'_>) -> Option<bool>;

/// What a dialect's rewrite decided.
pub(super) enum Outcome {
    /// Apply the collected edits.
    Edits(Fixup),
    /// Replace the whole statement.
    Replace(String, Fixup),
    /// No rewrite applies.
    Abort,
}

/// Whether sqlparser reads `text` without error but as something it is not: the replay
/// then treats it as unparsed, so that [`rewrite`] applies (see [`mysql::misread`]).
pub fn misread(dialect: Dialect, text: &str) -> bool {
    dialect == Dialect::Mysql && mysql::misread(text)
}

/// A rewrite of `text` that sqlparser can parse, if one applies.
///
/// ```
/// use schema_check::Dialect;
/// use schema_check::replay::compat::{rewrite, Fixup};
/// let d = sqlparser::dialect::PostgreSqlDialect {};
/// let none = |_: schema_check::replay::compat::Exists<'_>| None;
/// let (text, fix) = rewrite(Dialect::Postgres, &d, "DROP INDEX CONCURRENTLY IF EXISTS i", &none).unwrap();
/// assert_eq!((text.as_str(), fix), ("DROP INDEX IF EXISTS i", Fixup::None));
/// let (text, fix) = rewrite(Dialect::Postgres, &d, "CREATE DOMAIN e AS text NOT NULL CHECK (VALUE <> '')", &none).unwrap();
/// assert_eq!((text.as_str(), fix), ("CREATE DOMAIN e AS text CHECK (VALUE <> '')", Fixup::DomainNotNull));
/// let lite = sqlparser::dialect::SQLiteDialect {};
/// let (text, _) = rewrite(Dialect::Sqlite, &lite, "CREATE TABLE t (a UNSIGNED  BIG INT NOT NULL)", &none).unwrap();
/// assert_eq!(text, "CREATE TABLE t (a UNSIGNED__BIG_INT NOT NULL)");
/// ```
pub fn rewrite(
    dialect: Dialect,
    parser: &dyn ParserDialect,
    text: &str,
    exists: Lookup<'_>,
) -> Option<(String, Fixup)> {
    if let Some(view) = without_check_option(text) {
        return Some((view, Fixup::None));
    }
    if dialect == Dialect::Mysql
        && let Some(plain) = mysql::unwrap_version_comments(text)
    {
        // The server runs the contents of `/*!NNNNN ... */`: so does the replay.
        return rewrite(dialect, parser, &plain, exists).or(Some((plain, Fixup::None)));
    }
    // Cheap pre-check: tokenize only statements a rewrite can apply to.
    let head = super::skip::leading_words(text, 2);
    if dialect == Dialect::Mysql
        && (head == "ALTER IGNORE" || head == "ALTER ONLINE")
        && let Some(plain) = mysql::without_alter_modifier(text)
    {
        return rewrite(dialect, parser, &plain, exists).or(Some((plain, Fixup::None)));
    }
    let candidate = head == "DROP INDEX"
        || head == "ALTER INDEX"
        || head == "CREATE DOMAIN"
        || (dialect == Dialect::Mysql
            && matches!(
                head.as_str(),
                "ALTER TABLE" | "CREATE TABLE" | "CREATE FULLTEXT" | "CREATE SPATIAL"
            ))
        || (dialect == Dialect::Postgres
            && matches!(
                head.as_str(),
                "ALTER TABLE"
                    | "CREATE TABLE"
                    | "CREATE MATERIALIZED"
                    | "CREATE INDEX"
                    | "CREATE UNIQUE"
                    | "CREATE VIEW"
                    | "CREATE OR"
                    | "CREATE RECURSIVE"
                    | "CREATE TEMP"
                    | "CREATE TEMPORARY"
            ))
        || (dialect == Dialect::Sqlite && (head == "CREATE TABLE" || head == "ALTER TABLE"));
    if !candidate {
        return None;
    }
    let tokens = Tokenizer::new(parser, text).tokenize().ok()?;
    let sig = significant(&tokens);
    let mut edits = Edits::new();
    let outcome = match dialect {
        _ if matches!(
            head.as_str(),
            "DROP INDEX" | "ALTER INDEX" | "CREATE DOMAIN"
        ) =>
        {
            postgres::common(&tokens, &sig, &mut edits)
        }
        Dialect::Postgres => postgres::rewrite(&tokens, &sig, &mut edits),
        Dialect::Mysql => mysql::rewrite(&tokens, &sig, &mut edits, exists),
        Dialect::Sqlite => sqlite::rewrite(&tokens, &sig, &mut edits),
    };
    let fixup = match outcome {
        Outcome::Edits(fixup) => fixup,
        Outcome::Replace(text, fixup) => return Some((text, fixup)),
        Outcome::Abort => return None,
    };
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (i, t) in tokens.iter().enumerate() {
        match edits.get(&i) {
            Some(None) => continue,
            Some(Some(replacement)) => out.push_str(replacement),
            None => {
                // White space right before a removed token goes with it.
                let before_removed =
                    matches!(t, Token::Whitespace(_)) && matches!(edits.get(&(i + 1)), Some(None));
                if !before_removed {
                    out.push_str(&t.to_string());
                }
            }
        }
    }
    Some((out, fixup))
}

/// A view definition without its trailing `WITH [CASCADED | LOCAL] CHECK OPTION` (it
/// restricts writes through the view, not what the view is), which sqlparser does not
/// read after a query.
///
/// ```
/// use schema_check::replay::compat::without_check_option;
/// assert_eq!(
///     without_check_option("CREATE VIEW v AS SELECT a FROM t\n  WITH LOCAL CHECK OPTION;").as_deref(),
///     Some("CREATE VIEW v AS SELECT a FROM t"),
/// );
/// assert_eq!(without_check_option("CREATE VIEW v AS SELECT 'check option'"), None);
/// ```
pub fn without_check_option(text: &str) -> Option<String> {
    let body = text.trim_end().trim_end_matches(';').trim_end();
    let words: Vec<(usize, &str)> = body
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - body.as_ptr() as usize, w))
        .collect();
    let n = words.len();
    let is = |k: usize, w: &str| words.get(k).is_some_and(|(_, x)| x.eq_ignore_ascii_case(w));
    if n < 4 || !is(n - 1, "OPTION") || !is(n - 2, "CHECK") {
        return None;
    }
    let with = if is(n - 3, "CASCADED") || is(n - 3, "LOCAL") {
        n - 4
    } else {
        n - 3
    };
    if !is(with, "WITH")
        || !words[..with]
            .iter()
            .any(|(_, w)| w.eq_ignore_ascii_case("VIEW"))
    {
        return None;
    }
    Some(body[..words[with].0].trim_end().to_string())
}
