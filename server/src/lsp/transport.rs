//! Between stdio and tower-lsp-server, both ways.
//!
//! In: the library's framed reader stops reading for good after one message it cannot
//! decode, which would end the server on one malformed message. Here each frame is read
//! and checked first: a body that is not JSON becomes a request for [`PARSE_ERROR`], a
//! JSON body that is not a JSON-RPC message one for [`INVALID_REQUEST`]; the server
//! answers both with the matching error, and reading goes on.
//!
//! Out: the library's frames and the server's own [`Frames`] go to stdout through one
//! queue, each frame whole. Diagnostics are published through [`Frames`]: the library
//! turns a notification's parameters into a `serde_json::Value` and then into text, which
//! for a file with a few hundred diagnostics took longer than analysing an edit.

use serde::Serialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Answered with JSON-RPC's parse error (-32700) and a null id.
pub const PARSE_ERROR: &str = "ormhint/parseError";
/// Answered with JSON-RPC's invalid request error (-32600).
pub const INVALID_REQUEST: &str = "ormhint/invalidRequest";

/// Bodies larger than this are not read (no editor sends one): the frame is skipped.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// Copies frames from `input` to `output`, replacing the ones the server cannot decode,
/// until `input` ends or `output` is closed.
pub async fn pump(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut input = BufReader::new(input);
    loop {
        let length = match read_headers(&mut input).await {
            Headers::End => break,
            Headers::Length(length) => length,
            Headers::Invalid => {
                if write_frame(&mut output, &replacement(PARSE_ERROR, Value::Null))
                    .await
                    .is_err()
                {
                    break;
                }
                continue;
            }
        };
        let body = if length > MAX_BODY {
            let skipped = tokio::io::copy(
                &mut (&mut input).take(length as u64),
                &mut tokio::io::sink(),
            )
            .await;
            if skipped.is_err() {
                break;
            }
            replacement(INVALID_REQUEST, Value::Null)
        } else {
            let mut body = vec![0; length];
            if input.read_exact(&mut body).await.is_err() {
                break;
            }
            check(body)
        };
        if write_frame(&mut output, &body).await.is_err() {
            break;
        }
    }
    let _ = output.shutdown().await;
}

/// Sends whole frames to the client, in the order they are sent here.
#[derive(Debug, Clone)]
pub struct Frames(mpsc::UnboundedSender<Vec<u8>>);

impl Frames {
    /// The queue, and what [`write_frames`] reads from it.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Vec<u8>>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Self(sender), receiver)
    }

    /// Queues a notification, its parameters serialised straight to text.
    pub fn notify(&self, method: &str, params: &impl Serialize) {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let notification = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        if let Ok(body) = serde_json::to_vec(&notification) {
            // Fails only once the writer is gone, when nobody reads any more.
            let _ = self.0.send(body);
        }
    }
}

/// Queues the frames tower-lsp-server writes to `from_library` until it closes it, then
/// an empty frame: the end of output.
pub async fn forward(from_library: impl AsyncRead + Unpin, frames: Frames) {
    let mut input = BufReader::new(from_library);
    loop {
        let length = match read_headers(&mut input).await {
            Headers::Length(length) => length,
            Headers::Invalid => continue,
            Headers::End => break,
        };
        let mut body = vec![0; length];
        if input.read_exact(&mut body).await.is_err() {
            break;
        }
        let _ = frames.0.send(body);
    }
    let _ = frames.0.send(Vec::new());
}

/// Writes queued frames to `output` until the empty frame [`forward`] ends with.
pub async fn write_frames(
    mut frames: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: impl AsyncWrite + Unpin,
) {
    while let Some(body) = frames.recv().await {
        if body.is_empty() || write_frame(&mut output, &body).await.is_err() {
            break;
        }
    }
    let _ = output.flush().await;
}

enum Headers {
    Length(usize),
    /// Headers without a usable `Content-Length`.
    Invalid,
    End,
}

