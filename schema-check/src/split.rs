//! Cutting a migration file into statements, so that each can be parsed on its own and one
//! bad statement does not hide the rest of the file.
//!
//! The splitter is a small lexer that knows exactly enough to find the `;` that end
//! statements:
//!
//! - `'...'` strings with `''` escapes; PostgreSQL `E'..\'..'` and MySQL strings with
//!   backslash escapes; MySQL `"..."` strings;
//! - `"..."` identifiers (PostgreSQL, SQLite), `` `...` `` identifiers (MySQL, SQLite) and
//!   `[...]` identifiers (SQLite);
//! - PostgreSQL dollar-quoted bodies `$$...$$` and `$tag$...$tag$` (`$1` is a parameter);
//! - `--` line comments (MySQL: only when followed by white space), MySQL `#` comments,
//!   `/* */` block comments (nested in PostgreSQL; MySQL `/*! ... */` executable comments
//!   count as statement text);
//! - `BEGIN ... END` bodies of `CREATE TRIGGER`/`PROCEDURE`/`FUNCTION`/`EVENT` (SQLite,
//!   MySQL, PostgreSQL `BEGIN ATOMIC`), MariaDB `BEGIN NOT ATOMIC ... END` blocks and the
//!   parenthesised actions of a PostgreSQL `CREATE RULE ... DO (a; b)`, where `;` does not
//!   end the statement;
//! - the MySQL client's `DELIMITER //` command, which changes the statement terminator.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::Location;
use crate::statement::Statement;

/// The statements of one file and, when the file ends inside a quote, comment or block,
/// the error at its opening (the statements before it are still returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The statements, in file order.
    pub statements: Vec<Statement>,
    /// The error that stopped splitting, if any.
    pub error: Option<Diagnostic>,
}

impl Split {
    /// The statements, or the error if there was one.
    pub fn into_result(self) -> Result<Vec<Statement>, Diagnostic> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.statements),
        }
    }
}

/// Splits `src` (the text of the file displayed as `file`) into statements.
///
/// ```
/// use schema_check::{split::split, Dialect};
/// let src = "-- users\nCREATE TABLE users (id int, note text DEFAULT 'a;b');\n\n  DROP TABLE old;;";
/// let stmts = split(src, "migrations/0001_init.sql", Dialect::Postgres).into_result().unwrap();
/// assert_eq!(stmts.len(), 2);
/// assert_eq!(stmts[0].text, "CREATE TABLE users (id int, note text DEFAULT 'a;b')");
/// assert_eq!(stmts[0].at.to_string(), "migrations/0001_init.sql:2:1");
/// assert_eq!(stmts[1].text, "DROP TABLE old");
/// assert_eq!((stmts[1].at.line, stmts[1].at.column), (4, 3));
/// assert_eq!(stmts[1].source_line, "  DROP TABLE old;;");
/// ```
pub fn split(src: &str, file: &str, dialect: Dialect) -> Split {
    let mut lexer = Lexer::new(src, file, dialect);
    let error = lexer.run().err();
    Split {
        statements: lexer.statements,
        error,
    }
}

/// A position in the source: byte offset plus 1-based line and character column.
#[derive(Debug, Clone, Copy)]
struct Mark {
    pos: usize,
    line: u32,
    col: u32,
    line_start: usize,
}

/// Words after `CREATE` that make a statement a routine whose body may hold `;`.
const ROUTINE_KINDS: [&str; 4] = ["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"];
/// Words after `CREATE` that make a statement something else.
const OTHER_KINDS: [&str; 14] = [
    "TABLE",
    "VIEW",
    "INDEX",
    "TYPE",
    "SEQUENCE",
    "DATABASE",
    "SCHEMA",
    "DOMAIN",
    "EXTENSION",
    "ROLE",
    "USER",
    "POLICY",
    "SERVER",
    "MATERIALIZED",
];
/// Words after `END` that close a block the splitter does not count (`END IF`...).
const UNCOUNTED_BLOCKS: [&str; 4] = ["IF", "LOOP", "WHILE", "REPEAT"];

