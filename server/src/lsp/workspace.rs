//! Workspaces: each root's config and model index, loaded in the background (files read
//! and indexed in parallel, with `$/progress` when the client shows it) and kept current
//! as files change on disk (`workspace/didChangeWatchedFiles`) and in the editor (open
//! documents override their files on disk), and as the editor's settings change.
//!
//! All work on one root goes through that root's worker, one task at a time: it takes
//! what is pending (a reload, a re-configuration, files to read again), does it off the
//! runtime, installs the new [`Workspace`] and re-checks the open documents. What is
//! queued meanwhile is coalesced and done next, so an older index never replaces a newer
//! one, and a burst of edits to a models buffer costs one re-index, not one per edit.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tower_lsp_server::ls_types::{
    ConfigurationItem, Diagnostic, DidChangeConfigurationParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, InitializeParams,
    MessageType, Registration, Uri,
};

use super::config::{SECTION, Settings};
use super::documents::Snapshot;
use super::progress::{self, Indexing};
use super::server::{Backend, State, off_runtime, path_of};
use super::workspace_uses::{Uses, read_again, read_all};
use crate::config::{CONFIG_FILES, Config};
use crate::index::{FileFacts, IndexOptions, ModelIndex, extract};
use crate::module_texts::ProjectModules;
use crate::panic::caught;
use crate::project::{self, Excludes, Skipped};
use crate::python_env::PythonEnv;
use crate::roots::SourceRoots;
use crate::syntax::{SourceFile, scan};

/// A loaded workspace root: its model index and config. Replaced whole (a new `Arc`)
/// whenever either changes; analyses hold the one they started with.
#[derive(Debug)]
pub(super) struct Workspace {
    pub root: PathBuf,
    pub index: Arc<ModelIndex>,
    /// The config file's settings with the editor's on top: what the analysis uses.
    pub config: Config,
    /// The config file's settings alone (the defaults when the file is bad).
    pub file_config: Config,
    pub excludes: Excludes,
    /// Found at the (re)load; files created since are named under them too.
    pub roots: SourceRoots,
    /// The indexed files by module, read from disk when an analysis follows a call
    /// into one.
    pub modules: Arc<ProjectModules>,
    /// Every file's column uses, when a rule counts them over the workspace; kept
    /// across updates, read again at a reload.
    pub uses: Arc<Uses>,
}

impl Workspace {
    /// The modules of `index`'s files under `root`.
    fn modules_of(root: &Path, index: &ModelIndex) -> Arc<ProjectModules> {
        Arc::new(
            ProjectModules::on_disk(
                root,
                index
                    .files()
                    .iter()
                    .map(|facts| (facts.module.clone(), facts.path.clone())),
            )
            .with_templates(root, index.files()),
        )
    }

    /// `snapshot` as the analysis reads it, as the file at `rel`.
    pub fn file(&self, snapshot: &Snapshot, rel: &Path) -> SourceFile {
        snapshot
            .file(rel.to_path_buf())
            .in_module(self.roots.module_name(rel))
    }
}

/// Work waiting for one root's worker.
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// Read the config and index every file again.
    reload: bool,
    /// Apply the editor's settings again.
    reconfigure: bool,
    /// Files whose facts to read again, by absolute path.
    files: HashMap<PathBuf, Source>,
    /// When an open document's change was last queued: the worker waits for a pause
    /// in the typing (see `TYPING_PAUSE`).
    typed_at: Option<Instant>,
    /// A worker is running for the root.
    running: bool,
}

/// How long the worker waits after a change to an open document before reading its
/// facts again. Every keystroke in a models file changes its facts; re-resolving the
/// index for each one re-checked every open file and dropped their cached analyses, so
/// the next keystroke's check started from nothing. The edited document itself is
/// checked at once, against the index as it was.
const TYPING_PAUSE: Duration = Duration::from_millis(200);

impl Pending {
    fn is_empty(&self) -> bool {
        !self.reload && !self.reconfigure && self.files.is_empty()
    }
}

/// Where a file's current text is.
#[derive(Debug)]
enum Source {
    /// On disk (missing: the file was deleted, its facts are an empty file's).
    Disk,
    /// In an open document.
    Buffer(Snapshot),
}

