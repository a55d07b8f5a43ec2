//! Source roots: the directories a project's absolute imports start from.
//!
//! A file's dotted module name is its path relative to the deepest source root holding
//! it, as Python finds it on `sys.path`. Projects are often checked from a repository
//! root above the directory Django runs from (`netbox/netbox/manage.py`, `src/` layouts):
//! named from the repository root, `netbox/dcim/models.py` would be `netbox.dcim.models`
//! and `from dcim.models import Device` would resolve to nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::syntax::{SourceFile, module_name};

/// The project's source roots (relative to the project root, deepest first) and the
/// files whose name under them would collide with another file's, which keep the name
/// of their path from the project root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRoots {
    dirs: Vec<PathBuf>,
    collided: HashSet<PathBuf>,
}

impl SourceRoots {
    /// The configured roots (`src = [...]`) when given, else the ones Django and Python
    /// would use: the directory of each `manage.py`, `src/`, the directory the settings
    /// module named by `DJANGO_SETTINGS_MODULE` is imported from, and every directory
    /// that holds a package the project imports by its top-level name. The project root
    /// is always the last one. Found roots are never packages themselves: a directory
    /// with an `__init__.py` is imported as part of the package above it.
    pub fn detect(files: &[SourceFile], configured: Option<&[PathBuf]>) -> Self {
        let dirs = match configured {
            Some(dirs) => dirs.iter().map(|dir| normal(dir)).collect(),
            None => detected(files),
        };
        Self::with_dirs(dirs, files)
    }

    /// Roots `dirs`, with the collisions they cause among `files`.
    fn with_dirs(dirs: HashSet<PathBuf>, files: &[SourceFile]) -> Self {
        let mut dirs: Vec<PathBuf> = dirs
            .into_iter()
            .filter(|dir| !dir.as_os_str().is_empty())
            .collect();
        dirs.sort_by(|a, b| {
            let depth = |p: &Path| p.components().count();
            depth(b).cmp(&depth(a)).then_with(|| a.cmp(b))
        });
        let mut roots = Self {
            dirs,
            collided: HashSet::new(),
        };
        // Two files under different roots can take one name (`src/app.py` and `app.py`);
        // Python would import only one of them, and which one depends on the order of
        // `sys.path`, so both keep their names from the project root. That can collide
        // again with a third file's root-relative name: repeat until no name is shared.
        loop {
            let mut by_name: HashMap<String, Vec<&Path>> = HashMap::new();
            for file in files {
                by_name
                    .entry(roots.module_name(&file.path))
                    .or_default()
                    .push(&file.path);
            }
            let before = roots.collided.len();
            for paths in by_name.into_values().filter(|paths| paths.len() > 1) {
                roots
                    .collided
                    .extend(paths.into_iter().map(Path::to_path_buf));
            }
            if roots.collided.len() == before {
                return roots;
            }
        }
    }

    /// The dotted module name of the file at `path` (relative to the project root).
    pub fn module_name(&self, path: &Path) -> String {
        if !self.collided.contains(path) {
            for dir in &self.dirs {
                if let Ok(rest) = path.strip_prefix(dir) {
                    return module_name(rest);
                }
            }
        }
        module_name(path)
    }

    /// Names each of `files` under these roots.
    pub fn name(&self, files: &mut [SourceFile]) {
        for file in files {
            file.module = self.module_name(&file.path);
        }
    }

    /// The roots other than the project root, deepest first.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }
}

