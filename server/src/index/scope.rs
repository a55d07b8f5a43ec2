//! Name resolution across modules: what a dotted name in a module refers to, following
//! imports, package re-exports and star imports.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use super::extract::FileFacts;
use super::imports::{ImportMap, Imported};

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
    /// The modules that are settings (`FileFacts::is_settings`), which model getters read
    /// at every call.
    pub settings: Vec<Arc<FileFacts>>,
    /// Every module and every package above one (namespace packages included).
    packages: HashSet<String>,
    /// What each (module, dotted name) resolved to, for every resolution that did not
    /// meet a cycle: each is worked out once per index.
    resolved: RwLock<HashMap<Key, Option<Referent>>>,
}

/// A name looked up in a module (`resolve_in`), or a path below a module
/// (`resolve_module`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    In(String, Vec<String>),
    Below(String, Vec<String>),
}

/// One resolution's walk: what it has visited (a lookup met again while it is still
/// being worked out is a cycle, and finds nothing along that path), and how many times
/// it met a cycle, since what was found around one depends on where the walk started.
#[derive(Default)]
struct Walk {
    visited: HashMap<Key, Option<Referent>>,
    cycles: usize,
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
        scope.settings = scope
            .modules
            .values()
            .filter(|facts| facts.is_settings())
            .cloned()
            .collect();
        scope
    }

    pub fn resolve(&self, module: &str, dotted: &[String]) -> Option<Referent> {
        self.lookup(
            Key::In(module.to_string(), dotted.to_vec()),
            &mut Walk::default(),
        )
    }

    /// Like `resolve`, with `imports` in place of the module's recorded imports (for an
    /// editor buffer newer than the index).
    pub fn resolve_with(
        &self,
        imports: &ImportMap,
        module: &str,
        dotted: &[String],
    ) -> Option<Referent> {
        self.resolve_in(module, Some(imports), dotted, &mut Walk::default())
    }

    /// [`Scope::resolve_with`] when `imports` are given, else [`Scope::resolve`].
    pub fn resolve_through(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        dotted: &[String],
    ) -> Option<Referent> {
        match imports {
            Some(imports) => self.resolve_with(imports, module, dotted),
            None => self.resolve(module, dotted),
        }
    }

    /// `key` resolved: from the index's memo, from this walk, or worked out (a cycle
    /// back to a lookup in progress finds nothing).
    fn lookup(&self, key: Key, walk: &mut Walk) -> Option<Referent> {
        if let Some(known) = self.resolved.read().ok().and_then(|m| m.get(&key).cloned()) {
            return known;
        }
        if let Some(seen) = walk.visited.get(&key) {
            // Still being worked out (a cycle), or done earlier in this walk.
            if seen.is_none() {
                walk.cycles += 1;
            }
            return seen.clone();
        }
        walk.visited.insert(key.clone(), None);
        let cycles = walk.cycles;
        let found = match &key {
            Key::In(module, dotted) => self.resolve_in(module, None, dotted, walk),
            Key::Below(module, rest) => self.resolve_module(module, rest, walk),
        };
        if walk.cycles == cycles
            && let Ok(mut memo) = self.resolved.write()
        {
            memo.insert(key.clone(), found.clone());
        }
        walk.visited.insert(key, found.clone());
        found
    }

    fn resolve_in(
        &self,
        module: &str,
        imports: Option<&ImportMap>,
        dotted: &[String],
        walk: &mut Walk,
    ) -> Option<Referent> {
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
                    Imported::Module(m) => self.lookup(Key::Below(m.clone(), rest.to_vec()), walk),
                    Imported::Name { module: m, name } if self.modules.contains_key(m) => {
                        let mut path = Vec::with_capacity(dotted.len());
                        path.push(name.clone());
                        path.extend_from_slice(rest);
                        self.lookup(Key::In(m.clone(), path), walk)
                    }
                    Imported::Name { module: m, name } => {
                        self.lookup(Key::Below(join(m, name), rest.to_vec()), walk)
                    }
                };
            }
            for star in imports.stars() {
                if star != module
                    && self.modules.contains_key(star)
                    && let Some(referent) =
                        self.lookup(Key::In(star.to_string(), dotted.to_vec()), walk)
                {
                    return Some(referent);
                }
            }
        }
        let submodule = join(module, first);
        if self.packages.contains(&submodule) {
            return self.lookup(Key::Below(submodule, rest.to_vec()), walk);
        }
        None
    }

    fn resolve_module(&self, module: &str, rest: &[String], walk: &mut Walk) -> Option<Referent> {
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
            return self.lookup(Key::In(module.to_string(), rest.to_vec()), walk);
        }
        // A namespace package (no `__init__.py`): only its submodules exist.
        let submodule = join(module, first);
        if self.packages.contains(&submodule) {
            return self.lookup(Key::Below(submodule, tail.to_vec()), walk);
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
