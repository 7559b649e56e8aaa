//! A language server process driven over stdio, as an editor drives it.
//!
//! A dedicated thread reads the server's stdout and timestamps every message on arrival; the
//! benchmark thread writes to stdin and waits on a channel. Reading on the calling thread
//! instead deadlocks once the server blocks on a full stdout pipe while publishing.

use std::io::{BufReader, BufWriter, ErrorKind};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde_json::{Value, json};

use crate::rpc::{read_message, write_message};

/// How long any single wait for the server may take before the run fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The negotiated unit of `Position.character`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// Length of `text` in this encoding's code units.
    pub fn len(self, text: &str) -> usize {
        match self {
            Self::Utf8 => text.len(),
            Self::Utf16 => text.encode_utf16().count(),
        }
    }
}

struct Incoming {
    at: Instant,
    message: Value,
}

/// A running server after `initialize`/`initialized`. Dropping it kills the process.
pub struct Server {
    name: String,
    child: Child,
    /// `None` once closed after `exit`, as an editor closes the pipe.
    stdin: Option<BufWriter<ChildStdin>>,
    incoming: Receiver<Incoming>,
    next_id: u64,
    /// From spawning the process to the arrival of the `initialize` response.
    pub startup: Duration,
    pub encoding: Encoding,
}

impl Server {
    /// Spawns `program` and performs the `initialize` handshake, offering UTF-8 and UTF-16.
    pub fn start(program: &Path, root_uri: &str) -> Result<Self> {
        let name = program.file_name().map_or_else(
            || program.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let started = Instant::now();
        let mut command = Command::new(program);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // agentls logs its life cycle at `info`; keep the benchmark output readable.
        if std::env::var_os("AGENTLS_LOG").is_none() {
            command.env("AGENTLS_LOG", "warn");
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let stdin = Some(BufWriter::new(child.stdin.take().context("no stdin pipe")?));
        let mut stdout = BufReader::new(child.stdout.take().context("no stdout pipe")?);
        let (sender, incoming) = mpsc::channel();
        thread::Builder::new()
            .name(format!("{name} stdout"))
            .spawn(move || {
                // Ends at end of stream, on a framing error, or when the receiver is gone.
                while let Ok(Some(message)) = read_message(&mut stdout) {
                    let at = Instant::now();
                    if sender.send(Incoming { at, message }).is_err() {
                        break;
                    }
                }
            })?;
        let mut server = Self {
            name,
            child,
            stdin,
            incoming,
            next_id: 0,
            startup: Duration::ZERO,
            encoding: Encoding::Utf16,
        };
        let params = json!({
            "processId": std::process::id(),
            "clientInfo": {"name": "lspbench"},
            "rootUri": root_uri,
            "capabilities": {
                "general": {"positionEncodings": ["utf-8", "utf-16"]},
                "textDocument": {
                    "synchronization": {"dynamicRegistration": false},
                    "publishDiagnostics": {"versionSupport": true},
                    // As VS Code and Neovim: documentation is fetched when an item is shown.
                    "completion": {"completionItem": {
                        "snippetSupport": false,
                        "resolveSupport": {"properties": ["documentation", "detail"]},
                    }},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                },
            },
        });
        let (result, arrived) = server.request_at("initialize", params)?;
        server.startup = arrived - started;
        if result["capabilities"]["positionEncoding"] == "utf-8" {
            server.encoding = Encoding::Utf8;
        }
        server.notify("initialized", json!({}))?;
        Ok(server)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Resident memory of the server process (`VmRSS` from `/proc/<pid>/status`), in KiB.
    pub fn resident_kib(&self) -> Result<u64> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no VmRSS in {path}"))
    }

    fn send(&mut self, message: &Value) -> Result<()> {
        let stdin = self.stdin.as_mut().context("stdin is already closed")?;
        write_message(stdin, message)
            .with_context(|| format!("writing to {} (did it exit?)", self.name))
    }

    pub fn notify(&mut self, method: &str, params: Value) -> Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Sends a request and returns its result and the time from sending to the response.
    pub fn request(&mut self, method: &str, params: Value) -> Result<(Value, Duration)> {
        let sent = Instant::now();
        let (result, arrived) = self.request_at(method, params)?;
        Ok((result, arrived - sent))
    }

    fn request_at(&mut self, method: &str, params: Value) -> Result<(Value, Instant)> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let response = self.wait_for(&format!("the response to {method}"), |message| {
            message["id"] == id && message.get("method").is_none()
        })?;
        if let Some(error) = response.message.get("error") {
            bail!("{} answered {method} with an error: {error}", self.name);
        }
        Ok((response.message["result"].clone(), response.at))
    }

    /// Waits for `publishDiagnostics` of `uri` at `version` and returns when it arrived. A
    /// publication without a version (servers that do not send one) also counts.
    pub fn wait_diagnostics(&mut self, uri: &str, version: i64) -> Result<Instant> {
        let what = format!("diagnostics for {uri} version {version}");
        let incoming = self.wait_for(&what, |message| {
            let params = &message["params"];
            message["method"] == "textDocument/publishDiagnostics"
                && params["uri"] == uri
                && (params["version"] == version || params["version"].is_null())
        })?;
        Ok(incoming.at)
    }

    /// Reads messages until one satisfies `wanted`, answering the server's own requests
    /// (`workspace/configuration`, `client/registerCapability`…) with `null` meanwhile.
    fn wait_for(&mut self, what: &str, mut wanted: impl FnMut(&Value) -> bool) -> Result<Incoming> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let incoming = self
                .incoming
                .recv_timeout(remaining)
                .map_err(|error| match error {
                    RecvTimeoutError::Timeout => {
                        anyhow!("{}: no {what} within {TIMEOUT:?}", self.name)
                    }
                    RecvTimeoutError::Disconnected => {
                        anyhow!("{} closed its stdout while waiting for {what}", self.name)
                    }
                })?;
            let message = &incoming.message;
            if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": null});
                self.send(&reply)?;
            } else if wanted(message) {
                return Ok(incoming);
            }
        }
    }

    /// `shutdown` then `exit`, then waits for the process to end (killing it after the timeout).
    pub fn shutdown(mut self) -> Result<()> {
        self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        self.stdin = None;
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                ensure!(status.success(), "{} exited with {status}", self.name);
                return Ok(());
            }
            thread::sleep(Duration::from_millis(5));
        }
        bail!("{} did not exit within {TIMEOUT:?} of `exit`", self.name)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            match self.child.kill() {
                Err(error) if error.kind() != ErrorKind::InvalidInput => {
                    eprintln!("lspbench: could not kill {}: {error}", self.name);
                }
                _ => {}
            }
            let _ = self.child.wait();
        }
    }
}
