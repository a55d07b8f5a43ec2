//! A checked tree: its Python files, parsed in parallel, and the model index over them.
//!
//! Nothing here prints: files that cannot be read are collected as [`Skipped`] values and
//! the front end decides how to show them, so the language server can load a `Project`
//! the same way the command line does.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::analysis::column_uses::{ColumnUse, WorkspaceUses};
use crate::analysis::flow::FlowCache;
use crate::analysis::rules::Needs;
use crate::analysis::sources::ModuleRead;
use crate::analysis::{Diagnostic, check_file_guarded, check_workspace_file};
use crate::cache::{Cache, Entry, Findings, content_hash, index_fingerprint};
use crate::config::{Config, configures_ormhint, display_path};
use crate::index::{FileFacts, extract};
use crate::index::{IndexOptions, ModelIndex};
use crate::module_texts::ProjectModules;
use crate::panic::caught;
use crate::python_env::PythonEnv;
use crate::roots::SourceRoots;
use crate::syntax::SourceFile;
use crate::syntax::node::first_error;

/// Files larger than this are skipped: generated code, not something to lint.
pub const MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// Directory names never descended into: dependencies, caches and migrations (generated,
/// and their ORM use runs once).
const SKIPPED_DIRS: [&str; 5] = [
    "node_modules",
    "migrations",
    "__pycache__",
    "venv",
    "site-packages",
];

/// Files that mark the top of a project that has no ormhint config of its own, nearest
/// first.
const ROOT_MARKERS: [&str; 4] = ["manage.py", "pyproject.toml", "setup.cfg", ".git"];

/// Why a project could not be loaded at all.
#[derive(Debug)]
pub enum ProjectError {
    PathNotFound(PathBuf),
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// An `exclude` pattern that is not a glob.
    Exclude(String),
}

impl fmt::Display for ProjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProjectError::PathNotFound(path) => {
                write!(f, "path does not exist: {}", display_path(path))
            }
            ProjectError::Io { path, error } => write!(f, "{}: {error}", display_path(path)),
            ProjectError::Exclude(message) => write!(f, "{message} in 'exclude'"),
        }
    }
}

impl std::error::Error for ProjectError {}

/// A file left out of the project, and why (`not valid UTF-8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Relative to the root, with `/` separators.
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipping {}: {}", self.path.display(), self.reason)
    }
}

/// What to check: the root that paths are relative to (and that the model index covers),
/// and which paths under it to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckTarget {
    pub root: PathBuf,
    /// Relative to `root`; `None` reports every file.
    pub only: Option<Vec<PathBuf>>,
}

impl CheckTarget {
    /// The target for `paths` as given on the command line (none: the working
    /// directory). Each path, file or directory, belongs to the project of the nearest
    /// directory at or above it that configures ormhint (`ormhint.toml`, or a
    /// `pyproject.toml` with `[tool.ormhint]`), else of the nearest one holding
    /// `manage.py`, `pyproject.toml`, `setup.cfg` or `.git`, else of its own directory:
    /// the whole project is indexed, as ruff finds its settings, whatever the path.
    /// Several paths share the deepest common directory of their projects.
    pub fn resolve(paths: &[PathBuf]) -> Result<Self, ProjectError> {
        let default = [PathBuf::from(".")];
        let paths = if paths.is_empty() {
            &default[..]
        } else {
            paths
        };
        let mut absolute = Vec::with_capacity(paths.len());
        for path in paths {
            if !path.exists() {
                return Err(ProjectError::PathNotFound(path.clone()));
            }
            let abs = std::path::absolute(path).map_err(|error| ProjectError::Io {
                path: path.clone(),
                error,
            })?;
            absolute.push(normalize(&abs));
        }
        let mut root: Option<PathBuf> = None;
        for path in &absolute {
            let own = project_root(path);
            root = Some(match root {
                None => own,
                Some(root) => common_ancestor(&root, &own),
            });
        }
        let root = root.unwrap_or_else(|| PathBuf::from("/"));
        let mut only = Vec::new();
        for path in &absolute {
            match path.strip_prefix(&root) {
                Ok(rel) if rel.as_os_str().is_empty() => return Ok(Self { root, only: None }),
                Ok(rel) => only.push(rel.to_path_buf()),
                Err(_) => return Ok(Self { root, only: None }),
            }
        }
        Ok(Self {
            root,
            only: Some(only),
        })
    }

