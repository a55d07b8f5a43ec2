//! Calls on a queryset: Django's methods (read through `index::queryset_api`) and the
//! project's own manager and queryset methods.

use tree_sitter::Node;

use crate::index::queryset_api::{self, Annotations, Method, Names, Returns};
use crate::index::{ManagerMethod, ModelIndex};
use crate::syntax::fields::FIELDS;
use crate::syntax::node::{call_args, text};
use crate::text::TextRange;

use super::facts::{LookupCall, OnlyThenValues};
use super::values::{CallSite, Obj, Qs, Value, call_site};
use super::walker::Walker;

/// What the call of Django's queryset method `method` does to `qs`: what it applies
/// and names (read by the one reader the index uses too), and where it is written, for
/// fixes.
pub(super) fn apply_call(qs: &mut Qs, method: &str, call: Node<'_>, site: CallSite, src: &str) {
    match queryset_api::apply(&mut qs.applied, method, call, src) {
        Annotations::None => {}
        Annotations::Named(names) => {
            if let Some(known) = &mut qs.annotations {
                known.extend(names);
            }
        }
        Annotations::Unreadable => qs.annotations = None,
    }
    match method {
        "select_related" => qs.select_call = Some(site),
        "prefetch_related" => qs.prefetch_call = Some(site),
        "only" => qs.only_call = Some(site),
        "defer" => qs.defer_call = Some(site),
        "filter" => {
            // `filter(parent__isnull=True)`, `filter(parent=None)`: the relation is None.
            let args = call_args(call, src);
            let filters = &mut qs.filters.0;
            filters.extend(args.keywords.iter().map(|(name, _)| name.clone()));
            if !args.positional.is_empty() || args.has_splat {
                filters.push("?".to_string());
            }
            for (name, value) in &args.keywords {
                let value = text(*value, src);
                let relation = match name.strip_suffix("__isnull") {
                    Some(rel) if value == "True" => rel,
                    None if value == "None" => name.as_str(),
                    _ => continue,
                };
                if !relation.contains("__") {
                    qs.known_loaded.push(relation.to_string());
                }
            }
        }
        _ => {}
    }
}

/// What calling a method the project's manager or queryset class defines gives.
pub(super) fn own_method_result(mut qs: Qs, method: &ManagerMethod, call: Node<'_>) -> Value {
    match method {
        ManagerMethod::Queryset(applied) => {
            qs.applied.merge(applied);
            qs.after_custom = Some(call.end_byte());
            if applied.annotates {
                // Later lookups may name what it annotated.
                qs.annotations = None;
            }
            Value::Qs(qs)
        }
        ManagerMethod::Other => Value::Unknown,
    }
}

impl<'a> Walker<'a> {
    /// The value of `qs.method(...)`, recording the call's lookups and `only()` then
    /// `values()` facts the first time the call is walked.
    pub(super) fn queryset_method(
        &mut self,
        mut qs: Qs,
        method: &str,
        call: Node<'a>,
        function: Node<'a>,
    ) -> Value {
        if let Some(own) = self.own_method(&qs, method) {
            // The project's own methods, and those that override Django's of the same
            // name (DefectDojo's `def get(self, no_cache=False, ...)`): their arguments
            // and result are their own.
            return own_method_result(qs, own, call);
        }
        let Some(api) = queryset_api::method(method) else {
            // Not Django's, and not one the project's classes define.
            return Value::Unknown;
        };
        let src = self.src();
        let first_visit = self
            .seen
            .insert((call.start_byte(), call.end_byte(), u64::MAX));
        match api.returns {
            Returns::Rows | Returns::Values => {
                let site = call_site(call, function, src);
                if first_visit {
                    self.record_lookups(&qs, api, &site, call);
                    if api.returns == Returns::Values
                        && let Some(only) = &qs.only_call
                        // Both in this one expression, so one edit can merge them.
                        && call.start_byte() <= only.range.start
                    {
                        self.facts.only_then_values.push(OnlyThenValues {
                            only: only.clone(),
                            values: site.clone(),
                            values_method: method.to_string(),
                        });
                    }
                }
                apply_call(&mut qs, method, call, site, src);
                Value::Qs(qs)
            }
            Returns::Iterator => {
                let args = call_args(call, src);
                qs.iterator_without_chunk =
                    args.keyword("chunk_size").is_none() && args.positional.is_empty();
                Value::Qs(qs)
            }
            Returns::Object => {
                self.query_method(&qs, method, call, function);
                if first_visit {
                    let site = call_site(call, function, src);
                    self.record_lookups(&qs, api, &site, call);
                }
                if qs.applied.values {
                    return Value::Unknown;
                }
                if method == "create" {
                    let args = call_args(call, src);
                    // `**fields` may give it any relation's instance.
                    qs.applied.unknown |= args.has_splat;
                    qs.known_loaded
                        .extend(args.keywords.into_iter().map(|(name, _)| name));
                }
                Value::Obj(Obj {
                    qs,
                    path: Vec::new(),
                    per_row: false,
                })
            }
            Returns::Other => {
                self.query_method(&qs, method, call, function);
                Value::Unknown
            }
            Returns::Combined => Value::Unknown,
        }
    }

    /// The project's own method of `qs`'s manager or queryset class, if it has one.
    pub(super) fn own_method(&self, qs: &Qs, method: &str) -> Option<&'a ManagerMethod> {
        let index: &'a ModelIndex = self.index;
        let manager = index.manager(qs.model, qs.manager.as_deref()?)?;
        manager.methods.get(method)
    }

    /// A call whose arguments name fields, relations or lookups of `qs`'s model.
    pub(super) fn record_lookups(
        &mut self,
        qs: &Qs,
        api: &Method,
        site: &CallSite,
        call: Node<'a>,
    ) {
        let Some(names) = api.names else {
            return;
        };
        if !qs.prefix.is_empty() || qs.applied.unknown && names != Names::Relations {
            return;
        }
        let keywords = match names {
            Names::Lookups => call_args(call, self.src())
                .keywords
                .iter()
                .filter_map(|(k, v)| {
                    // The keyword's own name: with a syntax error inside the argument,
                    // the node before the value can be an ERROR node, whose range is
                    // not the name's (a fix would edit other bytes, even inside a
                    // character).
                    let name_node = v.parent()?.child_by_field_id(FIELDS.name)?;
                    Some((k.clone(), TextRange::of(name_node)))
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut annotations = qs.annotations.clone();
        if let Some(names) = &mut annotations {
            names.extend(
                qs.applied
                    .prefetch_related
                    .iter()
                    .filter_map(|p| p.to_attr.clone()),
            );
        }
        self.facts.lookup_calls.push(LookupCall {
            method: api.name.to_string(),
            names,
            model: qs.model,
            call: site.clone(),
            keywords,
            annotations,
            earlier_filters: qs.filters.0.clone(),
            related: qs.related,
        });
    }
}