/// Python files, config files, and Django templates (wherever a `templates` directory
/// or an `.html` file is: the settings may name other directories).
const WATCHED: [&str; 5] = [
    "**/*.py",
    "**/pyproject.toml",
    "**/ormhint.toml",
    "**/templates/**",
    "**/*.html",
];

impl Backend {
    /// From `initialize`: the settings in `initializationOptions` (problems with them
    /// are shown once initialized).
    pub(super) fn read_settings(&self, params: &InitializeParams) {
        let (settings, problems) = params
            .initialization_options
            .as_ref()
            .map(Settings::parse)
            .unwrap_or_default();
        let mut state = self.state();
        state.inlay_query_cost = settings.inlay_query_cost;
        state.settings = settings;
        state.settings_problems = problems;
    }

    /// From `initialized`: shows problems with the initial settings and registers the
    /// file watchers (when the client registers them dynamically).
    pub(super) async fn start_watching(&self) {
        let (problems, watch) = {
            let mut state = self.state();
            let problems = std::mem::take(&mut state.settings_problems);
            (problems, state.client_support.watch_files)
        };
        self.show_settings_problems(&problems).await;
        if !watch {
            return;
        }
        let backend = self.clone();
        // Not awaited here: the answer comes from the client, which may be busy.
        tokio::spawn(async move {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: WATCHED
                    .iter()
                    .map(|glob| FileSystemWatcher {
                        glob_pattern: GlobPattern::String((*glob).to_string()),
                        kind: None,
                    })
                    .collect(),
            };
            let registration = Registration {
                id: "ormhint/watched-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(err) = backend.client.register_capability(vec![registration]).await {
                backend
                    .log(
                        MessageType::WARNING,
                        format!("the client did not register the file watchers: {err}"),
                    )
                    .await;
            }
        });
    }

    /// Loads the workspace at `root` (once) in the background, then checks the open
    /// documents under it.
    pub(super) async fn load_workspace(&self, root: PathBuf) {
        let start = {
            let mut state = self.state();
            if state.workspaces.iter().any(|w| w.root == root)
                || !state.loading.insert(root.clone())
            {
                return;
            }
            queue(&mut state, &root, |pending| pending.reload = true)
        };
        self.start_workers(vec![(start, root)]);
    }

    /// After an open document changed (or was opened): when it may define models (or
    /// did), its facts are read from its text and replace those of its file on disk.
    /// Synchronous, so that updates are queued in the order of the edits.
    pub(super) fn document_changed(&self, uri: &Uri) {
        let Some(path) = path_of(uri).filter(|p| is_python(p)) else {
            return;
        };
        let name = file_name(&path);
        let mut starts = Vec::new();
        {
            let mut state = self.state();
            let Some(document) = state.documents.get(uri) else {
                return;
            };
            let relevant = scan::may_define_models(name, document.text())
                || state.workspaces.iter().any(|w| defines_something(w, &path));
            if !relevant {
                return;
            }
            let snapshot = document.snapshot();
            for root in roots_containing(&state, &path) {
                let start = queue(&mut state, &root, |pending| {
                    let newer = match pending.files.get(&path) {
                        Some(Source::Buffer(queued)) => queued.version < snapshot.version,
                        Some(Source::Disk) | None => true,
                    };
                    if newer {
                        pending
                            .files
                            .insert(path.clone(), Source::Buffer(snapshot.clone()));
                        pending.typed_at = Some(Instant::now());
                    }
                });
                starts.push((start, root));
            }
        }
        self.start_workers(starts);
    }

    /// Before an open document is dropped: its file on disk counts again.
    pub(super) fn document_closed(&self, uri: &Uri) {
        let Some(path) = path_of(uri).filter(|p| is_python(p)) else {
            return;
        };
        let mut starts = Vec::new();
        {
            let mut state = self.state();
            for workspace in &state.workspaces {
                if let Ok(rel) = path.strip_prefix(&workspace.root) {
                    workspace.uses.closed(rel);
                }
            }
            queue_disk(&mut state, &path, &mut starts);
        }
        self.start_workers(starts);
    }

    /// `workspace/didChangeWatchedFiles`: a Python file changed on disk updates its facts
    /// (unless it is open: the editor's text wins); a config file reloads its workspace;
    /// a template read again when next rendered.
    /// Open documents are checked again: their analyses may have followed calls into
    /// the file, as it was on disk (their cached parts that did not are kept).
    pub(super) async fn watched_files_changed(&self, params: DidChangeWatchedFilesParams) {
        let mut starts = Vec::new();
        let mut changed_roots = Vec::new();
        let mut noted = Vec::new();
        {
            let mut state = self.state();
            for change in &params.changes {
                let Some(path) = path_of(&change.uri) else {
                    continue;
                };
                if CONFIG_FILES.contains(&file_name(&path)) {
                    let Some(dir) = path.parent() else {
                        continue;
                    };
                    for root in roots_containing(&state, &path) {
                        if root == dir {
                            let start = queue(&mut state, &root, |p| p.reload = true);
                            starts.push((start, root));
                        }
                    }
                } else if is_python(&path) {
                    changed_roots.extend(roots_containing(&state, &path));
                    noted.extend(
                        state
                            .workspaces
                            .iter()
                            .filter(|w| path.starts_with(&w.root))
                            .map(|w| (w.clone(), path.clone())),
                    );
                    let open = state
                        .documents
                        .keys()
                        .any(|uri| path_of(uri).as_deref() == Some(path.as_path()));
                    if open {
                        continue;
                    }
                    queue_disk(&mut state, &path, &mut starts);
                } else {
                    // A template the views of a workspace render: their findings
                    // follow its text.
                    for workspace in &state.workspaces {
                        if workspace.modules.template_changed(&path) {
                            changed_roots.push(workspace.root.clone());
                        }
                    }
                }
            }
        }
        self.start_workers(starts);
        // Before the re-check: which modules call a function decides what its
        // parameters are (see `analysis::flow::callers`).
        for (workspace, path) in noted {
            if let Ok(rel) = path.strip_prefix(&workspace.root) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let module = workspace.roots.module_name(rel);
                workspace.modules.note_text(&module, &text);
                self.read_uses_again(workspace, rel.to_path_buf());
            }
        }
        changed_roots.sort();
        changed_roots.dedup();
        for root in changed_roots {
            self.recheck(&root);
        }
    }

    /// `workspace/didChangeConfiguration`: the settings under `ormhint` in the
    /// notification, else (when the client has them to give) pulled with
    /// `workspace/configuration`.
    pub(super) async fn configuration_changed(&self, params: DidChangeConfigurationParams) {
        let pull = self.state().client_support.configuration;
        let has_section = params
            .settings
            .as_object()
            .is_some_and(|map| map.contains_key(SECTION));
        let value = if !has_section && pull {
            let item = ConfigurationItem {
                scope_uri: None,
                section: Some(SECTION.to_string()),
            };
            match self.client.configuration(vec![item]).await {
                Ok(mut items) if !items.is_empty() => items.swap_remove(0),
                _ => params.settings,
            }
        } else {
            params.settings
        };
        let (settings, problems) = Settings::parse(&value);
        self.show_settings_problems(&problems).await;
        let mut starts = Vec::new();
        {
            let mut state = self.state();
            if state.settings == settings {
                return;
            }
            state.inlay_query_cost = settings.inlay_query_cost;
            state.settings = settings;
            for root in known_roots(&state) {
                let start = queue(&mut state, &root, |pending| pending.reconfigure = true);
                starts.push((start, root));
            }
        }
        self.start_workers(starts);
    }

    /// Publishes the diagnostics of `version` of `uri`, computed with `workspace`, unless
    /// the document or its workspace changed meanwhile (a newer result is then on its way).
    pub(super) async fn publish_from(
        &self,
        uri: Uri,
        diagnostics: Vec<Diagnostic>,
        version: i32,
        workspace: &Arc<Workspace>,
    ) {
        let _turn = self.publishing.lock().await;
        let current = {
            let state = self.state();
            let version_held = state.documents.get(&uri).map(|d| d.version());
            let workspace_held = state
                .document_path(&uri)
                .or_else(|| path_of(&uri))
                .and_then(|path| state.workspace_for(&path).cloned())
                .is_some_and(|held| Arc::ptr_eq(&held, workspace));
            version_held == Some(version) && workspace_held
        };
        if current {
            self.send_diagnostics(uri, diagnostics, Some(version));
        }
    }

    async fn show_settings_problems(&self, problems: &[String]) {
        if problems.is_empty() {
            return;
        }
        let message = format!(
            "ormhint: ignoring invalid settings: {}",
            problems.join("; ")
        );
        self.show_once(message).await;
    }

    /// Shows `message` to the user unless it was shown before, then logs it.
    async fn show_once(&self, message: String) {
        let new = self.state().shown.insert(message.clone());
        if new {
            self.client
                .show_message(MessageType::WARNING, &message)
                .await;
        }
        self.log(MessageType::WARNING, message).await;
    }

    /// Starts the worker of each root whose queue asked for one (see `queue`).
    fn start_workers(&self, starts: Vec<(bool, PathBuf)>) {
        for (start, root) in starts {
            if start {
                let backend = self.clone();
                tokio::spawn(async move { backend.work(root).await });
            }
        }
    }

    /// The worker of `root`: does what is pending until nothing is.
    async fn work(&self, root: PathBuf) {
        loop {
            let taken = {
                let mut state = self.state();
                let Some(pending) = state.updates.get_mut(&root) else {
                    return;
                };
                if pending.is_empty() {
                    state.updates.remove(&root);
                    return;
                }
                let wait = pending.typed_at.map_or(Duration::ZERO, |at| {
                    TYPING_PAUSE.saturating_sub(at.elapsed())
                });
                if wait.is_zero() {
                    let work = std::mem::take(pending);
                    pending.running = true;
                    let current = state.workspaces.iter().find(|w| w.root == root).cloned();
                    Ok((work, current))
                } else {
                    Err(wait)
                }
            };
            let (work, current) = match taken {
                Ok(taken) => taken,
                Err(wait) => {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            };
            match current {
                // A reload reads the disk and the open documents as they are now: the
                // files queued with it need nothing more.
                Some(workspace) if !work.reload => self.update(workspace, work).await,
                _ => self.reload(&root).await,
            }
        }
    }

    /// Reads the config and indexes every Python file under `root` (open documents from
    /// their text), reporting progress; installs the result and re-checks.
    async fn reload(&self, root: &Path) {
        let (buffers, settings, supported) = {
            let state = self.state();
            let buffers: Vec<(PathBuf, Snapshot)> = state
                .documents
                .iter()
                .filter_map(|(uri, document)| {
                    let path = path_of(uri).filter(|p| is_python(p))?;
                    let rel = path.strip_prefix(root).ok()?.to_path_buf();
                    Some((rel, document.snapshot()))
                })
                .collect();
            let supported = state.client_support.work_done_progress;
            (buffers, state.settings.clone(), supported)
        };
        let progress = Indexing::start(&self.client, supported);
        let report = progress.reporter();
        let job_root = root.to_path_buf();
        let job = off_runtime(move || load(&job_root, &settings, buffers, &report));
        let loaded = match job.await {
            Ok(loaded) => loaded,
            Err(message) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error while indexing {}: {message}",
                        root.display()
                    ),
                )
                .await;
                Loaded::empty(root)
            }
        };
        for skipped in &loaded.skipped {
            self.log(MessageType::INFO, skipped).await;
        }
        let files = loaded.files;
        self.install(Arc::new(loaded.workspace));
        if let Some(problem) = loaded.problem {
            self.show_once(format!(
                "ormhint: {problem}; using the default configuration"
            ))
            .await;
        }
        self.log(
            MessageType::INFO,
            format!(
                "indexed Django models under {}: {} files",
                root.display(),
                progress::thousands(files)
            ),
        )
        .await;
        progress.end(files);
        self.recheck(root);
        self.count_uses(root);
    }

    /// Reads the queued files again and applies the settings again; installs the result
    /// and re-checks, when anything the analysis uses changed.
    async fn update(&self, workspace: Arc<Workspace>, work: Pending) {
        let settings = self.state().settings.clone();
        let root = workspace.root.clone();
        let job = off_runtime(move || updated(&workspace, &settings, work.reconfigure, work.files));
        match job.await {
            Ok(Some(updated)) => {
                self.install(Arc::new(updated));
                self.recheck(&root);
                self.count_uses(&root);
            }
            Ok(None) => {}
            Err(message) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error while re-indexing {}: {message}",
                        root.display()
                    ),
                )
                .await;
            }
        }
    }

    fn install(&self, workspace: Arc<Workspace>) {
        let mut state = self.state();
        state.loading.remove(&workspace.root);
        match state
            .workspaces
            .iter_mut()
            .find(|w| w.root == workspace.root)
        {
            Some(slot) => *slot = workspace,
            None => state.workspaces.push(workspace),
        }
    }

    /// Reads every file's column uses in the background when a selected rule counts
    /// them over the workspace and they were not read yet; re-checks once they are.
    fn count_uses(&self, root: &Path) {
        let Some(workspace) = self
            .state()
            .workspaces
            .iter()
            .find(|w| w.root == root)
            .cloned()
        else {
            return;
        };
        if !workspace.config.rules.needs_workspace() || !workspace.uses.start() {
            return;
        }
        let backend = self.clone();
        tokio::spawn(async move {
            let root = workspace.root.clone();
            if let Err(message) = off_runtime(move || read_all(&workspace)).await {
                backend
                    .log(
                        MessageType::ERROR,
                        format!(
                            "internal error while reading lookups under {}: {message}",
                            root.display()
                        ),
                    )
                    .await;
            }
            backend.recheck(&root);
        });
    }

    /// The column uses of the file at `rel`, changed on disk, read again in the
    /// background when they are counted; the models files re-checked if they changed.
    fn read_uses_again(&self, workspace: Arc<Workspace>, rel: PathBuf) {
        if !workspace.config.rules.needs_workspace() || !workspace.uses.started() {
            return;
        }
        let backend = self.clone();
        tokio::spawn(async move {
            let job = workspace.clone();
            if let Ok(true) = off_runtime(move || read_again(&job, &rel)).await {
                backend.recheck_models(&workspace.root, &workspace.index);
            }
        });
    }

    /// Checks the open documents under `root` that declare models again: the columns
    /// other files look up changed.
    pub(super) fn recheck_models(&self, root: &Path, index: &ModelIndex) {
        let uris = self.open_documents(|_, uri| {
            path_of(uri)
                .and_then(|p| p.strip_prefix(root).ok().map(Path::to_path_buf))
                .is_some_and(|rel| index.models().iter().any(|m| m.path.as_ref() == Some(&rel)))
        });
        self.check_again(uris);
    }

    /// Checks every open document under `root` again (each in a task of its own).
    fn recheck(&self, root: &Path) {
        // Templates too: they show their views' findings.
        let uris = self.open_documents(|state, uri| {
            state
                .document_path(uri)
                .or_else(|| path_of(uri))
                .is_some_and(|p| p.starts_with(root))
        });
        self.check_again(uris);
    }

    /// The open documents `wanted` accepts.
    fn open_documents(&self, wanted: impl Fn(&State, &Uri) -> bool) -> Vec<Uri> {
        let state = self.state();
        state
            .documents
            .keys()
            .filter(|uri| wanted(&state, uri))
            .cloned()
            .collect()
    }

    /// Checks `uris` again, each in a task of its own; pulled diagnostics and inlay
    /// hints are asked for again.
    fn check_again(&self, uris: Vec<Uri>) {
        for uri in uris {
            let backend = self.clone();
            tokio::spawn(async move { backend.check(uri).await });
        }
        self.refresh_views();
    }
}

