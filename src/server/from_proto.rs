//! LSP positions and ranges to byte offsets in a document, clamped (never an error).

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

use crate::line_index::{PositionEncoding, position_to_offset, range_from_lsp};
use crate::text::TextRange;

pub fn offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    position_to_offset(rope, position, encoding)
}

pub fn text_range(rope: &Rope, range: Range, encoding: PositionEncoding) -> TextRange {
    range_from_lsp(rope, range, encoding)
}
