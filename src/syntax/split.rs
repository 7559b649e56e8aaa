//! Finds the frontmatter block exactly as Claude Code's splitter does (spec §2).
//!
//! The rules: a UTF-8 BOM is stripped; the file must *start* with `---` followed by optional
//! whitespace and a newline; the block ends at the first `---` anywhere after the opening line,
//! even in the middle of a line. The splitter reads the document as a sequence of chunks (a rope's
//! chunks or a single `&str`) and stops as soon as it knows the answer, so a keystroke in the body of
//! a huge document never costs time proportional to the body.

use crate::text::{TextRange, floor_char_boundary};

/// Where the frontmatter and the body are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// The document prefix the splitter had to read: everything up to the end of the closing fence
    /// line (and, when the block was cut short, up to the line-anchored fence the author meant).
    /// All ranges index into it; they are also absolute document offsets.
    pub head: String,
    /// The document starts with a UTF-8 byte order mark (3 bytes, skipped).
    pub bom: bool,
    /// The frontmatter, when the document has one that Claude Code recognises.
    pub frontmatter: Option<FrontmatterBlock>,
    /// Why there is no frontmatter, when there is none.
    pub missing: Option<Missing>,
    /// Byte offset at which the body starts.
    pub body_start: usize,
    /// The body holds only whitespace.
    pub body_is_blank: bool,
}

/// The fences and content of a recognised frontmatter block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontmatterBlock {
    /// The opening `---`.
    pub opening: TextRange,
    /// The YAML text between the opening line and the closing `---`: what Claude Code parses.
    pub content: TextRange,
    /// The closing `---` Claude Code uses.
    pub closing: TextRange,
    /// Set when the closing `---` Claude Code uses is not at the start of a line (a value such as
    /// `description: a --- b` cut the block short). Holds the content up to the first
    /// line-anchored `---` after it, i.e. the block the author meant, when there is one.
    pub truncated: Option<Truncation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    /// The content the author meant (up to the line-anchored fence, or to the end of the head
    /// when there is none).
    pub intended_content: TextRange,
    /// The line-anchored `---` that was meant to close the block, if any.
    pub intended_closing: Option<TextRange>,
}

impl FrontmatterBlock {
    /// The closing fence the author meant: the line-anchored one when a `---` inside a value cut
    /// the block short, else the one Claude Code uses.
    pub fn intended_closing(&self) -> TextRange {
        self.truncated
            .as_ref()
            .and_then(|t| t.intended_closing)
            .unwrap_or(self.closing)
    }
}

/// Why a document has no frontmatter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The document is empty or does not start with `---`.
    NoOpeningFence,
    /// The document starts with blank lines and then `---`: Claude Code sees no frontmatter.
    BlankLinesBeforeFence { fence: TextRange },
    /// The first line is `---` but no other `---` follows: the whole file is body.
    Unclosed { opening: TextRange },
}

const BOM: &str = "\u{feff}";
const FENCE: &str = "---";

/// Splits a document given as chunks of text (in order).
pub fn split<'a>(chunks: impl IntoIterator<Item = &'a str>) -> Split {
    let mut reader = Reader {
        chunks: chunks.into_iter(),
        exhausted: false,
    };
    let mut head = String::new();

    // The opening line must be complete before anything can be decided.
    while !head.contains('\n') && reader.pull(&mut head) {}
    let bom = head.starts_with(BOM);
    let start = if bom { BOM.len() } else { 0 };

    let Some((opening, content_start)) = opening_fence(&head, start) else {
        let missing = match blank_lines_then_fence(&mut head, start, &mut reader) {
            Some(fence) => Missing::BlankLinesBeforeFence { fence },
            None => Missing::NoOpeningFence,
        };
        let body_is_blank = reader.rest_is_blank(&head[start..]);
        return Split {
            head,
            bom,
            frontmatter: None,
            missing: Some(missing),
            body_start: start,
            body_is_blank,
        };
    };

    // Lazy search for the first `---` after the opening line.
    let mut searched = content_start;
    let closing_start = loop {
        // A byte search (the fence is ASCII): the head is re-read on every keystroke, and the
        // description before the fence can be kilobytes.
        if let Some(found) = memchr::memmem::find(&head.as_bytes()[searched..], FENCE.as_bytes()) {
            break Some(searched + found);
        }
        // Keep two bytes of overlap: the fence may straddle chunks.
        searched = floor_char_boundary(&head, head.len().saturating_sub(2).max(content_start));
        if !reader.pull(&mut head) {
            break None;
        }
    };
    let Some(closing_start) = closing_start else {
        let body_is_blank = head[content_start..].trim().is_empty();
        return Split {
            body_start: content_start,
            body_is_blank,
            head,
            bom,
            frontmatter: None,
            missing: Some(Missing::Unclosed { opening }),
        };
    };
    let closing = TextRange::new(closing_start, closing_start + FENCE.len());
    // The closing match eats trailing whitespace (`\s*`, newlines included); it may continue
    // into the next chunks, so read on while everything after the fence is whitespace.
    while head[closing.end..].trim_start().is_empty() && reader.pull(&mut head) {}
    let after_fence = &head[closing.end..];
    let body_start = closing.end + (after_fence.len() - after_fence.trim_start().len());

    let at_line_start = closing_start == content_start || head[..closing_start].ends_with('\n');
    let truncated = if at_line_start {
        None
    } else {
        Some(intended_block(
            &mut head,
            content_start,
            closing.end,
            &mut reader,
        ))
    };
    let body_is_blank = reader.rest_is_blank(&head[body_start..]);
    Split {
        head,
        bom,
        frontmatter: Some(FrontmatterBlock {
            opening,
            content: TextRange::new(content_start, closing_start),
            closing,
            truncated,
        }),
        missing: None,
        body_start,
        body_is_blank,
    }
}

