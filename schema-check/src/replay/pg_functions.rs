//! The result types of PostgreSQL's built-in functions (and those of the common contrib
//! extensions: `uuid-ossp`, `pgcrypto`, `hstore`, `ltree`), as a call with arguments of
//! the given types resolves them: aggregates (`sum(integer)` is `bigint`, `sum(bigint)`
//! and `avg(integer)` `numeric`, `max(varchar)` `text`), window functions (`row_number()`
//! `bigint`, `lag(x)` `x`'s type), arithmetic, string, date/time, JSON and array
//! functions. Polymorphic results drop the argument's modifiers and domain
//! ([`super::pg_typeconv::bare`]).
//!
//! [`result`] is `None` for a name (and argument count) it does not know: the caller then
//! looks at the history's own functions, else leaves the type unknown.

use std::borrow::Cow;

use super::pg_typeconv::{Ty, bare, common_type, is_integer, is_string};
use crate::model::Schema;
use crate::types::SqlType;

/// The result type of the built-in function `name` (lower case, unqualified) called with
/// arguments of types `args`; `Some(Ty::Unsure)` when the function is known but not for
/// these argument types, `None` when the name (with that many arguments) is not one of
/// the built-ins the replay knows.
pub(crate) fn result<'d>(name: &str, args: &[Ty<'d>], schema: &Schema) -> Option<Ty<'d>> {
    let n = args.len();
    let bare_arg = |i: usize| args.get(i).and_then(|t| t.bare(schema));
    let of_bare = |i: usize| match bare_arg(i) {
        Some(t) => Ty::Known(Cow::Owned(t)),
        None => Ty::Unsure,
    };
    // The numeric category's common result of a function defined for numeric and double
    // precision (`round`, `sqrt`, `ln`): numeric for numeric, double precision otherwise
    // (integers resolve to the preferred type).
    let numeric_or_double = |i: usize| match bare_arg(i) {
        Some(t) if t.canonical == "numeric" => Ty::of("numeric"),
        Some(t)
            if matches!(t.canonical.as_str(), "real" | "double precision") || is_integer(&t) =>
        {
            Ty::of("double precision")
        }
        _ => Ty::Unsure,
    };
    let canonical = |i: usize| bare_arg(i).map(|t| t.canonical);
    let ty = match (name, n) {
        // Aggregates.
        ("count", _) => Ty::of("bigint"),
        ("sum", 1) => match canonical(0).as_deref() {
            Some("smallint" | "integer") => Ty::of("bigint"),
            Some("bigint" | "numeric") => Ty::of("numeric"),
            Some(t @ ("real" | "double precision" | "interval" | "money")) => Ty::of(t),
            _ => Ty::Unsure,
        },
        ("avg", 1) => match canonical(0).as_deref() {
            Some("smallint" | "integer" | "bigint" | "numeric") => Ty::of("numeric"),
            Some("real" | "double precision") => Ty::of("double precision"),
            Some("interval") => Ty::of("interval"),
            _ => Ty::Unsure,
        },
        ("stddev" | "stddev_pop" | "stddev_samp" | "variance" | "var_pop" | "var_samp", 1) => {
            match canonical(0).as_deref() {
                Some("smallint" | "integer" | "bigint" | "numeric") => Ty::of("numeric"),
                Some("real" | "double precision") => Ty::of("double precision"),
                _ => Ty::Unsure,
            }
        }
        ("regr_count", 2) => Ty::of("bigint"),
        (
            "corr" | "covar_pop" | "covar_samp" | "regr_avgx" | "regr_avgy" | "regr_intercept"
            | "regr_r2" | "regr_slope" | "regr_sxx" | "regr_sxy" | "regr_syy",
            2,
        ) => Ty::of("double precision"),
        // `max(varchar)` is `max(text)`: no `max` takes a `varchar` or a `name`.
        ("max" | "min", 1) => match bare_arg(0) {
            Some(t) if matches!(t.canonical.as_str(), "character varying" | "name") => {
                Ty::of("text")
            }
            Some(t) => Ty::Known(Cow::Owned(t)),
            None => Ty::Unsure,
        },
        ("bool_and" | "bool_or" | "every", 1) => Ty::of("boolean"),
        ("bit_and" | "bit_or" | "bit_xor", 1) => of_bare(0),
        ("array_agg", 1) => match bare_arg(0) {
            Some(t) if t.canonical.ends_with("[]") => Ty::Known(Cow::Owned(t)),
            Some(t) => Ty::of(&format!("{}[]", t.canonical)),
            None => Ty::Unsure,
        },
        ("string_agg", 2) => match canonical(0).as_deref() {
            Some("bytea") => Ty::of("bytea"),
            _ => Ty::of("text"),
        },
        ("xmlagg", 1) => Ty::of("xml"),
        // Window functions.
        ("row_number" | "rank" | "dense_rank", 0) => Ty::of("bigint"),
        ("percent_rank" | "cume_dist", 0) => Ty::of("double precision"),
        ("ntile", 1) => Ty::of("integer"),
        ("lag" | "lead", 1 | 2) | ("first_value" | "last_value", 1) | ("nth_value", 2) => {
            of_bare(0)
        }
        ("lag" | "lead", 3) => match common_type([args[0].clone(), args[2].clone()], schema) {
            Ty::Known(t) => Ty::Known(Cow::Owned(bare(&t, schema))),
            other => other,
        },
        // Conditional expressions written as calls.
        ("coalesce" | "greatest" | "least", 1..) => common_type(args.iter().cloned(), schema),
        // `nullif(a, b)` is `a` (with its modifiers) as the `=` the server picks takes it: a
        // `varchar` or `name` as `text`; an untyped `a` as `b`'s type.
        ("nullif", 2) => match &args[0] {
            Ty::Known(t) => match bare(t, schema).canonical.as_str() {
                "character varying" | "name" => Ty::of("text"),
                _ => Ty::Known(t.clone()),
            },
            Ty::Untyped => common_type([Ty::Untyped, args[1].clone()], schema).resolved(),
            Ty::Unsure => Ty::Unsure,
        },
        // Mathematics.
        ("abs", 1) => of_bare(0),
        ("ceil" | "ceiling" | "floor" | "round" | "trunc" | "sign", 1)
        | ("sqrt" | "cbrt" | "exp" | "ln" | "log" | "log10", 1) => numeric_or_double(0),
        ("round" | "trunc", 2) | ("div", 2) => Ty::of("numeric"),
        ("log", 2) | ("power" | "pow", 2) => match (canonical(0), canonical(1)) {
            (Some(a), Some(b)) if a == "numeric" || b == "numeric" => {
                if [&a, &b]
                    .iter()
                    .any(|t| t.as_str() == "double precision" || t.as_str() == "real")
                {
                    Ty::of("double precision")
                } else {
                    Ty::of("numeric")
                }
            }
            (Some(_), Some(_)) => Ty::of("double precision"),
            _ => Ty::Unsure,
        },
        ("mod" | "gcd" | "lcm", 2) => match (bare_arg(0), bare_arg(1)) {
            (Some(a), Some(b)) if is_integer(&a) && is_integer(&b) => {
                common_type([Ty::Known(Cow::Owned(a)), Ty::Known(Cow::Owned(b))], schema)
            }
            (Some(a), Some(b))
                if [&a, &b]
                    .iter()
                    .all(|t| t.canonical == "numeric" || is_integer(t)) =>
            {
                Ty::of("numeric")
            }
            _ => Ty::Unsure,
        },
        ("random" | "pi", 0)
        | (
            "degrees" | "radians" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "cot"
            | "sind" | "cosd" | "tand",
            1,
        )
        | ("atan2" | "atan2d", 2) => Ty::of("double precision"),
        ("width_bucket", 4) => Ty::of("integer"),
        // Strings.
        (
            "length" | "char_length" | "character_length" | "octet_length" | "bit_length"
            | "strpos" | "ascii" | "array_length" | "array_ndims" | "array_upper" | "array_lower"
            | "cardinality" | "array_position" | "regexp_count" | "regexp_instr"
            | "json_array_length" | "jsonb_array_length" | "nlevel" | "pg_backend_pid" | "masklen",
            1..,
        ) => Ty::of("integer"),
        (
            "concat"
            | "concat_ws"
            | "format"
            | "to_char"
            | "md5"
            | "chr"
            | "quote_literal"
            | "quote_nullable"
            | "quote_ident"
            | "to_hex"
            | "encode"
            | "array_to_string"
            | "regexp_substr"
            | "json_typeof"
            | "jsonb_typeof"
            | "jsonb_pretty"
            | "json_extract_path_text"
            | "jsonb_extract_path_text"
            | "version"
            | "timeofday"
            | "convert_from"
            | "crypt"
            | "gen_salt"
            | "ts_headline"
            | "ltree2text"
            | "array_dims"
            | "pg_size_pretty"
            | "regexp_split_to_table"
            | "json_object_keys"
            | "jsonb_object_keys"
            | "jsonb_array_elements_text"
            | "json_array_elements_text"
            | "skeys"
            | "svals"
            | "current_setting"
            | "inet_client_addr_text",
            _,
        ) => Ty::of("text"),
        (
            "lower" | "upper" | "btrim" | "ltrim" | "rtrim" | "initcap" | "replace" | "translate"
            | "split_part" | "lpad" | "rpad" | "left" | "right" | "repeat" | "regexp_replace"
            | "substr" | "reverse",
            1..,
        ) => match bare_arg(0) {
            Some(t) if !is_string(&t) => Ty::Unsure,
            _ => Ty::of("text"),
        },
        (
            "string_to_array"
            | "regexp_split_to_array"
            | "regexp_match"
            | "regexp_matches"
            | "akeys"
            | "avals"
            | "tsvector_to_array",
            _,
        ) => Ty::of("text[]"),
        (
            "starts_with" | "regexp_like" | "isfinite" | "jsonb_path_exists" | "jsonb_path_match",
            _,
        ) => Ty::of("boolean"),
        (
            "decode" | "digest" | "hmac" | "gen_random_bytes" | "convert_to" | "sha224" | "sha256"
            | "sha384" | "sha512",
            _,
        ) => Ty::of("bytea"),
        // Identifiers, sequences.
        (
            "gen_random_uuid" | "uuid_generate_v1" | "uuid_generate_v1mc" | "uuid_generate_v3"
            | "uuid_generate_v4" | "uuid_generate_v5" | "uuid_nil",
            _,
        ) => Ty::of("uuid"),
        ("nextval" | "currval" | "setval", 1..) | ("lastval" | "txid_current", 0) => {
            Ty::of("bigint")
        }
        (
            "current_user" | "session_user" | "user" | "current_role" | "current_schema"
            | "current_database" | "current_catalog",
            0,
        ) => Ty::of("name"),
        // Date and time.
        (
            "now"
            | "current_timestamp"
            | "transaction_timestamp"
            | "statement_timestamp"
            | "clock_timestamp",
            0,
        )
        | ("to_timestamp", 1 | 2)
        | ("make_timestamptz", 6 | 7) => Ty::of("timestamp with time zone"),
        ("current_date", 0) | ("to_date" | "make_date", _) => Ty::of("date"),
        ("current_time", 0) => Ty::of("time with time zone"),
        ("localtime", 0) | ("make_time", 3) => Ty::of("time without time zone"),
        ("localtimestamp", 0) | ("make_timestamp", 6) => Ty::of("timestamp without time zone"),
        ("date_part", 2) => Ty::of("double precision"),
        ("extract", 2) | ("to_number", 2) => Ty::of("numeric"),
        ("age", 1 | 2)
        | ("make_interval", _)
        | ("justify_days" | "justify_hours" | "justify_interval", 1) => Ty::of("interval"),
        ("date_trunc", 2 | 3) => match canonical(1).as_deref() {
            Some("date") => Ty::of("timestamp with time zone"),
            Some(t @ ("timestamp without time zone" | "timestamp with time zone" | "interval")) => {
                Ty::of(t)
            }
            _ => Ty::Unsure,
        },
        ("date_bin", 3) => of_bare(1),
        ("timezone", 2) => match canonical(1).as_deref() {
            Some("timestamp without time zone") => Ty::of("timestamp with time zone"),
            Some("timestamp with time zone") => Ty::of("timestamp without time zone"),
            _ => Ty::Unsure,
        },
        // JSON.
        (
            "to_jsonb"
            | "jsonb_build_object"
            | "jsonb_build_array"
            | "jsonb_agg"
            | "jsonb_object_agg"
            | "jsonb_set"
            | "jsonb_insert"
            | "jsonb_strip_nulls"
            | "jsonb_extract_path"
            | "jsonb_path_query_first"
            | "jsonb_object"
            | "jsonb_array_elements"
            | "jsonb_path_query"
            | "jsonb_set_lax",
            _,
        ) => Ty::of("jsonb"),
        (
            "to_json"
            | "json_build_object"
            | "json_build_array"
            | "json_agg"
            | "json_object_agg"
            | "row_to_json"
            | "array_to_json"
            | "json_extract_path"
            | "json_object"
            | "json_array_elements"
            | "hstore_to_json",
            _,
        ) => Ty::of("json"),
        // Arrays.
        ("array_append" | "array_remove" | "array_replace", 2..) => of_bare(0),
        ("array_prepend", 2) => of_bare(1),
        ("array_cat", 2) => common_type(
            args.iter().map(|t| match t.bare(schema) {
                Some(b) => Ty::Known(Cow::Owned(b)),
                None => t.clone(),
            }),
            schema,
        ),
        ("array_positions", 2) => Ty::of("integer[]"),
        ("array_fill", 2 | 3) => match bare_arg(0) {
            Some(t) => Ty::of(&format!("{}[]", t.canonical)),
            None => Ty::Unsure,
        },
        ("unnest", 1) => match bare_arg(0) {
            Some(t) => match t.canonical.strip_suffix("[]") {
                Some(e) => Ty::Known(Cow::Owned(element(&t, e))),
                None => Ty::Unsure,
            },
            None => Ty::Unsure,
        },
        ("generate_series", 2 | 3) => {
            match common_type([args[0].clone(), args[1].clone()], schema) {
                Ty::Known(t) => Ty::Known(Cow::Owned(bare(&t, schema))),
                _ => Ty::Unsure,
            }
        }
        ("generate_subscripts", 2 | 3) => Ty::of("integer"),
        // Text search, hstore, ltree.
        ("to_tsvector" | "setweight" | "array_to_tsvector", _) => Ty::of("tsvector"),
        ("to_tsquery" | "plainto_tsquery" | "phraseto_tsquery" | "websearch_to_tsquery", _) => {
            Ty::of("tsquery")
        }
        ("ts_rank" | "ts_rank_cd", _) => Ty::of("real"),
        ("hstore", _) => Ty::of("hstore"),
        ("subpath" | "subltree" | "text2ltree", _) => Ty::of("ltree"),
        ("pg_typeof", 1) => Ty::of("regtype"),
        _ => return None,
    };
    Some(ty)
}

