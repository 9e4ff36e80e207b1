//! Statements that cannot change a table's columns: which ones, and why.
//!
//! Parsed statements are classified by their AST; statements sqlparser cannot parse are
//! classified by their leading keywords. A statement that might change a table and
//! cannot be understood is never skipped: it is an error.

use sqlparser::ast::Statement as Ast;
use sqlparser::parser::ParserError;

use super::Ctx;
use super::position;
use crate::diagnostic::Diagnostic;
use crate::model::Skipped;

/// The first `n` words of a statement, upper-cased, after leading comments.
///
/// ```
/// use schema_check::replay::skip::leading_words;
/// assert_eq!(leading_words("-- hi\ncreate or replace function f()", 4), "CREATE OR REPLACE FUNCTION");
/// ```
pub fn leading_words(text: &str, n: usize) -> String {
    // Room for most statements' leading keywords.
    let mut out = String::with_capacity(8 * n);
    for (i, w) in words(text).take(n).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if w.is_ascii() {
            let start = out.len();
            out.push_str(w);
            out[start..].make_ascii_uppercase();
        } else {
            out.push_str(&w.to_uppercase());
        }
    }
    out
}

/// Whether the first word of a statement (after leading comments) is `keyword` (upper
/// case, ASCII), in any case: what `leading_words(text, 1) == keyword` says, without
/// building a string (this runs on every statement).
///
/// ```
/// use schema_check::replay::skip::first_word_is;
/// assert!(first_word_is("-- block\ndo $$ BEGIN END $$", "DO"));
/// assert!(!first_word_is("DOMAIN", "DO"));
/// assert!(!first_word_is("", "DO"));
/// ```
pub fn first_word_is(text: &str, keyword: &str) -> bool {
    words(text)
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
}

/// The words of a statement after its leading comments, as written (see [`leading_words`]).
fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = trimmed.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            rest = trimmed;
            break;
        }
    }
    std::iter::from_fn(move || {
        rest = &rest[word_run(rest, false)..];
        let len = word_run(rest, true);
        if len == 0 {
            return None;
        }
        let (w, after) = rest.split_at(len);
        rest = after;
        Some(w)
    })
}

/// The ASCII bytes that are word characters for [`words`]: letters, digits and `_`.
const ASCII_WORD: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// The byte length of the run of characters at the start of `s` that are (`word`) or are
/// not word characters: runs of letters, digits and `_` are words, everything else
/// separates them. ASCII is judged byte by byte (this runs on every statement), other
/// characters by Unicode's rules.
#[inline]
fn word_run(s: &str, word: bool) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(&w) = ASCII_WORD.get(usize::from(b)) {
            if w != word {
                break;
            }
            i += 1;
        } else {
            // `i` is on a character boundary: every step is a whole character.
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            if (c.is_alphanumeric() || c == '_') != word {
                break;
            }
            i += c.len_utf8();
        }
    }
    i
}

/// Statements whose leading words alone prove they cannot change a table's columns, with
/// what [`classify`] would call them: the replay skips these without parsing them (parsing
/// a function body only to skip it is wasted work). Anything that might touch a table, or
/// `search_path` (`SET`, `SELECT set_config(...)`), or undo earlier statements, is parsed.
const OBVIOUS_NOISE: &[(&[&str], &str)] = &[
    (&["CREATE", "FUNCTION"], "a function"),
    (&["CREATE", "OR", "REPLACE", "FUNCTION"], "a function"),
    (&["CREATE", "PROCEDURE"], "a procedure"),
    (&["CREATE", "OR", "REPLACE", "PROCEDURE"], "a procedure"),
    (&["CREATE", "TRIGGER"], "a trigger"),
    (&["CREATE", "OR", "REPLACE", "TRIGGER"], "a trigger"),
    (&["CREATE", "CONSTRAINT", "TRIGGER"], "a trigger"),
    (&["COMMENT", "ON"], "COMMENT ON"),
    (&["GRANT"], "a privilege change"),
    (&["REVOKE"], "a privilege change"),
    (&["INSERT"], "INSERT"),
    (&["UPDATE"], "UPDATE"),
    (&["DELETE"], "DELETE"),
];

