//! Test harnesses: [`TestServer`] runs the real server in-process over duplex pipes (through the
//! guarded transport), and [`BinaryServer`] drives the built `agentls` binary over stdio.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

pub mod corpus;
pub mod fixture;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::time::{Duration, Instant};

use agentls::server::{self, ServerOptions, SessionEnd};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower_lsp_server::ls_types::notification::{self, Notification};
use tower_lsp_server::ls_types::request::{self, Request};
use tower_lsp_server::ls_types::{
    ClientCapabilities, DidChangeTextDocumentParams, DidOpenTextDocumentParams,
    GeneralClientCapabilities, InitializeParams, InitializeResult, InitializedParams, Position,
    PositionEncodingKind, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent,
    TextDocumentIdentifier, TextDocumentItem, TextDocumentPositionParams, Uri,
    VersionedTextDocumentIdentifier,
};

/// Generous: the machine is a loaded 2-core VM and the binary is a debug build.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The URI of `path` inside a fake project root (spaces are percent-encoded).
pub fn uri(path: &str) -> Uri {
    format!("file:///project/{}", path.replace(' ', "%20"))
        .parse()
        .expect("test URI")
}

/// The `file:` URI of a real path (the workspace tests work in temporary folders).
pub fn file_uri(path: &std::path::Path) -> Uri {
    format!("file://{}", path.display())
        .parse()
        .expect("file URI")
}

/// Capabilities of a client that watches files for the server (dynamic registration).
pub fn watching_capabilities() -> ClientCapabilities {
    let mut capabilities = client_capabilities(None);
    capabilities.workspace = Some(tower_lsp_server::ls_types::WorkspaceClientCapabilities {
        did_change_watched_files: Some(
            tower_lsp_server::ls_types::DidChangeWatchedFilesClientCapabilities {
                dynamic_registration: Some(true),
                relative_pattern_support: None,
            },
        ),
        ..Default::default()
    });
    capabilities
}

pub fn client_capabilities(encodings: Option<&[&str]>) -> ClientCapabilities {
    ClientCapabilities {
        general: Some(GeneralClientCapabilities {
            position_encodings: encodings.map(|encodings| {
                encodings
                    .iter()
                    .map(|&name| PositionEncodingKind::from(name.to_owned()))
                    .collect()
            }),
            ..GeneralClientCapabilities::default()
        }),
        ..ClientCapabilities::default()
    }
}

/// The position `line:character` of the document at `uri`, as requests take it.
pub fn at(uri: &Uri, line: u32, character: u32) -> TextDocumentPositionParams {
    TextDocumentPositionParams::new(
        TextDocumentIdentifier::new(uri.clone()),
        Position::new(line, character),
    )
}

pub fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: Some(Range::new(
            Position::new(start.0, start.1),
            Position::new(end.0, end.1),
        )),
        range_length: None,
        text: text.to_owned(),
    }
}

pub fn full_text(text: &str) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: None,
        range_length: None,
        text: text.to_owned(),
    }
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

// ---------------------------------------------------------------------------------------------

/// The real server, in-process, over `tokio::io::duplex`, with the test hooks on.
pub struct TestServer {
    writer: WriteHalf<tokio::io::DuplexStream>,
    /// Messages from the server, read by their own task so the server never blocks on output.
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Messages received but not yet claimed by a `wait_*` call.
    inbox: VecDeque<Value>,
    next_id: i64,
    server: Option<JoinHandle<SessionEnd>>,
}

impl TestServer {
    pub fn start() -> Self {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let (server_read, server_write) = tokio::io::split(server);
        let (client_read, client_write) = tokio::io::split(client);
        let options = ServerOptions { test_hooks: true };
        let server = tokio::spawn(server::serve(server_read, server_write, options));
        let (tx, incoming) = mpsc::unbounded_channel();
        tokio::spawn(read_messages(client_read, tx));
        Self {
            writer: client_write,
            incoming,
            inbox: VecDeque::new(),
            next_id: 1,
            server: Some(server),
        }
    }

    /// Starts a server and completes `initialize` + `initialized`.
    pub async fn initialized(capabilities: ClientCapabilities) -> (Self, InitializeResult) {
        let mut server = Self::start();
        let result = server.initialize(capabilities).await;
        (server, result)
    }

    pub async fn initialize(&mut self, capabilities: ClientCapabilities) -> InitializeResult {
        self.initialize_with(capabilities, None).await
    }

    /// `initialize` with `initializationOptions`, then `initialized`.
    pub async fn initialize_with(
        &mut self,
        capabilities: ClientCapabilities,
        options: Option<Value>,
    ) -> InitializeResult {
        let params = InitializeParams {
            capabilities,
            initialization_options: options,
            ..InitializeParams::default()
        };
        self.initialize_params(params).await
    }