/// Queues the file on disk at `path` for every root holding it.
fn queue_disk(state: &mut State, path: &Path, starts: &mut Vec<(bool, PathBuf)>) {
    for root in roots_containing(state, path) {
        let start = queue(state, &root, |pending| {
            pending.files.insert(path.to_path_buf(), Source::Disk);
        });
        starts.push((start, root));
    }
}

/// Queues a change for `root`'s worker; whether a worker must be started.
fn queue(state: &mut State, root: &Path, change: impl FnOnce(&mut Pending)) -> bool {
    let pending = state.updates.entry(root.to_path_buf()).or_default();
    change(pending);
    !std::mem::replace(&mut pending.running, true)
}

/// Roots loaded or about to be.
fn known_roots(state: &State) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = state
        .workspaces
        .iter()
        .map(|w| w.root.clone())
        .chain(state.updates.keys().cloned())
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

fn roots_containing(state: &State, path: &Path) -> Vec<PathBuf> {
    known_roots(state)
        .into_iter()
        .filter(|root| path.starts_with(root))
        .collect()
}

/// The index of `workspace` has facts for `path` that matter (a class or an alias).
fn defines_something(workspace: &Workspace, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(&workspace.root) else {
        return false;
    };
    facts_of(&workspace.index, rel).is_some_and(|f| !f.classes.is_empty() || !f.aliases.is_empty())
}

