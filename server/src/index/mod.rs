//! The model index: every Django model of the project (and the contrib models projects
//! relate to), their fields, relations in both directions, managers and method
//! summaries, read statically from the source.
//!
//! Built in two steps so an edit costs little: [`extract`] reads one file into
//! [`FileFacts`] (pure, per file, in parallel), and [`ModelIndex::from_facts`] resolves
//! names across files into models. The language server re-extracts a changed file and
//! resolves again.
//!
//! Index Invariant: nothing here imports or runs project code, and a target that cannot
//! be resolved is a `Resolution::Unresolved` value, never an error.

mod contrib;
mod extract;
mod imports;
mod installed;
mod lineage;
mod model;
mod model_refs;
pub mod queryset_api;
mod receivers;
mod render;
mod resolve;
mod scope;
pub mod templates;

pub use extract::mentions_model;
pub use extract::{
    AliasFacts, AliasValue, Backend, BaseExpr, ChainStart, ClassFacts, EngineNames, EngineSettings,
    FieldCall, FieldFacts, FileFacts, ManagerExpr, ManagerFacts, MetaFacts, MethodFacts, Origin,
    QuerysetFacts, ReceiverFacts, TargetExpr, TemplateSettings, extract,
};
pub use imports::{ImportMap, Imported};
pub use installed::read_installed;
pub use lineage::Lineage;
pub use model::*;
pub use model_refs::{FunctionFacts, Locals, ValueExpr, names_of, value_expr};
pub(crate) use scope::join as join_dotted;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use scope::{Referent, Scope};

/// Inputs to the index that do not come from the source.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// `auth-user-model` from config; wins over the settings module.
    pub auth_user_model: Option<String>,
    /// Facts of the installed packages' modules the project needs ([`read_installed`]).
    pub installed: Vec<Arc<FileFacts>>,
    /// The installed Django's `(major, minor)`, where its behaviour differs between
    /// versions (the admin changelist's own `select_related`); `None` when not known.
    pub django_version: Option<(u32, u32)>,
}

/// Every model of the project plus Django's contrib models, with name resolution.
#[derive(Debug, Default)]
pub struct ModelIndex {
    models: Vec<Model>,
    /// `app_label.modelname` (lower-cased model name) → model.
    by_label: HashMap<String, ModelId>,
    /// `blog.models.Post`: defining module and class name → model.
    by_qualname: HashMap<String, ModelId>,
    auth_user_model: Option<ModelId>,
    /// `blog.models.Post` of an alias naming a model (`Post = get_model("blog", "Post")`).
    alias_models: HashMap<String, ModelId>,
    scope: Scope,
    /// The project's files, as given (contrib stubs and installed packages excluded).
    files: Vec<Arc<FileFacts>>,
    /// The installed packages' modules read ([`IndexOptions::installed`]).
    installed: Vec<Arc<FileFacts>>,
    django_version: Option<(u32, u32)>,
    /// Unique to this build of the index: what was computed against it can say so.
    generation: u64,
}

impl ModelIndex {
    /// A number no other index built in this process has.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn models(&self) -> &[Model] {
        &self.models
    }

    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id.0 as usize]
    }

    /// `"blog.Post"` (model name case-insensitive, as Django treats it).
    pub fn by_label(&self, label: &str) -> Option<ModelId> {
        let (app, name) = label.split_once('.')?;
        self.by_label.get(&resolve::label_key(app, name)).copied()
    }

    /// The attribute `name` on instances of `model`.
    pub fn attribute(&self, model: ModelId, name: &str) -> Option<Attribute<'_>> {
        let model = self.model(model);
        if name == "pk" {
            return Some(Attribute::Pk);
        }
        if let Some(field) = model.fields.iter().find(|f| f.name == name) {
            return Some(Attribute::Field(field));
        }
        if let Some(field) = model
            .fields
            .iter()
            .find(|f| f.attname().as_deref() == Some(name))
        {
            return Some(Attribute::Attname(field));
        }
        if let Some(reverse) = model
            .reverse
            .iter()
            .find(|r| r.accessor.as_deref() == Some(name))
        {
            return Some(Attribute::Reverse(reverse));
        }
        model
            .methods
            .iter()
            .find(|m| m.name == name)
            .map(Attribute::Method)
    }

    /// The one concrete model whose managers are built from the project class
    /// `qualname` (a manager or queryset class, or a base of one): what the `self` of
    /// its methods works on. `None` when no model or several do.
    pub fn model_managed_by(&self, qualname: &str) -> Option<ModelId> {
        let mut users = self.models.iter().enumerate().filter(|(_, model)| {
            !model.is_abstract
                && model.managers.iter().any(|m| {
                    m.classes
                        .binary_search_by(|c| c.as_str().cmp(qualname))
                        .is_ok()
                })
        });
        let (Some((at, _)), None) = (users.next(), users.next()) else {
            return None;
        };
        Some(ModelId(at as u32))
    }

    pub fn manager(&self, model: ModelId, name: &str) -> Option<&Manager> {
        self.model(model).managers.iter().find(|m| m.name == name)
    }

    /// The model `AUTH_USER_MODEL` names (config, else settings, else `auth.User`).
    pub fn auth_user_model(&self) -> Option<ModelId> {
        self.auth_user_model
    }

    /// The facts of every project file the index was built from.
    pub fn files(&self) -> &[Arc<FileFacts>] {
        &self.files
    }

    /// The facts of the installed packages' modules the index read.
    pub fn installed(&self) -> &[Arc<FileFacts>] {
        &self.installed
    }

    /// [`IndexOptions::django_version`].
    pub fn django_version(&self) -> Option<(u32, u32)> {
        self.django_version
    }
}

