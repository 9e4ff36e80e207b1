//! What PostgreSQL's planner makes of a `CASE` condition before a `CREATE TABLE ... AS`
//! query runs (`eval_const_expressions`): a condition with no column, subquery or
//! non-immutable call in it is evaluated then (`1 = 1`, `NOT (2 < 1)`, `1 IN (1, 2)`), a
//! strict operator with a `NULL` operand is `NULL` (`name = NULL`), `AND` with a false
//! operand is false and `OR` with a true one is true whatever the rest is. The planner
//! then drops each arm whose condition is false or `NULL` and makes the first true one the
//! `ELSE` — which decides the modifier the table's column keeps
//! (see `query_types`' `case`).
//!
//! The replay evaluates booleans, `NULL`, integers (`+ - * / %`, comparisons), string
//! equality, `IS [NOT] NULL`, `IS [NOT] TRUE/FALSE`, `IN (...)` and `BETWEEN`; any other
//! expression without a column or subquery in it may be folded to a value the replay does
//! not compute (a call of an immutable function, a cast, a decimal, string ordering under
//! a collation) or not at all (a volatile call): [`Folded::Unknown`].

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value, visit_expressions};
use std::cmp::Ordering;
use std::ops::ControlFlow;

/// A `CASE` condition as the planner leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Folded {
    /// Folded to a constant: `Some(true)`, `Some(false)`, or `None` (`NULL`).
    Const(Option<bool>),
    /// Evaluated per row (it reads a column or a subquery): the arm is kept.
    Varies,
    /// Maybe folded, to a value the replay does not compute.
    Unknown,
}

/// What the planner makes of the condition of one `WHEN` arm: `condition` itself in a
/// searched `CASE`, `operand = condition` in a simple one (`CASE operand WHEN ...`).
pub(crate) fn when(operand: Option<&Expr>, condition: &Expr) -> Folded {
    let term = match operand {
        Some(o) => compare(&BinaryOperator::Eq, term(o), term(condition)),
        None => term(condition),
    };
    match term {
        Term::Varies => Folded::Varies,
        Term::Const(Some(Val::Bool(b))) => Folded::Const(Some(b)),
        Term::Const(Some(Val::Null)) => Folded::Const(None),
        Term::Const(_) => Folded::Unknown,
    }
}

/// A constant value the replay computes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    Bool(bool),
    Int(i128),
    Str(String),
    Null,
}

/// An expression as the planner leaves it: read per row, or a constant (`None`: of a
/// value the replay does not compute, or maybe not folded at all).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Varies,
    Const(Option<Val>),
}

const UNKNOWN: Term = Term::Const(None);

