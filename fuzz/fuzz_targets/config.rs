//! Arbitrary text as `ormhint.toml`, as `pyproject.toml`, and as the editor's settings
//! (JSON, or the TOML document carried over to JSON, so that structured settings come up
//! more often than the fuzzer writes valid JSON), layered over each config read.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ormhint::config::Config;
use ormhint::lsp::config::Settings;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut configs = vec![Config::default()];
    configs.extend(Config::parse(text, "ormhint.toml", false).ok());
    configs.extend(Config::parse(text, "pyproject.toml", true).ok());
    let mut values: Vec<Value> = Vec::new();
    values.extend(serde_json::from_str::<Value>(text).ok());
    if let Ok(table) = text.parse::<toml::Table>() {
        values.extend(serde_json::to_value(&table).ok());
        values.extend(serde_json::to_value(table.get("tool")).ok());
    }
    for value in &values {
        let (settings, _problems) = Settings::parse(value);
        for config in &configs {
            // The settings keep only codes that select something: layering them cannot
            // fail, which `Settings::apply` relies on.
            let mut layered = config.clone();
            layered
                .select(settings.select.as_deref(), &settings.ignore, "{key}")
                .expect("the settings' codes were checked when read");
            let applied = settings.apply(config);
            assert_eq!(applied.rules, layered.rules);
        }
    }
});
