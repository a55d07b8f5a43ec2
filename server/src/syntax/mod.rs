//! Parsing Python with tree-sitter, the compiled queries, and small helpers over nodes.
//!
//! Parsing never fails: a file with syntax errors gives a tree with ERROR nodes, and the
//! analysis works on the parts that are sound.

pub mod branches;
pub mod declarations;
pub mod fields;
pub mod format_strings;
pub mod node;
pub mod queries;
pub mod scan;
pub mod template;
pub mod uses;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tree_sitter::{Language, Node, Parser, Range, Tree};

/// Tree levels the analysis and the index walk at most: their walkers recurse on the
/// tree. Real code stays under a few hundred (a chain of 100 queryset calls is 200
/// levels); a release build needs about 2.2 KiB of stack per level.
pub const MAX_NESTING: usize = 1_000;

pub fn language() -> Language {
    tree_sitter_python::LANGUAGE.into()
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut parser = Parser::new();
        parser
            .set_language(&language())
            .expect("tree-sitter-python is compatible with the linked tree-sitter");
        parser
    });
}

/// How long one parse may take. Files parse in milliseconds, but tree-sitter's error
/// recovery can take many seconds on a pathological text (a long attribute chain after
/// a broken class header took 17 s, found by fuzzing).
pub const PARSE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Parses `source`, reusing `old` (already `edit`ed) for an incremental re-parse. A
/// parse stopped at [`PARSE_TIME_LIMIT`] gives the tree of an empty text.
pub fn parse(source: &str, old: Option<&Tree>) -> Tree {
    parse_within(source, old)
        .unwrap_or_else(|| parse_within("", None).expect("an empty text parses at once"))
}

/// [`parse`], or `None` when it took longer than [`PARSE_TIME_LIMIT`].
pub fn parse_within(source: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|parser| timed_parse(&mut parser.borrow_mut(), source, old))
}

/// `parser`'s parse of `source`, stopped at [`PARSE_TIME_LIMIT`].
fn timed_parse(parser: &mut Parser, source: &str, old: Option<&Tree>) -> Option<Tree> {
    let bytes = source.as_bytes();
    let start = std::time::Instant::now();
    let mut read = |at: usize, _| bytes.get(at..).unwrap_or_default();
    let mut too_long = |_: &tree_sitter::ParseState| start.elapsed() > PARSE_TIME_LIMIT;
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut too_long);
    let tree = parser.parse_with_options(&mut read, old, Some(options));
    if tree.is_none() {
        // Else the shared parser would resume this text at its next parse.
        parser.reset();
    }
    tree
}

/// Parses only `range` of `source`: the tree's nodes lie inside it, at their places in
/// `source`.
pub fn parse_range(source: &str, range: Range) -> Tree {
    parse_ranges(source, &[range])
}

/// Parses the part of `source` the model index reads
/// ([`declarations::declaration_ranges`]): the whole file when leaving functions out
/// gives a tree with a syntax error, which a misread of the lexer could cause.
pub fn parse_declarations(source: &str) -> Tree {
    match declarations::declaration_ranges(source) {
        None => parse(source, None),
        Some(ranges) if ranges.is_empty() => parse("", None),
        Some(ranges) => {
            let tree = parse_ranges(source, &ranges);
            if tree.root_node().has_error() {
                parse(source, None)
            } else {
                tree
            }
        }
    }
}

/// Parses only `ranges` (in order, not overlapping) of `source`.
fn parse_ranges(source: &str, ranges: &[Range]) -> Tree {
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        let tree = parser
            .set_included_ranges(ranges)
            .ok()
            .and_then(|()| timed_parse(&mut parser, source, None));
        // The parser is shared: it must read whole texts again.
        parser
            .set_included_ranges(&[])
            .expect("no ranges is the whole text");
        tree.unwrap_or_else(|| {
            timed_parse(&mut parser, "", None).expect("an empty text parses at once")
        })
    })
}

/// A text read from more than one tree: each region that edits touched, parsed alone,
/// and outside them the statements of an older tree (`edit`ed along with the text). The language server reads a buffer so while an edit leaves
/// a syntax error: tree-sitter's recovery from an error in one statement can re-read
/// the rest of the file (15-25 ms for 3,000 lines) or fold it into one ERROR node,
/// while the region parses in well under a millisecond and the error stays in it.
#[derive(Debug, Clone)]
pub struct Patch {
    pub base: Tree,
    /// In order; each parsed with one included range (`Tree::included_ranges`).
    pub regions: Vec<Tree>,
}

impl Patch {
    /// The module-level nodes in order, each with the root of its tree.
    fn top_level(&self) -> Vec<(Node<'_>, Node<'_>)> {
        let base = self.base.root_node();
        let spans: Vec<Range> = self
            .regions
            .iter()
            .flat_map(|region| region.included_ranges())
            .collect();
        let mut cursor = base.walk();
        let mut nodes: Vec<_> = base
            .named_children(&mut cursor)
            .filter(|child| {
                !spans.iter().any(|span| {
                    span.start_byte < child.end_byte() && child.start_byte() < span.end_byte
                })
            })
            .map(|child| (child, base))
            .collect();
        for region in &self.regions {
            let root = region.root_node();
            let mut cursor = root.walk();
            nodes.extend(root.named_children(&mut cursor).map(|child| (child, root)));
        }
        nodes.sort_by_key(|(node, _)| node.start_byte());
        nodes
    }

