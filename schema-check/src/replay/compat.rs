//! Rewrites for valid statements sqlparser 0.63 cannot parse, tried only after a parse
//! failure. Each rewrite removes tokens that do not change what the replay records, and
//! says what it removed so the replay can account for it. When the rewritten text still
//! does not parse, the original error is reported.

use std::collections::BTreeMap;

use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::dialect::Dialect;

/// What a rewrite removed that the replay must apply itself.
///
/// Rewrites: `DROP INDEX CONCURRENTLY` (PostgreSQL) loses `CONCURRENTLY`;
/// `ALTER INDEX IF EXISTS` loses `IF EXISTS` (reported as [`Fixup::IndexIfExists`]);
/// `CREATE DOMAIN ... [NOT] NULL` loses the null constraint (reported as
/// [`Fixup::DomainNotNull`]); MySQL `ZEROFILL` becomes `UNSIGNED`, which it implies (the
/// ` zerofill` suffix MariaDB prints is restored from the statement text); MariaDB
/// `ADD COLUMN IF NOT EXISTS` loses `IF NOT EXISTS` (reported as
/// [`Fixup::AddColumnIfNotExists`]); SQLite multi-word type names (`UNSIGNED BIG INT`)
/// are joined with `_` (same length, so positions do not move; the declared text is
/// read back from the original statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixup {
    /// Nothing: the removed words do not change the schema.
    None,
    /// `CREATE DOMAIN ... NOT NULL`: the domain is NOT NULL.
    DomainNotNull,
    /// `ALTER INDEX IF EXISTS`: a missing index is not an error.
    IndexIfExists,
    /// `ADD COLUMN IF NOT EXISTS <name>` for these column names (as written).
    AddColumnIfNotExists(Vec<String>),
    /// PostgreSQL `(LIKE src INCLUDING x EXCLUDING y ...)`: `(including, WHAT)` in order.
    LikeOptions(Vec<(bool, String)>),
    /// `ALTER COLUMN c DROP IDENTITY`: `(column as written, quoted)` lose their identity.
    DropIdentity(Vec<(String, bool)>),
    /// The statement cannot change columns: record it as skipped with this reason.
    Skip(String),
}

/// The parenthesis depth before significant token `n`.
fn depth_at(tokens: &[Token], sig: &[usize], n: usize) -> i32 {
    sig[..n].iter().fold(0, |d, &i| match tokens[i] {
        Token::LParen => d + 1,
        Token::RParen => d - 1,
        _ => d,
    })
}

fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

fn is_word(t: &Token, word: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// Words that end a SQLite type name (the start of a column constraint).
const SQLITE_CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
    "AUTOINCREMENT",
    "FOREIGN",
];

fn sqlite_type_word(t: &Token) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none()
        && !SQLITE_CONSTRAINT_WORDS.iter().any(|c| w.value.eq_ignore_ascii_case(c)))
}

