//! Writes per iteration of a loop over data that grows: `Model.objects.create(...)`,
//! `Model(...).save()`, and `row.save()` / `row.delete()` on the rows of the loop.

use tree_sitter::Node;

use crate::index::{Attribute, FieldKind, ModelId};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, descendants, dotted_name, text};
use crate::text::TextRange;

use super::facts::{Batched, WriteInLoop, WriteKind};
use super::loop_growth::{Facts, bounded_by_constant, grows_with_data};
use super::values::{Env, Value};
use super::walker::{Walker, bound_names};

/// What a loop iterates, as the walker saw it.
pub(super) struct LoopIter<'a, 'v> {
    pub stmt: Node<'a>,
    pub left: Node<'a>,
    pub right: Node<'a>,
    pub body: Node<'a>,
    /// The loop variable bound to a row of a queryset, when the loop is over rows.
    pub row: Option<&'v str>,
    /// The iterated expression is a queryset (not rows in a list), so `update()` and
    /// `delete()` can be called on it.
    pub queryset: bool,
}

/// Queryset methods after which `update()` and `delete()` act on the same rows the loop
/// saw: no slice, no `distinct()`, no set operation, no `values()`.
const SAME_ROWS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "using",
];

impl<'a> Walker<'a> {
    /// Records the writes `lp`'s body runs once per iteration, when the loop grows with
    /// the data and cannot stop early.
    pub(super) fn record_writes(&mut self, lp: &LoopIter<'a, '_>, env: &Env) {
        let src = self.src();
        if lp.stmt.kind() != "for_statement"
            || ends_early(lp.body)
            || bounded_by_constant(lp.right, src)
        {
            return;
        }
        let grows = lp.row.is_some()
            || grows_with_data(
                lp.right,
                src,
                &mut Facts {
                    rows: &mut |node| {
                        let values = self.eval(node, env);
                        !values.is_empty()
                            && values
                                .iter()
                                .all(|v| matches!(v, Value::Qs(_) | Value::Rows(_)))
                    },
                    name: &|_| None,
                },
            );
        if !grows {
            return;
        }
        let in_atomic = self.in_atomic(lp.stmt);
        let whole_queryset = lp.queryset && self.same_rows(lp.right, lp.stmt);
        let statements = statements_of(lp.body);
        for call in calls_in(lp.body) {
            let Some(function) = call.child_by_field_id(FIELDS.function) else {
                continue;
            };
            if function.kind() != "attribute" {
                continue;
            }
            let (Some(object), Some(method)) = (
                function.child_by_field_id(FIELDS.object),
                function.child_by_field_id(FIELDS.attribute),
            ) else {
                continue;
            };
            let method_name = text(method, src);
            if method_name == "save" && !django_save_arguments(call, src) {
                // `save(broadcast=False)`: the model's own `save()` takes more, and does
                // more than a bulk write would.
                continue;
            }
            let found = match method_name {
                "create" => self.created(object, env).map(|(model, manager)| {
                    let batched = self
                        .only_statement(&statements, call)
                        .and_then(|_| self.bulk_create(lp, call, object, &manager));
                    (WriteKind::Create { manager }, model, batched)
                }),
                "save" => match lp.row {
                    Some(row) if text(object, src) == row => {
                        self.saved_row(lp, row, &statements, call, env, whole_queryset)
                    }
                    _ => self.new_object(object, lp.body, env).map(|model| {
                        let batched = self
                            .only_statement(&statements, call)
                            .filter(|_| object.kind() == "call" && no_arguments(call, src))
                            .and_then(|_| self.bulk_create_new(lp, object, model));
                        (WriteKind::SaveNew, model, batched)
                    }),
                },
                "delete" => match lp.row {
                    Some(row) if text(object, src) == row && no_arguments(call, src) => {
                        let model = self.row_model(lp.right, env);
                        model.map(|model| {
                            let batched = self.only_statement(&statements, call).and_then(|_| {
                                self.batched(lp, whole_queryset, ".delete()".to_string(), false)
                            });
                            (WriteKind::Delete, model, batched)
                        })
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some((kind, model, batched)) = found {
                let receiver = match object.kind() {
                    "call" => object
                        .child_by_field_id(FIELDS.function)
                        .map_or(String::new(), |f| format!("{}(...)", text(f, src))),
                    _ => text(object, src).to_string(),
                };
                let method = text(method, src);
                let args = if method == "create" { "..." } else { "" };
                self.facts.writes.push(WriteInLoop {
                    subject: format!("{receiver}.{method}({args})"),
                    kind,
                    model,
                    call: TextRange::of(call),
                    iter_range: TextRange::of(lp.right),
                    whole_queryset,
                    in_atomic,
                    batched,
                });
            }
        }
    }

    /// `Model.<manager>` of a `create()` call: the model and the manager's name.
    fn created(&self, object: Node<'a>, env: &Env) -> Option<(ModelId, String)> {
        let dotted = dotted_name(object, self.src())?;
        let (manager, model) = dotted.split_last()?;
        if env.contains_key(model.first()?) {
            return None;
        }
        let id = self.resolve_model(model)?;
        self.index.manager(id, manager)?;
        Some((id, manager.clone()))
    }

    /// The manager `name` of `model` is one we read, and neither it nor its queryset
    /// class defines a bulk write of its own: the fix's call is Django's.
    fn plain_manager(&self, model: ModelId, name: &str) -> bool {
        self.index.manager(model, name).is_some_and(|manager| {
            !manager.opaque
                && !["create", "bulk_create", "update", "delete", "bulk_update"]
                    .iter()
                    .any(|m| manager.methods.contains_key(*m))
        })
    }

    /// The model of `Model(...)`, or of a name the body assigns `Model(...)` once.
    fn new_object(&self, object: Node<'a>, body: Node<'a>, env: &Env) -> Option<ModelId> {
        let src = self.src();
        let call = match object.kind() {
            "call" => object,
            "identifier" => {
                let name = text(object, src);
                let mut assigned = descendants(body).filter(|n| {
                    n.kind() == "assignment"
                        && n.child_by_field_id(FIELDS.left)
                            .is_some_and(|l| l.kind() == "identifier" && text(l, src) == name)
                });
                let only = assigned.next()?;
                if assigned.next().is_some() {
                    return None;
                }
                only.child_by_field_id(FIELDS.right)
                    .filter(|r| r.kind() == "call")?
            }
            _ => return None,
        };
        let dotted = dotted_name(call.child_by_field_id(FIELDS.function)?, src)?;
        if env.contains_key(dotted.first()?) {
            return None;
        }
        self.resolve_model(&dotted)
    }

    /// The model of the rows the loop iterates.
    fn row_model(&mut self, right: Node<'a>, env: &Env) -> Option<ModelId> {
        let mut models = self.eval(right, env).into_iter().map(|value| match value {
            Value::Qs(qs) | Value::Rows(qs) => Some(qs.model),
            Value::Enumerate(inner) => match *inner {
                Value::Qs(qs) | Value::Rows(qs) => Some(qs.model),
                _ => None,
            },
            _ => None,
        });
        let first = models.next()??;
        models.all(|m| m == Some(first)).then_some(first)
    }

    /// `row.save()` after setting fields of `row`: every attribute set must be a column
    /// of the model (a field or a foreign key's `_id`), else the save is not judged.
    fn saved_row(
        &mut self,
        lp: &LoopIter<'a, '_>,
        row: &str,
        statements: &[Node<'a>],
        call: Node<'a>,
        env: &Env,
        whole_queryset: bool,
    ) -> Option<(WriteKind, ModelId, Option<Batched>)> {
        let src = self.src();
        let model = self.row_model(lp.right, env)?;
        let mut fields: Vec<String> = Vec::new();
        let mut values: Vec<Node<'a>> = Vec::new();
        for assignment in descendants(lp.body).filter(|n| n.kind() == "assignment") {
            let Some(left) = assignment.child_by_field_id(FIELDS.left) else {
                continue;
            };
            let Some(dotted) = dotted_name(left, src) else {
                continue;
            };
            if dotted.len() != 2 || dotted[0] != row {
                continue;
            }
            let name = &dotted[1];
            let column = match self.index.attribute(model, name) {
                Some(Attribute::Field(field)) => !matches!(
                    field.kind,
                    FieldKind::ManyToMany(_)
                        | FieldKind::GenericForeignKey
                        | FieldKind::GenericRelation(_)
                ),
                Some(Attribute::Attname(_)) => true,
                _ => false,
            };
            if !column || fields.contains(name) {
                return None;
            }
            fields.push(name.clone());
            values.extend(assignment.child_by_field_id(FIELDS.right));
        }
        if fields.is_empty() {
            return None;
        }
        let loop_names = loop_names(lp, src);
        let fields_complete = only_sets_and_reads(lp.body, row, call, src);
        let row_independent = fields_complete
            && values.iter().all(|value| {
                !descendants(*value).any(|n| {
                    n.kind() == "identifier" && loop_names.iter().any(|l| l == text(n, src))
                })
            });
        let computed_once = values
            .iter()
            .any(|value| descendants(*value).any(|n| n.kind() == "call"));
        // The body is the assignments, then the save.
        let plain = row_independent
            && statements.len() == fields.len() + 1
            && statements.last() == Some(&enclosing_statement(call))
            && statements[..fields.len()]
                .iter()
                .all(|s| s.named_child(0).is_some_and(|a| a.kind() == "assignment"));
        let batched = plain
            .then(|| {
                let keywords: Vec<String> = fields
                    .iter()
                    .zip(&values)
                    .map(|(field, value)| format!("{field}={}", text(*value, src)))
                    .collect();
                let update = format!(".update({})", keywords.join(", "));
                self.batched(lp, whole_queryset, update, computed_once)
            })
            .flatten();
        Some((
            WriteKind::Save {
                fields,
                row_independent,
                fields_complete,
            },
            model,
            batched,
        ))
    }

    /// `X.<manager>.bulk_create([X(...) for <target> in <iter>])` for a loop whose body
    /// is `X.<manager>.create(...)` alone, given keyword arguments only.
    fn bulk_create(
        &self,
        lp: &LoopIter<'a, '_>,
        call: Node<'a>,
        object: Node<'a>,
        manager: &str,
    ) -> Option<Batched> {
        let src = self.src();
        let args = call.child_by_field_id(FIELDS.arguments)?;
        if !call_args(call, src).positional.is_empty() {
            return None;
        }
        let class = text(object, src).strip_suffix(manager)?.strip_suffix('.')?;
        let dotted = dotted_name(object, src)?;
        let id = self.resolve_model(dotted.split_last()?.1)?;
        let new = format!("{class}{}", text(args, src));
        self.bulk_created(lp, class, id, manager, &new)
    }

    /// `X.<default manager>.bulk_create([X(...) for <target> in <iter>])` for a loop
    /// whose body is `X(...).save()` alone.
    fn bulk_create_new(
        &self,
        lp: &LoopIter<'a, '_>,
        new: Node<'a>,
        model: ModelId,
    ) -> Option<Batched> {
        let src = self.src();
        let class = text(new.child_by_field_id(FIELDS.function)?, src);
        let manager = &self.index.model(model).managers.first()?.name;
        self.bulk_created(lp, class, model, manager, text(new, src))
    }

    /// The loop replaced by `<class>.<manager>.bulk_create([<new> for ... in ...])`.
    fn bulk_created(
        &self,
        lp: &LoopIter<'a, '_>,
        class: &str,
        model: ModelId,
        manager: &str,
        new: &str,
    ) -> Option<Batched> {
        if !self.plain_manager(model, manager) {
            return None;
        }
        let src = self.src();
        let replacement = format!(
            "{class}.{manager}.bulk_create([{new} for {} in {}])",
            text(lp.left, src),
            text(lp.right, src),
        );
        Some(self.replaced(lp.stmt, replacement, false))
    }

    /// The loop replaced by `<queryset><method>` when it iterates a queryset whose rows
    /// `update()`/`delete()` would act on alike (`whole_queryset`).
    fn batched(
        &self,
        lp: &LoopIter<'a, '_>,
        whole_queryset: bool,
        method: String,
        computed_once: bool,
    ) -> Option<Batched> {
        if !whole_queryset {
            return None;
        }
        let replacement = format!("{}{method}", text(lp.right, self.src()));
        Some(self.replaced(lp.stmt, replacement, computed_once))
    }

    /// `expr` is a chain from a model's manager through [`SAME_ROWS`] methods, or a name
    /// every assignment of which in the function is one.
    fn same_rows(&self, expr: Node<'a>, at: Node<'a>) -> bool {
        let src = self.src();
        let mut current = expr;
        loop {
            match current.kind() {
                "call" => {
                    let Some(function) = current
                        .child_by_field_id(FIELDS.function)
                        .filter(|f| f.kind() == "attribute")
                    else {
                        return false;
                    };
                    let method = function
                        .child_by_field_id(FIELDS.attribute)
                        .map_or("", |m| text(m, src));
                    if !SAME_ROWS.contains(&method) {
                        return false;
                    }
                    let Some(object) = function.child_by_field_id(FIELDS.object) else {
                        return false;
                    };
                    current = object;
                }
                "attribute" => {
                    // `Model.objects`: the manager of a model.
                    let Some(dotted) = dotted_name(current, src) else {
                        return false;
                    };
                    let Some((manager, model)) = dotted.split_last() else {
                        return false;
                    };
                    return self
                        .resolve_model(model)
                        .is_some_and(|id| self.plain_manager(id, manager));
                }
                "identifier" if current == expr => {
                    let name = text(current, src);
                    let Some(scope) = enclosing_body(at) else {
                        return false;
                    };
                    let assigned: Vec<Node<'a>> = descendants(scope)
                        .filter(|n| n.kind() == "assignment")
                        .filter(|n| {
                            n.child_by_field_id(FIELDS.left)
                                .is_some_and(|l| l.kind() == "identifier" && text(l, src) == name)
                        })
                        .filter_map(|n| n.child_by_field_id(FIELDS.right))
                        .collect();
                    let other_bindings = descendants(scope).any(|n| {
                        n.kind() == "identifier"
                            && text(n, src) == name
                            && n.parent().is_some_and(|p| {
                                matches!(
                                    p.kind(),
                                    "augmented_assignment" | "pattern_list" | "tuple_pattern"
                                ) || (p.kind() == "for_statement"
                                    && p.child_by_field_id(FIELDS.left) == Some(n))
                            })
                    });
                    return !assigned.is_empty()
                        && !other_bindings
                        && assigned
                            .into_iter()
                            .all(|value| self.same_rows_chain(value));
                }
                _ => return false,
            }
        }
    }

    fn same_rows_chain(&self, value: Node<'a>) -> bool {
        value.kind() != "identifier" && self.same_rows(value, value)
    }

    /// The `for` statement runs inside `transaction.atomic()`: a `with` block of it, or
    /// a function decorated with it, up to the nearest function.
    fn in_atomic(&self, stmt: Node<'a>) -> bool {
        let src = self.src();
        let atomic = |node: Node<'a>| {
            let callee = match node.kind() {
                "call" => node.child_by_field_id(FIELDS.function),
                _ => Some(node),
            };
            callee
                .and_then(|c| dotted_name(c, src))
                .and_then(|dotted| self.external_name(&dotted))
                .is_some_and(|name| name == "django.db.transaction.atomic")
        };
        let mut current = stmt.parent();
        while let Some(node) = current {
            match node.kind() {
                // Its own items only: a `with` further down its body is not around the loop.
                "with_statement"
                    if node
                        .named_child(0)
                        .filter(|clause| clause.kind() == "with_clause")
                        .is_some_and(|clause| {
                            let mut cursor = clause.walk();
                            clause
                                .named_children(&mut cursor)
                                .filter_map(|item| item.named_child(0))
                                .any(&atomic)
                        }) =>
                {
                    return true;
                }
                "function_definition" => {
                    return node.parent().is_some_and(|p| {
                        p.kind() == "decorated_definition" && {
                            let mut cursor = p.walk();
                            p.named_children(&mut cursor)
                                .filter(|d| d.kind() == "decorator")
                                .filter_map(|d| d.named_child(0))
                                .any(&atomic)
                        }
                    });
                }
                "lambda" | "class_definition" => return false,
                _ => {}
            }
            current = node.parent();
        }
        false
    }

    /// The call is a statement of its own and the only one of the body.
    fn only_statement(&self, statements: &[Node<'a>], call: Node<'a>) -> Option<()> {
        (statements.len() == 1
            && statements[0] == enclosing_statement(call)
            && statements[0].named_child(0) == Some(call))
        .then_some(())
    }
}

/// The body's statements, comments left out.
fn statements_of(body: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// The statement holding `node`.
fn enclosing_statement(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "block" {
            return current;
        }
        current = parent;
    }
    current
}

/// The body of the function holding `node` (else the module).
fn enclosing_body(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind() {
            "function_definition" => return n.child_by_field_id(FIELDS.body),
            "module" => return Some(n),
            _ => current = n.parent(),
        }
    }
    None
}

/// The calls in `body`, outside functions, lambdas and classes it defines.
fn calls_in(body: Node<'_>) -> Vec<Node<'_>> {
    let mut calls = Vec::new();
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if matches!(
            node.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            continue;
        }
        if node.kind() == "call" {
            calls.push(node);
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    calls.sort_by_key(|n| n.start_byte());
    calls
}

/// The body may leave the loop before the last item (`break`, `return`): batching would
/// write rows the loop never reaches.
fn ends_early(body: Node<'_>) -> bool {
    let mut stack = vec![(body, false)];
    while let Some((node, in_inner_loop)) = stack.pop() {
        match node.kind() {
            "function_definition" | "lambda" | "class_definition" => continue,
            "return_statement" => return true,
            "break_statement" if !in_inner_loop => return true,
            _ => {}
        }
        let inner = in_inner_loop || matches!(node.kind(), "for_statement" | "while_statement");
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor).map(|n| (n, inner)));
    }
    false
}

/// The names the loop binds: its target and what its body assigns.
fn loop_names(lp: &LoopIter<'_, '_>, src: &str) -> Vec<String> {
    let mut names = bound_names(lp.left, src);
    for node in descendants(lp.body) {
        if let Some(left) = match node.kind() {
            "assignment" | "augmented_assignment" => node.child_by_field_id(FIELDS.left),
            "for_statement" | "for_in_clause" => node.child_by_field_id(FIELDS.left),
            _ => None,
        } {
            names.extend(bound_names(left, src));
        }
    }
    names
}

impl<'a> Walker<'a> {
    /// The `for` statement `stmt` replaced by `statement`, its comments kept on lines of
    /// their own above it.
    fn replaced(&self, stmt: Node<'a>, statement: String, computed_once: bool) -> Batched {
        let src = self.src();
        let line_start = src[..stmt.start_byte()].rfind('\n').map_or(0, |i| i + 1);
        let indent = &src[line_start..stmt.start_byte()];
        let mut replacement = String::new();
        if indent.chars().all(|c| c == ' ' || c == '\t') {
            for comment in descendants(stmt).filter(|n| n.kind() == "comment") {
                replacement.push_str(text(comment, src));
                replacement.push('\n');
                replacement.push_str(indent);
            }
        }
        replacement.push_str(&statement);
        Batched {
            range: TextRange::of(stmt),
            replacement,
            computed_once,
        }
    }
}

fn no_arguments(call: Node<'_>, src: &str) -> bool {
    let args = call_args(call, src);
    args.positional.is_empty() && args.keywords.is_empty() && !args.has_splat
}

/// The arguments of a `save()` call are Django's own (`update_fields=`, `using=`, ...).
fn django_save_arguments(call: Node<'_>, src: &str) -> bool {
    let args = call_args(call, src);
    args.positional.is_empty()
        && !args.has_splat
        && args.keywords.iter().all(|(name, _)| {
            matches!(
                name.as_str(),
                "force_insert" | "force_update" | "using" | "update_fields"
            )
        })
}

/// In `body`, `row` is only read (`row.title`), has attributes set (`row.title = ...`)
/// or is saved by `save`: nothing else (a method of the row, a function given it) may
/// change its fields.
fn only_sets_and_reads(body: Node<'_>, row: &str, save: Node<'_>, src: &str) -> bool {
    descendants(body)
        .filter(|n| n.kind() == "identifier" && text(*n, src) == row)
        .all(|n| {
            let Some(parent) = n.parent() else {
                return false;
            };
            if parent.kind() != "attribute" || parent.child_by_field_id(FIELDS.object) != Some(n) {
                return false;
            }
            // `row.method(...)`: only the save itself.
            match parent.parent() {
                Some(call)
                    if call.kind() == "call"
                        && call.child_by_field_id(FIELDS.function) == Some(parent) =>
                {
                    call == save
                }
                _ => true,
            }
        })
}