    /// The whole of `root`.
    pub fn root(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            only: None,
        }
    }

    /// Whether findings in `path` (relative to the root) are reported.
    pub fn reports(&self, path: &Path) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|p| path.starts_with(p)))
    }
}

/// The root of the project `path` (absolute, normalised) belongs to; see
/// [`CheckTarget::resolve`].
fn project_root(path: &Path) -> PathBuf {
    let start = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("/"))
    };
    start
        .ancestors()
        .find(|dir| configures_ormhint(dir))
        .or_else(|| {
            start
                .ancestors()
                .find(|dir| ROOT_MARKERS.iter().any(|m| dir.join(m).exists()))
        })
        .unwrap_or(start)
        .to_path_buf()
}

/// `exclude` globs from the config, matched against root-relative paths and file names.
#[derive(Debug, Clone)]
pub struct Excludes(GlobSet);

impl Excludes {
    pub fn new(patterns: &[String]) -> Result<Self, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|err| format!("invalid glob '{pattern}': {}", err.kind()))?;
            builder.add(glob);
        }
        builder
            .build()
            .map(Self)
            .map_err(|err| format!("invalid glob: {err}"))
    }

    /// Whether `path` (relative to the root, `/`-separated) is excluded.
    pub fn matches(&self, path: &Path) -> bool {
        self.0.is_match(path) || path.file_name().is_some_and(|name| self.0.is_match(name))
    }
}

/// Diagnostics of one reported file, sorted by position.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Relative to the root, with `/` separators.
    pub path: PathBuf,
    pub source: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The outcome of checking a project.
#[derive(Debug, Default)]
pub struct CheckResult {
    /// One entry per reported file, sorted by path.
    pub files: Vec<FileReport>,
    /// Files whose analysis failed (a bug in ormhint), with the panic message.
    pub failed: Vec<Skipped>,
    /// Files not analysed, with the reason: nested too deep, or too slow to analyse.
    pub refused: Vec<Skipped>,
    /// Reported files the analysis parsed that hold a syntax error, with the offset of
    /// the first: their findings may be incomplete. (Files the byte scan lets through
    /// only: an error in the others changes no finding.)
    pub syntax_errors: Vec<(PathBuf, usize)>,
    /// The project's other modules each file's analysis read (calls followed into
    /// them), for the files that read any.
    pub modules_read: HashMap<PathBuf, Vec<ModuleRead>>,
    /// The columns each file's lookups reach, when a workspace rule runs.
    pub column_uses: HashMap<PathBuf, Vec<ColumnUse>>,
    /// The column uses of every file analysed, when a workspace rule runs: what its
    /// findings were counted from.
    pub workspace_uses: WorkspaceUses,
}

/// The Python files under a root, parsed, and the model index built from them.
#[derive(Debug)]
pub struct Project {
    pub target: CheckTarget,
    /// Every file read, sorted by path (the index covers them all).
    pub files: Vec<SourceFile>,
    /// [`content_hash`] of each of `files`.
    hashes: Vec<u64>,
    /// `files` by module, for analyses that follow calls into other modules.
    modules: Arc<ProjectModules>,
    pub index: ModelIndex,
    /// What `files` are named from.
    pub roots: SourceRoots,
    /// Files not read, sorted by path.
    pub skipped: Vec<Skipped>,
    /// The Python environment whose installed packages the index read.
    pub python: PythonEnv,
}

