//! Editor conveniences end to end over JSON-RPC: color swatches and the color picker, the body's
//! token-count inlay hint, and the `source.fixAll.agentls` code action.

mod common;

use common::{TestServer, client_capabilities};
use pretty_assertions::assert_eq;
use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Color, ColorPresentationParams,
    DocumentColorParams, InlayHintLabel, InlayHintParams, PartialResultParams, Position, Range,
    TextDocumentIdentifier, TextEdit, Uri, WorkDoneProgressParams, request,
};

const AGENT: &str = ".claude/agents/x.md";
const OPENCODE: &str = ".opencode/agent/x.md";

fn range(start: (u32, u32), end: (u32, u32)) -> Range {
    Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))
}

fn rgb(red: u8, green: u8, blue: u8) -> Color {
    Color {
        red: f32::from(red) / 255.0,
        green: f32::from(green) / 255.0,
        blue: f32::from(blue) / 255.0,
        alpha: 1.0,
    }
}

async fn document_colors(server: &mut TestServer, uri: &Uri) -> Vec<(Range, Color)> {
    let params = DocumentColorParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    server
        .request::<request::DocumentColor>(params)
        .await
        .expect("documentColor")
        .into_iter()
        .map(|information| (information.range, information.color))
        .collect()
}

/// `(label, textEdit)` of each presentation, in order.
async fn presentations(
    server: &mut TestServer,
    uri: &Uri,
    at: Range,
    color: Color,
) -> Vec<(String, Option<TextEdit>)> {
    let params = ColorPresentationParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        color,
        range: at,
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
    };
    server
        .request::<request::ColorPresentationRequest>(params)
        .await
        .expect("colorPresentation")
        .into_iter()
        .map(|presentation| (presentation.label, presentation.text_edit))
        .collect()
}

/// `(position, label)` of each inlay hint in `visible`.
async fn inlay_hints(
    server: &mut TestServer,
    uri: &Uri,
    visible: Range,
) -> Vec<(Position, String)> {
    let params = InlayHintParams {
        work_done_progress_params: WorkDoneProgressParams::default(),
        text_document: TextDocumentIdentifier::new(uri.clone()),
        range: visible,
    };
    server
        .request::<request::InlayHintRequest>(params)
        .await
        .expect("inlayHint")
        .unwrap_or_default()
        .into_iter()
        .map(|hint| {
            let label = match hint.label {
                InlayHintLabel::String(label) => label,
                InlayHintLabel::LabelParts(parts) => parts.into_iter().map(|p| p.value).collect(),
            };
            (hint.position, label)
        })
        .collect()
}

async fn code_actions(
    server: &mut TestServer,
    uri: &Uri,
    at: Range,
    only: Option<Vec<CodeActionKind>>,
) -> Vec<CodeAction> {
    server
        .code_actions(uri, at, only)
        .await
        .into_iter()
        .map(|action| match action {
            CodeActionOrCommand::CodeAction(action) => action,
            CodeActionOrCommand::Command(command) => panic!("a bare command: {command:?}"),
        })
        .collect()
}

fn edit(start: (u32, u32), end: (u32, u32), new_text: &str) -> TextEdit {
    TextEdit::new(range(start, end), new_text.to_owned())
}

// ------------------------------------------------------------------------------ capabilities

#[tokio::test]
async fn the_features_are_advertised() {
    let (_server, result) = TestServer::initialized(client_capabilities(None)).await;
    let capabilities = serde_json::to_value(&result.capabilities).unwrap();
    assert_eq!(capabilities["colorProvider"], json!(true));
    assert_eq!(capabilities["inlayHintProvider"], json!(true));
    assert_eq!(
        capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.agentls"])
    );
}

// ------------------------------------------------------------------------------------ colors

const COLORED: &str = "---\nname: x\ndescription: Reviews code\ncolor: blue\n---\nBody\n";

