//! Security properties of the language server (the built binary over stdio):
//!
//! - it never writes files (fixes travel as `WorkspaceEdit`s only);
//! - it never runs commands found in documents (`` !`cmd` `` in the body, hook commands);
//! - it opens no socket (Linux: `/proc/<pid>/fd`);
//! - it does not follow `@path` references: content of files outside the workspace never shows
//!   up in its output.
//!
//! Each test has a positive control, so that it can fail: the session demonstrably did the work
//! (a fix was offered, a hover was shown) while the forbidden effect did not happen.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use common::BinaryServer;
use serde_json::{Value, json};

/// An agent with a fixable mistake (`modle`), a hover target (`description`) and both kinds of
/// command a careless implementation might run.
fn hostile_agent(sentinel: &Path) -> String {
    let sentinel = sentinel.display();
    format!(
        "---\nname: hostile\ndescription: Runs $(touch {sentinel}-subst) and `touch {sentinel}-tick`\n\
         modle: sonnet\nhooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n\
         \x20         command: touch {sentinel}-hook\n---\n\
         Context: !`touch {sentinel}-bang`\n\n```!\ntouch {sentinel}-block\n```\n"
    )
}

fn file_uri(path: &Path) -> String {
    let path = path.to_str().expect("UTF-8 temp path");
    assert!(
        path.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)),
        "temp path needs percent-encoding: {path}"
    );
    format!("file://{path}")
}

/// A fresh root holding `workspace/.claude/agents` (returned), and the server's `home` and `tmp`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let agents = dir.path().join("workspace/.claude/agents");
    std::fs::create_dir_all(&agents).expect("create agents dir");
    for name in ["home", "tmp"] {
        std::fs::create_dir_all(dir.path().join(name)).expect("create dir");
    }
    (dir, agents)
}

/// A server whose working directory and home are inside `root`, initialised with `workspace` as
/// its root folder.
fn server_in(root: &Path, workspace: &Path) -> BinaryServer {
    let home = root.join("home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_agentls"));
    command
        .current_dir(workspace)
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("TMPDIR", root.join("tmp"))
        .env("AGENTLS_TEST_HOOKS", "1");
    let mut server = BinaryServer::from_command(command);
    let uri = file_uri(workspace);
    let response = server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri,
            "workspaceFolders": [{ "uri": uri, "name": "workspace" }],
            "capabilities": {
                "workspace": { "workspaceEdit": { "documentChanges": true } },
            },
        }),
    );
    assert!(response.get("result").is_some(), "{response}");
    server.notify("initialized", json!({}));
    server
}

/// Records every message of a session, so that tests can search all of the server's output.
struct Session {
    server: BinaryServer,
    output: Vec<Value>,
}

impl Session {
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.server.send_request(method, params);
        let messages = self.server.messages_until_response(id);
        let response = messages.last().expect("response").clone();
        self.output.extend(messages);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.server.notify(method, params);
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
    }

    /// Hover and completion at every line (columns 0 and 3), and code actions over the document.
    fn exercise(&mut self, uri: &str, text: &str) -> Vec<Value> {
        let mut actions = Vec::new();
        for line in 0..=text.lines().count() {
            for character in [0, 3] {
                let position = json!({ "line": line, "character": character });
                let params = json!({ "textDocument": { "uri": uri }, "position": position });
                self.request("textDocument/hover", params.clone());
                self.request("textDocument/completion", params);
            }
        }
        let result = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": { "line": 0, "character": 0 },
                           "end": { "line": 999, "character": 0 } },
                "context": { "diagnostics": [] },
            }),
        );
        if let Value::Array(list) = result {
            actions.extend(list);
        }
        actions
    }

    /// `shutdown` and `exit`; the process must end with code 0.
    fn finish(mut self) -> Vec<Value> {
        self.request("shutdown", Value::Null);
        self.server.notify("exit", Value::Null);
        let status = self.server.wait_exit();
        assert_eq!(status.code(), Some(0), "stderr:\n{}", self.server.stderr());
        self.output
    }
}

