//! `[tool.ormhint]` in `pyproject.toml`, or `ormhint.toml`.

use std::collections::HashMap;

use crate::analysis::{Rule, RuleSet, Severity};

/// Settings after reading the config file and applying command-line overrides.
#[derive(Debug, Clone)]
pub struct Config {
    /// Rules that run: `select` minus `ignore`.
    pub rules: RuleSet,
    /// Glob patterns (relative to the root) of files not to check.
    pub exclude: Vec<String>,
    pub severity: HashMap<Rule, Severity>,
    /// `"accounts.User"`; overrides `AUTH_USER_MODEL` from the settings module.
    pub auth_user_model: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rules: RuleSet::all(),
            exclude: Vec::new(),
            severity: HashMap::new(),
            auth_user_model: None,
        }
    }
}

impl Config {
    pub fn severity(&self, rule: Rule) -> Severity {
        self.severity
            .get(&rule)
            .copied()
            .unwrap_or_else(|| rule.default_severity())
    }
}
