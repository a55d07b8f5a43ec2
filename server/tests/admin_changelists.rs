//! Django admin changelists (`analysis::flow::admin`): a registered `ModelAdmin`'s
//! `list_display` columns read per row what its queryset does not load, reported at the
//! column with a fix on the class; nothing where Django loads it on its own, in either
//! version's way, or where the changelist is decided by code not read.

mod support;

use support::cli::{check_findings, check_json, ormhint};
use support::write_files as write;

const MODELS: &str = "\
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=100)


class Author(models.Model):
    name = models.CharField(max_length=100)
    org = models.ForeignKey(Org, on_delete=models.CASCADE)


class Tag(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name=\"edited\")
    tags = models.ManyToManyField(Tag)

    def __str__(self):
        return self.title
";

/// Positives first, then negatives; each class registered on a site of its own, as a
/// project with several admin sites would.
const ADMIN: &str = "\
from django.contrib import admin

from .models import Post

one = admin.AdminSite(name=\"one\")
two = admin.AdminSite(name=\"two\")
three = admin.AdminSite(name=\"three\")


def org_name(obj):
    return obj.author.org.name


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author__name\", \"tag_names\"]

    def tag_names(self, obj):
        return \", \".join(t.name for t in obj.tags.all())


class EditorAdmin(admin.ModelAdmin):
    list_display = (\"title\", \"editor__name\")
    list_select_related = True


class NamedAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author\", \"editor_name\"]
    list_select_related = [\"author\"]

    @admin.display(description=\"Editor\")
    def editor_name(self, obj):
        return obj.editor.name if obj.editor else \"-\"


class SelectingAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"editor__name\", \"tag_count\"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(\"author\")

    def tag_count(self, obj):
        return obj.tags.count()


one.register(Post, EditorAdmin)
two.register(Post, NamedAdmin)
three.register(Post, SelectingAdmin)

# --- negatives ---------------------------------------------------------------
four = admin.AdminSite(name=\"four\")
five = admin.AdminSite(name=\"five\")
six = admin.AdminSite(name=\"six\")
seven = admin.AdminSite(name=\"seven\")
eight = admin.AdminSite(name=\"eight\")
nine = admin.AdminSite(name=\"nine\")
ten = admin.AdminSite(name=\"ten\")


class ListedAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author__name\"]
    list_select_related = [\"author\"]


class AllAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author\", org_name]
    list_select_related = True


class AutomaticAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author\"]


class IdAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author_id\"]


class FilterAdmin(admin.ModelAdmin):
    list_display = [\"title\"]
    list_filter = [\"author__name\"]
    search_fields = [\"author__name\", \"tags__name\"]


class UnregisteredAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author__name\"]


class OverrideAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author__name\"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(\"author\")


class VersionsAdmin(admin.ModelAdmin):
    # Django 6.0 selects every non-null chain (`author__org` too), 6.1 `editor` too.
    list_display = [\"title\", \"author\", \"editor\", org_name]


class ViewAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author__name\"]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)


class UrlsAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author__name\"]

    def get_urls(self):
        return []


class Base(admin.ModelAdmin):
    pass


class InheritingAdmin(Base):
    list_display = [\"title\", \"author__name\"]


four.register(Post, ListedAdmin)
five.register(Post, AllAdmin)
six.register(Post, AutomaticAdmin)
seven.register(Post, IdAdmin)
eight.register(Post, FilterAdmin)
nine.register(Post, OverrideAdmin)
ten.register(Post, VersionsAdmin)
admin.site.register(Post, ViewAdmin)
admin.site.register(Post, InheritingAdmin)
admin.site.register(Post, UrlsAdmin)
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/admin.py", ADMIN),
        ],
    );
    dir
}

#[test]
fn columns_reading_relations_per_row_are_reported_on_the_admin_class() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/admin.py:16:30 ORM101",
            "blog/admin.py:16:46 ORM102",
            "blog/admin.py:23:30 ORM101",
            "blog/admin.py:24:27 ORM603",
            "blog/admin.py:28:40 ORM101",
            "blog/admin.py:37:30 ORM101",
            "blog/admin.py:37:46 ORM102",
            "blog/admin.py:67:27 ORM603",
        ]
    );
    // ORM603 (`list_select_related = True` deprecated) has its own tests (deprecations.rs).
    let all = check_json(dir.path(), &["--no-cache", "--ignore", "ORM603"]);
    let messages: Vec<&str> = all.iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "`\"author__name\"` (through `PostAdmin.list_display`) loads the related object \
             `author` with one query per `Post` row: the queryset does not \
             select_related(\"author\")",
            "`\"tag_names\"` (through `PostAdmin.tag_names()`) loads the related rows `tags` \
             with one query per `Post` row: the queryset does not prefetch_related(\"tags\")",
            "`\"editor__name\"` (through `EditorAdmin.list_display`) loads the related object \
             `editor` with one query per `Post` row: the queryset does not \
             select_related(\"editor\")",
            "`\"editor_name\"` (through `NamedAdmin.editor_name()`) loads the related object \
             `editor` with one query per `Post` row: the queryset does not \
             select_related(\"editor\")",
            "`\"editor__name\"` (through `SelectingAdmin.list_display`) loads the related \
             object `editor` with one query per `Post` row: the queryset does not \
             select_related(\"editor\")",
            "`\"tag_count\"` (through `SelectingAdmin.tag_count()`) loads the related rows \
             `tags` with one query per `Post` row: the queryset does not \
             prefetch_related(\"tags\")",
        ]
    );
    ormhint(dir.path(), &["check", "--fix", "--no-cache"]);
    let fixed = std::fs::read_to_string(dir.path().join("blog/admin.py")).unwrap();
    let expected = ADMIN
        .replace(
            "    list_display = [\"title\", \"author__name\", \"tag_names\"]\n",
            "    list_display = [\"title\", \"author__name\", \"tag_names\"]\n    \
             list_select_related = [\"author\"]\n",
        )
        .replace(
            "        return \", \".join(t.name for t in obj.tags.all())\n",
            "        return \", \".join(t.name for t in obj.tags.all())\n\n    \
             def get_queryset(self, request):\n        \
             return super().get_queryset(request).prefetch_related(\"tags\")\n",
        )
        .replace(
            "    list_display = (\"title\", \"editor__name\")\n    list_select_related = True\n",
            "    list_display = (\"title\", \"editor__name\")\n    \
             list_select_related = [\"editor\"]\n",
        )
        .replace(
            "    list_select_related = [\"author\"]\n\n    @admin",
            "    list_select_related = [\"author\", \"editor\"]\n\n    @admin",
        )
        .replace(
            "super().get_queryset(request).select_related(\"author\")\n\n    def tag_count",
            "super().get_queryset(request).prefetch_related(\"tags\")\
             .select_related(\"author\", \"editor\")\n\n    def tag_count",
        );
    assert_eq!(fixed, expected);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache", "--ignore", "ORM603"]),
        Vec::<String>::new()
    );
}

#[test]
fn a_fix_replacing_the_automatic_selection_needs_every_column_seen() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "\
from django.contrib import admin

from .models import Post
from .helpers import shown


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author\", \"editor__name\", shown]
";
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/admin.py", admin),
        ],
    );
    let all = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["location"]["row"], 9);
    // `shown` may read what Django's `select_related()` loaded: a list naming only what
    // is seen could lose it.
    assert_eq!(all[0]["fix"], serde_json::Value::Null);
}

#[test]
fn a_cached_check_sees_an_edit_of_a_function_column_and_of_the_registration() {
    let dir = tempfile::tempdir().unwrap();
    let admin = |body: &str, site: &str| {
        format!(
            "\
from django.contrib import admin

from .models import Post


def shown(obj):
    return {body}


class PostAdmin(admin.ModelAdmin):
    list_display = [\"title\", shown]


{site}.register(Post, PostAdmin)
"
        )
    };
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/admin.py", &admin("obj.title", "admin.site")),
        ],
    );
    assert_eq!(check_findings(dir.path(), &[]), Vec::<String>::new());
    write(
        dir.path(),
        &[("blog/admin.py", &admin("obj.editor.name", "admin.site"))],
    );
    assert_eq!(
        check_findings(dir.path(), &[]),
        ["blog/admin.py:11:30 ORM101"]
    );
    // `elsewhere` is no admin site: the class is not registered.
    write(
        dir.path(),
        &[("blog/admin.py", &admin("obj.editor.name", "elsewhere"))],
    );
    assert_eq!(check_findings(dir.path(), &[]), Vec::<String>::new());
}

/// Django up to 6.0 selects every non-null chain when an entry names a foreign key,
/// 6.1 the entries' foreign keys: the installed version decides what is reported.
#[test]
fn the_installed_django_version_decides_the_automatic_selection() {
    let admin = "\
from django.contrib import admin

from .models import Post


def org_name(obj):
    return obj.author.org.name


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author\", \"editor\", org_name]
";
    let findings = |version: &str| {
        let dir = tempfile::tempdir().unwrap();
        let django = format!("VERSION = ({version}, \"final\", 0)\n");
        write(
            dir.path(),
            &[
                ("manage.py", ""),
                ("blog/__init__.py", ""),
                ("blog/models.py", MODELS),
                ("blog/admin.py", admin),
                (
                    ".venv/lib/python3.12/site-packages/django/__init__.py",
                    &django,
                ),
            ],
        );
        check_json(dir.path(), &["--no-cache"])
            .iter()
            .map(|f| {
                let fix = f["fix"]["edits"][0]["content"].as_str().unwrap_or("");
                let code = f["code"].as_str().unwrap();
                format!("{} {code} {}", f["location"]["column"], fix.trim())
            })
            .collect::<Vec<_>>()
    };
    // The nullable editor is not followed by `select_related()`.
    assert_eq!(
        findings("5, 2, 19"),
        ["40 ORM101 list_select_related = [\"author__org\", \"editor\"]"]
    );
    // `select_related("author", "editor")` leaves the author's org to a query per row.
    assert_eq!(
        findings("6, 1, 3"),
        ["50 ORM101 list_select_related = [\"author__org\", \"editor\"]"]
    );
}

/// Without an environment, the version the project's lock or requirements files name
/// decides; an installed Django comes first.
#[test]
fn a_declared_django_version_decides_when_none_is_installed() {
    let admin = "\
from django.contrib import admin

from .models import Post


def org_name(obj):
    return obj.author.org.name


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [\"title\", \"author\", \"editor\", org_name]
";
    let columns = |extra: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        let mut files = vec![
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/admin.py", admin),
        ];
        files.extend_from_slice(extra);
        write(dir.path(), &files);
        check_json(dir.path(), &["--no-cache"])
            .iter()
            .map(|f| f["location"]["column"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    let lock = "[[package]]\nname = \"django\"\nversion = \"6.1.3\"\n";
    let installed = ".venv/lib/python3.12/site-packages/django/__init__.py";
    // 5.2 selects the non-null chains: the nullable editor (column 40) is the finding.
    assert_eq!(columns(&[("requirements.txt", "Django==5.2.19\n")]), [40]);
    // 6.1 selects the named foreign keys: the author's org (column 50) is.
    assert_eq!(columns(&[("uv.lock", lock)]), [50]);
    assert_eq!(
        columns(&[
            ("uv.lock", lock),
            (installed, "VERSION = (5, 2, 19, \"final\", 0)\n")
        ]),
        [40]
    );
    // A range names no version: only what neither version loads (nothing here).
    assert_eq!(
        columns(&[("requirements.txt", "Django>=5.2\n")]),
        Vec::<u64>::new()
    );
}
