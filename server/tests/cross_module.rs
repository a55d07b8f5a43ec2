//! Querysets built by a function of another module of the project (`from
//! blog.queries import recent_posts`) and read where it is called: the function's body
//! is walked with the call's arguments bound, on the command line and in the language
//! server; a cached result holds only while the module read is unchanged.

mod support;

use serde_json::json;
use support::cli::{check_findings, check_json, findings, ormhint};
use support::{Client, uri_of, write_files as write};

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
";

const QUERIES: &str = "\
from blog.models import Post
from .helpers import published


def recent_posts():
    return Post.objects.order_by(\"-id\")


def posts_with_authors():
    return Post.objects.select_related(\"author\")


def mine(user, with_authors=False):
    qs = Post.objects.filter(author__name=user)
    if with_authors:
        qs = qs.select_related(\"author\")
    return qs


def streamed():
    yield from Post.objects.all()


class Feed:
    def posts(self):
        return Post.objects.all()
";

const HELPERS: &str = "\
def published(qs):
    return qs.filter(title__startswith=\"x\")
";

/// `blog/__init__.py` re-exports one function.
const INIT: &str = "from .queries import recent_posts as latest\n";

const VIEWS: &str = "\
import blog
from blog import queries
from blog.models import Post
from blog.queries import Feed, mine, posts_with_authors, published, recent_posts, streamed
from blog.missing import gone


def imported_by_name():
    for post in recent_posts():
        print(post.author.name)


def through_the_module():
    for post in queries.recent_posts():
        print(post.author.name)


def given_a_queryset():
    for post in published(Post.objects.all()):
        print(post.author.name)


def default_argument(user):
    for post in mine(user):
        print(post.author.name)


def re_exported():
    for post in blog.latest():
        print(post.author.name)


def selected_there():
    for post in posts_with_authors():
        print(post.author.name)


def argument_selects(user):
    for post in mine(user, with_authors=True):
        print(post.author.name)


def generator():
    for post in streamed():
        print(post.author.name)


def class_not_function():
    for post in Feed():
        print(post.author.name)


def module_we_do_not_have():
    for post in gone():
        print(post.author.name)


def shadowed(recent_posts):
    for post in recent_posts():
        print(post.author.name)


def given_selected_rows():
    for post in published(Post.objects.select_related(\"author\")):
        print(post.author.name)
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", INIT),
            ("blog/models.py", MODELS),
            ("blog/queries.py", QUERIES),
            ("blog/helpers.py", HELPERS),
            ("blog/views.py", VIEWS),
        ],
    );
    dir
}

#[test]
fn querysets_returned_by_other_modules_are_followed() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/views.py:10:15 ORM101",
            "blog/views.py:15:15 ORM101",
            "blog/views.py:20:15 ORM101",
            "blog/views.py:25:15 ORM101",
            "blog/views.py:30:15 ORM101",
        ]
    );
}

#[test]
fn the_finding_names_the_relation_and_offers_no_fix_in_another_file() {
    let dir = project();
    let all = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(
        all[0]["message"],
        "`post.author` loads the related object `author` with one query per `Post` row: \
         the queryset does not select_related(\"author\")"
    );
    assert_eq!(
        all[0].get("fix"),
        Some(&serde_json::Value::Null),
        "{}",
        all[0]
    );
    // It points where the rows are built, in the other file.
    assert_eq!(
        all[0]["related"],
        json!([{
            "path": "blog/queries.py",
            "location": {"row": 6, "column": 12},
            "end_location": {"row": 6, "column": 24},
            "message": "rows of `Post` fetched here",
        }])
    );
    // A queryset passed in and given back is pointed at nowhere: its places were not
    // taken along.
    assert_eq!(all[2]["related"], json!([]), "{}", all[2]);
    // The same loop over a queryset written here has the fix.
    let local = QUERIES.replace("from blog.models import Post", "from blog.models import Post\n\n\ndef local():\n    for post in Post.objects.order_by(\"-id\"):\n        print(post.author.name)");
    write(dir.path(), &[("blog/queries.py", &local)]);
    let run = ormhint(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--no-cache",
            "blog/queries.py",
        ],
    );
    let all: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        all[0]["message"],
        "`post.author` loads the related object `author` with one query per `Post` row: \
         the queryset does not select_related(\"author\")"
    );
    assert!(all[0]["fix"].is_object(), "{}", all[0]);
}

