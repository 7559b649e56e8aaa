//! Document synchronisation: ordered incremental edits, full sync, position encodings, clamping,
//! and the open/close lifecycle, checked against the server's own copy of the text.

mod common;

use std::collections::HashMap;

use common::{BinaryServer, TestServer, client_capabilities, edit, full_text, uri};
use pretty_assertions::assert_eq;
use tower_lsp_server::ls_types::{
    DidCloseTextDocumentParams, PositionEncodingKind, TextDocumentIdentifier, notification,
};

const AGENT: &str = ".claude/agents/sync.md";

/// The line and column of byte `offset` in ASCII `text` (where every encoding agrees).
fn ascii_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |newline| newline + 1);
    (line as u32, column as u32)
}

#[tokio::test]
async fn rapid_incremental_edits_apply_in_order() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let mut expected = String::from("---\nname: typist\n---\n");
    let uri = server.open(AGENT, &expected).await;

    // Typing after the frontmatter, char by char, with a backspace every seventh keystroke and a
    // newline every fiftieth; all sent without waiting for anything.
    let word = "the quick brown fox jumps over the lazy dog ";
    let mut cursor = expected.len();
    for version in 2..=301_i32 {
        let keystroke = (version - 2) as usize;
        let change = if keystroke % 7 == 6 {
            let start = ascii_position(&expected, cursor - 1);
            let end = ascii_position(&expected, cursor);
            expected.remove(cursor - 1);
            cursor -= 1;
            edit(start, end, "")
        } else {
            let typed = if keystroke % 50 == 49 {
                '\n'
            } else {
                word.as_bytes()[keystroke % word.len()] as char
            };
            let at = ascii_position(&expected, cursor);
            expected.insert(cursor, typed);
            cursor += 1;
            edit(at, at, &typed.to_string())
        };
        server.change(&uri, version, vec![change]).await;
    }

    // The last version's diagnostics are always published, and the text matches exactly.
    server.wait_for_diagnostics(&uri, Some(301)).await;
    assert_eq!(server.document_text(&uri).await, Some((301, expected)));
}

#[tokio::test]
async fn several_changes_in_one_notification_apply_in_order() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "abc\n").await;
    let changes = vec![
        edit((0, 3), (0, 3), "d"),
        edit((0, 0), (0, 1), "A"),
        edit((1, 0), (1, 0), "x"),
    ];
    server.change(&uri, 2, changes).await;
    assert_eq!(
        server.document_text(&uri).await,
        Some((2, "Abcd\nx".into()))
    );
}

#[tokio::test]
async fn full_document_sync_replaces_the_text() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "old\ntext\n").await;
    server
        .change(&uri, 2, vec![full_text("---\nname: new\n---\n")])
        .await;
    assert_eq!(
        server.document_text(&uri).await,
        Some((2, "---\nname: new\n---\n".into()))
    );
    // A full replacement followed by an incremental edit in the same notification.
    server
        .change(&uri, 3, vec![full_text("x"), edit((0, 1), (0, 1), "y")])
        .await;
    assert_eq!(server.document_text(&uri).await, Some((3, "xy".into())));
}

const MIXED: &str = "a😀b日本\r\nx😀y\r\nend";

/// Columns of the interesting places in [`MIXED`], per encoding.
struct Columns {
    after_emoji: u32,
    kanji_start: u32,
    kanji_end: u32,
    line_end: u32,
}

/// The same edits expressed in each encoding must give the same text.
async fn edit_mixed_text(
    offered: Option<&[&str]>,
    negotiated: PositionEncodingKind,
    columns: Columns,
) {
    let (mut server, result) = TestServer::initialized(client_capabilities(offered)).await;
    assert_eq!(result.capabilities.position_encoding, Some(negotiated));
    let uri = server.open(AGENT, MIXED).await;
    let changes = vec![
        // Insert after the emoji on line 0: "a😀Zb日本".
        edit((0, columns.after_emoji), (0, columns.after_emoji), "Z"),
        // Replace 日 with 中; the columns after the insertion moved by one.
        edit(
            (0, columns.kanji_start + 1),
            (0, columns.kanji_end + 1),
            "中",
        ),
        // Insert after the emoji on line 1 (after a CRLF).
        edit((1, columns.after_emoji), (1, columns.after_emoji), "!"),
        // Join lines 1 and 2 by deleting the CRLF at the end of line 1 ("x😀!y" has one more unit).
        edit((1, columns.line_end + 1), (2, 0), " "),
    ];
    server.change(&uri, 2, changes).await;
    assert_eq!(
        server.document_text(&uri).await,
        Some((2, "a😀Zb中本\r\nx😀!y end".into()))
    );
}