impl Project {
    /// Walks the target's root (honouring `.gitignore`, skipping hidden directories,
    /// virtualenvs, `node_modules`, `migrations`, `__pycache__` and the config's
    /// `exclude`), reads and parses every `*.py` file in parallel, and builds the index.
    pub fn load(target: &CheckTarget, config: &Config) -> Result<Self, ProjectError> {
        Self::load_with(target, config, None)
    }

    /// [`Project::load`] that takes the facts of each file whose text is unchanged from
    /// `cache` instead of parsing it.
    pub fn load_cached(
        target: &CheckTarget,
        config: &Config,
        cache: &Cache,
    ) -> Result<Self, ProjectError> {
        Self::load_with(target, config, Some(cache))
    }

    fn load_with(
        target: &CheckTarget,
        config: &Config,
        cache: Option<&Cache>,
    ) -> Result<Self, ProjectError> {
        let excludes = Excludes::new(&config.exclude).map_err(ProjectError::Exclude)?;
        let mut skipped = Vec::new();
        let mut paths = walk(&target.root, &excludes, &mut skipped);
        // A file named on the command line is checked even where the walk would skip it.
        for only in target.only.iter().flatten() {
            let abs = target.root.join(only);
            if abs.is_file() && !paths.contains(only) {
                paths.push(only.clone());
            }
        }
        paths.sort();
        paths.dedup();

        let (files, roots) = read_files(&target.root, &paths, config, &mut skipped, |_| None);
        skipped.sort_by(|a, b| a.path.cmp(&b.path));

        let hashes: Vec<u64> = files.par_iter().map(|f| content_hash(&f.source)).collect();
        let facts: Vec<Arc<FileFacts>> = files
            .par_iter()
            .zip(&hashes)
            .map(|(file, hash)| {
                cache
                    .and_then(|cache| cache.facts(file, *hash))
                    .unwrap_or_else(|| Arc::new(extract(file)))
            })
            .collect();
        // Installed code is read again each run: the few modules needed cost less than
        // keying them in the cache.
        let python = PythonEnv::discover(&target.root, config.python.as_deref());
        let options = IndexOptions {
            auth_user_model: config.auth_user_model.clone(),
            installed: python.read(&facts),
            django_version: python.project_django_version(&target.root),
        };
        let index = ModelIndex::from_facts(facts, &options);
        let modules = Arc::new(
            ProjectModules::read(&files, &hashes).with_templates(&target.root, index.files()),
        );
        Ok(Self {
            target: target.clone(),
            files,
            hashes,
            modules,
            index,
            roots,
            skipped,
            python,
        })
    }

    /// The files whose findings are reported.
    pub fn reported(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(|f| self.target.reports(&f.path))
    }

