//! Which modules of the packages installed beside the project it needs read: those that
//! define the bases, managers and relation targets of its model-like classes, followed
//! through the installed code's own bases, managers and imports. They are read by the
//! same [`extract`] as the project's files, a bounded number of them, and never run.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::contrib;
use super::extract::{
    AliasValue, BaseExpr, ChainStart, ClassFacts, FieldCall, FileFacts, ManagerExpr, Origin,
    TargetExpr, extract,
};
use super::imports::Imported;
use super::scope::Referent;
use crate::syntax::SourceFile;

/// Installed modules read at most: a model's bases rarely span more than a few.
const MAX_MODULES: usize = 200;

/// Packages not read from the environment: ormhint knows them already (Django's
/// queryset API and contrib models, DRF's views), and reading them would replace that
/// knowledge with less.
const KNOWN_PACKAGES: [&str; 2] = ["django", "rest_framework"];

/// Reads, through `load` (a module's dotted name → its file, when installed), the
/// modules the `project`'s classes need; their facts, in the order they were read.
pub fn read_installed(
    project: &[Arc<FileFacts>],
    load: impl FnMut(&str) -> Option<SourceFile>,
) -> Vec<Arc<FileFacts>> {
    let mut reader = Reader {
        project: project.iter().map(|f| (f.module.as_str(), f)).collect(),
        project_packages: project
            .iter()
            .filter_map(|f| f.module.split('.').next())
            .collect(),
        read: HashMap::new(),
        facts: Vec::new(),
        queue: VecDeque::new(),
        seen: HashSet::new(),
        load,
    };
    for file in project {
        for class in &file.classes {
            if may_be_model_part(class) {
                reader.enqueue_class(file, class);
            }
        }
        for alias in &file.aliases {
            reader.enqueue_alias(file, &alias.value);
        }
    }
    while let Some(path) = reader.queue.pop_front() {
        reader.follow(&path);
    }
    reader.facts
}

/// A class that may be a model, a manager or a queryset, or a base of one: what it
/// inherits matters to the index. (Views and forms are left alone.)
fn may_be_model_part(class: &ClassFacts) -> bool {
    !class.fields.is_empty()
        || !class.managers.is_empty()
        || class.meta.is_some()
        || class.name.contains("Manager")
        || class.name.contains("QuerySet")
}

struct Reader<'p, L> {
    project: HashMap<&'p str, &'p Arc<FileFacts>>,
    project_packages: HashSet<&'p str>,
    /// Installed modules looked for, read or not.
    read: HashMap<String, Option<Arc<FileFacts>>>,
    facts: Vec<Arc<FileFacts>>,
    /// Absolute dotted paths to find (`treebeard.mp_tree.MP_Node`).
    queue: VecDeque<Vec<String>>,
    seen: HashSet<Vec<String>>,
    load: L,
}

