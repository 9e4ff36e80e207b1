//! Suppression in the migration itself: `-- schema-check: allow(rule-id, ...) reason`.
//!
//! An allow applies to one statement: the statement it is written in (a comment inside a
//! `CREATE TABLE`, or after its `;` on its last line), else the next statement of the file.
//! It suppresses the findings of the rules it names whose primary span is in that
//! statement. The reason is required; an allow without one, or naming an unknown rule,
//! suppresses nothing and is itself a finding ([`INVALID_ALLOW`]); an allow that
//! suppresses nothing is reported too ([`UNUSED_ALLOW`]).

use sqlparser::tokenizer::{Token, Whitespace};

use crate::report::{Finding, Span};
use crate::suggest::closest;

use super::rules::{INVALID_ALLOW, RULES, UNUSED_ALLOW, rule};
use super::script::{Pos, Script, Scripts};

/// The marker that starts an allow comment (after `--`).
pub const MARKER: &str = "schema-check:";

/// One valid allow comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// Where the comment is.
    pub at: Span,
    /// The rules it names, each with whether it suppressed a finding.
    pub rules: Vec<(String, bool)>,
    /// Why.
    pub reason: String,
    /// The lines of the statement it applies to (first, last), in `at.file`; `None` when
    /// no statement follows it.
    pub lines: Option<(u32, u32)>,
}

impl Allow {
    /// Whether this allow suppresses `finding`; marks the rule used if so.
    pub fn suppress(&mut self, finding: &Finding) -> bool {
        let (Some((first, last)), Some(primary)) = (self.lines, &finding.primary) else {
            return false;
        };
        if primary.span.file != self.at.file
            || primary.span.line < first
            || primary.span.line > last
        {
            return false;
        }
        match self.rules.iter_mut().find(|(id, _)| id == finding.rule) {
            Some((_, used)) => {
                *used = true;
                true
            }
            None => false,
        }
    }

    /// An [`UNUSED_ALLOW`] finding for every rule that suppressed nothing.
    pub fn unused(&self) -> impl Iterator<Item = Finding> + '_ {
        self.rules.iter().filter(|(_, used)| !used).map(|(id, _)| {
            let what = match self.lines {
                Some(_) => "nothing in the statement it applies to",
                None => "nothing: no statement follows it",
            };
            Finding::new(
                &UNUSED_ALLOW,
                format!("`allow({id})` suppresses {what}"),
            )
            .at(self.at.clone(), "unused")
            .with_help(format!(
                "remove `{id}` from the comment, or move it to the statement a `{id}` finding points at"
            ))
            .with_identity(format!("allow({id}) {}", self.reason))
        })
    }
}

/// Every allow comment in `scripts`, and an [`INVALID_ALLOW`] finding for each that
/// cannot be used.
pub fn collect(scripts: &Scripts) -> (Vec<Allow>, Vec<Finding>) {
    let mut allows = Vec::new();
    let mut invalid = Vec::new();
    for script in scripts.iter() {
        for comment in comments(script, scripts) {
            match parse(&comment.text) {
                Ok(None) => {}
                Ok(Some((ids, reason))) => {
                    let span = Span::range(
                        script.display.clone(),
                        comment.start,
                        (comment.start.0, comment.start.1 + comment.width),
                    );
                    let mut known = Vec::new();
                    for id in ids {
                        if rule(&id).is_some() {
                            known.push((id, false));
                        } else {
                            invalid.push(unknown_rule(&id, &span));
                        }
                    }
                    if reason.is_empty() {
                        invalid.push(
                            Finding::new(&INVALID_ALLOW, "this allow gives no reason, so it suppresses nothing")
                                .at(span.clone(), "no reason after `)`")
                                .with_help(format!(
                                    "say why, after the parenthesis: `-- {MARKER} allow({}) <why this is safe>`",
                                    known.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ")
                                ))
                                .with_identity(comment.text.trim().to_string()),
                        );
                    } else if !known.is_empty() {
                        allows.push(Allow {
                            at: span,
                            rules: known,
                            reason,
                            lines: comment.target,
                        });
                    }
                }
                Err(problem) => invalid.push(
                    Finding::new(
                        &INVALID_ALLOW,
                        format!("malformed allow comment: {problem}"),
                    )
                    .at(
                        Span::range(
                            script.display.clone(),
                            comment.start,
                            (comment.start.0, comment.start.1 + comment.width),
                        ),
                        "",
                    )
                    .with_help(format!("write `-- {MARKER} allow(rule-id) reason`"))
                    .with_identity(comment.text.trim().to_string()),
                ),
            }
        }
    }
    (allows, invalid)
}

