//! The persistent cache of `ormhint check`: a warm check reports what a cold one does,
//! an edited file is checked again, a changed model re-checks the files that use it, an
//! unreadable cache is said once and the check runs cold, `--no-cache` leaves no trace.

use std::path::Path;

mod support;

use support::cli::{findings, ormhint};

const MODELS: &str = "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Post(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";

const VIEWS: &str = "from blog.models import Post\n\n\ndef titles():\n    for post in Post.objects.all():\n        print(post.author.name)\n";

const OTHER: &str =
    "from blog.models import Post\n\n\ndef any_posts():\n    return Post.objects.count() > 0\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), "").unwrap();
    std::fs::create_dir(dir.path().join("blog")).unwrap();
    write(dir.path(), "blog/models.py", MODELS);
    write(dir.path(), "blog/views.py", VIEWS);
    write(dir.path(), "blog/other.py", OTHER);
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    std::fs::write(root.join(path), text).unwrap();
}

/// The findings as `path:row:column code`, and stderr.
fn check(root: &Path, extra: &[&str]) -> (Vec<String>, String) {
    let mut args = vec!["check", "--output-format", "json", "--exit-zero"];
    args.extend_from_slice(extra);
    args.push(".");
    let run = ormhint(root, &args);
    (findings(&run.stdout), run.stderr)
}

fn cache_files(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(".ormhint_cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const BOTH: [&str; 2] = ["blog/other.py:5:12 ORM201", "blog/views.py:6:15 ORM101"];

#[test]
fn a_warm_check_reports_what_a_cold_one_does() {
    let dir = project();
    assert_eq!(
        check(dir.path(), &[]),
        (BOTH.map(String::from).to_vec(), String::new())
    );
    let files = cache_files(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0], ".gitignore");
    assert!(files[1].ends_with(".bin"), "{files:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".ormhint_cache/.gitignore")).unwrap(),
        "# Created by ormhint.\n*\n"
    );
    assert_eq!(
        check(dir.path(), &[]),
        (BOTH.map(String::from).to_vec(), String::new())
    );
}

#[test]
fn an_edited_file_is_checked_again_and_the_others_kept() {
    let dir = project();
    check(dir.path(), &[]);
    write(
        dir.path(),
        "blog/views.py",
        &VIEWS.replace(".all()", ".select_related(\"author\")"),
    );
    assert_eq!(check(dir.path(), &[]).0, ["blog/other.py:5:12 ORM201"]);
    write(dir.path(), "blog/views.py", VIEWS);
    assert_eq!(check(dir.path(), &[]).0, BOTH);
}

#[test]
fn a_changed_model_rechecks_the_files_that_did_not_change() {
    let dir = project();
    check(dir.path(), &[]);
    // `author` becomes a column: reading it per row runs no query.
    write(
        dir.path(),
        "blog/models.py",
        &MODELS.replace(
            "models.ForeignKey(Author, on_delete=models.CASCADE)",
            "models.CharField(max_length=10)",
        ),
    );
    assert_eq!(check(dir.path(), &[]).0, ["blog/other.py:5:12 ORM201"]);
}

#[test]
fn an_unreadable_cache_is_said_and_the_check_runs_cold() {
    let dir = project();
    check(dir.path(), &[]);
    let bin = dir
        .path()
        .join(".ormhint_cache")
        .join(&cache_files(dir.path())[1]);
    std::fs::write(&bin, b"\xff\xff\xff not a cache").unwrap();
    let (found, stderr) = check(dir.path(), &[]);
    assert_eq!(found, BOTH);
    assert!(
        stderr.starts_with("warning: cache ") && stderr.ends_with("; checking without it\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(".ormhint_cache/") && stderr.contains(": unreadable ("),
        "{stderr}"
    );
    // Written anew: the next check reads it without a word.
    assert_eq!(
        check(dir.path(), &[]),
        (BOTH.map(String::from).to_vec(), String::new())
    );
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let dir = project();
    assert_eq!(check(dir.path(), &["--no-cache"]).0, BOTH);
    assert!(!dir.path().join(".ormhint_cache").exists());
}

#[test]
fn a_warm_check_still_says_a_file_has_a_syntax_error() {
    let dir = project();
    write(
        dir.path(),
        "blog/other.py",
        &format!("{OTHER}\ndef broken(:\n"),
    );
    let cold = check(dir.path(), &[]);
    assert_eq!(
        cold.1,
        "warning: blog/other.py:7:12: syntax error: the findings of this file may be incomplete\n\
         warning: incomplete: 1 file with a syntax error\n"
    );
    assert_eq!(check(dir.path(), &[]), cold);
}
