//! The built binary over stdio survives malformed input, handler panics and huge documents.
//!
//! Each test proves liveness by getting an answer to a request sent after the bad input.

mod common;

use common::errors;

use std::time::Duration;

use common::{BinaryServer, frame};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

const HUGE_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends `bad` bytes and then a request; returns the messages up to that request's response.
fn bad_input_then_request(server: &mut BinaryServer, bad: &[u8]) -> Vec<Value> {
    server.send_raw(bad);
    let params = json!({
        "textDocument": { "uri": "file:///project/unknown.md" },
        "position": { "line": 0, "character": 0 },
    });
    let id = server.send_request("textDocument/hover", params);
    let messages = server.messages_until_response(id);
    let response = messages.last().expect("at least the response");
    assert_eq!(
        response["result"],
        Value::Null,
        "server did not answer normally: {response}"
    );
    messages
}

fn started() -> BinaryServer {
    let mut server = BinaryServer::spawn();
    server.initialize();
    server
}

#[test]
fn malformed_json_gets_a_parse_error() {
    let mut server = started();
    let messages = bad_input_then_request(
        &mut server,
        &frame(br#"{"jsonrpc": "2.0", "id": 9, "method": "#),
    );
    assert_eq!(errors(&messages), [(Value::Null, -32700)]);
}

#[test]
fn json_that_is_not_json_rpc_gets_invalid_request() {
    let mut server = started();
    let mut bad = frame(br#"{"hello":"world"}"#);
    bad.extend(frame(br#"{"jsonrpc":"2.0","id":41,"method":42}"#));
    bad.extend(frame(
        br#"{"jsonrpc":"1.0","id":"s","method":"initialize"}"#,
    ));
    bad.extend(frame(b"[1, 2, 3]"));
    bad.extend(frame(b"42"));
    let messages = bad_input_then_request(&mut server, &bad);
    let expected = [
        (Value::Null, -32600),
        (json!(41), -32600),
        (json!("s"), -32600),
        (Value::Null, -32600),
        (Value::Null, -32600),
    ];
    assert_eq!(errors(&messages), expected);
}

#[test]
fn invalid_content_length_resyncs() {
    let mut server = started();
    let mut bad = b"Content-Length: twelve\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec();
    bad.extend(b"Content-Type: text/plain\r\n\r\n"); // A header block without Content-Length.
    let messages = bad_input_then_request(&mut server, &bad);
    // One parse error per bad header block; nothing else is lost.
    let errors = errors(&messages);
    assert!(!errors.is_empty() && errors.len() <= 2, "{errors:?}");
    assert!(
        errors.iter().all(|error| *error == (Value::Null, -32700)),
        "{errors:?}"
    );
}

#[test]
fn huge_content_length_is_refused_without_allocating() {
    let mut server = started();
    let bad = b"Content-Length: 99999999999999\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"";
    let messages = bad_input_then_request(&mut server, bad);
    let errors = errors(&messages);
    assert_eq!(errors, [(Value::Null, -32600)]);
    let refusal = messages
        .iter()
        .find(|message| message.get("error").is_some())
        .unwrap();
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the limit"),
        "{refusal}"
    );
}

#[test]
fn invalid_utf8_in_a_body_gets_a_parse_error() {
    let mut server = started();
    let bad =
        frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{\"x\":\"\xff\xfe\"}}");
    let messages = bad_input_then_request(&mut server, &bad);
    assert_eq!(errors(&messages), [(Value::Null, -32700)]);
}

#[test]
fn binary_junk_is_survived() {
    let mut server = started();
    // Deterministic pseudo-random bytes (xorshift), 256 KiB.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let junk: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let messages = bad_input_then_request(&mut server, &junk);
    let errors = errors(&messages);
    assert!(!errors.is_empty(), "junk went unanswered");
    assert!(
        errors
            .iter()
            .all(|(id, code)| id.is_null() && *code == -32700),
        "{errors:?}"
    );
}

#[test]
fn handler_panics_become_internal_errors() {
    let mut server = started();
    let response = server.request("agentls/debugPanic", Value::Null);
    assert_eq!(response["error"]["code"], -32603, "{response}");
    server.assert_alive();
    // A panicking notification handler is survived too.
    server.notify("agentls/debugPanicNotification", Value::Null);
    server.assert_alive();
    server.wait_for_stderr("deliberate panic");
    server.wait_for_stderr("request handler panicked");
    server.wait_for_stderr("notification handler panicked");
}

#[test]
fn test_hooks_are_off_by_default() {
    let mut server = BinaryServer::spawn();
    // `spawn` enables them; check the environment really is what switches them on.
    server.initialize();
    let response = server.request("agentls/debugPanic", Value::Null);
    assert_eq!(response["error"]["code"], -32603);

    let mut plain = std::process::Command::new(env!("CARGO_BIN_EXE_agentls"));
    plain.env_remove("AGENTLS_TEST_HOOKS");
    let mut plain = BinaryServer::from_command(plain);
    plain.initialize();
    let response = plain.request("agentls/debugPanic", Value::Null);
    assert_eq!(response["error"]["code"], -32601, "{response}");
}

#[test]
fn truncated_message_then_eof_exits() {
    let mut server = started();
    server.send_raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":5,\"meth");
    server.close_stdin_and_expect_exit_0();
}

#[test]
fn huge_document_keeps_the_server_responsive() {
    let mut server = started();
    let line = "Some body text that goes on and on, with ünïcode 😀 here and there.\n";
    let mut text =
        String::from("---\nname: huge\ndescription: A very large agent\ncolor: blue\n---\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
    }
    let uri = "file:///project/.claude/agents/huge.md";
    let text_document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": text_document }),
    );
    // A debug build spends seconds decoding 50 MB of JSON (the guard checks it, then tower-lsp
    // decodes it), so this one wait is longer; it checks that an answer comes, not how fast.
    let published = server.wait_for_within(HUGE_TIMEOUT, |message| {
        message["method"] == "textDocument/publishDiagnostics"
    });
    assert_eq!(published["params"]["version"], 1);
    // Hover on the `color` key and an edit at the very end both answer.
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": 2 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 999_999_999, "character": 0 },
                                            "end": { "line": 999_999_999, "character": 0 } }, "text": "end\n" }],
        }),
    );
    let published =
        server.wait_for(|message| message["method"] == "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["version"], 2);
    server.assert_alive();
}
