//! The tree-sitter queries under `queries/python/`, compiled once on first use.

use std::sync::LazyLock;

use tree_sitter::Query;

use super::language;

macro_rules! query {
    ($name:ident, $file:literal) => {
        pub static $name: LazyLock<Query> = LazyLock::new(|| {
            Query::new(
                &language(),
                include_str!(concat!("../../../queries/python/", $file)),
            )
            .unwrap_or_else(|e| panic!("queries/python/{}: {e}", $file))
        });
    };
}

query!(DEFINITIONS, "definitions.scm");

/// Every query, for the test that compiles them all.
pub fn all() -> Vec<(&'static str, &'static LazyLock<Query>)> {
    vec![("definitions.scm", &DEFINITIONS)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_query_compiles() {
        for (name, query) in super::all() {
            assert!(query.pattern_count() > 0, "{name} has no pattern");
        }
    }
}
