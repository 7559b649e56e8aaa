//! Editor conveniences end to end over JSON-RPC: color swatches and the color picker, and the
//! body's token-count inlay hint.

mod common;

use common::{TestServer, client_capabilities};
use pretty_assertions::assert_eq;
use serde_json::json;
use tower_lsp_server::ls_types::{
    Color, ColorPresentationParams, DocumentColorParams, InlayHintLabel, InlayHintParams,
    PartialResultParams, Position, Range, TextDocumentIdentifier, TextEdit, Uri,
    WorkDoneProgressParams, request,
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
    let uri = server.open("notes/x.md", COLORED).await;
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
