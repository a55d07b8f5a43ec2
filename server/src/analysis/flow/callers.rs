//! What a function's unannotated parameters are when every call of it in the project
//! agrees: `def total(order):` called only as `total(order)` with an `Order` fetched
//! there is walked with `order` an `Order`, so the queries it starts on it
//! (`order.lines.all()`) are its own and reported there.
//!
//! Agreement needs every call to be seen: the function's name must only be defined,
//! imported and called, in the modules that mention it. A reference that is not a
//! call (a callback, a decorator's registration, a dotted path in a string, a star
//! import) makes the parameters unknown, and so does a call whose argument the
//! caller's walk does not know. Tests' calls (mocks, factories) are left out: they say
//! nothing about what production code passes. What the caller selected or prefetched
//! is not carried over, as with an annotation: only the model is.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::analysis::sources::{ModuleRead, ModuleText, function_elsewhere};
use crate::index::{Imported, queryset_api};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{self, CallArgs, dotted_name};
use crate::syntax::scan::may_use_orm;

use super::calls::Signature;
use super::receivers::loaded_elsewhere;
use super::values::{Env, Obj, Qs, Value};
use super::walker::Walker;

/// More modules naming the function than this, or more calls: not looked at.
const MAX_MODULES: usize = 16;
const MAX_CALLS: usize = 24;

/// A call whose arguments a walk of its caller records, bound to the callee's
/// parameters (one binding each time the walk reaches it).
pub(super) struct Probe {
    pub call: usize,
    pub signature: Signature,
    pub bound: Vec<Env>,
}

/// What an occurrence of the function's name is.
enum Occurrence<'t> {
    /// Not the function (another one's name, a keyword argument, a comment), or its
    /// definition or import.
    Other,
    Call(Node<'t>),
    /// A use we cannot follow to its calls.
    Escapes,
}

impl<'a> Walker<'a> {
    /// The parameters of `def`, a top-level function of this module walked for its own
    /// analysis, that every call in the project gives an object or a queryset of one
    /// model; the modules read for it are recorded.
    pub(super) fn agreed_parameters(&mut self, def: Node<'a>) -> Env {
        let mut agreed = Env::new();
        if !self.active.is_empty() || self.probe.is_some() || is_test_module(&self.file.module) {
            return agreed;
        }
        let Some(params) = self.unknown_receivers(def) else {
            return agreed;
        };
        let Some(sites) = self.call_sites(def) else {
            return agreed;
        };
        for param in params {
            if let Some(value) = agreement(&sites, &param) {
                agreed.insert(param, vec![value]);
            }
        }
        agreed
    }

    /// The parameters of a top-level, undecorated `def` with no annotation that its
    /// body may start queries on.
    fn unknown_receivers(&self, def: Node<'a>) -> Option<Vec<String>> {
        let annotated: Vec<String> = self
            .annotated_parameters(def)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let params: Vec<String> = receivers(def, self.src(), self.functions)
            .into_iter()
            .filter(|name| !annotated.iter().any(|a| a == name))
            .collect();
        (!params.is_empty()).then_some(params)
    }

    /// Every call of `def` outside the tests, as the parameters each binds; `None`
    /// when some use of the function is not a call we can walk to.
    fn call_sites(&mut self, def: Node<'a>) -> Option<Vec<Env>> {
        let sources = self.sources?;
        let name = self
            .file
            .text(def.child_by_field_id(FIELDS.name)?)
            .to_string();
        let mentioning = sources.mentioning(&name)?;
        self.facts
            .read_modules([ModuleRead::mentions(&name, &mentioning)]);
        let production: Vec<&String> = mentioning.iter().filter(|m| !is_test_module(m)).collect();
        if production.len() > MAX_MODULES {
            return None;
        }
        let signature = || Signature::of(def, &self.file.source);
        let mut sites = Vec::new();
        for module in production {
            if *module == self.file.module {
                for call in self.calls_in(self.file, None, &name, def)? {
                    sites.push(self.probe_here(call, signature())?);
                }
            } else {
                let text = sources.module(module)?;
                self.read_module(&text);
                for call in self.calls_in(&text.file, Some(&text), &name, def)? {
                    sites.push(self.probe_there(&text, call, signature())?);
                }
            }
            if sites.len() > MAX_CALLS {
                return None;
            }
        }
        (!sites.is_empty()).then_some(sites)
    }

