//! Regression tests for bugs found by fuzzing, property tests and adversarial tests.
//!
//! Each test names the bug it pins down. Inputs too awkward to inline live in
//! `tests/fixtures/regressions/`. A test marked `OPEN BUG` fails until `src/` is fixed.

mod common;

use common::{BinaryServer, frame};

/// serde_json's default recursion limit: deeper JSON fails to decode.
const SERDE_JSON_DEPTH_LIMIT: usize = 128;

/// OPEN BUG (found by `tests/adversarial.rs`): a request whose `params` nest deeper than
/// serde_json's recursion limit (128) ends the whole session.
///
/// `server::transport::validate` checks the envelope with `Envelope`, which skips `params`
/// without a depth limit, so the guard forwards the frame; tower-lsp's decoder then fails with
/// "recursion limit exceeded" and, as the transport module docs say, its `FramedRead` yields
/// `None` forever after the first decode error: the server logs `failed to decode message` and
/// stops (`end=InputClosed`) with stdin still open.
///
/// Expected: an error response (the guard should reject what tower-lsp cannot decode, as it does
/// for other undecodable bodies) and the server keeps serving. Actual: no response, process exits.
#[test]
fn deeply_nested_params_do_not_end_the_session() {
    let mut server = BinaryServer::spawn();
    server.initialize();
    let depth = SERDE_JSON_DEPTH_LIMIT + 2;
    let mut body = br#"{"jsonrpc":"2.0","id":77,"method":"textDocument/hover","params":"#.to_vec();
    body.extend(std::iter::repeat_n(b'[', depth));
    body.extend(std::iter::repeat_n(b']', depth));
    body.push(b'}');
    server.send_raw(&frame(&body));
    let answer = server.wait_for(|message| message.get("error").is_some());
    assert!(
        answer["id"] == 77 || answer["id"].is_null(),
        "unexpected error response: {answer}"
    );
    server.assert_alive();
}

/// The same nesting inside a notification's params (nobody to answer; it must be survived).
#[test]
fn deeply_nested_notification_params_do_not_end_the_session() {
    let mut server = BinaryServer::spawn();
    server.initialize();
    let depth = SERDE_JSON_DEPTH_LIMIT + 2;
    let mut body = br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"#.to_vec();
    body.extend(std::iter::repeat_n(b'[', depth));
    body.extend(std::iter::repeat_n(b']', depth));
    body.extend(b"}}");
    server.send_raw(&frame(&body));
    server.assert_alive();
}

/// OPEN BUG (found by the `frontmatter` fuzz target, input `"\r\n\r\n---\n\r\n"`): `split` gives a
/// different answer depending on where the chunks are cut, when blank lines precede the fence.
///
/// `syntax::split::blank_lines_then_fence` stops pulling chunks as soon as three non-blank bytes
/// are in the head (`trimmed.len() >= FENCE.len()`), then calls `opening_fence`, which needs the
/// fence line's `\n`. When a chunk ends right after `---`, the line is incomplete, so it returns
/// `None` and the split says `Missing::NoOpeningFence` instead of
/// `Missing::BlankLinesBeforeFence`: the "blank lines before the fence" diagnostic disappears.
/// Expected: the same `Split` (apart from `head`, how much the lazy splitter read) for any chunking.
#[test]
fn blank_lines_before_the_fence_do_not_depend_on_chunking() {
    use agentls::syntax::{Missing, split, split_str};
    for (text, chunks) in [
        ("\r\n\r\n---\n\r\n", vec!["\r\n\r\n---", "\n\r\n"]),
        (
            "\n\n---\nname: x\n---\nbody\n",
            vec!["\n\n---", "\nname: x\n---\nbody\n"],
        ),
        (
            "\n---\nname: x\n---\n",
            vec!["\n-", "--", "\nname: x\n---\n"],
        ),
    ] {
        assert_eq!(chunks.concat(), text);
        let whole = split_str(text);
        assert!(
            matches!(whole.missing, Some(Missing::BlankLinesBeforeFence { .. })),
            "{whole:?}"
        );
        let chunked = split(chunks.iter().copied());
        assert_eq!(chunked.missing, whole.missing, "chunks {chunks:?}");
        assert_eq!(chunked.body_start, whole.body_start, "chunks {chunks:?}");
        assert_eq!(
            chunked.body_is_blank, whole.body_is_blank,
            "chunks {chunks:?}"
        );
    }
}

