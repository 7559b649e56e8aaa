//! Formatting the frontmatter (canonical field order, spacing, quoting, one blank line before the
//! body), proven to keep its meaning by loading the result again.
//!
//! The policy is conservative: formatting changes layout, never what a tool reads.
//!
//! - **Field order**: the order of the dialect's `fields` in its schema file; unknown keys follow
//!   the known ones in their original order. Comment lines directly above an entry (no blank
//!   line between) move with it, as do the lines of its value (indented lines, comments among
//!   them included). Comments before the first entry head the whole block and stay on top. When
//!   a comment stands apart between two entries (a blank line below it), the entries keep their
//!   order. Blank lines between entries stay where they are (the third
//!   entry is still followed by a blank line), runs of blank lines become one, and blank lines
//!   at the start and the end of the block go.
//! - **Quoting**: a value that is not strict YAML but that Claude Code's fallback rescues is
//!   written exactly as Claude Code reads it: wrapped in double quotes, backslashes and quotes
//!   escaped ([`loader::fallback_rewrite`], the same text as the `not-strict-yaml` quick fix).
//!   Only for dialects read by Claude Code's loader: tools with their own forgiving reader read
//!   Cursor's unquoted `globs: *.ts` as intended, and their own writers do not quote. Every other
//!   scalar keeps its style: no quotes are added, removed or swapped.
//! - **Spacing**: `key  :   value` becomes `key: value`; trailing spaces and tabs go (except
//!   inside block scalars, where they are content, and after a `\`, where they may be escaped);
//!   a top-level block list is indented by two spaces (`tools:` then `  - Read`).
//! - **Fences and body**: `---` lines lose trailing whitespace; exactly one blank line separates
//!   the closing `---` from the body (none when the body is empty: the file ends with the fence
//!   line). The body itself, the byte order mark and the line-ending style (that of the opening
//!   fence line) are kept.
//!
//! Architecture invariant: [`Analysis::format`] returns edits only after loading the formatted
//! block again (same splitter, same loader as diagnostics) and finding the same top-level values,
//! an outcome no worse (strict YAML stays strict) and a text that formats to itself. A document
//! whose block does not load (invalid YAML, no closing fence, cut short by a `---` in a value, not
//! a mapping, duplicate keys) or that the formatter cannot lay out safely gets no edits.

use std::borrow::Cow;
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag};

use super::{Analysis, TextEdit};
use crate::loader::{self, Outcome, Value};
use crate::schema::{Dialect, LoaderKind};
use crate::syntax::{Entry, Missing, Node, NodeKind, parse_frontmatter};
use crate::text::{TextRange, line_ending};

/// What formatting makes of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Formatting {
    /// Nothing to change: already formatted, or nothing agentls formats (no dialect, no
    /// frontmatter).
    Unchanged,
    /// Non-overlapping edits in document order that format the document.
    Edits(Vec<TextEdit>),
    /// The document has frontmatter that is not formatted, because formatting it could not be
    /// proven safe.
    Refused(Refusal),
}

/// Why a document's frontmatter is left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A blank line before the opening `---`, or no closing `---`.
    Fences,
    /// A `---` inside a value ends the block early.
    CutShort,
    /// The block does not load: invalid YAML, or not a mapping.
    NotLoadable,
    /// A key appears more than once.
    DuplicateKeys,
    /// The layout is beyond what the formatter rearranges safely (tabs, indented or half-typed
    /// keys, a lone carriage return, lines agentls's parser does not understand).
    Unsupported,
    /// The formatted block would not load to the same values, or would format differently again.
    MeaningChanged,
}

impl Refusal {
    /// Why, in a few words for a message.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::Fences => "its `---` fences are not where the tool looks for them",
            Self::CutShort => "a `---` inside a value cuts the frontmatter short",
            Self::NotLoadable => "the frontmatter does not load: invalid YAML or not a mapping",
            Self::DuplicateKeys => "a key appears more than once",
            Self::Unsupported => "its layout is beyond what the formatter rearranges safely",
            Self::MeaningChanged => "formatting could not be proven to keep what the tool reads",
        }
    }
}

impl Analysis {
    /// The edits that format the frontmatter, or `None` when there is nothing to change or
    /// formatting is not safe (see the module documentation for the policy and the guarantees).
    pub fn format(&self) -> Option<Vec<TextEdit>> {
        match self.formatting() {
            Formatting::Edits(edits) => Some(edits),
            Formatting::Unchanged | Formatting::Refused(_) => None,
        }
    }

    /// [`Analysis::format`], telling "already formatted" from "not safe to format".
    pub fn formatting(&self) -> Formatting {
        let body_empty = self.split.body_start >= self.len;
        let formatted = match self.formatted_head(body_empty) {
            Ok(formatted) => formatted,
            Err(None) => return Formatting::Unchanged,
            Err(Some(refusal)) => return Formatting::Refused(refusal),
        };
        let original = self.frontmatter_text();
        if formatted == original {
            return Formatting::Unchanged;
        }
        if !self.reads_the_same(&formatted, body_empty) {
            return Formatting::Refused(Refusal::MeaningChanged);
        }
        Formatting::Edits(edits(original, &formatted))
    }