/// A rewrite of `text` that sqlparser can parse, if one applies.
///
/// ```
/// use schema_check::Dialect;
/// use schema_check::replay::compat::{rewrite, Fixup};
/// let d = sqlparser::dialect::PostgreSqlDialect {};
/// let (text, fix) = rewrite(Dialect::Postgres, &d, "DROP INDEX CONCURRENTLY IF EXISTS i").unwrap();
/// assert_eq!((text.as_str(), fix), ("DROP INDEX IF EXISTS i", Fixup::None));
/// let (text, fix) = rewrite(Dialect::Postgres, &d, "CREATE DOMAIN e AS text NOT NULL CHECK (VALUE <> '')").unwrap();
/// assert_eq!((text.as_str(), fix), ("CREATE DOMAIN e AS text CHECK (VALUE <> '')", Fixup::DomainNotNull));
/// let lite = sqlparser::dialect::SQLiteDialect {};
/// let (text, _) = rewrite(Dialect::Sqlite, &lite, "CREATE TABLE t (a UNSIGNED  BIG INT NOT NULL)").unwrap();
/// assert_eq!(text, "CREATE TABLE t (a UNSIGNED__BIG_INT NOT NULL)");
/// ```
pub fn rewrite(
    dialect: Dialect,
    parser: &dyn ParserDialect,
    text: &str,
) -> Option<(String, Fixup)> {
    // Cheap pre-check: tokenize only statements a rewrite can apply to.
    let head = super::skip::leading_words(text, 2);
    let candidate = head == "DROP INDEX"
        || head == "ALTER INDEX"
        || head == "CREATE DOMAIN"
        || (dialect == Dialect::Mysql && (head == "ALTER TABLE" || head == "CREATE TABLE"))
        || (dialect == Dialect::Postgres
            && matches!(
                head.as_str(),
                "ALTER TABLE" | "CREATE TABLE" | "CREATE MATERIALIZED"
            ))
        || (dialect == Dialect::Sqlite && (head == "CREATE TABLE" || head == "ALTER TABLE"));
    if !candidate {
        return None;
    }
    let tokens = Tokenizer::new(parser, text).tokenize().ok()?;
    let sig: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .collect();
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    // Token index -> replacement (`None` removes the token and the white space before it).
    let mut edits: BTreeMap<usize, Option<String>> = BTreeMap::new();
    let mut fixup = Fixup::None;
    if kw_at(0, Keyword::DROP) && kw_at(1, Keyword::INDEX) && kw_at(2, Keyword::CONCURRENTLY) {
        edits.insert(sig[2], None);
    } else if kw_at(0, Keyword::ALTER)
        && kw_at(1, Keyword::INDEX)
        && kw_at(2, Keyword::IF)
        && kw_at(3, Keyword::EXISTS)
    {
        edits.insert(sig[2], None);
        edits.insert(sig[3], None);
        fixup = Fixup::IndexIfExists;
    } else if kw_at(0, Keyword::CREATE) && kw_at(1, Keyword::DOMAIN) {
        // Top-level `NOT NULL` / `NULL` constraints (not inside CHECK (...)).
        let mut depth = 0i32;
        for (n, &i) in sig.iter().enumerate() {
            match &tokens[i] {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                t if depth == 0 && is_kw(t, Keyword::NULL) => {
                    edits.insert(i, None);
                    if n > 0 && is_kw(&tokens[sig[n - 1]], Keyword::NOT) {
                        edits.insert(sig[n - 1], None);
                        fixup = Fixup::DomainNotNull;
                    }
                }
                _ => {}
            }
        }
    } else if dialect == Dialect::Postgres
        && (kw_at(0, Keyword::ALTER) || kw_at(0, Keyword::CREATE))
    {
        let depth0_commas = (0..sig.len())
            .filter(|&n| tokens[sig[n]] == Token::Comma && depth_at(&tokens, &sig, n) == 0)
            .count();
        let find =
            |a: Keyword, b: Keyword| (0..sig.len()).find(|&n| kw_at(n, a) && kw_at(n + 1, b));
        let single_op_skip =
            |reason: &str| Some(("SELECT 1".to_string(), Fixup::Skip(reason.to_string())));
        if kw_at(0, Keyword::ALTER) && kw_at(1, Keyword::TABLE) {
            if find(Keyword::ATTACH, Keyword::PARTITION).is_some()
                || find(Keyword::DETACH, Keyword::PARTITION).is_some()
            {
                return single_op_skip(
                    "not parsed: ALTER TABLE ... ATTACH/DETACH PARTITION cannot change table columns",
                );
            }
            let storage_only = ["STATISTICS", "STORAGE", "COMPRESSION"].iter().any(|w| {
                (1..sig.len()).any(|n| kw_at(n - 1, Keyword::SET) && is_word(&tokens[sig[n]], w))
            });
            if storage_only && depth0_commas == 0 {
                return single_op_skip(
                    "not parsed: ALTER COLUMN ... SET STATISTICS/STORAGE/COMPRESSION cannot change table columns",
                );
            }
        }
        // `ALTER TABLE name SET SCHEMA s` is a rename to `s.name`.
        if let Some(n) =
            (3..sig.len()).find(|&n| kw_at(n, Keyword::SET) && kw_at(n + 1, Keyword::SCHEMA))
            && let Some(&schema_at) = sig.get(n + 2)
        {
            let table = tokens[sig[n - 1]].to_string();
            let schema = tokens[schema_at].to_string();
            edits.insert(sig[n], Some("RENAME".into()));
            edits.insert(sig[n + 1], Some("TO".into()));
            edits.insert(schema_at, Some(format!("{schema}.{table}")));
        }
        // `ALTER COLUMN c DROP IDENTITY [IF EXISTS]`: read as DROP DEFAULT, then the
        // identity is removed (the column stays NOT NULL).
        if let Some(n) = (1..sig.len().saturating_sub(1))
            .find(|&n| kw_at(n, Keyword::DROP) && is_word(&tokens[sig[n + 1]], "IDENTITY"))
        {
            let column = match &tokens[sig[n - 1]] {
                Token::Word(w) => w.clone(),
                _ => return None,
            };
            edits.insert(sig[n + 1], Some("DEFAULT".into()));
            if kw_at(n + 2, Keyword::IF) && kw_at(n + 3, Keyword::EXISTS) {
                edits.insert(sig[n + 2], None);
                edits.insert(sig[n + 3], None);
            }
            fixup = Fixup::DropIdentity(vec![(column.value, column.quote_style.is_some())]);
        }
        // `TYPE varchar(5) COLLATE "C"`: the collation does not change the type.
        for n in 1..sig.len() {
            if kw_at(0, Keyword::ALTER) && kw_at(n, Keyword::COLLATE) && n + 1 < sig.len() {
                edits.insert(sig[n], None);
                edits.insert(sig[n + 1], None);
            }
        }
        // `GENERATED ... AS IDENTITY (START WITH 10 INCREMENT BY 5)`: sequence options.
        for n in 1..sig.len() {
            if is_word(&tokens[sig[n]], "IDENTITY")
                && kw_at(n - 1, Keyword::AS)
                && sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::LParen)
            {
                let mut depth = 0;
                for &i in &sig[n + 1..] {
                    match tokens[i] {
                        Token::LParen => depth += 1,
                        Token::RParen => depth -= 1,
                        _ => {}
                    }
                    edits.insert(i, None);
                    if depth == 0 {
                        break;
                    }
                }
            }
        }
        // `CREATE MATERIALIZED VIEW ... WITH [NO] DATA`.
        if kw_at(0, Keyword::CREATE) && sig.len() >= 2 {
            let last = sig.len() - 1;
            if is_word(&tokens[sig[last]], "DATA") && kw_at(last - 1, Keyword::WITH) {
                edits.insert(sig[last], None);
                edits.insert(sig[last - 1], None);
            } else if last >= 2
                && is_word(&tokens[sig[last]], "DATA")
                && kw_at(last - 1, Keyword::NO)
                && kw_at(last - 2, Keyword::WITH)
            {
                for &i in &sig[last - 2..] {
                    edits.insert(i, None);
                }
            }
        }
        // `(LIKE src INCLUDING ... EXCLUDING ...)`: the options are removed and reported.
        if kw_at(0, Keyword::CREATE)
            && let Some(like) = (0..sig.len()).find(|&n| kw_at(n, Keyword::LIKE))
        {
            let mut options = Vec::new();
            let mut n = like + 2;
            while (kw_at(n, Keyword::INCLUDING) || kw_at(n, Keyword::EXCLUDING))
                && n + 1 < sig.len()
            {
                let include = kw_at(n, Keyword::INCLUDING);
                let what = tokens[sig[n + 1]].to_string().to_ascii_uppercase();
                options.push((include, what));
                edits.insert(sig[n], None);
                edits.insert(sig[n + 1], None);
                n += 2;
            }
            if !options.is_empty() {
                fixup = Fixup::LikeOptions(options);
            }
        }
    } else if dialect == Dialect::Mysql {
        let mut names = Vec::new();
        for n in 0..sig.len() {
            let t = &tokens[sig[n]];
            if is_word(t, "ZEROFILL") {
                // ZEROFILL (display padding) implies UNSIGNED; the type is otherwise the same.
                if n > 0 && kw_at(n - 1, Keyword::UNSIGNED) {
                    edits.insert(sig[n], None);
                } else {
                    edits.insert(sig[n], Some("UNSIGNED".into()));
                }
            } else if is_word(t, "NATIONAL")
                && sig.get(n + 1).is_some_and(|&i| {
                    ["CHAR", "VARCHAR", "CHARACTER"]
                        .iter()
                        .any(|w| is_word(&tokens[i], w))
                })
            {
                // `NATIONAL VARCHAR(n)` is VARCHAR(n) in the national character set.
                edits.insert(sig[n], None);
            } else if is_kw(t, Keyword::BINARY)
                && n > 0
                && sig.get(n + 1).is_none_or(|&i| tokens[i] != Token::LParen)
                && (tokens[sig[n - 1]] == Token::RParen
                    || [
                        "CHAR",
                        "VARCHAR",
                        "TEXT",
                        "TINYTEXT",
                        "MEDIUMTEXT",
                        "LONGTEXT",
                    ]
                    .iter()
                    .any(|w| is_word(&tokens[sig[n - 1]], w)))
            {
                // `VARCHAR(10) BINARY`: a binary collation, the type is unchanged.
                edits.insert(sig[n], None);
            } else if is_word(t, "LONG") {
                // MariaDB `LONG VARCHAR` / `LONG` is MEDIUMTEXT, `LONG VARBINARY` MEDIUMBLOB.
                let next = sig.get(n + 1).map(|&i| &tokens[i]);
                if next.is_some_and(|t| is_word(t, "VARBINARY")) {
                    edits.insert(sig[n], Some("MEDIUMBLOB".into()));
                    edits.insert(sig[n + 1], None);
                } else {
                    edits.insert(sig[n], Some("MEDIUMTEXT".into()));
                    if next.is_some_and(|t| is_word(t, "VARCHAR")) {
                        edits.insert(sig[n + 1], None);
                    }
                }
            } else if is_kw(t, Keyword::USING)
                && sig.get(n + 2).is_some_and(|&i| tokens[i] == Token::LParen)
                && sig
                    .get(n + 1)
                    .is_some_and(|&i| is_word(&tokens[i], "BTREE") || is_word(&tokens[i], "HASH"))
            {
                // `PRIMARY KEY USING BTREE (a)`: the index method before the columns.
                edits.insert(sig[n], None);
                edits.insert(sig[n + 1], None);
            } else if is_kw(t, Keyword::ADD)
                && sig
                    .get(n + 1 + usize::from(kw_at(n + 1, Keyword::COLUMN)))
                    .is_some_and(|&i| tokens[i] == Token::LParen)
            {
                // `ADD [COLUMN] (a INT, b TEXT)`: one ADD COLUMN per definition.
                let open = n + 1 + usize::from(kw_at(n + 1, Keyword::COLUMN));
                let mut depth = 0i32;
                for (m, &i) in sig.iter().enumerate().skip(open) {
                    match &tokens[i] {
                        Token::LParen => {
                            depth += 1;
                            if m == open {
                                let with_column = kw_at(n + 1, Keyword::COLUMN);
                                edits.insert(
                                    i,
                                    Some(if with_column { " " } else { " COLUMN " }.into()),
                                );
                            }
                        }
                        Token::RParen => {
                            depth -= 1;
                            if depth == 0 {
                                edits.insert(i, Some(" ".into()));
                                break;
                            }
                        }
                        Token::Comma if depth == 1 => {
                            edits.insert(i, Some(", ADD COLUMN ".into()));
                        }
                        _ => {}
                    }
                }
            } else if is_kw(t, Keyword::COMMENT) && kw_at(0, Keyword::ALTER) && {
                let v = if sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::Eq) {
                    n + 2
                } else {
                    n + 1
                };
                sig.get(v)
                    .is_some_and(|&i| matches!(tokens[i], Token::SingleQuotedString(_)))
                    && depth_at(&tokens, &sig, n) == 0
            } {
                // ALTER TABLE ... COMMENT [=] '...': a table option, not a column change.
                let v = if sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::Eq) {
                    n + 2
                } else {
                    n + 1
                };
                for &i in &sig[n..=v] {
                    edits.insert(i, None);
                }
                if n > 0 && tokens[sig[n - 1]] == Token::Comma {
                    edits.insert(sig[n - 1], None);
                } else if sig.get(v + 1).is_some_and(|&i| tokens[i] == Token::Comma) {
                    edits.insert(sig[v + 1], None);
                }
            } else if is_kw(t, Keyword::ADD)
                && kw_at(n + 1, Keyword::COLUMN)
                && kw_at(n + 2, Keyword::IF)
                && kw_at(n + 3, Keyword::NOT)
                && kw_at(n + 4, Keyword::EXISTS)
            {
                for k in 2..5 {
                    edits.insert(sig[n + k], None);
                }
                if let Some(Token::Word(w)) = sig.get(n + 5).map(|&i| &tokens[i]) {
                    names.push(w.value.clone());
                }
            }
        }
        if !names.is_empty() {
            fixup = Fixup::AddColumnIfNotExists(names);
        }
    } else if dialect == Dialect::Sqlite {
        // Column definitions: in CREATE TABLE (...) at depth 1 after `(` or `,`, and after
        // ALTER TABLE ... ADD [COLUMN]; the type is the run of words after the name.
        let mut starts = Vec::new();
        if kw_at(0, Keyword::CREATE) {
            let mut depth = 0i32;
            for (n, &i) in sig.iter().enumerate() {
                match &tokens[i] {
                    Token::LParen => {
                        depth += 1;
                        if depth == 1 {
                            starts.push(n + 1);
                        }
                    }
                    Token::RParen => depth -= 1,
                    Token::Comma if depth == 1 => starts.push(n + 1),
                    _ => {}
                }
            }
        } else if let Some(n) = (0..sig.len()).find(|&n| kw_at(n, Keyword::ADD)) {
            starts.push(if kw_at(n + 1, Keyword::COLUMN) {
                n + 2
            } else {
                n + 1
            });
        }
        for start in starts {
            // `start` is the column name; type words follow.
            let mut n = start + 1;
            let first = n;
            while sig.get(n).is_some_and(|&i| sqlite_type_word(&tokens[i])) {
                n += 1;
            }
            if n - first >= 2 {
                for k in first..n - 1 {
                    for (i, t) in tokens.iter().enumerate().take(sig[k + 1]).skip(sig[k] + 1) {
                        if let Token::Whitespace(w) = t {
                            let ws = w.to_string();
                            if ws.contains('\n') {
                                return None;
                            }
                            edits.insert(i, Some("_".repeat(ws.len())));
                        }
                    }
                }
            }
        }
    }
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
