//! One pathological file cannot stop a check: a file nested deeper than the walkers
//! recurse is refused with its reason, a huge literal is analysed, an analysis past its
//! deadline gives nothing and leaves nothing cached, and the rest is checked.

use std::time::Duration;

mod support;

use support::cli::{findings, ormhint};

use ormhint::analysis::flow::{FlowCache, analyse_until, analyse_with};
use ormhint::analysis::guard::{Deadline, MAX_NESTING};
use ormhint::index::{IndexOptions, ModelIndex};
use ormhint::syntax::SourceFile;

const MODELS: &str = "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Post(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";

const LOOP: &str =
    "def titles():\n    for post in Post.objects.all():\n        print(post.author.name)\n";

fn project(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), "").unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn check(dir: &tempfile::TempDir) -> (i32, Vec<String>, String) {
    let run = ormhint(dir.path(), &["check", "--output-format", "json", "."]);
    (run.code, findings(&run.stdout), run.stderr)
}

#[test]
fn a_file_nested_too_deep_is_refused_and_the_rest_checked() {
    let deep = format!(
        "from blog.models import Post\n\n\ndef f():\n    qs = Post.objects.all()\n    return qs{}\n\n\n{LOOP}",
        ".filter()".repeat(MAX_NESTING)
    );
    assert_refused_and_the_rest_checked(
        "blog/deep.py",
        deep,
        "skipping blog/deep.py: nested more than 1000 levels deep",
    );
}

/// Found by fuzzing: tree-sitter's error recovery spends many seconds on a long
/// attribute chain after a broken class header (`\u{2028}` is no line end to Python).
#[test]
fn a_file_too_slow_to_parse_is_refused_and_the_rest_checked() {
    let slow = format!(
        "from blog.models import Post\nx = Post.objects.all()\nPigt:ost:ost:ost:ostig\nclass Cor\u{2028}s\u{2028}{}ass Cor\u{2028}s\u{2028}",
        "a.".repeat(29_257)
    );
    assert_refused_and_the_rest_checked(
        "blog/slow.py",
        slow,
        "skipping blog/slow.py: parsing it took longer than 5 s",
    );
}

/// `path` holding `text` is skipped with `warning` beside a views module whose finding
/// is still reported.
fn assert_refused_and_the_rest_checked(path: &str, text: String, warning: &str) {
    let dir = project(&[
        ("blog/models.py", MODELS.to_string()),
        (path, text),
        (
            "blog/views.py",
            format!("from blog.models import Post\n\n\n{LOOP}"),
        ),
    ]);
    let (code, stdout, stderr) = check(&dir);
    assert_eq!(stdout, ["blog/views.py:6:15 ORM101"]);
    assert_eq!(
        stderr,
        format!("warning: {warning}\nwarning: incomplete: 1 file not checked\n")
    );
    assert_eq!(code, 1);
}

#[test]
fn a_chain_just_under_the_limit_is_analysed() {
    // 400 calls: 800 levels, more than a 2 MiB stack took before the limit existed.
    let chain = format!(
        "from blog.models import Post\n\n\ndef f():\n    return Post.objects.all(){}\n\n\n{LOOP}",
        ".filter()".repeat(400)
    );
    let dir = project(&[
        ("blog/models.py", MODELS.to_string()),
        ("blog/chain.py", chain),
    ]);
    let (code, stdout, stderr) = check(&dir);
    assert_eq!(stdout, ["blog/chain.py:10:15 ORM101"]);
    assert_eq!(stderr, "");
    assert_eq!(code, 1);
}

#[test]
fn a_huge_literal_is_analysed() {
    let numbers: Vec<String> = (0..50_000).map(|i| i.to_string()).collect();
    let literal = format!(
        "from blog.models import Post\n\nIDS = [\n{}\n]\n\n\n{LOOP}",
        numbers.join(",\n")
    );
    let dir = project(&[
        ("blog/models.py", MODELS.to_string()),
        ("blog/ids.py", literal),
    ]);
    let (_, stdout, stderr) = check(&dir);
    assert_eq!(stdout, ["blog/ids.py:50009:15 ORM101"]);
    assert_eq!(stderr, "");
}

#[test]
fn an_analysis_past_its_deadline_finds_nothing_and_caches_nothing() {
    let models = SourceFile::new("blog/models.py".into(), MODELS);
    let index = ModelIndex::build(&[models], &IndexOptions::default());
    let views = SourceFile::new(
        "blog/views.py".into(),
        format!("from blog.models import Post\n\n\n{LOOP}"),
    );
    let mut cache = FlowCache::default();
    let late = analyse_until(&views, &index, &mut cache, &Deadline::new(Duration::ZERO));
    assert!(late.loops.is_empty());
    // Nothing of the stopped walk was kept: the next analysis walks the loop again.
    let again = analyse_with(&views, &index, &mut cache);
    assert_eq!(again.loops.len(), 1);
}
