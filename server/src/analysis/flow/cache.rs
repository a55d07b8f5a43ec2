//! Which parts of a file are walked apart, and the cache that keeps their facts
//! between versions of the file.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use crate::analysis::sources::{ModuleRead, ModuleSources};
use crate::index::{ImportMap, ModelId, ModelIndex};
use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{descendants, text, undecorated, whole_definitions};

use super::MAX_CALL_DEPTH;
use super::facts::Facts;
use super::values::Env;
use super::walker::{ClassKind, Walker};

/// The facts of each top-level `def` and `class` of one file, kept between analyses of
/// its edited versions (by the language server): a definition whose text, and whose
/// helpers' texts and places relative to it, did not change is not walked again; its
/// facts are moved by how far it moved.
#[derive(Debug, Default)]
pub struct FlowCache {
    entries: HashMap<u64, Cached>,
    /// The index (its generation), module and import lines ([`import_text`]) the
    /// entries were computed against.
    context: Option<(u64, String, u64)>,
    /// The file's own imports, at every level, when the index records other ones for
    /// its module (it leaves out imports inside top-level functions, and can be older
    /// than an editor's buffer or lack one not on disk yet): names resolve through
    /// them; else through the index, and its memo. Read again only when the context
    /// changes: reading them walks every statement of the file (8% of the server's
    /// time on a 3,000-line file), and most edits change no import.
    imports: Option<Arc<ImportMap>>,
    /// How many versions of the file were analysed with this cache.
    round: u64,
    /// How many parts the last round walked (found in no entry), for the server's
    /// timings: a slow edit that walked one part was held up, not uncached.
    walked: usize,
    /// A hash of the text analysed last: analysing it again (a hover after a check) is
    /// no new round, so it does not age the parts a syntax error hides.
    last_text: u64,
    /// Where the project's other modules are read, for calls of their functions; none:
    /// such calls are unknown.
    sources: Option<Arc<dyn ModuleSources>>,
    /// The other modules the last analysis read (see [`FlowCache::modules_read`]).
    read: Vec<ModuleRead>,
    /// Whether each module read by a cached part still has that text, found out once
    /// per analysis.
    checked: HashMap<ModuleRead, bool>,
}

impl FlowCache {
    /// A cache whose analyses follow calls into the project's other modules, read from
    /// `sources`.
    pub fn reading(sources: Arc<dyn ModuleSources>) -> Self {
        Self {
            sources: Some(sources),
            ..Self::default()
        }
    }

    /// Reads the project's other modules from `sources` from now on (a language
    /// server's workspace is replaced whole when it changes).
    pub fn read_from(&mut self, sources: Arc<dyn ModuleSources>) {
        self.sources = Some(sources);
    }

    pub(super) fn sources(&self) -> Option<Arc<dyn ModuleSources>> {
        self.sources.clone()
    }

    /// The other modules of the project the last analysis read: its findings hold
    /// while their texts are unchanged.
    pub fn modules_read(&self) -> &[ModuleRead] {
        &self.read
    }

    pub(super) fn set_modules_read(&mut self, read: Vec<ModuleRead>) {
        self.read = read;
    }

    /// Starts an analysis of `file` against `index`: entries computed against another
    /// index, module or imports are dropped.
    pub(super) fn start_round(&mut self, file: &SourceFile, index: &ModelIndex) {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        file.source.hash(&mut hasher);
        let text = hasher.finish();
        let context = (
            index.generation(),
            file.module.clone(),
            import_text(&file.source),
        );
        if self.context.as_ref() != Some(&context) {
            self.entries.clear();
            self.context = Some(context);
            self.imports = own_imports(file, index).map(Arc::new);
        } else if self.round > 0 && text == self.last_text {
            return;
        }
        self.last_text = text;
        self.checked.clear();
        self.round += 1;
        self.walked = 0;
    }

    /// How many parts the last analysis walked (see [`FlowCache::walked`]).
    pub fn walked(&self) -> usize {
        self.walked
    }

