//! Name resolution across modules: what a dotted name in a module refers to, following
//! imports, package re-exports and star imports.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::extract::FileFacts;
use super::imports::{ImportMap, Imported};

/// Re-exports are followed at most this deep (cycles end here too).
const MAX_DEPTH: u32 = 24;

/// What a dotted name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Referent {
    /// A class or alias defined at the top of a module we read.
    Defined { module: String, name: String },
    /// A module or package we read.
    Module(String),
    /// Something outside the project, by its full dotted path (`django.db.models.Model`).
    External(String),
}

/// Every module the index read, by dotted name.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub modules: HashMap<String, Arc<FileFacts>>,
    /// Every module and every package above one (namespace packages included).
    packages: HashSet<String>,
}

impl Scope {
    pub fn new(files: impl IntoIterator<Item = Arc<FileFacts>>) -> Self {
        let mut scope = Scope::default();
        for facts in files {
            let mut prefix = String::new();
            for part in facts.module.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                scope.packages.insert(prefix.clone());
            }
            // The first file of a module wins: the project's own before a duplicate.
            scope.modules.entry(facts.module.clone()).or_insert(facts);
        }
        scope
    }

    pub fn resolve(&self, module: &str, dotted: &[String]) -> Option<Referent> {
        self.resolve_in(module, None, dotted, 0)
    }

    /// Like `resolve`, with `imports` in place of the module's recorded imports (for an
    /// editor buffer newer than the index).
    pub fn resolve_with(
        &self,
        imports: &ImportMap,
        module: &str,
        dotted: &[String],
    ) -> Option<Referent> {
        self.resolve_in(module, Some(imports), dotted, 0)
    }

    fn resolve_in(
        &self,
        module: &str,
        imports: Option<&ImportMap>,
        dotted: &[String],
        depth: u32,
    ) -> Option<Referent> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (first, rest) = dotted.split_first()?;
        let facts = self.modules.get(module);
        if facts.is_some_and(|f| f.defines(first)) {
            return rest.is_empty().then(|| Referent::Defined {
                module: module.to_string(),
                name: first.clone(),
            });
        }
        if let Some(imports) = imports.or(facts.map(|f| &f.imports)) {
            if let Some(imported) = imports.get(first) {
                return match imported {
                    Imported::Module(m) => self.resolve_module(m, rest, depth + 1),
                    Imported::Name { module: m, name } if self.modules.contains_key(m) => {
                        let mut path = Vec::with_capacity(dotted.len());
                        path.push(name.clone());
                        path.extend_from_slice(rest);
                        self.resolve_in(m, None, &path, depth + 1)
                    }
                    Imported::Name { module: m, name } => {
                        self.resolve_module(&join(m, name), rest, depth + 1)
                    }
                };
            }
            for star in imports.stars() {
                if star != module
                    && self.modules.contains_key(star)
                    && let Some(referent) = self.resolve_in(star, None, dotted, depth + 1)
                {
                    return Some(referent);
                }
            }
        }
        let submodule = join(module, first);
        if self.packages.contains(&submodule) {
            return self.resolve_module(&submodule, rest, depth + 1);
        }
        None
    }

    fn resolve_module(&self, module: &str, rest: &[String], depth: u32) -> Option<Referent> {
        if depth > MAX_DEPTH {
            return None;
        }
        if !self.packages.contains(module) {
            let mut path = module.to_string();
            for part in rest {
                path.push('.');
                path.push_str(part);
            }
            return Some(Referent::External(path));
        }
        let Some((first, tail)) = rest.split_first() else {
            return Some(Referent::Module(module.to_string()));
        };
        if self.modules.contains_key(module) {
            return self.resolve_in(module, None, rest, depth + 1);
        }
        // A namespace package (no `__init__.py`): only its submodules exist.
        let submodule = join(module, first);
        if self.packages.contains(&submodule) {
            return self.resolve_module(&submodule, tail, depth + 1);
        }
        Some(Referent::External(format!("{module}.{}", rest.join("."))))
    }
}

pub(crate) fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else {
        format!("{base}.{name}")
    }
}
