//! LSP positions, ranges and colors to agentls values, clamped (never an error).

use ropey::Rope;
use tower_lsp_server::ls_types::{Color, Position, Range};

use crate::analysis::Rgb;
use crate::line_index::{PositionEncoding, position_to_offset, range_from_lsp};
use crate::text::TextRange;

pub fn offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    position_to_offset(rope, position, encoding)
}

pub fn text_range(rope: &Rope, range: Range, encoding: PositionEncoding) -> TextRange {
    range_from_lsp(rope, range, encoding)
}

/// A picked color to 8 bits a channel (alpha dropped: colors are written as `#rrggbb` or names).
/// Out-of-range components are clamped; NaN becomes 0, as `as u8` saturates.
pub fn color(color: Color) -> Rgb {
    let channel = |value: f32| (value.clamp(0.0, 1.0) * 255.0).round() as u8;
    Rgb::new(
        channel(color.red),
        channel(color.green),
        channel(color.blue),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_round_and_clamp() {
        let picked = |red, green, blue| {
            color(Color {
                red,
                green,
                blue,
                alpha: 0.5,
            })
        };
        assert_eq!(picked(1.0, 0.2, 0.0), Rgb::new(255, 51, 0));
        assert_eq!(picked(0.5, -1.0, 7.0), Rgb::new(128, 0, 255));
        assert_eq!(picked(f32::NAN, 0.0, 0.0), Rgb::new(0, 0, 0));
    }
}
