//! Whether a loop runs a number of times that grows with the data: over rows of a
//! queryset, or over data that comes with a request or from a caller. A loop over a
//! literal, or a `range` of a constant, runs a fixed number of times; a loop over
//! anything the analysis cannot trace is not shown to grow.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, parameter_names, text};

use super::callers::enclosing_function;

/// How many assignments and wrappers are followed back from the iterated expression.
const MAX_STEPS: usize = 6;

/// The loop over `iter` (a `for` statement's iterated expression) runs once per item
/// of data that can grow: `rows` says whether an expression holds rows of a queryset
/// (its values, `values()` and `values_list()` included); besides those, a parameter of
/// the enclosing function that the function never rebinds, what a request carries
/// (`request.POST.getlist(...)`, `self.request.data["items"]`, a form's or a
/// serializer's cleaned data), and what is built from these (`enumerate(x)`,
/// `range(len(x))`, `x.items()`, a comprehension over them, a local name assigned
/// once from them).
pub fn grows_with_data<'t>(
    iter: Node<'t>,
    src: &str,
    rows: &mut dyn FnMut(Node<'t>) -> bool,
) -> bool {
    let function = enclosing_function(iter);
    grows(iter, src, function, rows, 0)
}

/// The loop over `iter` runs at most a constant number of times: its rows are sliced
/// with a literal bound (`qs[:10]`, `list(qs[:2])`, a local name assigned such a
/// slice once), however many rows there are.
pub fn bounded_by_constant(iter: Node<'_>, src: &str) -> bool {
    bounded(iter, src, enclosing_function(iter), 0)
}

fn bounded(expr: Node<'_>, src: &str, function: Option<Node<'_>>, steps: usize) -> bool {
    if steps > MAX_STEPS {
        return false;
    }
    match expr.kind() {
        "subscript" => expr
            .child_by_field_id(FIELDS.subscript)
            .filter(|s| s.kind() == "slice")
            .is_some_and(|slice| {
                // `[a:b]`: the last part before any step is the stop.
                let mut cursor = slice.walk();
                let parts: Vec<Node<'_>> = slice.children(&mut cursor).collect();
                let colon = parts.iter().position(|p| p.kind() == ":");
                let stop = colon
                    .and_then(|i| parts.get(i + 1))
                    .filter(|n| n.is_named());
                stop.is_some_and(|n| n.kind() == "integer")
            }),
        "call" => {
            let callee = expr.child_by_field_id(FIELDS.function);
            let wrapper = callee.is_some_and(|c| {
                c.kind() == "identifier"
                    && matches!(
                        text(c, src),
                        "enumerate" | "list" | "sorted" | "reversed" | "tuple"
                    )
            });
            let args = call_args(expr, src);
            wrapper
                && args
                    .positional
                    .first()
                    .is_some_and(|arg| bounded(*arg, src, function, steps + 1))
        }
        "identifier" => {
            function.is_some_and(
                |function| match assigned_values(function, text(expr, src), src) {
                    Assigned::Once(value) => bounded(value, src, Some(function), steps + 1),
                    _ => false,
                },
            )
        }
        _ => false,
    }
}

