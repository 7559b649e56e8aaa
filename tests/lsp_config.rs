//! `.agentls.yaml` in the server: loaded from the workspace folder, applied to published
//! diagnostics with the documents' suppression comments, and hot-reloaded when the client reports
//! the file changed (the watcher is registered dynamically), with the file's own problems
//! published on it.

mod common;

use common::{TestServer, file_uri, watching_capabilities};
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesParams, FileChangeType, FileEvent, NumberOrString,
    PublishDiagnosticsParams, notification,
};

fn codes(published: &PublishDiagnosticsParams) -> Vec<String> {
    published
        .diagnostics
        .iter()
        .filter_map(|d| match &d.code {
            Some(NumberOrString::String(code)) => Some(code.clone()),
            _ => None,
        })
        .collect()
}

const AGENT: &str = "---\nname: a\ndescription: A\nmodel: gpt-5\nmood: calm\n---\n<!-- agentls-disable-next-line unbalanced-tags -->\n<example>\nBody\n# agentls-disable unknown-field\n";

#[tokio::test]
async fn configuration_applies_and_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".agentls.yaml");
    std::fs::write(&config, "rules:\n  unknown-model: off\n").unwrap();

    let mut server = TestServer::start();
    server
        .initialize_in(dir.path(), watching_capabilities())
        .await;

    // The server asks to watch `.agentls.yaml` (and agent files); answer as a client does.
    let registration = server.answer("client/registerCapability").await;
    let watchers = &registration["params"]["registrations"][0];
    assert_eq!(watchers["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        watchers["registerOptions"]["watchers"][0]["globPattern"],
        "**/.agentls.yaml"
    );

    let agent = file_uri(&dir.path().join(".claude/agents/a.md"));
    server.open_uri(agent.clone(), AGENT).await;
    // `unknown-model` is off; `unbalanced-tags` is suppressed by the comment above the line; the
    // body's `# agentls-disable` heading is not a frontmatter comment and silences nothing.
    server
        .wait_for_diagnostics_where(&agent, |p| codes(p) == ["unknown-field"])
        .await;

    // The file changes on disk: the client reports it, the server reloads and re-publishes.
    std::fs::write(
        &config,
        "rules:\n  unknown-field: off\n  unknown-model: error\n",
    )
    .unwrap();
    let changed = DidChangeWatchedFilesParams {
        changes: vec![FileEvent::new(file_uri(&config), FileChangeType::CHANGED)],
    };
    server
        .notify::<notification::DidChangeWatchedFiles>(changed.clone())
        .await;
    let republished = server
        .wait_for_diagnostics_where(&agent, |p| codes(p) == ["unknown-model"])
        .await;
    assert_eq!(
        republished.diagnostics[0].severity,
        Some(tower_lsp_server::ls_types::DiagnosticSeverity::ERROR)
    );

    // A broken configuration: its problems are published on the file itself.
    std::fs::write(&config, "rules:\n  unknown-modle: off\n").unwrap();
    server
        .notify::<notification::DidChangeWatchedFiles>(changed)
        .await;
    let config_uri = file_uri(&config);
    // (The valid configuration before it was published with no problems: skip to these.)
    let message = server
        .wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == config_uri.as_str()
                && message["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|diagnostics| !diagnostics.is_empty())
        })
        .await;
    let problems: PublishDiagnosticsParams =
        serde_json::from_value(message["params"].clone()).unwrap();
    assert_eq!(problems.diagnostics.len(), 1, "{problems:#?}");
    assert_eq!(problems.diagnostics[0].range.start.line, 1);
    assert!(
        problems.diagnostics[0]
            .message
            .contains("did you mean `unknown-model`?"),
        "{problems:#?}"
    );
}

#[tokio::test]
async fn client_settings_are_pulled_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut capabilities = common::client_capabilities(None);
    capabilities.workspace = Some(tower_lsp_server::ls_types::WorkspaceClientCapabilities {
        configuration: Some(true),
        ..Default::default()
    });
    let mut server = TestServer::start();
    server.initialize_in(dir.path(), capabilities).await;
    let prompt = file_uri(&dir.path().join("prompts/review.md"));
    server
        .open_uri(prompt.clone(), "---\nmode: agent\n---\nReview.\n")
        .await;
    // Not an agent file by its path: nothing to say.
    server
        .wait_for_diagnostics_where(&prompt, |p| p.diagnostics.is_empty())
        .await;

    // The user maps the folder to Copilot prompts in the editor's settings.
    server
        .notify::<notification::DidChangeConfiguration>(
            tower_lsp_server::ls_types::DidChangeConfigurationParams {
                settings: serde_json::Value::Null,
            },
        )
        .await;
    let request = server
        .wait_for(|message| message["method"] == "workspace/configuration")
        .await;
    assert_eq!(request["params"]["items"][0]["section"], "agentls");
    server
        .send(&serde_json::json!({
            "jsonrpc": "2.0",
            "id": request["id"].clone(),
            "result": [{ "dialect": { "**/prompts/*.md": "copilot-prompt" } }],
        }))
        .await;
    server
        .wait_for_diagnostics_where(&prompt, |p| codes(p) == ["deprecated-field"])
        .await;
}
