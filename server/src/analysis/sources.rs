//! The project's other modules as the analysis reads them: a call of a function defined
//! in another module is followed into that module's text. The front ends say where the
//! texts are (the command line holds every file it read; the language server reads the
//! disk), the analysis only asks for modules by name.

use std::sync::Arc;

use crate::index::ImportMap;
use crate::syntax::SourceFile;
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
}

impl ModuleText {
    /// `file` parsed whole, its hash and imports read.
    pub fn new(file: SourceFile) -> Self {
        let hash = content_hash(&file.source);
        let imports = ImportMap::of(&file);
        Self {
            file,
            hash,
            imports,
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
