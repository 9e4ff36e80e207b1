//! PostgreSQL's type conversion rules, as far as the replay types query output columns
//! (PostgreSQL documentation, chapter "Type Conversion"): the types of values a query
//! derives ([`Ty`]), what a function's or operator's result drops of its argument's type
//! ([`bare`]: the modifiers, a domain), type categories and implicit casts, the common type
//! of `UNION`, `CASE`, `COALESCE`, `GREATEST`, `LEAST` and `ARRAY[...]` inputs
//! ([`common_type`]), and the built-in operators ([`binary`], [`unary`]).
//!
//! A built-in function's result is [`super::pg_functions`]'s.

use std::borrow::Cow;

use sqlparser::ast::{BinaryOperator, UnaryOperator};

use crate::model::Schema;
use crate::types::{SqlType, TypeFamily};

/// A type as a query derives it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty<'d> {
    /// A known type (borrowed from the table or view it comes from where it can be).
    Known(Cow<'d, SqlType>),
    /// `NULL` or a string literal: PostgreSQL's `unknown`, resolved by its context.
    Untyped,
    /// A type the server derives and the replay does not (an operator or function it does
    /// not model): the column exists, its type is not known.
    Unsure,
}

impl<'d> Ty<'d> {
    /// The built-in type spelled `canonical` (no modifiers: `integer`, `text[]`).
    pub(crate) fn of(canonical: &str) -> Ty<'static> {
        Ty::Known(Cow::Owned(builtin(canonical)))
    }

    /// The known type, if any.
    pub(crate) fn known(&self) -> Option<&SqlType> {
        match self {
            Ty::Known(t) => Some(t),
            _ => None,
        }
    }

    /// The known type without modifiers and domains ([`bare`]); `None` if not known.
    pub(crate) fn bare(&self, schema: &Schema) -> Option<SqlType> {
        self.known().map(|t| bare(t, schema))
    }

    /// An untyped literal resolved as PostgreSQL resolves an output column: `text`.
    pub(crate) fn resolved(self) -> Ty<'d> {
        match self {
            Ty::Untyped => Ty::of("text"),
            other => other,
        }
    }
}

/// The built-in type spelled `canonical` as `format_type` prints it without modifiers,
/// with its family (`integer[]`: an array of integers).
pub(crate) fn builtin(canonical: &str) -> SqlType {
    SqlType::new(canonical, family(canonical))
}

fn family(canonical: &str) -> TypeFamily {
    use TypeFamily as F;
    if let Some(element) = canonical.strip_suffix("[]") {
        return F::Array {
            element: Box::new(family(element)),
        };
    }
    match canonical {
        "smallint" => F::Int { bytes: 2 },
        "integer" => F::Int { bytes: 4 },
        "bigint" => F::Int { bytes: 8 },
        "numeric" => F::Numeric {
            precision: None,
            scale: None,
        },
        "real" => F::Float4,
        "double precision" => F::Float8,
        "text" | "character varying" | "bpchar" | "name" | "citext" => F::Text { max_len: None },
        "boolean" => F::Bool,
        "bytea" => F::Bytes,
        "date" => F::Date,
        "time without time zone" => F::Time,
        "time with time zone" => F::TimeTz,
        "timestamp without time zone" => F::Timestamp,
        "timestamp with time zone" => F::TimestampTz,
        "interval" => F::Interval,
        "uuid" => F::Uuid,
        "json" | "jsonb" => F::Json,
        _ => F::Other,
    }
}

/// `t` as a function or operator result has it: the base type of a domain, without type
/// modifiers (`character varying(10)` is `character varying`, `character(3)` is
/// `bpchar`, `numeric(10,2)` is `numeric`).
pub(crate) fn bare(t: &SqlType, schema: &Schema) -> SqlType {
    if let Some(d) = schema
        .domains
        .get(crate::canonical::pg_type_key(&t.canonical).as_ref())
    {
        return bare(&d.base, schema);
    }
    strip(t)
}

