//! MariaDB 10.11's types for the operators and functions of a `CREATE TABLE ... AS
//! SELECT` list that combine other values (checked with SHOW CREATE TABLE; fixture
//! `mysql/ctas_expressions`). An integer has a display length `len` and a decimal
//! precision `prec` (a column: its type's default width, less one when signed; a literal:
//! its digits); a computed integer is `int` when `len <= 9`, else `bigint`.
//!
//! - `a + b`, `a - b`: integers: `prec = max(prec) + 1`, unsigned when either is;
//!   decimals `decimal(max(p - s) + 1 + max(s), max(s))`. `a * b`: integers `prec` the sum,
//!   decimals `decimal(p1 + p2, s1 + s2)`. A `float`/`double` makes a `double`. NULL when
//!   either is.
//! - `a / b`: `decimal(p1 + s2 + 4, s1 + 4)` (`div_precision_increment` 4), a `double` with
//!   one; `a DIV b`: an integer of `len` the integer digits of `a`, unsigned when either
//!   is; `a % b` of integers: `len = max(len)`, unsigned as `a`. Always nullable.
//! - `-a`: one longer, signed.
//! - `CONCAT(...)` of strings, integers (their display length) and `NULL`: a string as
//!   long as all together (`varchar(n)`, `text` beyond 512 characters), always nullable.
//! - `IFNULL(a, b)`, `COALESCE(...)`, `CASE`: the results' common type — integers of one
//!   signedness the widest, with decimals (signed) a decimal as wide as the widest integer
//!   part and scale, with a `double` a `double`, strings (`char` too) a `varchar` of the
//!   longest, one other type if all are it. `IFNULL` may be NULL when `b` may, `COALESCE`
//!   when every argument may, `CASE` without `ELSE` or when any operand, condition or
//!   result may.
//! - `CAST(x AS t)`, `CONVERT(x, t)`: `SIGNED [INTEGER]` of a signed integer keeps its
//!   length; `DECIMAL(p, s)` of a number; both NULL when `x` is. `CHAR(n)` a `varchar(n)`
//!   (`CHAR` of a string or an integer: its length), `DATE`, `DATETIME[(n)]`, `TIME`:
//!   always nullable.
//! - `GROUP_CONCAT(...)`: `mediumtext` (in `ctas_mysql`), nullable.
//!
//! Anything else (mixed signedness, strings in arithmetic, dates...) is `None`.

use sqlparser::ast::{BinaryOperator, CaseWhen, CastKind, Expr};

use super::ctas_mysql::{Env, Typed, Value, canonical, int_type, value};
use crate::model::Column;

/// A computed integer of display length `len`.
fn int(len: u32, unsigned: bool) -> Value {
    Value::Int {
        ty: int_type(len),
        unsigned,
        len,
        prec: len.saturating_sub(u32::from(!unsigned)),
    }
}

/// A number's decimal precision and scale (an integer's scale is 0), `None` for
/// anything but an integer or a decimal.
fn precision(v: &Value) -> Option<(u32, u32)> {
    match v {
        Value::Int { prec, .. } => Some((*prec, 0)),
        Value::Decimal { p, s } => Some((*p, *s)),
        _ => None,
    }
}

/// Whether `v` is a number (an integer, a decimal or a double).
fn numeric(v: &Value) -> bool {
    matches!(v, Value::Int { .. } | Value::Decimal { .. } | Value::Double)
}

/// A decimal within MariaDB's limits (65 digits, scale 38).
fn decimal(p: u32, s: u32) -> Option<Value> {
    (p <= 65 && s <= 38 && s <= p).then_some(Value::Decimal { p, s })
}

/// `-a`.
pub(super) fn negate(a: Typed) -> Option<Typed> {
    let value = match a.value {
        Value::Int { len, .. } => int(len + 1, false),
        Value::Decimal { .. } | Value::Double => a.value,
        _ => return None,
    };
    Some(Typed {
        value,
        nullable: a.nullable,
    })
}

