//! The project's other modules as the analysis reads them: a call of a function defined
//! in another module is followed into that module's text. The front ends say where the
//! texts are (the command line holds every file it read; the language server reads the
//! disk), the analysis only asks for modules by name.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::analysis::flow::Value;
use crate::analysis::templates::LoadedTemplate;
use crate::index::{ImportMap, Imported, join_dotted};
use crate::syntax::SourceFile;
use crate::text::content_hash;

/// One module of the project, with what the analysis of another file needs of it. Its
/// text is parsed whole only when something in it is read: most modules are asked
/// whether they define a function, and the text answers that.
#[derive(Debug)]
pub struct ModuleText {
    pub file: SourceFile,
    /// [`content_hash`] of its text: an analysis that read the module is valid while the
    /// module's hash is unchanged.
    pub hash: u64,
    /// Its imports, at every level (read when first asked for).
    imports: OnceLock<ImportMap>,
    /// Each `def` written at the start of a line (a top-level function), by name: where
    /// its `def` keyword is, and where the next one starts (or the text ends).
    functions: HashMap<String, (usize, usize)>,
    /// What calls of its functions returned (see [`Returned`]).
    returned: RwLock<Vec<Returned>>,
}

/// What a call of one of a module's functions returned, given what. Values passed to
/// another module and given back carry no place, so a call with the same arguments,
/// from any file, returns the same: a helper called in a thousand tests is walked once.
#[derive(Debug)]
pub struct Returned {
    pub name: String,
    /// How many calls deep it was walked: deeper, fewer calls are followed.
    pub depth: usize,
    pub given: HashMap<String, Vec<Value>>,
    pub values: Vec<Value>,
    /// The modules the walk read.
    pub read: Vec<ModuleRead>,
}

/// How many calls of one module's functions are remembered.
const MAX_REMEMBERED: usize = 256;

impl ModuleText {
    /// `file`, its hash and top-level functions read from its text.
    pub fn new(file: SourceFile) -> Self {
        let hash = content_hash(&file.source);
        let functions = top_level_defs(&file.source);
        Self {
            file,
            hash,
            imports: OnceLock::new(),
            functions,
            returned: RwLock::default(),
        }
    }

    pub fn imports(&self) -> &ImportMap {
        self.imports.get_or_init(|| ImportMap::of(&self.file))
    }

    /// It defines the top-level function `name`.
    pub fn defines(&self, name: &str) -> bool {
        self.functions.contains_key(name)
    }

    /// A line of it starts `class name` (a top-level class, or text in a string).
    pub fn defines_class(&self, name: &str) -> bool {
        let source = &self.file.source;
        source
            .match_indices(&format!("class {name}"))
            .any(|(at, found)| {
                let line_start = at == 0 || source.as_bytes()[at - 1] == b'\n';
                let after = source.as_bytes().get(at + found.len()).copied();
                line_start && matches!(after, Some(b'(' | b':' | b' '))
            })
    }

    /// The text from the top-level function `name` up to the next one: all of its
    /// body, maybe followed by module-level code.
    pub fn function_text(&self, name: &str) -> Option<&str> {
        let (start, end) = *self.functions.get(name)?;
        self.file.source.get(start..end)
    }

    /// What a call of `name` at `depth` given `given` returned, with the modules it read,
    /// when such a call was walked before.
    pub fn returned(
        &self,
        name: &str,
        depth: usize,
        given: &HashMap<String, Vec<Value>>,
    ) -> Option<(Vec<Value>, Vec<ModuleRead>)> {
        let returned = self.returned.read().ok()?;
        returned
            .iter()
            .find(|r| r.name == name && r.depth == depth && r.given == *given)
            .map(|r| (r.values.clone(), r.read.clone()))
    }

    pub fn remember(&self, returned: Returned) {
        if let Ok(mut all) = self.returned.write()
            && all.len() < MAX_REMEMBERED
        {
            all.push(returned);
        }
    }
}

/// Where the analysis finds the project's other modules.
pub trait ModuleSources: Send + Sync + std::fmt::Debug {
    /// The module named `name` (dotted, as the index names modules); `None` when the
    /// project has no such module or it cannot be read.
    fn module(&self, name: &str) -> Option<Arc<ModuleText>>;

    /// [`ModuleText::hash`] of the module, without parsing it where that can be avoided.
    fn hash(&self, name: &str) -> Option<u64> {
        self.module(name).map(|text| text.hash)
    }

    /// The modules whose text has the word `word` (as a name, or in a string or a
    /// comment), sorted; `None` when the sources cannot tell. A module may be listed
    /// that does not have it (words are compared by hash), never the other way round.
    fn mentioning(&self, _word: &str) -> Option<Vec<String>> {
        None
    }

    /// The Django template the project's settings find by `name`, parsed, with the
    /// [`content_hash`] of its text; `None` when there is none or it cannot be read.
    fn template(&self, _name: &str) -> Option<(Arc<LoadedTemplate>, u64)> {
        None
    }
}

