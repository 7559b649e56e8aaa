//! A reference model of LSP positions and text edits on a plain `String`, written independently of
//! `agentls::line_index` (no rope, no shared code) so the two can be compared.
//!
//! The model follows the documented semantics of `agentls::line_index`: line breaks are `\n`,
//! `\r\n` and a lone `\r`; a line past the end maps to the end of the document; a column past the
//! end of a line maps to the end of the line's content (before its break); a column inside a
//! character snaps back to the start of that character; a reversed range becomes empty at its
//! start.
//!
//! Shared by the `edits` fuzz target and `tests/proptest_edits.rs` (included with `#[path]`), so it
//! uses std only.

/// The unit LSP columns are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Units {
    Utf8,
    Utf16,
}

impl Units {
    /// The width of `ch` in these units.
    pub fn width(self, ch: char) -> usize {
        match self {
            Self::Utf8 => ch.len_utf8(),
            Self::Utf16 => ch.len_utf16(),
        }
    }
}

/// A line of the model: where its content starts and ends (the break excluded), in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
}

/// The lines of `text`, as LSP counts them: a document with `n` line breaks has `n + 1` lines
/// (the last one possibly empty).
pub fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(Line { start, end: i });
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(Line { start, end: i });
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push(Line {
        start,
        end: text.len(),
    });
    lines
}

/// The byte offset of the LSP position `(line, column)`, clamped as documented.
pub fn offset(text: &str, line: u32, column: u32, units: Units) -> usize {
    let Some(&Line { start, end }) = lines(text).get(line as usize) else {
        return text.len();
    };
    let column = column as usize;
    let mut seen = 0;
    for (index, ch) in text[start..end].char_indices() {
        let width = units.width(ch);
        if seen + width > column {
            return start + index;
        }
        seen += width;
    }
    end
}

/// The LSP position of byte `offset`, which must be a char boundary that is not between the `\r`
/// and the `\n` of a CRLF.
pub fn position(text: &str, offset: usize, units: Units) -> (u32, u32) {
    assert!(
        text.is_char_boundary(offset),
        "offset {offset} is not a char boundary"
    );
    let lines = lines(text);
    let line = lines
        .iter()
        .rposition(|line| line.start <= offset)
        .expect("line 0 starts at 0");
    let start = lines[line].start;
    assert!(
        offset <= lines[line].end,
        "offset {offset} is inside a line break"
    );
    let column: usize = text[start..offset].chars().map(|ch| units.width(ch)).sum();
    (to_u32(line), to_u32(column))
}

/// The offsets a client can express as positions: char boundaries, except between `\r` and `\n`.
pub fn expressible_offsets(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    (0..=text.len())
        .filter(|&offset| {
            text.is_char_boundary(offset)
                && !(offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n'))
        })
        .collect()
}

/// One LSP content change, in plain numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `((start line, start column), (end line, end column))`; `None` replaces the whole text.
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

/// Applies one change to the model, with the documented clamping.
pub fn apply(text: &mut String, change: &Change, units: Units) {
    match change.range {
        None => change.text.clone_into(text),
        Some(((start_line, start_column), (end_line, end_column))) => {
            let start = offset(text, start_line, start_column, units);
            let end = offset(text, end_line, end_column, units).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// Interesting fragments for generated text: multi-byte and astral characters, combining marks,
/// every kind of line break, a BOM and frontmatter syntax.
pub const FRAGMENTS: &[&str] = &[
    "a",
    "name",
    ": ",
    "\n",
    "\r\n",
    "\r",
    "---",
    "---\n",
    "😀",
    "👩\u{200d}👩\u{200d}👧",
    "中文字",
    "e\u{301}",
    "\u{301}",
    "\u{feff}",
    "é",
    " ",
    "\t",
    "#",
    "description: ",
    "tools: [Read, ",
    "color: blue",
    "model: sonnet",
    "'",
    "\"",
    "- ",
    "|\n  ",
    "{",
    "}",
];

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).expect("test documents are small")
}
