//! Property tests: random incremental edits (emoji, CJK, CRLF, combining marks, BOM; in UTF-8 and
//! UTF-16) leave the server's text identical to a plain `String` model, and the incremental
//! analysis never drifts from a fresh one.
//!
//! Three levels: the document store (`DocumentStore::change`, which runs `apply_changes`; many
//! cases), the real in-process server read back through `agentls/debugDocumentText` (fewer cases),
//! and the `Analysis::update` chain against `Analysis::from_text`.
//!
//! The default case counts keep `cargo test` fast; `PROPTEST_CASES=N` raises all of them to N.

mod common;
#[path = "../fuzz/src/model.rs"]
mod model;

use std::path::Path;

use agentls::analysis::Analysis;
use agentls::line_index::PositionEncoding;
use agentls::server::DocumentStore;
use common::TestServer;
use model::{Change, Units};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tower_lsp_server::ls_types::{
    Position, PositionEncodingKind, Range, TextDocumentContentChangeEvent, Uri,
};

const AGENT_PATH: &str = ".claude/agents/x.md";

/// Starting documents: real agent files in several shapes, so edits hit the frontmatter parser,
/// the fences and the body.
const TEMPLATES: &[&str] = &[
    "",
    "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grep\nmodel: sonnet\ncolor: blue\n---\nYou review code.\n",
    "\u{feff}---\r\nname: 中文\r\ndescription: \"emoji 😀 e\u{301}\"\r\n---\r\nbody é 👩\u{200d}👩\u{200d}👧\r\n",
    "---\nname: x\ndescription: a --- b\ntools: [Read, Bash]\nhooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n          command: echo\n---\n",
    "---\ndescription: |\n  multi\n  line\nmodel: opus\n# comment\n---\n\n",
    "\r\r\n---\rname: cr\r---\r",
];

/// The case count: `PROPTEST_CASES` when set, else `default`.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Where an edit goes.
#[derive(Clone, Debug)]
enum At {
    /// Between two expressible offsets of the current text (picked modulo their count).
    Valid(usize, usize),
    /// Raw positions near the text: past the end of lines or of the document, inside characters,
    /// reversed.
    Raw((u32, u32), (u32, u32)),
    /// Replace the whole document.
    Full,
}

#[derive(Clone, Debug)]
struct Edit {
    at: At,
    text: String,
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(model::FRAGMENTS).prop_map(str::to_owned),
        1 => "(?s).{0,3}",
    ]
}

fn text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max_pieces).prop_map(|pieces| pieces.concat())
}

/// A frontmatter of several KiB: a rope hands it out in several chunks.
fn long_template() -> String {
    format!(
        "---\nname: long\ndescription: {}\ntools: Read, Grep\ncolor: red\n---\n{}",
        "word 😀 中文 e\u{301} ".repeat(150),
        "body line\r\n".repeat(100)
    )
}

fn initial() -> impl Strategy<Value = String> {
    let template = prop_oneof![
        8 => select(TEMPLATES).prop_map(str::to_owned),
        1 => Just(long_template()),
    ];
    (template, text(6)).prop_map(|(template, extra)| format!("{template}{extra}"))
}

fn at() -> impl Strategy<Value = At> {
    prop_oneof![
        16 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| At::Valid(a, b)),
        3 => ((0..12_u32, 0..40_u32), (0..12_u32, 0..40_u32)).prop_map(|(s, e)| At::Raw(s, e)),
        1 => Just(At::Full),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    (at(), text(4)).prop_map(|(at, text)| Edit { at, text })
}

/// Each batch is one `didChange` notification.
fn batches(max: usize) -> impl Strategy<Value = Vec<Vec<Edit>>> {
    prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..max)
}

/// The model change for `edit` on the current model text.
fn change(text: &str, edit: &Edit, units: Units) -> Change {
    let range = match edit.at {
        At::Valid(a, b) => {
            let offsets = model::expressible_offsets(text);
            let (a, b) = (offsets[a % offsets.len()], offsets[b % offsets.len()]);
            Some((
                model::position(text, a.min(b), units),
                model::position(text, a.max(b), units),
            ))
        }
        At::Raw(start, end) => Some((start, end)),
        At::Full => None,
    };
    Change {
        range,
        text: edit.text.clone(),
    }
}

fn event(change: &Change) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: change
            .range
            .map(|((sl, sc), (el, ec))| Range::new(Position::new(sl, sc), Position::new(el, ec))),
        range_length: None,
        text: change.text.clone(),
    }
}

