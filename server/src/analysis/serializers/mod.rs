//! What a Django REST framework serializer reads of each instance it is given: a
//! serializer class is a function of its instance (see DESIGN, "Across functions, files
//! and layers"), and this is its summary. A view or a call that hands it rows is the
//! call site: the flow analysis applies the rows' queryset to the summary, as it does
//! with a template's.
//!
//! Read from the class as written, importing nothing from DRF (its semantics, from its
//! documentation):
//! - `ModelSerializer`: `Meta.fields` (a list, or `"__all__"`: the model's fields,
//!   forward relations and many-to-many, no reverse relation), `Meta.exclude`,
//!   `Meta.depth`; a declared field overrides the model's. A forward relation by
//!   default reads only its id column (`PrimaryKeyRelatedField`'s pk-only
//!   optimisation); a many-valued one iterates its manager's `.all()`. With
//!   `depth = n`, relations are nested serializers of all their fields, n levels.
//! - Declared fields ([`fields`]): nested serializers (`many=True` iterates the
//!   related manager), `source=`, `SerializerMethodField` (its method's uses of the
//!   instance), the related fields DRF ships, `write_only=True` (not read).
//! - The project's base serializers pass their fields, `Meta` and methods on.
//!
//! What cannot be told is a [`Gap`], and the summary is not given: a base outside
//! the project and DRF, an override that decides what is read (`to_representation`,
//! `__init__`, which often drops fields), a field class of the project or of another
//! package, a `Meta` that is not written as literals.

mod fields;
mod meta;

use std::collections::HashSet;
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::sources::ModuleText;
use crate::index::{ImportMap, ModelId, ModelIndex};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{assignment_sides, undecorated};
use crate::syntax::uses::Use;

use meta::Meta;

/// Serializers nested at most (declared nested serializers, `depth`): an API's "info"
/// serializers nest five deep (plan, meals, items, ingredient, its units).
pub const MAX_NESTING: usize = 8;

/// Base classes of the project followed at most, from a serializer up.
const MAX_BASES: usize = 8;

/// Methods whose override decides what the serializer reads, or which fields it has.
const OVERRIDES: [&str; 11] = [
    "__init__",
    "to_representation",
    "get_fields",
    "get_field_names",
    "get_default_field_names",
    "build_field",
    "build_relational_field",
    "build_nested_field",
    "build_property_field",
    "build_standard_field",
    "get_attribute",
];

/// Class attributes that change which field class DRF builds for a model field.
const FIELD_MAPPINGS: [&str; 4] = [
    "serializer_related_field",
    "serializer_field_mapping",
    "serializer_url_field",
    "serializer_choice_field",
];

/// DRF's serializer base classes, by their full path.
const MODEL_SERIALIZER: &str = "rest_framework.serializers.ModelSerializer";
const SERIALIZER: &str = "rest_framework.serializers.Serializer";

/// A module of the project as the summary reads it.
pub enum ClassFile<'f> {
    /// The file being analysed (maybe an editor's buffer).
    Here(&'f SourceFile),
    Elsewhere(Arc<ModuleText>),
}

impl ClassFile<'_> {
    pub fn file(&self) -> &SourceFile {
        match self {
            ClassFile::Here(file) => file,
            ClassFile::Elsewhere(text) => &text.file,
        }
    }
}

/// Where the summary finds the project's modules and their imports.
pub trait Classes {
    fn index(&self) -> &ModelIndex;
    /// The module `module`'s text; each one read is recorded by the implementation.
    fn file(&self, module: &str) -> Option<ClassFile<'_>>;
    /// The imports names of `module` resolve through, when not the index's.
    fn imports(&self, module: &str) -> Option<&ImportMap>;
}

/// What a serializer reads of each instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serializer {
    /// The class name.
    pub class: String,
    /// `Meta.model` of a `ModelSerializer`.
    pub model: Option<ModelId>,
    pub reads: Vec<Read>,
}

/// One thing a serializer field reads of the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The serializer's field it is for.
    pub field: String,
    /// Attribute names looked up in turn from the instance (callables called, as DRF
    /// calls them); empty for the instance itself.
    pub path: Vec<String>,
    pub kind: ReadKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadKind {
    /// The value at the path is read.
    Value,
    /// The object at the path is turned into text (`__str__`).
    Text,
    /// The related object at the path is read for its id only: the id column of the
    /// relation is read (DRF's pk-only optimisation).
    Pk,
    /// The related manager at the path is iterated (`.all()`), each row read so.
    Rows(Vec<Read>),
    /// A method of the serializer given the instance: its uses of it, written in
    /// another file (their places mean nothing here).
    Method(Vec<Use>),
}

