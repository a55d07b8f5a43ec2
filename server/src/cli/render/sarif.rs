//! SARIF 2.1.0, the format code-scanning services read. Columns are counted in Unicode
//! code points (`columnKind`), like every other output.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::{Report, related_path};
use crate::analysis::{Diagnostic, Rule, Severity};
use crate::text::TextRange;

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": { "text": summary(*rule) },
                "fullDescription": { "text": rule.docs(), "markdown": rule.docs() },
                "defaultConfiguration": { "level": level(report.config.severity(*rule)) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics()
        .map(|(file, diagnostic)| result(report, &file.path, diagnostic))
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ormhint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            // Result URIs are relative to the directory ormhint ran in.
            "originalUriBaseIds": {
                SRCROOT: { "uri": file_uri(report.paths.cwd()) },
            },
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn result(report: &Report<'_>, path: &Path, diagnostic: &Diagnostic) -> Value {
    let mut result = json!({
        "ruleId": diagnostic.rule.code(),
        "ruleIndex": Rule::ALL.iter().position(|r| *r == diagnostic.rule),
        "level": level(report.config.severity_of(diagnostic)),
        "message": { "text": diagnostic.message },
        "locations": [location(report, path, diagnostic.range, None)],
    });
    if !diagnostic.related.is_empty() {
        result["relatedLocations"] = diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(i, related)| {
                let mut location = location(
                    report,
                    related_path(path, related),
                    related.range,
                    Some(&related.message),
                );
                location["id"] = json!(i);
                location
            })
            .collect();
    }
    if let Some(fix) = &diagnostic.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(report, path, edit.range),
                    "insertedContent": { "text": edit.content },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": [{
                "artifactLocation": artifact(report, path),
                "replacements": replacements,
            }],
        }]);
    }
    result
}

fn location(report: &Report<'_>, path: &Path, range: TextRange, message: Option<&str>) -> Value {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": artifact(report, path),
            "region": region(report, path, range),
        }
    });
    if let Some(message) = message {
        location["message"] = json!({ "text": message });
    }
    location
}

/// The key of the directory that result URIs are relative to.
const SRCROOT: &str = "%SRCROOT%";

fn artifact(report: &Report<'_>, path: &Path) -> Value {
    json!({ "uri": uri_path(&report.paths.show(path)), "uriBaseId": SRCROOT })
}

/// `file:///` URI of an absolute directory, ending in `/` as a base URI must.
fn file_uri(dir: &Path) -> String {
    let path = super::path_str(dir);
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() || path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    format!("file://{}/", uri_path(&path))
}

/// A `/`-separated path as a URI path: bytes outside RFC 3986's unreserved set and `/`
/// percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn region(report: &Report<'_>, path: &Path, range: TextRange) -> Value {
    match report.locator.span(path, range) {
        Some((start, end)) => json!({
            "startLine": start.row,
            "startColumn": start.column,
            "endLine": end.row,
            "endColumn": end.column,
        }),
        None => json!({ "startLine": 1 }),
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// The first paragraph under "What it does", or the rule's name while it has none.
fn summary(rule: Rule) -> String {
    let docs = rule.docs();
    let paragraph = docs
        .split_once("## What it does")
        .map(|(_, rest)| {
            rest.trim_start()
                .split("\n\n")
                .next()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    if paragraph.is_empty() || paragraph.starts_with('#') || paragraph == "TODO" {
        rule.name().to_string()
    } else {
        paragraph
    }
}

#[cfg(test)]
mod tests {
    use super::super::OutputFormat;
    use super::super::tests::{files, rendered};
    use serde_json::Value;

    /// The run without the rules table, which repeats every rule's documentation.
    fn results(format_output: &str) -> Value {
        let mut sarif: Value = serde_json::from_str(format_output).unwrap();
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array_mut()
            .unwrap();
        assert_eq!(rules.len(), crate::analysis::Rule::ALL.len());
        assert_eq!(rules[0]["id"], "ORM101");
        assert_eq!(rules[0]["name"], "missing-select-related");
        assert!(rules[0]["fullDescription"]["text"].is_string());
        rules.truncate(0);
        sarif
    }

    #[test]
    fn sarif_output() {
        let sarif = results(&rendered(OutputFormat::Sarif, &files()));
        insta::assert_snapshot!(serde_json::to_string_pretty(&sarif).unwrap());
    }

    #[test]
    fn uris_are_percent_encoded() {
        use std::path::Path;
        assert_eq!(super::uri_path("a b/café.py"), "a%20b/caf%C3%A9.py");
        assert_eq!(
            super::file_uri(Path::new("/w/my proj")),
            "file:///w/my%20proj/"
        );
        assert_eq!(super::file_uri(Path::new("/")), "file:///");
    }

    #[test]
    fn sarif_output_when_clean() {
        let sarif = results(&rendered(OutputFormat::Sarif, &[]));
        assert_eq!(sarif["version"], "2.1.0");
        assert_eq!(sarif["runs"][0]["results"], Value::Array(Vec::new()));
    }
}