fn detected(files: &[SourceFile]) -> HashSet<PathBuf> {
    let packages: HashSet<&Path> = files
        .iter()
        .filter(|file| file.is_package_init())
        .filter_map(|file| file.path.parent())
        .collect();
    let is_package = |dir: &Path| packages.contains(dir);
    let mut found = HashSet::new();

    for file in files {
        let Some(dir) = file.path.parent() else {
            continue;
        };
        if file
            .path
            .file_name()
            .is_some_and(|name| name == "manage.py")
        {
            found.insert(dir.to_path_buf());
        }
        if file.path.starts_with("src") {
            found.insert(PathBuf::from("src"));
        }
    }

    let settings: HashSet<&str> = files
        .iter()
        .filter(|file| {
            file.path.file_name().is_some_and(|name| {
                ["manage.py", "wsgi.py", "asgi.py"].contains(&&*name.to_string_lossy())
            })
        })
        .filter_map(|file| settings_module(&file.source))
        .collect();
    for module in settings {
        let suffix: PathBuf = module.split('.').collect();
        for file in files {
            let as_module = file.path.with_extension("");
            let dir = if file.is_package_init() {
                file.path.parent()
            } else {
                Some(as_module.as_path())
            };
            let base = dir.and_then(|dir| strip_suffix(dir, &suffix));
            if let Some(base) = base {
                found.insert(base.to_path_buf());
            }
        }
    }

    // Where each top-level package sits: `netbox/dcim/__init__.py` puts `dcim` in `netbox`.
    let mut homes: HashMap<&str, Vec<&Path>> = HashMap::new();
    for package in &packages {
        let (Some(parent), Some(name)) = (package.parent(), package.file_name()) else {
            continue;
        };
        if !is_package(parent) {
            homes
                .entry(name.to_str().unwrap_or_default())
                .or_default()
                .push(parent);
        }
    }
    let imported: HashSet<&str> = files
        .par_iter()
        .map(|file| top_level_imports(&file.source).collect::<HashSet<_>>())
        .reduce(HashSet::new, |mut all, some| {
            all.extend(some);
            all
        });
    for name in &imported {
        for home in homes.get(name).into_iter().flatten() {
            found.insert(home.to_path_buf());
        }
    }

    // `from src.shop import models` imports `src/` as a namespace package: then it is no
    // root.
    let imported_as_namespace = |dir: &Path| {
        let name = dir.to_str().unwrap_or_default();
        dir.components().count() == 1 && imported.contains(name) && !homes.contains_key(name)
    };
    found.retain(|dir| !is_package(dir) && !imported_as_namespace(dir));
    found
}

/// `a/b/c` without its suffix `b/c`: `a`.
fn strip_suffix<'a>(path: &'a Path, suffix: &Path) -> Option<&'a Path> {
    let parts: Vec<_> = path.components().collect();
    let tail: Vec<_> = suffix.components().collect();
    if tail.is_empty() || parts.len() < tail.len() || parts[parts.len() - tail.len()..] != tail[..]
    {
        return None;
    }
    let mut base = path;
    for _ in 0..tail.len() {
        base = base.parent()?;
    }
    Some(base)
}

/// `"proj.settings"` of `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")`.
fn settings_module(source: &str) -> Option<&str> {
    let at = source.find("DJANGO_SETTINGS_MODULE")?;
    let rest = source[at + "DJANGO_SETTINGS_MODULE".len()..].trim_start();
    let rest = rest.strip_prefix(['"', '\''])?.trim_start();
    let rest = rest.strip_prefix(',')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    let module = &value[..end];
    let dotted = !module.is_empty()
        && module
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'));
    dotted.then_some(module)
}

/// The first names of the modules a file imports absolutely (`dcim` of `from dcim.models
/// import Device` and of `import dcim.filters`), read line by line: a name that only
/// looks imported (inside a string) can at most make a directory holding a package of
/// that name a root.
fn top_level_imports(source: &str) -> impl Iterator<Item = &str> {
    source.lines().flat_map(|line| {
        let line = line.trim_start();
        let (from, rest) = if let Some(rest) = line.strip_prefix("from ") {
            (true, rest)
        } else if let Some(rest) = line.strip_prefix("import ") {
            (false, rest)
        } else {
            (false, "")
        };
        let modules = if from {
            rest.split_whitespace()
                .next()
                .into_iter()
                .collect::<Vec<_>>()
        } else {
            rest.split(',').collect()
        };
        modules.into_iter().filter_map(|module| {
            let first = module.trim().split(['.', ' ']).next()?;
            let is_name = !first.is_empty()
                && first.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !first.starts_with(|c: char| c.is_ascii_digit());
            is_name.then_some(first)
        })
    })
}

