"""DRF serializers of the blog, read by the serializer scenarios of orm101 and orm102."""

from rest_framework import serializers

from accounts.models import User
from blog.models import Comment, Post, Tag


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["username"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name"]


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["body"]


class PostAuthorSerializer(serializers.ModelSerializer):
    """A nested serializer of the author: loads it per post."""

    author = UserSerializer()

    class Meta:
        model = Post
        fields = ["title", "author"]


class PostAuthorNameSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.username")

    class Meta:
        model = Post
        fields = ["title", "author_name"]


class PostCategorySerializer(serializers.ModelSerializer):
    category_name = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["title", "category_name"]

    def get_category_name(self, obj):
        return obj.category.name


class PostEditorSerializer(serializers.ModelSerializer):
    """`__str__` of the nullable editor."""

    editor = serializers.StringRelatedField()

    class Meta:
        model = Post
        fields = ["title", "editor"]


class PostDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = ["title", "category"]
        depth = 1


class PostIdsSerializer(serializers.ModelSerializer):
    """Relations by their ids alone (DRF's pk-only reading): no query per post."""

    class Meta:
        model = Post
        fields = ["title", "author", "editor", "category"]


class PostDeclaredIdsSerializer(serializers.ModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    category_key = serializers.IntegerField(source="category_id")

    class Meta:
        model = Post
        fields = ["title", "author", "category_key"]


class PostTitleSerializer(serializers.ModelSerializer):
    """A `to_representation` that reads a column only."""

    author = UserSerializer()

    class Meta:
        model = Post
        fields = ["title", "author"]

    def to_representation(self, instance):
        return {"title": instance.title}


class PostTagsSerializer(serializers.ModelSerializer):
    tags = TagSerializer(many=True)

    class Meta:
        model = Post
        fields = ["title", "tags"]


class PostTagIdsSerializer(serializers.ModelSerializer):
    """A many-to-many by default: the ids of `post.tags.all()`, one query per post."""

    class Meta:
        model = Post
        fields = ["title", "tags"]


class PostCommentsSerializer(serializers.ModelSerializer):
    """A reverse foreign key named in `fields`: the ids of `post.comments.all()`."""

    class Meta:
        model = Post
        fields = ["title", "comments"]


class PostTagNamesSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Post
        fields = ["title", "tags"]


class PostWriteTagsSerializer(serializers.ModelSerializer):
    tags = TagSerializer(many=True, write_only=True)

    class Meta:
        model = Post
        fields = ["title", "tags"]

