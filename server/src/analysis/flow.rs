//! Queryset flow: which names hold querysets (or rows, or single objects) of which model
//! with what applied, where rows are iterated, and what each iteration touches.
//!
//! The walker goes through each function's statements in order with an environment of
//! possible values per name. Branches are walked separately and joined, so a name holds
//! every value it may have; rules only report what holds for all of them.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::access::{self, Access, Hop};
use crate::index::queryset_api::{self, Annotations, Method, Names, Returns};
use crate::index::{Applied, ManagerMethod, ModelId, ModelIndex};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{
    call_args, descendants, dotted_name, quote_of, string_value, text, undecorated,
    whole_definitions,
};
use crate::syntax::uses::{Use, uses_of};
use crate::text::TextRange;

/// Where the rows' queryset is written in this file: the place a fix edits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The root expression (`Post.objects`, `author.posts`, `super().get_queryset()`).
    pub range: TextRange,
}

impl Origin {
    /// Where a new `.select_related(...)` goes: right after the root expression.
    pub fn insert_at(&self) -> usize {
        self.range.end
    }
}

/// A call like `.select_related("a", "b")` seen while building a queryset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallSite {
    /// From the `.` before the method name to the closing parenthesis.
    pub range: TextRange,
    /// The argument list, parentheses included.
    pub args: TextRange,
    /// String arguments with their ranges (quotes included).
    pub strings: Vec<(String, TextRange)>,
    /// Every argument is a plain string literal, so another can be appended.
    pub plain: bool,
    pub quote: Option<char>,
}

/// A queryset's abstract value.
#[derive(Debug, Clone)]
pub struct Qs {
    /// The model of the rows.
    pub model: ModelId,
    /// What the origin queryset has applied; paths are relative to the origin's model.
    pub applied: Applied,
    /// `None` when there is nothing in this file to edit.
    pub origin: Option<Origin>,
    /// Hops from the origin's model to these rows (`posts` for the rows of
    /// `author.posts.all()` when `author` is a row of the origin).
    pub prefix: Vec<Hop>,
    /// The foreign key on these rows that points back at the object whose related
    /// manager produced them: Django caches it, so reading it costs nothing.
    pub back_ref: Option<String>,
    /// The rows are fetched again for each row of an outer loop.
    pub per_row: bool,
    /// Built on a related manager (`author.posts`), whose rows Django links back to
    /// their parent through a column `only()` must not leave out.
    pub related: bool,
    pub select_call: Option<CallSite>,
    pub prefetch_call: Option<CallSite>,
    pub only_call: Option<CallSite>,
    pub defer_call: Option<CallSite>,
    /// Names added by `annotate()`/`alias()`; `None` when one could not be read.
    pub annotations: Option<Vec<String>>,
    pub manager: Option<String>,
    /// `.iterator()` without `chunk_size`: Django refuses `prefetch_related` there.
    pub iterator_without_chunk: bool,
    /// The end of the last custom manager or queryset method in the chain: a new
    /// `.select_related(...)` must come after it, since the method may exist on the
    /// manager only.
    pub after_custom: Option<usize>,
    /// Relations read without a query: filtered to be null (`filter(parent__isnull=True)`,
    /// `filter(parent=None)`), so they are `None`; or given to `create(space=space)`,
    /// whose object keeps the instance it was given.
    pub known_loaded: Vec<String>,
}

impl Qs {
    /// Where a new call on this queryset goes: after the manager (or root expression),
    /// or after the last custom method called on it.
    pub fn insert_at(&self) -> Option<usize> {
        let origin = self.origin.as_ref()?.insert_at();
        Some(self.after_custom.map_or(origin, |end| end.max(origin)))
    }

    fn new(model: ModelId, origin: Option<Origin>) -> Self {
        Self {
            model,
            applied: Applied::default(),
            origin,
            prefix: Vec::new(),
            back_ref: None,
            per_row: false,
            related: false,
            select_call: None,
            prefetch_call: None,
            only_call: None,
            defer_call: None,
            annotations: Some(Vec::new()),
            manager: None,
            iterator_without_chunk: false,
            known_loaded: Vec::new(),
            after_custom: None,
        }
    }
}

/// One object: a row of a queryset, or a single object fetched from one, possibly
/// reached through single-valued relations (`path`).
#[derive(Debug, Clone)]
pub struct Obj {
    pub qs: Qs,
    pub path: Vec<Hop>,
    /// One of many rows (a loop variable), not a single fetched object.
    pub per_row: bool,
}

