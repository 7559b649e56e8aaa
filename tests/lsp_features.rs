//! One end-to-end check per feature (diagnostics, completion, hover, quick fixes) through the
//! real server. These depend on `crate::analysis`, not only on the LSP layer.

mod common;

use common::{TestServer, at, client_capabilities};
use pretty_assertions::assert_eq;
use tower_lsp_server::ls_types::{
    CodeActionOrCommand, CompletionItemKind, CompletionParams, CompletionResponse,
    CompletionTextEdit, DiagnosticSeverity, DocumentChangeOperation, DocumentChanges,
    Documentation, NumberOrString, PartialResultParams, Position, Range, ResourceOp,
    ResourceOperationKind, TextDocumentIdentifier, WorkDoneProgressParams,
    WorkspaceClientCapabilities, WorkspaceEditClientCapabilities, request,
};

const AGENT: &str = ".claude/agents/x.md";
const TYPO: &str = "---\nname: x\ndescription: Reviews code\nmodle: sonnet\n---\nBody\n";

fn range(start: (u32, u32), end: (u32, u32)) -> Range {
    Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))
}

async fn completion_labels(
    server: &mut TestServer,
    text: &str,
    line: u32,
    character: u32,
) -> Vec<tower_lsp_server::ls_types::CompletionItem> {
    let uri = server.open(AGENT, text).await;
    let params = CompletionParams {
        text_document_position: at(&uri, line, character),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
        context: None,
    };
    match server
        .request::<request::Completion>(params)
        .await
        .expect("completion")
    {
        Some(CompletionResponse::Array(items)) => items,
        Some(CompletionResponse::List(list)) => list.items,
        None => panic!("no completion response"),
    }
}

#[tokio::test]
async fn unknown_field_is_reported_on_its_key() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, TYPO).await;
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    let unknown: Vec<_> = published
        .diagnostics
        .iter()
        .filter(|d| d.code == Some(NumberOrString::String("unknown-field".into())))
        .collect();
    assert_eq!(unknown.len(), 1, "{:#?}", published.diagnostics);
    assert_eq!(unknown[0].range, range((3, 0), (3, 5)));
    assert_eq!(unknown[0].source.as_deref(), Some("agentls"));
    assert_eq!(unknown[0].severity, Some(DiagnosticSeverity::WARNING));
}

#[tokio::test]
async fn percent_encoded_paths_select_the_dialect() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open("my agents/.claude/agents/x.md", TYPO).await;
    assert!(uri.as_str().contains("%20"));
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    assert!(
        published
            .diagnostics
            .iter()
            .any(|d| d.code == Some(NumberOrString::String("unknown-field".into()))),
        "{:#?}",
        published.diagnostics
    );
}

#[tokio::test]
async fn files_outside_any_dialect_get_no_diagnostics() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open("notes/x.md", TYPO).await;
    assert!(
        server
            .wait_for_diagnostics(&uri, Some(1))
            .await
            .diagnostics
            .is_empty()
    );
}

#[tokio::test]
async fn diagnostics_follow_edits() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, TYPO).await;
    assert!(
        !server
            .wait_for_diagnostics(&uri, Some(1))
            .await
            .diagnostics
            .is_empty()
    );
    // Fix the typo: `modle` → `model`.
    server
        .change(&uri, 2, vec![common::edit((3, 3), (3, 5), "el")])
        .await;
    let published = server.wait_for_diagnostics(&uri, Some(2)).await;
    assert!(
        !published
            .diagnostics
            .iter()
            .any(|d| d.code == Some(NumberOrString::String("unknown-field".into()))),
        "{:#?}",
        published.diagnostics
    );
}

#[tokio::test]
async fn quick_fix_renames_the_unknown_field() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, TYPO).await;
    server.wait_for_diagnostics(&uri, Some(1)).await;
    let actions = server.code_actions(&uri, range((3, 2), (3, 2)), None).await;
    let rename = actions
        .iter()
        .find_map(|action| match action {
            CodeActionOrCommand::CodeAction(action) if action.title.contains("model") => {
                Some(action)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no rename fix in {actions:#?}"));
    let edits = &rename.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0].range, edits[0].new_text.as_str()),
        (range((3, 0), (3, 5)), "model")
    );
}

#[tokio::test]
async fn completion_offers_fields_on_an_empty_line() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let items = completion_labels(&mut server, "---\nname: x\n\n---\n", 2, 0).await;
    let labels: Vec<_> = items.iter().map(|item| item.label.as_str()).collect();
    assert!(
        labels.contains(&"model") && labels.contains(&"tools"),
        "{labels:?}"
    );
    let model = items.iter().find(|item| item.label == "model").unwrap();
    assert_eq!(model.kind, Some(CompletionItemKind::PROPERTY));
    match &model.text_edit {
        Some(CompletionTextEdit::Edit(edit)) => assert_eq!(edit.range, range((2, 0), (2, 0))),
        other => panic!("expected a text edit, got {other:?}"),
    }
}

