//! Where the analysis finds the project's other modules ([`ModuleSources`]): the texts
//! `ormhint check` read, or the files on disk for the language server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::analysis::sources::{ModuleSources, ModuleText};
use crate::syntax::SourceFile;
use crate::text::content_hash;

/// The project's modules by dotted name, each parsed once, when first asked for.
#[derive(Debug, Default)]
pub struct ProjectModules {
    modules: HashMap<String, Place>,
    parsed: RwLock<HashMap<String, Arc<ModuleText>>>,
}

#[derive(Debug)]
enum Place {
    /// Text already read, with its hash.
    Read(SourceFile, u64),
    /// A file read when asked for (its text may change between asks): its path from
    /// the root (what the module's file is named), and where it is.
    Disk(PathBuf, PathBuf),
}

impl ProjectModules {
    /// The modules of `files` (the first file of a module wins, as in the index), with
    /// [`content_hash`] of each.
    pub fn read(files: &[SourceFile], hashes: &[u64]) -> Self {
        let mut modules = HashMap::new();
        for (file, hash) in files.iter().zip(hashes) {
            modules
                .entry(file.module.clone())
                .or_insert_with(|| Place::Read(file.detached(), *hash));
        }
        Self {
            modules,
            parsed: RwLock::default(),
        }
    }

    /// The modules at `files` (module, path from `root`), read from disk when asked for.
    pub fn on_disk(root: &Path, files: impl IntoIterator<Item = (String, PathBuf)>) -> Self {
        let mut modules = HashMap::new();
        for (module, rel) in files {
            let absolute = root.join(&rel);
            modules.entry(module).or_insert(Place::Disk(rel, absolute));
        }
        Self {
            modules,
            parsed: RwLock::default(),
        }
    }

    fn memo(&self, name: &str, hash: u64) -> Option<Arc<ModuleText>> {
        let parsed = self.parsed.read().ok()?;
        parsed.get(name).filter(|text| text.hash == hash).cloned()
    }
}

impl ModuleSources for ProjectModules {
    fn module(&self, name: &str) -> Option<Arc<ModuleText>> {
        let file = match self.modules.get(name)? {
            Place::Read(file, hash) => {
                if let Some(text) = self.memo(name, *hash) {
                    return Some(text);
                }
                file.detached()
            }
            Place::Disk(rel, path) => {
                let bytes = std::fs::read(path).ok()?;
                let source = String::from_utf8(bytes).ok()?;
                if let Some(text) = self.memo(name, content_hash(&source)) {
                    return Some(text);
                }
                SourceFile::new(rel.clone(), source).in_module(name.to_string())
            }
        };
        // Parsed outside the lock: two threads asking at once parse it twice, and
        // neither waits for the other.
        let text = Arc::new(ModuleText::new(file));
        if let Ok(mut parsed) = self.parsed.write() {
            parsed.insert(name.to_string(), text.clone());
        }
        Some(text)
    }

    fn hash(&self, name: &str) -> Option<u64> {
        match self.modules.get(name)? {
            Place::Read(_, hash) => Some(*hash),
            Place::Disk(..) => self.module(name).map(|text| text.hash),
        }
    }
}
