//! Queries run once per iteration of a loop over data that grows (ORM103): a queryset
//! method that reads, a queryset iterated anew, and calls of the project's functions
//! and model methods that run one, each judged by a summary of the function walked
//! for the queries it runs.
//!
//! Per-row reads of a loop row's own relations (`post.comments.filter(...)`, in a
//! method or helper too) are the loop facts' business ([`super::facts::LoopFact`]):
//! they are left out here, so one read gives one finding.

use std::path::PathBuf;

use tree_sitter::Node;

use crate::index::ModelId;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{CallArgs, descendants, text};
use crate::text::TextRange;

use super::facts::{QueryInLoop, Through};
use super::loop_growth::{Facts, Known, grows_with_data};
use super::summaries::{Outcome, names_a_write, writes};
use super::values::{Env, Qs, Value};
use super::walker::{Walker, bound_names};

/// Where queries are looked for: the body of a loop over growing data, or the body of a
/// function summarised for a caller that calls it in one.
#[derive(Debug, Clone)]
pub(super) struct QueryScope {
    pub(super) region: TextRange,
    /// The loop's iterated expression; `None` for a summarised function.
    iter: Option<TextRange>,
    /// The names the loop binds per iteration: its targets and what its body assigns.
    bound: Vec<String>,
    /// Names the body assigns: a queryset held in one is built anew each time.
    assigned: Vec<String>,
    /// Names the body reads otherwise than by an attribute (`if qs:`, `list(qs)`):
    /// a queryset held in one may have filled its result cache.
    evaluated: Vec<String>,
}

/// A query a summarised function runs.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) query: String,
    pub(super) method: String,
    pub(super) model: ModelId,
    /// Where, in the file walked.
    pub(super) range: TextRange,
    /// Where, when it is in another file than the one walked (a function that one
    /// calls).
    pub(super) elsewhere: Option<(PathBuf, TextRange)>,
}

/// Django's queryset methods that run a query whatever the queryset holds.
const ALWAYS_QUERY: &[&str] = &[
    "get",
    "last",
    "earliest",
    "latest",
    "aggregate",
    "in_bulk",
    "get_or_create",
    "update_or_create",
];

/// Methods served from the queryset's own result cache once it is filled: a query
/// each time only on a queryset built anew.
const QUERY_UNLESS_CACHED: &[&str] = &["count", "exists", "first", "contains"];

/// Methods that write (a model's `save()`, a queryset's `update()`): a loop calling one
/// is ORM401-ORM403's, even when the method reads too.
pub(super) const WRITES: &[&str] = &[
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
];

/// The method or function `callee` (`save()`, `post.save`) writes.
pub fn is_write(callee: &str) -> bool {
    let name = callee.trim_end_matches("()");
    let name = name.rsplit('.').next().unwrap_or(name);
    WRITES.contains(&name)
}

/// Builtins that fetch every row of the queryset they are given.
const FETCH_ALL: &[&str] = &["list", "tuple", "sorted", "set"];

impl QueryScope {
    fn of(region: Node<'_>, iter: Option<Node<'_>>, targets: Vec<String>, src: &str) -> Self {
        let assigned: Vec<String> = descendants(region)
            .filter_map(|n| match n.kind() {
                "assignment" | "augmented_assignment" => n.child_by_field_id(FIELDS.left),
                "for_statement" | "for_in_clause" => n.child_by_field_id(FIELDS.left),
                "named_expression" => n.child_by_field_id(FIELDS.name),
                _ => None,
            })
            .flat_map(|left| bound_names(left, src))
            .collect();
        let evaluated = descendants(region)
            .filter(|n| n.kind() == "identifier" && !is_attribute_name(*n))
            .filter(|n| {
                n.parent().is_some_and(|p| match p.kind() {
                    "attribute" => p.child_by_field_id(FIELDS.object) != Some(*n),
                    "assignment" => p.child_by_field_id(FIELDS.left) != Some(*n),
                    _ => true,
                })
            })
            .map(|n| text(n, src).to_string())
            .collect();
        let mut bound = targets;
        bound.extend(assigned.iter().cloned());
        QueryScope {
            region: TextRange::of(region),
            iter: iter.map(TextRange::of),
            bound,
            assigned,
            evaluated,
        }
    }
}

impl<'a> Walker<'a> {
    /// Whether queries are looked for here at all.
    fn in_query_scope(&self) -> bool {
        self.summary.is_some() || !self.query_scopes.is_empty()
    }

