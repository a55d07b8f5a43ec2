//! How rules are declared (the table itself is in `rules/mod.rs`), and sets of rules.

use std::fmt;

use super::rules::Rule;

/// Declares every rule once: its module (`pub mod`, with `check(ctx, out)` and docs in
/// the Markdown file of the same name), the `Rule` enum with code, name, default
/// severity and what it needs, and the dispatch from a rule to its check. Invoked in
/// `rules/mod.rs`.
macro_rules! declare_rules {
    ($($variant:ident => ($code:literal, $name:literal, $severity:ident, $module:ident, $needs:expr),)*) => {
        $(pub mod $module;)*

        /// Every rule ormhint knows. Codes are stable once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            /// kebab-case name of the pattern flagged (`missing-select-related`).
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            pub fn default_severity(self) -> $crate::analysis::Severity {
                match self { $(Rule::$variant => $crate::analysis::Severity::$severity,)* }
            }

            /// The rule's documentation in Markdown (What it does / Why is this bad? /
            /// Example / Use instead), kept beside the rule's code.
            pub fn docs(self) -> &'static str {
                match self { $(Rule::$variant => include_str!(concat!(stringify!($module), ".md")),)* }
            }

            /// What must be computed before the rule runs.
            pub fn needs(self) -> Needs {
                match self { $(Rule::$variant => $needs,)* }
            }

            /// Runs the rule's check.
            pub fn check(self, ctx: &Context<'_>, out: &mut Vec<$crate::analysis::Diagnostic>) {
                match self { $(Rule::$variant => $module::check(ctx, out),)* }
            }
        }
    };
}

pub(crate) use declare_rules;

impl Rule {
    /// By code (`ORM101`) or name (`missing-select-related`), case-insensitive.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code) || r.name().eq_ignore_ascii_case(code))
    }
}

/// By code, so a stored finding outlives a change in the order of the rules.
impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Rule::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule {code}")))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of rules, as selected by config or flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleSet(u64);

impl RuleSet {
    pub fn all() -> Self {
        Rule::ALL.iter().copied().collect()
    }

    /// What runs when nothing is selected: every rule but the opt-in ones
    /// ([`super::rules::OPT_IN`]).
    pub fn default_rules() -> Self {
        Rule::ALL
            .iter()
            .copied()
            .filter(|r| !super::rules::OPT_IN.contains(r))
            .collect()
    }

    /// A rule of the set counts over the whole workspace
    /// ([`super::rules::Needs::Workspace`]).
    pub fn needs_workspace(self) -> bool {
        self.workspace_rules() != RuleSet::default()
    }

    /// The rules of the set that count over the whole workspace.
    pub fn workspace_rules(self) -> RuleSet {
        Rule::ALL
            .iter()
            .copied()
            .filter(|r| self.contains(*r) && r.needs() == super::rules::Needs::Workspace)
            .collect()
    }

    pub fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule as u64) != 0
    }

    pub fn insert(&mut self, rule: Rule) {
        self.0 |= 1 << rule as u64;
    }

    pub fn remove(&mut self, rule: Rule) {
        self.0 &= !(1 << rule as u64);
    }

    /// Rules whose code starts with `prefix` (`ORM1` selects ORM101-ORM105; `ALL` every rule).
    pub fn matching(prefix: &str) -> Option<Self> {
        if prefix.eq_ignore_ascii_case("ALL") {
            return Some(Self::all());
        }
        if let Some(rule) = Rule::from_code(prefix) {
            return Some([rule].into_iter().collect());
        }
        let set: RuleSet = Rule::ALL
            .iter()
            .copied()
            .filter(|r| {
                r.code()
                    .to_ascii_uppercase()
                    .starts_with(&prefix.to_ascii_uppercase())
            })
            .collect();
        (set.0 != 0 && prefix.len() >= 3).then_some(set)
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<T: IntoIterator<Item = Rule>>(iter: T) -> Self {
        let mut set = RuleSet::default();
        for rule in iter {
            set.insert(rule);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        for (i, a) in Rule::ALL.iter().enumerate() {
            for b in &Rule::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
            let docs = a.docs();
            for heading in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(docs.contains(heading), "{} docs lack {heading}", a.code());
            }
        }
    }

    #[test]
    fn prefixes_select_groups() {
        let set = RuleSet::matching("ORM1").unwrap();
        assert!(set.contains(Rule::MissingSelectRelated));
        assert!(!set.contains(Rule::CountForExistence));
        assert!(RuleSet::matching("ORM9").is_none());
        assert_eq!(Rule::from_code("orm101"), Some(Rule::MissingSelectRelated));
    }
}