    /// The calls of the function `name` (`def`, of this module) in `file` (another
    /// module, `text`, or this one when `None`); `None` when a use of it is no call.
    fn calls_in<'t>(
        &self,
        file: &'t SourceFile,
        text: Option<&ModuleText>,
        name: &str,
        def: Node<'a>,
    ) -> Option<Vec<Node<'t>>> {
        let source = &file.source;
        let root = file.tree().root_node();
        let mut calls = Vec::new();
        for (at, _) in source.match_indices(name) {
            let end = at + name.len();
            let word_char = |c: char| c.is_alphanumeric() || c == '_';
            let whole = !source[..at].ends_with(word_char) && !source[end..].starts_with(word_char);
            if !whole {
                continue;
            }
            let found = root.descendant_for_byte_range(at, end)?;
            let occurrence = match text {
                None => self.occurrence_here(found, def),
                Some(text) => self.occurrence_there(found, text, name),
            };
            match occurrence {
                Occurrence::Other => {}
                Occurrence::Call(call) => calls.push(call),
                Occurrence::Escapes => return None,
            }
        }
        Some(calls)
    }

    /// What an occurrence of the function's name is when it is no name in the code:
    /// in a comment, in a string (harmless unless the string is a dotted path to it),
    /// in something we cannot read; `None` for a name.
    fn not_a_name<'t>(&self, found: Node<'t>, src: &str) -> Option<Occurrence<'t>> {
        match found.kind() {
            "identifier" => None,
            "comment" => Some(Occurrence::Other),
            "string_content" => Some(dotted_path_in(found, src, &self.file.module)),
            _ => Some(Occurrence::Escapes),
        }
    }

    /// An occurrence of the function's name in its own module.
    fn occurrence_here<'t>(&self, found: Node<'t>, def: Node<'a>) -> Occurrence<'t> {
        if let Some(occurrence) = self.not_a_name(found, self.src()) {
            return occurrence;
        }
        let parent = found.parent();
        if parent.is_some_and(|p| p.kind() == "function_definition") {
            let ours = def
                .child_by_field_id(FIELDS.name)
                .is_some_and(|n| n.start_byte() == found.start_byte());
            return if ours {
                Occurrence::Other
            } else {
                Occurrence::Escapes
            };
        }
        if in_import(found) {
            return Occurrence::Other;
        }
        let attribute_name = parent.is_some_and(|p| {
            p.kind() == "attribute" && p.child_by_field_id(FIELDS.attribute) == Some(found)
        });
        if attribute_name || keyword_name(found) {
            return Occurrence::Other;
        }
        called(found)
    }

    /// An occurrence of the function's name in another module, `text`.
    fn occurrence_there<'t>(
        &self,
        found: Node<'t>,
        text: &ModuleText,
        name: &str,
    ) -> Occurrence<'t> {
        let src = &text.file.source;
        if let Some(occurrence) = self.not_a_name(found, src) {
            return occurrence;
        }
        if keyword_name(found) {
            return Occurrence::Other;
        }
        if in_import(found) {
            // Under another name, its uses are not found by this one.
            let renamed = found.parent().is_some_and(|p| p.kind() == "aliased_import")
                && self.imports_ours(text, name);
            return if renamed {
                Occurrence::Escapes
            } else {
                Occurrence::Other
            };
        }
        let reference = match found.parent() {
            Some(p)
                if p.kind() == "attribute"
                    && p.child_by_field_id(FIELDS.attribute) == Some(found) =>
            {
                p
            }
            _ => found,
        };
        let Some(dotted) = dotted_name(reference, src) else {
            return Occurrence::Other;
        };
        let Some(sources) = self.sources else {
            return Occurrence::Escapes;
        };
        let ours = function_elsewhere(sources, text.imports(), &dotted)
            .is_some_and(|(module, n)| module.file.module == self.file.module && n == name);
        if ours {
            return called(reference);
        }
        // `from blog.queries import *` then `total(order)`: the name is not in its
        // imports, yet may be ours.
        let star =
            dotted.len() == 1 && src.contains("import *") && text.imports().get(name).is_none();
        if star {
            Occurrence::Escapes
        } else {
            Occurrence::Other
        }
    }

    /// `text` imports the function `name` of this module.
    fn imports_ours(&self, text: &ModuleText, name: &str) -> bool {
        text.imports().iter().any(|(_, imported)| {
            matches!(imported, Imported::Name { module, name: n }
                if *module == self.file.module && n == name)
        })
    }

    /// The parameters `call`, in this file, binds when its caller is walked.
    fn probe_here(&mut self, call: Node<'a>, signature: Signature) -> Option<Env> {
        let caller = enclosing_function(call)?;
        let mut walker = self.fresh();
        walker.active = vec![usize::MAX];
        let bound = walker.walk_probed(caller, call, signature);
        self.facts.read_modules(walker.facts.modules_read);
        bound
    }

    /// The parameters `call`, in `text`, binds when its caller is walked there (what
    /// comes back keeps places of that file, which [`agreement`] does not read).
    fn probe_there(
        &mut self,
        text: &ModuleText,
        call: Node<'_>,
        signature: Signature,
    ) -> Option<Env> {
        let caller = enclosing_function(call)?;
        let (bound, facts) = self.walk_there(text, caller, 1, |there, caller| {
            there.walk_probed(caller, call, signature)
        });
        self.facts.read_modules(facts.modules_read);
        bound
    }

    /// `caller` walked with a probe on `call`: what the call binds, joined over the
    /// times the walk reached it; `None` when it never did.
    fn walk_probed(
        &mut self,
        caller: Node<'a>,
        call: Node<'_>,
        signature: Signature,
    ) -> Option<Env> {
        self.probe = Some(Probe {
            call: call.start_byte(),
            signature,
            bound: Vec::new(),
        });
        self.function(caller, Env::new());
        joined(self.probe.take()?.bound)
    }

    /// Records what the probed call binds, when `call` is it.
    pub(super) fn probe_call(&mut self, call: Node<'a>, args: &CallArgs<'a>, env: &Env) {
        let Some(mut probe) = self.probe.take_if(|p| p.call == call.start_byte()) else {
            return;
        };
        let bound = self.bind(&probe.signature, args, env, None);
        probe.bound.push(bound);
        self.probe = Some(probe);
    }
}

