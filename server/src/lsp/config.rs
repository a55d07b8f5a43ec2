//! Settings from the editor: `initializationOptions` and `workspace/didChangeConfiguration`,
//! under the key `ormhint` (or given bare). They are a layer above the config file, as
//! command-line flags are: `select` replaces the file's selection when given, `ignore`
//! removes from it, `severity` entries win over the file's, `authUserModel` over
//! `auth-user-model`.
//!
//! An invalid entry is reported and left out; the valid ones still apply.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::analysis::{Rule, RuleSet, Severity};
use crate::config::Config;

/// The key the settings sit under in `didChangeConfiguration` and `initializationOptions`.
pub const SECTION: &str = "ormhint";

const KEYS: [&str; 6] = [
    "select",
    "ignore",
    "severity",
    "inlayHints",
    "inlayHints.queryCost",
    "authUserModel",
];

/// The editor's settings, valid entries only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Codes or prefixes; `None`: the file's selection stands.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: HashMap<Rule, Severity>,
    /// `inlayHints.queryCost`: show each loop's query cost as an inlay hint.
    pub inlay_query_cost: bool,
    /// `"accounts.User"`.
    pub auth_user_model: Option<String>,
}

impl Settings {
    /// Reads settings from `value`: the object under `ormhint` when there is one, else
    /// `value` itself. `null` is no settings. Returns the valid settings and a message per
    /// invalid entry.
    pub fn parse(value: &Value) -> (Self, Vec<String>) {
        let mut settings = Self::default();
        let mut problems = Vec::new();
        let value = match value {
            Value::Object(map) if map.contains_key(SECTION) => &map[SECTION],
            other => other,
        };
        let map = match value {
            Value::Null => return (settings, problems),
            Value::Object(map) => map,
            other => {
                problems.push(format!(
                    "the settings must be an object, not {}",
                    kind(other)
                ));
                return (settings, problems);
            }
        };
        for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            problems.push(format!("unknown setting '{key}'"));
        }
        if let Some(select) = map.get("select").filter(|v| !v.is_null()) {
            settings.select = codes(select, "select", &mut problems);
        }
        if let Some(ignore) = map.get("ignore").filter(|v| !v.is_null()) {
            settings.ignore = codes(ignore, "ignore", &mut problems).unwrap_or_default();
        }
        if let Some(severity) = map.get("severity").filter(|v| !v.is_null()) {
            settings.severity = severities(severity, &mut problems);
        }
        settings.inlay_query_cost = query_cost(map, &mut problems);
        if let Some(model) = map.get("authUserModel").filter(|v| !v.is_null()) {
            let label = model.as_str().filter(|s| is_model_label(s));
            match label {
                Some(label) => settings.auth_user_model = Some(label.to_string()),
                None => problems.push(format!(
                    "'authUserModel' must be a model label like \"accounts.User\", not {model}"
                )),
            }
        }
        (settings, problems)
    }

    /// The config file's settings with these on top.
    pub fn apply(&self, file: &Config) -> Config {
        let mut config = file.clone();
        // Every code was checked in `parse`: selecting cannot fail.
        let _ = config.select(self.select.as_deref(), &self.ignore, "the editor's '{key}'");
        config
            .severity
            .extend(self.severity.iter().map(|(rule, level)| (*rule, *level)));
        if let Some(model) = &self.auth_user_model {
            config.auth_user_model = Some(model.clone());
        }
        config
    }
}

/// A list of rule codes or prefixes; unknown ones are reported and left out. Not a list
/// at all: reported, `None`.
/// A list of codes; `None` when there is none to apply. An empty list (or an empty
/// object, which is how Lua's `{}` reaches us) selects nothing and means "not set":
/// an editor's default settings must not switch every rule off.
fn codes(value: &Value, key: &str, problems: &mut Vec<String>) -> Option<Vec<String>> {
    if value.as_object().is_some_and(|o| o.is_empty())
        || value.as_array().is_some_and(|a| a.is_empty())
    {
        return None;
    }
    let Some(items) = value.as_array() else {
        problems.push(format!(
            "'{key}' must be a list of rule codes, not {}",
            kind(value)
        ));
        return None;
    };
    let mut codes = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().map(str::trim) {
            Some(code) if RuleSet::matching(code).is_some() => codes.push(code.to_string()),
            Some(code) => problems.push(format!("unknown rule '{code}' in '{key}'")),
            None => problems.push(format!("'{key}' holds {item}, not a rule code")),
        }
    }
    // Every entry invalid: nothing to apply (the problems are shown).
    (!codes.is_empty()).then_some(codes)
}

fn severities(value: &Value, problems: &mut Vec<String>) -> HashMap<Rule, Severity> {
    let mut out = HashMap::new();
    // Lua's empty table `{}` is encoded as an empty list.
    if value.as_array().is_some_and(|a| a.is_empty()) {
        return out;
    }
    let Some(map) = value.as_object() else {
        problems.push(format!(
            "'severity' must map rule codes to severities, not {}",
            kind(value)
        ));
        return out;
    };
    for (code, level) in map {
        let Some(rule) = Rule::from_code(code) else {
            problems.push(format!("unknown rule '{code}' in 'severity'"));
            continue;
        };
        match level.as_str().and_then(Severity::parse) {
            Some(level) => {
                out.insert(rule, level);
            }
            None => problems.push(format!(
                "invalid severity {level} for {code} \
                 (expected \"error\", \"warning\", \"info\" or \"hint\")"
            )),
        }
    }
    out
}

