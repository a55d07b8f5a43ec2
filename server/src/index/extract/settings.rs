//! What a settings module says about templates: `TEMPLATES`, the old `TEMPLATE_DIRS`
//! and `INSTALLED_APPS`, read from its module-level assignments alone (the file's
//! facts stay a function of the file).
//!
//! - Values are evaluated as far as plain code goes: strings, booleans, lists, tuples,
//!   dicts with string keys, names assigned earlier in the module, `+`/`+=` of lists,
//!   and paths: `__file__`, `Path(...)`, `.parent`, `.resolve()`, `/`,
//!   `os.path.join/dirname/abspath/realpath/normpath`, `str(...)`.
//! - A path is relative to the project root; `__file__` is the settings file, so
//!   `BASE_DIR = Path(__file__).resolve().parent.parent` of `mysite/settings.py` is the
//!   root. A relative string is taken from the root (Django resolves it from the
//!   working directory, usually where `manage.py` is); an absolute one, or one that
//!   leaves the root, is unknown.
//! - What cannot be evaluated is unknown: an unknown directory is `None` and skipped
//!   later, an unknown `INSTALLED_APPS` is `Some(None)`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use tree_sitter::Node;

use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, dotted_name, string_value, text};

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq)]
pub struct TemplateSettings {
    /// `TEMPLATES`, when the module sets it: its entries that are dicts, in order.
    pub engines: Option<Vec<EngineSettings>>,
    /// `TEMPLATE_DIRS` (Django before 1.8), when the module sets it.
    pub template_dirs: Option<Vec<Option<PathBuf>>>,
    /// `INSTALLED_APPS`, when the module sets it; `Some(None)` when we cannot read it.
    pub installed_apps: Option<Option<Vec<String>>>,
}

impl TemplateSettings {
    pub fn is_empty(&self) -> bool {
        *self == TemplateSettings::default()
    }
}

/// One entry of `TEMPLATES`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct EngineSettings {
    pub backend: Backend,
    /// `DIRS` in order; `None` for an entry we cannot evaluate.
    pub dirs: Vec<Option<PathBuf>>,
    pub app_dirs: bool,
    /// The directory of each installed app the engine looks in: `templates` (Django),
    /// `jinja2` (Django's Jinja2 backend), django-jinja's `app_dirname` option (default
    /// `templates`); `None` when we cannot read it.
    pub app_dirname: Option<String>,
    /// The template names the engine takes (a name it refuses goes to the next engine).
    pub names: EngineNames,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum EngineNames {
    All,
    /// django-jinja's `match_extension` (default `.jinja`): the names ending so.
    EndingIn(String),
    /// A `match_regex`, or an option we cannot read.
    Unknown,
}

