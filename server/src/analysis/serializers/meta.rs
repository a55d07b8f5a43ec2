//! A serializer's `class Meta`: the model, which of its fields, how deep relations nest.

use tree_sitter::Node;

use crate::index::{FieldKind, ModelId, ModelIndex};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{assignment_sides, dotted_name, string_value, text, written_bases};

use super::fields::Declared;
use super::{Class, Gap, GapReason, Summarizer};

/// `Meta` as written in one class; `None` for an option it does not set.
#[derive(Debug, Clone, Default)]
pub(super) struct Meta {
    pub model: Option<ModelId>,
    pub fields: Option<Names>,
    pub exclude: Option<Names>,
    pub depth: Option<usize>,
    /// Fields `extra_kwargs` makes `write_only`.
    pub write_only: Vec<String>,
    /// `class Meta(Base.Meta)`: the classes whose `Meta` it extends.
    pub bases: Vec<String>,
    /// An option set in a way this does not read (or one that changes how the
    /// serializer lists its rows, `list_serializer_class`).
    pub unread: bool,
}

/// A list of field names as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Names {
    /// `"__all__"`.
    All,
    /// Literal names, after the names of other classes' `Meta` option of the same
    /// name (`fields = Base.Meta.fields + ["x"]`).
    Listed {
        inherited: Vec<String>,
        names: Vec<String>,
    },
}

/// `Meta` with what it extends applied.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub model: Option<ModelId>,
    fields: Option<Names>,
    exclude: Option<Names>,
    pub depth: usize,
    pub write_only: Vec<String>,
}

/// The `class Meta` statement `meta` of a class of `module`.
pub(super) fn read(summarizer: &Summarizer<'_>, module: &str, meta: Node<'_>, src: &str) -> Meta {
    let mut read = Meta::default();
    match written_bases(meta, src) {
        Some(bases) => {
            for base in bases {
                match &base[..] {
                    [class, last] if last == "Meta" => read.bases.push(class.clone()),
                    _ => read.unread = true,
                }
            }
        }
        None => read.unread = true,
    }
    let Some(body) = meta.child_by_field_id(FIELDS.body) else {
        read.unread = true;
        return read;
    };
    let mut cursor = body.walk();
    for stmt in body.named_children(&mut cursor) {
        let Some((left, right)) = assignment_sides(stmt) else {
            continue;
        };
        match text(left, src) {
            "model" => {
                let dotted = dotted_name(right, src).unwrap_or_default();
                let imports = summarizer.classes.imports(module);
                let index = summarizer.index();
                read.model = match imports {
                    Some(imports) => index.resolve_with(imports, module, &dotted),
                    None => index.resolve_model(module, &dotted),
                };
                read.unread |= read.model.is_none();
            }
            "fields" => read.fields = names(right, src, "fields", &mut read.unread),
            "exclude" => read.exclude = names(right, src, "exclude", &mut read.unread),
            "depth" => {
                read.depth = text(right, src).parse().ok();
                read.unread |= read.depth.is_none();
            }
            "extra_kwargs" => match write_only(right, src) {
                Some(fields) => read.write_only = fields,
                None => read.unread = true,
            },
            "list_serializer_class" => read.unread = true,
            _ => {}
        }
    }
    read
}

/// `["a", "b"]`, `("a",)`, `"__all__"`, `Base.Meta.<option> + [...]`.
fn names(node: Node<'_>, src: &str, option: &str, unread: &mut bool) -> Option<Names> {
    let mut inherited = Vec::new();
    let mut names = Vec::new();
    let mut parts = vec![node];
    let mut constants = 0;
    while let Some(part) = parts.pop() {
        match part.kind() {
            "string" if string_value(part, src) == Some("__all__") && part == node => {
                return Some(Names::All);
            }
            "list" | "tuple" => {
                let mut cursor = part.walk();
                for item in part.named_children(&mut cursor) {
                    if item.kind() == "comment" {
                        continue;
                    }
                    match string_value(item, src) {
                        Some(name) => names.push(name.to_string()),
                        None => *unread = true,
                    }
                }
            }
            "binary_operator"
                if part
                    .child_by_field_id(FIELDS.operator)
                    .is_some_and(|o| text(o, src) == "+") =>
            {
                parts.extend(part.child_by_field_id(FIELDS.right));
                parts.extend(part.child_by_field_id(FIELDS.left));
            }
            "parenthesized_expression" => parts.extend(part.named_child(0)),
            // `fields = BASE_FIELDS`: a list the module binds once at its top level.
            "identifier" if constants < MAX_CONSTANTS => match module_constant(part, src) {
                Some(value) => {
                    constants += 1;
                    parts.push(value);
                }
                None => *unread = true,
            },
            _ => match dotted_name(part, src).as_deref() {
                Some([class, meta, name]) if meta == "Meta" && name == option => {
                    inherited.push(class.clone());
                }
                _ => *unread = true,
            },
        }
    }
    Some(Names::Listed { inherited, names })
}

/// Module constants followed at most in one list of names (`A = B + [...]`).
const MAX_CONSTANTS: usize = 8;

