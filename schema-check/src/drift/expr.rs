//! One spelling for SQL expressions (defaults, CHECK constraints, index expressions and
//! predicates, generated columns), so that what a migration wrote and what the database
//! reports compare equal when they mean the same.
//!
//! Databases do not keep expressions as written: PostgreSQL deparses them with explicit
//! casts and parentheses (`CHECK (price > 0)` comes back as `(price > (0)::numeric)`,
//! `x IN ('a', 'b')` as `(x = ANY (ARRAY['a'::text, 'b'::text]))`, `LIKE` as `~~`,
//! `BETWEEN` as two comparisons); MariaDB quotes identifiers with backticks, prints
//! `CURRENT_TIMESTAMP` as `current_timestamp()`, numbers in a column's scale (`1.50`) and
//! booleans as `1`/`0`. [`normalize`] parses an expression with sqlparser and rewrites both
//! sides to one form:
//!
//! - casts are dropped (`'a'::text` is `'a'`): the column's type is compared on its own, so
//!   a difference that lies only in a cast inside an expression is not reported;
//! - redundant parentheses are dropped and every nested operation is parenthesised again,
//!   so the grouping is kept and spelled one way;
//! - `x = ANY (ARRAY[..])` is `x IN (..)`, `x <> ALL (ARRAY[..])` is `x NOT IN (..)`,
//!   `BETWEEN` is two comparisons, `~~` is `LIKE`;
//! - identifiers fold like the dialect folds them and lose their quotes; function names are
//!   lower case, and a call without arguments is spelled without parentheses;
//! - numbers lose leading and trailing zeros (`1.50` is `1.5`), a quoted number is a number
//!   (`'0'` is `0`: the databases store a numeric column's quoted default as a number);
//!   MySQL's `TRUE`/`FALSE` are `1`/`0` and `now()` is `current_timestamp`.
//!
//! Text that does not parse is compared with white space collapsed.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectNamePart,
    UnaryOperator, Value, ValueWithSpan, VisitMut, VisitorMut,
};
use sqlparser::parser::Parser;

use crate::dialect::Dialect;

