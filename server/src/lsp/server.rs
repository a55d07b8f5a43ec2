//! The `LanguageServer` implementation: state, handlers, and running over stdio.
//!
//! tower-lsp-server runs handlers concurrently, so every handler that changes a document
//! does so synchronously, before its first `.await`. The state sits behind a plain
//! mutex that is never held across an `.await`. Analysis runs on a snapshot in a
//! blocking task; its result is published only while the document still has the
//! analysed version.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::notification::{Notification, PublishDiagnostics};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeActionResponse, Diagnostic, DiagnosticOptions,
    DiagnosticServerCapabilities, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FullDocumentDiagnosticReport, Hover, HoverParams, HoverProviderCapability, InitializeParams,
    InitializeResult, InitializedParams, InlayHint, InlayHintParams, MessageType, OneOf,
    PublishDiagnosticsParams, RelatedFullDocumentDiagnosticReport, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use super::client::ClientSupport;
use super::code_actions;
use super::config::Settings;
use super::diagnostics::{self, DocumentVersion};
use super::documents::{Document, Snapshot};
use super::encoding::Encoding;
use super::templates::OpenView;
use super::transport::{self, Frames};
use super::workspace::{Pending, Workspace};
use super::{fix_all, hover, inlay_hints, templates, timings};
use crate::analysis::cost::{LoopCost, loop_costs_with};
use crate::analysis::flow::FlowCache;
use crate::analysis::{check_file_guarded, check_workspace_file};
use crate::panic::caught;
use crate::project::MAX_FILE_SIZE;
use crate::syntax::SourceFile;
use crate::text::LineIndex;

/// Serves LSP on stdin/stdout until `exit`. Exit code 0 when `shutdown` came first, else 1.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::analysis::guard::STACK_SIZE)
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            // No client can be told: the runtime is what would serve it.
            let _ = writeln!(io::stderr(), "error: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    runtime.block_on(async move {
        let (input, guarded) = tokio::io::duplex(64 * 1024);
        tokio::spawn(transport::pump(tokio::io::stdin(), guarded));
        let (output, from_library) = tokio::io::duplex(64 * 1024);
        let (frames, queued) = Frames::new();
        tokio::spawn(transport::forward(from_library, frames.clone()));
        let writer = tokio::spawn(transport::write_frames(queued, tokio::io::stdout()));
        let (service, socket) = LspService::build(|client| Backend::new(client, flag, frames))
            .custom_method(transport::PARSE_ERROR, Backend::parse_error)
            .custom_method(transport::INVALID_REQUEST, Backend::invalid_request)
            .finish();
        Server::new(input, output, socket).serve(service).await;
        // The library's last frames (the answer to `shutdown`) are still queued.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), writer).await;
    });
    // Analyses still running are abandoned, not awaited.
    runtime.shutdown_background();
    if shut_down.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[derive(Debug, Default)]
pub(super) struct State {
    /// The client's workspace folders (none: each document's directory is a root).
    folders: Vec<PathBuf>,
    pub(super) workspaces: Vec<Arc<Workspace>>,
    /// Roots whose workspace is being loaded.
    pub(super) loading: HashSet<PathBuf>,
    pub(super) documents: HashMap<Uri, Document>,
    /// The editor's settings (`initializationOptions`, `workspace/didChangeConfiguration`).
    pub(super) settings: Settings,
    /// Problems with the settings of `initializationOptions`, shown once initialized.
    pub(super) settings_problems: Vec<String>,
    /// `inlayHints.queryCost`: inlay hints with each loop's query cost (off by default).
    pub(super) inlay_query_cost: bool,
    /// What the client supports, from `initialize`.
    pub(super) client_support: ClientSupport,
    /// Work waiting for each root's worker (see `workspace`).
    pub(super) updates: HashMap<PathBuf, Pending>,
    /// Messages shown to the user already: each is shown once.
    pub(super) shown: HashSet<String>,
    /// Per open document: the facts of its unchanged definitions, kept between checks.
    pub(super) flow_caches: HashMap<Uri, Arc<Mutex<FlowCache>>>,
}

impl State {
    /// The loaded workspace with the longest root containing `path`.
    pub(super) fn workspace_for(&self, path: &Path) -> Option<&Arc<Workspace>> {
        self.workspaces
            .iter()
            .filter(|w| path.starts_with(&w.root))
            .max_by_key(|w| w.root.components().count())
    }

