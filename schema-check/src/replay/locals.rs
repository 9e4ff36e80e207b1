//! Local variables of the procedural bodies the replay follows (MySQL procedures,
//! [`super::procedure_ddl`]; PostgreSQL `DO` blocks, [`super::do_block`]): the value a
//! declaration gives, what `SELECT expr INTO v FROM information_schema.T ...` stores, and
//! whether a condition over them holds. The one owner of those rules for both dialects.
//!
//! A condition is `v <op> literal`, `v IS [NOT] NULL`, a value's truth (a number not 0;
//! `TRUE` and `FALSE` are 1 and 0, as MySQL has them and as the replay keeps PostgreSQL's
//! booleans), `[NOT] EXISTS (SELECT ... FROM information_schema.T ...)`, `AND`, `OR`, `NOT`
//! and parentheses, in SQL's three values (`NULL` takes no branch); failing that, a whole
//! condition [`super::info_schema::evaluate`] reads. A variable the replay could not
//! compute is absent from [`Locals`]: a condition reading it is not evaluated.
//! PostgreSQL's `current_schema()` (or `current_schema`) reads as the schema the search
//! path makes current, when the caller knows it.

use sqlparser::tokenizer::Token;

use super::info_schema::{self, Value};
use super::maps::HashMap;
use super::words::Words;
use super::words::is_word;
use crate::dialect::Dialect;
use crate::model::Schema;

/// Local variables (lower case: they match without case) and their values.
pub(crate) type Locals = HashMap<String, Value>;

/// The value literal `t` spells (`'text'`, a number, `NULL`, `TRUE` as 1, `FALSE` as 0);
/// `None` (outer) for anything else.
pub(crate) fn literal(t: &Token) -> Option<Value> {
    match t {
        Token::SingleQuotedString(s) | Token::Number(s, _) => Some(Some(s.clone())),
        t if is_word(t, "NULL") => Some(None),
        t if is_word(t, "TRUE") => Some(Some("1".to_string())),
        t if is_word(t, "FALSE") => Some(Some("0".to_string())),
        _ => None,
    }
}

/// Where a body runs: the schema replayed so far, its dialect and grammar, and what
/// PostgreSQL's `current_schema()` is there (`None`: not known, or MySQL).
pub(crate) struct Scope<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) dialect: Dialect,
    pub(crate) grammar: &'a dyn sqlparser::dialect::Dialect,
    pub(crate) current_schema: Option<String>,
}

impl Scope<'_> {
    /// The significant tokens of `text`, `current_schema()` replaced by its value.
    fn tokens(&self, text: &str) -> Option<Vec<Token>> {
        let w = Words::of(self.grammar, text)?;
        let mut out = Vec::with_capacity(w.len());
        let mut i = 0;
        while i < w.len() {
            if self.dialect == Dialect::Postgres
                && w.is(i, "current_schema")
                && let Some(current) = &self.current_schema
            {
                out.push(Token::SingleQuotedString(current.clone()));
                i += if w.get(i + 1) == Some(&Token::LParen) && w.get(i + 2) == Some(&Token::RParen)
                {
                    3
                } else {
                    1
                };
                continue;
            }
            out.push(w.get(i)?.clone());
            i += 1;
        }
        Some(out)
    }
}

impl super::Replayer {
    /// Where a followed body runs: the schema as replayed so far.
    pub(crate) fn scope(&self) -> Scope<'_> {
        Scope {
            schema: &self.schema,
            dialect: self.dialect,
            grammar: &*self.parser,
            current_schema: (self.dialect == Dialect::Postgres)
                .then(|| self.search_path.current_schema(&self.schema))
                .flatten(),
        }
    }
}

/// What `SELECT expr FROM information_schema.T ...` (`query`, without its `INTO v`)
/// yields in `scope`, as [`info_schema::select_value`] tells it: `Some(None)` for no row,
/// `None` when the replay cannot tell.
pub(crate) fn select_into(scope: &Scope<'_>, query: &str) -> Option<Option<Value>> {
    let tokens = scope.tokens(query)?;
    info_schema::select_value(scope.schema, scope.dialect, &tokens)
}

/// Whether condition `text` holds on `schema` and `locals`, in SQL's three values (inner
/// `None` is `NULL`, which takes no branch); `None` (outer) when the replay cannot tell.
pub(crate) fn condition(scope: &Scope<'_>, text: &str, locals: &Locals) -> Option<Option<bool>> {
    let tokens = scope.tokens(text)?;
    let mut c = Condition {
        tokens: &tokens,
        at: 0,
        locals,
        schema: scope.schema,
        dialect: scope.dialect,
    };
    match c.or() {
        Some(value) if c.at == tokens.len() => Some(value),
        _ => info_schema::evaluate(scope.schema, scope.dialect, &tokens).map(Some),
    }
}

/// A reader of a condition over local variables.
struct Condition<'a> {
    tokens: &'a [Token],
    at: usize,
    locals: &'a Locals,
    schema: &'a Schema,
    dialect: Dialect,
}

