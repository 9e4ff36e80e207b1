//! The type, nullability and name MariaDB 10.11 gives a `CREATE TABLE ... AS SELECT`
//! column computed by an expression (checked with SHOW CREATE TABLE after the statement),
//! for the expressions whose rules are simple and certain:
//!
//! - Name: the alias; unaliased, a string literal's value, else the expression's text as
//!   written, from its first token to its last (a trailing comment is not part of it).
//! - `COUNT(...)`: `bigint`, NOT NULL.
//! - `SUM(c)` of an integer column: `decimal(p + 22, 0)`, where `p` is the integer type's
//!   precision (tinyint 3, smallint 5, mediumint 8, int 10, bigint 19, bigint unsigned
//!   20); of a `decimal(p, s)`: `decimal(min(p + 22, 65), s)`; of a float or double:
//!   `double`. Nullable.
//! - `AVG(c)`: integers `decimal(p + 4, 4)`, `decimal(p, s)` gives `decimal(min(p + 4, 65),
//!   min(s + 4, 38))`, floats `double`. Nullable.
//! - `MIN(c)` / `MAX(c)`: the column's type, nullable.
//! - Literals: an integer of at most 9 digits (`-` and 8 digits when negative) is `int`,
//!   a longer one `bigint`; a decimal one of `p` digits, `s` of them after the point,
//!   `decimal(p, s)`; a non-empty string of `n` characters `varchar(n)`; all NOT NULL.
//!   `NULL` is `binary(0)`, nullable.
//! - `NOW()`, `CURRENT_TIMESTAMP`, `SYSDATE()`... without a precision: `datetime`;
//!   `CURDATE()`, `CURRENT_DATE`: `date`; NOT NULL.
//! - Arithmetic, `CONCAT`, `IFNULL`, `COALESCE`, `CASE`, `CAST`, `CONVERT` and
//!   `GROUP_CONCAT`: see `ctas_mysql_ops`.
//!
//! Anything else is `None`: the caller records that it cannot know the table's columns.

use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArguments, UnaryOperator, Value as Literal,
};

use super::ctas_mysql_ops as ops;
use crate::dialect::Dialect;
use crate::model::{Column, Schema};
use crate::types::SqlType;

/// What MariaDB knows of an expression's value while it types a select list.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    /// An integer: its type (`tinyint` .. `bigint`), whether unsigned, and MariaDB's
    /// `max_length` (display length) and decimal precision for it.
    Int {
        ty: &'static str,
        unsigned: bool,
        len: u32,
        prec: u32,
    },
    /// A signed `decimal(p, s)`.
    Decimal { p: u32, s: u32 },
    /// A `double` (a `float` column computes as one).
    Double,
    /// A character string (not binary) of at most `chars` characters.
    Text { chars: u32 },
    /// The `NULL` literal.
    Null,
    /// Any other type: only passed on or compared.
    Other(SqlType),
}

/// An expression's value and whether it may be NULL.
#[derive(Clone, Debug)]
pub(super) struct Typed {
    pub(super) value: Value,
    pub(super) nullable: bool,
}

/// How to read a select list's expressions.
pub(super) struct Env<'c, F> {
    /// The column a column reference names (`None` when it names none).
    pub(super) column: &'c F,
    /// Whether no integer column has a display width MariaDB reads (the replay keeps none:
    /// [`explicit_display_width`] tells when a history declared one, and then integer
    /// arithmetic is not typed).
    pub(super) default_widths: bool,
}

/// The type and nullability of expression `e` of a MySQL `CREATE TABLE ... AS SELECT`
/// list, where `column` gives the column a column reference names (`None` when it names
/// none, or for anything but a column reference), and `default_widths` says whether
/// every integer column of the history has its type's default display width.
pub(crate) fn typed(
    e: &Expr,
    column: &impl Fn(&Expr) -> Option<Column>,
    default_widths: bool,
) -> Option<(SqlType, bool)> {
    let env = Env {
        column,
        default_widths,
    };
    let t = value(e, &env)?;
    Some((sql_type(&t.value)?, t.nullable))
}

