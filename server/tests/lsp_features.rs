//! `ormhint server` end to end, for what it tells beyond pushed diagnostics: hovers on
//! loops, query-cost inlay hints, `source.fixAll.ormhint`, pulled diagnostics and the
//! rule links on every diagnostic.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::{Client, apply_edits, shop, uri_of};

const FILE: &str = "catalog/serializers.py";

/// What a client declares: pull diagnostics or not, initialization options.
struct Setup {
    pull: bool,
    options: Value,
}

const PUSH: Setup = Setup {
    pull: false,
    options: Value::Null,
};

/// A server on `root`, initialized (UTF-16, plain edits) with `FILE` open at version 1;
/// its `initialize` result.
fn start(root: &Path, setup: &Setup) -> (Client, Value, String) {
    let mut client = Client::start(root);
    let mut capabilities = json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {"hover": {"contentFormat": ["markdown"]}, "inlayHint": {}},
        "workspace": {"inlayHint": {"refreshSupport": true}},
    });
    if setup.pull {
        capabilities["textDocument"]["diagnostic"] = json!({});
        capabilities["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    }
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities,
            "initializationOptions": setup.options,
            "workspaceFolders": [{"uri": uri_of(root), "name": "shop"}],
        }),
    );
    client.notify("initialized", json!({}));
    let uri = uri_of(&root.join(FILE));
    let text = std::fs::read_to_string(root.join(FILE)).unwrap();
    assert!(text.is_ascii());
    client.open(&uri, &text, 1);
    (client, response["result"].clone(), uri)
}

/// A server on `root` whose workspace is loaded (`FILE`'s diagnostics were pushed).
fn ready(root: &Path, setup: &Setup) -> (Client, String) {
    let (mut client, _, uri) = start(root, setup);
    client.diagnostics(&uri, 1);
    (client, uri)
}

fn hover(client: &mut Client, uri: &str, line: u32, character: u32) -> Value {
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    assert!(response.get("error").is_none(), "{response}");
    response["result"].clone()
}

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": {"line": start.0, "character": start.1},
           "end": {"line": end.0, "character": end.1}})
}

const APPLIES_NOTHING: &str =
    "The queryset applies none of `select_related`, `prefetch_related`, `only`, `defer`.";

#[test]
fn hover_on_an_n_plus_one_loop_shows_its_queries() {
    let dir = shop();
    let (mut client, uri) = ready(dir.path(), &PUSH);
    // `for product in Product.objects.active().select_related("category"):`, line 25.
    let expected = "**Loop over `Product` rows**\n\n\
        1 + N queries: `tags` (many-to-many, not prefetched)\n\n\
        The queryset applies `.select_related(\"category\")`.";
    let on_for = hover(&mut client, &uri, 24, 5);
    assert_eq!(on_for["contents"]["kind"], "markdown");
    assert_eq!(on_for["contents"]["value"], expected);
    assert_eq!(on_for["range"], range((24, 4), (24, 7)));
    let on_variable = hover(&mut client, &uri, 24, 10);
    assert_eq!(on_variable["contents"]["value"], expected);
    assert_eq!(on_variable["range"], range((24, 8), (24, 15)));
    let on_queryset = hover(&mut client, &uri, 24, 30);
    assert_eq!(on_queryset["contents"]["value"], expected);
    assert_eq!(on_queryset["range"], range((24, 19), (24, 70)));

    // The read that runs the query: `product.tags` in the comprehension on line 26.
    let on_read = hover(&mut client, &uri, 25, 45);
    assert_eq!(on_read["range"], range((25, 41), (25, 53)));
    assert_eq!(
        on_read["contents"]["value"],
        "**`product.tags` runs one query per `Product` row**: `tags` (many-to-many, \
         not prefetched)\n\n\
         The loop: 1 + N queries: `tags` (many-to-many, not prefetched)\n\n\
         The queryset applies `.select_related(\"category\")`."
    );

    // A comprehension's `for` (line 34), its rows read through get_absolute_url().
    let comprehension = hover(&mut client, &uri, 33, 9);
    assert_eq!(
        comprehension["contents"]["value"],
        format!(
            "**Loop over `Product` rows**\n\n\
             1 + N queries: `category` (foreign key, not selected)\n\n{APPLIES_NOTHING}"
        )
    );
    client.shut_down();
}

