//! Byte ranges: the one coordinate system used inside agentls (UTF-8 byte offsets into the document).

use std::fmt;
use std::ops::Range;

/// The line ending a text uses: `\r\n` when its first line break is one, else `\n`.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// The start of the line that holds byte `offset` of `text`: just after the last `\n` or `\r`
/// before it, as the rope breaks lines (a lone `\r` ends one too; an offset inside a CRLF counts
/// as after its `\r`). A byte search: a description line can be kilobytes long, and this runs
/// on every keystroke.
pub fn line_start(text: &str, offset: usize) -> usize {
    memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..offset]).map_or(0, |i| i + 1)
}

/// The largest char boundary of `text` at or before `index` (at most `text.len()`).
pub fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// A half-open range of UTF-8 byte offsets into a document (`start..end`).
///
/// Every key, value and error produced by the parser carries one; conversion to editor
/// positions happens only in [`crate::line_index`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Self { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// True when `offset` lies inside the range or touches its end (a cursor right after a token
    /// still "belongs" to it for completion and hover).
    pub const fn contains_inclusive(self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The range shifted right by `delta` bytes.
    pub const fn shift(self, delta: usize) -> Self {
        Self::new(self.start + delta, self.end + delta)
    }

    /// The smallest range covering both.
    pub fn cover(self, other: Self) -> Self {
        Self::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn as_range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<Range<usize>> for TextRange {
    fn from(range: Range<usize>) -> Self {
        Self::new(range.start, range.end)
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl fmt::Display for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_follow_every_line_break() {
        let text = "a\nbc\r\nd\re";
        let starts: Vec<usize> = (0..=text.len()).map(|at| line_start(text, at)).collect();
        // Offset 5 sits between a CRLF's `\r` and `\n`: callers step back from it first.
        assert_eq!(starts, [0, 0, 2, 2, 2, 5, 6, 6, 8, 8]);
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("---\r\nname: a\n"), "\r\n");
        assert_eq!(line_ending("---\nname: a\r\n"), "\n");
        assert_eq!(line_ending("no break"), "\n");
    }

    #[test]
    fn cover_and_contains() {
        let a = TextRange::new(2, 5);
        let b = TextRange::new(4, 9);
        assert_eq!(a.cover(b), TextRange::new(2, 9));
        assert!(a.contains(2) && !a.contains(5));
        assert!(a.contains_inclusive(5));
        assert_eq!(a.shift(3), TextRange::new(5, 8));
        assert_eq!(TextRange::from(1..4).len(), 3);
    }
}