/// `t` without type modifiers (a domain stays itself): the type a function's parameter
/// declares and a call's argument matches exactly.
pub(crate) fn strip(t: &SqlType) -> SqlType {
    if let TypeFamily::Array { element } = &t.family
        && let Some(inner) = t.canonical.strip_suffix("[]")
    {
        let e = strip(&SqlType::new(inner, (**element).clone()));
        return SqlType::new(
            format!("{}[]", e.canonical),
            TypeFamily::Array {
                element: Box::new(e.family),
            },
        );
    }
    if !t.canonical.contains('(') || t.canonical.starts_with('"') {
        return t.clone();
    }
    let mut out = String::with_capacity(t.canonical.len());
    let mut depth = 0usize;
    for c in t.canonical.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let canonical = match out.as_str() {
        "character" => "bpchar".to_string(),
        s if s.starts_with("interval") => "interval".to_string(),
        _ => out,
    };
    let family = match &t.family {
        TypeFamily::Text { .. } => TypeFamily::Text { max_len: None },
        TypeFamily::Numeric { .. } => TypeFamily::Numeric {
            precision: None,
            scale: None,
        },
        other => other.clone(),
    };
    SqlType::new(canonical, family)
}

/// Where a numeric type stands in PostgreSQL's implicit casts (each casts implicitly to
/// every one after it).
fn numeric_rank(canonical: &str) -> Option<u8> {
    Some(match canonical {
        "smallint" => 1,
        "integer" => 2,
        "bigint" => 3,
        "numeric" => 4,
        "real" => 5,
        "double precision" => 6,
        _ => return None,
    })
}

/// Whether `t` is one of the integer types.
pub(crate) fn is_integer(t: &SqlType) -> bool {
    numeric_rank(&t.canonical).is_some_and(|r| r <= 3)
}

/// Whether `t` is a character string type (`text`, `character varying`, `bpchar`, `name`,
/// `citext`), modifiers aside.
pub(crate) fn is_string(t: &SqlType) -> bool {
    matches!(
        t.canonical.split('(').next().unwrap_or(""),
        "text" | "character varying" | "character" | "bpchar" | "name" | "citext"
    )
}

/// A type's category (`pg_type.typcategory`) and whether it is the preferred type of it,
/// for a bare type ([`bare`]).
fn category(t: &SqlType, schema: &Schema) -> (char, bool) {
    if t.canonical.ends_with("[]") {
        return ('A', false);
    }
    if schema
        .enums
        .contains_key(crate::canonical::pg_type_key(&t.canonical).as_ref())
    {
        return ('E', false);
    }
    match t.canonical.as_str() {
        "boolean" => ('B', true),
        "double precision" => ('N', true),
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "oid" | "money" => ('N', false),
        "text" => ('S', true),
        "character varying" | "bpchar" | "name" | "citext" => ('S', false),
        "timestamp with time zone" => ('D', true),
        "date"
        | "time without time zone"
        | "time with time zone"
        | "timestamp without time zone" => ('D', false),
        "interval" => ('T', true),
        "inet" => ('I', true),
        "cidr" => ('I', false),
        "bit varying" => ('V', true),
        "bit" => ('V', false),
        _ => ('U', false),
    }
}

/// Whether a value of bare type `from` casts implicitly to bare type `to` (`pg_cast`
/// entries of context `i`, for the built-in types and `citext`).
fn implicit(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    if let (Some(f), Some(t)) = (numeric_rank(from), numeric_rank(to)) {
        return f < t;
    }
    if let (Some(f), Some(t)) = (from.strip_suffix("[]"), to.strip_suffix("[]")) {
        return implicit(f, t);
    }
    matches!(
        (from, to),
        (
            "text" | "character varying" | "bpchar",
            "text" | "character varying" | "bpchar" | "name"
        ) | ("name", "text")
            | ("citext", "text" | "character varying")
            | (
                "date",
                "timestamp without time zone" | "timestamp with time zone"
            )
            | ("timestamp without time zone", "timestamp with time zone")
            | ("time without time zone", "time with time zone" | "interval")
            | ("cidr", "inet")
            | ("bit", "bit varying")
            | ("bit varying", "bit")
    )
}

