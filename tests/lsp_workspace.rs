//! The workspace index over JSON-RPC: built on `initialized` with `$/progress`, cross-file
//! diagnostics on open documents, go to definition, find references, workspace symbols, and
//! updates from watched files.

mod common;

use common::fixture::{Workspace, position};
use common::{TestServer, client_capabilities, file_uri, watching_capabilities};
use serde_json::Value;
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesParams, FileChangeType, FileEvent, GotoDefinitionParams,
    GotoDefinitionResponse, Location, NumberOrString, PartialResultParams, Position,
    PrepareRenameResponse, PublishDiagnosticsParams, ReferenceContext, ReferenceParams,
    RenameParams, TextDocumentIdentifier, TextDocumentPositionParams, WindowClientCapabilities,
    WorkDoneProgressParams, WorkspaceSymbolParams, WorkspaceSymbolResponse, notification, request,
};

/// A project agent naming a skill that exists and one that does not; a README that is no agent.
const PROJECT: &str = "\
//- /.claude/agents/reviewer.md
---
name: reviewer
description: Reviews code
skills: [api-style, release-notes]
---
Review.
//- /.claude/skills/api-style/SKILL.md
---
name: api-style
description: Our API conventions
---
Use REST.
//- /README.md
# Not an agent
";

fn has_code(published: &PublishDiagnosticsParams, code: &str) -> bool {
    published
        .diagnostics
        .iter()
        .any(|d| d.code == Some(NumberOrString::String(code.to_owned())))
}