    /// `initialize` with `folder` as the only workspace folder, then `initialized`.
    pub async fn initialize_in(
        &mut self,
        folder: &std::path::Path,
        capabilities: ClientCapabilities,
    ) -> InitializeResult {
        self.initialize_params(InitializeParams {
            capabilities,
            workspace_folders: Some(vec![tower_lsp_server::ls_types::WorkspaceFolder {
                uri: file_uri(folder),
                name: "workspace".into(),
            }]),
            ..InitializeParams::default()
        })
        .await
    }

    /// `initialize` in `folder` for a client that shows progress, then waits until the
    /// workspace index is built (its `$/progress` ends).
    pub async fn initialize_indexed(&mut self, folder: &std::path::Path) -> InitializeResult {
        let mut capabilities = client_capabilities(None);
        capabilities.window = Some(tower_lsp_server::ls_types::WindowClientCapabilities {
            work_done_progress: Some(true),
            ..Default::default()
        });
        let result = self.initialize_in(folder, capabilities).await;
        self.answer("window/workDoneProgress/create").await;
        self.wait_for(|message| {
            message["method"] == "$/progress" && message["params"]["value"]["kind"] == "end"
        })
        .await;
        result
    }

    /// Answers the server's next request `method` as a client does (with `null`); returns it.
    pub async fn answer(&mut self, method: &str) -> Value {
        let message = self.wait_for(|message| message["method"] == method).await;
        self.send(&json!({ "jsonrpc": "2.0", "id": message["id"].clone(), "result": Value::Null }))
            .await;
        message
    }

    /// `initialize` with the given parameters, then `initialized`.
    pub async fn initialize_params(&mut self, params: InitializeParams) -> InitializeResult {
        let result = self
            .request::<request::Initialize>(params)
            .await
            .expect("initialize failed");
        self.notify::<notification::Initialized>(InitializedParams {})
            .await;
        result
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write to server");
    }