/// Whether an argument of type `arg` may be passed to a parameter of type `param`
/// (without modifiers) by an implicit cast: an untyped literal to any, a domain by its
/// base type, a type of the history's only to itself. An argument of a type the replay
/// does not know may be.
pub(crate) fn coercible(arg: &Ty<'_>, param: &SqlType, schema: &Schema) -> bool {
    match arg {
        Ty::Untyped | Ty::Unsure => true,
        Ty::Known(a) => {
            strip(a) == *param || {
                let (a, p) = (bare(a, schema), bare(param, schema));
                implicit(&a.canonical, &p.canonical)
            }
        }
    }
}

/// The type PostgreSQL resolves `inputs` to where they meet (`select_common_type` and
/// `select_common_typmod`): the first typed input's type, replaced by a later one of its
/// category that it casts to implicitly (and not back) unless it is its category's
/// preferred type; modifiers kept only when every input has exactly the same type. All
/// untyped: [`Ty::Untyped`]; an input of unknown type, or of another category (which the
/// server refuses): [`Ty::Unsure`].
pub(crate) fn common_type<'d>(inputs: impl IntoIterator<Item = Ty<'d>>, schema: &Schema) -> Ty<'d> {
    let mut first: Option<Cow<'d, SqlType>> = None;
    let mut same = true;
    let mut untyped = false;
    let mut ptype: Option<(SqlType, char, bool)> = None;
    for input in inputs {
        let t = match input {
            Ty::Unsure => return Ty::Unsure,
            Ty::Untyped => {
                untyped = true;
                continue;
            }
            Ty::Known(t) => t,
        };
        match &first {
            None => first = Some(t.clone()),
            Some(f) => same &= **f == *t,
        }
        let n = bare(&t, schema);
        let (ncat, npref) = category(&n, schema);
        match &ptype {
            None => ptype = Some((n, ncat, npref)),
            Some((p, pcat, ppref)) => {
                if n == *p {
                    continue;
                }
                if ncat != *pcat {
                    return Ty::Unsure;
                }
                if !*ppref
                    && implicit(&p.canonical, &n.canonical)
                    && !implicit(&n.canonical, &p.canonical)
                {
                    ptype = Some((n, ncat, npref));
                }
            }
        }
    }
    match (first, ptype) {
        (Some(f), _) if same && !untyped => Ty::Known(f),
        (_, Some((p, _, _))) => Ty::Known(Cow::Owned(p)),
        _ => Ty::Untyped,
    }
}