/// `a op b` for an arithmetic operator `op`.
pub(super) fn arithmetic(op: &BinaryOperator, a: Typed, b: Typed) -> Option<Typed> {
    use BinaryOperator as B;
    let (x, y) = (&a.value, &b.value);
    if !numeric(x) || !numeric(y) {
        return None;
    }
    let double = matches!(x, Value::Double) || matches!(y, Value::Double);
    let unsigned = |v: &Value| matches!(v, Value::Int { unsigned: true, .. });
    let value = match op {
        B::Plus | B::Minus | B::Multiply if double => Value::Double,
        B::Plus | B::Minus | B::Multiply => match (x, y) {
            (Value::Int { prec: p1, .. }, Value::Int { prec: p2, .. }) => {
                let prec = if *op == B::Multiply {
                    p1 + p2
                } else {
                    p1.max(p2) + 1
                };
                let unsigned = unsigned(x) || unsigned(y);
                int(prec + u32::from(!unsigned), unsigned)
            }
            _ => {
                let (p1, s1) = precision(x)?;
                let (p2, s2) = precision(y)?;
                if *op == B::Multiply {
                    decimal(p1 + p2, s1 + s2)?
                } else {
                    let s = s1.max(s2);
                    decimal((p1 - s1).max(p2 - s2) + 1 + s, s)?
                }
            }
        },
        B::Divide if double => Value::Double,
        B::Divide => {
            let (p1, s1) = precision(x)?;
            let (_, s2) = precision(y)?;
            decimal(p1 + s2 + 4, s1 + 4)?
        }
        B::MyIntegerDivide if !double => {
            let (p1, s1) = precision(x)?;
            int(p1 - s1, unsigned(x) || unsigned(y))
        }
        B::Modulo => match (x, y) {
            (Value::Int { len: l1, .. }, Value::Int { len: l2, .. }) => {
                int(*l1.max(l2), unsigned(x))
            }
            _ => return None,
        },
        _ => return None,
    };
    let always_nullable = matches!(op, B::Divide | B::MyIntegerDivide | B::Modulo);
    Some(Typed {
        value,
        nullable: always_nullable || a.nullable || b.nullable,
    })
}

/// `CONCAT(args)`.
pub(super) fn concat<F: Fn(&Expr) -> Option<Column>>(
    args: &[&Expr],
    env: &Env<'_, F>,
) -> Option<Typed> {
    let mut chars = 0u32;
    for a in args {
        chars += match value(a, env)?.value {
            Value::Text { chars } => chars,
            Value::Int { len, .. } => len,
            Value::Null => 0,
            _ => return None,
        };
    }
    Some(Typed {
        value: Value::Text { chars },
        nullable: true,
    })
}

/// `IFNULL(a, b)`.
pub(super) fn ifnull<F: Fn(&Expr) -> Option<Column>>(
    args: &[&Expr],
    env: &Env<'_, F>,
) -> Option<Typed> {
    let [a, b] = args else {
        return None;
    };
    let (a, b) = (value(a, env)?, value(b, env)?);
    Some(Typed {
        value: common(&[&a.value, &b.value])?,
        nullable: b.nullable,
    })
}

/// `COALESCE(args)`.
pub(super) fn coalesce<F: Fn(&Expr) -> Option<Column>>(
    args: &[&Expr],
    env: &Env<'_, F>,
) -> Option<Typed> {
    let values: Vec<Typed> = args.iter().map(|a| value(a, env)).collect::<Option<_>>()?;
    Some(Typed {
        value: common(&values.iter().map(|t| &t.value).collect::<Vec<_>>())?,
        nullable: values.iter().all(|t| t.nullable),
    })
}

/// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
pub(super) fn case<F: Fn(&Expr) -> Option<Column>>(
    operand: Option<&Expr>,
    conditions: &[CaseWhen],
    else_result: Option<&Expr>,
    env: &Env<'_, F>,
) -> Option<Typed> {
    let results: Vec<Typed> = conditions
        .iter()
        .map(|w| &w.result)
        .chain(else_result)
        .map(|e| value(e, env))
        .collect::<Option<_>>()?;
    let mut nullable = else_result.is_none() || results.iter().any(|t| t.nullable);
    for e in operand
        .into_iter()
        .chain(conditions.iter().map(|w| &w.condition))
    {
        nullable |= may_be_null(e, env)?;
    }
    Some(Typed {
        value: common(&results.iter().map(|t| &t.value).collect::<Vec<_>>())?,
        nullable,
    })
}

/// Whether condition or value `e` may be NULL (MariaDB: a comparison, `AND`, `OR` or
/// `NOT` may when an operand may; `IS [NOT] NULL` never is).
fn may_be_null<F: Fn(&Expr) -> Option<Column>>(e: &Expr, env: &Env<'_, F>) -> Option<bool> {
    use BinaryOperator as B;
    if let Some(t) = value(e, env) {
        return Some(t.nullable);
    }
    match e {
        Expr::Nested(inner) => may_be_null(inner, env),
        Expr::IsNull(_) | Expr::IsNotNull(_) => Some(false),
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            expr,
        } => may_be_null(expr, env),
        Expr::BinaryOp {
            left,
            op: B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::And | B::Or,
            right,
        } => Some(may_be_null(left, env)? || may_be_null(right, env)?),
        _ => None,
    }
}