    /// The root to load for a document that no loaded or loading workspace covers: the
    /// workspace folder containing it, else its directory.
    fn root_to_load(&self, path: &Path) -> Option<PathBuf> {
        if self.workspace_for(path).is_some()
            || self.loading.iter().any(|root| path.starts_with(root))
        {
            return None;
        }
        // A template is read in the workspace folder it belongs to, never alone.
        let python = path.extension().is_some_and(|e| e == "py");
        if !python && !self.folders.iter().any(|folder| path.starts_with(folder)) {
            return None;
        }
        self.root_for(path)
    }

    /// The file a document is analysed as: its own, or for an `untitled:` buffer (never
    /// saved, no name yet) one of its name at the first root, so that its absolute
    /// imports resolve against that workspace. Only Python files.
    pub(super) fn document_path(&self, uri: &Uri) -> Option<PathBuf> {
        if uri.scheme().as_str() != "untitled" {
            return path_of(uri).filter(|p| p.extension().is_some_and(|e| e == "py"));
        }
        let root = self
            .folders
            .first()
            .or_else(|| self.workspaces.first().map(|w| &w.root))?;
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
        let stem = name.strip_suffix(".py").unwrap_or(name);
        let stem: String = stem
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        Some(root.join(format!("{stem}.py")))
    }

    /// The root a document belongs to: a workspace folder containing it, else its directory.
    fn root_for(&self, path: &Path) -> Option<PathBuf> {
        self.folders
            .iter()
            .filter(|folder| path.starts_with(folder))
            .max_by_key(|folder| folder.components().count())
            .cloned()
            .or_else(|| path.parent().map(Path::to_path_buf))
    }
}

#[derive(Debug, Clone)]
pub(super) struct Backend {
    pub(super) client: Client,
    state: Arc<Mutex<State>>,
    /// Held from the version check to the send of a publication, so an older result
    /// can never be sent after a newer one.
    pub(super) publishing: Arc<tokio::sync::Mutex<()>>,
    shut_down: Arc<AtomicBool>,
    frames: Frames,
}

/// What analysing one document needs, taken under the lock.
struct Job {
    uri: Uri,
    snapshot: Snapshot,
    workspace: Arc<Workspace>,
    relative: PathBuf,
    encoding: Encoding,
    cache: Arc<Mutex<FlowCache>>,
    /// The document is a template of the workspace.
    template: Option<TemplateJob>,
}

/// A template's name, and the Python documents open when it is checked.
struct TemplateJob {
    name: String,
    open: HashMap<PathBuf, OpenView>,
}

impl Job {
    /// The snapshot as the analysis reads it.
    fn file(&self) -> SourceFile {
        self.workspace.file(&self.snapshot, &self.relative)
    }

    /// What each loop of `file` (the snapshot) costs, from the document's cache: after
    /// its check, or an edit, only what changed is walked.
    fn loop_costs(&self, file: &SourceFile) -> Vec<LoopCost> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.read_from(self.workspace.modules.clone());
        loop_costs_with(file, &self.workspace.index, &mut cache)
    }
}

impl Backend {
    fn new(client: Client, shut_down: Arc<AtomicBool>, frames: Frames) -> Self {
        Self {
            client,
            state: Arc::default(),
            publishing: Arc::default(),
            shut_down,
            frames,
        }
    }

