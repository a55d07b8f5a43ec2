//! Walking a lookup string (`"author__profile"`, `author__name__icontains`) over the
//! model index the way Django resolves it for each queryset method.

use super::access::{Hop, hop};
use crate::index::{Attribute, FieldKind, ModelId, ModelIndex};
use crate::text::suggest::closest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `select_related`: relations by query name.
    Select,
    /// `prefetch_related`: attributes (accessor names).
    Prefetch,
    /// `only`, `defer`, `values`, `values_list`, `order_by`, `filter` and friends:
    /// fields and relations by query name, then transforms and lookups.
    Field,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every segment resolved, or the rest cannot be judged statically.
    Fine,
    /// Segment `index` names nothing on `model`.
    Unknown {
        index: usize,
        model: ModelId,
        suggestion: Option<String>,
    },
    /// `select_related` given a column, not a relation.
    NotRelation { index: usize },
}

#[derive(Debug, Clone)]
pub struct Walk {
    pub hops: Vec<Hop>,
    /// The same path spelt with accessor names, as `prefetch_related` needs it;
    /// `None` when a relation has no accessor (`related_name="+"`).
    pub accessor_path: Option<Vec<String>>,
    pub outcome: Outcome,
    /// Where the lookup reaches a column: its model and the segment naming it (what
    /// follows are transforms and lookups).
    pub column: Option<(ModelId, usize)>,
}

/// Lookups Django registers on every field; after a relation they apply to its key.
const BUILTIN_LOOKUPS: &[&str] = &[
    "exact",
    "iexact",
    "contains",
    "icontains",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "range",
    "isnull",
    "regex",
    "iregex",
    "date",
    "year",
    "iso_year",
    "month",
    "day",
    "week",
    "week_day",
    "iso_week_day",
    "quarter",
    "time",
    "hour",
    "minute",
    "second",
];

pub fn walk(
    index: &ModelIndex,
    model: ModelId,
    lookup: &str,
    style: Style,
    annotations: Option<&[String]>,
) -> Walk {
    let mut result = Walk {
        hops: Vec::new(),
        accessor_path: Some(Vec::new()),
        outcome: Outcome::Fine,
        column: None,
    };
    let mut current = model;
    for (i, segment) in lookup.split("__").enumerate() {
        let m = index.model(current);
        if m.may_have_unseen_attributes() {
            return result;
        }
        if i == 0 && style == Style::Field {
            match annotations {
                None => return result,
                Some(names) if names.iter().any(|n| n == segment) => return result,
                Some(_) => {}
            }
        }
        if i == 0
            && style == Style::Prefetch
            && let Some(names) = annotations
            && names.iter().any(|n| n == segment)
        {
            return result;
        }
        if segment == "pk" && style == Style::Field {
            return result;
        }
        let Some((found, accessor)) = resolve(index, current, segment, style) else {
            if m.is_unread(segment) {
                return result;
            }
            let after_relation = !result.hops.is_empty();
            if style == Style::Field && after_relation && BUILTIN_LOOKUPS.contains(&segment) {
                return result;
            }
            let suggestion = other_form(index, current, segment, style).or_else(|| {
                let candidates = candidates(index, current, style);
                closest(segment, candidates.iter().map(String::as_str)).map(str::to_string)
            });
            if suggestion.is_none()
                && outside_apps_relate_to(index, current)
                && !names_a_project_model(index, segment)
            {
                // Third-party apps point their foreign keys at these (allauth's
                // EmailAddress.user makes `User.objects.filter(emailaddress__...)`
                // valid): a name close to none we know may be such a reverse relation.
                // One that is a project model's default query name is not: that model's
                // relations are all known.
                return result;
            }
            result.outcome = Outcome::Unknown {
                index: i,
                model: current,
                suggestion,
            };
            return result;
        };
        match found {
            Found::Relation(h) => {
                if let (Some(path), Some(acc)) = (&mut result.accessor_path, accessor) {
                    path.push(acc);
                } else {
                    result.accessor_path = None;
                }
                let target = h.target;
                result.hops.push(h);
                match target {
                    Some(t) => current = t,
                    None => return result,
                }
            }
            Found::Column => {
                if style == Style::Select {
                    result.outcome = Outcome::NotRelation { index: i };
                }
                result.column = Some((current, i));
                return result;
            }
            Found::Opaque => return result,
        }
    }
    result
}

enum Found {
    Relation(Hop),
    Column,
    /// A method or property: `prefetch_related` may traverse it; we cannot judge.
    Opaque,
}

/// What `name` means on `model` for `style`, with its accessor name when a relation.
fn resolve(
    index: &ModelIndex,
    model: ModelId,
    name: &str,
    style: Style,
) -> Option<(Found, Option<String>)> {
    let m = index.model(model);
    if style != Style::Prefetch {
        // Lookups name reverse relations by their query name.
        if let Some(reverse) = m
            .reverse
            .iter()
            .find(|r| r.query_name.as_deref() == Some(name))
        {
            let accessor = reverse.accessor.clone();
            let h = match &accessor {
                Some(acc) => hop(index, model, acc)?,
                None => return Some((Found::Opaque, None)),
            };
            let mut h = h;
            h.name = name.to_string();
            return Some((Found::Relation(h), accessor));
        }
    }
    match index.attribute(model, name)? {
        Attribute::Field(field) => match field.kind {
            FieldKind::Plain => Some((Found::Column, None)),
            _ => Some((
                Found::Relation(hop(index, model, name)?),
                Some(name.to_string()),
            )),
        },
        Attribute::Attname(_) | Attribute::Pk => {
            (style != Style::Select).then_some((Found::Column, None))
        }
        Attribute::Reverse(reverse) => {
            if style == Style::Prefetch {
                Some((
                    Found::Relation(hop(index, model, name)?),
                    reverse.accessor.clone(),
                ))
            } else {
                None
            }
        }
        Attribute::Method(_) => (style == Style::Prefetch).then_some((Found::Opaque, None)),
    }
}

/// A reverse relation named the way another method wants it: the accessor
/// (`comment_set`) in `filter()`, or the query name (`comment`) in `prefetch_related()`.
fn other_form(index: &ModelIndex, model: ModelId, name: &str, style: Style) -> Option<String> {
    index.model(model).reverse.iter().find_map(|r| match style {
        Style::Prefetch if r.query_name.as_deref() == Some(name) => r.accessor.clone(),
        Style::Field | Style::Select if r.accessor.as_deref() == Some(name) => r.query_name.clone(),
        _ => None,
    })
}

fn candidates(index: &ModelIndex, model: ModelId, style: Style) -> Vec<String> {
    let m = index.model(model);
    let mut names: Vec<String> = m
        .fields
        .iter()
        .filter(|f| style != Style::Select || !matches!(f.kind, FieldKind::Plain))
        .map(|f| f.name.clone())
        .collect();
    for reverse in &m.reverse {
        let name = if style == Style::Prefetch {
            reverse.accessor.clone()
        } else {
            reverse.query_name.clone()
        };
        names.extend(name);
    }
    names
}

/// Django's own models and the user model: the usual targets of relations declared by
/// installed apps whose code is not in the project; and models code we cannot read may
/// add relations to.
fn outside_apps_relate_to(index: &ModelIndex, model: ModelId) -> bool {
    let m = index.model(model);
    m.path.is_none() || m.unread_additions || index.auth_user_model() == Some(model)
}

fn names_a_project_model(index: &ModelIndex, name: &str) -> bool {
    index
        .models()
        .iter()
        .any(|m| m.path.is_some() && m.name.eq_ignore_ascii_case(name))
}
