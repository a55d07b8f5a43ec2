//! A Django template opened in the editor shows the findings of the views that render
//! it, on the template lines that read the relations: each is the view's diagnostic
//! (its message, its related places, its fix, which edits the view's Python file),
//! placed where the template reads what costs the queries.
//!
//! The views are found by the words of the template's name (`blog/list.html` is named
//! in a string; `<app>/<model>_list.html` and `_detail.html` are the defaults of
//! Django's `ListView` and `DetailView`), then analysed: only their findings that the
//! template's lines cause are shown. A view open in the editor is read from its
//! buffer, so its fix fits the text the editor has.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticRelatedInformation, Location, Uri};

use super::diagnostics::{self, DiagnosticData, DocumentVersion, ViewFile};
use super::documents::Snapshot;
use super::encoding;
use super::workspace::Workspace;
use crate::analysis::check_file_with;
use crate::analysis::flow::FlowCache;
use crate::analysis::sources::ModuleSources;
use crate::text::LineIndex;

/// Views analysed at most for one template: a name common enough to be in more
/// modules than this says little of which render it.
const MAX_VIEWS: usize = 64;

/// A Python document open in the editor.
pub(super) struct OpenView {
    pub uri: Uri,
    pub snapshot: Snapshot,
}

/// The diagnostics of the template `name` at `path` (absolute), open as `template`.
pub(super) fn template_diagnostics(
    workspace: &Workspace,
    name: &str,
    path: &Path,
    template: &DocumentVersion<'_>,
    open: &HashMap<PathBuf, OpenView>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for module in rendering_modules(workspace, name) {
        let Some(text) = workspace.modules.module(&module) else {
            continue;
        };
        let rel = text.file.path.clone();
        let (file, uri, version) = match open.get(&rel) {
            Some(view) => (
                workspace.file(&view.snapshot, &rel),
                view.uri.clone(),
                Some(view.snapshot.version),
            ),
            None => {
                let Some(uri) = Uri::from_file_path(workspace.root.join(&rel)) else {
                    continue;
                };
                (text.file.detached(), uri, None)
            }
        };
        let mut cache = FlowCache::default();
        cache.read_from(workspace.modules.clone());
        let found = check_file_with(&file, &workspace.index, workspace.config.rules, &mut cache);
        let caused: Vec<_> = found
            .into_iter()
            .filter(|d| d.related.iter().any(|r| r.path.as_deref() == Some(path)))
            .collect();
        if caused.is_empty() {
            continue;
        }
        let lines = LineIndex::new(&file.source);
        let view = DocumentVersion {
            uri: &uri,
            root: &workspace.root,
            text: &file.source,
            lines: &lines,
            version: version.unwrap_or(0),
            encoding: template.encoding,
        };
        for finding in &caused {
            let Some(read) = finding
                .related
                .iter()
                .find(|r| r.path.as_deref() == Some(path))
            else {
                continue;
            };
            let mut shown =
                diagnostics::to_lsp(std::slice::from_ref(finding), &workspace.config, &view)
                    .remove(0);
            let at_view = Location::new(uri.clone(), shown.range);
            shown.range = range_in(template, read.range);
            let mut related = vec![DiagnosticRelatedInformation {
                location: at_view,
                message: "reported on the view here".to_string(),
            }];
            related.extend(
                shown
                    .related_information
                    .take()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|r| r.location.uri != *template.uri),
            );
            shown.related_information = Some(related);
            let fix = DiagnosticData::of(&shown).and_then(|data| data.fix);
            let data = DiagnosticData {
                version: template.version,
                fix,
                view: Some(ViewFile {
                    uri: uri.clone(),
                    version,
                }),
            };
            shown.data = serde_json::to_value(data).ok();
            out.push(shown);
        }
    }
    out
}

fn range_in(
    document: &DocumentVersion<'_>,
    range: crate::text::TextRange,
) -> tower_lsp_server::ls_types::Range {
    encoding::range(document.text, document.lines, range, document.encoding)
}

/// The modules that may render the template `name`: those that write its name, and for
/// the defaults of Django's generic views, those that name the view.
fn rendering_modules(workspace: &Workspace, name: &str) -> Vec<String> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.split('.').next().unwrap_or(file);
    let mut words = vec![stem.to_string()];
    if stem.ends_with("_list") {
        words.push("ListView".to_string());
    }
    if stem.ends_with("_detail") {
        words.push("DetailView".to_string());
    }
    let generic = words.len() > 1;
    let mut modules: Vec<String> = words
        .iter()
        .filter_map(|word| workspace.modules.mentioning(word))
        .flatten()
        .collect();
    modules.sort();
    modules.dedup();
    modules.retain(|module| {
        workspace.modules.module(module).is_some_and(|text| {
            let source = &text.file.source;
            source.contains(name)
                || (generic && words[1..].iter().any(|w| source.contains(w.as_str())))
        })
    });
    modules.truncate(MAX_VIEWS);
    modules
}
