//! Methods of a project's manager and queryset classes: `self` is rows of the one model
//! the class serves (`ModelIndex::model_managed_by`), narrowed, selected or prefetched
//! by callers we do not see, so its loads are unknown, but the queries a method starts
//! (`self.model.objects.all()`, `self.filter(...).count()`) and its lookups are judged.

mod support;

use support::cli::{check_findings, check_json};
use support::write_files as write;

const MODELS: &str = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class PostQuerySet(models.QuerySet):
    def any_drafts(self):
        return self.filter(title=\"\").count() > 0

    # A caller may have annotated `titel`: not an unknown lookup here.
    def misspelt(self):
        return self.filter(titel=\"x\")

    def names(self):
        return [post.author.name for post in self.all()]

    @classmethod
    def drafts_of(cls, qs):
        return qs.filter(title=\"\").count() > 0


class BaseManager(models.Manager):
    def first_names(self):
        return [post.author.name for post in self.model.objects.all()]


class PostManager(BaseManager):
    def names(self):
        return [post.author.name for post in self.get_queryset()]


class SharedManager(models.Manager):
    def any_rows(self):
        return self.all().count() > 0


class UnusedQuerySet(models.QuerySet):
    def any_rows(self):
        return self.all().count() > 0


class Timestamped(models.Model):
    on_all = SharedManager()

    class Meta:
        abstract = True


class Post(Timestamped):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    objects = PostManager()
    rows = PostQuerySet.as_manager()


class Comment(Timestamped):
    text = models.TextField()
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            ("blog/models.py", MODELS),
        ],
    );
    dir
}

#[test]
fn manager_and_queryset_methods_work_on_their_models_rows() {
    let dir = project();
    assert_eq!(
        check_findings(dir.path(), &["--no-cache"]),
        ["blog/models.py:10:16 ORM201", "blog/models.py:26:17 ORM101",]
    );
    let all = check_json(dir.path(), &["--no-cache"]);
    assert_eq!(
        all[0]["message"],
        "`self.filter(title=\"\").count() > 0` counts every row to test whether there is \
         one: `exists()` stops at the first"
    );
    assert_eq!(
        all[1]["message"],
        "`post.author` loads the related object `author` with one query per `Post` row: \
         the queryset does not select_related(\"author\")"
    );
}
