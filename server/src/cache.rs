//! The persistent cache of `ormhint check`, as ruff keeps one: for each file, keyed by
//! a hash of its text, the facts the model index needs and the file's findings, with
//! the fingerprint of the index they were found against. A second check parses only
//! the files that changed and re-checks only those, unless the index changed, which
//! re-checks every file (any file's findings can depend on any model).
//!
//! It lives in `.ormhint_cache/` at the project root (a `.gitignore` inside keeps it
//! out of version control), one file per ormhint build, config and root. A cache that
//! cannot be read is a [`CacheError`] and the check runs cold; one written by another
//! build or for another config is simply not found.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::Diagnostic;
use crate::analysis::sources::ModuleRead;
use crate::config::Config;
use crate::index::FileFacts;
use crate::syntax::SourceFile;

/// The directory, at the project root.
pub const CACHE_DIR: &str = ".ormhint_cache";

use crate::analysis::column_uses::ColumnUse;
pub use crate::text::content_hash;

/// One file's entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// [`content_hash`] of the text the entry was made from.
    pub hash: u64,
    pub facts: Arc<FileFacts>,
    pub findings: Option<Findings>,
}

/// A file's findings and the fingerprint of the index they were found against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Findings {
    pub index: u64,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the file's first syntax error is (its findings may be incomplete).
    pub syntax_error: Option<usize>,
    /// The project's other modules the analysis read: the findings hold while their
    /// texts are unchanged.
    pub modules_read: Vec<ModuleRead>,
    /// The columns its lookups reach, when a workspace rule runs.
    #[serde(default)]
    pub column_uses: Vec<ColumnUse>,
}

/// The cache of one root: what was read from disk, and what this run will write.
#[derive(Debug, Default)]
pub struct Cache {
    file: PathBuf,
    entries: HashMap<PathBuf, Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    entries: HashMap<PathBuf, Entry>,
}

/// A cache file that exists but cannot be read or written.
#[derive(Debug)]
pub struct CacheError {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cache {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for CacheError {}

impl Cache {
    /// The cache of `root` for this build and `config`: empty when there is none yet,
    /// an error (and an empty cache to fill) when it cannot be read.
    pub fn open(root: &Path, config: &Config) -> (Self, Option<CacheError>) {
        let file = root
            .join(CACHE_DIR)
            .join(format!("{:016x}.bin", key(root, config)));
        let mut cache = Self {
            file,
            entries: HashMap::new(),
        };
        let bytes = match std::fs::read(&cache.file) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return (cache, None),
            Err(err) => {
                let error = cache.error(err.to_string());
                return (cache, Some(error));
            }
        };
        match postcard::from_bytes::<Stored>(&bytes) {
            Ok(stored) => {
                cache.entries = stored.entries;
                (cache, None)
            }
            Err(err) => {
                let error = cache.error(format!("unreadable ({err}); checking without it"));
                (cache, Some(error))
            }
        }
    }

    fn error(&self, reason: String) -> CacheError {
        CacheError {
            path: self.file.clone(),
            reason,
        }
    }

    /// The facts kept for `file` if its text still hashes to `hash`.
    pub fn facts(&self, file: &SourceFile, hash: u64) -> Option<Arc<FileFacts>> {
        // The module name is part of the facts, and the project's source roots may name
        // the file differently from the run that stored them.
        self.entries
            .get(&file.path)
            .filter(|entry| entry.hash == hash && entry.facts.module == file.module)
            .map(|entry| entry.facts.clone())
    }

    /// The findings kept for `path` if its text still hashes to `hash` and they were
    /// found against the index of fingerprint `index`.
    pub fn findings(&self, path: &Path, hash: u64, index: u64) -> Option<&Findings> {
        let entry = self.entries.get(path).filter(|entry| entry.hash == hash)?;
        entry.findings.as_ref().filter(|f| f.index == index)
    }

    /// Replaces every entry: the files of this run (files gone since are dropped).
    pub fn replace(&mut self, entries: HashMap<PathBuf, Entry>) {
        self.entries = entries;
    }

    /// Writes the cache (and the directory's `.gitignore`), atomically: a check
    /// interrupted half-way leaves the old file or the new one.
    pub fn save(&self) -> Result<(), CacheError> {
        let dir = self
            .file
            .parent()
            .expect("the cache file is in the cache directory");
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                std::fs::write(ignore, "# Created by ormhint.\n*\n")?;
            }
            let stored = Stored {
                entries: self.entries.clone(),
            };
            let bytes = postcard::to_stdvec(&stored).map_err(std::io::Error::other)?;
            let temp = self
                .file
                .with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&temp, bytes)?;
            std::fs::rename(&temp, &self.file)
        };
        write().map_err(|err| self.error(format!("cannot be written: {err}")))
    }
}

/// What makes a cache file: this build of ormhint (its version and its executable, so a
/// rebuilt binary starts cold), the root, and the config parts findings depend on
/// (severities are applied when findings are shown).
fn key(root: &Path, config: &Config) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        meta.len().hash(&mut hasher);
        meta.modified().ok().hash(&mut hasher);
    }
    root.hash(&mut hasher);
    format!("{:?}", config.rules).hash(&mut hasher);
    config.auth_user_model.hash(&mut hasher);
    hasher.finish()
}

/// The fingerprint of an index built from `facts` (sorted by path): two sets of facts
/// equal apart from where classes and fields sit give the same one, as they give the
/// same index to the analysis (see [`FileFacts::same_apart_from_places`]).
pub fn index_fingerprint<'a>(
    facts: impl IntoIterator<Item = &'a FileFacts>,
    auth_user_model: Option<&str>,
) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    auth_user_model.hash(&mut hasher);
    for facts in facts {
        let placeless = facts.placeless();
        postcard::to_stdvec(&placeless)
            .expect("facts serialise")
            .hash(&mut hasher);
    }
    hasher.finish()
}