    /// Starts a loop's scope when `iter` runs over growing data; `true` when it did (the
    /// caller ends it with [`Self::end_query_loop`]).
    pub(super) fn start_query_loop(
        &mut self,
        left: Node<'a>,
        iter: Node<'a>,
        iterated: &[Value],
        region: Node<'a>,
        env: &Env,
    ) -> bool {
        let rows = !iterated.is_empty()
            && iterated.iter().all(|v| {
                matches!(
                    v,
                    Value::Qs(_) | Value::Rows(_) | Value::Paginator(_) | Value::Enumerate(_)
                )
            });
        let known = |name: &str| self.name_grows(name, env);
        let mut facts = Facts {
            rows: &mut |node| rows && node == iter,
            name: &known,
        };
        if !grows_with_data(iter, self.src(), &mut facts) {
            return false;
        }
        let targets = bound_names(left, self.src());
        self.query_scopes
            .push(QueryScope::of(region, Some(iter), targets, self.src()));
        true
    }

    pub(super) fn end_query_loop(&mut self) {
        self.query_scopes.pop();
    }

    /// What the walker knows of `name` for [`grows_with_data`].
    fn name_grows(&self, name: &str, env: &Env) -> Option<Known> {
        // `Post.objects`: a model's manager.
        if let Some((model, manager)) = name.split_once('.') {
            let id = self.resolve_model(&[model.to_string()])?;
            let known = manager == "_default_manager" || self.index.manager(id, manager).is_some();
            return known.then_some(Known::Grows);
        }
        let parameter =
            self.parameters.iter().any(|p| p == name) && !matches!(name, "self" | "cls");
        let Some(values) = env.get(name) else {
            if parameter {
                return Some(Known::Parameter);
            }
            return self
                .resolve_model(&[name.to_string()])
                .map(|_| Known::Model);
        };
        if values.iter().any(|v| {
            matches!(
                v,
                Value::Qs(_)
                    | Value::Rows(_)
                    | Value::RelatedManager { .. }
                    | Value::Paginator(_)
                    | Value::Request
            )
        }) {
            return Some(Known::Grows);
        }
        if parameter {
            return Some(Known::Parameter);
        }
        match values.as_slice() {
            [Value::Unknown] => None,
            [Value::Model(_)] => Some(Known::Model),
            _ => Some(Known::Fixed),
        }
    }

    /// The scopes a function body walked for a caller starts with: none, or its own body
    /// while it is summarised.
    pub(super) fn enter_function_scopes(&mut self, body: Node<'a>) -> Vec<QueryScope> {
        let scopes = match self.summary {
            Some(_) => vec![QueryScope::of(body, None, Vec::new(), self.src())],
            None => Vec::new(),
        };
        std::mem::replace(&mut self.query_scopes, scopes)
    }

    /// `qs.method(...)` of Django's, walked: a query when the method reads.
    pub(super) fn query_method(
        &mut self,
        qs: &Qs,
        method: &str,
        call: Node<'a>,
        function: Node<'a>,
    ) {
        if !self.in_query_scope() || self.left_to_loop_facts(qs) {
            return;
        }
        let Some(receiver) = function.child_by_field_id(FIELDS.object) else {
            return;
        };
        let runs = ALWAYS_QUERY.contains(&method)
            || QUERY_UNLESS_CACHED.contains(&method) && self.built_anew(receiver);
        if !runs {
            return;
        }
        let keywords = match method {
            "get" => crate::syntax::node::call_args(call, self.src())
                .keywords
                .into_iter()
                .map(|(name, _)| name)
                .collect(),
            _ => Vec::new(),
        };
        let query = call_text(function, call, self.src());
        self.query_found(call, query, method, qs.model, keywords, None);
    }

    /// `iter`, iterated (by a `for`, a comprehension, `list()`): a query when its values
    /// are a queryset built anew.
    pub(super) fn query_iterated(&mut self, iter: Node<'a>, values: &[Value]) {
        if !self.in_query_scope() || values.is_empty() || !self.built_anew(iter) {
            return;
        }
        let mut model = None;
        for value in values {
            match value {
                Value::Qs(qs) if !self.left_to_loop_facts(qs) => model = Some(qs.model),
                _ => return,
            }
        }
        if let Some(model) = model {
            let query = squeezed(self.file.text(iter));
            self.query_found(iter, query, "iterate", model, Vec::new(), None);
        }
    }