/// The longest word of `OBVIOUS_NOISE`, in bytes, and the most words of an entry: each
/// word is compared as one integer ([`pack`]); the table has fewer than 32 entries (a bit
/// each).
const NOISE_WORD_MAX: usize = 16;
const NOISE_WORDS_MAX: usize = 4;

/// The bytes of a word of at most [`NOISE_WORD_MAX`] bytes as one integer, zero-padded, as
/// `u128::from_le_bytes` reads them (no word of the table is empty, so an absent word
/// never matches).
const fn pack(word: &[u8]) -> u128 {
    let mut bytes = [0u8; NOISE_WORD_MAX];
    let mut i = 0;
    while i < word.len() {
        bytes[i] = word[i];
        i += 1;
    }
    u128::from_le_bytes(bytes)
}

/// `OBVIOUS_NOISE`'s words, packed ([`pack`]), by position: `NOISE_PACKED[j][i]` is the
/// `j`th word of entry `i` (zero past its last).
const NOISE_PACKED: [[u128; OBVIOUS_NOISE.len()]; NOISE_WORDS_MAX] = {
    assert!(OBVIOUS_NOISE.len() < 32);
    let mut packed = [[0; OBVIOUS_NOISE.len()]; NOISE_WORDS_MAX];
    let mut i = 0;
    while i < OBVIOUS_NOISE.len() {
        let words = OBVIOUS_NOISE[i].0;
        assert!(!words.is_empty() && words.len() <= NOISE_WORDS_MAX);
        let mut j = 0;
        while j < words.len() {
            let w = words[j].as_bytes();
            assert!(!w.is_empty() && w.len() <= NOISE_WORD_MAX);
            let mut k = 0;
            while k < w.len() {
                assert!(w[k].is_ascii_uppercase());
                k += 1;
            }
            packed[j][i] = pack(w);
            j += 1;
        }
        i += 1;
    }
    packed
};

/// Why a statement cannot change a table's columns, judged from its leading words alone
/// (see `OBVIOUS_NOISE` in this module), or `None` when it must be parsed.
///
/// ```
/// use schema_check::replay::skip::obvious_noise;
/// assert_eq!(
///     obvious_noise("-- audit\nCREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ ... $$"),
///     Some("a function cannot change table columns".to_string())
/// );
/// assert_eq!(obvious_noise("CREATE TABLE t (id int)"), None);
/// assert_eq!(obvious_noise("INSERTS"), None);
/// ```
pub fn obvious_noise(text: &str) -> Option<String> {
    // The statement's words are read one at a time, and only while some entry of the
    // table still matches: most statements are rejected at their first or second word.
    // Each word is upper-cased once (Unicode rules for a word that is not ASCII) and
    // compared with the entries' words as one integer each.
    let mut alive: u32 = (1 << OBVIOUS_NOISE.len()) - 1;
    let mut words = words(text);
    for (depth, packed) in NOISE_PACKED.iter().enumerate() {
        let w = words.next().unwrap_or("");
        let mut upper = [0u8; NOISE_WORD_MAX];
        if w.is_ascii() {
            // Longer than any word of the table: no match.
            upper.get_mut(..w.len())?.copy_from_slice(w.as_bytes());
            upper.make_ascii_uppercase();
        } else {
            let unicode: String = w.chars().flat_map(char::to_uppercase).collect();
            upper
                .get_mut(..unicode.len())?
                .copy_from_slice(unicode.as_bytes());
        }
        let word = u128::from_le_bytes(upper);
        let mut matched = 0;
        let mut bits = alive;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if packed[i] == word {
                let (entry, what) = OBVIOUS_NOISE[i];
                if entry.len() == depth + 1 {
                    return Some(format!("{what} cannot change table columns"));
                }
                matched |= 1 << i;
            }
        }
        if matched == 0 {
            return None;
        }
        alive = matched;
    }
    None
}