#[tokio::test]
async fn color_completion_has_swatches_and_replaces_the_typed_word() {
    // With utf-8 negotiated; the range covers the typed `ye`.
    let (mut server, _) = TestServer::initialized(client_capabilities(Some(&["utf-8"]))).await;
    let items = completion_labels(&mut server, "---\nname: x\ncolor: ye\n---\n", 2, 9).await;
    let yellow = items
        .iter()
        .find(|item| item.label == "yellow")
        .expect("yellow offered");
    assert_eq!(yellow.kind, Some(CompletionItemKind::COLOR));
    assert!(
        matches!(&yellow.documentation, Some(Documentation::String(hex)) if hex.starts_with('#'))
    );
    match &yellow.text_edit {
        Some(CompletionTextEdit::Edit(edit)) => assert_eq!(edit.range, range((2, 7), (2, 9))),
        other => panic!("expected a text edit, got {other:?}"),
    }
}

#[tokio::test]
async fn hover_documents_the_color_key() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "---\nname: x\ncolor: blue\n---\n").await;
    let (hover_range, markdown) = server.hover(&uri, 2, 2).await.expect("a hover");
    assert!(markdown.contains("color"), "{markdown}");
    assert_eq!(hover_range, Some(range((2, 0), (2, 5))));
}

#[tokio::test]
async fn diagnostic_columns_follow_the_negotiated_encoding() {
    // `Bassh` comes after an emoji on the same line: its column differs by encoding.
    let text = "---\nname: x\ndescription: d\ntools: [\"😀\", Bassh]\n---\n";
    for (encodings, start) in [(None, 14), (Some(&["utf-8"][..]), 16)] {
        let (mut server, _) = TestServer::initialized(client_capabilities(encodings)).await;
        let uri = server.open(AGENT, text).await;
        let published = server.wait_for_diagnostics(&uri, Some(1)).await;
        let bassh = published
            .diagnostics
            .iter()
            .find(|d| d.message.contains("Bassh"))
            .unwrap_or_else(|| panic!("no diagnostic on Bassh: {:#?}", published.diagnostics));
        assert_eq!(
            bassh.range,
            range((3, start), (3, start + 5)),
            "{encodings:?}"
        );
    }
}

/// The seed agent (unquoted description with `: `, `<example>` tags and literal `\n`): Claude
/// Code loads it, so no error — only the portability warning on the description.
#[tokio::test]
async fn the_seed_has_no_errors() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let seed = include_str!("fixtures/rust-backend-expert.md");
    let uri = server.open(AGENT, seed).await;
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    let found: Vec<_> = published
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code.clone(), d.range.start))
        .collect();
    assert_eq!(
        found,
        [(
            Some(DiagnosticSeverity::WARNING),
            Some(NumberOrString::String("not-strict-yaml".into())),
            Position::new(2, 13)
        )]
    );
}

/// A file with many mistakes: each diagnostic at the exact range of its token (UTF-16 columns).
#[tokio::test]
async fn many_mistakes_each_at_its_token() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let text = "---\nname: reviewer\ndescription: Finds bugs 😀 fast\nmodle: sonnet\ncolor: yelow\ntools: Read, Bassh, Read, Task\npermissionMode: yolo\nbackground: yes\n---\nBody.\n";
    let uri = server.open(AGENT, text).await;
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    let found: Vec<(String, Range)> = published
        .diagnostics
        .iter()
        .map(|d| match &d.code {
            Some(NumberOrString::String(code)) => (code.clone(), d.range),
            other => panic!("unexpected code {other:?}"),
        })
        .collect();
    let expected = [
        ("unknown-field", range((3, 0), (3, 5))),
        ("invalid-value", range((4, 7), (4, 12))),
        ("unknown-tool", range((5, 13), (5, 18))),
        ("duplicate-tool", range((5, 20), (5, 24))),
        ("legacy-tool", range((5, 26), (5, 30))),
        ("invalid-value", range((6, 16), (6, 20))),
        ("invalid-value", range((7, 12), (7, 15))),
    ];
    let expected: Vec<(String, Range)> =
        expected.iter().map(|(c, r)| (c.to_string(), *r)).collect();
    assert_eq!(found, expected);
}

/// Hover on `description` shows the text as Claude Code will see it, `\n` turned into newlines.
#[tokio::test]
async fn description_hover_shows_the_loaded_text() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let text = "---\nname: x\ndescription: Use it: now.\\nuser: hi\n---\nBody\n";
    let uri = server.open(AGENT, text).await;
    let (_, markdown) = server.hover(&uri, 2, 16).await.expect("a hover");
    assert!(markdown.contains("Use it: now.\nuser: hi"), "{markdown}");
}

