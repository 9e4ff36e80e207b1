//! The type and nullability MariaDB 10.11 gives a `CREATE TABLE ... AS SELECT` column
//! computed by an expression (checked with SHOW CREATE TABLE after the statement), for
//! the expressions whose rules are simple and certain:
//!
//! - `COUNT(...)`: `bigint`, NOT NULL.
//! - `SUM(c)` of an integer column: `decimal(p + 22, 0)`, where `p` is the integer type's
//!   precision (tinyint 3, smallint 5, mediumint 8, int 10, bigint 19, bigint unsigned
//!   20); of a `decimal(p, s)`: `decimal(min(p + 22, 65), s)`; of a float or double:
//!   `double`. Nullable.
//! - `AVG(c)`: integers `decimal(p + 4, 4)`, `decimal(p, s)` gives `decimal(min(p + 4, 65),
//!   min(s + 4, 38))`, floats `double`. Nullable.
//! - `MIN(c)` / `MAX(c)`: the column's type, nullable.
//! - Literals: an integer of at most 9 digits (`-` and 8 digits when negative) is `int`,
//!   a longer one `bigint`; a non-empty string of `n` characters `varchar(n)`; all NOT
//!   NULL. `NULL` is `binary(0)`, nullable.
//! - `NOW()`, `CURRENT_TIMESTAMP`, `SYSDATE()`... without a precision: `datetime`;
//!   `CURDATE()`, `CURRENT_DATE`: `date`; NOT NULL.
//!
//! Anything else is `None`: the caller records that it cannot know the table's columns.

use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    UnaryOperator, Value,
};

use crate::dialect::Dialect;
use crate::model::{Column, Schema};
use crate::types::SqlType;

/// The type and nullability of expression `e` of a MySQL `CREATE TABLE ... AS SELECT`
/// list, where `column` gives the column a column reference names (`None` when it names
/// none, or for anything but a column reference).
pub(crate) fn typed(
    e: &Expr,
    column: &impl Fn(&Expr) -> Option<Column>,
) -> Option<(SqlType, bool)> {
    match e {
        Expr::Nested(inner) => typed(inner, column),
        Expr::Value(v) => literal(&v.value, false),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(v) => literal(&v.value, true),
            _ => None,
        },
        Expr::Function(f) => function(f, column),
        _ => None,
    }
}

/// A literal's type (`negative`: written after a `-`).
fn literal(v: &Value, negative: bool) -> Option<(SqlType, bool)> {
    match v {
        Value::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit()) => {
            let digits = n.trim_start_matches('0').len().max(1);
            let limit = if negative { 8 } else { 9 };
            let ty = if digits <= limit {
                "INT"
            } else if n.parse::<i64>().is_ok() {
                "BIGINT"
            } else {
                return None;
            };
            Some((parse(ty)?, false))
        }
        Value::SingleQuotedString(s) if !negative && !s.is_empty() => {
            Some((parse(&format!("VARCHAR({})", s.chars().count()))?, false))
        }
        Value::Null if !negative => Some((parse("BINARY(0)")?, true)),
        _ => None,
    }
}

/// A function call's type.
fn function(f: &Function, column: &impl Fn(&Expr) -> Option<Column>) -> Option<(SqlType, bool)> {
    if f.over.is_some() || f.filter.is_some() || !f.within_group.is_empty() {
        return None;
    }
    let [name] = f.name.0.as_slice() else {
        return None;
    };
    let name = name.as_ident()?.value.to_ascii_uppercase();
    let args = match &f.args {
        FunctionArguments::None => None,
        FunctionArguments::List(list) if list.clauses.is_empty() => Some(list),
        _ => return None,
    };
    let no_args = args.is_none_or(|l| l.args.is_empty());
    if no_args {
        return match name.as_str() {
            "NOW" | "CURRENT_TIMESTAMP" | "LOCALTIME" | "LOCALTIMESTAMP" | "SYSDATE" => {
                Some((parse("DATETIME")?, false))
            }
            "CURDATE" | "CURRENT_DATE" => Some((parse("DATE")?, false)),
            _ => None,
        };
    }
    let list = args?;
    if name == "COUNT" {
        return Some((parse("BIGINT")?, false));
    }
    // One argument, a column, for the other aggregates.
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
        return None;
    };
    if matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct))
        && name != "MIN"
        && name != "MAX"
    {
        return None;
    }
    let c = column(arg)?;
    let ty = c.ty.canonical.as_str();
    match name.as_str() {
        "MIN" | "MAX" => Some((c.ty.clone(), true)),
        "SUM" | "AVG" => {
            let avg = name == "AVG";
            if ty == "float" || ty == "double" {
                return Some((parse("DOUBLE")?, true));
            }
            let (p, s) = if let Some(p) = integer_precision(ty) {
                (p, 0)
            } else {
                decimal(ty)?
            };
            let (p, s) = if avg {
                ((p + 4).min(65), (s + 4).min(38))
            } else {
                ((p + 22).min(65), s)
            };
            Some((parse(&format!("DECIMAL({p},{s})"))?, true))
        }
        _ => None,
    }
}

/// The decimal precision of an integer type (canonical MySQL spelling), as MariaDB counts
/// it for `SUM` and `AVG`.
fn integer_precision(ty: &str) -> Option<u32> {
    Some(match ty {
        "tinyint" | "tinyint unsigned" | "tinyint(1)" => 3,
        "smallint" | "smallint unsigned" => 5,
        "mediumint" | "mediumint unsigned" => 8,
        "int" | "int unsigned" => 10,
        "bigint" => 19,
        "bigint unsigned" => 20,
        _ => return None,
    })
}

/// `(p, s)` of a canonical `decimal(p,s)` (signed).
fn decimal(ty: &str) -> Option<(u32, u32)> {
    let (p, s) = ty
        .strip_prefix("decimal(")?
        .strip_suffix(')')?
        .split_once(',')?;
    Some((p.parse().ok()?, s.parse().ok()?))
}

/// The canonical form of MySQL type `text`.
fn parse(text: &str) -> Option<SqlType> {
    let mut parser = sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
        .try_with_sql(text)
        .ok()?;
    let data_type = parser.parse_data_type().ok()?;
    crate::canonical::canonical_type(Dialect::Mysql, &data_type, &Schema::default())
        .ok()
        .map(|c| c.ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precisions_follow_mariadb() {
        assert_eq!(integer_precision("mediumint unsigned"), Some(8));
        assert_eq!(decimal("decimal(10,2)"), Some((10, 2)));
        assert_eq!(decimal("decimal unsigned"), None);
        assert_eq!(parse("DECIMAL(32,0)").unwrap().canonical, "decimal(32,0)");
        let none = |_: &Expr| None;
        let int = |sql: &str| {
            let e = sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
                .try_with_sql(sql)
                .unwrap()
                .parse_expr()
                .unwrap();
            typed(&e, &none).map(|(t, n)| (t.canonical, n))
        };
        assert_eq!(int("-5"), Some(("int".into(), false)));
        assert_eq!(int("2147483647"), Some(("bigint".into(), false)));
        assert_eq!(int("'é'"), Some(("varchar(1)".into(), false)));
        assert_eq!(int("''"), None);
        assert_eq!(int("count(*)"), Some(("bigint".into(), false)));
        assert_eq!(int("now()"), Some(("datetime".into(), false)));
        assert_eq!(int("now(3)"), None);
    }
}
