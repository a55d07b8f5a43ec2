//! A queryset tested (`if qs.exists():`, `if qs.count() > 0:`) or counted
//! (`total = qs.count()`) and then iterated: `count()` and `exists()` never fill the
//! result cache, so the iteration runs a second query (ORM204).

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, text};
use crate::text::TextRange;

use super::facts::IteratedAfter;
use super::loops::is_self_assignment;

/// What the code before the iteration learnt of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measured {
    /// `if qs.exists():`: the iteration counts inside the `if`, or after it when the
    /// `if` never leaves.
    NonEmpty,
    /// `if not qs.exists():`: the iteration counts in the `else`, or after the `if`.
    Empty,
    /// `total = qs.count()` as a statement: the iteration counts after it.
    Counted,
}

/// The name `qs` iterated after `measured` on the path where the rows are wanted, with
/// no other mention of the name before it (nor before `measured`, but for the
/// assignments that must be there: rows fetched earlier would serve `count()` from the
/// cache). `None` when unsure.
pub(super) fn iterated_after(
    measured: Node<'_>,
    qs: Node<'_>,
    how: Measured,
    scope: Node<'_>,
    src: &str,
) -> Option<IteratedAfter> {
    if qs.kind() != "identifier" {
        return None;
    }
    let name = text(qs, src);
    let mentions = mentions_of(scope, name, src)?;
    let (start, end) = (measured.start_byte(), measured.end_byte());
    let mut earlier = mentions.iter().filter(|m| m.end_byte() <= start).peekable();
    // Assigned here, and only assigned before: a parameter's rows a caller may have
    // fetched already, and then `count()` costs nothing.
    if earlier.peek().is_none() || !earlier.all(|m| is_self_assignment(*m, name, src)) {
        return None;
    }
    let next = *mentions.iter().find(|m| m.start_byte() >= end)?;
    if !is_iteration(next, src) {
        return None;
    }
    // Where the loop must be, and the node up to which nothing may decide whether it
    // runs.
    let (reached, region) = match how {
        Measured::NonEmpty | Measured::Empty => {
            let test = measured.parent().filter(|p| p.kind() == "if_statement")?;
            if test.child_by_field_id(FIELDS.condition) != Some(measured) {
                return None;
            }
            let body = test.child_by_field_id(FIELDS.consequence)?;
            let alternative = test.child_by_field_id(FIELDS.alternative);
            let block = test.parent()?;
            if how == Measured::NonEmpty {
                if within(next, body) {
                    (true, body)
                } else {
                    (!may_leave(body) && after_in_block(test, next), block)
                }
            } else if let Some(alt) =
                alternative.filter(|a| a.kind() == "else_clause" && within(next, *a))
            {
                (true, alt)
            } else {
                // Run exactly when there were no rows, often to create some, which the
                // loop then reads: rows fetched at the test would miss them.
                if !may_leave(body) && descendants(body).any(|n| n.kind() == "call") {
                    return None;
                }
                (after_in_block(test, next), block)
            }
        }
        Measured::Counted => {
            let statement = statement_of(measured)?;
            let after =
                statement.kind() == "expression_statement" && after_in_block(statement, next);
            (after, statement.parent()?)
        }
    };
    if !reached || !runs_whenever(next, region) {
        return None;
    }
    // After `if not qs.exists():`, its body is off the loop's path (it left, or the
    // loop is in the `else`).
    let off_path = match how {
        Measured::Empty => measured
            .parent()
            .and_then(|test| test.child_by_field_id(FIELDS.consequence)),
        Measured::NonEmpty | Measured::Counted => None,
    };
    let calls_between = descendants(scope).any(|n| {
        n.kind() == "call"
            && n.start_byte() >= end
            && n.end_byte() <= next.start_byte()
            && !off_path.is_some_and(|body| within(n, body))
    });
    Some(IteratedAfter {
        range: TextRange::of(next),
        calls_between,
    })
}