/// The element type of the array type `array` whose element is spelled `element`.
fn element(array: &SqlType, element: &str) -> SqlType {
    match &array.family {
        crate::types::TypeFamily::Array { element: f } => SqlType::new(element, (**f).clone()),
        _ => super::pg_typeconv::builtin(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_and_windows_follow_the_server() {
        let s = Schema::default();
        let r = |name: &str, args: &[&str]| {
            let args: Vec<Ty> = args.iter().map(|a| Ty::of(a)).collect();
            result(name, &args, &s).map(|t| t.known().map(|t| t.canonical.clone()))
        };
        let is = |t: &str| Some(Some(t.to_string()));
        assert_eq!(r("sum", &["integer"]), is("bigint"));
        assert_eq!(r("sum", &["bigint"]), is("numeric"));
        assert_eq!(r("avg", &["integer"]), is("numeric"));
        assert_eq!(r("avg", &["real"]), is("double precision"));
        assert_eq!(r("max", &["character varying"]), is("text"));
        assert_eq!(r("array_agg", &["text"]), is("text[]"));
        assert_eq!(r("row_number", &[]), is("bigint"));
        assert_eq!(r("lag", &["integer"]), is("integer"));
        assert_eq!(r("round", &["integer"]), is("double precision"));
        assert_eq!(r("round", &["numeric", "integer"]), is("numeric"));
        assert_eq!(r("mod", &["bigint", "integer"]), is("bigint"));
        assert_eq!(
            r("date_trunc", &["text", "date"]),
            is("timestamp with time zone")
        );
        assert_eq!(r("unnest", &["integer[]"]), is("integer"));
        assert_eq!(r("no_such_builtin", &[]), None);
    }
}
