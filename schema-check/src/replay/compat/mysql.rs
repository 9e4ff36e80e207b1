//! MySQL/MariaDB rewrites.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::{Edits, Fixup, Outcome, depth_at, is_kw, is_word};

/// MySQL/MariaDB spellings sqlparser 0.63 misses (see [`super::Fixup`]).
pub(super) fn rewrite(tokens: &[Token], sig: &[usize], edits: &mut Edits) -> Outcome {
    let kw_at = |n: usize, kw: Keyword| sig.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    let mut fixup = Fixup::None;

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
        } else if is_kw(t, Keyword::COMMENT) && kw_at(0, Keyword::ALTER) && {
            let v = if sig.get(n + 1).is_some_and(|&i| tokens[i] == Token::Eq) {
                n + 2
            } else {
                n + 1
            };
            sig.get(v)
                .is_some_and(|&i| matches!(tokens[i], Token::SingleQuotedString(_)))
                && depth_at(tokens, sig, n) == 0
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
    Outcome::Edits(fixup)
}
