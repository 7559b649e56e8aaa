//! The one place where UTF-8 byte offsets and LSP positions (line, UTF-8 or UTF-16 column) meet.
//!
//! Architecture invariant: every conversion runs on a [`Rope`] in O(log n) and never builds a
//! `String` of the document (a walk within one of the rope's chunks, at most a few kilobytes,
//! counts as constant). Conversions clamp instead of failing: a line past the end maps to the
//! end of the document, a column past the end of a line maps to the end of that line's content
//! (before its line break), and a position inside a character (a UTF-8 continuation byte or the
//! second half of a UTF-16 surrogate pair) snaps back to the start of that character.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as in LSP; ropey is built with `cr_lines` and
//! without `unicode_lines`, so its line metric agrees. A byte order mark is an ordinary character
//! here (3 UTF-8 bytes, 1 UTF-16 unit), because LSP clients count it as one too.

use std::fmt;
use std::str::FromStr;

use ropey::{Rope, RopeSlice};
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

use crate::text::{TextRange, floor_char_boundary};

/// The unit in which LSP columns are counted, negotiated once per session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Columns count UTF-8 bytes.
    Utf8,
    /// Columns count UTF-16 code units (the LSP default every client supports).
    #[default]
    Utf16,
}

impl PositionEncoding {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Utf16 => "utf-16",
        }
    }
}

impl fmt::Display for PositionEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an encoding name agentls does not implement (e.g. `utf-32`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported position encoding `{0}`")]
pub struct UnsupportedEncoding(pub String);

impl FromStr for PositionEncoding {
    type Err = UnsupportedEncoding;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "utf-8" => Ok(Self::Utf8),
            "utf-16" => Ok(Self::Utf16),
            other => Err(UnsupportedEncoding(other.to_owned())),
        }
    }
}

impl TryFrom<&PositionEncodingKind> for PositionEncoding {
    type Error = UnsupportedEncoding;

    fn try_from(kind: &PositionEncodingKind) -> Result<Self, Self::Error> {
        kind.as_str().parse()
    }
}

impl From<PositionEncoding> for PositionEncodingKind {
    fn from(encoding: PositionEncoding) -> Self {
        match encoding {
            PositionEncoding::Utf8 => Self::UTF8,
            PositionEncoding::Utf16 => Self::UTF16,
        }
    }
}

/// The LSP position of byte `offset`. Offsets past the end clamp to the end of the document;
/// an offset inside a character (or between the `\r` and `\n` of a CRLF) snaps back to its start.
pub fn offset_to_position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    // Within one chunk (a few hundred bytes to a kilobyte or so), a position is one tree descent
    // for its line and a walk over the chunk for its column: the general path's half-dozen
    // descents, each counting through its chunk, cost microseconds on every keystroke.
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
    let mut local = floor_char_boundary(chunk, offset - chunk_start);
    if chunk[..local].ends_with('\r') && chunk[local..].starts_with('\n') {
        local -= 1;
    }
    let Some(line_break) = memchr::memrchr2(b'\n', b'\r', &chunk.as_bytes()[..local]) else {
        // The line starts in an earlier chunk.
        return offset_to_position_across_chunks(rope, offset, encoding);
    };
    let line = rope.byte_to_line(chunk_start + local);
    let before = &chunk[line_break + 1..local];
    let column = match encoding {
        PositionEncoding::Utf8 => before.len(),
        PositionEncoding::Utf16 => utf16_len(before),
    };
    Position::new(saturate(line), saturate(column))
}

/// The UTF-16 length of `text`. ASCII (most of a frontmatter, and the long description lines
/// whose ends diagnostics mark) is counted in bulk rather than character by character.
fn utf16_len(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().map(char::len_utf16).sum()
    }
}

/// [`offset_to_position`] for any offset, in O(log n) whatever the length of its line.
fn offset_to_position_across_chunks(
    rope: &Rope,
    offset: usize,
    encoding: PositionEncoding,
) -> Position {
    let mut char_idx = rope.byte_to_char(offset.min(rope.len_bytes()));
    // Between `\r` and `\n` is not a position a client can express; use the start of the break.
    if char_idx > 0 && rope.get_char(char_idx) == Some('\n') && rope.char(char_idx - 1) == '\r' {
        char_idx -= 1;
    }
    let line = rope.char_to_line(char_idx);
    let line_start = rope.line_to_char(line);
    let column = match encoding {
        PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.char_to_byte(line_start),
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start)
        }
    };
    Position::new(saturate(line), saturate(column))
}