    /// The formatted text of everything before the body ([`Analysis::frontmatter_text`]).
    /// `Err(None)`: nothing to format; `Err(Some(_))`: not safe to format.
    fn formatted_head(&self, body_empty: bool) -> Result<String, Option<Refusal>> {
        let dialect = self.dialect_schema().ok_or(None)?;
        let Some(block) = &self.split.frontmatter else {
            return Err(match self.split.missing {
                Some(Missing::BlankLinesBeforeFence { .. } | Missing::Unclosed { .. }) => {
                    Some(Refusal::Fences)
                }
                Some(Missing::NoOpeningFence) | None => None,
            });
        };
        if block.truncated.is_some() {
            return Err(Some(Refusal::CutShort));
        }
        let loaded = self.loaded.as_deref().ok_or(Some(Refusal::NotLoadable))?;
        if matches!(loaded.outcome, Outcome::Failed { .. }) || loaded.not_a_mapping {
            return Err(Some(Refusal::NotLoadable));
        }
        if !loaded.duplicate_keys.is_empty() {
            return Err(Some(Refusal::DuplicateKeys));
        }
        let head = self.frontmatter_text();
        let opening_line = &head[block.opening.end..block.content.start];
        let eol = line_ending(opening_line);
        let content = &head[block.content.as_range()];
        if has_lone_carriage_return(content) {
            return Err(Some(Refusal::Unsupported));
        }
        // What Claude Code reads, quoted as it quotes it: strict YAML with the same values.
        let content = if matches!(loaded.outcome, Outcome::Rescued { .. })
            && dialect.loader == LoaderKind::ClaudeCode
        {
            Cow::Owned(loader::fallback_rewrite(content))
        } else {
            Cow::Borrowed(content)
        };
        let lines = layout(&content, dialect).ok_or(Some(Refusal::Unsupported))?;

        let mut out = String::with_capacity(head.len() + 8);
        out.push_str(&head[..block.opening.start]);
        out.push_str("---");
        out.push_str(eol);
        for line in &lines {
            out.push_str(line);
            out.push_str(eol);
        }
        out.push_str("---");
        // Between the closing fence and the body: only whitespace (Claude Code's `\s*`). A body
        // glued to the fence (`---body`) or odd whitespace is left as it is.
        let tail = &head[block.closing.end..self.split.body_start];
        let plain_whitespace = tail
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        if plain_whitespace && (tail.contains('\n') || body_empty) {
            out.push_str(eol);
            if !body_empty {
                out.push_str(eol);
            }
        } else {
            out.push_str(tail);
        }
        Ok(out)
    }

    /// Whether `formatted` (the new text before the body) loads to what this document loads, no
    /// less strictly, and formats to itself.
    fn reads_the_same(&self, formatted: &str, body_empty: bool) -> bool {
        let again = Self::analyze(self.detected, formatted.len(), std::iter::once(formatted));
        let same_block = again
            .split
            .frontmatter
            .as_ref()
            .is_some_and(|block| block.truncated.is_none())
            && again.split.body_start == formatted.len();
        let (Some(before), Some(after)) = (self.loaded.as_deref(), again.loaded.as_deref()) else {
            return false;
        };
        let no_less_strict = !matches!(
            (&before.outcome, &after.outcome),
            (_, Outcome::Failed { .. }) | (Outcome::Strict, Outcome::Rescued { .. })
        );
        same_block
            && no_less_strict
            && !after.not_a_mapping
            && after.duplicate_keys.is_empty()
            && sorted(&before.fields) == sorted(&after.fields)
            && again.formatted_head(body_empty).as_deref() == Ok(formatted)
    }
}

fn sorted(fields: &[(String, Value)]) -> Vec<&(String, Value)> {
    let mut fields: Vec<_> = fields.iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    fields
}

/// A `\r` that does not start a `\r\n`: a line break for YAML, not for this formatter.
fn has_lone_carriage_return(text: &str) -> bool {
    text.match_indices('\r')
        .any(|(i, _)| !text[i + 1..].starts_with('\n'))
}

/// One line of the block: where it starts, and its text without the line break.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.text.trim_matches([' ', '\t']).is_empty()
    }

    fn is_comment(&self) -> bool {
        self.text.trim_start_matches([' ', '\t']).starts_with('#')
    }

    fn is_indented(&self) -> bool {
        self.text.starts_with([' ', '\t'])
    }
}