/// The value every call gives `param`: one object, or one queryset, or rows, of one
/// model, as code we cannot see loaded it.
fn agreement(sites: &[Env], param: &str) -> Option<Value> {
    let mut agreed: Option<Value> = None;
    for site in sites {
        for value in site.get(param)? {
            let one = match value {
                Value::Obj(obj) => Value::Obj(Obj {
                    qs: fetched_by_caller(obj)?,
                    path: Vec::new(),
                    per_row: false,
                }),
                Value::Qs(qs) => Value::Qs(loaded_elsewhere(qs.model)),
                Value::Rows(qs) => Value::Rows(loaded_elsewhere(qs.model)),
                _ => return None,
            };
            match &agreed {
                Some(before) if *before != one => return None,
                _ => agreed = Some(one),
            }
        }
    }
    agreed
}

/// The rows an object given by a caller comes from, as the function sees them. An
/// object fetched with nothing prefetched (`Post.objects.get(pk=pk)`) has none of its
/// related rows loaded, so a query the function starts on it (`post.comments.all()`)
/// is a fresh one; otherwise what was prefetched is not carried over (a caller's
/// `Prefetch` may select what the function reads) and stays unknown.
fn fetched_by_caller(obj: &Obj) -> Option<Qs> {
    let model = obj.model()?;
    let applied = &obj.qs.applied;
    if !obj.path.is_empty() || applied.unknown || !applied.prefetch_related.is_empty() {
        return Some(loaded_elsewhere(model));
    }
    let mut qs = Qs::new(model, None);
    // What the caller annotated is not known here.
    qs.annotations = None;
    Some(qs)
}

