//! What the fuzz targets share: the models every input is checked against, an input read
//! as the files of a project, and the properties every analysis result must have.
//!
//! The targets call the analysis directly, never through `ormhint::panic::caught`: the
//! command line and the server survive a panic in one file, but a panic is still a bug.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use ormhint::analysis::cost::{LoopCost, loop_costs};
use ormhint::analysis::fixes::fix_until_stable;
use ormhint::analysis::{Diagnostic, RuleSet, check_file};
use ormhint::fix::{Applicability, apply_fixes};
use ormhint::index::{FileFacts, IndexOptions, ModelIndex, extract};
use ormhint::syntax::{self, SourceFile};

/// The models of the rule fixtures (`blog`) and of the example shop, which the inputs
/// (the fixtures' views, mutated) refer to.
const MODEL_FILES: &[(&str, &str)] = &[
    (
        "blog/models.py",
        include_str!("../../server/tests/fixtures/rules/_models.py"),
    ),
    (
        "catalog/models/__init__.py",
        include_str!("../../tests/fixtures/shop/catalog/models/__init__.py"),
    ),
    (
        "catalog/models/category.py",
        include_str!("../../tests/fixtures/shop/catalog/models/category.py"),
    ),
    (
        "catalog/models/product.py",
        include_str!("../../tests/fixtures/shop/catalog/models/product.py"),
    ),
    (
        "catalog/models/review.py",
        include_str!("../../tests/fixtures/shop/catalog/models/review.py"),
    ),
    (
        "catalog/querysets.py",
        include_str!("../../tests/fixtures/shop/catalog/querysets.py"),
    ),
    (
        "orders/models.py",
        include_str!("../../tests/fixtures/shop/orders/models.py"),
    ),
    (
        "accounts/models.py",
        include_str!("../../tests/fixtures/shop/accounts/models.py"),
    ),
    (
        "core/models.py",
        include_str!("../../tests/fixtures/shop/core/models.py"),
    ),
    (
        "shop/settings.py",
        include_str!("../../tests/fixtures/shop/shop/settings.py"),
    ),
];

/// Extracted once: every input is indexed with these beside its own files.
static MODEL_FACTS: LazyLock<Vec<Arc<FileFacts>>> = LazyLock::new(|| {
    MODEL_FILES
        .iter()
        .map(|(path, text)| Arc::new(extract(&SourceFile::new(PathBuf::from(path), *text))))
        .collect()
});

/// The index of the fixture models alone, for inputs that are one document.
pub static MODEL_INDEX: LazyLock<ModelIndex> =
    LazyLock::new(|| ModelIndex::from_facts(MODEL_FACTS.iter().cloned(), &IndexOptions::default()));

/// The index of `files` with the fixture models; a file of the input replaces the
/// fixture model file at its path.
pub fn index_with(files: &[SourceFile]) -> ModelIndex {
    let own: Vec<Arc<FileFacts>> = files.iter().map(|f| Arc::new(extract(f))).collect();
    let models = MODEL_FACTS
        .iter()
        .filter(|m| files.iter().all(|f| f.path != m.path))
        .cloned();
    let index = ModelIndex::from_facts(models.chain(own), &IndexOptions::default());
    let _ = index.render();
    index
}

/// Runs `f` on a thread with the stack the analysis gets in production (the front ends
/// give rayon's workers and tokio's blocking threads `guard::STACK_SIZE`), so that the
/// fuzzer finds the recursion that overflows there.
pub fn on_production_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .stack_size(ormhint::analysis::guard::STACK_SIZE)
            .spawn_scoped(scope, f)
            .expect("a thread starts");
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Debug builds panic on purpose on this comment (`flow::PANIC_FOR_TESTS`), for the
/// server's tests; cargo fuzz builds with debug assertions.
pub fn is_test_panic(text: &str) -> bool {
    text.contains("ormhint-test: panic")
}

/// The files of `text`: each starts at a `# --- path` line, as in the rule fixtures; text
/// before the first such line is `blog/views.py`. Paths are made ones the file walk can
/// produce (relative, `*.py`, no `..`), and the first file at a path wins.
pub fn project_files(text: &str) -> Vec<SourceFile> {
    let mut parts: Vec<(PathBuf, String)> = vec![(PathBuf::from("blog/views.py"), String::new())];
    for line in text.split_inclusive('\n') {
        match line.trim_end().strip_prefix("# --- ") {
            Some(path) => parts.push((walkable_path(path), String::new())),
            None => parts.last_mut().expect("never empty").1.push_str(line),
        }
    }
    let mut files: Vec<SourceFile> = Vec::new();
    for (path, source) in parts {
        if files.iter().all(|f| f.path != path) {
            files.push(SourceFile::new(path, source));
        }
    }
    files
}

