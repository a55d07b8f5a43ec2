//! `[tool.ormhint]` in `pyproject.toml`, or `ormhint.toml`.
//!
//! Selection is resolved in layers, as ruff does: the defaults (every rule), then the
//! config file, then the command line. Within a layer `select` (when given) replaces the
//! rules carried over from the layer below, then `ignore` removes from the result.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::analysis::{Rule, RuleSet, Severity};
use crate::text::LineIndex;
use crate::text::suggest::closest;

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
    /// Source roots (relative to the root) that replace the detected ones
    /// (`crate::roots::SourceRoots`).
    pub src: Option<Vec<PathBuf>>,
    /// The project's Python interpreter or environment (`crate::python_env`), relative
    /// to the config file's directory once read from one.
    pub python: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rules: RuleSet::default_rules(),
            exclude: Vec::new(),
            severity: HashMap::new(),
            auth_user_model: None,
            src: None,
            python: None,
        }
    }
}

/// Names the config file looks for in a root, in order of preference.
pub const CONFIG_FILES: [&str; 2] = ["ormhint.toml", "pyproject.toml"];

const KEYS: [&str; 7] = [
    "select",
    "ignore",
    "exclude",
    "severity",
    "auth-user-model",
    "src",
    "python",
];

/// A config file that could not be read or says something ormhint does not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    pub fn severity(&self, rule: Rule) -> Severity {
        self.severity
            .get(&rule)
            .copied()
            .unwrap_or_else(|| rule.default_severity())
    }

    /// The severity `diagnostic` is shown at: its own when it raises, else its rule's.
    pub fn severity_of(&self, diagnostic: &crate::analysis::Diagnostic) -> Severity {
        diagnostic
            .severity
            .unwrap_or_else(|| self.severity(diagnostic.rule))
    }

    /// The config that applies to `root`: `explicit` (from `--config`) when given, else
    /// `ormhint.toml` in `root`, else `[tool.ormhint]` of `root/pyproject.toml`, else the
    /// defaults.
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Self, ConfigError> {
        if let Some(path) = explicit {
            return Self::from_file(path);
        }
        match find_config_file(root) {
            Some(path) => Self::from_file(&path),
            None => Ok(Self::default()),
        }
    }

    /// Reads one config file: `[tool.ormhint]` when it is named `pyproject.toml`, the
    /// top-level table otherwise.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| ConfigError(format!("cannot read {}: {err}", display_path(path))))?;
        let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let mut config = Self::parse(&text, &display_path(path), pyproject)?;
        // As pyright reads `venvPath`: from where the file is.
        if let (Some(python), Some(dir)) = (&mut config.python, path.parent()) {
            *python = dir.join(&*python);
        }
        Ok(config)
    }

    /// Parses a config file's text; `name` is how errors refer to the file.
    pub fn parse(text: &str, name: &str, pyproject: bool) -> Result<Self, ConfigError> {
        let document: toml::Table = text.parse().map_err(|err: toml::de::Error| {
            let place = err.span().map_or_else(String::new, |span| {
                let lines = LineIndex::new(text);
                let at = lines.line_col_chars(text, span.start.min(text.len()));
                format!(":{}:{}", at.line + 1, at.col + 1)
            });
            let message = err.message().trim_end().replace('\n', "; ");
            ConfigError(format!("cannot parse {name}{place}: {message}"))
        })?;
        let (table, place) = if pyproject {
            let table = document.get("tool").and_then(|tool| tool.get("ormhint"));
            match table {
                None => return Ok(Self::default()),
                Some(toml::Value::Table(table)) => {
                    (table.clone(), format!("[tool.ormhint] of {name}"))
                }
                Some(_) => {
                    return Err(ConfigError(format!(
                        "`tool.ormhint` in {name} must be a table"
                    )));
                }
            }
        } else {
            (document, name.to_string())
        };
        Self::from_table(&table, &place)
    }

    fn from_table(table: &toml::Table, place: &str) -> Result<Self, ConfigError> {
        if let Some(key) = table.keys().find(|key| !KEYS.contains(&key.as_str())) {
            let hint = closest(key, KEYS)
                .map(|k| format!(" (did you mean '{k}'?)"))
                .unwrap_or_default();
            return Err(ConfigError(format!("unknown key '{key}' in {place}{hint}")));
        }
        let mut config = Self::default();
        let select = table
            .get("select")
            .map(|v| string_list(v, "select", place))
            .transpose()?;
        let ignore = table
            .get("ignore")
            .map(|v| string_list(v, "ignore", place))
            .transpose()?
            .unwrap_or_default();
        config.select(select.as_deref(), &ignore, &format!("'{{key}}' ({place})"))?;
        if let Some(exclude) = table.get("exclude") {
            config.exclude = string_list(exclude, "exclude", place)?;
            crate::project::Excludes::new(&config.exclude)
                .map_err(|err| ConfigError(format!("{err} in 'exclude' of {place}")))?;
        }
        if let Some(severity) = table.get("severity") {
            let toml::Value::Table(severity) = severity else {
                return Err(ConfigError(format!(
                    "'severity' in {place} must be a table of rule codes to severities"
                )));
            };
            for (code, value) in severity {
                let rule = Rule::from_code(code).ok_or_else(|| {
                    ConfigError(format!("unknown rule '{code}' in 'severity' of {place}"))
                })?;
                let level = value.as_str().and_then(Severity::parse).ok_or_else(|| {
                    ConfigError(format!(
                        "invalid severity {value} for {code} in {place} \
                             (expected \"error\", \"warning\", \"info\" or \"hint\")"
                    ))
                })?;
                config.severity.insert(rule, level);
            }
        }
        if let Some(model) = table.get("auth-user-model") {
            let label = model.as_str().filter(|s| {
                s.split_once('.').is_some_and(|(app, name)| {
                    !app.is_empty() && !name.is_empty() && !name.contains('.')
                })
            });
            let Some(label) = label else {
                return Err(ConfigError(format!(
                    "'auth-user-model' in {place} must be a model label like \"accounts.User\", \
                     not {model}"
                )));
            };
            config.auth_user_model = Some(label.to_string());
        }
        if let Some(src) = table.get("src") {
            let dirs = string_list(src, "src", place)?;
            if let Some(dir) = dirs.iter().find(|dir| {
                let path = Path::new(dir);
                path.is_absolute()
                    || path
                        .components()
                        .any(|c| c == std::path::Component::ParentDir)
            }) {
                return Err(ConfigError(format!(
                    "'src' in {place} must name directories inside the project, not \"{dir}\""
                )));
            }
            config.src = Some(dirs.into_iter().map(PathBuf::from).collect());
        }
        if let Some(python) = table.get("python") {
            let Some(path) = python.as_str().filter(|s| !s.is_empty()) else {
                return Err(ConfigError(format!(
                    "'python' in {place} must be the path of a Python interpreter or \
                     environment, like \".venv\", not {python}"
                )));
            };
            config.python = Some(PathBuf::from(path));
        }
        Ok(config)
    }

    /// Applies one layer of rule selection: `select` (codes, prefixes such as `ORM1`, or
    /// `ALL`) replaces the rules so far when given, then `ignore` removes rules.
    /// `place` names where the codes came from in errors; `{key}` in it is replaced by
    /// `select` or `ignore` (`"--{key}"` for flags).
    pub fn select(
        &mut self,
        select: Option<&[String]>,
        ignore: &[String],
        place: &str,
    ) -> Result<(), ConfigError> {
        if let Some(select) = select {
            let mut rules = RuleSet::default();
            for code in select {
                let set = matching(code, &place.replace("{key}", "select"))?;
                for rule in Rule::ALL.iter().copied().filter(|r| set.contains(*r)) {
                    rules.insert(rule);
                }
            }
            self.rules = rules;
        }
        for code in ignore {
            let set = matching(code, &place.replace("{key}", "ignore"))?;
            for rule in Rule::ALL.iter().copied().filter(|r| set.contains(*r)) {
                self.rules.remove(rule);
            }
        }
        Ok(())
    }
}

