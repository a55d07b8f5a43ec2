//! The loop over rows read only for their key, rewritten over the keys themselves.

use tree_sitter::Node;

use crate::analysis::access::AccessKind;
use crate::analysis::flow::{LoopFact, Qs, enclosing_function};
use crate::analysis::rules::Context;
use crate::fix::Edit;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{descendants, text};
use crate::text::TextRange;

/// Queryset methods after which `values_list()` gives the same rows, one key each.
const SAME_ROWS: &[&str] = &["all", "filter", "exclude", "order_by"];

/// The edits turning each `row.pk` of the loop into `row`, when the loop variable is
/// mentioned nowhere else (not after the loop either, where Python keeps it bound) and
/// the iterated expression takes `.values_list(...)` without changing its rows; the
/// caller appends that call.
pub(super) fn keys(ctx: &Context<'_>, fact: &LoopFact, qs: &Qs) -> Option<Vec<Edit>> {
    if qs.annotations.as_ref().is_none_or(|names| !names.is_empty()) {
        return None;
    }
    let src = &*ctx.file.source;
    let iter = ctx
        .file
        .node_for_range(fact.iter_range.start, fact.iter_range.end)?;
    if TextRange::of(iter) != fact.iter_range || !takes_values_list(iter, src) {
        return None;
    }
    let clause = iter.parent()?;
    if clause.child_by_field_id(FIELDS.right) != Some(iter) {
        return None;
    }
    let row = clause
        .child_by_field_id(FIELDS.left)
        .filter(|left| left.kind() == "identifier")?;
    let (scope, inside) = match clause.kind() {
        "for_statement" => (enclosing_function(clause)?, clause.child_by_field_id(FIELDS.body)?),
        "for_in_clause" => {
            let comprehension = clause.parent()?;
            let mut cursor = comprehension.walk();
            let clauses = comprehension
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "for_in_clause")
                .count();
            (clauses == 1).then_some((comprehension, comprehension))?
        }
        _ => return None,
    };
    let name = text(row, src);
    let key_reads: Vec<TextRange> = fact
        .accesses
        .iter()
        .filter(|a| a.kind == AccessKind::Pk)
        .map(|a| a.range)
        .collect();
    let mut edits = Vec::new();
    for mention in descendants(scope).filter(|n| {
        n.kind() == "identifier" && *n != row && text(*n, src) == name && !is_attribute_name(*n)
    }) {
        let read = mention.parent().filter(|p| {
            p.kind() == "attribute" && p.child_by_field_id(FIELDS.object) == Some(mention)
        })?;
        let within = inside.start_byte() <= read.start_byte() && read.end_byte() <= inside.end_byte();
        if !within || !key_reads.contains(&TextRange::of(read)) {
            return None;
        }
        edits.push(Edit::replacement(TextRange::of(read), name));
    }
    Some(edits)
}

/// A chain ending in a method that keeps its rows (a name may hold `qs.iterator()`, or
/// a slice, where `values_list()` would fail or differ).
fn takes_values_list(iter: Node<'_>, src: &str) -> bool {
    match iter.kind() {
        "call" => iter
            .child_by_field_id(FIELDS.function)
            .filter(|f| f.kind() == "attribute")
            .and_then(|f| f.child_by_field_id(FIELDS.attribute))
            .is_some_and(|method| SAME_ROWS.contains(&text(method, src))),
        _ => false,
    }
}

/// `title` of `post.title`: a name that is no variable.
fn is_attribute_name(node: Node<'_>) -> bool {
    node.parent().is_some_and(|p| {
        matches!(p.kind(), "attribute" | "keyword_argument")
            && p.child_by_field_id(FIELDS.object) != Some(node)
            && p.child_by_field_id(FIELDS.value) != Some(node)
    })
}

/// The iterated chain starts at a parameter of the function around the loop
/// (`user.saved_lists.all()` in `def export(user)`), whose caller may have prefetched it.
pub(super) fn root_is_parameter(ctx: &Context<'_>, fact: &LoopFact) -> bool {
    let src = &*ctx.file.source;
    let Some(mut root) = ctx
        .file
        .node_for_range(fact.iter_range.start, fact.iter_range.end)
    else {
        return true;
    };
    loop {
        let next = match root.kind() {
            "call" => root.child_by_field_id(FIELDS.function),
            "attribute" => root.child_by_field_id(FIELDS.object),
            "subscript" => root.child_by_field_id(FIELDS.value),
            _ => break,
        };
        match next {
            Some(next) => root = next,
            None => return true,
        }
    }
    let name = text(root, src);
    std::iter::successors(root.parent(), |n| n.parent())
        .filter(|n| matches!(n.kind(), "function_definition" | "lambda"))
        .filter_map(|def| def.child_by_field_id(FIELDS.parameters))
        .any(|params| descendants(params).any(|n| n.kind() == "identifier" && text(n, src) == name))
}