/// Applies a batch to the model; returns the LSP events that express it.
fn apply_batch(
    model_text: &mut String,
    batch: &[Edit],
    units: Units,
) -> Vec<TextDocumentContentChangeEvent> {
    batch
        .iter()
        .map(|edit| {
            let change = change(model_text, edit, units);
            model::apply(model_text, &change, units);
            event(&change)
        })
        .collect()
}

fn units(utf16: bool) -> (Units, PositionEncoding) {
    if utf16 {
        (Units::Utf16, PositionEncoding::Utf16)
    } else {
        (Units::Utf8, PositionEncoding::Utf8)
    }
}

fn agent_uri() -> Uri {
    common::uri(AGENT_PATH)
}

// ---------------------------------------------------------------------------------------------
// The model itself (so that a model bug cannot hide a server bug).

#[test]
fn model_follows_the_documented_clamping() {
    let text = "a😀\r\nb\rc\n";
    assert_eq!(
        model::lines(text),
        [
            model::Line { start: 0, end: 5 },
            model::Line { start: 7, end: 8 },
            model::Line { start: 9, end: 10 },
            model::Line { start: 11, end: 11 },
        ]
    );
    // Inside the surrogate pair snaps back; past the line end clamps before the break.
    assert_eq!(model::offset(text, 0, 2, Units::Utf16), 1);
    assert_eq!(model::offset(text, 0, 3, Units::Utf16), 5);
    assert_eq!(model::offset(text, 0, 99, Units::Utf16), 5);
    assert_eq!(model::offset(text, 0, 3, Units::Utf8), 1);
    assert_eq!(model::offset(text, 9, 0, Units::Utf8), text.len());
    assert_eq!(model::position(text, 5, Units::Utf16), (0, 3));
    assert_eq!(model::position(text, 11, Units::Utf8), (3, 0));
    assert!(!model::expressible_offsets(text).contains(&6));
    let mut edited = text.to_owned();
    // A reversed range is empty at its start.
    let change = Change {
        range: Some(((1, 1), (0, 0))),
        text: "!".into(),
    };
    model::apply(&mut edited, &change, Units::Utf8);
    assert_eq!(edited, "a😀\r\nb!\rc\n");
}

// ---------------------------------------------------------------------------------------------
// Level 1: the document store (fast, many cases).

