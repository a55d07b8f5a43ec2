//! Code actions, answered from the request's diagnostics (their `data`) and the current
//! document alone: the fix of each diagnostic, and a `# noqa` for its line.

use std::collections::{HashMap, HashSet};

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionContext, CodeActionKind, CodeActionOrCommand, DocumentChanges,
    NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit,
    Uri, WorkspaceEdit,
};

use super::client::ClientSupport;
use super::diagnostics::DiagnosticData;
use super::documents::Document;
use super::encoding::{self, Encoding};
use crate::analysis::noqa;
use crate::text::LineIndex;

pub fn actions(
    uri: &Uri,
    document: &Document,
    context: &CodeActionContext,
    support: ClientSupport,
) -> Vec<CodeActionOrCommand> {
    if !wants_quickfixes(context.only.as_deref()) {
        return Vec::new();
    }
    let text = document.text();
    let lines = LineIndex::new(text);
    let mut fixes = Vec::new();
    let mut noqas = HashSet::new();
    for diagnostic in &context.diagnostics {
        // Ranges computed on another version would land in the wrong place.
        let Some(data) = DiagnosticData::of(diagnostic) else {
            continue;
        };
        if data.version != document.version() {
            continue;
        }
        if let Some(fix) = &data.fix {
            // Shown on a template, the fix edits the view's file.
            let edit = match &data.view {
                Some(view) => workspace_edit(&view.uri, view.version, fix.edits.clone(), support),
                None => workspace_edit(uri, Some(document.version()), fix.edits.clone(), support),
            };
            fixes.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.message.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit),
                is_preferred: Some(fix.is_safe()),
                ..CodeAction::default()
            }));
        }
        // A template has no `# noqa`: its findings are the view's.
        if data.view.is_some() {
            continue;
        }
        let Some(NumberOrString::String(code)) = &diagnostic.code else {
            continue;
        };
        let line = diagnostic.range.start.line as usize;
        if !noqas.insert((code.clone(), line)) {
            continue;
        }
        if let Some(edit) = noqa_edit(document, &lines, line, code, support.encoding) {
            let action = CodeAction {
                title: format!("Disable {code} for this line"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(
                    uri,
                    Some(document.version()),
                    vec![edit],
                    support,
                )),
                is_preferred: Some(false),
                ..CodeAction::default()
            };
            fixes.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    // Fixes first, then the suppressions.
    fixes.sort_by_key(|action| match action {
        CodeActionOrCommand::CodeAction(a) => a.title.starts_with("Disable "),
        CodeActionOrCommand::Command(_) => true,
    });
    fixes
}

fn wants_quickfixes(only: Option<&[CodeActionKind]>) -> bool {
    only.is_none_or(|kinds| {
        kinds
            .iter()
            .any(|kind| *kind == CodeActionKind::QUICKFIX || kind.as_str().is_empty())
    })
}

/// `edits` to version `version` of `uri` (`None`: the file as saved), tied to that
/// version when the client allows.
pub fn workspace_edit(
    uri: &Uri,
    version: Option<i32>,
    edits: Vec<TextEdit>,
    support: ClientSupport,
) -> WorkspaceEdit {
    if support.versioned_edits {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version,
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// The edit that makes line `line` suppress `code` (see [`noqa::suppression`]).
fn noqa_edit(
    document: &Document,
    lines: &LineIndex,
    line: usize,
    code: &str,
    encoding: Encoding,
) -> Option<TextEdit> {
    let text = document.text();
    let edit = noqa::suppression(text, lines, line, &[code], |start, end| {
        document.node_for_range(start, end)
    })?;
    let position = encoding::position(text, lines, edit.range.start, encoding);
    Some(TextEdit::new(
        tower_lsp_server::ls_types::Range::new(position, position),
        edit.content,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noqa(text: &str, line: usize, code: &str) -> Option<String> {
        let document = Document::new(text, 1);
        let lines = LineIndex::new(text);
        let edit = noqa_edit(&document, &lines, line, code, Encoding::Utf16)?;
        let at = encoding::offset(text, &lines, edit.range.start, Encoding::Utf16);
        let mut out = text.to_string();
        out.insert_str(at, &edit.new_text);
        Some(out)
    }

    #[test]
    fn noqa_is_added_or_extended() {
        assert_eq!(
            noqa("a = 1\nprint(p.author)   \n", 1, "ORM101").as_deref(),
            Some("a = 1\nprint(p.author)  # noqa: ORM101   \n")
        );
        assert_eq!(
            noqa("x = f(p)  # see below\r\n", 0, "ORM101").as_deref(),
            Some("x = f(p)  # see below  # noqa: ORM101\r\n")
        );
        assert_eq!(
            noqa("x = f(p)  # noqa: E501,ORM102 why\n", 0, "ORM101").as_deref(),
            Some("x = f(p)  # noqa: E501,ORM102, ORM101 why\n")
        );
        assert_eq!(noqa("x = f(p)  # noqa: orm101\n", 0, "ORM101"), None);
        assert_eq!(noqa("x = f(p)  # noqa\n", 0, "ORM101"), None);
        assert_eq!(noqa("x = a + \\\n    b\n", 0, "ORM101"), None);
        // A `#` inside a string is no comment.
        assert_eq!(
            noqa("x = \"# noqa: E1\"\n", 0, "ORM101").as_deref(),
            Some("x = \"# noqa: E1\"  # noqa: ORM101\n")
        );
    }

    #[test]
    fn only_filters_kinds() {
        assert!(wants_quickfixes(None));
        assert!(wants_quickfixes(Some(&[CodeActionKind::QUICKFIX])));
        assert!(!wants_quickfixes(Some(&[CodeActionKind::SOURCE])));
        assert!(!wants_quickfixes(Some(&[CodeActionKind::REFACTOR])));
    }
}
