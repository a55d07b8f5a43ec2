//! Rows a view hands to a Jinja2 template (django-jinja's backend, `app_dirname`
//! `jinja2`, its default `match_extension` `.jinja`, before Django's engine): what the
//! template reads per row is reported on the view's queryset, as for Django's templates,
//! and nothing where the template calls no query, hands the row to code we do not read,
//! or is not the one Django's engine order picks.

mod support;

use support::cli::{check_findings, check_json, ormhint};
use support::{Client, uri_of, write_files as write};

const SETTINGS: &str = "\
INSTALLED_APPS = [\"blog\"]
TEMPLATES = [
    {
        \"BACKEND\": \"django_jinja.backend.Jinja2\",
        \"APP_DIRS\": True,
        \"OPTIONS\": {\"app_dirname\": \"jinja2\"},
    },
    {
        \"BACKEND\": \"django.template.backends.django.DjangoTemplates\",
        \"APP_DIRS\": True,
    },
]
";

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)


class Comment(models.Model):
    post = models.ForeignKey(Post, related_name=\"comments\", on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
";

const VIEWS: &str = "\
from django.shortcuts import render

from .models import Post


def post_list(request):
    posts = Post.objects.filter(title=\"a\")
    return render(request, \"blog/list.jinja\", {\"posts\": posts})


def with_macro(request):
    posts = Post.objects.filter(title=\"b\")
    return render(request, \"blog/macro.jinja\", {\"posts\": posts})


def selected(request):
    posts = Post.objects.select_related(\"author\").prefetch_related(\"comments__author\")
    return render(request, \"blog/list.jinja\", {\"posts\": posts})


def uncalled(request):
    return render(request, \"blog/uncalled.jinja\", {\"posts\": Post.objects.filter(title=\"c\")})


def filtered(request):
    return render(request, \"blog/filtered.jinja\", {\"posts\": Post.objects.filter(title=\"d\")})


def macro_missing(request):
    return render(request, \"blog/missing_macro.jinja\", {\"posts\": Post.objects.filter(title=\"e\")})


def same_name(request):
    return render(request, \"blog/same.jinja\", {\"posts\": Post.objects.filter(title=\"f\")})


def html_name(request):
    return render(request, \"blog/page.html\", {\"posts\": Post.objects.filter(title=\"g\")})
";

/// A loop reading a relation, and a nested loop over a relation called.
const LIST: &str = "\
<ul>
{%- for post in posts %}
  <li>{{ post.title }} by {{ post.author.name }}
  {%- for comment in post.comments.all() %}{{ comment.author.name }}{% endfor %}</li>
{%- endfor %}
</ul>
";

const MACRO: &str = "\
{% macro byline(p) %}{{ p.author.name }}{% endmacro %}
{% for post in posts %}{{ byline(post) }}{% endfor %}
";

/// `all` and `count` not called: the bound methods, printed, run no query; iterating one
/// is an error before any query.
const UNCALLED: &str = "\
{% for post in posts %}{{ post.comments.all }}{{ post.comments.count }}{% for c in post.comments.all %}{{ c.author.name }}{% endfor %}{% endfor %}
";

/// A project's filters given the row or its relation: what they do is unknown.
const FILTERED: &str = "\
{% for post in posts %}{{ post|card }}{{ post.author|initials }}{% endfor %}
";

const MISSING_MACRO: &str = "\
{% from \"blog/macros.jinja\" import byline %}
{% for post in posts %}{{ byline(post) }}{% endfor %}
";

const TITLES: &str = "{% for post in posts %}{{ post.title }}{% endfor %}\n";
const AUTHORS_DJANGO: &str = "{% for post in posts %}{{ post.author.name }}{% endfor %}\n";
const AUTHORS_JINJA: &str = "{% for post in posts %}{{ post.author.name }}{% endfor %}\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("mysite/__init__.py", ""),
            ("mysite/settings.py", SETTINGS),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/views.py", VIEWS),
            ("blog/jinja2/blog/list.jinja", LIST),
            ("blog/jinja2/blog/macro.jinja", MACRO),
            ("blog/jinja2/blog/uncalled.jinja", UNCALLED),
            ("blog/jinja2/blog/filtered.jinja", FILTERED),
            ("blog/jinja2/blog/missing_macro.jinja", MISSING_MACRO),
            // Both engines find it: django-jinja's, first, wins.
            ("blog/jinja2/blog/same.jinja", TITLES),
            ("blog/templates/blog/same.jinja", AUTHORS_DJANGO),
            // django-jinja takes `.jinja` names only: Django's engine renders this one.
            ("blog/jinja2/blog/page.html", AUTHORS_JINJA),
            ("blog/templates/blog/page.html", TITLES),
        ],
    );
    dir
}

#[test]
fn rows_a_jinja_template_reads_are_reported_on_the_view() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/views.py:8:57 ORM101",
            "blog/views.py:8:57 ORM102",
            "blog/views.py:13:58 ORM101",
        ]
    );
    let all = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(
        all[0]["message"],
        "`posts` (through `blog/list.jinja`) loads the related object `author` with one \
         query per `Post` row: the queryset does not select_related(\"author\")"
    );
    assert_eq!(
        all[1]["message"],
        "`posts` (through `blog/list.jinja`) loads the related rows `comments` with one \
         query per `Post` row: the queryset does not prefetch_related(\"comments\")"
    );
    let related: Vec<String> = all
        .iter()
        .map(|finding| {
            let read = &finding["related"][1];
            format!(
                "{}:{}:{}-{}",
                read["path"].as_str().unwrap(),
                read["location"]["row"],
                read["location"]["column"],
                read["end_location"]["column"]
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            "blog/jinja2/blog/list.jinja:3:30-46",
            "blog/jinja2/blog/list.jinja:4:22-41",
            "blog/jinja2/blog/macro.jinja:1:25-38",
        ]
    );
    // The nested loop's reads of each comment's author are in the fix.
    assert_eq!(
        all[1]["fix"]["message"],
        "Add `.select_related(\"author\")`, Add `.prefetch_related(\"comments__author\")`"
    );
    ormhint(dir.path(), &["check", "--fix", "--no-cache"]);
    let fixed = std::fs::read_to_string(dir.path().join("blog/views.py")).unwrap();
    assert_eq!(
        fixed.lines().nth(6),
        Some(
            "    posts = Post.objects.select_related(\"author\").prefetch_related(\"comments__author\").filter(title=\"a\")"
        )
    );
    assert_eq!(
        fixed.lines().nth(11),
        Some("    posts = Post.objects.select_related(\"author\").filter(title=\"b\")")
    );
    assert_eq!(check_findings(dir.path(), &["--no-cache"]), [""; 0]);
}

#[test]
fn the_engine_options_decide_which_templates_are_jinja() {
    let dir = project();
    // django-jinja takes `.html` names only: `blog/page.html` is its template now, and
    // `blog/same.jinja` Django's.
    let html = SETTINGS.replace(
        "{\"app_dirname\": \"jinja2\"}",
        "{\"app_dirname\": \"jinja2\", \"match_extension\": \".html\"}",
    );
    write(dir.path(), &[("mysite/settings.py", html.as_str())]);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["blog/views.py:34:57 ORM101", "blog/views.py:38:56 ORM101"]
    );
    // A `match_regex` we do not run: which engine takes each name is unknown.
    let regex = SETTINGS.replace(
        "{\"app_dirname\": \"jinja2\"}",
        "{\"app_dirname\": \"jinja2\", \"match_regex\": r\"^blog/\"}",
    );
    write(dir.path(), &[("mysite/settings.py", regex.as_str())]);
    assert_eq!(check_findings(dir.path(), &["--no-cache"]), [""; 0]);
    // Without `app_dirname`, django-jinja looks in the apps' `templates/`: the
    // `blog/same.jinja` there is its, read as Jinja2; the templates of `jinja2/` are
    // no engine's.
    let templates = SETTINGS.replace("{\"app_dirname\": \"jinja2\"}", "{}");
    write(dir.path(), &[("mysite/settings.py", templates.as_str())]);
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["blog/views.py:34:57 ORM101"]
    );
}

#[test]
fn an_open_jinja_template_shows_the_findings_of_the_views_that_render_it() {
    let dir = project();
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("blog/jinja2/blog/list.jinja"));
    client.open(&uri, LIST, 1);
    let shown = client.diagnostics_where(&uri, "the view's findings", |d| d.len() == 2);
    let summary: Vec<String> = shown
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(summary, ["2:29 ORM101", "3:21 ORM102"]);
    // Calling nothing, the template shows nothing.
    let uncalled = uri_of(&root.join("blog/jinja2/blog/uncalled.jinja"));
    client.open(&uncalled, UNCALLED, 1);
    assert_eq!(
        client.diagnostics(&uncalled, 1),
        Vec::<serde_json::Value>::new()
    );
    assert_eq!(client.shut_down().0, 0);
}
