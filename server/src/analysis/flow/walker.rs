//! The statement walk: each function's statements in order with an environment of
//! possible values per name; branches walked separately and joined.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::analysis::guard::Deadline;
use crate::analysis::sources::ModuleSources;
use crate::index::{ImportMap, ModelId, ModelIndex};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{self, descendants, text};
use crate::syntax::{SourceFile, branches};
use crate::text::TextRange;

use super::callers::Probe;
use super::facts::Facts;
use super::queries::QueryScope;
use super::summaries::{Outcome, Summary};
use super::values::{Env, Value, join, rows_as_objs};
use super::views::ViewClass;
use super::writes::LoopIter;

pub(super) struct Walker<'a> {
    pub(super) file: &'a SourceFile,
    pub(super) index: &'a ModelIndex,
    pub(super) functions: &'a HashMap<String, Node<'a>>,
    /// The file's own imports, at every level, when the index records other ones for
    /// its module (it leaves out those inside top-level functions, and an editor's
    /// buffer can be newer than the index).
    pub(super) imports: Option<&'a ImportMap>,
    /// Once passed, statements are no longer walked.
    pub(super) deadline: &'a Deadline,
    /// The project's other modules, whose functions' calls are followed.
    pub(super) sources: Option<&'a dyn ModuleSources>,
    pub(super) facts: Facts,
    /// (node start, context) pairs already turned into facts, so a node walked twice
    /// (a helper analysed standalone and for a caller) gives one fact per context.
    pub(super) seen: HashSet<(usize, usize, u64)>,
    /// Functions being analysed for a caller, innermost last.
    pub(super) active: Vec<usize>,
    /// Class-based views of this file, by their class's start byte.
    pub(super) views: HashMap<usize, ViewClass<'a>>,
    /// The view whose method is being walked.
    pub(super) current_view: Option<usize>,
    /// Views whose `get_queryset()` is being evaluated (guards recursion).
    pub(super) evaluating_views: Vec<usize>,
    /// While a `get_queryset()` is walked for its result: the values it returns.
    pub(super) returns: Option<Vec<Value>>,
    /// What calls given nothing return, by function (and view) walked: a module helper
    /// called in many places is walked once.
    pub(super) returned: HashMap<(usize, Option<usize>), Vec<Value>>,
    /// While a caller is walked for what it passes a function: the call recorded.
    pub(super) probe: Option<Probe>,
    /// The functions defined in the bodies of the functions being walked (closures),
    /// by name: called with rows like the module's own.
    pub(super) local_functions: HashMap<String, Node<'a>>,
    /// Loops over growing data being walked, innermost last; or the body of the
    /// function being summarised (see `queries.rs`).
    pub(super) query_scopes: Vec<QueryScope>,
    /// While a function is summarised for a caller's loop: the queries it runs.
    pub(super) summary: Option<Summary>,
    /// The first query each function summarised runs, by module and place or name.
    pub(super) summaries: HashMap<String, Outcome>,
    /// Queries in loops already recorded, by range.
    pub(super) queries_seen: HashSet<(usize, usize)>,
    /// The parameters of the function being walked.
    pub(super) parameters: Vec<String>,
}

/// `prefetch_related_objects(rows, ...)` loads relations onto rows already fetched:
/// what rows the name holds carry is no longer known.
fn prefetched_in_place(call: Node<'_>, src: &str, env: &mut Env) {
    let Some(function) = call.child_by_field_id(FIELDS.function) else {
        return;
    };
    if !text(function, src).ends_with("prefetch_related_objects") {
        return;
    }
    let args = node::call_args(call, src);
    let Some(rows) = args.positional.first().filter(|a| a.kind() == "identifier") else {
        return;
    };
    if let Some(values) = env.get_mut(text(*rows, src)) {
        for value in values.iter_mut() {
            if let Value::Qs(qs) | Value::Rows(qs) = value {
                qs.applied.unknown = true;
            }
        }
    }
}

