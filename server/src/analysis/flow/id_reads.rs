//! `obj.author.id` read where `obj.author_id` holds the same value.

use tree_sitter::Node;

use crate::analysis::access;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{descendants, text};
use crate::text::TextRange;

use super::facts::IdRead;
use super::values::{Env, Value};
use super::walker::Walker;

/// Whether the function (else module) around `related` (`test.engagement` of
/// `test.engagement.id`) reads the same expression for more than its id: the related
/// object is then loaded anyway, and reading `engagement_id` would save no query.
pub(super) fn related_object_used(related: Node<'_>, src: &str) -> bool {
    let mut scope = related;
    while let Some(parent) = scope.parent() {
        scope = parent;
        if scope.kind() == "function_definition" {
            break;
        }
    }
    let wanted = text(related, src);
    descendants(scope).any(|other| {
        other.kind() == "attribute"
            && other != related
            && text(other, src) == wanted
            && !other.parent().is_some_and(|parent| {
                parent.kind() == "attribute"
                    && parent.child_by_field_id(FIELDS.object) == Some(other)
                    && parent
                        .child_by_field_id(FIELDS.attribute)
                        .is_some_and(|a| matches!(text(a, src), "id" | "pk"))
            })
    })
}

impl<'a> Walker<'a> {
    /// `obj.author.id` / `obj.author.pk` where `obj` is a known object.
    pub(super) fn id_read(&mut self, node: Node<'a>, parent: Option<Node<'a>>, env: &Env) {
        let Some(attr) = node.child_by_field_id(FIELDS.attribute) else {
            return;
        };
        let name = self.file.text(attr);
        if name != "id" && name != "pk" {
            return;
        }
        if parent.is_some_and(|p| {
            (p.kind() == "call" && p.child_by_field_id(FIELDS.function) == Some(node))
                || ((p.kind() == "assignment" || p.kind() == "augmented_assignment")
                    && p.child_by_field_id(FIELDS.left) == Some(node))
        }) {
            return;
        }
        let Some(fk_node) = node
            .child_by_field_id(FIELDS.object)
            .filter(|o| o.kind() == "attribute")
        else {
            return;
        };
        let Some(owner) = fk_node.child_by_field_id(FIELDS.object) else {
            return;
        };
        let Some(fk_name_node) = fk_node.child_by_field_id(FIELDS.attribute) else {
            return;
        };
        let fk_name = self.file.text(fk_name_node);
        // Every value the owner may have must be a known object: a rule reports only
        // what holds on every path.
        let mut objs = Vec::new();
        for value in self.eval(owner, env) {
            let Value::Obj(mut obj) = value else { return };
            let Some(model) = obj.model() else { return };
            let Some(hop) = access::forward_fk_hop(self.index, model, fk_name) else {
                return;
            };
            if (name == "id" && !access::target_pk_is(self.index, &hop, "id"))
                || !access::id_column_holds_pk(self.index, model, fk_name)
            {
                return;
            }
            obj.path.push(hop);
            objs.push(obj);
        }
        if objs.is_empty() || related_object_used(fk_node, self.src()) {
            return;
        }
        self.facts.id_reads.push(IdRead {
            objs,
            replace: TextRange::new(fk_name_node.start_byte(), node.end_byte()),
            attname: format!("{fk_name}_id"),
        });
    }
}