fn walkable_path(raw: &str) -> PathBuf {
    let parts: Vec<String> = raw
        .split('/')
        .map(|part| {
            part.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect::<String>()
        })
        .filter(|part| !part.is_empty() && part.chars().any(|c| c != '.'))
        .collect();
    let mut path = parts.join("/");
    if path.is_empty() {
        path = "blog/views".to_string();
    }
    if !path.ends_with(".py") {
        path.push_str(".py");
    }
    PathBuf::from(path)
}

/// Whether `range` lies in `text` on character boundaries.
fn within(text: &str, start: usize, end: usize) -> bool {
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// What every diagnostic of `text` must be: its range and its related places in this
/// file within the text on character boundaries, its fix's edits too, sorted and apart.
pub fn assert_sound(path: &Path, text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let place = || format!("{} {:?} in {}", d.rule.code(), d.range, path.display());
        assert!(
            within(text, d.range.start, d.range.end),
            "range of {}",
            place()
        );
        for related in d.related.iter().filter(|r| r.path.is_none()) {
            let r = related.range;
            assert!(within(text, r.start, r.end), "related {r:?} of {}", place());
        }
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                let r = edit.range;
                assert!(within(text, r.start, r.end), "edit {r:?} of {}", place());
            }
            for pair in fix.edits.windows(2) {
                assert!(
                    pair[0].range.end <= pair[1].range.start && pair[0].range != pair[1].range,
                    "overlapping edits {:?} {:?} of {}",
                    pair[0].range,
                    pair[1].range,
                    place()
                );
            }
        }
    }
}

/// What every loop cost of `text` must be: its ranges within the text.
pub fn assert_costs_sound(text: &str, costs: &[LoopCost]) {
    for cost in costs {
        let ranges = [cost.iter_range, cost.body_range]
            .into_iter()
            .chain(cost.per_row.iter().map(|q| q.range));
        for r in ranges {
            assert!(within(text, r.start, r.end), "loop cost range {r:?}");
        }
    }
}

fn has_syntax_error(text: &str) -> bool {
    syntax::parse(text, None).root_node().has_error()
}

/// Checks `file` against `index` with every rule and fixes it the way `check --fix`
/// does, and each fix alone the way a quick fix does: every result is sound, a fix never
/// makes text that parsed unparsable, and fixing settles.
pub fn check_and_fix(file: &SourceFile, index: &ModelIndex) {
    let rules = RuleSet::all();
    let path = &file.path;
    let diagnostics = check_file(file, index, rules);
    assert_sound(path, &file.source, &diagnostics);
    assert_costs_sound(&file.source, &loop_costs(file, index));
    if diagnostics.iter().all(|d| d.fix.is_none()) {
        return;
    }
    let parsed = !file.tree().root_node().has_error();
    for fix in diagnostics.iter().filter_map(|d| d.fix.as_ref()) {
        let (fixed, _) = apply_fixes(&file.source, [fix]);
        assert!(
            !parsed || !has_syntax_error(&fixed),
            "the fix {:?} made {} unparsable:\n{fixed}",
            fix.message,
            path.display()
        );
    }
    let recheck = |source: &str| {
        let diagnostics = check_file(&SourceFile::new(path.clone(), source), index, rules);
        assert_sound(path, source, &diagnostics);
        Ok::<_, Infallible>(diagnostics)
    };
    let fixed = fix_until_stable(&file.source, diagnostics, false, recheck)
        .unwrap_or_else(|never| match never {});
    assert!(
        !parsed || !has_syntax_error(&fixed.source),
        "fixing made {} unparsable:\n{}",
        path.display(),
        fixed.source
    );
    let safe: Vec<_> = fixed
        .remaining
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == Applicability::Safe)
        .collect();
    let (again, _) = apply_fixes(&fixed.source, safe);
    assert_eq!(
        again,
        fixed.source,
        "the safe fixes of {} did not settle",
        path.display()
    );
}