/// `dir` as the walk writes paths: no `.` components, no trailing `/`.
fn normal(dir: &Path) -> PathBuf {
    dir.components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[(&str, &str)]) -> Vec<SourceFile> {
        paths
            .iter()
            .map(|(path, text)| SourceFile::new(PathBuf::from(path), *text))
            .collect()
    }

    fn names(files: &[SourceFile], roots: &SourceRoots) -> Vec<String> {
        files.iter().map(|f| roots.module_name(&f.path)).collect()
    }

    #[test]
    fn the_directory_of_manage_py_is_a_root() {
        let files = files(&[
            ("netbox/manage.py", ""),
            ("netbox/dcim/__init__.py", ""),
            ("netbox/dcim/models.py", ""),
            ("scripts/tool.py", ""),
        ]);
        let roots = SourceRoots::detect(&files, None);
        assert_eq!(roots.dirs(), [PathBuf::from("netbox")]);
        assert_eq!(
            names(&files, &roots),
            ["manage", "dcim", "dcim.models", "scripts.tool"]
        );
    }

    #[test]
    fn the_settings_module_and_imported_packages_place_roots() {
        let files = files(&[
            (
                "deploy/wsgi.py",
                "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
            ),
            ("site/conf/__init__.py", ""),
            ("site/conf/settings.py", ""),
            ("apps/shop/__init__.py", ""),
            ("apps/shop/models.py", ""),
            ("apps/blog/__init__.py", ""),
            (
                "apps/blog/views.py",
                "from shop.models import Product\nimport os, json\n",
            ),
        ]);
        let roots = SourceRoots::detect(&files, None);
        assert_eq!(roots.dirs(), [PathBuf::from("apps"), PathBuf::from("site")]);
        assert_eq!(
            names(&files, &roots),
            [
                "deploy.wsgi",
                "conf",
                "conf.settings",
                "shop",
                "shop.models",
                "blog",
                "blog.views"
            ]
        );
    }

    #[test]
    fn packages_and_unimported_directories_are_not_roots() {
        let files = files(&[
            ("proj/__init__.py", ""),
            ("proj/manage.py", ""),
            ("proj/app/__init__.py", ""),
            ("proj/app/models.py", ""),
            ("docs/example/app2/__init__.py", ""),
            (
                "main.py",
                "from proj.app.models import Post\n# from app2 import x\n",
            ),
        ]);
        let roots = SourceRoots::detect(&files, None);
        assert!(roots.dirs().is_empty(), "{:?}", roots.dirs());
        assert_eq!(names(&files, &roots)[3], "proj.app.models");
    }

    #[test]
    fn a_src_layout_and_configured_roots() {
        let layout = files(&[("src/shop/__init__.py", ""), ("src/shop/models.py", "")]);
        let roots = SourceRoots::detect(&layout, None);
        assert_eq!(names(&layout, &roots), ["shop", "shop.models"]);
        let configured = SourceRoots::detect(&layout, Some(&[PathBuf::from("./src/shop/")]));
        assert_eq!(configured.dirs(), [PathBuf::from("src/shop")]);
        assert_eq!(names(&layout, &configured), ["", "models"]);
        let namespace = files(&[
            ("src/shop/__init__.py", ""),
            ("main.py", "from src.shop import models\n"),
        ]);
        let roots = SourceRoots::detect(&namespace, None);
        assert_eq!(names(&namespace, &roots), ["src.shop", "main"]);
        let none = SourceRoots::detect(&layout, Some(&[]));
        assert_eq!(names(&layout, &none), ["src.shop", "src.shop.models"]);
    }

    #[test]
    fn files_that_would_share_a_name_keep_their_paths() {
        let files = files(&[
            ("shop/__init__.py", ""),
            ("shop/models.py", ""),
            ("src/shop/__init__.py", ""),
            ("src/shop/models.py", ""),
            ("src/other.py", ""),
        ]);
        let roots = SourceRoots::detect(&files, None);
        assert_eq!(
            names(&files, &roots),
            [
                "shop",
                "shop.models",
                "src.shop",
                "src.shop.models",
                "other"
            ]
        );
    }

    #[test]
    fn reads_settings_modules_and_imports() {
        assert_eq!(
            settings_module("os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"a.b\")"),
            Some("a.b")
        );
        assert_eq!(
            settings_module("environ['DJANGO_SETTINGS_MODULE'] = x"),
            None
        );
        assert_eq!(
            settings_module("setdefault('DJANGO_SETTINGS_MODULE', f'{x}')"),
            None
        );
        let text = "import a.b, c as d\nfrom e.f import g\nfrom . import h\n  import i\nimportx\n";
        assert_eq!(
            top_level_imports(text).collect::<Vec<_>>(),
            ["a", "c", "e", "i"]
        );
    }
}