fn start(root: &Path, workspace: &Path) -> Session {
    Session {
        server: server_in(root, workspace),
        output: Vec::new(),
    }
}

/// Path → (length, modification time, content) for every file and directory under `root`.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, SystemTime, Vec<u8>)> {
    let mut entries = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("dir entry").path();
            let metadata = std::fs::symlink_metadata(&path).expect("metadata");
            let modified = metadata.modified().expect("mtime");
            if metadata.is_dir() {
                pending.push(path.clone());
                entries.insert(path, (0, modified, Vec::new()));
            } else {
                let content = std::fs::read(&path).expect("read");
                entries.insert(path, (metadata.len(), modified, content));
            }
        }
    }
    entries
}

#[test]
fn the_server_never_writes_files() {
    let (dir, agents) = workspace();
    let root = dir.path();
    let workspace = root.join("workspace");
    let path = agents.join("fixable.md");
    let text =
        "---\nname: fixable\ndescription: Has a typo\nmodle: sonnet\ncolor: bleu\n---\nBody.\n";
    std::fs::write(&path, text).expect("write agent");
    std::fs::write(agents.join("other.md"), "---\nname: other\n---\n").expect("write agent");
    // mtimes have a coarse granularity on some filesystems: make any rewrite visible.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let before = snapshot(root);

    let mut session = start(root, &workspace);
    let uri = file_uri(&path);
    session.open(&uri, text);
    let actions = session.exercise(&uri, text);
    // Positive control: fixes were offered, as workspace edits.
    assert!(
        actions.iter().any(|action| action.get("edit").is_some()),
        "no fix offered: {actions:?}"
    );
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 3, "character": 0 },
                                                "end": { "line": 3, "character": 5 } },
                                     "text": "model" }] }),
    );
    session.exercise(&uri, text);
    session.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri }, "text": text }),
    );
    session.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    // A document that is not on disk at all, in a directory that does not exist.
    let ghost = file_uri(&workspace.join(".claude/agents/new/ghost.md"));
    session.open(&ghost, text);
    session.exercise(&ghost, text);
    session.finish();

    let after = snapshot(root);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files were created or removed"
    );
    for (path, before) in &before {
        assert!(
            after[path] == *before,
            "{} was modified by the server",
            path.display()
        );
    }
}

#[test]
fn commands_in_documents_are_never_run() {
    let (dir, agents) = workspace();
    let root = dir.path();
    let workspace = root.join("workspace");
    let sentinel = root.join(format!("agentls-pwned-{}", std::process::id()));
    let text = hostile_agent(&sentinel);
    let path = agents.join("hostile.md");
    std::fs::write(&path, &text).expect("write agent");

    let mut session = start(root, &workspace);
    let uri = file_uri(&path);
    session.open(&uri, &text);
    let actions = session.exercise(&uri, &text);
    assert!(!actions.is_empty(), "positive control: the typo gets a fix");
    session.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": format!("{text}\n!`touch {}-late`\n", sentinel.display()) }] }),
    );
    session.exercise(&uri, &text);
    session.finish();

    // The linter reads the same file: it must not run anything either.
    let status = Command::new(env!("CARGO_BIN_EXE_agentls"))
        .args(["check", path.to_str().expect("UTF-8 path")])
        .current_dir(&workspace)
        .output()
        .expect("run agentls check");
    assert!(
        status.status.code().is_some(),
        "check crashed: {:?}",
        status.status
    );

    let leftovers: Vec<_> = std::fs::read_dir(root)
        .expect("read_dir")
        .map(|entry| entry.expect("entry").file_name())
        .filter(|name| name.to_string_lossy().starts_with("agentls-pwned"))
        .collect();
    assert!(leftovers.is_empty(), "a command was run: {leftovers:?}");
}