/// Tool completion inside a flow list, without re-offering listed tools.
#[tokio::test]
async fn tool_completion_in_a_flow_list() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let items =
        completion_labels(&mut server, "---\nname: x\ntools: [Read, Gr]\n---\n", 2, 16).await;
    let grep = items
        .iter()
        .find(|item| item.label == "Grep")
        .expect("Grep offered");
    assert_eq!(grep.kind, Some(CompletionItemKind::FUNCTION));
    assert!(!items.iter().any(|item| item.label == "Read"));
    let Some(CompletionTextEdit::Edit(edit)) = &grep.text_edit else {
        panic!("text edit expected")
    };
    assert_eq!(edit.range, range((2, 14), (2, 16)));
}

/// The outline: the frontmatter with its fields, then the body's headings, nested.
#[tokio::test]
async fn document_symbols_and_folding() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let text =
        "---\nname: x\ndescription: d\n---\n# Role\nText\n## Steps\n```sh\n# not a heading\n```\n";
    let uri = server.open(AGENT, text).await;
    let params = tower_lsp_server::ls_types::DocumentSymbolParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    let Some(tower_lsp_server::ls_types::DocumentSymbolResponse::Nested(symbols)) = server
        .request::<request::DocumentSymbolRequest>(params)
        .await
        .expect("symbols")
    else {
        panic!("nested symbols expected")
    };
    let names: Vec<(&str, Vec<&str>)> = symbols
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.children
                    .iter()
                    .flatten()
                    .map(|c| c.name.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("frontmatter", vec!["name", "description"]),
            ("Role", vec!["Steps"])
        ]
    );
    assert_eq!(symbols[1].selection_range, range((4, 2), (4, 6)));

    let params = tower_lsp_server::ls_types::FoldingRangeParams {
        text_document: TextDocumentIdentifier::new(uri),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    let folds = server
        .request::<request::FoldingRangeRequest>(params)
        .await
        .expect("folds")
        .expect("some folds");
    let lines: Vec<(u32, u32)> = folds.iter().map(|f| (f.start_line, f.end_line)).collect();
    assert_eq!(lines, [(0, 3), (4, 9), (6, 9), (7, 9)]);
}

/// The `dialect` initialization option picks the dialect of paths that do not say it; bad entries
/// are reported to the user and the good ones still apply.
#[tokio::test]
async fn dialect_overrides_from_initialization_options() {
    let mut server = TestServer::start();
    let options = serde_json::json!({
        "dialect": { "**/prompts/*.md": "claude-command", "**/x/*.md": "no-such-dialect" }
    });
    server
        .initialize_with(client_capabilities(None), Some(options))
        .await;
    let message = server
        .wait_for(|m| m["method"] == "window/showMessage")
        .await;
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown dialect `no-such-dialect`")
    );
    // A plain Markdown path, now a Claude command: its misspelt field is reported.
    let uri = server
        .open(
            "prompts/deploy.md",
            "---\ndescriptoin: Deploy\n---\nDeploy.\n",
        )
        .await;
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    let codes: Vec<_> = published
        .diagnostics
        .iter()
        .map(|d| d.code.clone())
        .collect();
    assert_eq!(
        codes,
        [Some(NumberOrString::String("unknown-field".into()))]
    );
}

const CHAT_MODE: &str = ".github/chatmodes/plan.chatmode.md";
const CHAT_MODE_TEXT: &str = "---\ndescription: Plans\ntools: ['codebase']\n---\nPlan.\n";

