//! The estimated token count of the body (the system prompt), shown as an inlay hint.
//!
//! The estimate is UTF-8 bytes / 4, rounded up: the common "about four characters per token"
//! rule for English prose and code, counted in bytes rather than characters because the byte
//! length is known without reading the body (`len - body_start`: O(1) on a 5 MB document, no
//! copy), and because scripts that take 2–4 bytes a character (accents, CJK, emoji) are split into
//! more tokens than Latin text, which bytes track better than characters do. A real tokenizer
//! differs per model; the label says `≈`.

use super::Analysis;
use crate::schema::LoaderKind;
use crate::text::TextRange;

/// UTF-8 bytes per token in the estimate.
const BYTES_PER_TOKEN: usize = 4;

/// A label shown inline in the editor, at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    /// Markdown.
    pub tooltip: String,
}

/// The estimated token count of `bytes` bytes of UTF-8 text (rounded up, so that any text is at
/// least one token).
pub const fn estimate_tokens(bytes: usize) -> usize {
    bytes.div_ceil(BYTES_PER_TOKEN)
}

/// `≈ 1 token`, `≈ 850 tokens`, `≈ 1.2k tokens`, `≈ 12k tokens`, `≈ 1.3M tokens`.
pub fn format_tokens(tokens: usize) -> String {
    let amount = match tokens {
        0..1_000 => tokens.to_string(),
        // Below 999.5k, since that rounds to `1000k`.
        1_000..999_500 => scaled(tokens, 1_000, "k"),
        _ => scaled(tokens, 1_000_000, "M"),
    };
    let unit = if tokens == 1 { "token" } else { "tokens" };
    format!("≈ {amount} {unit}")
}

/// `tokens / unit` rounded, with one decimal below 10 (`1.2k`, `12k`; `1.0k` is `1k`).
fn scaled(tokens: usize, unit: usize, suffix: &str) -> String {
    let tenths = tokens.saturating_mul(10).saturating_add(unit / 2) / unit;
    match (tenths < 100, tenths % 10) {
        (true, 0) => format!("{}{suffix}", tenths / 10),
        (true, tenth) => format!("{}.{tenth}{suffix}", tenths / 10),
        (false, _) => format!("{}{suffix}", tokens.saturating_add(unit / 2) / unit),
    }
}

impl Analysis {
    /// The inlay hints whose position lies in `range`: the body's token estimate, at the end of
    /// the closing fence line (or at the start of the body when there is no frontmatter).
    pub fn inlay_hints(&self, range: TextRange) -> Vec<InlayHint> {
        self.token_hint()
            .filter(|hint| range.contains_inclusive(hint.offset))
            .into_iter()
            .collect()
    }

    fn token_hint(&self) -> Option<InlayHint> {
        // Every dialect's body is what the tool sends the model (a system prompt, command,
        // rule or instructions), so every dialect gets the hint; unknown files get none.
        let dialect = self.dialect_schema()?;
        let head = self.head();
        let (offset, body_start) = match &self.split.frontmatter {
            // Claude Code ends the block at the first `---`, even mid-line; the other tools at
            // the `---` line the author meant.
            Some(block) if dialect.loader != LoaderKind::ClaudeCode => {
                let closing = block.intended_closing();
                let line_end = line_end(head, closing.end).unwrap_or(self.split.body_start);
                let body_start = if closing == block.closing {
                    self.split.body_start
                } else {
                    (line_end + 1).min(self.len)
                };
                (line_end, body_start)
            }
            Some(block) => (
                line_end(head, block.closing.end).unwrap_or(self.split.body_start),
                self.split.body_start,
            ),
            None => (self.split.body_start, self.split.body_start),
        };
        let bytes = if self.split.body_is_blank {
            0
        } else {
            self.len.saturating_sub(body_start)
        };
        let tokens = estimate_tokens(bytes);
        Some(InlayHint {
            offset,
            label: format_tokens(tokens),
            tooltip: format!(
                "Estimated size of the body ({} sends it to the model): {bytes} bytes, about \
                 {BYTES_PER_TOKEN} bytes per token. The exact count depends on the model's \
                 tokenizer.",
                dialect.tool
            ),
        })
    }
}

