//! From a parsed file and the model index to diagnostics: the queryset flow, the rules,
//! and `# noqa` suppression.

pub mod access;
pub mod cost;
pub mod fixes;
pub mod flow;
pub mod loads;
pub mod lookups;
pub mod noqa;
pub mod registry;
pub mod rules;

use std::path::PathBuf;

pub use registry::RuleSet;
pub use rules::Rule;

use crate::fix::Fix;
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" | "information" => Severity::Info,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

/// A place elsewhere that explains the diagnostic (the queryset that lacks `select_related`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// `None`: the same file as the diagnostic.
    pub path: Option<PathBuf>,
    pub range: TextRange,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub message: String,
    /// Where the reader must look first (for N+1 rules, the access inside the loop).
    pub range: TextRange,
    pub related: Vec<Related>,
    /// Edits to the diagnostic's own file.
    pub fix: Option<Fix>,
}

use crate::index::ModelIndex;
use crate::syntax::node::deeper_than;
use crate::syntax::{SourceFile, scan};

/// Every diagnostic the rules of `rules` report on `file`, `# noqa` already applied,
/// sorted by position.
pub fn check_file(file: &SourceFile, index: &ModelIndex, rules: RuleSet) -> Vec<Diagnostic> {
    check_file_with(file, index, rules, &mut flow::FlowCache::default())
}

/// [`check_file`] for successive versions of one file: definitions unchanged since the
/// last call are not walked again (`cache` holds their facts).
pub fn check_file_with(
    file: &SourceFile,
    index: &ModelIndex,
    rules: RuleSet,
    cache: &mut flow::FlowCache,
) -> Vec<Diagnostic> {
    if !scan_allows(file) {
        return Vec::new();
    }
    let facts = flow::analyse_with(file, index, cache);
    if facts.is_empty() {
        return Vec::new();
    }
    let quote = flow::file_quote(file);
    let loops = Rule::ALL
        .iter()
        .any(|r| rules.contains(*r) && r.needs() == rules::Needs::LoopFindings)
        .then(|| loads::find(&facts, index, quote));
    let ctx = rules::Context {
        file,
        index,
        facts: &facts,
        quote,
        loops,
    };
    let mut diagnostics = rules::run(&ctx, rules);
    drop_fixes_at_syntax_errors(file, &mut diagnostics);
    diagnostics.sort_by_key(|a| (a.range, a.rule));
    diagnostics.dedup_by(|a, b| a.range == b.range && a.rule == b.rule);
    noqa::apply(file, diagnostics)
}

/// Drops the fixes that edit where the syntax is broken: the text there is not what the
/// analysis read (an insertion after `active("` lands in the string that `"` opens), so
/// the fix cannot take effect, and `--fix` would insert it again at every round.
fn drop_fixes_at_syntax_errors(file: &SourceFile, diagnostics: &mut [Diagnostic]) {
    // The node of the bytes `from..to`: a token's node is the expression it is part of.
    let place = |from: usize, to: usize| {
        let node = file.node_for_range(from, to)?;
        Some(match node.child_count() {
            0 => node.parent().unwrap_or(node),
            _ => node,
        })
    };
    let broken = |edit: &crate::fix::Edit| {
        let TextRange { start, end } = edit.range;
        // A token that touches the edit is part of the place; whitespace ends it.
        let touches =
            |at: usize| (file.source.as_bytes().get(at)).is_some_and(|b| !b.is_ascii_whitespace());
        let before = (start > 0 && touches(start - 1))
            .then(|| place(start - 1, start))
            .flatten();
        let after = touches(end).then(|| place(end, end + 1)).flatten();
        [before, place(start, end), after]
            .into_iter()
            .flatten()
            .any(|node| node.has_error())
    };
    for diagnostic in diagnostics {
        if let Some(fix) = &diagnostic.fix
            && fix.edits.iter().any(broken)
        {
            diagnostic.fix = None;
        }
    }
}

/// Syntax nested deeper than this (in tree levels) is not analysed. The walks over it
/// recurse, and a stack overflow aborts the whole process, not one file: a method
/// chain of 480 calls, 960 levels, overflowed a 2 MiB thread stack (rayon's and
/// tokio's blocking threads have that). CPython refuses 200 nested brackets: code this
/// deep is generated or garbage.
pub const MAX_DEPTH: usize = 400;

/// The cheap byte scan lets `file` through to the analysis, and its syntax is not too
/// deep to walk.
fn scan_allows(file: &SourceFile) -> bool {
    scan::may_use_orm(&file.source)
        && !file
            .top_level()
            .into_iter()
            .any(|(node, _)| deeper_than(node, MAX_DEPTH))
}