/// The bindings of the walks that reached a call, as one (each name may hold what any
/// of them gave it); `None` when no walk reached it.
fn joined(bound: Vec<Env>) -> Option<Env> {
    let mut all = bound.into_iter();
    let mut env = all.next()?;
    for other in all {
        for (name, values) in env.iter_mut() {
            match other.get(name) {
                Some(more) => values.extend(more.iter().cloned()),
                None => values.push(Value::Unknown),
            }
        }
    }
    Some(env)
}

/// The parameters of `def`, a top-level undecorated function, that its body may start
/// queries on (`request` is Django's); none for any other `def`.
fn receivers(def: Node<'_>, src: &str, functions: &HashMap<String, Node<'_>>) -> Vec<String> {
    let top_level = def.parent().is_some_and(|p| p.kind() == "module");
    let Some(body) = def.child_by_field_id(FIELDS.body).filter(|_| top_level) else {
        return Vec::new();
    };
    let body = node::text(body, src);
    let is_helper = |helper: &str| {
        functions
            .get(helper)
            .is_some_and(|def| may_use_orm(node::text(*def, src)))
    };
    node::parameter_names(def, src)
        .into_iter()
        .flatten()
        .filter(|name| *name != "request" && may_query_through(body, name, is_helper))
        .map(str::to_string)
        .collect()
}