/// The canonical spelling of the SQL expression `text` in `dialect`; see the module docs.
///
/// ```
/// use schema_check::Dialect;
/// use schema_check::drift::expr::normalize;
/// let pg = |s| normalize(Dialect::Postgres, s);
/// assert_eq!(pg("(price > (0)::numeric)"), pg("price > 0"));
/// assert_eq!(pg("(status = ANY (ARRAY['a'::text, 'b'::text]))"), pg("status IN ('a', 'b')"));
/// assert_eq!(pg("((n >= 1) AND (n <= 5))"), pg("n BETWEEN 1 AND 5"));
/// assert_ne!(pg("(a + b) * c"), pg("a + b * c"));
/// let my = |s| normalize(Dialect::Mysql, s);
/// assert_eq!(my("current_timestamp()"), my("CURRENT_TIMESTAMP"));
/// assert_eq!(my("1.50"), my("'1.5'"));
/// ```
pub fn normalize(dialect: Dialect, text: &str) -> String {
    let grammar = dialect.parser_dialect();
    let parsed = Parser::new(&*grammar).try_with_sql(text).and_then(|mut p| {
        let e = p.parse_expr()?;
        // Anything after the expression means it was not one expression.
        match p.peek_token().token {
            sqlparser::tokenizer::Token::EOF => Ok(e),
            other => Err(sqlparser::parser::ParserError::ParserError(format!(
                "unexpected {other}"
            ))),
        }
    });
    match parsed {
        Ok(mut expr) => {
            let _ = expr.visit(&mut Canonicalize { dialect });
            expr.to_string()
        }
        Err(_) => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// The rewriting visitor (children first, so a parent sees canonical children).
struct Canonicalize {
    dialect: Dialect,
}

impl VisitorMut for Canonicalize {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        let taken = std::mem::replace(expr, Expr::value(Value::Null));
        *expr = self.rewrite(taken);
        ControlFlow::Continue(())
    }
}

impl Canonicalize {
    fn fold(&self, ident: &Ident) -> Ident {
        let value = match (self.dialect, ident.quote_style) {
            (Dialect::Postgres, Some(_)) => ident.value.clone(),
            _ => ident.value.to_lowercase(),
        };
        Ident::new(value)
    }

    fn rewrite(&self, expr: Expr) -> Expr {
        match expr {
            Expr::Cast { expr, .. } | Expr::Nested(expr) => *expr,
            Expr::TypedString(ts) => Expr::Value(literal(ts.value.value)),
            Expr::Value(v) => Expr::Value(self.value(v.value)),
            Expr::Identifier(i) => Expr::Identifier(self.fold(&i)),
            Expr::CompoundIdentifier(parts) => {
                Expr::CompoundIdentifier(parts.iter().map(|i| self.fold(i)).collect())
            }
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } if matches!(
                &*expr,
                Expr::Value(ValueWithSpan {
                    value: Value::Number(..),
                    ..
                })
            ) =>
            {
                match *expr {
                    Expr::Value(ValueWithSpan {
                        value: Value::Number(n, l),
                        ..
                    }) => Expr::Value(Value::Number(number(&format!("-{n}")), l).into()),
                    other => other,
                }
            }
            Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr,
            } => *expr,
            Expr::UnaryOp { op, expr } => Expr::UnaryOp {
                op,
                expr: Box::new(group(*expr)),
            },
            Expr::BinaryOp { left, op, right } => {
                let (expr, pattern) = (Box::new(group(*left)), Box::new(group(*right)));
                let like = |negated| Expr::Like {
                    negated,
                    any: false,
                    expr: expr.clone(),
                    pattern: pattern.clone(),
                    escape_char: None,
                };
                let ilike = |negated| Expr::ILike {
                    negated,
                    any: false,
                    expr: expr.clone(),
                    pattern: pattern.clone(),
                    escape_char: None,
                };
                match op {
                    BinaryOperator::PGLikeMatch => like(false),
                    BinaryOperator::PGNotLikeMatch => like(true),
                    BinaryOperator::PGILikeMatch => ilike(false),
                    BinaryOperator::PGNotILikeMatch => ilike(true),
                    op => Expr::BinaryOp {
                        left: expr.clone(),
                        op,
                        right: pattern.clone(),
                    },
                }
            }
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } if matches!(&*right, Expr::Array(_)) => in_list(*left, *right, false),
            Expr::AllOp {
                left,
                compare_op: BinaryOperator::NotEq,
                right,
            } if matches!(&*right, Expr::Array(_)) => in_list(*left, *right, true),
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (lo, hi, join) = if negated {
                    (BinaryOperator::Lt, BinaryOperator::Gt, BinaryOperator::Or)
                } else {
                    (
                        BinaryOperator::GtEq,
                        BinaryOperator::LtEq,
                        BinaryOperator::And,
                    )
                };
                let side = |op, bound: Expr| {
                    Expr::Nested(Box::new(Expr::BinaryOp {
                        left: Box::new(group(*expr.clone())),
                        op,
                        right: Box::new(group(bound)),
                    }))
                };
                Expr::BinaryOp {
                    left: Box::new(side(lo, *low)),
                    op: join,
                    right: Box::new(side(hi, *high)),
                }
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => Expr::InList {
                expr: Box::new(group(*expr)),
                list,
                negated,
            },
            Expr::Function(mut f) => {
                for part in &mut f.name.0 {
                    if let ObjectNamePart::Identifier(i) = part {
                        *i = Ident::new(i.value.to_lowercase());
                    }
                }
                let empty = match &f.args {
                    FunctionArguments::None => true,
                    FunctionArguments::List(l) => {
                        l.clauses.is_empty()
                            && (l.args.is_empty()
                                || (self.dialect == Dialect::Mysql
                                    && zero_precision_clock(&f.name.to_string(), &l.args)))
                    }
                    FunctionArguments::Subquery(_) => false,
                };
                if empty {
                    f.args = FunctionArguments::None;
                    if self.dialect == Dialect::Mysql {
                        let name = f.name.to_string();
                        if matches!(name.as_str(), "now" | "localtimestamp" | "localtime") {
                            f.name = sqlparser::ast::ObjectName::from(vec![Ident::new(
                                "current_timestamp",
                            )]);
                        }
                    }
                }
                Expr::Function(f)
            }
            other => other,
        }
    }

    fn value(&self, v: Value) -> ValueWithSpan {
        match v {
            Value::Boolean(b) if self.dialect == Dialect::Mysql => {
                Value::Number(if b { "1" } else { "0" }.to_string(), false).into()
            }
            other => literal(other),
        }
    }
}

/// Whether a MySQL/MariaDB clock function (`name`, lower-cased) is called with precision
/// `0`, which the server shows as no precision at all: `CURRENT_TIMESTAMP(0)` is stored
/// and shown as `current_timestamp()`.
fn zero_precision_clock(name: &str, args: &[FunctionArg]) -> bool {
    let clock = matches!(
        name,
        "now"
            | "current_timestamp"
            | "localtime"
            | "localtimestamp"
            | "current_time"
            | "curtime"
            | "sysdate"
            | "utc_timestamp"
            | "utc_time"
    );
    clock
        && matches!(
            args,
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))]
                if matches!(&v.value, Value::Number(n, _) if n == "0")
        )
}