/// The name MariaDB gives the column of unaliased expression `e` written as `written`
/// (its text from first to last token, `None` when a comment lies among them).
pub(crate) fn written_name(e: &Expr, written: Option<&str>) -> Option<String> {
    if let Expr::Value(v) = e
        && let Literal::SingleQuotedString(s) = &v.value
    {
        return (!s.is_empty() && s.chars().count() <= 64).then(|| s.clone());
    }
    let written = written?;
    // The text must be the whole expression: read alone, it is the same expression.
    let again = sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
        .try_with_sql(written)
        .ok()?
        .parse_expr()
        .ok()?;
    // Longer names are an error on the server.
    (again == *e && written.chars().count() <= 64).then(|| written.to_string())
}

/// Whether MySQL integer type `data_type` is declared with a display width that MariaDB's
/// integer arithmetic reads and the replay's canonical types drop: one wider than its
/// type's default (`INT(20)`: `i + 1` is 21 long), or any on a signed `MEDIUMINT` (whose
/// default, 9, is one more than the length a narrower width gives). A narrower width of
/// another type (`INT(5)`, `TINYINT(1)`) is not read (MariaDB 10.11).
pub(crate) fn explicit_display_width(data_type: &sqlparser::ast::DataType) -> bool {
    use sqlparser::ast::DataType as D;
    let (width, default) = match data_type {
        D::MediumInt(w) => return w.is_some_and(|w| w != 9),
        D::TinyInt(w) => (w, 4),
        D::SmallInt(w) | D::Int2(w) => (w, 6),
        D::Int(w) | D::Integer(w) | D::Int4(w) => (w, 11),
        D::BigInt(w) | D::Int8(w) | D::BigIntUnsigned(w) | D::Int8Unsigned(w) => (w, 20),
        D::TinyIntUnsigned(w) => (w, 3),
        D::SmallIntUnsigned(w) | D::Int2Unsigned(w) => (w, 5),
        D::MediumIntUnsigned(w) => (w, 8),
        D::IntUnsigned(w) | D::IntegerUnsigned(w) | D::Int4Unsigned(w) => (w, 10),
        _ => return false,
    };
    width.is_some_and(|w| w > default)
}

/// The value of expression `e`.
pub(super) fn value<F: Fn(&Expr) -> Option<Column>>(e: &Expr, env: &Env<'_, F>) -> Option<Typed> {
    match e {
        Expr::Nested(inner) => value(inner, env),
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            let c = (env.column)(e)?;
            Some(Typed {
                value: of_type(&c.ty, env.default_widths),
                nullable: c.nullable,
            })
        }
        Expr::Value(v) => literal(&v.value),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => ops::negate(value(expr, env)?),
        Expr::BinaryOp { left, op, right } => {
            ops::arithmetic(op, value(left, env)?, value(right, env)?)
        }
        Expr::Function(f) => function(f, env),
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => ops::case(operand.as_deref(), conditions, else_result.as_deref(), env),
        Expr::Cast { .. } | Expr::Convert { .. } => ops::cast(e, env),
        _ => None,
    }
}

/// What MariaDB computes with of a column of type `ty`.
fn of_type(ty: &SqlType, default_widths: bool) -> Value {
    let canonical = ty.canonical.as_str();
    let (base, unsigned) = match canonical.strip_suffix(" unsigned") {
        Some(base) => (base, true),
        None => (canonical, false),
    };
    // MariaDB's display length of each integer type (signed, unsigned).
    let widths = match base {
        "tinyint" | "tinyint(1)" => Some(("tinyint", 4, 3)),
        "smallint" => Some(("smallint", 6, 5)),
        "mediumint" => Some(("mediumint", 9, 8)),
        "int" => Some(("int", 11, 10)),
        "bigint" => Some(("bigint", 20, 20)),
        _ => None,
    };
    if let Some((name, signed_len, unsigned_len)) = widths {
        if !default_widths {
            return Value::Other(ty.clone());
        }
        let len = if unsigned { unsigned_len } else { signed_len };
        return Value::Int {
            ty: name,
            unsigned,
            len,
            prec: len - u32::from(!unsigned),
        };
    }
    if let Some((p, s)) = decimal(canonical) {
        return Value::Decimal { p, s };
    }
    if canonical == "float" || canonical == "double" {
        return Value::Double;
    }
    let chars = canonical
        .strip_prefix("varchar(")
        .or_else(|| canonical.strip_prefix("char("))
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse().ok());
    match chars {
        Some(chars) => Value::Text { chars },
        None => Value::Other(ty.clone()),
    }
}

