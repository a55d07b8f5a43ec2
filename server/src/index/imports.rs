//! What the names a module imports refer to, read from its `import` statements.

use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::syntax::SourceFile;
use crate::syntax::fields::FIELDS;
use crate::syntax::node::text;

/// What one imported name is bound to.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// `import a.b` binds `a` to module `a`; `import a.b as c` binds `c` to module `a.b`.
    Module(String),
    /// `from m import n`: the name `n` of module `m`, or its submodule `m.n`.
    Name { module: String, name: String },
}

/// The imports of one module, relative imports already made absolute.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportMap {
    /// Ordered, so equal maps serialise alike (the cache fingerprints facts so).
    names: BTreeMap<String, Imported>,
    /// Modules of `from m import *`, in source order.
    stars: Vec<String>,
}

impl ImportMap {
    /// Every import of `file`, at any nesting level (later bindings of a name win), read
    /// from its module-level statements (so a buffer read patched is not parsed whole).
    pub fn of(file: &SourceFile) -> Self {
        let package = package_of(&file.module, file.is_package_init());
        let mut map = ImportMap::default();
        for (statement, _) in file.top_level() {
            map.statement(statement, &file.source, &package);
        }
        map
    }

    pub(crate) fn from_tree(root: Node<'_>, source: &str, package: &str) -> Self {
        let mut map = ImportMap::default();
        map.collect(root, source, package);
        map
    }

    /// Imports are statements: only statement blocks are entered, never expressions,
    /// so a file costs its statements rather than its every node.
    fn collect(&mut self, node: Node<'_>, source: &str, package: &str) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.statement(child, source, package);
        }
    }

    fn statement(&mut self, child: Node<'_>, source: &str, package: &str) {
        match child.kind() {
            "import_statement" => self.add_import(child, source),
            "import_from_statement" => self.add_import_from(child, source, package),
            "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause"
            | "with_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "match_statement"
            | "case_clause"
            | "ERROR" => self.collect(child, source, package),
            _ => {}
        }
    }

    pub fn get(&self, name: &str) -> Option<&Imported> {
        self.names.get(name)
    }

    pub fn stars(&self) -> &[String] {
        &self.stars
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Imported)> {
        self.names.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn add_import(&mut self, node: Node<'_>, source: &str) {
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            match name.kind() {
                "dotted_name" => {
                    let dotted = text(name, source);
                    let first = dotted.split('.').next().unwrap_or(dotted).trim();
                    if !first.is_empty() {
                        self.names
                            .insert(first.to_string(), Imported::Module(first.to_string()));
                    }
                }
                "aliased_import" => {
                    let (Some(module), Some(alias)) = (
                        name.child_by_field_id(FIELDS.name),
                        name.child_by_field_id(FIELDS.alias),
                    ) else {
                        continue;
                    };
                    self.names.insert(
                        text(alias, source).to_string(),
                        Imported::Module(clean_dotted(text(module, source))),
                    );
                }
                _ => {}
            }
        }
    }

    fn add_import_from(&mut self, node: Node<'_>, source: &str, package: &str) {
        let Some(module_node) = node.child_by_field_id(FIELDS.module_name) else {
            return;
        };
        let module = match module_node.kind() {
            "relative_import" => {
                let mut level = 0;
                let mut rest = String::new();
                let mut cursor = module_node.walk();
                for child in module_node.named_children(&mut cursor) {
                    match child.kind() {
                        "import_prefix" => level = text(child, source).matches('.').count(),
                        "dotted_name" => rest = clean_dotted(text(child, source)),
                        _ => {}
                    }
                }
                let Some(base) = ancestor(package, level.saturating_sub(1)) else {
                    return;
                };
                join(&base, &rest)
            }
            _ => clean_dotted(text(module_node, source)),
        };
        let mut cursor = node.walk();
        let mut any_name = false;
        for name in node.children_by_field_name("name", &mut cursor) {
            any_name = true;
            let (imported, local) = match name.kind() {
                "aliased_import" => {
                    let (Some(n), Some(a)) = (
                        name.child_by_field_id(FIELDS.name),
                        name.child_by_field_id(FIELDS.alias),
                    ) else {
                        continue;
                    };
                    (text(n, source), text(a, source))
                }
                _ => (text(name, source), text(name, source)),
            };
            self.names.insert(
                local.to_string(),
                Imported::Name {
                    module: module.clone(),
                    name: clean_dotted(imported),
                },
            );
        }
        if !any_name {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "wildcard_import")
                && !self.stars.contains(&module)
            {
                self.stars.push(module);
            }
        }
    }
}

/// The package relative imports in `module` start from.
pub fn package_of(module: &str, is_package_init: bool) -> String {
    if is_package_init {
        module.to_string()
    } else {
        module
            .rsplit_once('.')
            .map(|(package, _)| package.to_string())
            .unwrap_or_default()
    }
}

/// `package` with `levels` trailing components removed; `None` above the root.
fn ancestor(package: &str, levels: usize) -> Option<String> {
    let mut current = package.to_string();
    for _ in 0..levels {
        if current.is_empty() {
            return None;
        }
        current = current
            .rsplit_once('.')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default();
    }
    Some(current)
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}.{rest}"),
    }
}

/// `a . b` (whitespace and comments are legal inside a dotted name) → `a.b`.
fn clean_dotted(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(path: &str, src: &str) -> ImportMap {
        ImportMap::of(&SourceFile::new(path.into(), src))
    }

    #[test]
    fn absolute_and_aliased() {
        let map = imports(
            "blog/views.py",
            "import django.db.models as m\nimport os.path\nfrom blog.models import Post as P, Tag\n",
        );
        assert_eq!(
            map.get("m"),
            Some(&Imported::Module("django.db.models".into()))
        );
        assert_eq!(map.get("os"), Some(&Imported::Module("os".into())));
        assert_eq!(
            map.get("P"),
            Some(&Imported::Name {
                module: "blog.models".into(),
                name: "Post".into()
            })
        );
        assert!(map.get("Tag").is_some());
        assert!(map.get("Post").is_none());
    }

    #[test]
    fn relative_from_module_and_package() {
        let map = imports(
            "blog/models/__init__.py",
            "from .post import *\nfrom .. import apps\n",
        );
        assert_eq!(map.stars(), ["blog.models.post"]);
        assert_eq!(
            map.get("apps"),
            Some(&Imported::Name {
                module: "blog".into(),
                name: "apps".into()
            })
        );
        let map = imports(
            "blog/views.py",
            "from .models import Post\nfrom ... import x\n",
        );
        assert_eq!(
            map.get("Post"),
            Some(&Imported::Name {
                module: "blog.models".into(),
                name: "Post".into()
            })
        );
        assert!(map.get("x").is_none());
    }
}