/// The table a SQLite `CREATE VIRTUAL TABLE [IF NOT EXISTS] [schema.]name USING ...`
/// creates, lower case and unquoted.
///
/// ```
/// use schema_check::replay::skip::virtual_table_name;
/// let name = |s| virtual_table_name(s);
/// assert_eq!(name("CREATE VIRTUAL TABLE IF NOT EXISTS \"Docs\" USING fts5(a)").as_deref(), Some("docs"));
/// assert_eq!(name("create virtual table main.f using fts4(a)").as_deref(), Some("f"));
/// assert_eq!(name("CREATE TABLE f (a)"), None);
/// ```
pub fn virtual_table_name(text: &str) -> Option<String> {
    if leading_words(text, 3) != "CREATE VIRTUAL TABLE" {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut n = 3;
    if words.get(n).is_some_and(|w| w.eq_ignore_ascii_case("IF")) {
        n += 3;
    }
    let name = words.get(n)?.split('(').next()?;
    let name = name.rsplit('.').next()?;
    let name = name.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']' | '\''));
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

/// Why a parsed statement cannot change a table's columns, or `None` when it might.
pub fn classify(ast: &Ast) -> Option<String> {
    if let Ast::CreateVirtualTable { name, .. } = ast {
        return Some(format!(
            "virtual table `{name}` (e.g. FTS) is not modelled: its columns are untyped and \
             it cannot be a cached table"
        ));
    }
    let what = match ast {
        Ast::Query(_) => "SELECT",
        Ast::Insert(_) => "INSERT",
        Ast::Update(_) => "UPDATE",
        Ast::Delete(_) => "DELETE",
        Ast::Merge(_) => "MERGE",
        Ast::Truncate(_) => "TRUNCATE",
        Ast::Copy { .. } => "COPY",
        Ast::Call(_) => "CALL",
        Ast::Set(_) => "SET",
        Ast::Reset(_) => "RESET",
        Ast::Analyze(_) => "ANALYZE",
        Ast::Vacuum(_) => "VACUUM",
        Ast::CreateFunction(_) | Ast::AlterFunction(_) | Ast::DropFunction(_) => "a function",
        Ast::CreateProcedure { .. } | Ast::DropProcedure { .. } => "a procedure",
        Ast::CreateTrigger(_) | Ast::DropTrigger(_) => "a trigger",
        Ast::Comment { .. } => "COMMENT ON",
        Ast::Grant(_) | Ast::Revoke(_) | Ast::Deny(_) => "a privilege change",
        Ast::CreateExtension(_) | Ast::DropExtension(_) => "an extension",
        Ast::CreateSequence { .. } => "a sequence",
        Ast::CreateSchema { .. } | Ast::AlterSchema(_) => "a schema",
        Ast::CreateDatabase { .. } => "CREATE DATABASE",
        Ast::CreatePolicy(_) | Ast::AlterPolicy(_) | Ast::DropPolicy(_) => "a row security policy",
        Ast::CreateRole(_) | Ast::AlterRole { .. } => "a role",
        Ast::StartTransaction { .. }
        | Ast::Commit { .. }
        | Ast::Savepoint { .. }
        | Ast::ReleaseSavepoint { .. } => "transaction control",
        Ast::Pragma { .. } => "PRAGMA",
        Ast::Lock(_) | Ast::LockTables { .. } | Ast::UnlockTables => "a lock",
        Ast::Use(_) => "USE",
        Ast::Explain { .. } | Ast::ExplainTable { .. } => "EXPLAIN",
        Ast::Declare { .. }
        | Ast::Fetch { .. }
        | Ast::Close { .. }
        | Ast::Discard { .. }
        | Ast::Deallocate { .. }
        | Ast::Execute { .. }
        | Ast::Prepare { .. } => "a session command",
        Ast::LISTEN { .. } | Ast::UNLISTEN { .. } | Ast::NOTIFY { .. } => "LISTEN/NOTIFY",
        Ast::CreateCollation(_) | Ast::AlterCollation(_) => "a collation",
        Ast::AlterView { .. } => "ALTER VIEW",
        Ast::CreateOperator(_)
        | Ast::CreateOperatorFamily(_)
        | Ast::CreateOperatorClass(_)
        | Ast::AlterOperator(_)
        | Ast::AlterOperatorFamily(_)
        | Ast::AlterOperatorClass(_)
        | Ast::DropOperator(_)
        | Ast::DropOperatorFamily(_)
        | Ast::DropOperatorClass(_) => "an operator",
        Ast::CreateTextSearch(_) | Ast::AlterTextSearch(_) => "text search configuration",
        Ast::OptimizeTable { .. } => "OPTIMIZE TABLE",
        Ast::Flush { .. } => "FLUSH",
        _ => return None,
    };
    Some(format!("{what} cannot change table columns"))
}