    /// A call scanned inside a query scope: `list(qs)`, `get_object_or_404(...)`, or a
    /// function or method of the project that runs a query.
    pub(super) fn query_call(&mut self, call: Node<'a>, args: &CallArgs<'a>, env: &Env) {
        if !self.in_query_scope() {
            return;
        }
        let Some(function) = call.child_by_field_id(FIELDS.function) else {
            return;
        };
        let name = self.file.text(function);
        if function.kind() == "identifier" && !env.contains_key(name) {
            if FETCH_ALL.contains(&name)
                && let [arg] = args.positional[..]
            {
                let values = self.eval(arg, env);
                self.query_iterated(arg, &values);
                return;
            }
            if name == "get_object_or_404"
                && let Some(arg) = args.positional.first()
            {
                let model = self.eval(*arg, env).into_iter().find_map(|v| match v {
                    Value::Model(id) => Some(id),
                    Value::Qs(qs) if !qs.related => Some(qs.model),
                    _ => None,
                });
                if let Some(model) = model {
                    let query = call_text(function, call, self.src());
                    self.query_found(call, query, "get_object_or_404", model, Vec::new(), None);
                }
                return;
            }
        }
        if is_write(name) {
            self.summary_writes();
            return;
        }
        let Some((outcome, callee)) = self.summary_of_call(function, env) else {
            return;
        };
        let found = match outcome {
            Outcome::Query(found) => found,
            Outcome::Writes => return self.summary_writes(),
            Outcome::Nothing => return,
        };
        let through = Through {
            callee,
            query: found.query.clone(),
            elsewhere: found.elsewhere.clone(),
        };
        self.query_found(
            call,
            found.query,
            &found.method,
            found.model,
            Vec::new(),
            Some(through),
        );
    }

