//! `.agentls.yaml` in the server: loaded from the workspace folder, applied to published
//! diagnostics with the documents' suppression comments, and hot-reloaded when the client reports
//! the file changed (the watcher is registered dynamically), with the file's own problems
//! published on it. Open in the editor, the file is served like any document: its problems
//! follow the open text as it is edited, with completion and hover from its own schema.

mod common;

use common::{TestServer, at, edit, file_uri, watching_capabilities};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionParams, CompletionResponse, DiagnosticSeverity,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    FileChangeType, FileEvent, NumberOrString, PartialResultParams, Position,
    PublishDiagnosticsParams, Range, TextDocumentIdentifier, TextDocumentItem, Uri,
    WorkDoneProgressParams, notification, request,
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

// ---------------------------------------------------------------------------------------------
// The configuration file open in the editor

/// Opens `uri` as the editor opens a YAML file.
async fn open_yaml(server: &mut TestServer, uri: &Uri, text: &str) {
    let text_document = TextDocumentItem::new(uri.clone(), "yaml".into(), 1, text.to_owned());
    server
        .notify::<notification::DidOpenTextDocument>(DidOpenTextDocumentParams { text_document })
        .await;
}

async fn completion(
    server: &mut TestServer,
    uri: &Uri,
    line: u32,
    character: u32,
) -> Vec<CompletionItem> {
    let params = CompletionParams {
        text_document_position: at(uri, line, character),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
        context: None,
    };
    match server.request::<request::Completion>(params).await {
        Ok(Some(CompletionResponse::Array(items))) => items,
        Ok(Some(CompletionResponse::List(list))) => list.items,
        other => panic!("no completion: {other:?}"),
    }
}

fn labels(items: &[CompletionItem]) -> Vec<&str> {
    items.iter().map(|item| item.label.as_str()).collect()
}

/// The hover's range and Markdown.
async fn hover(server: &mut TestServer, uri: &Uri, line: u32, character: u32) -> (Range, String) {
    let (range, markdown) = server.hover(uri, line, character).await.expect("a hover");
    (range.expect("a hover range"), markdown)
}

fn range(start: (u32, u32), end: (u32, u32)) -> Range {
    Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))
}

