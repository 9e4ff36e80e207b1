//! PostgreSQL rewrites.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::{Edits, Fixup, GeneratedChange, Outcome, is_kw, is_word};

/// PostgreSQL statements every dialect's parser may meet: `DROP INDEX CONCURRENTLY`,
/// `ALTER INDEX IF EXISTS`, `CREATE DOMAIN ... [NOT] NULL`.
pub(super) fn common(tokens: &[Token], sig: &[usize], edits: &mut Edits) -> Outcome {
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
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
    } else {
        return Outcome::Abort;
    }
    Outcome::Edits(fixup)
}

/// PostgreSQL ALTER/CREATE TABLE forms sqlparser 0.63 misses (see [`super::Fixup`]).
pub(super) fn rewrite(tokens: &[Token], sig: &[usize], edits: &mut Edits) -> Outcome {
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    let mut fixup = Fixup::None;

    let find = |a: Keyword, b: Keyword| (0..sig.len()).find(|&n| kw_at(n, a) && kw_at(n + 1, b));
    let single_op_skip =
        |reason: &str| Outcome::Replace("SELECT 1".to_string(), Fixup::Skip(reason.to_string()));
    if kw_at(0, Keyword::CREATE)
        && let Some(r) = (1..sig.len().min(5))
            .find(|&n| kw_at(n, Keyword::RECURSIVE) && kw_at(n + 1, Keyword::VIEW))
    {
        return recursive_view(tokens, sig, r);
    }
    if kw_at(0, Keyword::ALTER) && kw_at(1, Keyword::TABLE) {
        if find(Keyword::ATTACH, Keyword::PARTITION).is_some()
            || find(Keyword::DETACH, Keyword::PARTITION).is_some()
        {
            return single_op_skip(
                "not parsed: ALTER TABLE ... ATTACH/DETACH PARTITION cannot change table columns",
            );
        }
        match table_actions(tokens, sig, edits) {
            Actions::Untouched => {}
            Actions::AllRemoved(None) => {
                return single_op_skip(
                    "not parsed: its ALTER TABLE actions (CLUSTER ON, ALTER CONSTRAINT, identity \
                     sequence options, column storage settings) cannot change table columns",
                );
            }
            Actions::AllRemoved(Some(f)) => return Outcome::Replace("SELECT 1".to_string(), f),
            Actions::SomeRemoved(f) => fixup = f.unwrap_or(Fixup::None),
        }
    }
    // `CREATE [UNIQUE] INDEX ... ON ONLY table` (pg_dump writes it for partitioned tables).
    if kw_at(0, Keyword::CREATE)
        && let Some(on) = (1..sig.len()).find(|&n| kw_at(n, Keyword::ON))
        && (kw_at(1, Keyword::INDEX) || (kw_at(1, Keyword::UNIQUE) && kw_at(2, Keyword::INDEX)))
    {
        if !kw_at(on + 1, Keyword::ONLY) {
            return Outcome::Abort;
        }
        edits.insert(sig[on + 1], None);
        return Outcome::Edits(Fixup::IndexOnly);
    }
    // Storage parameters that do not change what the replay records: a key's index
    // parameters (`PRIMARY KEY (id) WITH (fillfactor = 80)`, `USING INDEX TABLESPACE t`)
    // and a view's options (`CREATE VIEW v WITH (security_barrier) AS ...`).
    let view = kw_at(0, Keyword::CREATE)
        && (1..sig.len().min(6)).any(|n| kw_at(n, Keyword::VIEW))
        && !(1..sig.len().min(6)).any(|n| kw_at(n, Keyword::MATERIALIZED));
    let mut depth = 0i32;
    for n in 0..sig.len() {
        match tokens[sig[n]] {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        let after_list = n > 0 && tokens[sig[n - 1]] == Token::RParen;
        let key_parameters = after_list
            && ((kw_at(0, Keyword::CREATE) && kw_at(1, Keyword::TABLE) && depth >= 1)
                || (kw_at(0, Keyword::ALTER) && kw_at(1, Keyword::TABLE)));
        let view_options = view && depth == 0 && (n + 1..sig.len()).any(|m| kw_at(m, Keyword::AS));
        if kw_at(n, Keyword::WITH)
            && sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::LParen)
            && (key_parameters || view_options)
        {
            let mut d = 0;
            for &i in &sig[n..] {
                match tokens[i] {
                    Token::LParen => d += 1,
                    Token::RParen => d -= 1,
                    _ => {}
                }
                edits.insert(i, None);
                if d == 0 && tokens[i] == Token::RParen {
                    break;
                }
            }
        }
        // `CREATE TABLE t (...) WITHOUT OIDS`: what every table is since PostgreSQL 12.
        if depth == 0
            && kw_at(0, Keyword::CREATE)
            && kw_at(n, Keyword::WITHOUT)
            && is_word_at(tokens, sig, n + 1, "OIDS")
        {
            edits.insert(sig[n], None);
            edits.insert(sig[n + 1], None);
        }
        if kw_at(n, Keyword::USING)
            && kw_at(n + 1, Keyword::INDEX)
            && is_word_at(tokens, sig, n + 2, "TABLESPACE")
            && n + 3 < sig.len()
        {
            for &i in &sig[n..=n + 3] {
                edits.insert(i, None);
            }
        }
    }
    if view {
        return Outcome::Edits(fixup);
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
        // After the source's name, which may be qualified (`public.src`).
        let mut n = like + 2;
        while sig.get(n).is_some_and(|&i| tokens[i] == Token::Period) {
            n += 2;
        }
        while (kw_at(n, Keyword::INCLUDING) || kw_at(n, Keyword::EXCLUDING)) && n + 1 < sig.len() {
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
    Outcome::Edits(fixup)
}

/// `CREATE [OR REPLACE] [TEMP] RECURSIVE VIEW name (cols) AS query` (`r`: where
/// `RECURSIVE` is), which sqlparser 0.63 does not parse, written as PostgreSQL reads it
/// (`makeRecursiveViewSelect`): `CREATE ... VIEW name (cols) AS WITH RECURSIVE name (cols)
/// AS (query) SELECT cols FROM name`.
fn recursive_view(tokens: &[Token], sig: &[usize], r: usize) -> Outcome {
    let text = |from: usize, to: usize| -> String {
        tokens[from..to].iter().map(ToString::to_string).collect()
    };
    let head = text(0, sig[r]);
    // The name, possibly qualified; the CTE takes its last part.
    let mut n = r + 2;
    if n >= sig.len() {
        return Outcome::Abort;
    }
    let name_from = sig[n];
    n += 1;
    while sig.get(n).is_some_and(|&i| tokens[i] == Token::Period) {
        n += 2;
    }
    let Some(&last) = sig.get(n - 1) else {
        return Outcome::Abort;
    };
    let name = text(name_from, last + 1);
    let cte = tokens[last].to_string();
    if sig.get(n).is_none_or(|&i| tokens[i] != Token::LParen) {
        return Outcome::Abort;
    }
    let open = n;
    let Some(close) = (open..sig.len()).find(|&m| tokens[sig[m]] == Token::RParen) else {
        return Outcome::Abort;
    };
    if !sig
        .get(close + 1)
        .is_some_and(|&i| is_kw(&tokens[i], Keyword::AS))
        || close + 2 >= sig.len()
    {
        return Outcome::Abort;
    }
    let columns = text(sig[open] + 1, sig[close]);
    let query = text(sig[close + 2], tokens.len());
    Outcome::Replace(
        format!(
            "{head}VIEW {name} ({columns}) AS WITH RECURSIVE {cte} ({columns}) AS ({query}) \
             SELECT {columns} FROM {cte}"
        ),
        Fixup::None,
    )
}

/// What [`table_actions`] did to an `ALTER TABLE` statement.
enum Actions {
    /// No action was removed.
    Untouched,
    /// Some actions were removed; the identity/generation changes among them, if any.
    SomeRemoved(Option<Fixup>),
    /// Every action was removed; the identity/generation changes among them, if any.
    AllRemoved(Option<Fixup>),
}

/// Removes the actions of `ALTER TABLE [IF EXISTS] [ONLY] name [*] action, ...` that
/// sqlparser 0.63 does not parse and that leave what the replay records as it is
/// (`CLUSTER ON`, `SET WITHOUT CLUSTER`, `ALTER CONSTRAINT ... [NOT] DEFERRABLE`,
/// `ALTER COLUMN c RESTART` and identity sequence options, `SET STATISTICS | STORAGE |
/// COMPRESSION`, `SET (...)` / `RESET (...)` of a column), and the ones that only change a
/// column's identity or generation (`DROP IDENTITY`, `DROP EXPRESSION`, `SET GENERATED`),
/// which are returned as [`Fixup::ColumnGenerated`] for the replay to apply.
fn table_actions(tokens: &[Token], sig: &[usize], edits: &mut Edits) -> Actions {
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    let word_at = |n: usize, w: &str| sig.get(n).is_some_and(|&i| is_word(&tokens[i], w));
    // The table name.
    let mut n = 2;
    if kw_at(n, Keyword::IF) && kw_at(n + 1, Keyword::EXISTS) {
        n += 2;
    }
    if kw_at(n, Keyword::ONLY) {
        n += 1;
    }
    let mut parts = Vec::new();
    while let Some(Token::Word(w)) = sig.get(n).map(|&i| &tokens[i]) {
        parts.push(sqlparser::ast::Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: sqlparser::tokenizer::Span::empty(),
        });
        n += 1;
        if sig.get(n).is_some_and(|&i| tokens[i] == Token::Period) {
            n += 1;
        } else {
            break;
        }
    }
    if parts.is_empty() {
        return Actions::Untouched;
    }
    let table = sqlparser::ast::ObjectName::from(parts);
    if sig.get(n).is_some_and(|&i| tokens[i] == Token::Mul) {
        n += 1;
    }
    // The actions: spans of significant tokens between top-level commas.
    let mut spans = Vec::new();
    let mut start = n;
    let mut depth = 0i32;
    for (k, &i) in sig.iter().enumerate().skip(n) {
        match tokens[i] {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                spans.push((start, k));
                start = k + 1;
            }
            _ => {}
        }
    }
    spans.push((start, sig.len()));
    let mut changes = Vec::new();
    let mut removed = vec![false; spans.len()];
    for (a, (from, _)) in spans.iter().enumerate() {
        let f = *from;
        let noise = (kw_at(f, Keyword::CLUSTER) && kw_at(f + 1, Keyword::ON))
            || (kw_at(f, Keyword::SET)
                && kw_at(f + 1, Keyword::WITHOUT)
                && word_at(f + 2, "CLUSTER"))
            || (kw_at(f, Keyword::ALTER) && kw_at(f + 1, Keyword::CONSTRAINT));
        if noise {
            removed[a] = true;
            continue;
        }
        if !kw_at(f, Keyword::ALTER) {
            continue;
        }
        let c = if kw_at(f + 1, Keyword::COLUMN) {
            f + 2
        } else {
            f + 1
        };
        let Some(Token::Word(column)) = sig.get(c).map(|&i| &tokens[i]) else {
            continue;
        };
        let column = sqlparser::ast::Ident {
            value: column.value.clone(),
            quote_style: column.quote_style,
            span: sqlparser::tokenizer::Span::empty(),
        };
        let op = c + 1;
        let set_word = |w: &str| kw_at(op, Keyword::SET) && word_at(op + 1, w);
        let change = if kw_at(op, Keyword::DROP) && word_at(op + 1, "IDENTITY") {
            Some(GeneratedChange::DropIdentity)
        } else if kw_at(op, Keyword::DROP) && word_at(op + 1, "EXPRESSION") {
            Some(GeneratedChange::DropExpression)
        } else if set_word("GENERATED") {
            Some(GeneratedChange::SetGenerated(word_at(op + 2, "ALWAYS")))
        } else {
            None
        };
        let sequence_option = [
            "INCREMENT",
            "START",
            "MINVALUE",
            "MAXVALUE",
            "NO",
            "CYCLE",
            "CACHE",
        ]
        .iter()
        .any(|w| set_word(w));
        let column_noise = word_at(op, "RESTART")
            || sequence_option
            || ["STATISTICS", "STORAGE", "COMPRESSION"]
                .iter()
                .any(|w| set_word(w))
            || ((kw_at(op, Keyword::SET) || word_at(op, "RESET"))
                && sig.get(op + 1).is_some_and(|&i| tokens[i] == Token::LParen));
        if let Some(change) = change {
            changes.push((column, change));
            removed[a] = true;
        } else if column_noise {
            removed[a] = true;
        }
    }
    if !removed.contains(&true) {
        return Actions::Untouched;
    }
    let fixup = (!changes.is_empty()).then_some(Fixup::ColumnGenerated { table, changes });
    if !removed.contains(&false) {
        return Actions::AllRemoved(fixup);
    }
    // Remove each removed action with the comma before it (the first one kept loses
    // the comma after it instead, when it follows removed ones).
    let first_kept = removed.iter().position(|r| !r).unwrap_or(0);
    for (a, &(from, to)) in spans.iter().enumerate() {
        if !removed[a] {
            continue;
        }
        for &i in &sig[from..to] {
            edits.insert(i, None);
        }
        if a > first_kept {
            edits.insert(sig[from - 1], None);
        } else if let Some(&comma) = sig.get(to) {
            edits.insert(comma, None);
        }
    }
    Actions::SomeRemoved(fixup)
}

/// Whether significant token `n` is the unquoted word `w`.
fn is_word_at(tokens: &[Token], sig: &[usize], n: usize, w: &str) -> bool {
    sig.get(n).is_some_and(|&i| is_word(&tokens[i], w))
}