    pub fn file(&self, path: &Path) -> Option<&SourceFile> {
        self.files
            .binary_search_by(|f| f.path.as_path().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// Runs the rules on every reported file in parallel.
    pub fn check(&self, config: &Config) -> CheckResult {
        self.check_with(config, None)
    }

    /// [`Project::check`] that takes the findings of each file whose text and index are
    /// unchanged from `cache`, and leaves in it the entries of this run.
    pub fn check_cached(&self, config: &Config, cache: &mut Cache) -> CheckResult {
        let fingerprint = index_fingerprint(
            self.index
                .files()
                .iter()
                .chain(self.index.installed())
                .map(|facts| &**facts),
            config.auth_user_model.as_deref(),
        ) ^ version_key(self.index.django_version());
        let result = self.check_with(config, Some((cache, fingerprint)));
        let found: HashMap<&Path, &FileReport> =
            result.files.iter().map(|f| (f.path.as_path(), f)).collect();
        let errors: HashMap<&Path, usize> = result
            .syntax_errors
            .iter()
            .map(|(path, at)| (path.as_path(), *at))
            .collect();
        let facts: HashMap<&Path, &Arc<FileFacts>> = self
            .index
            .files()
            .iter()
            .map(|facts| (facts.path.as_path(), facts))
            .collect();
        let entries = self
            .files
            .iter()
            .zip(&self.hashes)
            .filter_map(|(file, &hash)| {
                let facts = (*facts.get(file.path.as_path())?).clone();
                let findings = match found.get(file.path.as_path()) {
                    Some(report) => Some(Findings {
                        index: fingerprint,
                        // Workspace findings depend on other files: found again each run.
                        diagnostics: report
                            .diagnostics
                            .iter()
                            .filter(|d| d.rule.needs() != Needs::Workspace)
                            .cloned()
                            .collect(),
                        syntax_error: errors.get(file.path.as_path()).copied(),
                        modules_read: result
                            .modules_read
                            .get(file.path.as_path())
                            .cloned()
                            .unwrap_or_default(),
                        column_uses: result
                            .column_uses
                            .get(file.path.as_path())
                            .cloned()
                            .unwrap_or_default(),
                    }),
                    None => self.kept_findings(cache, file, hash, fingerprint).cloned(),
                };
                Some((
                    file.path.clone(),
                    Entry {
                        hash,
                        facts,
                        findings,
                    },
                ))
            })
            .collect();
        cache.replace(entries);
        result
    }

    fn check_with(&self, config: &Config, cached: Option<(&Cache, u64)>) -> CheckResult {
        // A workspace rule counts uses in every file, reported or not.
        let workspace = config.rules.needs_workspace();
        // With whether the file is reported.
        let results: Vec<(bool, Checked)> = self
            .files
            .par_iter()
            .zip(&self.hashes)
            .map(|(file, hash)| (self.target.reports(&file.path), file, hash))
            .filter(|(reported, _, _)| *reported || workspace)
            .map(|(reported, file, &hash)| {
                let kept =
                    cached.and_then(|(cache, index)| self.kept_findings(cache, file, hash, index));
                let checked = match kept {
                    Some(kept) => Ok(Analysed {
                        diagnostics: kept.diagnostics.clone(),
                        syntax_error: kept.syntax_error,
                        modules_read: kept.modules_read.clone(),
                        column_uses: kept.column_uses.clone(),
                    }),
                    None => self.check_parsed(file, config),
                };
                let checked = checked.map(|mut analysed| {
                    let report = FileReport {
                        path: file.path.clone(),
                        source: file.source.clone(),
                        diagnostics: std::mem::take(&mut analysed.diagnostics),
                    };
                    (report, analysed)
                });
                (reported, checked)
            })
            .collect();
        let mut out = CheckResult::default();
        let mut uses = WorkspaceUses::default();
        for (reported, result) in results {
            match result {
                Ok((report, analysed)) => {
                    uses.add(&report.path, &analysed.column_uses);
                    if !reported {
                        continue;
                    }
                    if let Some(at) = analysed.syntax_error {
                        out.syntax_errors.push((report.path.clone(), at));
                    }
                    if !analysed.modules_read.is_empty() {
                        let read = analysed.modules_read;
                        out.modules_read.insert(report.path.clone(), read);
                    }
                    if !analysed.column_uses.is_empty() {
                        let found = analysed.column_uses;
                        out.column_uses.insert(report.path.clone(), found);
                    }
                    out.files.push(report);
                }
                Err(_) if !reported => {}
                Err(Unchecked::Failed(failure)) => out.failed.push(failure),
                Err(Unchecked::Refused(refusal)) => out.refused.push(refusal),
            }
        }
        if workspace {
            for report in &mut out.files {
                let Some(file) = self.file(&report.path) else {
                    continue;
                };
                let found = check_workspace_file(file, &self.index, config.rules, &uses);
                if !found.is_empty() {
                    report.diagnostics.extend(found);
                    sort_diagnostics(&mut report.diagnostics);
                }
            }
        }
        out.workspace_uses = uses;
        out
    }

    /// Checks new text for the file at `path` (after a fix) against the existing index,
    /// and, for the workspace rules, against `uses` (the run's) with the file's own
    /// uses and declarations read again (a fix that adds an index must see it).
    pub fn check_source(
        &self,
        path: &Path,
        source: &str,
        config: &Config,
        uses: &WorkspaceUses,
    ) -> Result<Vec<Diagnostic>, Skipped> {
        let file =
            SourceFile::new(path.to_path_buf(), source).in_module(self.roots.module_name(path));
        let analysed = self
            .check_parsed(&file, config)
            .map_err(|unchecked| match unchecked {
                Unchecked::Failed(skip) | Unchecked::Refused(skip) => skip,
            })?;
        let mut diagnostics = analysed.diagnostics;
        // Only a file declaring models has workspace findings: the index is resolved
        // again for it alone.
        let declares_models = (self.index.models().iter()).any(|m| m.path.as_deref() == Some(path));
        if config.rules.needs_workspace() && declares_models {
            let mut uses = uses.clone();
            uses.replace(path, &analysed.column_uses);
            let options = IndexOptions {
                auth_user_model: config.auth_user_model.clone(),
                installed: self.index.installed().to_vec(),
                django_version: self.index.django_version(),
            };
            let facts = Arc::new(extract(&file));
            let index = self.index.with_file(facts, &options);
            diagnostics.extend(check_workspace_file(&file, &index, config.rules, &uses));
            sort_diagnostics(&mut diagnostics);
        }
        Ok(diagnostics)
    }

    /// The cached findings of `file` when its text, the index and every module its
    /// analysis read are unchanged.
    fn kept_findings<'c>(
        &self,
        cache: &'c Cache,
        file: &SourceFile,
        hash: u64,
        index: u64,
    ) -> Option<&'c Findings> {
        cache.findings(&file.path, hash, index).filter(|kept| {
            kept.modules_read
                .iter()
                .all(|read| read.unchanged(&*self.modules))
        })
    }