impl Condition<'_> {
    fn word(&self, w: &str) -> bool {
        self.tokens.get(self.at).is_some_and(|t| is_word(t, w))
    }

    fn or(&mut self) -> Option<Option<bool>> {
        let mut value = self.and()?;
        while self.word("OR") {
            self.at += 1;
            let right = self.and()?;
            value = match (value, right) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(value)
    }

    fn and(&mut self) -> Option<Option<bool>> {
        let mut value = self.not()?;
        while self.word("AND") {
            self.at += 1;
            let right = self.not()?;
            value = match (value, right) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(value)
    }

    fn not(&mut self) -> Option<Option<bool>> {
        if self.word("NOT") {
            self.at += 1;
            return Some(self.not()?.map(|b| !b));
        }
        self.atom()
    }

    /// The index just after the parentheses opening at `open`.
    fn closing(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, t) in self.tokens.iter().enumerate().skip(open) {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ if depth == 0 => return None,
                _ => {}
            }
        }
        None
    }

    /// `( condition )`, `EXISTS (query)`, `value <op> value`, `value IS [NOT] NULL`, or a
    /// value's truth.
    fn atom(&mut self) -> Option<Option<bool>> {
        if self.tokens.get(self.at) == Some(&Token::LParen) {
            self.at += 1;
            let value = self.or()?;
            if self.tokens.get(self.at) != Some(&Token::RParen) {
                return None;
            }
            self.at += 1;
            return Some(value);
        }
        if self.word("EXISTS") {
            let end = self.closing(self.at + 1)?;
            let found =
                info_schema::evaluate(self.schema, self.dialect, &self.tokens[self.at..end])?;
            self.at = end;
            return Some(Some(found));
        }
        let left = self.value()?;
        if self.word("IS") {
            self.at += 1;
            let negated = self.word("NOT");
            self.at += usize::from(negated);
            if !self.word("NULL") {
                return None;
            }
            self.at += 1;
            return Some(Some(left.is_none() != negated));
        }
        let op = self.tokens.get(self.at);
        if let Some(
            op @ (Token::Eq | Token::Neq | Token::Lt | Token::LtEq | Token::Gt | Token::GtEq),
        ) = op
        {
            self.at += 1;
            let right = self.value()?;
            if left.is_none() || right.is_none() {
                return Some(None);
            }
            return Some(Some(info_schema::compare(self.dialect, &left, op, &right)?));
        }
        // A value's truth: a number not 0 (text the replay does not convert).
        match left {
            None => Some(None),
            Some(v) => Some(Some(v.parse::<f64>().ok()? != 0.0)),
        }
    }

    /// A local variable's value or a literal.
    fn value(&mut self) -> Option<Value> {
        let t = self.tokens.get(self.at)?;
        let value = match literal(t) {
            Some(v) => v,
            None => match t {
                Token::Word(w) if w.quote_style.is_none() => {
                    self.locals.get(&w.value.to_ascii_lowercase())?.clone()
                }
                _ => return None,
            },
        };
        self.at += 1;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(dialect: Dialect, text: &str, locals: &[(&str, Value)]) -> Option<Option<bool>> {
        let schema = super::super::tests::ok(dialect, "CREATE TABLE t (a int)").schema;
        let locals: Locals = locals
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        let grammar = dialect.parser_dialect();
        let scope = Scope {
            schema: &schema,
            dialect,
            grammar: &*grammar,
            current_schema: Some("public".to_string()),
        };
        condition(&scope, text, &locals)
    }

    #[test]
    fn conditions_over_locals_in_three_values() {
        let pg = Dialect::Postgres;
        let x = |s: &str| Some(s.to_string());
        let vars = [("b", x("1")), ("n", None), ("s", x("jsonb"))];
        assert_eq!(holds(pg, "b AND s = 'jsonb'", &vars), Some(Some(true)));
        assert_eq!(holds(pg, "NOT b OR s <> 'jsonb'", &vars), Some(Some(false)));
        // PostgreSQL compares text exactly; MySQL without case.
        assert_eq!(holds(pg, "s = 'JSONB'", &vars), Some(Some(false)));
        assert_eq!(
            holds(Dialect::Mysql, "s = 'JSONB'", &vars),
            Some(Some(true))
        );
        assert_eq!(holds(pg, "n = 'x'", &vars), Some(None));
        assert_eq!(
            holds(pg, "n IS NULL AND s IS NOT NULL", &vars),
            Some(Some(true))
        );
        assert_eq!(holds(pg, "b = TRUE", &vars), Some(Some(true)));
        assert_eq!(holds(pg, "n OR b", &vars), Some(Some(true)));
        assert_eq!(
            holds(
                pg,
                "b AND NOT EXISTS (SELECT 1 FROM information_schema.columns \
                 WHERE table_name = 't' AND column_name = 'a')",
                &vars
            ),
            Some(Some(false))
        );
        // An unknown variable, or a look at pg_catalog, is not evaluated.
        assert_eq!(holds(pg, "unknown = 1", &vars), None);
        assert_eq!(
            holds(pg, "b AND EXISTS (SELECT 1 FROM pg_class)", &vars),
            None
        );
        let here = "EXISTS (SELECT 1 FROM information_schema.tables \
                    WHERE table_schema = current_schema() AND table_name = 't')";
        assert_eq!(holds(pg, here, &vars), Some(Some(true)));
        // Ordering text is collation's business in PostgreSQL.
        assert_eq!(holds(pg, "s < 'z'", &vars), None);
    }
}
