//! `qs.count() > 0`, `len(qs)`, `if qs.count():` and their kin.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, text};
use crate::text::TextRange;

use super::facts::{Evaluation, EvaluationKind, Measure};
use super::refetched::{Measured, iterated_after};
use super::values::{Env, Qs, Value, obj_prefetched};
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

/// What an existence test measures: the queryset expression and how.
pub(super) struct Counted<'a> {
    qs: Node<'a>,
    measure: Measure,
    sole_use: bool,
    maybe_prefetched: Option<String>,
}

/// How `node` is tested for truth where it stands: whether the test is negated, and the
/// expression a replacement takes the place of (`not qs` whole).
fn truth_test<'a>(node: Node<'a>, parent: Node<'a>) -> Option<(bool, Node<'a>)> {
    match parent.kind() {
        "if_statement" | "elif_clause" | "while_statement"
            if parent.child_by_field_id(FIELDS.condition) == Some(node) =>
        {
            Some((false, node))
        }
        "conditional_expression" if parent.named_child(1) == Some(node) => Some((false, node)),
        "not_operator" => Some((true, parent)),
        "boolean_operator" if is_truth_context(parent) => Some((false, node)),
        _ => None,
    }
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
        let exists = match (op, number) {
            (">", 0) | (">=", 1) | ("!=", 0) => true,
            ("==", 0) | ("<", 1) | ("<=", 0) => false,
            _ => {
                if counted.measure == Measure::Len
                    && let Some(len_call) = counted.qs.parent().and_then(|p| p.parent())
                {
                    self.record(EvaluationKind::Len, len_call, &counted, scope);
                }
                return;
            }
        };
        if counted.measure == Measure::Exists {
            return;
        }
        let kind = EvaluationKind::Existence {
            exists,
            measure: counted.measure,
        };
        self.record(kind, node, &counted, scope);
    }

    /// `if qs.count():`, `if len(qs):`, `not qs.count()`, `x and len(qs)`, `if qs:`,
    /// `bool(qs)` — and `len(qs)` used as a number.
    pub(super) fn truthiness(
        &mut self,
        node: Node<'a>,
        parent: Node<'a>,
        env: &Env,
        scope: Node<'a>,
    ) {
        if parent.kind() == "comparison_operator" {
            return;
        }
        let test = truth_test(node, parent);
        let counted = match self.counted(node, env, scope) {
            Some(counted) => Some(counted),
            None => self.tested_for_truth(node, parent, test.is_some(), env, scope),
        };
        let Some(counted) = counted else { return };
        let kind = match test {
            Some((negated, _)) if counted.measure == Measure::Exists => {
                EvaluationKind::Exists { exists: !negated }
            }
            None if counted.measure == Measure::Exists => return,
            Some((negated, _)) => EvaluationKind::Existence {
                exists: !negated,
                measure: counted.measure,
            },
            // `bool(qs)` is a test wherever it stands.
            None if counted.measure == Measure::Truth => EvaluationKind::Existence {
                exists: true,
                measure: Measure::Truth,
            },
            None if counted.measure == Measure::Len => EvaluationKind::Len,
            None => EvaluationKind::Count,
        };
        self.record(kind, test.map_or(node, |(_, n)| n), &counted, scope);
    }

    fn record(
        &mut self,
        kind: EvaluationKind,
        range_node: Node<'a>,
        counted: &Counted<'a>,
        scope: Node<'a>,
    ) {
        // `count()` and `exists()` leave the result cache empty; `len()` and a truth
        // test fill it, so nothing after them is fetched again.
        let measured = match kind {
            EvaluationKind::Existence {
                exists,
                measure: Measure::Count,
            }
            | EvaluationKind::Exists { exists } => Some(if exists {
                Measured::NonEmpty
            } else {
                Measured::Empty
            }),
            EvaluationKind::Count => Some(Measured::Counted),
            EvaluationKind::Existence { .. } | EvaluationKind::Len => None,
        };
        let iterated_after = measured.and_then(|how| {
            if counted.maybe_prefetched.is_some() {
                return None;
            }
            iterated_after(range_node, counted.qs, how, scope, self.src())
        });
        self.facts.evaluations.push(Evaluation {
            kind,
            range: TextRange::of(range_node),
            qs_text: expression_text(counted.qs, self.src()),
            sole_use: counted.sole_use,
            needs_parens: needs_parens_for_not(range_node),
            maybe_prefetched: counted.maybe_prefetched.clone(),
            iterated_after,
        });
    }

    /// `qs.count()` or `len(qs)` of a queryset or related manager.
    pub(super) fn counted(
        &mut self,
        node: Node<'a>,
        env: &Env,
        scope: Node<'a>,
    ) -> Option<Counted<'a>> {
        if node.kind() != "call" {
            return None;
        }
        let function = node.child_by_field_id(FIELDS.function)?;
        let args = call_args(node, self.src());
        let (qs_node, measure) = match function.kind() {
            "identifier" if self.file.text(function) == "len" => {
                if args.positional.len() != 1 || !args.keywords.is_empty() {
                    return None;
                }
                (args.positional[0], Measure::Len)
            }
            "attribute" => {
                let attr = function.child_by_field_id(FIELDS.attribute)?;
                let measure = match self.file.text(attr) {
                    "count" => Measure::Count,
                    "exists" => Measure::Exists,
                    _ => return None,
                };
                if !args.positional.is_empty() || !args.keywords.is_empty() {
                    return None;
                }
                (function.child_by_field_id(FIELDS.object)?, measure)
            }
            _ => return None,
        };
        let values = self.eval(qs_node, env);
        let mut maybe_prefetched = None;
        let plain = !values.is_empty()
            && values.iter().all(|v| match v {
                // The project's own `count()` may answer without a query.
                Value::Qs(qs) => {
                    plain_rows(qs)
                        && match measure {
                            Measure::Count => self.own_method(qs, "count").is_none(),
                            Measure::Exists => self.own_method(qs, "exists").is_none(),
                            Measure::Len | Measure::Truth => true,
                        }
                }
                // `user.orders.count()`: a query, unless the orders were prefetched, when
                // `exists()` is served from the prefetch too. Known to be prefetched,
                // there is nothing to gain; a caller we cannot see may have.
                Value::RelatedManager { obj, hop, .. } => {
                    if obj.qs.applied.unknown {
                        maybe_prefetched = Some(hop.name.clone());
                    }
                    measure == Measure::Count && !obj.per_row && !obj_prefetched(obj, hop)
                }
                _ => false,
            });
        if !plain {
            return None;
        }
        Some(Counted {
            qs: qs_node,
            measure,
            sole_use: self.sole_use(qs_node, scope),
            maybe_prefetched,
        })
    }

    /// `qs` tested for truth (`if qs:`, `not qs`, `bool(qs)`) where `qs` is a queryset,
    /// not a manager (always true): a call's result, or a name every assignment of which
    /// is one.
    fn tested_for_truth(
        &mut self,
        node: Node<'a>,
        parent: Node<'a>,
        in_test: bool,
        env: &Env,
        scope: Node<'a>,
    ) -> Option<Counted<'a>> {
        let qs_node = match node.kind() {
            "call" if self.file.text(node.child_by_field_id(FIELDS.function)?) == "bool" => {
                let args = call_args(node, self.src());
                match (args.positional.as_slice(), args.keywords.is_empty()) {
                    ([arg], true) => *arg,
                    _ => return None,
                }
            }
            "call" | "identifier" if in_test => node,
            _ => return None,
        };
        let queryset = match qs_node.kind() {
            "call" => true,
            "identifier" => self.assigned_only_calls(qs_node, scope),
            _ => false,
        };
        if !queryset {
            return None;
        }
        // `while qs:` tests again at each turn; with the rows cached that is free, so
        // only a name the loop assigns anew (or a new chain) is tested by a query each time.
        if parent.kind() == "while_statement"
            && qs_node.kind() == "identifier"
            && !assigned_in(parent, self.file.text(qs_node), self.src())
        {
            return None;
        }
        let values = self.eval(qs_node, env);
        let plain = !values.is_empty()
            && values
                .iter()
                .all(|v| matches!(v, Value::Qs(qs) if plain_rows(qs)));
        plain.then(|| Counted {
            qs: qs_node,
            measure: Measure::Truth,
            sole_use: self.sole_use(qs_node, scope),
            maybe_prefetched: None,
        })
    }

    /// The rows of `qs_node` are used nowhere else in `scope`.
    fn sole_use(&self, qs_node: Node<'a>, scope: Node<'a>) -> bool {
        match qs_node.kind() {
            "identifier" => self.only_assigned_elsewhere(qs_node, scope),
            // A chain builds a new queryset whose rows nothing else can see.
            _ => true,
        }
    }

    /// The name `node` is assigned in `scope`, and only ever the result of a call.
    fn assigned_only_calls(&self, node: Node<'a>, scope: Node<'a>) -> bool {
        let name = self.file.text(node);
        let mut rights = assignments_of(scope, name, self.src()).peekable();
        rights.peek().is_some() && rights.all(|right| right.kind() == "call")
    }
}

/// The right-hand sides of `name = ...` in `scope`.
pub(super) fn assignments_of<'a>(
    scope: Node<'a>,
    name: &'a str,
    src: &'a str,
) -> impl Iterator<Item = Node<'a>> + 'a {
    descendants(scope).filter_map(move |n| {
        if n.kind() != "assignment" {
            return None;
        }
        let left = n.child_by_field_id(FIELDS.left)?;
        (left.kind() == "identifier" && text(left, src) == name)
            .then(|| n.child_by_field_id(FIELDS.right))?
    })
}

fn assigned_in(node: Node<'_>, name: &str, src: &str) -> bool {
    assignments_of(node, name, src).next().is_some()
}

/// Rows of the queryset itself, not of a relation per row or dicts.
fn plain_rows(qs: &Qs) -> bool {
    !qs.per_row && qs.prefix.is_empty() && !qs.applied.values
}
