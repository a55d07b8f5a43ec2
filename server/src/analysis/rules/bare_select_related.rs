//! ORM603: `select_related()` with no arguments and `ModelAdmin.list_select_related =
//! True`, both deprecated in Django 6.1; the fix names the relations Django follows there.

use std::collections::BTreeMap;

use super::{Context, Rule, Violation};
use crate::analysis::Diagnostic;
use crate::analysis::bare_select::followed_paths;
use crate::analysis::flow::SelectSetting;
use crate::analysis::loads::minimal;
use crate::fix::{Applicability, Edit};
use crate::index::queryset_api::Names;
use crate::index::{ModelId, ModelIndex};
use crate::text::TextRange;

/// The release that deprecates both spellings.
const DEPRECATED_IN: (u32, u32) = (6, 1);

/// More names than this make the list a choice to review, not a rewrite: a bare
/// `select_related()` that joins this much is rarely read in full.
const MAX_NAMES: usize = 8;

pub struct BareSelectRelated {
    pub place: Place,
    pub model: String,
    pub follows: Follows,
    /// The quote the fix writes names in.
    pub quote: char,
}

pub enum Place {
    /// `qs.select_related()`.
    Call,
    /// `list_select_related = True` in a `ModelAdmin`.
    Admin,
}

/// What Django follows there.
pub enum Follows {
    /// These relation paths, the fewest that imply all (`order__customer` implies `order`).
    Names(Vec<String>),
    /// More than [`MAX_NAMES`] paths.
    Many(usize),
    /// The model may have relations the index does not see.
    Unknown,
}

impl BareSelectRelated {
    fn quoted(&self, names: &[String]) -> String {
        let q = self.quote;
        names
            .iter()
            .map(|n| format!("{q}{n}{q}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn ticked(names: &[String]) -> String {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Violation for BareSelectRelated {
    const RULE: Rule = Rule::BareSelectRelated;

    fn message(&self) -> String {
        let model = &self.model;
        let (written, verb) = match self.place {
            Place::Call => ("`select_related()` with no arguments", "follows"),
            Place::Admin => ("`list_select_related = True`", "selects"),
        };
        let what = match (&self.follows, &self.place) {
            (Follows::Names(names), Place::Call) if names.is_empty() => format!(
                "here it follows no relation of `{model}` (none is a non-null foreign key): remove it"
            ),
            (Follows::Names(names), Place::Admin) if names.is_empty() => format!(
                "the changelist of `{model}` selects nothing with it (no non-null foreign key): an empty list does the same"
            ),
            (Follows::Names(names), Place::Call) => format!(
                "here it follows {} of `{model}`: name them",
                Self::ticked(names)
            ),
            (Follows::Names(names), Place::Admin) => format!(
                "the changelist of `{model}` {verb} {} with it: name them",
                Self::ticked(names)
            ),
            (Follows::Many(count), _) => format!(
                "on `{model}` it {verb} {count} relations: name those the code reads"
            ),
            (Follows::Unknown, _) => "name the relations the code reads".to_string(),
        };
        format!("{written} is deprecated since Django 6.1; {what}")
    }

    fn fix_title(&self) -> Option<String> {
        let Follows::Names(names) = &self.follows else {
            return None;
        };
        match self.place {
            Place::Call if names.is_empty() => None,
            Place::Call => Some(format!(
                "Name the relations: `select_related({})`",
                self.quoted(names)
            )),
            Place::Admin => Some(format!(
                "Set `list_select_related = [{}]`",
                self.quoted(names)
            )),
        }
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // A project on an older Django has nothing to change; an unknown version is the newest.
    if ctx
        .index
        .django_version()
        .is_some_and(|v| v < DEPRECATED_IN)
    {
        return;
    }
    bare_calls(ctx, out);
    admin_settings(ctx, out);
}

fn bare_calls(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for call in ctx.facts.lookup_calls.iter().filter(|c| {
        c.method == "select_related" && c.names == Names::Relations && is_bare(ctx.text(c.call.args))
    }) {
        let site = &call.call;
        let Some(offset) = ctx.text(site.range).find("select_related") else {
            continue;
        };
        let violation = BareSelectRelated {
            place: Place::Call,
            model: ctx.model_name(call.model).to_string(),
            follows: follows(ctx.index, &[call.model]),
            quote: ctx.quote,
        };
        let edits = match &violation.follows {
            Follows::Names(names) if !names.is_empty() => vec![Edit::replacement(
                site.args,
                format!("({})", violation.quoted(names)),
            )],
            _ => Vec::new(),
        };
        out.push(
            Diagnostic::new(
                &violation,
                TextRange::new(site.range.start + offset, site.range.end),
            )
            .with_fix(fix(&violation, edits)),
        );
    }
}

/// `list_select_related = True` in each registered `ModelAdmin` whose changelist was
/// read, once per class even when it is registered for several models.
fn admin_settings(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut settings: BTreeMap<(usize, usize), Vec<ModelId>> = BTreeMap::new();
    for fact in &ctx.facts.loops {
        let Some(SelectSetting::All { value }) =
            fact.changelist.as_ref().and_then(|c| c.select.as_ref())
        else {
            continue;
        };
        let models = settings.entry((value.start, value.end)).or_default();
        for qs in &fact.sources {
            if !models.contains(&qs.model) {
                models.push(qs.model);
            }
        }
    }
    for ((start, end), models) in settings {
        let Some(first) = models.first() else {
            continue;
        };
        let value = TextRange::new(start, end);
        let violation = BareSelectRelated {
            place: Place::Admin,
            model: ctx.model_name(*first).to_string(),
            follows: follows(ctx.index, &models),
            quote: ctx.quote,
        };
        let edits = match &violation.follows {
            Follows::Names(names) => vec![Edit::replacement(
                value,
                format!("[{}]", violation.quoted(names)),
            )],
            _ => Vec::new(),
        };
        out.push(Diagnostic::new(&violation, value).with_fix(fix(&violation, edits)));
    }
}

/// The argument list `(...)` holds nothing.
fn is_bare(args: &str) -> bool {
    args.strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .is_some_and(|inner| inner.trim().is_empty())
}

/// What a bare `select_related()` follows on the one model of `models`; unknown for
/// several (a `ModelAdmin` registered for more than one model).
fn follows(index: &ModelIndex, models: &[ModelId]) -> Follows {
    let [model] = models else {
        return Follows::Unknown;
    };
    let Some(paths) = followed_paths(index, *model) else {
        return Follows::Unknown;
    };
    let names = minimal(&paths);
    if names.len() > MAX_NAMES {
        return Follows::Many(names.len());
    }
    Follows::Names(names)
}

/// Unsafe: code the fix cannot see may combine the queryset (or, for a `ModelAdmin`, a
/// subclass registered for another model) with what names change: `only()`/`defer()`
/// of a followed relation raises `FieldError` with names and not without, and
/// `select_related("x")` after names adds to them where after the bare call it replaces it.
fn fix(violation: &BareSelectRelated, edits: Vec<Edit>) -> Option<crate::fix::Fix> {
    if edits.is_empty() {
        return None;
    }
    super::fix(violation, Applicability::Unsafe, edits)
}
