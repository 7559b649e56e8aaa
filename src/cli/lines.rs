//! Byte offsets to the 1-based line and character columns every `check` output format reports.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as in LSP and [`crate::line_index`]. Columns
//! count Unicode scalar values (characters), starting at 1; a byte order mark is an ordinary
//! character, so on a file that starts with one the first visible character is at column 2.
//! Offsets past the end clamp to the end, and an offset inside a character snaps back to its start.

use crate::text::floor_char_boundary;

/// A 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

/// The start offset of every line of one text.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the first byte of each line; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut position = 0;
        while let Some(found) = bytes[position..]
            .iter()
            .position(|&byte| byte == b'\n' || byte == b'\r')
        {
            let at = position + found;
            let crlf = bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n');
            position = at + if crlf { 2 } else { 1 };
            starts.push(position);
        }
        Self { text, starts }
    }

    /// The line and column of byte `offset`.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        // The last line starting at or before `offset`.
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let column = self.text[self.starts[line]..offset].chars().count() + 1;
        LineColumn {
            line: line + 1,
            column,
        }
    }

    /// The byte range of 1-based `line` without its line break (empty past the end).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len()..self.text.len();
        };
        let end = self.starts.get(line).copied().unwrap_or(self.text.len());
        let content = self.text[start..end].trim_end_matches(['\n', '\r']);
        start..start + content.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, offset: usize) -> (usize, usize) {
        let position = LineIndex::new(text).line_column(offset);
        (position.line, position.column)
    }

    #[test]
    fn counts_every_kind_of_line_break() {
        let text = "a\nb\r\nc\rd";
        assert_eq!(at(text, 0), (1, 1));
        assert_eq!(at(text, 1), (1, 2), "the line break belongs to its line");
        assert_eq!(at(text, 2), (2, 1));
        assert_eq!(at(text, 4), (2, 3), "inside a CRLF");
        assert_eq!(at(text, 5), (3, 1));
        assert_eq!(at(text, 7), (4, 1));
    }

    #[test]
    fn columns_count_characters_and_the_bom() {
        let text = "\u{feff}---\nname: é🎉x\n";
        assert_eq!(at(text, 3), (1, 2), "the BOM is one character");
        let x = text.find('x').unwrap();
        assert_eq!(at(text, x), (2, 9));
        // Inside the emoji: snaps back to its start.
        assert_eq!(at(text, x - 2), (2, 8));
    }

    #[test]
    fn clamps_past_the_end() {
        assert_eq!(at("ab\n", 99), (2, 1));
        assert_eq!(at("", 5), (1, 1));
    }

    #[test]
    fn line_ranges_exclude_the_break() {
        let index = LineIndex::new("ab\r\ncd\n");
        assert_eq!(index.line_range(1), 0..2);
        assert_eq!(index.line_range(2), 4..6);
        assert_eq!(index.line_range(3), 7..7);
        assert_eq!(index.line_range(9), 7..7);
    }
}
