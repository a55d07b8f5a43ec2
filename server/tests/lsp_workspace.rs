//! `ormhint server` end to end, workspace side: the index following files changed on
//! disk and unsaved buffers, settings from the editor, config reloads, progress, single
//! files without a workspace folder, cancellation. The built binary over its stdio with
//! `Content-Length` framing, on a copy of the example project. Every wait is for a
//! specific message, with a timeout.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{Client, codes, shop, uri_of};

const VIEW: &str = "catalog/serializers.py";
const QUERYSETS: &str = "catalog/querysets.py";
/// The 0-based line of `product.get_absolute_url()` in `sitemap_entries` of `VIEW`: an
/// ORM101, since `get_absolute_url` reads `self.category` and `active()` does not select it.
const SITEMAP_LINE: u64 = 32;

/// What the test client declares, beyond the basics.
#[derive(Default)]
struct Declared {
    workspace_folder: bool,
    watch_files: bool,
    work_done_progress: bool,
    initialization_options: Option<Value>,
}

fn initialize(client: &mut Client, root: &Path, declared: Declared) {
    let folders = if declared.workspace_folder {
        json!([{"uri": uri_of(root), "name": "shop"}])
    } else {
        Value::Null
    };
    let mut params = json!({
        "processId": null,
        "rootUri": null,
        "capabilities": {
            "workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": declared.watch_files},
            },
            "window": {"workDoneProgress": declared.work_done_progress},
        },
        "workspaceFolders": folders,
    });
    if let Some(options) = declared.initialization_options {
        params["initializationOptions"] = options;
    }
    let response = client.request("initialize", params);
    assert!(response["result"]["capabilities"].is_object(), "{response}");
    client.notify("initialized", json!({}));
}

/// A session on a copy of the shop with `VIEW` open (version 1) and its first
/// diagnostics, which hold the sitemap's ORM101.
fn with_view_open(declared: Declared) -> (tempfile::TempDir, Client, String, Vec<Value>) {
    let dir = shop();
    let root = dir.path().to_path_buf();
    let mut client = Client::answering(&root);
    initialize(&mut client, &root, declared);
    let uri = uri_of(&root.join(VIEW));
    let text = std::fs::read_to_string(root.join(VIEW)).unwrap();
    client.open(&uri, &text, 1);
    let first = client.diagnostics_where(&uri, "the view's diagnostics", |_| true);
    assert!(has_sitemap_orm101(&first), "{first:#?}");
    (dir, client, uri, first)
}

fn has_sitemap_orm101(diagnostics: &[Value]) -> bool {
    diagnostics
        .iter()
        .any(|d| d["code"] == "ORM101" && d["range"]["start"]["line"] == SITEMAP_LINE)
}

/// `active()` of the shop's product queryset, selecting the category.
fn active_selecting_category(querysets: &str) -> String {
    let selecting = querysets.replace(
        "return self.filter(is_active=True)",
        "return self.filter(is_active=True).select_related(\"category\")",
    );
    assert_ne!(selecting, querysets);
    selecting
}

fn watched(client: &mut Client, path: &Path, kind: u8) {
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(path), "type": kind}]}),
    );
}

const CREATED: u8 = 1;
const CHANGED: u8 = 2;
const DELETED: u8 = 3;