/// Why a serializer's reads cannot be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub class: String,
    pub reason: GapReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapReason {
    /// Not a serializer of DRF we can read (another package's base, an unread class).
    NotReadable,
    /// A method or attribute that decides what is read.
    Overrides(String),
    /// A field of a class DRF does not ship, or one we do not model.
    Field(String),
    /// `Meta` written in a way we do not read.
    Meta,
    /// A `SerializerMethodField` whose method is not found.
    NoMethod(String),
    /// Nested deeper than [`MAX_NESTING`], or nested in itself.
    TooDeep,
}

/// The serializer class `name` of `module`, summarised.
pub fn summarize(classes: &dyn Classes, module: &str, name: &str) -> Result<Serializer, Gap> {
    Summarizer {
        classes,
        active: Vec::new(),
    }
    .serializer(module, name)
}

/// A class of the project, read: what the summary needs of it.
struct Class {
    name: String,
    /// `name = <value>` statements in its body, in order (declared fields and others).
    assignments: Vec<(String, Assigned)>,
    /// `def` names, with the method's second parameter and its uses in the body
    /// (`get_<field>(self, obj)`).
    methods: Vec<(String, Option<Vec<Use>>)>,
    meta: Option<Meta>,
    bases: Vec<Vec<String>>,
}

/// A class attribute's value.
#[derive(Debug, Clone)]
enum Assigned {
    Field(fields::Declared),
    /// `field = None`: a base's field removed.
    Removed,
    Other,
}

pub(super) struct Summarizer<'c> {
    classes: &'c dyn Classes,
    /// Serializers being summarised, outermost first (guards nesting in itself).
    active: Vec<(String, String)>,
}

