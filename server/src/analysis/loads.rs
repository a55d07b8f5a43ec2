//! Relations loaded per row inside loops, judged against what each loop's queryset has
//! applied; and the one fix per queryset that adds every lookup its loops need.

mod changelist;

use std::collections::{BTreeMap, BTreeSet};

use super::access::{Access, AccessKind, Hop, ManyOp};
use super::flow::{CallSite, Facts, Load, Origin, Qs, lookup_path, quote_for};
use crate::fix::{Edit, Fix};
use crate::index::ModelIndex;
use crate::text::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A single related object loaded per row (ORM101).
    SingleNotSelected,
    /// A related manager read per row (ORM102).
    ManyNotPrefetched,
    /// A prefetched manager queried anew per row (ORM105).
    PrefetchBypassed,
    /// A manager nothing prefetched queried per row in a way no prefetch would serve
    /// (`.filter()`, `.first()` without ordering): ORM103.
    QueryPerRow,
}

impl Problem {
    /// A prefetch does not serve it: the fix is not one the loop's queryset takes.
    fn bypasses(self) -> bool {
        matches!(self, Problem::PrefetchBypassed | Problem::QueryPerRow)
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub problem: Problem,
    pub access: Access,
    /// Lookup from the origin's model (`author__profile`, `posts__category`).
    pub lookup: String,
    /// The method that bypasses the prefetch, for ORM105 and ORM103.
    pub bypass: Option<String>,
    pub loop_index: usize,
    /// Every hop from the origin can be joined: the fix uses `select_related`, else
    /// `prefetch_related`.
    pub selectable: bool,
}

impl Finding {
    /// The queryset method whose lookup the fix adds.
    pub fn method(&self) -> &'static str {
        if self.selectable {
            "select_related"
        } else {
            "prefetch_related"
        }
    }
}

pub struct LoopFindings {
    pub findings: Vec<Finding>,
    /// One fix per loop that adds every lookup the loop's queryset is missing.
    pub fixes: Vec<Option<Fix>>,
}

pub fn find(facts: &Facts, index: &ModelIndex, file_quote: char) -> LoopFindings {
    let mut findings = Vec::new();
    for (loop_index, fact) in facts.loops.iter().enumerate() {
        let mut seen = BTreeSet::new();
        for access in &fact.accesses {
            let (path, problem, bypass) = match &access.kind {
                AccessKind::Load { path } => (path, Problem::SingleNotSelected, None),
                AccessKind::Many { path, op } => match op {
                    ManyOp::Cached => (path, Problem::ManyNotPrefetched, None),
                    ManyOp::First => {
                        let ordered = path
                            .last()
                            .and_then(|h| h.target)
                            .is_some_and(|t| index.model(t).has_ordering);
                        if ordered {
                            (path, Problem::ManyNotPrefetched, None)
                        } else {
                            (path, Problem::PrefetchBypassed, Some("first".to_string()))
                        }
                    }
                    ManyOp::Bypass(method) => {
                        (path, Problem::PrefetchBypassed, Some(method.clone()))
                    }
                },
                _ => continue,
            };
            if path
                .iter()
                .any(|h| h.target.is_none() && h.kind != super::access::HopKind::GenericFk)
            {
                continue;
            }
            let state = combined_state(&fact.sources, path);
            let problem = match (problem, state) {
                (Problem::PrefetchBypassed, Load::Missing) => Problem::QueryPerRow,
                _ => problem,
            };
            let report = match problem {
                Problem::PrefetchBypassed => state == Load::Loaded,
                _ => state == Load::Missing,
            };
            let hops = full_path(&fact.sources[0], path);
            let lookup = lookup_path(&hops);
            if !report || !seen.insert((lookup.clone(), problem as u8)) {
                continue;
            }
            findings.push(Finding {
                problem,
                access: access.clone(),
                lookup,
                bypass,
                loop_index,
                selectable: hops.iter().all(Hop::is_selectable),
            });
        }
    }
    // `user.userprofile.gym` reads two missing relations at one place, and
    // `str(copy.book)` loads the book where its `__str__` loads the author: report the
    // deeper one, whose lookup implies the other.
    // A query per row past the relation (ORM103) adds nothing to a fix: the relation it
    // crosses is still loaded per row.
    let deeper: Vec<(usize, TextRange, String)> = findings
        .iter()
        .filter(|f| f.problem != Problem::QueryPerRow)
        .map(|f| (f.loop_index, f.access.range, f.lookup.clone()))
        .collect();
    findings.retain(|f| {
        !deeper.iter().any(|(l, range, lookup)| {
            *l == f.loop_index
                && range.contains_range(f.access.range)
                && lookup.starts_with(&format!("{}__", f.lookup))
        })
    });
    let fixes = fixes_per_loop(facts, &findings, index, file_quote);
    LoopFindings { findings, fixes }
}

