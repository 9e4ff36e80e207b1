//! Reading statements that sqlparser does not parse from their tokens: the significant
//! tokens of a statement (no whitespace, no semicolons), unquoted keywords, and dotted
//! names. Used by the replay's hand-read forms (`ALTER TABLE ... ATTACH PARTITION`,
//! `ALTER VIEW ... RENAME`, `ALTER SEQUENCE ... OWNED BY`, MySQL prepared statements).

use sqlparser::ast::{Ident, ObjectName};
use sqlparser::dialect::Dialect;
use sqlparser::tokenizer::{Location, Span, Token, Tokenizer};

/// A statement's significant tokens.
pub(crate) struct Words(Vec<Token>);

impl Words {
    /// The significant tokens of `text` under `grammar`; `None` when it does not tokenize.
    pub(crate) fn of(grammar: &dyn Dialect, text: &str) -> Option<Words> {
        let tokens = Tokenizer::new(grammar, text).tokenize().ok()?;
        Some(Words(
            tokens
                .into_iter()
                .filter(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
                .collect(),
        ))
    }

    /// The number of significant tokens.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Tokens `from..to` (empty when out of range).
    pub(crate) fn slice(&self, from: usize, to: usize) -> &[Token] {
        self.0.get(from..to).unwrap_or_default()
    }

    /// Token `i`, if there is one.
    pub(crate) fn get(&self, i: usize) -> Option<&Token> {
        self.0.get(i)
    }

    /// Whether token `i` is the unquoted word `w`, in any case.
    pub(crate) fn is(&self, i: usize, w: &str) -> bool {
        self.get(i).is_some_and(|t| is_word(t, w))
    }

    /// The identifier that token `i` spells, quoted or not, if it is a word.
    pub(crate) fn ident(&self, i: usize) -> Option<Ident> {
        let Some(Token::Word(w)) = self.get(i) else {
            return None;
        };
        Some(Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: Span::empty(),
        })
    }

    /// The name (`a` or `a.b`, each part quoted or not) starting at token `i`, and the
    /// index after it; `None` when token `i` is not a word.
    pub(crate) fn name_at(&self, mut i: usize) -> Option<(ObjectName, usize)> {
        let mut parts = Vec::new();
        while let Some(ident) = self.ident(i) {
            parts.push(ident);
            i += 1;
            if self.get(i) == Some(&Token::Period) {
                i += 1;
            } else {
                break;
            }
        }
        (!parts.is_empty()).then(|| (ObjectName::from(parts), i))
    }
}

/// Whether token `t` is the unquoted word `w`, in any ASCII case (a keyword as written).
pub(crate) fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

/// The byte offset in `text` of a tokenizer location (1-based line and character
/// column), or `None` when it is outside the text.
pub(crate) fn byte_offset(text: &str, at: Location) -> Option<usize> {
    let line = usize::try_from(at.line).ok()?.checked_sub(1)?;
    let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let start = text
        .split_inclusive('\n')
        .take(line)
        .map(str::len)
        .sum::<usize>();
    let rest = text.get(start..)?;
    Some(
        start
            + rest
                .char_indices()
                .nth(column)
                .map_or(rest.len(), |(i, _)| i),
    )
}
