//! `textDocument/formatting` end to end over JSON-RPC: edits positioned in the negotiated
//! encoding (UTF-16 and UTF-8, with emoji and CRLF), applied by the client to give the formatted
//! document, and nothing to do on a formatted or unsafe one.

mod common;

use common::{TestServer, client_capabilities, full_text};
use pretty_assertions::assert_eq;
use serde_json::json;
use tower_lsp_server::ls_types::{
    DocumentFormattingParams, FormattingOptions, Position, TextDocumentIdentifier, TextEdit, Uri,
    WorkDoneProgressParams, request,
};

const AGENT: &str = ".claude/agents/x.md";

/// Emoji before the edited columns (astral characters: 2 UTF-16 units, 4 UTF-8 bytes), CRLF,
/// fields out of order, a value that is YAML only thanks to Claude Code's fallback, trailing
/// blanks, and no blank line before the body.
const MESSY: &str = "---\r\nmodel: sonnet\r\nname: reviewer\r\ndescription: 😀 Use it: when 👩\u{200d}👩\u{200d}👧 asks   \r\ncolor:   blue\r\n---\r\nBody 😀\r\n";
const FORMATTED: &str = "---\r\nname: reviewer\r\ndescription: \"😀 Use it: when 👩\u{200d}👩\u{200d}👧 asks\"\r\nmodel: sonnet\r\ncolor: blue\r\n---\r\n\r\nBody 😀\r\n";

async fn formatting(server: &mut TestServer, uri: &Uri) -> Option<Vec<TextEdit>> {
    let params = DocumentFormattingParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        options: FormattingOptions {
            tab_size: 4,
            insert_spaces: true,
            ..FormattingOptions::default()
        },
        work_done_progress_params: WorkDoneProgressParams::default(),
    };
    server
        .request::<request::Formatting>(params)
        .await
        .expect("formatting")
}

/// The byte offset of an LSP position in `text` (lines end at `\n`; columns count UTF-16 units
/// or bytes), as a client computes it.
fn offset(text: &str, position: Position, utf16: bool) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(position.line as usize)
        .map(str::len)
        .sum();
    let line = &text[line_start..];
    let mut units = 0;
    for (index, c) in line.char_indices() {
        if units >= position.character as usize || c == '\r' || c == '\n' {
            return line_start + index;
        }
        units += if utf16 { c.len_utf16() } else { c.len_utf8() };
    }
    text.len()
}

/// `edits` applied to `text` as a client applies them (all positions refer to the original).
fn apply(text: &str, edits: &[TextEdit], utf16: bool) -> String {
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            (
                offset(text, edit.range.start, utf16),
                offset(text, edit.range.end, utf16),
                edit.new_text.as_str(),
            )
        })
        .collect();
    ranges.sort_by_key(|&(start, end, _)| (start, end));
    assert!(
        ranges.windows(2).all(|pair| pair[0].1 <= pair[1].0),
        "edits overlap: {ranges:?}"
    );
    let mut result = text.to_owned();
    for (start, end, new_text) in ranges.into_iter().rev() {
        result.replace_range(start..end, new_text);
    }
    result
}

#[tokio::test]
async fn formatting_edits_follow_the_negotiated_encoding() {
    for (encodings, utf16) in [(None, true), (Some(&["utf-8", "utf-16"][..]), false)] {
        let (mut server, result) = TestServer::initialized(client_capabilities(encodings)).await;
        let capabilities = serde_json::to_value(&result.capabilities).unwrap();
        assert_eq!(capabilities["documentFormattingProvider"], json!(true));
        let uri = server.open(AGENT, MESSY).await;
        let edits = formatting(&mut server, &uri).await.expect("edits");
        // Minimal edits, not one replacement of the whole block.
        assert!(edits.len() > 1, "{edits:?}");
        assert!(
            edits.iter().all(|edit| edit.new_text.len() < 40),
            "{edits:?}"
        );
        assert_eq!(apply(MESSY, &edits, utf16), FORMATTED, "utf16: {utf16}");

        // Formatting the formatted document changes nothing.
        server.change(&uri, 2, vec![full_text(FORMATTED)]).await;
        assert_eq!(formatting(&mut server, &uri).await, None);
    }
}

#[tokio::test]
async fn unsafe_and_unknown_documents_are_not_formatted() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    // A continuation line with `: ` that not even Claude Code's fallback rescues: the block
    // does not load, so its layout is not touched.
    let broken =
        "---\nmodel: x\nname: a\ndescription: first line\n  continued: with colon\n---\nBody\n";
    let uri = server.open(AGENT, broken).await;
    assert_eq!(formatting(&mut server, &uri).await, None);
    // Markdown that is no agent file.
    let notes = server
        .open("notes/x.md", "---\nb: 1\na: 2\n---\nBody\n")
        .await;
    assert_eq!(formatting(&mut server, &notes).await, None);
    // A document the client never opened.
    let unknown = common::uri(".claude/agents/never-opened.md");
    assert_eq!(formatting(&mut server, &unknown).await, None);
}
