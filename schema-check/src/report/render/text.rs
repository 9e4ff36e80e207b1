//! Findings as rustc renders its diagnostics, through `annotate-snippets`.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::Sources;
use crate::report::{Finding, Label, Report, Severity, Span};

/// Every finding of `report`, each as rustc would print it (`error[rule-id]: message`, the
/// source lines with the spans underlined and labelled, `help:` and `note:` lines), each
/// followed by an empty line. `styled` adds ANSI colours; write the result through
/// `anstream` to drop them where the terminal or `NO_COLOR` says so. ([`summary`] gives
/// the closing count.)
///
/// ```
/// use schema_check::report::{Finding, Report, Rule, Severity, Span};
/// use schema_check::report::render::{Sources, text};
///
/// const R: Rule = Rule { id: "tenant-column-nullable", summary: "", explanation: "", default_severity: Severity::Error };
/// let mut sources = Sources::new();
/// sources.insert("m/0001.sql", "CREATE TABLE users (\n    tenant_id uuid,\n    id bigint\n);\n");
/// let mut report = Report::new(&[R]);
/// report.push(Finding::new(&R, "`users.tenant_id` is nullable")
///     .at(Span::point("m/0001.sql", 2, 5), "no NOT NULL here")
///     .with_help("add `NOT NULL` in a new migration"));
/// let out = text(&report, &mut sources, false);
/// assert!(out.starts_with("error[tenant-column-nullable]: `users.tenant_id` is nullable\n"), "{out}");
/// assert!(out.contains(" --> m/0001.sql:2:5"), "{out}");
/// assert!(out.contains("2 |     tenant_id uuid,"), "{out}");
/// assert!(out.contains("  |     ^^^^^^^^^ no NOT NULL here"), "{out}");
/// assert!(out.contains("= help: add `NOT NULL` in a new migration"), "{out}");
/// assert_eq!(schema_check::report::render::summary(&report), "1 error");
/// ```
pub fn text(report: &Report, sources: &mut Sources, styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for finding in &report.findings {
        let group = group(finding, sources);
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// `2 errors, 1 warning`, or `no problems found`.
pub fn summary(report: &Report) -> String {
    let parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ]
    .into_iter()
    .filter_map(|(s, noun)| {
        let n = report.count(s);
        (n > 0).then(|| format!("{n} {noun}{}", if n == 1 { "" } else { "s" }))
    })
    .collect();
    if parts.is_empty() {
        "no problems found".to_string()
    } else {
        parts.join(", ")
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// One finding as one group: its title, a snippet per file its spans are in (the primary
/// span's file first), then help and notes.
fn group<'a>(finding: &'a Finding, sources: &mut Sources) -> Group<'a> {
    let mut group = Group::with_title(
        level(finding.severity)
            .primary_title(finding.message.as_str())
            .id(finding.rule),
    );
    let labels: Vec<(&Label, bool)> = finding
        .primary
        .iter()
        .map(|l| (l, true))
        .chain(finding.secondary.iter().map(|l| (l, false)))
        .collect();
    let mut files: Vec<&str> = Vec::new();
    for (l, _) in &labels {
        if !files.contains(&l.span.file.as_str()) {
            files.push(&l.span.file);
        }
    }
    for file in files {
        let in_file: Vec<(&Label, bool)> = labels
            .iter()
            .filter(|(l, _)| l.span.file == file)
            .copied()
            .collect();
        match sources.get(file).and_then(|text| excerpt(text, &in_file)) {
            Some(excerpt) => {
                let mut snippet = Snippet::source(excerpt.text)
                    .line_start(excerpt.first_line as usize)
                    .path(file)
                    .fold(true);
                for ((l, primary), range) in in_file.iter().zip(excerpt.ranges) {
                    let kind = if *primary {
                        AnnotationKind::Primary
                    } else {
                        AnnotationKind::Context
                    };
                    snippet = snippet.annotation(kind.span(range).label(l.label.as_str()));
                }
                group = group.element(snippet);
            }
            None => {
                // No source to show: where, and the labels as notes.
                for (l, _) in in_file {
                    group = group.element(
                        Origin::path(file)
                            .line(l.span.line as usize)
                            .char_column(l.span.column as usize),
                    );
                    if !l.label.is_empty() {
                        group = group.element(Level::NOTE.message(l.label.as_str()));
                    }
                }
            }
        }
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    for note in &finding.notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    group
}

/// The lines of a file that a set of spans covers, and each span's byte range in them.
struct Excerpt {
    text: String,
    first_line: u32,
    ranges: Vec<Range<usize>>,
}

/// `None` when a span starts on a line the file does not have.
fn excerpt(text: &str, labels: &[(&Label, bool)]) -> Option<Excerpt> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let last_line = |s: &Span| s.end_line.unwrap_or(s.line).max(s.line);
    let first = labels.iter().map(|(l, _)| l.span.line).min()?;
    let last = labels.iter().map(|(l, _)| last_line(&l.span)).max()?;
    if first == 0 || first as usize > lines.len() {
        return None;
    }
    let last = (last as usize).min(lines.len());
    let shown = &lines[first as usize - 1..last];
    // Byte offset, within the excerpt, of each shown line's start.
    let mut starts = Vec::with_capacity(shown.len());
    let mut offset = 0;
    for l in shown {
        starts.push(offset);
        offset += l.len() + 1;
    }
    let at = |line: u32, column: u32| -> Option<usize> {
        let i = (line.checked_sub(first)?) as usize;
        let l = shown.get(i)?;
        Some(starts[i] + byte_of_column(l, column))
    };
    let mut ranges = Vec::with_capacity(labels.len());
    for (l, _) in labels {
        let s = &l.span;
        let start = at(s.line, s.column)?;
        let end = match (s.end_line, s.end_column) {
            (Some(el), Some(ec)) => at(el.min(last as u32), ec).filter(|&e| e > start),
            _ => None,
        };
        let end = end.unwrap_or_else(|| {
            let line = shown[(s.line - first) as usize];
            let from = byte_of_column(line, s.column);
            start + word_len(&line[from..])
        });
        ranges.push(start..end);
    }
    Some(Excerpt {
        text: shown.join("\n"),
        first_line: first,
        ranges,
    })
}

/// The byte offset of 1-based character column `column` in `line` (its end when past it).
fn byte_of_column(line: &str, column: u32) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i)
}