impl EngineNames {
    /// Whether the engine takes `name`; `None` when we cannot tell.
    pub fn take(&self, name: &str) -> Option<bool> {
        match self {
            EngineNames::All => Some(true),
            EngineNames::EndingIn(end) => Some(name.ends_with(end.as_str())),
            EngineNames::Unknown => None,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `django.template.backends.django.DjangoTemplates`.
    Django,
    /// `django.template.backends.jinja2.Jinja2`, or django-jinja's
    /// `django_jinja.backend.Jinja2`.
    Jinja2,
    /// Another backend, or one we cannot read (`None`).
    Other(Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
enum Py {
    Str(String),
    Bool(bool),
    List(Vec<Py>),
    Dict(Vec<(String, Py)>),
    None,
    /// Root-relative components.
    Path(Vec<String>),
    /// One of these, by a condition we do not evaluate (`a if DEBUG else b`).
    Either(Vec<Py>),
    Unknown,
}

/// Reads the template settings of the settings module at `path` (root-relative).
pub fn template_settings(root: Node<'_>, source: &str, path: &Path) -> TemplateSettings {
    let mut env = Reader {
        source,
        file: path
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect(),
        names: HashMap::new(),
    };
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let Some(assignment) = statement
            .named_child(0)
            .filter(|_| statement.kind() == "expression_statement")
        else {
            continue;
        };
        let (Some(left), Some(right)) = (
            assignment.child_by_field_id(FIELDS.left),
            assignment.child_by_field_id(FIELDS.right),
        ) else {
            continue;
        };
        if left.kind() != "identifier" {
            continue;
        }
        let name = text(left, source).to_string();
        let value = env.eval(right, 0);
        let value = match assignment.kind() {
            "assignment" => value,
            "augmented_assignment" if text(assignment, source).contains("+=") => {
                let old = env.names.get(&name).cloned().unwrap_or(Py::Unknown);
                add(old, value)
            }
            _ => Py::Unknown,
        };
        env.names.insert(name, value);
    }
    let names = &env.names;
    TemplateSettings {
        engines: names.get("TEMPLATES").map(engines),
        template_dirs: names.get("TEMPLATE_DIRS").map(dirs),
        installed_apps: names.get("INSTALLED_APPS").map(|apps| match apps {
            Py::List(items) => items
                .iter()
                .map(|i| match i {
                    Py::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }),
    }
}

fn engines(value: &Py) -> Vec<EngineSettings> {
    let Py::List(items) = value else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let Py::Dict(entries) = item else { return None };
            let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let backend_name = match get("BACKEND") {
                Some(Py::Str(s)) => Some(s.as_str()),
                _ => None,
            };
            let backend = match backend_name {
                Some("django.template.backends.django.DjangoTemplates") => Backend::Django,
                Some(DJANGO_JINJA2 | DJANGO_JINJA) => Backend::Jinja2,
                Some(other) => Backend::Other(Some(other.to_string())),
                None => Backend::Other(None),
            };
            let (options, options_read) = match get("OPTIONS") {
                Some(Py::Dict(options)) => (Some(options), true),
                None => (None, true),
                Some(_) => (None, false),
            };
            let option =
                |key: &str| options.and_then(|o| o.iter().find(|(k, _)| k == key).map(|(_, v)| v));
            let loaders = options.and_then(|o| o.iter().find(|(k, _)| k == "loaders"));
            let (app_dirname, names) = match backend_name {
                Some(DJANGO_JINJA2) => (Some("jinja2".to_string()), EngineNames::All),
                Some(DJANGO_JINJA) if !options_read => (None, EngineNames::Unknown),
                // django-jinja's options, with its defaults.
                Some(DJANGO_JINJA) => {
                    let app_dirname = match option("app_dirname") {
                        None => Some("templates".to_string()),
                        Some(Py::Str(dir)) => Some(dir.clone()),
                        Some(_) => None,
                    };
                    let names = match (option("match_extension"), option("match_regex")) {
                        (_, Some(regex)) if *regex != Py::None => EngineNames::Unknown,
                        (None, _) => EngineNames::EndingIn(".jinja".to_string()),
                        (Some(Py::Str(end)), _) if !end.is_empty() => {
                            EngineNames::EndingIn(end.clone())
                        }
                        (Some(Py::Str(_) | Py::None), _) => EngineNames::All,
                        (Some(_), _) => EngineNames::Unknown,
                    };
                    (app_dirname, names)
                }
                _ => (Some("templates".to_string()), EngineNames::All),
            };
            // Explicit `loaders` replace `APP_DIRS` (Django refuses both).
            let app_dirs = match loaders {
                Some((_, loaders)) => searches_apps(loaders),
                None => matches!(get("APP_DIRS"), Some(Py::Bool(true))),
            };
            Some(EngineSettings {
                backend,
                dirs: get("DIRS").map(dirs).unwrap_or_default(),
                app_dirs,
                app_dirname,
                names,
            })
        })
        .collect()
}

const DJANGO_JINJA2: &str = "django.template.backends.jinja2.Jinja2";
const DJANGO_JINJA: &str = "django_jinja.backend.Jinja2";

/// Whether a `loaders` list surely has the app directories loader, itself or inside
/// the cached loader (`("django.template.loaders.cached.Loader", [...])`).
fn searches_apps(loaders: &Py) -> bool {
    match loaders {
        Py::Str(s) => s == "django.template.loaders.app_directories.Loader",
        Py::List(items) => items.iter().any(searches_apps),
        Py::Either(choices) => choices.iter().all(searches_apps),
        _ => false,
    }
}

fn dirs(value: &Py) -> Vec<Option<PathBuf>> {
    let Py::List(items) = value else {
        return vec![None];
    };
    items
        .iter()
        .map(|item| as_path(item).map(|parts| parts.iter().collect()))
        .collect()
}

fn as_path(value: &Py) -> Option<Vec<String>> {
    match value {
        Py::Path(parts) => Some(parts.clone()),
        Py::Str(s) => join(Vec::new(), s),
        _ => None,
    }
}

/// `base` joined with `tail` as `os.path.join` would; `None` when `tail` is absolute
/// or leaves the root.
fn join(mut base: Vec<String>, tail: &str) -> Option<Vec<String>> {
    if tail.starts_with('/') || tail.contains(':') {
        return None;
    }
    for part in tail.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                base.pop()?;
            }
            part => base.push(part.to_string()),
        }
    }
    Some(base)
}

