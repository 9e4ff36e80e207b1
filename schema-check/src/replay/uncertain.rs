//! What the replay cannot see: statements it skips that may still create, change or drop
//! objects (a `DO` block, a call of a function, an extension). A later conflict that such
//! a statement could explain ("index does not exist", "view already exists") is a
//! [`Warning`] naming both places, not an error: the database accepted the history.

use super::maps::HashMap;

use super::{Ctx, Replayer};
use crate::diagnostic::Warning;
use crate::model::Location;

/// A skipped statement that may have changed the schema invisibly.
#[derive(Debug, Clone)]
pub(crate) struct Opaque {
    at: Location,
    first_line: String,
    /// The statement's text, lower-cased (with the bodies of the functions it calls).
    text: String,
    /// It may run SQL built at run time (`EXECUTE`), which could name anything.
    dynamic: bool,
}

/// Skipped statements that may have changed the schema, and the bodies of the functions
/// the history defined (a later call runs them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Unseen {
    opaque: Vec<Opaque>,
    functions: HashMap<String, String>,
    /// The overloads the history defined, by function name: each one's parameter list
    /// (folded as [`super::ident::pg_fold_text`] folds, spaces collapsed) and the argument
    /// counts a call of it may have.
    overloads: HashMap<String, Vec<(String, super::function_deps::Arity)>>,
    /// What each overload returns, as written, by (function name, parameter list): the
    /// latest `CREATE [OR REPLACE]` of it.
    returns: HashMap<(String, String), String>,
}

/// Whether `word` occurs in `text` as a whole word (`text` lower-cased).
fn mentions_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The name of the function a `CREATE [OR REPLACE] FUNCTION/PROCEDURE` defines.
fn defined_function(lower: &str) -> Option<String> {
    let rest = lower.trim_start();
    let at = ["function ", "procedure "]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| i + k.len()))
        .min()?;
    let name: String = rest[at..]
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '(')
        .collect();
    let name = name.rsplit('.').next().unwrap_or(&name).trim_matches('"');
    (!name.is_empty()).then(|| name.to_string())
}

impl Unseen {
    /// Records a skipped statement (`words`: its leading keywords, upper-case).
    pub(crate) fn skipped(&mut self, at: &Location, first_line: &str, text: &str, words: &str) {
        let first = words.split(' ').next().unwrap_or("");
        if words.starts_with("CREATE FUNCTION")
            || words.starts_with("CREATE OR REPLACE FUNCTION")
            || words.starts_with("CREATE PROCEDURE")
            || words.starts_with("CREATE OR REPLACE PROCEDURE")
        {
            let lower = text.to_lowercase();
            if let Some(name) = defined_function(&lower) {
                // Parameter and result types keep a quoted name's case (`"Email"`); the
                // lower-cased text where the signature cannot be read so (a quoted
                // mixed-case function name).
                let folded = super::ident::pg_fold_text(text);
                let (header, signature) = match super::function_deps::signature(&folded, &name) {
                    Some(signature) => (&folded, Some(signature)),
                    None => (&lower, super::function_deps::signature(&lower, &name)),
                };
                if let Some((params, arity)) = signature {
                    match super::function_deps::returns(header, &name) {
                        Some(ty) => self.returns.insert((name.clone(), params.clone()), ty),
                        None => self.returns.remove(&(name.clone(), params.clone())),
                    };
                    // `CREATE OR REPLACE` of the same parameter types replaces the overload
                    // (its parameters may be renamed).
                    let key = super::function_deps::parameter_types(&params);
                    let list = self.overloads.entry(name.clone()).or_default();
                    if let Some(i) = list.iter().position(|(p, _)| {
                        *p == params
                            || key.is_some() && super::function_deps::parameter_types(p) == key
                    }) {
                        let (old, _) = list.remove(i);
                        if old != params {
                            let ty = self.returns.remove(&(name.clone(), params.clone()));
                            self.returns.remove(&(name.clone(), old));
                            if let Some(ty) = ty {
                                self.returns.insert((name.clone(), params.clone()), ty);
                            }
                        }
                    }
                    list.push((params, arity));
                }
                self.functions.insert(name, lower);
            }
            return;
        }
        // Only these may be opaque: the others need no lower-case copy of their text.
        if !(matches!(
            first,
            "EXECUTE" | "SELECT" | "CALL" | "PERFORM" | "VALUES" | "DO"
        ) || words.starts_with("CREATE EXTENSION"))
        {
            return;
        }
        let lower = text.to_lowercase();
        // `EXECUTE p` runs a prepared statement, whatever its text.
        let calls = first == "EXECUTE"
            || matches!(first, "SELECT" | "CALL" | "PERFORM" | "VALUES")
                && lower.contains('(')
                && !is_harmless_call(&lower);
        let opaque = first == "DO" || calls || words.starts_with("CREATE EXTENSION");
        if !opaque {
            return;
        }
        let mut text = lower;
        let called: Vec<String> = self
            .functions
            .iter()
            .filter(|(name, _)| mentions_word(&text, name))
            .map(|(_, body)| body.clone())
            .collect();
        for body in called {
            text.push('\n');
            text.push_str(&body);
        }
        // An extension's script creates objects of any name (postgis: `geometry`).
        let dynamic = mentions_word(&text, "execute")
            || first == "DO" && text.contains("format(")
            || words.starts_with("CREATE EXTENSION");
        self.opaque.push(Opaque {
            at: at.clone(),
            first_line: first_line.to_string(),
            text,
            dynamic,
        });
    }