    /// `row.prop`, a property of the row's model that runs a query.
    pub(super) fn query_property(&mut self, node: Node<'a>, parent: Option<Node<'a>>, env: &Env) {
        if !self.in_query_scope() {
            return;
        }
        // A method called is the call's business; `row.prop = value` reads nothing.
        let stored = |p: Node<'a>| {
            matches!(p.kind(), "assignment" | "augmented_assignment")
                && p.child_by_field_id(FIELDS.left) == Some(node)
        };
        if parent.is_some_and(|p| p.kind() == "call" || stored(p)) {
            return;
        }
        let (Some(object), Some(attr)) = (
            node.child_by_field_id(FIELDS.object),
            node.child_by_field_id(FIELDS.attribute),
        ) else {
            return;
        };
        let name = self.file.text(attr).to_string();
        let found = match self.model_method_summary(object, &name, false, env) {
            Some(Outcome::Query(found)) => found,
            Some(Outcome::Writes) => return self.summary_writes(),
            _ => return,
        };
        let through = Through {
            callee: squeezed(self.file.text(node)),
            query: found.query.clone(),
            elsewhere: found.elsewhere.clone(),
        };
        self.query_found(
            node,
            found.query,
            &found.method,
            found.model,
            Vec::new(),
            Some(through),
        );
    }

    /// A query found at `node`: one of the summarised function's, or one run per
    /// iteration of the innermost loop.
    fn query_found(
        &mut self,
        node: Node<'a>,
        query: String,
        method: &str,
        model: ModelId,
        keywords: Vec<String>,
        through: Option<Through>,
    ) {
        let written = self.file.text(node);
        // `order_by("?")`: a random pick each time, by design.
        if written.contains("order_by(\"?\")") || written.contains("order_by('?')") {
            return;
        }
        if self.summary.is_some() {
            let conditional = self
                .query_scopes
                .first()
                .is_some_and(|scope| self.memoised(node, scope) || self.on_parameters(node, scope));
            if conditional {
                return;
            }
        }
        if let Some(summary) = &mut self.summary {
            let elsewhere = through.and_then(|t| t.elsewhere);
            summary.found.push(Found {
                query,
                method: method.to_string(),
                model,
                range: TextRange::of(node),
                elsewhere,
            });
            return;
        }
        let Some(scope) = self.query_scopes.last() else {
            return;
        };
        let Some(loop_iter) = scope.iter else {
            return;
        };
        if self.memoised(node, scope)
            || !self
                .queries_seen
                .insert((node.start_byte(), node.end_byte()))
        {
            return;
        }
        let names_bound = descendants(node).any(|n| {
            n.kind() == "identifier"
                && !is_attribute_name(n)
                && scope.bound.iter().any(|b| b == self.file.text(n))
        });
        let region = self
            .src()
            .get(scope.region.start..scope.region.end)
            .unwrap_or("");
        let invariant = !names_bound && through.is_none();
        // The same query each time over data the loop writes (batches deleted one by
        // one, maybe by a helper: `delete_batch(ids)`) is not the same result each time.
        if invariant && (writes(region) || names_a_write(region)) {
            return;
        }
        self.facts.queries_in_loops.push(QueryInLoop {
            range: TextRange::of(node),
            method: method.to_string(),
            model,
            through,
            loop_iter,
            invariant,
            keywords,
        });
    }

    /// The query sits under `if key not in seen:` (a memo of earlier results), or the
    /// loop consults a cache: how often it runs depends on the data, not on the rows.
    fn memoised(&self, node: Node<'a>, scope: &QueryScope) -> bool {
        let region = self
            .src()
            .get(scope.region.start..scope.region.end)
            .unwrap_or("");
        if region.contains("cache") {
            return true;
        }
        std::iter::successors(node.parent(), |n| n.parent())
            .take_while(|n| scope.region.contains_range(TextRange::of(*n)))
            .filter(|n| matches!(n.kind(), "if_statement" | "conditional_expression"))
            .any(|n| {
                let condition = match n.kind() {
                    "if_statement" => n.child_by_field_id(FIELDS.condition),
                    _ => n.named_child(1),
                };
                condition.is_some_and(|c| {
                    descendants(c).any(|op| op.kind() == "not in" || self.file.text(op) == "not in")
                })
            })
    }

    /// The query sits under an `if` whose condition reads a parameter of the function
    /// summarised (`if rows is None:`), or after one that returns early: whether it
    /// runs depends on what the caller passes.
    fn on_parameters(&self, node: Node<'a>, scope: &QueryScope) -> bool {
        let reads_parameter = |condition: Node<'a>| {
            descendants(condition).any(|id| {
                id.kind() == "identifier"
                    && !is_attribute_name(id)
                    && self
                        .parameters
                        .iter()
                        .any(|p| p == self.file.text(id) && !matches!(p.as_str(), "self" | "cls"))
            })
        };
        let conditions = |n: Node<'a>| -> Vec<Node<'a>> {
            let mut cursor = n.walk();
            match n.kind() {
                "if_statement" => n
                    .children(&mut cursor)
                    .filter_map(|c| match c.kind() {
                        "elif_clause" => c.child_by_field_id(FIELDS.condition),
                        _ => None,
                    })
                    .chain(n.child_by_field_id(FIELDS.condition))
                    .collect(),
                "conditional_expression" => n.named_child(1).into_iter().collect(),
                _ => Vec::new(),
            }
        };
        let ancestors = std::iter::successors(node.parent(), |n| n.parent())
            .take_while(|n| scope.region.contains_range(TextRange::of(*n)));
        for ancestor in ancestors {
            if conditions(ancestor).into_iter().any(reads_parameter) {
                return true;
            }
            // `if not rows: return` before it.
            let returns_early =
                std::iter::successors(ancestor.prev_named_sibling(), |n| n.prev_named_sibling())
                    .filter(|n| n.kind() == "if_statement")
                    .any(|n| {
                        conditions(n).into_iter().any(reads_parameter)
                            && descendants(n)
                                .any(|s| matches!(s.kind(), "return_statement" | "raise_statement"))
                    });
            if returns_early {
                return true;
            }
        }
        false
    }

    /// Rows of a related manager of a loop row: the loop facts judge them (ORM101,
    /// ORM102, ORM105, ORM103 through [`crate::analysis::loads`]). In a summarised
    /// function, any related manager's: its object is the caller's, whose loop facts
    /// follow the function's reads of it.
    fn left_to_loop_facts(&self, qs: &Qs) -> bool {
        qs.related && (qs.per_row || self.summary.is_some())
    }

    /// The queryset `receiver` holds is built anew each time the scope runs, its
    /// result cache empty: a call (`.filter(...)`, `.all()` clone the queryset), or a
    /// name assigned in the scope and read there only by its methods (`if qs:` fills
    /// the cache that `qs.first()` may then read).
    fn built_anew(&self, receiver: Node<'a>) -> bool {
        match receiver.kind() {
            "call" => true,
            "identifier" => self.query_scopes.last().is_some_and(|scope| {
                let name = self.file.text(receiver);
                let iterated_here = receiver.parent().is_some_and(|p| {
                    matches!(
                        p.kind(),
                        "for_statement" | "for_in_clause" | "argument_list"
                    )
                });
                let bare = scope.evaluated.iter().filter(|e| *e == name).count();
                scope.assigned.iter().any(|a| a == name) && bare <= usize::from(iterated_here)
            }),
            _ => false,
        }
    }
}

/// `Tag.objects.get(...)`: the callee as written, its arguments elided.
fn call_text(function: Node<'_>, call: Node<'_>, src: &str) -> String {
    let args = call
        .child_by_field_id(FIELDS.arguments)
        .is_some_and(|a| a.named_child_count() > 0);
    let callee = squeezed(text(function, src));
    if args {
        format!("{callee}(...)")
    } else {
        format!("{callee}()")
    }
}

/// `text` on one line, as a message quotes it.
pub(super) fn squeezed(text: &str) -> String {
    crate::text::snippet(text, 80)
}

/// The name after the dot of an attribute, or a keyword argument's name: not a name
/// read from the scope.
fn is_attribute_name(ident: Node<'_>) -> bool {
    let Some(parent) = ident.parent() else {
        return false;
    };
    match parent.kind() {
        "attribute" => parent.child_by_field_id(FIELDS.attribute) == Some(ident),
        "keyword_argument" => parent.child_by_field_id(FIELDS.name) == Some(ident),
        _ => false,
    }
}
