//! SQLite rewrites.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::{Edits, Fixup, Outcome, is_kw};
use crate::replay::declared::CONSTRAINT_WORDS;

fn sqlite_type_word(t: &Token) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none()
        && !CONSTRAINT_WORDS.iter().any(|c| w.value.eq_ignore_ascii_case(c)))
}

/// SQLite multi-word type names (see [`super::Fixup`]).
pub(super) fn rewrite(tokens: &[Token], sig: &[usize], edits: &mut Edits) -> Outcome {
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    let fixup = Fixup::None;

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
                            return Outcome::Abort;
                        }
                        edits.insert(i, Some("_".repeat(ws.len())));
                    }
                }
            }
        }
    }
    if kw_at(0, Keyword::CREATE) {
        on_conflict_clauses(tokens, sig, edits);
        strict_with_other_options(tokens, sig, edits);
    }
    Outcome::Edits(fixup)
}

/// Removes the `ON CONFLICT <algorithm>` clauses of a table's constraints (`UNIQUE (a)
/// ON CONFLICT REPLACE`), which decide what a violating INSERT does, not the schema.
fn on_conflict_clauses(tokens: &[Token], sig: &[usize], edits: &mut Edits) {
    let word = |n: usize, w: &str| {
        sig.get(n)
            .is_some_and(|&i| matches!(&tokens[i], Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w)))
    };
    for n in 0..sig.len() {
        if word(n, "ON")
            && word(n + 1, "CONFLICT")
            && ["ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"]
                .iter()
                .any(|a| word(n + 2, a))
        {
            for &i in &sig[n..n + 3] {
                edits.insert(i, None);
            }
        }
    }
}

/// `) STRICT, WITHOUT ROWID` / `) WITHOUT ROWID, STRICT`: sqlparser reads one table option
/// only; STRICT (type checking of inserted values) changes no declared type, so it goes.
fn strict_with_other_options(tokens: &[Token], sig: &[usize], edits: &mut Edits) {
    let word = |n: usize, w: &str| {
        sig.get(n).is_some_and(
            |&i| matches!(&tokens[i], Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w)),
        )
    };
    let Some(close) = sig.iter().rposition(|&i| tokens[i] == Token::RParen) else {
        return;
    };
    let options: Vec<usize> = (close + 1..sig.len())
        .filter(|&n| tokens[sig[n]] != Token::SemiColon)
        .collect();
    let select = sig.iter().any(|&i| is_kw(&tokens[i], Keyword::SELECT));
    if select || !options.iter().any(|&n| tokens[sig[n]] == Token::Comma) {
        return;
    }
    for &n in &options {
        if word(n, "STRICT") {
            edits.insert(sig[n], None);
            if sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::Comma) {
                edits.insert(sig[n + 1], None);
            } else if tokens[sig[n - 1]] == Token::Comma {
                edits.insert(sig[n - 1], None);
            }
        }
    }
}