/// The folded form of `e`.
fn term(e: &Expr) -> Term {
    match e {
        Expr::Value(v) => Term::Const(match &v.value {
            Value::Boolean(b) => Some(Val::Bool(*b)),
            Value::Null => Some(Val::Null),
            Value::Number(n, _) => n.parse().ok().map(Val::Int),
            Value::SingleQuotedString(s) => Some(Val::Str(s.clone())),
            _ => None,
        }),
        Expr::Nested(inner) => term(inner),
        Expr::UnaryOp { op, expr } => match (op, term(expr)) {
            (_, Term::Varies) => Term::Varies,
            (_, Term::Const(Some(Val::Null))) => Term::Const(Some(Val::Null)),
            (UnaryOperator::Not, Term::Const(Some(Val::Bool(b)))) => {
                Term::Const(Some(Val::Bool(!b)))
            }
            (UnaryOperator::Minus, Term::Const(Some(Val::Int(i)))) => {
                Term::Const(Some(Val::Int(-i)))
            }
            (UnaryOperator::Plus, t @ Term::Const(Some(Val::Int(_)))) => t,
            _ => UNKNOWN,
        },
        Expr::BinaryOp { left, op, right } => binary(op, term(left), term(right)),
        Expr::IsNull(inner) | Expr::IsNotNull(inner) => match term(inner) {
            Term::Const(Some(v)) => Term::Const(Some(Val::Bool(
                (v == Val::Null) == matches!(e, Expr::IsNull(_)),
            ))),
            other => other,
        },
        Expr::IsTrue(inner)
        | Expr::IsNotTrue(inner)
        | Expr::IsFalse(inner)
        | Expr::IsNotFalse(inner) => match term(inner) {
            Term::Const(Some(Val::Bool(b))) => Term::Const(Some(Val::Bool(match e {
                Expr::IsTrue(_) => b,
                Expr::IsNotTrue(_) => !b,
                Expr::IsFalse(_) => !b,
                _ => b,
            }))),
            Term::Const(Some(Val::Null)) => Term::Const(Some(Val::Bool(matches!(
                e,
                Expr::IsNotTrue(_) | Expr::IsNotFalse(_)
            )))),
            Term::Varies => Term::Varies,
            _ => UNKNOWN,
        },
        // `x [NOT] IN (a, b)`: `x = a OR x = b`, negated.
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let x = term(expr);
            let any = list
                .iter()
                .map(|item| compare(&BinaryOperator::Eq, x.clone(), term(item)))
                .fold(Term::Const(Some(Val::Bool(false))), |acc, t| {
                    binary(&BinaryOperator::Or, acc, t)
                });
            not_if(*negated, any)
        }
        // `x [NOT] BETWEEN a AND b`: `x >= a AND x <= b`, negated.
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let x = term(expr);
            let within = binary(
                &BinaryOperator::And,
                compare(&BinaryOperator::GtEq, x.clone(), term(low)),
                compare(&BinaryOperator::LtEq, x, term(high)),
            );
            not_if(*negated, within)
        }
        other => opaque(other),
    }
}