    pub async fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("serialise message");
        self.send_raw(&frame(&body)).await;
    }

    pub async fn notify_raw(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    pub async fn notify<N: Notification>(&mut self, params: N::Params) {
        self.notify_raw(N::METHOD, serde_json::to_value(params).expect("params"))
            .await;
    }

    /// Sends a request and returns the whole response message.
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        self.wait_for(|message| message["id"] == id && message.get("method").is_none())
            .await
    }

    /// Sends a typed request; `Err` holds the JSON-RPC error object.
    pub async fn request<R: Request>(&mut self, params: R::Params) -> Result<R::Result, Value> {
        let response = self
            .request_raw(R::METHOD, serde_json::to_value(params).expect("params"))
            .await;
        match response.get("error") {
            Some(error) => Err(error.clone()),
            None => Ok(serde_json::from_value(response["result"].clone()).expect("typed result")),
        }
    }

    /// The first message (already received or arriving within [`TIMEOUT`]) matching `predicate`.
    pub async fn wait_for(&mut self, mut predicate: impl FnMut(&Value) -> bool) -> Value {
        if let Some(index) = self.inbox.iter().position(&mut predicate) {
            return self.inbox.remove(index).expect("index in range");
        }
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let message = tokio::time::timeout_at(deadline, self.incoming.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out; unclaimed messages: {:#?}", self.inbox))
                .expect("server output closed");
            if predicate(&message) {
                return message;
            }
            self.inbox.push_back(message);
        }
    }

    /// The messages received so far that no `wait_*` call claimed and that match `predicate`
    /// (everything that arrived before the last awaited message is in there).
    pub fn unclaimed(&self, mut predicate: impl FnMut(&Value) -> bool) -> Vec<&Value> {
        self.inbox
            .iter()
            .filter(|message| predicate(message))
            .collect()
    }

    pub async fn open(&mut self, path: &str, text: &str) -> Uri {
        let uri = uri(path);
        self.open_uri(uri.clone(), text).await;
        uri
    }

    pub async fn open_uri(&mut self, uri: Uri, text: &str) {
        let text_document = TextDocumentItem::new(uri, "markdown".into(), 1, text.to_owned());
        self.notify::<notification::DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document,
        })
        .await;
    }

    pub async fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) {
        let params = DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
            content_changes: changes,
        };
        self.notify::<notification::DidChangeTextDocument>(params)
            .await;
    }

    /// The diagnostics published for `uri` at `version` (`None`: published without a version).
    pub async fn wait_for_diagnostics(
        &mut self,
        uri: &Uri,
        version: Option<i32>,
    ) -> PublishDiagnosticsParams {
        self.wait_for_diagnostics_where(uri, |params| params.version == version)
            .await
    }

    /// The first diagnostics published for `uri` that satisfy `accept`, skipping earlier
    /// publications (the server re-publishes open documents when the workspace changes, so
    /// older ones may still be queued).
    pub async fn wait_for_diagnostics_where(
        &mut self,
        uri: &Uri,
        mut accept: impl FnMut(&PublishDiagnosticsParams) -> bool,
    ) -> PublishDiagnosticsParams {
        let method = notification::PublishDiagnostics::METHOD;
        let message = self
            .wait_for(|message| {
                message["method"] == method
                    && message["params"]["uri"] == uri.as_str()
                    && serde_json::from_value::<PublishDiagnosticsParams>(message["params"].clone())
                        .is_ok_and(|params| accept(&params))
            })
            .await;
        serde_json::from_value(message["params"].clone()).expect("publishDiagnostics params")
    }

    /// The hover at `line:character` of `uri`: its range and Markdown (`None`: no hover).
    pub async fn hover(
        &mut self,
        uri: &Uri,
        line: u32,
        character: u32,
    ) -> Option<(Option<Range>, String)> {
        use tower_lsp_server::ls_types::{HoverContents, HoverParams, WorkDoneProgressParams};
        let params = HoverParams {
            text_document_position_params: at(uri, line, character),
            work_done_progress_params: WorkDoneProgressParams::default(),
        };
        let hover = self
            .request::<request::HoverRequest>(params)
            .await
            .expect("hover")?;
        let HoverContents::Markup(markup) = hover.contents else {
            panic!("expected Markdown, got {:?}", hover.contents);
        };
        Some((hover.range, markup.value))
    }

    /// The code actions for `range` of `uri`, of the kinds in `only` (all kinds: `None`).
    pub async fn code_actions(
        &mut self,
        uri: &Uri,
        range: tower_lsp_server::ls_types::Range,
        only: Option<Vec<tower_lsp_server::ls_types::CodeActionKind>>,
    ) -> Vec<tower_lsp_server::ls_types::CodeActionOrCommand> {
        use tower_lsp_server::ls_types::{
            CodeActionContext, CodeActionParams, PartialResultParams, WorkDoneProgressParams,
        };
        let params = CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range,
            context: CodeActionContext {
                only,
                ..CodeActionContext::default()
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        };
        self.request::<request::CodeActionRequest>(params)
            .await
            .expect("codeAction")
            .unwrap_or_default()
    }

    /// The server's `(version, text)` of a document, through the `agentls/debugDocumentText` hook.
    pub async fn document_text(&mut self, uri: &Uri) -> Option<(i32, String)> {
        let identifier =
            serde_json::to_value(TextDocumentIdentifier::new(uri.clone())).expect("uri");
        let response = self
            .request_raw(server::DEBUG_DOCUMENT_TEXT, identifier)
            .await;
        let result = &response["result"];
        if result.is_null() {
            return None;
        }
        let version = result["version"].as_i64().expect("version") as i32;
        Some((version, result["text"].as_str().expect("text").to_owned()))
    }

    /// `shutdown` then `exit`; returns how the server's session ended.
    pub async fn shutdown(mut self) -> SessionEnd {
        self.request::<request::Shutdown>(())
            .await
            .expect("shutdown failed");
        self.notify::<notification::Exit>(()).await;
        self.join().await
    }

    /// Waits for the server task to finish (after `exit` or the end of its input).
    pub async fn join(&mut self) -> SessionEnd {
        let server = self.server.take().expect("server already joined");
        tokio::time::timeout(TIMEOUT, server)
            .await
            .expect("server did not stop")
            .expect("server task panicked")
    }

    /// Closes the client's side of the input pipe.
    pub async fn close_input(&mut self) {
        self.writer.shutdown().await.expect("close input");
    }
}

/// Reads framed messages until the pipe closes.
async fn read_messages(
    reader: tokio::io::ReadHalf<tokio::io::DuplexStream>,
    tx: mpsc::UnboundedSender<Value>,
) {
    let mut reader = tokio::io::BufReader::new(reader);
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                len = Some(
                    value
                        .parse::<usize>()
                        .expect("server sent a bad Content-Length"),
                );
            }
        }
        let mut body = vec![0; len.expect("server sent no Content-Length")];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let message = serde_json::from_slice(&body).expect("server sent invalid JSON");
        if tx.send(message).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// The built `agentls` binary over stdio, with the test hooks on and stderr captured.
pub struct BinaryServer {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: std_mpsc::Receiver<Value>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
}

impl BinaryServer {
    pub fn spawn() -> Self {
        Self::spawn_with(&[])
    }