#[test]
fn a_cached_check_sees_an_edit_of_the_module_it_read() {
    let dir = project();
    assert_eq!(check_findings(dir.path(), &[]).len(), 5);
    // Only queries.py changes: views.py's text and the index's facts stay the same.
    write(
        dir.path(),
        &[(
            "blog/queries.py",
            &QUERIES.replace(
                "Post.objects.order_by(\"-id\")",
                "Post.objects.select_related(\"author\")",
            ),
        )],
    );
    assert_eq!(
        check_findings(dir.path(), &[]),
        ["blog/views.py:20:15 ORM101", "blog/views.py:25:15 ORM101",]
    );
}

#[test]
fn the_language_server_follows_calls_into_other_modules() {
    let dir = project();
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("blog/views.py"));
    client.open(&uri, VIEWS, 1);
    let diagnostics = client.diagnostics_where(&uri, "the view's ORM101s", |d| d.len() == 5);
    let lines: Vec<_> = diagnostics
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [9, 14, 19, 24, 29]);
    let related = &diagnostics[0]["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        json!(uri_of(&root.join("blog/queries.py")))
    );
    assert_eq!(
        related["location"]["range"],
        json!({"start": {"line": 5, "character": 11}, "end": {"line": 5, "character": 23}})
    );
    // queries.py saved with recent_posts() selecting the author: the open view is
    // checked again, and the three loops over its rows are fine now.
    let selecting = QUERIES.replace(
        "Post.objects.order_by(\"-id\")",
        "Post.objects.select_related(\"author\")",
    );
    write(root, &[("blog/queries.py", &selecting)]);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&root.join("blog/queries.py")), "type": 2}]}),
    );
    let diagnostics = client.diagnostics_where(&uri, "two ORM101s left", |d| d.len() == 2);
    let lines: Vec<_> = diagnostics
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [19, 24]);
    assert_eq!(client.shut_down().0, 0);
}

const SHOP_MODELS: &str = "\
from django.db import models
from django.utils.functional import cached_property


class Product(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    number = models.CharField(max_length=100)

    def get_lines(self):
        return self.lines.all()

    def get_lines_with_products(self):
        return self.lines.select_related(\"product\")

    @property
    def paid_lines(self):
        return self.lines.filter(paid=True)

    @cached_property
    def cached_lines(self):
        return list(self.lines.all())

    @staticmethod
    def lines_of(order):
        return order.lines.all()

    def first_line(self):
        return self.lines.first()


class Line(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name=\"lines\")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    paid = models.BooleanField(default=False)
";

const SHOP_VIEWS: &str = "\
from shop.models import Order


def method(pk):
    order = Order.objects.get(pk=pk)
    for line in order.get_lines():
        print(line.product.name)


def property_(pk):
    order = Order.objects.get(pk=pk)
    for line in order.paid_lines:
        print(line.product.name)


def cached_property_(pk):
    order = Order.objects.get(pk=pk)
    for line in order.cached_lines:
        print(line.product.name)


def selected_in_the_method(pk):
    order = Order.objects.get(pk=pk)
    for line in order.get_lines_with_products():
        print(line.product.name)


def prefetched_by_the_caller(pk):
    order = Order.objects.prefetch_related(\"lines__product\").get(pk=pk)
    for line in order.get_lines():
        print(line.product.name)


def static_method(pk):
    order = Order.objects.get(pk=pk)
    for line in order.lines_of(order):
        print(line.product.name)


def one_row(pk):
    order = Order.objects.get(pk=pk)
    line = order.first_line()
    print(line.product.name)
";

#[test]
fn querysets_returned_by_model_methods_and_properties_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("shop/__init__.py", ""),
            ("shop/models.py", SHOP_MODELS),
            ("shop/views.py", SHOP_VIEWS),
        ],
    );
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "shop/views.py:7:15 ORM101",
            "shop/views.py:13:15 ORM101",
            "shop/views.py:19:15 ORM101",
        ]
    );
}

const MIXINS: &str = "\
from blog.models import Post