/// The common type of the results of `IFNULL`, `COALESCE` and `CASE` (`NULL`s aside).
fn common(values: &[&Value]) -> Option<Value> {
    let known: Vec<&Value> = values
        .iter()
        .copied()
        .filter(|v| **v != Value::Null)
        .collect();
    let first = *known.first()?;
    let all = |f: fn(&Value) -> bool| known.iter().all(|v| f(v));
    if all(|v| matches!(v, Value::Int { .. })) {
        // The widest type, when all are signed or all unsigned.
        const ORDER: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];
        let rank = |v: &Value| match v {
            Value::Int { ty, .. } => ORDER.iter().position(|t| t == ty),
            _ => None,
        };
        let unsigned = |v: &Value| matches!(v, Value::Int { unsigned: true, .. });
        if !known.iter().all(|v| unsigned(v) == unsigned(first)) {
            return None;
        }
        let widest = known.iter().map(|v| rank(v)).max()??;
        return Some(Value::Other(super::ctas_mysql::sql_type(&Value::Int {
            ty: ORDER[widest],
            unsigned: unsigned(first),
            len: 0,
            prec: 0,
        })?));
    }
    if all(|v| matches!(v, Value::Int { .. } | Value::Decimal { .. })) {
        if known
            .iter()
            .any(|v| matches!(v, Value::Int { unsigned: true, .. }))
        {
            return None;
        }
        let (mut int_part, mut scale) = (0, 0);
        for v in &known {
            let (p, s) = precision(v)?;
            int_part = int_part.max(p - s);
            scale = scale.max(s);
        }
        return Some(Value::Other(super::ctas_mysql::sql_type(&decimal(
            int_part + scale,
            scale,
        )?)?));
    }
    if all(numeric) {
        return Some(Value::Double);
    }
    if all(|v| matches!(v, Value::Text { .. })) {
        let chars = known.iter().filter_map(|v| match v {
            Value::Text { chars } => Some(*chars),
            _ => None,
        });
        return Some(Value::Text {
            chars: chars.max()?,
        });
    }
    if let Value::Other(ty) = first
        && known.iter().all(|v| *v == first)
    {
        return Some(Value::Other(ty.clone()));
    }
    None
}

/// `CAST(x AS t)` or `CONVERT(x, t)`.
pub(super) fn cast<F: Fn(&Expr) -> Option<Column>>(e: &Expr, env: &Env<'_, F>) -> Option<Typed> {
    let (x, data_type) = match e {
        Expr::Cast {
            kind: CastKind::Cast,
            expr,
            data_type,
            format: None,
            ..
        } => (expr, data_type),
        Expr::Convert {
            is_try: false,
            expr,
            data_type: Some(data_type),
            charset: None,
            target_before_value: false,
            styles,
        } if styles.is_empty() => (expr, data_type),
        _ => return None,
    };
    let x = value(x, env)?;
    let written = data_type.to_string().to_ascii_uppercase();
    let keeps_null = |value: Value| Typed {
        value,
        nullable: x.nullable,
    };
    let nullable = |value: Value| Typed {
        value,
        nullable: true,
    };
    match written.as_str() {
        "SIGNED" | "SIGNED INTEGER" | "INTEGER" | "INT" => match x.value {
            Value::Int {
                unsigned: false,
                len,
                ..
            } => Some(keeps_null(int(len, false))),
            _ => None,
        },
        "DATE" | "TIME" => Some(nullable(Value::Other(canonical(data_type)?))),
        "CHAR" => match x.value {
            Value::Text { chars } => Some(nullable(Value::Text { chars })),
            Value::Int { len, .. } => Some(nullable(Value::Text { chars: len })),
            _ => None,
        },
        _ if written.starts_with("DATETIME") => Some(nullable(Value::Other(canonical(data_type)?))),
        _ if written.starts_with("CHAR(") => {
            let chars = written
                .strip_prefix("CHAR(")?
                .strip_suffix(')')?
                .parse()
                .ok()?;
            Some(nullable(Value::Text { chars }))
        }
        _ if written.starts_with("DECIMAL") && precision(&x.value).is_some() => {
            let ty = canonical(data_type)?;
            let (p, s) = ty
                .canonical
                .strip_prefix("decimal(")?
                .strip_suffix(')')?
                .split_once(',')?;
            Some(keeps_null(decimal(p.parse().ok()?, s.parse().ok()?)?))
        }
        _ => None,
    }
}