/// A literal's value.
fn literal(v: &Literal) -> Option<Typed> {
    let value = match v {
        Literal::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit()) => {
            // A leading zero is not modelled (MariaDB counts it in the length).
            if n.len() > 1 && n.starts_with('0') || n.parse::<i64>().is_err() {
                return None;
            }
            let len = u32::try_from(n.len()).ok()?;
            Value::Int {
                ty: int_type(len),
                unsigned: false,
                len,
                prec: len,
            }
        }
        Literal::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
            let (int, fraction) = n.split_once('.')?;
            let p = u32::try_from(int.len() + fraction.len()).ok()?;
            let s = u32::try_from(fraction.len()).ok()?;
            if p > 65 || s > 38 || fraction.contains('.') {
                return None;
            }
            Value::Decimal { p, s }
        }
        Literal::SingleQuotedString(s) => Value::Text {
            chars: u32::try_from(s.chars().count()).ok()?,
        },
        Literal::Null => Value::Null,
        _ => return None,
    };
    Some(Typed {
        nullable: value == Value::Null,
        value,
    })
}

/// The integer type MariaDB gives a computed integer of display length `len`.
pub(super) fn int_type(len: u32) -> &'static str {
    if len <= 9 { "int" } else { "bigint" }
}

/// The SQL type of a value, as a table column gets it; `None` when MariaDB's is not
/// certain.
pub(super) fn sql_type(v: &Value) -> Option<SqlType> {
    match v {
        Value::Int { ty, unsigned, .. } => parse(&if *unsigned {
            format!("{ty} UNSIGNED")
        } else {
            (*ty).to_string()
        }),
        Value::Decimal { p, s } if (1..=65).contains(p) && s <= p && *s <= 38 => {
            parse(&format!("DECIMAL({p},{s})"))
        }
        Value::Decimal { .. } => None,
        Value::Double => parse("DOUBLE"),
        // Longer than 512 characters: a text type (a `text` holds 16,383 of any
        // character set).
        Value::Text {
            chars: chars @ 1..=512,
        } => parse(&format!("VARCHAR({chars})")),
        Value::Text { chars: 513..=16383 } => parse("TEXT"),
        Value::Text { .. } => None,
        Value::Null => parse("BINARY(0)"),
        Value::Other(ty) => Some(ty.clone()),
    }
}