/// The words of `source` (what could be a Python name), as sorted [`word_hash`]es.
pub fn word_hashes(source: &str) -> Vec<u64> {
    let mut words: Vec<u64> = source
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.chars().next().is_some_and(|c| !c.is_ascii_digit()))
        .map(word_hash)
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// FNV-1a: words are short and many, and a collision only lists a module too many.
pub fn word_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A module the analysis read, by name and [`ModuleText::hash`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ModuleRead {
    pub module: String,
    pub hash: u64,
}

/// [`ModuleRead::module`] of a record that the analysis asked which modules mention a
/// word (module names have no spaces).
const MENTIONS: &str = "mentions ";

/// [`ModuleRead::module`] of a record that the analysis read a template.
const TEMPLATE: &str = "template ";

impl ModuleRead {
    /// A record that the modules mentioning `word` were `modules`: an analysis that
    /// looked for every call of a function holds while no module starts or stops
    /// naming it (those that do are read, and recorded, as modules).
    pub fn mentions(word: &str, modules: &[String]) -> Self {
        ModuleRead {
            module: format!("{MENTIONS}{word}"),
            hash: content_hash(&modules.join("\n")),
        }
    }

    /// A record that the template `name`, of text hash `hash`, was read.
    pub fn template(name: &str, hash: u64) -> Self {
        ModuleRead {
            module: format!("{TEMPLATE}{name}"),
            hash,
        }
    }

    /// The module still has the text that was read (the same modules mention the word,
    /// the template has the same text).
    pub fn unchanged(&self, sources: &dyn ModuleSources) -> bool {
        if let Some(word) = self.module.strip_prefix(MENTIONS) {
            return sources
                .mentioning(word)
                .is_some_and(|modules| Self::mentions(word, &modules).hash == self.hash);
        }
        if let Some(name) = self.module.strip_prefix(TEMPLATE) {
            return sources.template(name).map(|(_, hash)| hash) == Some(self.hash);
        }
        sources.hash(&self.module) == Some(self.hash)
    }
}

/// How many `from x import f` re-exports are followed to the module defining `f`.
const MAX_REEXPORTS: usize = 3;

/// The module of the project that defines the top-level function a dotted callee
/// (`recent_posts`, `queries.recent_posts`) names through `imports`, with the name it
/// has there (re-exports followed: `from .impl import f` in a package's `__init__.py`).
pub fn function_elsewhere(
    sources: &dyn ModuleSources,
    imports: &ImportMap,
    dotted: &[String],
) -> Option<(Arc<ModuleText>, String)> {
    let (first, rest) = dotted.split_first()?;
    let (mut module, mut name) = match (imports.get(first)?, rest.split_last()) {
        (Imported::Name { module, name }, None) => (module.clone(), name.clone()),
        (imported, Some((name, middle))) => {
            let base = match imported {
                Imported::Name { module, name } => join_dotted(module, name),
                Imported::Module(module) => module.clone(),
            };
            let module = middle
                .iter()
                .fold(base, |module, part| join_dotted(&module, part));
            (module, name.clone())
        }
        (Imported::Module(_), None) => return None,
    };
    for _ in 0..=MAX_REEXPORTS {
        let text = sources.module(&module)?;
        if text.defines(&name) {
            return Some((text, name));
        }
        // A class (`Post(...)`) is no function; reading imports parses the module.
        if text.defines_class(&name) {
            return None;
        }
        match text.imports().get(&name)? {
            Imported::Name {
                module: next,
                name: next_name,
            } => (module, name) = (next.clone(), next_name.clone()),
            Imported::Module(_) => return None,
        }
    }
    None
}

impl ModuleText {
    /// The top-level function `name`'s definition (the text parsed for it).
    pub fn function(&self, name: &str) -> Option<tree_sitter::Node<'_>> {
        let (start, _) = *self.functions.get(name)?;
        let keyword = self
            .file
            .tree()
            .root_node()
            .descendant_for_byte_range(start, start)?;
        let def = keyword
            .parent()
            .filter(|def| def.kind() == "function_definition")?;
        // At the top level, decorated or not (not a `def` inside a string).
        let outer = def
            .parent()
            .filter(|p| p.kind() == "decorated_definition")
            .unwrap_or(def);
        outer
            .parent()
            .is_some_and(|p| p.kind() == "module")
            .then_some(def)
    }

    /// Records this module's text as read.
    pub fn read(&self) -> ModuleRead {
        ModuleRead {
            module: self.file.module.clone(),
            hash: self.hash,
        }
    }
}

/// The functions defined at the start of a line of `source` (`def name(`, `async def
/// name(`), by name: where the `def` keyword is, and where the next one's line starts.
/// A `def` at the start of a line inside a string is found too; reading it finds no
/// definition there.
fn top_level_defs(source: &str) -> HashMap<String, (usize, usize)> {
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let (keyword, rest) = match line.strip_prefix("async ") {
            Some(rest) => (line_start + 6, rest),
            None => (line_start, line),
        };
        if let Some(rest) = rest.strip_prefix("def ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                starts.push((name, keyword, line_start));
            }
        }
        line_start += line.len();
    }
    let mut functions = HashMap::new();
    for (at, (name, keyword, _)) in starts.iter().enumerate() {
        let end = starts.get(at + 1).map_or(source.len(), |next| next.2);
        // A name defined twice: the last definition is the one that holds.
        functions.insert(name.clone(), (*keyword, end));
    }
    functions
}