/// Nothing between the iterated `name` and `region` decides whether the iteration runs:
/// no `if`, `while`, `except`, other loop, conditional or boolean expression. Else the
/// rows fetched at the test may be rows nothing reads.
fn runs_whenever(name: Node<'_>, region: Node<'_>) -> bool {
    let mut current = name;
    while let Some(parent) = current.parent() {
        if parent == region {
            return true;
        }
        let decides = match parent.kind() {
            // The iterable of a loop is evaluated whenever the loop is reached; its body
            // may run no time at all.
            "for_statement" | "for_in_clause" => {
                parent.child_by_field_id(FIELDS.right) != Some(current)
            }
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                let mut cursor = parent.walk();
                let first = parent
                    .named_children(&mut cursor)
                    .find(|c| c.kind() == "for_in_clause");
                first != Some(current)
            }
            // The condition of an `if` or `while` is evaluated whenever it is reached.
            "if_statement" | "while_statement" => {
                parent.child_by_field_id(FIELDS.condition) != Some(current)
            }
            "elif_clause"
            | "else_clause"
            | "except_clause"
            | "conditional_expression"
            | "boolean_operator"
            | "match_statement"
            | "case_clause" => true,
            _ => false,
        };
        if decides {
            return false;
        }
        current = parent;
    }
    false
}

/// Every mention of `name` in `scope`, in order; `None` when one is inside a nested
/// function, lambda or class, which may run at any time.
fn mentions_of<'a>(scope: Node<'a>, name: &str, src: &str) -> Option<Vec<Node<'a>>> {
    let mut mentions = Vec::new();
    let mut stack = vec![scope];
    while let Some(node) = stack.pop() {
        if node.kind() == "identifier" && text(node, src) == name {
            if in_nested_code(node, scope) {
                return None;
            }
            mentions.push(node);
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    Some(mentions)
}

fn in_nested_code(node: Node<'_>, scope: Node<'_>) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent == scope {
            return false;
        }
        if matches!(
            parent.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            return true;
        }
        current = parent;
    }
    false
}

/// `for x in qs`, `[... for x in qs]`, `list(qs)`, `sorted(qs)`, `enumerate(qs)`: the
/// rows fetched and walked.
fn is_iteration(name: Node<'_>, src: &str) -> bool {
    let Some(parent) = name.parent() else {
        return false;
    };
    match parent.kind() {
        "for_statement" | "for_in_clause" => parent.child_by_field_id(FIELDS.right) == Some(name),
        "argument_list" => {
            let Some(call) = parent.parent() else {
                return false;
            };
            let args = call_args(call, src);
            let callee = call
                .child_by_field_id(FIELDS.function)
                .map(|f| text(f, src));
            matches!(
                callee,
                Some("list" | "tuple" | "set" | "sorted" | "enumerate")
            ) && args.positional.as_slice() == [name]
        }
        _ => false,
    }
}

fn within(node: Node<'_>, outer: Node<'_>) -> bool {
    outer.start_byte() <= node.start_byte() && node.end_byte() <= outer.end_byte()
}

/// The statement holding `node` directly in a block.
fn statement_of(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    loop {
        let parent = current.parent()?;
        if matches!(parent.kind(), "block" | "module") {
            return Some(current);
        }
        current = parent;
    }
}

/// `node` is in a statement after `statement` in the same block, and nothing between
/// them may leave the block first.
fn after_in_block(statement: Node<'_>, node: Node<'_>) -> bool {
    let mut sibling = statement.next_named_sibling();
    while let Some(current) = sibling {
        if within(node, current) {
            return true;
        }
        if may_leave(current) {
            return false;
        }
        sibling = current.next_named_sibling();
    }
    false
}

/// `node` holds a `return`, `raise`, `break` or `continue`.
fn may_leave(node: Node<'_>) -> bool {
    descendants(node).any(|n| {
        matches!(
            n.kind(),
            "return_statement" | "raise_statement" | "break_statement" | "continue_statement"
        )
    })
}
