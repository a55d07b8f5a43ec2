//! The project's Python environment, found as pyright and ruff find it, without running
//! Python: the `python` setting (an interpreter or an environment's directory), else
//! `$VIRTUAL_ENV`, else `.venv/` or `venv/` at the project root. The packages installed
//! there are read for the classes the project's models are built on
//! ([`crate::index::read_installed`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::display_path;
use crate::index::{FileFacts, read_installed};
use crate::project::read_source;
use crate::syntax::SourceFile;

/// Bytes of installed code read at most, whatever the number of modules.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Directories at the project root taken for its environment, in order.
const ROOT_ENVS: [&str; 2] = [".venv", "venv"];

/// What looking for the environment found.
#[derive(Debug, Clone, Default)]
pub enum PythonEnv {
    Found(Environment),
    /// None to read: installed packages stay unknown.
    #[default]
    Missing,
    /// The `python` setting names no environment: why, said once to the user.
    Invalid(String),
}

/// An environment with its site-packages directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub dir: PathBuf,
    pub site_packages: Vec<PathBuf>,
}

impl PythonEnv {
    /// The environment of the project at `root`, `setting` being the config's `python`
    /// (relative to `root` unless absolute).
    pub fn discover(root: &Path, setting: Option<&Path>) -> Self {
        if let Some(setting) = setting {
            let path = root.join(setting);
            return match Environment::at(&path) {
                Some(env) => PythonEnv::Found(env),
                None => PythonEnv::Invalid(format!(
                    "python = \"{}\" is neither a Python interpreter nor an environment \
                     holding a site-packages directory; installed packages are not read",
                    display_path(setting)
                )),
            };
        }
        let virtual_env = std::env::var_os("VIRTUAL_ENV")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from);
        virtual_env
            .into_iter()
            .chain(ROOT_ENVS.iter().map(|dir| root.join(dir)))
            .find_map(|dir| Environment::at(&dir))
            .map_or(PythonEnv::Missing, PythonEnv::Found)
    }

    /// The installed Django's `(major, minor)`, when there is an environment holding it.
    pub fn django_version(&self) -> Option<(u32, u32)> {
        let django = self.environment()?.module("django")?;
        django_version_in(&django.source)
    }

    /// The Django of the project at `root`: the installed one, else the one its lock or
    /// requirements files name.
    pub fn project_django_version(&self, root: &Path) -> Option<(u32, u32)> {
        self.django_version()
            .or_else(|| crate::requirements::declared_django_version(root))
    }

    pub fn environment(&self) -> Option<&Environment> {
        match self {
            PythonEnv::Found(env) => Some(env),
            PythonEnv::Missing | PythonEnv::Invalid(_) => None,
        }
    }

    /// The facts of the installed modules the `project` needs (none without an
    /// environment).
    pub fn read(&self, project: &[Arc<FileFacts>]) -> Vec<Arc<FileFacts>> {
        let Some(env) = self.environment() else {
            return Vec::new();
        };
        let mut budget = MAX_BYTES;
        read_installed(project, |module| {
            let file = env.module(module)?;
            budget = budget.checked_sub(file.source.len() as u64)?;
            Some(file)
        })
    }
}

impl Environment {
    /// The environment `path` is, or whose interpreter it is (`.venv/bin/python`,
    /// `env\Scripts\python.exe`), when it holds a site-packages directory.
    pub fn at(path: &Path) -> Option<Self> {
        let dir = if path.is_file() {
            let bin = path.parent()?;
            match bin.file_name().and_then(|n| n.to_str()) {
                Some("bin" | "Scripts") => bin.parent()?,
                _ => bin,
            }
        } else {
            path
        };
        let site_packages = site_packages(dir);
        (!site_packages.is_empty()).then(|| Environment {
            dir: dir.to_path_buf(),
            site_packages,
        })
    }

    /// The installed file of `module` (`pkg/mod.py`, else `pkg/mod/__init__.py`), read
    /// as Python source named from its site-packages directory.
    pub fn module(&self, module: &str) -> Option<SourceFile> {
        let rel = module.replace('.', "/");
        let candidates = [
            PathBuf::from(format!("{rel}.py")),
            Path::new(&rel).join("__init__.py"),
        ];
        self.site_packages.iter().find_map(|dir| {
            candidates
                .iter()
                .find(|candidate| dir.join(candidate).is_file())
                .and_then(|candidate| read_source(dir, candidate).ok())
        })
    }
}

/// `(major, minor)` of `VERSION = (5, 2, 19, "final", 0)` in Django's `__init__.py`.
fn django_version_in(source: &str) -> Option<(u32, u32)> {
    let line = source
        .lines()
        .find(|line| line.starts_with("VERSION = ("))?;
    let mut numbers = line["VERSION = (".len()..]
        .split(',')
        .map(|part| part.trim().trim_end_matches(')').parse::<u32>().ok());
    Some((numbers.next()??, numbers.next()??))
}

/// `lib/python3.*/site-packages` (and `lib64/`) on POSIX, `Lib/site-packages` on Windows.
fn site_packages(dir: &Path) -> Vec<PathBuf> {
    let mut candidates = Vec::new();
    for lib in ["lib", "lib64"] {
        let Ok(entries) = std::fs::read_dir(dir.join(lib)) else {
            continue;
        };
        let mut versions: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("python3"))
            .map(|entry| entry.path().join("site-packages"))
            .collect();
        versions.sort();
        candidates.extend(versions);
    }
    candidates.push(dir.join("Lib").join("site-packages"));
    // `lib64` is often a link to `lib`, and `Lib` is `lib` where case does not count.
    let mut seen = Vec::new();
    candidates
        .into_iter()
        .filter(|path| {
            let real = path.canonicalize().ok();
            let new = real.as_ref().is_some_and(|real| !seen.contains(real));
            seen.extend(real);
            new && path.is_dir()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::django_version_in;

    #[test]
    fn django_version_is_read_from_its_version_tuple() {
        let source =
            "from django.utils.version import get_version\n\nVERSION = (6, 1, 3, \"final\", 0)\n";
        assert_eq!(django_version_in(source), Some((6, 1)));
        assert_eq!(django_version_in("VERSION = (5, 2)\n"), Some((5, 2)));
        assert_eq!(django_version_in("VERSION = get()\n"), None);
        assert_eq!(django_version_in("__version__ = \"5.2\"\n"), None);
    }
}
