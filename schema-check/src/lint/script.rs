//! The migrations' text, cut into statements again: what the lint needs to point inside a
//! statement (at a column's name rather than at `CREATE`) and to find the allow comments.

use std::collections::BTreeMap;

use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::dialect::Dialect;
use crate::model::Location;
use crate::report::Span;
use crate::run::Replay;
use crate::source::read_migration;
use crate::split::split;
use crate::statement::Statement;

/// One migration file: its text and statements.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file as displayed (the `file` of every [`Location`] in it).
    pub display: String,
    /// Its text.
    pub text: String,
    /// Its statements, in order.
    pub statements: Vec<Statement>,
}

/// A line and a column (1-based, in characters).
pub type Pos = (u32, u32);

impl Script {
    /// Cuts `text` into statements.
    pub fn new(display: &str, text: String, dialect: Dialect) -> Script {
        let statements = split(&text, display, dialect).statements;
        Script {
            display: display.to_string(),
            text,
            statements,
        }
    }

    /// Where statement `s` ends: the position just past its last character.
    pub fn end(s: &Statement) -> Pos {
        match s.text.rfind('\n') {
            None => (s.at.line, s.at.column + s.text.chars().count() as u32),
            Some(i) => (
                s.at.line + s.text.matches('\n').count() as u32,
                s.text[i + 1..].chars().count() as u32 + 1,
            ),
        }
    }

    /// The statement that starts at `at`.
    pub fn statement_at(&self, at: &Location) -> Option<&Statement> {
        self.statements
            .iter()
            .find(|s| s.at.line == at.line && s.at.column == at.column)
    }

    /// The tokens of `s` with positions in the file; `None` when it does not tokenize.
    pub fn tokens(s: &Statement, dialect: Dialect) -> Option<Vec<(Token, Pos, Pos)>> {
        let grammar = dialect.parser_dialect();
        let tokens: Vec<TokenWithSpan> = Tokenizer::new(&*grammar, &s.text)
            .tokenize_with_location()
            .ok()?;
        let abs = |l: sqlparser::tokenizer::Location| -> Pos {
            let (line, column) = (l.line as u32, l.column as u32);
            if line <= 1 {
                (s.at.line, s.at.column + column.saturating_sub(1))
            } else {
                (s.at.line + line - 1, column)
            }
        };
        Some(
            tokens
                .into_iter()
                .map(|t| (t.token, abs(t.span.start), abs(t.span.end)))
                .collect(),
        )
    }
}

/// Every migration of a replay, by displayed file name.
#[derive(Debug, Clone, Default)]
pub struct Scripts {
    dialect: Dialect,
    files: BTreeMap<String, Script>,
}

impl Scripts {
    /// Reads and splits every migration of `replay` (a file that cannot be read is already
    /// one of the replay's errors, and is left out).
    pub fn read(replay: &Replay) -> Scripts {
        let files = replay
            .migrations
            .iter()
            .filter_map(|m| {
                let text = read_migration(&m.path, &m.display).ok()?;
                Some((
                    m.display.clone(),
                    Script::new(&m.display, text, replay.dialect),
                ))
            })
            .collect();
        Scripts {
            dialect: replay.dialect,
            files,
        }
    }

    /// The files, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &Script> {
        self.files.values()
    }

    /// The dialect they are written in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A span for a foreign key whose provenance is `at`: its `REFERENCES <table>` — the
    /// one with the foreign key's first column among the few words before it, when the
    /// statement has several — else what [`Scripts::locate`] finds for `fallback`.
    pub fn locate_reference(
        &self,
        at: &Location,
        foreign_table: &str,
        first_column: &str,
        fallback: &[&str],
    ) -> Span {
        let tokens = self
            .files
            .get(&*at.file)
            .and_then(|script| script.statement_at(at))
            .and_then(|s| Script::tokens(s, self.dialect));
        let words: Vec<(&str, Pos, Pos)> = tokens
            .iter()
            .flatten()
            .filter_map(|(t, start, end)| match t {
                Token::Word(w) => Some((w.value.as_str(), *start, *end)),
                Token::Whitespace(_) => None,
                _ => Some(("", *start, *end)),
            })
            .collect();
        let table = foreign_table.rsplit('.').next().unwrap_or(foreign_table);
        let candidates: Vec<usize> = (0..words.len())
            .filter(|&i| {
                words[i].0.eq_ignore_ascii_case("REFERENCES")
                    && words[i + 1..]
                        .iter()
                        .take(3)
                        .any(|w| w.0.eq_ignore_ascii_case(table))
            })
            .collect();
        let best = candidates
            .iter()
            .find(|&&i| {
                words[i.saturating_sub(8)..i]
                    .iter()
                    .any(|w| w.0.eq_ignore_ascii_case(first_column))
            })
            .or(candidates.first());
        match best {
            Some(&i) => {
                let end = words[i + 1..]
                    .iter()
                    .take(3)
                    .find(|w| w.0.eq_ignore_ascii_case(table))
                    .map_or(words[i].2, |w| w.2);
                Span::range(at.file.to_string(), words[i].1, end)
            }
            None => self.locate(at, fallback),
        }
    }

    /// A span for an object whose provenance is `at` (a statement's start): the first
    /// word of that statement spelled as one of `names` (tried in order), else the
    /// statement's first word.
    pub fn locate(&self, at: &Location, names: &[&str]) -> Span {
        let found = self
            .files
            .get(&*at.file)
            .and_then(|script| script.statement_at(at))
            .and_then(|s| Script::tokens(s, self.dialect))
            .and_then(|tokens| {
                names.iter().filter(|n| !n.is_empty()).find_map(|name| {
                    tokens.iter().find_map(|(t, start, end)| match t {
                        Token::Word(w) if w.value.eq_ignore_ascii_case(name) => {
                            Some((*start, *end))
                        }
                        _ => None,
                    })
                })
            });
        match found {
            Some((start, end)) => Span::range(at.file.to_string(), start, end),
            None => Span::point(at.file.to_string(), at.line, at.column),
        }
    }
}