#[tokio::test]
async fn claude_color_names_get_their_schema_swatch() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, COLORED).await;
    // `blue` is `#2563eb` in claude-agent.yaml, opaque.
    assert_eq!(
        document_colors(&mut server, &uri).await,
        [(range((3, 7), (3, 11)), rgb(0x25, 0x63, 0xeb))]
    );
}

#[tokio::test]
async fn claude_presentations_are_its_names_nearest_first_without_hex() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, COLORED).await;
    let value = range((3, 7), (3, 11));
    let offered = presentations(&mut server, &uri, value, rgb(255, 0, 0)).await;
    let labels: Vec<&str> = offered.iter().map(|(label, _)| label.as_str()).collect();
    // Claude Code drops hex colors, so only its eight names, by RGB distance from #ff0000.
    assert_eq!(
        labels,
        [
            "red", "orange", "pink", "yellow", "purple", "green", "blue", "cyan"
        ]
    );
    assert_eq!(offered[0].1, Some(edit((3, 7), (3, 11), "red")));
    assert!(offered.iter().all(
        |(label, edit)| edit.as_ref().map(|e| (&e.new_text, e.range)) == Some((label, value))
    ));
    // Anywhere but a color value: nothing.
    let name = range((1, 6), (1, 7));
    assert_eq!(
        presentations(&mut server, &uri, name, rgb(255, 0, 0)).await,
        []
    );
}

#[tokio::test]
async fn opencode_hex_colors_and_the_hex_presentation() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let text = "---\ndescription: Reviews code\ncolor: \"#FF5733\"\n---\nBody\n";
    let uri = server.open(OPENCODE, text).await;
    let value = range((2, 7), (2, 16));
    assert_eq!(
        document_colors(&mut server, &uri).await,
        [(value, rgb(0xff, 0x57, 0x33))]
    );
    // OpenCode accepts `#RRGGBB`; its theme names have no fixed color to rank. The quotes stay:
    // unquoted, `#` would start a YAML comment.
    let picked = Color {
        red: 0.5,
        green: 0.25,
        blue: 1.0,
        alpha: 1.0,
    };
    assert_eq!(
        presentations(&mut server, &uri, value, picked).await,
        [(
            "#8040ff".to_owned(),
            Some(edit((2, 7), (2, 16), "\"#8040ff\""))
        )]
    );
}

#[tokio::test]
async fn unknown_documents_have_no_colors() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    // (A `.md` file whose frontmatter fits an agent strongly is one, as in `check`.)
    let uri = server.open("notes/x.txt", COLORED).await;
    assert_eq!(document_colors(&mut server, &uri).await, []);
    let closed = common::uri("never/opened.md");
    assert_eq!(document_colors(&mut server, &closed).await, []);
}

// ----------------------------------------------------------------------------- token hint

#[tokio::test]
async fn the_token_estimate_ends_the_closing_fence_line() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    // 4 800 bytes of body: 1 200 tokens at 4 bytes a token.
    let text = format!("---\nname: x\ndescription: d\n---\n{}", "word ".repeat(960));
    let uri = server.open(AGENT, &text).await;
    let whole = range((0, 0), (4, 0));
    assert_eq!(
        inlay_hints(&mut server, &uri, whole).await,
        [(Position::new(3, 3), "≈ 1.2k tokens".to_owned())]
    );
    // Outside the visible range, nothing.
    assert_eq!(
        inlay_hints(&mut server, &uri, range((4, 0), (4, 100))).await,
        []
    );
    assert_eq!(
        inlay_hints(&mut server, &uri, range((0, 0), (2, 5))).await,
        []
    );
}

#[tokio::test]
async fn without_frontmatter_the_estimate_starts_the_body() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "You review code.\n").await;
    assert_eq!(
        inlay_hints(&mut server, &uri, range((0, 0), (1, 0))).await,
        [(Position::new(0, 0), "≈ 5 tokens".to_owned())]
    );
}