    /// The smallest node that spans `start..end`, in the region that holds it or else
    /// in the base.
    pub fn node_for_range(&self, start: usize, end: usize) -> Option<Node<'_>> {
        let region = self.regions.iter().find(|region| {
            region
                .included_ranges()
                .first()
                .is_some_and(|range| range.start_byte <= start && end <= range.end_byte)
        });
        region
            .unwrap_or(&self.base)
            .root_node()
            .descendant_for_byte_range(start, end)
    }
}

/// One Python file: where it is, its dotted module name, its text and its tree.
///
/// The tree is parsed on first use: most files of a project never need one (a cheap
/// byte scan tells they hold no models and no ORM code).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the checked root, with `/` separators.
    pub path: PathBuf,
    /// Dotted module name derived from the path (`blog.models`, `blog` for `blog/__init__.py`).
    pub module: String,
    pub source: Arc<str>,
    tree: OnceLock<Tree>,
    /// See [`SourceFile::parse_stopped`].
    parse_stopped: Arc<std::sync::atomic::AtomicBool>,
    /// An editor's buffer read patched: its tree, when asked for, is parsed from the
    /// patch's base.
    patch: Option<Patch>,
}

impl SourceFile {
    /// A file whose tree is parsed when first asked for.
    pub fn new(path: PathBuf, source: impl Into<Arc<str>>) -> Self {
        let module = module_name(&path);
        Self {
            path,
            module,
            source: source.into(),
            tree: OnceLock::new(),
            parse_stopped: Arc::default(),
            patch: None,
        }
    }

    /// A file with a tree already parsed (incrementally, by an editor's buffer).
    pub fn with_tree(path: PathBuf, source: impl Into<Arc<str>>, tree: Tree) -> Self {
        let file = Self::new(path, source);
        let _ = file.tree.set(tree);
        file
    }

    /// A buffer read patched (see [`Patch`]).
    pub fn patched(path: PathBuf, source: impl Into<Arc<str>>, patch: Patch) -> Self {
        Self {
            patch: Some(patch),
            ..Self::new(path, source)
        }
    }

    /// The whole file's tree. A patched file is parsed here, from the patch's base, on
    /// first use.
    pub fn tree(&self) -> &Tree {
        self.tree.get_or_init(|| {
            let base = self.patch.as_ref().map(|patch| &patch.base);
            parse_within(&self.source, base).unwrap_or_else(|| {
                self.parse_stopped
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                parse("", None)
            })
        })
    }

    /// Whether parsing the file took longer than [`PARSE_TIME_LIMIT`] and was stopped:
    /// its tree is then the one of an empty text.
    pub fn parse_stopped(&self) -> bool {
        self.parse_stopped
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The tree if something asked for it already (without parsing).
    pub fn parsed_tree(&self) -> Option<&Tree> {
        self.tree.get()
    }

    pub fn is_patched(&self) -> bool {
        self.patch.is_some()
    }

    /// The module-level nodes in order (statements, comments, ERROR nodes), each with the
    /// root of the tree it is read from. A patched file's are read from its patch.
    pub fn top_level(&self) -> Vec<(Node<'_>, Node<'_>)> {
        if let Some(patch) = &self.patch {
            return patch.top_level();
        }
        let root = self.tree().root_node();
        let mut cursor = root.walk();
        root.named_children(&mut cursor)
            .map(|child| (child, root))
            .collect()
    }

    /// The top-level class named `name` (decorated or not).
    pub fn top_level_class(&self, name: &str) -> Option<Node<'_>> {
        self.top_level().into_iter().find_map(|(node, _)| {
            let class = node::undecorated(node);
            (class.kind() == "class_definition"
                && class
                    .child_by_field_id(fields::FIELDS.name)
                    .is_some_and(|n| self.text(n) == name))
            .then_some(class)
        })
    }

    /// The smallest node that spans `start..end` (byte offsets); of a patched file, in
    /// the tree that holds that place.
    pub fn node_for_range(&self, start: usize, end: usize) -> Option<Node<'_>> {
        match &self.patch {
            Some(patch) => patch.node_for_range(start, end),
            None => self
                .tree()
                .root_node()
                .descendant_for_byte_range(start, end),
        }
    }

    /// The same file without its tree: work done on the copy parses it again and frees
    /// the tree with the copy, so a whole project's trees are never held at once.
    pub fn detached(&self) -> Self {
        self.with_text(self.source.clone())
    }

    /// Other text for the same file (a fix applied): same path, same module.
    pub fn with_text(&self, source: impl Into<Arc<str>>) -> Self {
        Self::new(self.path.clone(), source).in_module(self.module.clone())
    }

    /// The file named `module`, as its project's source roots name it
    /// (`crate::roots::SourceRoots`); [`SourceFile::new`] names it by its path.
    pub fn in_module(mut self, module: String) -> Self {
        self.module = module;
        self
    }

    pub fn is_package_init(&self) -> bool {
        self.path.file_name().is_some_and(|n| n == "__init__.py")
    }

    pub fn text(&self, node: tree_sitter::Node<'_>) -> &str {
        node::text(node, &self.source)
    }
}

pub fn module_name(path: &std::path::Path) -> String {
    let mut parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        if let Some(stem) = last.strip_suffix(".py") {
            *last = stem.to_string();
        }
        if last == "__init__" {
            parts.pop();
        }
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn module_names() {
        assert_eq!(
            module_name(Path::new("blog/models/post.py")),
            "blog.models.post"
        );
        assert_eq!(module_name(Path::new("blog/__init__.py")), "blog");
        assert_eq!(module_name(Path::new("manage.py")), "manage");
    }

    #[test]
    fn broken_source_still_parses() {
        let file = SourceFile::new("x.py".into(), "def f(:\n    return 1\nx = [");
        assert!(file.tree().root_node().has_error());
    }
}
