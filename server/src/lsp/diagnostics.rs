//! The analysis' diagnostics as LSP diagnostics. Each carries, in `data`, the version it
//! was computed on and its fix as LSP edits, so a code action needs nothing but the
//! request and the current document.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, TextEdit, Uri,
};

use super::encoding::{self, Encoding};
use crate::analysis::{self, Rule, Severity};
use crate::config::Config;
use crate::fix::Applicability;
use crate::text::LineIndex;

/// The `source` of every diagnostic ormhint publishes.
pub const SOURCE: &str = "ormhint";

/// Where each rule's documentation is read (`<name>.md` beside the rule).
const RULE_DOCS: &str = "https://github.com/ormhint/ormhint/blob/main/server/src/analysis/rules/";

/// The link to `rule`'s documentation, sent as `codeDescription`.
pub fn docs_link(rule: Rule) -> Option<CodeDescription> {
    // Parsed once per rule: a file can have hundreds of diagnostics per keystroke.
    static LINKS: LazyLock<HashMap<Rule, CodeDescription>> = LazyLock::new(|| {
        Rule::ALL
            .iter()
            .filter_map(|&rule| {
                let file = rule.name().replace('-', "_");
                let href = format!("{RULE_DOCS}{file}.md").parse().ok()?;
                Some((rule, CodeDescription { href }))
            })
            .collect()
    });
    LINKS.get(&rule).cloned()
}

/// What `Diagnostic.data` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// The document version the ranges below belong to.
    pub version: i32,
    pub fix: Option<FixData>,
    /// The view's file, when the diagnostic is shown on a template its view renders:
    /// the fix edits that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewFile {
    pub uri: Uri,
    /// The version of the view's document the edits belong to; `None`: the file as
    /// saved.
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixData {
    pub message: String,
    /// `safe` or `unsafe`.
    pub applicability: String,
    pub edits: Vec<TextEdit>,
}

impl FixData {
    pub fn is_safe(&self) -> bool {
        self.applicability == "safe"
    }
}

impl DiagnosticData {
    pub fn of(diagnostic: &Diagnostic) -> Option<Self> {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            return None;
        }
        serde_json::from_value(diagnostic.data.clone()?).ok()
    }
}

/// One version of one document, as the conversion needs it.
pub struct DocumentVersion<'a> {
    pub uri: &'a Uri,
    /// The workspace root the analysis paths are relative to.
    pub root: &'a Path,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub version: i32,
    pub encoding: Encoding,
}

pub fn to_lsp(
    diagnostics: &[analysis::Diagnostic],
    config: &Config,
    document: &DocumentVersion<'_>,
) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .map(|diagnostic| convert(diagnostic, config, document))
        .collect()
}

fn convert(
    diagnostic: &analysis::Diagnostic,
    config: &Config,
    document: &DocumentVersion<'_>,
) -> Diagnostic {
    let range = |r| encoding::range(document.text, document.lines, r, document.encoding);
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            let location = match &related.path {
                None => Location::new(document.uri.clone(), range(related.range)),
                Some(path) => other_file_location(document.root, path, related.range, document)?,
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: related.message.clone(),
            })
        })
        .collect();
    let fix = diagnostic.fix.as_ref().map(|fix| FixData {
        message: fix.message.clone(),
        applicability: match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
        .to_string(),
        edits: fix
            .edits
            .iter()
            .map(|edit| TextEdit::new(range(edit.range), edit.content.clone()))
            .collect(),
    });
    let data = DiagnosticData {
        version: document.version,
        fix,
        view: None,
    };
    Diagnostic {
        range: range(diagnostic.range),
        severity: Some(severity(config.severity_of(diagnostic))),
        code: Some(NumberOrString::String(diagnostic.rule.code().to_string())),
        code_description: docs_link(diagnostic.rule),
        source: Some(SOURCE.to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

/// A related place in another file: its positions need that file's text, read from disk.
fn other_file_location(
    root: &Path,
    path: &Path,
    range: crate::text::TextRange,
    document: &DocumentVersion<'_>,
) -> Option<Location> {
    let absolute = root.join(path);
    let text = std::fs::read_to_string(&absolute).ok()?;
    let lines = LineIndex::new(&text);
    Some(Location::new(
        Uri::from_file_path(&absolute)?,
        encoding::range(&text, &lines, range, document.encoding),
    ))
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_links_to_its_docs_file() {
        for rule in Rule::ALL {
            let link = docs_link(*rule).expect("a valid URI");
            let file = link.href.as_str().rsplit('/').next().unwrap().to_string();
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/analysis/rules")
                .join(&file);
            assert!(path.is_file(), "{} links to {file}", rule.code());
        }
        assert_eq!(
            docs_link(Rule::MissingSelectRelated).unwrap().href.as_str(),
            "https://github.com/ormhint/ormhint/blob/main/server/src/analysis/rules/missing_select_related.md"
        );
    }
}