#[tokio::test]
async fn the_hint_position_follows_the_negotiated_encoding() {
    // Claude Code ends this block at the `---` inside the description: the hint goes at the end
    // of that line, after `é` (2 UTF-8 bytes, 1 UTF-16 unit). Body: "b\n---\nBody\n" → 3 tokens.
    let text = "---\ndescription: é --- b\n---\nBody\n";
    for (encodings, column) in [(None, 20), (Some(&["utf-8", "utf-16"][..]), 21)] {
        let (mut server, _) = TestServer::initialized(client_capabilities(encodings)).await;
        let uri = server.open(AGENT, text).await;
        assert_eq!(
            inlay_hints(&mut server, &uri, range((0, 0), (4, 0))).await,
            [(Position::new(1, column), "≈ 3 tokens".to_owned())],
            "{encodings:?}"
        );
    }
}

// ---------------------------------------------------------------------------------- fix all

const FIXABLE: &str = "---\nname: x\ndescription: Reviews code\nmodle: sonnet\ncolor: Yellow\ntools: Read, Bassh\n---\nBody\n";

fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.agentls")
}

#[tokio::test]
async fn fix_all_applies_every_safe_fix_in_one_edit() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, FIXABLE).await;
    let only = Some(vec![CodeActionKind::SOURCE_FIX_ALL]);
    // The range does not matter: the action covers the whole document.
    let actions = code_actions(&mut server, &uri, range((0, 0), (0, 0)), only).await;
    let [action] = actions.as_slice() else {
        panic!("one fix-all action: {actions:#?}");
    };
    assert_eq!(action.kind, Some(fix_all_kind()));
    assert_eq!(action.title, "Apply all safe fixes");
    let changes = action.edit.as_ref().and_then(|edit| edit.changes.as_ref());
    assert_eq!(
        changes.map(|changes| changes[&uri].clone()),
        Some(vec![
            edit((3, 0), (3, 5), "model"),
            edit((4, 7), (4, 13), "yellow"),
            edit((5, 13), (5, 18), "Bash"),
        ])
    );
}

#[tokio::test]
async fn fix_all_answers_only_the_kinds_asked_for() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, FIXABLE).await;
    let on_modle = range((3, 1), (3, 1));
    let kinds = |actions: Vec<CodeAction>| -> Vec<String> {
        actions
            .into_iter()
            .map(|action| {
                action
                    .kind
                    .map(|kind| kind.as_str().to_owned())
                    .unwrap_or_default()
            })
            .collect()
    };
    // No `only`: the quick fixes at the cursor, then the fix-all.
    let all = kinds(code_actions(&mut server, &uri, on_modle, None).await);
    assert_eq!(
        all.last().map(String::as_str),
        Some("source.fixAll.agentls")
    );
    assert!(
        all[..all.len() - 1].iter().all(|kind| kind == "quickfix"),
        "{all:?}"
    );
    assert!(all.len() >= 2, "{all:?}");
    // `source` covers `source.fixAll.agentls`; `quickfix` does not.
    let source = kinds(
        code_actions(
            &mut server,
            &uri,
            on_modle,
            Some(vec![CodeActionKind::SOURCE]),
        )
        .await,
    );
    assert_eq!(source, ["source.fixAll.agentls"]);
    let quick = kinds(
        code_actions(
            &mut server,
            &uri,
            on_modle,
            Some(vec![CodeActionKind::QUICKFIX]),
        )
        .await,
    );
    assert!(
        !quick.is_empty() && quick.iter().all(|kind| kind == "quickfix"),
        "{quick:?}"
    );
    let refactor = Some(vec![CodeActionKind::REFACTOR]);
    assert_eq!(
        code_actions(&mut server, &uri, on_modle, refactor).await,
        []
    );
}

#[tokio::test]
async fn fix_all_is_not_offered_without_a_safe_fix() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    // `magenta` is an error, but no color name is close enough to fix it safely.
    let text = "---\nname: x\ndescription: Reviews code\ncolor: magenta\n---\nBody\n";
    let uri = server.open(AGENT, text).await;
    let only = Some(vec![CodeActionKind::SOURCE_FIX_ALL]);
    assert_eq!(
        code_actions(&mut server, &uri, range((0, 0), (0, 0)), only).await,
        []
    );
}