/// `inlayHints.queryCost`, nested (`{"inlayHints": {"queryCost": true}}`) or dotted.
fn query_cost(map: &Map<String, Value>, problems: &mut Vec<String>) -> bool {
    let nested = match map.get("inlayHints") {
        None | Some(Value::Null) => None,
        Some(Value::Object(hints)) => {
            for key in hints.keys().filter(|k| *k != "queryCost") {
                problems.push(format!("unknown setting 'inlayHints.{key}'"));
            }
            hints.get("queryCost")
        }
        Some(other) => {
            problems.push(format!(
                "'inlayHints' must be an object, not {}",
                kind(other)
            ));
            None
        }
    };
    match nested.or_else(|| map.get("inlayHints.queryCost")) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(on)) => *on,
        Some(other) => {
            problems.push(format!(
                "'inlayHints.queryCost' must be true or false, not {other}"
            ));
            false
        }
    }
}

fn is_model_label(s: &str) -> bool {
    s.split_once('.')
        .is_some_and(|(app, name)| !app.is_empty() && !name.is_empty() && !name.contains('.'))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn settings_under_the_section_or_bare() {
        let value = json!({"ormhint": {"select": ["ORM2"], "ignore": ["ORM202"]}});
        let (settings, problems) = Settings::parse(&value);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(settings.select, Some(vec!["ORM2".to_string()]));
        assert_eq!(settings.ignore, ["ORM202"]);
        let (bare, _) = Settings::parse(&json!({"select": ["ORM2"], "ignore": ["ORM202"]}));
        assert_eq!(bare, settings);
        assert_eq!(Settings::parse(&Value::Null), (Settings::default(), vec![]));
    }

    #[test]
    fn empty_lists_and_tables_leave_the_file_alone() {
        // Neovim sends Lua's `{}` as `{}` or `[]`: neither may switch every rule off.
        for empty in [json!([]), json!({})] {
            let value = json!({"ormhint": {"select": empty, "ignore": empty, "severity": empty}});
            let (settings, problems) = Settings::parse(&value);
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(settings, Settings::default());
        }
    }

    #[test]
    fn editor_settings_win_over_the_file() {
        let file = Config::parse(
            "[tool.ormhint]\nignore = [\"ORM301\"]\nseverity = { ORM101 = \"error\" }\n\
             auth-user-model = \"a.User\"",
            "pyproject.toml",
            true,
        )
        .unwrap();
        let value = json!({
            "select": ["ORM1", "ORM301"],
            "severity": {"ORM101": "hint", "ORM102": "info"},
            "authUserModel": "accounts.Member",
            "inlayHints": {"queryCost": true},
        });
        let (settings, problems) = Settings::parse(&value);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(settings.inlay_query_cost);
        let config = settings.apply(&file);
        assert!(config.rules.contains(Rule::FetchOnlyNeeded));
        assert!(config.rules.contains(Rule::MissingSelectRelated));
        assert!(!config.rules.contains(Rule::CountForExistence));
        assert_eq!(config.severity(Rule::MissingSelectRelated), Severity::Hint);
        assert_eq!(
            config.severity(Rule::MissingPrefetchRelated),
            Severity::Info
        );
        assert_eq!(config.auth_user_model.as_deref(), Some("accounts.Member"));

        // No settings: the file as it is.
        let config = Settings::default().apply(&file);
        assert!(!config.rules.contains(Rule::FetchOnlyNeeded));
        assert_eq!(config.severity(Rule::MissingSelectRelated), Severity::Error);
    }

    #[test]
    fn invalid_entries_are_reported_and_the_rest_kept() {
        let value = json!({
            "select": ["ORM201", "ORM999", 3],
            "ignore": "ORM1",
            "severity": {"ORM202": "loud", "XYZ": "hint", "ORM201": "error"},
            "inlayHints.queryCost": "yes",
            "authUserModel": "User",
            "colour": 1,
        });
        let (settings, problems) = Settings::parse(&value);
        assert_eq!(settings.select, Some(vec!["ORM201".to_string()]));
        assert!(settings.ignore.is_empty());
        assert_eq!(settings.severity.len(), 1);
        assert!(!settings.inlay_query_cost);
        assert_eq!(settings.auth_user_model, None);
        assert_eq!(
            problems,
            [
                "unknown setting 'colour'",
                "unknown rule 'ORM999' in 'select'",
                "'select' holds 3, not a rule code",
                "'ignore' must be a list of rule codes, not a string",
                "invalid severity \"loud\" for ORM202 \
                 (expected \"error\", \"warning\", \"info\" or \"hint\")",
                "unknown rule 'XYZ' in 'severity'",
                "'inlayHints.queryCost' must be true or false, not \"yes\"",
                "'authUserModel' must be a model label like \"accounts.User\", not \"User\"",
            ]
        );
        let (_, problems) = Settings::parse(&json!(["ORM1"]));
        assert_eq!(problems, ["the settings must be an object, not a list"]);
    }
}