/// Loaded if loaded for some value, missing only if missing for every value.
fn combined_state(sources: &[Qs], path: &[Hop]) -> Load {
    let states: Vec<Load> = sources.iter().map(|qs| qs.load(path)).collect();
    if states.contains(&Load::Unknown) {
        Load::Unknown
    } else if states.contains(&Load::Loaded) {
        Load::Loaded
    } else {
        Load::Missing
    }
}

/// The hops from the origin's model: the rows' own prefix, then `path`.
fn full_path(qs: &Qs, path: &[Hop]) -> Vec<Hop> {
    let mut hops = qs.prefix.clone();
    hops.extend(path.iter().cloned());
    hops
}

/// What one queryset (by origin) must add.
#[derive(Default)]
struct Needs {
    select: BTreeSet<String>,
    prefetch: BTreeSet<String>,
    /// Forward relations at the root that `only()` must now name.
    only_roots: BTreeSet<String>,
}

fn fixes_per_loop(
    facts: &Facts,
    findings: &[Finding],
    index: &ModelIndex,
    quote: char,
) -> Vec<Option<Fix>> {
    // Every loop over rows of the same origin gets the fix for all of them.
    let mut needs: BTreeMap<TextKey, Needs> = BTreeMap::new();
    for finding in findings {
        if finding.problem.bypasses() {
            continue;
        }
        let fact = &facts.loops[finding.loop_index];
        let path = match &finding.access.kind {
            AccessKind::Load { path } | AccessKind::Many { path, .. } => path,
            _ => continue,
        };
        for qs in &fact.sources {
            let Some(origin) = &qs.origin else { continue };
            let entry = needs.entry(TextKey::of(origin)).or_default();
            let hops = full_path(qs, path);
            let lookup = lookup_path(&hops);
            if hops.iter().all(Hop::is_selectable) {
                entry.select.insert(lookup);
            } else {
                entry.prefetch.insert(lookup);
            }
            if let Some(first) = hops.first()
                && !first.is_many()
                && first.kind != super::access::HopKind::ReverseOneToOne
            {
                entry.only_roots.insert(first.name.clone());
            }
        }
    }
    facts
        .loops
        .iter()
        .enumerate()
        .map(|(i, fact)| {
            let own: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.loop_index == i && !f.problem.bypasses())
                .collect();
            if own.is_empty() {
                return None;
            }
            if let Some(admin) = &fact.changelist {
                return changelist::fix(fact, admin, &own, index, quote);
            }
            let mut edits = Vec::new();
            let mut messages = Vec::new();
            let mut done = BTreeSet::new();
            for qs in &fact.sources {
                let origin = qs.origin.as_ref()?;
                if !done.insert(TextKey::of(origin)) {
                    continue;
                }
                let need = needs.get(&TextKey::of(origin))?;
                let (mut e, m) = edits_for(qs, need, index, quote)?;
                edits.append(&mut e);
                messages.extend(m);
            }
            if edits.is_empty() {
                return None;
            }
            messages.dedup();
            Some(Fix::safe(messages.join(", "), edits))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TextKey(usize, usize);

impl TextKey {
    fn of(origin: &Origin) -> Self {
        TextKey(origin.range.start, origin.range.end)
    }
}

/// Lookups that another lookup in the set already implies are dropped.
pub(crate) fn minimal(set: &BTreeSet<String>) -> Vec<String> {
    set.iter()
        .filter(|s| {
            !set.iter()
                .any(|o| o != *s && o.starts_with(&format!("{s}__")))
        })
        .cloned()
        .collect()
}

fn edits_for(
    qs: &Qs,
    need: &Needs,
    index: &ModelIndex,
    file_quote: char,
) -> Option<(Vec<Edit>, Vec<String>)> {
    qs.origin.as_ref()?;
    let mut edits = Vec::new();
    let mut messages = Vec::new();
    let mut appended_at_origin = String::new();
    let mut select = need.select.clone();
    if !select.is_empty() && qs.applied.select_related_all {
        // Naming relations after a bare `select_related()` would drop its "every
        // non-null foreign key" behaviour, so the bare call is spelt out instead.
        let site = qs.select_call.as_ref().filter(|s| s.strings.is_empty())?;
        select.extend(super::bare_select::followed_paths(index, qs.model)?);
        let quote = quote_for(None, file_quote);
        let names: Vec<String> = minimal(&select)
            .iter()
            .map(|l| format!("{quote}{l}{quote}"))
            .collect();
        edits.push(Edit::replacement(
            site.args,
            format!("({})", names.join(", ")),
        ));
        messages.push(format!(
            "Name the relations: `select_related({})`",
            names.join(", ")
        ));
        select.clear();
    }
    let prefetch = minimal(&need.prefetch);
    // `iterator()` without `chunk_size` refuses `prefetch_related`.
    if !prefetch.is_empty() && qs.iterator_without_chunk {
        return None;
    }
    for (lookups, site, method) in [
        (minimal(&select), qs.select_call.as_ref(), "select_related"),
        (prefetch, qs.prefetch_call.as_ref(), "prefetch_related"),
    ] {
        if lookups.is_empty() {
            continue;
        }
        let quote = quote_for(site, file_quote);
        let (edit, message) = add_to_call(site, method, &lookups, quote, &mut appended_at_origin)?;
        edits.extend(edit);
        messages.push(message);
    }
    if let Some(only) = &qs.applied.only {
        // `only()` must name a relation that is selected, or Django raises.
        let missing: Vec<String> = need
            .only_roots
            .iter()
            .filter(|r| {
                !only
                    .iter()
                    .any(|o| o == *r || o.starts_with(&format!("{r}__")))
            })
            .cloned()
            .collect();
        if !missing.is_empty() {
            let site = qs.only_call.as_ref()?;
            let quote = quote_for(Some(site), file_quote);
            edits.push(append_strings(site, &missing, quote)?);
        }
    }
    if !appended_at_origin.is_empty() {
        edits.push(Edit::insertion(qs.insert_at()?, appended_at_origin));
    }
    Some((edits, messages))
}

fn add_to_call(
    site: Option<&CallSite>,
    method: &str,
    lookups: &[String],
    quote: char,
    appended_at_origin: &mut String,
) -> Option<(Option<Edit>, String)> {
    let quoted: Vec<String> = lookups
        .iter()
        .map(|l| format!("{quote}{l}{quote}"))
        .collect();
    let call = format!(".{method}({})", quoted.join(", "));
    match site {
        Some(site) if site.plain && !site.strings.is_empty() => Some((
            Some(append_strings(site, lookups, quote)?),
            format!("Add {} to `{method}()`", quoted.join(", ")),
        )),
        // After `select_related(None)` (or anything unreadable), a new call must come
        // later in the chain to count.
        Some(site) if !site.plain => Some((
            Some(Edit::insertion(site.range.end, call.clone())),
            format!("Add `{call}`"),
        )),
        _ => {
            appended_at_origin.push_str(&call);
            Some((None, format!("Add `{call}`")))
        }
    }
}

/// `, "a", "b"` after the call's last string argument (before any trailing comma).
fn append_strings(site: &CallSite, values: &[String], quote: char) -> Option<Edit> {
    let (_, last) = site.strings.last()?;
    if !site.plain {
        return None;
    }
    let text: String = values
        .iter()
        .map(|v| format!(", {quote}{v}{quote}"))
        .collect();
    Some(Edit::insertion(last.end, text))
}
