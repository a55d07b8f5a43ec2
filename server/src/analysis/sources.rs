//! The project's other modules as the analysis reads them: a call of a function defined
//! in another module is followed into that module's text. The front ends say where the
//! texts are (the command line holds every file it read; the language server reads the
//! disk), the analysis only asks for modules by name.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::analysis::flow::Value;
use crate::index::{ImportMap, Imported, join_dotted};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::undecorated;
use crate::text::content_hash;

/// One module of the project, parsed whole, with what the analysis of another file
/// needs of it.
#[derive(Debug)]
pub struct ModuleText {
    pub file: SourceFile,
    /// [`content_hash`] of its text: an analysis that read the module is valid while the
    /// module's hash is unchanged.
    pub hash: u64,
    /// Its imports, at every level.
    pub imports: ImportMap,
    /// Where each of its top-level functions starts, by name: most modules are asked
    /// for one function many times.
    pub functions: HashMap<String, usize>,
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
    /// `file` parsed whole, its hash and imports read.
    pub fn new(file: SourceFile) -> Self {
        let hash = content_hash(&file.source);
        let imports = ImportMap::of(&file);
        let functions = file
            .top_level()
            .into_iter()
            .map(|(node, _)| undecorated(node))
            .filter(|def| def.kind() == "function_definition")
            .filter_map(|def| {
                let name = def.child_by_field_id(FIELDS.name)?;
                Some((file.text(name).to_string(), def.start_byte()))
            })
            .collect();
        Self {
            file,
            hash,
            imports,
            functions,
            returned: RwLock::default(),
        }
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
}

/// A module the analysis read, by name and [`ModuleText::hash`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ModuleRead {
    pub module: String,
    pub hash: u64,
}

impl ModuleRead {
    /// The module still has the text that was read.
    pub fn unchanged(&self, sources: &dyn ModuleSources) -> bool {
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
        if text.functions.contains_key(&name) {
            return Some((text, name));
        }
        match text.imports.get(&name)? {
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
    /// The top-level function `name`'s definition.
    pub fn function(&self, name: &str) -> Option<tree_sitter::Node<'_>> {
        let start = *self.functions.get(name)?;
        self.file
            .tree()
            .root_node()
            .descendant_for_byte_range(start, start)
            .and_then(|node| node.parent().filter(|def| def.start_byte() == start))
    }

    /// Records this module's text as read.
    pub fn read(&self) -> ModuleRead {
        ModuleRead {
            module: self.file.module.clone(),
            hash: self.hash,
        }
    }
}