    /// See [`FlowCache::imports`].
    pub(super) fn imports(&self) -> Option<Arc<ImportMap>> {
        self.imports.clone()
    }

    /// Drops every part: an analysis stopped half-way may have kept partial facts.
    pub(super) fn forget(&mut self) {
        self.entries.clear();
    }

    /// Ends an analysis: drops the parts no file has held for [`UNUSED_ROUNDS`] rounds.
    pub(super) fn end_round(&mut self) {
        let round = self.round;
        self.entries
            .retain(|_, cached| cached.used + UNUSED_ROUNDS >= round);
    }

    /// The facts of each of `nodes` under `key`: the cached ones, each moved to where
    /// its node is now, else `walk`'s (one per node), kept.
    pub(super) fn facts(
        &mut self,
        key: u64,
        nodes: &[Node<'_>],
        walk: impl FnOnce() -> Vec<Facts>,
    ) -> Vec<Facts> {
        let round = self.round;
        let sources = self.sources.as_deref();
        // A part that followed a call into another module holds while that module's
        // text is what it read. Each module is looked at once per analysis: a file's
        // parts read the same few modules, and the server reads them from disk.
        let checked = &mut self.checked;
        let mut unchanged = |read: &ModuleRead| match sources {
            Some(sources) => *checked
                .entry(read.clone())
                .or_insert_with(|| read.unchanged(sources)),
            None => false,
        };
        let current = self.entries.get(&key).is_some_and(|cached| {
            cached
                .facts
                .iter()
                .all(|facts| facts.modules_read.iter().all(&mut unchanged))
        });
        if let Some(cached) = self.entries.get_mut(&key).filter(|_| current) {
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
        self.walked += 1;
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

/// A hash of the text of every statement that may be an import: each line holding
/// `import`, with what follows it up to the end of the statement (a parenthesised list
/// or `\` continuation spans lines). Equal hashes mean equal imports; words or strings
/// holding `import` only make it change more often.
fn import_text(source: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let bytes = source.as_bytes();
    let mut covered = 0;
    for (at, _) in source.match_indices("import") {
        if at < covered {
            continue;
        }
        let start = source[..at].rfind('\n').map_or(0, |n| n + 1);
        let mut end = at;
        let mut depth = 0usize;
        while end < bytes.len() {
            match bytes[end] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b'\n' if depth == 0 && (end == 0 || bytes[end - 1] != b'\\') => break,
                _ => {}
            }
            end += 1;
        }
        source[start..end].hash(&mut hasher);
        covered = end;
    }
    hasher.finish()
}

/// `file`'s imports, unless the index records the same ones for its module.
fn own_imports(file: &SourceFile, index: &ModelIndex) -> Option<ImportMap> {
    let own = ImportMap::of(file);
    let files = index.files();
    let recorded = files
        .binary_search_by(|f| f.path.as_path().cmp(&file.path))
        .ok()
        .map(|i| &files[i].imports);
    (recorded != Some(&own)).then_some(own)
}

/// The module's top-level functions by name.
pub(super) fn module_functions<'f>(
    file: &'f SourceFile,
    statements: &[(Node<'f>, Walk, Node<'f>)],
) -> HashMap<String, Node<'f>> {
    let mut functions = HashMap::new();
    for (child, walk, _) in statements {
        if *walk == Walk::Statement
            && let Some(def) = function_def(*child)
            && let Some(name) = def.child_by_field_id(FIELDS.name)
        {
            functions.insert(file.text(name).to_string(), def);
        }
    }
    functions
}

/// The facts of one part of a file: a top-level definition, a method, or the rest of a
/// class body (its statements walked together, since an assignment can name what a
/// later one uses), one `Facts` per node, with where each node started.
#[derive(Debug)]
pub(super) struct Cached {
    pub(super) starts: Vec<usize>,
    pub(super) facts: Vec<Facts>,
    /// The last round whose file held this part.
    pub(super) used: u64,
}

/// For how many analyses a definition the file no longer holds stays cached: a syntax
/// error can hide every definition for a few keystrokes (typing the `f` of `for` can
/// make the whole module one ERROR node), and they come back unchanged.
pub(super) const UNUSED_ROUNDS: u64 = 32;

/// The module's statements, each with how it is walked and the root of its tree. A
/// syntax error can wrap most of a module in one ERROR node (a half-typed `f` of `for`
/// does): the definitions it holds whole are statements too, so a keystroke does not
/// hide their findings until the line is finished; the rest of it (bodies that lost
/// their `def`) is only scanned.
pub(super) fn module_statements(file: &SourceFile) -> Vec<(Node<'_>, Walk, Node<'_>)> {
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
pub(super) enum Walk {
    Statement,
    /// A piece of a syntax error: its calls, not its flow.
    Scan,
}

/// The facts of a model's or plain class's parts, in order, each from `cache` while
/// unchanged: each method alone, so an edit in one method of a 1,500-line model walks
/// that method, and the rest of the body together. `None` for anything else, and for a
/// view class, whose methods share what the class says (`model`, `get_queryset()`):
/// it is cached whole.
pub(super) fn class_by_parts<'a>(
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
    // A plain class's `self.<method>()` is walked for what it returns, `self.<name>` may
    // be what `__init__` assigns, and its bases say what `self.object` is: a method's
    // facts depend on all three.
    let header = module
        .src()
        .get(class.start_byte()..body.start_byte())
        .unwrap_or("");
    let methods: HashMap<&str, Node<'a>> = members
        .iter()
        .filter_map(|member| {
            let def = method_def(*member)?;
            Some((
                module.file.text(def.child_by_field_id(FIELDS.name)?),
                *member,
            ))
        })
        .collect();
    let mut parts = Vec::new();
    for member in members {
        let Some(def) = method_def(member) else {
            parts.extend(statement_facts.next());
            continue;
        };
        let mut part_key = key("method", &[member]);
        if matches!(kind, ClassKind::Plain(_)) {
            // `self.<name>` may also be what `__init__` assigns.
            let init = methods.get("__init__").map(|init| module.file.text(*init));
            part_key = hash_of((
                part_key,
                header,
                init,
                self_called(member, &methods, module.src()),
            ));
        }
        parts.extend(cache.facts(part_key, &[member], || {
            let mut one = module.fresh();
            // The class was read once, for the shell: reading it again for each method
            // would read its whole body, and resolve its bases, once per method.
            if let Some(view) = shell.views.get(&class.start_byte()) {
                one.views.insert(class.start_byte(), view.clone());
            }
            one.method(def, member, kind);
            vec![one.facts]
        }));
    }
    Some(parts)
}

/// What a top-level definition's facts depend on in the file: its text, and the text
/// and relative place of every module function it (or they, two calls deep) call.
pub(super) fn definition_key(
    stmt: Node<'_>,
    functions: &HashMap<String, Node<'_>>,
    source: &str,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text(stmt, source).hash(&mut hasher);
    error_shape(stmt).hash(&mut hasher);
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
                error_shape(*def).hash(&mut hasher);
                (def.start_byte() as isize - stmt.start_byte() as isize).hash(&mut hasher);
                next.push(*def);
            }
        }
        frontier = next;
    }
    hasher.finish()
}