#[test]
fn querysets_changed_on_disk_update_an_open_view() {
    let (dir, mut client, uri, _) = with_view_open(Declared {
        workspace_folder: true,
        watch_files: true,
        ..Declared::default()
    });
    let root = dir.path();

    // The watchers were registered for Python files, config files and templates.
    let registration = client
        .server_requests
        .iter()
        .chain(client.pending.iter())
        .find(|m| m["method"] == "client/registerCapability")
        .cloned()
        .expect("a client/registerCapability request");
    let watcher = &registration["params"]["registrations"][0];
    assert_eq!(watcher["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = watcher["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(
        globs,
        [
            "**/*.py",
            "**/pyproject.toml",
            "**/ormhint.toml",
            "**/templates/**",
            "**/*.html"
        ]
    );
    // No progress without `window.workDoneProgress` (it would have come before the
    // diagnostics).
    assert!(client.pending.iter().all(|m| m["method"] != "$/progress"));

    // `active()` now selects the category: the sitemap's ORM101 goes.
    let path = root.join(QUERYSETS);
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, active_selecting_category(&original)).unwrap();
    watched(&mut client, &path, CHANGED);
    let fixed = client.diagnostics_where(&uri, "diagnostics without the ORM101", |d| {
        !has_sitemap_orm101(d)
    });
    assert_eq!(codes(&fixed), ["ORM102", "ORM105", "ORM203"]);

    // Deleted: `ProductQuerySet` is unknown, so are `Product.objects` chains: silence
    // where they are involved.
    std::fs::remove_file(&path).unwrap();
    watched(&mut client, &path, DELETED);
    let deleted =
        client.diagnostics_where(&uri, "diagnostics after the deletion", |d| d.len() == 1);
    assert_eq!(codes(&deleted), ["ORM203"]);

    // Created again as it was: the ORM101 is back.
    std::fs::write(&path, &original).unwrap();
    watched(&mut client, &path, CREATED);
    let back = client.diagnostics_where(&uri, "the ORM101 back", has_sitemap_orm101);
    assert_eq!(codes(&back), ["ORM101", "ORM102", "ORM105", "ORM203"]);
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn an_unsaved_models_buffer_changes_another_views_diagnostics() {
    let (dir, mut client, uri, _) = with_view_open(Declared {
        workspace_folder: true,
        ..Declared::default()
    });
    let path = dir.path().join(QUERYSETS);
    let querysets_uri = uri_of(&path);
    let original = std::fs::read_to_string(&path).unwrap();
    client.open(&querysets_uri, &original, 1);
    let selecting = active_selecting_category(&original);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": querysets_uri, "version": 2},
               "contentChanges": [{"text": selecting}]}),
    );
    client.diagnostics_where(&uri, "diagnostics without the ORM101", |d| {
        !has_sitemap_orm101(d)
    });
    // Nothing was saved.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);

    // Closed without saving: the file on disk counts again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": querysets_uri}}),
    );
    client.diagnostics_where(&uri, "the ORM101 back", has_sitemap_orm101);
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn initialization_options_select_rules_and_bad_entries_are_shown_once() {
    let dir = shop();
    let root = dir.path();
    let mut client = Client::answering(root);
    initialize(
        &mut client,
        root,
        Declared {
            workspace_folder: true,
            initialization_options: Some(json!({"ormhint": {"select": ["ORM201", "ORM999"]}})),
            ..Declared::default()
        },
    );
    let shown = client.wait("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("unknown rule 'ORM999' in 'select'"),
        "{message}"
    );

    // accounts/services.py has an ORM101, an ORM201 and an ORM602: only the ORM201 is
    // selected.
    let uri = uri_of(&root.join("accounts/services.py"));
    let text = std::fs::read_to_string(root.join("accounts/services.py")).unwrap();
    client.open(&uri, &text, 1);
    let diagnostics = client.diagnostics_where(&uri, "diagnostics", |_| true);
    assert_eq!(codes(&diagnostics), ["ORM201"]);

    // The same bad settings again: logged, not shown again. (A message is shown before
    // it is logged: a second showing would be read before the second log.)
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ormhint": {"select": ["ORM201", "ORM999"]}}}),
    );
    let bad_settings_logged = |m: &Value| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("ORM999"))
    };
    client.wait("the first log of the bad settings", bad_settings_logged);
    client.wait("the second log of the bad settings", bad_settings_logged);
    assert!(
        client
            .pending
            .iter()
            .all(|m| m["method"] != "window/showMessage"),
        "{:#?}",
        client.pending
    );
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn did_change_configuration_changes_severity_and_selection() {
    let (_dir, mut client, uri, first) = with_view_open(Declared {
        workspace_folder: true,
        ..Declared::default()
    });
    let warning = 2;
    let error = 1;
    assert!(
        first
            .iter()
            .filter(|d| d["code"] == "ORM101")
            .all(|d| d["severity"] == warning)
    );
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ormhint": {"severity": {"ORM101": "error"}}}}),
    );
    let raised = client.diagnostics_where(&uri, "ORM101 as an error", |d| {
        d.iter()
            .any(|d| d["code"] == "ORM101" && d["severity"] == error)
    });
    assert_eq!(codes(&raised), codes(&first));

    // `ignore` from the editor, on top of the file's config.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ormhint": {"ignore": ["ORM1"]}}}),
    );
    let ignored = client.diagnostics_where(&uri, "ORM1xx ignored", |d| {
        d.iter()
            .all(|d| !d["code"].as_str().unwrap().starts_with("ORM1"))
    });
    assert_eq!(codes(&ignored), ["ORM203"]);
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn a_config_file_change_reloads_the_config() {
    let (dir, mut client, uri, _) = with_view_open(Declared {
        workspace_folder: true,
        ..Declared::default()
    });
    let pyproject = dir.path().join("pyproject.toml");
    let original = std::fs::read_to_string(&pyproject).unwrap();
    std::fs::write(
        &pyproject,
        original.replace(
            "severity = { ORM301 = \"hint\" }",
            "severity = { ORM301 = \"hint\" }\nignore = [\"ORM101\"]",
        ),
    )
    .unwrap();
    watched(&mut client, &pyproject, CHANGED);
    let ignored = client.diagnostics_where(&uri, "ORM101 ignored", |d| {
        d.iter().all(|d| d["code"] != "ORM101")
    });
    assert_eq!(codes(&ignored), ["ORM102", "ORM105", "ORM203"]);

    // A broken config: shown once, the defaults apply (the ORM101 is back).
    std::fs::write(&pyproject, format!("{original}\n[tool.ormhint.oops\n")).unwrap();
    watched(&mut client, &pyproject, CHANGED);
    let shown = client.wait("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(message.contains("pyproject.toml"), "{message}");
    assert!(
        message.contains("using the default configuration"),
        "{message}"
    );
    client.diagnostics_where(&uri, "the ORM101 back", has_sitemap_orm101);
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn indexing_reports_progress_when_the_client_shows_it() {
    let (_dir, mut client, _uri, _) = with_view_open(Declared {
        workspace_folder: true,
        work_done_progress: true,
        ..Declared::default()
    });
    let create = client
        .server_requests
        .iter()
        .find(|m| m["method"] == "window/workDoneProgress/create")
        .cloned()
        .expect("a window/workDoneProgress/create request");
    let token = create["params"]["token"].clone();
    let of_token = |kind: &'static str| {
        let token = token.clone();
        move |m: &Value| {
            m["method"] == "$/progress"
                && m["params"]["token"] == token
                && m["params"]["value"]["kind"] == kind
        }
    };
    let begin = client.wait("progress begin", of_token("begin"));
    assert_eq!(begin["params"]["value"]["title"], "Indexing Django models");
    let report = client.wait("progress report", of_token("report"));
    let message = report["params"]["value"]["message"].as_str().unwrap();
    let (done, total) = message.split_once('/').expect("done/total");
    assert!(
        done.parse::<u32>().is_ok() && total.parse::<u32>().is_ok(),
        "{message}"
    );
    let end = client.wait("progress end", of_token("end"));
    assert!(
        end["params"]["value"]["message"]
            .as_str()
            .unwrap()
            .ends_with(" files")
    );
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn without_a_workspace_folder_the_files_directory_is_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("app.py");
    let text = "\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)


def titles():
    for post in Post.objects.all():
        print(post.author.name)
";
    std::fs::write(&path, text).unwrap();
    let mut client = Client::answering(dir.path());
    initialize(&mut client, dir.path(), Declared::default());
    let uri = uri_of(&path);
    client.open(&uri, text, 1);
    let diagnostics = client.diagnostics_where(&uri, "diagnostics", |_| true);
    assert_eq!(codes(&diagnostics), ["ORM101"]);
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 14);
    assert_eq!(client.shut_down().0, 0);
}