impl Obj {
    pub fn model(&self) -> Option<ModelId> {
        match self.path.last() {
            Some(hop) => hop.target,
            None => Some(self.qs.model),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Value {
    /// The model class itself.
    Model(ModelId),
    /// An unevaluated queryset (or a manager).
    Qs(Qs),
    /// Rows already evaluated into a list (`list(qs)`, `sorted(qs)`).
    Rows(Qs),
    Obj(Obj),
    /// `obj.tags`: the related manager of a many-valued relation.
    RelatedManager {
        obj: Obj,
        hop: Hop,
        range: TextRange,
    },
    /// `enumerate(rows)`.
    Enumerate(Box<Value>),
    /// `self` in a method of a class-based view (by the class's start byte).
    View(usize),
    /// `super()` in such a method.
    ViewSuper(usize),
    Unknown,
}

type Env = HashMap<String, Vec<Value>>;

fn join(into: &mut Env, other: Env) {
    for (name, values) in other {
        let entry = into.entry(name).or_insert_with(|| vec![Value::Unknown]);
        entry.extend(values);
        if entry.len() > 8 {
            *entry = vec![Value::Unknown];
        }
    }
}

/// Rows iterated somewhere, with everything the iteration reads from each row.
#[derive(Debug, Clone)]
pub struct LoopFact {
    /// Every value the iterated expression may have; all are querysets of one model.
    pub sources: Vec<Qs>,
    pub accesses: Vec<Access>,
    /// The iterated expression.
    pub iter_range: TextRange,
    /// The code run per row.
    pub body_range: TextRange,
    /// Nothing but this loop uses the queryset, so narrowing it changes nothing else.
    pub sole_consumer: bool,
}

/// `qs.count() > 0`, `len(qs)`, `if qs.count():` and their kin.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub kind: EvaluationKind,
    /// The whole expression to replace.
    pub range: TextRange,
    /// The queryset expression's text.
    pub qs_text: String,
    /// The rows are used nowhere else in the scope.
    pub sole_use: bool,
    /// `not x` here would need parentheses.
    pub needs_parens: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationKind {
    /// An existence test: `exists` true for `> 0`, false for `== 0`.
    Existence { exists: bool, via_len: bool },
    /// `len(qs)` used as a number.
    Len,
}

/// A lookup-taking call on a queryset of a known model.
#[derive(Debug, Clone)]
pub struct LookupCall {
    pub method: String,
    /// What the call's arguments name.
    pub names: Names,
    pub model: ModelId,
    pub call: CallSite,
    /// Keyword names (`filter(author__name=...)`) with their ranges.
    pub keywords: Vec<(String, TextRange)>,
    /// Names annotations added before this call; `None` when unknown.
    pub annotations: Option<Vec<String>>,
}

/// `.only(...)` followed in the same chain by `.values(...)`/`.values_list(...)`.
#[derive(Debug, Clone)]
pub struct OnlyThenValues {
    pub only: CallSite,
    pub values: CallSite,
    pub values_method: String,
}

/// `x.fk.id` read on a known object.
#[derive(Debug, Clone)]
pub struct IdRead {
    /// Every object the owner may be, each with the relation as the last hop.
    pub objs: Vec<Obj>,
    /// `author.id` in `post.author.id`: replaced by `author_id`.
    pub replace: TextRange,
    pub attname: String,
}

#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub loops: Vec<LoopFact>,
    pub evaluations: Vec<Evaluation>,
    pub lookup_calls: Vec<LookupCall>,
    pub only_then_values: Vec<OnlyThenValues>,
    pub id_reads: Vec<IdRead>,
}

/// How deep analysis follows a row or queryset into helper functions.
const MAX_CALL_DEPTH: usize = 2;

/// In debug builds, a file holding this comment makes the analysis panic: the end-to-end
/// tests use it to show a panic answers one request with an error and nothing more.
#[cfg(debug_assertions)]
pub const PANIC_FOR_TESTS: &str = "# ormhint-test: panic in the analysis";

pub fn analyse(file: &SourceFile, index: &ModelIndex) -> Facts {
    analyse_with(file, index, &mut FlowCache::default())
}

/// The facts of each top-level `def` and `class` of one file, kept between analyses of
/// its edited versions (by the language server): a definition whose text, and whose
/// helpers' texts and places relative to it, did not change is not walked again; its
/// facts are moved by how far it moved.
#[derive(Debug, Default)]
pub struct FlowCache {
    entries: HashMap<u64, Cached>,
    /// The index (its generation) and module the entries were computed against.
    context: Option<(u64, String)>,
    /// How many analyses used this cache.
    round: u64,
}

/// The facts of one part of a file: a top-level definition, a method, or the rest of a
/// class body (its statements walked together, since an assignment can name what a
/// later one uses), one `Facts` per node, with where each node started.
#[derive(Debug)]
struct Cached {
    starts: Vec<usize>,
    facts: Vec<Facts>,
    /// The last round whose file held this part.
    used: u64,
}

impl FlowCache {
    /// The facts of each of `nodes` under `key`: the cached ones, each moved to where
    /// its node is now, else `walk`'s (one per node), kept.
    fn facts(
        &mut self,
        key: u64,
        nodes: &[Node<'_>],
        walk: impl FnOnce() -> Vec<Facts>,
    ) -> Vec<Facts> {
        let round = self.round;
        if let Some(cached) = self.entries.get_mut(&key) {
            cached.used = round;
            return cached
                .facts
                .iter()
                .zip(&cached.starts)
                .zip(nodes)
                .map(|((facts, start), node)| {
                    let mut facts = facts.clone();
                    facts.shift(node.start_byte() as isize - *start as isize);
                    facts
                })
                .collect();
        }
        let facts = walk();
        self.entries.insert(
            key,
            Cached {
                starts: nodes.iter().map(|node| node.start_byte()).collect(),
                facts: facts.clone(),
                used: round,
            },
        );
        facts
    }
}

/// For how many analyses a definition the file no longer holds stays cached: a syntax
/// error can hide every definition for a few keystrokes (typing the `f` of `for` can
/// make the whole module one ERROR node), and they come back unchanged.
const UNUSED_ROUNDS: u64 = 32;

/// Like [`analyse`], reusing and refreshing `cache`.
pub fn analyse_with(file: &SourceFile, index: &ModelIndex, cache: &mut FlowCache) -> Facts {
    #[cfg(debug_assertions)]
    if file.source.contains(PANIC_FOR_TESTS) {
        panic!("{PANIC_FOR_TESTS}");
    }
    let context = (index.generation(), file.module.clone());
    if cache.context.as_ref() != Some(&context) {
        cache.entries.clear();
        cache.context = Some(context);
    }
    cache.round += 1;
    let mut functions = HashMap::new();
    let statements = module_statements(file);
    for (child, walk, _) in &statements {
        if *walk == Walk::Statement
            && let Some(def) = function_def(*child)
            && let Some(name) = def.child_by_field_id(FIELDS.name)
        {
            functions.insert(file.text(name).to_string(), def);
        }
    }
    let mut module = Walker::new(file, index, &functions);
    let mut env = Env::new();
    for (stmt, walk, root) in statements {
        if walk == Walk::Scan {
            module.scan(stmt, &env, root);
            continue;
        }
        let definition = matches!(
            stmt.kind(),
            "function_definition" | "decorated_definition" | "class_definition"
        );
        if !definition {
            module.statement(stmt, &mut env, root);
            continue;
        }
        let parts = class_by_parts(&module, stmt, cache).unwrap_or_else(|| {
            let key = definition_key(stmt, &functions, &file.source);
            cache.facts(key, &[stmt], || {
                let mut one = module.fresh();
                one.statement(stmt, &mut Env::new(), root);
                vec![one.facts]
            })
        });
        for facts in parts {
            module.facts.extend(facts);
        }
    }
    let round = cache.round;
    cache
        .entries
        .retain(|_, cached| cached.used + UNUSED_ROUNDS >= round);
    module.facts
}

/// The module's statements, each with how it is walked and the root of its tree. A
/// syntax error can wrap most of a module in one ERROR node (a half-typed `f` of `for`
/// does): the definitions it holds whole are statements too, so a keystroke does not
/// hide their findings until the line is finished; the rest of it (bodies that lost
/// their `def`) is only scanned.
fn module_statements(file: &SourceFile) -> Vec<(Node<'_>, Walk, Node<'_>)> {
    let mut statements = Vec::new();
    for (child, root) in file.top_level() {
        if child.kind() != "ERROR" {
            statements.push((child, Walk::Statement, root));
            continue;
        }
        let whole = whole_definitions(child);
        let mut inner = child.walk();
        for piece in child.named_children(&mut inner) {
            let walk = if whole.contains(&piece) {
                Walk::Statement
            } else {
                Walk::Scan
            };
            statements.push((piece, walk, root));
        }
    }
    statements
}

/// How [`analyse_with`] walks a module-level node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    Statement,
    /// A piece of a syntax error: its calls, not its flow.
    Scan,
}

/// The facts of a model's or plain class's parts, in order, each from `cache` while
/// unchanged: each method alone, so an edit in one method of a 1,500-line model walks
/// that method, and the rest of the body together. `None` for anything else, and for a
/// view class, whose methods share what the class says (`model`, `get_queryset()`):
/// it is cached whole.
fn class_by_parts<'a>(
    module: &Walker<'a>,
    class: Node<'a>,
    cache: &mut FlowCache,
) -> Option<Vec<Facts>> {
    if class.kind() != "class_definition" {
        return None;
    }
    let body = class.child_by_field_id(FIELDS.body)?;
    let mut shell = module.fresh();
    let kind = shell.class_kind(class, body);
    if matches!(kind, ClassKind::View(_)) {
        return None;
    }
    let key = |part, nodes: &[Node<'a>]| {
        class_part_key(part, kind, nodes, module.functions, module.src())
    };
    let mut cursor = body.walk();
    let members: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
    let statements: Vec<Node<'a>> = members
        .iter()
        .copied()
        .filter(|member| method_def(*member).is_none())
        .collect();
    let mut statement_facts = cache
        .facts(key("shell", &statements), &statements, || {
            let mut class_env = Env::new();
            statements
                .iter()
                .map(|statement| {
                    shell.statement(*statement, &mut class_env, body);
                    std::mem::take(&mut shell.facts)
                })
                .collect()
        })
        .into_iter();
    let mut parts = Vec::new();
    for member in members {
        match method_def(member) {
            None => parts.extend(statement_facts.next()),
            Some(def) => parts.extend(cache.facts(key("method", &[member]), &[member], || {
                let mut one = module.fresh();
                one.method(def, member, kind);
                vec![one.facts]
            })),
        }
    }
    Some(parts)
}

/// What a top-level definition's facts depend on in the file: its text, and the text
/// and relative place of every module function it (or they, two calls deep) call.
fn definition_key(stmt: Node<'_>, functions: &HashMap<String, Node<'_>>, source: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text(stmt, source).hash(&mut hasher);
    let mut frontier = vec![stmt];
    let mut seen: HashSet<usize> = HashSet::new();
    for _ in 0..=MAX_CALL_DEPTH {
        let mut next = Vec::new();
        for node in frontier {
            for name in called_names(text(node, source)) {
                let Some(def) = functions.get(name) else {
                    continue;
                };
                if !seen.insert(def.start_byte()) {
                    continue;
                }
                name.hash(&mut hasher);
                text(*def, source).hash(&mut hasher);
                (def.start_byte() as isize - stmt.start_byte() as isize).hash(&mut hasher);
                next.push(*def);
            }
        }
        frontier = next;
    }
    hasher.finish()
}

/// What a class is, for cache keys (a view's methods are never cached alone).
fn class_kind_key(kind: ClassKind) -> Option<ModelId> {
    match kind {
        ClassKind::Model(model) => Some(model),
        ClassKind::View(_) | ClassKind::Plain => None,
    }
}

/// What the facts of part of a class depend on: which part (`"method"`, or `"shell"`
/// for the body's other statements), what the class is to its `self` (which model),
/// and [`definition_key`] of each of the part's `nodes`, in order.
fn class_part_key(
    part: &str,
    kind: ClassKind,
    nodes: &[Node<'_>],
    functions: &HashMap<String, Node<'_>>,
    source: &str,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    part.hash(&mut hasher);
    class_kind_key(kind).hash(&mut hasher);
    for node in nodes {
        definition_key(*node, functions, source).hash(&mut hasher);
    }
    hasher.finish()
}

/// Names written right before `(` and not after a `.`: what may be calls of module
/// functions. A text scan, cheaper than walking the tree; extra names only make the key
/// stricter.
fn called_names(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        if b != b'(' {
            return None;
        }
        let end = i;
        let start = bytes[..end]
            .iter()
            .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80))
            .map_or(0, |p| p + 1);
        if start == end || (start > 0 && bytes[start - 1] == b'.') {
            return None;
        }
        text.get(start..end)
    })
}

