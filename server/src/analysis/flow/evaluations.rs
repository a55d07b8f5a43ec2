//! `qs.count() > 0`, `len(qs)`, `if qs.count():` and their kin.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, text};
use crate::text::TextRange;

use super::facts::{Evaluation, EvaluationKind};
use super::values::{Env, Value, obj_prefetched};
use super::walker::Walker;

pub(super) fn int_literal(node: Node<'_>, src: &str) -> Option<i64> {
    (node.kind() == "integer").then(|| text(node, src).parse().ok())?
}

/// The operator with its operands swapped (`0 < n` is `n > 0`).
pub(super) fn flip(op: &str) -> &str {
    match op {
        "<" => ">",
        ">" => "<",
        "<=" => ">=",
        ">=" => "<=",
        other => other,
    }
}

/// The text of an expression, for a replacement that repeats it.
pub(super) fn expression_text(node: Node<'_>, src: &str) -> String {
    let text = text(node, src);
    match node.kind() {
        "identifier" | "attribute" | "call" | "subscript" | "parenthesized_expression" => {
            text.to_string()
        }
        _ => format!("({text})"),
    }
}

/// Replacing `node` with `not x` needs parentheses where a `not` cannot stand unbracketed.
pub(super) fn needs_parens_for_not(node: Node<'_>) -> bool {
    node.parent().is_some_and(|p| {
        matches!(
            p.kind(),
            "comparison_operator"
                | "binary_operator"
                | "unary_operator"
                | "attribute"
                | "subscript"
                | "await"
                | "call"
        )
    })
}

/// The boolean operator's value is only tested for truth (an `if`/`while` condition,
/// or under `not`), so `len(qs)` inside it may become `qs.exists()`.
pub(super) fn is_truth_context(node: Node<'_>) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "boolean_operator" | "parenthesized_expression" => current = parent,
            "not_operator" => return true,
            "if_statement" | "elif_clause" | "while_statement" => {
                return parent.child_by_field_id(FIELDS.condition) == Some(current);
            }
            "conditional_expression" => return parent.named_child(1) == Some(current),
            _ => return false,
        }
    }
    false
}

impl<'a> Walker<'a> {
    /// `qs.count() > 0`, `len(qs) == 0`, `0 < qs.count()`.
    pub(super) fn comparison(&mut self, node: Node<'a>, env: &Env, scope: Node<'a>) {
        let mut cursor = node.walk();
        let operands: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
        if operands.len() != 2 {
            return;
        }
        let operators: Vec<&str> = {
            let mut c = node.walk();
            node.children_by_field_name("operators", &mut c)
                .map(|n| n.kind())
                .collect()
        };
        let [op] = operators.as_slice() else { return };
        let (counted, number, op) = match (
            self.counted(operands[0], env, scope),
            int_literal(operands[1], self.src()),
            self.counted(operands[1], env, scope),
            int_literal(operands[0], self.src()),
        ) {
            (Some(c), Some(n), _, _) => (c, n, *op),
            (_, _, Some(c), Some(n)) => (c, n, flip(op)),
            _ => return,
        };
        let (qs_node, via_len, sole_use) = counted;
        let exists = match (op, number) {
            (">", 0) | (">=", 1) | ("!=", 0) => true,
            ("==", 0) | ("<", 1) | ("<=", 0) => false,
            _ => {
                if via_len && let Some(len_call) = qs_node.parent().and_then(|p| p.parent()) {
                    self.facts.evaluations.push(Evaluation {
                        kind: EvaluationKind::Len,
                        range: TextRange::of(len_call),
                        qs_text: expression_text(qs_node, self.src()),
                        sole_use,
                        needs_parens: false,
                    });
                }
                return;
            }
        };
        self.facts.evaluations.push(Evaluation {
            kind: EvaluationKind::Existence { exists, via_len },
            range: TextRange::of(node),
            qs_text: expression_text(qs_node, self.src()),
            sole_use,
            needs_parens: needs_parens_for_not(node),
        });
    }

    /// `if qs.count():`, `if len(qs):`, `not qs.count()`, `x and len(qs)` — and
    /// `len(qs)` used as a number.
    pub(super) fn truthiness(
        &mut self,
        node: Node<'a>,
        parent: Node<'a>,
        env: &Env,
        scope: Node<'a>,
    ) {
        let test = match parent.kind() {
            "if_statement" | "elif_clause" | "while_statement"
                if parent.child_by_field_id(FIELDS.condition) == Some(node) =>
            {
                Some((false, node))
            }
            "conditional_expression" if parent.named_child(1) == Some(node) => Some((false, node)),
            "not_operator" => Some((true, parent)),
            "boolean_operator" if is_truth_context(parent) => Some((false, node)),
            "comparison_operator" => return,
            _ => None,
        };
        let Some((qs_node, via_len, sole_use)) = self.counted(node, env, scope) else {
            return;
        };
        let kind = match test {
            Some((negated, _)) => EvaluationKind::Existence {
                exists: !negated,
                via_len,
            },
            None if via_len => EvaluationKind::Len,
            None => return,
        };
        let range_node = test.map_or(node, |(_, n)| n);
        self.facts.evaluations.push(Evaluation {
            kind,
            range: TextRange::of(range_node),
            qs_text: expression_text(qs_node, self.src()),
            sole_use,
            needs_parens: needs_parens_for_not(range_node),
        });
    }

    /// `qs.count()` or `len(qs)` on a queryset whose rows this scope does not use
    /// otherwise: the queryset node, whether it was `len`, whether it is the sole use.
    pub(super) fn counted(
        &mut self,
        node: Node<'a>,
        env: &Env,
        scope: Node<'a>,
    ) -> Option<(Node<'a>, bool, bool)> {
        if node.kind() != "call" {
            return None;
        }
        let function = node.child_by_field_id(FIELDS.function)?;
        let args = call_args(node, self.src());
        let (qs_node, via_len) = match function.kind() {
            "identifier" if self.file.text(function) == "len" => {
                if args.positional.len() != 1 || !args.keywords.is_empty() {
                    return None;
                }
                (args.positional[0], true)
            }
            "attribute" => {
                let attr = function.child_by_field_id(FIELDS.attribute)?;
                if self.file.text(attr) != "count"
                    || !args.positional.is_empty()
                    || !args.keywords.is_empty()
                {
                    return None;
                }
                (function.child_by_field_id(FIELDS.object)?, false)
            }
            _ => return None,
        };
        let values = self.eval(qs_node, env);
        let plain_qs = !values.is_empty()
            && values.iter().all(|v| match v {
                Value::Qs(qs) => !qs.per_row && qs.prefix.is_empty() && !qs.applied.values,
                // `user.orders.count()`: a query, unless the orders were prefetched.
                Value::RelatedManager { obj, hop, .. } => {
                    !via_len && !obj.per_row && !obj.qs.applied.unknown && !obj_prefetched(obj, hop)
                }
                _ => false,
            });
        if !plain_qs {
            return None;
        }
        let sole_use = match qs_node.kind() {
            "identifier" => self.only_assigned_elsewhere(qs_node, scope),
            // A chain builds a new queryset whose rows nothing else can see.
            _ => true,
        };
        Some((qs_node, via_len, sole_use))
    }
}