/// The same bug seen from the server: typing `---` at a rope chunk boundary after blank lines
/// leaves the editor (the store's analysis reads rope chunks) with different diagnostics than
/// `agentls check` (one string) gives for the same text.
#[test]
fn blank_lines_before_the_fence_give_the_same_diagnostics_in_the_editor() {
    use agentls::analysis::Analysis;
    use agentls::line_index::PositionEncoding;
    use agentls::server::DocumentStore;

    let uri = common::uri(".claude/agents/x.md");
    let store = DocumentStore::default();
    let opened = store.open(
        uri.clone(),
        1,
        &format!("{}name: x\ndescription: d\n---\nbody\n", "\n".repeat(1_500)),
    );
    // The first chunk holds only blank lines (so line = offset). Edit inside it until it ends
    // right after a `---` whose `\n` starts the next chunk: drop three blank lines at the start,
    // type `---` before the last one, then delete that last one.
    let boundary = opened.rope.chunks().next().expect("a chunk").len();
    assert!(
        boundary < 1_500,
        "the first chunk must end inside the blank lines"
    );
    let line = u32::try_from(boundary).expect("small") - 4;
    let _ = store.change(
        &uri,
        2,
        &[
            common::edit((0, 0), (3, 0), ""),
            common::edit((line, 0), (line, 0), "---"),
            common::edit((line, 3), (line + 1, 0), ""),
        ],
        PositionEncoding::Utf16,
    );
    let document = store.get(&uri).expect("open");
    let text = document.rope.to_string();
    assert_eq!(&text[boundary - 4..boundary], "---\n");
    assert!(
        document
            .rope
            .chunks()
            .next()
            .expect("a chunk")
            .ends_with("---"),
        "the setup no longer puts a chunk boundary after the fence"
    );
    let fresh = Analysis::from_text(document.path.as_deref(), &text);
    let codes = |analysis: &Analysis| {
        analysis
            .diagnostics()
            .iter()
            .map(|diagnostic| diagnostic.code)
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&document.analysis), codes(&fresh));
    assert_eq!(document.analysis.diagnostics(), fresh.diagnostics());
}

/// Every input in `tests/fixtures/regressions/` (texts that once broke the splitter) splits the
/// same under every chunking into two or three pieces. OPEN BUG: fails on the
/// `split-*-before-fence` fixtures, see
/// [`blank_lines_before_the_fence_do_not_depend_on_chunking`].
#[test]
fn regression_fixtures_split_the_same_under_every_chunking() {
    use agentls::syntax::{Split, split, split_str};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("UTF-8 fixture");
        let whole = Split {
            head: String::new(),
            ..split_str(&text)
        };
        let cuts: Vec<usize> = (1..text.len())
            .filter(|&cut| text.is_char_boundary(cut))
            .collect();
        for (i, &a) in cuts.iter().enumerate() {
            for &b in std::iter::once(&text.len()).chain(&cuts[i..]) {
                let chunks = [&text[..a], &text[a..b], &text[b..]];
                let chunked = Split {
                    head: String::new(),
                    ..split(chunks)
                };
                if chunked != whole {
                    failures.push(format!("{}: {chunks:?}", path.display()));
                }
            }
        }
        checked += 1;
    }
    assert!(checked > 0, "no fixtures in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} chunkings change the split, e.g.:\n{}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n")
    );
}
