//! Adversarial clients against the built binary over stdio: framing abuse not covered by
//! `lsp_robustness.rs`, hostile JSON, floods of requests, cancellation, odd URIs and positions,
//! and clients that vanish. Every wait has a timeout; every test ends by proving the server
//! still answers (or that the process exited).

mod common;

use common::errors;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BinaryServer, frame};
use serde_json::{Value, json};

const AGENT_URI: &str = "file:///project/.claude/agents/reviewer.md";
const AGENT: &str = "---\nname: reviewer\ndescription: Reviews code\ncolor: blue\nmodle: x\n---\nYou review code.\n";

/// A flood of requests on a loaded debug build needs more than the harness's per-message timeout.
const FLOOD_TIMEOUT: Duration = Duration::from_secs(120);

fn started() -> BinaryServer {
    let mut server = BinaryServer::spawn();
    server.initialize();
    server
}

fn open_agent(server: &mut BinaryServer) {
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": AGENT_URI, "languageId": "markdown", "version": 1, "text": AGENT,
        }}),
    );
    server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == AGENT_URI
    });
}

fn hover_params(uri: &str, line: Value, character: Value) -> Value {
    json!({
        "textDocument": { "uri": uri },
        "position": { "line": line, "character": character },
    })
}

fn request_body(id: &Value, method: &str, params: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
        .expect("serialise")
}

/// Sends `bad` bytes, then a hover request; returns the messages up to its (normal) response.
fn bad_input_then_request(server: &mut BinaryServer, bad: &[u8]) -> Vec<Value> {
    server.send_raw(bad);
    let id = server.send_request(
        "textDocument/hover",
        hover_params("file:///project/unknown.md", json!(0), json!(0)),
    );
    let messages = server.messages_until_response(id);
    let response = messages.last().expect("at least the response");
    assert_eq!(
        response["result"],
        Value::Null,
        "server did not answer normally after {:?}: {response}",
        String::from_utf8_lossy(bad)
    );
    messages
}

/// Waits for the responses to `ids` (each within `timeout` of the previous message); panics on a
/// duplicate or unexpected id. Returns the responses by id.
fn collect_responses(
    server: &mut BinaryServer,
    ids: &[i64],
    timeout: Duration,
) -> HashMap<i64, Value> {
    let mut pending: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut responses = HashMap::with_capacity(ids.len());
    while !pending.is_empty() {
        let message = server.recv_within(timeout);
        if message.get("method").is_some() {
            continue; // A notification (diagnostics, log).
        }
        let id = message["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("response without a numeric id: {message}"));
        assert!(
            pending.remove(&id),
            "response for id {id} is a duplicate or was never asked for: {message}"
        );
        responses.insert(id, message);
    }
    responses
}

// ---------------------------------------------------------------------------------------------
// Framing.

#[test]
fn negative_and_empty_content_lengths_resync() {
    let mut server = started();
    let mut bad = b"Content-Length: -5\r\n\r\n".to_vec();
    bad.extend(b"Content-Length: 0\r\n\r\n");
    bad.extend(b"Content-Length: 1e3\r\n\r\n");
    let messages = bad_input_then_request(&mut server, &bad);
    let errors = errors(&messages);
    assert!(!errors.is_empty(), "bad lengths went unanswered");
    assert!(
        errors
            .iter()
            .all(|(id, code)| id.is_null() && *code < -32000),
        "{errors:?}"
    );
}

#[test]
fn content_length_shorter_than_the_body_resyncs() {
    let mut server = started();
    // The declared length cuts the JSON short; the rest of the body is junk before the next header.
    let body = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    let mut bad = format!("Content-Length: {}\r\n\r\n", body.len() - 10).into_bytes();
    bad.extend_from_slice(body);
    let messages = bad_input_then_request(&mut server, &bad);
    let errors = errors(&messages);
    assert!(errors.contains(&(Value::Null, -32700)), "{errors:?}");
}

#[test]
fn header_variants_are_tolerated_or_refused_but_never_fatal() {
    let mut server = started();
    let hover = request_body(
        &json!(9001),
        "textDocument/hover",
        &hover_params("file:///project/unknown.md", json!(0), json!(0)),
    );
    // Lower-case header name, an extra Content-Type header, and two Content-Length headers.
    let mut bad = format!("content-length: {}\r\n\r\n", hover.len()).into_bytes();
    bad.extend_from_slice(&hover);
    bad.extend(
        format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
            hover.len()
        )
        .bytes(),
    );
    bad.extend_from_slice(&hover);
    bad.extend(
        format!(
            "Content-Length: 3\r\nContent-Length: {}\r\n\r\n",
            hover.len()
        )
        .bytes(),
    );
    bad.extend_from_slice(&hover);
    let messages = bad_input_then_request(&mut server, &bad);
    // Every message that came back is a well-formed answer: a response to 9001 or an error.
    for message in &messages {
        assert!(
            message["id"] == 9001 || message.get("error").is_some() || message["id"].is_i64(),
            "{message}"
        );
    }
    // The Content-Type variant is standard LSP and must be served.
    assert!(
        messages
            .iter()
            .any(|message| message["id"] == 9001 && message["result"].is_null()),
        "the request with a Content-Type header was not answered: {messages:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile JSON.

#[test]
fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
    // (Deep nesting inside `params` ends the session: see tests/regressions.rs.)
    let mut server = started();
    let depth = 200_000;
    let nested = |open: u8, close: u8| {
        let mut value = vec![open; depth];
        value.extend(std::iter::repeat_n(close, depth));
        value
    };
    // A bare nested array, and a nested id.
    let mut bad = frame(&nested(b'[', b']'));
    let mut body = br#"{"jsonrpc":"2.0","method":"textDocument/hover","id":"#.to_vec();
    body.extend(nested(b'[', b']'));
    body.push(b'}');
    bad.extend(frame(&body));
    let messages = bad_input_then_request(&mut server, &bad);
    let errors = errors(&messages);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|(id, code)| id.is_null() && *code < -32000),
        "{errors:?}"
    );
}

