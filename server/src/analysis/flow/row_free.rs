//! Mentions of a queryset that run a query of their own without fetching its rows.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::text;

/// `qs.count()`, `qs.exists()`, `qs.update(...)`: Django turns each into a query that
/// selects no column of the rows (or writes them), so what `only()` or a prefetch does
/// to the queryset changes nothing there. `delete()` is not one: Django fetches the rows
/// it deletes when signals or cascades need them, and receivers read their fields.
pub(super) fn fetches_no_rows(name: Node<'_>, src: &str) -> bool {
    let Some(attribute) = name.parent().filter(|p| p.kind() == "attribute") else {
        return false;
    };
    if attribute.child_by_field_id(FIELDS.object) != Some(name) {
        return false;
    }
    let called = attribute.parent().is_some_and(|p| {
        p.kind() == "call" && p.child_by_field_id(FIELDS.function) == Some(attribute)
    });
    called
        && attribute
            .child_by_field_id(FIELDS.attribute)
            .is_some_and(|method| matches!(text(method, src), "count" | "exists" | "update"))
}
