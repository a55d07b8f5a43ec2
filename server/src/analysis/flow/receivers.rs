//! What a function's parameters are when the code or Django's conventions say so:
//! annotations naming a model (`post: Post`, `Optional["Post"]`, `Post | None`) or a
//! queryset of one (`QuerySet[Post]`, `Manager[Post]`), and `request.user`.
//!
//! The caller is not seen, so what it selected or prefetched is unknown (the object's
//! relations may or may not be loaded), but a query the function starts on such a
//! receiver (`post.comments.filter(...)`) is its own, and so are its lookups.

use tree_sitter::Node;

use crate::index::ModelId;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{parameters, string_value, text};

use super::values::{Obj, Qs, Value};
use super::walker::Walker;

/// Django's classes whose subscript names the model of their rows (django-stubs'
/// generics), by full path.
const QUERYSET_CLASSES: [&str; 6] = [
    "django.db.models.QuerySet",
    "django.db.models.query.QuerySet",
    "django.db.models.Manager",
    "django.db.models.manager.Manager",
    "django.db.models.manager.BaseManager",
    "django.db.models.manager.RelatedManager",
];

/// What an annotation says a value is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Annotated {
    /// One object of the model named by this dotted name.
    Object(Vec<String>),
    /// A queryset: the class's dotted name, then the model's.
    Rows(Vec<String>, Vec<String>),
}

impl<'a> Walker<'a> {
    /// Each parameter of `def` whose annotation names a model or a queryset of one, with
    /// its value.
    pub(super) fn annotated_parameters(&self, def: Node<'a>) -> Vec<(String, Value)> {
        parameters(def)
            .into_iter()
            .filter_map(|param| {
                let name = match param.kind() {
                    "typed_parameter" => param.named_child(0),
                    "typed_default_parameter" => param.child_by_field_id(FIELDS.name),
                    _ => None,
                }
                .filter(|name| name.kind() == "identifier")?;
                let annotation = param.child_by_field_id(FIELDS.type_)?;
                let value = self.annotated_value(annotation)?;
                Some((text(name, self.src()).to_string(), value))
            })
            .collect()
    }

    /// `request.<name>`: `user` is one object of the user model, which the
    /// authentication middleware (or a backend we cannot see) loaded; any other attribute
    /// is unknown.
    pub(super) fn request_attribute(&self, name: &str) -> Value {
        let user = (name == "user")
            .then(|| self.index.by_label(&self.auth_label()))
            .flatten();
        match user {
            Some(model) => self.loaded_elsewhere_object(model),
            None => Value::Unknown,
        }
    }

    /// One object of `model` that code we cannot see loaded.
    pub(super) fn loaded_elsewhere_object(&self, model: ModelId) -> Value {
        Value::Obj(Obj {
            qs: loaded_elsewhere(model),
            path: Vec::new(),
            per_row: false,
        })
    }

    fn annotated_value(&self, annotation: Node<'a>) -> Option<Value> {
        let written = annotation.named_child(0).unwrap_or(annotation);
        let source = match written.kind() {
            "string" => string_value(written, self.src())?.to_string(),
            _ => text(written, self.src()).to_string(),
        };
        match read(&source)? {
            Annotated::Object(model) => {
                Some(self.loaded_elsewhere_object(self.resolve_model(&model)?))
            }
            Annotated::Rows(class, model) => {
                let class = self.external_name(&class)?;
                QUERYSET_CLASSES
                    .contains(&class.as_str())
                    .then(|| Some(Value::Qs(loaded_elsewhere(self.resolve_model(&model)?))))?
            }
        }
    }
}

/// Rows of `model` that code we cannot see built: what it selected, prefetched or
/// annotated is unknown.
pub(super) fn loaded_elsewhere(model: ModelId) -> Qs {
    let mut qs = Qs::new(model, None);
    qs.applied.unknown = true;
    qs.annotations = None;
    qs
}

/// An annotation's text read as a model or a queryset of one; `None` for anything else
/// (`list[Post]`, `Post | Comment`, `dict`).
fn read(annotation: &str) -> Option<Annotated> {
    let annotation: String = annotation.chars().filter(|c| !c.is_whitespace()).collect();
    let annotation = unquoted(&annotation);
    let alternatives = split_top_level(annotation, '|');
    let mut kept = alternatives.iter().filter(|a| unquoted(a) != "None");
    let (Some(only), None) = (kept.next(), kept.next()) else {
        return None;
    };
    let only = unquoted(only);
    if alternatives.len() > 1 {
        return read(only);
    }
    match only.split_once('[') {
        None => dotted(only).map(Annotated::Object),
        Some((head, rest)) => {
            let inner = rest.strip_suffix(']')?;
            let head = dotted(head)?;
            if head.last().is_some_and(|last| last == "Optional") {
                return read(inner);
            }
            let queryset_class = head.last().is_some_and(|last| {
                ["QuerySet", "Manager", "BaseManager", "RelatedManager"].contains(&last.as_str())
            });
            if !queryset_class {
                return None;
            }
            // django-stubs' `QuerySet[Post, dict]` names the row type second.
            let arguments = split_top_level(inner, ',');
            let model = dotted(unquoted(arguments.first()?))?;
            Some(Annotated::Rows(head, model))
        }
    }
}

/// `a.b.C` as its names; `None` unless it is a dotted name.
fn dotted(text: &str) -> Option<Vec<String>> {
    let names: Vec<String> = text.split('.').map(str::to_string).collect();
    names
        .iter()
        .all(|name| {
            name.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
        .then_some(names)
}

fn unquoted(text: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    text
}

/// `text` split at `separator` outside brackets.
fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if c == separator && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dotted: &str) -> Vec<String> {
        dotted.split('.').map(str::to_string).collect()
    }

    #[test]
    fn reads_models_and_querysets_of_them() {
        let object = |d| Some(Annotated::Object(names(d)));
        let rows = |c, d| Some(Annotated::Rows(names(c), names(d)));
        assert_eq!(read("Post"), object("Post"));
        assert_eq!(read("\"blog.models.Post\""), object("blog.models.Post"));
        assert_eq!(read("Optional[Post]"), object("Post"));
        assert_eq!(read("typing.Optional['Post']"), object("Post"));
        assert_eq!(read("Post | None"), object("Post"));
        assert_eq!(read("None | \"Post\""), object("Post"));
        assert_eq!(read("QuerySet[Post]"), rows("QuerySet", "Post"));
        assert_eq!(
            read("models.QuerySet[\"Post\", dict]"),
            rows("models.QuerySet", "Post")
        );
        assert_eq!(read("Optional[QuerySet[Post]]"), rows("QuerySet", "Post"));
    }

    #[test]
    fn anything_else_is_unread() {
        for annotation in [
            "Post | Comment",
            "None",
            "dict[str, Post]",
            "Callable[[Post], str]",
            "'Post' if x else 'Comment'",
            "Post[",
            "",
        ] {
            assert_eq!(read(annotation), None, "{annotation}");
        }
    }
}
