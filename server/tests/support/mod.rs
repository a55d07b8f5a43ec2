//! A JSON-RPC client for `ormhint server` end-to-end tests: the built binary, spoken to
//! over its stdio with `Content-Length` framing, and a temporary copy of the example
//! project to run it on.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub mod cli;
pub mod fixture;

/// How long any one answer may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Messages read while waiting for another one.
    pub pending: Vec<Value>,
    next_id: i64,
    /// Requests from the server are answered as they arrive (see `answering`).
    answers: bool,
    /// Every request the server sent, when `answers`.
    pub server_requests: Vec<Value>,
}

impl Client {
    /// A client that answers the server's requests as they arrive: `null`, or one
    /// `null` per item for `workspace/configuration`.
    pub fn answering(dir: &Path) -> Self {
        Self {
            answers: true,
            ..Self::start(dir)
        }
    }

    /// An [`Client::answering`] client, initialized with `root` as its one workspace
    /// folder and no capabilities.
    pub fn in_folder(root: &Path) -> Self {
        let mut client = Self::answering(root);
        let response = client.request(
            "initialize",
            serde_json::json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {},
                "workspaceFolders": [{"uri": uri_of(root), "name": "root"}],
            }),
        );
        assert!(response["result"]["capabilities"].is_object(), "{response}");
        client.notify("initialized", serde_json::json!({}));
        client
    }

    pub fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ormhint"))
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            messages,
            pending: Vec::new(),
            next_id: 1,
            answers: false,
            server_requests: Vec::new(),
        }
    }

    pub fn send_raw(&mut self, body: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_raw(&message.to_string());
    }

    /// Sends a request without waiting; its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(&message.to_string());
        id
    }

    /// Sends a request and waits for its response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// The response to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        self.wait(&format!("response {id}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    /// Waits for the server's request `method` and answers it with a null result.
    pub fn answer(&mut self, method: &str) {
        let request = self.wait(&format!("request {method}"), |m| {
            m["method"] == method && m.get("id").is_some()
        });
        let response = json!({"jsonrpc": "2.0", "id": request["id"], "result": null});
        self.send_raw(&response.to_string());
    }

    /// The first message (read earlier or arriving within the timeout) that `wanted` accepts.
    pub fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&wanted) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(_) => panic!("no {what} within {TIMEOUT:?}; read: {:#?}", self.pending),
            };
            if self.answers && message.get("method").is_some() && message.get("id").is_some() {
                self.answer_request(&message);
            }
            if wanted(&message) {
                return message;
            }
            self.pending.push(message);
        }
    }

    fn answer_request(&mut self, request: &Value) {
        let result = if request["method"] == "workspace/configuration" {
            let items = request["params"]["items"].as_array().map_or(0, Vec::len);
            Value::Array(vec![Value::Null; items])
        } else {
            Value::Null
        };
        let response = json!({"jsonrpc": "2.0", "id": request["id"], "result": result});
        self.send_raw(&response.to_string());
        self.server_requests.push(request.clone());
    }

    /// The diagnostics published for `version` of `uri`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait(&format!("diagnostics of version {version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// The diagnostics of the next publication for `uri` that `wanted` accepts.
    pub fn diagnostics_where(
        &mut self,
        uri: &str,
        what: &str,
        wanted: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let message = self.wait(what, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && wanted(m["params"]["diagnostics"].as_array().unwrap())
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}}),
        );
    }

    /// `shutdown` then `exit`; the exit code, after every message the server sent.
    pub fn shut_down(mut self) -> (i32, Vec<Value>) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        let code = self.wait_exit();
        let mut read = std::mem::take(&mut self.pending);
        read.extend(self.messages.try_iter());
        (code, read)
    }

    /// Waits for the process to end (after an `exit` sent by the test); its exit code.
    pub fn exit_code(mut self) -> i32 {
        self.wait_exit()
    }

    fn wait_exit(&mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("exited, not killed");
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The diagnostics' codes, sorted.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes
}

/// One `Content-Length`-framed message from the server; `None` at its end.
pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Writes `files` (path from `root`, text) under `root`, creating directories.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/shop`.
pub fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop");
    copy_dir(&fixture, dir.path());
    dir
}

pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The byte offset of an LSP position in ASCII `text`.
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + character
}

/// `text` with `edits` applied, each range read in `text` as LSP requires of the edits
/// of one `WorkspaceEdit`; also the changes of one incremental `didChange` doing the
/// same (last edit first, so each range holds in the text the change before left).
pub fn apply_edits(text: &str, edits: &[Value]) -> (String, Vec<Value>) {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(text, &e["range"]["start"])));
    let mut out = text.to_string();
    let mut changes = Vec::new();
    for edit in &edits {
        let start = offset(text, &edit["range"]["start"]);
        let end = offset(text, &edit["range"]["end"]);
        let new_text = edit["newText"].as_str().unwrap();
        out.replace_range(start..end, new_text);
        changes.push(json!({"range": edit["range"], "text": new_text}));
    }
    (out, changes)
}