#[tokio::test]
async fn chat_modes_migrate_by_renaming_when_the_client_can() {
    let mut capabilities = client_capabilities(None);
    capabilities.workspace = Some(WorkspaceClientCapabilities {
        workspace_edit: Some(WorkspaceEditClientCapabilities {
            document_changes: Some(true),
            resource_operations: Some(vec![ResourceOperationKind::Rename]),
            ..WorkspaceEditClientCapabilities::default()
        }),
        ..WorkspaceClientCapabilities::default()
    });
    let (mut server, _) = TestServer::initialized(capabilities).await;
    let uri = server.open(CHAT_MODE, CHAT_MODE_TEXT).await;
    server.wait_for_diagnostics(&uri, Some(1)).await;
    let actions = server.code_actions(&uri, range((0, 0), (0, 0)), None).await;
    let migrate = actions
        .iter()
        .find_map(|action| match action {
            CodeActionOrCommand::CodeAction(action) if action.title.contains("Migrate") => {
                Some(action)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no migration in {actions:#?}"));
    assert_eq!(migrate.is_preferred, Some(false));
    let Some(DocumentChanges::Operations(operations)) =
        &migrate.edit.as_ref().unwrap().document_changes
    else {
        panic!("the migration is a documentChanges edit: {migrate:#?}");
    };
    let [DocumentChangeOperation::Op(ResourceOp::Rename(rename))] = operations.as_slice() else {
        panic!("one rename: {operations:#?}");
    };
    assert_eq!(rename.old_uri, uri);
    assert!(
        rename
            .new_uri
            .as_str()
            .ends_with("/.github/agents/plan.agent.md"),
        "{}",
        rename.new_uri.as_str()
    );
    assert_eq!(
        rename
            .options
            .as_ref()
            .and_then(|options| options.overwrite),
        Some(false),
        "never overwrites an existing agent"
    );
}

#[tokio::test]
async fn chat_mode_migration_is_not_offered_to_clients_that_cannot_rename() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(CHAT_MODE, CHAT_MODE_TEXT).await;
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    assert!(
        published
            .diagnostics
            .iter()
            .any(|d| d.code == Some(NumberOrString::String("deprecated-file".into()))),
        "{:#?}",
        published.diagnostics
    );
    let actions = server.code_actions(&uri, range((0, 0), (0, 0)), None).await;
    assert!(
        actions.iter().all(|action| !matches!(
            action,
            CodeActionOrCommand::CodeAction(action) if action.title.contains("Migrate")
        )),
        "{actions:#?}"
    );
}

#[tokio::test]
async fn semantic_tokens_mark_keys_and_placeholders() {
    let (mut server, result) = TestServer::initialized(client_capabilities(None)).await;
    let legend = serde_json::to_value(&result.capabilities.semantic_tokens_provider).unwrap();
    assert_eq!(
        legend["legend"]["tokenTypes"],
        serde_json::json!([
            "property",
            "parameter",
            "variable",
            "macro",
            "string",
            "function"
        ])
    );
    // UTF-16 (the default): the emoji counts two units before `$ARGUMENTS`.
    let text = "---\ndescription: Ship\n---\n🚀 Ship $ARGUMENTS now.\n";
    let uri = server.open(".claude/commands/ship.md", text).await;
    server.wait_for_diagnostics(&uri, Some(1)).await;
    let response = server
        .request_raw(
            "textDocument/semanticTokens/full",
            serde_json::json!({ "textDocument": { "uri": uri.as_str() } }),
        )
        .await;
    // [deltaLine, deltaStart, length, type, modifiers] per token.
    assert_eq!(
        response["result"]["data"],
        serde_json::json!([1, 0, 11, 0, 0, 2, 8, 10, 1, 0]),
        "{response}"
    );
}

#[tokio::test]
async fn completion_documentation_is_resolved_on_demand() {
    use tower_lsp_server::ls_types::{
        CompletionClientCapabilities, CompletionItemCapability,
        CompletionItemCapabilityResolveSupport, TextDocumentClientCapabilities,
    };
    let mut capabilities = client_capabilities(None);
    capabilities.text_document = Some(TextDocumentClientCapabilities {
        completion: Some(CompletionClientCapabilities {
            completion_item: Some(CompletionItemCapability {
                resolve_support: Some(CompletionItemCapabilityResolveSupport {
                    properties: vec!["documentation".to_owned()],
                }),
                ..CompletionItemCapability::default()
            }),
            ..CompletionClientCapabilities::default()
        }),
        ..TextDocumentClientCapabilities::default()
    });
    let (mut server, _) = TestServer::initialized(capabilities).await;
    let text = "---\nname: a\ndescription: d\ntools: \ncolor: \n---\nBody\n";
    let items = completion_labels(&mut server, text, 3, 7).await;
    let bash = items
        .iter()
        .find(|item| item.label == "Bash")
        .expect("Bash is offered")
        .clone();
    assert!(bash.documentation.is_none(), "sent without documentation");
    assert!(bash.data.is_some());
    let resolved = server
        .request::<request::ResolveCompletionItem>(bash)
        .await
        .expect("completionItem/resolve");
    let documentation = serde_json::to_string(&resolved.documentation).unwrap();
    assert!(documentation.contains("shell"), "{documentation}");
    assert!(resolved.data.is_none());

    // Colors keep their swatch value in the list itself.
    let colors = completion_labels(&mut server, text, 4, 7).await;
    assert!(
        colors
            .iter()
            .filter(|item| item.kind == Some(tower_lsp_server::ls_types::CompletionItemKind::COLOR))
            .all(|item| item.documentation.is_some())
    );

    // After an edit, the stale item comes back as it was.
    let uri = common::uri(AGENT);
    server
        .change(&uri, 2, vec![common::edit((6, 0), (6, 0), "x")])
        .await;
    let stale = items[0].clone();
    let resolved = server
        .request::<request::ResolveCompletionItem>(stale)
        .await
        .expect("completionItem/resolve");
    assert!(resolved.documentation.is_none());
}