/// The value the name `name` is bound to by the one top-level assignment of it in its
/// module; `None` when it is bound otherwise, or more than once.
fn module_constant<'t>(name: Node<'t>, src: &str) -> Option<Node<'t>> {
    let module = std::iter::successors(Some(name), |n| n.parent()).last()?;
    let mut cursor = module.walk();
    let mut values = module.named_children(&mut cursor).filter_map(|stmt| {
        let (left, right) = assignment_sides(stmt)?;
        (left.kind() == "identifier" && text(left, src) == text(name, src)).then_some(right)
    });
    let value = values.next()?;
    let bound_elsewhere = crate::syntax::node::descendants(module).any(|n| {
        n.kind() == "identifier"
            && text(n, src) == text(name, src)
            && n.parent().is_some_and(|p| {
                matches!(p.kind(), "augmented_assignment" | "global_statement")
                    || (p.kind() == "assignment"
                        && p.child_by_field_id(FIELDS.left) == Some(n)
                        && p.child_by_field_id(FIELDS.right) != Some(value))
            })
    });
    (values.next().is_none() && !bound_elsewhere).then_some(value)
}

/// The fields `extra_kwargs = {"password": {"write_only": True}}` makes write-only;
/// `None` when it is not a dict of dicts.
fn write_only(node: Node<'_>, src: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    for (field, options) in crate::syntax::node::dict_string_items(node, src)? {
        for (option, value) in crate::syntax::node::dict_string_items(options, src)? {
            if option == "write_only" && text(value, src) == "True" {
                fields.push(field.clone());
            }
        }
    }
    Some(fields)
}

impl Summarizer<'_> {
    /// The `Meta` the serializer whose classes are `lineage` (itself first) has: the
    /// first one declared, with the `Meta`s of other classes it extends; `None` when
    /// none declares one.
    pub(super) fn meta_of(&self, lineage: &[Class]) -> Result<Option<Resolved>, Gap> {
        let Some(at) = lineage.iter().position(|c| c.meta.is_some()) else {
            return Ok(None);
        };
        let name = &lineage[0].name;
        let resolved = self
            .resolve(lineage, at, 0)
            .ok_or_else(|| self.gap(name, GapReason::Meta))?;
        Ok(Some(resolved))
    }

    /// The `Meta` of `lineage[at]`, its bases' options under its own.
    fn resolve(&self, lineage: &[Class], at: usize, depth: usize) -> Option<Resolved> {
        let meta = lineage.get(at)?.meta.as_ref()?;
        if meta.unread || depth > lineage.len() {
            return None;
        }
        let mut bases = Vec::new();
        for base in &meta.bases {
            let position = lineage.iter().position(|c| c.name == *base)?;
            bases.push(self.resolve(lineage, position, depth + 1)?);
        }
        let inherit = |own: &Option<Names>, pick: fn(&Resolved) -> &Option<Names>| {
            own.clone()
                .or_else(|| bases.iter().find_map(|b| pick(b).clone()))
        };
        let mut resolved = Resolved {
            model: meta.model.or_else(|| bases.iter().find_map(|b| b.model)),
            fields: inherit(&meta.fields, |b| &b.fields),
            exclude: inherit(&meta.exclude, |b| &b.exclude),
            depth: meta
                .depth
                .or_else(|| bases.first().map(|b| b.depth))
                .unwrap_or(0),
            write_only: meta.write_only.clone(),
        };
        // `Base.Meta.fields + [...]`: the base's list, resolved, then these.
        resolved.fields = self.concatenated(lineage, resolved.fields, depth, |r| &r.fields)?;
        resolved.exclude = self.concatenated(lineage, resolved.exclude, depth, |r| &r.exclude)?;
        Some(resolved)
    }
}

impl Summarizer<'_> {
    /// `names` with the lists it names of other classes' `Meta` (the option `pick`
    /// gives) put before its own; `None` when one of those is not a list.
    fn concatenated(
        &self,
        lineage: &[Class],
        names: Option<Names>,
        depth: usize,
        pick: fn(&Resolved) -> &Option<Names>,
    ) -> Option<Option<Names>> {
        let Some(Names::Listed { inherited, names }) = names else {
            return Some(names);
        };
        let mut all = Vec::new();
        for class in &inherited {
            let position = lineage.iter().position(|c| c.name == *class)?;
            let base = self.resolve(lineage, position, depth + 1)?;
            let Some(Names::Listed { names, .. }) = pick(&base) else {
                return None;
            };
            all.extend(names.iter().cloned());
        }
        all.extend(names);
        Some(Some(Names::Listed {
            inherited: Vec::new(),
            names: all,
        }))
    }
}

/// The fields of `model` that `fields = "__all__"` serialises: its columns and forward
/// relations (many-to-many included), no generic relation.
pub(super) fn model_field_names(index: &ModelIndex, model: ModelId) -> Vec<String> {
    index
        .model(model)
        .fields
        .iter()
        .filter(|f| {
            !matches!(
                f.kind,
                FieldKind::GenericForeignKey | FieldKind::GenericRelation(_)
            )
        })
        .map(|f| f.name.clone())
        .collect()
}

impl Resolved {
    /// The names of the fields a `ModelSerializer` of `model` with these options and
    /// the `declared` fields has, in order; `None` when DRF would refuse the options.
    pub(super) fn field_names(
        &self,
        index: &ModelIndex,
        model: ModelId,
        declared: &[(String, Declared)],
    ) -> Option<Vec<String>> {
        let all = || -> Vec<String> {
            // The primary key, the declared fields, the model's fields and forward
            // relations (many-to-many included); no reverse relation, no generic one.
            let mut names = model_field_names(index, model);
            for (name, _) in declared {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
            names
        };
        match (&self.fields, &self.exclude) {
            (Some(Names::All), None) => Some(all()),
            (Some(Names::Listed { names, .. }), None) => Some(names.clone()),
            (
                None,
                Some(Names::Listed {
                    names: excluded, ..
                }),
            ) => {
                let mut names = all();
                names.retain(|n| !excluded.contains(n));
                Some(names)
            }
            _ => None,
        }
    }
}