#[tokio::test]
async fn utf8_is_negotiated_when_offered() {
    let columns = Columns {
        after_emoji: 5,
        kanji_start: 6,
        kanji_end: 9,
        line_end: 6,
    };
    edit_mixed_text(
        Some(&["utf-8", "utf-16"]),
        PositionEncodingKind::UTF8,
        columns,
    )
    .await;
}

#[tokio::test]
async fn utf16_is_the_default() {
    let columns = Columns {
        after_emoji: 3,
        kanji_start: 4,
        kanji_end: 5,
        line_end: 4,
    };
    edit_mixed_text(None, PositionEncodingKind::UTF16, columns).await;
}

#[tokio::test]
async fn utf16_when_only_unsupported_encodings_are_offered() {
    let columns = Columns {
        after_emoji: 3,
        kanji_start: 4,
        kanji_end: 5,
        line_end: 4,
    };
    edit_mixed_text(Some(&["utf-32"]), PositionEncodingKind::UTF16, columns).await;
}

#[tokio::test]
async fn out_of_range_positions_are_clamped() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "a😀b\r\nline").await;
    let changes = vec![
        // Past the end of the document: appended.
        edit((100, 100), (200, 200), "!"),
        // Past the end of line 0: before its CRLF.
        edit((0, 999), (0, 999), "X"),
        // Inside the surrogate pair: snaps to the start of the emoji.
        edit((0, 2), (0, 2), "Y"),
        // A reversed range collapses at its start.
        edit((1, 2), (1, 0), "-"),
        // Lines and columns at the limit of u32.
        edit((u32::MAX, u32::MAX), (u32::MAX, u32::MAX), "."),
    ];
    server.change(&uri, 2, changes).await;
    assert_eq!(
        server.document_text(&uri).await,
        Some((2, "aY😀bX\r\nli-ne!.".into()))
    );
    server.wait_for_diagnostics(&uri, Some(2)).await;
}

#[tokio::test]
async fn changes_to_unknown_documents_are_ignored() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let unknown = uri(".claude/agents/never-opened.md");
    server
        .change(&unknown, 2, vec![edit((0, 0), (0, 0), "x")])
        .await;
    assert_eq!(server.document_text(&unknown).await, None);
    // And the server still works for open documents.
    let uri = server.open(AGENT, "ok").await;
    assert_eq!(server.document_text(&uri).await, Some((1, "ok".into())));
}

#[tokio::test]
async fn non_increasing_versions_still_apply() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "a").await;
    server
        .change(&uri, 5, vec![edit((0, 1), (0, 1), "b")])
        .await;
    server
        .change(&uri, 3, vec![edit((0, 2), (0, 2), "c")])
        .await;
    assert_eq!(server.document_text(&uri).await, Some((3, "abc".into())));
    server.wait_for_diagnostics(&uri, Some(3)).await;
}

#[tokio::test]
async fn did_close_clears_diagnostics_and_forgets_the_document() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, "---\nname: closing\n---\n").await;
    server.wait_for_diagnostics(&uri, Some(1)).await;
    let params = DidCloseTextDocumentParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
    };
    server
        .notify::<notification::DidCloseTextDocument>(params)
        .await;
    let cleared = server.wait_for_diagnostics(&uri, None).await;
    assert!(cleared.diagnostics.is_empty());
    assert_eq!(server.document_text(&uri).await, None);
    // Reopening starts from the new text.
    server.open_uri(uri.clone(), "again").await;
    assert_eq!(server.document_text(&uri).await, Some((1, "again".into())));
}

#[tokio::test]
async fn non_file_uris_are_served_without_a_path() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let untitled: tower_lsp_server::ls_types::Uri = "untitled:Untitled-1".parse().unwrap();
    server
        .open_uri(untitled.clone(), "---\nmodle: x\n---\n")
        .await;
    let published = server.wait_for_diagnostics(&untitled, Some(1)).await;
    assert!(
        published.diagnostics.is_empty(),
        "{:?}",
        published.diagnostics
    );
    server
        .change(&untitled, 2, vec![edit((0, 0), (0, 0), "#")])
        .await;
    assert_eq!(
        server.document_text(&untitled).await,
        Some((2, "#---\nmodle: x\n---\n".into()))
    );
}

