//! ORM603 (`analysis::rules::bare_select_related`): `select_related()` with no
//! arguments and `list_select_related = True` are reported only where the project's
//! Django deprecates them (6.1 and later, or a version not known), and the unsafe fix
//! names what Django follows.

mod support;

use support::cli::{check_json, ormhint};
use support::write_files as write;

const MODELS: &str = "\
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=100)


class Author(models.Model):
    name = models.CharField(max_length=100)
    org = models.ForeignKey(Org, on_delete=models.CASCADE)


class Post(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name=\"+\")
";

const VIEWS: &str = "\
from .models import Post


def titles():
    return [p.title for p in Post.objects.select_related()]
";

const ADMIN: &str = "\
from django.contrib import admin

from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [\"title\"]
    list_select_related = True
";

const INSTALLED: &str = ".venv/lib/python3.12/site-packages/django/__init__.py";

/// A project with `extra` files; its ORM603 findings as `path:row:column fix`.
fn findings(extra: &[(&str, &str)]) -> Vec<String> {
    let dir = project(extra);
    check_json(dir.path(), &["--no-cache", "--select", "ORM603"])
        .iter()
        .map(|f| {
            let fix = f["fix"]["edits"][0]["content"].as_str().unwrap_or("-");
            format!(
                "{}:{}:{} {fix}",
                f["path"].as_str().unwrap(),
                f["location"]["row"],
                f["location"]["column"]
            )
        })
        .collect()
}

fn project(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![
        ("manage.py", ""),
        ("blog/__init__.py", ""),
        ("blog/models.py", MODELS),
        ("blog/views.py", VIEWS),
        ("blog/admin.py", ADMIN),
    ];
    files.extend_from_slice(extra);
    write(dir.path(), &files);
    dir
}

fn installed(version: &str) -> String {
    format!("VERSION = ({version}, \"final\", 0)\n")
}

const REPORTED: [&str; 2] = [
    "blog/admin.py:9:27 [\"author__org\"]",
    "blog/views.py:5:43 (\"author__org\")",
];

#[test]
fn reported_where_the_installed_django_deprecates_them() {
    assert_eq!(findings(&[(INSTALLED, &installed("6, 1, 3"))]), REPORTED);
    assert_eq!(findings(&[(INSTALLED, &installed("6, 2, 0"))]), REPORTED);
    assert_eq!(findings(&[(INSTALLED, &installed("7, 0, 0"))]), REPORTED);
}

#[test]
fn silent_where_the_installed_django_predates_the_deprecation() {
    assert_eq!(
        findings(&[(INSTALLED, &installed("5, 2, 19"))]),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(&[(INSTALLED, &installed("6, 0, 2"))]),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(&[(INSTALLED, &installed("4, 2, 0"))]),
        Vec::<String>::new()
    );
}

#[test]
fn a_declared_version_decides_when_none_is_installed() {
    let lock = |version: &str| format!("[[package]]\nname = \"django\"\nversion = \"{version}\"\n");
    assert_eq!(findings(&[("uv.lock", &lock("6.1.3"))]), REPORTED);
    assert_eq!(
        findings(&[("requirements.txt", "Django==6.1.3\n")]),
        REPORTED
    );
    assert_eq!(
        findings(&[("uv.lock", &lock("5.2.19"))]),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(&[("requirements.txt", "Django==5.2.19\n")]),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(&[("requirements.txt", "Django~=5.2.0\n")]),
        Vec::<String>::new()
    );
    // The installed package comes before the lock file.
    assert_eq!(
        findings(&[
            ("uv.lock", &lock("6.1.3")),
            (INSTALLED, &installed("5, 2, 19"))
        ]),
        Vec::<String>::new()
    );
}

/// No version known (none installed, no lock, a range): the newest, which deprecates.
#[test]
fn an_unknown_version_is_the_newest() {
    assert_eq!(findings(&[]), REPORTED);
    assert_eq!(findings(&[("requirements.txt", "Django>=5.2\n")]), REPORTED);
}

/// The fix is unsafe: `--fix` leaves the code, `--fix --unsafe-fixes` names the relations.
#[test]
fn only_unsafe_fixes_name_the_relations() {
    let dir = project(&[(INSTALLED, &installed("6, 1, 3"))]);
    let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap();
    ormhint(
        dir.path(),
        &["check", "--no-cache", "--fix", "--select", "ORM603"],
    );
    assert_eq!(read("blog/views.py"), VIEWS);
    assert_eq!(read("blog/admin.py"), ADMIN);
    ormhint(
        dir.path(),
        &[
            "check",
            "--no-cache",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "ORM603",
        ],
    );
    assert_eq!(
        read("blog/views.py"),
        VIEWS.replace("select_related()", "select_related(\"author__org\")")
    );
    assert_eq!(
        read("blog/admin.py"),
        ADMIN.replace("= True", "= [\"author__org\"]")
    );
}
