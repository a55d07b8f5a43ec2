//! The model index: every Django model of the project (and the contrib models projects
//! relate to), their fields, relations in both directions, managers and method
//! summaries, read statically from the source.
//!
//! Index Invariant: nothing here imports or runs project code, and a target that cannot
//! be resolved is a `Resolution::Unresolved` value, never an error.

mod model;

pub use model::*;

use std::collections::HashMap;

/// Inputs to the index that do not come from the source.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// `auth-user-model` from config; wins over the settings module.
    pub auth_user_model: Option<String>,
}

/// Every model of the project plus Django's contrib models, with name resolution.
#[derive(Debug, Default)]
pub struct ModelIndex {
    models: Vec<Model>,
    by_label: HashMap<String, ModelId>,
}

impl ModelIndex {
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id.0 as usize]
    }

    /// `"blog.Post"` (model name case-insensitive, as Django treats it).
    pub fn by_label(&self, label: &str) -> Option<ModelId> {
        let (app, name) = label.split_once('.')?;
        self.by_label
            .get(&format!("{app}.{}", name.to_ascii_lowercase()))
            .copied()
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

    pub fn manager(&self, model: ModelId, name: &str) -> Option<&Manager> {
        self.model(model).managers.iter().find(|m| m.name == name)
    }
}

impl ModelIndex {
    /// Reads every model, manager and settings fact from `files` and resolves references
    /// between them.
    pub fn build(files: &[crate::syntax::SourceFile], options: &IndexOptions) -> Self {
        let _ = (files, options);
        Self::default()
    }

    /// The model that `dotted` (`["Post"]`, `["models", "Post"]`) names in `module`,
    /// through its imports and definitions.
    pub fn resolve_model(&self, module: &str, dotted: &[String]) -> Option<ModelId> {
        let _ = (module, dotted);
        None
    }

    /// The model `settings.AUTH_USER_MODEL` names.
    pub fn auth_user_model(&self) -> Option<ModelId> {
        self.by_label("auth.User")
    }

    /// The index as text for `ormhint models`: models, fields, relations both ways.
    pub fn render(&self) -> String {
        String::new()
    }
}