fn unknown_rule(id: &str, span: &Span) -> Finding {
    let help = match closest(id, RULES.iter().map(|r| r.id)) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!(
            "the rules are: {}",
            RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
        ),
    };
    Finding::new(
        &INVALID_ALLOW,
        format!("unknown rule `{id}` in an allow comment"),
    )
    .at(span.clone(), "not a rule of `schema-check lint`")
    .with_help(help)
    .with_identity(format!("unknown {id}"))
}

/// The rule ids and the reason of an allow comment's text (what follows `--`): `Ok(None)`
/// when it is not a `schema-check:` comment at all.
///
/// ```
/// use schema_check::lint::allow::parse;
/// assert_eq!(
///     parse(" schema-check: allow(key-without-tenant, unused-allow) shared logins\n"),
///     Ok(Some((vec!["key-without-tenant".to_string(), "unused-allow".to_string()], "shared logins".to_string())))
/// );
/// assert_eq!(parse(" schema-check: allow(key-without-tenant)"), Ok(Some((vec!["key-without-tenant".to_string()], String::new()))));
/// assert_eq!(parse(" just a comment"), Ok(None));
/// assert!(parse(" schema-check: alow(x) y").is_err());
/// assert!(parse(" schema-check: allow(x y").is_err());
/// assert!(parse(" schema-check: allow() y").is_err());
/// ```
pub fn parse(comment: &str) -> Result<Option<(Vec<String>, String)>, String> {
    let Some(rest) = comment.trim_start().strip_prefix(MARKER) else {
        return Ok(None);
    };
    let Some(rest) = rest.trim_start().strip_prefix("allow(") else {
        return Err(format!(
            "expected `allow(` after `{MARKER}`, found `{}`",
            rest.trim()
        ));
    };
    let Some((ids, reason)) = rest.split_once(')') else {
        return Err("`allow(` is not closed by `)`".to_string());
    };
    let ids: Vec<String> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Err("`allow()` names no rule".to_string());
    }
    Ok(Some((ids, reason.trim().to_string())))
}

/// A `--` comment that mentions the marker.
struct Comment {
    /// Where its `--` is.
    start: Pos,
    /// Its width in characters, `--` included.
    width: u32,
    /// What follows `--`.
    text: String,
    /// The lines of the statement it applies to.
    target: Option<(u32, u32)>,
}

fn lines_of(s: &crate::statement::Statement) -> (u32, u32) {
    (s.at.line, Script::end(s).0)
}

/// The `--` comments of `script` that contain [`MARKER`], each with the statement it
/// applies to. Comments inside a statement are found by tokenizing it (so `--` in a string
/// is not one); between statements there are only comments and white space.
fn comments(script: &Script, scripts: &Scripts) -> Vec<Comment> {
    let mut out = Vec::new();
    for (i, line) in script.text.lines().enumerate() {
        let Some(marker) = line.find(MARKER) else {
            continue;
        };
        let n = i as u32 + 1;
        let before = line[..marker].trim_end();
        let Some(dash) = before.strip_suffix("--").map(str::len) else {
            continue;
        };
        let start: Pos = (n, line[..dash].chars().count() as u32 + 1);
        let width = line[dash..].trim_end().chars().count() as u32;
        let containing = script
            .statements
            .iter()
            .find(|s| (s.at.line, s.at.column) <= start && start < Script::end(s));
        match containing {
            Some(s) => {
                // Inside a statement's text: a comment only if the tokenizer says so.
                let Some(tokens) = Script::tokens(s, scripts.dialect()) else {
                    continue;
                };
                for (t, at, _) in tokens {
                    if at != start {
                        continue;
                    }
                    if let Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) = t {
                        out.push(Comment {
                            start,
                            width,
                            text: comment,
                            target: Some(lines_of(s)),
                        });
                    }
                }
            }
            None => {
                // Between statements: after the `;` of one that ends on this line, or
                // before the next one.
                let target = script
                    .statements
                    .iter()
                    .find(|s| Script::end(s).0 == n && Script::end(s) <= start)
                    .or_else(|| {
                        script
                            .statements
                            .iter()
                            .find(|s| (s.at.line, s.at.column) > start)
                    })
                    .map(lines_of);
                out.push(Comment {
                    start,
                    width,
                    text: line[dash + 2..].to_string(),
                    target,
                });
            }
        }
    }
    out
}
