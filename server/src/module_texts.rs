//! Where the analysis finds the project's other modules ([`ModuleSources`]): the texts
//! `ormhint check` read, or the files on disk for the language server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rayon::prelude::*;

use crate::analysis::sources::{ModuleSources, ModuleText, word_hash, word_hashes};
use crate::analysis::templates::LoadedTemplate;
use crate::index::templates::template_dirs;
use crate::index::{Backend, FileFacts};
use crate::syntax::SourceFile;
use crate::syntax::template::Dialect;
use crate::text::content_hash;

/// The project's modules by dotted name, each parsed once, when first asked for.
#[derive(Debug, Default)]
pub struct ProjectModules {
    modules: HashMap<String, Place>,
    parsed: RwLock<HashMap<String, Arc<ModuleText>>>,
    /// Each module's [`word_hashes`]: read with the texts on the command line, and
    /// from disk when first asked for in the language server (`None` until then).
    words: RwLock<Option<Mentions>>,
    /// The Django and Jinja2 templates the settings find, by name: where each is and
    /// its language, and each read and parsed when first asked for.
    templates: HashMap<String, (PathBuf, Dialect)>,
    loaded: RwLock<HashMap<String, (Arc<LoadedTemplate>, u64)>>,
}

/// Which modules have which words: (word hash, module) pairs in order, so the modules
/// of a word are one range, found by binary search.
#[derive(Debug, Default)]
struct Mentions {
    pairs: Vec<(u64, u32)>,
    names: Vec<String>,
}

impl Mentions {
    fn of(modules: Vec<(String, Vec<u64>)>) -> Self {
        let mut mentions = Mentions::default();
        for (at, (name, words)) in modules.into_iter().enumerate() {
            mentions.names.push(name);
            mentions
                .pairs
                .extend(words.into_iter().map(|word| (word, at as u32)));
        }
        mentions.pairs.sort_unstable();
        mentions
    }

    /// The modules having the word of hash `word`, sorted.
    fn modules(&self, word: u64) -> Vec<String> {
        let start = self.pairs.partition_point(|(w, _)| *w < word);
        let mut modules: Vec<String> = self.pairs[start..]
            .iter()
            .take_while(|(w, _)| *w == word)
            .map(|(_, at)| self.names[*at as usize].clone())
            .collect();
        modules.sort_unstable();
        modules
    }

    /// The module `name` has the words `words` now.
    fn replace(&mut self, name: &str, words: Vec<u64>) {
        let at = match self.names.iter().position(|n| n == name) {
            Some(at) => at,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        } as u32;
        self.pairs.retain(|(_, module)| *module != at);
        self.pairs.extend(words.into_iter().map(|word| (word, at)));
        self.pairs.sort_unstable();
    }
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
        let words = modules
            .par_iter()
            .filter_map(|(name, place)| match place {
                Place::Read(file, _) => Some((name.clone(), word_hashes(&file.source))),
                Place::Disk(..) => None,
            })
            .collect();
        Self {
            modules,
            parsed: RwLock::default(),
            words: RwLock::new(Some(Mentions::of(words))),
            templates: HashMap::new(),
            loaded: RwLock::default(),
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
            words: RwLock::default(),
            templates: HashMap::new(),
            loaded: RwLock::default(),
        }
    }

    /// With the Django and Jinja2 templates that the settings among `facts` find under
    /// `root` (a name another backend takes is no template we read).
    pub fn with_templates(mut self, root: &Path, facts: &[Arc<FileFacts>]) -> Self {
        self.templates = template_dirs(facts)
            .find(root)
            .into_iter()
            .filter_map(|(name, file)| {
                let dialect = match file.backend {
                    Backend::Django => Dialect::Django,
                    Backend::Jinja2 => Dialect::Jinja2,
                    Backend::Other(_) => return None,
                };
                Some((name, (root.join(file.path), dialect)))
            })
            .collect();
        self
    }

    /// The name the project's template at `path` (absolute) is loaded by.
    pub fn template_named_at(&self, path: &Path) -> Option<String> {
        let mut names = self.templates.iter().filter(|(_, (p, _))| p == path);
        names.next().map(|(name, _)| name.clone())
    }

    /// The file at `path` changed on disk: when it is one of the project's templates, it
    /// is read again when next asked for. Whether it is one.
    pub fn template_changed(&self, path: &Path) -> bool {
        let known = self.templates.values().any(|(p, _)| p == path);
        if known && let Ok(mut loaded) = self.loaded.write() {
            loaded.retain(|_, (template, _)| template.path != path);
        }
        known
    }

    /// The module `name` has `text` now (an edit the language server read): which
    /// words it has changes with it.
    pub fn note_text(&self, name: &str, text: &str) {
        if let Ok(mut words) = self.words.write()
            && let Some(words) = words.as_mut()
        {
            words.replace(name, word_hashes(text));
        }
    }

    /// Every module's words, from disk. Sequential: it runs inside an analysis, which
    /// may be one of the thread pool's tasks, and a parallel loop there could pick up
    /// another analysis waiting for this one's lock.
    fn words_on_disk(&self) -> Mentions {
        let words = self
            .modules
            .iter()
            .filter_map(|(name, place)| {
                let words = match place {
                    Place::Read(file, _) => word_hashes(&file.source),
                    Place::Disk(_, path) => word_hashes(&std::fs::read_to_string(path).ok()?),
                };
                Some((name.clone(), words))
            })
            .collect();
        Mentions::of(words)
    }

    /// The module `name` when another file's analysis already parsed it: its tree can
    /// serve the module's own analysis too.
    pub fn already_parsed(&self, name: &str) -> Option<Arc<ModuleText>> {
        let parsed = self.parsed.read().ok()?;
        parsed
            .get(name)
            .filter(|text| text.file.parsed_tree().is_some())
            .cloned()
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

    fn template(&self, name: &str) -> Option<(Arc<LoadedTemplate>, u64)> {
        if let Some(found) = self.loaded.read().ok()?.get(name) {
            return Some(found.clone());
        }
        let (path, dialect) = self.templates.get(name)?;
        let source = std::fs::read_to_string(path).ok()?;
        let loaded = (
            Arc::new(LoadedTemplate::parse(*dialect, name, path.clone(), &source)),
            content_hash(&source),
        );
        if let Ok(mut all) = self.loaded.write() {
            all.insert(name.to_string(), loaded.clone());
        }
        Some(loaded)
    }

    fn mentioning(&self, word: &str) -> Option<Vec<String>> {
        if self.words.read().ok()?.is_none() {
            let built = self.words_on_disk();
            let mut words = self.words.write().ok()?;
            words.get_or_insert(built);
        }
        let words = self.words.read().ok()?;
        Some(words.as_ref()?.modules(word_hash(word)))
    }
}
