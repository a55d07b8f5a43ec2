//! Rows a view hands to a Django template (`analysis::flow::rendered`): the template's
//! `{% for %}` over them reads relations per row, reported on the view's queryset with
//! its fix, and nothing when the template cannot be read whole.

mod support;

use serde_json::json;
use support::cli::{check_findings, check_json, ormhint};
use support::{Client, codes, uri_of, write_files as write};

const SETTINGS: &str = "\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTALLED_APPS = [\"blog\"]
TEMPLATES = [
    {
        \"BACKEND\": \"django.template.backends.django.DjangoTemplates\",
        \"DIRS\": [],
        \"APP_DIRS\": True,
    }
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
    text = models.TextField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
";

const LIST: &str = "\
<ul>
{% for post in posts %}
  <li>{{ post.title }} by {{ post.author.name }} ({{ post.comments.count }})</li>
{% endfor %}
</ul>
";

const TITLES: &str = "{% for post in posts %}{{ post.title }}{% endfor %}\n";

/// Includes a template that does not exist: what it would read is unknown.
const PARTIAL: &str = "\
{% for post in posts %}{{ post.author.name }}{% include \"blog/missing.html\" %}{% endfor %}
";

const VIEWS: &str = "\
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from .models import Post


def post_list(request):
    posts = Post.objects.all()
    return render(request, \"blog/list.html\", {\"posts\": posts})


def to_string():
    return render_to_string(\"blog/list.html\", {\"posts\": Post.objects.filter(title=\"x\")})


def selected(request):
    posts = Post.objects.select_related(\"author\").prefetch_related(\"comments\")
    return render(request, \"blog/list.html\", {\"posts\": posts})


def titles(request):
    return render(request, \"blog/titles.html\", {\"posts\": Post.objects.all()})


def partial(request):
    return render(request, \"blog/partial.html\", {\"posts\": Post.objects.all()})


def context_built_apart(request):
    context = {\"posts\": Post.objects.all()}
    return render(request, \"blog/list.html\", context)


def dicts(request):
    return render(request, \"blog/list.html\", {\"posts\": Post.objects.values(\"title\")})


def unknown_template(request, name):
    return render(request, name, {\"posts\": Post.objects.all()})


def stored_later(request):
    context = {\"title\": \"Posts\"}
    context[\"posts\"] = Post.objects.filter(title=\"y\")
    return render(request, \"blog/list.html\", context)


def updated(request):
    context = {}
    context.update(posts=Post.objects.exclude(title=\"z\"))
    return render(request, \"blog/list.html\", context)


def overwritten(request):
    context = {\"posts\": Post.objects.all()}
    context[\"posts\"] = Post.objects.select_related(\"author\").prefetch_related(\"comments\")
    return render(request, \"blog/list.html\", context)


def handed_on(request):
    context = {\"posts\": Post.objects.all()}
    add_defaults(context)
    return render(request, \"blog/list.html\", context)


def spread(request, base):
    context = {**base}
    return render(request, \"blog/list.html\", context)


def either(request, other):
    context = {\"posts\": Post.objects.all()} if other is None else other
    return render(request, \"blog/list.html\", context)


def nested(request):
    posts = Post.objects.prefetch_related(\"comments\")
    return render(request, \"blog/with_comments.html\", {\"posts\": posts})


def nested_prefetched(request):
    posts = Post.objects.prefetch_related(\"comments__author\")
    return render(request, \"blog/with_comments.html\", {\"posts\": posts})


def one_post(request, pk):
    post = get_object_or_404(Post.objects.all(), pk=pk)
    return render(request, \"blog/post_detail.html\", {\"object\": post})


def one_post_read_once(request, pk):
    post = get_object_or_404(Post.objects.all(), pk=pk)
    return render(request, \"blog/post_single.html\", {\"object\": post})
";

/// Django's `ListView`s: the default template, `template_name`, `context_object_name`,
/// `paginate_by`, `get_context_data`.
const LIST_VIEWS: &str = r#"from django.views.generic import DetailView, ListView, TemplateView

from .mixins import ContextMixin
from .models import Post

TEMPLATE = "blog/list.html"


class PostList(ListView):
    model = Post


class Recent(ListView):
    queryset = Post.objects.filter(title="x")
    template_name = "blog/list.html"
    context_object_name = "posts"


class Paged(ListView):
    paginate_by = 10
    template_name = "blog/paged.html"

    def get_queryset(self):
        return Post.objects.exclude(title="x")


class Latest(ListView):
    model = Post
    template_name = "blog/latest.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = Post.objects.order_by("-id")
        return context


class Selected(ListView):
    queryset = Post.objects.select_related("author").prefetch_related("comments")
    template_name = "blog/list.html"
    context_object_name = "posts"


class ChosenTemplate(ListView):
    model = Post

    def get_template_names(self):
        return ["blog/titles.html"]


class NamedByAVariable(ListView):
    model = Post
    template_name = TEMPLATE
    context_object_name = "posts"


class MixedIn(ContextMixin, ListView):
    model = Post


class NotAList(TemplateView):
    model = Post
    template_name = "blog/post_list.html"


class ContextElsewhere(ListView):
    model = Post
    template_name = "blog/latest.html"

    def get_context_data(self, **kwargs):
        return add_latest(super().get_context_data(**kwargs))


class PostDetail(DetailView):
    model = Post


class PostDetailOfAQueryset(DetailView):
    queryset = Post.objects.filter(title="x")


class PostDetailPrefetched(DetailView):
    queryset = Post.objects.prefetch_related("comments__author")


class PostDetailOwnObject(DetailView):
    model = Post

    def get_object(self):
        return Post.objects.prefetch_related("comments__author").get(pk=1)
"#;

const MIXINS: &str = "\
class ContextMixin:
    def get_context_data(self, **kwargs):
        return {\"post_list\": []}
";

const POST_LIST: &str = "{% for post in post_list %}{{ post.author.name }}{% endfor %}\n";
const PAGED: &str = "{% for post in page_obj %}{{ post.author.name }}{% endfor %}\n";
const WITH_COMMENTS: &str = "\
{% for post in posts %}{{ post.title }}\
{% for comment in post.comments.all %}{{ comment.author.name }}{% endfor %}{% endfor %}
";
const POST_DETAIL: &str = "\
{{ object.title }}{% for comment in object.comments.all %}{{ comment.author.name }}{% endfor %}
";
const POST_SINGLE: &str = "{{ object.author.name }}\n";
const LATEST: &str = "{% for post in latest %}{{ post.author.name }}{% endfor %}\n";

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
            ("blog/templates/blog/list.html", LIST),
            ("blog/templates/blog/titles.html", TITLES),
            ("blog/templates/blog/partial.html", PARTIAL),
            ("blog/list_views.py", LIST_VIEWS),
            ("blog/mixins.py", MIXINS),
            ("blog/templates/blog/post_list.html", POST_LIST),
            ("blog/templates/blog/paged.html", PAGED),
            ("blog/templates/blog/latest.html", LATEST),
            ("blog/templates/blog/with_comments.html", WITH_COMMENTS),
            ("blog/templates/blog/post_detail.html", POST_DETAIL),
            ("blog/templates/blog/post_single.html", POST_SINGLE),
        ],
    );
    dir
}

#[test]
fn rows_a_template_reads_per_row_are_reported_on_the_view() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/list_views.py:9:7 ORM101",
            "blog/list_views.py:14:16 ORM101",
            "blog/list_views.py:14:16 ORM102",
            "blog/list_views.py:23:9 ORM101",
            "blog/list_views.py:33:29 ORM101",
            "blog/list_views.py:73:7 ORM101",
            "blog/list_views.py:78:16 ORM101",
            "blog/views.py:9:56 ORM101",
            "blog/views.py:9:56 ORM102",
            "blog/views.py:13:57 ORM101",
            "blog/views.py:13:57 ORM102",
            "blog/views.py:30:25 ORM101",
            "blog/views.py:30:25 ORM102",
            "blog/views.py:44:24 ORM101",
            "blog/views.py:44:24 ORM102",
            "blog/views.py:50:26 ORM101",
            "blog/views.py:50:26 ORM102",
            "blog/views.py:78:65 ORM101",
            "blog/views.py:88:64 ORM101",
        ]
    );
    let all = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(
        all[0]["message"],
        "`PostList` (through `blog/post_list.html`) loads the related object `author` with one \
         query per `Post` row: the queryset does not select_related(\"author\")"
    );
    // Rows of the model's manager: no queryset is written to extend.
    assert_eq!(all[0]["fix"], serde_json::Value::Null);
    assert_eq!(
        all[5]["message"],
        "`PostDetail` (through `blog/post_detail.html`) loads the related object \
         `comments__author` with one query per `Comment` row: the queryset does not \
         prefetch_related(\"comments__author\")"
    );
    let all = &all[7..];
    assert_eq!(
        all[0]["message"],
        "`posts` (through `blog/list.html`) loads the related object `author` with one \
         query per `Post` row: the queryset does not select_related(\"author\")"
    );
    let related: Vec<String> = all[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{} {}",
                r["path"].as_str().unwrap(),
                r["location"]["row"],
                r["location"]["column"],
                r["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            "blog/views.py:8:13 rows of `Post` fetched here",
            "blog/templates/blog/list.html:3:30 `author` read here for each row",
        ]
    );
    assert_eq!(
        all[1]["message"],
        "`posts` (through `blog/list.html`) loads the related rows `comments` with one \
         query per `Post` row: the queryset does not prefetch_related(\"comments\")"
    );
    ormhint(dir.path(), &["check", "--fix", "--no-cache"]);
    let fixed = std::fs::read_to_string(dir.path().join("blog/views.py")).unwrap();
    assert_eq!(
        fixed.lines().nth(7),
        Some(
            "    posts = Post.objects.select_related(\"author\").prefetch_related(\"comments\").all()"
        )
    );
    assert_eq!(
        fixed.lines().nth(43),
        Some(
            "    context[\"posts\"] = Post.objects.select_related(\"author\").prefetch_related(\"comments\").filter(title=\"y\")"
        )
    );
    assert_eq!(
        fixed.lines().nth(49),
        Some(
            "    context.update(posts=Post.objects.select_related(\"author\").prefetch_related(\"comments\").exclude(title=\"z\"))"
        )
    );
    let fixed = std::fs::read_to_string(dir.path().join("blog/list_views.py")).unwrap();
    assert_eq!(
        fixed.lines().nth(23),
        Some("        return Post.objects.select_related(\"author\").exclude(title=\"x\")")
    );
    assert_eq!(
        fixed.lines().nth(32),
        Some(
            "        context[\"latest\"] = Post.objects.select_related(\"author\").order_by(\"-id\")"
        )
    );
    assert_eq!(
        fixed.lines().nth(77),
        Some(
            "    queryset = Post.objects.prefetch_related(\"comments__author\").filter(title=\"x\")"
        )
    );
    let views = std::fs::read_to_string(dir.path().join("blog/views.py")).unwrap();
    assert_eq!(
        views.lines().nth(76),
        Some("    posts = Post.objects.prefetch_related(\"comments\", \"comments__author\")")
    );
    assert_eq!(
        views.lines().nth(86),
        Some(
            "    post = get_object_or_404(Post.objects.prefetch_related(\"comments__author\").all(), pk=pk)"
        )
    );
    // Views of the model's manager: no queryset is written to extend.
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/list_views.py:9:7 ORM101",
            "blog/list_views.py:73:7 ORM101"
        ]
    );
}

#[test]
fn a_cached_check_sees_an_edit_of_the_template() {
    let dir = project();
    assert_eq!(check_findings(dir.path(), &[]).len(), 19);
    // Only the template changes: no Python file, no fact of the index.
    write(dir.path(), &[("blog/templates/blog/list.html", TITLES)]);
    assert_eq!(
        check_findings(dir.path(), &[]),
        [
            "blog/list_views.py:9:7 ORM101",
            "blog/list_views.py:23:9 ORM101",
            "blog/list_views.py:33:29 ORM101",
            "blog/list_views.py:73:7 ORM101",
            "blog/list_views.py:78:16 ORM101",
            "blog/views.py:78:65 ORM101",
            "blog/views.py:88:64 ORM101",
        ]
    );
}

#[test]
fn the_language_server_checks_a_view_again_when_its_template_changes() {
    let dir = project();
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("blog/views.py"));
    client.open(&uri, VIEWS, 1);
    let first = client.diagnostics_where(&uri, "the view's findings", |d| d.len() == 12);
    let template = root.join("blog/templates/blog/list.html");
    assert_eq!(
        first[0]["relatedInformation"][1],
        json!({
            "location": {
                "uri": uri_of(&template),
                "range": {
                    "start": {"line": 2, "character": 29},
                    "end": {"line": 2, "character": 45},
                },
            },
            "message": "`author` read here for each row",
        })
    );
    // Saved with only the titles: no relation is read any more.
    write(root, &[("blog/templates/blog/list.html", TITLES)]);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&template), "type": 2}]}),
    );
    let after = client.diagnostics_where(&uri, "the nested loops' findings", |d| d.len() == 2);
    assert_eq!(codes(&after), ["ORM101", "ORM101"]);
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn an_open_template_shows_the_findings_of_the_views_that_render_it() {
    let dir = project();
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let template = root.join("blog/templates/blog/list.html");
    let uri = uri_of(&template);
    client.open(&uri, LIST, 1);
    let shown = client.diagnostics_where(&uri, "the views' findings", |d| d.len() == 12);
    // On the template line that reads the relation, one per finding of each view.
    let summary: Vec<String> = shown
        .iter()
        .map(|d| {
            let view = d["relatedInformation"][0]["location"]["uri"]
                .as_str()
                .unwrap();
            format!(
                "{}:{} {} {}",
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["code"].as_str().unwrap(),
                view.rsplit('/').next().unwrap()
            )
        })
        .collect();
    let mut expected = vec!["2:29 ORM101 list_views.py", "2:53 ORM102 list_views.py"];
    for _ in 0..5 {
        expected.extend(["2:29 ORM101 views.py", "2:53 ORM102 views.py"]);
    }
    assert_eq!(summary, expected);
    let view = uri_of(&root.join("blog/list_views.py"));
    assert_eq!(
        shown[0]["relatedInformation"][0],
        json!({
            "location": {
                "uri": view,
                "range": {"start": {"line": 13, "character": 15}, "end": {"line": 13, "character": 45}},
            },
            "message": "reported on the view here",
        })
    );
    // The fix edits the view's file, as saved; a template has no `# noqa`.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": shown[0]["range"],
            "context": {"diagnostics": [shown[0]]},
        }),
    );
    let actions = actions["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(
        actions[0]["edit"],
        json!({"changes": {view: [{
            "range": {"start": {"line": 13, "character": 27}, "end": {"line": 13, "character": 27}},
            "newText": ".select_related(\"author\").prefetch_related(\"comments\")",
        }]}})
    );
    // A template whose loops read no relation shows nothing.
    let alone = uri_of(&root.join("blog/templates/blog/titles.html"));
    client.open(&alone, TITLES, 1);
    assert_eq!(
        client.diagnostics(&alone, 1),
        Vec::<serde_json::Value>::new()
    );
    assert_eq!(client.shut_down().0, 0);
}