/// How a definition with a syntax error parsed: tree-sitter's recovery depends on the
/// text after it too, so the same text can give another tree (and other facts) once
/// something below it changes. Empty for a definition without errors, the usual case.
fn error_shape(node: Node<'_>) -> Vec<(u16, usize, usize)> {
    if !node.has_error() {
        return Vec::new();
    }
    let start = node.start_byte();
    descendants(node)
        .map(|n| (n.kind_id(), n.start_byte() - start, n.end_byte() - start))
        .collect()
}

/// The text of the methods `member` reaches through `self.<name>` (and they, two calls
/// deep), in a stable order.
fn self_called<'s>(
    member: Node<'_>,
    methods: &HashMap<&str, Node<'_>>,
    source: &'s str,
) -> Vec<&'s str> {
    let mut reached: Vec<usize> = Vec::new();
    let mut frontier = vec![member];
    for _ in 0..=MAX_CALL_DEPTH {
        let mut next = Vec::new();
        for node in frontier {
            let text = text(node, source);
            for (at, _) in text.match_indices("self.") {
                let rest = &text[at + "self.".len()..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                if let Some(method) = methods.get(&rest[..end])
                    && !reached.contains(&method.start_byte())
                {
                    reached.push(method.start_byte());
                    next.push(*method);
                }
            }
        }
        frontier = next;
    }
    reached.sort_unstable();
    reached
        .into_iter()
        .filter_map(|start| methods.values().find(|m| m.start_byte() == start))
        .map(|method| text(*method, source))
        .collect()
}