/// Leading keywords of statements that cannot change a table's columns, for statements
/// sqlparser does not parse. Longest prefixes are not needed: any match skips.
const SKIPPABLE_PREFIXES: &[&str] = &[
    // SQLite: not modelled when parsed either (see `classify`); module arguments such as
    // FTS5's `content='t'` are not SQL sqlparser reads.
    "CREATE VIRTUAL TABLE",
    "CREATE FUNCTION",
    "CREATE OR REPLACE FUNCTION",
    "CREATE PROCEDURE",
    "CREATE OR REPLACE PROCEDURE",
    "CREATE TRIGGER",
    "CREATE OR REPLACE TRIGGER",
    "CREATE CONSTRAINT TRIGGER",
    "CREATE EVENT TRIGGER",
    "CREATE RULE",
    "CREATE OR REPLACE RULE",
    "CREATE AGGREGATE",
    "CREATE OR REPLACE AGGREGATE",
    "CREATE OPERATOR",
    "CREATE EXTENSION",
    "CREATE SEQUENCE",
    "CREATE SCHEMA",
    "CREATE POLICY",
    "CREATE ROLE",
    "CREATE USER",
    "CREATE STATISTICS",
    "CREATE PUBLICATION",
    "CREATE SUBSCRIPTION",
    "CREATE CAST",
    "CREATE COLLATION",
    "CREATE LANGUAGE",
    "CREATE OR REPLACE LANGUAGE",
    "CREATE TEXT SEARCH",
    "CREATE SERVER",
    "CREATE USER MAPPING",
    "CREATE FOREIGN DATA WRAPPER",
    "CREATE CONVERSION",
    "CREATE EVENT",
    "CREATE DEFINER",
    "ALTER FUNCTION",
    "ALTER INDEX",
    "ALTER PROCEDURE",
    "ALTER SEQUENCE",
    "ALTER ROLE",
    "ALTER USER",
    "ALTER SCHEMA",
    "ALTER DATABASE",
    "ALTER EXTENSION",
    "ALTER POLICY",
    "ALTER TRIGGER",
    "ALTER DEFAULT PRIVILEGES",
    "ALTER PUBLICATION",
    "ALTER SUBSCRIPTION",
    "ALTER STATISTICS",
    "ALTER TEXT SEARCH",
    "ALTER EVENT",
    "ALTER AGGREGATE",
    "ALTER OPERATOR",
    "ALTER SYSTEM",
    "DROP FUNCTION",
    "DROP PROCEDURE",
    "DROP TRIGGER",
    "DROP RULE",
    "DROP AGGREGATE",
    "DROP OPERATOR",
    "DROP EXTENSION",
    "DROP SEQUENCE",
    "DROP POLICY",
    "DROP ROLE",
    "DROP USER",
    "DROP STATISTICS",
    "DROP PUBLICATION",
    "DROP SUBSCRIPTION",
    "DROP EVENT",
    "DROP CAST",
    "DROP LANGUAGE",
    "DROP SERVER",
    "DO",
    "COMMENT ON",
    "SECURITY LABEL",
    "GRANT",
    "REVOKE",
    "INSERT",
    "UPDATE",
    "DELETE",
    "SELECT",
    "VALUES",
    "SET",
    "RESET",
    "BEGIN",
    "START TRANSACTION",
    "COMMIT",
    "END",
    "SAVEPOINT",
    "RELEASE",
    "VACUUM",
    "ANALYZE",
    "ANALYSE",
    "REINDEX",
    "CLUSTER",
    "REFRESH MATERIALIZED VIEW",
    "CHECKPOINT",
    "LOCK",
    "NOTIFY",
    "LISTEN",
    "DISCARD",
    "COPY",
    "CALL",
    "EXPLAIN",
    "PRAGMA",
    "USE",
    "FLUSH",
    "OPTIMIZE",
    "DELIMITER",
    "DECLARE",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "SHOW",
];