/// The length of the word that starts `rest`: an identifier, a quoted identifier or
/// string, else one character.
fn word_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    if first == '"' || first == '`' || first == '\'' {
        return rest[1..]
            .find(first)
            .map_or(first.len_utf8(), |i| i + 2 * first.len_utf8());
    }
    if first.is_alphanumeric() || first == '_' {
        return rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(rest.len(), |(i, _)| i);
    }
    first.len_utf8()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Finding, Rule};

    const R: Rule = Rule {
        id: "r",
        summary: "",
        explanation: "",
        default_severity: Severity::Warning,
    };

    #[test]
    fn spans_in_two_files_are_both_shown() {
        let mut sources = Sources::new();
        sources.insert("src/lib.rs", "struct User {\n    age: i32,\n}\n");
        sources.insert(
            "m/0002.sql",
            "-- widen\nALTER TABLE users ALTER COLUMN age TYPE bigint;\n",
        );
        let mut report = Report::new(&[R]);
        report.push(
            Finding::new(&R, "`i32` cannot hold `bigint`")
                .at(Span::range("src/lib.rs", (2, 10), (2, 13)), "too narrow")
                .with_secondary(Span::point("m/0002.sql", 2, 1), "widened here")
                .with_note("a note"),
        );
        let out = text(&report, &mut sources, false);
        assert!(
            out.starts_with("warning[r]: `i32` cannot hold `bigint`\n"),
            "{out}"
        );
        assert!(out.contains("src/lib.rs:2:10"), "{out}");
        assert!(out.contains("^^^ too narrow"), "{out}");
        assert!(out.contains("m/0002.sql:2:1"), "{out}");
        assert!(out.contains("----- widened here"), "{out}");
        assert!(out.contains("= note: a note"), "{out}");
        assert_eq!(summary(&report), "1 warning");
        assert!(!out.contains('\u{1b}'), "plain");
        assert!(
            text(&report, &mut sources, true).contains('\u{1b}'),
            "styled"
        );
    }

    #[test]
    fn a_missing_file_still_says_where() {
        let mut report = Report::new(&[R]);
        report.push(Finding::new(&R, "gone").at(Span::point("nope/missing.sql", 7, 3), "here"));
        let out = text(&report, &mut Sources::new(), false);
        assert!(out.contains("nope/missing.sql:7:3"), "{out}");
        assert!(out.contains("note: here"), "{out}");
    }

    #[test]
    fn words_and_columns() {
        assert_eq!(word_len("tenant_id uuid"), "tenant_id".len());
        assert_eq!(word_len("\"Mixed Case\" int"), "\"Mixed Case\"".len());
        assert_eq!(word_len("(a)"), 1);
        assert_eq!(byte_of_column("héllo", 3), 3);
        assert_eq!(byte_of_column("ab", 9), 2);
    }
}
