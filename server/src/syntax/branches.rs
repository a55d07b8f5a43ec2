//! What constants passed to a function decide in it: `if with_authors:` in a helper a
//! call passes `with_authors=False` (or leaves at its default `False`) is never taken,
//! so what that branch reads is not the caller's concern.

use std::collections::HashMap;

use tree_sitter::Node;

use super::fields::FIELDS;
use super::node::{CallArgs, descendants, parameters, string_value, text};
use crate::text::TextRange;

/// Code at `at` (none: nowhere in particular) is outside every one of `untaken`.
pub fn reached(at: Option<usize>, untaken: &[TextRange]) -> bool {
    at.is_none_or(|at| !untaken.iter().any(|r| r.start <= at && at < r.end))
}

/// The truth of a constant: `True`, `False`, `None`, a number or a string.
pub fn constant_truth(node: Node<'_>, src: &str) -> Option<bool> {
    Some(match node.kind() {
        "true" => true,
        "false" | "none" => false,
        "integer" | "float" => text(node, src)
            .chars()
            .any(|c| c.is_ascii_digit() && c != '0'),
        "string" => !string_value(node, src)?.is_empty(),
        _ => return None,
    })
}

/// Whether `condition` holds when it tests a name whose truth `known` gives (`if flag:`,
/// `if not flag:`, `if (flag):`).
pub fn truth(condition: Node<'_>, src: &str, known: &dyn Fn(&str) -> Option<bool>) -> Option<bool> {
    match condition.kind() {
        "identifier" => known(text(condition, src)),
        "not_operator" => condition
            .child_by_field_id(FIELDS.argument)
            .and_then(|operand| truth(operand, src, known))
            .map(|truth| !truth),
        "parenthesized_expression" => truth(condition.named_child(0)?, src, known),
        _ => None,
    }
}

/// The branches of the `if` statements in `body` whose condition ([`truth`]) rules them
/// out.
pub fn untaken(body: Node<'_>, src: &str, known: &dyn Fn(&str) -> Option<bool>) -> Vec<TextRange> {
    let mut untaken = Vec::new();
    for stmt in descendants(body).filter(|n| n.kind() == "if_statement") {
        let Some(holds) = stmt
            .child_by_field_id(FIELDS.condition)
            .and_then(|cond| truth(cond, src, known))
        else {
            continue;
        };
        let mut cursor = stmt.walk();
        let alternatives: Vec<Node<'_>> = stmt
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        let consequence = stmt.child_by_field_id(FIELDS.consequence);
        let taken = if holds {
            untaken.extend(alternatives.iter().map(|n| TextRange::of(*n)));
            consequence
        } else {
            untaken.extend(consequence.map(TextRange::of));
            // The `else:` when no `elif` comes first (which of those runs is not known).
            match alternatives.as_slice() {
                [only] if only.kind() == "else_clause" => only.child_by_field_id(FIELDS.body),
                _ => None,
            }
        };
        // `if not flag: return ...`: what follows the `if` is not reached.
        if taken.is_some_and(leaves)
            && let Some(block) = stmt.parent()
        {
            untaken.push(TextRange::new(stmt.end_byte(), block.end_byte()));
        }
    }
    untaken
}

/// The block always leaves the function: its last statement returns or raises.
fn leaves(block: Node<'_>) -> bool {
    let mut cursor = block.walk();
    let last = block
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .last();
    last.is_some_and(|n| matches!(n.kind(), "return_statement" | "raise_statement"))
}

/// The truth each parameter of `def` (written in `def_src`) has in a call passing `args`
/// (written in `call_src`), where that is a constant: the argument's, or the default's
/// when the call passes nothing for it. A call with `*args` or `**kwargs` may pass
/// anything: nothing is known.
pub fn constant_parameters(
    def: Node<'_>,
    def_src: &str,
    args: &CallArgs<'_>,
    call_src: &str,
) -> HashMap<String, bool> {
    let mut known = HashMap::new();
    if args.has_splat {
        return known;
    }
    let names = super::node::parameter_names(def, def_src);
    let positional = names.iter().map_while(|name| *name);
    for (name, arg) in positional.zip(&args.positional) {
        if let Some(truth) = constant_truth(*arg, call_src) {
            known.insert(name.to_string(), truth);
        }
    }
    let passed = |name: &str| {
        let at = names.iter().position(|n| *n == Some(name));
        at.is_some_and(|at| at < args.positional.len())
            || args.keywords.iter().any(|(keyword, _)| keyword == name)
    };
    for (keyword, arg) in &args.keywords {
        if let Some(truth) = constant_truth(*arg, call_src) {
            known.insert(keyword.clone(), truth);
        }
    }
    for param in parameters(def) {
        if !matches!(
            param.kind(),
            "default_parameter" | "typed_default_parameter"
        ) {
            continue;
        }
        let (Some(name), Some(value)) = (
            param.child_by_field_id(FIELDS.name),
            param.child_by_field_id(FIELDS.value),
        ) else {
            continue;
        };
        let name = text(name, def_src);
        if !passed(name)
            && let Some(truth) = constant_truth(value, def_src)
        {
            known.insert(name.to_string(), truth);
        }
    }
    known
}

/// The branches of `body` run only for an object not saved yet: `if self.pk is None:`,
/// `if not self.pk:` (or `id`), `if self._state.adding:`. A row fetched from the
/// database has its key, so a method called on one (`save()` re-ordering new rows)
/// never runs them.
pub fn unsaved_only(body: Node<'_>, object: &str, src: &str) -> Vec<TextRange> {
    let unsaved = [
        format!("{object}.pk is None"),
        format!("{object}.id is None"),
        format!("not {object}.pk"),
        format!("not {object}.id"),
        format!("{object}._state.adding"),
    ];
    descendants(body)
        .filter(|n| n.kind() == "if_statement")
        .filter(|stmt| {
            stmt.child_by_field_id(FIELDS.condition)
                .is_some_and(|cond| unsaved.iter().any(|u| text(cond, src) == u))
        })
        .filter_map(|stmt| stmt.child_by_field_id(FIELDS.consequence))
        .map(TextRange::of)
        .collect()
}