    /// `textDocument/publishDiagnostics`, serialised here (see `transport`). Callers
    /// hold `publishing`.
    pub(super) fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<Diagnostic>,
        version: Option<i32>,
    ) {
        let started = Instant::now();
        let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
        self.frames.notify(PublishDiagnostics::METHOD, &params);
        timings::since("publish", version.unwrap_or(-1), started);
    }

    /// The answer to a message that was not JSON (see `transport`).
    async fn parse_error(&self) -> Result<()> {
        Err(jsonrpc::Error::parse_error())
    }

    /// The answer to JSON that was not a JSON-RPC message (see `transport`).
    async fn invalid_request(&self) -> Result<()> {
        Err(jsonrpc::Error::invalid_request())
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) async fn log(&self, kind: MessageType, message: impl std::fmt::Display) {
        self.client.log_message(kind, message).await;
    }

    /// Asks the client to pull again what was answered before a workspace was loaded
    /// (pulled diagnostics, inlay hints), when it takes such requests.
    /// Waits (up to a minute) while the workspace covering `uri` is being loaded.
    async fn wait_for_workspace(&self, uri: &Uri) {
        let Some(path) = self.state().document_path(uri) else {
            return;
        };
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        loop {
            {
                let state = self.state();
                let loading = state.loading.iter().any(|root| path.starts_with(root));
                if state.workspace_for(&path).is_some() || !loading {
                    return;
                }
            }
            if Instant::now() > deadline {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub(super) fn refresh_views(&self) {
        let (diagnostics, inlay_hints) = {
            let state = self.state();
            let support = state.client_support;
            (
                support.pull_diagnostics(),
                state.inlay_query_cost && support.refresh_inlay_hints,
            )
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            if diagnostics {
                let _ = client.workspace_diagnostic_refresh().await;
            }
            if inlay_hints {
                let _ = client.inlay_hint_refresh().await;
            }
        });
    }

    /// Analyses the current version of `uri` off the runtime and publishes the result,
    /// unless the document changed meanwhile.
    /// Pushes nothing when the client pulls.
    pub(super) async fn check(&self, uri: Uri) {
        if self.state().client_support.pull_diagnostics() {
            return;
        }
        // None: checked once its root is loaded.
        let Some(mut job) = self.job(&uri).or_else(|| self.template_job(&uri)) else {
            return;
        };
        let version = job.snapshot.version;
        let size = job.snapshot.text.len();
        if size as u64 > MAX_FILE_SIZE {
            self.log(
                MessageType::INFO,
                format!(
                    "not checking {}: larger than {} MiB",
                    job.relative.display(),
                    MAX_FILE_SIZE / (1024 * 1024)
                ),
            )
            .await;
            self.publish(uri, Vec::new(), version).await;
            return;
        }
        let relative = job.relative.clone();
        let workspace = job.workspace.clone();
        let template = job.template.take();
        match off_runtime(move || match template {
            Some(template) => Analysed {
                diagnostics: analyse_template(&job, &template),
                uses_changed: false,
            },
            None => analyse(&job),
        })
        .await
        {
            Ok(analysed) => {
                self.publish_from(uri, analysed.diagnostics, version, &workspace)
                    .await;
                if analysed.uses_changed && workspace.uses.workspace().is_some() {
                    self.recheck_models(&workspace.root, &workspace.index);
                }
            }
            Err(message) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error while checking {}: {message}",
                        relative.display()
                    ),
                )
                .await;
            }
        }
    }

    /// The current snapshot of `uri` with its workspace. None for an unknown document,
    /// one that is not a Python file, or one whose workspace is not loaded yet.
    fn job(&self, uri: &Uri) -> Option<Job> {
        let mut state = self.state();
        let document = state.documents.get(uri)?;
        let path = state.document_path(uri)?;
        let workspace = state.workspace_for(&path)?;
        let relative = path
            .strip_prefix(&workspace.root)
            .unwrap_or(&path)
            .to_path_buf();
        let (snapshot, workspace, encoding) = (
            document.snapshot(),
            workspace.clone(),
            state.client_support.encoding,
        );
        let cache = state
            .flow_caches
            .entry(uri.clone())
            .or_insert_with(|| Arc::new(Mutex::new(FlowCache::default())))
            .clone();
        Some(Job {
            uri: uri.clone(),
            snapshot,
            workspace,
            relative,
            encoding,
            cache,
            template: None,
        })
    }

    /// The job of a template of a loaded workspace, open in the editor.
    fn template_job(&self, uri: &Uri) -> Option<Job> {
        let state = self.state();
        let snapshot = state.documents.get(uri)?.snapshot();
        let path = path_of(uri)?;
        let workspace = state.workspace_for(&path)?.clone();
        let name = workspace.modules.template_named_at(&path)?;
        let open = state
            .documents
            .iter()
            .filter_map(|(uri, document)| {
                let path = state.document_path(uri)?;
                let rel = path.strip_prefix(&workspace.root).ok()?.to_path_buf();
                let view = OpenView {
                    uri: uri.clone(),
                    snapshot: document.snapshot(),
                };
                Some((rel, view))
            })
            .collect();
        Some(Job {
            uri: uri.clone(),
            snapshot,
            relative: path.strip_prefix(&workspace.root).ok()?.to_path_buf(),
            workspace,
            encoding: state.client_support.encoding,
            cache: Arc::default(),
            template: Some(TemplateJob { name, open }),
        })
    }

    /// Runs `f` on the current snapshot of `uri` off the runtime, under `catch_unwind`
    /// (a panic answers the request with an internal error). `Ok(None)` when there is
    /// nothing to analyse: no job (see `job`), a file the config excludes, or one over
    /// the size limit.
    async fn on_document<T, F>(&self, uri: &Uri, method: &str, f: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Job) -> T + Send + 'static,
    {
        let Some(job) = self.job(uri) else {
            return Ok(None);
        };
        if job.snapshot.text.len() as u64 > MAX_FILE_SIZE
            || job.workspace.excludes.matches(&job.relative)
        {
            return Ok(None);
        }
        let message = match off_runtime(move || f(&job)).await {
            Ok(value) => return Ok(Some(value)),
            Err(message) => message,
        };
        self.log(
            MessageType::ERROR,
            format!("internal error in {method}: {message}"),
        )
        .await;
        Err(jsonrpc::Error::internal_error())
    }

    async fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: i32) {
        let _turn = self.publishing.lock().await;
        let current = self.state().documents.get(&uri).map(Document::version);
        if current == Some(version) {
            self.send_diagnostics(uri, diagnostics, Some(version));
        }
    }
}

