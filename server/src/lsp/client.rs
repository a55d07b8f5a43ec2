//! What the client said it supports at `initialize`, read once: handlers ask this
//! struct, never the capabilities, so each capability is interpreted in one place.

use tower_lsp_server::ls_types::ClientCapabilities;

use super::encoding::Encoding;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ClientSupport {
    /// Negotiated from `general.positionEncodings`.
    pub encoding: Encoding,
    /// `workspace.workspaceEdit.documentChanges`: edits can be tied to a version.
    pub versioned_edits: bool,
    /// `textDocument.diagnostic`: the client can pull diagnostics.
    pub diagnostic_pull: bool,
    /// `workspace.diagnostics.refreshSupport`.
    pub refresh_diagnostics: bool,
    /// `workspace.inlayHint.refreshSupport`.
    pub refresh_inlay_hints: bool,
    /// `window.workDoneProgress`.
    pub work_done_progress: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`.
    pub watch_files: bool,
    /// `workspace.configuration` (settings can be pulled).
    pub configuration: bool,
}

impl ClientSupport {
    pub fn of(capabilities: &ClientCapabilities) -> Self {
        let general = capabilities.general.as_ref();
        let workspace = capabilities.workspace.as_ref();
        Self {
            encoding: Encoding::negotiate(general.and_then(|g| g.position_encodings.as_deref())),
            versioned_edits: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|edit| edit.document_changes)
                .unwrap_or(false),
            diagnostic_pull: capabilities
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some()),
            refresh_diagnostics: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            refresh_inlay_hints: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            work_done_progress: capabilities
                .window
                .as_ref()
                .and_then(|window| window.work_done_progress)
                .unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|watch| watch.dynamic_registration)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        }
    }

    /// Whether the server answers pulls instead of pushing diagnostics. Only when the
    /// client pulls (LSP allows both; both would show each twice) and can be told to
    /// pull again when the index changes under an unchanged document; otherwise push,
    /// which every client shows.
    pub fn pull_diagnostics(self) -> bool {
        self.diagnostic_pull && self.refresh_diagnostics
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn support(capabilities: serde_json::Value) -> ClientSupport {
        ClientSupport::of(&serde_json::from_value(capabilities).unwrap())
    }

    #[test]
    fn a_client_that_says_nothing_supports_nothing() {
        let none = support(json!({}));
        assert_eq!(none.encoding, Encoding::Utf16);
        assert!(!none.versioned_edits && !none.pull_diagnostics());
        assert!(!none.refresh_inlay_hints && !none.work_done_progress);
        assert!(!none.watch_files && !none.configuration);
    }

    #[test]
    fn diagnostics_are_pulled_only_by_a_client_that_takes_refreshes() {
        let pulls = json!({"textDocument": {"diagnostic": {}}});
        assert!(!support(pulls).pull_diagnostics());
        let refreshed = json!({
            "textDocument": {"diagnostic": {}},
            "workspace": {"diagnostics": {"refreshSupport": true}},
        });
        assert!(support(refreshed).pull_diagnostics());
    }

    #[test]
    fn what_a_client_declares() {
        let all = support(json!({
            "general": {"positionEncodings": ["utf-16", "utf-8"]},
            "window": {"workDoneProgress": true},
            "workspace": {
                "workspaceEdit": {"documentChanges": true},
                "inlayHint": {"refreshSupport": true},
                "didChangeWatchedFiles": {"dynamicRegistration": true},
                "configuration": true,
            },
        }));
        assert_eq!(all.encoding, Encoding::Utf8);
        assert!(all.versioned_edits && all.refresh_inlay_hints && all.work_done_progress);
        assert!(all.watch_files && all.configuration);
        assert!(!all.refresh_diagnostics);
    }
}
