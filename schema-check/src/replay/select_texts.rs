//! Where each item of a select list is written in its statement's text: SQLite and
//! MariaDB name a column computed by an unaliased expression by the expression's text as
//! written (each with its own trimming, see [`ItemText`]).

use sqlparser::ast::Select;
use sqlparser::dialect::Dialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

/// One item of a select list as written.
pub(crate) struct ItemText<'t> {
    /// From its first token to the token after it (the `,` or the clause that ends the
    /// list), white space trimmed, comments kept: SQLite's name for it.
    pub(crate) to_next: &'t str,
    /// From its first token to its last, when no comment is among them (MariaDB trims
    /// a trailing comment; one inside the item is not modelled).
    pub(crate) tokens: Option<&'t str>,
}

/// The text of each item of `select`'s list in statement `text` (tokenized under
/// `grammar`), or `None` when the replay cannot find it.
pub(crate) fn select_list_texts<'t>(
    grammar: &dyn Dialect,
    text: &'t str,
    select: &Select,
) -> Option<Vec<ItemText<'t>>> {
    let tokens = Tokenizer::new(grammar, text)
        .tokenize_with_location()
        .ok()?;
    let offset = |loc| super::words::byte_offset(text, loc);
    let keyword = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    };
    let start = offset(select.select_token.0.span.start)?;
    let select = tokens.iter().position(|t| {
        keyword(&t.token) == Some(Keyword::SELECT) && offset(t.span.start) == Some(start)
    })?;
    let mut texts = Vec::new();
    let mut item: Option<Item> = None;
    let mut depth = 0usize;
    let finish = |texts: &mut Vec<ItemText<'t>>, item: Option<Item>, next: usize| -> Option<()> {
        let item = item?;
        texts.push(ItemText {
            to_next: text.get(item.start..next)?.trim(),
            tokens: match item.comment_inside {
                false => Some(text.get(item.start..item.end)?),
                true => None,
            },
        });
        Some(())
    };
    for t in &tokens[select + 1..] {
        let at = offset(t.span.start)?;
        let ends_list = depth == 0
            && (matches!(t.token, Token::SemiColon | Token::EOF)
                || matches!(
                    keyword(&t.token),
                    Some(
                        Keyword::FROM
                            | Keyword::WHERE
                            | Keyword::GROUP
                            | Keyword::HAVING
                            | Keyword::WINDOW
                            | Keyword::ORDER
                            | Keyword::LIMIT
                            | Keyword::UNION
                            | Keyword::INTERSECT
                            | Keyword::EXCEPT
                    )
                ));
        if ends_list || (depth == 0 && t.token == Token::Comma) {
            finish(&mut texts, item.take(), at)?;
            if ends_list {
                return Some(texts);
            }
            continue;
        }
        match &t.token {
            Token::Whitespace(w) => {
                if let Some(item) = &mut item {
                    item.comment_pending |= matches!(
                        w,
                        Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
                    );
                }
                continue;
            }
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.checked_sub(1)?,
            _ => {}
        }
        let end = offset(t.span.end)?;
        match &mut item {
            Some(item) => {
                item.end = end;
                item.comment_inside |= item.comment_pending;
                item.comment_pending = false;
            }
            None => {
                if texts.is_empty()
                    && matches!(keyword(&t.token), Some(Keyword::DISTINCT | Keyword::ALL))
                {
                    continue;
                }
                item = Some(Item {
                    start: at,
                    end,
                    comment_pending: false,
                    comment_inside: false,
                });
            }
        }
    }
    // The statement ends with the select list.
    finish(&mut texts, item, text.len())?;
    Some(texts)
}

/// The item being read: where it starts, where its last token so far ends, whether a
/// comment follows that token, and whether one lies between two of its tokens.
struct Item {
    start: usize,
    end: usize,
    comment_pending: bool,
    comment_inside: bool,
}
