//! Mapping positions inside a statement's text (as sqlparser reports them) to positions
//! in the migration file.

use crate::model::Location;

/// Where the first token of `text` is, as a 1-based (line, column) inside `text`:
/// leading white space and `--`/`/* */` comments are stepped over.
fn first_token(text: &str) -> (u32, u32) {
    let (mut line, mut col) = (1u32, 1u32);
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        let mut ahead = chars.clone();
        ahead.next();
        let next = ahead.peek().copied();
        if c == '-' && next == Some('-') {
            for c in chars.by_ref() {
                if c == '\n' {
                    line += 1;
                    col = 1;
                    break;
                }
            }
        } else if c == '/' && next == Some('*') {
            chars.next();
            chars.next();
            col += 2;
            let mut prev = ' ';
            for c in chars.by_ref() {
                if c == '\n' {
                    line += 1;
                    col = 1;
                } else {
                    col += 1;
                }
                if prev == '*' && c == '/' {
                    break;
                }
                prev = c;
            }
        } else if c.is_whitespace() {
            chars.next();
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        } else {
            break;
        }
    }
    (line, col)
}

/// The file position of (`line`, `column`) inside a statement whose first token is at
/// `at` in the file.
///
/// ```
/// use schema_check::Location;
/// use schema_check::replay::position::map;
/// let at = Location { file: "m.sql".into(), line: 10, column: 5 };
/// let text = "CREATE TABLE t (\n  a intt\n)";
/// assert_eq!(map(&at, text, 2, 5), Location { file: "m.sql".into(), line: 11, column: 5 });
/// assert_eq!(map(&at, text, 1, 8), Location { file: "m.sql".into(), line: 10, column: 12 });
/// ```
pub fn map(at: &Location, text: &str, line: u32, column: u32) -> Location {
    let (l0, c0) = first_token(text);
    let (line, column) = if line < l0 || (line == l0 && column < c0) {
        (at.line, at.column)
    } else if line == l0 {
        (at.line, at.column.saturating_add(column - c0))
    } else {
        (at.line.saturating_add(line - l0), column)
    };
    Location {
        file: at.file.clone(),
        line,
        column,
    }
}

/// Extracts `Line: X, Column: Y` from a sqlparser error message, and the message
/// without that suffix.
///
/// ```
/// use schema_check::replay::position::parse_error_position;
/// let (msg, pos) = parse_error_position("sql parser error: Expected: ), found: x at Line: 2, Column: 7");
/// assert_eq!(msg, "Expected: ), found: x");
/// assert_eq!(pos, Some((2, 7)));
/// ```
pub fn parse_error_position(message: &str) -> (String, Option<(u32, u32)>) {
    let msg = message
        .strip_prefix("sql parser error: ")
        .unwrap_or(message);
    if let Some(idx) = msg.rfind(" at Line: ") {
        let tail = &msg[idx + " at Line: ".len()..];
        let mut parts = tail.splitn(2, ", Column: ");
        let line = parts.next().and_then(|l| l.trim().parse::<u32>().ok());
        let column = parts.next().and_then(|c| {
            let digits: String = c.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        });
        if let (Some(l), Some(c)) = (line, column) {
            return (msg[..idx].to_string(), Some((l, c)));
        }
    }
    (msg.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Location {
        Location {
            file: "f.sql".into(),
            line: 3,
            column: 1,
        }
    }

    #[test]
    fn leading_comments_are_skipped() {
        let text = "-- note\n  /* x\n */ ALTER TABLE t ADD";
        // The first token is on text line 3, column 5; the splitter reported it at 3:1.
        assert_eq!(map(&at(), text, 3, 5).line, 3);
        assert_eq!(map(&at(), text, 3, 17).column, 13);
        assert_eq!(map(&at(), text, 4, 2).line, 4);
    }

    #[test]
    fn message_without_position_is_kept() {
        let (m, p) = parse_error_position("recursion limit exceeded");
        assert_eq!(m, "recursion limit exceeded");
        assert_eq!(p, None);
    }
}