#[test]
fn hover_on_a_clean_loop_says_one_query() {
    let dir = shop();
    let (mut client, uri) = ready(dir.path(), &PUSH);
    // `for product in Product.objects.with_tags().prefetch_related("reviews", "images"):`
    let clean = hover(&mut client, &uri, 50, 4);
    assert_eq!(
        clean["contents"]["value"],
        "**Loop over `Product` rows**\n\n1 query\n\n\
         The queryset applies `.prefetch_related(\"tags\", \"reviews\", \"images\")`."
    );
    // Outside any loop: the import, a blank line, a loop body away from any read.
    assert_eq!(hover(&mut client, &uri, 0, 5), Value::Null);
    assert_eq!(hover(&mut client, &uri, 4, 0), Value::Null);
    assert_eq!(hover(&mut client, &uri, 26, 8), Value::Null);
    // A document that is not open.
    let other = uri_of(&dir.path().join("catalog/views.py"));
    assert_eq!(hover(&mut client, &other, 53, 4), Value::Null);
    client.shut_down();
}

fn inlay_hints(client: &mut Client, uri: &str) -> Value {
    let response = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range((0, 0), (200, 0))}),
    );
    assert!(response.get("error").is_none(), "{response}");
    response["result"].clone()
}

#[test]
fn inlay_hints_are_off_by_default() {
    let dir = shop();
    let (mut client, result, uri) = start(dir.path(), &PUSH);
    assert_eq!(result["capabilities"]["inlayHintProvider"], true);
    client.diagnostics(&uri, 1);
    let hints = inlay_hints(&mut client, &uri);
    assert!(
        hints.is_null() || hints.as_array().is_some_and(Vec::is_empty),
        "{hints}"
    );
    client.shut_down();
}

#[test]
fn inlay_hints_show_loop_costs_when_asked() {
    let dir = shop();
    let setup = Setup {
        pull: false,
        options: json!({"inlayHints": {"queryCost": true}}),
    };
    let (mut client, uri) = ready(dir.path(), &setup);
    let hints = inlay_hints(&mut client, &uri);
    let shown: Vec<(u64, u64, String)> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["position"]["character"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // At the end of each costly loop's iterated expression; none on the clean ones.
    assert_eq!(
        shown,
        [
            (24, 70, "1 + N queries".to_string()),
            (33, 47, "1 + N queries".to_string()),
            (39, 69, "1 + N queries".to_string()),
        ]
    );
    assert_eq!(hints[0]["paddingLeft"], true);
    assert_eq!(
        hints[0]["tooltip"]["value"],
        "`Product` rows: 1 + N queries: `tags` (many-to-many, not prefetched)"
    );
    // Only the range asked for.
    let response = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range((30, 0), (36, 0))}),
    );
    let hints = response["result"].as_array().unwrap();
    assert_eq!(hints.len(), 1);
    assert_eq!(hints[0]["position"]["line"], 33);
    client.shut_down();
}

fn fix_all_action(client: &mut Client, uri: &str, only: Value) -> Option<Value> {
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": range((0, 0), (0, 0)),
            "context": {"diagnostics": [], "only": only},
        }),
    );
    assert!(response.get("error").is_none(), "{response}");
    let actions = response["result"].as_array().cloned().unwrap_or_default();
    actions
        .into_iter()
        .find(|a| a["kind"] == "source.fixAll.ormhint")
}