/// The end of the line holding `from` (before its `\r\n` or `\n`), when `head` holds it.
fn line_end(head: &str, from: usize) -> Option<usize> {
    let rest = head.get(from..)?;
    let newline = from + rest.find('\n')?;
    Some(if head[..newline].ends_with('\r') {
        newline - 1
    } else {
        newline
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn hints(path: &str, text: &str) -> Vec<InlayHint> {
        Analysis::from_text(Some(Path::new(path)), text).inlay_hints(TextRange::new(0, text.len()))
    }

    fn hint(path: &str, text: &str) -> (usize, String) {
        let hints = hints(path, text);
        assert_eq!(hints.len(), 1, "{hints:?}");
        (hints[0].offset, hints[0].label.clone())
    }

    #[test]
    fn estimates() {
        assert_eq!(estimate_tokens(0), 0);
        assert_eq!(estimate_tokens(1), 1);
        assert_eq!(estimate_tokens(4), 1);
        assert_eq!(estimate_tokens(5), 2);
        assert_eq!(estimate_tokens(4_800), 1_200);
    }

    #[test]
    fn labels() {
        let cases = [
            (0, "≈ 0 tokens"),
            (1, "≈ 1 token"),
            (999, "≈ 999 tokens"),
            (1_000, "≈ 1k tokens"),
            (1_234, "≈ 1.2k tokens"),
            (1_250, "≈ 1.3k tokens"),
            (9_949, "≈ 9.9k tokens"),
            (9_950, "≈ 10k tokens"),
            (123_456, "≈ 123k tokens"),
            (999_499, "≈ 999k tokens"),
            (999_500, "≈ 1M tokens"),
            (1_310_720, "≈ 1.3M tokens"),
            (25_000_000, "≈ 25M tokens"),
        ];
        for (tokens, label) in cases {
            assert_eq!(format_tokens(tokens), label, "{tokens}");
        }
    }

    #[test]
    fn at_the_end_of_the_closing_fence_line() {
        // Body: "You review code.\n" = 17 bytes → 5 tokens. The closing fence is bytes 27..30.
        let text = "---\nname: a\ndescription: b\n---\nYou review code.\n";
        assert_eq!(&text[27..30], "---");
        assert_eq!(
            hint(".claude/agents/a.md", text),
            (30, "≈ 5 tokens".to_owned())
        );
        // CRLF: before the `\r`; trailing spaces on the fence line stay before the hint.
        let crlf = "---\r\nname: a\r\n---  \r\n\r\nBody text here\r\n";
        assert_eq!(hint(".claude/agents/a.md", crlf), (19, "≈ 4 tokens".into()));
        assert_eq!(&crlf[14..19], "---  ");
    }

    #[test]
    fn without_frontmatter_at_the_start_of_the_body() {
        let text = "Just a prompt.\n";
        assert_eq!(hint(".claude/agents/a.md", text), (0, "≈ 4 tokens".into()));
        // A BOM is not body.
        let bom = "\u{feff}Just a prompt.\n";
        assert_eq!(hint(".claude/agents/a.md", bom), (3, "≈ 4 tokens".into()));
        // An unclosed block is all body, for Claude Code.
        let unclosed = "---\nname: a\n";
        assert_eq!(
            hint(".claude/agents/a.md", unclosed),
            (4, "≈ 2 tokens".into())
        );
    }

    #[test]
    fn blank_or_missing_bodies_cost_nothing() {
        assert_eq!(
            hint(".claude/agents/a.md", "---\nname: a\n---\n\n  \n"),
            (15, "≈ 0 tokens".into())
        );
        assert_eq!(
            hint(".claude/agents/a.md", "---\nname: a\n---"),
            (15, "≈ 0 tokens".into())
        );
    }

    #[test]
    fn the_body_starts_where_each_tool_ends_the_block() {
        // Claude Code ends the block at the `---` inside the description (byte 19); the body is
        // "b\nname: a\n---\nBody\n" (19 bytes → 5 tokens), hinted at the end of line 2.
        let text = "---\ndescription: a --- b\nname: a\n---\nBody\n";
        assert_eq!(hint(".claude/agents/a.md", text), (24, "≈ 5 tokens".into()));
        // OpenCode ends it at the `---` line: the body is "Body\n".
        assert_eq!(
            hint(".opencode/agent/a.md", text),
            (36, "≈ 2 tokens".into())
        );
    }

    #[test]
    fn only_inside_the_requested_range_and_only_for_known_files() {
        let text = "---\nname: a\n---\nBody\n";
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        assert_eq!(analysis.inlay_hints(TextRange::new(15, 15)).len(), 1);
        assert_eq!(analysis.inlay_hints(TextRange::new(0, 14)), []);
        assert_eq!(analysis.inlay_hints(TextRange::new(16, 21)), []);
        assert_eq!(hints("notes/a.md", text), []);
    }

    #[test]
    fn large_documents_are_counted_without_their_text() {
        let body = "word ".repeat(1_000_000);
        let text = format!("---\nname: a\n---\n{body}");
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), &text);
        // Claude Code agents keep no text (and 5 MB is over the limit for those that do): the
        // estimate comes from the length alone.
        assert!(analysis.text.is_none());
        let hints = analysis.inlay_hints(TextRange::new(0, text.len()));
        assert_eq!(hints[0].label, "≈ 1.3M tokens");
    }
}
