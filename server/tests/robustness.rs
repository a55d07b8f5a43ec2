//! No input may make the analysis panic: every rule fixture and the example project's
//! files, cut and spliced at thousands of pseudo-random places (a fixed seed, so a
//! failure reproduces), go through the index and every rule.

use std::path::{Path, PathBuf};

use ormhint::analysis::{Diagnostic, Rule, RuleSet, check_file};
use ormhint::config::Config;
use ormhint::index::{IndexOptions, ModelIndex};
use ormhint::syntax::SourceFile;
use ormhint::text::TextRange;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

const SPLICES: &[&str] = &[
    "",
    "(",
    ")",
    ":",
    "\n",
    "\n    ",
    ".",
    ".all()",
    ".select_related(",
    "\"",
    "'",
    "for x in ",
    "objects",
    "é😀",
    "\r\n",
    "lambda",
    "[",
    "]",
    "**",
    "if ",
    "#",
    "\\",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        let cut = rng.below(20).min(bytes.len().saturating_sub(at));
        let splice = SPLICES[rng.below(SPLICES.len())];
        bytes.splice(at..at + cut, splice.chars());
    }
    bytes.into_iter().collect()
}

#[test]
fn mutated_sources_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    python_files(&root.join("tests/fixtures/rules"), &mut paths);
    python_files(&root.join("../tests/fixtures/shop"), &mut paths);
    paths.sort();
    let originals: Vec<(PathBuf, String)> = paths
        .iter()
        .map(|p| {
            (
                p.strip_prefix(root).unwrap().to_path_buf(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let config = Config::default();
    let mut checked = 0;
    for round in 0..60 {
        let files: Vec<SourceFile> = originals
            .iter()
            .map(|(path, text)| {
                let text = if round == 0 {
                    text.clone()
                } else {
                    mutate(text, &mut rng)
                };
                SourceFile::new(path.clone(), text.as_str())
            })
            .collect();
        let index = ModelIndex::build(&files, &IndexOptions::default());
        let _ = index.render();
        for file in &files {
            let diagnostics = check_file(file, &index, config.rules);
            for d in diagnostics {
                assert!(d.range.start <= d.range.end && d.range.end <= file.source.len());
                if let Some(fix) = &d.fix {
                    for edit in &fix.edits {
                        assert!(edit.range.end <= file.source.len());
                        assert!(file.source.is_char_boundary(edit.range.start));
                        assert!(file.source.is_char_boundary(edit.range.end));
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} files checked");
}

/// The language server re-checks each edited version with the facts of unchanged
/// definitions kept from before: after every one of many random edits, the result must
/// equal a check from scratch.
#[test]
fn cached_analysis_equals_a_fresh_one_after_edits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shop = root.join("../tests/fixtures/shop");
    let mut paths = Vec::new();
    python_files(&shop, &mut paths);
    paths.sort();
    let files: Vec<SourceFile> = paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(&shop).unwrap().to_path_buf();
            SourceFile::new(rel, std::fs::read_to_string(p).unwrap().as_str())
        })
        .collect();
    let index = ModelIndex::build(&files, &IndexOptions::default());
    let mut rng = Rng(0x51_7C_C1_B7_27_22_0A_95);
    for file in files.iter().filter(|f| f.source.contains("objects")) {
        assert_cache_follows_edits(file, &index, &mut rng, 60);
    }
}

/// The methods of model and plain classes are cached one by one, and the rest of their
/// bodies together: each of these has findings, so stale or misplaced facts show.
#[test]
fn cached_analysis_of_methods_equals_a_fresh_one_after_edits() {
    let source = r#"from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=10)


class Post(models.Model):
    title = models.CharField(max_length=10)
    author = models.ForeignKey(Author, models.CASCADE)

    def siblings(self):
        for post in Post.objects.filter(title=self.title):
            print(post.author.name)

    def has_any(self):
        return Post.objects.filter(title=self.title).count() > 0

    def author_pk(self):
        return self.author.id

    @property
    def typo(self):
        return Post.objects.filter(titel="x")

    @classmethod
    def names(cls):
        return [p.author.name for p in cls.objects.all()]


class Report:
    label = "posts"
    recent = Post.objects.filter(titel="recent")

    def rows(self):
        return [(p.title, p.author.name) for p in Post.objects.all()]

    def any_rows(self):
        return len(Post.objects.all()) > 0
"#;
    let file = SourceFile::new("blog/models.py".into(), source);
    let index = ModelIndex::build(std::slice::from_ref(&file), &IndexOptions::default());
    let fresh = check_file(&file, &index, RuleSet::all());
    assert_eq!(fresh.len(), 7, "{fresh:?}");
    let mut rng = Rng(0x2F_0A_9C_41_D3_77_15_E9);
    assert_cache_follows_edits(&file, &index, &mut rng, 400);

    // A class that stops being a model keeps its methods' texts, not their facts.
    use ormhint::analysis::check_file_with;
    use ormhint::analysis::flow::FlowCache;
    let mut cache = FlowCache::default();
    check_file_with(&file, &index, RuleSet::all(), &mut cache);
    let renamed = SourceFile::new(
        file.path.clone(),
        source.replace("class Post(", "class Posts("),
    );
    let cached = check_file_with(&renamed, &index, RuleSet::all(), &mut cache);
    let fresh = check_file(&renamed, &index, RuleSet::all());
    assert_eq!(format!("{cached:?}"), format!("{fresh:?}"));
}

/// Applies `edits` random edits to `file`, checking each version with one cache and
/// from scratch: the results must be equal.
fn assert_cache_follows_edits(file: &SourceFile, index: &ModelIndex, rng: &mut Rng, edits: usize) {
    use ormhint::analysis::check_file_with;
    use ormhint::analysis::flow::FlowCache;

    const EDITS: &[&str] = &["", "\n", "\n\n", "    pass\n", "x", " ", "#", "(", "é😀"];
    let config = Config::default();
    let mut cache = FlowCache::default();
    let mut text = file.source.to_string();
    for _ in 0..edits {
        // Whole lines inserted or removed keep most definitions intact (the cache is
        // used); characters spliced in change one of them (the cache is refreshed).
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let at = rng.below(lines.len());
        let mut next: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        match rng.below(3) {
            0 => next.insert(at, EDITS[rng.below(EDITS.len())].to_string()),
            1 if next.len() > 1 => {
                next.remove(at);
            }
            _ => {
                let line = &mut next[at];
                let cut = line
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(rng.below(line.chars().count().max(1)))
                    .unwrap_or(0);
                line.insert_str(cut, EDITS[rng.below(EDITS.len())]);
            }
        }
        text = next.concat();
        let edited = SourceFile::new(file.path.clone(), text.as_str());
        let cached = check_file_with(&edited, index, config.rules, &mut cache);
        let fresh = check_file(&edited.detached(), index, config.rules);
        assert_eq!(
            format!("{cached:?}"),
            format!("{fresh:?}"),
            "{} after an edit:\n{text}",
            file.path.display()
        );
    }
}

// Inputs the fuzz targets (`fuzz/`) made fail, minimised; each is also kept in the fuzz
// corpus as `fuzz/corpus/<target>/regression-<name>`.

/// The fixture models the fuzz targets index every input with, beside `files`.
fn checked_with_fixture_models(files: &[(&str, &str)]) -> Vec<(SourceFile, Vec<Diagnostic>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let models = [
        ("blog/models.py", "tests/fixtures/rules/_models.py"),
        (
            "accounts/models.py",
            "../tests/fixtures/shop/accounts/models.py",
        ),
        (
            "catalog/models/__init__.py",
            "../tests/fixtures/shop/catalog/models/__init__.py",
        ),
        (
            "catalog/models/category.py",
            "../tests/fixtures/shop/catalog/models/category.py",
        ),
        (
            "catalog/models/product.py",
            "../tests/fixtures/shop/catalog/models/product.py",
        ),
        (
            "catalog/models/review.py",
            "../tests/fixtures/shop/catalog/models/review.py",
        ),
        (
            "catalog/querysets.py",
            "../tests/fixtures/shop/catalog/querysets.py",
        ),
    ];
    let mut sources: Vec<SourceFile> = models
        .iter()
        .map(|(path, file)| {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            SourceFile::new(PathBuf::from(path), text)
        })
        .collect();
    sources.extend(
        files
            .iter()
            .map(|(path, text)| SourceFile::new(PathBuf::from(path), *text)),
    );
    let index = ModelIndex::build(&sources, &IndexOptions::default());
    sources
        .into_iter()
        .skip(models.len())
        .map(|file| {
            let found = check_file(&file, &index, RuleSet::all());
            (file, found)
        })
        .collect()
}

/// `check_bytes`: a keyword argument whose name is followed by a character tree-sitter
/// cannot read (`i\u{FFFD}=`) puts an ERROR node between the name and the `=`. ORM602
/// took the node before the value for the name, and offered to replace bytes inside
/// that character. It reports the name; the fix is not offered, the syntax around the
/// name being broken.
#[test]
fn an_unknown_keyword_before_a_syntax_error_is_reported_at_its_name() {
    let source = "from .models import User\n\n User.objects.filter(i\u{FFFD}=Te).y";
    let checked = checked_with_fixture_models(&[("accounts/s.py", source)]);
    let found = &checked[0].1;
    let name = source.find("i\u{FFFD}").unwrap();
    let unknown: Vec<_> = found
        .iter()
        .filter(|d| d.rule == Rule::UnknownLookup)
        .collect();
    assert_eq!(unknown.len(), 1, "{found:?}");
    assert_eq!(unknown[0].range, TextRange::new(name, name + 1));
    assert_eq!(unknown[0].fix, None);
    // With the syntax sound, the close name is offered at the name.
    let source = "from .models import User\n\n User.objects.filter(i=Te).y";
    let checked = checked_with_fixture_models(&[("accounts/s.py", source)]);
    let fix = checked[0].1[0]
        .fix
        .as_ref()
        .expect("a close name is offered");
    assert_eq!(fix.edits[0].range, TextRange::new(name, name + 1));
}

/// `lsp_edits`: a huge line of `(` (the fuzzer pasted 10,000) nests the syntax thousands
/// of levels deep, and the analysis' walks recurse: the stack overflowed, which aborts
/// the process (the language server, or every file of a `check`), not one request.
/// Syntax past `MAX_NESTING` levels is not analysed: no finding, no crash.
#[test]
fn syntax_nested_too_deep_is_not_analysed() {
    let view = |expression: &str| {
        format!(
            "from blog.models import Post\n\n\ndef view():\n    for post in Post.objects.all():\n        \
             print(post.author.name, {expression})\n"
        )
    };
    let deep = [
        format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("{}x{}", "f(".repeat(10_000), ")".repeat(10_000)),
        format!("Post.objects{}", ".all()".repeat(10_000)),
        format!("x{}", " + x".repeat(10_000)),
        format!("x{}", ".a".repeat(10_000)),
        // Unclosed, as while typing.
        "[".repeat(10_000),
    ];
    for expression in &deep {
        let checked = checked_with_fixture_models(&[("blog/views.py", &view(expression))]);
        assert_eq!(checked[0].1, [], "{}", &expression[..20]);
    }
    // Nesting as deep as real code goes is analysed.
    let nested = format!("{}x{}", "(".repeat(50), ")".repeat(50));
    let checked = checked_with_fixture_models(&[("blog/views.py", &view(&nested))]);
    let rules: Vec<Rule> = checked[0].1.iter().map(|d| d.rule).collect();
    assert_eq!(rules, [Rule::MissingSelectRelated]);
}

/// `lsp_edits`: a document holding a NUL byte (the CLI skips such a file) is not
/// analysed: tree-sitter's reading of the text around it depended on the edits that led
/// there, so a cached analysis reported a finding a fresh one did not.
#[test]
fn a_text_with_a_nul_byte_is_not_analysed() {
    let view = |extra: &str| {
        format!(
            "from blog.models import Post{extra}\n\n\ndef view():\n    for post in Post.objects.all():\n        \
             print(post.author.name)\n"
        )
    };
    let clean = checked_with_fixture_models(&[("blog/views.py", &view(""))]);
    let rules: Vec<Rule> = clean[0].1.iter().map(|d| d.rule).collect();
    assert_eq!(rules, [Rule::MissingSelectRelated]);
    let nul = checked_with_fixture_models(&[("blog/views.py", &view("\0\0"))]);
    assert_eq!(nul[0].1, []);
}

/// `check_bytes`: a fix that edits where the syntax is broken cannot take effect. The
/// prefetch for `product.tags` went after `active("`, into the string that `"` opens:
/// the finding stayed, and `--fix` inserted `.prefetch_related("tags")` again at every
/// round, ten times. The finding is reported without a fix.
#[test]
fn a_fix_is_not_offered_where_the_syntax_is_broken() {
    let source = "\nfrom .models import Product,    for product in Product.objects.active(\"):\n \
                  gin product.tags.all()iews\n]\n";
    let checked = checked_with_fixture_models(&[("catalog/sft.py", source)]);
    let found = &checked[0].1;
    let rules: Vec<Rule> = found.iter().map(|d| d.rule).collect();
    assert_eq!(rules, [Rule::MissingPrefetchRelated]);
    assert_eq!(found[0].fix, None);
    // Where the syntax is sound, the prefetch is offered.
    let sound = "from .models import Product\n\n\ndef tags():\n    \
                 for product in Product.objects.active():\n        print(product.tags.all())\n";
    let checked = checked_with_fixture_models(&[("catalog/sft.py", sound)]);
    let fix = checked[0].1[0]
        .fix
        .as_ref()
        .expect("a fix where the syntax is sound");
    let at = sound.find("active()").unwrap() + "active()".len();
    assert_eq!(fix.edits[0].range, TextRange::empty(at));
}