/// The diagnostics of a template's snapshot: the findings of the views rendering it
/// that its lines cause.
fn analyse_template(job: &Job, template: &TemplateJob) -> Vec<Diagnostic> {
    let text = &job.snapshot.text;
    let lines = LineIndex::new(text);
    let document = DocumentVersion {
        uri: &job.uri,
        root: &job.workspace.root,
        text,
        lines: &lines,
        version: job.snapshot.version,
        encoding: job.encoding,
    };
    let path = job.workspace.root.join(&job.relative);
    templates::template_diagnostics(
        &job.workspace,
        &template.name,
        &path,
        &document,
        &template.open,
    )
}

/// One snapshot analysed.
#[derive(Default)]
struct Analysed {
    /// In LSP terms.
    diagnostics: Vec<Diagnostic>,
    /// The columns the snapshot looks up are not those recorded for the file: the
    /// open models files may have other findings.
    uses_changed: bool,
}

/// The diagnostics of one snapshot, in LSP terms.
fn analyse(job: &Job) -> Analysed {
    let workspace = &job.workspace;
    if workspace.excludes.matches(&job.relative) {
        return Analysed::default();
    }
    let text = &job.snapshot.text;
    let file = job.file();
    let version = job.snapshot.version;
    let started = Instant::now();
    let mut cache = job.cache.lock().unwrap_or_else(PoisonError::into_inner);
    cache.read_from(workspace.modules.clone());
    let rules = workspace.config.rules;
    let checked =
        check_file_guarded(&file, &workspace.index, rules, &mut cache).unwrap_or_default();
    let walked = cache.walked();
    drop(cache);
    let mut found = checked.diagnostics;
    let mut uses_changed = false;
    if rules.needs_workspace() {
        uses_changed = workspace
            .uses
            .record(&job.relative, version, checked.column_uses);
        // Only a file declaring models has workspace findings: the others do not
        // gather every file's uses on each keystroke.
        let declares_models = (workspace.index.models().iter())
            .any(|m| m.path.as_deref() == Some(job.relative.as_path()));
        if declares_models && let Some(uses) = workspace.uses.workspace() {
            found.extend(check_workspace_file(&file, &workspace.index, rules, &uses));
        }
    }
    timings::since("analyse", version, started);
    timings::count("walked", version, walked);
    let started = Instant::now();
    let lines = LineIndex::new(text);
    let document = DocumentVersion {
        uri: &job.uri,
        root: &workspace.root,
        text,
        lines: &lines,
        version,
        encoding: job.encoding,
    };
    let converted = diagnostics::to_lsp(&found, &workspace.config, &document);
    timings::since("convert", version, started);
    Analysed {
        diagnostics: converted,
        uses_changed,
    }
}