/// What the statement being read is, as far as bodies holding `;` are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Routine {
    /// Not decided yet (the statement starts with `CREATE`).
    Undecided { words: u32 },
    /// A trigger/procedure/function/event: `BEGIN`/`CASE` ... `END` nest.
    Yes { depth: u32 },
    /// A PostgreSQL `CREATE RULE`, whose actions `DO (a; b)` sit in parentheses.
    Rule { depth: u32 },
    /// Anything else.
    No,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    /// The file's path, shared by every statement's location.
    file: Arc<str>,
    dialect: Dialect,
    cur: Mark,
    /// Start of the current statement's first token.
    start: Option<Mark>,
    /// End of the current statement's last token.
    last_end: usize,
    routine: Routine,
    /// Where the outermost open `BEGIN`/`CASE` of a routine body is.
    block_open: Option<Mark>,
    /// The statement terminator (`;` unless changed by MySQL `DELIMITER`).
    delimiter: String,
    statements: Vec<Statement>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, file: &'a str, dialect: Dialect) -> Self {
        Lexer {
            src,
            bytes: src.as_bytes(),
            file: file.into(),
            dialect,
            cur: Mark {
                pos: 0,
                line: 1,
                col: 1,
                line_start: 0,
            },
            start: None,
            last_end: 0,
            routine: Routine::No,
            block_open: None,
            delimiter: ";".to_string(),
            statements: Vec::new(),
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.cur.pos + ahead).copied()
    }

    /// Advances one byte, keeping line and (character) column.
    fn bump(&mut self) {
        let b = self.bytes[self.cur.pos];
        self.cur.pos += 1;
        if b == b'\n' {
            self.cur.line += 1;
            self.cur.col = 1;
            self.cur.line_start = self.cur.pos;
        } else if b & 0xC0 != 0x80 {
            // Not a UTF-8 continuation byte: the next byte starts a new character.
            // (Columns are counted when a character starts, so multi-byte characters
            // count once.)
            self.cur.col += 1;
        }
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    /// Advances to the end of the line (not past the newline).
    fn skip_line(&mut self) {
        while self.peek(0).is_some_and(|b| b != b'\n') {
            self.bump();
        }
    }

    fn run(&mut self) -> Result<(), Diagnostic> {
        while let Some(b) = self.peek(0) {
            if self.dialect == Dialect::Mysql && self.start.is_none() && self.at_delimiter_command()
            {
                self.delimiter_command()?;
                continue;
            }
            if self.at_custom_delimiter() {
                self.bump_n(self.delimiter.len());
                self.finish();
                continue;
            }
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' => self.bump(),
                b'-' if self.peek(1) == Some(b'-') && self.dash_comment_here() => self.skip_line(),
                b'#' if self.dialect == Dialect::Mysql => self.skip_line(),
                b'/' if self.peek(1) == Some(b'*') => {
                    let open = self.cur;
                    let executable = self.dialect == Dialect::Mysql && self.peek(2) == Some(b'!');
                    self.block_comment()?;
                    if executable {
                        self.token(open);
                    }
                }
                b'\'' => {
                    let open = self.cur;
                    let backslash = self.dialect == Dialect::Mysql;
                    self.quoted(b'\'', backslash, open)?;
                    self.token(open);
                }
                b'"' => {
                    let open = self.cur;
                    let backslash = self.dialect == Dialect::Mysql;
                    self.quoted(b'"', backslash, open)?;
                    self.token(open);
                }
                b'`' if self.dialect != Dialect::Postgres => {
                    let open = self.cur;
                    self.quoted(b'`', false, open)?;
                    self.token(open);
                }
                b'[' if self.dialect == Dialect::Sqlite => {
                    let open = self.cur;
                    self.bracketed(open)?;
                    self.token(open);
                }
                b'$' if self.dialect == Dialect::Postgres && self.dollar_tag().is_some() => {
                    let open = self.cur;
                    self.dollar_quoted(open)?;
                    self.token(open);
                }
                b';' if self.delimiter == ";" && !self.in_routine_body() => {
                    self.bump();
                    self.finish();
                }
                b if is_word_byte(b) => self.word()?,
                _ => {
                    let open = self.cur;
                    self.bump();
                    self.token(open);
                    self.rule_paren(b, open);
                }
            }
        }
        if let Some(open) = self.block_open
            && self.in_routine_body()
        {
            let error = if let Routine::Rule { .. } = self.routine {
                self.error_at(
                    open,
                    "unclosed `(` in `CREATE RULE`: the list of actions opened here never ends",
                )
                .with_help("close the list of rule actions with `)`")
            } else {
                self.error_at(
                    open,
                    "unterminated `BEGIN ... END` block: the routine body opened here never ends",
                )
                .with_help("close the body with `END;` (every `BEGIN` and `CASE` needs an `END`)")
            };
            return Err(error);
        }
        self.finish();
        Ok(())
    }

    /// Whether a `DELIMITER`-set terminator (not `;`) starts at the cursor.
    fn at_custom_delimiter(&self) -> bool {
        self.delimiter != ";" && self.src[self.cur.pos..].starts_with(&self.delimiter)
    }

    /// `--` starts a comment, except in MySQL where it must be followed by white space
    /// (or a control character, or the end of the file).
    fn dash_comment_here(&self) -> bool {
        self.dialect != Dialect::Mysql || self.peek(2).is_none_or(|b| b <= b' ')
    }

    fn in_routine_body(&self) -> bool {
        matches!(self.routine, Routine::Yes { depth } | Routine::Rule { depth } if depth > 0)
    }

    /// Records a significant token that started at `open` and ends at the cursor.
    fn token(&mut self, open: Mark) {
        if self.start.is_none() {
            self.start = Some(open);
            self.routine = Routine::No;
        }
        self.last_end = self.cur.pos;
    }

    /// Ends the current statement (if any token was seen since the last one).
    fn finish(&mut self) {
        if let Some(start) = self.start.take() {
            let line_end = self.src[start.line_start..]
                .find('\n')
                .map_or(self.src.len(), |i| start.line_start + i);
            self.statements.push(Statement {
                text: self.src[start.pos..self.last_end].to_string(),
                at: self.location(start),
                source_line: self.src[start.line_start..line_end]
                    .trim_end_matches('\r')
                    .to_string(),
            });
        }
        self.routine = Routine::No;
        self.block_open = None;
    }

    fn location(&self, mark: Mark) -> Location {
        Location {
            file: Arc::clone(&self.file),
            line: mark.line,
            column: mark.col,
        }
    }

    fn error_at(&self, mark: Mark, message: &str) -> Diagnostic {
        let line_end = self.src[mark.line_start..]
            .find('\n')
            .map_or(self.src.len(), |i| mark.line_start + i);
        Diagnostic::new(message)
            .at(self.location(mark))
            .with_source_line(self.src[mark.line_start..line_end].trim_end_matches('\r'))
    }

    /// A block comment; PostgreSQL block comments nest.
    fn block_comment(&mut self) -> Result<(), Diagnostic> {
        let open = self.cur;
        let nests = self.dialect == Dialect::Postgres;
        self.bump_n(2);
        let mut depth = 1u32;
        while let Some(b) = self.peek(0) {
            if b == b'*' && self.peek(1) == Some(b'/') {
                self.bump_n(2);
                depth -= 1;
                if depth == 0 {
                    return Ok(());
                }
            } else if nests && b == b'/' && self.peek(1) == Some(b'*') {
                self.bump_n(2);
                depth += 1;
            } else {
                self.bump();
            }
        }
        let help = if nests && depth > 1 {
            "close it with `*/` (PostgreSQL block comments nest: each `/*` needs its own `*/`)"
        } else {
            "close it with `*/`"
        };
        Err(self
            .error_at(
                open,
                "unterminated block comment: the `/*` here is never closed",
            )
            .with_help(help))
    }

    /// A string or quoted identifier delimited by `quote`, where a doubled quote stands
    /// for itself and, when `backslash`, `\` escapes the next character.
    fn quoted(&mut self, quote: u8, backslash: bool, open: Mark) -> Result<(), Diagnostic> {
        self.bump();
        while let Some(b) = self.peek(0) {
            if backslash && b == b'\\' {
                self.bump();
                if self.peek(0).is_some() {
                    self.bump();
                }
            } else if b == quote {
                self.bump();
                if self.peek(0) == Some(quote) {
                    self.bump();
                } else {
                    return Ok(());
                }
            } else {
                self.bump();
            }
        }
        let q = quote as char;
        let (what, help) = match (quote, self.dialect) {
            (b'\'', _) | (b'"', Dialect::Mysql) => (
                "string literal",
                format!("close it with `{q}` (write `{q}{q}` for a `{q}` inside it)"),
            ),
            _ => (
                "quoted identifier",
                format!("close it with `{q}` (write `{q}{q}` for a `{q}` inside it)"),
            ),
        };
        Err(self
            .error_at(
                open,
                &format!("unterminated {what}: the `{q}` here is never closed"),
            )
            .with_help(help))
    }

    /// A SQLite `[identifier]`.
    fn bracketed(&mut self, open: Mark) -> Result<(), Diagnostic> {
        while let Some(b) = self.peek(0) {
            self.bump();
            if b == b']' {
                return Ok(());
            }
        }
        Err(self
            .error_at(
                open,
                "unterminated quoted identifier: the `[` here is never closed",
            )
            .with_help("close it with `]`"))
    }

    /// The length of the `$tag$` opening at the cursor, if there is one (`$1` is not).
    fn dollar_tag(&self) -> Option<usize> {
        let rest = &self.bytes[self.cur.pos + 1..];
        if rest.first().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        let tag_len = rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))?;
        (rest[tag_len] == b'$').then_some(tag_len + 2)
    }

    /// A PostgreSQL dollar-quoted string `$tag$ ... $tag$`.
    fn dollar_quoted(&mut self, open: Mark) -> Result<(), Diagnostic> {
        let len = self.dollar_tag().unwrap_or(2);
        let src = self.src;
        let tag = &src[self.cur.pos..self.cur.pos + len];
        self.bump_n(len);
        match src[self.cur.pos..].find(tag) {
            Some(i) => {
                self.bump_n(i + len);
                Ok(())
            }
            None => Err(self
                .error_at(
                    open,
                    &format!("unterminated dollar-quoted string: the `{tag}` here is never closed"),
                )
                .with_help(format!("close the body with `{tag}`"))),
        }
    }

    /// A word (keyword, identifier or number); `E'...'` starts an escape string in
    /// PostgreSQL. Tracks `CREATE TRIGGER ... BEGIN ... END` bodies.
    fn word(&mut self) -> Result<(), Diagnostic> {
        let open = self.cur;
        while self.peek(0).is_some_and(is_word_byte) && !self.at_custom_delimiter() {
            self.bump();
        }
        let src = self.src;
        let word = &src[open.pos..self.cur.pos];
        if self.dialect == Dialect::Postgres
            && word.eq_ignore_ascii_case("e")
            && self.peek(0) == Some(b'\'')
        {
            self.quoted(b'\'', true, open)?;
            self.token(open);
            return Ok(());
        }
        let first = self.start.is_none();
        self.token(open);
        let is = |k: &str| word.eq_ignore_ascii_case(k);
        self.routine = match self.routine {
            _ if first => {
                if is("CREATE") {
                    Routine::Undecided { words: 0 }
                } else if is("BEGIN")
                    && self.dialect == Dialect::Mysql
                    && self.next_word().eq_ignore_ascii_case("NOT")
                {
                    // MariaDB's anonymous compound statement `BEGIN NOT ATOMIC ... END`.
                    self.block_open = Some(open);
                    Routine::Yes { depth: 1 }
                } else {
                    Routine::No
                }
            }
            Routine::Undecided { .. } if ROUTINE_KINDS.iter().any(|k| is(k)) => {
                Routine::Yes { depth: 0 }
            }
            Routine::Undecided { .. } if is("RULE") => Routine::Rule { depth: 0 },
            Routine::Undecided { words } if words >= 12 || OTHER_KINDS.iter().any(|k| is(k)) => {
                Routine::No
            }
            Routine::Undecided { words } => Routine::Undecided { words: words + 1 },
            Routine::Yes { depth } if is("BEGIN") || is("CASE") => {
                if depth == 0 {
                    self.block_open = Some(open);
                }
                Routine::Yes { depth: depth + 1 }
            }
            Routine::Yes { depth } if depth > 0 && is("END") => {
                let next = self.next_word();
                if UNCOUNTED_BLOCKS
                    .iter()
                    .any(|k| next.eq_ignore_ascii_case(k))
                {
                    Routine::Yes { depth }
                } else {
                    Routine::Yes { depth: depth - 1 }
                }
            }
            other => other,
        };
        Ok(())
    }

    /// Counts the parentheses around a `CREATE RULE`'s actions.
    fn rule_paren(&mut self, b: u8, open: Mark) {
        if let Routine::Rule { depth } = self.routine {
            let depth = match b {
                b'(' => {
                    if depth == 0 {
                        self.block_open = Some(open);
                    }
                    depth + 1
                }
                b')' => depth.saturating_sub(1),
                _ => depth,
            };
            self.routine = Routine::Rule { depth };
        }
    }

    /// The word after the cursor, skipping white space (empty if none).
    fn next_word(&self) -> &str {
        let rest = &self.src[self.cur.pos..];
        let rest = rest.trim_start();
        let len = rest
            .bytes()
            .position(|b| !is_word_byte(b))
            .unwrap_or(rest.len());
        &rest[..len]
    }

    /// Whether the cursor is at a MySQL client `DELIMITER` command (first word of a line).
    fn at_delimiter_command(&self) -> bool {
        let before = &self.src[self.cur.line_start..self.cur.pos];
        if !before.trim().is_empty() {
            return false;
        }
        let rest = &self.bytes[self.cur.pos..];
        rest.len() >= 9
            && rest[..9].eq_ignore_ascii_case(b"delimiter")
            && rest.get(9).is_none_or(|b| b.is_ascii_whitespace())
    }

    /// `DELIMITER <token>`: the rest of the line's first white-space-free token becomes
    /// the statement terminator.
    fn delimiter_command(&mut self) -> Result<(), Diagnostic> {
        let open = self.cur;
        self.bump_n(9);
        let line_end = self.src[self.cur.pos..]
            .find('\n')
            .map_or(self.src.len(), |i| self.cur.pos + i);
        let token = self.src[self.cur.pos..line_end].split_whitespace().next();
        match token {
            Some(t) => {
                self.delimiter = t.to_string();
                self.skip_line();
                Ok(())
            }
            None => Err(self
                .error_at(open, "`DELIMITER` without a delimiter")
                .with_help("write the new statement terminator after it, e.g. `DELIMITER //`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, dialect: Dialect) -> Vec<String> {
        split(src, "f.sql", dialect)
            .into_result()
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    fn err(src: &str, dialect: Dialect) -> Diagnostic {
        split(src, "f.sql", dialect).error.expect("an error")
    }

    #[test]
    fn strings_and_identifiers_hide_semicolons() {
        assert_eq!(
            texts(
                "SELECT 'a;b', 'it''s;', \"x;y\"; SELECT 2",
                Dialect::Postgres
            ),
            ["SELECT 'a;b', 'it''s;', \"x;y\"", "SELECT 2"]
        );
        assert_eq!(
            texts(r"SELECT E'a\';b'; SELECT 'c\'; SELECT 3", Dialect::Postgres),
            [r"SELECT E'a\';b'", r"SELECT 'c\'", "SELECT 3"]
        );
        assert_eq!(
            texts(
                r"SELECT e'\\'; SELECT typE'x;'; SELECT 3",
                Dialect::Postgres
            ),
            [r"SELECT e'\\'", "SELECT typE'x;'", "SELECT 3"]
        );
        assert_eq!(
            texts(r"SELECT '\\'; SELECT 2", Dialect::Mysql),
            [r"SELECT '\\'", "SELECT 2"]
        );
        assert_eq!(
            texts(
                r#"SELECT 'a\';b', "c\";d", `e;f`; SELECT 2"#,
                Dialect::Mysql
            ),
            [r#"SELECT 'a\';b', "c\";d", `e;f`"#, "SELECT 2"]
        );
        assert_eq!(
            texts("SELECT [a;b], `c;d` FROM t; SELECT 2", Dialect::Sqlite),
            ["SELECT [a;b], `c;d` FROM t", "SELECT 2"]
        );
    }

    #[test]
    fn comments_hide_semicolons_and_are_not_statements() {
        assert_eq!(
            texts(
                "-- a; b\n/* c; /* nested; */ d; */ SELECT 1; -- tail;\n/* only a comment */",
                Dialect::Postgres
            ),
            ["SELECT 1"]
        );
        // MySQL block comments do not nest, `#` is a comment, `--x` is not one.
        assert_eq!(
            texts("/* a /* b */ SELECT 1; # c;\nSELECT 2--1;", Dialect::Mysql),
            ["SELECT 1", "SELECT 2--1"]
        );
        assert_eq!(texts("SELECT 1 # 2;", Dialect::Postgres), ["SELECT 1 # 2"]);
    }

    #[test]
    fn mysql_executable_comments_are_statements() {
        assert_eq!(
            texts("/*!40101 SET NAMES utf8 */;\nSELECT 1;", Dialect::Mysql),
            ["/*!40101 SET NAMES utf8 */", "SELECT 1"]
        );
    }

    #[test]
    fn dollar_quotes() {
        let src = "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x := 'a'; RETURN $$;$$; END $body$ LANGUAGE plpgsql;\nSELECT $1, a$b; SELECT $$x$$";
        assert_eq!(
            texts(src, Dialect::Postgres),
            [
                "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x := 'a'; RETURN $$;$$; END $body$ LANGUAGE plpgsql",
                "SELECT $1, a$b",
                "SELECT $$x$$"
            ]
        );
    }

    #[test]
    fn trigger_bodies_are_one_statement() {
        let sqlite = "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET n = CASE WHEN 1 THEN 2 END;\n  DELETE FROM c;\nEND;\nSELECT 1;";
        let got = texts(sqlite, Dialect::Sqlite);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].ends_with("DELETE FROM c;\nEND"));
        let mysql = "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN\n IF x THEN SELECT 1; END IF;\n WHILE y DO SET y = 0; END WHILE;\n l: LOOP LEAVE l; END LOOP l;\nEND;\nBEGIN;\nSELECT 2;";
        assert_eq!(texts(mysql, Dialect::Mysql).len(), 3);
        let pg = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nSELECT 3;";
        assert_eq!(texts(pg, Dialect::Postgres).len(), 2);
        // A trigger without a body ends at its `;`.
        let plain = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1;\nSELECT 1;";
        assert_eq!(texts(plain, Dialect::Mysql).len(), 2);
        // PostgreSQL rules list their actions in parentheses.
        let rule = "CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO b VALUES (1); DELETE FROM c);\nSELECT 1;";
        assert_eq!(texts(rule, Dialect::Postgres).len(), 2);
        assert_eq!(
            texts(
                "CREATE RULE r AS ON DELETE TO a DO NOTHING; SELECT 1",
                Dialect::Postgres
            )
            .len(),
            2
        );
        // `BEGIN` outside a routine is a transaction...
        assert_eq!(texts("BEGIN; SELECT 1; END;", Dialect::Sqlite).len(), 3);
        assert_eq!(texts("BEGIN; SELECT 1; COMMIT;", Dialect::Mysql).len(), 3);
        assert_eq!(
            texts("BEGIN WORK; SELECT 1; COMMIT;", Dialect::Mysql).len(),
            3
        );
        // ...except MariaDB's anonymous compound statement.
        let block = "BEGIN NOT ATOMIC\n  IF 1 THEN SELECT 1; END IF;\n  SELECT 2;\nEND;\nSELECT 3;";
        assert_eq!(texts(block, Dialect::Mysql).len(), 2);
    }

    #[test]
    fn mysql_delimiter_blocks() {
        let src =
            "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\ndelimiter ;\nSELECT 2;\n";
        let got = split(src, "f.sql", Dialect::Mysql).into_result().unwrap();
        assert_eq!(got[0].text, "CREATE PROCEDURE p() BEGIN SELECT 1; END");
        assert_eq!((got[0].at.line, got[0].at.column), (2, 1));
        assert_eq!(got[1].text, "SELECT 2");
        assert_eq!(got.len(), 2);
        // `$$` is a common delimiter: it ends a statement even right after a word.
        let src = "DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 'a$$b'; END$$\nDELIMITER ;\nSELECT 2;";
        assert_eq!(
            texts(src, Dialect::Mysql),
            [
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 'a$$b'; END",
                "SELECT 2"
            ]
        );
        let e = err("DELIMITER\nSELECT 1;", Dialect::Mysql);
        assert!(e.message.contains("DELIMITER"), "{}", e.message);
    }

    #[test]
    fn empty_statements_produce_nothing() {
        assert!(texts(";;\n ; -- x\n;", Dialect::Postgres).is_empty());
        assert!(texts("", Dialect::Sqlite).is_empty());
    }

    #[test]
    fn unterminated_constructs_point_at_their_opening() {
        let cases: [(&str, Dialect, (u32, u32), &str); 8] = [
            (
                "SELECT 1;\nSELECT 'abc;\n",
                Dialect::Postgres,
                (2, 8),
                "string literal",
            ),
            (
                "SELECT \"abc",
                Dialect::Postgres,
                (1, 8),
                "quoted identifier",
            ),
            (
                "SELECT 1; /* a /* b */",
                Dialect::Postgres,
                (1, 11),
                "block comment",
            ),
            (
                "x;\n  $f$ body $$",
                Dialect::Postgres,
                (2, 3),
                "dollar-quoted",
            ),
            ("SELECT `a", Dialect::Mysql, (1, 8), "quoted identifier"),
            ("SELECT [a", Dialect::Sqlite, (1, 8), "quoted identifier"),
            (
                "CREATE RULE r AS ON INSERT TO a DO (SELECT 1;",
                Dialect::Postgres,
                (1, 36),
                "CREATE RULE",
            ),
            (
                "CREATE TRIGGER t AFTER INSERT ON a\nBEGIN SELECT 1;",
                Dialect::Sqlite,
                (2, 1),
                "BEGIN ... END",
            ),
        ];
        for (src, dialect, (line, column), what) in cases {
            let split = split(src, "f.sql", dialect);
            let e = split.error.expect(src);
            let loc = e.location.clone().unwrap();
            assert_eq!((loc.line, loc.column), (line, column), "{src}");
            assert!(e.message.contains(what), "{src}: {}", e.message);
            assert!(e.help.is_some());
        }
        // The statements before the error are kept.
        let split = split("SELECT 1;\nSELECT 'abc;\n", "f.sql", Dialect::Postgres);
        assert_eq!(split.statements.len(), 1);
    }

    #[test]
    fn positions_count_characters_and_crlf_lines() {
        let src = "-- é ü\r\n\r\n  /* ∑ */ CREATE TABLE ä (x int);\r\nSELECT 'ß'; SELECT 2;";
        let got = split(src, "m/1_a.sql", Dialect::Postgres)
            .into_result()
            .unwrap();
        let at: Vec<_> = got.iter().map(|s| (s.at.line, s.at.column)).collect();
        assert_eq!(at, [(3, 11), (4, 1), (4, 13)]);
        assert_eq!(got[0].source_line, "  /* ∑ */ CREATE TABLE ä (x int);");
        assert_eq!(got[0].text, "CREATE TABLE ä (x int)");
        assert_eq!(&*got[2].at.file, "m/1_a.sql");
    }
}