fn facts_of<'i>(index: &'i ModelIndex, rel: &Path) -> Option<&'i Arc<FileFacts>> {
    let files = index.files();
    files
        .binary_search_by(|f| f.path.as_path().cmp(rel))
        .ok()
        .map(|i| &files[i])
}

fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// A workspace as read from disk.
struct Loaded {
    workspace: Workspace,
    /// What was wrong with the config file.
    problem: Option<String>,
    skipped: Vec<Skipped>,
    /// Files indexed.
    files: usize,
}

impl Loaded {
    /// An empty workspace with the default config, after a failure.
    fn empty(root: &Path) -> Self {
        let config = Config::default();
        Self {
            workspace: Workspace {
                root: root.to_path_buf(),
                index: Arc::new(ModelIndex::from_facts([], &IndexOptions::default())),
                config: config.clone(),
                file_config: config,
                excludes: no_excludes(),
                roots: SourceRoots::default(),
                modules: Arc::default(),
                uses: Arc::default(),
            },
            problem: None,
            skipped: Vec::new(),
            files: 0,
        }
    }
}

fn no_excludes() -> Excludes {
    Excludes::new(&[]).unwrap_or_else(|_| unreachable!("no patterns"))
}

/// Reads the config of `root` (the defaults when it is bad) and indexes the Python files
/// the walk finds, in parallel; `buffers` (root-relative) replace their files' text.
/// `report(done, total)` is called as files are done, once per percent.
fn load(
    root: &Path,
    settings: &Settings,
    buffers: Vec<(PathBuf, Snapshot)>,
    report: &(dyn Fn(usize, usize) + Sync),
) -> Loaded {
    let (file_config, mut problem) = match Config::load(root, None) {
        Ok(config) => (config, None),
        Err(err) => (Config::default(), Some(err.to_string())),
    };
    let excludes = Excludes::new(&file_config.exclude).unwrap_or_else(|err| {
        problem.get_or_insert(err);
        no_excludes()
    });
    let config = settings.apply(&file_config);
    let (mut paths, mut skipped) = project::python_files(root, &excludes);
    let buffers: HashMap<PathBuf, Snapshot> = buffers
        .into_iter()
        .filter(|(rel, _)| project::walks_to(rel, &excludes))
        .collect();
    // Open documents not saved to disk yet are indexed too.
    paths.extend(buffers.keys().cloned());
    paths.sort();
    paths.dedup();

    let total = paths.len();
    let done = AtomicUsize::new(0);
    report(0, total);
    let (files, roots) = project::read_files(root, &paths, &config, &mut skipped, |rel| {
        buffers
            .get(rel)
            .map(|snapshot| snapshot.file(rel.to_path_buf()))
    });
    let read: Vec<Result<FileFacts, Skipped>> = files
        .into_par_iter()
        .map(|file| {
            let facts = extract_caught(&file);
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n * 100 / total != (n - 1) * 100 / total {
                report(n, total);
            }
            facts
        })
        .collect();
    let mut facts = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(file) => facts.push(Arc::new(file)),
            Err(skip) => skipped.push(skip),
        }
    }
    // Installed packages are read once per load; edits re-resolve with what was read.
    let python = PythonEnv::discover(root, config.python.as_deref());
    if let PythonEnv::Invalid(message) = &python {
        problem.get_or_insert(message.clone());
    }
    let options = IndexOptions {
        auth_user_model: config.auth_user_model.clone(),
        installed: python.read(&facts),
        django_version: python.project_django_version(root),
    };
    let files = facts.len();
    let index = ModelIndex::from_facts(facts, &options);
    let modules = Workspace::modules_of(root, &index);
    Loaded {
        workspace: Workspace {
            root: root.to_path_buf(),
            index: Arc::new(index),
            config,
            file_config,
            excludes,
            roots,
            modules,
            uses: Arc::default(),
        },
        problem,
        skipped,
        files,
    }
}

