//! Queryset flow: which names hold querysets (or rows, or single objects) of which model
//! with what applied, where rows are iterated, and what each iteration touches.
//!
//! The walker goes through each function's statements in order with an environment of
//! possible values per name. Branches are walked separately and joined, so a name holds
//! every value it may have; rules only report what holds for all of them.

mod admin;
mod aggregates;
mod cache;
mod callers;
mod calls;
mod contexts;
mod eval;
mod evaluations;
mod facts;
mod foreign;
mod generic_views;
mod get_tests;
mod id_reads;
mod loop_growth;
mod loops;
mod queries;
mod queryset;
mod receivers;
mod refetched;
mod rendered;
mod row_free;
mod scan;
mod serialized;
mod serializer_uses;
mod single_rows;
mod summaries;
mod template_loops;
mod values;
mod view_members;
mod views;
mod walker;
mod writes;

use crate::analysis::access::Hop;
use crate::analysis::guard::{Deadline, MAX_NESTING, TIME_LIMIT};
use crate::index::ModelIndex;
use crate::syntax::SourceFile;
use crate::syntax::node::nested_beyond;

use cache::{Walk, class_by_parts, definition_key, module_functions, module_statements};
use callers::callers_here_key;
use values::Env;
use walker::Walker;

pub use cache::FlowCache;
pub use callers::{enclosing_function, is_test_module};
pub use facts::{
    AggregateFunction, Batched, Changelist, Evaluation, EvaluationKind, Facts, GetTest, IdRead,
    IteratedAfter, LookupCall, LoopFact, Measure, OnlyThenValues, PythonAggregate, QueryInLoop,
    SelectSetting, SingleRow, Through, WriteInLoop, WriteKind,
};
pub use queries::is_write;
pub use values::{CallSite, Load, Obj, Origin, Qs, Value};

/// How deep analysis follows a row or queryset into helper functions.
const MAX_CALL_DEPTH: usize = 2;

/// In debug builds, a file holding this comment makes the analysis panic: the end-to-end
/// tests use it to show a panic answers one request with an error and nothing more.
#[cfg(debug_assertions)]
pub const PANIC_FOR_TESTS: &str = "# ormhint-test: panic in the analysis";

pub fn analyse(file: &SourceFile, index: &ModelIndex) -> Facts {
    analyse_with(file, index, &mut FlowCache::default())
}

/// Like [`analyse`], reusing and refreshing `cache`.
pub fn analyse_with(file: &SourceFile, index: &ModelIndex, cache: &mut FlowCache) -> Facts {
    // Hovers and inlay hints come here without `check_file_guarded`'s test.
    if file
        .top_level()
        .iter()
        .any(|(node, _)| nested_beyond(*node, MAX_NESTING - 1))
    {
        return Facts::default();
    }
    analyse_until(file, index, cache, &Deadline::new(TIME_LIMIT))
}

/// [`analyse_with`] that stops walking once `deadline` has passed (what it found by
/// then is partial, and `cache` keeps none of it), on a file the caller found no
/// deeper than [`MAX_NESTING`].
pub fn analyse_until(
    file: &SourceFile,
    index: &ModelIndex,
    cache: &mut FlowCache,
    deadline: &Deadline,
) -> Facts {
    #[cfg(debug_assertions)]
    if file.source.contains(PANIC_FOR_TESTS) {
        panic!("{PANIC_FOR_TESTS}");
    }
    cache.start_round(file, index);
    // Shared: the walk below borrows `cache` mutably.
    let imports = cache.imports();
    let sources = cache.sources();
    let statements = module_statements(file);
    let functions = module_functions(file, &statements);
    let mut module = Walker::new(
        file,
        index,
        &functions,
        imports.as_deref(),
        deadline,
        sources.as_deref(),
    );
    let nodes: Vec<_> = statements.iter().map(|(stmt, ..)| *stmt).collect();
    let mut env = Env::new();
    for (stmt, walk, root) in statements {
        if walk == Walk::Scan {
            module.scan(stmt, &env, root);
            continue;
        }
        let definition = matches!(
            stmt.kind(),
            "function_definition" | "decorated_definition" | "class_definition"
        );
        if !definition {
            module.statement(stmt, &mut env, root);
            continue;
        }
        let parts = class_by_parts(&module, stmt, cache).unwrap_or_else(|| {
            let key = definition_key(stmt, &functions, &file.source)
                ^ callers_here_key(stmt, &nodes, &functions, &file.source);
            cache.facts(key, &[stmt], || {
                let mut one = module.fresh();
                one.statement(stmt, &mut Env::new(), root);
                vec![one.facts]
            })
        });
        for facts in parts {
            module.facts.extend(facts);
        }
    }
    for registered in module.admin_registrations(&nodes) {
        let key = definition_key(registered.stmt, &functions, &file.source)
            ^ admin::changelist_key(&registered, &functions, &file.source);
        let parts = cache.facts(key, &[registered.stmt], || {
            let mut one = module.fresh();
            for model in &registered.models {
                one.changelist(&registered, *model);
                one.inlines(&registered, *model);
            }
            vec![one.facts]
        });
        for facts in parts {
            module.facts.extend(facts);
        }
    }
    if deadline.passed() {
        cache.forget();
    } else {
        cache.end_round();
    }
    cache.set_modules_read(module.facts.modules_read.clone());
    module.facts
}

/// The quote most strings in the file use, for strings a fix writes. A quote that
/// follows a letter or digit is an apostrophe (`don't`) or a closing quote; the others
/// open strings, and counting those is a cheap stand-in for counting literals.
/// Triple-quoted strings are skipped whole: docstrings take `"""` whatever quote the
/// strings use, and the quotes inside them are prose.
pub fn file_quote(file: &SourceFile) -> char {
    let (mut single, mut double) = (0usize, 0usize);
    let bytes = file.source.as_bytes();
    let mut previous = b'\n';
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if matches!(byte, b'\'' | b'"') && bytes[i..].starts_with(&[byte; 3]) {
            // Past the closing triple quote: what a docstring quotes is prose.
            let body = i + 3;
            i = bytes[body..]
                .windows(3)
                .position(|w| w == [byte; 3])
                .map_or(bytes.len(), |end| body + end + 3);
            previous = byte;
            continue;
        }
        if !previous.is_ascii_alphanumeric() {
            match byte {
                b'\'' => single += 1,
                b'"' => double += 1,
                _ => {}
            }
        }
        previous = byte;
        i += 1;
    }
    if single > double { '\'' } else { '"' }
}

/// The quote style to use for new strings in `site`'s call, else the file's.
pub fn quote_for(site: Option<&CallSite>, file_quote: char) -> char {
    site.and_then(|s| s.quote).unwrap_or(file_quote)
}

/// Used by rules to print a path (`author__profile`).
pub fn lookup_path(hops: &[Hop]) -> String {
    hops.iter()
        .map(|h| h.name.as_str())
        .collect::<Vec<_>>()
        .join("__")
}
