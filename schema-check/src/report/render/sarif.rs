//! A report as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers. The
//! types are `serde-sarif`'s, generated from the SARIF schema.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_sarif::sarif;

use super::Tool;
use crate::report::{Finding, Label, Report, Rule, Severity};

/// The `uriBaseId` of every location: the repository root.
const SRCROOT: &str = "%SRCROOT%";

/// The key of the fingerprint in `partialFingerprints` (see [`Finding::fingerprint`]).
const FINGERPRINT_KEY: &str = "schemaCheckIdentity/v1";

/// The repository `start` is in: the nearest directory at or above it that holds `.git`;
/// `start` itself when none does.
pub fn repository_root(start: &Path) -> PathBuf {
    let start = absolute(start);
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&start)
        .to_path_buf()
}

/// The report as a SARIF 2.1.0 log (pretty-printed, with a final newline): one run whose
/// driver lists every rule of the report with its help text, and one result per finding.
/// File paths are taken relative to `base` (where the report's paths start) and given
/// relative to `root` (the repository root: [`repository_root`]), under the `uriBaseId`
/// `%SRCROOT%`; secondary spans are related locations; each result carries
/// [`Finding::fingerprint`] as a partial fingerprint, stable across runs.
///
/// ```
/// use schema_check::report::{Finding, Report, Rule, Severity, Span};
/// use schema_check::report::render::{Tool, sarif};
///
/// const R: Rule = Rule { id: "r", summary: "s", explanation: "e", default_severity: Severity::Warning };
/// let mut report = Report::new(&[R]);
/// report.push(Finding::new(&R, "m").at(Span::point("db/m/0001.sql", 2, 5), "here"));
/// let root = std::path::Path::new("/repo");
/// let log: serde_json::Value = serde_json::from_str(&sarif(&report, &Tool::schema_check("lint"), &root.join("app"), root)).unwrap();
/// assert_eq!(log["version"], "2.1.0");
/// let result = &log["runs"][0]["results"][0];
/// assert_eq!(result["ruleId"], "r");
/// assert_eq!(result["level"], "warning");
/// let location = &result["locations"][0]["physicalLocation"];
/// assert_eq!(location["artifactLocation"]["uri"], "app/db/m/0001.sql");
/// assert_eq!(location["region"]["startLine"], 2);
/// ```
pub fn sarif(report: &Report, tool: &Tool, base: &Path, root: &Path) -> String {
    let rules: Vec<sarif::ReportingDescriptor> = report.rules.iter().map(descriptor).collect();
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|f| result(f, report, base, root))
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name(tool.name.clone())
        .version(tool.version.clone())
        .semantic_version(tool.version.clone())
        .information_uri("https://example.invalid/cache-contract".to_string())
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(format!("schema-check/{}/", tool.command))
                .build(),
        )
        .build();
    let log = sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL.to_string())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|e| {
        serde_json::json!({ "version": "2.1.0", "runs": [], "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A rule as SARIF describes it: id, a readable name, the summary, the explanation as help.
fn descriptor(rule: &Rule) -> sarif::ReportingDescriptor {
    let first_paragraph = rule.explanation.split("\n\n").next().unwrap_or("");
    sarif::ReportingDescriptor::builder()
        .id(rule.id)
        .name(pascal_case(rule.id))
        .short_description(message_string(rule.summary))
        .full_description(message_string(first_paragraph))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(rule.explanation)
                .markdown(rule.explanation)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(level(rule.default_severity)))
                .build(),
        )
        .build()
}

fn message_string(text: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text)
        .build()
}

fn message(text: &str) -> sarif::Message {
    sarif::Message::builder().text(text).build()
}

/// `tenant-column-nullable` as `TenantColumnNullable`.
fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn result(f: &Finding, report: &Report, base: &Path, root: &Path) -> sarif::Result {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    for note in &f.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    let builder = sarif::Result::builder()
        .rule_id(f.rule)
        .level(match f.severity {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
            Severity::Note => sarif::ResultLevel::Note,
        })
        .message(message(&text))
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            f.fingerprint(),
        )]))
        .locations(
            f.primary
                .iter()
                .map(|l| location(l, None, base, root))
                .collect::<Vec<_>>(),
        )
        .related_locations(
            f.secondary
                .iter()
                .enumerate()
                .map(|(i, l)| location(l, Some(i as i64 + 1), base, root))
                .collect::<Vec<_>>(),
        );
    let mut result = match report.rules.iter().position(|r| r.id == f.rule) {
        Some(i) => builder.rule_index(i as i64).build(),
        None => builder.build(),
    };
    if !f.tenants.is_empty() {
        result.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([(
                    "tenants".to_string(),
                    serde_json::json!(f.tenants),
                )]))
                .build(),
        );
    }
    result
}

fn location(label: &Label, id: Option<i64>, base: &Path, root: &Path) -> sarif::Location {
    let s = &label.span;
    let region = sarif::Region::builder()
        .start_line(i64::from(s.line.max(1)))
        .start_column(i64::from(s.column.max(1)));
    let region = match (s.end_line, s.end_column) {
        (Some(l), Some(c)) => region
            .end_line(i64::from(l))
            .end_column(i64::from(c))
            .build(),
        _ => region.build(),
    };
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact(&s.file, base, root))
        .region(region)
        .build();
    let builder = sarif::Location::builder().physical_location(physical);
    match (id, label.label.is_empty()) {
        (Some(id), false) => builder.id(id).message(message(&label.label)).build(),
        (Some(id), true) => builder.id(id).build(),
        (None, false) => builder.message(message(&label.label)).build(),
        (None, true) => builder.build(),
    }
}

/// `file` relative to the repository root under `%SRCROOT%`; an absolute `file:` URI when
/// it is outside the root.
fn artifact(file: &str, base: &Path, root: &Path) -> sarif::ArtifactLocation {
    let path = normalize(&absolute(&base.join(file)));
    let root = normalize(&absolute(root));
    match path.strip_prefix(&root) {
        Ok(relative) => sarif::ArtifactLocation::builder()
            .uri(uri_path(relative))
            .uri_base_id(SRCROOT)
            .build(),
        Err(_) => sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", uri_path(&path)))
            .build(),
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `p` with `.` and `..` resolved lexically (the file need not exist).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as a URI path: `/`-separated, each byte outside the unreserved and sub-delimiter
/// characters percent-encoded.
fn uri_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris_relative_to_the_root() {
        let root = Path::new("/repo");
        let a = artifact("../db/m 1.sql", Path::new("/repo/app"), root);
        assert_eq!(a.uri.as_deref(), Some("db/m%201.sql"));
        assert_eq!(a.uri_base_id.as_deref(), Some(SRCROOT));
        let outside = artifact("/elsewhere/x.sql", Path::new("/repo"), root);
        assert_eq!(outside.uri.as_deref(), Some("file:///elsewhere/x.sql"));
        assert!(outside.uri_base_id.is_none());
        assert_eq!(
            pascal_case("tenant-column-nullable"),
            "TenantColumnNullable"
        );
    }
}
