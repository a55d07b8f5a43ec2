//! ORM103 across modules: a loop calling a helper of another module, a model method or
//! a property that runs a query is reported at the call, naming the query and pointing
//! at it; helpers whose query depends on what the caller passes, that keep what they
//! fetched, or that write, and model methods reading only the row's own relations (the
//! loop facts' business), are not.

mod support;

use support::cli::{check_findings, check_json};
use support::write_files as write;

const MODELS: &str = "\
from django.db import models
from django.utils.functional import cached_property


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    def latest_comment(self):
        return Comment.objects.filter(post_id=self.pk).order_by(\"-id\").first()

    @property
    def comment_total(self):
        return Comment.objects.filter(post=self).count()

    @cached_property
    def first_comment(self):
        return Comment.objects.filter(post=self).first()

    def comment_texts(self):
        return [c.text for c in self.comments.all()]


class Comment(models.Model):
    post = models.ForeignKey(Post, related_name=\"comments\", on_delete=models.CASCADE)
    text = models.TextField()
";

const HELPERS: &str = "\
from functools import lru_cache

from .models import Author


def author_named(name):
    return Author.objects.filter(name=name).first()


def author_from(name, authors=None):
    if authors is None:
        authors = {a.name: a for a in Author.objects.all()}
    return authors.get(name)


@lru_cache
def cached_author(name):
    return Author.objects.get(name=name)


def ensure_author(name):
    author = Author.objects.filter(name=name).first()
    if author is None:
        author = Author.objects.create(name=name)
    return author
";

const VIEWS: &str = "\
from .helpers import author_from, author_named, cached_author, ensure_author
from .models import Post


def per_post():
    for post in Post.objects.all():
        print(post.latest_comment(), post.comment_total)


def per_name(names):
    for name in names:
        print(author_named(name))


def negatives(names):
    for post in Post.objects.prefetch_related(\"comments\"):
        print(post.comment_texts())
        # Set beforehand, it costs nothing; assigned, the property is not read.
        print(post.first_comment)
        post.comment_total = 0
    for name in names:
        print(author_from(name, {}), cached_author(name), ensure_author(name))
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/helpers.py", HELPERS),
            ("blog/views.py", VIEWS),
        ],
    );
    dir
}

#[test]
fn calls_that_run_a_query_are_reported_at_the_call() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache", "--select", "ORM103,ORM102"]),
        [
            "blog/views.py:7:15 ORM103",
            "blog/views.py:7:38 ORM103",
            "blog/views.py:12:15 ORM103",
        ]
    );
}

#[test]
fn the_message_names_the_query_and_the_related_place_points_at_it() {
    let dir = project();
    let json = check_json(dir.path(), &["--no-cache", "--select", "ORM103"]);
    let helper = json
        .iter()
        .find(|f| f["location"]["row"] == 12)
        .expect("the helper's finding");
    assert_eq!(
        helper["message"],
        "`author_named()` runs a query (`Author.objects.filter(name=name).first()`) for each iteration of the loop over `names`: fetch them all in one query before the loop and look them up in a dict"
    );
    let related: Vec<(String, u64, u64)> = helper["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["location"]["row"].as_u64().unwrap(),
                r["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            ("blog/views.py".to_string(), 11, 17),
            ("blog/helpers.py".to_string(), 7, 12),
        ]
    );
    let method = json
        .iter()
        .find(|f| f["location"]["column"] == 15 && f["location"]["row"] == 7)
        .expect("the method's finding");
    assert_eq!(
        method["message"],
        "`post.latest_comment()` runs a query (`Comment.objects.filter(post_id=self.pk).order_by(\"-id\").first()`) for each iteration of the loop over `Post.objects.all()`: fetch them all in one query before the loop and look them up in a dict"
    );
    assert!(json.iter().all(|f| f["fix"].is_null()));
}