fn hash_of(value: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What a class is, for cache keys (a view's methods are never cached alone).
pub(super) fn class_kind_key(kind: ClassKind) -> Option<ModelId> {
    match kind {
        ClassKind::Model(model) | ClassKind::Rows(model) => Some(model),
        ClassKind::View(_) | ClassKind::Plain(_) => None,
    }
}

/// What the facts of part of a class depend on: which part (`"method"`, or `"shell"`
/// for the body's other statements), what the class is to its `self` (which model),
/// and [`definition_key`] of each of the part's `nodes`, in order.
pub(super) fn class_part_key(
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
pub(super) fn called_names(text: &str) -> impl Iterator<Item = &str> {
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
pub(super) fn method_def(stmt: Node<'_>) -> Option<Node<'_>> {
    match stmt.kind() {
        "function_definition" => Some(stmt),
        "decorated_definition" => stmt
            .child_by_field_id(FIELDS.definition)
            .filter(|d| d.kind() == "function_definition"),
        _ => None,
    }
}

pub(super) fn function_def(node: Node<'_>) -> Option<Node<'_>> {
    Some(undecorated(node)).filter(|d| d.kind() == "function_definition")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::analyse_with;
    use super::*;
    use crate::index::{IndexOptions, ModelIndex};
    use crate::syntax::SourceFile;

    #[test]
    fn analysing_the_same_text_again_does_not_age_hidden_parts() {
        let with = "def f():\n    return 1\n\n\ndef g():\n    return 2\n";
        let without = "def g():\n    return 2\n";
        fn file(text: &str) -> SourceFile {
            SourceFile::new(PathBuf::from("app/views.py"), text)
        }
        let index = ModelIndex::build(&[file(with)], &IndexOptions::default());
        let mut cache = FlowCache::default();
        analyse_with(&file(with), &index, &mut cache);
        assert_eq!(cache.entries.len(), 2);
        // A hover or inlay hint request analyses the current text again and again.
        for _ in 0..2 * UNUSED_ROUNDS {
            analyse_with(&file(without), &index, &mut cache);
        }
        assert_eq!(cache.entries.len(), 2, "f's part was dropped");
        // Versions that differ do age it, and it goes after UNUSED_ROUNDS of them.
        for i in 0..=UNUSED_ROUNDS {
            analyse_with(&file(&format!("{without}# {i}\n")), &index, &mut cache);
        }
        assert_eq!(cache.entries.len(), 1);
    }

    /// `app.models` with `Author` and `Post` (a foreign key to the author).
    fn author_and_post() -> ModelIndex {
        let models = SourceFile::new(
            PathBuf::from("app/models.py"),
            "from django.db import models\n\n\nclass Author(models.Model):\n    pass\n\n\n\
             class Post(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n",
        );
        ModelIndex::build(&[models], &IndexOptions::default())
    }

    /// A plain class's methods are cached alone, but what `self.rows` and
    /// `self.recent()` are comes from `__init__` and the other method: editing either
    /// walks the method that reads them again.
    #[test]
    fn a_method_is_walked_again_when_what_it_reads_of_self_changes() {
        let index = author_and_post();
        let view = |rows: &str, recent: &str| {
            format!(
                "from .models import Post\n\n\nclass Export:\n    def __init__(self):\n        \
                 self.rows = {rows}\n\n    def recent(self):\n        return {recent}\n\n    \
                 def names(self):\n        return [p.author for p in self.rows], \
                 [p.author for p in self.recent()]\n"
            )
        };
        let loops = |text: &str, cache: &mut FlowCache| {
            let file = SourceFile::new(PathBuf::from("app/views.py"), text);
            let facts = analyse_with(&file, &index, cache);
            facts
                .loops
                .iter()
                .filter(|l| l.sources[0].applied.select_related.is_empty())
                .count()
        };
        let plain = "Post.objects.all()";
        let selected = "Post.objects.select_related(\"author\")";
        let mut cache = FlowCache::default();
        assert_eq!(loops(&view(plain, plain), &mut cache), 2);
        assert_eq!(loops(&view(selected, plain), &mut cache), 1);
        assert_eq!(loops(&view(selected, selected), &mut cache), 0);
        assert_eq!(loops(&view(plain, plain), &mut cache), 2);
    }

    /// The same text of a function with a syntax error parses another way once the
    /// text below it changes (tree-sitter's recovery looks ahead): its cached facts
    /// must not outlive the tree they came from (a fuzzer's find).
    #[test]
    fn a_definition_with_an_error_is_walked_again_when_its_tree_changes() {
        let index = author_and_post();
        let head = "from .models import Post\n\n\ndef names(posts, with_authors=False):\n    \
                    rows = []\n    for post in posts:\n        if with_authors:\n            \
                    rows.append(post.author)\n    return rows\n\n\ndef view():\n    \
                    rfrom_x names(Post.objects.all(), with_authors=True)\n";
        let loops = |text: &str, cache: &mut FlowCache| {
            let file = SourceFile::new(PathBuf::from("app/views.py"), text);
            analyse_with(&file, &index, cache).loops.len()
        };
        let below = format!("{head}\n\n).first()\n    return post.title\n");
        let fresh = loops(&below, &mut FlowCache::default());
        let mut cache = FlowCache::default();
        let before = loops(head, &mut cache);
        assert_ne!(
            before, fresh,
            "the trees no longer differ: the test shows nothing"
        );
        assert_eq!(loops(&below, &mut cache), fresh);
    }

    #[test]
    fn import_text_changes_with_the_imports_only() {
        let base = "from a import (\n    b,\n    c,\n)\nimport d\n\n\ndef f():\n    return b\n";
        let same = import_text(base);
        assert_eq!(same, import_text(&base.replace("return b", "return c")));
        assert_ne!(same, import_text(&base.replace("    c,", "    e,")));
        assert_ne!(same, import_text(&base.replace("import d", "import d, e")));
        assert_ne!(same, import_text(&format!("{base}from g import h\n")));
        let continued = "from a import b, \\\n    c\n";
        assert_ne!(
            import_text(continued),
            import_text(&continued.replace('c', "e"))
        );
    }

    /// A long editing session: every version gives one definition a text never seen
    /// before (a new key), and another is toggled between two texts. What the cache
    /// holds stays bounded by the definitions of the file plus the versions of the
    /// edited one from the last `UNUSED_ROUNDS` rounds.
    #[test]
    fn a_long_session_holds_a_bounded_number_of_parts() {
        let index = ModelIndex::build(&[], &IndexOptions::default());
        let mut cache = FlowCache::default();
        for version in 0..2_000 {
            let toggled = if version % 2 == 0 {
                ".select_related(\"a\")"
            } else {
                ""
            };
            let text = format!(
                "def typed():\n    return {version}\n\n\n\
                 def toggled(qs):\n    return qs{toggled}\n\n\n\
                 class Plain:\n    x = 1\n\n    def method(self):\n        return 2\n"
            );
            let file = SourceFile::new(PathBuf::from("app/views.py"), text.as_str());
            analyse_with(&file, &index, &mut cache);
            // typed, toggled (both texts), Plain's shell and method, typed's old texts.
            let bound = 5 + UNUSED_ROUNDS as usize;
            assert!(
                cache.entries.len() <= bound,
                "{} parts",
                cache.entries.len()
            );
        }
    }
}