fn grows<'t>(
    expr: Node<'t>,
    src: &str,
    function: Option<Node<'t>>,
    rows: &mut dyn FnMut(Node<'t>) -> bool,
    steps: usize,
) -> bool {
    if steps > MAX_STEPS {
        return false;
    }
    let again = |node: Node<'t>, rows: &mut dyn FnMut(Node<'t>) -> bool| {
        grows(node, src, function, rows, steps + 1)
    };
    match expr.kind() {
        "list"
        | "tuple"
        | "set"
        | "dictionary"
        | "string"
        | "concatenated_string"
        | "integer"
        | "float"
        | "true"
        | "false"
        | "none" => false,
        "parenthesized_expression" => expr.named_child(0).is_some_and(|inner| again(inner, rows)),
        "list_comprehension"
        | "set_comprehension"
        | "generator_expression"
        | "dictionary_comprehension" => {
            let mut cursor = expr.walk();
            let clauses: Vec<Node<'t>> = expr
                .named_children(&mut cursor)
                .filter(|n| n.kind() == "for_in_clause")
                .collect();
            clauses.into_iter().any(|clause| {
                clause
                    .child_by_field_id(FIELDS.right)
                    .is_some_and(|right| again(right, rows))
            })
        }
        _ if rows(expr) => true,
        _ if from_request(expr, src) => true,
        "identifier" => {
            let Some(function) = function else {
                return false;
            };
            let name = text(expr, src);
            match assigned_values(function, name, src) {
                Assigned::Never => is_parameter(function, name, src),
                Assigned::Once(value) => !is_parameter(function, name, src) && again(value, rows),
                Assigned::Otherwise => false,
            }
        }
        "call" => {
            let Some(callee) = expr.child_by_field_id(FIELDS.function) else {
                return false;
            };
            let args = call_args(expr, src);
            match callee.kind() {
                "identifier" => match text(callee, src) {
                    // `range(n)` grows with its bounds, `len(x)` with `x`.
                    "range" => args.positional.iter().any(|arg| again(*arg, rows)),
                    "enumerate" | "list" | "sorted" | "reversed" | "tuple" | "set" | "len"
                    | "iter" | "zip" => {
                        args.positional.first().is_some_and(|arg| again(*arg, rows))
                    }
                    _ => false,
                },
                // `x.items()`, `x.values()`, `x.keys()` of a dict that grows.
                "attribute" => {
                    let method = callee
                        .child_by_field_id(FIELDS.attribute)
                        .map_or("", |m| text(m, src));
                    matches!(method, "items" | "values" | "keys")
                        && args.positional.is_empty()
                        && callee
                            .child_by_field_id(FIELDS.object)
                            .is_some_and(|object| again(object, rows))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `request.POST`, `self.request.data["items"]`, `request.POST.getlist("ids")`,
/// `form.cleaned_data["tags"]`, `serializer.validated_data`: data a request brought.
fn from_request(expr: Node<'_>, src: &str) -> bool {
    let mut names = Vec::new();
    let mut current = expr;
    loop {
        match current.kind() {
            "attribute" => {
                if let Some(attr) = current.child_by_field_id(FIELDS.attribute) {
                    names.push(text(attr, src));
                }
                match current.child_by_field_id(FIELDS.object) {
                    Some(object) => current = object,
                    None => return false,
                }
            }
            "subscript" => match current.child_by_field_id(FIELDS.value) {
                Some(value) => current = value,
                None => return false,
            },
            "call" => match current.child_by_field_id(FIELDS.function) {
                Some(function) => current = function,
                None => return false,
            },
            "identifier" => {
                names.push(text(current, src));
                break;
            }
            _ => return false,
        }
    }
    names.reverse();
    let request_data = |name: &&str| {
        matches!(
            *name,
            "POST" | "GET" | "FILES" | "data" | "query_params" | "body"
        )
    };
    match names.as_slice() {
        ["request", data, ..] | ["self", "request", data, ..] => request_data(data),
        [_, "cleaned_data" | "validated_data", ..] => true,
        _ => false,
    }
}

fn is_parameter(function: Node<'_>, name: &str, src: &str) -> bool {
    !matches!(name, "self" | "cls")
        && parameter_names(function, src)
            .into_iter()
            .flatten()
            .any(|p| p == name)
}

enum Assigned<'t> {
    Never,
    /// One plain assignment `name = value`.
    Once(Node<'t>),
    /// Bound more than once, or otherwise (a loop target, `+=`, a `with ... as`).
    Otherwise,
}

/// How `name` is bound in `function`'s body (nested functions left out).
fn assigned_values<'t>(function: Node<'t>, name: &str, src: &str) -> Assigned<'t> {
    let Some(body) = function.child_by_field_id(FIELDS.body) else {
        return Assigned::Never;
    };
    let mut found = Assigned::Never;
    for node in descendants(body) {
        if node.kind() != "identifier" || text(node, src) != name {
            continue;
        }
        if inside_nested_scope(node, function) {
            continue;
        }
        let Some(parent) = node.parent() else {
            continue;
        };
        let binds = match parent.kind() {
            "assignment" | "augmented_assignment" => {
                parent.child_by_field_id(FIELDS.left) == Some(node)
            }
            "pattern_list" | "tuple_pattern" | "as_pattern_target" | "for_in_clause"
            | "for_statement" => parent.child_by_field_id(FIELDS.right) != Some(node),
            _ => false,
        };
        if !binds {
            continue;
        }
        let plain = parent.kind() == "assignment";
        found = match (found, plain, parent.child_by_field_id(FIELDS.right)) {
            (Assigned::Never, true, Some(value)) => Assigned::Once(value),
            _ => return Assigned::Otherwise,
        };
    }
    found
}

fn inside_nested_scope(node: Node<'_>, function: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if n == function {
            return false;
        }
        if matches!(
            n.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            return true;
        }
        current = n.parent();
    }
    false
}
