//! Arbitrary text as templates, in the Django and the Jinja2 dialect: the input split
//! at `\0` into templates named `t0.html`, `t1.html`, ... (so includes and extends of
//! one another come up), each parsed and summarised on the stack the analysis has.
//! Neither may panic, and a summary's places must lie inside the template they name.

#![no_main]

use std::collections::HashMap;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use ormhint::analysis::templates::{self, LoadedTemplate, Use, UseKind};
use ormhint::syntax::template::Dialect;
use ormhint_fuzz::on_production_stack;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    on_production_stack(|| {
        summarize_all(text, Dialect::Django);
        summarize_all(text, Dialect::Jinja2);
    });
});

/// Parses and summarises each template of `text` in `dialect`.
fn summarize_all(text: &str, dialect: Dialect) {
    let sources: Vec<&str> = text.split('\0').take(8).collect();
    let loaded: HashMap<String, Arc<LoadedTemplate>> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| {
            let name = format!("t{i}.html");
            let template = LoadedTemplate::parse(dialect, name.clone(), name.clone(), source);
            (name, Arc::new(template))
        })
        .collect();
    for (i, _) in sources.iter().enumerate() {
        let Some(summary) = templates::summarize(&format!("t{i}.html"), &loaded) else {
            continue;
        };
        for uses in summary.context.values() {
            check_places(uses, &sources);
        }
    }
}

fn check_places(uses: &[Use], sources: &[&str]) {
    for used in uses {
        let index: usize = used.at.template[1..used.at.template.len() - 5]
            .parse()
            .expect("a template of the input");
        let source = sources[index];
        assert!(used.at.range.start <= used.at.range.end);
        assert!(source.get(used.at.range.start..used.at.range.end).is_some());
        if let UseKind::Loop { rows } = &used.kind {
            check_places(rows, sources);
        }
    }
}