#[test]
fn store_text_matches_the_model() {
    let strategy = (any::<bool>(), initial(), batches(16));
    TestRunner::new(config(512))
        .run(&strategy, |(utf16, initial, batches)| {
            let (units, encoding) = units(utf16);
            // Not an agent path: the store only splits, so this level stays fast.
            let uri: Uri = "file:///project/notes.txt".parse().expect("uri");
            let store = DocumentStore::default();
            store.open(uri.clone(), 0, &initial);
            let mut expected = initial;
            for (version, batch) in (1..).zip(&batches) {
                let events = apply_batch(&mut expected, batch, units);
                let _ = store.change(&uri, version, &events, encoding);
                let document = store.get(&uri).expect("document is open");
                prop_assert_eq!(document.rope.to_string(), expected.as_str(), "{:?}", events);
                prop_assert_eq!(document.version, version);
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Level 2: the real in-process server.

#[test]
fn server_text_matches_the_model() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let strategy = (any::<bool>(), initial(), batches(8));
    TestRunner::new(config(32))
        .run(&strategy, |(utf16, initial, batches)| {
            runtime.block_on(server_session(utf16, initial, batches))
        })
        .unwrap();
}

async fn server_session(
    utf16: bool,
    initial: String,
    batches: Vec<Vec<Edit>>,
) -> Result<(), TestCaseError> {
    let (units, _) = units(utf16);
    let name = if utf16 { "utf-16" } else { "utf-8" };
    let (mut server, result) =
        TestServer::initialized(common::client_capabilities(Some(&[name]))).await;
    prop_assert_eq!(
        result.capabilities.position_encoding,
        Some(PositionEncodingKind::from(name.to_owned()))
    );
    let uri = agent_uri();
    server.open_uri(uri.clone(), &initial).await;
    let mut expected = initial;
    for (version, batch) in (2..).zip(&batches) {
        let events = apply_batch(&mut expected, batch, units);
        server.change(&uri, version, events).await;
    }
    // Notifications are handled in order, so the text request sees every change.
    let (version, text) = server.document_text(&uri).await.expect("document is open");
    prop_assert_eq!(
        version,
        1 + i32::try_from(batches.len()).expect("few batches")
    );
    prop_assert_eq!(text, expected);
    server.shutdown().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Level 3: the incremental analysis never drifts from a fresh one.

#[test]
fn update_chain_equals_a_fresh_analysis() {
    let strategy = (initial(), batches(12));
    TestRunner::new(config(256))
        .run(&strategy, |(initial, batches)| {
            let path = Path::new(AGENT_PATH);
            let mut text = initial;
            let mut analysis = Analysis::from_text(Some(path), &text);
            for batch in &batches {
                for edit in batch {
                    let change = change(&text, edit, Units::Utf8);
                    model::apply(&mut text, &change, Units::Utf8);
                    analysis = analysis.update(text.len(), std::iter::once(text.as_str()));
                    let fresh = Analysis::from_text(Some(path), &text);
                    prop_assert_eq!(analysis.diagnostics(), fresh.diagnostics(), "{:?}", text);
                }
            }
            Ok(())
        })
        .unwrap();
}

/// The same through the store, whose updates read the text as rope chunks (so a frontmatter may
/// straddle chunk boundaries).
#[test]
fn store_analysis_equals_a_fresh_analysis() {
    let strategy = (any::<bool>(), initial(), batches(12));
    TestRunner::new(config(128))
        .run(&strategy, |(utf16, initial, batches)| {
            let (units, encoding) = units(utf16);
            let uri = agent_uri();
            let store = DocumentStore::default();
            let path = store.open(uri.clone(), 0, &initial).path.clone();
            prop_assert!(path.is_some());
            let mut expected = initial;
            for (version, batch) in (1..).zip(&batches) {
                let events = apply_batch(&mut expected, batch, units);
                let _ = store.change(&uri, version, &events, encoding);
                let document = store.get(&uri).expect("document is open");
                let fresh = Analysis::from_text(path.as_deref(), &expected);
                prop_assert_eq!(
                    document.analysis.diagnostics(),
                    fresh.diagnostics(),
                    "{:?}",
                    expected
                );
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Level 4: the frontmatter parser's incremental path (one entry re-parsed) equals a full parse.

/// Frontmatter lines in the shapes that span lines or tie entries together: block scalars (with
/// kept trailing blank lines), multi-line quoted and plain scalars, unclosed quotes and flow
/// collections, nested blocks, strays, comments, anchors, CR and CRLF breaks, tabs.
const FRONTMATTER_LINES: &[&str] = &[
    "name: a\n",
    "description: one: two # c\n",
    "color: blue\n",
    "tools: [Read, Bash]\n",
    "tools:\n  - Read\n  - Bash\n",
    "description: |+\n  keep\n\n",
    "description: >-\n  folded\n\n  text\n",
    "desc: \"multi\n  line\"\n",
    "plain: first\n  second\n\n  third\n",
    "x: 'open\n",
    "y: [a,\n  b\n",
    "z: {k: v,\n",
    "# comment\n",
    "\n",
    "  stray\n",
    "\tmodel: x\n",
    "hooks:\n  Pre:\n    - a: b\n      c: |\n        d\n",
    "k: &a v\n",
    "l: *a\n",
    "name: 中文 😀\r\n",
    "m: v\r",
    "key without colon\n",
    "- item\n",
    "\"quoted key\": v\n",
    "a: b: c\n",
    "empty:\n",
    "...\n",
];

/// A keystroke-sized edit: `len` bytes (rounded to characters) at the `at`-th expressible offset
/// replaced by `text`.
fn local_edit(text: &mut String, at: usize, len: usize, insert: &str) {
    let offsets = model::expressible_offsets(text);
    let start = offsets[at % offsets.len()];
    let end = offsets
        .iter()
        .copied()
        .find(|&offset| offset >= start + len)
        .unwrap_or(text.len());
    text.replace_range(start..end, insert);
}

#[test]
fn incremental_frontmatter_parse_equals_a_full_parse() {
    use agentls::syntax::{parse_frontmatter, reparse_frontmatter};
    let lines = prop::collection::vec(select(FRONTMATTER_LINES), 1..8);
    let edits = prop::collection::vec((any::<usize>(), 0..4_usize, text(2)), 1..16);
    TestRunner::new(config(512))
        .run(&(lines, edits), |(lines, edits)| {
            let base = 4;
            let mut text = lines.concat();
            let mut tree = parse_frontmatter(&text, base);
            for (at, len, insert) in &edits {
                let old = text.clone();
                local_edit(&mut text, *at, *len, insert);
                tree = reparse_frontmatter(&tree, &old, &text, base);
                prop_assert_eq!(
                    &tree,
                    &parse_frontmatter(&text, base),
                    "{:?} → {:?}",
                    old,
                    text
                );
            }
            Ok(())
        })
        .unwrap();
}