/// What the parameters `stmt` takes from the calls in its own file depend on: the
/// texts of the file's other top-level statements (`statements`) that name it, when
/// it is a function whose parameters may be agreed on; 0 for any other statement.
pub(super) fn callers_here_key(
    stmt: Node<'_>,
    statements: &[Node<'_>],
    functions: &HashMap<String, Node<'_>>,
    src: &str,
) -> u64 {
    use std::hash::{Hash, Hasher};
    if stmt.kind() != "function_definition" || receivers(stmt, src, functions).is_empty() {
        return 0;
    }
    let Some(name) = stmt.child_by_field_id(FIELDS.name) else {
        return 0;
    };
    let name = node::text(name, src);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for other in statements.iter().filter(|s| **s != stmt) {
        let text = node::text(*other, src);
        if text.contains(name) {
            text.hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// `body` may start a query on the parameter `name` (`name.lines.all()`,
/// `name.filter(...)`, `for row in name`) or hand it to a function of its module that
/// may (`helper(name)`, `is_helper` tells): a cheap test of the text, so that the
/// project's calls are only looked for where knowing the model can tell something.
fn may_query_through(body: &str, name: &str, is_helper: impl Fn(&str) -> bool) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    body.match_indices(name).any(|(at, _)| {
        let (before, after) = (&body[..at], &body[at + name.len()..]);
        if before.ends_with(|c: char| word(c) || c == '.') || after.starts_with(word) {
            return false;
        }
        if after.starts_with('.') {
            // Along `name.a.b.c(`: the first call, when it is a queryset method.
            let mut rest = after;
            while let Some(attribute) = rest.strip_prefix('.') {
                let part: String = attribute.chars().take_while(|c| word(*c)).collect();
                rest = &attribute[part.len()..];
                if rest.starts_with('(') {
                    return queryset_api::method(&part).is_some();
                }
            }
            return false;
        }
        let before = before.trim_end();
        if before.ends_with(" in") {
            return true;
        }
        before.strip_suffix('(').is_some_and(|callee| {
            let name: usize = callee
                .chars()
                .rev()
                .take_while(|c| word(*c))
                .map(char::len_utf8)
                .sum();
            is_helper(&callee[callee.len() - name..])
        })
    })
}

/// The function a call is written in, when it is not in a lambda (walked with its
/// enclosing function, not on its own) or at a module's or class's top level.
pub fn enclosing_function(call: Node<'_>) -> Option<Node<'_>> {
    let mut at = call.parent();
    while let Some(node) = at {
        match node.kind() {
            "function_definition" => return Some(node),
            "lambda" | "class_definition" => return None,
            _ => at = node.parent(),
        }
    }
    None
}

/// `found` is the function of a call (`total(order)`), or a use we cannot follow.
fn called(found: Node<'_>) -> Occurrence<'_> {
    match found.parent() {
        Some(call)
            if call.kind() == "call" && call.child_by_field_id(FIELDS.function) == Some(found) =>
        {
            Occurrence::Call(call)
        }
        _ => Occurrence::Escapes,
    }
}

fn in_import(found: Node<'_>) -> bool {
    let mut at = found.parent();
    while let Some(node) = at {
        match node.kind() {
            "import_from_statement" | "import_statement" => return true,
            "dotted_name" | "aliased_import" => at = node.parent(),
            _ => return false,
        }
    }
    false
}

/// The name of a keyword argument (`total=3`).
fn keyword_name(found: Node<'_>) -> bool {
    found.parent().is_some_and(|p| {
        p.kind() == "keyword_argument" && p.child_by_field_id(FIELDS.name) == Some(found)
    })
}

/// A string naming the function by its dotted path (`"blog.queries.total"`, a setting
/// or a patch), which code we cannot see may call it through.
fn dotted_path_in<'t>(content: Node<'t>, src: &str, module: &str) -> Occurrence<'t> {
    if node::text(content, src).contains(&format!("{module}.")) {
        Occurrence::Escapes
    } else {
        Occurrence::Other
    }
}

/// A module of the project's tests, by its dotted name: in `tests/` or `test/`, or
/// `tests.py`, `test_*.py`, `*_tests.py`, `conftest.py`.
pub(super) fn is_test_module(module: &str) -> bool {
    let mut parts = module.split('.');
    let last = module.rsplit('.').next().unwrap_or("");
    parts.any(|part| matches!(part, "tests" | "test" | "conftest"))
        || last.starts_with("test_")
        || last.ends_with("_tests")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_through_a_parameter_are_told_from_its_text() {
        let none = |_: &str| false;
        for body in [
            "return post.comments.all()",
            "return post.schedule.talks.filter(x=1).count()",
            "return qs.filter(x=1)",
            "for row in post:\n    pass",
            "return [c for c in post]",
        ] {
            let name = if body.contains("qs") { "qs" } else { "post" };
            assert!(may_query_through(body, name, none), "{body}");
        }
        for body in [
            "return post.title",
            "post.save()",
            "post.author.save()",
            "return repost.comments.all()",
            "return self.post.comments.all()",
            "return posts.comments.all()",
            "log(post)",
            "return post.author.name",
        ] {
            assert!(!may_query_through(body, "post", none), "{body}");
        }
        let helper = |name: &str| name == "count_comments";
        assert!(may_query_through(
            "return count_comments(post)",
            "post",
            helper
        ));
        assert!(!may_query_through("return log(post)", "post", helper));
        assert!(!may_query_through("return é(post)", "post", helper));
    }

    #[test]
    fn test_modules_are_told_by_name() {
        for module in [
            "blog.tests",
            "blog.tests.test_views",
            "blog.test_x",
            "conftest",
            "blog.view_tests",
        ] {
            assert!(is_test_module(module), "{module}");
        }
        for module in ["blog.tests.helpers", "blog.test_views"] {
            assert!(is_test_module(module), "{module}");
        }
        for module in [
            "blog.views",
            "blog.testing",
            "contest.views",
            "latest",
            "blog.latest",
        ] {
            assert!(!is_test_module(module), "{module}");
        }
    }
}
