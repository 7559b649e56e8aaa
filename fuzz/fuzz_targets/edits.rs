//! Edit scripts applied through `DocumentStore::change` (which runs `apply_changes`, not exported
//! on its own) against the `String` model, in UTF-8 and UTF-16.
//!
//! Most positions are valid in the model (derived from a char boundary); some are arbitrary (past
//! the end of a line or of the document, inside a character, reversed). Either way the rope must
//! equal the model, which implements the documented clamping; and the position conversions of
//! `line_index` must agree with the model on every expressible offset.
#![no_main]

use agentls::line_index::{PositionEncoding, offset_to_position, position_to_offset};
use agentls::server::DocumentStore;
use agentls_fuzz::model::{self, Change, Units};
use agentls_fuzz::{Piece, build};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

#[derive(Arbitrary, Debug)]
struct Script {
    utf16: bool,
    initial: Vec<Piece>,
    /// Each batch is one `didChange` (its changes apply in order).
    batches: Vec<Vec<Edit>>,
}

#[derive(Arbitrary, Debug)]
struct Edit {
    at: At,
    text: Vec<Piece>,
}

#[derive(Arbitrary, Debug)]
enum At {
    /// Between two expressible offsets of the current model (picked modulo their count).
    Valid(u16, u16),
    /// Raw LSP positions, possibly out of range.
    Raw((u32, u32), (u32, u32)),
    /// Raw positions near the text (small numbers, so they often hit a line or a character).
    Near((u8, u8), (u8, u8)),
    /// Replace the whole document.
    Full,
}

fuzz_target!(|script: Script| {
    let (units, encoding) = if script.utf16 {
        (Units::Utf16, PositionEncoding::Utf16)
    } else {
        (Units::Utf8, PositionEncoding::Utf8)
    };
    let mut expected = build(&script.initial);
    // Not an agent path: no dialect, so the store only splits the text (the analysis is fuzzed
    // by its own target).
    let uri: Uri = "file:///fuzz/notes.txt".parse().expect("uri");
    let store = DocumentStore::default();
    store.open(uri.clone(), 0, &expected);
    for (version, batch) in (1..).zip(script.batches.iter().take(64)) {
        let mut events = Vec::with_capacity(batch.len());
        for edit in batch {
            let change = change(&expected, edit, units);
            model::apply(&mut expected, &change, units);
            events.push(event(change));
        }
        let _ = store.change(&uri, version, &events, encoding);
        let actual = store.get(&uri).expect("open").rope.to_string();
        assert_eq!(actual, expected, "rope and model differ after {events:?}");
    }

    let rope = store.get(&uri).expect("open").rope.clone();
    // The conversions agree with the model on every offset a client can express.
    for offset in model::expressible_offsets(&expected) {
        let (line, character) = model::position(&expected, offset, units);
        let position = Position::new(line, character);
        assert_eq!(offset_to_position(&rope, offset, encoding), position);
        assert_eq!(position_to_offset(&rope, position, encoding), offset);
    }
});

fn change(text: &str, edit: &Edit, units: Units) -> Change {
    let new_text = build(&edit.text);
    let range = match edit.at {
        At::Valid(a, b) => {
            let offsets = model::expressible_offsets(text);
            let pick = |i: u16| offsets[usize::from(i) % offsets.len()];
            let (start, end) = (pick(a).min(pick(b)), pick(a).max(pick(b)));
            Some((
                model::position(text, start, units),
                model::position(text, end, units),
            ))
        }
        At::Raw(start, end) => Some((start, end)),
        At::Near((a, b), (c, d)) => Some((
            (u32::from(a % 8), u32::from(b)),
            (u32::from(c % 8), u32::from(d)),
        )),
        At::Full => None,
    };
    Change {
        range,
        text: new_text,
    }
}

fn event(change: Change) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: change
            .range
            .map(|((sl, sc), (el, ec))| Range::new(Position::new(sl, sc), Position::new(el, ec))),
        range_length: None,
        text: change.text,
    }
}
