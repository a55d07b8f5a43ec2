//! Data-driven rule tests. Each fixture under `fixtures/rules/` holds several files, each
//! started by a `# --- path/to/file.py` line; expected diagnostics are written under the
//! code they point at, rust-analyzer style:
//!
//! ```python
//! print(post.author.name)
//! #     ^^^^^^^^^^^ ORM101
//! ```
//!
//! A first line `# select: ORM101` limits the rules run. The carets give the exact columns of the diagnostic's first line. The runner checks
//! the exact set of diagnostics, then applies every safe fix, snapshots the fixed files,
//! and checks the fixed code parses, has none of the fixed findings, and that fixing
//! again changes nothing.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ormhint::analysis::{Diagnostic, Rule, check_file};
use ormhint::config::Config;
use ormhint::fix::{Applicability, apply_fixes};
use ormhint::index::{IndexOptions, ModelIndex};
use ormhint::syntax::SourceFile;
use ormhint::text::LineIndex;

type Expected = BTreeSet<(String, usize, usize, usize, String)>;

/// Caret lines: `#   ^^^ ORM101` under the line they annotate.
fn expected(files: &[(String, String)]) -> Expected {
    let mut out = Expected::new();
    for (path, text) in files {
        let mut code_line = 0;
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let is_caret = trimmed.starts_with('#') && trimmed[1..].trim_start().starts_with('^');
            if !is_caret {
                code_line = n;
                continue;
            }
            let chars: Vec<char> = line.chars().collect();
            let start = chars.iter().position(|c| *c == '^').unwrap();
            let end = start + chars[start..].iter().take_while(|c| **c == '^').count();
            let rest: String = chars[end..].iter().collect();
            for code in rest.split_whitespace() {
                out.insert((path.clone(), code_line + 1, start, end, code.to_string()));
            }
        }
    }
    out
}

fn sources(files: &[(String, String)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|(path, text)| SourceFile::new(PathBuf::from(path), text.as_str()))
        .collect()
}

/// `# select: ORM101, ORM203` before the first file limits the rules run (as ruff's
/// fixtures do); without it every rule runs.
fn config_of(text: &str) -> Config {
    let mut config = Config::default();
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("# select:")) {
        config.rules = line
            .split(',')
            .map(|code| {
                Rule::from_code(code.trim()).unwrap_or_else(|| panic!("unknown rule {code}"))
            })
            .collect();
    }
    config
}

fn check_all(files: &[SourceFile], config: &Config) -> Vec<(usize, Vec<Diagnostic>)> {
    let index = ModelIndex::build(files, &IndexOptions::default());
    files
        .iter()
        .enumerate()
        .map(|(i, f)| (i, check_file(f, &index, config.rules)))
        .collect()
}

fn actual(files: &[SourceFile], results: &[(usize, Vec<Diagnostic>)]) -> Expected {
    let mut out = Expected::new();
    for (i, diagnostics) in results {
        let file = &files[*i];
        let lines = LineIndex::new(&file.source);
        for d in diagnostics {
            let start = lines.line_col_chars(&file.source, d.range.start);
            let end = lines.line_col_chars(&file.source, d.range.end);
            let end_col = if end.line == start.line {
                end.col
            } else {
                lines.line_text(&file.source, start.line).chars().count()
            };
            out.insert((
                file.path.display().to_string(),
                start.line + 1,
                start.col,
                end_col,
                d.rule.code().to_string(),
            ));
        }
    }
    out
}

fn describe(set: &Expected) -> String {
    set.iter()
        .map(|(p, l, s, e, c)| format!("  {p}:{l}:{}-{} {c}", s + 1, e + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn apply_safe(files: &[SourceFile], results: &[(usize, Vec<Diagnostic>)]) -> Vec<SourceFile> {
    apply(files, results, false)
}

fn apply(
    files: &[SourceFile],
    results: &[(usize, Vec<Diagnostic>)],
    include_unsafe: bool,
) -> Vec<SourceFile> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let fixes = results[i]
                .1
                .iter()
                .filter_map(|d| d.fix.as_ref())
                .filter(|fix| include_unsafe || fix.applicability == Applicability::Safe);
            let (text, _) = apply_fixes(&f.source, fixes);
            SourceFile::new(f.path.clone(), text.as_str())
        })
        .collect()
}

