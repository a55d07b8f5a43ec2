//! A project checked from above the directory Django runs from: absolute imports resolve
//! from the source roots (the directory of `manage.py`, `src/`, the settings module's,
//! packages the project imports, or the `src` setting), on the command line and in the
//! language server.

mod support;

use serde_json::json;
use support::cli::{check_findings, ormhint};
use support::{Client, uri_of, write_files as write};

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
";

const VIEWS: &str = "\
from blog.models import Post


def titles():
    for post in Post.objects.all():
        print(post.author.name)
";

/// A repository whose Django project sits in `site/` (`site/manage.py`), with `blog`
/// imported as a top-level package.
fn repository(manage_py: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("pyproject.toml", "[project]\nname = \"site\"\n"),
            ("site/blog/__init__.py", ""),
            ("site/blog/models.py", MODELS),
            ("site/blog/views.py", VIEWS),
        ],
    );
    if manage_py {
        write(dir.path(), &[("site/manage.py", "")]);
    }
    dir
}

#[test]
fn imports_resolve_from_the_directory_of_manage_py() {
    let dir = repository(true);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["site/blog/views.py:6:15 ORM101"]
    );
    assert_eq!(
        check_findings(&dir.path().join("site"), &["--no-cache"]),
        ["blog/views.py:6:15 ORM101"]
    );
}

#[test]
fn imports_resolve_from_the_directory_of_an_imported_package() {
    // No manage.py: `from blog.models import ...` alone says `site/` is on the path.
    let dir = repository(false);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["site/blog/views.py:6:15 ORM101"]
    );
}

#[test]
fn the_src_setting_replaces_the_detected_roots() {
    let dir = repository(true);
    write(
        dir.path(),
        &[(
            "pyproject.toml",
            "[project]\nname = \"site\"\n\n[tool.ormhint]\nsrc = [\".\"]\n",
        )],
    );
    // Only the repository root: `blog` names no module, `Post` is unknown, nothing is said.
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        Vec::<String>::new()
    );
    write(
        dir.path(),
        &[(
            "pyproject.toml",
            "[project]\nname = \"site\"\n\n[tool.ormhint]\nsrc = [\"site\"]\n",
        )],
    );
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["site/blog/views.py:6:15 ORM101"]
    );
}

#[test]
fn a_src_setting_outside_the_project_is_a_config_error() {
    let dir = repository(true);
    write(
        dir.path(),
        &[("ormhint.toml", "src = [\"../elsewhere\"]\n")],
    );
    let run = ormhint(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "'src' in ormhint.toml must name directories inside the project, not \"../elsewhere\""
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_directory_that_is_a_package_is_no_root() {
    // `site/__init__.py` makes `site` a package: its modules are `site.blog.models`, and
    // `from blog.models import Post` resolves to nothing.
    let dir = repository(true);
    write(dir.path(), &[("site/__init__.py", "")]);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        Vec::<String>::new()
    );
}

#[test]
fn the_language_server_names_files_under_the_roots() {
    let dir = repository(true);
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("site/blog/views.py"));
    client.open(&uri, VIEWS, 1);
    let diagnostics = client.diagnostics_where(&uri, "the view's ORM101", |d| !d.is_empty());
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "ORM101");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 5, "character": 14})
    );
    assert_eq!(client.shut_down().0, 0);
}