impl Summarizer<'_> {
    fn gap(&self, class: &str, reason: GapReason) -> Gap {
        Gap {
            class: class.to_string(),
            reason,
        }
    }

    fn index(&self) -> &ModelIndex {
        self.classes.index()
    }

    /// The project class `dotted` names in `module`.
    fn class_named(&self, module: &str, dotted: &[String]) -> Option<(String, String)> {
        self.index()
            .project_class(self.classes.imports(module), module, dotted)
    }

    /// The full path of the outside class `dotted` names in `module`.
    fn external(&self, module: &str, dotted: &[String]) -> Option<String> {
        self.index()
            .external_name(self.classes.imports(module), module, dotted)
    }

    fn serializer(&mut self, module: &str, name: &str) -> Result<Serializer, Gap> {
        let key = (module.to_string(), name.to_string());
        if self.active.len() >= MAX_NESTING || self.active.contains(&key) {
            return Err(self.gap(name, GapReason::TooDeep));
        }
        self.active.push(key);
        let summary = self.serializer_unguarded(module, name);
        self.active.pop();
        summary
    }

    fn serializer_unguarded(&mut self, module: &str, name: &str) -> Result<Serializer, Gap> {
        let (lineage, drf_base) = self.lineage(module, name)?;
        let model_serializer = drf_base == MODEL_SERIALIZER;
        let mut declared: Vec<(String, fields::Declared)> = Vec::new();
        let mut methods: Vec<(String, Option<Vec<Use>>)> = Vec::new();
        // Bases first, so a subclass's declarations replace theirs.
        for class in lineage.iter().rev() {
            for (field, assigned) in &class.assignments {
                if FIELD_MAPPINGS.contains(&field.as_str()) {
                    return Err(self.gap(name, GapReason::Overrides(field.clone())));
                }
                declared.retain(|(f, _)| f != field);
                if let Assigned::Field(decl) = assigned {
                    declared.push((field.clone(), decl.clone()));
                }
            }
            for (method, uses) in &class.methods {
                if OVERRIDES.contains(&method.as_str()) {
                    return Err(self.gap(name, GapReason::Overrides(method.clone())));
                }
                methods.retain(|(m, _)| m != method);
                methods.push((method.clone(), uses.clone()));
            }
        }
        let meta = self.meta_of(&lineage)?;
        let mut reads = Vec::new();
        let model = if model_serializer {
            let meta = meta.ok_or_else(|| self.gap(name, GapReason::Meta))?;
            let model = meta.model.ok_or_else(|| self.gap(name, GapReason::Meta))?;
            let names = meta
                .field_names(self.index(), model, &declared)
                .ok_or_else(|| self.gap(name, GapReason::Meta))?;
            for field in names {
                if meta.write_only.contains(&field) {
                    continue;
                }
                match declared.iter().find(|(f, _)| *f == field) {
                    Some((_, decl)) => {
                        self.declared_reads(&lineage[0], &field, decl, &methods, &mut reads)?;
                    }
                    None => self.model_field_reads(model, &field, meta.depth, &mut reads)?,
                }
            }
            Some(model)
        } else {
            for (field, decl) in &declared {
                self.declared_reads(&lineage[0], field, decl, &methods, &mut reads)?;
            }
            None
        };
        Ok(Serializer {
            class: name.to_string(),
            model,
            reads,
        })
    }

    /// The project classes from `name` up (itself first, in method resolution order when
    /// each has one base, which is all this reads), and DRF's serializer base they reach.
    fn lineage(&self, module: &str, name: &str) -> Result<(Vec<Class>, String), Gap> {
        let unreadable = || self.gap(name, GapReason::NotReadable);
        let mut lineage = Vec::new();
        let mut seen = HashSet::new();
        let (mut module, mut class_name) = (module.to_string(), name.to_string());
        for _ in 0..MAX_BASES {
            if !seen.insert((module.clone(), class_name.clone())) {
                return Err(unreadable());
            }
            let class = self
                .read_class(&module, &class_name)
                .ok_or_else(unreadable)?;
            // Several bases: mixins of the project or of DRF's, whose order matters.
            let [base] = &class.bases[..] else {
                return Err(unreadable());
            };
            let base = base.clone();
            lineage.push(class);
            if let Some(path) = self.external(&module, &base) {
                return match path.as_str() {
                    MODEL_SERIALIZER | SERIALIZER => Ok((lineage, path)),
                    _ => Err(unreadable()),
                };
            }
            (module, class_name) = self.class_named(&module, &base).ok_or_else(unreadable)?;
        }
        Err(unreadable())
    }

    /// The class `name` of `module` as written.
    fn read_class(&self, module: &str, name: &str) -> Option<Class> {
        let text = self.classes.file(module)?;
        let file = text.file();
        let class = file.top_level_class(name)?;
        let body = class.child_by_field_id(FIELDS.body)?;
        let src = &*file.source;
        let mut read = Class {
            name: name.to_string(),
            assignments: Vec::new(),
            methods: Vec::new(),
            meta: None,
            bases: crate::syntax::node::written_bases(class, src)?,
        };
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            let stmt = undecorated(stmt);
            match stmt.kind() {
                "expression_statement" => {
                    let Some((left, right)) = assignment_sides(stmt) else {
                        continue;
                    };
                    if left.kind() != "identifier" {
                        continue;
                    }
                    let assigned = match right.kind() {
                        "none" => Assigned::Removed,
                        "call" => Assigned::Field(fields::declared(self, module, right, src)),
                        _ => Assigned::Other,
                    };
                    read.assignments
                        .push((file.text(left).to_string(), assigned));
                }
                "function_definition" => {
                    let Some(method) = stmt.child_by_field_id(FIELDS.name) else {
                        continue;
                    };
                    read.methods
                        .push((file.text(method).to_string(), instance_uses(stmt, src)));
                }
                "class_definition"
                    if stmt
                        .child_by_field_id(FIELDS.name)
                        .is_some_and(|n| file.text(n) == "Meta") =>
                {
                    read.meta = Some(meta::read(self, module, stmt, src));
                }
                _ => {}
            }
        }
        Some(read)
    }
}

/// The uses of a method's second parameter (the instance of `get_<field>(self, obj)`)
/// in its body; `None` without one.
fn instance_uses(def: Node<'_>, src: &str) -> Option<Vec<Use>> {
    let names = crate::syntax::node::parameter_names(def, src);
    let param = names.get(1).copied().flatten()?;
    let body = def.child_by_field_id(FIELDS.body)?;
    Some(crate::syntax::uses::uses_of(body, param, src))
}

#[cfg(test)]
mod tests;
