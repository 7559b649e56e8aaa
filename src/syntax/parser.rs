//! Tolerant YAML-subset parser for frontmatter blocks (winnow), keeping exact byte spans.
//!
//! The block structure (mappings, sequences, block scalars, multi-line plain scalars) is driven
//! by the indentation of pre-split lines; the content of a line (keys, scalars, flow collections,
//! comments, escapes) is tokenised with winnow parsers. The parser never fails: anything it
//! cannot make sense of becomes an entry without a colon, an error node or a skipped line, plus
//! a [`SyntaxError`]. Recursion is bounded by [`MAX_DEPTH`] and every loop makes progress, so
//! hostile input costs linear time and bounded stack.

use winnow::Parser;
use winnow::combinator::{alt, opt};
use winnow::error::EmptyError;
use winnow::token::{take_till, take_while};

use super::tree::{
    Entry, Frontmatter, Mapping, Node, NodeKind, Scalar, ScalarStyle, Sequence, SyntaxError,
};
use crate::text::TextRange;

/// Deepest nesting of block and flow collections before the parser gives up on a subtree.
const MAX_DEPTH: usize = 64;

/// Structural width of a tab in leading whitespace (YAML forbids it; we still need a number).
const TAB_WIDTH: usize = 2;

type PResult<T> = winnow::Result<T, EmptyError>;

/// Parses the frontmatter YAML `text`, which starts at absolute byte offset `base` in the
/// document. Never fails and never panics: broken lines become error nodes.
pub fn parse_frontmatter(text: &str, base: usize) -> Frontmatter {
    Yaml::new(text, base).parse()
}

/// One source line, all offsets local to the frontmatter text.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    /// End of the line's text, excluding the line break (`\n`, `\r\n` or a lone `\r`).
    end: usize,
    /// Start of the next line (equal to `end` for the last line, which has no break).
    next: usize,
    /// First byte after the leading spaces and tabs (`end` for a blank line).
    content: usize,
    /// Structural indentation: spaces count 1, tabs [`TAB_WIDTH`].
    indent: usize,
}

impl Line {
    fn is_blank(&self) -> bool {
        self.content >= self.end
    }

    fn has_break(&self) -> bool {
        self.next > self.end
    }
}

/// Splits `text` into lines with winnow; a trailing empty line is kept so that every offset,
/// including `text.len()`, belongs to a line.
fn split_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut input = text;
    loop {
        let start = text.len() - input.len();
        // Leading whitespace by hand: it is the hottest loop on pathological inputs (megabytes
        // of indentation) and a plain byte scan is several times faster than the combinator.
        let mut indent = 0;
        let mut leading = 0;
        for &b in input.as_bytes() {
            match b {
                b' ' => indent += 1,
                b'\t' => indent += TAB_WIDTH,
                _ => break,
            }
            leading += 1;
        }
        input = input.get(leading..).unwrap_or("");
        let parsed: PResult<(&str, Option<&str>)> =
            (take_till(0.., ['\r', '\n']), opt(alt(("\r\n", "\n", "\r")))).parse_next(&mut input);
        let Ok((body, brk)) = parsed else {
            break;
        };
        let content = start + leading;
        let end = content + body.len();
        lines.push(Line {
            start,
            end,
            next: text.len() - input.len(),
            content,
            indent,
        });
        if brk.is_none() {
            break;
        }
    }
    lines
}