    /// A statement at `at` created `name` in a form the replay cannot follow (a
    /// `CREATE TABLE ... AS SELECT` whose columns it cannot know): it explains later
    /// conflicts about `name`.
    pub(crate) fn created(&mut self, at: &Location, first_line: &str, name: &str) {
        self.opaque.push(Opaque {
            at: at.clone(),
            first_line: first_line.to_string(),
            text: name.rsplit('.').next().unwrap_or(name).to_lowercase(),
            dynamic: false,
        });
    }

    /// The overloads of the function `name` the history defined (see `overloads`).
    pub(crate) fn overloads_of(&self, name: &str) -> &[(String, super::function_deps::Arity)] {
        self.overloads.get(name).map_or(&[], Vec::as_slice)
    }

    /// What the overload of `name` with parameter list `params` returns, as written.
    pub(crate) fn returns_of(&self, name: &str, params: &str) -> Option<&str> {
        self.returns
            .get(&(name.to_string(), params.to_string()))
            .map(String::as_str)
    }

    /// Forgets the overloads of `name` for which `dropped` holds (given each one's
    /// parameter list): `DROP FUNCTION name(...)`.
    pub(crate) fn forget_overloads(&mut self, name: &str, dropped: impl Fn(&str) -> bool) {
        if let Some(list) = self.overloads.get_mut(name) {
            list.retain(|(params, _)| {
                let gone = dropped(params);
                if gone {
                    self.returns.remove(&(name.to_string(), params.clone()));
                }
                !gone
            });
        }
    }

    /// The latest skipped statement that could explain a conflict about `name`: one that
    /// mentions it, else one that runs dynamic SQL.
    fn explaining(&self, name: &str) -> Option<&Opaque> {
        let bare = name.rsplit('.').next().unwrap_or(name).to_lowercase();
        self.opaque
            .iter()
            .rev()
            .find(|o| mentions_word(&o.text, &bare))
            .or_else(|| self.opaque.iter().rev().find(|o| o.dynamic))
    }
}

/// Calls that cannot change the schema: pg_dump's `set_config`, sequence positions.
fn is_harmless_call(lower: &str) -> bool {
    let calls: Vec<&str> = lower
        .match_indices('(')
        .map(|(i, _)| {
            let before = &lower[..i];
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .map_or(0, |j| j + 1);
            &before[start..]
        })
        .filter(|name| !name.is_empty())
        .collect();
    !calls.is_empty()
        && calls.iter().all(|c| {
            let c = c.rsplit('.').next().unwrap_or(c);
            matches!(
                c,
                "set_config"
                    | "setval"
                    | "nextval"
                    | "currval"
                    | "count"
                    | "now"
                    | "coalesce"
                    | "max"
                    | "min"
                    | "lower"
                    | "upper"
                    | "version"
            )
        })
}

impl Replayer {
    /// A warning instead of an error, when a skipped statement could explain why `name`
    /// is missing (or already there); `None` when none could: the conflict is an error.
    pub(crate) fn unsure(&self, ctx: &Ctx<'_>, name: &str) -> Option<Warning> {
        self.unsure_because(
            ctx,
            name,
            &format!("`{name}` is not what the replay expects here"),
        )
    }

    /// Like [`Replayer::unsure`], with the conflict's own message.
    pub(crate) fn unsure_because(
        &self,
        ctx: &Ctx<'_>,
        name: &str,
        message: &str,
    ) -> Option<Warning> {
        let o = self.unseen.explaining(name)?;
        Some(Warning {
            message: message.to_string(),
            location: ctx.at().clone(),
            source_line: ctx.stmt.source_line.clone(),
            cause: o.at.clone(),
            cause_line: o.first_line.clone(),
            cause_note: Warning::SKIPPED.to_string(),
            help: "the replay does not run that statement; if it does this, nothing is wrong \
                   (write the change in plain DDL to let the replay follow it; strict mode \
                   makes this an error)"
                .to_string(),
        })
    }

    /// PostgreSQL refuses a drop without CASCADE while other objects depend on what it
    /// drops (`error`). When a skipped statement could have removed each of the
    /// `dependents` (it mentions the object, or its table, or runs dynamic SQL), the
    /// server's acceptance says they were gone: a warning is recorded, `Ok` returned, and
    /// the caller drops them as CASCADE would. Otherwise the refusal stands.
    pub(crate) fn dependents_unseen(
        &mut self,
        ctx: &Ctx<'_>,
        dependents: &[String],
        error: crate::Diagnostic,
    ) -> Result<(), crate::Diagnostic> {
        let message = format!(
            "{}; taken as removed by a statement the replay skipped",
            error.message
        );
        let mut first = None;
        for d in dependents {
            match self.unsure_because(ctx, d, &message) {
                Some(w) => {
                    first.get_or_insert(w);
                }
                None => return Err(error),
            }
        }
        match first {
            Some(w) => {
                self.warnings.push(w);
                Ok(())
            }
            None => Err(error),
        }
    }

    /// An error, or a warning when a skipped statement could explain it (see
    /// [`Replayer::unsure`]); records a warning and returns `Ok` in that case.
    pub(crate) fn conflict(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        error: crate::Diagnostic,
    ) -> Result<(), crate::Diagnostic> {
        match self.unsure_because(ctx, name, &error.message) {
            Some(w) => {
                self.warnings.push(w);
                Ok(())
            }
            None => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_calls() {
        assert!(mentions_word("drop index foo_idx;", "foo_idx"));
        assert!(!mentions_word("drop index foo_idx2;", "foo_idx"));
        assert!(is_harmless_call(
            "select pg_catalog.set_config('search_path', '', false)"
        ));
        assert!(!is_harmless_call("select create_partitions('x')"));
        assert_eq!(
            defined_function("create or replace function public.mk() returns void").as_deref(),
            Some("mk")
        );
    }
}