#[tokio::test]
async fn index_navigation_and_cross_file_diagnostics() {
    let workspace = Workspace::new(PROJECT);
    let root = workspace.root();

    let mut capabilities = watching_capabilities();
    capabilities.window = Some(WindowClientCapabilities {
        work_done_progress: Some(true),
        ..WindowClientCapabilities::default()
    });
    let mut server = TestServer::start();
    server.initialize_in(root, capabilities).await;
    server.answer("client/registerCapability").await;
    let create = server.answer("window/workDoneProgress/create").await;
    let token = create["params"]["token"].clone();
    let progress = |kind: &'static str| {
        let token = token.clone();
        move |message: &Value| {
            message["method"] == "$/progress"
                && message["params"]["token"] == token
                && message["params"]["value"]["kind"] == kind
        }
    };
    let begin = server.wait_for(progress("begin")).await;
    assert_eq!(begin["params"]["value"]["title"], "Indexing agent files");
    let end = server.wait_for(progress("end")).await;
    assert_eq!(end["params"]["value"]["message"], "2 agent files");

    // The open agent names a skill that exists and one that does not.
    let reviewer = workspace.uri(".claude/agents/reviewer.md");
    server
        .open_uri(
            reviewer.clone(),
            workspace.text(".claude/agents/reviewer.md"),
        )
        .await;
    let published = server.wait_for_diagnostics(&reviewer, Some(1)).await;
    let unknown: Vec<_> = published
        .diagnostics
        .iter()
        .filter(|d| d.code == Some(NumberOrString::String("unknown-reference".into())))
        .collect();
    assert_eq!(unknown.len(), 1, "{published:#?}");
    assert_eq!(unknown[0].range.start, Position::new(3, 20));
    assert!(unknown[0].message.contains("`release-notes`"));

    // Go to definition: from `api-style` in `skills:` to the skill's file.
    let at = |line, character| {
        TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(reviewer.clone()),
            Position::new(line, character),
        )
    };
    let definition = server
        .request::<request::GotoDefinition>(GotoDefinitionParams {
            text_document_position_params: at(3, 12),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .expect("definition");
    let skill = file_uri(&root.join(".claude/skills/api-style/SKILL.md"));
    match definition {
        Some(GotoDefinitionResponse::Array(locations)) => {
            assert_eq!(locations.len(), 1);
            assert_eq!(locations[0].uri, skill);
        }
        other => panic!("one location expected: {other:?}"),
    }

    // Find references from the same place: the declaration and the reference itself.
    let references: Vec<Location> = server
        .request::<request::References>(ReferenceParams {
            text_document_position: at(3, 12),
            context: ReferenceContext {
                include_declaration: true,
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .expect("references")
        .unwrap_or_default();
    let found: Vec<(&str, u32, u32)> = references
        .iter()
        .map(|l| {
            (
                l.uri.as_str().rsplit('/').next().unwrap(),
                l.range.start.line,
                l.range.start.character,
            )
        })
        .collect();
    assert_eq!(found, [("SKILL.md", 0, 0), ("reviewer.md", 3, 9)]);

    // Rename the skill from its reference: the reference and the skill's `name:` change (this
    // client cannot rename files, so the folder stays; VS Code gets the folder move too).
    let prepared = server
        .request::<request::PrepareRenameRequest>(at(3, 12))
        .await
        .expect("prepareRename");
    match prepared {
        Some(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }) => {
            assert_eq!(placeholder, "api-style");
            assert_eq!(
                (range.start, range.end),
                (Position::new(3, 9), Position::new(3, 18))
            );
        }
        other => panic!("a range with placeholder expected: {other:?}"),
    }
    let renamed = server
        .request::<request::Rename>(RenameParams {
            text_document_position: at(3, 12),
            new_name: "api-guide".into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .expect("rename")
        .expect("an edit");
    let mut changes: Vec<(String, u32, u32, String)> = renamed
        .changes
        .expect("plain changes for this client")
        .into_iter()
        .flat_map(|(uri, edits)| {
            let file = uri.as_str().rsplit('/').next().unwrap().to_owned();
            edits.into_iter().map(move |edit| {
                (
                    file.clone(),
                    edit.range.start.line,
                    edit.range.start.character,
                    edit.new_text,
                )
            })
        })
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        [
            ("SKILL.md".to_owned(), 1, 6, "api-guide".to_owned()),
            ("reviewer.md".to_owned(), 3, 9, "api-guide".to_owned()),
        ]
    );
    let refused = server
        .request::<request::Rename>(RenameParams {
            text_document_position: at(3, 12),
            new_name: "two words".into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await;
    assert!(refused.is_err(), "{refused:?}");

    // Workspace symbols by name.
    let symbols = server
        .request::<request::WorkspaceSymbolRequest>(WorkspaceSymbolParams {
            query: "API".into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .expect("workspace/symbol");
    // (A `WorkspaceSymbol` with a full location reads back as the flat form: same fields.)
    let names: Vec<(String, Option<String>)> = match symbols {
        Some(WorkspaceSymbolResponse::Nested(symbols)) => symbols
            .into_iter()
            .map(|s| (s.name, s.container_name))
            .collect(),
        Some(WorkspaceSymbolResponse::Flat(symbols)) => symbols
            .into_iter()
            .map(|s| (s.name, s.container_name))
            .collect(),
        None => Vec::new(),
    };
    assert_eq!(
        names,
        [("api-style".to_owned(), Some("Claude Code skill".to_owned()))]
    );

    // The missing skill appears on disk: the watcher reports it and the warning goes.
    workspace.write(
        ".claude/skills/release-notes/SKILL.md",
        "---\nname: release-notes\ndescription: Notes\n---\nWrite notes.\n",
    );
    server
        .notify::<notification::DidChangeWatchedFiles>(DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(
                file_uri(&root.join(".claude/skills/release-notes/SKILL.md")),
                FileChangeType::CREATED,
            )],
        })
        .await;
    server
        .wait_for_diagnostics_where(&reviewer, |p| !has_code(p, "unknown-reference"))
        .await;
}

#[tokio::test]
async fn definition_follows_body_file_references() {
    let workspace = Workspace::new(
        "\
//- /.claude/commands/ship.md
---
description: Ship it
---
Follow @docs/rel$0ease.md and @docs/missing.md.
//- /docs/release.md
# Release
",
    );
    let root = workspace.root();
    let mut server = TestServer::start();
    server.initialize_in(root, client_capabilities(None)).await;
    let (uri, cursor) = workspace.cursor();
    server
        .open_uri(uri.clone(), workspace.text(".claude/commands/ship.md"))
        .await;
    server.wait_for_diagnostics(&uri, Some(1)).await;
    let definition_at = |character| GotoDefinitionParams {
        text_document_position_params: TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(uri.clone()),
            Position::new(cursor.line, character),
        ),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    let found = server
        .request::<request::GotoDefinition>(definition_at(cursor.character))
        .await
        .expect("definition");
    match found {
        Some(GotoDefinitionResponse::Scalar(location)) => {
            assert_eq!(location.uri, workspace.uri("docs/release.md"));
        }
        other => panic!("the referenced file expected: {other:?}"),
    }
    // A reference to a file that does not exist leads nowhere.
    let missing = server
        .request::<request::GotoDefinition>(definition_at(34))
        .await
        .expect("definition");
    assert!(missing.is_none(), "{missing:?}");
}

#[tokio::test]
async fn workspace_folders_come_and_go() {
    let first = Workspace::new(
        "//- /.claude/agents/reviewer.md\n---\nname: reviewer\ndescription: R\nskills: [shared-style]\n---\nReview.\n",
    );
    // The skill lives in another folder of the (multi-root) workspace.
    let second = Workspace::new(
        "//- /.claude/skills/shared-style/SKILL.md\n---\nname: shared-style\ndescription: S\n---\nBe terse.\n",
    );
    let mut server = TestServer::start();
    server
        .initialize_in(first.root(), client_capabilities(None))
        .await;
    let agent = first.uri(".claude/agents/reviewer.md");
    server
        .open_uri(agent.clone(), first.text(".claude/agents/reviewer.md"))
        .await;
    server
        .wait_for_diagnostics_where(&agent, |p| has_code(p, "unknown-reference"))
        .await;

    let folder = tower_lsp_server::ls_types::WorkspaceFolder {
        uri: file_uri(second.root()),
        name: "second".into(),
    };
    let change = |added: Vec<_>, removed: Vec<_>| {
        tower_lsp_server::ls_types::DidChangeWorkspaceFoldersParams {
            event: tower_lsp_server::ls_types::WorkspaceFoldersChangeEvent { added, removed },
        }
    };
    server
        .notify::<notification::DidChangeWorkspaceFolders>(change(vec![folder.clone()], vec![]))
        .await;
    server
        .wait_for_diagnostics_where(&agent, |p| !has_code(p, "unknown-reference"))
        .await;
    server
        .notify::<notification::DidChangeWorkspaceFolders>(change(vec![], vec![folder]))
        .await;
    server
        .wait_for_diagnostics_where(&agent, |p| has_code(p, "unknown-reference"))
        .await;
}

#[test]
fn fixture_files_and_cursor() {
    let workspace = Workspace::new(
        "//- /.claude/agents/a.md\n---\nname: a😀$0b\n---\n//- /.claude/skills/s/SKILL.md\nSkill\n",
    );
    assert_eq!(
        workspace.text("/.claude/agents/a.md"),
        "---\nname: a😀b\n---\n"
    );
    assert_eq!(
        std::fs::read_to_string(workspace.path(".claude/skills/s/SKILL.md")).unwrap(),
        "Skill\n"
    );
    let (uri, at) = workspace.cursor();
    assert_eq!(uri, workspace.uri("/.claude/agents/a.md"));
    assert_eq!(at, Position::new(1, 9), "`name: a` is 7 units, 😀 two more");
}

/// Agents nobody has open: a broken one and one naming a missing skill.
const CLOSED: &str = "\
//- /.claude/agents/reviewer.md
---
name: reviewer
description: Reviews code
skills: [release-notes]
---
Review.
//- /.claude/agents/broken.md
---
name: broken
description: Broken
modle: sonnet
---
Body.
//- /.claude/skills/api-style/SKILL.md
---
name: api-style
description: Our API conventions
---
Use REST.
";

#[tokio::test]
async fn closed_files_get_diagnostics_kept_current() {
    let workspace = Workspace::new(CLOSED);
    let mut server = TestServer::start();
    server
        .initialize_in(workspace.root(), watching_capabilities())
        .await;
    server.answer("client/registerCapability").await;
    let reviewer = workspace.uri(".claude/agents/reviewer.md");
    let broken = workspace.uri(".claude/agents/broken.md");
    let skill = workspace.uri(".claude/skills/api-style/SKILL.md");

    // Published once the index is built, without a version (the disk's text).
    let published = server.wait_for_diagnostics(&reviewer, None).await;
    assert!(has_code(&published, "unknown-reference"), "{published:#?}");
    let published = server.wait_for_diagnostics(&broken, None).await;
    let unknown = published
        .diagnostics
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("unknown-field".into())))
        .expect("the typo");
    let text = workspace.text(".claude/agents/broken.md");
    let start = text.find("modle").unwrap();
    assert_eq!(unknown.range.start, position(text, start));

    // The skill appears on disk: the reviewer's warning is cleared.
    workspace.write(
        ".claude/skills/release-notes/SKILL.md",
        "---\nname: release-notes\ndescription: Notes\n---\nWrite notes.\n",
    );
    let created = FileEvent::new(
        workspace.uri(".claude/skills/release-notes/SKILL.md"),
        FileChangeType::CREATED,
    );
    server
        .notify::<notification::DidChangeWatchedFiles>(DidChangeWatchedFilesParams {
            changes: vec![created],
        })
        .await;
    let cleared = server.wait_for_diagnostics(&reviewer, None).await;
    assert_eq!(cleared.diagnostics, []);

    // Opened, the editor's text wins and carries its version; closed again, the disk's counts.
    server
        .open_uri(
            broken.clone(),
            "---\nname: broken\ndescription: Fixed\n---\nBody.\n",
        )
        .await;
    let open = server.wait_for_diagnostics(&broken, Some(1)).await;
    assert_eq!(open.diagnostics, []);
    server
        .notify::<notification::DidCloseTextDocument>(
            tower_lsp_server::ls_types::DidCloseTextDocumentParams {
                text_document: TextDocumentIdentifier::new(broken.clone()),
            },
        )
        .await;
    server
        .wait_for_diagnostics_where(&broken, |p| p.version.is_none() && p.diagnostics.is_empty())
        .await;
    let again = server
        .wait_for_diagnostics_where(&broken, |p| {
            p.version.is_none() && !p.diagnostics.is_empty()
        })
        .await;
    assert!(has_code(&again, "unknown-field"), "{again:#?}");

    // Fixed on disk: cleared.
    workspace.write(
        ".claude/agents/broken.md",
        "---\nname: broken\ndescription: Fixed\n---\nBody.\n",
    );
    server
        .notify::<notification::DidChangeWatchedFiles>(DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(broken.clone(), FileChangeType::CHANGED)],
        })
        .await;
    let fixed = server.wait_for_diagnostics(&broken, None).await;
    assert_eq!(fixed.diagnostics, []);

    // The skill is deleted: the reviewer's warning is back; then the client turns these
    // diagnostics off, and what was published is cleared.
    workspace.remove(".claude/skills/release-notes/SKILL.md");
    server
        .notify::<notification::DidChangeWatchedFiles>(DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(
                workspace.uri(".claude/skills/release-notes/SKILL.md"),
                FileChangeType::DELETED,
            )],
        })
        .await;
    server
        .wait_for_diagnostics_where(&reviewer, |p| has_code(p, "unknown-reference"))
        .await;
    server
        .notify::<notification::DidChangeConfiguration>(
            tower_lsp_server::ls_types::DidChangeConfigurationParams {
                settings: serde_json::json!({ "agentls": { "workspaceDiagnostics": false } }),
            },
        )
        .await;
    server
        .wait_for_diagnostics_where(&reviewer, |p| p.diagnostics.is_empty())
        .await;
    // A clean closed file never costs a message.
    assert!(
        server
            .unclaimed(|m| m["params"]["uri"] == skill.as_str())
            .is_empty()
    );
}