    pub fn spawn_with(args: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_agentls"));
        command.args(args).env("AGENTLS_TEST_HOOKS", "1");
        Self::from_command(command)
    }

    /// Spawns `command` (which must run the agentls binary) with piped stdio.
    pub fn from_command(mut command: Command) -> Self {
        let mut child = command
            .env("AGENTLS_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn agentls");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let (tx, messages) = std_mpsc::channel();
        // Output is read on its own thread: a server blocked on a full pipe would deadlock us.
        std::thread::spawn(move || read_frames(BufReader::new(stdout), tx));
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut stderr_pipe = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while stderr_pipe.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().expect("stderr lock").push_str(&line);
                line.clear();
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            messages,
            stderr,
            next_id: 1,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        stdin
            .write_all(bytes)
            .and_then(|()| stdin.flush())
            .expect("write to server stdin");
    }

    pub fn send(&mut self, message: &Value) {
        self.send_raw(&frame(&serde_json::to_vec(message).expect("serialise")));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_for(|message| message["id"] == id && message.get("method").is_none())
    }

    /// The next message within [`TIMEOUT`].
    pub fn recv(&mut self) -> Value {
        self.recv_within(TIMEOUT)
    }

    pub fn recv_within(&mut self, timeout: Duration) -> Value {
        match self.messages.recv_timeout(timeout) {
            Ok(message) => message,
            Err(error) => panic!(
                "no message from the server ({error}); stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// Skips messages until one matches, each arriving within [`TIMEOUT`].
    pub fn wait_for(&mut self, predicate: impl FnMut(&Value) -> bool) -> Value {
        self.wait_for_within(TIMEOUT, predicate)
    }

    pub fn wait_for_within(
        &mut self,
        timeout: Duration,
        mut predicate: impl FnMut(&Value) -> bool,
    ) -> Value {
        loop {
            let message = self.recv_within(timeout);
            if predicate(&message) {
                return message;
            }
        }
    }

    /// Every message up to and including the response to request `id`.
    pub fn messages_until_response(&mut self, id: i64) -> Vec<Value> {
        let mut messages = Vec::new();
        loop {
            let message = self.recv();
            let done = message["id"] == id && message.get("method").is_none();
            messages.push(message);
            if done {
                return messages;
            }
        }
    }

    pub fn initialize(&mut self) -> Value {
        let params = json!({ "capabilities": {}, "processId": null, "rootUri": null });
        let response = self.request("initialize", params);
        assert!(
            response.get("result").is_some(),
            "initialize failed: {response}"
        );
        self.notify("initialized", json!({}));
        response
    }

    /// Proves the server still answers: a hover on an unknown document returns `null`.
    pub fn assert_alive(&mut self) {
        let params = json!({
            "textDocument": { "uri": "file:///project/unknown.md" },
            "position": { "line": 0, "character": 0 },
        });
        let response = self.request("textDocument/hover", params);
        assert_eq!(
            response["result"],
            Value::Null,
            "unexpected hover response: {response}"
        );
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits up to [`TIMEOUT`] for the process to exit.
    /// Closes stdin and asserts the server then exits with status 0 (stderr shown otherwise).
    pub fn close_stdin_and_expect_exit_0(&mut self) {
        self.close_stdin();
        assert_eq!(
            self.wait_exit().code(),
            Some(0),
            "stderr:\n{}",
            self.stderr()
        );
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to [`TIMEOUT`] for `needle` to appear in the captured stderr (read by a thread,
    /// so it may lag behind stdout).
    pub fn wait_for_stderr(&self, needle: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.stderr().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "`{needle}` not logged; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }
}

impl Drop for BinaryServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the binary's stdout; the framing must be exact, so any deviation fails the test.
fn read_frames(mut reader: impl BufRead, tx: std_mpsc::Sender<Value>) {
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let value = line
                .strip_prefix("Content-Length: ")
                .expect("unexpected header from server");
            len = Some(
                value
                    .parse::<usize>()
                    .expect("bad Content-Length from server"),
            );
        }
        let mut body = vec![0; len.expect("no Content-Length from server")];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let message: Value = serde_json::from_slice(&body).expect("server sent invalid JSON");
        if tx.send(message).is_err() {
            return;
        }
    }
}

/// Typed helper for results of the in-process server.
pub fn from_value<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("deserialise")
}

pub fn to_value<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("serialise")
}

/// The error responses among `messages`, as `(id, code)`.
pub fn errors(messages: &[Value]) -> Vec<(Value, i64)> {
    messages
        .iter()
        .filter(|message| message.get("error").is_some())
        .map(|message| {
            (
                message["id"].clone(),
                message["error"]["code"].as_i64().expect("error code"),
            )
        })
        .collect()
}
