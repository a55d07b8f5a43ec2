//! Parameters without annotations take their model from the project's calls when
//! every call agrees (`analysis::flow::callers`): the queries a function starts on
//! such a parameter are its own, on the command line and in the language server.

mod support;

use serde_json::json;
use support::cli::{check_findings, check_json, ormhint};
use support::{Client, uri_of, write_files as write};

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)


class Comment(models.Model):
    post = models.ForeignKey(Post, related_name=\"comments\", on_delete=models.CASCADE)
    author = models.ForeignKey(Author, related_name=\"comments\", on_delete=models.CASCADE)
";

/// One function per case; each is called from `views.py` (or not) as its name says.
const SUMMARY: &str = "\
def register(function):
    return function


def commenters(post):
    return [comment.author.name for comment in post.comments.all()]


def has_comments(post):
    return post.comments.count() > 0


def called_in_tests_too(post):
    return post.comments.count() > 0


def prefetched_by_the_caller(post):
    return [comment.author.name for comment in post.comments.all()]


def two_models(obj):
    return obj.comments.count() > 0


def unknown_argument(post):
    return post.comments.count() > 0


def also_a_callback(post):
    return post.comments.count() > 0


def named_in_a_setting(post):
    return post.comments.count() > 0


@register
def decorated(post):
    return post.comments.count() > 0


def never_called(post):
    return post.comments.count() > 0


def imported_renamed(post):
    return post.comments.count() > 0


def star_imported(post):
    return post.comments.count() > 0
";

const VIEWS: &str = "\
from django.shortcuts import get_object_or_404

from blog import summary
from blog.models import Author, Post
from blog.summary import (
    also_a_callback,
    called_in_tests_too,
    commenters,
    decorated,
    has_comments,
    imported_renamed as renamed,
    named_in_a_setting,
    prefetched_by_the_caller,
    two_models,
    unknown_argument,
)


def detail(request, pk):
    post = get_object_or_404(Post, pk=pk)
    return [
        commenters(post),
        summary.has_comments(post),
        called_in_tests_too(post),
        named_in_a_setting(post),
        decorated(post),
        two_models(post),
        unknown_argument(request.GET.get(\"post\")),
        also_a_callback(post),
        renamed(post),
    ]


def listing(request):
    for post in Post.objects.select_related(\"author\"):
        print(has_comments(post))
    return list(map(also_a_callback, Post.objects.all()))


def prefetched(request, pk):
    post = Post.objects.prefetch_related(\"comments\").get(pk=pk)
    return prefetched_by_the_caller(post)


def by_author(request, pk):
    return two_models(Author.objects.get(pk=pk))
";

const STAR: &str = "\
from blog.models import Post
from blog.summary import *


def latest(request):
    return star_imported(Post.objects.first())
";

const SETTINGS: &str = "POST_HOOK = \"blog.summary.named_in_a_setting\"\n";

/// A test's call passes what no production code does.
const TEST: &str = "\
from blog.summary import called_in_tests_too


def test_it():
    assert called_in_tests_too(object())
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/summary.py", SUMMARY),
            ("blog/views.py", VIEWS),
            ("blog/star.py", STAR),
            ("blog/settings.py", SETTINGS),
            ("blog/tests/__init__.py", ""),
            ("blog/tests/test_summary.py", TEST),
        ],
    );
    dir
}

#[test]
fn parameters_take_the_model_every_call_gives_them() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/summary.py:6:13 ORM101",
            "blog/summary.py:10:12 ORM201",
            "blog/summary.py:14:12 ORM201",
            // The author selected is read by no one: the helper counts comments.
            "blog/views.py:35:45 ORM106",
            // Each row handed to a helper that counts its comments (not a parameter's
            // model: the caller's loop, through the helper).
            "blog/views.py:36:28 ORM102",
        ]
    );
    let all = check_json(dir.path(), &["--no-cache"]);
    // Nothing was prefetched by any caller: the query is the function's own, and so is
    // the fix.
    assert_eq!(
        all[1]["message"],
        "`post.comments.count() > 0` counts every row to test whether there is one: \
         `exists()` stops at the first"
    );
    ormhint(
        dir.path(),
        &["check", "--fix", "--no-cache", "blog/summary.py"],
    );
    let fixed = std::fs::read_to_string(dir.path().join("blog/summary.py")).unwrap();
    assert_eq!(
        fixed.lines().nth(5),
        Some(
            "    return [comment.author.name for comment in \
             post.comments.select_related(\"author\").all()]"
        )
    );
    assert_eq!(
        fixed.lines().nth(9),
        Some("    return post.comments.exists()")
    );
}

/// A new module calling the function with what we cannot read.
const ANOTHER_CALLER: &str = "\
from blog.summary import commenters


def elsewhere(thing):
    return commenters(thing)
";

#[test]
fn a_cached_check_sees_a_new_call() {
    let dir = project();
    assert_eq!(check_findings(dir.path(), &[]).len(), 5);
    // summary.py and views.py are unchanged, and so are the index's facts.
    write(dir.path(), &[("blog/other.py", ANOTHER_CALLER)]);
    assert_eq!(
        check_findings(dir.path(), &[]),
        [
            "blog/summary.py:10:12 ORM201",
            "blog/summary.py:14:12 ORM201",
            "blog/views.py:35:45 ORM106",
            "blog/views.py:36:28 ORM102",
        ]
    );
}

#[test]
fn the_language_server_sees_a_new_call_saved() {
    let dir = project();
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("blog/summary.py"));
    client.open(&uri, SUMMARY, 1);
    let diagnostics = client.diagnostics_where(&uri, "three findings", |d| d.len() == 3);
    let starts: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            (5, json!("ORM101")),
            (9, json!("ORM201")),
            (13, json!("ORM201"))
        ]
    );
    write(root, &[("blog/other.py", ANOTHER_CALLER)]);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&root.join("blog/other.py")), "type": 1}]}),
    );
    let diagnostics = client.diagnostics_where(&uri, "the ORM101 gone", |d| d.len() == 2);
    let lines: Vec<_> = diagnostics
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [9, 13]);
    assert_eq!(client.shut_down().0, 0);
}

/// A function and its only caller in one file.
const LOCAL: &str = "\
from blog.models import Post


def names(post):
    return [comment.author.name for comment in post.comments.all()]


def view(request, pk):
    return names(Post.objects.get(pk=pk))
";

#[test]
fn an_edit_of_a_caller_in_the_same_file_is_seen_at_once() {
    let dir = project();
    let root = dir.path();
    write(root, &[("blog/local.py", LOCAL)]);
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("blog/local.py"));
    client.open(&uri, LOCAL, 1);
    let diagnostics = client.diagnostics_where(&uri, "the ORM101", |d| d.len() == 1);
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 4, "character": 12})
    );
    // Only the caller changes: the function's cached facts must not be kept.
    let unknown = LOCAL.replace("names(Post.objects.get(pk=pk))", "names(request.post)");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": unknown}]}),
    );
    client.diagnostics_where(&uri, "no finding", |d| d.is_empty());
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": LOCAL}]}),
    );
    client.diagnostics_where(&uri, "the ORM101 again", |d| d.len() == 1);
    assert_eq!(client.shut_down().0, 0);
}
