//! Rows a DRF serializer of the project reads (`analysis::flow::serialized`): a call
//! `XSerializer(rows, many=True).data` or a list view's `queryset` with its
//! `serializer_class`; relations the serializer reads per row are reported on the
//! queryset with its fix, and nothing when the serializer or the view cannot be read
//! whole.

mod support;

use serde_json::json;
use support::cli::{check_findings, check_json, ormhint};
use support::{Client, uri_of, write_files as write};

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)


class Comment(models.Model):
    post = models.ForeignKey(Post, related_name=\"comments\", on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    text = models.TextField()
";

const SERIALIZERS: &str = "\
from other_package import FancySerializer
from rest_framework import serializers

from .models import Author, Comment, Post, Tag


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = [\"id\", \"name\"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = [\"name\"]


class PostSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    tags = TagSerializer(many=True)

    class Meta:
        model = Post
        fields = [\"id\", \"title\", \"author\", \"tags\"]


class CommentSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = [\"text\", \"author\"]


class PostCommentsSerializer(serializers.ModelSerializer):
    comments = CommentSerializer(many=True)

    class Meta:
        model = Post
        fields = [\"title\", \"comments\"]


class PostNamesSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source=\"author.name\")
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [\"title\", \"author_name\", \"summary\"]

    def get_summary(self, obj):
        return f\"{obj.title} ({len(obj.tags.all())} tags)\"


class PostDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = \"__all__\"
        depth = 1


class PostPkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = [\"id\", \"title\", \"author\"]


class PostWriterSerializer(serializers.ModelSerializer):
    writer = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [\"writer\"]

    def get_writer(self, post):
        return post.author.name


class CommentPostSerializer(serializers.ModelSerializer):
    post = PostWriterSerializer()

    class Meta:
        model = Comment
        fields = [\"text\", \"post\"]


class PostIdsSerializer(serializers.ModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    writer = serializers.IntegerField(source=\"author_id\")

    class Meta:
        model = Post
        fields = [\"title\", \"author\", \"writer\"]


class CustomSerializer(PostSerializer):
    def to_representation(self, instance):
        return {\"title\": instance.title}


class AuthorField(serializers.RelatedField):
    def to_representation(self, value):
        return value.pk


class PostFieldSerializer(serializers.ModelSerializer):
    author = AuthorField(read_only=True)

    class Meta:
        model = Post
        fields = [\"author\"]


class TitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = (\"id\", \"title\")


class FancyPostSerializer(FancySerializer):
    author = AuthorSerializer()

    class Meta:
        model = Post
        fields = [\"author\"]
";

const VIEWS: &str = "\
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ReadOnlyModelViewSet

from .models import Comment, Post
from .serializers import (
    CustomSerializer,
    FancyPostSerializer,
    PostCommentsSerializer,
    PostDepthSerializer,
    PostFieldSerializer,
    PostIdsSerializer,
    PostNamesSerializer,
    PostPkSerializer,
    PostSerializer,
)


def post_list(request):
    return Response(PostSerializer(Post.objects.all(), many=True).data)


def names(request):
    serializer = PostNamesSerializer(Post.objects.filter(title=\"x\"), many=True)
    return Response(serializer.data)


def depth(request):
    return Response(PostDepthSerializer(Post.objects.all(), many=True).data)


class PostListView(ListAPIView):
    queryset = Post.objects.all()
    serializer_class = PostSerializer


class PostCommentsViewSet(ReadOnlyModelViewSet):
    serializer_class = PostCommentsSerializer

    def get_queryset(self):
        return Post.objects.prefetch_related(\"comments\")


def selected(request):
    posts = Post.objects.select_related(\"author\").prefetch_related(\"tags\")
    return Response(PostSerializer(posts, many=True).data)


def pk_only(request):
    return Response(PostPkSerializer(Post.objects.all(), many=True).data)


def ids(request):
    return Response(PostIdsSerializer(Post.objects.all(), many=True).data)


def custom(request):
    return Response(CustomSerializer(Post.objects.all(), many=True).data)


def custom_field(request):
    return Response(PostFieldSerializer(Post.objects.all(), many=True).data)


def fancy(request):
    return Response(FancyPostSerializer(Post.objects.all(), many=True).data)


def no_rows(request):
    serializer = PostSerializer(data=request.data, many=True)
    serializer.is_valid()
    return Response(serializer.data)


def never_read(request):
    PostSerializer(Post.objects.all(), many=True)
    return Response({})


def single(request, pk):
    return Response(PostSerializer(Post.objects.get(pk=pk)).data)


class OverriddenList(ListAPIView):
    queryset = Post.objects.all()
    serializer_class = PostSerializer

    def list(self, request):
        return Response([])


class RecentViewSet(GenericViewSet):
    serializer_class = PostSerializer
    queryset = Post.objects.all()

    def recent(self, request):
        serializer = self.get_serializer(Post.objects.filter(title=\"new\"), many=True)
        return Response(serializer.data)


class ChosenViewSet(ReadOnlyModelViewSet):
    queryset = Post.objects.select_related(\"author\")

    def get_serializer_class(self):
        return PostSerializer


class PagedViewSet(GenericViewSet):
    serializer_class = PostSerializer
    queryset = Post.objects.all()

    def recent(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            serializer = self.get_serializer(page, many=True)
            return self.get_paginated_response(serializer.data)
        return Response(self.get_serializer(queryset, many=True).data)


class OwnFilterViewSet(GenericViewSet):
    serializer_class = PostSerializer
    queryset = Post.objects.all()

    def filter_queryset(self, queryset):
        return self.backend().filter_queryset(self.request, queryset, self)

    def recent(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return Response(self.get_serializer(queryset, many=True).data)


class ListBranchViewSet(ReadOnlyModelViewSet):
    queryset = Post.objects.all()

    def get_serializer_class(self):
        if self.action == \"list\":
            return PostSerializer
        return PostPkSerializer


def titles(request):
    from .serializers import TitleSerializer

    return Response(TitleSerializer(Post.objects.all(), many=True).data)


def comments(request):
    from .serializers import CommentPostSerializer

    return Response(CommentPostSerializer(Comment.objects.all(), many=True).data)


class StaffViewSet(ReadOnlyModelViewSet):
    queryset = Post.objects.all()

    def get_serializer_class(self):
        if self.request.user.is_staff:
            return PostSerializer
        return PostPkSerializer
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
            ("blog/serializers.py", SERIALIZERS),
            ("blog/views.py", VIEWS),
        ],
    );
    dir
}

#[test]
fn relations_a_serializer_reads_per_row_are_reported_on_the_queryset() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        [
            "blog/views.py:20:36 ORM101",
            "blog/views.py:20:36 ORM102",
            "blog/views.py:24:38 ORM101",
            "blog/views.py:24:38 ORM102",
            "blog/views.py:29:41 ORM101",
            "blog/views.py:29:41 ORM102",
            "blog/views.py:33:16 ORM101",
            "blog/views.py:33:16 ORM102",
            "blog/views.py:41:16 ORM101",
            "blog/views.py:97:42 ORM101",
            "blog/views.py:97:42 ORM102",
            "blog/views.py:102:16 ORM102",
            "blog/views.py:116:46 ORM101",
            "blog/views.py:116:46 ORM102",
            "blog/views.py:118:45 ORM101",
            "blog/views.py:118:45 ORM102",
            "blog/views.py:134:16 ORM101",
            "blog/views.py:134:16 ORM102",
            "blog/views.py:151:43 ORM101",
        ]
    );
    let all = check_json(dir.path(), &["--no-cache"]);
    let messages: Vec<&str> = all.iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages[0],
        "`Post.objects.all()` (through `PostSerializer.author`) loads the related object \
         `author` with one query per `Post` row: the queryset does not select_related(\"author\")"
    );
    assert_eq!(
        messages[1],
        "`Post.objects.all()` (through `PostSerializer.tags`) loads the related rows `tags` \
         with one query per `Post` row: the queryset does not prefetch_related(\"tags\")"
    );
    assert_eq!(
        messages[2],
        "`Post.objects.filter(title=\"x\")` (through `PostNamesSerializer.author_name`) loads \
         the related object `author` with one query per `Post` row: the queryset does not \
         select_related(\"author\")"
    );
    assert_eq!(
        messages[3],
        "`Post.objects.filter(title=\"x\")` (through `PostNamesSerializer.summary`) loads the \
         related rows `tags` with one query per `Post` row: the queryset does not \
         prefetch_related(\"tags\")"
    );
    assert_eq!(
        messages[8],
        "`Post.objects.prefetch_related(\"comments\")` (through \
         `PostCommentsSerializer.comments`) loads the related object `comments__author` with \
         one query per `Comment` row: the queryset does not \
         prefetch_related(\"comments__author\")"
    );
    // The nested serializer's method is given the comment's post.
    assert_eq!(
        messages[18],
        "`Comment.objects.all()` (through `CommentPostSerializer.post`) loads the related \
         object `post__author` with one query per `Comment` row: the queryset does not \
         select_related(\"post__author\")"
    );
}

#[test]
fn the_fix_selects_and_prefetches_what_the_serializer_reads() {
    let dir = project();
    ormhint(dir.path(), &["check", "--fix", "--no-cache"]);
    let fixed = std::fs::read_to_string(dir.path().join("blog/views.py")).unwrap();
    let lines: Vec<&str> = fixed.lines().collect();
    assert_eq!(
        lines[19],
        "    return Response(PostSerializer(Post.objects.select_related(\"author\")\
         .prefetch_related(\"tags\").all(), many=True).data)"
    );
    assert_eq!(
        lines[23],
        "    serializer = PostNamesSerializer(Post.objects.select_related(\"author\")\
         .prefetch_related(\"tags\").filter(title=\"x\"), many=True)"
    );
    assert_eq!(
        lines[28],
        "    return Response(PostDepthSerializer(Post.objects.select_related(\"author\")\
         .prefetch_related(\"tags\").all(), many=True).data)"
    );
    assert_eq!(
        lines[32],
        "    queryset = Post.objects.select_related(\"author\").prefetch_related(\"tags\").all()"
    );
    assert_eq!(
        lines[40],
        "        return Post.objects.prefetch_related(\"comments\", \"comments__author\")"
    );
    assert_eq!(
        lines[96],
        "        serializer = self.get_serializer(Post.objects.select_related(\"author\")\
         .prefetch_related(\"tags\").filter(title=\"new\"), many=True)"
    );
    assert_eq!(
        lines[101],
        "    queryset = Post.objects.prefetch_related(\"tags\").select_related(\"author\")"
    );
    assert_eq!(
        lines[150],
        "    return Response(CommentPostSerializer(Comment.objects.select_related(\"post__author\")\
         .all(), many=True).data)"
    );
    // The class `get_serializer_class()` returns for the list action.
    assert_eq!(
        lines[133],
        "    queryset = Post.objects.select_related(\"author\").prefetch_related(\"tags\").all()"
    );
    // A page of the filtered rows of `get_queryset()`: the fix is on `queryset`.
    assert_eq!(
        lines[109],
        "    queryset = Post.objects.select_related(\"author\").prefetch_related(\"tags\").all()"
    );
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        Vec::<String>::new()
    );
}

#[test]
fn a_cached_check_sees_an_edit_of_the_serializers_module() {
    let dir = project();
    assert_eq!(check_findings(dir.path(), &[]).len(), 19);
    // Only the serializers change: `PostSerializer` reads the author's id alone.
    let pk_only = SERIALIZERS.replace(
        "    author = AuthorSerializer()\n    tags = TagSerializer(many=True)\n",
        "",
    );
    write(dir.path(), &[("blog/serializers.py", &pk_only)]);
    assert_eq!(
        check_findings(dir.path(), &[]),
        [
            "blog/views.py:20:36 ORM102",
            "blog/views.py:24:38 ORM101",
            "blog/views.py:24:38 ORM102",
            "blog/views.py:29:41 ORM101",
            "blog/views.py:29:41 ORM102",
            "blog/views.py:33:16 ORM102",
            "blog/views.py:41:16 ORM101",
            "blog/views.py:97:42 ORM102",
            "blog/views.py:102:16 ORM102",
            "blog/views.py:116:46 ORM102",
            "blog/views.py:118:45 ORM102",
            "blog/views.py:134:16 ORM102",
            "blog/views.py:151:43 ORM101",
        ]
    );
}

/// A serializer in the view's own module is read there.
#[test]
fn a_serializer_of_the_same_module() {
    let dir = project();
    let views = format!(
        "{SERIALIZERS}\n\n{}",
        "def rows(request):\n    return PostSerializer(Post.objects.all(), many=True).data\n"
    );
    write(
        dir.path(),
        &[("blog/views.py", &views), ("blog/serializers.py", "")],
    );
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["blog/views.py:130:27 ORM101", "blog/views.py:130:27 ORM102"]
    );
}

#[test]
fn the_language_server_checks_an_open_view_again_when_a_serializer_is_saved() {
    let dir = project();
    let root = dir.path();
    let mut client = Client::in_folder(root);
    let uri = uri_of(&root.join("blog/views.py"));
    client.open(&uri, VIEWS, 1);
    let before = client.diagnostics_where(&uri, "the view's findings", |d| d.len() == 19);
    assert_eq!(before.len(), 19);
    // Saved so that `PostSerializer` reads the author's id alone: the views' findings
    // of the author and the tags go.
    let pk_only = SERIALIZERS.replace(
        "    author = AuthorSerializer()\n    tags = TagSerializer(many=True)\n",
        "",
    );
    let serializers = root.join("blog/serializers.py");
    write(root, &[("blog/serializers.py", &pk_only)]);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&serializers), "type": 2}]}),
    );
    let after = client.diagnostics_where(&uri, "the findings left", |d| d.len() == 13);
    let lines: Vec<u64> = after
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap() + 1)
        .collect();
    assert_eq!(
        lines,
        [20, 24, 24, 29, 29, 33, 41, 97, 102, 116, 118, 134, 151]
    );
    assert_eq!(client.shut_down().0, 0);
}