#[test]
fn cancelled_code_action_requests_are_answered() {
    let (_dir, mut client, uri, first) = with_view_open(Declared {
        workspace_folder: true,
        ..Declared::default()
    });
    let orm101 = first
        .iter()
        .find(|d| d["code"] == "ORM101")
        .unwrap()
        .clone();
    let params = json!({
        "textDocument": {"uri": uri},
        "range": orm101["range"],
        "context": {"diagnostics": [orm101]},
    });
    let mut ids = Vec::new();
    for _ in 0..20 {
        let id = client.send_request("textDocument/codeAction", params.clone());
        ids.push(json!(id));
        client.notify("$/cancelRequest", json!({"id": id}));
        // Either answered before the cancellation arrived, or cancelled: never both,
        // never neither.
        let response = client.response(id);
        match response.get("error") {
            Some(error) => assert_eq!(error["code"], -32800, "{response}"),
            None => assert!(response["result"].is_array(), "{response}"),
        }
    }
    // Cancelling a request already answered (or never sent) changes nothing.
    client.notify("$/cancelRequest", json!({"id": 9999}));
    let answer = client.request("textDocument/codeAction", params);
    assert!(!answer["result"].as_array().unwrap().is_empty());
    // One answer each.
    assert!(client.pending.iter().all(|m| !ids.contains(&m["id"])));
    assert_eq!(client.shut_down().0, 0);
}