/// The `def` of a class body statement that defines a method.
fn method_def(stmt: Node<'_>) -> Option<Node<'_>> {
    match stmt.kind() {
        "function_definition" => Some(stmt),
        "decorated_definition" => stmt
            .child_by_field_id(FIELDS.definition)
            .filter(|d| d.kind() == "function_definition"),
        _ => None,
    }
}

fn function_def(node: Node<'_>) -> Option<Node<'_>> {
    Some(undecorated(node)).filter(|d| d.kind() == "function_definition")
}

/// The quote most strings in the file use, for strings a fix writes. A quote that
/// follows a letter or digit is an apostrophe (`don't`) or a closing quote; the others
/// open strings, and counting those is a cheap stand-in for counting literals.
pub fn file_quote(file: &SourceFile) -> char {
    let (mut single, mut double) = (0usize, 0usize);
    let mut previous = b'\n';
    for &byte in file.source.as_bytes() {
        if !previous.is_ascii_alphanumeric() {
            match byte {
                b'\'' => single += 1,
                b'"' => double += 1,
                _ => {}
            }
        }
        previous = byte;
    }
    if single > double { '\'' } else { '"' }
}

struct Walker<'a> {
    file: &'a SourceFile,
    index: &'a ModelIndex,
    functions: &'a HashMap<String, Node<'a>>,
    facts: Facts,
    /// (node start, context) pairs already turned into facts, so a node walked twice
    /// (a helper analysed standalone and for a caller) gives one fact per context.
    seen: HashSet<(usize, usize, u64)>,
    /// Functions being analysed for a caller, innermost last.
    active: Vec<usize>,
    /// Class-based views of this file, by their class's start byte.
    views: HashMap<usize, ViewClass<'a>>,
    /// The view whose method is being walked.
    current_view: Option<usize>,
    /// Views whose `get_queryset()` is being evaluated (guards recursion).
    evaluating_views: Vec<usize>,
    /// While a `get_queryset()` is walked for its result: the values it returns.
    returns: Option<Vec<Value>>,
}

/// Where a class-based view gets its rows: `queryset = ...`, `model = X`, or its own
/// `get_queryset()`.
struct ViewClass<'a> {
    queryset: Option<Node<'a>>,
    model: Option<ModelId>,
    get_queryset: Option<Node<'a>>,
}

#[derive(Clone, Copy)]
enum ClassKind {
    Model(ModelId),
    View(usize),
    Plain,
}

impl<'a> Walker<'a> {
    fn new(
        file: &'a SourceFile,
        index: &'a ModelIndex,
        functions: &'a HashMap<String, Node<'a>>,
    ) -> Self {
        Walker {
            file,
            index,
            functions,
            facts: Facts::default(),
            seen: HashSet::new(),
            active: Vec::new(),
            views: HashMap::new(),
            current_view: None,
            evaluating_views: Vec::new(),
            returns: None,
        }
    }

    /// A walker of the same file with nothing walked yet.
    fn fresh(&self) -> Self {
        Self::new(self.file, self.index, self.functions)
    }

