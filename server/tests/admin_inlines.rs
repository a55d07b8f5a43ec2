//! Django admin inlines (`analysis::flow::admin::inlines`): a registered `ModelAdmin`'s
//! inline shows each related row's `__str__` and read-only fields, reported at the
//! inline with a `get_queryset()` fix on it; nothing for the foreign key to the parent
//! (Django sets it from the parent), for editable fields, or where the page is decided
//! by code not read.

mod support;

use support::cli::{check_findings, check_json, ormhint};
use support::write_files as write;

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    body = models.TextField()

    def __str__(self):
        return f\"{self.body} by {self.author.name}\"


class Note(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
    text = models.TextField()

    def __str__(self):
        return self.text


class Revision(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    number = models.IntegerField()

    def __str__(self):
        return f\"{self.post.title} #{self.number}\"


class Link(models.Model):
    source = models.ForeignKey(Post, on_delete=models.CASCADE, related_name=\"links_out\")
    target = models.ForeignKey(Post, on_delete=models.CASCADE, related_name=\"links_in\")
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    def __str__(self):
        return self.author.name
";

/// Positives first, then negatives; each parent registered on a site of its own.
const ADMIN: &str = "\
from django.contrib import admin

from .models import Comment, Link, Note, Post, Revision

one = admin.AdminSite(name=\"one\")
two = admin.AdminSite(name=\"two\")


class CommentInline(admin.TabularInline):
    model = Comment


class NoteInline(admin.StackedInline):
    model = Note
    readonly_fields = (\"tags\", \"author_name\")

    def author_name(self, obj):
        return obj.author.name


class OutgoingInline(admin.TabularInline):
    model = Link
    fk_name = \"source\"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(\"target\")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    inlines = [CommentInline, NoteInline, OutgoingInline]


# --- negatives ---------------------------------------------------------------


class SelectedCommentInline(admin.TabularInline):
    model = Comment

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(\"author\")


class RevisionInline(admin.TabularInline):
    model = Revision
    readonly_fields = [\"post\"]


class EditableNoteInline(admin.TabularInline):
    model = Note
    fields = [\"text\", \"author\", \"author_id\"]
    readonly_fields = [\"author_id\"]


class AmbiguousLinkInline(admin.TabularInline):
    model = Link


class TemplatedCommentInline(admin.TabularInline):
    model = Comment
    template = \"admin/comments.html\"


class UnusedCommentInline(admin.TabularInline):
    model = Comment


class Chosen(admin.ModelAdmin):
    inlines = [CommentInline]

    def get_inlines(self, request, obj):
        return []


class Quiet(admin.ModelAdmin):
    inlines = [SelectedCommentInline, RevisionInline, EditableNoteInline, AmbiguousLinkInline, TemplatedCommentInline]


one.register(Post, Chosen)
two.register(Post, Quiet)
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
fn what_inline_rows_show_per_row_is_reported_on_the_inline() {
    let dir = project();
    let all = check_json(dir.path(), &["--no-cache"]);
    let found: Vec<String> = all
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["location"]["row"],
                f["location"]["column"],
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "9:7 ORM101 `CommentInline` (through `Comment.__str__`) loads the related object \
             `author` with one query per `Comment` row: the queryset does not \
             select_related(\"author\")",
            "15:24 ORM102 `\"tags\"` (through `NoteInline.readonly_fields`) loads the related \
             rows `tags` with one query per `Note` row: the queryset does not \
             prefetch_related(\"tags\")",
            "15:32 ORM101 `\"author_name\"` (through `NoteInline.author_name()`) loads the \
             related object `author` with one query per `Note` row: the queryset does not \
             select_related(\"author\")",
            "21:7 ORM101 `OutgoingInline` (through `Link.__str__`) loads the related object \
             `author` with one query per `Link` row: the queryset does not \
             select_related(\"author\")",
        ]
    );
    ormhint(dir.path(), &["check", "--fix", "--no-cache"]);
    let fixed = std::fs::read_to_string(dir.path().join("blog/admin.py")).unwrap();
    let expected = ADMIN
        .replace(
            "class CommentInline(admin.TabularInline):\n    model = Comment\n",
            "class CommentInline(admin.TabularInline):\n    model = Comment\n\n    \
             def get_queryset(self, request):\n        \
             return super().get_queryset(request).select_related(\"author\")\n",
        )
        .replace(
            "        return obj.author.name\n",
            "        return obj.author.name\n\n    \
             def get_queryset(self, request):\n        \
             return super().get_queryset(request).select_related(\"author\")\
             .prefetch_related(\"tags\")\n",
        )
        .replace(
            ".select_related(\"target\")\n",
            ".select_related(\"target\", \"author\")\n",
        );
    assert_eq!(fixed, expected);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        Vec::<String>::new()
    );
}

/// An inline that only the parent's changelist file names, or whose `readonly_fields`
/// is left out of `fields`, shows nothing that loads.
#[test]
fn read_only_fields_left_out_of_the_layout_are_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "\
from django.contrib import admin

from .models import Note, Post


class NoteInline(admin.TabularInline):
    model = Note
    fields = [\"text\"]
    readonly_fields = [\"tags\"]


class Base(admin.TabularInline):
    pass


class InheritedInline(Base):
    model = Note
    readonly_fields = [\"tags\"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    inlines = [NoteInline, InheritedInline]
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
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        Vec::<String>::new()
    );
}

#[test]
fn a_cached_check_sees_an_edit_of_an_inline() {
    let dir = tempfile::tempdir().unwrap();
    let admin = |readonly: &str| {
        format!(
            "\
from django.contrib import admin

from .models import Note, Post


class NoteInline(admin.TabularInline):
    model = Note
    readonly_fields = [{readonly}]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    inlines = [NoteInline]
"
        )
    };
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/admin.py", &admin("\"text\"")),
        ],
    );
    assert_eq!(check_findings(dir.path(), &[]), Vec::<String>::new());
    write(dir.path(), &[("blog/admin.py", &admin("\"author\""))]);
    assert_eq!(
        check_findings(dir.path(), &[]),
        ["blog/admin.py:8:24 ORM101"]
    );
}