async fn read_headers(input: &mut (impl AsyncBufReadExt + Unpin)) -> Headers {
    let mut length = None;
    let mut valid = true;
    let mut seen = false;
    loop {
        let mut line = Vec::new();
        match input.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return Headers::End,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !seen {
                // Blank lines between frames.
                continue;
            }
            break;
        }
        seen = true;
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                length = value.trim().parse::<usize>().ok();
                valid &= length.is_some();
            }
            Some(_) => {}
            None => valid = false,
        }
    }
    match length {
        Some(length) if valid => Headers::Length(length),
        _ => Headers::Invalid,
    }
}

async fn write_frame(output: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    output.write_all(header.as_bytes()).await?;
    output.write_all(body).await?;
    output.flush().await
}

/// The body itself when the server can decode it, else a replacement request.
fn check(body: Vec<u8>) -> Vec<u8> {
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return replacement(PARSE_ERROR, Value::Null);
    };
    if is_message(&message) {
        return body;
    }
    let id = message
        .get("id")
        .filter(|id| is_id(id))
        .cloned()
        .unwrap_or(Value::Null);
    replacement(INVALID_REQUEST, id)
}

fn replacement(method: &str, id: Value) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "method": method})
        .to_string()
        .into_bytes()
}

fn is_id(id: &Value) -> bool {
    id.is_i64() || id.is_string() || id.is_null()
}

/// A request, notification or response the library decodes.
fn is_message(message: &Value) -> bool {
    let Some(object) = message.as_object() else {
        return false;
    };
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return false;
    }
    let id_ok = object.get("id").is_none_or(is_id);
    match object.get("method") {
        Some(method) => method.is_string() && id_ok,
        None => {
            let error_ok = object.get("error").is_none_or(|error| {
                error.get("code").is_some_and(Value::is_i64)
                    && error.get("message").is_some_and(Value::is_string)
            });
            object.contains_key("id")
                && id_ok
                && error_ok
                && (object.contains_key("result") ^ object.contains_key("error"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Value> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut out = Vec::new();
        runtime.block_on(pump(input.as_bytes(), &mut out));
        let out = String::from_utf8(out).unwrap();
        out.split("Content-Length: ")
            .filter(|s| !s.is_empty())
            .map(|frame| serde_json::from_str(frame.split_once("\r\n\r\n").unwrap().1).unwrap())
            .collect()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn good_frames_pass_bad_ones_are_replaced() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = [
            frame(good),
            frame(r#"{"jsonrpc":"2.0","id":"#),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
            "Content-Length: nope\r\n\r\n".to_string(),
            format!("Content-Type: application/json\r\n{}", frame(good)),
        ]
        .concat();
        let out = frames(&input);
        assert_eq!(out.len(), 6, "{out:?}");
        assert_eq!(out[0]["method"], "shutdown");
        assert_eq!(
            out[1],
            json!({"jsonrpc": "2.0", "id": null, "method": PARSE_ERROR})
        );
        assert_eq!(
            out[2],
            json!({"jsonrpc": "2.0", "id": 7, "method": INVALID_REQUEST})
        );
        assert_eq!(out[3]["id"], Value::Null);
        assert_eq!(out[4]["method"], PARSE_ERROR);
        assert_eq!(out[5]["method"], "shutdown");
    }

    #[test]
    fn library_frames_and_ours_go_out_whole_until_the_library_closes() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let library = [
            frame(r#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            frame("{}"),
        ]
        .concat();
        let (frames, queued) = Frames::new();
        frames.notify("ours", &json!({"n": 1}));
        let mut out = Vec::new();
        runtime.block_on(async {
            forward(library.as_bytes(), frames.clone()).await;
            frames.notify("after the end", &json!({}));
            write_frames(queued, &mut out).await;
        });
        let expected = [
            frame(r#"{"jsonrpc":"2.0","method":"ours","params":{"n":1}}"#),
            frame(r#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            frame("{}"),
        ]
        .concat();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn responses_pass() {
        assert!(is_message(
            &json!({"jsonrpc": "2.0", "id": 3, "result": null})
        ));
        assert!(is_message(
            &json!({"jsonrpc": "2.0", "id": 3, "error": {"code": -1, "message": "m"}})
        ));
        assert!(!is_message(&json!({"jsonrpc": "2.0", "id": 3})));
        assert!(!is_message(&json!({"jsonrpc": "1.0", "method": "x"})));
        assert!(!is_message(&json!([1, 2])));
    }
}