    fn check_parsed(&self, file: &SourceFile, config: &Config) -> Result<Analysed, Unchecked> {
        // The tree another file's analysis parsed, when there is one; else a detached
        // copy, so the tree is freed as soon as the file is done.
        let shared = self.modules.already_parsed(&file.module).filter(|text| {
            text.file.path == file.path && Arc::ptr_eq(&text.file.source, &file.source)
        });
        let detached;
        let checked = match &shared {
            Some(text) => &text.file,
            None => {
                detached = file.detached();
                &detached
            }
        };
        let result = caught(|| {
            let mut cache = FlowCache::reading(self.modules.clone());
            check_file_guarded(checked, &self.index, config.rules, &mut cache)
                .map(|found| (found, cache.modules_read().to_vec()))
        });
        let skip = |reason: String| Skipped {
            path: file.path.clone(),
            reason,
        };
        match result {
            Ok(Ok((found, modules_read))) => {
                let mut diagnostics = found.diagnostics;
                sort_diagnostics(&mut diagnostics);
                let syntax_error = checked
                    .parsed_tree()
                    .and_then(|tree| first_error(tree.root_node()))
                    .map(|node| node.start_byte());
                Ok(Analysed {
                    diagnostics,
                    syntax_error,
                    modules_read,
                    column_uses: found.column_uses,
                })
            }
            Ok(Err(refusal)) => Err(Unchecked::Refused(skip(refusal.to_string()))),
            Err(message) => Err(Unchecked::Failed(skip(format!(
                "internal error during analysis: {message}"
            )))),
        }
    }
}

/// One file analysed, or why it was not.
type Checked = Result<(FileReport, Analysed), Unchecked>;

/// One file analysed.
struct Analysed {
    diagnostics: Vec<Diagnostic>,
    /// Where its first syntax error is, when the analysis parsed it.
    syntax_error: Option<usize>,
    /// The other modules of the project the analysis read.
    modules_read: Vec<ModuleRead>,
    column_uses: Vec<ColumnUse>,
}