/// Each diagnostic as a reader sees it: place, code, message, related places and the
/// fix's title, so a change to any of them shows in the snapshot.
fn rendered(files: &[SourceFile], results: &[(usize, Vec<Diagnostic>)]) -> String {
    let mut out = String::new();
    for (i, diagnostics) in results {
        let file = &files[*i];
        let lines = LineIndex::new(&file.source);
        let at = |offset| {
            let p = lines.line_col_chars(&file.source, offset);
            format!("{}:{}", p.line + 1, p.col + 1)
        };
        for d in diagnostics {
            out.push_str(&format!(
                "{}:{} {} {}\n",
                file.path.display(),
                at(d.range.start),
                d.rule.code(),
                d.message
            ));
            for related in &d.related {
                out.push_str(&format!(
                    "    related {}: {}\n",
                    at(related.range.start),
                    related.message
                ));
            }
            if let Some(fix) = &d.fix {
                let applicability = match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                };
                out.push_str(&format!("    fix ({applicability}): {}\n", fix.message));
            }
        }
    }
    out
}

fn check_fixture(name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut parts = support::fixture::split(&text);
    // Fixtures without models of their own share `_models.py`.
    if !parts.iter().any(|(p, _)| p.ends_with("models.py")) {
        let shared = std::fs::read_to_string(path.with_file_name("_models.py")).unwrap();
        parts.splice(0..0, support::fixture::split(&shared));
    }
    let files = sources(&parts);
    let config = config_of(&text);
    let results = check_all(&files, &config);
    let want = expected(&parts);
    let got = actual(&files, &results);
    if want != got {
        panic!(
            "{name}: diagnostics differ\nmissing:\n{}\nunexpected:\n{}\nall reported:\n{}",
            describe(&want.difference(&got).cloned().collect()),
            describe(&got.difference(&want).cloned().collect()),
            results
                .iter()
                .flat_map(|(i, ds)| {
                    let path = files[*i].path.display().to_string();
                    ds.iter()
                        .map(move |d| format!("  {path}: {} {}", d.rule, d.message))
                })
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    let snapshot_name = name.trim_end_matches(".py");
    insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("{snapshot_name}_diagnostics"), rendered(&files, &results));
    });

    // Fixes: applied once, the code parses as before and the fixed findings are gone;
    // applied again, nothing changes.
    let fixed = apply_safe(&files, &results);
    let mut snapshot = String::new();
    for (before, after) in files.iter().zip(&fixed) {
        if before.source != after.source {
            assert!(
                !after.tree().root_node().has_error() || before.tree().root_node().has_error(),
                "{name}: fix made {} unparsable:\n{}",
                after.path.display(),
                after.source
            );
            snapshot.push_str(&format!("# --- {}\n{}", after.path.display(), after.source));
        }
    }
    let again = check_all(&fixed, &config);
    for (i, diagnostics) in &again {
        for d in diagnostics {
            let fixed_before = results[*i].1.iter().any(|o| {
                o.rule == d.rule
                    && o.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Safe)
            });
            assert!(
                !(fixed_before
                    && d.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Safe)),
                "{name}: after fixing, {} still reports {} {}",
                fixed[*i].path.display(),
                d.rule,
                d.message
            );
        }
    }
    let twice = apply_safe(&fixed, &again);
    for (a, b) in fixed.iter().zip(&twice) {
        assert_eq!(
            a.source,
            b.source,
            "{name}: a second fix pass changed {}",
            a.path.display()
        );
    }
    insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("{snapshot_name}_fixed"), snapshot);
    });

    // Unsafe fixes are offered, never applied in bulk: their result is snapshotted apart.
    let has_unsafe = results.iter().flat_map(|(_, ds)| ds).any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| f.applicability == Applicability::Unsafe)
    });
    if has_unsafe {
        let all = apply(&files, &results, true);
        let mut unsafe_snapshot = String::new();
        for (before, after) in files.iter().zip(&all) {
            if before.source != after.source {
                unsafe_snapshot.push_str(&format!(
                    "# --- {}\n{}",
                    after.path.display(),
                    after.source
                ));
            }
        }
        insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{snapshot_name}_unsafe_fixed"), unsafe_snapshot);
        });
    }
}

/// Every fixture in `fixtures/rules/` (files starting with `_` are shared models), each
/// checked whole; the failures of all are reported together.
#[test]
fn rule_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".py") && !name.starts_with('_'))
        .collect();
    names.sort();
    let failed: Vec<String> = names
        .iter()
        .filter(|name| std::panic::catch_unwind(|| check_fixture(name)).is_err())
        .cloned()
        .collect();
    assert!(failed.is_empty(), "failing fixtures: {failed:?}");
}

/// Adding a rule means adding its fixture, named after it. A rule that counts over the
/// workspace has a project of several files instead (`missing_index.rs`).
#[test]
fn every_rule_has_a_fixture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let per_file = Rule::ALL
        .iter()
        .filter(|r| r.needs() != ormhint::analysis::rules::Needs::Workspace);
    for rule in per_file {
        let file = format!("{}.py", rule.name().replace('-', "_"));
        assert!(
            dir.join(&file).exists(),
            "{} has no fixture {file}",
            rule.code()
        );
    }
}
