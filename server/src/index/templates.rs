//! Where the project's templates are, found the way Django's loaders look for them.
//!
//! - Engines are tried in `TEMPLATES` order; each looks in its `DIRS` in order, then,
//!   with `APP_DIRS`, in each installed app's `templates/` directory (`jinja2/` for
//!   the Jinja2 backend) in `INSTALLED_APPS` order. The first file found under a name
//!   wins.
//! - Without `TEMPLATES`, Django before 1.8 looked in `TEMPLATE_DIRS`, then in the
//!   apps' `templates/`.
//! - An installed app is a package of the project (`blog`, or `blog` of
//!   `blog.apps.BlogConfig`); apps from elsewhere (`django.contrib.admin`) are not
//!   read. Where `INSTALLED_APPS` cannot be read, or no settings module says anything
//!   of templates, every package's `templates/` directory is an app directory
//!   ([`TemplateDirs::guessed`]).
//! - With several settings modules (`settings/base.py`, `settings/dev.py`), the first
//!   by path that sets a value gives it.
//!
//! [`template_dirs`] is a function of the facts; [`TemplateDirs::find`] lists the files
//! on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Backend, EngineNames, FileFacts};

/// The directories one engine searches, in order (relative to the root), and the
/// names it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateEngine {
    pub backend: Backend,
    pub dirs: Vec<PathBuf>,
    pub names: EngineNames,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateDirs {
    pub engines: Vec<TemplateEngine>,
    /// The app directories are every package's, not the installed apps'.
    pub guessed: bool,
}

/// A template file and the engine that loads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    /// Relative to the root.
    pub path: PathBuf,
    pub backend: Backend,
}

/// Where each engine of the project looks for templates, from the settings modules'
/// facts.
pub fn template_dirs(facts: &[Arc<FileFacts>]) -> TemplateDirs {
    let mut settings: Vec<&FileFacts> = facts
        .iter()
        .map(Arc::as_ref)
        .filter(|f| f.is_settings() && !f.templates.is_empty())
        .collect();
    settings.sort_by(|a, b| a.path.cmp(&b.path));
    let engines = settings.iter().find_map(|f| f.templates.engines.clone());
    let old_dirs = settings
        .iter()
        .find_map(|f| f.templates.template_dirs.clone());
    let apps = settings
        .iter()
        .find_map(|f| f.templates.installed_apps.clone());
    let (app_packages, guessed) = match apps.flatten() {
        Some(apps) => (
            apps.iter().filter_map(|app| app_dir(facts, app)).collect(),
            false,
        ),
        None => (package_dirs(facts), true),
    };
    let engines = match (engines, old_dirs) {
        (Some(engines), _) => engines,
        (None, Some(dirs)) => vec![django_engine(dirs)],
        (None, None) => vec![django_engine(Vec::new())],
    };
    let engines = engines
        .into_iter()
        .map(|engine| {
            let mut dirs: Vec<PathBuf> = engine.dirs.into_iter().flatten().collect();
            let mut names = engine.names;
            if engine.app_dirs {
                match &engine.app_dirname {
                    Some(sub) => dirs.extend(app_packages.iter().map(|p: &PathBuf| p.join(sub))),
                    // Where its apps' templates are is unknown: so is which it takes.
                    None => names = EngineNames::Unknown,
                }
            }
            TemplateEngine {
                backend: engine.backend,
                dirs,
                names,
            }
        })
        .collect();
    TemplateDirs { engines, guessed }
}

/// The engine of Django before 1.8, or of no `TEMPLATES`.
fn django_engine(dirs: Vec<Option<PathBuf>>) -> super::EngineSettings {
    super::EngineSettings {
        backend: Backend::Django,
        dirs,
        app_dirs: true,
        app_dirname: Some("templates".to_string()),
        names: EngineNames::All,
    }
}

