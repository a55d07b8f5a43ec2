//! From a parsed file and the model index to diagnostics: the queryset flow, the rules,
//! and `# noqa` suppression.

pub mod access;
pub mod bare_select;
pub mod column_uses;
pub mod cost;
pub mod fixes;
pub mod flow;
pub mod guard;
pub mod loads;
pub mod lookups;
pub mod noqa;
pub mod registry;
pub mod rules;
pub mod serializers;
pub mod sources;
pub mod templates;

use std::path::PathBuf;

pub use registry::RuleSet;
pub use rules::Rule;

use crate::fix::Fix;
use crate::text::TextRange;

#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
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
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// `None`: the same file as the diagnostic.
    pub path: Option<PathBuf>,
    pub range: TextRange,
    pub message: String,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub message: String,
    /// Where the reader must look first (for N+1 rules, the access inside the loop).
    pub range: TextRange,
    pub related: Vec<Related>,
    /// Edits to the diagnostic's own file.
    pub fix: Option<Fix>,
    /// Shown at this severity whatever the rule's: the code raises (Django 6.1's
    /// `FETCH_RAISE` blocks the fetch).
    #[serde(default)]
    pub severity: Option<Severity>,
}

use crate::index::ModelIndex;
use crate::syntax::node::nested_beyond;
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
    check_file_guarded(file, index, rules, cache)
        .map(|checked| checked.diagnostics)
        .unwrap_or_default()
}

/// What the analysis of one file found.
#[derive(Debug, Default)]
pub struct Checked {
    /// `# noqa` applied, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The columns its lookups reach, when a rule that counts them over the workspace
    /// runs ([`rules::Needs::Workspace`]).
    pub column_uses: Vec<column_uses::ColumnUse>,
}

/// [`check_file_with`], or why `file` was not analysed: nested deeper than the
/// walkers go, or analysed for longer than [`guard::TIME_LIMIT`] (its partial facts
/// could make a rule report what the rest of the file contradicts).
pub fn check_file_guarded(
    file: &SourceFile,
    index: &ModelIndex,
    rules: RuleSet,
    cache: &mut flow::FlowCache,
) -> Result<Checked, guard::Refusal> {
    if !scan_allows(file) {
        return Ok(Checked::default());
    }
    if file.source.contains('\0') {
        return Err(guard::Refusal::NulByte);
    }
    let statements = file.top_level();
    if file.parse_stopped() {
        return Err(guard::Refusal::ParseTooSlow);
    }
    if statements
        .iter()
        .any(|(node, _)| nested_beyond(*node, guard::MAX_NESTING - 1))
    {
        return Err(guard::Refusal::TooDeep);
    }
    let deadline = guard::Deadline::new(guard::TIME_LIMIT);
    let facts = flow::analyse_until(file, index, cache, &deadline);
    if deadline.passed() {
        return Err(guard::Refusal::TooSlow);
    }
    if facts.is_empty() {
        return Ok(Checked::default());
    }
    let column_uses = if rules.needs_workspace() {
        column_uses::column_uses(file, &facts, index)
    } else {
        Vec::new()
    };
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
    Ok(Checked {
        diagnostics: noqa::apply(file, diagnostics),
        column_uses,
    })
}

/// The findings of the rules that count over the whole workspace
/// ([`rules::Needs::Workspace`]) on `file`, from the column uses of every file,
/// `# noqa` applied.
pub fn check_workspace_file(
    file: &SourceFile,
    index: &ModelIndex,
    rules: RuleSet,
    uses: &column_uses::WorkspaceUses,
) -> Vec<Diagnostic> {
    if !rules.contains(Rule::MissingIndex) {
        return Vec::new();
    }
    let mut diagnostics = rules::missing_index::check_workspace(file, index, uses);
    drop_fixes_at_syntax_errors(file, &mut diagnostics);
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

/// The cheap byte scan lets `file` through to the analysis.
fn scan_allows(file: &SourceFile) -> bool {
    scan::may_use_orm(&file.source)
}
