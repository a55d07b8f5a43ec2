//! `ormhint server` end to end: the built binary, spoken to over its stdio with
//! `Content-Length` framing, on a copy of the example project.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use support::{Client, codes, offset, shop, uri_of};

const FILE: &str = "catalog/serializers.py";

fn cli_findings(dir: &Path) -> BTreeSet<(u64, u64, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_ormhint"))
        .args(["check", "--output-format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    findings
        .iter()
        .filter(|f| f["path"] == FILE)
        .map(|f| {
            (
                f["location"]["row"].as_u64().unwrap() - 1,
                f["location"]["column"].as_u64().unwrap() - 1,
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn found(diagnostics: &[Value]) -> BTreeSet<(u64, u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The text edits of a code action, whichever shape its `WorkspaceEdit` has.
fn edits_of(action: &Value, uri: &str, version: i64, versioned: bool) -> Vec<Value> {
    let edit = &action["edit"];
    if versioned {
        let change = &edit["documentChanges"][0];
        assert_eq!(change["textDocument"]["uri"], uri);
        assert_eq!(change["textDocument"]["version"], json!(version));
        change["edits"].as_array().unwrap().clone()
    } else {
        edit["changes"][uri].as_array().unwrap().clone()
    }
}

/// Applies `edits` to `text` and sends them as one incremental `didChange`, last edit
/// first so that each range holds in the text the change before it left.
fn apply(client: &mut Client, uri: &str, text: &mut String, edits: &[Value], version: i64) {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(text, &e["range"]["start"])));
    let mut changes = Vec::new();
    for edit in &edits {
        let start = offset(text, &edit["range"]["start"]);
        let end = offset(text, &edit["range"]["end"]);
        let new_text = edit["newText"].as_str().unwrap();
        text.replace_range(start..end, new_text);
        changes.push(json!({"range": edit["range"], "text": new_text}));
    }
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

fn code_actions(client: &mut Client, uri: &str, diagnostic: &Value) -> Vec<Value> {
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        }),
    );
    response["result"].as_array().cloned().unwrap_or_default()
}

fn initialize(client: &mut Client, root: &Path, utf8: bool, versioned: bool) {
    let encodings = if utf8 {
        json!(["utf-16", "utf-8"])
    } else {
        json!(["utf-16"])
    };
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {
                "general": {"positionEncodings": encodings},
                "workspace": {"workspaceEdit": {"documentChanges": versioned}},
            },
            "workspaceFolders": [{"uri": uri_of(root), "name": "shop"}],
        }),
    );
    let capabilities = &response["result"]["capabilities"];
    let expected = if utf8 { "utf-8" } else { "utf-16" };
    assert_eq!(capabilities["positionEncoding"], expected);
    assert_eq!(capabilities["textDocumentSync"]["change"], 2);
    client.notify("initialized", json!({}));
}

/// A whole session: diagnostics equal to the CLI's, a quick fix applied as an
/// incremental change, a `# noqa` action, malformed input, shutdown and exit.
fn session(utf8: bool, versioned: bool) {
    let dir = shop();
    let root: PathBuf = dir.path().to_path_buf();
    let expected = cli_findings(&root);
    assert!(expected.iter().any(|(_, _, code)| code == "ORM101"));

    let mut client = Client::start(&root);
    initialize(&mut client, &root, utf8, versioned);
    let uri = uri_of(&root.join(FILE));
    let mut text = std::fs::read_to_string(root.join(FILE)).unwrap();
    assert!(text.is_ascii());
    client.open(&uri, &text, 1);
    let first = client.diagnostics(&uri, 1);
    assert_eq!(found(&first), expected);
    for diagnostic in &first {
        assert_eq!(diagnostic["source"], "ormhint");
        assert!(diagnostic["severity"].is_u64());
    }

    // The quick fix of an ORM101, applied as the client would, removes it.
    let orm101 = first.iter().find(|d| d["code"] == "ORM101").unwrap();
    assert!(orm101["relatedInformation"][0]["location"]["uri"] == uri);
    let actions = code_actions(&mut client, &uri, orm101);
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("a preferred quick fix");
    assert_eq!(fix["kind"], "quickfix");
    assert!(
        fix["title"].as_str().unwrap().contains("select_related"),
        "{fix}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a["title"] == "Disable ORM101 for this line")
    );
    let edits = edits_of(fix, &uri, 1, versioned);
    apply(&mut client, &uri, &mut text, &edits, 2);
    let second = client.diagnostics(&uri, 2);
    let mut without = codes(&first);
    let at = without.iter().position(|c| c == "ORM101").unwrap();
    without.remove(at);
    assert_eq!(codes(&second), without, "{second:#?}");

    // `# noqa` on the line of the ORM105 (which has no fix).
    let orm105 = second.iter().find(|d| d["code"] == "ORM105").unwrap();
    let actions = code_actions(&mut client, &uri, orm105);
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "Disable ORM105 for this line");
    let edits = edits_of(&actions[0], &uri, 2, versioned);
    apply(&mut client, &uri, &mut text, &edits, 3);
    assert!(text.contains("  # noqa: ORM105\n"));
    let third = client.diagnostics(&uri, 3);
    assert!(third.iter().all(|d| d["code"] != "ORM105"), "{third:#?}");
    assert_eq!(third.len(), second.len() - 1);

    // A stale diagnostic (from version 1) gets no fix: its ranges may have moved.
    let stale = first.iter().find(|d| d["code"] == "ORM102").unwrap();
    assert!(code_actions(&mut client, &uri, stale).is_empty());

    // Malformed input is answered with errors; the server keeps serving.
    client.send_raw(r#"{"jsonrpc":"2.0","id":"#);
    let error = client.wait("parse error", |m| {
        m["id"].is_null() && m.get("error").is_some()
    });
    assert_eq!(error["error"]["code"], -32700);
    let error = client.request("textDocument/codeAction", json!({"textDocument": 3}));
    assert_eq!(error["error"]["code"], -32602);
    let error = client.request("ormhint/noSuchMethod", json!({}));
    assert_eq!(error["error"]["code"], -32601);
    let unknown = uri_of(&root.join("catalog/nowhere.py"));
    let answer = code_actions(&mut client, &unknown, orm105);
    assert!(answer.is_empty());
    let again = code_actions(&mut client, &uri, &third[0]);
    assert!(!again.is_empty());

    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    assert!(response.get("error").is_none());
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code(), 0);
}

