//! Shared pieces of the agentls fuzz targets: the `String` model of LSP edits and generators.

pub mod model;

use arbitrary::Arbitrary;

/// A piece of generated text: a known-interesting fragment or arbitrary text.
#[derive(Arbitrary, Debug, Clone)]
pub enum Piece {
    Fragment(u8),
    Raw(String),
}

/// Concatenates pieces into one string.
pub fn build(pieces: &[Piece]) -> String {
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Fragment(index) => {
                text.push_str(model::FRAGMENTS[usize::from(*index) % model::FRAGMENTS.len()]);
            }
            Piece::Raw(raw) => text.push_str(raw),
        }
    }
    text
}

/// Cuts `text` into chunks at char boundaries, with chunk lengths taken from `cuts` (cycled;
/// zero-length chunks included), the way a rope may hand its chunks out.
pub fn chunks<'a>(text: &'a str, cuts: &[u8]) -> Vec<&'a str> {
    if cuts.is_empty() {
        return vec![text];
    }
    let mut chunks = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().cycle() {
        if start >= text.len() {
            break;
        }
        let mut end = (start + usize::from(cut)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        chunks.push(&text[start..end]);
        start = end;
        if chunks.len() > 4 * text.len() + 8 {
            // Only zero-length cuts: finish in one piece.
            chunks.push(&text[start..]);
            break;
        }
    }
    chunks
}