fn matching(code: &str, place: &str) -> Result<RuleSet, ConfigError> {
    RuleSet::matching(code.trim())
        .ok_or_else(|| ConfigError(format!("unknown rule '{}' in {place}", code.trim())))
}

fn string_list(value: &toml::Value, key: &str, place: &str) -> Result<Vec<String>, ConfigError> {
    let error = || ConfigError(format!("'{key}' in {place} must be a list of strings"));
    value
        .as_array()
        .ok_or_else(error)?
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or_else(error))
        .collect()
}

/// A path as messages show it: relative to the working directory when under it, without
/// a leading `./`.
pub(crate) fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let path = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path);
    let path = path.strip_prefix(".").unwrap_or(path);
    path.display().to_string()
}

/// The config file that `load` would read for `root`, if any.
pub fn find_config_file(root: &Path) -> Option<PathBuf> {
    CONFIG_FILES
        .iter()
        .map(|name| root.join(name))
        .find(|path| path.is_file())
}

/// Whether `dir` holds an ormhint config: `ormhint.toml`, or a `pyproject.toml` with a
/// `[tool.ormhint]` table (or one that does not parse but names it: its error is shown
/// when the config is loaded).
pub fn configures_ormhint(dir: &Path) -> bool {
    if dir.join("ormhint.toml").is_file() {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(dir.join("pyproject.toml")) else {
        return false;
    };
    match text.parse::<toml::Table>() {
        Ok(document) => document
            .get("tool")
            .and_then(|tool| tool.get("ormhint"))
            .is_some(),
        Err(_) => text
            .lines()
            .any(|line| line.trim_start().starts_with("[tool.ormhint")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pyproject(body: &str) -> Result<Config, ConfigError> {
        Config::parse(&format!("[tool.ormhint]\n{body}"), "pyproject.toml", true)
    }

    #[test]
    fn select_and_ignore_prefixes() {
        let config = pyproject("select = [\"ORM1\", \"ORM201\"]\nignore = [\"orm102\"]").unwrap();
        assert!(config.rules.contains(Rule::MissingSelectRelated));
        assert!(!config.rules.contains(Rule::MissingPrefetchRelated));
        assert!(config.rules.contains(Rule::CountForExistence));
        assert!(!config.rules.contains(Rule::LenOfQueryset));
    }

    #[test]
    fn command_line_layer_overrides_the_file() {
        let mut config = pyproject("ignore = [\"ORM301\"]").unwrap();
        assert!(!config.rules.contains(Rule::FetchOnlyNeeded));
        config
            .select(Some(&["ORM301".to_string()]), &[], "--{key}")
            .unwrap();
        assert!(config.rules.contains(Rule::FetchOnlyNeeded));
        assert!(!config.rules.contains(Rule::MissingSelectRelated));

        let mut config = Config::default();
        config
            .select(None, &["ORM6".to_string()], "--{key}")
            .unwrap();
        assert!(!config.rules.contains(Rule::UnknownLookup));
        assert!(config.rules.contains(Rule::MissingSelectRelated));
    }

    #[test]
    fn unknown_key_is_named_with_a_suggestion() {
        let err = pyproject("selct = [\"ORM1\"]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown key 'selct' in [tool.ormhint] of pyproject.toml (did you mean 'select'?)"
        );
        let err = Config::parse("colour = 1", "ormhint.toml", false).unwrap_err();
        assert_eq!(err.to_string(), "unknown key 'colour' in ormhint.toml");
    }

    #[test]
    fn unknown_rule_is_named() {
        let err = pyproject("select = [\"ORM999\"]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown rule 'ORM999' in 'select' ([tool.ormhint] of pyproject.toml)"
        );
        let mut config = Config::default();
        let err = config
            .select(None, &["XYZ".to_string()], "--{key}")
            .unwrap_err();
        assert_eq!(err.to_string(), "unknown rule 'XYZ' in --ignore");
    }

    #[test]
    fn severity_overrides() {
        let config =
            pyproject("severity = { ORM301 = \"hint\", missing-select-related = \"error\" }")
                .unwrap();
        assert_eq!(config.severity(Rule::FetchOnlyNeeded), Severity::Hint);
        assert_eq!(config.severity(Rule::MissingSelectRelated), Severity::Error);
        assert_eq!(config.severity(Rule::LenOfQueryset), Severity::Warning);

        let err = pyproject("severity = { ORM301 = \"loud\" }").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid severity \"loud\" for ORM301"),
            "{err}"
        );
        let err = pyproject("severity = { ORM999 = \"hint\" }").unwrap_err();
        assert!(
            err.to_string().starts_with("unknown rule 'ORM999'"),
            "{err}"
        );
    }

    #[test]
    fn auth_user_model_and_exclude() {
        let config =
            pyproject("auth-user-model = \"accounts.User\"\nexclude = [\"legacy/**\"]").unwrap();
        assert_eq!(config.auth_user_model.as_deref(), Some("accounts.User"));
        assert_eq!(config.exclude, ["legacy/**"]);
        assert!(pyproject("auth-user-model = \"User\"").is_err());
        assert!(pyproject("exclude = \"legacy\"").is_err());
        assert!(pyproject("exclude = [\"a/[b\"]").is_err());
    }

    #[test]
    fn pyproject_without_the_table_is_the_default() {
        let config = Config::parse("[project]\nname = \"x\"\n", "pyproject.toml", true).unwrap();
        assert_eq!(config.rules, RuleSet::default_rules());
    }

    #[test]
    fn broken_toml_names_the_file() {
        let err =
            Config::parse("select = [\"ORM1\"]\nignore = [", "ormhint.toml", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot parse ormhint.toml:2:11: invalid array; expected `]`"
        );
    }
}
