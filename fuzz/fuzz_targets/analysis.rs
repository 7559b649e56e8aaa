//! The full analysis of an agent document: diagnostics, completion and hover never panic and stay
//! inside the text, and `Analysis::update` from a previous version equals a fresh analysis.
#![no_main]

use std::path::Path;

use agentls::analysis::{Analysis, apply_edits};
use agentls::text::TextRange;
use agentls_fuzz::{Piece, build};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    pieces: Vec<Piece>,
    /// Cursor positions (picked modulo the char boundaries of the text).
    cursors: Vec<u16>,
    /// An edit from the first version to the second: start, end (char boundaries, modulo), text.
    edit: (u16, u16, Vec<Piece>),
}

const PATH: &str = ".claude/agents/x.md";

fuzz_target!(|input: Input| {
    let path = Path::new(PATH);
    let text = build(&input.pieces);
    let analysis = Analysis::from_text(Some(path), &text);
    assert_eq!(analysis.dialect(), Some("claude-agent"));
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&offset| text.is_char_boundary(offset))
        .collect();
    let cursors: Vec<usize> = input
        .cursors
        .iter()
        .take(8)
        .map(|&cursor| boundaries[usize::from(cursor) % boundaries.len()])
        .collect();
    check(&analysis, &text, &cursors);

    // The next version, incrementally and from scratch.
    let (a, b) = (
        boundaries[usize::from(input.edit.0) % boundaries.len()],
        boundaries[usize::from(input.edit.1) % boundaries.len()],
    );
    let mut next = text.clone();
    next.replace_range(a.min(b)..a.max(b), &build(&input.edit.2));
    let incremental = analysis.update(next.len(), std::iter::once(next.as_str()));
    let fresh = Analysis::from_text(Some(path), &next);
    assert_eq!(
        incremental.diagnostics(),
        fresh.diagnostics(),
        "update drifted: {text:?} -> {next:?}"
    );
    let cursors: Vec<usize> = cursors
        .into_iter()
        .map(|cursor| {
            let mut cursor = cursor.min(next.len());
            while !next.is_char_boundary(cursor) {
                cursor -= 1;
            }
            cursor
        })
        .collect();
    for &cursor in &cursors {
        assert_eq!(
            incremental.hover(cursor),
            fresh.hover(cursor),
            "hover at {cursor}"
        );
        assert_eq!(
            incremental.completion(cursor),
            fresh.completion(cursor),
            "completion at {cursor}"
        );
    }
    check(&fresh, &next, &cursors);
});

fn check_range(range: TextRange, text: &str, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what} range {range:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what} range {range:?} splits a character of {text:?}"
    );
}

fn check(analysis: &Analysis, text: &str, cursors: &[usize]) {
    let diagnostics = analysis.diagnostics();
    for diagnostic in &diagnostics {
        check_range(diagnostic.range, text, diagnostic.code);
        assert!(!diagnostic.message.is_empty());
        for fix in &diagnostic.fixes {
            for edit in &fix.edits {
                check_range(edit.range, text, "fix edit");
            }
            // Each fix's own edits never overlap (apply_edits skips overlapping ones).
            let mut edits: Vec<_> = fix.edits.iter().collect();
            let mut sorted: Vec<_> = fix.edits.iter().map(|edit| edit.range).collect();
            sorted.sort_by_key(|range| (range.start, range.end));
            assert!(
                sorted.windows(2).all(|pair| pair[0].end <= pair[1].start),
                "fix `{}` has overlapping edits",
                fix.title
            );
            let _ = apply_edits(text, &mut edits);
        }
    }
    for &cursor in cursors {
        for item in analysis.completion(cursor) {
            check_range(item.replace, text, "completion replace");
            assert!(
                item.replace.contains_inclusive(cursor),
                "completion `{}` replaces {:?}, away from the cursor {cursor}",
                item.label,
                item.replace
            );
        }
        if let Some(hover) = analysis.hover(cursor) {
            check_range(hover.range, text, "hover");
        }
    }
}
