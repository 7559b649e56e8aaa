//! Session lifecycle: initialize (capabilities), shutdown/exit, and how the binary starts and ends.

mod common;

use std::process::Command;

use agentls::server::SessionEnd;
use common::{BinaryServer, TestServer, client_capabilities};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tower_lsp_server::ls_types::request;

#[tokio::test]
async fn initialize_advertises_the_capabilities() {
    let (server, result) = TestServer::initialized(client_capabilities(None)).await;
    let capabilities = serde_json::to_value(&result.capabilities).unwrap();
    let important = json!({
        "positionEncoding": capabilities["positionEncoding"],
        "textDocumentSync": capabilities["textDocumentSync"],
        "completionProvider": capabilities["completionProvider"],
        "hoverProvider": capabilities["hoverProvider"],
        "codeActionProvider": capabilities["codeActionProvider"],
        "colorProvider": capabilities["colorProvider"],
        "inlayHintProvider": capabilities["inlayHintProvider"],
        "documentFormattingProvider": capabilities["documentFormattingProvider"],
    });
    assert_eq!(
        important,
        json!({
            "positionEncoding": "utf-16",
            "textDocumentSync": { "openClose": true, "change": 2 },
            "completionProvider": {
                "triggerCharacters": [":", ",", " ", "[", "-"],
                "resolveProvider": true,
            },
            "hoverProvider": true,
            "codeActionProvider": {
                "codeActionKinds": ["quickfix", "source.fixAll.agentls"],
                "resolveProvider": false,
            },
            "colorProvider": true,
            "inlayHintProvider": true,
            "documentFormattingProvider": true,
        })
    );
    let info = result.server_info.expect("serverInfo");
    assert_eq!(
        (info.name.as_str(), info.version.as_deref()),
        ("agentls", Some(env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        server.shutdown().await,
        SessionEnd::Exit {
            after_shutdown: true
        }
    );
}

#[tokio::test]
async fn requests_after_shutdown_are_refused() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    server
        .request::<request::Shutdown>(())
        .await
        .expect("shutdown");
    let hover = server
        .request_raw(
            "textDocument/hover",
            json!({ "textDocument": { "uri": "file:///x.md" }, "position": { "line": 0, "character": 0 } }),
        )
        .await;
    assert_eq!(hover["error"]["code"], -32600, "{hover}");
    server.notify_raw("exit", Value::Null).await;
    assert_eq!(
        server.join().await,
        SessionEnd::Exit {
            after_shutdown: true
        }
    );
}

#[tokio::test]
async fn closing_the_input_ends_the_session() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    server.close_input().await;
    assert_eq!(server.join().await, SessionEnd::InputClosed);
}

#[test]
fn binary_exits_0_after_shutdown_and_exit() {
    let mut server = BinaryServer::spawn();
    server.initialize();
    let response = server.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null, "{response}");
    server.notify("exit", Value::Null);
    // stdin stays open: the server must not wait for it to close.
    let status = server.wait_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", server.stderr());
}

#[test]
fn binary_exits_1_on_exit_without_shutdown() {
    let mut server = BinaryServer::spawn();
    server.initialize();
    server.notify("exit", Value::Null);
    assert_eq!(
        server.wait_exit().code(),
        Some(1),
        "stderr:\n{}",
        server.stderr()
    );
}

#[test]
fn binary_exits_0_when_stdin_closes() {
    let mut server = BinaryServer::spawn_with(&["--stdio"]);
    server.initialize();
    server.close_stdin_and_expect_exit_0();
}

#[test]
fn binary_exits_0_when_stdin_closes_before_initialize() {
    let mut server = BinaryServer::spawn_with(&["serve"]);
    server.close_stdin_and_expect_exit_0();
}

#[test]
fn version_flag_prints_the_version() {
    let output = Command::new(env!("CARGO_BIN_EXE_agentls"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("agentls {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn invalid_log_level_is_an_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_agentls"))
        .args(["--log-level", "no[such"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid log level"));
    // Nothing but protocol may reach stdout.
    assert!(output.stdout.is_empty());
}

#[test]
fn logs_go_to_stderr_only() {
    let mut server = BinaryServer::spawn_with(&["--log-level", "debug"]);
    server.initialize();
    server.close_stdin();
    assert_eq!(server.wait_exit().code(), Some(0));
    // The stdout reader thread panics on anything that is not a frame, so reaching here with a
    // log on stderr proves the separation.
    server.wait_for_stderr("initializing");
}

/// A stdin that is not a pipe (here a socket; a terminal or a file alike) is read on a thread
/// instead of by the event loop: the session works the same.
#[cfg(unix)]
#[test]
fn a_session_over_a_socket_on_stdin() {
    use std::io::{Read, Write};
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;
    use std::process::Stdio;

    let (mut client, server_end) = UnixStream::pair().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentls"))
        .stdin(Stdio::from(OwnedFd::from(server_end)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut received = String::new();
    let mut send = |message: Value| {
        let body = serde_json::to_vec(&message).unwrap();
        client.write_all(&common::frame(&body)).unwrap();
    };
    let mut read_until = |needle: &str| {
        let mut buf = [0; 4096];
        while !received.contains(needle) {
            let read = stdout.read(&mut buf).unwrap();
            assert!(read > 0, "output ended before {needle}: {received}");
            received.push_str(std::str::from_utf8(&buf[..read]).unwrap());
        }
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    read_until(r#""id":1"#);
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///project/.claude/agents/a.md", "languageId": "markdown", "version": 1,
        "text": "---\nname: a\ndescription: d\nmodle: x\n---\nBody\n"}}}),
    );
    read_until("unknown-field");
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    read_until(r#""id":2"#);
    send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(child.wait().unwrap().success());
    assert!(
        received.contains(r#""result":null,"id":2"#)
            || received.contains(r#""id":2,"result":null"#),
        "{received}"
    );
}