#[test]
fn wrongly_typed_params_get_invalid_params() {
    let mut server = started();
    for params in [
        json!("not an object"),
        json!({ "textDocument": { "uri": 42 }, "position": { "line": 0, "character": 0 } }),
        json!({ "textDocument": { "uri": AGENT_URI }, "position": { "line": -1, "character": 0 } }),
        json!({ "textDocument": { "uri": AGENT_URI }, "position": { "line": 1.5, "character": 0 } }),
        json!({ "textDocument": { "uri": AGENT_URI }, "position": { "line": 4_294_967_296_u64, "character": 0 } }),
    ] {
        let response = server.request("textDocument/hover", params.clone());
        assert_eq!(response["error"]["code"], -32602, "{params} -> {response}");
    }
    // Notifications with bad params cannot be answered; they must simply be survived.
    server.notify("textDocument/didOpen", json!({ "textDocument": 7 }));
    server.notify("textDocument/didChange", json!([1, 2, 3]));
    server.notify("$/unknownNotification", json!(null));
    server.assert_alive();
}

#[test]
fn odd_ids_are_echoed_back() {
    let mut server = started();
    let params = hover_params("file:///project/unknown.md", json!(0), json!(0));
    for id in [
        json!("a string id ✓"),
        json!(0),
        json!(-1),
        json!(i64::MAX),
        json!(""),
    ] {
        server.send_raw(&frame(&request_body(&id, "textDocument/hover", &params)));
        let response = server.wait_for(|message| message.get("method").is_none());
        assert_eq!(response["id"], id, "{response}");
        assert!(response.get("error").is_none(), "{response}");
    }
    server.assert_alive();
}