    fn src(&self) -> &'a str {
        &self.file.source
    }

    fn block(&mut self, block: Node<'a>, env: &mut Env, scope: Node<'a>) {
        let mut cursor = block.walk();
        let children: Vec<Node<'a>> = block.named_children(&mut cursor).collect();
        for stmt in children {
            self.statement(stmt, env, scope);
        }
    }

    fn statement(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
        match stmt.kind() {
            "function_definition" => self.function(stmt, Env::new()),
            "decorated_definition" => {
                if let Some(def) = stmt.child_by_field_id(FIELDS.definition) {
                    self.statement(def, env, scope);
                }
            }
            "class_definition" => self.class(stmt),
            "expression_statement" => {
                let mut cursor = stmt.walk();
                let children: Vec<Node<'a>> = stmt.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "assignment" {
                        self.assignment(child, env, scope);
                    } else if child.kind() == "augmented_assignment" {
                        self.scan_in(child, Some(stmt), env, scope);
                        if let Some(left) = child.child_by_field_id(FIELDS.left)
                            && left.kind() == "identifier"
                        {
                            env.insert(self.file.text(left).to_string(), vec![Value::Unknown]);
                        }
                    } else {
                        self.scan_in(child, Some(stmt), env, scope);
                    }
                }
            }
            "if_statement" => {
                if let Some(cond) = stmt.child_by_field_id(FIELDS.condition) {
                    self.scan_in(cond, Some(stmt), env, scope);
                }
                let before = env.clone();
                let mut branches = Vec::new();
                let mut has_else = false;
                if let Some(body) = stmt.child_by_field_id(FIELDS.consequence) {
                    let mut branch = before.clone();
                    self.block(body, &mut branch, scope);
                    branches.push(branch);
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
            "try_statement" | "with_statement" => {
                let mut cursor = stmt.walk();
                let children: Vec<Node<'a>> = stmt.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "block" => self.block(child, env, scope),
                        "with_clause" => self.scan_in(child, Some(stmt), env, scope),
                        "except_clause"
                        | "else_clause"
                        | "finally_clause"
                        | "except_group_clause" => {
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

    /// A class body: its methods get `self` bound when the class is a model (one object
    /// of it) or a class-based view (whose `get_queryset()` is understood).
    fn class(&mut self, class: Node<'a>) {
        let Some(body) = class.child_by_field_id(FIELDS.body) else {
            return;
        };
        let kind = self.class_kind(class, body);
        let mut class_env = Env::new();
        let mut cursor = body.walk();
        let statements: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
        for stmt in statements {
            match method_def(stmt) {
                Some(def) => self.method(def, stmt, kind),
                None => self.statement(stmt, &mut class_env, body),
            }
        }
    }

    /// What the class is to its methods' `self`; a view class is remembered for them.
    fn class_kind(&mut self, class: Node<'a>, body: Node<'a>) -> ClassKind {
        let name = class
            .child_by_field_id(FIELDS.name)
            .map(|n| self.file.text(n).to_string())
            .unwrap_or_default();
        if let Some(model) = self.index.resolve_model(&self.file.module, &[name]) {
            ClassKind::Model(model)
        } else if let Some(view) = self.view_class(body) {
            self.views.insert(class.start_byte(), view);
            ClassKind::View(class.start_byte())
        } else {
            ClassKind::Plain
        }
    }

    /// `queryset = ...`, `model = X` and `def get_queryset` in a class body.
    fn view_class(&self, body: Node<'a>) -> Option<ViewClass<'a>> {
        let mut view = ViewClass {
            queryset: None,
            model: None,
            get_queryset: None,
        };
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            match stmt.kind() {
                "expression_statement" => {
                    let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment")
                    else {
                        continue;
                    };
                    let (Some(left), Some(right)) = (
                        assign.child_by_field_id(FIELDS.left),
                        assign.child_by_field_id(FIELDS.right),
                    ) else {
                        continue;
                    };
                    match self.file.text(left) {
                        "queryset" => view.queryset = Some(right),
                        "model" => {
                            view.model = dotted_name(right, self.src())
                                .and_then(|d| self.index.resolve_model(&self.file.module, &d));
                        }
                        _ => {}
                    }
                }
                "function_definition" | "decorated_definition" => {
                    let def = if stmt.kind() == "decorated_definition" {
                        stmt.child_by_field_id(FIELDS.definition)
                    } else {
                        Some(stmt)
                    };
                    if let Some(def) = def.filter(|d| {
                        d.child_by_field_id(FIELDS.name)
                            .is_some_and(|n| self.file.text(n) == "get_queryset")
                    }) {
                        view.get_queryset = Some(def);
                    }
                }
                _ => {}
            }
        }
        (view.queryset.is_some() || view.model.is_some() || view.get_queryset.is_some())
            .then_some(view)
    }

    /// A method: in a model, `self` is one object of it loaded by a caller we cannot see
    /// (what it selected or prefetched is unknown, but a query its related managers
    /// start here, `self.items.filter(...)`, is ours to judge); in a view, `self` is the
    /// view.
    fn method(&mut self, def: Node<'a>, outer: Node<'a>, kind: ClassKind) {
        let decorators = if outer.kind() == "decorated_definition" {
            self.file
                .text(outer)
                .get(..def.start_byte() - outer.start_byte())
                .unwrap_or("")
        } else {
            ""
        };
        let is_classmethod = decorators.contains("@classmethod");
        let static_or_class = is_classmethod || decorators.contains("@staticmethod");
        let mut env = Env::new();
        let first = parameter_names(def, self.src()).into_iter().next();
        let previous_view = self.current_view;
        match (kind, first) {
            (ClassKind::Model(model), Some(first)) if !static_or_class => {
                let mut qs = Qs::new(model, None);
                qs.applied.unknown = true;
                env.insert(
                    first,
                    vec![Value::Obj(Obj {
                        qs,
                        path: Vec::new(),
                        per_row: false,
                    })],
                );
            }
            // `cls.objects` in a model's classmethod is the model's manager.
            (ClassKind::Model(model), Some(first)) if is_classmethod => {
                env.insert(first, vec![Value::Model(model)]);
            }
            (ClassKind::View(key), Some(first)) if !static_or_class => {
                env.insert(first, vec![Value::View(key)]);
                self.current_view = Some(key);
            }
            _ => {}
        }
        self.function(def, env);
        self.current_view = previous_view;
    }

    /// What `self.get_queryset()` returns in view `key`.
    fn view_get_queryset(&mut self, key: usize, call: Node<'a>) -> Vec<Value> {
        if self.evaluating_views.contains(&key) {
            return vec![Value::Unknown];
        }
        let Some(def) = self.views.get(&key).and_then(|v| v.get_queryset) else {
            return self.view_base_queryset(key, call);
        };
        let (Some(body), Some(first)) = (
            def.child_by_field_id(FIELDS.body),
            parameter_names(def, self.src()).into_iter().next(),
        ) else {
            return vec![Value::Unknown];
        };
        self.evaluating_views.push(key);
        let saved_returns = self.returns.replace(Vec::new());
        let previous_view = self.current_view.replace(key);
        let mut env = Env::new();
        env.insert(first, vec![Value::View(key)]);
        self.block(body, &mut env, body);
        let values = std::mem::replace(&mut self.returns, saved_returns).unwrap_or_default();
        self.current_view = previous_view;
        self.evaluating_views.pop();
        if values.is_empty() {
            vec![Value::Unknown]
        } else {
            values
        }
    }

    /// What Django's own `get_queryset()` returns: the `queryset` attribute, else the
    /// model's default manager. A fix for the latter goes right after `call`.
    fn view_base_queryset(&mut self, key: usize, call: Node<'a>) -> Vec<Value> {
        let (queryset, model) = match self.views.get(&key) {
            Some(view) => (view.queryset, view.model),
            None => return vec![Value::Unknown],
        };
        if let Some(queryset) = queryset {
            return self.eval(queryset, &Env::new());
        }
        let Some(model) = model else {
            return vec![Value::Unknown];
        };
        let Some(manager) = self.index.model(model).managers.first() else {
            return vec![Value::Unknown];
        };
        if manager.opaque {
            return vec![Value::Unknown];
        }
        let mut qs = Qs::new(
            model,
            Some(Origin {
                range: TextRange::of(call),
            }),
        );
        qs.applied = manager.applied.clone();
        qs.manager = Some(manager.name.clone());
        if manager.applied.annotates {
            qs.annotations = None;
        }
        vec![Value::Qs(qs)]
    }

    fn function(&mut self, def: Node<'a>, mut env: Env) {
        // A nested function's `return` is not the enclosing `get_queryset()`'s.
        let returns = self.returns.take();
        if let Some(body) = def.child_by_field_id(FIELDS.body) {
            self.block(body, &mut env, body);
        }
        self.returns = returns;
    }

    fn assignment(&mut self, node: Node<'a>, env: &mut Env, scope: Node<'a>) {
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
                    self.eval(right, env)
                };
                env.insert(self.file.text(left).to_string(), value);
            }
            _ => {
                for ident in descendants(left).filter(|n| n.kind() == "identifier") {
                    if ident.parent().is_some_and(|p| p.kind() == "attribute") {
                        continue;
                    }
                    env.insert(self.file.text(ident).to_string(), vec![Value::Unknown]);
                }
            }
        }
    }

    fn for_statement(&mut self, stmt: Node<'a>, env: &mut Env, scope: Node<'a>) {
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
        if let (Some((var, rows)), Some(body)) = (self.row_binding(left, &iterated), body) {
            let consumer = self.sole_consumer(right, scope);
            self.record_loop(&rows, body, &var, right, consumer, &[]);
            body_env.insert(var, rows_as_objs(&rows));
        }
        if let Some(body) = body {
            self.block(body, &mut body_env, scope);
        }
        if let Some(alt) = stmt.child_by_field_id(FIELDS.alternative) {
            self.block(alt, &mut body_env, scope);
        }
        join(env, body_env);
    }

    /// The loop variable bound to a row when `values` are all rows of one model:
    /// `for p in qs`, `for i, p in enumerate(qs)`.
    fn row_binding(&self, left: Node<'a>, values: &[Value]) -> Option<(String, Vec<Qs>)> {
        let (target, values): (Node<'a>, Vec<&Value>) = match left.kind() {
            "identifier" => (left, values.iter().collect()),
            "pattern_list" | "tuple_pattern" => {
                let mut cursor = left.walk();
                let items: Vec<Node<'a>> = left.named_children(&mut cursor).collect();
                if items.len() != 2 || items[1].kind() != "identifier" {
                    return None;
                }
                let inner: Option<Vec<&Value>> = values
                    .iter()
                    .map(|v| match v {
                        Value::Enumerate(inner) => Some(inner.as_ref()),
                        _ => None,
                    })
                    .collect();
                (items[1], inner?)
            }
            _ => return None,
        };
        let rows = rows_of(&values)?;
        Some((text(target, self.src()).to_string(), rows))
    }

    /// Records what each row of `rows` bound to `var` is used for inside `body`.
    fn record_loop(
        &mut self,
        rows: &[Qs],
        body: Node<'a>,
        var: &str,
        iter: Node<'a>,
        sole_consumer: bool,
        extra: &[Node<'a>],
    ) {
        let key = (
            iter.start_byte(),
            body.start_byte(),
            self.context_hash(rows),
        );
        if !self.seen.insert(key) {
            return;
        }
        let model = rows[0].model;
        let mut uses = uses_of(body, var, self.src());
        for node in extra {
            uses.extend(uses_of(*node, var, self.src()));
        }
        let mut accesses = Vec::new();
        let ctx = access::Ctx {
            index: self.index,
            file: self.file,
            functions: self.functions,
        };
        for u in &uses {
            access::resolve_use(&ctx, model, u, &mut accesses, 0);
        }
        // `row.book = other` puts `other` in the cache: later reads of `row.book`, here or
        // in a method the loop calls, cost nothing.
        let assigned: Vec<&str> = uses
            .iter()
            .filter_map(|u| match u {
                Use::Chain {
                    segments,
                    store: true,
                } if segments.len() == 1 => Some(segments[0].name.as_str()),
                _ => None,
            })
            .collect();
        accesses.retain(|a| match &a.kind {
            access::AccessKind::Load { path } | access::AccessKind::IdRead { path } => {
                !assigned.contains(&path[0].name.as_str())
            }
            _ => true,
        });
        self.facts.loops.push(LoopFact {
            sources: rows.to_vec(),
            accesses,
            iter_range: TextRange::of(iter),
            body_range: TextRange::of(body),
            sole_consumer,
        });
    }

    fn context_hash(&self, rows: &[Qs]) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for qs in rows {
            qs.origin.hash(&mut h);
            qs.model.hash(&mut h);
        }
        self.active.hash(&mut h);
        h.finish()
    }

    /// The queryset in `iter` is used by this loop only: an inline chain, or a name
    /// every other mention of which assigns it.
    fn sole_consumer(&self, iter: Node<'a>, scope: Node<'a>) -> bool {
        let target = match iter.kind() {
            "identifier" => iter,
            "call" | "attribute" | "subscript" => {
                let mut base = iter;
                loop {
                    base = match base.kind() {
                        "call" => match base.child_by_field_id(FIELDS.function) {
                            Some(f) => f,
                            None => return false,
                        },
                        "attribute" => match base.child_by_field_id(FIELDS.object) {
                            Some(o) => o,
                            None => return false,
                        },
                        "subscript" => match base.child_by_field_id(FIELDS.value) {
                            Some(v) => v,
                            None => return false,
                        },
                        _ => break,
                    };
                }
                if base.kind() != "identifier" {
                    return true;
                }
                // A chain on a model class (`Post.objects...`) is inline; on a variable, not.
                if self
                    .index
                    .resolve_model(&self.file.module, &[self.file.text(base).to_string()])
                    .is_some()
                {
                    return true;
                }
                base
            }
            _ => return false,
        };
        self.only_assigned_elsewhere(target, scope)
    }

    /// Every other mention of the name `node` in `scope` (re)assigns it. Not known of a
    /// module-level name in a patched file: its module is read from several trees.
    fn only_assigned_elsewhere(&self, node: Node<'a>, scope: Node<'a>) -> bool {
        if self.file.is_patched() && scope.kind() == "module" {
            return false;
        }
        let name = self.file.text(node);
        descendants(scope)
            .filter(|n| n.kind() == "identifier" && self.file.text(*n) == name && *n != node)
            .all(|n| is_self_assignment(n, name, self.src()))
    }

    /// Walks an expression for the places that matter: comprehensions and lambdas over
    /// rows, count/len tests, calls that pass rows to helpers, queryset chains.
    fn scan(&mut self, node: Node<'a>, env: &Env, scope: Node<'a>) {
        // Parents are passed down: tree-sitter finds one by searching from the root.
        self.scan_in(node, node.parent(), env, scope);
    }

    fn scan_in(&mut self, node: Node<'a>, parent: Option<Node<'a>>, env: &Env, scope: Node<'a>) {
        self.scan_node(node, parent, false, env, scope);
    }

    /// `in_chain`: `node` is the receiver part of a call chain whose outer call has been
    /// evaluated whole (`Post.objects.filter(...)` inside `....order_by(...)`), so its
    /// own calls need no evaluation of their own; their arguments are still scanned.
    fn scan_node(
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
                    self.call_site(node, env, scope);
                }
                if let Some(parent) = parent {
                    self.truthiness(node, parent, env, scope);
                }
                chain_child = node
                    .child_by_field_id(FIELDS.function)
                    .filter(|f| f.kind() == "attribute");
            }
            "comparison_operator" => self.comparison(node, env, scope),
            "attribute" => {
                self.id_read(node, parent, env);
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

    fn comprehension(&mut self, node: Node<'a>, env: &Env, scope: Node<'a>) {
        let mut env = env.clone();
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
                        if let Some((first, others)) = rest.split_first() {
                            self.record_loop(&rows, *first, &var, right, consumer, others);
                        }
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
    }

    /// Calls that hand rows to code we can read: `sorted(qs, key=lambda p: ...)`,
    /// `map(lambda p: ..., qs)`, `helper(row)`, `export(qs)`; and queryset chains.
    fn call_site(&mut self, call: Node<'a>, env: &Env, scope: Node<'a>) {
        let Some(function) = call.child_by_field_id(FIELDS.function) else {
            return;
        };
        if function.kind() == "attribute" {
            // Records lookup facts for the chain (ORM302/601/602) even when unassigned.
            let _ = self.eval(call, env);
        }
        let args = call_args(call, self.src());
        let callee = self.file.text(function);
        let mut lambdas = Vec::new();
        match callee {
            "sorted" | "min" | "max" | "itertools.groupby" | "groupby" => {
                if let Some(key) = args.keyword("key") {
                    lambdas.push((key, args.positional.first().copied()));
                }
            }
            "map" | "filter" => {
                if let (Some(f), Some(rows)) = (args.positional.first(), args.positional.get(1)) {
                    lambdas.push((*f, Some(*rows)));
                }
            }
            _ => {}
        }
        for (lambda, rows_arg) in lambdas {
            let Some(rows_arg) = rows_arg else { continue };
            if lambda.kind() != "lambda" {
                continue;
            }
            let values = self.eval(rows_arg, env);
            let Some(rows) = rows_of(&values.iter().collect::<Vec<_>>()) else {
                continue;
            };
            let Some(params) = lambda.child_by_field_id(FIELDS.parameters) else {
                continue;
            };
            let mut cursor = params.walk();
            let names: Vec<Node<'a>> = params.named_children(&mut cursor).collect();
            if names.len() != 1 || names[0].kind() != "identifier" {
                continue;
            }
            if let Some(body) = lambda.child_by_field_id(FIELDS.body) {
                let var = self.file.text(names[0]).to_string();
                let consumer = self.sole_consumer(rows_arg, scope);
                self.record_loop(&rows, body, &var, rows_arg, consumer, &[]);
            }
        }
        // A module-level helper receiving a queryset or rows: walk it with the argument bound.
        if function.kind() == "identifier" && self.active.len() < MAX_CALL_DEPTH {
            let Some(def) = self.functions.get(callee).copied() else {
                return;
            };
            if self.active.contains(&def.start_byte()) {
                return;
            }
            let params = parameter_names(def, self.src());
            let mut callee_env = Env::new();
            let mut any = false;
            for (i, arg) in args.positional.iter().enumerate() {
                let Some(param) = params.get(i) else { break };
                let values = self.eval(*arg, env);
                if values
                    .iter()
                    .any(|v| matches!(v, Value::Qs(_) | Value::Rows(_)))
                {
                    any = true;
                    callee_env.insert(param.clone(), values);
                }
            }
            for (name, arg) in &args.keywords {
                if params.contains(name) {
                    let values = self.eval(*arg, env);
                    if values
                        .iter()
                        .any(|v| matches!(v, Value::Qs(_) | Value::Rows(_)))
                    {
                        any = true;
                        callee_env.insert(name.clone(), values);
                    }
                }
            }
            if any {
                self.active.push(def.start_byte());
                self.function(def, callee_env);
                self.active.pop();
            }
        }
    }

    /// `qs.count() > 0`, `len(qs) == 0`, `0 < qs.count()`.
    fn comparison(&mut self, node: Node<'a>, env: &Env, scope: Node<'a>) {
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
    fn truthiness(&mut self, node: Node<'a>, parent: Node<'a>, env: &Env, scope: Node<'a>) {
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
    fn counted(
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

    /// `obj.author.id` / `obj.author.pk` where `obj` is a known object.
    fn id_read(&mut self, node: Node<'a>, parent: Option<Node<'a>>, env: &Env) {
        let Some(attr) = node.child_by_field_id(FIELDS.attribute) else {
            return;
        };
        let name = self.file.text(attr);
        if name != "id" && name != "pk" {
            return;
        }
        if parent.is_some_and(|p| {
            (p.kind() == "call" && p.child_by_field_id(FIELDS.function) == Some(node))
                || ((p.kind() == "assignment" || p.kind() == "augmented_assignment")
                    && p.child_by_field_id(FIELDS.left) == Some(node))
        }) {
            return;
        }
        let Some(fk_node) = node
            .child_by_field_id(FIELDS.object)
            .filter(|o| o.kind() == "attribute")
        else {
            return;
        };
        let Some(owner) = fk_node.child_by_field_id(FIELDS.object) else {
            return;
        };
        let Some(fk_name_node) = fk_node.child_by_field_id(FIELDS.attribute) else {
            return;
        };
        let fk_name = self.file.text(fk_name_node);
        // Every value the owner may have must be a known object: a rule reports only
        // what holds on every path.
        let mut objs = Vec::new();
        for value in self.eval(owner, env) {
            let Value::Obj(mut obj) = value else { return };
            let Some(model) = obj.model() else { return };
            let Some(hop) = access::forward_fk_hop(self.index, model, fk_name) else {
                return;
            };
            if (name == "id" && !access::target_pk_is(self.index, &hop, "id"))
                || !access::id_column_holds_pk(self.index, model, fk_name)
            {
                return;
            }
            obj.path.push(hop);
            objs.push(obj);
        }
        if objs.is_empty() || related_object_used(fk_node, self.src()) {
            return;
        }
        self.facts.id_reads.push(IdRead {
            objs,
            replace: TextRange::new(fk_name_node.start_byte(), node.end_byte()),
            attname: format!("{fk_name}_id"),
        });
    }

    /// The possible values of an expression.
    fn eval(&mut self, node: Node<'a>, env: &Env) -> Vec<Value> {
        let src = self.src();
        match node.kind() {
            "identifier" => {
                let name = text(node, src);
                if let Some(values) = env.get(name) {
                    return values.clone();
                }
                match self
                    .index
                    .resolve_model(&self.file.module, &[name.to_string()])
                {
                    Some(id) => vec![Value::Model(id)],
                    None => vec![Value::Unknown],
                }
            }
            "parenthesized_expression" => match node.named_child(0) {
                Some(inner) => self.eval(inner, env),
                None => vec![Value::Unknown],
            },
            "conditional_expression" => {
                let mut values = Vec::new();
                for i in [0, 2] {
                    if let Some(branch) = node.named_child(i) {
                        values.extend(self.eval(branch, env));
                    }
                }
                values
            }
            "attribute" => self.eval_attribute(node, env),
            "call" => self.eval_call(node, env),
            "subscript" => {
                let Some(value) = node.child_by_field_id(FIELDS.value) else {
                    return vec![Value::Unknown];
                };
                let is_slice = node
                    .child_by_field_id(FIELDS.subscript)
                    .is_some_and(|s| s.kind() == "slice");
                self.eval(value, env)
                    .into_iter()
                    .map(|v| match (v, is_slice) {
                        (Value::Qs(qs), true) => Value::Qs(qs),
                        (Value::Rows(qs), true) => Value::Rows(qs),
                        (Value::Qs(qs) | Value::Rows(qs), false) => Value::Obj(Obj {
                            qs,
                            path: Vec::new(),
                            per_row: false,
                        }),
                        _ => Value::Unknown,
                    })
                    .collect()
            }
            _ => vec![Value::Unknown],
        }
    }

    fn eval_attribute(&mut self, node: Node<'a>, env: &Env) -> Vec<Value> {
        let (Some(object), Some(attr)) = (
            node.child_by_field_id(FIELDS.object),
            node.child_by_field_id(FIELDS.attribute),
        ) else {
            return vec![Value::Unknown];
        };
        let name = self.file.text(attr).to_string();
        // `models.Post`, `blog.models.Post`
        if let Some(path) = dotted_name(node, self.src())
            && path.len() > 1
            && !env.contains_key(&path[0])
            && let Some(id) = self.index.resolve_model(&self.file.module, &path)
        {
            return vec![Value::Model(id)];
        }
        let objects = self.eval(object, env);
        objects
            .into_iter()
            .map(|value| match value {
                Value::Model(id) => {
                    let model = self.index.model(id);
                    let manager = match name.as_str() {
                        // The first declared manager is the default one.
                        "_default_manager" => model.managers.first(),
                        // `_base_manager` is a plain Manager: nothing applied.
                        "_base_manager" => {
                            let qs = Qs::new(
                                id,
                                Some(Origin {
                                    range: TextRange::of(node),
                                }),
                            );
                            return Value::Qs(qs);
                        }
                        other => self.index.manager(id, other),
                    };
                    let Some(manager) = manager else {
                        return Value::Unknown;
                    };
                    let mut qs = Qs::new(
                        id,
                        Some(Origin {
                            range: TextRange::of(node),
                        }),
                    );
                    qs.applied = manager.applied.clone();
                    if manager.opaque {
                        // A manager we cannot read may select or prefetch anything.
                        qs.applied.unknown = true;
                    }
                    if manager.applied.annotates || manager.opaque {
                        qs.annotations = None;
                    }
                    qs.manager = Some(manager.name.clone());
                    Value::Qs(qs)
                }
                Value::Obj(obj) => {
                    let Some(model) = obj.model() else {
                        return Value::Unknown;
                    };
                    match access::hop(self.index, model, &name) {
                        Some(hop) if hop.is_many() => Value::RelatedManager {
                            obj,
                            hop,
                            range: TextRange::of(node),
                        },
                        Some(hop) => {
                            let mut obj = obj;
                            obj.path.push(hop);
                            Value::Obj(obj)
                        }
                        None => Value::Unknown,
                    }
                }
                _ => Value::Unknown,
            })
            .collect()
    }

    fn eval_call(&mut self, node: Node<'a>, env: &Env) -> Vec<Value> {
        let Some(function) = node.child_by_field_id(FIELDS.function) else {
            return vec![Value::Unknown];
        };
        let args = call_args(node, self.src());
        match function.kind() {
            "identifier" => {
                let name = self.file.text(function);
                if env.contains_key(name) {
                    return vec![Value::Unknown];
                }
                match name {
                    "list" | "sorted" | "tuple" | "reversed" => {
                        let Some(arg) = args.positional.first() else {
                            return vec![Value::Unknown];
                        };
                        self.eval(*arg, env)
                            .into_iter()
                            .map(|v| match v {
                                Value::Qs(qs) | Value::Rows(qs) if !qs.applied.values => {
                                    Value::Rows(qs)
                                }
                                _ => Value::Unknown,
                            })
                            .collect()
                    }
                    "enumerate" => {
                        let Some(arg) = args.positional.first() else {
                            return vec![Value::Unknown];
                        };
                        self.eval(*arg, env)
                            .into_iter()
                            .map(|v| Value::Enumerate(Box::new(v)))
                            .collect()
                    }
                    "get_object_or_404" => {
                        let Some(arg) = args.positional.first() else {
                            return vec![Value::Unknown];
                        };
                        self.eval(*arg, env)
                            .into_iter()
                            .map(|v| match v {
                                Value::Qs(qs) => Value::Obj(Obj {
                                    qs,
                                    path: Vec::new(),
                                    per_row: false,
                                }),
                                Value::Model(id) => Value::Obj(Obj {
                                    qs: Qs::new(id, None),
                                    path: Vec::new(),
                                    per_row: false,
                                }),
                                _ => Value::Unknown,
                            })
                            .collect()
                    }
                    "super" if args.positional.is_empty() => match self.current_view {
                        Some(key) => vec![Value::ViewSuper(key)],
                        None => vec![Value::Unknown],
                    },
                    "get_user_model" if args.positional.is_empty() => {
                        match self.index.by_label(&self.auth_label()) {
                            Some(id) => vec![Value::Model(id)],
                            None => vec![Value::Unknown],
                        }
                    }
                    _ => vec![Value::Unknown],
                }
            }
            "attribute" => {
                let (Some(object), Some(attr)) = (
                    function.child_by_field_id(FIELDS.object),
                    function.child_by_field_id(FIELDS.attribute),
                ) else {
                    return vec![Value::Unknown];
                };
                let method = self.file.text(attr).to_string();
                let receivers = self.eval(object, env);
                let mut values = Vec::new();
                for value in receivers {
                    match (value, method.as_str()) {
                        // Every value `get_queryset()` may return is an alternative.
                        (Value::View(key), "get_queryset") => {
                            values.extend(self.view_get_queryset(key, node));
                        }
                        (Value::ViewSuper(key), "get_queryset") => {
                            values.extend(self.view_base_queryset(key, node));
                        }
                        (value, _) => {
                            values.push(self.apply_method(value, &method, node, function))
                        }
                    }
                }
                values
            }
            _ => vec![Value::Unknown],
        }
    }

    fn auth_label(&self) -> String {
        self.index
            .auth_user_model()
            .map(|id| {
                let m = self.index.model(id);
                format!("{}.{}", m.app_label, m.name)
            })
            .unwrap_or_else(|| "auth.User".to_string())
    }

    fn apply_method(
        &mut self,
        value: Value,
        method: &str,
        call: Node<'a>,
        function: Node<'a>,
    ) -> Value {
        match value {
            Value::Qs(qs) => self.queryset_method(qs, method, call, function),
            Value::RelatedManager { obj, hop, range } => {
                let Some(target) = hop.target else {
                    return Value::Unknown;
                };
                let back_ref = hop.back_ref.clone();
                if method == "all"
                    && (obj.per_row || obj.qs.applied.unknown || obj_prefetched(&obj, &hop))
                {
                    // Rows served from the outer queryset's prefetch (or fetched per row
                    // when it has none): loads are judged against the outer queryset.
                    let mut qs = obj.qs.clone();
                    qs.prefix.extend(obj.path.iter().cloned());
                    qs.prefix.push(hop);
                    qs.model = target;
                    qs.back_ref = back_ref;
                    qs.per_row = obj.per_row;
                    qs.related = true;
                    return Value::Qs(qs);
                }
                let mut qs = Qs::new(target, Some(Origin { range }));
                qs.back_ref = back_ref;
                qs.per_row = obj.per_row;
                qs.related = true;
                self.queryset_method(qs, method, call, function)
            }
            Value::Rows(qs) if method == "copy" => Value::Rows(qs),

            _ => Value::Unknown,
        }
    }

    fn queryset_method(
        &mut self,
        mut qs: Qs,
        method: &str,
        call: Node<'a>,
        function: Node<'a>,
    ) -> Value {
        if let Some(own) = self.own_method(&qs, method) {
            // The project's own methods, and those that override Django's of the same
            // name (DefectDojo's `def get(self, no_cache=False, ...)`): their arguments
            // and result are their own.
            return own_method_result(qs, own, call);
        }
        let Some(api) = queryset_api::method(method) else {
            // Not Django's, and not one the project's classes define.
            return Value::Unknown;
        };
        let src = self.src();
        let first_visit = self
            .seen
            .insert((call.start_byte(), call.end_byte(), u64::MAX));
        match api.returns {
            Returns::Rows | Returns::Values => {
                let site = call_site(call, function, src);
                if first_visit {
                    self.record_lookups(&qs, api, &site, call);
                    if api.returns == Returns::Values
                        && let Some(only) = &qs.only_call
                        // Both in this one expression, so one edit can merge them.
                        && call.start_byte() <= only.range.start
                    {
                        self.facts.only_then_values.push(OnlyThenValues {
                            only: only.clone(),
                            values: site.clone(),
                            values_method: method.to_string(),
                        });
                    }
                }
                apply_call(&mut qs, method, call, site, src);
                Value::Qs(qs)
            }
            Returns::Iterator => {
                let args = call_args(call, src);
                qs.iterator_without_chunk =
                    args.keyword("chunk_size").is_none() && args.positional.is_empty();
                Value::Qs(qs)
            }
            Returns::Object => {
                if first_visit {
                    let site = call_site(call, function, src);
                    self.record_lookups(&qs, api, &site, call);
                }
                if qs.applied.values {
                    return Value::Unknown;
                }
                if method == "create" {
                    let args = call_args(call, src);
                    // `**fields` may give it any relation's instance.
                    qs.applied.unknown |= args.has_splat;
                    qs.known_loaded
                        .extend(args.keywords.into_iter().map(|(name, _)| name));
                }
                Value::Obj(Obj {
                    qs,
                    path: Vec::new(),
                    per_row: false,
                })
            }
            Returns::Combined | Returns::Other => Value::Unknown,
        }
    }

    /// The project's own method of `qs`'s manager or queryset class, if it has one.
    fn own_method(&self, qs: &Qs, method: &str) -> Option<&'a ManagerMethod> {
        let index: &'a ModelIndex = self.index;
        let manager = index.manager(qs.model, qs.manager.as_deref()?)?;
        manager.methods.get(method)
    }

    /// A call whose arguments name fields, relations or lookups of `qs`'s model.
    fn record_lookups(&mut self, qs: &Qs, api: &Method, site: &CallSite, call: Node<'a>) {
        let Some(names) = api.names else {
            return;
        };
        if !qs.prefix.is_empty() || qs.applied.unknown && names != Names::Relations {
            return;
        }
        let keywords = match names {
            Names::Lookups => call_args(call, self.src())
                .keywords
                .iter()
                .filter_map(|(k, v)| {
                    let name_node = v.prev_named_sibling()?;
                    Some((k.clone(), TextRange::of(name_node)))
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut annotations = qs.annotations.clone();
        if let Some(names) = &mut annotations {
            names.extend(
                qs.applied
                    .prefetch_related
                    .iter()
                    .filter_map(|p| p.to_attr.clone()),
            );
        }
        self.facts.lookup_calls.push(LookupCall {
            method: api.name.to_string(),
            names,
            model: qs.model,
            call: site.clone(),
            keywords,
            annotations,
        });
    }
}

/// What the call of Django's queryset method `method` does to `qs`: what it applies
/// and names (read by the one reader the index uses too), and where it is written, for
/// fixes.
fn apply_call(qs: &mut Qs, method: &str, call: Node<'_>, site: CallSite, src: &str) {
    match queryset_api::apply(&mut qs.applied, method, call, src) {
        Annotations::None => {}
        Annotations::Named(names) => {
            if let Some(known) = &mut qs.annotations {
                known.extend(names);
            }
        }
        Annotations::Unreadable => qs.annotations = None,
    }
    match method {
        "select_related" => qs.select_call = Some(site),
        "prefetch_related" => qs.prefetch_call = Some(site),
        "only" => qs.only_call = Some(site),
        "defer" => qs.defer_call = Some(site),
        "filter" => {
            // `filter(parent__isnull=True)`, `filter(parent=None)`: the relation is None.
            let args = call_args(call, src);
            for (name, value) in &args.keywords {
                let value = text(*value, src);
                let relation = match name.strip_suffix("__isnull") {
                    Some(rel) if value == "True" => rel,
                    None if value == "None" => name.as_str(),
                    _ => continue,
                };
                if !relation.contains("__") {
                    qs.known_loaded.push(relation.to_string());
                }
            }
        }
        _ => {}
    }
}

/// What calling a method the project's manager or queryset class defines gives.
fn own_method_result(mut qs: Qs, method: &ManagerMethod, call: Node<'_>) -> Value {
    match method {
        ManagerMethod::Queryset(applied) => {
            qs.applied.merge(applied);
            qs.after_custom = Some(call.end_byte());
            if applied.annotates {
                // Later lookups may name what it annotated.
                qs.annotations = None;
            }
            Value::Qs(qs)
        }
        ManagerMethod::Other => Value::Unknown,
    }
}

/// Whether the function (else module) around `related` (`test.engagement` of
/// `test.engagement.id`) reads the same expression for more than its id: the related
/// object is then loaded anyway, and reading `engagement_id` would save no query.
fn related_object_used(related: Node<'_>, src: &str) -> bool {
    let mut scope = related;
    while let Some(parent) = scope.parent() {
        scope = parent;
        if scope.kind() == "function_definition" {
            break;
        }
    }
    let wanted = text(related, src);
    descendants(scope).any(|other| {
        other.kind() == "attribute"
            && other != related
            && text(other, src) == wanted
            && !other.parent().is_some_and(|parent| {
                parent.kind() == "attribute"
                    && parent.child_by_field_id(FIELDS.object) == Some(other)
                    && parent
                        .child_by_field_id(FIELDS.attribute)
                        .is_some_and(|a| matches!(text(a, src), "id" | "pk"))
            })
    })
}

/// The quote style to use for new strings in `site`'s call, else the file's.
pub fn quote_for(site: Option<&CallSite>, file_quote: char) -> char {
    site.and_then(|s| s.quote).unwrap_or(file_quote)
}

fn obj_prefetched(obj: &Obj, hop: &Hop) -> bool {
    let mut names: Vec<&str> = obj.qs.prefix.iter().map(|h| h.name.as_str()).collect();
    names.extend(obj.path.iter().map(|h| h.name.as_str()));
    names.push(&hop.name);
    let path = names.join("__");
    obj.qs.applied.prefetch_related.iter().any(|p| {
        p.to_attr.is_none() && (p.lookup == path || p.lookup.starts_with(&format!("{path}__")))
    })
}

fn call_site(call: Node<'_>, function: Node<'_>, src: &str) -> CallSite {
    // At the `.` itself: a fix deleting the call keeps a comment or line break written
    // between the receiver and the dot.
    let mut cursor = function.walk();
    let start = function
        .children(&mut cursor)
        .find(|c| c.kind() == ".")
        .map_or(function.start_byte(), |dot| dot.start_byte());
    let args_node = call.child_by_field_id(FIELDS.arguments);
    let args = args_node
        .map(TextRange::of)
        .unwrap_or(TextRange::empty(call.end_byte()));
    let mut strings = Vec::new();
    let mut plain = true;
    let mut quote = None;
    if let Some(list) = args_node.filter(|a| a.kind() == "argument_list") {
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            if arg.kind() == "comment" {
                continue;
            }
            match string_value(arg, src) {
                Some(value) => {
                    quote = quote.or(quote_of(arg, src));
                    strings.push((value.to_string(), TextRange::of(arg)));
                }
                None => plain = false,
            }
        }
    } else {
        plain = false;
    }
    CallSite {
        range: TextRange::new(start, call.end_byte()),
        args,
        strings,
        plain,
        quote,
    }
}

fn rows_of(values: &[&Value]) -> Option<Vec<Qs>> {
    let mut rows = Vec::new();
    for value in values {
        match value {
            Value::Qs(qs) | Value::Rows(qs) if !qs.applied.values => rows.push(qs.clone()),
            _ => return None,
        }
    }
    let first = rows.first()?;
    rows.iter().all(|q| q.model == first.model).then_some(rows)
}

fn rows_as_objs(rows: &[Qs]) -> Vec<Value> {
    rows.iter()
        .map(|qs| {
            Value::Obj(Obj {
                qs: qs.clone(),
                path: Vec::new(),
                per_row: true,
            })
        })
        .collect()
}

fn bound_names(left: Node<'_>, src: &str) -> Vec<String> {
    descendants(left)
        .filter(|n| n.kind() == "identifier" && n.parent().is_none_or(|p| p.kind() != "attribute"))
        .map(|n| text(n, src).to_string())
        .collect()
}

fn parameter_names(def: Node<'_>, src: &str) -> Vec<String> {
    let Some(params) = def.child_by_field_id(FIELDS.parameters) else {
        return Vec::new();
    };
    let mut cursor = params.walk();
    params
        .named_children(&mut cursor)
        .filter_map(|p| match p.kind() {
            "identifier" => Some(text(p, src).to_string()),
            "typed_parameter" => p.named_child(0).map(|n| text(n, src).to_string()),
            "default_parameter" | "typed_default_parameter" => p
                .child_by_field_id(FIELDS.name)
                .map(|n| text(n, src).to_string()),
            _ => None,
        })
        .collect()
}

/// `name = name.filter(...)`-style mentions: the name is (re)assigned, or read only to
/// build its own new value.
fn is_self_assignment(node: Node<'_>, name: &str, src: &str) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "assignment" => {
                let left = parent.child_by_field_id(FIELDS.left);
                if left == Some(current) {
                    return true;
                }
                return left.is_some_and(|l| l.kind() == "identifier" && text(l, src) == name);
            }
            "attribute" | "call" | "argument_list" | "keyword_argument" | "subscript" => {
                current = parent;
            }
            _ => return false,
        }
    }
    false
}

fn int_literal(node: Node<'_>, src: &str) -> Option<i64> {
    (node.kind() == "integer").then(|| text(node, src).parse().ok())?
}

fn flip(op: &str) -> &str {
    match op {
        "<" => ">",
        ">" => "<",
        "<=" => ">=",
        ">=" => "<=",
        other => other,
    }
}

fn expression_text(node: Node<'_>, src: &str) -> String {
    let text = text(node, src);
    match node.kind() {
        "identifier" | "attribute" | "call" | "subscript" | "parenthesized_expression" => {
            text.to_string()
        }
        _ => format!("({text})"),
    }
}

/// Replacing `node` with `not x` needs parentheses where a `not` cannot stand unbracketed.
fn needs_parens_for_not(node: Node<'_>) -> bool {
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
fn is_truth_context(node: Node<'_>) -> bool {
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

/// Used by rules to print a path (`author__profile`).
pub fn lookup_path(hops: &[Hop]) -> String {
    hops.iter()
        .map(|h| h.name.as_str())
        .collect::<Vec<_>>()
        .join("__")
}

/// Moving facts along with the code they describe (see [`FlowCache`]).
trait Shift {
    fn shift(&mut self, by: isize);
}

fn moved(at: usize, by: isize) -> usize {
    at.checked_add_signed(by).unwrap_or(0)
}

impl Shift for TextRange {
    fn shift(&mut self, by: isize) {
        self.start = moved(self.start, by);
        self.end = moved(self.end, by);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: isize) {
        if let Some(value) = self {
            value.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: isize) {
        for value in self {
            value.shift(by);
        }
    }
}

impl Shift for (String, TextRange) {
    fn shift(&mut self, by: isize) {
        self.1.shift(by);
    }
}

impl Shift for Origin {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
    }
}

impl Shift for CallSite {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
        self.args.shift(by);
        self.strings.shift(by);
    }
}

impl Shift for Qs {
    fn shift(&mut self, by: isize) {
        self.origin.shift(by);
        self.select_call.shift(by);
        self.prefetch_call.shift(by);
        self.only_call.shift(by);
        self.defer_call.shift(by);
        self.after_custom = self.after_custom.map(|at| moved(at, by));
    }
}

impl Shift for Access {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
    }
}

impl Shift for LoopFact {
    fn shift(&mut self, by: isize) {
        self.sources.shift(by);
        self.accesses.shift(by);
        self.iter_range.shift(by);
        self.body_range.shift(by);
    }
}

impl Shift for Evaluation {
    fn shift(&mut self, by: isize) {
        self.range.shift(by);
    }
}

impl Shift for LookupCall {
    fn shift(&mut self, by: isize) {
        self.call.shift(by);
        self.keywords.shift(by);
    }
}

impl Shift for OnlyThenValues {
    fn shift(&mut self, by: isize) {
        self.only.shift(by);
        self.values.shift(by);
    }
}

impl Shift for IdRead {
    fn shift(&mut self, by: isize) {
        for obj in &mut self.objs {
            obj.qs.shift(by);
        }
        self.replace.shift(by);
    }
}

impl Facts {
    fn shift(&mut self, by: isize) {
        if by == 0 {
            return;
        }
        self.loops.shift(by);
        self.evaluations.shift(by);
        self.lookup_calls.shift(by);
        self.only_then_values.shift(by);
        self.id_reads.shift(by);
    }

    fn extend(&mut self, other: Facts) {
        self.loops.extend(other.loops);
        self.evaluations.extend(other.evaluations);
        self.lookup_calls.extend(other.lookup_calls);
        self.only_then_values.extend(other.only_then_values);
        self.id_reads.extend(other.id_reads);
    }

    pub fn is_empty(&self) -> bool {
        self.loops.is_empty()
            && self.evaluations.is_empty()
            && self.lookup_calls.is_empty()
            && self.only_then_values.is_empty()
            && self.id_reads.is_empty()
    }
}