impl ModelIndex {
    /// Reads every model, manager and settings fact from `files` and resolves references
    /// between them.
    pub fn build(files: &[crate::syntax::SourceFile], options: &IndexOptions) -> Self {
        let facts: Vec<Arc<FileFacts>> = files
            .par_iter()
            .map(|file| Arc::new(extract(file)))
            .collect();
        Self::from_facts(facts, options)
    }

    /// Resolves the facts of every file (from [`extract`]) into an index.
    pub fn from_facts(
        facts: impl IntoIterator<Item = Arc<FileFacts>>,
        options: &IndexOptions,
    ) -> Self {
        let mut files: Vec<Arc<FileFacts>> = facts.into_iter().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        // The project's modules win over Django's and installed ones of the same name.
        let scope = Scope::new(
            files
                .iter()
                .cloned()
                .chain(contrib::facts().iter().cloned())
                .chain(options.installed.iter().cloned()),
        );
        let resolved = resolve::resolve(&scope, options.auth_user_model.as_deref());
        Self {
            models: resolved.models,
            by_label: resolved.by_label,
            by_qualname: resolved.by_qualname,
            auth_user_model: resolved.auth_user_model,
            alias_models: resolved.alias_models,
            scope,
            files,
            installed: options.installed.clone(),
            django_version: options.django_version,
            generation: next_generation(),
        }
    }

    /// This index with one file's facts replaced (or added), resolved again.
    pub fn with_file(&self, facts: Arc<FileFacts>, options: &IndexOptions) -> Self {
        let mut files: Vec<Arc<FileFacts>> = self
            .files
            .iter()
            .filter(|f| f.path != facts.path)
            .cloned()
            .collect();
        files.push(facts);
        Self::from_facts(files, options)
    }

    /// The model that `dotted` (`["Post"]`, `["models", "Post"]`) names in `module`,
    /// through its imports and definitions.
    pub fn resolve_model(&self, module: &str, dotted: &[String]) -> Option<ModelId> {
        self.model_of(self.scope.resolve(module, dotted)?)
    }

    /// Like [`ModelIndex::resolve_model`] for a module whose text is newer than the
    /// index (an editor buffer): `imports` from [`ImportMap::of`] replace the recorded ones.
    pub fn resolve_with(
        &self,
        imports: &ImportMap,
        module: &str,
        dotted: &[String],
    ) -> Option<ModelId> {
        self.model_of(self.scope.resolve_with(imports, module, dotted)?)
    }

    /// The model a call names (`get_model("catalogue", "Product")`,
    /// `get_image_model()`) in `module`, through `imports` when given (see
    /// [`ModelIndex::resolve_with`]).
    pub fn model_of_call(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        call: &ValueExpr,
    ) -> Option<ModelId> {
        let evaluator = model_refs::Evaluator {
            scope: &self.scope,
            imports: imports.map(|imports| (module, imports)),
            by_label: &self.by_label,
            by_qualname: &self.by_qualname,
            models: &self.models,
            auth_user_model: self.auth_user_model,
        };
        evaluator.model(module, call)
    }

    /// The imports the index recorded for `module` (none for a module it did not read,
    /// or read nothing of: see [`extract`]).
    pub fn imports_of(&self, module: &str) -> Option<&ImportMap> {
        self.scope.modules.get(module).map(|facts| &facts.imports)
    }

    /// `dotted` names something in `module`: an import or a top-level class or assignment.
    pub fn names_anything(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        dotted: &[String],
    ) -> bool {
        self.scope
            .resolve_through(imports, module, dotted)
            .is_some()
    }

    /// The full dotted path of what `dotted` names in `module` when it is outside the
    /// project (`django.db.models.QuerySet`), through `imports` when given.
    pub fn external_name(
        &self,
        imports: Option<&ImportMap>,
        module: &str,
        dotted: &[String],
    ) -> Option<String> {
        match self.scope.resolve_through(imports, module, dotted)? {
            Referent::External(path) => Some(path),
            _ => None,
        }
    }

    fn model_of(&self, referent: Referent) -> Option<ModelId> {
        let Referent::Defined { module, name } = referent else {
            return None;
        };
        let qualname = format!("{module}.{name}");
        if let Some(id) = self
            .by_qualname
            .get(&qualname)
            .or_else(|| self.alias_models.get(&qualname))
        {
            return Some(*id);
        }
        let alias = self.scope.modules.get(&module)?.alias(&name)?;
        match alias.value {
            AliasValue::UserModel => self.auth_user_model,
            AliasValue::FromQueryset { .. } | AliasValue::Model(_) => None,
        }
    }

    /// The index as text for `ormhint models`: models, fields, relations both ways.
    pub fn render(&self) -> String {
        render::render(self)
    }
}

fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
