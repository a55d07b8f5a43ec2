//! `Model.objects.get(...)` inside `try: ... except Model.DoesNotExist:` whose result
//! nothing reads: a row fetched only to test that there is one.

use tree_sitter::Node;

use crate::index::ModelId;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::dotted_name;
use crate::text::TextRange;

use super::facts::GetTest;
use super::values::{Env, Value};
use super::walker::Walker;

/// What an `except` clause catches that `get()` raises when no row matches.
pub(super) enum Caught {
    /// `ObjectDoesNotExist`: every model's `DoesNotExist`.
    Any,
    /// `Post.DoesNotExist`.
    Model(ModelId),
}

impl<'a> Walker<'a> {
    /// The `DoesNotExist` exceptions the handlers of `try_stmt` catch.
    pub(super) fn caught_does_not_exist(&self, try_stmt: Node<'a>) -> Vec<Caught> {
        let mut caught = Vec::new();
        let mut cursor = try_stmt.walk();
        for clause in try_stmt.named_children(&mut cursor) {
            if clause.kind() != "except_clause" {
                continue;
            }
            let mut c = clause.walk();
            for value in clause.children_by_field_name("value", &mut c) {
                let names = match value.kind() {
                    "tuple" | "parenthesized_expression" => {
                        let mut t = value.walk();
                        value.named_children(&mut t).collect()
                    }
                    _ => vec![value],
                };
                for name in names {
                    let Some(dotted) = dotted_name(name, self.src()) else {
                        continue;
                    };
                    match dotted.split_last() {
                        Some((last, _)) if last == "ObjectDoesNotExist" => {
                            caught.push(Caught::Any);
                        }
                        Some((last, model)) if last == "DoesNotExist" && !model.is_empty() => {
                            if let Some(id) = self.resolve_model(model) {
                                caught.push(Caught::Model(id));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        caught
    }

    /// A `try` body whose handlers catch `DoesNotExist`: each statement is checked for a
    /// `get()` made only to test, with the environment it runs in, then walked.
    pub(super) fn try_body(
        &mut self,
        block: Node<'a>,
        caught: &[Caught],
        env: &mut Env,
        scope: Node<'a>,
    ) {
        let mut cursor = block.walk();
        let statements: Vec<Node<'a>> = block.named_children(&mut cursor).collect();
        for stmt in statements {
            self.get_as_test(stmt, caught, env, scope);
            self.statement(stmt, env, scope);
        }
    }

    /// `X.get(...)` as a statement of its own, or assigned to a name nothing reads.
    fn get_as_test(&mut self, stmt: Node<'a>, caught: &[Caught], env: &Env, scope: Node<'a>) {
        if stmt.kind() != "expression_statement" || stmt.named_child_count() != 1 {
            return;
        }
        let Some(expr) = stmt.named_child(0) else {
            return;
        };
        let call = match expr.kind() {
            "call" => expr,
            "assignment" => {
                let (Some(left), Some(right)) = (
                    expr.child_by_field_id(FIELDS.left),
                    expr.child_by_field_id(FIELDS.right),
                ) else {
                    return;
                };
                if left.kind() != "identifier" || !self.only_assigned_elsewhere(left, scope) {
                    return;
                }
                right
            }
            _ => return,
        };
        let Some(function) = call
            .child_by_field_id(FIELDS.function)
            .filter(|f| f.kind() == "attribute")
        else {
            return;
        };
        let (Some(receiver), Some(method), Some(args)) = (
            function.child_by_field_id(FIELDS.object),
            function.child_by_field_id(FIELDS.attribute),
            call.child_by_field_id(FIELDS.arguments),
        ) else {
            return;
        };
        if self.file.text(method) != "get" || args.kind() != "argument_list" {
            return;
        }
        // Every value the receiver may have is rows of one model the handler catches the
        // `DoesNotExist` of: anything else (a dict's `get`) is not a query.
        let mut model = None;
        for value in self.eval(receiver, env) {
            let id = match value {
                // A manager we cannot read, or the project's own `get()`, may answer
                // without the query `exists()` would run.
                Value::Qs(qs)
                    if !qs.per_row
                        && !qs.applied.unknown
                        && self.own_method(&qs, "get").is_none() =>
                {
                    qs.model
                }
                Value::RelatedManager { hop, .. } => match hop.target {
                    Some(id) => id,
                    None => return,
                },
                _ => return,
            };
            if model.is_some_and(|m| m != id) {
                return;
            }
            model = Some(id);
        }
        let Some(model) = model else { return };
        if !caught
            .iter()
            .any(|c| matches!(c, Caught::Any) || matches!(c, Caught::Model(m) if *m == model))
        {
            return;
        }
        let receiver_text = self.file.text(receiver);
        let args_text = self.file.text(args);
        let filtered = if args.named_child_count() == 0 {
            receiver_text.to_string()
        } else {
            format!("{receiver_text}.filter{args_text}")
        };
        self.facts.get_tests.push(GetTest {
            range: TextRange::of(call),
            filtered,
        });
    }
}