/// `FILE` after `ormhint check --fix` in a fresh copy of the project.
fn cli_fixed() -> String {
    let dir = shop();
    let status = Command::new(env!("CARGO_BIN_EXE_ormhint"))
        .args(["check", "--fix", "--exit-zero"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    std::fs::read_to_string(dir.path().join(FILE)).unwrap()
}

fn safe_fixes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d["data"]["fix"]["applicability"] == "safe")
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fix_all_applies_every_safe_fix_like_check_fix() {
    let dir = shop();
    let root = dir.path();
    let (mut client, result, uri) = start(root, &PUSH);
    let kinds = &result["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert_eq!(kinds, &json!(["quickfix", "source.fixAll.ormhint"]));
    let before = client.diagnostics(&uri, 1);
    assert_eq!(safe_fixes(&before), ["ORM102", "ORM101", "ORM203"]);
    let text = std::fs::read_to_string(root.join(FILE)).unwrap();

    // Not offered to a request for quick fixes only, nor to one without `only` (a
    // lightbulb); offered for `source.fixAll`.
    assert_eq!(fix_all_action(&mut client, &uri, json!(["quickfix"])), None);
    assert_eq!(fix_all_action(&mut client, &uri, Value::Null), None);
    assert!(fix_all_action(&mut client, &uri, json!(["source"])).is_some());
    let action = fix_all_action(&mut client, &uri, json!(["source.fixAll"])).expect("fix all");
    assert_eq!(action["title"], "Apply all safe ormhint fixes");
    let edits = action["edit"]["changes"][&uri].as_array().unwrap().clone();
    // One small edit per fixed place, not the whole document.
    assert_eq!(edits.len(), 3, "{edits:#?}");
    assert_eq!(edits[0]["range"], range((24, 44), (24, 44)));
    assert_eq!(edits[0]["newText"], "prefetch_related(\"tags\").");
    let (fixed, changes) = apply_edits(&text, &edits);
    assert_eq!(fixed, cli_fixed());

    // Applied, the document has no safe fix left.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes}),
    );
    let after = client.diagnostics(&uri, 2);
    assert_eq!(safe_fixes(&after), Vec::<String>::new());
    assert!(after.iter().any(|d| d["code"] == "ORM105"), "{after:#?}");
    // Nothing left to fix: no action.
    assert_eq!(
        fix_all_action(&mut client, &uri, json!(["source.fixAll"])),
        None
    );
    client.shut_down();
}

/// The diagnostics of `FILE` pulled by a client that declares pull support, once the
/// server asked it to pull again (its workspace loaded); and whatever the server sent.
fn pulled(root: &Path) -> (Vec<Value>, Value, Vec<Value>) {
    let setup = Setup {
        pull: true,
        options: Value::Null,
    };
    let (mut client, result, uri) = start(root, &setup);
    client.answer("workspace/diagnostic/refresh");
    let response = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    let report = &response["result"];
    assert_eq!(report["kind"], "full", "{response}");
    let items = report["items"].as_array().unwrap().clone();
    let (code, sent) = client.shut_down();
    assert_eq!(code, 0);
    (items, result["capabilities"].clone(), sent)
}

#[test]
fn pulled_diagnostics_equal_pushed_ones_and_none_are_pushed() {
    let dir = shop();
    let root = dir.path();
    let (mut client, result, uri) = start(root, &PUSH);
    assert!(result["capabilities"].get("diagnosticProvider").is_none());
    let pushed = client.diagnostics(&uri, 1);
    client.shut_down();

    let (items, capabilities, sent) = pulled(root);
    assert_eq!(
        capabilities["diagnosticProvider"],
        json!({"identifier": "ormhint", "interFileDependencies": true, "workspaceDiagnostics": false})
    );
    assert!(!pushed.is_empty());
    assert_eq!(items, pushed);
    assert!(
        sent.iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "{sent:#?}"
    );
}

#[test]
fn every_diagnostic_links_to_its_rule() {
    let dir = shop();
    let (mut client, result, uri) = start(dir.path(), &PUSH);
    assert_eq!(result["capabilities"]["hoverProvider"], true);
    let pushed = client.diagnostics(&uri, 1);
    client.shut_down();
    let (pulled, _, _) = pulled(dir.path());
    let base = "https://github.com/ormhint/ormhint/blob/main/server/src/analysis/rules/";
    for diagnostic in pushed.iter().chain(&pulled) {
        let name = match diagnostic["code"].as_str().unwrap() {
            "ORM101" => "missing_select_related",
            "ORM102" => "missing_prefetch_related",
            "ORM105" => "prefetch_bypassed",
            "ORM203" => "related_id_via_object",
            other => panic!("unexpected {other}"),
        };
        assert_eq!(
            diagnostic["codeDescription"]["href"],
            format!("{base}{name}.md")
        );
    }
}