#[tokio::test]
async fn open_files_are_classified_as_a_walk_classifies_them() {
    // A plugin-shaped folder without a manifest (as in a marketplace's `plugins/<name>/`): its
    // agents are agents by layout, open as closed.
    let workspace = Workspace::new(
        "\
//- /plugins/tools/agents/reviewer.md
---
name: reviewer
description: Reviews
modle: sonnet
---
Review.
//- /plugins/tools/commands/ship.md
Ship it.
",
    );
    let mut server = TestServer::start();
    server
        .initialize_in(workspace.root(), client_capabilities(None))
        .await;
    let uri = workspace.uri("plugins/tools/agents/reviewer.md");
    server
        .open_uri(
            uri.clone(),
            workspace.text("plugins/tools/agents/reviewer.md"),
        )
        .await;
    let published = server.wait_for_diagnostics(&uri, Some(1)).await;
    assert!(has_code(&published, "unknown-field"), "{published:#?}");
}

#[tokio::test]
async fn definition_follows_prose_mentions() {
    let workspace = Workspace::new(
        "\
//- /.claude/commands/review.md
---
description: Review the change
---
First ask the code-rev$0iewer agent, then @agent-test-runner, then run /ship.
//- /.claude/agents/code-reviewer.md
---
name: code-reviewer
description: Reviews code
---
Review.
//- /.claude/agents/test-runner.md
---
name: test-runner
description: Runs tests
---
Run.
//- /.claude/commands/ship.md
Ship it.
",
    );
    let mut server = TestServer::start();
    server.initialize_indexed(workspace.root()).await;
    let (uri, cursor) = workspace.cursor();
    let text = workspace.text(".claude/commands/review.md");
    server.open_uri(uri.clone(), text).await;
    let definition_at = |position: Position| GotoDefinitionParams {
        text_document_position_params: TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(uri.clone()),
            position,
        ),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    let line = text.lines().nth(3).unwrap();
    let expectations = [
        (cursor, ".claude/agents/code-reviewer.md"),
        (
            Position::new(
                3,
                u32::try_from(line.find("test-runner").unwrap()).unwrap() + 2,
            ),
            ".claude/agents/test-runner.md",
        ),
        (
            Position::new(3, u32::try_from(line.find("/ship").unwrap()).unwrap() + 2),
            ".claude/commands/ship.md",
        ),
    ];
    for (position, target) in expectations {
        let found = server
            .request::<request::GotoDefinition>(definition_at(position))
            .await
            .expect("definition");
        match found {
            Some(GotoDefinitionResponse::Array(locations)) => {
                let uris: Vec<_> = locations.into_iter().map(|l| l.uri).collect();
                assert_eq!(uris, [workspace.uri(target)], "at {position:?}");
            }
            other => panic!("{target} expected at {position:?}: {other:?}"),
        }
    }
    // A plain word is prose, not a name.
    let prose = server
        .request::<request::GotoDefinition>(definition_at(Position::new(3, 1)))
        .await
        .expect("definition");
    assert!(prose.is_none(), "{prose:?}");
}