struct Lines<'a> {
    lines: Vec<Line<'a>>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut start = 0;
        let lines = text
            .split_inclusive('\n')
            .map(|raw| {
                let text = raw
                    .strip_suffix('\n')
                    .map_or(raw, |line| line.strip_suffix('\r').unwrap_or(line));
                let line = Line { start, text };
                start += raw.len();
                line
            })
            .collect();
        Self { lines }
    }

    /// The index of the line holding byte `offset`.
    fn of(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|line| line.start <= offset)
            .saturating_sub(1)
    }
}

/// The lines of the formatted block (without line breaks); `None` when the block's layout is
/// not one the formatter handles.
fn layout(content: &str, dialect: &Dialect) -> Option<Vec<String>> {
    let tree = parse_frontmatter(content, 0);
    if !tree.errors.is_empty()
        || tree
            .entries
            .iter()
            .any(|entry| entry.indent != 0 || entry.colon.is_none())
    {
        return None;
    }
    let lines = Lines::new(content);
    let entries = &tree.entries;
    let starts: Vec<usize> = entries
        .iter()
        .map(|entry| lines.of(entry.key_range.start))
        .collect();
    if starts.windows(2).any(|pair| pair[0] >= pair[1]) {
        return None;
    }

    // Each entry's lines: its key line to the end of its value, then any indented lines (its
    // comments), without trailing blank lines.
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let first = starts[i];
        let limit = starts.get(i + 1).copied().unwrap_or(lines.lines.len());
        let mut last = lines.of(entry.range.end.saturating_sub(1).max(entry.range.start));
        if last >= limit {
            return None;
        }
        while last + 1 < limit && {
            let next = lines.lines[last + 1];
            next.is_blank() || next.is_indented()
        } {
            last += 1;
        }
        while last > first && lines.lines[last].is_blank() {
            last -= 1;
        }
        spans.push((first, last));
    }
    // Comment lines right above an entry belong to it; those above the first entry head the
    // whole block (`# OpenCode agent configuration`) and stay on top.
    for i in 1..spans.len() {
        let floor = spans[i - 1].1 + 1;
        while spans[i].0 > floor && lines.lines[spans[i].0 - 1].is_comment() {
            spans[i].0 -= 1;
        }
    }
    // Everything else is blank lines and comments.
    let gap = |from: usize, to: usize| &lines.lines[from..to];
    let gaps: Vec<&[Line<'_>]> = (0..=spans.len())
        .map(|i| {
            let from = if i == 0 { 0 } else { spans[i - 1].1 + 1 };
            let to = spans.get(i).map_or(lines.lines.len(), |span| span.0);
            gap(from, to)
        })
        .collect();
    if gaps
        .iter()
        .flat_map(|gap| gap.iter())
        .any(|line| !line.is_blank() && !line.is_comment())
    {
        return None;
    }

    let rank = |entry: &Entry| {
        dialect
            .fields
            .iter()
            .position(|field| field.name == entry.key)
            .unwrap_or(usize::MAX)
    };
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| rank(&entries[i]));
    let detached_comments = gaps
        .get(1..gaps.len().saturating_sub(1))
        .unwrap_or_default()
        .iter()
        .any(|gap| gap.iter().any(Line::is_comment));
    if detached_comments {
        order.sort_unstable();
    }

    let verbatim = verbatim_lines(&tree.entries, &lines);
    let mut out = Output::default();
    out.gap(gaps[0]);
    for (position, &i) in order.iter().enumerate() {
        let (first, last) = spans[i];
        entry_lines(
            &entries[i],
            &lines.lines[first..=last],
            first,
            content,
            &verbatim,
            &mut out,
        );
        out.gap(gaps[position + 1]);
    }
    Some(out.finish())
}

/// The formatted lines, built in order.
#[derive(Default)]
struct Output {
    lines: Vec<String>,
}

impl Output {
    /// Blank lines and comments between entries: one blank line at most, none at the start.
    fn gap(&mut self, gap: &[Line<'_>]) {
        for line in gap {
            if line.is_blank() {
                if self.lines.last().is_some_and(|last| !last.is_empty()) {
                    self.lines.push(String::new());
                }
            } else {
                self.lines.push(trim_trailing(line.text).to_owned());
            }
        }
    }

    /// The lines, without blank lines at the end of the block.
    fn finish(mut self) -> Vec<String> {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        self.lines
    }
}

/// The lines of one entry (with the comments above it), formatted into `out`. `first` is the
/// index of `lines[0]` in the block.
fn entry_lines(
    entry: &Entry,
    lines: &[Line<'_>],
    first: usize,
    content: &str,
    verbatim: &[bool],
    out: &mut Output,
) {
    let key_line = lines
        .iter()
        .position(|line| line.start == entry.key_range.start)
        .unwrap_or(0);
    let shift = list_shift(entry, lines, key_line);
    for (offset, line) in lines.iter().enumerate() {
        let index = first + offset;
        let text: Cow<'_, str> = if offset == key_line {
            key_line_text(entry, line, content).into()
        } else {
            match shift {
                Some((from, delta)) if offset >= from => reindent(line.text, delta).into(),
                _ => line.text.into(),
            }
        };
        let text = if verbatim[index] {
            text.into_owned()
        } else {
            trim_trailing(&text).to_owned()
        };
        out.lines.push(text);
    }
}

/// `key: value` with one space after the colon and none before it.
fn key_line_text(entry: &Entry, line: &Line<'_>, content: &str) -> String {
    let key = &content[entry.key_range.as_range()];
    let line_end = line.start + line.text.len();
    let after_colon = entry
        .colon
        .map_or(line_end, |colon| colon.end.min(line_end));
    let rest = content[after_colon..line_end].trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        format!("{key}:")
    } else {
        format!("{key}: {rest}")
    }
}

