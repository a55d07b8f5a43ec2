//! Summaries of serializers in a small project, rendered one read a line:
//! `field: kind path`, the reads of each row of a many-valued read indented under it.

use std::path::PathBuf;

use super::*;
use crate::index::IndexOptions;

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.OneToOneField(Author, null=True, on_delete=models.SET_NULL, related_name=\"edited\")
    tags = models.ManyToManyField(\"Tag\")


class Tag(models.Model):
    name = models.CharField(max_length=100)
";

struct Files {
    index: ModelIndex,
    files: Vec<SourceFile>,
}

impl Classes for Files {
    fn index(&self) -> &ModelIndex {
        &self.index
    }

    fn file(&self, module: &str) -> Option<ClassFile<'_>> {
        self.files
            .iter()
            .find(|f| f.module == module)
            .map(ClassFile::Here)
    }

    fn imports(&self, _module: &str) -> Option<&ImportMap> {
        None
    }
}

fn render(reads: &[Read], depth: usize, out: &mut String) {
    for read in reads {
        let kind = match &read.kind {
            ReadKind::Value => "value",
            ReadKind::Text => "text",
            ReadKind::Pk => "pk",
            ReadKind::Rows(_) => "rows",
            ReadKind::Method(_) => "method",
        };
        let path = read.path.join(".");
        out.push_str(&format!(
            "{}{}: {kind} {path}",
            "  ".repeat(depth),
            read.field
        ));
        if let ReadKind::Method(uses) = &read.kind {
            out.push_str(&format!(" ({} uses)", uses.len()));
        }
        out.push('\n');
        if let ReadKind::Rows(rows) = &read.kind {
            render(rows, depth + 1, out);
        }
    }
}

/// The summary of `name` in `blog/serializers.py` written `serializers`.
fn summary(serializers: &str, name: &str) -> String {
    let header =
        "from rest_framework import serializers\nfrom .models import Author, Post, Tag\n\n";
    let files = vec![
        SourceFile::new(PathBuf::from("blog/models.py"), MODELS),
        SourceFile::new(
            PathBuf::from("blog/serializers.py"),
            format!("{header}{serializers}"),
        ),
    ];
    let index = ModelIndex::build(&files, &IndexOptions::default());
    let files = Files { index, files };
    match summarize(&files, "blog.serializers", name) {
        Ok(summary) => {
            let mut out = String::new();
            render(&summary.reads, 0, &mut out);
            out
        }
        Err(gap) => format!("gap {}: {:?}\n", gap.class, gap.reason),
    }
}

fn check(serializers: &str, name: &str, expected: &str) {
    let actual = summary(serializers, name);
    assert_eq!(actual.trim(), expected.trim(), "\n{actual}");
}

#[test]
fn listed_model_fields_read_relations_by_their_ids() {
    check(
        "\
class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = (
            \"id\", \"title\", \"author\", \"editor\", \"tags\",
            # \"body\",
            \"comment_count\",
        )
",
        "PostSerializer",
        "
id: value id
title: value title
author: pk author
editor: pk editor
tags: rows tags
comment_count: value comment_count
",
    );
}

#[test]
fn all_fields_and_exclude_take_the_forward_fields() {
    let all = "\
class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = \"__all__\"


class TrimmedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        exclude = [\"tags\", \"editor\"]
";
    check(
        all,
        "PostSerializer",
        "
id: value id
title: value title
author: pk author
editor: pk editor
tags: rows tags
",
    );
    check(
        all,
        "TrimmedSerializer",
        "id: value id\ntitle: value title\nauthor: pk author",
    );
}

#[test]
fn depth_nests_every_field_of_the_related_models() {
    check(
        "\
class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = [\"author\", \"tags\"]
        depth = 1
",
        "PostSerializer",
        "
author: value author
author: value author.id
author: value author.name
tags: rows tags
  tags: value id
  tags: value name
",
    );
}

#[test]
fn declared_fields_read_their_source() {
    check(
        "\
class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = [\"name\"]


class PostSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    tags = serializers.SlugRelatedField(slug_field=\"name\", many=True, read_only=True)
    editor = serializers.StringRelatedField()
    author_name = serializers.ReadOnlyField(source=\"author.name\")
    author_id = serializers.PrimaryKeyRelatedField(source=\"author\", read_only=True)
    secret = serializers.CharField(write_only=True)
    line = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [\"author\", \"tags\", \"editor\", \"author_name\", \"author_id\", \"secret\", \"line\"]

    def get_line(self, obj):
        return obj.author.name + obj.title
",
        "PostSerializer",
        "
author: value author
author: value author.name
tags: rows tags
  tags: value name
editor: text editor
author_name: value author.name
author_id: pk author
line: method  (2 uses)
",
    );
}

#[test]
fn a_generic_alias_of_a_serializer_is_the_serializer() {
    check(
        "\
class PostSerializer(serializers.ModelSerializer[Post]):
    class Meta:
        model = Post
        fields = [\"title\", \"tags\"]
",
        "PostSerializer",
        "title: value title\ntags: rows tags",
    );
}

#[test]
fn fields_may_be_a_module_constant() {
    let serializers = "\
BASE = [\"id\", \"title\"]
WITH_TAGS = BASE + [\"tags\"]
CHANGED = [\"title\"]
CHANGED += [\"author\"]


class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = WITH_TAGS


class ChangedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = CHANGED
";
    check(
        serializers,
        "PostSerializer",
        "id: value id\ntitle: value title\ntags: rows tags",
    );
    check(
        serializers,
        "ChangedSerializer",
        "gap ChangedSerializer: Meta",
    );
}

#[test]
fn a_base_serializer_passes_its_fields_and_meta_on() {
    check(
        "\
class BaseSerializer(serializers.ModelSerializer):
    editor = serializers.StringRelatedField()

    class Meta:
        model = Post
        fields = [\"title\", \"editor\"]


class PostSerializer(BaseSerializer):
    class Meta(BaseSerializer.Meta):
        fields = BaseSerializer.Meta.fields + [\"author\"]
",
        "PostSerializer",
        "title: value title\neditor: text editor\nauthor: pk author",
    );
}

#[test]
fn what_decides_the_reads_elsewhere_is_a_gap() {
    let serializers = "\
from other import FancySerializer


class Shown(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = [\"title\"]

    def to_representation(self, instance):
        return {}


class Dynamic(serializers.ModelSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop(\"author\")

    class Meta:
        model = Post
        fields = [\"title\", \"author\"]


class Fancy(FancySerializer):
    class Meta:
        model = Post
        fields = [\"title\"]


class Computed(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = make_fields()


class Custom(serializers.ModelSerializer):
    author = AuthorField()

    class Meta:
        model = Post
        fields = [\"author\"]


class AuthorField(serializers.RelatedField):
    pass


class NoMethod(serializers.ModelSerializer):
    line = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [\"line\"]
";
    check(
        serializers,
        "Shown",
        "gap Shown: Overrides(\"to_representation\")",
    );
    check(
        serializers,
        "Dynamic",
        "gap Dynamic: Overrides(\"__init__\")",
    );
    check(serializers, "Fancy", "gap Fancy: NotReadable");
    check(serializers, "Computed", "gap Computed: Meta");
    check(serializers, "Custom", "gap AuthorField: NotReadable");
    check(
        serializers,
        "NoMethod",
        "gap NoMethod: NoMethod(\"get_line\")",
    );
}
