//! The columns an SQL expression kept as text names (a CHECK, a generated column, an
//! index expression or predicate): whether it names one, and renaming one in it. The
//! expression is parsed, so a string literal (`state IN ('PAID')`) or a function name
//! never counts as a column.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Visit, VisitMut, Visitor, VisitorMut};

use super::ident::{fold, same_column};
use crate::dialect::Dialect;

/// The column an identifier expression names (the last part of `t.c`).
fn column_ident(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Identifier(i) => Some(i),
        Expr::CompoundIdentifier(parts) => parts.last(),
        _ => None,
    }
}

/// `text` parsed as an expression of `dialect`, if sqlparser reads it.
fn parse(dialect: Dialect, text: &str) -> Option<Expr> {
    let grammar = dialect.parser_dialect();
    sqlparser::parser::Parser::new(&*grammar)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

/// Whether the SQL expression `text` names the column `column` (canonical). Text
/// sqlparser does not read is searched word by word, so that the answer errs towards
/// "it does".
///
/// ```
/// use schema_check::Dialect;
/// use schema_check::replay::expr_columns::mentions;
/// let pg = Dialect::Postgres;
/// assert!(mentions(pg, "paid AND amount > 0", "paid"));
/// assert!(!mentions(pg, "state IN ('UNPAID', 'PAID')", "paid"));
/// assert!(!mentions(pg, "lower(name)", "lower"));
/// assert!(mentions(Dialect::Sqlite, r#"a > "b""#, "b"));
/// ```
pub fn mentions(dialect: Dialect, text: &str, column: &str) -> bool {
    struct Finder<'a> {
        dialect: Dialect,
        column: &'a str,
    }
    impl Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match column_ident(e) {
                Some(i) if same_column(self.dialect, &fold(self.dialect, i), self.column) => {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        }
    }
    if surely_unnamed(text, column) {
        return false;
    }
    match parse(dialect, text) {
        Some(expr) => Visit::visit(&expr, &mut Finder { dialect, column }).is_break(),
        None => text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w.eq_ignore_ascii_case(column)),
    }
}

/// The SQL expression `text` with the column `old` (canonical) renamed to `new`; the text
/// unchanged when it is not an expression sqlparser reads, or does not name `old`.
pub(crate) fn rename_in_expr(dialect: Dialect, text: &str, old: &str, new: &str) -> String {
    struct Rename<'a> {
        dialect: Dialect,
        old: &'a str,
        new: &'a str,
        hit: bool,
    }
    impl VisitorMut for Rename<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
            let ident = match e {
                Expr::Identifier(i) => Some(i),
                Expr::CompoundIdentifier(parts) => parts.last_mut(),
                _ => None,
            };
            if let Some(i) = ident
                && same_column(self.dialect, &fold(self.dialect, i), self.old)
            {
                *i = match i.quote_style {
                    Some(q) => Ident::with_quote(q, self.new),
                    None => Ident::new(self.new),
                };
                self.hit = true;
            }
            ControlFlow::Continue(())
        }
    }
    if surely_unnamed(text, old) {
        return text.to_string();
    }
    let Some(mut expr) = parse(dialect, text) else {
        return text.to_string();
    };
    let mut v = Rename {
        dialect,
        old,
        new,
        hit: false,
    };
    let _ = VisitMut::visit(&mut expr, &mut v);
    if v.hit {
        expr.to_string()
    } else {
        text.to_string()
    }
}

/// Whether the expression `text` surely names no column `old`, without parsing it: `old`
/// is a plain word and `text`, ASCII without escapes (`U&"..."`, backslashes), does not
/// contain it in any letter case, so no identifier in it, quoted or not, folds to it.
fn surely_unnamed(text: &str, old: &str) -> bool {
    !old.is_empty()
        && old.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && text.is_ascii()
        && !text.contains(['&', '\\'])
        && !text
            .as_bytes()
            .windows(old.len())
            .any(|w| w.eq_ignore_ascii_case(old.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_that_cannot_name_the_column_are_not_parsed() {
        assert!(surely_unnamed("lower(id::text)", "c5"));
        assert!(!surely_unnamed("lower(C5::text)", "c5"));
        assert!(!surely_unnamed(r#"lower("c5")"#, "c5"));
        assert!(!surely_unnamed(r#"U&"c\0035" + 1"#, "c5"));
        assert!(!surely_unnamed("a + 1", "caf\u{e9}"));
        let pg = Dialect::Postgres;
        assert_eq!(
            rename_in_expr(pg, "lower(id::text)", "c5", "c6"),
            "lower(id::text)"
        );
        assert_eq!(
            rename_in_expr(pg, "lower(C5::text)", "c5", "c6"),
            "lower(c6::TEXT)"
        );
        assert_eq!(rename_in_expr(pg, "c55 + 1", "c5", "c6"), "c55 + 1");
    }

    #[test]
    fn string_literals_and_quoted_names_follow_the_dialect() {
        let pg = Dialect::Postgres;
        assert!(!mentions(pg, "kind = 'paid'", "paid"));
        assert!(mentions(pg, "t.paid IS NOT NULL", "paid"));
        // PostgreSQL: a quoted name keeps its case.
        assert!(!mentions(pg, r#""Paid" > 0"#, "paid"));
        assert!(mentions(pg, r#""Paid" > 0"#, "Paid"));
        // MySQL: backticks quote names, any case matches.
        assert!(mentions(Dialect::Mysql, "json_valid(`Doc`)", "doc"));
        // Unreadable text: searched word by word.
        assert!(mentions(pg, "paid ??? (", "paid"));
    }
}