/// Which of `candidates` (each a function's parameter types, as many as `args`, every one
/// able to take its argument) PostgreSQL calls with arguments `args` when several could
/// be: the last steps of its function resolution (`func_select_candidate`): keep those
/// with the most exact matches of typed arguments; then those taking the preferred type
/// of a typed argument's category at the most places; then, for each untyped argument,
/// those whose parameter is of the string category if one is (else of the one category
/// all have), and of that category's preferred type if one is. `None` unless exactly one
/// is left, or where a type's category is not one the replay knows (a domain, an
/// extension's or the history's own type).
pub(crate) fn select_candidate(
    args: &[Ty<'_>],
    candidates: &[&[SqlType]],
    schema: &Schema,
) -> Option<usize> {
    // Known categories only: a domain's or an unknown type's is not modelled.
    let cat = |t: &SqlType| -> Option<(char, bool)> {
        if schema
            .domains
            .contains_key(crate::canonical::pg_type_key(&t.canonical).as_ref())
        {
            return None;
        }
        let c = category(&strip(t), schema);
        (c.0 != 'U').then_some(c)
    };
    let typed: Vec<Option<SqlType>> = args
        .iter()
        .map(|a| match a {
            Ty::Known(t) => Some(Some(strip(t))),
            Ty::Untyped => Some(None),
            Ty::Unsure => None,
        })
        .collect::<Option<_>>()?;
    if candidates.iter().any(|c| c.len() != args.len()) {
        return None;
    }
    let mut alive: Vec<usize> = (0..candidates.len()).collect();
    // Keep the candidates scoring best (all when none scores).
    let keep_best = |alive: &mut Vec<usize>, score: &dyn Fn(usize) -> Option<usize>| {
        let scores: Vec<usize> = alive.iter().map(|&c| score(c)).collect::<Option<_>>()?;
        let best = scores.iter().copied().max().unwrap_or(0);
        if best > 0 {
            let kept = alive
                .iter()
                .zip(&scores)
                .filter(|(_, s)| **s == best)
                .map(|(c, _)| *c)
                .collect();
            *alive = kept;
        }
        Some(())
    };
    keep_best(&mut alive, &|c| {
        Some(
            typed
                .iter()
                .zip(candidates[c])
                .filter(|(a, p)| a.as_ref() == Some(*p))
                .count(),
        )
    })?;
    if let [one] = alive.as_slice() {
        return Some(*one);
    }
    keep_best(&mut alive, &|c| {
        let mut n = 0;
        for (a, p) in typed.iter().zip(candidates[c]) {
            if let Some(a) = a {
                let (pc, preferred) = cat(p)?;
                if cat(a)?.0 == pc && preferred {
                    n += 1;
                }
            }
        }
        Some(n)
    })?;
    if let [one] = alive.as_slice() {
        return Some(*one);
    }
    // The untyped arguments: a category for each, then the candidates that take it.
    let mut slots: Vec<(usize, char, bool)> = Vec::new();
    for (i, _) in typed.iter().enumerate().filter(|(_, a)| a.is_none()) {
        let mut slot: Option<(char, bool)> = None;
        for &c in &alive {
            let (pc, preferred) = cat(&candidates[c][i])?;
            slot = Some(match slot {
                None => (pc, preferred),
                Some((sc, sp)) if sc == pc => (sc, sp || preferred),
                Some(_) if pc == 'S' => (pc, preferred),
                Some((sc, sp)) if sc == 'S' => (sc, sp),
                Some(_) => return None,
            });
        }
        let (sc, sp) = slot?;
        slots.push((i, sc, sp));
    }
    let mut kept = Vec::new();
    for &c in &alive {
        let mut keep = true;
        for &(i, sc, sp) in &slots {
            let (pc, preferred) = cat(&candidates[c][i])?;
            keep &= pc == sc && (preferred || !sp);
        }
        if keep {
            kept.push(c);
        }
    }
    match kept.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The result of a built-in binary operator over operands of types `l` and `r`;
/// [`Ty::Unsure`] where the replay does not model the operator for these types.
pub(crate) fn binary<'d>(op: &BinaryOperator, l: Ty<'d>, r: Ty<'d>, schema: &Schema) -> Ty<'d> {
    use BinaryOperator as B;
    match op {
        B::Eq
        | B::NotEq
        | B::Lt
        | B::LtEq
        | B::Gt
        | B::GtEq
        | B::And
        | B::Or
        | B::PGRegexMatch
        | B::PGRegexIMatch
        | B::PGRegexNotMatch
        | B::PGRegexNotIMatch
        | B::PGLikeMatch
        | B::PGILikeMatch
        | B::PGNotLikeMatch
        | B::PGNotILikeMatch
        | B::PGStartsWith
        | B::PGOverlap
        | B::AtArrow
        | B::ArrowAt
        | B::AtAt
        | B::Question
        | B::QuestionAnd
        | B::QuestionPipe
        | B::AtQuestion
        | B::Overlaps => return Ty::of("boolean"),
        _ => {}
    }
    let (lb, rb) = (l.bare(schema), r.bare(schema));
    if matches!(l, Ty::Unsure) || matches!(r, Ty::Unsure) {
        return Ty::Unsure;
    }
    let name = |t: &Option<SqlType>| t.as_ref().map(|t| t.canonical.clone());
    let (ln, rn) = (name(&lb), name(&rb));
    let (ls, rs) = (ln.as_deref(), rn.as_deref());
    match op {
        B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo | B::PGExp => {
            arithmetic(op, ls, rs)
        }
        B::StringConcat => concat(ls, rs),
        B::BitwiseAnd | B::BitwiseOr | B::PGBitwiseXor => match (ls, rs) {
            (Some(a), Some(b)) if numeric_rank(a) <= Some(3) && numeric_rank(b) <= Some(3) => {
                wider_integer(a, b)
            }
            (Some(a), None) | (None, Some(a)) if numeric_rank(a).is_some_and(|r| r <= 3) => {
                Ty::of(a)
            }
            _ => Ty::Unsure,
        },
        B::Arrow | B::HashArrow => match (ls, rs) {
            (Some("json"), _) => Ty::of("json"),
            (Some("jsonb"), _) => Ty::of("jsonb"),
            (Some("hstore"), Some("text[]")) => Ty::of("text[]"),
            (Some("hstore"), _) if matches!(op, B::Arrow) => Ty::of("text"),
            _ => Ty::Unsure,
        },
        B::LongArrow | B::HashLongArrow => match ls {
            Some("json" | "jsonb") => Ty::of("text"),
            _ => Ty::Unsure,
        },
        B::HashMinus => match ls {
            Some("jsonb") => Ty::of("jsonb"),
            _ => Ty::Unsure,
        },
        _ => Ty::Unsure,
    }
}

fn wider_integer(a: &str, b: &str) -> Ty<'static> {
    if numeric_rank(a) >= numeric_rank(b) {
        Ty::of(a)
    } else {
        Ty::of(b)
    }
}

/// `+ - * / % ^` over the bare types `l` and `r` (`None`: an untyped literal, which takes
/// the other operand's type, or an interval next to a point in time).
fn arithmetic(op: &BinaryOperator, l: Option<&str>, r: Option<&str>) -> Ty<'static> {
    use BinaryOperator as B;
    const TIMES: [&str; 4] = [
        "timestamp without time zone",
        "timestamp with time zone",
        "time without time zone",
        "time with time zone",
    ];
    let (l, r) = match (l, r) {
        (None, None) => return Ty::Unsure,
        // `timestamp + '1 day'`: the only `+` of a time on the left takes an interval.
        (Some(a), None) if matches!(op, B::Plus) && TIMES.contains(&a) => (a, "interval"),
        (None, Some(b)) if matches!(op, B::Plus) && TIMES.contains(&b) => ("interval", b),
        (Some(a), None) => (a, a),
        (None, Some(b)) => (b, b),
        (Some(a), Some(b)) => (a, b),
    };
    if let (Some(lr), Some(rr)) = (numeric_rank(l), numeric_rank(r)) {
        let float = lr >= 5 || rr >= 5;
        return match op {
            B::PGExp if float || (lr <= 3 && rr <= 3) => Ty::of("double precision"),
            B::PGExp => Ty::of("numeric"),
            B::Modulo if float => Ty::Unsure,
            _ if lr == 5 && rr == 5 => Ty::of("real"),
            _ if float => Ty::of("double precision"),
            _ => wider_integer(l, r),
        };
    }
    let int = |t: &str| numeric_rank(t).is_some_and(|r| r <= 2);
    let number = |t: &str| numeric_rank(t).is_some();
    let ts = "timestamp without time zone";
    let tz = "timestamp with time zone";
    // The point in time two of `date`, `timestamp`, `timestamptz` meet at.
    let later = |a: &str, b: &str| -> Option<&'static str> {
        let rank = |t: &str| match t {
            "date" => Some(0),
            "timestamp without time zone" => Some(1),
            "timestamp with time zone" => Some(2),
            _ => None,
        };
        Some(match rank(a)?.max(rank(b)?) {
            0 => "date",
            1 => ts,
            _ => tz,
        })
    };
    let out = match (op, l, r) {
        (B::Plus, "date", i) | (B::Plus, i, "date") | (B::Minus, "date", i) if int(i) => "date",
        (B::Minus, "date", "date") => "integer",
        (B::Plus, "date", "interval") | (B::Plus, "interval", "date") => ts,
        (B::Minus, "date", "interval") => ts,
        (B::Plus, "date", "time without time zone")
        | (B::Plus, "time without time zone", "date") => ts,
        (B::Plus, "date", "time with time zone") | (B::Plus, "time with time zone", "date") => tz,
        (B::Plus | B::Minus, t, "interval") if TIMES.contains(&t) => t,
        (B::Plus, "interval", t) if TIMES.contains(&t) => t,
        (B::Minus, a, b) if later(a, b).is_some() => "interval",
        (B::Minus, "time without time zone", "time without time zone") => "interval",
        (B::Plus | B::Minus, "interval", "interval") => "interval",
        (B::Multiply, "interval", n)
        | (B::Multiply, n, "interval")
        | (B::Divide, "interval", n)
            if number(n) =>
        {
            "interval"
        }
        _ => return Ty::Unsure,
    };
    Ty::of(out)
}