/// Edits, and the requests that read one document, skip tower-lsp's pipeline when nothing
/// forwarded before them is still waiting to start; requests sent between edits, in the same
/// write, must still each see exactly the text of the edits sent before them, whichever way each
/// message goes: no edit overtakes a request, no request sees an edit early.
#[tokio::test]
async fn requests_between_edits_see_exactly_the_edits_before_them() {
    let (mut server, _) = TestServer::initialized(client_capabilities(None)).await;
    let uri = server.open(AGENT, TypingScript::START).await;
    let script = TypingScript::new(uri.as_str());
    server.send_raw(&script.bytes).await;
    let mut responses = HashMap::new();
    for id in script.ids() {
        let response = server
            .wait_for(|message| message["id"] == id && message.get("method").is_none())
            .await;
        responses.insert(id, response);
    }
    script.check(&responses);
    server.wait_for_diagnostics(&uri, Some(121)).await;
}

/// The same over stdio, where the server reads on a thread of its own and writes in place.
#[test]
fn requests_between_edits_see_exactly_the_edits_before_them_over_stdio() {
    let mut server = BinaryServer::spawn();
    server.initialize();
    let uri = "file:///project/.claude/agents/sync.md";
    server.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": TypingScript::START,
        }}),
    );
    let script = TypingScript::new(uri);
    server.send_raw(&script.bytes);
    let mut responses = HashMap::new();
    let ids = script.ids();
    while responses.len() < ids.len() {
        let message = server.recv();
        if let Some(id) = message["id"].as_i64().filter(|id| ids.contains(id)) {
            responses.insert(id, message);
        }
    }
    script.check(&responses);
}

/// A fast typist's session in one write: 120 one-character edits typed into a body heading, with
/// requests between them, some that go through tower-lsp (a custom method returning the text)
/// and some the transport may take directly (the outline, whose heading symbol is the typed text).
struct TypingScript {
    bytes: Vec<u8>,
    /// (request id, the version and text it must see)
    texts: Vec<(i64, i32, String)>,
    /// (request id, the heading the outline must show)
    headings: Vec<(i64, String)>,
}

impl TypingScript {
    const START: &str = "---\nname: typist\n---\n# ";

    fn new(uri: &str) -> Self {
        let message = |value: serde_json::Value| common::frame(value.to_string().as_bytes());
        let text_request = |id: i64| {
            message(serde_json::json!({
                "jsonrpc": "2.0", "id": id, "method": agentls::server::DEBUG_DOCUMENT_TEXT,
                "params": { "uri": uri },
            }))
        };
        let outline_request = |id: i64| {
            message(serde_json::json!({
                "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                "params": { "textDocument": { "uri": uri } },
            }))
        };
        let heading = |text: &str| text.rsplit_once("# ").expect("a heading").1.to_owned();
        let mut script = Self {
            bytes: Vec::new(),
            texts: Vec::new(),
            headings: Vec::new(),
        };
        let mut expected = Self::START.to_owned();
        for version in 2..=121_i32 {
            let id = i64::from(version) * 10;
            // Every third edit has requests just before it as well as after it.
            if version % 3 == 0 {
                script.bytes.extend(text_request(id + 1));
                script.texts.push((id + 1, version - 1, expected.clone()));
                script.bytes.extend(outline_request(id + 2));
                script.headings.push((id + 2, heading(&expected)));
            }
            let at = ascii_position(&expected, expected.len());
            let typed = char::from(b'a' + (version % 26) as u8);
            expected.push(typed);
            script.bytes.extend(message(serde_json::json!({
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [edit(at, at, &typed.to_string())],
                },
            })));
            script.bytes.extend(outline_request(id + 3));
            script.headings.push((id + 3, heading(&expected)));
            script.bytes.extend(text_request(id));
            script.texts.push((id, version, expected.clone()));
        }
        script
    }

    fn ids(&self) -> Vec<i64> {
        let texts = self.texts.iter().map(|(id, ..)| *id);
        texts
            .chain(self.headings.iter().map(|(id, _)| *id))
            .collect()
    }

    fn check(&self, responses: &HashMap<i64, serde_json::Value>) {
        for (id, version, text) in &self.texts {
            let result = &responses[id]["result"];
            assert_eq!(
                (result["version"].as_i64(), result["text"].as_str()),
                (Some(i64::from(*version)), Some(text.as_str())),
                "request {id}"
            );
        }
        for (id, heading) in &self.headings {
            let names: Vec<&str> = responses[id]["result"]
                .as_array()
                .unwrap_or_else(|| panic!("symbols for request {id}: {}", responses[id]))
                .iter()
                .filter(|symbol| symbol["kind"] == 15)
                .filter_map(|symbol| symbol["name"].as_str())
                .collect();
            assert_eq!(names, [heading.as_str()], "request {id}");
        }
    }
}