/// The pid of our child process whose working directory is `cwd` (each test's workspace is
/// unique, and the harness does not expose the child).
#[cfg(target_os = "linux")]
fn child_in(cwd: &Path) -> u32 {
    let me = std::process::id();
    let candidates: Vec<u32> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|pid: &u32| {
            let parent = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    // `pid (comm) state ppid …`; comm may contain spaces.
                    let after = &stat[stat.rfind(')')? + 2..];
                    after.split(' ').nth(1)?.parse::<u32>().ok()
                });
            parent == Some(me)
                && std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|dir| dir == cwd)
        })
        .collect();
    assert_eq!(candidates.len(), 1, "cannot identify the server process");
    candidates[0]
}

#[cfg(target_os = "linux")]
#[test]
fn the_server_opens_no_socket() {
    let (dir, agents) = workspace();
    let root = dir.path();
    let workspace = root.join("workspace");
    let sentinel = root.join("never");
    let text = format!(
        "{}\nSee https://example.com/agent and @https://example.com/x and http://127.0.0.1:1/\n",
        hostile_agent(&sentinel)
    );
    let path = agents.join("net.md");
    std::fs::write(&path, &text).expect("write agent");

    let mut session = start(root, &workspace);
    let pid = child_in(&workspace);
    let sockets = |when: &str| {
        let fds: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .expect("list /proc/<pid>/fd")
            .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
            .map(|target| target.display().to_string())
            .collect();
        // Positive control: the stdio pipes are visible.
        assert!(
            fds.iter().any(|fd| fd.starts_with("pipe:")),
            "cannot see the server's fds ({when}): {fds:?}"
        );
        let sockets: Vec<_> = fds.iter().filter(|fd| fd.starts_with("socket:")).collect();
        assert!(
            sockets.is_empty(),
            "sockets open {when}: {sockets:?} (all fds: {fds:?})"
        );
    };
    sockets("after initialize");
    let uri = file_uri(&path);
    session.open(&uri, &text);
    session.exercise(&uri, &text);
    sockets("after a session");
    session.finish();
}

#[test]
fn at_references_outside_the_workspace_are_not_followed() {
    let (dir, agents) = workspace();
    let root = dir.path();
    let workspace = root.join("workspace");
    let nonce = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    );
    let secret_marker = format!("AGENTLS-SECRET-{nonce}");
    let control_marker = format!("AGENTLS-CONTROL-{nonce}");
    let secret = root.join("secret.md");
    std::fs::write(
        &secret,
        format!("---\nname: secret\ndescription: {secret_marker}\n---\n{secret_marker}\n"),
    )
    .expect("write secret");
    let secret_path = secret.display();
    let text = format!(
        "---\nname: refs\ndescription: {control_marker} reads @{secret_path} and @../../secret.md\n\
         model: sonnet\n---\n\
         Read @{secret_path} first.\n\
         Then @../../secret.md and @../../../../../../{secret_path}\n\
         Also @/etc/passwd, @~/secret.md, @{uri} and [link]({secret_path}).\n",
        uri = file_uri(&secret),
    );
    let path = agents.join("refs.md");
    std::fs::write(&path, &text).expect("write agent");

    let mut session = start(root, &workspace);
    let uri = file_uri(&path);
    session.open(&uri, &text);
    session.exercise(&uri, &text);
    // Also at the very columns of the references.
    for (line, content) in text.lines().enumerate() {
        for (column, _) in content.match_indices('@') {
            for delta in [0, 1, 5] {
                let position = json!({ "line": line, "character": column + delta });
                let params = json!({ "textDocument": { "uri": uri }, "position": position });
                session.request("textDocument/hover", params.clone());
                session.request("textDocument/completion", params);
            }
        }
    }
    let stderr = session.server.stderr();
    let output = serde_json::to_string(&session.finish()).expect("serialise output");

    // Positive control: the output does carry document text (the description hover).
    assert!(
        output.contains(&control_marker),
        "the description hover never showed: the test would prove nothing"
    );
    assert!(
        !output.contains(&secret_marker) && !stderr.contains(&secret_marker),
        "content of a file outside the workspace leaked into the server's output"
    );
    assert!(
        !output.contains("root:x:0:0") && !stderr.contains("root:x:0:0"),
        "/etc/passwd leaked into the server's output"
    );
}