/// PostgreSQL `ALTER TYPE` forms sqlparser does not parse that leave every table's columns
/// as they are: a composite type's attributes (`ADD | DROP | ALTER | RENAME ATTRIBUTE`: a
/// column of the type keeps its type) and `OWNER TO`. `words`: the statement's leading
/// words ([`leading_words`]; a qualified type name is two).
///
/// ```
/// use schema_check::replay::skip::{alter_type_noise, leading_words};
/// let w = |sql| leading_words(sql, 8);
/// assert!(alter_type_noise(&w("ALTER TYPE pair ADD ATTRIBUTE c date")).is_some());
/// assert!(alter_type_noise(&w("alter type app.pair drop attribute if exists c")).is_some());
/// assert!(alter_type_noise(&w("ALTER TYPE mood OWNER TO admin")).is_some());
/// assert!(alter_type_noise(&w("ALTER TYPE mood ADD VALUE 'x'")).is_none());
/// assert!(alter_type_noise(&w("ALTER TABLE t ADD ATTRIBUTE")).is_none());
/// ```
pub fn alter_type_noise(words: &str) -> Option<&'static str> {
    let w: Vec<&str> = words.split(' ').collect();
    if w.len() < 4 || w[..2] != ["ALTER", "TYPE"] {
        return None;
    }
    // The type name is one word, or two when schema-qualified.
    [3, 4]
        .into_iter()
        .find_map(|i| match (w.get(i), w.get(i + 1)) {
            (Some(&("ADD" | "DROP" | "ALTER" | "RENAME")), Some(&"ATTRIBUTE")) => {
                Some("a composite type's attribute")
            }
            (Some(&"OWNER"), Some(&"TO")) => Some("a type's owner"),
            _ => None,
        })
}

