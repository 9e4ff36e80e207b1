//! PostgreSQL rewrites.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::{Edits, Fixup, Outcome, depth_at, is_kw, is_word};

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

    let depth0_commas = (0..sig.len())
        .filter(|&n| tokens[sig[n]] == Token::Comma && depth_at(tokens, sig, n) == 0)
        .count();
    let find = |a: Keyword, b: Keyword| (0..sig.len()).find(|&n| kw_at(n, a) && kw_at(n + 1, b));
    let single_op_skip =
        |reason: &str| Outcome::Replace("SELECT 1".to_string(), Fixup::Skip(reason.to_string()));
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
            _ => return Outcome::Abort,
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