/// An expression the replay does not evaluate: read per row if a column or a subquery is
/// in it, else a constant it does not compute (or a volatile call the planner keeps).
fn opaque(e: &Expr) -> Term {
    let per_row = visit_expressions(e, |inner| match inner {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::CompoundFieldAccess { .. }
        | Expr::Subquery(_)
        | Expr::Exists { .. }
        | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    if per_row.is_break() {
        Term::Varies
    } else {
        UNKNOWN
    }
}

/// `NOT t` when `negated`.
fn not_if(negated: bool, t: Term) -> Term {
    match (negated, t) {
        (true, Term::Const(Some(Val::Bool(b)))) => Term::Const(Some(Val::Bool(!b))),
        (_, t) => t,
    }
}

/// `l op r`.
fn binary(op: &BinaryOperator, l: Term, r: Term) -> Term {
    match op {
        BinaryOperator::And | BinaryOperator::Or => {
            // The operand value that decides the result alone (false for AND).
            let decides = matches!(op, BinaryOperator::Or);
            let decisive = |t: &Term| *t == Term::Const(Some(Val::Bool(decides)));
            if decisive(&l) || decisive(&r) {
                return Term::Const(Some(Val::Bool(decides)));
            }
            match (l, r) {
                (Term::Const(None), _) | (_, Term::Const(None)) => UNKNOWN,
                (Term::Varies, _) | (_, Term::Varies) => Term::Varies,
                // Neither decides: both are the other value or NULL.
                (Term::Const(Some(a)), Term::Const(Some(b))) => {
                    if a == Val::Null || b == Val::Null {
                        Term::Const(Some(Val::Null))
                    } else if matches!(a, Val::Bool(_)) && matches!(b, Val::Bool(_)) {
                        Term::Const(Some(Val::Bool(!decides)))
                    } else {
                        UNKNOWN
                    }
                }
            }
        }
        _ => compare(op, l, r),
    }
}

/// `l op r` for a strict operator: comparisons and integer arithmetic.
fn compare(op: &BinaryOperator, l: Term, r: Term) -> Term {
    use BinaryOperator as B;
    let null = Term::Const(Some(Val::Null));
    let (l, r) = match (l, r) {
        // A strict operator with a NULL operand is NULL, whatever the other one is.
        (Term::Const(Some(Val::Null)), _) | (_, Term::Const(Some(Val::Null))) => return null,
        (Term::Varies, _) | (_, Term::Varies) => return Term::Varies,
        (Term::Const(Some(l)), Term::Const(Some(r))) => (l, r),
        _ => return UNKNOWN,
    };
    let order = match (&l, &r) {
        (Val::Int(a), Val::Int(b)) => Some(a.cmp(b)),
        (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(b)),
        // Equality of strings does not depend on the (deterministic) collation.
        (Val::Str(a), Val::Str(b)) if matches!(op, B::Eq | B::NotEq) => Some(a.cmp(b)),
        _ => None,
    };
    let compared = |o: Ordering| {
        Some(match op {
            B::Eq => o.is_eq(),
            B::NotEq => o.is_ne(),
            B::Lt => o.is_lt(),
            B::LtEq => o.is_le(),
            B::Gt => o.is_gt(),
            B::GtEq => o.is_ge(),
            _ => return None,
        })
    };
    if let Some(b) = order.and_then(compared) {
        return Term::Const(Some(Val::Bool(b)));
    }
    let (Val::Int(a), Val::Int(b)) = (l, r) else {
        return UNKNOWN;
    };
    let value = match op {
        B::Plus => a.checked_add(b),
        B::Minus => a.checked_sub(b),
        B::Multiply => a.checked_mul(b),
        B::Divide => a.checked_div(b),
        B::Modulo => a.checked_rem(b),
        _ => None,
    };
    Term::Const(value.map(Val::Int))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn fold(sql: &str) -> Folded {
        let e = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_expr()
            .unwrap();
        when(None, &e)
    }

    #[test]
    fn constant_conditions_fold_as_the_planner_folds_them() {
        for (sql, want) in [
            ("1 = 1", Folded::Const(Some(true))),
            ("NOT (2 < 1)", Folded::Const(Some(true))),
            ("1 + 1 = 3", Folded::Const(Some(false))),
            ("-7 / 2 = -3 AND 7 % 4 = 3", Folded::Const(Some(true))),
            ("'a' = 'a'", Folded::Const(Some(true))),
            ("'a' <> 'a'", Folded::Const(Some(false))),
            ("NULL", Folded::Const(None)),
            ("1 = NULL", Folded::Const(None)),
            ("name = NULL", Folded::Const(None)),
            ("NULL IS NULL", Folded::Const(Some(true))),
            ("1 IS NULL", Folded::Const(Some(false))),
            ("NULL IS NOT TRUE", Folded::Const(Some(true))),
            ("1 IN (2, 1)", Folded::Const(Some(true))),
            ("1 NOT IN (2, 3)", Folded::Const(Some(true))),
            ("1 IN (2, NULL)", Folded::Const(None)),
            ("2 BETWEEN 1 AND 3", Folded::Const(Some(true))),
            ("name = 'x' OR 1 = 1", Folded::Const(Some(true))),
            ("name = 'x' AND 1 = 2", Folded::Const(Some(false))),
            ("name = 'x' AND 1 = 1", Folded::Varies),
            ("name = 'x' OR NULL", Folded::Varies),
            ("EXISTS (SELECT 1)", Folded::Varies),
            ("t.flag", Folded::Varies),
            ("lower(name) = 'x'", Folded::Varies),
            ("'b' > 'a'", Folded::Unknown),
            ("length('ab') = 2", Folded::Unknown),
            ("random() > 0.5", Folded::Unknown),
            ("1.5 > 1", Folded::Unknown),
            ("name = 'x' AND length('ab') = 2", Folded::Unknown),
        ] {
            assert_eq!(fold(sql), want, "{sql}");
        }
    }

    #[test]
    fn a_simple_case_compares_its_operand() {
        let parse = |sql: &str| {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql(sql)
                .unwrap()
                .parse_expr()
                .unwrap()
        };
        let t = parse("true");
        assert_eq!(when(Some(&parse("flag")), &t), Folded::Varies);
        assert_eq!(
            when(Some(&parse("1")), &parse("1")),
            Folded::Const(Some(true))
        );
        assert_eq!(
            when(Some(&parse("flag")), &parse("NULL")),
            Folded::Const(None)
        );
    }
}