#[test]
fn unknown_requests_get_method_not_found() {
    let mut server = started();
    let response = server.request("agentls/noSuchMethod", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let response = server.request("workspace/executeCommand", json!({ "command": "rm -rf /" }));
    assert!(response.get("error").is_some(), "{response}");
    server.assert_alive();
}

// ---------------------------------------------------------------------------------------------
// Odd documents and positions.

#[test]
fn odd_uris_and_positions_are_served() {
    let mut server = started();
    let uris = [
        "file:///project/%FF%FE/.claude/agents/bad-utf8.md",
        "file://remote-host/share/.claude/agents/unc.md",
        "file:///project/.claude/agents/%2e%2e/%2e%2e/etc/passwd",
        "untitled:.claude/agents/x.md",
        "file:///project/.claude/agents/%F0%9F%98%80%20%E4%B8%AD%E6%96%87.md",
        "file:///",
    ];
    for (index, uri) in uris.iter().enumerate() {
        server.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "markdown", "version": 1, "text": AGENT,
            }}),
        );
        for (line, character) in [
            (json!(0), json!(0)),
            (json!(1), json!(2)),
            (json!(u32::MAX), json!(u32::MAX)),
            (json!(3), json!(u32::MAX)),
        ] {
            for method in ["textDocument/hover", "textDocument/completion"] {
                let response =
                    server.request(method, hover_params(uri, line.clone(), character.clone()));
                assert!(
                    response.get("error").is_none(),
                    "{method} on {uri} ({index}) at {line}:{character}: {response}"
                );
            }
        }
        let response = server.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": { "line": u32::MAX, "character": 0 },
                           "end": { "line": 0, "character": u32::MAX } },
                "context": { "diagnostics": [] },
            }),
        );
        assert!(response.get("error").is_none(), "{uri}: {response}");
        // Reversed and out-of-range ranges, and colors outside 0..1, are clamped.
        let wild_range = json!({ "start": { "line": u32::MAX, "character": 0 },
                                 "end": { "line": 0, "character": u32::MAX } });
        for (method, params) in [
            (
                "textDocument/documentColor",
                json!({ "textDocument": { "uri": uri } }),
            ),
            (
                "textDocument/colorPresentation",
                json!({ "textDocument": { "uri": uri }, "range": wild_range,
                        "color": { "red": -3.0, "green": 1e30, "blue": 0.5, "alpha": 7.0 } }),
            ),
            (
                "textDocument/inlayHint",
                json!({ "textDocument": { "uri": uri }, "range": wild_range }),
            ),
        ] {
            let response = server.request(method, params);
            assert!(
                response.get("error").is_none(),
                "{method} on {uri}: {response}"
            );
        }
    }
    // A URI that is not a URI (raw spaces and non-ASCII) is refused as invalid params.
    let response = server.request(
        "textDocument/hover",
        hover_params(
            "file:///project/.claude/agents/😀 中文.md",
            json!(0),
            json!(0),
        ),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    server.assert_alive();
}

// ---------------------------------------------------------------------------------------------
// Floods and cancellation.

#[test]
fn ten_thousand_requests_in_flight_are_each_answered_once() {
    let mut server = started();
    open_agent(&mut server);
    const COUNT: i64 = 10_000;
    let base = 100_000;
    // Written in one go, without reading anything back (the harness drains stdout on a thread).
    let mut batch = Vec::new();
    for i in 0..COUNT {
        let id = json!(base + i);
        // Alternate between a hover on the `color` key and a completion of its value.
        let (method, character) = if i % 2 == 0 {
            ("textDocument/hover", 2)
        } else {
            ("textDocument/completion", 7)
        };
        let params = hover_params(AGENT_URI, json!(3), json!(character));
        batch.extend(frame(&request_body(&id, method, &params)));
    }
    let started = Instant::now();
    server.send_raw(&batch);
    let ids: Vec<i64> = (base..base + COUNT).collect();
    let responses = collect_responses(&mut server, &ids, FLOOD_TIMEOUT);
    assert_eq!(responses.len(), ids.len());
    for (id, response) in &responses {
        assert!(
            response.get("error").is_none(),
            "request {id} failed: {response}"
        );
        let answered = if (id - base) % 2 == 0 {
            response["result"]["contents"].is_object()
        } else {
            response["result"]
                .as_array()
                .is_some_and(|items| !items.is_empty())
        };
        assert!(answered, "request {id} got an empty answer: {response}");
    }
    eprintln!("{COUNT} requests answered in {:?}", started.elapsed());
    server.assert_alive();
}

/// A frontmatter with thousands of unknown fields: each code action walks thousands of
/// diagnostics (tens of milliseconds in a debug build), so a `$/cancelRequest` sent right behind
/// the request arrives while it runs. (The handlers never yield, so in practice the server
/// finishes them anyway; both answers are allowed.)
fn slow_agent() -> String {
    let fields: String = (0..10_000).map(|i| format!("feild{i}: x\n")).collect();
    format!("---\nname: slow\ndescription: d\n{fields}---\nbody\n")
}

fn cancel(id: &Value) -> Vec<u8> {
    frame(
        &serde_json::to_vec(&json!({
            "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": id },
        }))
        .expect("serialise"),
    )
}