fn add(left: Py, right: Py) -> Py {
    match (left, right) {
        (Py::List(mut a), Py::List(b)) => {
            a.extend(b);
            Py::List(a)
        }
        (Py::Str(a), Py::Str(b)) => Py::Str(a + &b),
        _ => Py::Unknown,
    }
}

struct Reader<'s> {
    source: &'s str,
    /// The settings file, root-relative.
    file: Vec<String>,
    names: HashMap<String, Py>,
}

/// Deeper expressions are not settings we read (and the recursion stays bounded).
const MAX_DEPTH: usize = 64;

impl Reader<'_> {
    fn eval(&self, node: Node<'_>, depth: usize) -> Py {
        if depth > MAX_DEPTH {
            return Py::Unknown;
        }
        let eval = |n: Node<'_>| self.eval(n, depth + 1);
        match node.kind() {
            "string" => {
                string_value(node, self.source).map_or(Py::Unknown, |s| Py::Str(s.to_string()))
            }
            "true" => Py::Bool(true),
            "false" => Py::Bool(false),
            "none" => Py::None,
            "parenthesized_expression" => node.named_child(0).map_or(Py::Unknown, eval),
            "conditional_expression" => match (node.named_child(0), node.named_child(2)) {
                (Some(yes), Some(no)) => match (eval(yes), eval(no)) {
                    (yes, no) if yes == no => yes,
                    (yes, no) => Py::Either(vec![yes, no]),
                },
                _ => Py::Unknown,
            },
            "list" | "tuple" => {
                let mut cursor = node.walk();
                Py::List(
                    node.named_children(&mut cursor)
                        .filter(|c| c.kind() != "comment")
                        .map(eval)
                        .collect(),
                )
            }
            "dictionary" => {
                let mut cursor = node.walk();
                let mut entries = Vec::new();
                for pair in node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "pair")
                {
                    let key = pair
                        .child_by_field_name("key")
                        .and_then(|k| string_value(k, self.source));
                    let value = pair.child_by_field_id(FIELDS.value);
                    if let (Some(key), Some(value)) = (key, value) {
                        entries.push((key.to_string(), eval(value)));
                    }
                }
                Py::Dict(entries)
            }
            "identifier" => match text(node, self.source) {
                "__file__" => Py::Path(self.file.clone()),
                name => self.names.get(name).cloned().unwrap_or(Py::Unknown),
            },
            "binary_operator" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_id(FIELDS.left),
                    node.child_by_field_id(FIELDS.right),
                ) else {
                    return Py::Unknown;
                };
                let operator = node
                    .child_by_field_id(FIELDS.operator)
                    .map(|o| text(o, self.source));
                match operator {
                    Some("+") => add(eval(left), eval(right)),
                    Some("/") => match (eval(left), eval(right)) {
                        (Py::Path(base), Py::Str(tail)) => {
                            join(base, &tail).map_or(Py::Unknown, Py::Path)
                        }
                        _ => Py::Unknown,
                    },
                    _ => Py::Unknown,
                }
            }
            "attribute" => {
                let name = node
                    .child_by_field_id(FIELDS.attribute)
                    .map(|a| text(a, self.source));
                match (name, node.child_by_field_id(FIELDS.object).map(eval)) {
                    (Some("parent"), Some(Py::Path(mut parts))) => match parts.pop() {
                        Some(_) => Py::Path(parts),
                        None => Py::Unknown,
                    },
                    _ => Py::Unknown,
                }
            }
            "call" => self.call(node, depth),
            _ => Py::Unknown,
        }
    }

    fn call(&self, node: Node<'_>, depth: usize) -> Py {
        let Some(function) = node.child_by_field_id(FIELDS.function) else {
            return Py::Unknown;
        };
        let args = call_args(node, self.source);
        let values: Vec<Py> = args
            .positional
            .iter()
            .map(|a| self.eval(*a, depth + 1))
            .collect();
        // `x.resolve()`, `x.joinpath("a")`: methods of a path.
        if function.kind() == "attribute"
            && let Some(object) = function.child_by_field_id(FIELDS.object)
            && let Some(method) = function.child_by_field_id(FIELDS.attribute)
            && let Py::Path(base) = self.eval(object, depth + 1)
        {
            return match text(method, self.source) {
                "resolve" | "absolute" => Py::Path(base),
                "joinpath" => join_all(Py::Path(base), &values),
                _ => Py::Unknown,
            };
        }
        let callee = dotted_name(function, self.source).unwrap_or_default();
        let callee: Vec<&str> = callee.iter().map(String::as_str).collect();
        match callee.as_slice() {
            ["Path" | "PurePath"] | ["pathlib", "Path" | "PurePath"] | ["os", "path", "join"] => {
                match values.split_first() {
                    Some((first, rest)) => join_all(first.clone(), rest),
                    None => Py::Unknown,
                }
            }
            ["os", "path", "dirname"] => match values.first().and_then(as_path) {
                Some(parts) if !parts.is_empty() => Py::Path(parts[..parts.len() - 1].to_vec()),
                _ => Py::Unknown,
            },
            ["os", "path", "abspath" | "realpath" | "normpath"] | ["str"] => {
                values.first().cloned().unwrap_or(Py::Unknown)
            }
            _ => Py::Unknown,
        }
    }
}

