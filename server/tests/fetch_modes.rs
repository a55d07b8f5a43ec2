//! Django 6.1's fetch modes: a load that `FETCH_RAISE` blocks is shown as an error,
//! whatever the rule's severity; one `FETCH_ONE` runs stays a warning.

mod support;

use support::cli::check_json;
use support::write_files as write;

#[test]
fn a_blocked_load_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("manage.py", ""),
            ("blog/__init__.py", ""),
            (
                "blog/models.py",
                "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
",
            ),
            (
                "blog/views.py",
                "\
from django.db import models

from .models import Post


def blocked():
    return [p.author.name for p in Post.objects.fetch_mode(models.FETCH_RAISE)]


def one_by_one():
    return [p.author.name for p in Post.objects.fetch_mode(models.FETCH_ONE)]
",
            ),
        ],
    );
    let found: Vec<(u64, String, String)> = check_json(dir.path(), &["--no-cache"])
        .iter()
        .map(|f| {
            (
                f["location"]["row"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (7, "ORM101".to_string(), "error".to_string()),
            (11, "ORM101".to_string(), "warning".to_string()),
        ]
    );
}
