//! One row fetched into a name (`post = Post.objects.get(pk=pk)`) and everything the
//! function does with it, for ORM301 to narrow its columns.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{descendants, text};
use crate::syntax::uses::uses_of;
use crate::text::TextRange;

use super::callers::is_test_module;
use super::facts::SingleRow;
use super::values::Value;
use super::walker::Walker;

/// The methods that fetch one row of a queryset, whatever columns it selects.
const FETCH_ONE: &[&str] = &["get", "first", "last"];

impl<'a> Walker<'a> {
    /// `name = qs.get(...)` in a function that binds `name` nowhere else: what the
    /// function (closures included) does with the row.
    pub(super) fn single_row(&mut self, left: Node<'a>, right: Node<'a>, values: &[Value]) {
        // A test fetches a row to assert on a field of it: narrowing saves nothing there.
        if is_test_module(&self.file.module) {
            return;
        }
        let [Value::Obj(obj)] = values else {
            return;
        };
        if obj.per_row || !obj.path.is_empty() || obj.qs.origin.is_none() {
            return;
        }
        let fetches_one = right.kind() == "call"
            && right
                .child_by_field_id(FIELDS.function)
                .filter(|f| f.kind() == "attribute")
                .and_then(|f| f.child_by_field_id(FIELDS.attribute))
                .is_some_and(|method| FETCH_ONE.contains(&self.file.text(method)));
        let range = TextRange::of(right);
        if !fetches_one || self.facts.single_rows.iter().any(|r| r.range == range) {
            return;
        }
        let Some(function) = outermost_function(left) else {
            return;
        };
        let name = self.file.text(left);
        let bound_elsewhere = descendants(function).any(|n| {
            n != left && n.kind() == "identifier" && text(n, self.src()) == name && binds(n)
        });
        if bound_elsewhere {
            return;
        }
        let mut uses = uses_of(function, name, self.src());
        uses.retain(|u| u.start() != Some(left.start_byte()));
        let accesses = self.resolve_uses(obj.qs.model, &uses);
        self.facts.single_rows.push(SingleRow {
            qs: obj.qs.clone(),
            accesses,
            range,
        });
    }
}

/// The function around `node` that no other function holds (a method, a module's
/// function): closures of it may read the row too.
fn outermost_function(node: Node<'_>) -> Option<Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent())
        .filter(|n| n.kind() == "function_definition")
        .last()
}

/// The identifier is (re)bound there rather than read: an assignment's or a loop's
/// target, a parameter, a `global`/`nonlocal`/`del`/`as`/walrus name.
fn binds(name: Node<'_>) -> bool {
    let mut current = name;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            // `a, b = ...`, `for a, b in ...`: the pattern's parts are bound.
            "pattern_list" | "tuple_pattern" | "list_pattern" | "list_splat_pattern" => {
                current = parent;
            }
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                return parent.child_by_field_id(FIELDS.left) == Some(current);
            }
            "named_expression" => return parent.child_by_field_id(FIELDS.name) == Some(current),
            "parameters"
            | "lambda_parameters"
            | "default_parameter"
            | "typed_parameter"
            | "typed_default_parameter"
            | "global_statement"
            | "nonlocal_statement"
            | "delete_statement"
            | "as_pattern_target"
            | "as_pattern" => return true,
            _ => return false,
        }
    }
    false
}