/// Pulls chunks into the head on demand.
struct Reader<I> {
    chunks: I,
    exhausted: bool,
}

impl<'a, I: Iterator<Item = &'a str>> Reader<I> {
    /// Appends the next chunk to `head`; false at the end of the document.
    fn pull(&mut self, head: &mut String) -> bool {
        if self.exhausted {
            return false;
        }
        match self.chunks.next() {
            Some(chunk) => {
                head.push_str(chunk);
                true
            }
            None => {
                self.exhausted = true;
                false
            }
        }
    }

    /// Whether `known` and every chunk still to come are whitespace only. Stops at the first
    /// non-whitespace character.
    fn rest_is_blank(&mut self, known: &str) -> bool {
        if !known.trim().is_empty() {
            return false;
        }
        self.exhausted || self.chunks.all(|chunk| chunk.trim().is_empty())
    }
}

/// Splits a whole document held in one string.
pub fn split_str(text: &str) -> Split {
    split(std::iter::once(text))
}

/// `---`, optional spaces/tabs/CR, then a newline, at `start`. Returns the fence range and the
/// offset just after the newline.
fn opening_fence(head: &str, start: usize) -> Option<(TextRange, usize)> {
    let rest = head.get(start..)?;
    let after = rest.strip_prefix(FENCE)?;
    let line_end = after.find('\n')?;
    if !after[..line_end].chars().all(char::is_whitespace) {
        return None;
    }
    let fence = TextRange::new(start, start + FENCE.len());
    Some((fence, fence.end + line_end + 1))
}

/// Detects blank lines followed by an opening fence: the common "blank line before `---`" mistake.
fn blank_lines_then_fence<'a>(
    head: &mut String,
    start: usize,
    reader: &mut Reader<impl Iterator<Item = &'a str>>,
) -> Option<TextRange> {
    loop {
        let rest = &head[start..];
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        let whole_lines = rest[..skipped].rfind('\n').map(|i| i + 1);
        // Decided once the first non-blank line is either not a fence or complete (the fence
        // line's newline may still be in the next chunk).
        let decided =
            trimmed.len() >= FENCE.len() && (!trimmed.starts_with(FENCE) || trimmed.contains('\n'));
        if decided || !reader.pull(head) {
            let fence_start = start + whole_lines?;
            return opening_fence(head, fence_start).map(|(fence, _)| fence);
        }
    }
}