/// Handles a statement sqlparser failed to parse: a skip when its leading keywords show
/// it cannot change table columns, otherwise an error at the parser's position.
pub(crate) fn unparsed(ctx: &Ctx<'_>, err: &ParserError) -> Result<Skipped, Diagnostic> {
    // MySQL runs the contents of version comments (`/*!50003 CREATE*/ ...`).
    let unwrapped = super::compat::mysql::unwrap_version_comments(&ctx.stmt.text);
    let words = leading_words(unwrapped.as_deref().unwrap_or(&ctx.stmt.text), 5);
    let (message, pos) = position::parse_error_position(&err.to_string());
    let prefix = SKIPPABLE_PREFIXES.iter().find(|p| {
        words == **p || (words.starts_with(*p) && words.as_bytes().get(p.len()) == Some(&b' '))
    });
    if let Some(prefix) = prefix {
        return Ok(Skipped {
            at: ctx.at().clone(),
            reason: format!("not parsed: {prefix} cannot change table columns ({message})"),
            first_line: ctx.stmt.first_line().to_string(),
        });
    }
    if let Some(what) = alter_type_noise(&leading_words(&ctx.stmt.text, 8)) {
        return Ok(Skipped {
            at: ctx.at().clone(),
            reason: format!("not parsed: {what} cannot change table columns ({message})"),
            first_line: ctx.stmt.first_line().to_string(),
        });
    }
    let (location, source_line) = match pos {
        Some((line, column)) => {
            let location = position::map(ctx.at(), &ctx.stmt.text, line, column);
            // Lines after the statement's first are whole lines of the file; the first
            // may start mid-line, so the splitter's full line is used for it.
            let source_line = if location.line == ctx.at().line {
                ctx.stmt.source_line.clone()
            } else {
                ctx.stmt
                    .text
                    .lines()
                    .nth(line.saturating_sub(1) as usize)
                    .unwrap_or_default()
                    .to_string()
            };
            (location, source_line)
        }
        None => (ctx.at().clone(), ctx.stmt.source_line.clone()),
    };
    Err(Diagnostic::new(format!(
        "cannot parse this `{}` statement: {message}",
        leading_words(&ctx.stmt.text, 2)
    ))
    .at(location)
    .with_source_line(source_line)
    .with_help(
        "this statement may change a table, so it cannot be skipped: fix the syntax, or \
         rewrite it in a form sqlparser understands (it runs in the migration's dialect)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_knows_noise() {
        let d = sqlparser::dialect::PostgreSqlDialect {};
        for sql in [
            "INSERT INTO t VALUES (1)",
            "GRANT SELECT ON t TO bob",
            "COMMENT ON TABLE t IS 'x'",
            "CREATE SEQUENCE s",
            "BEGIN",
            "VACUUM",
        ] {
            let ast = sqlparser::parser::Parser::parse_sql(&d, sql).unwrap();
            assert!(classify(&ast[0]).is_some(), "{sql}");
        }
        let ast = sqlparser::parser::Parser::parse_sql(&d, "CREATE TABLE t (a int)").unwrap();
        assert_eq!(classify(&ast[0]), None);
    }

    #[test]
    fn noise_is_judged_by_whole_leading_words() {
        for sql in [
            "/* x */ -- y\n  create or replace function f() returns int",
            "Comment on table t is 'x'",
            "GRANT",
            "insert(",
        ] {
            assert!(obvious_noise(sql).is_some(), "{sql}");
        }
        for sql in [
            "CREATE OR REPLACE VIEW v AS SELECT 1",
            "CREATE OR",
            "INSERTS INTO t",
            "COMMENT",
            "CREATE TABLE grant (a int)",
            "SELECT 1; INSERT INTO t VALUES (1)",
        ] {
            assert!(obvious_noise(sql).is_none(), "{sql}");
        }
        // The comparison is leading_words' (Unicode upper case), word by word.
        assert_eq!(leading_words("\u{131}nsert into t", 1), "INSERT");
        assert!(obvious_noise("\u{131}nsert into t").is_some());
        // A word longer than any of the table's, and one that is not ASCII.
        assert!(obvious_noise("CREATE FUNCTIONFUNCTIONFUNCTION f()").is_none());
        assert!(obvious_noise("CREATE FUNCTIO\u{e9} f()").is_none());
    }

    #[test]
    fn words_are_runs_of_letters_digits_and_underscores() {
        let all = |s| words(s).collect::<Vec<_>>();
        assert_eq!(
            all("/* a */ CREATE/*x*/FUNCTION\tf_1(\"b\")"),
            ["CREATE", "x", "FUNCTION", "f_1", "b"]
        );
        // Letters that are not ASCII belong to words; other characters separate them.
        assert_eq!(
            all("\u{e9}t\u{e9}_1 \u{f1}\u{2014}b"),
            ["\u{e9}t\u{e9}_1", "\u{f1}", "b"]
        );
        assert_eq!(all("-- only a comment"), Vec::<&str>::new());
        assert!(first_word_is("do$$ BEGIN END $$", "DO"));
        assert!(!first_word_is("do_it()", "DO"));
    }
}
