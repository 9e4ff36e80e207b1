//! SQLite keeps a column's declared type as written (`VARCHAR( 10 )`); sqlparser's AST
//! re-spells it. This recovers the written text from the statement, after the column
//! name, so the canonical type matches `PRAGMA table_info` (lower-cased, white space
//! collapsed).

use sqlparser::ast::Ident;

/// Words that end a SQLite type name: the start of a column constraint (or, after a
/// column list, of a table constraint).
pub(crate) const CONSTRAINT_WORDS: &[&str] = &[
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

/// Byte offset of a 1-based (line, column-in-characters) position in `text`.
fn offset(text: &str, line: u64, column: u64) -> Option<usize> {
    let mut start = 0usize;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let rest = &text[start..];
    let col = usize::try_from(column.checked_sub(1)?).ok()?;
    let in_line = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
    Some(start + in_line)
}

/// The declared type of the column named by `name` (whose span points into `text`),
/// lower-cased with white space collapsed; `""` for a column without a type.
///
/// ```
/// use schema_check::replay::declared::declared_type;
/// use sqlparser::ast::Ident;
/// use sqlparser::tokenizer::{Location, Span};
/// let text = "CREATE TABLE t (b VARCHAR( 10 ) NOT NULL, c)";
/// let b = Ident::with_span(Span::new(Location::new(1, 17), Location::new(1, 18)), "b");
/// assert_eq!(declared_type(text, &b).as_deref(), Some("varchar( 10 )"));
/// ```
pub fn declared_type(text: &str, name: &Ident) -> Option<String> {
    let end = name.span.end;
    if end.line == 0 {
        return None;
    }
    let start = offset(text, end.line, end.column)?;
    let rest = &text[start..];
    let bytes = rest.as_bytes();
    let mut i = 0usize;
    let mut type_end = 0usize;
    // Words.
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let word_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i == word_start {
            i = word_start;
            break;
        }
        let word = &rest[word_start..i];
        if CONSTRAINT_WORDS
            .iter()
            .any(|w| w.eq_ignore_ascii_case(word))
        {
            i = word_start;
            break;
        }
        type_end = i;
    }
    // Optional `( n [, m] )` right after the words.
    if type_end > 0 {
        let mut j = type_end;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) == Some(&b'(') {
            let close = rest[j..].find(')')?;
            type_end = j + close + 1;
        }
    }
    let _ = i;
    Some(
        rest[..type_end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase(),
    )
}

/// Whether the definition of the column named by `name` (from its name to the `,` or `)`
/// that ends it) contains the keyword `word`, outside quotes. Used for MySQL `ZEROFILL`,
/// which sqlparser does not keep.
///
/// ```
/// use schema_check::replay::declared::definition_has_word;
/// use sqlparser::ast::Ident;
/// use sqlparser::tokenizer::{Location, Span};
/// let text = "CREATE TABLE t (a int(4) zerofill, b int DEFAULT 'zerofill')";
/// let at = |c| Ident::with_span(Span::new(Location::new(1, c), Location::new(1, c + 1)), "x");
/// assert!(definition_has_word(text, &at(17), "ZEROFILL"));
/// assert!(!definition_has_word(text, &at(36), "ZEROFILL"));
/// ```
pub fn definition_has_word(text: &str, name: &Ident, word: &str) -> bool {
    let end = name.span.end;
    if end.line == 0 {
        return false;
    }
    let Some(start) = offset(text, end.line, end.column) else {
        return false;
    };
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in text[start..].chars() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            current.push(c);
            continue;
        }
        if current.eq_ignore_ascii_case(word) {
            return true;
        }
        current.clear();
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' => depth += 1,
            ')' if depth == 0 => return false,
            ')' => depth -= 1,
            ',' if depth == 0 => return false,
            _ => {}
        }
    }
    current.eq_ignore_ascii_case(word)
}