#[tokio::test]
async fn the_open_configuration_file_is_checked_as_it_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start();
    server
        .initialize_in(dir.path(), common::client_capabilities(None))
        .await;
    let uri = file_uri(&dir.path().join(".agentls.yaml"));
    open_yaml(&mut server, &uri, "rules:\n  unknown-model: off\n").await;
    let opened = server.wait_for_diagnostics(&uri, Some(1)).await;
    assert_eq!(opened.diagnostics, []);

    // `off` becomes `loud`: an error on exactly that token, before anything is saved.
    server
        .change(&uri, 2, vec![edit((1, 17), (1, 20), "loud")])
        .await;
    let typed = server.wait_for_diagnostics(&uri, Some(2)).await;
    assert_eq!(typed.diagnostics.len(), 1, "{typed:#?}");
    let problem = &typed.diagnostics[0];
    assert_eq!(problem.range, range((1, 17), (1, 21)));
    assert_eq!(problem.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(
        problem.code,
        Some(NumberOrString::String("invalid-config".into()))
    );
    assert!(
        problem
            .message
            .starts_with("rule `unknown-model`: `loud` is not a rule level"),
        "{}",
        problem.message
    );

    // A misspelt rule code: the error moves to the key.
    server
        .change(&uri, 3, vec![edit((1, 2), (1, 21), "unknown-modle: off")])
        .await;
    let typed = server.wait_for_diagnostics(&uri, Some(3)).await;
    assert_eq!(typed.diagnostics.len(), 1, "{typed:#?}");
    assert_eq!(typed.diagnostics[0].range, range((1, 2), (1, 15)));
    assert!(
        typed.diagnostics[0]
            .message
            .contains("did you mean `unknown-model`?")
    );
    // ... with a quick fix that writes the code it meant.
    let actions = server.code_actions(&uri, range((1, 4), (1, 4)), None).await;
    let titles: Vec<String> = actions
        .iter()
        .map(|action| match action {
            tower_lsp_server::ls_types::CodeActionOrCommand::CodeAction(action) => {
                action.title.clone()
            }
            tower_lsp_server::ls_types::CodeActionOrCommand::Command(command) => {
                command.title.clone()
            }
        })
        .collect();
    assert!(
        titles.iter().any(|title| title == "Use `unknown-model`"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn completion_in_the_configuration_file() {
    let (mut server, _) = TestServer::initialized(common::client_capabilities(None)).await;
    let uri = common::uri(".agentls.yaml");
    let text = "rules:\n  \n  empty-body: \ndialects:\n  \"prompts/*.md\": \nfields:\n  \n";
    open_yaml(&mut server, &uri, text).await;

    // `rules:` keys: every rule code but the one already set, with its summary.
    let rules = completion(&mut server, &uri, 1, 2).await;
    let codes = labels(&rules);
    assert!(codes.contains(&"unknown-model"), "{codes:?}");
    assert!(!codes.contains(&"empty-body"), "already set: {codes:?}");
    let model = rules
        .iter()
        .find(|item| item.label == "unknown-model")
        .unwrap();
    assert_eq!(
        model.detail.as_deref(),
        Some("A model the tool does not know")
    );

    // A rule's value: the levels.
    let levels = completion(&mut server, &uri, 2, 14).await;
    assert_eq!(
        labels(&levels),
        ["error", "warning", "information", "hint", "off"]
    );

    // `dialects:` values and `fields:` keys: the dialect ids, with their titles.
    let dialects = completion(&mut server, &uri, 4, 18).await;
    let agent = dialects
        .iter()
        .find(|item| item.label == "claude-agent")
        .expect("claude-agent offered");
    assert_eq!(agent.detail.as_deref(), Some("Claude Code subagent"));
    assert!(labels(&dialects).contains(&"copilot-prompt"));
    let keys = completion(&mut server, &uri, 6, 2).await;
    assert!(
        labels(&keys).contains(&"cursor-rule"),
        "{:?}",
        labels(&keys)
    );
    assert!(labels(&keys).contains(&"*"));

    // A top-level line: the keys not used yet.
    let top = completion(&mut server, &uri, 7, 0).await;
    assert_eq!(labels(&top), ["tools", "ignore"]);
}

#[tokio::test]
async fn hover_in_the_configuration_file() {
    let (mut server, _) = TestServer::initialized(common::client_capabilities(None)).await;
    let uri = common::uri(".agentls.yaml");
    open_yaml(
        &mut server,
        &uri,
        "rules:\n  unknown-model: off\nignore: [\"vendor/**\"]\n",
    )
    .await;

    let (range_of, markdown) = hover(&mut server, &uri, 1, 5).await;
    assert_eq!(range_of, range((1, 2), (1, 15)));
    assert!(
        markdown.starts_with("**`unknown-model`** — A model the tool does not know"),
        "{markdown}"
    );

    let (range_of, markdown) = hover(&mut server, &uri, 2, 1).await;
    assert_eq!(range_of, range((2, 0), (2, 6)));
    assert!(
        markdown.starts_with("**`ignore`** — list of globs\n\nFiles matching any of these globs"),
        "{markdown}"
    );
}

/// While the file is open its text wins: a reload from disk (the watcher) does not replace its
/// diagnostics, and the edits apply to other documents once saved, not before. Closed, the
/// saved file's problems come back.
#[tokio::test]
async fn the_open_text_wins_and_applies_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".agentls.yaml");
    std::fs::write(&config, "rules:\n  unknown-modle: off\n").unwrap();
    let mut server = TestServer::start();
    server
        .initialize_in(dir.path(), watching_capabilities())
        .await;
    server.answer("client/registerCapability").await;
    let config_uri = file_uri(&config);
    // The problem of the file on disk, published at start-up on its token.
    let on_disk = server
        .wait_for_diagnostics_where(&config_uri, |p| !p.diagnostics.is_empty())
        .await;
    assert_eq!(on_disk.version, None);
    assert_eq!(on_disk.diagnostics[0].range, range((1, 2), (1, 15)));

    let agent = file_uri(&dir.path().join(".claude/agents/a.md"));
    server.open_uri(agent.clone(), AGENT).await;
    server
        .wait_for_diagnostics_where(&agent, |p| codes(p).contains(&"unknown-model".to_owned()))
        .await;

    // The editor fixes the typo: the open text's diagnostics, versioned (the settings stay the
    // saved file's until it is saved).
    open_yaml(&mut server, &config_uri, "rules:\n  unknown-model: off\n").await;
    let open = server.wait_for_diagnostics(&config_uri, Some(1)).await;
    assert_eq!(open.diagnostics, []);

    // Saved: the watcher reports it, the settings apply, and the disk's (now clean) problems are
    // not published over the open text's.
    std::fs::write(&config, "rules:\n  unknown-model: off\n").unwrap();
    server
        .notify::<notification::DidChangeWatchedFiles>(DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(config_uri.clone(), FileChangeType::CHANGED)],
        })
        .await;
    server
        .wait_for_diagnostics_where(&agent, |p| !codes(p).contains(&"unknown-model".to_owned()))
        .await;
    let republished = server.wait_for_diagnostics(&config_uri, Some(1)).await;
    assert_eq!(republished.diagnostics, []);

    // A broken edit left unsaved, then the file closed: what the editor shows is the saved
    // file's problems again (none).
    server
        .change(&config_uri, 2, vec![edit((1, 17), (1, 20), "loud")])
        .await;
    let typed = server.wait_for_diagnostics(&config_uri, Some(2)).await;
    assert_eq!(typed.diagnostics.len(), 1);
    server
        .notify::<notification::DidCloseTextDocument>(DidCloseTextDocumentParams {
            text_document: TextDocumentIdentifier::new(config_uri.clone()),
        })
        .await;
    let closed = server.wait_for_diagnostics(&config_uri, None).await;
    assert_eq!(closed.diagnostics, []);
}
