//! The fix of a Django admin changelist's loads: on the `ModelAdmin` class, not on a
//! queryset the project writes (see `flow::admin`).

use std::collections::BTreeSet;

use super::{Finding, Needs, TextKey, edits_for, minimal};
use crate::analysis::flow::{Changelist, LoopFact, SelectSetting};
use crate::fix::{Edit, Fix};
use crate::index::ModelIndex;

/// Single-valued relations go into `list_select_related` (or the `get_queryset()` that
/// already selects, since Django then applies no `list_select_related`); many-valued
/// ones into a `prefetch_related` on the class's `get_queryset()`, written when it has
/// none. `None` when the fix could lose what Django selected on its own.
pub(super) fn fix(
    fact: &LoopFact,
    changelist: &Changelist,
    findings: &[&Finding],
    index: &ModelIndex,
    quote: char,
) -> Option<Fix> {
    // A class written on one line has no indentation to write a new line with.
    if changelist.indent.is_empty() || !changelist.indent.trim().is_empty() {
        return None;
    }
    let (select, prefetch): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.selectable);
    let select: BTreeSet<String> = select.iter().map(|f| f.lookup.clone()).collect();
    let prefetch: BTreeSet<String> = prefetch.iter().map(|f| f.lookup.clone()).collect();
    let mut edits = Vec::new();
    let mut messages = Vec::new();
    // Selections a new `get_queryset()` writes: an inline's, which has no
    // `list_select_related`.
    let mut written_select = BTreeSet::new();
    if !select.is_empty() {
        let on_own_queryset = changelist.queryset_selects
            || (changelist.select.is_none() && changelist.own_get_queryset);
        match &changelist.select {
            _ if on_own_queryset => {
                let need = Needs {
                    select: select.clone(),
                    ..Needs::default()
                };
                on_queryset(fact, &need, index, quote, &mut edits, &mut messages)?;
            }
            Some(setting) => {
                let (edit, message) = list_select_related(changelist, setting, &select, quote)?;
                edits.push(edit);
                messages.push(message);
            }
            None => written_select = select,
        }
    }
    if !prefetch.is_empty() && changelist.own_get_queryset {
        let need = Needs {
            prefetch,
            ..Needs::default()
        };
        on_queryset(fact, &need, index, quote, &mut edits, &mut messages)?;
    } else if !prefetch.is_empty() || !written_select.is_empty() {
        let (edit, message) = get_queryset(changelist, &written_select, &prefetch, quote);
        edits.push(edit);
        messages.push(message);
    }
    if edits.is_empty() {
        return None;
    }
    Some(Fix::safe(messages.join(", "), edits))
}

/// `need` added to each queryset `get_queryset()` may return, all written in the class.
fn on_queryset(
    fact: &LoopFact,
    need: &Needs,
    index: &ModelIndex,
    quote: char,
    edits: &mut Vec<Edit>,
    messages: &mut Vec<String>,
) -> Option<()> {
    let mut done = BTreeSet::new();
    for qs in &fact.sources {
        if !done.insert(TextKey::of(qs.origin.as_ref()?)) {
            continue;
        }
        let (mut more, message) = edits_for(qs, need, index, quote)?;
        edits.append(&mut more);
        for m in message {
            if !messages.contains(&m) {
                messages.push(m);
            }
        }
    }
    Some(())
}

/// The edit that makes `list_select_related` name `missing`. Extending a list keeps all
/// it selected; replacing Django's automatic selection (the default with a foreign key
/// column, or `True`) must name every relation the changelist reads, which needs all
/// of them seen.
fn list_select_related(
    changelist: &Changelist,
    setting: &SelectSetting,
    missing: &BTreeSet<String>,
    quote: char,
) -> Option<(Edit, String)> {
    let quoted = |names: &[String], quote: char| -> Vec<String> {
        names.iter().map(|n| format!("{quote}{n}{quote}")).collect()
    };
    let replaced = match setting {
        SelectSetting::Names {
            last: Some(last),
            quote: written,
            ..
        } => {
            let names = quoted(&minimal(missing), written.unwrap_or(quote));
            let text: String = names.iter().map(|n| format!(", {n}")).collect();
            return Some((
                Edit::insertion(last.end, text),
                format!("Add {} to `list_select_related`", names.join(", ")),
            ));
        }
        SelectSetting::Names {
            value, last: None, ..
        } => Some(*value),
        SelectSetting::Default {
            value,
            automatic: false,
        } => *value,
        SelectSetting::Default {
            value,
            automatic: true,
        } => {
            if changelist.unseen_reads {
                return None;
            }
            *value
        }
        SelectSetting::All { value } => {
            if changelist.unseen_reads {
                return None;
            }
            Some(*value)
        }
    };
    let mut all: BTreeSet<String> = changelist.single_reads.iter().cloned().collect();
    all.extend(missing.iter().cloned());
    let list = format!("[{}]", quoted(&minimal(&all), quote).join(", "));
    let message = format!("Set `list_select_related = {list}`");
    let edit = match replaced {
        Some(value) => Edit::replacement(value, list),
        None => Edit::insertion(
            changelist.attribute_at,
            format!("{}list_select_related = {list}\n", changelist.indent),
        ),
    };
    Some((edit, message))
}

/// A `get_queryset()` that selects `select` and prefetches `prefetch` on Django's own
/// queryset, at the end of the class body.
fn get_queryset(
    changelist: &Changelist,
    select: &BTreeSet<String>,
    prefetch: &BTreeSet<String>,
    quote: char,
) -> (Edit, String) {
    let indent = &changelist.indent;
    let step = if indent.contains('\t') { "\t" } else { "    " };
    let call = |method: &str, lookups: &BTreeSet<String>| {
        if lookups.is_empty() {
            return String::new();
        }
        let names: Vec<String> = minimal(lookups)
            .iter()
            .map(|l| format!("{quote}{l}{quote}"))
            .collect();
        format!(".{method}({})", names.join(", "))
    };
    let calls = call("select_related", select) + &call("prefetch_related", prefetch);
    let method = format!(
        "\n\n{indent}def get_queryset(self, request):\n{indent}{step}return super().get_queryset(request){calls}"
    );
    (
        Edit::insertion(changelist.method_at, method),
        format!("Add a `get_queryset()` returning `super().get_queryset(request){calls}`"),
    )
}
