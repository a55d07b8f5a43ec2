//! Parsing Python with tree-sitter, the compiled queries, and small helpers over nodes.
//!
//! Parsing never fails: a file with syntax errors gives a tree with ERROR nodes, and the
//! analysis works on the parts that are sound.

pub mod fields;
pub mod node;
pub mod queries;
pub mod scan;
pub mod uses;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use tree_sitter::{Language, Parser, Tree};

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

/// Parses `source`, reusing `old` (already `edit`ed) for an incremental re-parse.
pub fn parse(source: &str, old: Option<&Tree>) -> Tree {
    PARSER.with(|parser| {
        parser
            .borrow_mut()
            .parse(source, old)
            .expect("parsing without a timeout or cancellation flag always returns a tree")
    })
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
        }
    }

    /// A file with a tree already parsed (incrementally, by an editor's buffer).
    pub fn with_tree(path: PathBuf, source: impl Into<Arc<str>>, tree: Tree) -> Self {
        let file = Self::new(path, source);
        let _ = file.tree.set(tree);
        file
    }

    pub fn tree(&self) -> &Tree {
        self.tree.get_or_init(|| parse(&self.source, None))
    }

    /// The same file without its tree: work done on the copy parses it again and frees
    /// the tree with the copy, so a whole project's trees are never held at once.
    pub fn detached(&self) -> Self {
        Self::new(self.path.clone(), self.source.clone())
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
