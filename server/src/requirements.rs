//! The Django version a project declares, read from its lock or requirements files
//! when no environment says which one is installed: `uv.lock`, `poetry.lock`,
//! `Pipfile.lock`, then an exact pin (`Django==5.2.3`, or `~=5.2.0`) in
//! `requirements*.txt`, `requirements/*.txt` or `pyproject.toml`. A range
//! (`django>=5.2`) says no one version and is not read.

use std::path::Path;

/// Lock files first: they name the version resolved, where a pin may sit in a file no
/// install uses.
const LOCKS: [&str; 3] = ["uv.lock", "poetry.lock", "Pipfile.lock"];

/// `(major, minor)` of the Django the project at `root` declares.
pub fn declared_django_version(root: &Path) -> Option<(u32, u32)> {
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    for lock in LOCKS {
        if let Some(version) = read(&root.join(lock)).and_then(|text| locked_django(&text)) {
            return Some(version);
        }
    }
    let mut pin_files = vec![root.join("pyproject.toml")];
    for dir in [root.to_path_buf(), root.join("requirements")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.ends_with(".txt") && (dir != root || name.starts_with("requirements"))
            })
            .collect();
        names.sort();
        pin_files.extend(names);
    }
    pin_files
        .iter()
        .filter_map(|path| read(path))
        .find_map(|text| pinned_django(&text))
}

/// The version of the `django` package a lock file resolved: the `version` after
/// `name = "django"` (uv, poetry), or of the `"django"` entry (Pipfile.lock).
fn locked_django(text: &str) -> Option<(u32, u32)> {
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let lower = line.to_ascii_lowercase();
        let named = lower == "name = \"django\"" || lower.starts_with("\"django\": {");
        if !named {
            continue;
        }
        for line in lines.by_ref().take(8) {
            let value = line
                .strip_prefix("version = ")
                .or_else(|| line.strip_prefix("\"version\": "))
                .map(|v| v.trim_matches(|c| c == '"' || c == ',' || c == '='));
            if let Some(value) = value {
                return major_minor(value);
            }
        }
    }
    None
}

/// `Django==5.2.3`, `django[argon2]~=5.2.0` on a requirements line or in a
/// `pyproject.toml` string.
fn pinned_django(text: &str) -> Option<(u32, u32)> {
    text.lines().find_map(|line| {
        let line = line
            .split('#')
            .next()?
            .trim()
            .trim_matches(|c| c == '"' || c == '\'' || c == ',');
        line.get(..6)
            .filter(|name| name.eq_ignore_ascii_case("django"))?;
        let mut after = line[6..].trim_start();
        if let Some(extras) = after.strip_prefix('[') {
            after = extras.split_once(']')?.1.trim_start();
        }
        let version = after
            .strip_prefix("==")
            .or_else(|| after.strip_prefix("~="))?
            .trim();
        // `Django==5.2.3, <6` is no exact pin; `;` starts environment markers.
        let version = version.split(';').next()?.trim();
        if version.contains(',') || version.contains('*') {
            return None;
        }
        major_minor(version)
    })
}

fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::{locked_django, pinned_django};

    #[test]
    fn lock_files_name_the_resolved_version() {
        let uv = "[[package]]\nname = \"asgiref\"\nversion = \"3.8.1\"\n\n[[package]]\nname = \"django\"\nversion = \"5.2.3\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        assert_eq!(locked_django(uv), Some((5, 2)));
        let poetry = "[[package]]\nname = \"Django\"\nversion = \"6.1.0\"\ndescription = \"...\"\n";
        assert_eq!(locked_django(poetry), Some((6, 1)));
        let pipfile = "{\n  \"default\": {\n    \"django\": {\n      \"hashes\": [],\n      \"version\": \"==4.2.11\"\n    }\n  }\n}\n";
        assert_eq!(locked_django(pipfile), Some((4, 2)));
        assert_eq!(
            locked_django("[[package]]\nname = \"django-filter\"\nversion = \"24.1\"\n"),
            None
        );
    }

    #[test]
    fn only_an_exact_pin_names_a_version() {
        assert_eq!(pinned_django("Django==5.2.3\n"), Some((5, 2)));
        assert_eq!(
            pinned_django("django[argon2]~=6.1.0  # web\n"),
            Some((6, 1))
        );
        assert_eq!(
            pinned_django("dependencies = [\n  \"Django==5.1\",\n]\n"),
            Some((5, 1))
        );
        assert_eq!(pinned_django("Django>=5.2,<6\n"), None);
        assert_eq!(pinned_django("django-filter==24.1\n"), None);
        assert_eq!(pinned_django("Django==5.*\n"), None);
        assert_eq!(pinned_django("# Django==5.2\n"), None);
    }
}