/// The directory of the project package an `INSTALLED_APPS` entry names.
fn app_dir(facts: &[Arc<FileFacts>], app: &str) -> Option<PathBuf> {
    let package = |module: &str| {
        facts
            .iter()
            .find(|f| f.is_package && f.module == module)
            .and_then(|f| f.path.parent().map(Path::to_path_buf))
    };
    package(app).or_else(|| {
        // `blog.apps.BlogConfig`: the app config's module's package.
        let (module, class) = app.rsplit_once('.')?;
        if !class.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        package(module).or_else(|| package(module.rsplit_once('.')?.0))
    })
}

/// Every package's directory, in path order.
fn package_dirs(facts: &[Arc<FileFacts>]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = facts
        .iter()
        .filter(|f| f.is_package)
        .filter_map(|f| f.path.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs
}

impl TemplateDirs {
    /// Every template under `root` by the name it loads by, the one Django finds first:
    /// the first engine that takes the name and has a file of that name. A name an
    /// engine may or may not take is of no backend we know (`Backend::Other(None)`).
    /// Directories that do not exist are skipped; hidden files are not templates.
    pub fn find(&self, root: &Path) -> BTreeMap<String, TemplateFile> {
        let mut found = BTreeMap::new();
        for engine in &self.engines {
            for dir in &engine.dirs {
                let mut files = Vec::new();
                list_files(&root.join(dir), Path::new(""), 0, &mut files);
                files.sort();
                for name in files {
                    let key = name.to_string_lossy().replace('\\', "/");
                    let backend = match engine.names.take(&key) {
                        Some(true) => engine.backend.clone(),
                        Some(false) => continue,
                        None => Backend::Other(None),
                    };
                    found.entry(key).or_insert_with(|| TemplateFile {
                        path: dir.join(&name),
                        backend,
                    });
                }
            }
        }
        found
    }
}

/// Directories deeper than this under a template directory are not searched.
const MAX_DEPTH: usize = 32;

fn list_files(dir: &Path, rel: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && depth < MAX_DEPTH {
            list_files(&entry.path(), &rel.join(&name), depth + 1, out);
        } else if kind.is_file() {
            out.push(rel.join(&name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::SourceFile;

    fn facts(files: &[(&str, &str)]) -> Vec<Arc<FileFacts>> {
        files
            .iter()
            .map(|(path, source)| {
                Arc::new(super::super::extract(&SourceFile::new(
                    (*path).into(),
                    *source,
                )))
            })
            .collect()
    }

    fn dirs(engine: &TemplateEngine) -> Vec<&str> {
        engine.dirs.iter().map(|d| d.to_str().unwrap()).collect()
    }

    #[test]
    fn dirs_first_then_installed_apps_in_order() {
        let found = template_dirs(&facts(&[
            ("blog/__init__.py", ""),
            ("shop/__init__.py", ""),
            ("unused/__init__.py", ""),
            (
                "mysite/settings.py",
                r#"
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
INSTALLED_APPS = ["django.contrib.admin", "shop.apps.ShopConfig", "blog"]
TEMPLATES = [
    {"BACKEND": "django.template.backends.jinja2.Jinja2", "DIRS": [BASE_DIR / "jinja"], "APP_DIRS": True},
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True},
]
"#,
            ),
        ]));
        assert!(!found.guessed);
        assert_eq!(found.engines[0].backend, Backend::Jinja2);
        assert_eq!(
            dirs(&found.engines[0]),
            ["jinja", "shop/jinja2", "blog/jinja2"]
        );
        assert_eq!(found.engines[1].backend, Backend::Django);
        assert_eq!(
            dirs(&found.engines[1]),
            ["templates", "shop/templates", "blog/templates"]
        );
    }

    #[test]
    fn old_settings_and_guesses() {
        let old = template_dirs(&facts(&[
            ("blog/__init__.py", ""),
            (
                "settings.py",
                "TEMPLATE_DIRS = ('templates',)\nINSTALLED_APPS = APPS\n",
            ),
        ]));
        assert!(old.guessed);
        assert_eq!(dirs(&old.engines[0]), ["templates", "blog/templates"]);
        let none = template_dirs(&facts(&[("b/__init__.py", ""), ("a/__init__.py", "")]));
        assert!(none.guessed);
        assert_eq!(dirs(&none.engines[0]), ["a/templates", "b/templates"]);
    }
}
