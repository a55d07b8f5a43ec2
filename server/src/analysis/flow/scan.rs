//! Expressions walked for what matters to the rules: comprehensions and lambdas over
//! rows, rows handed to helpers, queryset chains.

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, call_args};

use super::MAX_CALL_DEPTH;
use super::values::{Env, Value, rows_as_objs, rows_of};
use super::walker::{Walker, bound_names};

impl<'a> Walker<'a> {
    /// Walks an expression for the places that matter: comprehensions and lambdas over
    /// rows, count/len tests, calls that pass rows to helpers, queryset chains.
    pub(super) fn scan(&mut self, node: Node<'a>, env: &Env, scope: Node<'a>) {
        // Parents are passed down: tree-sitter finds one by searching from the root.
        self.scan_in(node, node.parent(), env, scope);
    }

    /// [`Self::scan`] with the parent known.
    pub(super) fn scan_in(
        &mut self,
        node: Node<'a>,
        parent: Option<Node<'a>>,
        env: &Env,
        scope: Node<'a>,
    ) {
        self.scan_node(node, parent, false, env, scope);
    }

    /// `in_chain`: `node` is the receiver part of a call chain whose outer call has been
    /// evaluated whole (`Post.objects.filter(...)` inside `....order_by(...)`), so its
    /// own calls need no evaluation of their own; their arguments are still scanned.
    pub(super) fn scan_node(
        &mut self,
        node: Node<'a>,
        parent: Option<Node<'a>>,
        in_chain: bool,
        env: &Env,
        scope: Node<'a>,
    ) {
        let mut chain_child = None;
        match node.kind() {
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                self.comprehension(node, env, scope);
                return;
            }
            "lambda" | "function_definition" | "class_definition" => return,
            "call" => {
                if !in_chain {
                    self.call(node, env, scope);
                    self.python_aggregate(node, env, scope);
                }
                if let Some(parent) = parent {
                    self.truthiness(node, parent, env, scope);
                }
                chain_child = node
                    .child_by_field_id(FIELDS.function)
                    .filter(|f| f.kind() == "attribute");
            }
            "comparison_operator" => self.comparison(node, env, scope),
            "identifier" => {
                if let Some(parent) = parent {
                    self.truthiness(node, parent, env, scope);
                }
            }
            "attribute" => {
                self.id_read(node, parent, env);
                self.query_property(node, parent, env);
                if in_chain {
                    chain_child = node.child_by_field_id(FIELDS.object);
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() {
                    let in_chain = chain_child == Some(child);
                    self.scan_node(child, Some(node), in_chain, env, scope);
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }

    /// A comprehension: each `for` clause over rows is a loop whose body is the rest of
    /// the comprehension.
    pub(super) fn comprehension(&mut self, node: Node<'a>, env: &Env, scope: Node<'a>) {
        let mut env = env.clone();
        let mut growing = 0;
        let mut cursor = node.walk();
        let parts: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
        let body = node.child_by_field_id(FIELDS.body);
        for (i, clause) in parts.iter().enumerate() {
            match clause.kind() {
                "for_in_clause" => {
                    let (Some(left), Some(right)) = (
                        clause.child_by_field_id(FIELDS.left),
                        clause.child_by_field_id(FIELDS.right),
                    ) else {
                        continue;
                    };
                    self.scan_in(right, Some(*clause), &env, scope);
                    let iterated = self.eval(right, &env);
                    self.query_iterated(right, &iterated);
                    // What follows the clause runs per item: the rest of the comprehension.
                    if self.start_query_loop(left, right, &iterated, node, &env) {
                        growing += 1;
                    }
                    for name in bound_names(left, self.src()) {
                        env.insert(name, vec![Value::Unknown]);
                    }
                    if let Some((var, rows)) = self.row_binding(left, &iterated) {
                        let mut rest: Vec<Node<'a>> = parts[i + 1..]
                            .iter()
                            .copied()
                            .filter(|n| Some(*n) != body)
                            .collect();
                        rest.extend(body);
                        let consumer = self.sole_consumer(right, scope);
                        self.record_loop(&rows, &rest, &var, right, consumer, &[]);
                        env.insert(var, rows_as_objs(&rows));
                    }
                }
                "if_clause" => self.scan_in(*clause, Some(node), &env, scope),
                _ => {}
            }
        }
        if let Some(body) = body {
            self.scan_in(body, Some(node), &env, scope);
        }
        for _ in 0..growing {
            self.end_query_loop();
        }
    }

    /// Calls that hand rows to code we can read: `sorted(qs, key=lambda p: ...)`,
    /// `map(lambda p: ..., qs)`, `helper(row)`, `export(qs)`; and queryset chains.
    pub(super) fn call(&mut self, call: Node<'a>, env: &Env, scope: Node<'a>) {
        let Some(function) = call.child_by_field_id(FIELDS.function) else {
            return;
        };
        if function.kind() == "attribute" {
            // Records lookup facts for the chain (ORM302/601/602) even when unassigned.
            let _ = self.eval(call, env);
        }
        let args = call_args(call, self.src());
        self.probe_call(call, &args, env);
        self.query_call(call, &args, env);
        let callee = self.file.text(function);
        let lambda_and_rows = match callee {
            "sorted" | "min" | "max" => args.keyword("key").zip(args.positional.first().copied()),
            // `groupby(rows, key)`: its key may be given by position too.
            "itertools.groupby" | "groupby" => args
                .keyword("key")
                .or_else(|| args.positional.get(1).copied())
                .zip(args.positional.first().copied()),
            "map" | "filter" => args
                .positional
                .first()
                .copied()
                .zip(args.positional.get(1).copied()),
            _ => None,
        };
        if let Some((lambda, rows)) = lambda_and_rows {
            // Only `map()` gives back the lambda's results; the others give back rows,
            // which other code then reads, so the lambda is not their only reader.
            let rows_escape = callee != "map";
            self.lambda_over_rows(lambda, rows, rows_escape, env, scope);
        }
        self.helper_call(function, &args, env);
        self.rendered(function, &args, env);
        self.serialized(call, function, &args, env, scope);
    }

    /// `lambda p: p.author.name` applied to each row of `rows_arg`.
    fn lambda_over_rows(
        &mut self,
        lambda: Node<'a>,
        rows_arg: Node<'a>,
        rows_escape: bool,
        env: &Env,
        scope: Node<'a>,
    ) {
        if lambda.kind() != "lambda" {
            return;
        }
        let values = self.eval(rows_arg, env);
        let Some(rows) = rows_of(&values.iter().collect::<Vec<_>>()) else {
            return;
        };
        let Some(params) = lambda.child_by_field_id(FIELDS.parameters) else {
            return;
        };
        let mut cursor = params.walk();
        let names: Vec<Node<'a>> = params.named_children(&mut cursor).collect();
        if names.len() != 1 || names[0].kind() != "identifier" {
            return;
        }
        if let Some(body) = lambda.child_by_field_id(FIELDS.body) {
            let var = self.file.text(names[0]).to_string();
            let consumer = !rows_escape && self.sole_consumer(rows_arg, scope);
            self.record_loop(&rows, &[body], &var, rows_arg, consumer, &[]);
        }
    }

    /// A module-level helper, or a method of the view `self` is, receiving a queryset,
    /// rows or one object: walked with the arguments bound, its facts the caller's.
    fn helper_call(&mut self, function: Node<'a>, args: &CallArgs<'a>, env: &Env) {
        if self.active.len() >= MAX_CALL_DEPTH {
            return;
        }
        let (def, receiver) = match function.kind() {
            "identifier" => match self.function_named(self.file.text(function)) {
                Some(def) => (def, None),
                None => {
                    self.rows_given_elsewhere(function, args, env);
                    return;
                }
            },
            "attribute" => match self.view_method_called(function, env) {
                Some(called) => called,
                None => {
                    self.rows_given_elsewhere(function, args, env);
                    return;
                }
            },
            _ => return,
        };
        if self.active.contains(&def.start_byte()) {
            return;
        }
        let view = match receiver {
            Some(Value::View(key)) => Some(key),
            _ => None,
        };
        let callee_env = self.bind_arguments(def, args, env, receiver);
        // Rows, or one object the callee may start queries on (`order.lines.filter()`);
        // a row of a loop is followed by the loop's own reading of the call.
        let given_rows = callee_env.values().flatten().any(|v| match v {
            Value::Qs(_) | Value::Rows(_) => true,
            Value::Obj(obj) => !obj.per_row,
            _ => false,
        });
        if given_rows {
            self.active.push(def.start_byte());
            let current_view = std::mem::replace(&mut self.current_view, view);
            // A summarised function's callees are judged at their calls (`queries.rs`).
            let summary = self.summary.take();
            self.function(def, callee_env);
            self.summary = summary;
            self.current_view = current_view;
            self.active.pop();
        }
    }
}