/// Spaces to add (or remove) on the lines of a top-level block list so that its dashes sit at
/// column 2: `(index of the list's first line, delta)`. `None` when the entry's value is not a
/// block list, is already there, or an indentation is not plain spaces the shift can move.
fn list_shift(entry: &Entry, lines: &[Line<'_>], key_line: usize) -> Option<(usize, isize)> {
    const LIST_INDENT: usize = 2;
    let node = entry.value.as_ref()?;
    let sequence = node.as_sequence()?;
    if sequence.flow || node.anchor.is_some() || node.tag.is_some() {
        return None;
    }
    let from = lines.iter().position(|line| {
        line.start <= node.range.start && node.range.start <= line.start + line.text.len()
    })?;
    if from <= key_line {
        return None;
    }
    let dash = node.range.start - lines[from].start;
    if dash == LIST_INDENT || !lines[from].text[..dash].bytes().all(|b| b == b' ') {
        return None;
    }
    let movable = lines[from..].iter().all(|line| {
        let indent = line.text.len() - line.text.trim_start_matches(' ').len();
        let tab = line.text[indent..].starts_with('\t');
        line.text.is_empty() || (!tab && (line.is_comment() || line.is_blank() || indent >= dash))
    });
    let delta = LIST_INDENT as isize - dash as isize;
    movable.then_some((from, delta))
}

/// `text` with its leading spaces changed by `delta` (never below none).
fn reindent(text: &str, delta: isize) -> String {
    let indent = text.len() - text.trim_start_matches(' ').len();
    if text.is_empty() {
        return String::new();
    }
    let indent = indent.saturating_add_signed(delta);
    format!("{}{}", " ".repeat(indent), text.trim_start_matches(' '))
}

/// Without trailing spaces and tabs, unless a backslash precedes them (in a double-quoted
/// scalar, `\ ` at the end of a line is an escaped space).
fn trim_trailing(text: &str) -> &str {
    let trimmed = text.trim_end_matches([' ', '\t']);
    if trimmed.len() < text.len() && trimmed.ends_with('\\') {
        text
    } else {
        trimmed
    }
}

/// Which lines hold block scalar content (`|`, `>`): their whitespace is content.
fn verbatim_lines(entries: &[Entry], lines: &Lines<'_>) -> Vec<bool> {
    fn visit(node: &Node, lines: &Lines<'_>, verbatim: &mut [bool]) {
        match &node.kind {
            NodeKind::Scalar(scalar) if scalar.style.is_block() && scalar.multiline => {
                let header = lines.of(node.range.start);
                let end = lines.of(scalar.content.end);
                for flag in verbatim.iter_mut().take(end + 1).skip(header + 1) {
                    *flag = true;
                }
            }
            NodeKind::Sequence(sequence) => {
                for item in &sequence.items {
                    visit(item, lines, verbatim);
                }
            }
            NodeKind::Mapping(mapping) => {
                for value in mapping.entries.iter().filter_map(|e| e.value.as_ref()) {
                    visit(value, lines, verbatim);
                }
            }
            _ => {}
        }
    }
    let mut verbatim = vec![false; lines.lines.len()];
    for value in entries.iter().filter_map(|entry| entry.value.as_ref()) {
        visit(value, lines, &mut verbatim);
    }
    verbatim
}

/// The edits that turn `old` into `new`: the changed runs of lines, each narrowed to the changed
/// words within it and then to the bytes that differ (never between a `\r` and its `\n`, which
/// an editor cannot address). Small edits keep the editor's cursor and undo history in place.
fn edits(old: &str, new: &str) -> Vec<TextEdit> {
    // A deadline keeps a pathological block cheap; the edits are then merely less minimal.
    let deadline = Instant::now() + Duration::from_millis(200);
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut edits = Vec::new();
    for (old_span, new_span) in changed_spans(&old_lines, &new_lines, deadline) {
        if old_span.is_empty() || new_span.is_empty() {
            edits.push(tight_edit(old, old_span, new, new_span));
            continue;
        }
        let old_words = words(&old[old_span.clone()]);
        let new_words = words(&new[new_span.clone()]);
        for (old_words_span, new_words_span) in changed_spans(&old_words, &new_words, deadline) {
            edits.push(tight_edit(
                old,
                old_span.start + old_words_span.start..old_span.start + old_words_span.end,
                new,
                new_span.start + new_words_span.start..new_span.start + new_words_span.end,
            ));
        }
    }
    edits
}

/// The byte spans (in the concatenation of the tokens) of each run of tokens that differs:
/// `(old span, new span)`, in order.
fn changed_spans(
    old: &[&str],
    new: &[&str],
    deadline: Instant,
) -> Vec<(Range<usize>, Range<usize>)> {
    let offsets = |tokens: &[&str]| -> Vec<usize> {
        std::iter::once(0)
            .chain(tokens.iter().scan(0, |end, token| {
                *end += token.len();
                Some(*end)
            }))
            .collect()
    };
    let (old_at, new_at) = (offsets(old), offsets(new));
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    // Positions come from walking the operations in order: similar reports an insertion after a
    // trailing equal run at an earlier old index than the run's end. Operations that do not tile
    // both sequences give one run over everything instead.
    let (mut old_position, mut new_position) = (0, 0);
    let mut runs: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut previous_equal = true;
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let in_order = new_range.start == new_position
            && (tag == DiffTag::Insert || old_range.start == old_position);
        if !in_order {
            return vec![(0..old_at[old.len()], 0..new_at[new.len()])];
        }
        let old_range = old_position..old_position + old_range.len();
        (old_position, new_position) = (old_range.end, new_range.end);
        if tag == DiffTag::Equal {
            previous_equal = true;
            continue;
        }
        match runs.last_mut() {
            Some(run) if !previous_equal => {
                run.0.end = old_range.end;
                run.1.end = new_range.end;
            }
            _ => runs.push((old_range, new_range)),
        }
        previous_equal = false;
    }
    if (old_position, new_position) != (old.len(), new.len()) {
        return vec![(0..old_at[old.len()], 0..new_at[new.len()])];
    }
    runs.into_iter()
        .map(|(old_range, new_range)| {
            (
                old_at[old_range.start]..old_at[old_range.end],
                new_at[new_range.start]..new_at[new_range.end],
            )
        })
        .collect()
}