/// A literal in canonical form: numbers (quoted or not) without redundant zeros.
fn literal(v: Value) -> ValueWithSpan {
    match v {
        Value::Number(n, l) => Value::Number(number(&n), l).into(),
        Value::SingleQuotedString(s) if is_number(&s) => Value::Number(number(&s), false).into(),
        other => other.into(),
    }
}

/// `-?digits(.digits)?`.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A decimal number without leading zeros, trailing fractional zeros or `-0`; anything
/// else (exponents, hex) as given.
fn number(n: &str) -> String {
    if !is_number(n) {
        return n.to_string();
    }
    let (negative, digits) = match n.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, n),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    if negative && body != "0" {
        format!("-{body}")
    } else {
        body
    }
}

/// Parenthesises an operand that is itself an operation, so grouping is explicit.
fn group(e: Expr) -> Expr {
    match e {
        Expr::BinaryOp { .. }
        | Expr::UnaryOp { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::InList { .. }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::Between { .. } => Expr::Nested(Box::new(e)),
        other => other,
    }
}

fn in_list(left: Expr, right: Expr, negated: bool) -> Expr {
    let list = match right {
        Expr::Array(a) => a.elem,
        other => vec![other],
    };
    Expr::InList {
        expr: Box::new(group(left)),
        list,
        negated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(dialect: Dialect, a: &str, b: &str) {
        assert_eq!(
            normalize(dialect, a),
            normalize(dialect, b),
            "`{a}` and `{b}` should normalise alike"
        );
    }

    #[test]
    fn postgres_deparsed_forms_match_what_migrations_write() {
        let pg = Dialect::Postgres;
        same(pg, "'active'::text", "'active'");
        same(pg, "'-1'::integer", "-1");
        same(
            pg,
            "nextval('users_id_seq'::regclass)",
            "nextval('users_id_seq')",
        );
        same(pg, "(price > (0)::numeric)", "price > 0");
        same(pg, "(email ~~ '%@%'::text)", "email LIKE '%@%'");
        same(pg, "(email !~~* 'x'::text)", "email NOT ILIKE 'x'");
        same(
            pg,
            "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
            "status IN ('a', 'b')",
        );
        same(pg, "((n < 1) OR (n > 5))", "n NOT BETWEEN 1 AND 5");
        same(pg, "lower((email)::text)", "LOWER(email)");
        same(pg, "(deleted_at IS NULL)", "deleted_at IS NULL");
        same(pg, "now()", "NOW()");
        same(pg, "\"Order\" > 0", "\"Order\" > 0");
        same(pg, "1.50", "1.5");
        assert_ne!(normalize(pg, "\"Order\" > 0"), normalize(pg, "Order > 0"));
        assert_ne!(normalize(pg, "'a'"), normalize(pg, "'b'"));
        assert_ne!(normalize(pg, "price > 0"), normalize(pg, "price >= 0"));
        assert_ne!(
            normalize(pg, "(a OR b) AND c"),
            normalize(pg, "a OR (b AND c)")
        );
    }

    #[test]
    fn mariadb_reported_forms_match_what_migrations_write() {
        let my = Dialect::Mysql;
        same(my, "current_timestamp()", "CURRENT_TIMESTAMP");
        same(my, "current_timestamp()", "NOW()");
        same(my, "current_timestamp()", "CURRENT_TIMESTAMP(0)");
        same(my, "current_timestamp()", "now(0)");
        assert_ne!(
            normalize(my, "current_timestamp(3)"),
            normalize(my, "CURRENT_TIMESTAMP(0)")
        );
        same(my, "`price` > 0", "price > 0");
        same(my, "`Price` > 0", "price > 0");
        same(my, "1", "TRUE");
        same(my, "0", "'0'");
        same(my, "1.50", "1.5");
        same(my, "'it''s'", "'it''s'");
        assert_ne!(normalize(my, "'a'"), normalize(my, "'A'"));
    }

    #[test]
    fn unparsable_text_is_compared_with_white_space_collapsed() {
        assert_eq!(normalize(Dialect::Sqlite, "a  b\n c )"), "a b c )");
    }

    #[test]
    fn numbers_lose_redundant_zeros_only() {
        assert_eq!(number("007"), "7");
        assert_eq!(number("1.500"), "1.5");
        assert_eq!(number("-0.0"), "0");
        assert_eq!(number("10"), "10");
        assert_eq!(number("1e5"), "1e5");
    }
}