/// The byte offset of an LSP position, clamped into the document (see the module docs).
pub fn position_to_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    let line_idx = position.line as usize;
    // `len_lines` counts the empty line after a trailing break, as LSP does.
    if line_idx >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line_idx);
    // The usual line ends in the chunk where it starts: its column is found there (see
    // `offset_to_position`).
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(line_start);
    let rest = &chunk[line_start - chunk_start..];
    let content_len = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
        Some(line_break) => line_break,
        None if chunk_start + chunk.len() == rope.len_bytes() => rest.len(),
        None => return position_to_offset_across_chunks(rope, position, encoding),
    };
    line_start + column_offset(&rest[..content_len], position.character as usize, encoding)
}

/// The byte offset in `content` (one line, without its break) of `column`, clamped to its end
/// and snapped back to the start of the character it falls in.
fn column_offset(content: &str, column: usize, encoding: PositionEncoding) -> usize {
    match encoding {
        PositionEncoding::Utf8 => floor_char_boundary(content, column),
        PositionEncoding::Utf16 => {
            // Over an ASCII prefix, UTF-16 units are bytes.
            let prefix = column.min(content.len());
            if content.as_bytes()[..prefix].is_ascii() {
                return prefix;
            }
            let mut units = 0;
            for (offset, character) in content.char_indices() {
                units += character.len_utf16();
                if units > column {
                    return offset;
                }
            }
            content.len()
        }
    }
}

/// [`position_to_offset`] for any line, in O(log n) whatever its length.
fn position_to_offset_across_chunks(
    rope: &Rope,
    position: Position,
    encoding: PositionEncoding,
) -> usize {
    let line_idx = position.line as usize;
    let line = rope.line(line_idx);
    let content = line.slice(..line.len_chars() - line_break_chars(line));
    let column = position.character as usize;
    let char_in_line = match encoding {
        PositionEncoding::Utf8 => content.byte_to_char(column.min(content.len_bytes())),
        PositionEncoding::Utf16 => content.utf16_cu_to_char(column.min(content.len_utf16_cu())),
    };
    rope.line_to_byte(line_idx) + content.char_to_byte(char_in_line)
}

/// The LSP range of a byte range.
pub fn range_to_lsp(rope: &Rope, range: TextRange, encoding: PositionEncoding) -> Range {
    Range::new(
        offset_to_position(rope, range.start, encoding),
        offset_to_position(rope, range.end, encoding),
    )
}

/// The byte range of an LSP range, clamped; a reversed range becomes empty at its start.
pub fn range_from_lsp(rope: &Rope, range: Range, encoding: PositionEncoding) -> TextRange {
    let start = position_to_offset(rope, range.start, encoding);
    let end = position_to_offset(rope, range.end, encoding);
    TextRange::new(start, end.max(start))
}

/// How many chars at the end of `line` form its line break (0, 1 or 2).
fn line_break_chars(line: RopeSlice<'_>) -> usize {
    let len = line.len_chars();
    match (
        len.checked_sub(2).map(|i| line.char(i)),
        len.checked_sub(1).map(|i| line.char(i)),
    ) {
        (Some('\r'), Some('\n')) => 2,
        (_, Some('\n' | '\r')) => 1,
        _ => 0,
    }
}