fn is_blank_byte(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Characters that end an anchor, tag or alias name.
fn is_name_end(c: char) -> bool {
    matches!(c, ' ' | '\t' | ',' | '[' | ']' | '{' | '}')
}

/// A key token found on a line: `start..end` is the token (quotes included), `colon` the `:`.
#[derive(Clone, Copy, Debug)]
struct KeySpan {
    start: usize,
    end: usize,
    colon: usize,
    quote: Option<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// Result of scanning a quoted scalar: the scalar, the range from the opening quote to the
/// closing one (or the end of the content when unterminated), and the scan position after it.
struct Quoted {
    scalar: Scalar,
    range: TextRange,
    end: usize,
}

struct Yaml<'a> {
    text: &'a str,
    base: usize,
    lines: Vec<Line>,
    /// Lines whose leading whitespace was already checked for tabs (report once per line).
    tab_checked: Vec<bool>,
    comments: Vec<TextRange>,
    errors: Vec<SyntaxError>,
}

impl<'a> Yaml<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let lines = split_lines(text);
        let tab_checked = vec![false; lines.len()];
        Self {
            text,
            base,
            lines,
            tab_checked,
            comments: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn parse(mut self) -> Frontmatter {
        let mut li = 0;
        let mut entries = Vec::new();
        // The top-level mapping sits at the indentation of its first line (normally 0).
        let top = self.peek_content(0).map_or(0, |j| self.lines[j].indent);
        loop {
            self.skip_trivia(&mut li);
            let Some(&line) = self.lines.get(li) else {
                break;
            };
            self.check_tabs(li);
            if line.indent > top {
                self.unexpected_line(&mut li);
                continue;
            }
            entries.push(self.entry(&mut li, line.content, line.indent, 0));
        }
        // Sub-parsers report errors when they detect them, which is not always source order.
        self.errors.sort_by_key(|e| (e.range.start, e.range.end));
        self.comments.sort_by_key(|c| c.start);
        self.comments.dedup();
        Frontmatter {
            entries,
            comments: self.comments,
            errors: self.errors,
        }
    }

    // ----- small helpers -------------------------------------------------------------------

    fn range(&self, start: usize, end: usize) -> TextRange {
        TextRange::new(self.base + start, self.base + end)
    }

    fn error(&mut self, start: usize, end: usize, message: &str) {
        let range = self.range(start, end);
        self.errors.push(SyntaxError {
            range,
            message: message.to_owned(),
        });
    }

    fn comment(&mut self, start: usize, end: usize) {
        let range = self.range(start, end);
        self.comments.push(range);
    }

    /// Never panics: an out-of-range or mid-character slice is empty.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The byte at `pos`, or 0 past the end (0 never has a meaning for the parser).
    fn byte(&self, pos: usize) -> u8 {
        self.text.as_bytes().get(pos).copied().unwrap_or(0)
    }

    /// End of the character starting at `pos`.
    fn char_end(&self, pos: usize) -> usize {
        pos + self
            .text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8)
    }

    /// Runs a winnow parser on `text[pos..end]`; returns its output and the position after it.
    fn run<O>(
        &self,
        pos: usize,
        end: usize,
        mut parser: impl Parser<&'a str, O, EmptyError>,
    ) -> Option<(O, usize)> {
        let mut input = self.text.get(pos..end)?;
        let out = parser.parse_next(&mut input).ok()?;
        Some((out, end - input.len()))
    }

    /// Position of the first character of `text[pos..end]` matching `stop` (or `end`).
    fn find(&self, pos: usize, end: usize, stop: impl Fn(char) -> bool) -> usize {
        self.run(pos, end, take_till(0.., stop))
            .map_or(end, |(_, p)| p)
    }

    fn skip_blanks(&self, pos: usize, end: usize) -> usize {
        self.run(pos, end, take_while(0.., [' ', '\t']))
            .map_or(pos.min(end), |(_, p)| p)
    }

    /// `end` moved back over trailing spaces and tabs, but not before `start`.
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && is_blank_byte(self.byte(end - 1)) {
            end -= 1;
        }
        end
    }

    fn line_of(&self, pos: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= pos)
            .saturating_sub(1)
    }

    fn is_trivia(&self, li: usize) -> bool {
        self.lines
            .get(li)
            .is_some_and(|l| l.is_blank() || self.byte(l.content) == b'#')
    }

    /// Next line at or after `li` that is neither blank nor a comment, without consuming.
    fn peek_content(&self, mut li: usize) -> Option<usize> {
        while self.is_trivia(li) {
            li += 1;
        }
        (li < self.lines.len()).then_some(li)
    }

    /// Consumes blank and comment lines, recording the comments.
    fn skip_trivia(&mut self, li: &mut usize) {
        while self.is_trivia(*li) {
            let line = self.lines[*li];
            if !line.is_blank() {
                self.comment(line.content, line.end);
            }
            *li += 1;
        }
    }

    fn check_tabs(&mut self, li: usize) {
        let Some(line) = self.lines.get(li).copied() else {
            return;
        };
        if self.tab_checked[li] {
            return;
        }
        self.tab_checked[li] = true;
        if self.slice(line.start, line.content).contains('\t') {
            self.error(line.start, line.content, "tab used for indentation");
        }
    }

    /// True after `:` / `-` / `?` when the indicator is followed by a blank or the line end.
    fn sep_after(&self, pos: usize, end: usize) -> bool {
        pos >= end || is_blank_byte(self.byte(pos))
    }

    fn is_seq_at(&self, pos: usize, end: usize) -> bool {
        pos < end && self.byte(pos) == b'-' && self.sep_after(pos + 1, end)
    }

    /// Does line `li` start a block construct (`key:` or `- `)? Used to stop unterminated
    /// quoted scalars and unclosed flow collections before they swallow the following keys.
    fn starts_block(&self, li: usize, owner: usize) -> bool {
        let Some(line) = self.lines.get(li) else {
            return false;
        };
        !line.is_blank()
            && line.indent <= owner
            && (self.is_seq_at(line.content, line.end)
                || self.scan_key(line.content, line.end).is_some())
    }

    /// Finds the closing quote of a quoted token on the same line.
    fn closing_quote(&self, open: usize, end: usize) -> Option<usize> {
        let quote = self.byte(open);
        let mut p = open + 1;
        loop {
            p = self.find(p, end, |c| {
                c == quote as char || (quote == b'"' && c == '\\')
            });
            if p >= end {
                return None;
            }
            match self.byte(p) {
                b'\\' if quote == b'"' => p = self.char_end(p + 1).max(p + 1),
                b'\'' if self.byte(p + 1) == b'\'' && p + 1 < end => p += 2,
                _ => return Some(p),
            }
        }
    }

    /// Recognises `key:` at `pos` (a colon followed by a blank or the line end). A ` #` before
    /// the colon makes the line a non-key (the rest is a comment).
    fn scan_key(&self, pos: usize, end: usize) -> Option<KeySpan> {
        if pos >= end {
            return None;
        }
        let first = self.byte(pos);
        match first {
            b'"' | b'\'' => {
                let close = self.closing_quote(pos, end)?;
                let after = self.skip_blanks(close + 1, end);
                (self.byte(after) == b':' && after < end && self.sep_after(after + 1, end)).then(
                    || KeySpan {
                        start: pos,
                        end: close + 1,
                        colon: after,
                        quote: Some(first),
                    },
                )
            }
            b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%'
            | b'@' | b'`' => None,
            b'-' | b'?' | b':' if self.sep_after(pos + 1, end) => None,
            _ => {
                let mut p = pos;
                loop {
                    p = self.find(p, end, |c| c == ':' || c == '#');
                    if p >= end {
                        return None;
                    }
                    match self.byte(p) {
                        b':' if self.sep_after(p + 1, end) => {
                            let key_end = self.trim_end(pos, p);
                            return Some(KeySpan {
                                start: pos,
                                end: key_end,
                                colon: p,
                                quote: None,
                            });
                        }
                        b'#' if p > pos && is_blank_byte(self.byte(p - 1)) => return None,
                        _ => p += 1,
                    }
                }
            }
        }
    }

    /// Scans a plain scalar's text on one line: returns the trimmed end of the value and the
    /// start of a ` #` comment that cuts it, if any.
    fn scan_plain_line(&self, pos: usize, end: usize) -> (usize, Option<usize>) {
        let mut p = pos;
        loop {
            p = self.find(p, end, |c| c == '#');
            if p >= end {
                return (self.trim_end(pos, end), None);
            }
            if p == pos || is_blank_byte(self.byte(p - 1)) {
                return (self.trim_end(pos, p), Some(p));
            }
            p += 1;
        }
    }

    /// First `:` followed by a blank (or ending the segment) in `text[pos..end]`.
    fn mapping_colon(&self, pos: usize, end: usize) -> Option<usize> {
        let mut p = pos;
        loop {
            p = self.find(p, end, |c| c == ':');
            if p >= end {
                return None;
            }
            if self.sep_after(p + 1, end) {
                return Some(p);
            }
            p += 1;
        }
    }

    fn scalar_node(&self, range: TextRange, scalar: Scalar) -> Node {
        Node {
            range,
            anchor: None,
            tag: None,
            kind: NodeKind::Scalar(scalar),
        }
    }

    /// A null node (`key: &a` with nothing after, or `-` alone), empty at `pos`.
    fn empty_node(&self, pos: usize) -> Node {
        let range = self.range(pos, pos);
        self.scalar_node(
            range,
            Scalar {
                style: ScalarStyle::Plain,
                value: String::new(),
                content: range,
                multiline: false,
                cut_comment: None,
                terminated: true,
            },
        )
    }

    // ----- block structure -----------------------------------------------------------------

    /// An indented line that belongs to nothing: reported and skipped.
    fn unexpected_line(&mut self, li: &mut usize) {
        if let Some(line) = self.lines.get(*li).copied() {
            let end = self.trim_end(line.content, line.end);
            self.error(line.content, end, "unexpected indentation");
        }
        *li += 1;
    }

    /// Skips to the next line at exactly `indent` (reporting more-indented strays). For a
    /// sequence the line must also start with `- `. Returns the position of its content.
    fn next_sibling(&mut self, li: &mut usize, indent: usize, seq: bool) -> Option<usize> {
        loop {
            self.skip_trivia(li);
            let line = *self.lines.get(*li)?;
            if line.indent < indent {
                return None;
            }
            if line.indent > indent {
                self.check_tabs(*li);
                self.unexpected_line(li);
                continue;
            }
            if seq && !self.is_seq_at(line.content, line.end) {
                return None;
            }
            self.check_tabs(*li);
            return Some(line.content);
        }
    }

    /// One mapping entry whose key starts at `pos` on line `*li`; `indent` is the structural
    /// column of the mapping. A line without `key:` becomes a colon-less entry.
    fn entry(&mut self, li: &mut usize, pos: usize, indent: usize, depth: usize) -> Entry {
        let line = self.lines[*li];
        let column = pos - line.start;
        let Some(key) = self.scan_key(pos, line.end) else {
            let (end, comment) = self.scan_plain_line(pos, line.end);
            if let Some(c) = comment {
                self.comment(c, line.end);
            }
            let key_range = self.range(pos, end);
            self.error(pos, end, "expected `key: value`");
            *li += 1;
            return Entry {
                key: self.slice(pos, end).to_owned(),
                key_range,
                colon: None,
                value: None,
                indent: column,
                range: key_range,
            };
        };
        let text = match key.quote {
            Some(_) => self.quoted(key.start, None).scalar.value,
            None => self.slice(key.start, key.end).to_owned(),
        };
        let colon = self.range(key.colon, key.colon + 1);
        let value = self.value_after_colon(li, key.colon + 1, indent, depth);
        let end = value.as_ref().map_or(colon.end, |v| v.range.end);
        Entry {
            key: text,
            key_range: self.range(key.start, key.end),
            colon: Some(colon),
            value,
            indent: column,
            range: TextRange::new(self.base + key.start, end),
        }
    }

    /// The value after a block key's colon: inline on the same line, or a block node below.
    fn value_after_colon(
        &mut self,
        li: &mut usize,
        pos: usize,
        owner: usize,
        depth: usize,
    ) -> Option<Node> {
        let line = self.lines[*li];
        let p = self.skip_blanks(pos, line.end);
        if p >= line.end || self.byte(p) == b'#' {
            if p < line.end {
                self.comment(p, line.end);
            }
            *li += 1;
            return self.block_below(li, owner, depth, true);
        }
        Some(self.inline_node(li, p, owner, depth))
    }

    /// A node on the lines after `*li`, more indented than `owner` (or a `- ` sequence at the
    /// same indentation when `same_indent_seq`, which YAML allows for mapping values).
    fn block_below(
        &mut self,
        li: &mut usize,
        owner: usize,
        depth: usize,
        same_indent_seq: bool,
    ) -> Option<Node> {
        let next = self.peek_content(*li)?;
        let line = self.lines[next];
        let seq = self.is_seq_at(line.content, line.end);
        if !(line.indent > owner || (same_indent_seq && seq && line.indent == owner)) {
            return None;
        }
        self.skip_trivia(li);
        if depth + 1 > MAX_DEPTH {
            return Some(self.too_deep_block(li, line.content, owner));
        }
        Some(self.block_node(li, owner, depth + 1))
    }

    /// A node starting at the content of line `*li`.
    fn block_node(&mut self, li: &mut usize, owner: usize, depth: usize) -> Node {
        let line = self.lines[*li];
        self.check_tabs(*li);
        if self.is_seq_at(line.content, line.end) {
            self.block_sequence(li, line.content, line.indent, depth)
        } else if self.scan_key(line.content, line.end).is_some() {
            self.block_mapping(li, line.content, line.indent, depth)
        } else {
            self.inline_node(li, line.content, owner, depth)
        }
    }

    /// Gives up on a subtree nested too deeply: the rest of the line and every following line
    /// more indented than `owner` become one error node.
    fn too_deep_block(&mut self, li: &mut usize, pos: usize, owner: usize) -> Node {
        let line = self.lines[*li];
        self.error(pos, self.char_end(pos), "nesting too deep");
        let mut end = self.trim_end(pos, line.end);
        *li += 1;
        while let Some(&line) = self.lines.get(*li) {
            if !line.is_blank() {
                if line.indent <= owner {
                    break;
                }
                end = self.trim_end(line.content, line.end);
            }
            *li += 1;
        }
        Node {
            range: self.range(pos, end),
            anchor: None,
            tag: None,
            kind: NodeKind::Error,
        }
    }

    fn block_mapping(&mut self, li: &mut usize, first: usize, indent: usize, depth: usize) -> Node {
        let mut entries = vec![self.entry(li, first, indent, depth)];
        while let Some(pos) = self.next_sibling(li, indent, false) {
            entries.push(self.entry(li, pos, indent, depth));
        }
        let start = entries.first().map_or(self.base + first, |e| e.range.start);
        let end = entries.last().map_or(start, |e| e.range.end);
        Node {
            range: TextRange::new(start, end),
            anchor: None,
            tag: None,
            kind: NodeKind::Mapping(Mapping {
                flow: false,
                entries,
                closed: true,
            }),
        }
    }

    fn block_sequence(
        &mut self,
        li: &mut usize,
        first: usize,
        indent: usize,
        depth: usize,
    ) -> Node {
        let mut items = vec![self.seq_item(li, first, indent, depth)];
        while let Some(dash) = self.next_sibling(li, indent, true) {
            items.push(self.seq_item(li, dash, indent, depth));
        }
        let end = items.last().map_or(first + 1, |n| n.range.end - self.base);
        Node {
            range: self.range(first, end),
            anchor: None,
            tag: None,
            kind: NodeKind::Sequence(Sequence {
                flow: false,
                items,
                closed: true,
            }),
        }
    }

    /// The item after the `-` at `dash`; `indent` is the sequence's column.
    fn seq_item(&mut self, li: &mut usize, dash: usize, indent: usize, depth: usize) -> Node {
        let line = self.lines[*li];
        let p = self.skip_blanks(dash + 1, line.end);
        if p >= line.end || self.byte(p) == b'#' {
            if p < line.end {
                self.comment(p, line.end);
            }
            *li += 1;
            return self
                .block_below(li, indent, depth, false)
                .unwrap_or_else(|| self.empty_node(dash + 1));
        }
        // Compact forms (`- - x`, `- key: v`) nest a collection at the item's column.
        let column = line.indent + (p - line.content);
        let compact_seq = self.is_seq_at(p, line.end);
        if compact_seq || self.scan_key(p, line.end).is_some() {
            if depth + 1 > MAX_DEPTH {
                return self.too_deep_block(li, p, indent);
            }
            return if compact_seq {
                self.block_sequence(li, p, column, depth + 1)
            } else {
                self.block_mapping(li, p, column, depth + 1)
            };
        }
        self.inline_node(li, p, indent, depth)
    }

    // ----- values that start on a line -----------------------------------------------------

    /// `&anchor` and `!tag` properties at `pos`; returns them, the position of what follows
    /// (blanks skipped) and the end of the last property.
    fn properties(
        &self,
        pos: usize,
        end: usize,
    ) -> (Option<TextRange>, Option<TextRange>, usize, usize) {
        let (mut anchor, mut tag) = (None, None);
        let (mut p, mut props_end) = (pos, pos);
        for _ in 0..2 {
            let slot = match self.byte(p) {
                b'&' if anchor.is_none() && p < end => &mut anchor,
                b'!' if tag.is_none() && p < end => &mut tag,
                _ => break,
            };
            let name_end = self.find(p + 1, end, is_name_end);
            *slot = Some(self.range(p, name_end));
            props_end = name_end;
            p = self.skip_blanks(name_end, end);
        }
        (anchor, tag, p, props_end)
    }

    /// A value starting at `pos` on line `*li` (never blank, never a comment). Continuation
    /// lines of multi-line scalars must be more indented than `owner`.
    fn inline_node(&mut self, li: &mut usize, pos: usize, owner: usize, depth: usize) -> Node {
        let line = self.lines[*li];
        let (anchor, tag, p, props_end) = self.properties(pos, line.end);
        let mut node = if p >= line.end || self.byte(p) == b'#' {
            // Properties alone: the value is below (or null).
            if p < line.end {
                self.comment(p, line.end);
            }
            *li += 1;
            self.block_below(li, owner, depth, false)
                .unwrap_or_else(|| self.empty_node(props_end))
        } else {
            match self.byte(p) {
                b'*' if self.alias_stands_alone(p, line.end, false) => {
                    let node = self.alias(p, line.end);
                    self.finish_line(li, p, node.range.end - self.base);
                    node
                }
                b'"' | b'\'' => {
                    let quoted = self.quoted(p, Some(owner));
                    self.finish_line(li, p, quoted.end);
                    self.scalar_node(quoted.range, quoted.scalar)
                }
                b'[' | b'{' => {
                    let (node, end) = if depth + 1 > MAX_DEPTH {
                        self.too_deep_flow(p, owner)
                    } else {
                        self.flow_collection(p, owner, depth + 1)
                    };
                    self.finish_line(li, p, end);
                    node
                }
                b'|' | b'>' => self.block_scalar(li, p, owner),
                _ => self.plain(li, p, owner),
            }
        };
        if anchor.is_some() || tag.is_some() {
            node.anchor = anchor;
            node.tag = tag;
            node.range = node.range.cover(self.range(pos, props_end));
        }
        node
    }

    /// Is the `*` at `pos` a real alias? Only when a non-empty name is followed by the end of
    /// the value (line end or comment; in flow also `,` `]` `}` `:`). Otherwise the text is read
    /// as a plain scalar, as lenient loaders do for Cursor's `globs: **/*.ts, src/**`.
    fn alias_stands_alone(&self, pos: usize, end: usize, flow: bool) -> bool {
        let name_end = self.find(pos + 1, end, is_name_end);
        let after = self.skip_blanks(name_end, end);
        let next = self.byte(after);
        name_end > pos + 1
            && (after >= end
                || (next == b'#' && after > name_end)
                || (flow && matches!(next, b',' | b']' | b'}' | b':')))
    }

    fn alias(&self, pos: usize, end: usize) -> Node {
        let name_end = self.find(pos + 1, end, is_name_end);
        Node {
            range: self.range(pos, name_end),
            anchor: None,
            tag: None,
            kind: NodeKind::Alias(self.slice(pos + 1, name_end).to_owned()),
        }
    }

    /// After a value that ended at `end` (possibly on a later line than `*li`): only blanks and
    /// a comment may follow on that line. Moves `*li` past it.
    fn finish_line(&mut self, li: &mut usize, start: usize, end: usize) {
        let current = self.line_of(end.max(start));
        let line = self.lines[current];
        let p = self.skip_blanks(end, line.end);
        if p < line.end {
            if self.byte(p) == b'#' && p > end {
                self.comment(p, line.end);
            } else {
                let (cut, comment) = self.scan_plain_line(p, line.end);
                let cut = cut.max(self.char_end(p));
                self.error(p, cut, "unexpected text after value");
                if let Some(c) = comment.filter(|&c| c > p) {
                    self.comment(c, line.end);
                }
            }
        }
        *li = current + 1;
    }

    /// A plain scalar in block context, folding more-indented continuation lines.
    fn plain(&mut self, li: &mut usize, pos: usize, owner: usize) -> Node {
        let line = self.lines[*li];
        let (mut end, mut comment) = self.scan_plain_line(pos, line.end);
        let mut comment_line = line;
        let mut value = self.slice(pos, end).to_owned();
        let mut multiline = false;
        *li += 1;
        while comment.is_none() {
            let mut j = *li;
            let mut blanks = 0;
            while self.lines.get(j).is_some_and(Line::is_blank) {
                blanks += 1;
                j += 1;
            }
            let Some(&next) = self.lines.get(j) else {
                break;
            };
            // A comment line ends the scalar (YAML forbids comments inside plain scalars).
            if next.indent <= owner || self.byte(next.content) == b'#' {
                break;
            }
            let (cut, cut_comment) = self.scan_plain_line(next.content, next.end);
            if let Some(colon) = self.mapping_colon(next.content, cut) {
                self.error(
                    colon,
                    colon + 1,
                    "mapping values are not allowed in a multi-line plain scalar",
                );
            }
            if blanks == 0 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', blanks));
            }
            value.push_str(self.slice(next.content, cut));
            end = cut;
            multiline = true;
            comment = cut_comment;
            comment_line = next;
            *li = j + 1;
        }
        let cut_comment = comment.map(|c| {
            self.comment(c, comment_line.end);
            self.range(c, comment_line.end)
        });
        let content = self.range(pos, end);
        self.scalar_node(
            content,
            Scalar {
                style: ScalarStyle::Plain,
                value,
                content,
                multiline,
                cut_comment,
                terminated: true,
            },
        )
    }

    /// A `|` or `>` block scalar whose header is at `pos`.
    fn block_scalar(&mut self, li: &mut usize, pos: usize, owner: usize) -> Node {
        let line = self.lines[*li];
        let literal = self.byte(pos) == b'|';
        let indicators = |c: char| c == '+' || c == '-' || ('1'..='9').contains(&c);
        let (flags, header_end) = self
            .run(pos + 1, line.end, take_while(0..=2, indicators))
            .unwrap_or(("", pos + 1));
        let mut chomp = Chomp::Clip;
        let mut explicit = None;
        let mut bad_header = false;
        for c in flags.chars() {
            match c {
                '-' | '+' if chomp == Chomp::Clip => {
                    chomp = if c == '-' { Chomp::Strip } else { Chomp::Keep };
                }
                '1'..='9' if explicit.is_none() => {
                    explicit = c.to_digit(10).map(|d| d as usize);
                }
                _ => bad_header = true,
            }
        }
        let rest = self.skip_blanks(header_end, line.end);
        if rest < line.end {
            if self.byte(rest) == b'#' && rest > header_end {
                self.comment(rest, line.end);
            } else {
                bad_header = true;
            }
        }
        if bad_header {
            let end = self.trim_end(pos, line.end);
            self.error(pos, end, "invalid block scalar header");
        }
        *li += 1;

        // Content indentation: explicit, or that of the first non-blank line below.
        let content_indent = explicit.map(|n| owner + n).or_else(|| {
            let mut j = *li;
            while self.lines.get(j).is_some_and(Line::is_blank) {
                j += 1;
            }
            self.lines.get(j).map(|l| l.indent).filter(|&i| i > owner)
        });
        let mut body: Vec<(usize, usize)> = Vec::new();
        let mut last_content = None;
        let mut trailing_breaks = 0;
        let mut first_content = None;
        if let Some(ci) = content_indent {
            while let Some(&l) = self.lines.get(*li) {
                if l.is_blank() {
                    if l.has_break() {
                        trailing_breaks += 1;
                    }
                    body.push((self.strip_indent(&l, ci), l.end));
                    *li += 1;
                    continue;
                }
                if l.indent < ci {
                    break;
                }
                let start = self.strip_indent(&l, ci);
                first_content.get_or_insert(start);
                body.push((start, l.end));
                last_content = Some((body.len(), l));
                trailing_breaks = 0;
                *li += 1;
            }
        }
        let (body_len, final_break, content) = match last_content {
            Some((len, l)) => {
                let start = first_content.unwrap_or(l.content);
                (len, l.has_break(), self.range(start, l.end))
            }
            None => (0, false, self.range(header_end, header_end)),
        };
        let lines: Vec<&str> = body[..body_len]
            .iter()
            .map(|&(s, e)| self.slice(s, e))
            .collect();
        let mut value = if literal {
            lines.join("\n")
        } else {
            fold_block(&lines)
        };
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => {
                if body_len > 0 && final_break {
                    value.push('\n');
                }
            }
            Chomp::Keep => {
                if body_len > 0 && final_break {
                    value.push('\n');
                }
                value.extend(std::iter::repeat_n('\n', trailing_breaks));
            }
        }
        let range = TextRange::new(self.base + pos, content.end.max(self.base + header_end));
        self.scalar_node(
            range,
            Scalar {
                style: if literal {
                    ScalarStyle::Literal
                } else {
                    ScalarStyle::Folded
                },
                value,
                content,
                multiline: body_len > 0,
                cut_comment: None,
                terminated: true,
            },
        )
    }

    /// Position after removing `indent` columns of leading whitespace from `line`.
    fn strip_indent(&self, line: &Line, indent: usize) -> usize {
        let mut p = line.start;
        let mut width = 0;
        while width < indent && p < line.end && is_blank_byte(self.byte(p)) {
            width += if self.byte(p) == b'\t' { TAB_WIDTH } else { 1 };
            p += 1;
        }
        p
    }

    // ----- quoted scalars ------------------------------------------------------------------

    /// A quoted scalar opening at `open`. With `owner`, it may span lines (folded) until a line
    /// that starts a block construct at or left of `owner`; without, it ends at the line end.
    fn quoted(&mut self, open: usize, owner: Option<usize>) -> Quoted {
        let quote = self.byte(open);
        let double = quote == b'"';
        let mut li = self.line_of(open);
        let mut line = self.lines[li];
        let mut value = String::new();
        // Length of `value` that survives line folding (trailing source blanks are dropped).
        let mut keep = 0;
        let mut p = open + 1;
        let mut multiline = false;
        let mut escaped_break = false;
        let close = loop {
            let (run, q) = self
                .run(
                    p,
                    line.end,
                    take_till(0.., |c| c == quote as char || (double && c == '\\')),
                )
                .unwrap_or(("", line.end));
            value.push_str(run);
            let trimmed = run.trim_end_matches([' ', '\t']);
            if !trimmed.is_empty() {
                keep = value.len() - (run.len() - trimmed.len());
            }
            p = q;
            if p >= line.end {
                // Line break: fold into the next line, unless this is the end of the scalar.
                let Some(owner) = owner.filter(|_| line.has_break()) else {
                    break None;
                };
                let mut j = li + 1;
                let mut blanks = 0;
                while self
                    .lines
                    .get(j)
                    .is_some_and(|l| l.is_blank() && l.has_break())
                {
                    blanks += 1;
                    j += 1;
                }
                let Some(&next) = self.lines.get(j) else {
                    break None;
                };
                if (next.is_blank() && !next.has_break()) || self.starts_block(j, owner) {
                    break None;
                }
                if !escaped_break {
                    value.truncate(keep);
                    if blanks == 0 {
                        value.push(' ');
                    }
                }
                value.extend(std::iter::repeat_n('\n', blanks));
                keep = value.len();
                escaped_break = false;
                multiline = true;
                li = j;
                line = next;
                p = next.content;
                continue;
            }
            let c = self.byte(p);
            if c == quote {
                if !double && self.byte(p + 1) == b'\'' && p + 1 < line.end {
                    value.push('\'');
                    keep = value.len();
                    p += 2;
                    continue;
                }
                break Some(p);
            }
            // A backslash escape (double-quoted only).
            p = self.escape(p, line.end, &mut value, &mut escaped_break);
            keep = value.len();
        };
        let terminated = close.is_some();
        let content_end = close.unwrap_or(line.end);
        if !terminated {
            self.error(open, open + 1, "unterminated quoted scalar");
        }
        let end = close.map_or(line.end, |c| c + 1);
        Quoted {
            scalar: Scalar {
                style: if double {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                },
                value,
                content: self.range(open + 1, content_end),
                multiline,
                cut_comment: None,
                terminated,
            },
            range: self.range(open, end),
            end,
        }
    }

    /// Decodes the escape at `pos` (a backslash) into `value`; returns the position after it.
    fn escape(
        &mut self,
        pos: usize,
        end: usize,
        value: &mut String,
        escaped_break: &mut bool,
    ) -> usize {
        let e = pos + 1;
        if e >= end {
            // `\` at the end of a line joins the next line without a space.
            *escaped_break = true;
            return end;
        }
        let c = self
            .text
            .get(e..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\\');
        let simple = match c {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' | '\t' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            ' ' => Some(' '),
            '"' => Some('"'),
            '/' => Some('/'),
            '\\' => Some('\\'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(s) = simple {
            value.push(s);
            return e + 1;
        }
        let digits = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => {
                let after = self.char_end(e);
                self.error(pos, after, "unknown escape sequence");
                value.push(c);
                return after;
            }
        };
        let hex = self.run(
            e + 1,
            end,
            take_while(0..=digits, |c: char| c.is_ascii_hexdigit()),
        );
        let (hex, after) = hex.unwrap_or(("", e + 1));
        let decoded = (hex.len() == digits)
            .then(|| u32::from_str_radix(hex, 16).ok())
            .flatten()
            .and_then(char::from_u32);
        match decoded {
            Some(ch) => value.push(ch),
            None => {
                self.error(pos, after, "invalid escape sequence");
                value.push(c);
            }
        }
        after
    }

    // ----- flow collections ----------------------------------------------------------------

    /// Is `pos` after a flow `:` a valid value separator (blank, flow indicator, line end)?
    fn flow_sep_after(&self, pos: usize, end: usize) -> bool {
        pos >= end
            || matches!(
                self.byte(pos),
                b' ' | b'\t' | b',' | b'[' | b']' | b'{' | b'}'
            )
    }

    /// Skips blanks, line breaks and comments inside a flow collection. `Err` when the flow
    /// cannot continue (end of text, or a line that starts a block construct at or left of
    /// `owner`); both carry the scan position.
    fn flow_ws(&mut self, mut pos: usize, owner: usize) -> Result<usize, usize> {
        let mut li = self.line_of(pos);
        loop {
            let line = self.lines[li];
            pos = self.skip_blanks(pos.max(line.start), line.end);
            if pos < line.end {
                let after_blank = pos == line.content || is_blank_byte(self.byte(pos - 1));
                if self.byte(pos) != b'#' || !after_blank {
                    return Ok(pos);
                }
                self.comment(pos, line.end);
                pos = line.end;
            }
            if !line.has_break() || li + 1 >= self.lines.len() || self.starts_block(li + 1, owner) {
                return Err(pos);
            }
            li += 1;
            pos = self.lines[li].start;
        }
    }

    /// `[...]` or `{...}` opening at `open`; returns the node and the scan position after it.
    fn flow_collection(&mut self, open: usize, owner: usize, depth: usize) -> (Node, usize) {
        let is_seq = self.byte(open) == b'[';
        let close = if is_seq { b']' } else { b'}' };
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut last_end = open + 1;
        let mut p = open + 1;
        let mut closed = false;
        while let Ok(q) = self.flow_ws(p, owner) {
            p = q;
            match self.byte(p) {
                c if c == close => {
                    closed = true;
                    p += 1;
                    break;
                }
                // A mismatched closer probably closes an outer collection: leave it.
                b']' | b'}' => break,
                b',' => {
                    self.error(p, p + 1, "unexpected `,`");
                    p += 1;
                    continue;
                }
                _ => {}
            }
            let before = p;
            if is_seq {
                let (node, q) = self.flow_item(p, owner, depth);
                last_end = node.range.end - self.base;
                items.push(node);
                p = q;
            } else {
                let (entry, q) = self.flow_entry(p, owner, depth);
                last_end = entry.range.end - self.base;
                entries.push(entry);
                p = q;
            }
            let Ok(q) = self.flow_ws(p, owner) else {
                break;
            };
            p = q;
            match self.byte(p) {
                b',' => p += 1,
                b']' | b'}' => {}
                _ => {
                    let message = if is_seq {
                        "expected `,` or `]`"
                    } else {
                        "expected `,` or `}`"
                    };
                    self.error(p, self.char_end(p), message);
                    if p == before {
                        p = self.char_end(p);
                    }
                }
            }
        }
        if !closed {
            let message = if is_seq {
                "unclosed flow sequence"
            } else {
                "unclosed flow mapping"
            };
            self.error(open, open + 1, message);
        }
        let end = if closed { p } else { last_end };
        let range = self.range(open, end);
        let kind = if is_seq {
            NodeKind::Sequence(Sequence {
                flow: true,
                items,
                closed,
            })
        } else {
            NodeKind::Mapping(Mapping {
                flow: true,
                entries,
                closed,
            })
        };
        (
            Node {
                range,
                anchor: None,
                tag: None,
                kind,
            },
            p,
        )
    }

    /// Gives up on a flow collection nested too deeply: skips to its balancing bracket.
    fn too_deep_flow(&mut self, open: usize, owner: usize) -> (Node, usize) {
        self.error(open, open + 1, "nesting too deep");
        let mut li = self.line_of(open);
        let mut p = open;
        let mut level = 0usize;
        let end = loop {
            let line = self.lines[li];
            p = self.find(p, line.end, |c| matches!(c, '[' | ']' | '{' | '}'));
            if p < line.end {
                if matches!(self.byte(p), b'[' | b'{') {
                    level += 1;
                } else {
                    level = level.saturating_sub(1);
                }
                p += 1;
                if level == 0 {
                    break p;
                }
                continue;
            }
            if !line.has_break() || li + 1 >= self.lines.len() || self.starts_block(li + 1, owner) {
                break self.trim_end(open, line.end);
            }
            li += 1;
            p = self.lines[li].start;
        };
        let node = Node {
            range: self.range(open, end),
            anchor: None,
            tag: None,
            kind: NodeKind::Error,
        };
        (node, end)
    }

    /// A flow sequence item: a node, or an implicit single-pair mapping `key: value`.
    fn flow_item(&mut self, pos: usize, owner: usize, depth: usize) -> (Node, usize) {
        let (node, q) = self.flow_node(pos, owner, depth);
        let Some(colon) = self.flow_colon(&node, q) else {
            return (node, q);
        };
        let line = self.lines[self.line_of(pos)];
        let key = self.flow_key(&node);
        let (value, end) = self.flow_value(colon, owner, depth);
        let colon_range = self.range(colon, colon + 1);
        let range_end = value.as_ref().map_or(colon_range.end, |v| v.range.end);
        let range = TextRange::new(node.range.start, range_end);
        let entry = Entry {
            key,
            key_range: node.range,
            colon: Some(colon_range),
            value,
            indent: pos - line.start,
            range,
        };
        let kind = NodeKind::Mapping(Mapping {
            flow: true,
            entries: vec![entry],
            closed: true,
        });
        (
            Node {
                range,
                anchor: None,
                tag: None,
                kind,
            },
            end,
        )
    }

    /// A flow mapping entry `key: value`, `key` (null value) or `: value`.
    fn flow_entry(&mut self, pos: usize, owner: usize, depth: usize) -> (Entry, usize) {
        let line = self.lines[self.line_of(pos)];
        let (key_node, q) = self.flow_node(pos, owner, depth);
        let key = self.flow_key(&key_node);
        let (colon, value, end) = match self.flow_colon(&key_node, q) {
            Some(colon) => {
                let (value, end) = self.flow_value(colon, owner, depth);
                (Some(self.range(colon, colon + 1)), value, end)
            }
            None => (None, None, q),
        };
        let range_end = value
            .as_ref()
            .map(|v| v.range.end)
            .or(colon.map(|c| c.end))
            .unwrap_or(key_node.range.end);
        let entry = Entry {
            key,
            key_range: key_node.range,
            colon,
            value,
            indent: pos - line.start,
            range: TextRange::new(key_node.range.start, range_end),
        };
        (entry, end)
    }

    fn flow_key(&self, node: &Node) -> String {
        match &node.kind {
            NodeKind::Scalar(s) => s.value.clone(),
            _ => self
                .slice(node.range.start - self.base, node.range.end - self.base)
                .to_owned(),
        }
    }

    /// The `:` after a flow key ending at `end`, on the same line: followed by a separator, or
    /// directly after a quoted key (`{"a":1}`).
    fn flow_colon(&self, key: &Node, end: usize) -> Option<usize> {
        let line = self.lines[self.line_of(end)];
        let p = self.skip_blanks(end, line.end);
        let quoted = key.as_scalar().is_some_and(|s| s.style.is_quoted());
        (p < line.end
            && self.byte(p) == b':'
            && (self.flow_sep_after(p + 1, line.end) || (quoted && p == end)))
            .then_some(p)
    }

    /// The value after a flow `:`; `None` for `{a: }` / `[a: ,]`.
    fn flow_value(&mut self, colon: usize, owner: usize, depth: usize) -> (Option<Node>, usize) {
        match self.flow_ws(colon + 1, owner) {
            Ok(p) if !matches!(self.byte(p), b',' | b']' | b'}') => {
                let (node, end) = self.flow_node(p, owner, depth);
                (Some(node), end)
            }
            Ok(p) | Err(p) => (None, p),
        }
    }

    /// Any node inside a flow collection at `pos` (which is not `,`, `]` or `}`).
    fn flow_node(&mut self, pos: usize, owner: usize, depth: usize) -> (Node, usize) {
        let line = self.lines[self.line_of(pos)];
        let (anchor, tag, mut p, props_end) = self.properties(pos, line.end);
        let has_props = anchor.is_some() || tag.is_some();
        if has_props && (p >= line.end || matches!(self.byte(p), b',' | b']' | b'}' | b'#')) {
            match self.flow_ws(p, owner) {
                Ok(q) if !matches!(self.byte(q), b',' | b']' | b'}') => p = q,
                Ok(q) | Err(q) => {
                    let mut node = self.empty_node(props_end);
                    node.range = self.range(pos, props_end);
                    node.anchor = anchor;
                    node.tag = tag;
                    return (node, q);
                }
            }
        }
        let (mut node, end) = match self.byte(p) {
            b'[' | b'{' if depth + 1 > MAX_DEPTH => self.too_deep_flow(p, owner),
            b'[' | b'{' => self.flow_collection(p, owner, depth + 1),
            b'"' | b'\'' => {
                let quoted = self.quoted(p, Some(owner));
                (self.scalar_node(quoted.range, quoted.scalar), quoted.end)
            }
            b'*' if self.alias_stands_alone(p, line.end, true) => {
                let line = self.lines[self.line_of(p)];
                let node = self.alias(p, line.end);
                let end = node.range.end - self.base;
                (node, end)
            }
            _ => self.flow_plain(p, owner),
        };
        if has_props {
            node.anchor = anchor;
            node.tag = tag;
            node.range = node.range.cover(self.range(pos, props_end));
        }
        (node, end)
    }

    /// A plain scalar inside a flow collection. Ends at `,` `[` `]` `{` `}`, at `: `, at ` #`
    /// or before a line that cannot continue it. Parentheses group: `Bash(git status:*)` and
    /// `Bash(a, b)` stay one scalar (only `]`, `}` and comments end it inside them).
    fn flow_plain(&mut self, pos: usize, owner: usize) -> (Node, usize) {
        let mut li = self.line_of(pos);
        let mut line = self.lines[li];
        let mut value = String::new();
        let mut seg_start = pos;
        let mut p = pos;
        let mut parens = 0usize;
        let mut end = pos;
        let mut multiline = false;
        let stop = loop {
            p = self.find(p, line.end, |c| {
                matches!(c, ',' | '[' | ']' | '{' | '}' | ':' | '#' | '(' | ')')
            });
            if p < line.end {
                let terminates = match self.byte(p) {
                    b'(' => {
                        parens += 1;
                        false
                    }
                    b')' => {
                        parens = parens.saturating_sub(1);
                        false
                    }
                    b']' | b'}' => true,
                    b',' | b'[' | b'{' => parens == 0,
                    b':' => parens == 0 && self.flow_sep_after(p + 1, line.end),
                    _ => p > seg_start && is_blank_byte(self.byte(p - 1)),
                };
                if !terminates {
                    p += 1;
                    continue;
                }
                let seg_end = self.trim_end(seg_start, p);
                value.push_str(self.slice(seg_start, seg_end));
                if seg_end > seg_start {
                    end = seg_end;
                }
                break p;
            }
            // End of the line: the scalar may continue on the next one.
            let seg_end = self.trim_end(seg_start, line.end);
            value.push_str(self.slice(seg_start, seg_end));
            if seg_end > seg_start {
                end = seg_end;
            }
            let mut j = li + 1;
            let mut blanks = 0;
            while self
                .lines
                .get(j)
                .is_some_and(|l| l.is_blank() && l.has_break())
            {
                blanks += 1;
                j += 1;
            }
            let Some(&next) = self.lines.get(j) else {
                break line.end;
            };
            let first = self.byte(next.content);
            let ends = !line.has_break()
                || next.is_blank()
                || self.starts_block(j, owner)
                || matches!(first, b',' | b'[' | b']' | b'{' | b'}' | b'#')
                || (first == b':' && self.flow_sep_after(next.content + 1, next.end));
            if ends {
                break line.end;
            }
            if blanks == 0 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', blanks));
            }
            multiline = true;
            li = j;
            line = next;
            seg_start = next.content;
            p = seg_start;
        };
        let content = self.range(pos, end);
        let scalar = Scalar {
            style: ScalarStyle::Plain,
            value,
            content,
            multiline,
            cut_comment: None,
            terminated: true,
        };
        (self.scalar_node(content, scalar), stop)
    }
}