/// `||` over the bare types `l` and `r` (`None`: an untyped literal).
fn concat(l: Option<&str>, r: Option<&str>) -> Ty<'static> {
    let array = |t: Option<&str>| t.is_some_and(|t| t.ends_with("[]"));
    match (l, r) {
        (Some(a), _) if array(l) => Ty::of(a),
        (_, Some(b)) if array(r) => Ty::of(b),
        (Some(a), Some(b)) if a == b && !is_text_name(a) => match a {
            "jsonb" | "hstore" | "bytea" | "tsvector" | "tsquery" => Ty::of(a),
            "bit" | "bit varying" => Ty::of("bit varying"),
            _ => Ty::Unsure,
        },
        (Some(a), None) | (None, Some(a))
            if matches!(a, "jsonb" | "hstore" | "bytea" | "tsvector" | "tsquery") =>
        {
            Ty::of(a)
        }
        // `text || anynonarray`, `anynonarray || text`, `text || text`.
        (a, b) if a.is_none_or(is_text_name) || b.is_none_or(is_text_name) => Ty::of("text"),
        _ => Ty::Unsure,
    }
}

fn is_text_name(t: &str) -> bool {
    matches!(
        t,
        "text" | "character varying" | "bpchar" | "name" | "citext"
    )
}

/// The result of a built-in prefix operator over a value of type `t`.
pub(crate) fn unary<'d>(op: &UnaryOperator, t: Ty<'d>, schema: &Schema) -> Ty<'d> {
    use UnaryOperator as U;
    if matches!(op, U::Not) {
        return Ty::of("boolean");
    }
    let Some(b) = t.bare(schema) else {
        return Ty::Unsure;
    };
    let numeric = numeric_rank(&b.canonical).is_some();
    match op {
        U::Minus | U::Plus | U::PGAbs if numeric || b.canonical == "interval" => {
            Ty::Known(Cow::Owned(b))
        }
        U::PGSquareRoot | U::PGCubeRoot if numeric => Ty::of("double precision"),
        U::BitwiseNot if is_integer(&b) => Ty::Known(Cow::Owned(b)),
        _ => Ty::Unsure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Ty<'static> {
        Ty::of(s)
    }

    #[test]
    fn common_types_follow_select_common_type() {
        let s = Schema::default();
        let common = |v: Vec<Ty<'static>>| common_type(v, &s);
        assert_eq!(common(vec![Ty::Untyped, t("integer")]), t("integer"));
        assert_eq!(common(vec![t("integer"), t("bigint")]), t("bigint"));
        assert_eq!(common(vec![t("numeric"), t("integer")]), t("numeric"));
        assert_eq!(common(vec![t("integer"), t("boolean")]), Ty::Unsure);
        assert_eq!(
            common(vec![t("character varying"), t("text")]),
            t("character varying")
        );
        assert_eq!(
            common(vec![t("timestamp without time zone"), t("date")]),
            t("timestamp without time zone")
        );
        let vc10 = Ty::Known(Cow::Owned(SqlType::new(
            "character varying(10)",
            TypeFamily::Text { max_len: Some(10) },
        )));
        assert_eq!(common(vec![vc10.clone(), vc10.clone()]), vc10);
        assert_eq!(common(vec![vc10, Ty::Untyped]), t("character varying"));
        assert_eq!(common(vec![Ty::Untyped, Ty::Untyped]), Ty::Untyped);
    }

    #[test]
    fn operators_follow_the_server() {
        let s = Schema::default();
        let op = |o: BinaryOperator, a: &str, b: &str| {
            let ty = |x: &str| if x.is_empty() { Ty::Untyped } else { t(x) };
            binary(&o, ty(a), ty(b), &s)
        };
        use BinaryOperator as B;
        assert_eq!(op(B::Divide, "integer", "integer"), t("integer"));
        assert_eq!(op(B::Divide, "bigint", "integer"), t("bigint"));
        assert_eq!(op(B::Multiply, "real", "integer"), t("double precision"));
        assert_eq!(op(B::Plus, "real", "real"), t("real"));
        assert_eq!(op(B::Plus, "numeric", "integer"), t("numeric"));
        assert_eq!(op(B::PGExp, "integer", "integer"), t("double precision"));
        assert_eq!(op(B::PGExp, "numeric", "integer"), t("numeric"));
        assert_eq!(op(B::Minus, "date", "date"), t("integer"));
        assert_eq!(op(B::Plus, "date", "integer"), t("date"));
        assert_eq!(
            op(B::Plus, "date", "interval"),
            t("timestamp without time zone")
        );
        assert_eq!(
            op(B::Minus, "timestamp with time zone", "interval"),
            t("timestamp with time zone")
        );
        assert_eq!(
            op(B::Plus, "timestamp with time zone", ""),
            t("timestamp with time zone")
        );
        assert_eq!(
            op(
                B::Minus,
                "timestamp with time zone",
                "timestamp without time zone"
            ),
            t("interval")
        );
        assert_eq!(op(B::Minus, "date", ""), t("integer"));
        assert_eq!(
            op(B::StringConcat, "character varying", "integer"),
            t("text")
        );
        assert_eq!(op(B::StringConcat, "integer[]", "integer"), t("integer[]"));
        assert_eq!(op(B::StringConcat, "jsonb", "jsonb"), t("jsonb"));
        assert_eq!(op(B::StringConcat, "integer", "integer"), Ty::Unsure);
        assert_eq!(op(B::Arrow, "hstore", ""), t("text"));
        assert_eq!(op(B::LongArrow, "jsonb", ""), t("text"));
    }

    #[test]
    fn results_drop_modifiers() {
        let s = Schema::default();
        let bare_of = |c: &str, f: TypeFamily| bare(&SqlType::new(c, f), &s).canonical;
        assert_eq!(
            bare_of(
                "character varying(10)",
                TypeFamily::Text { max_len: Some(10) }
            ),
            "character varying"
        );
        assert_eq!(
            bare_of("character(3)", TypeFamily::Text { max_len: Some(3) }),
            "bpchar"
        );
        assert_eq!(
            bare_of("timestamp(3) with time zone", TypeFamily::TimestampTz),
            "timestamp with time zone"
        );
        assert_eq!(
            bare_of(
                "numeric(10,2)[]",
                TypeFamily::Array {
                    element: Box::new(TypeFamily::Numeric {
                        precision: Some(10),
                        scale: Some(2)
                    })
                }
            ),
            "numeric[]"
        );
    }

    #[test]
    fn untyped_arguments_choose_as_postgres_does() {
        // Checked on PostgreSQL 15 (fixture postgres/ctas_expressions 0007).
        let s = Schema::default();
        let t = |c: &str| builtin(c);
        let (int, text, varchar, float8) = (
            t("integer"),
            t("text"),
            t("character varying"),
            t("double precision"),
        );
        let untyped = [Ty::Untyped];
        // One parameter each: the string category; within it the preferred type.
        let pick = |cands: &[SqlType]| {
            let cands: Vec<&[SqlType]> = cands.iter().map(std::slice::from_ref).collect();
            select_candidate(&untyped, &cands, &s)
        };
        assert_eq!(pick(&[int.clone(), text.clone()]), Some(1));
        assert_eq!(pick(&[varchar.clone(), text]), Some(1));
        // No string: one category, its preferred type.
        assert_eq!(pick(&[int.clone(), float8]), Some(1));
        // Two categories, neither a string one: the server cannot choose.
        assert_eq!(pick(&[int.clone(), t("date")]), None);
        // A typed argument matching exactly settles it first.
        let args = [Ty::Known(Cow::Owned(int.clone())), Ty::Untyped];
        let two: [&[SqlType]; 2] = [&[int.clone(), varchar], &[int.clone(), int]];
        assert_eq!(select_candidate(&args, &two, &s), Some(0));
    }
}