fn join_all(first: Py, rest: &[Py]) -> Py {
    let Some(mut parts) = as_path(&first) else {
        return Py::Unknown;
    };
    for tail in rest {
        match tail {
            Py::Str(s) => match join(parts, s) {
                Some(joined) => parts = joined,
                None => return Py::Unknown,
            },
            _ => return Py::Unknown,
        }
    }
    Py::Path(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, source: &str) -> TemplateSettings {
        let tree = crate::syntax::parse(source, None);
        template_settings(tree.root_node(), source, Path::new(path))
    }

    #[test]
    fn explicit_loaders_say_whether_app_directories_are_searched() {
        let settings = read(
            "mysite/settings.py",
            r#"
default_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
cached_loaders = [("django.template.loaders.cached.Loader", default_loaders)]
files_only = ["django.template.loaders.filesystem.Loader"]
TEMPLATES = [
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {"loaders": default_loaders if DEBUG else cached_loaders}},
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {"loaders": default_loaders if DEBUG else files_only}},
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {"loaders": files_only}},
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {"loaders": get_loaders()}},
]
"#,
        );
        let app_dirs: Vec<bool> = settings
            .engines
            .unwrap()
            .iter()
            .map(|e| e.app_dirs)
            .collect();
        assert_eq!(app_dirs, [true, false, false, false]);
    }

    #[test]
    fn reads_templates_with_base_dir() {
        let settings = read(
            "mysite/settings.py",
            r#"
import os
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
OLD_BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", os.path.join(OLD_BASE, "more", "templates"), "/srv/abs", env("X"), "rel/tpl"],
        "APP_DIRS": True,
    },
    {"BACKEND": "django.template.backends.jinja2.Jinja2", "DIRS": [], "APP_DIRS": True},
    {"BACKEND": CUSTOM},
]
DJANGO_APPS = ["django.contrib.admin"]
INSTALLED_APPS = DJANGO_APPS + ["blog", "shop.apps.ShopConfig"]
INSTALLED_APPS += ("extra",)
"#,
        );
        assert_eq!(
            settings.engines,
            Some(vec![
                EngineSettings {
                    backend: Backend::Django,
                    dirs: vec![
                        Some("templates".into()),
                        Some("more/templates".into()),
                        None,
                        None,
                        Some("rel/tpl".into()),
                    ],
                    app_dirs: true,
                    app_dirname: Some("templates".into()),
                    names: EngineNames::All,
                },
                EngineSettings {
                    backend: Backend::Jinja2,
                    dirs: vec![],
                    app_dirs: true,
                    app_dirname: Some("jinja2".into()),
                    names: EngineNames::All,
                },
                EngineSettings {
                    backend: Backend::Other(None),
                    dirs: vec![],
                    app_dirs: false,
                    app_dirname: Some("templates".into()),
                    names: EngineNames::All,
                },
            ])
        );
        assert_eq!(
            settings.installed_apps,
            Some(Some(vec![
                "django.contrib.admin".into(),
                "blog".into(),
                "shop.apps.ShopConfig".into(),
                "extra".into(),
            ]))
        );
        assert_eq!(settings.template_dirs, None);
    }

    #[test]
    fn reads_django_jinja_options() {
        let settings = read(
            "settings.py",
            r#"
TEMPLATES = [
    {"BACKEND": "django_jinja.backend.Jinja2", "APP_DIRS": True},
    {"BACKEND": "django_jinja.backend.Jinja2", "OPTIONS": {"app_dirname": "jinja2", "match_extension": ""}},
    {"BACKEND": "django_jinja.backend.Jinja2", "OPTIONS": {"match_extension": None, "match_regex": None}},
    {"BACKEND": "django_jinja.backend.Jinja2", "OPTIONS": {"match_extension": ".html", "app_dirname": DIR}},
    {"BACKEND": "django_jinja.backend.Jinja2", "OPTIONS": {"match_regex": r"^(?!admin/).*"}},
    {"BACKEND": "django_jinja.backend.Jinja2", "OPTIONS": OPTIONS},
]
"#,
        );
        let read: Vec<(Backend, Option<&str>, EngineNames)> = settings
            .engines
            .as_ref()
            .unwrap()
            .iter()
            .map(|e| (e.backend.clone(), e.app_dirname.as_deref(), e.names.clone()))
            .collect();
        assert_eq!(
            read,
            [
                (
                    Backend::Jinja2,
                    Some("templates"),
                    EngineNames::EndingIn(".jinja".into())
                ),
                (Backend::Jinja2, Some("jinja2"), EngineNames::All),
                (Backend::Jinja2, Some("templates"), EngineNames::All),
                (Backend::Jinja2, None, EngineNames::EndingIn(".html".into())),
                (Backend::Jinja2, Some("templates"), EngineNames::Unknown),
                (Backend::Jinja2, None, EngineNames::Unknown),
            ]
        );
        assert_eq!(
            EngineNames::EndingIn(".jinja".into()).take("a.html"),
            Some(false)
        );
        assert_eq!(EngineNames::Unknown.take("a.html"), None);
    }

    #[test]
    fn unknown_values_stay_unknown() {
        let settings = read(
            "config/settings/base.py",
            r#"
ROOT = Path(__file__).parent.parent.parent.parent
TEMPLATE_DIRS = (ROOT / "t", str(Path(__file__).parent.parent / "templates"))
INSTALLED_APPS = get_apps()
"#,
        );
        assert_eq!(settings.engines, None);
        assert_eq!(
            settings.template_dirs,
            Some(vec![None, Some("config/templates".into())])
        );
        assert_eq!(settings.installed_apps, Some(None));
        assert!(read("settings.py", "DEBUG = True\n").is_empty());
    }
}
