//! The JSON document of a report: stable and versioned (see the crate README, "Reports").

use serde::Serialize;

use super::Tool;
use crate::report::{Label, Report, Rule, Severity};

/// The `version` of the document. Fields are only ever added; the version changes only when
/// one is removed or changes meaning.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: ToolOut<'a>,
    summary: Summary,
    rules: &'a [Rule],
    findings: Vec<FindingOut<'a>>,
    tenants: &'a [String],
}

#[derive(Serialize)]
struct ToolOut<'a> {
    name: &'a str,
    version: &'a str,
    command: &'a str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    primary: Option<&'a Label>,
    secondary: &'a [Label],
    help: Option<&'a str>,
    notes: &'a [String],
    tenants: &'a [String],
    fingerprint: String,
}

/// The report as a pretty-printed JSON document, with a final newline:
///
/// ```
/// use schema_check::report::{Finding, Report, Rule, Severity, Span};
/// use schema_check::report::render::{Tool, json};
///
/// const R: Rule = Rule { id: "r", summary: "s", explanation: "e", default_severity: Severity::Error };
/// let mut report = Report::new(&[R]);
/// report.push(Finding::new(&R, "m").at(Span::point("a.sql", 2, 5), "here"));
/// let doc: serde_json::Value = serde_json::from_str(&json(&report, &Tool::schema_check("lint"))).unwrap();
/// assert_eq!(doc["version"], 1);
/// assert_eq!(doc["tool"]["command"], "lint");
/// assert_eq!(doc["summary"]["errors"], 1);
/// assert_eq!(doc["findings"][0]["primary"]["file"], "a.sql");
/// assert_eq!(doc["findings"][0]["primary"]["line"], 2);
/// assert_eq!(doc["findings"][0]["primary"]["label"], "here");
/// assert_eq!(doc["findings"][0]["fingerprint"].as_str().unwrap().len(), 32);
/// ```
pub fn json(report: &Report, tool: &Tool) -> String {
    let doc = Document {
        version: JSON_VERSION,
        tool: ToolOut {
            name: &tool.name,
            version: &tool.version,
            command: &tool.command,
        },
        summary: Summary {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            notes: report.count(Severity::Note),
        },
        rules: &report.rules,
        findings: report
            .findings
            .iter()
            .map(|f| FindingOut {
                rule: f.rule,
                severity: f.severity,
                message: &f.message,
                primary: f.primary.as_ref(),
                secondary: &f.secondary,
                help: f.help.as_deref(),
                notes: &f.notes,
                tenants: &f.tenants,
                fingerprint: f.fingerprint(),
            })
            .collect(),
        tenants: &report.tenants,
    };
    // Plain data with string keys: serializing cannot fail, but never panic if it does.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        serde_json::json!({ "version": JSON_VERSION, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}