#[test]
fn session_in_utf16_with_versioned_edits() {
    session(false, true);
}

#[test]
fn session_in_utf8_with_plain_edits() {
    session(true, false);
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let dir = shop();
    let mut client = Client::start(dir.path());
    initialize(&mut client, dir.path(), false, false);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code(), 1);
}

#[test]
fn changes_for_an_older_version_are_ignored() {
    let dir = shop();
    let root = dir.path();
    let mut client = Client::start(root);
    initialize(&mut client, root, true, true);
    let uri = uri_of(&root.join(FILE));
    let text = std::fs::read_to_string(root.join(FILE)).unwrap();
    client.open(&uri, &text, 5);
    let opened = client.diagnostics(&uri, 5);
    assert!(!opened.is_empty());
    // Version 4 would empty the file; it is older than 5, so nothing changes.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": ""}]}),
    );
    // Version 6 adds a blank line at the top: every diagnostic moves down one line.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 6}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
             "text": "\n"}]}),
    );
    let moved = client.diagnostics(&uri, 6);
    let shifted: BTreeSet<_> = found(&opened)
        .into_iter()
        .map(|(line, character, code)| (line + 1, character, code))
        .collect();
    assert_eq!(found(&moved), shifted);
    let response = client.request("shutdown", Value::Null);
    assert!(response.get("error").is_none());
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code(), 0);
}

/// While a keystroke leaves one function broken, the findings elsewhere in the file
/// stay where they are, those after the error too; the broken function's come back
/// when it is whole again.
#[test]
fn a_syntax_error_in_one_function_keeps_the_others_findings() {
    let dir = shop();
    let root = dir.path();
    let mut client = Client::start(root);
    initialize(&mut client, root, false, true);
    let uri = uri_of(&root.join(FILE));
    let text = std::fs::read_to_string(root.join(FILE)).unwrap();
    client.open(&uri, &text, 1);
    let opened = found(&client.diagnostics(&uri, 1));
    let line = text
        .lines()
        .position(|line| line == "def feed_items():")
        .unwrap() as u64;
    let body = line..line + 6;
    assert!(opened.iter().any(|(l, _, _)| body.contains(l)));
    assert!(opened.iter().any(|(l, _, _)| *l >= body.end));
    // `de f feed_items():`, then the space out again.
    let space = |version: i64, end: u64, new: &str| {
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
            {"range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": end}},
             "text": new}]})
    };
    client.notify("textDocument/didChange", space(2, 2, " "));
    let broken = found(&client.diagnostics(&uri, 2));
    let elsewhere: BTreeSet<_> = opened
        .iter()
        .filter(|(l, _, _)| !body.contains(l))
        .cloned()
        .collect();
    assert_eq!(broken, elsewhere);
    client.notify("textDocument/didChange", space(3, 3, ""));
    assert_eq!(found(&client.diagnostics(&uri, 3)), opened);
}

/// A panic in the analysis (set off by a comment debug builds react to) answers that
/// request with an error; the server goes on serving other documents.
///
/// Debug builds only: a release server ignores the comment (it must never panic on
/// purpose), and the server under test is built in this test's profile.
#[cfg(debug_assertions)]
#[test]
fn a_panic_in_the_analysis_does_not_stop_the_server() {
    let dir = shop();
    let root = dir.path();
    let mut client = Client::start(root);
    initialize(&mut client, root, false, true);
    // Once this document has diagnostics, the workspace is indexed.
    let uri = uri_of(&root.join(FILE));
    let good = std::fs::read_to_string(root.join(FILE)).unwrap();
    client.open(&uri, &good, 1);
    assert!(!client.diagnostics(&uri, 1).is_empty());
    let broken = uri_of(&root.join("catalog/broken.py"));
    let text = "# ormhint-test: panic in the analysis\nfrom .models import Product\n\n\
                def f():\n    return [p.category.name for p in Product.objects.all()]\n";
    client.open(&broken, text, 1);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": broken}, "position": {"line": 4, "character": 20}}),
    );
    assert!(
        hover.get("error").is_some(),
        "a panicking hover must answer with an error: {hover}"
    );
    // The server still serves: an edit of the good document is checked again.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
             "text": "\n"}]}),
    );
    assert!(!client.diagnostics(&uri, 2).is_empty());
    let response = client.request("shutdown", Value::Null);
    assert!(response.get("error").is_none());
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code(), 0);
}