/// LSP positions are `u32`; a document beyond 4 GiB saturates rather than wrapping.
fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    use PositionEncoding::{Utf8, Utf16};

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    /// Every char boundary round-trips through both encodings.
    fn assert_round_trips(text: &str) {
        let rope = Rope::from_str(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            // Skip the middle of CRLF, which deliberately maps to the start of the break.
            if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            for encoding in [Utf8, Utf16] {
                let position = offset_to_position(&rope, offset, encoding);
                assert_eq!(
                    position_to_offset(&rope, position, encoding),
                    offset,
                    "{text:?} offset {offset} via {encoding} {position:?}"
                );
            }
        }
    }

    #[test]
    fn ascii_lines() {
        let rope = Rope::from_str("ab\ncd");
        assert_eq!(offset_to_position(&rope, 0, Utf16), pos(0, 0));
        assert_eq!(offset_to_position(&rope, 2, Utf16), pos(0, 2));
        assert_eq!(offset_to_position(&rope, 3, Utf16), pos(1, 0));
        assert_eq!(offset_to_position(&rope, 5, Utf8), pos(1, 2));
        assert_eq!(position_to_offset(&rope, pos(1, 1), Utf8), 4);
        assert_round_trips("ab\ncd");
    }

    #[test]
    fn emoji_is_four_bytes_and_a_surrogate_pair() {
        // "a😀b": 😀 is bytes 1..5, UTF-16 units 1..3.
        let rope = Rope::from_str("a😀b");
        assert_eq!(offset_to_position(&rope, 5, Utf8), pos(0, 5));
        assert_eq!(offset_to_position(&rope, 5, Utf16), pos(0, 3));
        assert_eq!(position_to_offset(&rope, pos(0, 3), Utf16), 5);
        assert_eq!(position_to_offset(&rope, pos(0, 5), Utf8), 5);
        // Inside the surrogate pair / inside the UTF-8 sequence: snap to the emoji's start.
        assert_eq!(position_to_offset(&rope, pos(0, 2), Utf16), 1);
        assert_eq!(position_to_offset(&rope, pos(0, 3), Utf8), 1);
        // A byte offset inside the emoji snaps back too.
        assert_eq!(offset_to_position(&rope, 3, Utf16), pos(0, 1));
        assert_round_trips("a😀b\n😀😀\n");
    }

    #[test]
    fn cjk_is_three_bytes_one_unit() {
        let rope = Rope::from_str("日本語x");
        assert_eq!(offset_to_position(&rope, 9, Utf16), pos(0, 3));
        assert_eq!(offset_to_position(&rope, 9, Utf8), pos(0, 9));
        assert_eq!(position_to_offset(&rope, pos(0, 2), Utf16), 6);
        assert_eq!(position_to_offset(&rope, pos(0, 4), Utf8), 3);
        assert_round_trips("日本語x\n中文");
    }

    #[test]
    fn crlf_is_one_break() {
        let text = "ab\r\ncd\r\n";
        let rope = Rope::from_str(text);
        assert_eq!(offset_to_position(&rope, 4, Utf16), pos(1, 0));
        assert_eq!(offset_to_position(&rope, 8, Utf16), pos(2, 0));
        // Between `\r` and `\n`: the start of the break.
        assert_eq!(offset_to_position(&rope, 3, Utf16), pos(0, 2));
        // A column past the end of the line stops before `\r\n`.
        assert_eq!(position_to_offset(&rope, pos(0, 99), Utf16), 2);
        assert_eq!(position_to_offset(&rope, pos(1, 99), Utf8), 6);
        assert_round_trips(text);
    }

    #[test]
    fn lone_cr_is_a_break() {
        let text = "ab\rcd";
        let rope = Rope::from_str(text);
        assert_eq!(offset_to_position(&rope, 3, Utf16), pos(1, 0));
        assert_eq!(position_to_offset(&rope, pos(1, 1), Utf16), 4);
        assert_eq!(position_to_offset(&rope, pos(0, 9), Utf16), 2);
        assert_round_trips(text);
    }

    #[test]
    fn bom_counts_as_a_character() {
        let text = "\u{feff}ab\ncd";
        let rope = Rope::from_str(text);
        assert_eq!(offset_to_position(&rope, 3, Utf16), pos(0, 1));
        assert_eq!(offset_to_position(&rope, 3, Utf8), pos(0, 3));
        assert_eq!(position_to_offset(&rope, pos(0, 1), Utf16), 3);
        assert_eq!(position_to_offset(&rope, pos(0, 1), Utf8), 0);
        assert_round_trips(text);
    }

    #[test]
    fn empty_document() {
        let rope = Rope::new();
        for encoding in [Utf8, Utf16] {
            assert_eq!(offset_to_position(&rope, 0, encoding), pos(0, 0));
            assert_eq!(offset_to_position(&rope, 10, encoding), pos(0, 0));
            assert_eq!(position_to_offset(&rope, pos(0, 0), encoding), 0);
            assert_eq!(position_to_offset(&rope, pos(3, 7), encoding), 0);
        }
    }

    #[test]
    fn last_line_without_newline() {
        let rope = Rope::from_str("ab\ncd");
        assert_eq!(position_to_offset(&rope, pos(1, 2), Utf16), 5);
        assert_eq!(position_to_offset(&rope, pos(1, 50), Utf16), 5);
        // With a trailing newline there is one more (empty) line.
        let rope = Rope::from_str("ab\n");
        assert_eq!(offset_to_position(&rope, 3, Utf16), pos(1, 0));
        assert_eq!(position_to_offset(&rope, pos(1, 0), Utf16), 3);
    }

    #[test]
    fn out_of_range_clamps() {
        let rope = Rope::from_str("a😀\nxyz");
        assert_eq!(position_to_offset(&rope, pos(2, 0), Utf16), 9);
        assert_eq!(position_to_offset(&rope, pos(u32::MAX, u32::MAX), Utf8), 9);
        assert_eq!(position_to_offset(&rope, pos(0, u32::MAX), Utf16), 5);
        assert_eq!(offset_to_position(&rope, usize::MAX, Utf16), pos(1, 3));
    }

    #[test]
    fn ranges() {
        let rope = Rope::from_str("name: 😀x\n");
        let range = TextRange::new(6, 11);
        let lsp = range_to_lsp(&rope, range, Utf16);
        assert_eq!(lsp, Range::new(pos(0, 6), pos(0, 9)));
        assert_eq!(range_from_lsp(&rope, lsp, Utf16), range);
        // Reversed ranges collapse at their start.
        let reversed = Range::new(pos(0, 9), pos(0, 6));
        assert_eq!(range_from_lsp(&rope, reversed, Utf16), TextRange::empty(11));
    }

    /// Text that spans many chunks, with lines longer than a chunk and multi-byte characters and
    /// line breaks on chunk seams: the chunk-local paths must agree with the general ones.
    fn multi_chunk_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let long_line = "x".repeat(1100);
        let piece = prop::sample::select(vec![
            "a", "bc", "😀", "日本", "é", "e\u{301}", "\n", "\r\n", "\r", "\u{feff}", "\t",
        ])
        .prop_map(str::to_owned);
        let pieces = prop_oneof![12 => piece, 1 => Just(long_line)];
        prop::collection::vec(pieces, 0..100).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        #[test]
        fn chunk_local_conversions_agree_with_the_general_ones(text in multi_chunk_text()) {
            let rope = Rope::from_str(&text);
            // Every fifth offset, and every offset near a chunk seam or a line break.
            let mut seams = vec![0];
            for chunk in rope.chunks() {
                seams.push(seams.last().copied().unwrap_or(0) + chunk.len());
            }
            let breaks = text.match_indices(['\n', '\r']).map(|(at, _)| at);
            let mut interesting: Vec<usize> = (0..=text.len() + 1).step_by(5).collect();
            for near in seams.into_iter().chain(breaks) {
                interesting.extend(near.saturating_sub(3)..=near + 3);
            }
            for encoding in [Utf8, Utf16] {
                for &offset in &interesting {
                    proptest::prop_assert_eq!(
                        offset_to_position(&rope, offset, encoding),
                        offset_to_position_across_chunks(&rope, offset, encoding),
                        "offset {} via {}", offset, encoding
                    );
                }
                for line in 0..=rope.len_lines() as u32 {
                    let width = rope.get_line(line as usize).map_or(0, |l| l.len_bytes()) as u32;
                    // The first columns, the middle, the end (a long line's columns each walk it).
                    let columns = (0..4).chain([width / 2]).chain(width.saturating_sub(3)..=width + 2);
                    for character in columns.chain([u32::MAX]) {
                        let position = pos(line, character);
                        let expected = if (line as usize) < rope.len_lines() {
                            position_to_offset_across_chunks(&rope, position, encoding)
                        } else {
                            rope.len_bytes()
                        };
                        proptest::prop_assert_eq!(
                            position_to_offset(&rope, position, encoding),
                            expected,
                            "{:?} via {}", position, encoding
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn encoding_names() {
        assert_eq!("utf-8".parse(), Ok(Utf8));
        assert_eq!(
            PositionEncoding::try_from(&PositionEncodingKind::UTF16),
            Ok(Utf16)
        );
        assert!(PositionEncoding::try_from(&PositionEncodingKind::UTF32).is_err());
        assert_eq!(PositionEncodingKind::from(Utf8), PositionEncodingKind::UTF8);
        assert_eq!(Utf16.to_string(), "utf-16");
    }
}