/// YAML folding of a `>` block scalar's lines (indentation already removed; no trailing
/// empty lines): a single break between two normal lines becomes a space, empty lines become
/// breaks, and breaks around more-indented lines are kept.
fn fold_block(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut empties = 0;
    let mut first = true;
    let mut prev_more = false;
    for line in lines {
        if line.is_empty() {
            empties += 1;
            continue;
        }
        let more = line.starts_with([' ', '\t']);
        let breaks = if first {
            empties
        } else if !more && !prev_more {
            if empties == 0 {
                out.push(' ');
            }
            empties
        } else {
            empties + 1
        };
        out.extend(std::iter::repeat_n('\n', breaks));
        out.push_str(line);
        empties = 0;
        first = false;
        prev_more = more;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// Renders the tree as one line per entry/item, children indented by two spaces.
    fn dump(fm: &Frontmatter) -> String {
        let mut out = String::new();
        for entry in &fm.entries {
            dump_entry(&mut out, entry, 0);
        }
        for c in &fm.comments {
            let _ = writeln!(out, "comment {c}");
        }
        for e in &fm.errors {
            let _ = writeln!(out, "error {}: {}", e.range, e.message);
        }
        out
    }

    fn pad(out: &mut String, level: usize) {
        out.extend(std::iter::repeat_n("  ", level));
    }

    fn dump_entry(out: &mut String, e: &Entry, level: usize) {
        pad(out, level);
        let _ = write!(out, "{:?}@{}", e.key, e.key_range);
        if e.indent != 0 {
            let _ = write!(out, " i{}", e.indent);
        }
        match e.colon {
            Some(c) => {
                let _ = write!(out, " :{}", c.start);
            }
            None => out.push_str(" nocolon"),
        }
        let _ = write!(out, " [{}]", e.range);
        match &e.value {
            Some(v) => {
                out.push_str(" = ");
                dump_node(out, v, level);
            }
            None => out.push('\n'),
        }
    }

    fn dump_node(out: &mut String, n: &Node, level: usize) {
        if let Some(a) = n.anchor {
            let _ = write!(out, "&{a} ");
        }
        if let Some(t) = n.tag {
            let _ = write!(out, "!{t} ");
        }
        match &n.kind {
            NodeKind::Scalar(s) => {
                let style = match s.style {
                    ScalarStyle::Plain => "plain",
                    ScalarStyle::SingleQuoted => "single",
                    ScalarStyle::DoubleQuoted => "double",
                    ScalarStyle::Literal => "literal",
                    ScalarStyle::Folded => "folded",
                };
                let _ = write!(out, "{style} {:?}@{}", s.value, s.content);
                if n.range != s.content {
                    let _ = write!(out, " node@{}", n.range);
                }
                if s.multiline {
                    out.push_str(" multi");
                }
                if let Some(c) = s.cut_comment {
                    let _ = write!(out, " cut@{c}");
                }
                if !s.terminated {
                    out.push_str(" unterminated");
                }
                out.push('\n');
            }
            NodeKind::Sequence(seq) => {
                let flow = if seq.flow { "flow-seq" } else { "seq" };
                let closed = if seq.closed { "" } else { " unclosed" };
                let _ = writeln!(out, "{flow}@{}{closed}", n.range);
                for item in &seq.items {
                    pad(out, level + 1);
                    out.push_str("- ");
                    dump_node(out, item, level + 1);
                }
            }
            NodeKind::Mapping(map) => {
                let flow = if map.flow { "flow-map" } else { "map" };
                let closed = if map.closed { "" } else { " unclosed" };
                let _ = writeln!(out, "{flow}@{}{closed}", n.range);
                for entry in &map.entries {
                    dump_entry(out, entry, level + 1);
                }
            }
            NodeKind::Alias(name) => {
                let _ = writeln!(out, "alias {name:?}@{}", n.range);
            }
            NodeKind::Error => {
                let _ = writeln!(out, "error@{}", n.range);
            }
        }
    }

    /// Strips the common leading indentation of a raw multi-line expectation.
    fn dedent(expected: &str) -> String {
        let lines: Vec<&str> = expected
            .lines()
            .skip_while(|l| l.trim().is_empty())
            .collect();
        let indent = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let mut out = String::new();
        for line in lines {
            out.push_str(line.get(indent..).unwrap_or("").trim_end());
            out.push('\n');
        }
        out.trim_end().to_owned() + "\n"
    }

    #[track_caller]
    fn check(text: &str, expected: &str) {
        let fm = parse_frontmatter(text, 0);
        assert_invariants(text, 0, &fm);
        pretty_assertions::assert_eq!(dump(&fm), dedent(expected), "input: {text:?}");
    }

    /// Every range produced by the parser, for the invariant checks.
    fn all_ranges(fm: &Frontmatter) -> Vec<TextRange> {
        fn node(n: &Node, out: &mut Vec<TextRange>) {
            out.push(n.range);
            out.extend(n.anchor);
            out.extend(n.tag);
            match &n.kind {
                NodeKind::Scalar(s) => {
                    out.push(s.content);
                    out.extend(s.cut_comment);
                }
                NodeKind::Sequence(seq) => seq.items.iter().for_each(|i| node(i, out)),
                NodeKind::Mapping(map) => map.entries.iter().for_each(|e| entry(e, out)),
                NodeKind::Alias(_) | NodeKind::Error => {}
            }
        }
        fn entry(e: &Entry, out: &mut Vec<TextRange>) {
            out.push(e.key_range);
            out.push(e.range);
            out.extend(e.colon);
            if let Some(v) = &e.value {
                node(v, out);
            }
        }
        let mut out = Vec::new();
        fm.entries.iter().for_each(|e| entry(e, &mut out));
        out.extend(fm.comments.iter().copied());
        out.extend(fm.errors.iter().map(|e| e.range));
        out
    }

    #[track_caller]
    fn assert_invariants(text: &str, base: usize, fm: &Frontmatter) {
        for r in all_ranges(fm) {
            assert!(
                base <= r.start && r.start <= r.end && r.end <= base + text.len(),
                "range {r} out of bounds for {text:?}"
            );
            let (s, e) = (r.start - base, r.end - base);
            assert!(
                text.is_char_boundary(s) && text.is_char_boundary(e),
                "range {r} in {text:?}"
            );
            let slice = &text[s..e];
            // A range may end after a line break (multi-line quoted content), never inside CRLF.
            let splits_crlf = slice.ends_with('\r') && text[e..].starts_with('\n');
            assert!(!splits_crlf, "range {r} splits a CRLF in {text:?}");
        }
        let starts: Vec<usize> = fm.errors.iter().map(|e| e.range.start).collect();
        assert!(starts.is_sorted(), "errors out of order: {starts:?}");
        for e in &fm.errors {
            assert!(
                !e.message.ends_with('.')
                    && e.message.chars().next().is_some_and(|c| !c.is_uppercase())
            );
        }
    }

    #[test]
    fn simple_entries_and_half_typed_keys() {
        check(
            "name: x\nmod\nmodl # c\nmodel:\n",
            r#"
            "name"@0..4 :4 [0..7] = plain "x"@6..7
            "mod"@8..11 nocolon [8..11]
            "modl"@12..16 nocolon [12..16]
            "model"@21..26 :26 [21..27]
            comment 17..20
            error 8..11: expected `key: value`
            error 12..16: expected `key: value`
            "#,
        );
    }

    #[test]
    fn keys_and_comments() {
        check(
            "# top\nmy key.v2-x_y: 1\nhttp://a:b: c\n\u{e9}t\u{e9}:\n  # inside\nk:\t# tab then comment\n",
            r#"
            "my key.v2-x_y"@6..19 :19 [6..22] = plain "1"@21..22
            "http://a:b"@23..33 :33 [23..36] = plain "c"@35..36
            "été"@37..42 :42 [37..43]
            "k"@55..56 :56 [55..57]
            comment 0..5
            comment 46..54
            comment 58..76
            "#,
        );
        assert_eq!(parse_frontmatter("", 7), Frontmatter::default());
        assert_eq!(parse_frontmatter("\n\n", 0), Frontmatter::default());
    }

    #[test]
    fn multiline_flow_plain_scalars() {
        check(
            "a: [one\n  two,\n\n  three]\n",
            r#"
            "a"@0..1 :1 [0..24] = flow-seq@3..24
              - plain "one two"@4..13 multi
              - plain "three"@18..23
            "#,
        );
    }

    #[test]
    fn plain_value_keeps_colon_space_and_hash_without_space() {
        check(
            "description: Use this: when <example>a\\nb \"q\"</example>\na: b#c # real\n",
            r#"
            "description"@0..11 :11 [0..55] = plain "Use this: when <example>a\\nb \"q\"</example>"@13..55
            "a"@56..57 :57 [56..62] = plain "b#c"@59..62 cut@63..69
            comment 63..69
            "#,
        );
    }

    #[test]
    fn seed_description_is_one_plain_scalar() {
        let line = r#"description: Use this agent when you need Rust. <example>Context: User needs help.\nuser: "Create a REST API"\nassistant: "I'll use the rust-backend-expert agent."\n<commentary>Since the user asks: use it.</commentary></example>"#;
        let text = format!("name: rust-backend-expert\n{line}\ncolor: yellow\n");
        let fm = parse_frontmatter(&text, 4);
        assert_invariants(&text, 4, &fm);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        let keys: Vec<&str> = fm.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["name", "description", "color"]);
        let value = fm.entries[1].value.as_ref().and_then(Node::as_scalar);
        let value = value.map(|s| (s.style, s.value.as_str(), s.multiline));
        let expected = line.strip_prefix("description: ");
        assert_eq!(value, expected.map(|v| (ScalarStyle::Plain, v, false)));

        // The real seed file, when the shared workspace is there.
        let Ok(seed) = std::fs::read_to_string("/work/shared/seed/rust-backend-expert.md") else {
            return;
        };
        let Some(yaml) = frontmatter_of(&seed) else {
            return;
        };
        let fm = parse_frontmatter(yaml, 4);
        let description = yaml.lines().find_map(|l| l.strip_prefix("description: "));
        let entry = fm
            .first("description")
            .and_then(|e| e.value.as_ref()?.as_scalar());
        assert_eq!(entry.map(|s| s.value.as_str()), description);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
    }

    #[test]
    fn multiline_plain_with_and_without_colon() {
        check(
            "description: first line\n  second line\n\n  third: with colon\nname: x\n",
            r#"
            "description"@0..11 :11 [0..58] = plain "first line second line\nthird: with colon"@13..58 multi
            "name"@59..63 :63 [59..66] = plain "x"@65..66
            error 46..47: mapping values are not allowed in a multi-line plain scalar
            "#,
        );
        check(
            "description:\n  on next line # cut\n  stray\nb: c\n",
            r#"
            "description"@0..11 :11 [0..27] = plain "on next line"@15..27 cut@28..33
            "b"@42..43 :43 [42..46] = plain "c"@45..46
            comment 28..33
            error 36..41: unexpected indentation
            "#,
        );
    }

    #[test]
    fn unicode_and_crlf_ranges() {
        check(
            "name: caf\u{e9} \u{1F600}\r\n\u{65E5}\u{672C}: \"\u{1F980} crab\"\r\ntools:\r\n  - Read\r\n  - |\r\n    x\r\n\r\nlone: a\rb: c\r\n",
            r#"
            "name"@0..4 :4 [0..16] = plain "café 😀"@6..16
            "日本"@18..24 :24 [18..37] = double "🦀 crab"@27..36 node@26..37
            "tools"@39..44 :44 [39..69] = seq@49..69
              - plain "Read"@51..55
              - literal "x\n"@68..69 node@61..69 multi
            "lone"@73..77 :77 [73..80] = plain "a"@79..80
            "b"@81..82 :82 [81..85] = plain "c"@84..85
            "#,
        );
    }

    #[test]
    fn block_sequences_at_same_and_greater_indent() {
        check(
            "name: x\ntools:\n- Read\n- Write\nseq:\n  - - a\n    - b\n  - c: 1\n    d: 2\n  -\n  - # c\n    x\n",
            r#"
            "name"@0..4 :4 [0..7] = plain "x"@6..7
            "tools"@8..13 :13 [8..29] = seq@15..29
              - plain "Read"@17..21
              - plain "Write"@24..29
            "seq"@30..33 :33 [30..86] = seq@37..86
              - seq@39..50
                - plain "a"@41..42
                - plain "b"@49..50
              - map@55..68
                "c"@55..56 i4 :56 [55..59] = plain "1"@58..59
                "d"@64..65 i4 :65 [64..68] = plain "2"@67..68
              - plain ""@72..72
              - plain "x"@85..86
            comment 77..80
            "#,
        );
    }

    #[test]
    fn hooks_and_mcp_servers_nesting() {
        check(
            "hooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n          command: \"echo hi\"\nmcpServers:\n  - github\n  - slack: {command: x, args: [a]}\n",
            r#"
            "hooks"@0..5 :5 [0..106] = map@9..106
              "PreToolUse"@9..19 i2 :19 [9..106] = seq@25..106
                - map@27..106
                  "matcher"@27..34 i6 :34 [27..40] = plain "Bash"@36..40
                  "hooks"@47..52 i6 :52 [47..106] = seq@62..106
                    - map@64..106
                      "type"@64..68 i10 :68 [64..77] = plain "command"@70..77
                      "command"@88..95 i10 :95 [88..106] = double "echo hi"@98..105 node@97..106
            "mcpServers"@107..117 :117 [107..164] = seq@121..164
              - plain "github"@123..129
              - map@134..164
                "slack"@134..139 i4 :139 [134..164] = flow-map@141..164
                  "command"@142..149 i12 :149 [142..152] = plain "x"@151..152
                  "args"@154..158 i24 :158 [154..163] = flow-seq@160..163
                    - plain "a"@161..162
            "#,
        );
    }

    #[test]
    fn flow_sequences_with_tool_patterns() {
        check(
            "tools: [Read, \"b c\", 'd', Bash(git status:*), Bash(a: b, c), mcp__x__y]  # t\n",
            r#"
            "tools"@0..5 :5 [0..71] = flow-seq@7..71
              - plain "Read"@8..12
              - double "b c"@15..18 node@14..19
              - single "d"@22..23 node@21..24
              - plain "Bash(git status:*)"@26..44
              - plain "Bash(a: b, c)"@46..59
              - plain "mcp__x__y"@61..70
            comment 73..76
            "#,
        );
        check(
            "i: {a: 1, b: [x, y], c}\nj: [a: 1, \"k\":v, ]\nk: [a,, b}\nl: [a,\n  b c,\n  # note\n  d\n]\n",
            r#"
            "i"@0..1 :1 [0..23] = flow-map@3..23
              "a"@4..5 i4 :5 [4..8] = plain "1"@7..8
              "b"@10..11 i10 :11 [10..19] = flow-seq@13..19
                - plain "x"@14..15
                - plain "y"@17..18
              "c"@21..22 i21 nocolon [21..22]
            "j"@24..25 :25 [24..42] = flow-seq@27..42
              - flow-map@28..32
                "a"@28..29 i4 :29 [28..32] = plain "1"@31..32
              - flow-map@34..39
                "k"@34..37 i10 :37 [34..39] = plain "v"@38..39
            "k"@43..44 :44 [43..52] = flow-seq@46..52 unclosed
              - plain "a"@47..48
              - plain "b"@51..52
            "l"@54..55 :55 [54..82] = flow-seq@57..82
              - plain "a"@58..59
              - plain "b c"@63..66
              - plain "d"@79..80
            comment 70..76
            error 46..47: unclosed flow sequence
            error 49..50: unexpected `,`
            error 52..53: unexpected text after value
            "#,
        );
    }

    #[test]
    fn unclosed_flows_stop_before_next_key() {
        check(
            "tools: [Read,\n  Write\nmodel: x\n",
            r#"
            "tools"@0..5 :5 [0..21] = flow-seq@7..21 unclosed
              - plain "Read"@8..12
              - plain "Write"@16..21
            "model"@22..27 :27 [22..30] = plain "x"@29..30
            error 7..8: unclosed flow sequence
            "#,
        );
        check(
            "tools: [a, {b: [c",
            r#"
            "tools"@0..5 :5 [0..17] = flow-seq@7..17 unclosed
              - plain "a"@8..9
              - flow-map@11..17 unclosed
                "b"@12..13 i12 :13 [12..17] = flow-seq@15..17 unclosed
                  - plain "c"@16..17
            error 7..8: unclosed flow sequence
            error 11..12: unclosed flow mapping
            error 15..16: unclosed flow sequence
            "#,
        );
    }

    #[test]
    fn quoted_scalars() {
        check(
            "e: \"esc \\t \\x41 \\u00e9 \\U0001F600 \\q \\xZZ end\\\n  joined\"\nf: 'it''s ''quoted''\n  folded'\n\"quoted key\": 1\n'k2' : 2\ng: \"a\n   b\"   # c\n",
            r#"
            "e"@0..1 :1 [0..56] = double "esc \t A é 😀 q xZZ endjoined"@4..55 node@3..56 multi
            "f"@57..58 :58 [57..87] = single "it's 'quoted' folded"@61..86 node@60..87 multi
            "quoted key"@88..100 :100 [88..103] = plain "1"@102..103
            "k2"@104..108 :109 [104..112] = plain "2"@111..112
            "g"@113..114 :114 [113..124] = double "a b"@117..123 node@116..124 multi
            comment 127..130
            error 34..36: unknown escape sequence
            error 37..39: invalid escape sequence
            "#,
        );
    }

    #[test]
    fn unterminated_quotes() {
        check(
            "name: \"unterminated\n  still\nmodel: sonnet\n",
            r#"
            "name"@0..4 :4 [0..27] = double "unterminated still"@7..27 node@6..27 multi unterminated
            "model"@28..33 :33 [28..41] = plain "sonnet"@35..41
            error 6..7: unterminated quoted scalar
            "#,
        );
        check(
            "a: 'x\n\n  y",
            r#"
            "a"@0..1 :1 [0..10] = single "x\ny"@4..10 node@3..10 multi unterminated
            error 3..4: unterminated quoted scalar
            "#,
        );
    }

    #[test]
    fn block_scalars_with_chomping() {
        check(
            "a: |\n  line1\n   more\n\n  line3\n\nb: >-\n  folded\n  text\n\n  para\nc: |+2\n    keep\n\nd: x\n",
            r#"
            "a"@0..1 :1 [0..29] = literal "line1\n more\n\nline3\n"@7..29 node@3..29 multi
            "b"@31..32 :32 [31..60] = folded "folded text\npara"@39..60 node@34..60 multi
            "c"@61..62 :62 [61..76] = literal "  keep\n\n"@70..76 node@64..76 multi
            "d"@78..79 :79 [78..82] = plain "x"@81..82
            "#,
        );
        check(
            "a: > # c\n  p1 l1\n  p1 l2\n\n    indented\n  back\nb: |-\nc: |\nd: x\ne: |2-\n   two\nf: |x\n  y\n",
            r#"
            "a"@0..1 :1 [0..45] = folded "p1 l1 p1 l2\n\n  indented\nback\n"@11..45 node@3..45 multi
            "b"@46..47 :47 [46..51] = literal ""@51..51 node@49..51
            "c"@52..53 :53 [52..56] = literal ""@56..56 node@55..56
            "d"@57..58 :58 [57..61] = plain "x"@60..61
            "e"@62..63 :63 [62..75] = literal " two"@71..75 node@65..75 multi
            "f"@76..77 :77 [76..85] = literal "y\n"@84..85 node@79..85 multi
            comment 5..8
            error 79..81: invalid block scalar header
            "#,
        );
    }

    #[test]
    fn anchors_tags_aliases() {
        check(
            "a: &anc !!str value\nb: *anc\nc: !tag\n  k: v\nd: &x\n",
            r#"
            "a"@0..1 :1 [0..19] = &3..7 !8..13 plain "value"@14..19 node@3..19
            "b"@20..21 :21 [20..27] = alias "anc"@23..27
            "c"@28..29 :29 [28..42] = !31..35 map@31..42
              "k"@38..39 i2 :39 [38..42] = plain "v"@41..42
            "d"@43..44 :44 [43..48] = &46..48 plain ""@48..48 node@46..48
            "#,
        );
        // Not an alias: Cursor-style globs read as one plain scalar.
        check(
            "globs: **/*.ts, src/**\nx: [*a, **/*.ts y]\n",
            r#"
            "globs"@0..5 :5 [0..22] = plain "**/*.ts, src/**"@7..22
            "x"@23..24 :24 [23..41] = flow-seq@26..41
              - alias "a"@27..29
              - plain "**/*.ts y"@31..40
            "#,
        );
    }

    #[test]
    fn tabs_and_stray_lines() {
        check(
            "\tname: x\nkey:\n\t- a\n",
            r#"
            "name"@1..5 i1 :5 [1..8] = plain "x"@7..8
            "key"@9..12 :12 [9..18] = seq@15..18
              - plain "a"@17..18
            error 0..1: tab used for indentation
            error 14..15: tab used for indentation
            "#,
        );
        check(
            "a: [x] y\n   stray\n- item\n",
            r#"
            "a"@0..1 :1 [0..6] = flow-seq@3..6
              - plain "x"@4..5
            "- item"@18..24 nocolon [18..24]
            error 7..8: unexpected text after value
            error 12..17: unexpected indentation
            error 18..24: expected `key: value`
            "#,
        );
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let fm = parse_frontmatter("name: a\nname: b\n", 0);
        let values: Vec<_> = fm
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    e.value
                        .as_ref()
                        .and_then(Node::as_scalar)
                        .map(|s| s.value.as_str()),
                )
            })
            .collect();
        assert_eq!(values, [("name", Some("a")), ("name", Some("b"))]);
        assert_eq!(
            fm.last("name").map(|e| e.range),
            Some(TextRange::new(8, 15))
        );
    }

    #[test]
    fn ranges_are_absolute() {
        let text = "a: [x, {y: 'z'}]\nb:\n  - c # d\n";
        let local = all_ranges(&parse_frontmatter(text, 0));
        let shifted = parse_frontmatter(text, 1000);
        assert_invariants(text, 1000, &shifted);
        let absolute: Vec<TextRange> = local.iter().map(|r| r.shift(1000)).collect();
        assert_eq!(all_ranges(&shifted), absolute);
    }

    #[test]
    fn deep_flow_nesting_does_not_overflow() {
        let text = format!("a: {}\nb: c\n", "[".repeat(100_000));
        let fm = parse_frontmatter(&text, 0);
        assert_invariants(&text, 0, &fm);
        assert!(fm.errors.iter().any(|e| e.message == "nesting too deep"));
        assert_eq!(
            fm.last("b").map(|e| e.key_range),
            Some(TextRange::new(100_004, 100_005))
        );

        let closed = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let fm = parse_frontmatter(&closed, 0);
        assert_invariants(&closed, 0, &fm);
        assert_eq!(fm.errors.len(), 1, "{:?}", fm.errors);
        let bare = "{[".repeat(50_000);
        assert_invariants(&bare, 0, &parse_frontmatter(&bare, 0));
    }

    #[test]
    fn deep_block_nesting_does_not_overflow() {
        let dashes = format!("a:\n{}x\nb: c\n", "- ".repeat(10_000));
        let fm = parse_frontmatter(&dashes, 0);
        assert_invariants(&dashes, 0, &fm);
        assert_eq!(fm.errors.len(), 1);
        assert_eq!(fm.errors[0].message, "nesting too deep");
        assert_eq!(fm.entries.len(), 2);

        let mut mappings = String::new();
        for depth in 0..10_000 {
            mappings.push_str(&" ".repeat(depth));
            mappings.push_str("k:\n");
        }
        mappings.push_str("last: 1\n");
        let fm = parse_frontmatter(&mappings, 0);
        assert_invariants(&mappings, 0, &fm);
        assert_eq!(fm.errors.len(), 1);
        assert_eq!(fm.entries.len(), 2);

        let mut items = String::new();
        for depth in 0..10_000 {
            items.push_str(&" ".repeat(depth * 2));
            items.push_str("- k:\n");
        }
        assert_invariants(&items, 0, &parse_frontmatter(&items, 0));
    }

    #[test]
    fn long_lines_are_fast() {
        let start = std::time::Instant::now();
        let long = format!("description: {}\n", "word: a # b ".repeat(100_000));
        let fm = parse_frontmatter(&long, 0);
        assert_invariants(&long, 0, &fm);
        let flow = format!("tools: [{}]\n", "Bash(x:*), 'q', ".repeat(60_000));
        let fm2 = parse_frontmatter(&flow, 0);
        assert_invariants(&flow, 0, &fm2);
        let many = "k: v\n  more text: here\n".repeat(50_000);
        assert_invariants(&many, 0, &parse_frontmatter(&many, 0));
        let quotes = format!("a: \"{}", "x\\n\n ".repeat(100_000));
        assert_invariants(&quotes, 0, &parse_frontmatter(&quotes, 0));
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(fm.entries.len(), 1);
        let items = fm2.entries[0].value.as_ref().and_then(Node::as_sequence);
        assert_eq!(items.map(|s| s.items.len()), Some(120_000));
    }

    #[test]
    fn random_input_never_panics() {
        const ALPHABET: &[&str] = &[
            " ", " ", "  ", "\t", "\n", "\n", "\r\n", "\r", "-", "- ", ":", ": ", "#", " #", "[",
            "]", "{", "}", ",", "\"", "'", "\\", "\\u12", "|", ">", "+", "2", "&a", "*a", "!t",
            "?", "(", ")", "key", "x", "é", "😀", "日", "\u{0}", "\u{feff}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for _ in 0..10_000 {
            let len = next() % 40;
            let text: String = (0..len)
                .map(|_| ALPHABET[next() % ALPHABET.len()])
                .collect();
            let base = next() % 7;
            let fm = parse_frontmatter(&text, base);
            assert_invariants(&text, base, &fm);
        }
    }

    /// The YAML between the first `---` line and the next line that is exactly `---`.
    fn frontmatter_of(doc: &str) -> Option<&str> {
        let rest = doc
            .strip_prefix("---\n")
            .or_else(|| doc.strip_prefix("---\r\n"))?;
        let mut offset = 0;
        for line in rest.split_inclusive('\n') {
            if line.trim_end_matches(['\r', '\n']) == "---" {
                return rest.get(..offset);
            }
            offset += line.len();
        }
        None
    }

    #[test]
    fn corpus_smoke() {
        fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "md" || e == "mdc") {
                    files.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(std::path::Path::new("/work/shared/corpus"), &mut files);
        for path in files {
            let Ok(doc) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some(yaml) = frontmatter_of(&doc) {
                let fm = parse_frontmatter(yaml, 4);
                assert_invariants(yaml, 4, &fm);
            }
        }
    }
}
