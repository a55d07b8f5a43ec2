//! Which `ModelAdmin` classes of a module are registered, for which models:
//! `@admin.register(...)`, `admin.site.register(...)` and a custom `AdminSite`
//! instance's `register(...)`.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::index::ModelId;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{assignment_sides, call_args, dotted_name, text};

use super::super::walker::Walker;

const MODEL_ADMIN: [&str; 2] = [
    "django.contrib.admin.ModelAdmin",
    "django.contrib.admin.options.ModelAdmin",
];
/// Inline bases whose templates show each row's `__str__` and its read-only fields.
const INLINES: [&str; 4] = [
    "django.contrib.admin.TabularInline",
    "django.contrib.admin.StackedInline",
    "django.contrib.admin.options.TabularInline",
    "django.contrib.admin.options.StackedInline",
];
const ADMIN_SITE: [&str; 2] = [
    "django.contrib.admin.AdminSite",
    "django.contrib.admin.sites.AdminSite",
];
const DEFAULT_SITE: [&str; 2] = [
    "django.contrib.admin.site",
    "django.contrib.admin.sites.site",
];
const REGISTER: [&str; 2] = [
    "django.contrib.admin.register",
    "django.contrib.admin.decorators.register",
];
/// A `ModelAdmin` class of the module and the models it is registered for.
pub(in crate::analysis::flow) struct Registered<'a> {
    /// The module-level statement holding the class.
    pub(in crate::analysis::flow) stmt: Node<'a>,
    pub(in crate::analysis::flow) class: Node<'a>,
    pub(in crate::analysis::flow) models: Vec<ModelId>,
    /// The `register(...)` calls naming the class apart from its decorators.
    pub(in crate::analysis::flow) calls: Vec<Node<'a>>,
    /// The module's inline classes its `inlines` names, each as its statement and its
    /// class; an entry that is no such class is not listed.
    pub(in crate::analysis::flow) inlines: Vec<(Node<'a>, Node<'a>)>,
}

