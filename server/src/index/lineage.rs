//! A class's bases read through the project's own classes: which outside classes it
//! ends up deriving from, and which methods the project's classes in between define.

use std::collections::HashSet;

use super::ModelIndex;
use super::extract::BaseExpr;
use super::imports::ImportMap;
use super::scope::Referent;

/// Packages whose classes are known not to hide what the analysis reads of a view
/// (Django's and DRF's own mixins and views).
const KNOWN_PACKAGES: [&str; 2] = ["django.", "rest_framework."];

/// How deep base classes are followed: project hierarchies of views are shallow.
const MAX_DEPTH: usize = 8;

/// What a class derives from, through the project's classes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lineage {
    /// Outside classes reached, by full dotted path (`django.views.generic.DetailView`).
    pub external: Vec<String>,
    /// Methods the project's classes along the way define.
    pub defines: HashSet<String>,
    /// A base could not be read: not resolved, written as a call, or a class of a
    /// package other than Django and DRF, which may define anything.
    pub unread: bool,
}

impl ModelIndex {
    /// The lineage of a class of `module` whose bases are written `bases`, names
    /// resolved through `imports` when given (an editor's buffer).
    pub fn lineage(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        bases: &[Vec<String>],
    ) -> Lineage {
        let mut lineage = Lineage::default();
        let mut visited = HashSet::new();
        let mut frontier: Vec<(String, Vec<String>, usize)> = bases
            .iter()
            .map(|dotted| (module.to_string(), dotted.clone(), 0))
            .collect();
        while let Some((module, dotted, depth)) = frontier.pop() {
            // The analysed file's own imports apply to its own bases only.
            let imports = imports.filter(|_| depth == 0);
            match self.scope.resolve_through(imports, &module, &dotted) {
                Some(Referent::External(path)) => {
                    lineage.unread |= !KNOWN_PACKAGES.iter().any(|p| path.starts_with(p));
                    lineage.external.push(path);
                }
                Some(Referent::Defined { module, name }) if depth < MAX_DEPTH => {
                    if !visited.insert((module.clone(), name.clone())) {
                        continue;
                    }
                    let class = self
                        .scope
                        .modules
                        .get(&module)
                        .and_then(|facts| facts.classes.iter().find(|c| c.name == name));
                    let Some(class) = class else {
                        lineage.unread = true;
                        continue;
                    };
                    lineage
                        .defines
                        .extend(class.methods.iter().map(|m| m.name.clone()));
                    for base in &class.bases {
                        match base {
                            BaseExpr::Name(dotted) => {
                                frontier.push((module.clone(), dotted.clone(), depth + 1));
                            }
                            _ => lineage.unread = true,
                        }
                    }
                }
                _ => lineage.unread = true,
            }
        }
        lineage
    }

    /// The top-level class of the project (module, name) that `dotted` names in
    /// `module`, through `imports` when given; `None` for anything else.
    pub fn project_class(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        dotted: &[String],
    ) -> Option<(String, String)> {
        let Referent::Defined { module, name } =
            self.scope.resolve_through(imports, module, dotted)?
        else {
            return None;
        };
        let facts = self.scope.modules.get(&module)?;
        facts
            .classes
            .iter()
            .any(|c| c.name == name && !c.ambiguous)
            .then_some((module, name))
    }

    /// The project class (module, name) whose `method` a class of `module` with bases
    /// `bases` inherits: the first to define it in the method resolution order. `None`
    /// when a class before it is outside the project or cannot be read (it may define
    /// the method too), or when a class is reached twice, where Python's order is not
    /// the plain depth-first, left-to-right one followed here.
    pub fn first_definer(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        bases: &[Vec<String>],
        method: &str,
    ) -> Option<(String, String)> {
        let mut stack: Vec<(String, Vec<String>, usize)> = bases
            .iter()
            .rev()
            .map(|dotted| (module.to_string(), dotted.clone(), 0))
            .collect();
        let mut visited = HashSet::new();
        while let Some((module, dotted, depth)) = stack.pop() {
            if dotted == ["object"] {
                continue;
            }
            let imports = imports.filter(|_| depth == 0);
            let Some(Referent::Defined { module, name }) =
                self.scope.resolve_through(imports, &module, &dotted)
            else {
                return None;
            };
            if depth >= MAX_DEPTH || !visited.insert((module.clone(), name.clone())) {
                return None;
            }
            let class = self
                .scope
                .modules
                .get(&module)
                .and_then(|facts| facts.classes.iter().find(|c| c.name == name))?;
            if class.methods.iter().any(|m| m.name == method) {
                return Some((module, name));
            }
            for base in class.bases.iter().rev() {
                let BaseExpr::Name(dotted) = base else {
                    return None;
                };
                stack.push((module.clone(), dotted.clone(), depth + 1));
            }
        }
        None
    }
}