/// Why a reported file has no findings to show.
enum Unchecked {
    /// The analysis panicked: a bug in ormhint.
    Failed(Skipped),
    /// The analysis refused the file ([`crate::analysis::guard::Refusal`]).
    Refused(Skipped),
}

/// Sorts by position, then code, so output does not depend on rule order.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule.code()).cmp(&(
            b.range.start,
            b.range.end,
            b.rule.code(),
        ))
    });
}

/// Root-relative paths of the `*.py` files [`Project::load`] reads under `root`, sorted,
/// and the entries the walk could not read. For a front end that reads them itself (the
/// language server, reporting progress as it goes).
pub fn python_files(root: &Path, excludes: &Excludes) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut skipped = Vec::new();
    let mut paths = walk(root, excludes, &mut skipped);
    paths.sort();
    (paths, skipped)
}

/// Whether the walk of [`python_files`] could reach `rel` (relative to the root): no
/// hidden file or directory, no dependency or migrations directory on the way, and nothing on the way excluded.
/// (`.gitignore` is not consulted.)
pub fn walks_to(rel: &Path, excludes: &Excludes) -> bool {
    let mut prefix = PathBuf::new();
    for component in rel.components() {
        let Component::Normal(name) = component else {
            return false;
        };
        prefix.push(name);
        let name = name.to_string_lossy();
        let is_dir = prefix.as_path() != rel;
        if name.starts_with('.') || (is_dir && SKIPPED_DIRS.contains(&name.as_ref())) {
            return false;
        }
        if excludes.matches(&prefix) {
            return false;
        }
    }
    true
}

/// Root-relative paths of the `*.py` files to read.
fn walk(root: &Path, excludes: &Excludes, skipped: &mut Vec<Skipped>) -> Vec<PathBuf> {
    let filter_root = root.to_path_buf();
    let filter_excludes = excludes.clone();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .require_git(false)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                let name = entry.file_name().to_string_lossy();
                if SKIPPED_DIRS.contains(&name.as_ref()) || entry.path().join("pyvenv.cfg").exists()
                {
                    return false;
                }
            }
            let rel = relative(&filter_root, entry.path());
            !filter_excludes.matches(&rel)
        })
        .build();
    let mut paths = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|e| e == "py") {
                    paths.push(relative(root, entry.path()));
                }
            }
            Err(error) => {
                let path = error_path(&error)
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| root.to_path_buf());
                skipped.push(Skipped {
                    path,
                    reason: error.to_string(),
                });
            }
        }
    }
    paths
}

fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Reads the files at `paths` (relative to `root`) in parallel, `open(path)` in place of
/// a file when it gives one (an editor's buffer), and names them under the project's
/// source roots; files that cannot be read go to `skipped`.
pub fn read_files(
    root: &Path,
    paths: &[PathBuf],
    config: &Config,
    skipped: &mut Vec<Skipped>,
    open: impl Fn(&Path) -> Option<SourceFile> + Sync,
) -> (Vec<SourceFile>, SourceRoots) {
    let read: Vec<Result<SourceFile, Skipped>> = paths
        .par_iter()
        .map(|rel| open(rel).map_or_else(|| read_source(root, rel), Ok))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(file) => files.push(file),
            Err(skip) => skipped.push(skip),
        }
    }
    let roots = SourceRoots::detect(&files, config.src.as_deref());
    roots.name(&mut files);
    (files, roots)
}