/// What a changelist's facts depend on beyond the class's own text and the functions
/// it calls (`definition_key`): the `register()` calls, and the functions named as
/// columns, each with its place from the class.
pub(in crate::analysis::flow) fn changelist_key(
    registered: &Registered<'_>,
    functions: &HashMap<String, Node<'_>>,
    source: &str,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    "admin changelist".hash(&mut hasher);
    let start = registered.stmt.start_byte() as isize;
    let class_text = text(registered.stmt, source);
    for node in registered
        .calls
        .iter()
        .chain(registered.inlines.iter().map(|(stmt, _)| stmt))
    {
        text(*node, source).hash(&mut hasher);
        (node.start_byte() as isize - start).hash(&mut hasher);
    }
    let inline_texts: Vec<&str> = registered
        .inlines
        .iter()
        .map(|(stmt, _)| text(*stmt, source))
        .collect();
    let mut named: Vec<(&String, &Node<'_>)> = functions
        .iter()
        .filter(|(name, _)| {
            std::iter::once(class_text)
                .chain(inline_texts.iter().copied())
                .any(|t| t.contains(name.as_str()))
        })
        .collect();
    named.sort_by_key(|(name, _)| *name);
    for (name, def) in named {
        name.hash(&mut hasher);
        text(*def, source).hash(&mut hasher);
        (def.start_byte() as isize - start).hash(&mut hasher);
    }
    hasher.finish()
}

impl<'a> Walker<'a> {
    /// The full name `node` (a dotted name) stands for outside the project.
    fn external(&self, node: Node<'a>) -> Option<String> {
        let dotted = dotted_name(node, self.src())?;
        let imports = self
            .imports
            .or_else(|| self.index.imports_of(&self.file.module));
        self.index
            .external_name(imports, &self.file.module, &dotted)
    }

    /// Every class of the module whose bases are Django's `ModelAdmin` alone, with the
    /// models `@admin.register(...)` or a site's `register(Model, Class)` give it.
    pub(in crate::analysis::flow) fn admin_registrations(
        &self,
        statements: &[Node<'a>],
    ) -> Vec<Registered<'a>> {
        let mut classes: Vec<Registered<'a>> = Vec::new();
        let mut sites: Vec<String> = Vec::new();
        let mut calls: Vec<Node<'a>> = Vec::new();
        let mut inline_classes: HashMap<&str, (Node<'a>, Node<'a>)> = HashMap::new();
        for &stmt in statements {
            match stmt.kind() {
                "class_definition" | "decorated_definition" => {
                    let class = match stmt.child_by_field_id(FIELDS.definition) {
                        Some(def) => def,
                        None => stmt,
                    };
                    if class.kind() != "class_definition" {
                        continue;
                    }
                    if self.is_admin_site_class(class) {
                        if let Some(name) = class.child_by_field_id(FIELDS.name) {
                            sites.push(self.file.text(name).to_string());
                        }
                        continue;
                    }
                    let mut models = Vec::new();
                    let mut cursor = stmt.walk();
                    for decorator in stmt.named_children(&mut cursor) {
                        if decorator.kind() != "decorator" {
                            continue;
                        }
                        let Some(call) = decorator.named_child(0).filter(|c| c.kind() == "call")
                        else {
                            continue;
                        };
                        let function = call.child_by_field_id(FIELDS.function);
                        if function
                            .and_then(|f| self.external(f))
                            .is_some_and(|full| REGISTER.contains(&full.as_str()))
                        {
                            let args = call_args(call, self.src());
                            models.extend(
                                args.positional.iter().filter_map(|m| self.model_named(*m)),
                            );
                        }
                    }
                    if self.all_bases_in(class, &INLINES) {
                        if let Some(name) = class.child_by_field_id(FIELDS.name) {
                            inline_classes.insert(self.file.text(name), (stmt, class));
                        }
                        continue;
                    }
                    classes.push(Registered {
                        stmt,
                        class,
                        models,
                        calls: Vec::new(),
                        inlines: Vec::new(),
                    });
                }
                "expression_statement" => {
                    if let Some((left, right)) = assignment_sides(stmt) {
                        // `site = MyAdminSite(...)`: a custom site's instance.
                        let constructed = (right.kind() == "call")
                            .then(|| right.child_by_field_id(FIELDS.function))
                            .flatten();
                        if let Some(function) = constructed
                            && (sites.contains(&self.file.text(function).to_string())
                                || self
                                    .external(function)
                                    .is_some_and(|f| ADMIN_SITE.contains(&f.as_str())))
                        {
                            sites.push(self.file.text(left).to_string());
                        }
                        continue;
                    }
                    if let Some(call) = stmt.named_child(0).filter(|c| c.kind() == "call") {
                        calls.push(call);
                    }
                }
                _ => {}
            }
        }
        for call in calls {
            let Some(function) = call.child_by_field_id(FIELDS.function) else {
                continue;
            };
            let Some(receiver) = function
                .child_by_field_id(FIELDS.object)
                .filter(|_| function.kind() == "attribute")
            else {
                continue;
            };
            let method = function
                .child_by_field_id(FIELDS.attribute)
                .map(|a| self.file.text(a));
            let site = sites.contains(&self.file.text(receiver).to_string())
                || self
                    .external(receiver)
                    .is_some_and(|f| DEFAULT_SITE.contains(&f.as_str()));
            if method != Some("register") || !site {
                continue;
            }
            let args = call_args(call, self.src());
            let (Some(models), Some(class)) = (args.positional.first(), args.positional.get(1))
            else {
                continue;
            };
            let class_name = self.file.text(*class);
            let Some(registered) = classes.iter_mut().find(|r| {
                r.class
                    .child_by_field_id(FIELDS.name)
                    .is_some_and(|n| self.file.text(n) == class_name)
            }) else {
                continue;
            };
            let models: Vec<Node<'a>> = match models.kind() {
                "list" | "tuple" => {
                    let mut cursor = models.walk();
                    models.named_children(&mut cursor).collect()
                }
                _ => vec![*models],
            };
            registered
                .models
                .extend(models.into_iter().filter_map(|m| self.model_named(m)));
            registered.calls.push(call);
        }
        classes.retain(|r| !r.models.is_empty() && self.all_bases_in(r.class, &MODEL_ADMIN));
        for registered in &mut classes {
            registered.inlines = self
                .inline_names(registered.class)
                .into_iter()
                .filter_map(|name| inline_classes.get(name).copied())
                .collect();
        }
        classes
    }

    /// The names the class's `inlines = [...]` lists, when it is a list or tuple.
    fn inline_names(&self, class: Node<'a>) -> Vec<&'a str> {
        let Some(body) = class.child_by_field_id(FIELDS.body) else {
            return Vec::new();
        };
        let mut cursor = body.walk();
        let value = body
            .named_children(&mut cursor)
            .filter_map(assignment_sides)
            .filter(|(left, _)| self.file.text(*left) == "inlines")
            .last()
            .map(|(_, right)| right);
        let Some(value) = value.filter(|v| matches!(v.kind(), "list" | "tuple")) else {
            return Vec::new();
        };
        let mut cursor = value.walk();
        value
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "identifier")
            .map(|n| self.file.text(n))
            .collect()
    }

    pub(super) fn model_named(&self, node: Node<'a>) -> Option<ModelId> {
        self.resolve_model(&dotted_name(node, self.src())?)
    }

    /// Every base is one of Django's `classes`: what another base adds is not read.
    fn all_bases_in(&self, class: Node<'a>, classes: &[&str]) -> bool {
        let bases = self.bases(class);
        !bases.is_empty()
            && bases
                .iter()
                .all(|full| classes.contains(&full.as_deref().unwrap_or("")))
    }

    /// Some base is Django's `AdminSite`.
    fn is_admin_site_class(&self, class: Node<'a>) -> bool {
        self.bases(class)
            .iter()
            .any(|full| ADMIN_SITE.contains(&full.as_deref().unwrap_or("")))
    }

    /// The full name outside the project of each base of `class`, when it has one.
    fn bases(&self, class: Node<'a>) -> Vec<Option<String>> {
        let Some(bases) = class.child_by_field_id(FIELDS.superclasses) else {
            return Vec::new();
        };
        let mut cursor = bases.walk();
        let bases: Vec<Node<'a>> = bases.named_children(&mut cursor).collect();
        bases.into_iter().map(|base| self.external(base)).collect()
    }
}