/// When Claude Code's lazy fence search stopped mid-line, looks for the line-anchored `---` the
/// author meant (reading on only as far as needed).
fn intended_block<'a>(
    head: &mut String,
    content_start: usize,
    search_from: usize,
    reader: &mut Reader<impl Iterator<Item = &'a str>>,
) -> Truncation {
    let mut offset = search_from;
    loop {
        let Some(found) = memchr::memmem::find(&head.as_bytes()[offset..], b"\n---") else {
            // Keep four bytes of overlap: `\n---` may straddle chunks.
            offset = floor_char_boundary(head, head.len().saturating_sub(4).max(offset));
            if reader.pull(head) {
                continue;
            }
            return Truncation {
                intended_content: TextRange::new(content_start, head.len()),
                intended_closing: None,
            };
        };
        let fence_start = offset + found + 1;
        let fence_end = fence_start + FENCE.len();
        let Some(line_end) = head[fence_end..].find('\n').map(|i| fence_end + i) else {
            // The fence line is not complete yet: read on and look at the same candidate again.
            if reader.pull(head) {
                continue;
            }
            let rest_of_line = &head[fence_end..];
            return if rest_of_line.chars().all(char::is_whitespace) {
                Truncation {
                    intended_content: TextRange::new(content_start, fence_start),
                    intended_closing: Some(TextRange::new(fence_start, fence_end)),
                }
            } else {
                Truncation {
                    intended_content: TextRange::new(content_start, head.len()),
                    intended_closing: None,
                }
            };
        };
        if head[fence_end..line_end].chars().all(char::is_whitespace) {
            return Truncation {
                intended_content: TextRange::new(content_start, fence_start),
                intended_closing: Some(TextRange::new(fence_start, fence_end)),
            };
        }
        offset = fence_start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(text: &str) -> Option<&str> {
        let split = split_str(text);
        split
            .frontmatter
            .map(|block| &text[block.content.as_range()])
    }

    #[test]
    fn simple_block() {
        let text = "---\nname: a\n---\nBody\n";
        let split = split_str(text);
        let block = split.frontmatter.unwrap();
        assert_eq!(&text[block.content.as_range()], "name: a\n");
        assert_eq!(block.opening, TextRange::new(0, 3));
        assert_eq!(block.closing, TextRange::new(12, 15));
        assert_eq!(&text[split.body_start..], "Body\n");
        assert!(!split.body_is_blank);
        assert!(block.truncated.is_none());
    }

    #[test]
    fn bom_is_skipped() {
        let text = "\u{feff}---\nname: a\n---\n";
        let split = split_str(text);
        assert!(split.bom);
        let block = split.frontmatter.unwrap();
        assert_eq!(block.opening, TextRange::new(3, 6));
        assert!(split.body_is_blank);
    }

    #[test]
    fn crlf_and_trailing_spaces_on_fences() {
        assert_eq!(
            content("--- \r\nname: a\r\n---  \r\nx"),
            Some("name: a\r\n")
        );
    }

    #[test]
    fn closing_fence_mid_line_truncates() {
        let text = "---\ndescription: before --- after\nmodel: haiku\n---\nBody";
        let split = split_str(text);
        let block = split.frontmatter.unwrap();
        assert_eq!(&text[block.content.as_range()], "description: before ");
        assert_eq!(&text[split.body_start..], "after\nmodel: haiku\n---\nBody");
        let truncation = block.truncated.unwrap();
        assert_eq!(
            &text[truncation.intended_content.as_range()],
            "description: before --- after\nmodel: haiku\n"
        );
        assert_eq!(truncation.intended_closing.map(|r| r.start), Some(47));
    }

    #[test]
    fn body_glued_to_closing_fence() {
        let text = "---\nname: a\n---body text";
        let split = split_str(text);
        assert_eq!(&text[split.body_start..], "body text");
    }

    #[test]
    fn missing_cases() {
        assert_eq!(split_str("").missing, Some(Missing::NoOpeningFence));
        assert_eq!(
            split_str("# Title\n").missing,
            Some(Missing::NoOpeningFence)
        );
        assert_eq!(
            split_str("----\nname: a\n---\n").missing,
            Some(Missing::NoOpeningFence)
        );
        assert_eq!(split_str("---").missing, Some(Missing::NoOpeningFence));
        assert_eq!(
            split_str("\n---\nname: a\n---\n").missing,
            Some(Missing::BlankLinesBeforeFence {
                fence: TextRange::new(1, 4)
            })
        );
        assert_eq!(
            split_str("---\nname: a\n").missing,
            Some(Missing::Unclosed {
                opening: TextRange::new(0, 3)
            })
        );
        assert_eq!(
            split_str("  ---\nname: a\n  ---\n").missing,
            Some(Missing::NoOpeningFence)
        );
    }

    #[test]
    fn empty_frontmatter() {
        assert_eq!(content("---\n---\n"), Some(""));
    }

    #[test]
    fn chunks_give_the_same_answer_as_one_string() {
        let text = "\u{feff}---\r\nname: é😀\ndescription: a --- b\nmodel: x\n---\nbody ---\n\n";
        let whole = split_str(text);
        for size in 1..text.len() {
            let mut chunks = Vec::new();
            let mut rest = text;
            while !rest.is_empty() {
                let mut cut = size.min(rest.len());
                while !rest.is_char_boundary(cut) {
                    cut += 1;
                }
                chunks.push(&rest[..cut]);
                rest = &rest[cut..];
            }
            let split = split(chunks);
            assert_eq!(split.frontmatter, whole.frontmatter, "chunk size {size}");
            assert_eq!(split.body_start, whole.body_start, "chunk size {size}");
            assert_eq!(
                split.body_is_blank, whole.body_is_blank,
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn stops_reading_after_the_frontmatter() {
        let mut pulled = 0;
        let chunks = ["---\nname: a\n---\nbody", " more", " and more"]
            .into_iter()
            .inspect(|_| pulled += 1);
        let split = split(chunks);
        assert!(!split.body_is_blank);
        assert_eq!(pulled, 1);
    }
}