/// The truth `name` has in `env` when every value it may hold is a constant of one truth.
fn constant_in(env: &Env, name: &str) -> Option<bool> {
    let mut truths = env.get(name)?.iter().map(|value| match value {
        Value::Constant(truth) => Some(*truth),
        _ => None,
    });
    let first = truths.next()??;
    truths.all(|truth| truth == Some(first)).then_some(first)
}

#[derive(Clone, Copy)]
pub(super) enum ClassKind {
    Model(ModelId),
    View(usize),
    /// Any other class: its methods' `self` is followed like a view's (its own methods
    /// and properties), by the class's start byte.
    Plain(usize),
    /// A manager or queryset class of one model (see `ModelIndex::model_managed_by`):
    /// its methods' `self` is rows of the model that callers may have narrowed,
    /// selected or prefetched.
    Rows(ModelId),
}

pub(super) fn bound_names(left: Node<'_>, src: &str) -> Vec<String> {
    descendants(left)
        .filter(|n| n.kind() == "identifier" && n.parent().is_none_or(|p| p.kind() != "attribute"))
        .map(|n| text(n, src).to_string())
        .collect()
}

/// What a closure `def` sees of its enclosing function's names (`env`) where it is
/// defined: all but its own parameters. Most closures read names bound before them.
fn captured(env: &Env, def: Node<'_>, src: &str) -> Env {
    let params = parameter_names(def, src);
    env.iter()
        .filter(|(name, _)| !params.contains(name))
        .map(|(name, values)| (name.clone(), values.clone()))
        .collect()
}

/// The functions a function body defines among its statements (not in branches: those
/// may not be defined when called), by name.
fn closures<'a>(body: Node<'a>, src: &str) -> HashMap<String, Node<'a>> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter(|stmt| stmt.kind() == "function_definition")
        .filter_map(|def| {
            let name = def.child_by_field_id(FIELDS.name)?;
            Some((text(name, src).to_string(), def))
        })
        .collect()
}

/// The names of a function's parameters, in order (`*args` and `**kwargs` left out).
pub(super) fn parameter_names(def: Node<'_>, src: &str) -> Vec<String> {
    node::parameter_names(def, src)
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect()
}

impl<'a> Walker<'a> {
    /// A walker of `file` with nothing walked yet; `functions` are its module functions.
    pub(super) fn new(
        file: &'a SourceFile,
        index: &'a ModelIndex,
        functions: &'a HashMap<String, Node<'a>>,
        imports: Option<&'a ImportMap>,
        deadline: &'a Deadline,
        sources: Option<&'a dyn ModuleSources>,
    ) -> Self {
        Walker {
            file,
            index,
            functions,
            imports,
            deadline,
            sources,
            facts: Facts::default(),
            seen: HashSet::new(),
            active: Vec::new(),
            views: HashMap::new(),
            current_view: None,
            evaluating_views: Vec::new(),
            returns: None,
            returned: HashMap::new(),
            probe: None,
            local_functions: HashMap::new(),
            query_scopes: Vec::new(),
            summary: None,
            summaries: HashMap::new(),
            queries_seen: HashSet::new(),
            parameters: Vec::new(),
        }
    }

    /// A walker of the same file with nothing walked yet.
    pub(super) fn fresh(&self) -> Self {
        Self::new(
            self.file,
            self.index,
            self.functions,
            self.imports,
            self.deadline,
            self.sources,
        )
    }

    /// The full path of what `dotted` names in this file when it comes from outside the
    /// project (`render` -> `django.shortcuts.render`).
    pub(super) fn external_name(&self, dotted: &[String]) -> Option<String> {
        self.index
            .external_name(self.imports, &self.file.module, dotted)
    }

    /// The model `dotted` names in this file, through its own imports.
    pub(super) fn resolve_model(&self, dotted: &[String]) -> Option<ModelId> {
        let module = &self.file.module;
        match self.imports {
            Some(imports) => self.index.resolve_with(imports, module, dotted),
            None => self.index.resolve_model(module, dotted),
        }
    }