/// `workspace` with `files` read again and (when `reconfigure`) the settings applied
/// again; `None` when nothing the analysis uses changed.
fn updated(
    workspace: &Workspace,
    settings: &Settings,
    reconfigure: bool,
    files: HashMap<PathBuf, Source>,
) -> Option<Workspace> {
    let config = if reconfigure {
        settings.apply(&workspace.file_config)
    } else {
        workspace.config.clone()
    };
    let mut changed = Vec::new();
    for (path, source) in files {
        let Ok(rel) = path.strip_prefix(&workspace.root) else {
            continue;
        };
        if !project::walks_to(rel, &workspace.excludes) {
            continue;
        }
        let facts = match source {
            Source::Disk => disk_facts(workspace, rel),
            Source::Buffer(snapshot) => extract_caught(&workspace.file(&snapshot, rel))
                .unwrap_or_else(|_| empty_facts(workspace, rel)),
        };
        let unchanged = match facts_of(&workspace.index, rel) {
            Some(old) => old.same_apart_from_places(&facts),
            None => facts.same_apart_from_places(&empty_facts(workspace, rel)),
        };
        if !unchanged {
            changed.push(Arc::new(facts));
        }
    }
    let options_changed = config.auth_user_model != workspace.config.auth_user_model;
    let config_changed = !same_config(&config, &workspace.config);
    if changed.is_empty() && !options_changed && !config_changed {
        return None;
    }
    let (index, modules) = if changed.is_empty() && !options_changed {
        (workspace.index.clone(), workspace.modules.clone())
    } else {
        let mut by_path: BTreeMap<PathBuf, Arc<FileFacts>> = workspace
            .index
            .files()
            .iter()
            .map(|facts| (facts.path.clone(), facts.clone()))
            .collect();
        for facts in changed {
            by_path.insert(facts.path.clone(), facts);
        }
        let options = IndexOptions {
            auth_user_model: config.auth_user_model.clone(),
            installed: workspace.index.installed().to_vec(),
            django_version: workspace.index.django_version(),
        };
        let index = ModelIndex::from_facts(by_path.into_values(), &options);
        let modules = Workspace::modules_of(&workspace.root, &index);
        (Arc::new(index), modules)
    };
    Some(Workspace {
        root: workspace.root.clone(),
        index,
        config,
        file_config: workspace.file_config.clone(),
        excludes: workspace.excludes.clone(),
        roots: workspace.roots.clone(),
        modules,
        uses: workspace.uses.clone(),
    })
}

/// The facts of `root/rel` as it is on disk; an empty file's when it is gone or cannot
/// be read.
fn disk_facts(workspace: &Workspace, rel: &Path) -> FileFacts {
    project::read_source(&workspace.root, rel)
        .and_then(|file| extract_caught(&file.in_module(workspace.roots.module_name(rel))))
        .unwrap_or_else(|_| empty_facts(workspace, rel))
}

fn empty_facts(workspace: &Workspace, rel: &Path) -> FileFacts {
    extract(&SourceFile::new(rel.to_path_buf(), "").in_module(workspace.roots.module_name(rel)))
}

/// [`extract`], a panic turned into a skipped file.
fn extract_caught(file: &SourceFile) -> Result<FileFacts, Skipped> {
    caught(|| extract(file)).map_err(|message| Skipped {
        path: file.path.clone(),
        reason: format!("internal error while indexing: {message}"),
    })
}

fn same_config(a: &Config, b: &Config) -> bool {
    a.rules == b.rules
        && a.severity == b.severity
        && a.exclude == b.exclude
        && a.auth_user_model == b.auth_user_model
}