/// Reads `root/rel` as Python source: skipped when it cannot be read, is larger than
/// [`MAX_FILE_SIZE`], is not UTF-8 or holds a NUL byte.
pub fn read_source(root: &Path, rel: &Path) -> Result<SourceFile, Skipped> {
    let skip = |reason: String| Skipped {
        path: rel.to_path_buf(),
        reason,
    };
    let path = root.join(rel);
    let size = std::fs::metadata(&path)
        .map_err(|err| skip(format!("cannot read: {err}")))?
        .len();
    if size > MAX_FILE_SIZE {
        return Err(skip(format!(
            "larger than {} MiB",
            MAX_FILE_SIZE / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(&path).map_err(|err| skip(format!("cannot read: {err}")))?;
    let text = String::from_utf8(bytes).map_err(|_| skip("not valid UTF-8".to_string()))?;
    if text.contains('\0') {
        return Err(skip("contains a NUL byte".to_string()));
    }
    Ok(SourceFile::new(rel.to_path_buf(), text))
}

/// `path` relative to `root`, `/`-separated whatever the platform.
fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    PathBuf::from(parts.join("/"))
}

/// Removes `.` and folds `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn common_ancestor(a: &Path, b: &Path) -> PathBuf {
    a.ancestors()
        .find(|candidate| b.starts_with(candidate))
        .unwrap_or(Path::new("/"))
        .to_path_buf()
}

/// What the installed Django's version adds to the index's fingerprint: findings that
/// depend on it are kept only while it is the same.
fn version_key(version: Option<(u32, u32)>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    version.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, content: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    fn paths(project: &Project) -> Vec<String> {
        project
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect()
    }

    #[test]
    fn walks_python_files_and_skips_what_it_should() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", b"generated/\n");
        write(root, "blog/views.py", b"x = 1\n");
        write(root, "blog/models.py", b"y = 2\n");
        write(root, "blog/README.md", b"# no\n");
        write(root, "blog/migrations/0001_initial.py", b"z = 3\n");
        write(root, "blog/__pycache__/views.py", b"z = 3\n");
        write(root, "generated/out.py", b"z = 3\n");
        write(root, "env/pyvenv.cfg", b"home = /usr\n");
        write(root, "env/lib/site.py", b"z = 3\n");
        write(root, "venv/lib/x.py", b"z = 3\n");
        write(root, ".hidden/x.py", b"z = 3\n");
        write(root, "node_modules/x.py", b"z = 3\n");
        write(root, "legacy/old.py", b"z = 3\n");
        write(root, "blog/bad.py", b"caf\xe9 = 1\n");
        write(root, "blog/nul.py", b"a = 1\0\n");
        let config = Config {
            exclude: vec!["legacy".to_string()],
            ..Config::default()
        };
        let project = Project::load(&CheckTarget::root(root), &config).unwrap();
        assert_eq!(paths(&project), ["blog/models.py", "blog/views.py"]);
        let skipped: Vec<String> = project.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            skipped,
            [
                "skipping blog/bad.py: not valid UTF-8",
                "skipping blog/nul.py: contains a NUL byte"
            ]
        );
        assert_eq!(project.files[1].module, "blog.views");
    }

    #[test]
    fn oversized_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'#'; MAX_FILE_SIZE as usize + 1];
        write(dir.path(), "big.py", &big);
        let project = Project::load(&CheckTarget::root(dir.path()), &Config::default()).unwrap();
        assert!(project.files.is_empty());
        assert_eq!(
            project.skipped[0].to_string(),
            "skipping big.py: larger than 2 MiB"
        );
    }

    #[test]
    fn a_single_file_is_checked_within_its_project() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "pyproject.toml", b"");
        write(root, "blog/views.py", b"x = 1\n");
        write(root, "blog/models.py", b"y = 2\n");
        write(root, "blog/migrations/0002.py", b"y = 2\n");
        let target = CheckTarget::resolve(&[root.join("blog/views.py")]).unwrap();
        assert_eq!(target.root, normalize(&std::path::absolute(root).unwrap()));
        assert_eq!(target.only, Some(vec![PathBuf::from("blog/views.py")]));

        let project = Project::load(&target, &Config::default()).unwrap();
        assert_eq!(paths(&project), ["blog/models.py", "blog/views.py"]);
        let reported: Vec<_> = project.reported().map(|f| f.path.clone()).collect();
        assert_eq!(reported, [PathBuf::from("blog/views.py")]);

        // Named explicitly, a migration is read even though the walk skips migrations.
        let target = CheckTarget::resolve(&[root.join("blog/migrations/0002.py")]).unwrap();
        let project = Project::load(&target, &Config::default()).unwrap();
        assert_eq!(project.reported().count(), 1);
    }

    #[test]
    fn a_path_belongs_to_the_nearest_project_that_configures_ormhint() {
        let dir = tempfile::tempdir().unwrap();
        let root = normalize(&std::path::absolute(dir.path()).unwrap());
        write(
            &root,
            "pyproject.toml",
            b"[tool.ormhint]\nselect = [\"ORM1\"]\n",
        );
        // Markers without a config nearer to the path lose to the config above them.
        write(&root, "apps/shop/setup.cfg", b"");
        write(
            &root,
            "apps/shop/pyproject.toml",
            b"[project]\nname = \"shop\"\n",
        );
        write(&root, "apps/shop/views.py", b"");
        let target = CheckTarget::resolve(&[root.join("apps/shop")]).unwrap();
        assert_eq!(target.root, root);
        assert_eq!(target.only, Some(vec![PathBuf::from("apps/shop")]));
        let target = CheckTarget::resolve(&[root.join("apps/shop/views.py")]).unwrap();
        assert_eq!(target.only, Some(vec![PathBuf::from("apps/shop/views.py")]));

        // Without any config, the nearest marker: `manage.py` here.
        let dir = tempfile::tempdir().unwrap();
        let other = normalize(&std::path::absolute(dir.path()).unwrap()).join("other");
        write(&other, "manage.py", b"");
        write(&other, "blog/views.py", b"");
        let target = CheckTarget::resolve(&[other.join("blog")]).unwrap();
        assert_eq!(
            (target.root, target.only),
            (other.clone(), Some(vec!["blog".into()]))
        );
        // A pyproject.toml that does not parse but names the table counts as a config.
        write(&other, "blog/pyproject.toml", b"[tool.ormhint\n");
        let target = CheckTarget::resolve(&[other.join("blog/views.py")]).unwrap();
        assert_eq!(target.root, other.join("blog"));
    }

    #[test]
    fn several_paths_share_their_common_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a/x.py", b"");
        write(root, "b/y.py", b"");
        let target = CheckTarget::resolve(&[root.join("a"), root.join("b/../b")]).unwrap();
        assert_eq!(target.root, normalize(&std::path::absolute(root).unwrap()));
        assert_eq!(
            target.only,
            Some(vec![PathBuf::from("a"), PathBuf::from("b")])
        );
        assert!(target.reports(Path::new("a/x.py")));
        assert!(!target.reports(Path::new("c/z.py")));
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let err = CheckTarget::resolve(&[PathBuf::from("does/not/exist")]).unwrap_err();
        assert_eq!(err.to_string(), "path does not exist: does/not/exist");
    }

    #[test]
    fn excludes_match_paths_and_names() {
        let excludes = Excludes::new(&["legacy/".into(), "**/*_gen.py".into()]).unwrap();
        assert!(excludes.matches(Path::new("legacy")));
        assert!(excludes.matches(Path::new("app/legacy")));
        assert!(excludes.matches(Path::new("app/x_gen.py")));
        assert!(!excludes.matches(Path::new("app/views.py")));
        assert!(Excludes::new(&["[".into()]).is_err());
    }

    #[test]
    fn walks_to_agrees_with_the_walk() {
        let excludes = Excludes::new(&["legacy".into()]).unwrap();
        assert!(walks_to(Path::new("blog/views.py"), &excludes));
        assert!(!walks_to(Path::new("blog/.views.py"), &excludes));
        assert!(!walks_to(Path::new("blog/migrations/0001.py"), &excludes));
        assert!(!walks_to(Path::new(".venv/lib/x.py"), &excludes));
        assert!(!walks_to(Path::new("legacy/old.py"), &excludes));
        assert!(!walks_to(Path::new("../x.py"), &excludes));
    }
}
