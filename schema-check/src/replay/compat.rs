//! Rewrites for valid statements sqlparser 0.63 cannot parse, tried only after a parse
//! failure. Each rewrite removes tokens that do not change what the replay records, and
//! says what it removed so the replay can account for it. When the rewritten text still
//! does not parse, the original error is reported.

use sqlparser::dialect::Dialect as ParserDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

/// What a rewrite removed that the replay must apply itself.
///
/// Rewrites: `DROP INDEX CONCURRENTLY` (PostgreSQL) loses `CONCURRENTLY`;
/// `ALTER INDEX IF EXISTS` loses `IF EXISTS` (reported as [`Fixup::IndexIfExists`]);
/// `CREATE DOMAIN ... [NOT] NULL` loses the null constraint (reported as
/// [`Fixup::DomainNotNull`]); MySQL `ZEROFILL` becomes `UNSIGNED`, which it implies (the
/// canonical type then lacks the ` zerofill` suffix MariaDB prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixup {
    /// Nothing: the removed words do not change the schema (`DROP INDEX CONCURRENTLY`).
    None,
    /// `CREATE DOMAIN ... NOT NULL`: the domain is NOT NULL.
    DomainNotNull,
    /// `ALTER INDEX IF EXISTS`: a missing index is not an error.
    IndexIfExists,
}

fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

fn is_word(t: &Token, word: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// A rewrite of `text` that sqlparser can parse, if one applies.
///
/// ```
/// use schema_check::replay::compat::{rewrite, Fixup};
/// let d = sqlparser::dialect::PostgreSqlDialect {};
/// let (text, fix) = rewrite(&d, "DROP INDEX CONCURRENTLY IF EXISTS i").unwrap();
/// assert_eq!((text.as_str(), fix), ("DROP INDEX IF EXISTS i", Fixup::None));
/// let (text, fix) = rewrite(&d, "CREATE DOMAIN e AS text NOT NULL CHECK (VALUE <> '')").unwrap();
/// assert_eq!((text.as_str(), fix), ("CREATE DOMAIN e AS text CHECK (VALUE <> '')", Fixup::DomainNotNull));
/// ```
pub fn rewrite(dialect: &dyn ParserDialect, text: &str) -> Option<(String, Fixup)> {
    // Cheap pre-check: tokenize only statements a rewrite can apply to.
    let head = super::skip::leading_words(text, 2);
    let candidate = head == "DROP INDEX"
        || head == "ALTER INDEX"
        || head == "CREATE DOMAIN"
        || text
            .as_bytes()
            .windows(8)
            .any(|w| w.eq_ignore_ascii_case(b"zerofill"));
    if !candidate {
        return None;
    }
    let tokens = Tokenizer::new(dialect, text).tokenize().ok()?;
    let significant: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .collect();
    let kw_at = |n: usize, kw: Keyword| significant.get(n).is_some_and(|&i| is_kw(&tokens[i], kw));
    let mut remove = Vec::new();
    let fixup;
    if kw_at(0, Keyword::DROP) && kw_at(1, Keyword::INDEX) && kw_at(2, Keyword::CONCURRENTLY) {
        remove.push(significant[2]);
        fixup = Fixup::None;
    } else if kw_at(0, Keyword::ALTER)
        && kw_at(1, Keyword::INDEX)
        && kw_at(2, Keyword::IF)
        && kw_at(3, Keyword::EXISTS)
    {
        remove.extend([significant[2], significant[3]]);
        fixup = Fixup::IndexIfExists;
    } else if kw_at(0, Keyword::CREATE) && kw_at(1, Keyword::DOMAIN) {
        // Top-level `NOT NULL` / `NULL` constraints (not inside CHECK (...)).
        let mut depth = 0i32;
        let mut not_null = false;
        for (n, &i) in significant.iter().enumerate() {
            match &tokens[i] {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                t if depth == 0 && is_kw(t, Keyword::NULL) => {
                    remove.push(i);
                    if n > 0 && is_kw(&tokens[significant[n - 1]], Keyword::NOT) {
                        remove.push(significant[n - 1]);
                        not_null = true;
                    }
                }
                _ => {}
            }
        }
        if remove.is_empty() {
            return None;
        }
        fixup = if not_null {
            Fixup::DomainNotNull
        } else {
            Fixup::None
        };
    } else if let Some(n) =
        (0..significant.len()).find(|&n| is_word(&tokens[significant[n]], "ZEROFILL"))
    {
        // MySQL `ZEROFILL` (display padding) implies UNSIGNED; the type is otherwise the same.
        let i = significant[n];
        if n > 0 && kw_at(n - 1, Keyword::UNSIGNED) {
            remove.push(i);
        } else {
            return Some((
                tokens
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        if j == i {
                            "UNSIGNED".to_string()
                        } else {
                            t.to_string()
                        }
                    })
                    .collect(),
                Fixup::None,
            ));
        }
        fixup = Fixup::None;
    } else {
        return None;
    }
    // Drop the removed tokens and the white space right before each of them.
    let mut out = String::with_capacity(text.len());
    let mut skip_ws_before: Vec<usize> = remove.clone();
    skip_ws_before.sort_unstable();
    for (i, t) in tokens.iter().enumerate() {
        if remove.contains(&i) {
            continue;
        }
        if matches!(t, Token::Whitespace(_))
            && tokens
                .get(i + 1)
                .is_some_and(|_| skip_ws_before.binary_search(&(i + 1)).is_ok())
        {
            continue;
        }
        out.push_str(&t.to_string());
    }
    Some((out, fixup))
}
