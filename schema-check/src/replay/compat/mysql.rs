//! MySQL/MariaDB rewrites.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::{Edits, Exists, Fixup, Lookup, Outcome, is_kw, is_word};

/// MySQL/MariaDB spellings sqlparser 0.63 misses (see [`super::Fixup`]).
pub(super) fn rewrite(
    tokens: &[Token],
    sig: &[usize],
    edits: &mut Edits,
    exists: Lookup<'_>,
) -> Outcome {
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    if sig
        .get(1)
        .is_some_and(|&i| is_word(&tokens[i], "FULLTEXT") || is_word(&tokens[i], "SPATIAL"))
    {
        return fulltext_index(tokens, sig);
    }
    let mut fixup = Fixup::None;

    let word_at = |n: usize, w: &str| sig.get(n).is_some_and(|&i| is_word(&tokens[i], w));
    let mut names = Vec::new();
    let mut row_columns = Vec::new();
    let mut versioned = false;
    // The statement's application-time periods, for its `p WITHOUT OVERLAPS` key parts.
    let mut periods: Vec<(String, String, String)> = (0..sig.len())
        .filter_map(|n| period_at(tokens, sig, n))
        .map(|(p, _)| p)
        .collect();
    let mut dropped_periods = Vec::new();
    let mut unversion = false;
    let mut table = String::new();
    for n in 0..sig.len() {
        let t = &tokens[sig[n]];
        if is_word(t, "ZEROFILL") {
            // ZEROFILL (display padding) implies UNSIGNED; the type is otherwise the same.
            if n > 0 && kw_at(n - 1, Keyword::UNSIGNED) {
                edits.insert(sig[n], None);
            } else {
                edits.insert(sig[n], Some("UNSIGNED".into()));
            }
        } else if is_word(t, "CHARSET")
            && n > 0
            && !is_word(&tokens[sig[n - 1]], "DEFAULT")
            && sig
                .get(n + 1)
                .is_some_and(|&i| matches!(tokens[i], Token::Word(_)))
        {
            // A column's `CHARSET x` is `CHARACTER SET x` (table options are removed below).
            edits.insert(sig[n], Some("CHARACTER SET".into()));
        } else if is_word(t, "PERSISTENT") && n > 0 && tokens[sig[n - 1]] == Token::RParen {
            // MariaDB's `AS (expr) PERSISTENT` is `STORED`.
            edits.insert(sig[n], Some("STORED".into()));
        } else if (is_word(t, "WITH") || is_word(t, "WITHOUT"))
            && word_at(n + 1, "SYSTEM")
            && word_at(n + 2, "VERSIONING")
        {
            // MariaDB's `[WITH | WITHOUT] SYSTEM VERSIONING`, of a table or a column: whether
            // rows keep their history (`WITH`, of a column too, versions the table).
            versioned |= is_word(t, "WITH") && kw_at(0, Keyword::CREATE);
            for &i in &sig[n..n + 3] {
                edits.insert(i, None);
            }
        } else if is_word(t, "WITHOUT")
            && word_at(n + 1, "OVERLAPS")
            && n > 0
            && let Token::Word(w) = &tokens[sig[n - 1]]
            && let Some((_, start, end)) = periods
                .iter()
                .find(|(p, ..)| p.eq_ignore_ascii_case(&w.value))
        {
            // A key part `p WITHOUT OVERLAPS`: MariaDB lists the key with the period's end
            // and start columns in its place.
            edits.insert(sig[n - 1], Some(format!("`{end}`, `{start}`")));
            edits.insert(sig[n], None);
            edits.insert(sig[n + 1], None);
        } else if is_word(t, "GENERATED")
            && word_at(n + 1, "ALWAYS")
            && word_at(n + 2, "AS")
            && word_at(n + 3, "ROW")
            && (word_at(n + 4, "START") || word_at(n + 4, "END"))
        {
            // A system-versioned table's explicit period column: NOT NULL, its value
            // generated as `ROW START|END` (applied after, see `Fixup::Temporal`).
            if let Some(name) = column_of(tokens, sig, n) {
                let end = is_word(&tokens[sig[n + 4]], "END");
                row_columns.push((name, if end { "ROW END" } else { "ROW START" }.to_string()));
            }
            edits.insert(sig[n], Some("NOT NULL".into()));
            for &i in &sig[n + 1..n + 5] {
                edits.insert(i, None);
            }
        } else if is_word(t, "AS")
            && word_at(n + 1, "ROW")
            && (word_at(n + 2, "START") || word_at(n + 2, "END"))
            && !(n > 0 && word_at(n - 1, "ALWAYS"))
        {
            // The same without `GENERATED ALWAYS` (MariaDB accepts `c TIMESTAMP(6) AS ROW
            // START`).
            if let Some(name) = column_of(tokens, sig, n) {
                let end = is_word(&tokens[sig[n + 2]], "END");
                row_columns.push((name, if end { "ROW END" } else { "ROW START" }.to_string()));
            }
            edits.insert(sig[n], Some("NOT NULL".into()));
            for &i in &sig[n + 1..n + 3] {
                edits.insert(i, None);
            }
        } else if is_word(t, "PERIOD")
            && n > 0
            && tokens[sig[n - 1]] == Token::Comma
            && kw_at(n + 1, Keyword::FOR)
            && sig.get(n + 3).is_some_and(|&i| tokens[i] == Token::LParen)
            && let Some(close) = closing(tokens, sig, n + 3)
        {
            // MariaDB's `PERIOD FOR SYSTEM_TIME (s, e)` (or an application-time period, see
            // `Fixup::Temporal`) among a table's definitions names a pair of its columns; it
            // adds none.
            for &i in &sig[n - 1..=close] {
                edits.insert(i, None);
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
                            edits
                                .insert(i, Some(if with_column { " " } else { " COLUMN " }.into()));
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
    if kw_at(0, Keyword::CREATE) {
        // `CREATE TABLE ... PARTITION BY ...`: how rows are stored, after the definition.
        let mut depth = 0i32;
        let mut seen_definition = false;
        for (n, &i) in sig.iter().enumerate() {
            match tokens[i] {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    seen_definition |= depth == 0;
                }
                _ if depth == 0
                    && seen_definition
                    && is_word(&tokens[i], "PARTITION")
                    && sig
                        .get(n + 1)
                        .is_some_and(|&j| is_kw(&tokens[j], Keyword::BY)) =>
                {
                    let end = sig
                        .iter()
                        .rposition(|&j| tokens[j] != Token::SemiColon)
                        .unwrap_or(n);
                    for &j in &sig[n..=end] {
                        edits.insert(j, None);
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    if kw_at(0, Keyword::CREATE) {
        table = created_table_name(tokens, sig);
    }
    let mut placeholder = false;
    if kw_at(0, Keyword::ALTER) && kw_at(1, Keyword::TABLE) {
        let clauses = alter_clauses(tokens, sig);
        table = table_name(tokens, sig);
        let mut skipped = Vec::new();
        let options: Vec<&(usize, usize)> = clauses
            .iter()
            .filter(|&&(from, to)| {
                if is_table_option(tokens, sig, from) {
                    return true;
                }
                match clause_condition(tokens, sig, from, to, &table, exists, edits) {
                    Some(note) => {
                        skipped.push(note);
                        true
                    }
                    None => false,
                }
            })
            .collect();
        for &&(from, to) in &options {
            let word = |k: usize, w: &str| k < to && is_word(&tokens[sig[k]], w);
            versioned |= word(from, "ADD") && word(from + 1, "SYSTEM");
            unversion |= word(from, "DROP") && word(from + 1, "SYSTEM");
            if word(from, "ADD")
                && let Some(((p, ..), true)) = period_at(tokens, sig, from + 1)
                && exists(Exists::Check {
                    table: &table,
                    name: &p,
                }) == Some(true)
            {
                // `ADD PERIOD IF NOT EXISTS FOR p` of a period the table has (its CHECK
                // constraint bears the name).
                periods.retain(|(q, ..)| !q.eq_ignore_ascii_case(&p));
            }
            if word(from, "DROP") && word(from + 1, "PERIOD") {
                let at = if word(from + 2, "IF") {
                    from + 4
                } else {
                    from + 2
                };
                if word(at, "FOR")
                    && let Some(Token::Word(w)) = (at + 1 < to).then(|| &tokens[sig[at + 1]])
                    && !w.value.eq_ignore_ascii_case("SYSTEM_TIME")
                {
                    dropped_periods.push(w.value.clone());
                }
            }
        }
        let temporal = versioned || unversion || !periods.is_empty() || !dropped_periods.is_empty();
        let (mut renames, mut rename_at) = (Vec::new(), Vec::new());
        for &(from, to) in &clauses {
            rename_without_to(tokens, sig, from, to, edits);
            if options.iter().all(|&&(f, _)| f != from)
                && let Some(rename) = rename_index(tokens, sig, from, to)
            {
                renames.push(rename);
                rename_at.push(from);
            }
        }
        // The last character set clause wins, as on the server.
        let charset = options
            .iter()
            .rev()
            .find_map(|&&(from, to)| charset_clause(tokens, &sig[from..to]));
        if let Some((charset, convert)) = charset {
            let table = table_name(tokens, sig);
            fixup = Fixup::Charset {
                table,
                charset,
                convert,
            };
        }
        let remaining = clauses.len() - options.len() - renames.len();
        let renamed = !renames.is_empty();
        if renamed {
            fixup = Fixup::RenameIndexes {
                table: table.clone(),
                renames,
                then: Box::new(fixup),
            };
        }
        // Nothing left for sqlparser: index renames and temporal clauses are applied by the
        // fixup, and the statement becomes a placeholder that is not applied (see
        // `Fixup::Temporal`); the clause edits below are then unused.
        placeholder = remaining == 0 && !clauses.is_empty() && (renamed || temporal);
        if !placeholder && !clauses.is_empty() && remaining == 0 {
            if matches!(fixup, Fixup::Charset { .. }) {
                return Outcome::Replace("SELECT 1".to_string(), fixup);
            }
            if !skipped.is_empty() {
                return Outcome::Replace(
                    "SELECT 1".to_string(),
                    Fixup::Skip(format!("MariaDB skips it: {}", skipped.join("; "))),
                );
            }
            return Outcome::Replace(
                "SELECT 1".to_string(),
                Fixup::Skip("sets table options only (no column changes)".to_string()),
            );
        }
        // Each removed clause goes with the comma after it; when the last ones go, the comma
        // after the last clause kept goes too.
        let removed =
            |from: usize| options.iter().any(|&&(f, _)| f == from) || rename_at.contains(&from);
        for (n, &(from, to)) in clauses.iter().enumerate() {
            let comma = sig.get(to).filter(|&&i| tokens[i] == Token::Comma);
            if removed(from) {
                for &i in &sig[from..to] {
                    edits.insert(i, None);
                }
                if let Some(&comma) = comma {
                    edits.insert(comma, None);
                }
            } else if let Some(&comma) = comma
                && clauses[n + 1..].iter().all(|&(f, _)| removed(f))
            {
                edits.insert(comma, None);
            }
        }
        fixup = with_notes(skipped, fixup);
    }
    let fixup = temporal_fixup(
        fixup,
        unversion,
        Temporal {
            table,
            row_columns,
            versioned,
            periods,
            dropped_periods,
        },
    );
    if placeholder {
        Outcome::Replace("SELECT 1".to_string(), fixup)
    } else {
        Outcome::Edits(fixup)
    }
}

/// What a statement's temporal clauses do (the fields of [`Fixup::Temporal`]).
struct Temporal {
    table: String,
    row_columns: Vec<(String, String)>,
    versioned: bool,
    periods: Vec<(String, String, String)>,
    dropped_periods: Vec<String>,
}

/// `fixup` after the temporal clauses: [`Fixup::Unversion`] (`DROP SYSTEM VERSIONING`)
/// around it, then [`Fixup::Temporal`] when the statement has any other.
fn temporal_fixup(mut fixup: Fixup, unversion: bool, t: Temporal) -> Fixup {
    if unversion {
        fixup = Fixup::Unversion {
            table: t.table.clone(),
            then: Box::new(fixup),
        };
    }
    if t.versioned
        || !t.row_columns.is_empty()
        || !t.periods.is_empty()
        || !t.dropped_periods.is_empty()
    {
        fixup = Fixup::Temporal {
            table: t.table,
            row_columns: t.row_columns,
            versioned: t.versioned,
            periods: t.periods,
            dropped_periods: t.dropped_periods,
            then: Box::new(fixup),
        };
    }
    fixup
}

/// The application-time period defined at significant position `n` (`PERIOD [IF NOT
/// EXISTS] FOR p (start, end)`, in a `CREATE TABLE` or after `ALTER TABLE ... ADD`):
/// `(p, start, end)` as written, and whether `IF NOT EXISTS` is given. `None` for
/// anything else, `PERIOD FOR SYSTEM_TIME` included.
fn period_at(
    tokens: &[Token],
    sig: &[usize],
    n: usize,
) -> Option<((String, String, String), bool)> {
    let word = |k: usize, w: &str| sig.get(k).is_some_and(|&i| is_word(&tokens[i], w));
    let name = |k: usize| match sig.get(k).map(|&i| &tokens[i]) {
        Some(Token::Word(w)) => Some(w.value.clone()),
        _ => None,
    };
    let token = |k: usize, t: Token| sig.get(k).is_some_and(|&i| tokens[i] == t);
    if !word(n, "PERIOD") || n == 0 || !(token(n - 1, Token::Comma) || word(n - 1, "ADD")) {
        return None;
    }
    let if_not_exists = word(n + 1, "IF") && word(n + 2, "NOT") && word(n + 3, "EXISTS");
    let at = if if_not_exists { n + 4 } else { n + 1 };
    let p = name(at + 1)?;
    if !word(at, "FOR")
        || p.eq_ignore_ascii_case("SYSTEM_TIME")
        || !token(at + 2, Token::LParen)
        || !token(at + 4, Token::Comma)
        || !token(at + 6, Token::RParen)
    {
        return None;
    }
    Some(((p, name(at + 3)?, name(at + 5)?), if_not_exists))
}

/// The table `CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name` names (its last
/// part, as written), or an empty string.
fn created_table_name(tokens: &[Token], sig: &[usize]) -> String {
    match sig
        .iter()
        .take(5)
        .position(|&i| is_kw(&tokens[i], Keyword::TABLE))
    {
        Some(n) => word_at(tokens, sig, table_name_at(tokens, sig, n + 1)),
        None => String::new(),
    }
}

/// The significant position of the last part of the (possibly qualified) table name that
/// follows `TABLE` at significant position `n`, after `IF [NOT] EXISTS` if written (the
/// one reader of the name for `CREATE TABLE` and `ALTER TABLE`).
fn table_name_at(tokens: &[Token], sig: &[usize], mut n: usize) -> usize {
    let kw = |n: usize, k: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], k));
    if kw(n, Keyword::IF) {
        n += 1;
        if kw(n, Keyword::NOT) {
            n += 1;
        }
        if kw(n, Keyword::EXISTS) {
            n += 1;
        }
    }
    while sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::Period) {
        n += 2;
    }
    n
}

/// The word at significant position `n`, as written (unquoted), or an empty string.
fn word_at(tokens: &[Token], sig: &[usize], n: usize) -> String {
    match sig.get(n).map(|&i| &tokens[i]) {
        Some(Token::Word(w)) => w.value.clone(),
        _ => String::new(),
    }
}

/// The significant position of the parenthesis closing the one at `open`.
fn closing(tokens: &[Token], sig: &[usize], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    (open..sig.len()).find(|&m| {
        match tokens[sig[m]] {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        depth == 0
    })
}

/// The name (as written) of the column whose definition holds significant position `n`:
/// the first word of the definition (a `CREATE TABLE` element, or an `ALTER TABLE ... ADD
/// [COLUMN] [IF NOT EXISTS] name` / `MODIFY [COLUMN] [IF EXISTS] name` clause; `CHANGE`
/// names the new column second).
fn column_of(tokens: &[Token], sig: &[usize], n: usize) -> Option<String> {
    let mut depth = 0i32;
    let mut start = None;
    for m in (0..n).rev() {
        match tokens[sig[m]] {
            Token::RParen => depth += 1,
            Token::LParen if depth == 0 => {
                start = Some(m + 1);
                break;
            }
            Token::LParen => depth -= 1,
            Token::Comma if depth == 0 => {
                start = Some(m + 1);
                break;
            }
            _ => {}
        }
    }
    let start = match start {
        Some(start) => start,
        // The first clause of `ALTER TABLE [IF EXISTS] name`.
        None => alter_clauses(tokens, sig).first()?.0,
    };
    let word = |k: usize, w: &str| k < n && is_word(&tokens[sig[k]], w);
    let mut k = start;
    let change = word(k, "CHANGE");
    if word(k, "ADD") || word(k, "MODIFY") || change {
        k += 1;
        if word(k, "COLUMN") {
            k += 1;
        }
        if word(k, "IF") {
            k += if word(k + 1, "NOT") { 3 } else { 2 };
        }
        k += usize::from(change);
    }
    match (k < n).then(|| &tokens[sig[k]]) {
        Some(Token::Word(w)) => Some(w.value.clone()),
        _ => None,
    }
}

/// Whether sqlparser reads `text` (a MySQL statement) without error but as something it
/// is not, so the replay must rewrite it as if it had failed: `ALTER TABLE t ADD SYSTEM
/// VERSIONING` (MariaDB) would add a column `system` of type `versioning`.
///
/// ```
/// use schema_check::replay::compat::mysql::misread;
/// assert!(misread("ALTER TABLE t ADD COLUMN x INT, add  system\nversioning"));
/// assert!(!misread("ALTER TABLE t ADD `system` versioning_t"));
/// // Words in a string or a comment are not the clause.
/// assert!(!misread("ALTER TABLE t ADD c INT COMMENT 'add system versioning'"));
/// assert!(!misread("ALTER TABLE t ADD c INT /* add system versioning */"));
/// ```
pub fn misread(text: &str) -> bool {
    // Most statements are ruled out without tokenizing them a second time.
    let mentions_versioning = text
        .as_bytes()
        .windows(b"versioning".len())
        .any(|w| w.eq_ignore_ascii_case(b"versioning"));
    if !mentions_versioning || crate::replay::skip::leading_words(text, 2) != "ALTER TABLE" {
        return false;
    }
    let grammar = sqlparser::dialect::MySqlDialect {};
    let Ok(tokens) = sqlparser::tokenizer::Tokenizer::new(&grammar, text).tokenize() else {
        return false;
    };
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    words.windows(3).any(|w| {
        is_kw(w[0], Keyword::ADD) && is_word(w[1], "SYSTEM") && is_word(w[2], "VERSIONING")
    })
}

/// `fixup`, after recording the clauses MariaDB skipped (`notes`), if any.
fn with_notes(notes: Vec<String>, fixup: Fixup) -> Fixup {
    if notes.is_empty() {
        return fixup;
    }
    Fixup::SkippedClauses {
        notes: notes
            .into_iter()
            .map(|note| format!("a clause MariaDB skips: {note}"))
            .collect(),
        then: Box::new(fixup),
    }
}

/// The `(old, new)` names of a `RENAME {INDEX | KEY} [IF EXISTS] old TO new` clause at
/// significant positions `from..to` (the condition, if any, was decided already).
fn rename_index(
    tokens: &[Token],
    sig: &[usize],
    from: usize,
    to: usize,
) -> Option<(String, String)> {
    let word = |k: usize, w: &str| k < to && is_word(&tokens[sig[k]], w);
    let name = |k: usize| match (k < to).then(|| &tokens[sig[k]]) {
        Some(Token::Word(w)) => Some(w.value.clone()),
        _ => None,
    };
    if !(word(from, "RENAME") && (word(from + 1, "INDEX") || word(from + 1, "KEY"))) {
        return None;
    }
    let at = if word(from + 2, "IF") && word(from + 3, "EXISTS") {
        from + 4
    } else {
        from + 2
    };
    (word(at + 1, "TO") && at + 3 == to).then_some((name(at)?, name(at + 2)?))
}

/// MariaDB's `IF [NOT] EXISTS` inside the `ALTER TABLE` clause at significant positions
/// `from..to` (`ADD INDEX|KEY|UNIQUE ... IF NOT EXISTS name`, `ADD [CONSTRAINT [s]]
/// FOREIGN KEY IF NOT EXISTS [name]`, `DROP INDEX|KEY|FOREIGN KEY IF EXISTS name`,
/// `CHANGE|MODIFY [COLUMN] IF EXISTS name`, `RENAME COLUMN IF EXISTS name`), decided as
/// MariaDB 10.11 does: `Some(note)` when the server skips the clause (it emits a note);
/// otherwise the condition's words are removed (into `edits`) and the clause applies.
/// `ADD [COLUMN] IF NOT EXISTS` and `DROP [COLUMN|CONSTRAINT] IF EXISTS`, which sqlparser
/// reads, are left alone.
fn clause_condition(
    tokens: &[Token],
    sig: &[usize],
    from: usize,
    to: usize,
    table: &str,
    exists: Lookup<'_>,
    edits: &mut Edits,
) -> Option<String> {
    let word = |k: usize, w: &str| k < to && is_word(&tokens[sig[k]], w);
    let name_at = |k: usize| match (k < to).then(|| &tokens[sig[k]]) {
        Some(Token::Word(w))
            if !(w.quote_style.is_none() && w.value.eq_ignore_ascii_case("USING")) =>
        {
            Some(w.value.as_str())
        }
        _ => None,
    };
    // The condition comes before any parenthesis.
    let at = (from..to)
        .take_while(|&k| tokens[sig[k]] != Token::LParen)
        .find(|&k| word(k, "IF"))?;
    let not = word(at + 1, "NOT");
    let end = at + 1 + usize::from(not);
    if !word(end, "EXISTS") {
        return None;
    }
    let head = |w: &str| (from..at).any(|k| word(k, w));
    let after = name_at(end + 1);
    let (lookup, what) = if word(from, "ADD") && not && head("FOREIGN") {
        // The key is named by the index name after the condition, else the constraint's.
        let symbol = (word(from + 1, "CONSTRAINT") && !word(from + 2, "FOREIGN"))
            .then(|| name_at(from + 2))
            .flatten();
        let name = after.or(symbol);
        (
            name.map(|name| Exists::ForeignKey { table, name }),
            "foreign key",
        )
    } else if word(from, "ADD")
        && not
        && ["INDEX", "KEY", "UNIQUE", "FULLTEXT", "SPATIAL"]
            .iter()
            .any(|w| head(w))
    {
        (after.map(|name| Exists::Index { table, name }), "index")
    } else if word(from, "DROP") && !not && head("FOREIGN") && word(at - 1, "KEY") {
        (
            after.map(|name| Exists::ForeignKey { table, name }),
            "foreign key",
        )
    } else if word(from, "DROP") && !not && (word(at - 1, "INDEX") || word(at - 1, "KEY")) {
        (after.map(|name| Exists::Index { table, name }), "index")
    } else if word(from, "ADD") && not && word(from + 1, "CONSTRAINT") && at == from + 2 {
        // `ADD CONSTRAINT IF NOT EXISTS name CHECK (...)`.
        (
            after.map(|name| Exists::Check { table, name }),
            "check constraint",
        )
    } else if word(from, "RENAME")
        && !not
        && (word(from + 1, "INDEX") || word(from + 1, "KEY"))
        && at == from + 2
    {
        (after.map(|name| Exists::Index { table, name }), "index")
    } else if !not
        && (word(from, "CHANGE")
            || word(from, "MODIFY")
            || (word(from, "RENAME") && word(from + 1, "COLUMN")))
        && at <= from + 2
    {
        (after.map(|name| Exists::Column { table, name }), "column")
    } else {
        return None;
    };
    let found = lookup.and_then(exists);
    if found == Some(not) {
        let name = after.or(match lookup {
            Some(Exists::ForeignKey { name, .. }) => Some(name),
            _ => None,
        });
        let name = name.unwrap_or_default();
        return Some(if not {
            format!("{what} `{name}` already exists")
        } else {
            format!("{what} `{name}` does not exist")
        });
    }
    for &i in &sig[at..=end] {
        edits.insert(i, None);
    }
    None
}

/// MySQL's `RENAME new_name` clause of `ALTER TABLE` (the `TO` or `AS` is optional):
/// `RENAME TO new_name`, which sqlparser reads. `RENAME COLUMN|INDEX|KEY ...` and
/// `RENAME TO|AS ...` are left alone.
fn rename_without_to(tokens: &[Token], sig: &[usize], from: usize, to: usize, edits: &mut Edits) {
    let word = |k: usize, w: &str| k < to && is_word(&tokens[sig[k]], w);
    if !word(from, "RENAME")
        || ["TO", "AS", "COLUMN", "INDEX", "KEY"]
            .iter()
            .any(|w| word(from + 1, w))
    {
        return;
    }
    // Exactly a (possibly qualified) name follows.
    let mut k = from + 1;
    while k < to && matches!(tokens[sig[k]], Token::Word(_)) {
        k += 1;
        if k < to && tokens[sig[k]] == Token::Period {
            k += 1;
        } else {
            break;
        }
    }
    if k == to && to > from + 1 {
        edits.insert(sig[from], Some("RENAME TO".into()));
    }
}

/// The character set an `ALTER TABLE` clause gives the table, and whether it converts
/// the existing columns: `CONVERT TO {CHARSET | CHARACTER SET} x [COLLATE y]` (true), or
/// table options naming `[DEFAULT] {CHARSET | CHARACTER SET | COLLATE} [=] x` (false; a
/// collation names its set).
fn charset_clause(tokens: &[Token], clause: &[usize]) -> Option<(String, bool)> {
    let word = |k: usize, w: &str| clause.get(k).is_some_and(|&i| is_word(&tokens[i], w));
    let convert = word(0, "CONVERT") && word(1, "TO");
    // The value after position `k`, past an optional `=`.
    let value = |k: usize| {
        let k = if clause.get(k + 1).is_some_and(|&i| tokens[i] == Token::Eq) {
            k + 2
        } else {
            k + 1
        };
        match clause.get(k).map(|&i| &tokens[i]) {
            Some(Token::Word(w)) => Some(w.value.to_ascii_lowercase()),
            Some(Token::SingleQuotedString(s) | Token::DoubleQuotedString(s)) => {
                Some(s.to_ascii_lowercase())
            }
            _ => None,
        }
    };
    let mut charset = None;
    let mut collation = None;
    for k in 0..clause.len() {
        if word(k, "CHARSET") {
            charset = value(k);
        } else if word(k, "CHARACTER") && word(k + 1, "SET") {
            charset = value(k + 1);
        } else if word(k, "COLLATE") {
            collation = value(k);
        }
    }
    let charset = charset.or_else(|| Some(collation?.split('_').next()?.to_string()))?;
    // `DEFAULT` as the set: the database's, not known here.
    (charset != "default").then_some((charset, convert))
}

/// The table name of `ALTER TABLE [IF EXISTS] [schema.]name`: its last part, unquoted.
fn table_name(tokens: &[Token], sig: &[usize]) -> String {
    word_at(tokens, sig, table_name_at(tokens, sig, 2))
}

/// The clauses of `ALTER TABLE [IF EXISTS] name clause, clause ...`: ranges of
/// significant-token positions, commas excluded.
fn alter_clauses(tokens: &[Token], sig: &[usize]) -> Vec<(usize, usize)> {
    let n = table_name_at(tokens, sig, 2);
    let mut clauses = Vec::new();
    let (mut from, mut depth) = (n + 1, 0i32);
    for (m, &i) in sig.iter().enumerate().skip(n + 1) {
        match tokens[i] {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                clauses.push((from, m));
                from = m + 1;
            }
            Token::SemiColon if depth == 0 => break,
            _ => {}
        }
    }
    let end = sig
        .iter()
        .rposition(|&i| tokens[i] != Token::SemiColon)
        .map_or(0, |last| last + 1);
    if from < end {
        clauses.push((from, end));
    }
    clauses
}

/// Whether the `ALTER TABLE` clause starting at significant position `n` sets table
/// options (`ENGINE=`, `[DEFAULT] CHARSET=`, `[DEFAULT] COLLATE`, `CONVERT TO CHARACTER
/// SET`, `AUTO_INCREMENT=`, `COMMENT=`, `ROW_FORMAT=`, `ALGORITHM=`, `LOCK=`, ...): none
/// adds, drops or retypes a column the replay records.
fn is_table_option(tokens: &[Token], sig: &[usize], n: usize) -> bool {
    let word = |k: usize, w: &str| sig.get(k).is_some_and(|&i| is_word(&tokens[i], w));
    const OPTIONS: &[&str] = &[
        "ENGINE",
        "AUTO_INCREMENT",
        "ROW_FORMAT",
        "KEY_BLOCK_SIZE",
        "ALGORITHM",
        "LOCK",
        "COMMENT",
        "CHARSET",
        "COLLATE",
        "STATS_PERSISTENT",
        "STATS_AUTO_RECALC",
        "STATS_SAMPLE_PAGES",
        "PACK_KEYS",
        "CHECKSUM",
        "AVG_ROW_LENGTH",
        "MAX_ROWS",
        "MIN_ROWS",
        "DELAY_KEY_WRITE",
        "PAGE_CHECKSUM",
        "PAGE_COMPRESSED",
        "TRANSACTIONAL",
        "ENCRYPTED",
        "ENCRYPTION_KEY_ID",
        "COMPRESSION",
        "INSERT_METHOD",
        "FORCE",
    ];
    // mysqldump's `ALTER TABLE t DISABLE KEYS` / `ENABLE KEYS`; `ORDER BY` (row order);
    // partitioning.
    if ((word(n, "DISABLE") || word(n, "ENABLE")) && word(n + 1, "KEYS"))
        || (word(n, "ORDER") && word(n + 1, "BY"))
        || word(n, "PARTITION")
        || word(n, "REMOVE") && word(n + 1, "PARTITIONING")
        || ([
            "ADD",
            "DROP",
            "COALESCE",
            "REORGANIZE",
            "TRUNCATE",
            "EXCHANGE",
            "ANALYZE",
            "CHECK",
            "OPTIMIZE",
            "REBUILD",
            "REPAIR",
        ]
        .iter()
        .any(|w| word(n, w))
            && word(n + 1, "PARTITION"))
    {
        return true;
    }
    // MariaDB's `ADD | DROP SYSTEM VERSIONING` (the hidden ROW_START / ROW_END columns are
    // not in information_schema.COLUMNS) and `ADD | DROP PERIOD FOR ...` (names columns
    // the clause does not add).
    if (word(n, "ADD") || word(n, "DROP"))
        && ((word(n + 1, "SYSTEM") && word(n + 2, "VERSIONING")) || word(n + 1, "PERIOD"))
    {
        return true;
    }
    // `ALTER INDEX i [NOT] IGNORED` (MariaDB), `ALTER INDEX i VISIBLE|INVISIBLE` (MySQL 8):
    // whether the optimizer uses the index, not what the table holds.
    if word(n, "ALTER")
        && (word(n + 1, "INDEX") || word(n + 1, "KEY"))
        && ["IGNORED", "VISIBLE", "INVISIBLE"]
            .iter()
            .any(|w| word(n + 3, w) || (word(n + 3, "NOT") && word(n + 4, w)))
    {
        return true;
    }
    let at = if word(n, "DEFAULT") { n + 1 } else { n };
    OPTIONS.iter().any(|w| word(at, w))
        || (word(at, "CHARACTER") && word(at + 1, "SET"))
        || (at == n && word(n, "CONVERT") && word(n + 1, "TO"))
}

/// `CREATE FULLTEXT|SPATIAL INDEX name ON table (columns) [options]`, which sqlparser
/// does not read, as the `ALTER TABLE table ADD FULLTEXT|SPATIAL INDEX name (columns)`
/// it means.
fn fulltext_index(tokens: &[Token], sig: &[usize]) -> Outcome {
    let text = |from: usize, to: usize| -> String {
        tokens[sig[from]..=sig[to]]
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    let kind = tokens[sig[1]].to_string().to_ascii_uppercase();
    if !sig
        .get(2)
        .is_some_and(|&i| is_kw(&tokens[i], Keyword::INDEX))
    {
        return Outcome::Abort;
    }
    let Some(on) = sig.iter().position(|&i| is_kw(&tokens[i], Keyword::ON)) else {
        return Outcome::Abort;
    };
    let Some(open) = sig
        .iter()
        .skip(on)
        .position(|&i| tokens[i] == Token::LParen)
        .map(|p| p + on)
    else {
        return Outcome::Abort;
    };
    let mut depth = 0i32;
    let Some(close) = (open..sig.len()).find(|&m| {
        match tokens[sig[m]] {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        depth == 0
    }) else {
        return Outcome::Abort;
    };
    if on < 3 || open <= on + 1 {
        return Outcome::Abort;
    }
    let name = text(3, on - 1);
    let table = text(on + 1, open - 1);
    let columns = text(open, close);
    Outcome::Replace(
        format!("ALTER TABLE {table} ADD {kind} INDEX {name} {columns}"),
        Fixup::None,
    )
}

/// `text` with its MySQL version comments (`/*!40000 ... */`, `/*! ... */`, MariaDB's
/// `/*M!100401 ... */`), which the server runs as SQL, turned into their contents; `None`
/// without any.
///
/// ```
/// use schema_check::replay::compat::mysql::unwrap_version_comments;
/// assert_eq!(
///     unwrap_version_comments("/*!50003 CREATE*/ /*!50017 DEFINER=x*/ /*!50003 TRIGGER t */").as_deref(),
///     Some("  CREATE    DEFINER=x    TRIGGER t  "),
/// );
/// assert_eq!(unwrap_version_comments("/*M!100401 SET x=1 */").as_deref(), Some("  SET x=1  "));
/// assert_eq!(unwrap_version_comments("/* plain */ SELECT 1"), None);
/// ```
pub fn unwrap_version_comments(text: &str) -> Option<String> {
    // `/*!` (MySQL and MariaDB) or `/*M!` (MariaDB only).
    let next = |s: &str| {
        let a = s.find("/*!").map(|i| (i, 3));
        let b = s.find("/*M!").map(|i| (i, 4));
        a.into_iter().chain(b).min()
    };
    next(text)?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((open, len)) = next(rest) {
        let inner = &rest[open + len..];
        let close = inner.find("*/")?;
        let body = inner[..close].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str(&rest[..open]);
        out.push(' ');
        out.push_str(body);
        out.push(' ');
        rest = &inner[close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// `ALTER IGNORE TABLE` / `ALTER ONLINE TABLE` (duplicate rows dropped; no table lock)
/// as the `ALTER TABLE` it is for the schema.
///
/// ```
/// use schema_check::replay::compat::mysql::without_alter_modifier;
/// assert_eq!(
///     without_alter_modifier("alter  Ignore TABLE t ADD UNIQUE (c)").as_deref(),
///     Some("alter  TABLE t ADD UNIQUE (c)"),
/// );
/// assert_eq!(without_alter_modifier("ALTER TABLE t"), None);
/// ```
pub fn without_alter_modifier(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let alter = upper.find("ALTER")? + "ALTER".len();
    let rest = &upper[alter..];
    let word = alter + (rest.len() - rest.trim_start().len());
    let modifier = ["IGNORE", "ONLINE"].into_iter().find(|m| {
        upper[word..].starts_with(m) && upper[word + m.len()..].starts_with(char::is_whitespace)
    })?;
    let after = word + modifier.len();
    let next = after + (upper[after..].len() - upper[after..].trim_start().len());
    Some(format!("{}{}", &text[..word], &text[next..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reader_names_created_and_altered_tables() {
        let name = |text: &str, create: bool| {
            let tokens =
                sqlparser::tokenizer::Tokenizer::new(&sqlparser::dialect::MySqlDialect {}, text)
                    .tokenize()
                    .unwrap();
            let sig = super::super::significant(&tokens);
            if create {
                created_table_name(&tokens, &sig)
            } else {
                table_name(&tokens, &sig)
            }
        };
        assert_eq!(name("CREATE TABLE t (a INT)", true), "t");
        assert_eq!(name("CREATE TABLE IF NOT EXISTS db.`T` (a INT)", true), "T");
        assert_eq!(
            name("CREATE OR REPLACE TEMPORARY TABLE x.y (a INT)", true),
            "y"
        );
        assert_eq!(name("ALTER TABLE t ADD b INT", false), "t");
        assert_eq!(name("ALTER TABLE IF EXISTS db.t FORCE", false), "t");
        assert_eq!(name("CREATE INDEX i ON t (a)", true), "");
    }
}