class RecentMixin:
    def get_rows(self):
        return Post.objects.order_by(\"-id\")

    def get_selected_rows(self):
        return Post.objects.select_related(\"author\")

    def get_queryset(self):
        return Post.objects.filter(title__startswith=\"a\")


class SelectingMixin(RecentMixin):
    def get_rows(self):
        return Post.objects.select_related(\"author\")
";

const CLASS_VIEWS: &str = "\
from django.views.generic import ListView

from blog.mixins import RecentMixin, SelectingMixin
from blog.models import Post
from elsewhere import Unread


class Titles(RecentMixin, ListView):
    def render_titles(self):
        for post in self.get_rows():
            print(post.author.name)

    def get_context_data(self, **kwargs):
        for post in self.get_queryset():
            print(post.author.name)
        return super().get_context_data(**kwargs)

    def render_selected(self):
        for post in self.get_selected_rows():
            print(post.author.name)


# ListView comes before the mixin in Python's lookup order, and a project base defines
# get_queryset(): which one runs is not worked out through Django's classes, so nothing
# is said.
class DjangoFirst(ListView, RecentMixin):
    model = Post

    def get_context_data(self, **kwargs):
        for post in self.get_queryset():
            print(post.author.name)
        return super().get_context_data(**kwargs)


class Overridden(SelectingMixin, ListView):
    def render_titles(self):
        for post in self.get_rows():
            print(post.author.name)


class UnreadFirst(Unread, RecentMixin):
    def render_titles(self):
        for post in self.get_rows():
            print(post.author.name)
";

#[test]
fn methods_inherited_from_a_mixin_of_another_module_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/mixins.py", MIXINS),
            ("blog/class_views.py", CLASS_VIEWS),
        ],
    );
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/class_views.py:11:19 ORM101",
            "blog/class_views.py:15:19 ORM101",
        ]
    );
}

const CARDS: &str = "\
def render_card(post):
    return f\"{post.title} by {post.author.name}\"


def render_with(post, fmt):
    return fmt(post)


def render_many(posts):
    return [render_card(post) for post in posts]


def render_own():
    from blog.models import Post

    return [post.author.name for post in Post.objects.all()]


def render_line(post, with_author=False):
    if not with_author:
        return post.title
    return post.author.name
";

const LISTING: &str = "\
from blog.cards import render_card, render_line, render_many, render_own, render_with
from blog.models import Post


def cards():
    for post in Post.objects.all():
        print(render_card(post))


def cards_selected():
    for post in Post.objects.select_related(\"author\"):
        print(render_card(post))


def passed_on():
    for post in Post.objects.all():
        print(render_with(post, str))


def rows_passed():
    print(render_many(Post.objects.all()))


def lines():
    for post in Post.objects.all():
        print(render_line(post))


def lines_with_authors():
    for post in Post.objects.all():
        print(render_line(post, with_author=True))


def selected_rows_passed():
    print(render_many(Post.objects.select_related(\"author\")))


def own_rows():
    print(render_own())
";

#[test]
fn rows_given_to_a_helper_of_another_module_are_read_there() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/cards.py", CARDS),
            ("blog/listing.py", LISTING),
        ],
    );
    let run = ormhint(
        dir.path(),
        &["check", "--output-format", "json", "--no-cache"],
    );
    let all: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let all = &all[1..];
    assert_eq!(
        findings(&run.stdout),
        [
            // Its own loop, reported in its own module.
            "blog/cards.py:16:13 ORM101",
            "blog/listing.py:7:27 ORM101",
            "blog/listing.py:21:23 ORM101",
            "blog/listing.py:31:27 ORM101",
        ]
    );
    assert_eq!(
        all[0]["message"],
        "`post` (through `render_card()`) loads the related object `author` with one query \
         per `Post` row: the queryset does not select_related(\"author\")"
    );
    assert_eq!(
        all[1]["message"],
        "`Post.objects.all()` (through `render_many()`) loads the related object `author` \
         with one query per `Post` row: the queryset does not select_related(\"author\")"
    );
    // The fix is in this file, on the queryset the loop iterates.
    assert_eq!(
        all[0]["fix"]["edits"][0]["content"],
        ".select_related(\"author\")"
    );
    assert_eq!(
        all[0]["fix"]["edits"][0]["location"],
        json!({"row": 6, "column": 29})
    );
}

const SAVING: &str = "\
from django.db import models


class Series(models.Model):
    name = models.CharField(max_length=50)


class Entry(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name=\"entries\")
    position = models.IntegerField()

    def save(self, *args, **kwargs):
        if self.pk is None:
            self.position = self.series.entries.count()
        super().save(*args, **kwargs)

    def label_when_new(self):
        if self._state.adding:
            return self.series.name
        return \"\"

    def label_when_saved(self):
        if self.pk:
            return self.series.name
        return \"\"


def saved_again():
    for entry in Entry.objects.all():
        entry.save()


def labelled_when_new():
    for entry in Entry.objects.all():
        entry.label_when_new()


def labelled_when_saved():
    for entry in Entry.objects.all():
        entry.label_when_saved()
";

#[test]
fn what_a_method_reads_only_for_a_new_object_is_not_a_fetched_rows_concern() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("app/__init__.py", ""),
            ("app/models.py", SAVING),
        ],
    );
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["app/models.py:40:9 ORM101"]
    );
}