/// A views buffer never saved: its `from catalog.models import Product` resolves at once.
const REPORT: &str = "from catalog.models import Product\n\n\ndef report():\n    \
                      for product in Product.objects.filter(is_active=True):\n        \
                      print(product.category.name)\n";

/// Opens `REPORT` as `uri` once the workspace is loaded; the first diagnostics published
/// for it as (code, range, message).
fn first_diagnostics_of_report(client: &mut Client, uri: &str) -> Vec<(String, Value, String)> {
    client.open(uri, REPORT, 1);
    let first = client.diagnostics_where(uri, "the new buffer's first diagnostics", |_| true);
    as_read(&first)
}

/// Each diagnostic as (code, range, message).
fn as_read(diagnostics: &[Value]) -> Vec<(String, Value, String)> {
    diagnostics
        .iter()
        .map(|d| {
            let code = d["code"].as_str().unwrap_or_default().to_string();
            let message = d["message"].as_str().unwrap_or_default().to_string();
            (code, d["range"].clone(), message)
        })
        .collect()
}

fn report_orm101() -> Vec<(String, Value, String)> {
    vec![(
        "ORM101".to_string(),
        json!({"start": {"line": 5, "character": 14}, "end": {"line": 5, "character": 30}}),
        "`product.category` loads the related object `category` with one query per \
         `Product` row: the queryset does not select_related(\"category\")"
            .to_string(),
    )]
}

/// A buffer for a file that is not on disk yet, and one that has no file (`untitled:`),
/// are checked with their own imports: the first publication holds the findings, not an
/// empty list followed by them once the index has read the buffer after a typing pause.
#[test]
fn new_unsaved_buffers_are_checked_with_their_own_imports_at_once() {
    let (dir, mut client, _, _) = with_view_open(Declared {
        workspace_folder: true,
        ..Declared::default()
    });
    let path = dir.path().join("catalog/report.py");
    assert!(!path.exists());
    let found = first_diagnostics_of_report(&mut client, &uri_of(&path));
    assert_eq!(found, report_orm101());
    let found = first_diagnostics_of_report(&mut client, "untitled:Untitled-1");
    assert_eq!(found, report_orm101());
    assert_eq!(client.shut_down().0, 0);
}

/// An import typed into an open buffer counts for the version that has it, not only once
/// the index has read the buffer again after a pause in the typing.
#[test]
fn an_import_typed_into_a_buffer_counts_at_once() {
    let (dir, mut client, _, _) = with_view_open(Declared {
        workspace_folder: true,
        ..Declared::default()
    });
    let uri = uri_of(&dir.path().join("catalog/report.py"));
    let before = REPORT.replace("import Product", "import Tag");
    client.open(&uri, &before, 1);
    assert_eq!(client.diagnostics(&uri, 1), Vec::<Value>::new());
    let tag = "from catalog.models import ".len();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{
            "range": {"start": {"line": 0, "character": tag},
                      "end": {"line": 0, "character": tag + "Tag".len()}},
            "text": "Product"}]}),
    );
    assert_eq!(as_read(&client.diagnostics(&uri, 2)), report_orm101());
    assert_eq!(client.shut_down().0, 0);
}
