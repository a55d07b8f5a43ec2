//! `ormhint models`: the index as an indented tree, sorted by label, for debugging.

use std::fmt::Write;

use super::{
    Applied, FetchMode, FieldKind, ManagerMethod, MethodKind, ModelIndex, Origin, Resolution,
    ReverseKind,
};

pub(super) fn render(index: &ModelIndex) -> String {
    // Installed packages' models are listed only as what relations point at.
    let mut models: Vec<_> = index
        .models()
        .iter()
        .filter(|model| model.origin != Origin::Installed)
        .collect();
    models.sort_by(|a, b| {
        (&a.app_label, &a.name, &a.module).cmp(&(&b.app_label, &b.name, &b.module))
    });
    let label = |resolution: &Resolution| match resolution {
        Resolution::Resolved(id) => {
            let m = index.model(*id);
            format!("{}.{}", m.app_label, m.name)
        }
        Resolution::Unresolved { reason } => format!("? ({reason})"),
    };
    let mut out = String::new();
    for model in models {
        let place = match &model.path {
            Some(path) => path.display().to_string().replace('\\', "/"),
            None => "django".to_string(),
        };
        let _ = write!(out, "{}.{} ({place})", model.app_label, model.name);
        let flags: Vec<&str> = [
            (model.is_abstract, "abstract"),
            (model.is_proxy, "proxy"),
            (model.has_ordering, "ordering"),
            (model.has_unknown_bases, "unknown bases"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if !flags.is_empty() {
            let _ = write!(out, " [{}]", flags.join(", "));
        }
        out.push('\n');
        for field in &model.fields {
            let _ = write!(out, "  {}: ", field.name);
            let kind = match &field.kind {
                FieldKind::Plain => "field".to_string(),
                FieldKind::GenericForeignKey => "generic foreign key".to_string(),
                FieldKind::ForeignKey(r) => format!("FK → {}", label(&r.target)),
                FieldKind::OneToOne(r) => format!("one-to-one → {}", label(&r.target)),
                FieldKind::ManyToMany(r) => format!("M2M → {}", label(&r.target)),
                FieldKind::GenericRelation(r) => format!("generic relation → {}", label(&r.target)),
            };
            out.push_str(&kind);
            if let Some(relation) = field.relation() {
                if let Some(through) = &relation.through {
                    let _ = write!(out, " through {}", label(through));
                }
                if let Some(name) = &relation.related_name {
                    let _ = write!(out, ", related_name {name:?}");
                }
                if let Some(name) = &relation.related_query_name {
                    let _ = write!(out, ", related_query_name {name:?}");
                }
            }
            if field.primary_key {
                out.push_str(", primary key");
            }
            if field.null {
                out.push_str(", null");
            }
            match model.is_indexed(field) {
                Some(true) => out.push_str(", indexed"),
                Some(false) => out.push_str(", not indexed"),
                None => {}
            }
            out.push('\n');
        }
        for reverse in &model.reverse {
            let source = index.model(reverse.source);
            let kind = match reverse.kind {
                ReverseKind::OneToOne => "reverse one-to-one",
                ReverseKind::ForeignKey => "reverse FK",
                ReverseKind::ManyToMany => "reverse M2M",
                ReverseKind::Generic => "reverse generic relation",
            };
            let query = match &reverse.query_name {
                Some(name) => format!("query name {name:?}"),
                None => "no query name".to_string(),
            };
            let _ = writeln!(
                out,
                "  {} ← {}.{}.{} ({kind}, {query})",
                reverse.accessor.as_deref().unwrap_or("(hidden)"),
                source.app_label,
                source.name,
                reverse.field,
            );
        }
        for manager in &model.managers {
            let _ = write!(out, "  manager {}", manager.name);
            let applied = applied_text(&manager.applied);
            if !applied.is_empty() {
                let _ = write!(out, ": {applied}");
            }
            if manager.opaque {
                out.push_str(" [opaque]");
            }
            out.push('\n');
            let mut methods: Vec<_> = manager.methods.iter().collect();
            methods.sort_by(|a, b| a.0.cmp(b.0));
            for (name, method) in methods {
                let _ = match method {
                    ManagerMethod::Queryset(applied) => {
                        let applied = applied_text(applied);
                        if applied.is_empty() {
                            writeln!(out, "    .{name}() → queryset")
                        } else {
                            writeln!(out, "    .{name}() → queryset: {applied}")
                        }
                    }
                    ManagerMethod::Other => writeln!(out, "    .{name}() → other"),
                };
            }
        }
        for method in &model.methods {
            let kind = match method.kind {
                MethodKind::Method => "method",
                MethodKind::Property => "property",
                MethodKind::CachedProperty => "cached property",
            };
            let _ = writeln!(
                out,
                "  {kind} {} (self ×{})",
                method.name,
                method.self_uses.len()
            );
        }
        out.push('\n');
    }
    out
}

/// `select_related("author").only("title")`: what a queryset applies, as a chain.
impl std::fmt::Display for Applied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&applied_text(self))
    }
}

fn applied_text(applied: &Applied) -> String {
    let quoted = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if applied.select_related_all {
        parts.push("select_related()".to_string());
    }
    if !applied.select_related.is_empty() {
        parts.push(format!(
            "select_related({})",
            quoted(&applied.select_related)
        ));
    }
    if !applied.prefetch_related.is_empty() {
        let lookups: Vec<String> = applied
            .prefetch_related
            .iter()
            .map(|p| {
                let queryset = if p.queryset { ", queryset=..." } else { "" };
                match &p.to_attr {
                    Some(to_attr) => {
                        format!("Prefetch({:?}{queryset}, to_attr={to_attr:?})", p.lookup)
                    }
                    None if p.queryset => format!("Prefetch({:?}{queryset})", p.lookup),
                    None => format!("{:?}", p.lookup),
                }
            })
            .collect();
        parts.push(format!("prefetch_related({})", lookups.join(", ")));
    }
    if let Some(only) = &applied.only {
        parts.push(format!("only({})", quoted(only)));
    }
    if let Some(mode) = applied.fetch_mode {
        let name = match mode {
            FetchMode::One => "FETCH_ONE",
            FetchMode::Peers => "FETCH_PEERS",
            FetchMode::Raise => "FETCH_RAISE",
        };
        parts.push(format!("fetch_mode({name})"));
    }
    if !applied.defer.is_empty() {
        parts.push(format!("defer({})", quoted(&applied.defer)));
    }
    if applied.values {
        parts.push("values()".to_string());
    }
    if applied.unknown {
        parts.push("(unknown)".to_string());
    }
    if applied.annotates {
        parts.push("(annotates)".to_string());
    }
    parts.join(".")
}