    /// The function a call of `name` here runs: a closure of the functions being
    /// walked, else a function of the module.
    pub(super) fn function_named(&self, name: &str) -> Option<Node<'a>> {
        self.local_functions
            .get(name)
            .or_else(|| self.functions.get(name))
            .copied()
    }

    fn function_name(&self, def: Node<'a>) -> &'a str {
        def.child_by_field_id(FIELDS.name)
            .map_or("", |name| text(name, self.src()))
    }

    pub(super) fn src(&self) -> &'a str {
        &self.file.source
    }

    pub(super) fn block(&mut self, block: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let mut cursor = block.walk();
        let children: Vec<Node<'a>> = block.named_children(&mut cursor).collect();
        for stmt in children {
            self.statement(stmt, env, scope);
        }
    }

    /// One statement: what it binds in `env`, and the facts its expressions give.
    pub(super) fn statement(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
        if self.deadline.passed() {
            return;
        }
        match stmt.kind() {
            "function_definition" => {
                let mut given = self.agreed_parameters(stmt);
                if self.local_functions.contains_key(self.function_name(stmt)) {
                    given = captured(env, stmt, self.src());
                }
                self.function(stmt, given);
            }
            "decorated_definition" => {
                if let Some(def) = stmt.child_by_field_id(FIELDS.definition) {
                    self.statement(def, env, scope);
                }
            }
            "class_definition" => self.class(stmt),
            "expression_statement" => self.expression_statement(stmt, env, scope),
            "if_statement" => self.if_statement(stmt, env, scope),
            "for_statement" => self.for_statement(stmt, env, scope),
            "while_statement" => {
                if let Some(cond) = stmt.child_by_field_id(FIELDS.condition) {
                    self.scan_in(cond, Some(stmt), env, scope);
                }
                let mut body_env = env.clone();
                if let Some(body) = stmt.child_by_field_id(FIELDS.body) {
                    self.block(body, &mut body_env, scope);
                }
                join(env, body_env);
            }
            "try_statement" | "with_statement" => self.try_or_with(stmt, env, scope),
            "return_statement" => {
                self.scan(stmt, env, scope);
                if self.returns.is_some() {
                    let values = match stmt.named_child(0) {
                        Some(value) => self.eval(value, env),
                        None => vec![Value::Unknown],
                    };
                    if let Some(returns) = &mut self.returns {
                        returns.extend(values);
                    }
                }
            }
            "delete_statement" | "raise_statement" | "assert_statement" | "print_statement" => {
                self.scan(stmt, env, scope)
            }
            "match_statement" | "global_statement" | "nonlocal_statement" => {}
            "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "pass_statement"
            | "break_statement"
            | "continue_statement"
            | "comment" => {}
            "block" | "module" => self.block(stmt, env, scope),
            _ => self.scan(stmt, env, scope),
        }
    }

    /// Assignments bind names; any other expression is scanned.
    fn expression_statement(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let mut cursor = stmt.walk();
        let children: Vec<Node<'a>> = stmt.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "assignment" => self.assignment(child, env, scope),
                "augmented_assignment" => {
                    self.scan_in(child, Some(stmt), env, scope);
                    if let Some(left) = child.child_by_field_id(FIELDS.left)
                        && left.kind() == "identifier"
                    {
                        env.insert(self.file.text(left).to_string(), vec![Value::Unknown]);
                    }
                }
                "call" => {
                    self.scan_in(child, Some(stmt), env, scope);
                    prefetched_in_place(child, self.src(), env);
                    self.call_on_dict(child, env);
                }
                _ => self.scan_in(child, Some(stmt), env, scope),
            }
        }
    }

    /// Whether `condition` holds, when it tests a name bound to a constant (`if flag:`,
    /// `if not flag:` where a call passed `flag=False`).
    fn truth(&self, condition: Node<'a>, env: &Env) -> Option<bool> {
        branches::truth(condition, self.src(), &|name| constant_in(env, name))
    }

    /// The branches of the `if` statements in `body` that a known condition (see
    /// [`Walker::truth`]) never takes: a helper's reads under `if with_authors:` are not
    /// a caller's that passes `with_authors=False`.
    pub(super) fn untaken_branches(&self, body: Node<'a>, env: &Env) -> Vec<TextRange> {
        branches::untaken(body, self.src(), &|name| constant_in(env, name))
    }

    /// Each branch walked from the environment before the `if`, then joined; without an
    /// `else`, the environment before it is one of the alternatives. A condition whose
    /// truth is known (see [`Walker::truth`]) walks one branch.
    fn if_statement(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let condition = stmt.child_by_field_id(FIELDS.condition);
        if let Some(cond) = condition {
            self.scan_in(cond, Some(stmt), env, scope);
        }
        let truth = condition.and_then(|cond| self.truth(cond, env));
        let before = env.clone();
        let mut branches = Vec::new();
        let mut has_else = false;
        if let Some(body) = stmt.child_by_field_id(FIELDS.consequence)
            && truth != Some(false)
        {
            let mut branch = before.clone();
            self.block(body, &mut branch, scope);
            branches.push(branch);
        }
        if truth == Some(true) {
            *env = branches.pop().unwrap_or(before);
            return;
        }
        let mut cursor = stmt.walk();
        let alternatives: Vec<Node<'a>> = stmt
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        for alt in alternatives {
            if let Some(cond) = alt.child_by_field_id(FIELDS.condition) {
                self.scan_in(cond, Some(alt), env, scope);
            }
            has_else |= alt.kind() == "else_clause";
            let body = alt
                .child_by_field_id(FIELDS.consequence)
                .or_else(|| alt.child_by_field_id(FIELDS.body));
            if let Some(body) = body {
                let mut branch = before.clone();
                self.block(body, &mut branch, scope);
                branches.push(branch);
            }
        }
        let mut merged = if has_else {
            branches.pop().unwrap_or_default()
        } else {
            before
        };
        for branch in branches {
            join(&mut merged, branch);
        }
        *env = merged;
    }

    /// The body runs in order; each handler or `else`/`finally` clause may or may not
    /// run, so its environment is joined in.
    fn try_or_with(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let mut cursor = stmt.walk();
        let children: Vec<Node<'a>> = stmt.named_children(&mut cursor).collect();
        let caught = if stmt.kind() == "try_statement" {
            self.caught_does_not_exist(stmt)
        } else {
            Vec::new()
        };
        for child in children {
            match child.kind() {
                "block" if !caught.is_empty() => self.try_body(child, &caught, env, scope),
                "block" => self.block(child, env, scope),
                "with_clause" => self.scan_in(child, Some(stmt), env, scope),
                "except_clause" | "else_clause" | "finally_clause" | "except_group_clause" => {
                    let mut branch = env.clone();
                    let mut c = child.walk();
                    let blocks: Vec<Node<'a>> = child
                        .named_children(&mut c)
                        .filter(|n| n.kind() == "block")
                        .collect();
                    for b in blocks {
                        self.block(b, &mut branch, scope);
                    }
                    join(env, branch);
                }
                _ => {}
            }
        }
    }

    /// A function's body, with `env` binding some of its parameters (`self`, arguments
    /// of a caller walked with it) and annotations the others.
    pub(super) fn function(&mut self, def: Node<'a>, mut env: Env) {
        for (name, value) in self.annotated_parameters(def) {
            env.entry(name).or_insert_with(|| vec![value]);
        }
        // A nested function's `return` is not the enclosing `get_queryset()`'s.
        let returns = self.returns.take();
        // A parameter named like a model or a module (`def f(apps):`) is not that one.
        // `request` stays unbound: unbound, it is Django's request (see `eval`).
        let parameters = parameter_names(def, self.src());
        for name in &parameters {
            if name != "request" {
                env.entry(name.clone())
                    .or_insert_with(|| vec![Value::Unknown]);
            }
        }
        let parameters = std::mem::replace(&mut self.parameters, parameters);
        if let Some(body) = def.child_by_field_id(FIELDS.body) {
            let outer = self.local_functions.clone();
            let scopes = self.enter_function_scopes(body);
            self.local_functions.extend(closures(body, self.src()));
            self.block(body, &mut env, body);
            self.local_functions = outer;
            self.query_scopes = scopes;
        }
        self.parameters = parameters;
        self.returns = returns;
    }

    /// `name = expr` binds the expression's values; any other target is unknown after.
    pub(super) fn assignment(&mut self, node: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let Some(right) = node.child_by_field_id(FIELDS.right) else {
            return;
        };
        self.scan_in(right, Some(node), env, scope);
        let Some(left) = node.child_by_field_id(FIELDS.left) else {
            return;
        };
        match left.kind() {
            "identifier" => {
                let value = if right.kind() == "assignment" {
                    // `a = b = expr`
                    self.assignment(right, env, scope);
                    right
                        .child_by_field_id(FIELDS.left)
                        .and_then(|l| env.get(self.file.text(l)).cloned())
                        .unwrap_or_else(|| vec![Value::Unknown])
                } else {
                    let value = self.eval(right, env);
                    self.single_row(left, right, &value);
                    value
                };
                env.insert(self.file.text(left).to_string(), value);
            }
            _ => {
                // `d[row.team.id] = ...` reads its subscripts and receivers like any
                // expression (the target itself is excluded where a read is recorded).
                self.scan_in(left, Some(node), env, scope);
                if left.kind() == "subscript" && self.store_in_dict(left, right, env) {
                    return;
                }
                for ident in descendants(left).filter(|n| n.kind() == "identifier") {
                    if ident.parent().is_some_and(|p| p.kind() == "attribute") {
                        continue;
                    }
                    env.insert(self.file.text(ident).to_string(), vec![Value::Unknown]);
                }
            }
        }
    }

    /// A `for` over rows records the loop; the body is walked with the row bound, and may
    /// run zero times.
    pub(super) fn for_statement(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let (Some(left), Some(right)) = (
            stmt.child_by_field_id(FIELDS.left),
            stmt.child_by_field_id(FIELDS.right),
        ) else {
            return;
        };
        self.scan_in(right, Some(stmt), env, scope);
        let iterated = self.eval(right, env);
        let mut body_env = env.clone();
        for name in bound_names(left, self.src()) {
            body_env.insert(name, vec![Value::Unknown]);
        }
        let body = stmt.child_by_field_id(FIELDS.body);
        self.query_iterated(right, &iterated);
        let binding = self.row_binding(left, &iterated);
        if let Some(body) = body {
            let queryset =
                !iterated.is_empty() && iterated.iter().all(|v| matches!(v, Value::Qs(_)));
            let lp = LoopIter {
                stmt,
                left,
                right,
                body,
                row: binding.as_ref().map(|(var, _)| var.as_str()),
                queryset,
            };
            self.record_writes(&lp, env);
        }
        if let (Some((var, rows)), Some(body)) = (binding, body) {
            let consumer = self.sole_consumer(right, scope);
            let untaken = self.untaken_branches(body, env);
            self.record_loop(&rows, &[body], &var, right, consumer, &untaken);
            body_env.insert(var, rows_as_objs(&rows));
        }
        if let Some(body) = body {
            let growing = self.start_query_loop(left, right, &iterated, body, env);
            self.block(body, &mut body_env, scope);
            if growing {
                self.end_query_loop();
            }
        }
        if let Some(alt) = stmt.child_by_field_id(FIELDS.alternative) {
            self.block(alt, &mut body_env, scope);
        }
        join(env, body_env);
    }
}