/// A function call's value.
fn function<F: Fn(&Expr) -> Option<Column>>(f: &Function, env: &Env<'_, F>) -> Option<Typed> {
    if f.over.is_some() || f.filter.is_some() || !f.within_group.is_empty() {
        return None;
    }
    let [name] = f.name.0.as_slice() else {
        return None;
    };
    let name = name.as_ident()?.value.to_ascii_uppercase();
    let args = match &f.args {
        FunctionArguments::None => None,
        FunctionArguments::List(list) => Some(list),
        FunctionArguments::Subquery(_) => return None,
    };
    if name == "GROUP_CONCAT" {
        // A `mediumtext` (`group_concat_max_len` 1 MiB, the default), nullable.
        let only_order_and_separator = args?.clauses.iter().all(|c| {
            matches!(
                c,
                FunctionArgumentClause::OrderBy(_) | FunctionArgumentClause::Separator(_)
            )
        });
        if !only_order_and_separator {
            return None;
        }
        return Some(Typed {
            value: Value::Other(parse("MEDIUMTEXT")?),
            nullable: true,
        });
    }
    if args.is_some_and(|l| !l.clauses.is_empty()) {
        return None;
    }
    let no_args = args.is_none_or(|l| l.args.is_empty());
    let other = |ty: &str, nullable: bool| {
        Some(Typed {
            value: Value::Other(parse(ty)?),
            nullable,
        })
    };
    if no_args {
        return match name.as_str() {
            "NOW" | "CURRENT_TIMESTAMP" | "LOCALTIME" | "LOCALTIMESTAMP" | "SYSDATE" => {
                other("DATETIME", false)
            }
            "CURDATE" | "CURRENT_DATE" => other("DATE", false),
            _ => None,
        };
    }
    let list = args?;
    let exprs: Vec<&Expr> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect::<Option<_>>()
        .unwrap_or_default();
    let plain = list.duplicate_treatment.is_none() && exprs.len() == list.args.len();
    match name.as_str() {
        "COUNT" => return other("BIGINT", false),
        "CONCAT" if plain => return ops::concat(&exprs, env),
        "IFNULL" if plain => return ops::ifnull(&exprs, env),
        "COALESCE" if plain => return ops::coalesce(&exprs, env),
        _ => {}
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
    let c = (env.column)(arg)?;
    let ty = c.ty.canonical.as_str();
    match name.as_str() {
        "MIN" | "MAX" => Some(Typed {
            value: Value::Other(c.ty.clone()),
            nullable: true,
        }),
        "SUM" | "AVG" => {
            let avg = name == "AVG";
            if ty == "float" || ty == "double" {
                return other("DOUBLE", true);
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
            other(&format!("DECIMAL({p},{s})"), true)
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
pub(super) fn parse(text: &str) -> Option<SqlType> {
    let mut parser = sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
        .try_with_sql(text)
        .ok()?;
    let data_type = parser.parse_data_type().ok()?;
    canonical(&data_type)
}

/// The canonical form of MySQL type `data_type`.
pub(super) fn canonical(data_type: &sqlparser::ast::DataType) -> Option<SqlType> {
    crate::canonical::canonical_type(Dialect::Mysql, data_type, &Schema::default())
        .ok()
        .map(|c| c.ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The canonical type and nullability of `sql` over no columns.
    fn of(sql: &str) -> Option<(String, bool)> {
        let e = sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_expr()
            .unwrap();
        typed(&e, &|_: &Expr| None, true).map(|(t, n)| (t.canonical, n))
    }

    #[test]
    fn precisions_follow_mariadb() {
        assert_eq!(integer_precision("mediumint unsigned"), Some(8));
        assert_eq!(decimal("decimal(10,2)"), Some((10, 2)));
        assert_eq!(decimal("decimal unsigned"), None);
        assert_eq!(parse("DECIMAL(32,0)").unwrap().canonical, "decimal(32,0)");
        assert_eq!(of("-5"), Some(("int".into(), false)));
        assert_eq!(of("-12345678"), Some(("int".into(), false)));
        assert_eq!(of("-123456789"), Some(("bigint".into(), false)));
        assert_eq!(of("2147483647"), Some(("bigint".into(), false)));
        assert_eq!(of("'é'"), Some(("varchar(1)".into(), false)));
        assert_eq!(of("''"), None);
        assert_eq!(of("count(*)"), Some(("bigint".into(), false)));
        assert_eq!(of("now()"), Some(("datetime".into(), false)));
        assert_eq!(of("now(3)"), None);
        assert_eq!(of(".5"), Some(("decimal(1,1)".into(), false)));
        assert_eq!(of("00.50"), Some(("decimal(4,2)".into(), false)));
        assert_eq!(of("1e3"), None);
        assert_eq!(of("007"), None);
    }

    #[test]
    fn names_are_the_text_as_written() {
        let parse = |sql: &str| {
            sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
                .try_with_sql(sql)
                .unwrap()
                .parse_expr()
                .unwrap()
        };
        let e = parse("a   +   1");
        assert_eq!(
            written_name(&e, Some("a   +   1")).as_deref(),
            Some("a   +   1")
        );
        // A text that is only part of the expression is not its name.
        assert_eq!(written_name(&e, Some("a")), None);
        assert_eq!(written_name(&e, None), None);
        assert_eq!(written_name(&parse("'x''y'"), None).as_deref(), Some("x'y"));
        let long = format!("a+{}", "1".repeat(63));
        assert_eq!(written_name(&parse(&long), Some(&long)), None);
    }

    #[test]
    fn display_widths_other_than_the_default_are_seen() {
        let ty = |sql: &str| {
            sqlparser::parser::Parser::new(&sqlparser::dialect::MySqlDialect {})
                .try_with_sql(sql)
                .unwrap()
                .parse_data_type()
                .unwrap()
        };
        assert!(!explicit_display_width(&ty("INT")));
        assert!(!explicit_display_width(&ty("INT(11)")));
        assert!(!explicit_display_width(&ty("INT(10) UNSIGNED")));
        assert!(!explicit_display_width(&ty("INT(5)")));
        assert!(!explicit_display_width(&ty("TINYINT(1)")));
        assert!(!explicit_display_width(&ty("MEDIUMINT")));
        assert!(explicit_display_width(&ty("MEDIUMINT(3)")));
        assert!(explicit_display_width(&ty("INT(20)")));
        assert!(!explicit_display_width(&ty("VARCHAR(5)")));
    }
}