impl<L: FnMut(&str) -> Option<SourceFile>> Reader<'_, L> {
    fn enqueue(&mut self, path: Vec<String>) {
        if self.seen.insert(path.clone()) {
            self.queue.push_back(path);
        }
    }

    /// What `dotted` names in `file`, as absolute paths to find (one per star import
    /// that may provide it).
    fn enqueue_named(&mut self, file: &FileFacts, dotted: &[String]) {
        let Some((first, rest)) = dotted.split_first() else {
            return;
        };
        let join = |head: &[&str]| -> Vec<String> {
            head.iter()
                .flat_map(|part| part.split('.'))
                .map(str::to_string)
                .chain(rest.iter().cloned())
                .collect()
        };
        if file.defines(first) {
            self.enqueue(join(&[&file.module, first]));
            return;
        }
        match file.imports.get(first) {
            Some(Imported::Name { module, name }) => self.enqueue(join(&[module, name])),
            Some(Imported::Module(module)) => self.enqueue(join(&[module])),
            None => {
                for star in file.imports.stars().to_vec() {
                    self.enqueue(join(&[&star, first]));
                }
            }
        }
    }

    /// The classes `class` is made from: its bases, managers, relation targets and the
    /// queryset classes its methods start from.
    fn enqueue_class(&mut self, file: &FileFacts, class: &ClassFacts) {
        for base in &class.bases {
            match base {
                BaseExpr::Name(dotted) => self.enqueue_named(file, dotted),
                BaseExpr::FromQueryset { manager, queryset } => {
                    self.enqueue_named(file, manager);
                    self.enqueue_named(file, queryset);
                }
                BaseExpr::Other => {}
            }
        }
        for manager in &class.managers {
            match &manager.expr {
                ManagerExpr::Call(dotted) | ManagerExpr::AsManager(dotted) => {
                    self.enqueue_named(file, dotted);
                }
                ManagerExpr::FromQueryset { manager, queryset } => {
                    self.enqueue_named(file, manager);
                    self.enqueue_named(file, queryset);
                }
            }
        }
        for field in &class.fields {
            for target in field.target.iter().chain(&field.through) {
                if let TargetExpr::Name(dotted) = target {
                    self.enqueue_named(file, dotted);
                }
            }
        }
        for method in &class.methods {
            if let ChainStart::Fresh(dotted) = &method.queryset.start {
                self.enqueue_named(file, dotted);
            }
        }
    }

    fn enqueue_alias(&mut self, file: &FileFacts, value: &AliasValue) {
        if let AliasValue::FromQueryset { manager, queryset } = value {
            self.enqueue_named(file, manager);
            self.enqueue_named(file, queryset);
        }
    }

    /// Finds the module holding `path` (the longest prefix that is one) and what the
    /// name after it is there: an installed class is read for what it is made from, an
    /// import or re-export is followed.
    fn follow(&mut self, path: &[String]) {
        for split in (1..=path.len()).rev() {
            let module = path[..split].join(".");
            let Some(facts) = self.module(&module) else {
                continue;
            };
            let Some(name) = path.get(split) else {
                return;
            };
            if let Some(class) = facts.class(name) {
                // The project's own classes are read for themselves.
                if facts.origin == Origin::Installed {
                    self.enqueue_class(&facts, class);
                }
            } else if let Some(alias) = facts.alias(name) {
                self.enqueue_alias(&facts, &alias.value);
            } else if !facts.defines(name) {
                self.enqueue_named(&facts, &path[split..]);
            }
            return;
        }
    }

    /// The module's facts: the project's, else an installed one's, read once.
    fn module(&mut self, module: &str) -> Option<Arc<FileFacts>> {
        if let Some(facts) = self.project.get(module) {
            return Some(Arc::clone(facts));
        }
        let top = module.split('.').next().unwrap_or(module);
        if self.project_packages.contains(top)
            || KNOWN_PACKAGES.contains(&top)
            || contrib::describes(module)
        {
            return None;
        }
        if let Some(read) = self.read.get(module) {
            return read.clone();
        }
        let read = if self.facts.len() < MAX_MODULES {
            (self.load)(module).map(|file| {
                let mut facts = extract(&file);
                facts.origin = Origin::Installed;
                // A package's own settings module configures nothing of the project.
                facts.auth_user_model = None;
                facts.settings.clear();
                Arc::new(facts)
            })
        } else {
            None
        };
        if let Some(facts) = &read {
            self.facts.push(facts.clone());
        }
        self.read.insert(module.to_string(), read.clone());
        read
    }
}

impl super::ModelIndex {
    /// The installed packages whose classes the project's models are built on (a base
    /// of theirs, a manager's class) that the index could not read: reading them would
    /// tell what those models inherit. Top-level package names, sorted.
    pub fn unread_packages(&self) -> Vec<String> {
        let mut packages = Vec::new();
        let mut add = |path: &str| {
            let top = path.split('.').next().unwrap_or(path);
            if !KNOWN_PACKAGES.contains(&top) && top != "builtins" {
                packages.push(top.to_string());
            }
        };
        for model in self.models() {
            let opaque_managers: Vec<&str> = model
                .managers
                .iter()
                .filter(|m| m.opaque)
                .map(|m| m.name.as_str())
                .collect();
            if model.origin != Origin::Project
                || (!model.has_unknown_bases && opaque_managers.is_empty())
            {
                continue;
            }
            let Some(class) = self
                .scope
                .modules
                .get(&model.module)
                .and_then(|facts| facts.class(&model.name))
            else {
                continue;
            };
            // A class that is a model only by its base's name (a pydantic `BaseModel`
            // with `Field()`s) says nothing worth reading its base for.
            let declares_django_fields = class.fields.iter().any(|field| {
                field.call != FieldCall::Plain
                    || matches!(
                        self.scope.resolve(&model.module, &field.callee),
                        Some(Referent::External(path)) if path.starts_with("django.")
                    )
            });
            if model.has_unknown_bases && declares_django_fields {
                let bases: Vec<Vec<String>> = class
                    .bases
                    .iter()
                    .filter_map(|base| base.name().map(<[String]>::to_vec))
                    .collect();
                for path in self.lineage(None, &model.module, &bases).external {
                    add(&path);
                }
            }
            for manager in &class.managers {
                let ManagerExpr::Call(dotted) = &manager.expr else {
                    continue;
                };
                let named_like_one = dotted
                    .last()
                    .is_some_and(|n| n.contains("Manager") || n.contains("QuerySet"));
                if named_like_one
                    && opaque_managers.contains(&manager.name.as_str())
                    && let Some(path) = self.external_name(None, &model.module, dotted)
                {
                    add(&path);
                }
            }
        }
        packages.sort();
        packages.dedup();
        packages
    }
}