pub(super) fn path_of(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// [`caught`] on tokio's blocking pool, off the runtime; a task that failed otherwise
/// gives its error.
pub(super) async fn off_runtime<T, F>(f: F) -> std::result::Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    tokio::task::spawn_blocking(move || caught(f))
        .await
        .unwrap_or_else(|err| Err(err.to_string()))
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let support = ClientSupport::of(&params.capabilities);
        #[allow(deprecated)]
        let folders: Vec<PathBuf> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) => folders.iter().filter_map(|f| path_of(&f.uri)).collect(),
            (None, Some(root)) => path_of(root).into_iter().collect(),
            (None, None) => Vec::new(),
        };
        {
            let mut state = self.state();
            state.client_support = support;
            state.folders = folders;
        }
        self.read_settings(&params);
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(support.encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, fix_all::kind()]),
                        resolve_provider: Some(false),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                diagnostic_provider: support.pull_diagnostics().then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("ormhint".to_string()),
                        // A models file changes what other files report.
                        inter_file_dependencies: true,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    })
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "ormhint".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.start_watching().await;
        let folders = self.state().folders.clone();
        for folder in folders {
            let backend = self.clone();
            tokio::spawn(async move { backend.load_workspace(folder).await });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let root = {
            let mut state = self.state();
            state.documents.insert(
                document.uri.clone(),
                Document::new(&document.text, document.version),
            );
            path_of(&document.uri).and_then(|path| state.root_to_load(&path))
        };
        self.document_changed(&document.uri);
        match root {
            // Checks this document too once loaded.
            Some(root) => self.load_workspace(root).await,
            None => self.check(document.uri).await,
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let started = Instant::now();
        let applied = {
            let mut state = self.state();
            let encoding = state.client_support.encoding;
            state.documents.get_mut(&uri).map(|document| {
                let applied = document.apply(version, &params.content_changes, encoding);
                if timings::on() && document.has_syntax_error() {
                    timings::note("syntax-error", version);
                }
                applied
            })
        };
        match applied {
            None => {
                self.log(
                    MessageType::WARNING,
                    format!("change to a document that is not open: {}", uri.as_str()),
                )
                .await;
            }
            Some(Err(stale)) => {
                self.log(
                    MessageType::WARNING,
                    format!(
                        "ignored a change to version {} of {}: version {} is held",
                        stale.got,
                        uri.as_str(),
                        stale.held
                    ),
                )
                .await;
            }
            Some(Ok(())) => {
                timings::since("apply", version, started);
                self.document_changed(&uri);
                self.check(uri).await;
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.document_closed(&uri);
        let pull = {
            let mut state = self.state();
            state.documents.remove(&uri);
            state.flow_caches.remove(&uri);
            state.client_support.pull_diagnostics()
        };
        if pull {
            return;
        }
        let _turn = self.publishing.lock().await;
        self.send_diagnostics(uri, Vec::new(), None);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.watched_files_changed(params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.configuration_changed(params).await;
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let (answer, support) = {
            let state = self.state();
            let Some(document) = state.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            let support = state.client_support;
            let uri = &params.text_document.uri;
            let context = &params.context;
            let answer = caught(|| code_actions::actions(uri, document, context, support));
            (answer, support)
        };
        let mut actions = match answer {
            Ok(actions) => actions,
            Err(message) => {
                self.log(
                    MessageType::ERROR,
                    format!("internal error in codeAction: {message}"),
                )
                .await;
                return Err(jsonrpc::Error::internal_error());
            }
        };
        if fix_all::wanted(params.context.only.as_deref()) {
            let uri = &params.text_document.uri;
            let fixed = self
                .on_document(uri, "codeAction", |job| {
                    let file = job.file();
                    let workspace = &job.workspace;
                    let fixed = fix_all::fixed_text(&file, &workspace.index, &workspace.config)?;
                    let (action, edits) = fix_all::action(&file.source, &fixed, job.encoding);
                    Some((action, edits, job.snapshot.version))
                })
                .await?
                .flatten();
            if let Some((mut action, edits, version)) = fixed {
                action.edit = Some(code_actions::workspace_edit(
                    uri,
                    Some(version),
                    edits,
                    support,
                ));
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
        }
        Ok((!actions.is_empty()).then_some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let position = at.position;
        let answer = self
            .on_document(&at.text_document.uri, "hover", move |job| {
                let file = job.file();
                let costs = job.loop_costs(&file);
                hover::hover(&file, &costs, position, job.encoding)
            })
            .await?;
        Ok(answer.flatten())
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        if !self.state().inlay_query_cost {
            return Ok(None);
        }
        let range = params.range;
        self.on_document(&params.text_document.uri, "inlayHint", move |job| {
            let file = job.file();
            let costs = job.loop_costs(&file);
            inlay_hints::hints(&file.source, &costs, range, job.encoding)
        })
        .await
    }

    /// Pulled diagnostics: those `check` would push, computed the same way. Before the
    /// document's workspace is loaded the report is empty; the client is asked to pull
    /// again once it is (`refresh_views`).
    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        // A client that pulls once at open and never again without a refresh (Neovim
        // 0.11) would otherwise keep the empty answer given before indexing finished.
        self.wait_for_workspace(&params.text_document.uri).await;
        let analysed = self
            .on_document(&params.text_document.uri, "diagnostic", analyse)
            .await?
            .unwrap_or_default();
        if analysed.uses_changed {
            self.refresh_views();
        }
        let items = analysed.diagnostics;
        let report = RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(report),
        ))
    }
}
