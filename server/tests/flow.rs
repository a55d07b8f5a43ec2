//! Data-driven tests of the facts the flow analysis records, rust-analyzer style: each
//! file under `fixtures/flow/` holds several files, each started by a `# --- path` line
//! (a `models.py` among them, else those of `_models.py`); the facts recorded for every other file are rendered as
//! text and compared with the snapshot `snapshots/flow/<name>.snap`.

mod support;

use std::fmt::Write;
use std::path::PathBuf;

use ormhint::analysis::access::{Access, AccessKind, Hop};
use ormhint::analysis::flow::{self, EvaluationKind, Facts, Qs};
use ormhint::index::{IndexOptions, ModelIndex};
use ormhint::syntax::SourceFile;
use ormhint::text::{LineIndex, TextRange};

fn sources(text: &str) -> Vec<SourceFile> {
    support::fixture::split(text)
        .iter()
        .map(|(path, text)| SourceFile::new(PathBuf::from(path), text.as_str()))
        .collect()
}

struct Renderer<'a> {
    file: &'a SourceFile,
    lines: LineIndex,
    index: &'a ModelIndex,
    out: String,
}

impl Renderer<'_> {
    fn at(&self, range: TextRange) -> String {
        let p = self.lines.line_col_chars(&self.file.source, range.start);
        format!("{}:{}", p.line + 1, p.col + 1)
    }

    fn text(&self, range: TextRange) -> &str {
        &self.file.source[range.start..range.end]
    }

    fn qs(&self, qs: &Qs) -> String {
        let model = &self.index.model(qs.model).name;
        let origin = qs.origin.as_ref().map_or("(elsewhere)".to_string(), |o| {
            format!("`{}`", self.text(o.range))
        });
        let mut text = format!("{model} from {origin}");
        let applied = qs.applied.to_string();
        if !applied.is_empty() {
            write!(text, " {applied}").unwrap();
        }
        if !qs.prefix.is_empty() {
            write!(text, " under {}", path(&qs.prefix)).unwrap();
        }
        if qs.per_row {
            text.push_str(" per row");
        }
        text
    }

    fn access(&self, access: &Access) -> String {
        let what = match &access.kind {
            AccessKind::Column { field } => format!("column {field}"),
            AccessKind::Pk => "pk".to_string(),
            AccessKind::Load { path: p } => format!("load {}", path(p)),
            AccessKind::Many { path: p, op } => format!("many {} {op:?}", path(p)),
            AccessKind::IdRead { path: p } => format!("id of {}", path(p)),
            AccessKind::Other => "other".to_string(),
        };
        let via = access
            .via
            .as_ref()
            .map(|v| format!(" via {v}"))
            .unwrap_or_default();
        format!("{what} at {}{via}", self.at(access.range))
    }

    fn facts(&mut self, facts: &Facts) {
        let mut out = String::new();
        for fact in &facts.loops {
            writeln!(
                out,
                "loop over `{}` at {}{}",
                self.text(fact.iter_range),
                self.at(fact.iter_range),
                if fact.sole_consumer {
                    " (sole consumer)"
                } else {
                    ""
                }
            )
            .unwrap();
            for source in &fact.sources {
                writeln!(out, "    rows {}", self.qs(source)).unwrap();
            }
            for access in &fact.accesses {
                writeln!(out, "    reads {}", self.access(access)).unwrap();
            }
        }
        for evaluation in &facts.evaluations {
            let kind = match evaluation.kind {
                EvaluationKind::Existence { exists, measure } => {
                    format!("existence (exists: {exists}, by {measure:?})")
                }
                EvaluationKind::Len => "len".to_string(),
                EvaluationKind::Exists { exists } => format!("exists() (exists: {exists})"),
                EvaluationKind::Count => "count".to_string(),
            };
            writeln!(
                out,
                "evaluation {kind} of `{}` at {}{}{}",
                evaluation.qs_text,
                self.at(evaluation.range),
                if evaluation.sole_use {
                    " (sole use)"
                } else {
                    ""
                },
                match evaluation.iterated_after {
                    Some(after) => format!(", iterated after at {}", self.at(after.range)),
                    None => String::new(),
                }
            )
            .unwrap();
        }
        for call in &facts.lookup_calls {
            let keywords: Vec<&str> = call.keywords.iter().map(|(k, _)| k.as_str()).collect();
            let strings: Vec<&str> = call.call.strings.iter().map(|(s, _)| s.as_str()).collect();
            writeln!(
                out,
                "lookups {}({}) on {} at {}{}",
                call.method,
                strings
                    .iter()
                    .chain(&keywords)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                self.index.model(call.model).name,
                self.at(call.call.range),
                match &call.annotations {
                    Some(names) if !names.is_empty() => format!(" annotated {}", names.join(", ")),
                    Some(_) => String::new(),
                    None => " annotated (unknown)".to_string(),
                }
            )
            .unwrap();
        }
        for pair in &facts.only_then_values {
            writeln!(
                out,
                "only at {} then {} at {}",
                self.at(pair.only.range),
                pair.values_method,
                self.at(pair.values.range)
            )
            .unwrap();
        }
        for read in &facts.id_reads {
            writeln!(
                out,
                "id read `{}` at {} as {}",
                self.text(read.replace),
                self.at(read.replace),
                read.attname
            )
            .unwrap();
            for obj in &read.objs {
                writeln!(
                    out,
                    "    of {} through {}",
                    self.qs(&obj.qs),
                    path(&obj.path)
                )
                .unwrap();
            }
        }
        self.out.push_str(&out);
    }
}

fn path(hops: &[Hop]) -> String {
    hops.iter()
        .map(|h| h.name.as_str())
        .collect::<Vec<_>>()
        .join("__")
}

fn render_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/flow")
        .join(name);
    let mut text = std::fs::read_to_string(&path).unwrap();
    // Fixtures without models of their own share `_models.py`.
    if !text.contains("models.py\n") {
        text = std::fs::read_to_string(path.with_file_name("_models.py")).unwrap() + &text;
    }
    let files = sources(&text);
    let index = ModelIndex::build(&files, &IndexOptions::default());
    let mut rendered = String::new();
    for file in files.iter().filter(|f| !f.path.ends_with("models.py")) {
        let mut renderer = Renderer {
            file,
            lines: LineIndex::new(&file.source),
            index: &index,
            out: String::new(),
        };
        renderer.facts(&flow::analyse(file, &index));
        writeln!(rendered, "# --- {}\n{}", file.path.display(), renderer.out).unwrap();
    }
    rendered
}

#[test]
fn flow_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flow");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".py") && !name.starts_with('_'))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let rendered = render_fixture(&name);
        insta::with_settings!({ snapshot_path => "snapshots/flow", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name.trim_end_matches(".py").to_string(), rendered);
        });
    }
}