/// `text` cut into runs of non-whitespace and of whitespace, a line break ending its run.
fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (index, c) in text.char_indices() {
        let boundary =
            previous.is_some_and(|p| p == '\n' || p.is_whitespace() != c.is_whitespace());
        if boundary {
            words.push(&text[start..index]);
            start = index;
        }
        previous = Some(c);
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words
}

/// The edit replacing `old[old_span]` by `new[new_span]`, without their common prefix and suffix.
fn tight_edit(old: &str, old_span: Range<usize>, new: &str, new_span: Range<usize>) -> TextEdit {
    let (a, b) = (&old[old_span.clone()], &new[new_span]);
    let mut prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(prefix) || a[..prefix].ends_with('\r') {
        prefix -= 1;
    }
    let (rest_a, rest_b) = (&a[prefix..], &b[prefix..]);
    let mut suffix = rest_a
        .bytes()
        .rev()
        .zip(rest_b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    while !rest_a.is_char_boundary(rest_a.len() - suffix)
        || (rest_a[rest_a.len() - suffix..].starts_with('\n')
            && old[..old_span.start + prefix + rest_a.len() - suffix].ends_with('\r'))
    {
        suffix -= 1;
    }
    TextEdit {
        range: TextRange::new(old_span.start + prefix, old_span.start + a.len() - suffix),
        new_text: rest_b[..rest_b.len() - suffix].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::analysis::apply_edits;

    const AGENT: &str = "/p/.claude/agents/a.md";
    const SEED: &str = include_str!("../../tests/fixtures/rust-backend-expert.md");

    /// The document formatted as a file at `path`, or `None` when nothing changes. Checks the
    /// guarantees on the way: the body is untouched and formatting again changes nothing.
    fn format_at(path: &str, text: &str) -> Option<String> {
        let analysis = Analysis::from_text(Some(Path::new(path)), text);
        let edits = analysis.format()?;
        let ranges: Vec<TextRange> = edits.iter().map(|edit| edit.range).collect();
        assert!(
            ranges.windows(2).all(|pair| pair[0].end <= pair[1].start),
            "edits in order, not overlapping: {ranges:?}"
        );
        let mut edits: Vec<&TextEdit> = edits.iter().collect();
        let formatted = apply_edits(text, &mut edits).expect("edits change the text");
        let again = Analysis::from_text(Some(Path::new(path)), &formatted);
        assert_eq!(again.formatting(), Formatting::Unchanged, "{formatted}");
        assert_eq!(
            &text[analysis.frontmatter_text().len()..],
            &formatted[again.frontmatter_text().len()..],
            "the body is untouched"
        );
        Some(formatted)
    }

    fn format(text: &str) -> Option<String> {
        format_at(AGENT, text)
    }

    fn formatting(text: &str) -> Formatting {
        Analysis::from_text(Some(Path::new(AGENT)), text).formatting()
    }

    #[test]
    fn fields_take_the_schema_order_unknown_keys_last() {
        let text = "---\nzeta: 1\ncolor: blue\nmodel: opus\nalpha: 2\ndescription: Reviews code\nname: reviewer\n---\n\nBody\n";
        assert_eq!(
            format(text).unwrap(),
            "---\nname: reviewer\ndescription: Reviews code\nmodel: opus\ncolor: blue\nzeta: 1\nalpha: 2\n---\n\nBody\n"
        );
        // Another dialect, another order (Copilot prompt files: `agent` before `model`).
        let prompt = "---\nmodel: GPT-5\nagent: agent\ndescription: Summarise\n---\n\nBody\n";
        assert_eq!(
            format_at("/p/x.prompt.md", prompt).unwrap(),
            "---\ndescription: Summarise\nagent: agent\nmodel: GPT-5\n---\n\nBody\n"
        );
    }

    #[test]
    fn values_and_comments_move_with_their_entry() {
        let text = "\
---
# Reviewer agent
tools:
  - Read
  # - Write
  - Grep
# The model: opus is slow
model: sonnet
hooks:
  Stop:
    - hooks: []
description: |
  Reviews code.

  Use after edits.
name: reviewer
# model: opus
---

Body
";
        assert_eq!(
            format(text).unwrap(),
            "\
---
# Reviewer agent
name: reviewer
description: |
  Reviews code.

  Use after edits.
# The model: opus is slow
model: sonnet
tools:
  - Read
  # - Write
  - Grep
hooks:
  Stop:
    - hooks: []
# model: opus
---

Body
"
        );
    }

    #[test]
    fn blank_lines_stay_in_place_and_a_detached_comment_keeps_the_order() {
        let grouped = "---\ndescription: b\nname: a\n\n\ncolor: red\nmodel: x\n---\n\nBody\n";
        assert_eq!(
            format(grouped).unwrap(),
            "---\nname: a\ndescription: b\n\nmodel: x\ncolor: red\n---\n\nBody\n"
        );
        // A comment with a blank line below it belongs to no entry: no reordering, but the
        // rest is still formatted.
        let detached = "---\ndescription: b\n# Settings\n\nname: a\nmodel:   x\n---\n\nBody\n";
        assert_eq!(
            format(detached).unwrap(),
            "---\ndescription: b\n# Settings\n\nname: a\nmodel: x\n---\n\nBody\n"
        );
    }

    #[test]
    fn the_seed_description_is_quoted_as_claude_code_reads_it() {
        let formatted = format(SEED).unwrap();
        let line = |text: &str| {
            text.lines()
                .find(|line| line.starts_with("description: "))
                .unwrap()
                .strip_prefix("description: ")
                .unwrap()
                .to_owned()
        };
        let original = line(SEED);
        assert!(original.contains(": ") && original.contains("\\n"));
        assert_eq!(line(&formatted), loader::double_quoted(&original));
        // Otherwise unchanged: the seed's order and layout are already canonical.
        assert_eq!(
            formatted.replace(&line(&formatted), ""),
            SEED.replace(&original, "")
        );
        // Now strict YAML, with the very value Claude Code read before.
        let before = Analysis::from_text(Some(Path::new(AGENT)), SEED);
        let after = Analysis::from_text(Some(Path::new(AGENT)), &formatted);
        let (before, after) = (before.loaded.unwrap(), after.loaded.unwrap());
        assert!(matches!(before.outcome, Outcome::Rescued { .. }));
        assert_eq!(after.outcome, Outcome::Strict);
        assert_eq!(before.fields, after.fields);
    }

    #[test]
    fn quoting_is_conservative() {
        // Quoted values keep their quotes; plain values that are strict YAML stay plain.
        let text =
            "---\nname: 'reviewer'\ndescription: \"Reviews: code\"\nmodel: sonnet\n---\n\nBody\n";
        assert_eq!(formatting(text), Formatting::Unchanged);
        // What the fallback quotes, it quotes on every eligible line, as Claude Code does.
        let rescued = "---\nname: a\ndescription: Use it: now\ncolor: blue # or red\n---\n\nBody\n";
        assert_eq!(
            format(rescued).unwrap(),
            "---\nname: a\ndescription: \"Use it: now\"\ncolor: \"blue # or red\"\n---\n\nBody\n"
        );
        // Cursor reads unquoted globs itself, and its own writer leaves them unquoted.
        let rule = "---\nglobs: **/*.ts, src/**\ndescription:   TypeScript rules\nalwaysApply: false\n---\n\nBody\n";
        assert_eq!(
            format_at("/p/.cursor/rules/ts.mdc", rule).unwrap(),
            "---\ndescription: TypeScript rules\nglobs: **/*.ts, src/**\nalwaysApply: false\n---\n\nBody\n"
        );
    }

    #[test]
    fn spacing_and_list_indentation() {
        let text = "--- \nname :   a  \ndescription:  b\t\ntools:\n- Read\n-   Grep   \n- Bash(git *)\nskills:\n    - one\n    - two:\n        deep: true\n---\n\nBody\n";
        assert_eq!(
            format(text).unwrap(),
            "---\nname: a\ndescription: b\ntools:\n  - Read\n  -   Grep\n  - Bash(git *)\nskills:\n  - one\n  - two:\n      deep: true\n---\n\nBody\n"
        );
    }

    #[test]
    fn block_scalars_keep_their_whitespace() {
        let text =
            "---\nname: a\ndescription: |\n  keep   \n\n    indented  \nmodel: x   \n---\n\nBody\n";
        assert_eq!(
            format(text).unwrap(),
            "---\nname: a\ndescription: |\n  keep   \n\n    indented  \nmodel: x\n---\n\nBody\n"
        );
    }

    #[test]
    fn one_blank_line_before_the_body() {
        for (text, expected) in [
            (
                "---\nname: a\ndescription: b\n---\nBody\n",
                "---\nname: a\ndescription: b\n---\n\nBody\n",
            ),
            (
                "---\nname: a\ndescription: b\n---  \n\n \n\nBody\n",
                "---\nname: a\ndescription: b\n---\n\nBody\n",
            ),
            // No body: the file ends with the fence line.
            (
                "---\nname: a\ndescription: b\n---\n\n\n",
                "---\nname: a\ndescription: b\n---\n",
            ),
            (
                "---\nname: a\ndescription: b\n---",
                "---\nname: a\ndescription: b\n---\n",
            ),
            // Blank lines at the start and end of the block go, runs of them become one.
            (
                "---\n\nname: a\n\n\ndescription: b\n\n---\n\nBody",
                "---\nname: a\n\ndescription: b\n---\n\nBody",
            ),
        ] {
            assert_eq!(format(text).as_deref(), Some(expected), "{text:?}");
        }
        // A body glued to the fence is left as it is.
        assert_eq!(
            format("---\ndescription: b\nname: a\n---Body\n").as_deref(),
            Some("---\nname: a\ndescription: b\n---Body\n")
        );
    }

    #[test]
    fn line_endings_and_byte_order_mark_are_kept() {
        let crlf = "---\r\nmodel: x \r\nname: a\r\ndescription: b\r\n---\r\nBody\r\nmore\r\n";
        assert_eq!(
            format(crlf).unwrap(),
            "---\r\nname: a\r\ndescription: b\r\nmodel: x\r\n---\r\n\r\nBody\r\nmore\r\n"
        );
        let bom = "\u{feff}---\nmodel: x\nname: a\ndescription: b\n---\n\nBody\n";
        assert_eq!(
            format(bom).unwrap(),
            "\u{feff}---\nname: a\ndescription: b\nmodel: x\n---\n\nBody\n"
        );
        // Mixed endings follow the opening fence line's.
        let mixed = "---\nname: a\r\ndescription: b\n---\n\nBody\r\n";
        assert_eq!(
            format(mixed).unwrap(),
            "---\nname: a\ndescription: b\n---\n\nBody\r\n"
        );
    }

    #[test]
    fn edits_are_minimal_and_never_split_a_line_break() {
        let text = "---\r\nname: a\r\ndescription:   b\r\n---\r\nBody\r\n";
        let analysis = Analysis::from_text(Some(Path::new(AGENT)), text);
        let edits = analysis.format().unwrap();
        let described: Vec<(&str, &str)> = edits
            .iter()
            .map(|edit| (&text[edit.range.as_range()], edit.new_text.as_str()))
            .collect();
        assert_eq!(described, [("  ", ""), ("", "\r\n")]);
        // LF-first document with a CRLF line: the `\r` goes with its `\n`, so that an editor
        // can address the edit.
        let mixed = "---\nname: a\r\ndescription: b\n---\n\nBody\n";
        let analysis = Analysis::from_text(Some(Path::new(AGENT)), mixed);
        for edit in analysis.format().unwrap() {
            for offset in [edit.range.start, edit.range.end] {
                assert!(
                    !(mixed[..offset].ends_with('\r') && mixed[offset..].starts_with('\n')),
                    "{edit:?}"
                );
            }
        }
    }

    #[test]
    fn edits_stay_in_order_when_an_entry_moves_to_the_end() {
        // Found by the property test below: the word diff of the last hunk inserts after an
        // equal run, which the diff library reports at an earlier position.
        let text = "---\ntools:\ndescription: 'quoted: yes'\nmodel: sonnet # comment\n   \nname :  b  \n  - Grep\n---\n";
        assert_eq!(
            format(text).unwrap(),
            "---\nname: b\n  - Grep\ndescription: 'quoted: yes'\nmodel: sonnet # comment\n\ntools:\n---\n"
        );
    }

    #[test]
    fn formatted_and_foreign_files_get_no_edits() {
        let formatted = "---\nname: a\ndescription: b\n---\n\nBody\n";
        assert_eq!(formatting(formatted), Formatting::Unchanged);
        assert_eq!(formatting("# Just Markdown\n"), Formatting::Unchanged);
        let analysis =
            Analysis::from_text(Some(Path::new("/p/README.md")), "---\nb: 1\na: 2\n---\nx\n");
        assert_eq!(analysis.formatting(), Formatting::Unchanged);
        assert_eq!(
            Analysis::from_text(None, "---\nb: 1\n---\nx\n").format(),
            None
        );
    }

    #[test]
    fn unsafe_documents_are_refused() {
        use Refusal::*;
        for (text, refusal) in [
            ("\n---\nname: a\n---\nBody\n", Fences),
            ("---\nname: a\ndescription: b\n", Fences),
            (
                "---\nname: a\ndescription: before --- after\nmodel: x\n---\nBody\n",
                CutShort,
            ),
            (
                "---\nname: a\ndescription: first line\n  continued: with colon\n---\nBody\n",
                NotLoadable,
            ),
            (
                "---\nname: \"unterminated\ndescription: b\n---\nBody\n",
                NotLoadable,
            ),
            ("---\n- a\n- b\n---\nBody\n", NotLoadable),
            (
                "---\nname: a\nmodel: x\nname: b\n---\nBody\n",
                DuplicateKeys,
            ),
            ("---\nname: a\n\tdescription: b\n---\nBody\n", NotLoadable),
            ("---\n{name: a, description: b}\n---\nBody\n", Unsupported),
            ("---\n? name\n: a\n---\nBody\n", Unsupported),
            ("---\n  name: a\n  description: b\n---\nBody\n", Unsupported),
            ("---\nname: a\rdescription: b\n---\nBody\n", Unsupported),
        ] {
            assert_eq!(formatting(text), Formatting::Refused(refusal), "{text:?}");
        }
        // A strict reader (Gemini CLI) cannot read what Claude Code's fallback rescues.
        let gemini = Analysis::from_text(
            Some(Path::new("/p/.gemini/agents/a.md")),
            "---\nname: a\ndescription: Use it: now\n---\nBody\n",
        );
        assert_eq!(gemini.formatting(), Formatting::Refused(NotLoadable));
    }

    #[test]
    fn a_meaning_change_is_caught() {
        // Keep-chomped trailing blank lines are content: dropping them would change the value.
        let text = "---\nname: a\ndescription: |+\n  text\n\n\n---\nBody\n";
        assert_eq!(
            formatting(text),
            Formatting::Refused(Refusal::MeaningChanged)
        );
    }

    /// Lines frontmatter is made of, good and bad: keys in and out of order, lists at several
    /// indentations, block scalars, comments, trailing blanks, tabs, fallback-rescued values.
    const LINES: &[&str] = &[
        "name: a",
        "name :  b  ",
        "description: Use it: now",
        "description: 'quoted: yes'",
        "description: |",
        "description: >-",
        "  folded text  ",
        "    deeper",
        "model: sonnet # comment",
        "color: blue",
        "tools:",
        "- Read",
        "  - Grep",
        "    - Bash(git *)",
        "\t- Tab",
        "# a comment",
        "  # indented comment",
        "",
        "   ",
        "hooks:",
        "  Stop:",
        "    - hooks: []",
        "unknown: [1, 2]",
        "x-custom: \"emoji 😀\"",
        "empty:",
        "name: a\\ ",
        "'quoted key' : 1",
    ];

    /// 512 cases, or `PROPTEST_CASES` when set.
    fn proptest_config() -> proptest::test_runner::Config {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(512);
        proptest::test_runner::Config {
            cases,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest_config())]

        /// Whatever the frontmatter, formatting never panics, and when it changes something the
        /// result keeps the body, formats to itself and loads to the same values.
        #[test]
        fn formatting_random_frontmatter_is_safe(
            lines in proptest::collection::vec(proptest::sample::select(LINES), 0..12),
            crlf in proptest::bool::ANY,
            body in proptest::sample::select(&["", "\n", "Body\n", "\n\n\nBody", "Body"][..]),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("---{eol}");
            for line in &lines {
                text.push_str(line);
                text.push_str(eol);
            }
            text.push_str("---");
            text.push_str(eol);
            text.push_str(body);
            let Some(formatted) = format(&text) else {
                return Ok(());
            };
            let before = Analysis::from_text(Some(Path::new(AGENT)), &text);
            let after = Analysis::from_text(Some(Path::new(AGENT)), &formatted);
            let fields = |analysis: &Analysis| {
                let mut fields = analysis.loaded.as_ref().unwrap().fields.clone();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                fields
            };
            proptest::prop_assert_eq!(fields(&before), fields(&after));
        }
    }
}