#[test]
fn cancelled_requests_are_answered_once_and_the_server_keeps_serving() {
    let mut server = started();
    let uri = "file:///project/.claude/agents/slow.md";
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": slow_agent(),
        }}),
    );
    let ids: Vec<i64> = (1_000..1_200).collect();
    let mut batch = Vec::new();
    for &id in &ids {
        let params = json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 5, "character": 0 },
                       "end": { "line": 5, "character": 3 } },
            "context": { "diagnostics": [] },
        });
        batch.extend(frame(&request_body(
            &json!(id),
            "textDocument/codeAction",
            &params,
        )));
        batch.extend(cancel(&json!(id)));
    }
    // Cancelling what was never asked, or twice, is harmless.
    for id in [json!(999_999), json!("nope"), json!(ids[0])] {
        batch.extend(cancel(&id));
    }
    server.send_raw(&batch);
    // LSP cancellation is best effort: each request gets exactly one answer, its result or
    // RequestCancelled, and nothing else.
    let mut cancelled = 0;
    for (id, response) in collect_responses(&mut server, &ids, FLOOD_TIMEOUT) {
        match response.get("error") {
            Some(error) => {
                assert_eq!(error["code"], -32800, "request {id}: {response}");
                cancelled += 1;
            }
            None => assert!(
                response["result"].is_array() || response["result"].is_null(),
                "request {id}: {response}"
            ),
        }
    }
    eprintln!("{cancelled} of {} requests were cancelled", ids.len());
    // Nothing else arrives for the cancelled ids, and the server answers new requests.
    server.assert_alive();
    let response = server.request("textDocument/hover", hover_params(uri, json!(1), json!(2)));
    assert!(response["result"]["contents"].is_object(), "{response}");
}

// ---------------------------------------------------------------------------------------------
// Clients that vanish.

/// Spawns the binary with raw pipes (no reader thread): the test decides what happens to stdout.
fn spawn_raw() -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_agentls"))
        .env("AGENTLS_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn agentls")
}

fn wait_exit(child: &mut std::process::Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn half_a_header_then_eof_exits() {
    let mut server = started();
    server.send_raw(b"Content-Len");
    server.close_stdin_and_expect_exit_0();
}

#[test]
fn a_client_that_vanishes_mid_message_with_requests_pending_does_not_hang_the_server() {
    let mut child = spawn_raw();
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let mut bytes = frame(
        &serde_json::to_vec(&json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": { "capabilities": {}, "processId": null, "rootUri": null },
        }))
        .expect("serialise"),
    );
    bytes.extend(frame(
        br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    bytes.extend(frame(
        &serde_json::to_vec(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": {
                "uri": AGENT_URI, "languageId": "markdown", "version": 1, "text": AGENT } } }))
        .expect("serialise"),
    ));
    // Enough requests that the answers (completion lists of several KiB each) overflow the
    // unread stdout pipe, while the requests themselves fit in the stdin pipe buffer: the write
    // completes whatever the server does, so the test cannot deadlock on it.
    for id in 1..150 {
        bytes.extend(frame(&request_body(
            &json!(id),
            "textDocument/completion",
            &hover_params(AGENT_URI, json!(4), json!(2)),
        )));
    }
    bytes.extend(b"Content-Length: 1000\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":");
    assert!(bytes.len() < 48 * 1024, "must fit in the pipe buffer");
    stdin.write_all(&bytes).expect("write to the server");
    // Let the server fill its output pipe, then the client disappears: both pipe ends close.
    std::thread::sleep(Duration::from_millis(500));
    drop(stdin);
    drop(stdout);
    let status = wait_exit(&mut child, Duration::from_secs(20));
    // Whatever the code, the process ended on its own (not killed by the test).
    assert!(status.code().is_some(), "killed by a signal: {status:?}");
}

#[test]
fn stdin_closing_with_requests_in_flight_exits_cleanly() {
    let mut server = started();
    open_agent(&mut server);
    let mut batch = Vec::new();
    for id in 50_000..50_500 {
        batch.extend(frame(&request_body(
            &json!(id),
            "textDocument/hover",
            &hover_params(AGENT_URI, json!(3), json!(2)),
        )));
    }
    server.send_raw(&batch);
    server.close_stdin_and_expect_exit_0();
}
