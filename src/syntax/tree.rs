//! The frontmatter syntax tree: YAML-shaped nodes that keep the exact byte range of every token.
//!
//! Architecture invariant: the tree is produced for *any* input. Broken lines become
//! [`NodeKind::Error`] nodes or entries without a colon, and are listed in
//! [`Frontmatter::errors`]; everything after them is still parsed.

use crate::text::TextRange;

/// The parsed frontmatter block of a document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frontmatter {
    /// The top-level mapping entries, in source order (duplicates kept).
    pub entries: Vec<Entry>,
    /// Every `# comment` in the block (range starts at `#`).
    pub comments: Vec<TextRange>,
    /// Syntax errors found by the tolerant parser, in source order.
    pub errors: Vec<SyntaxError>,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as written (unquoted content when the key is quoted).
    pub key: String,
    /// Range of the key token (including quotes when quoted).
    pub key_range: TextRange,
    /// Range of the `:` indicator; `None` for a half-typed line such as `mod`.
    pub colon: Option<TextRange>,
    /// The value; `None` when nothing follows the colon (an empty/null value) or there is no colon.
    pub value: Option<Node>,
    /// Column (in bytes from the start of the line) at which the key starts.
    pub indent: usize,
    /// From the key start to the end of the value (or of the key/colon when there is no value).
    pub range: TextRange,
}

/// A value in the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The whole node, from its first to its last significant byte (comments excluded).
    pub range: TextRange,
    /// `&anchor` attached to the node, if any.
    pub anchor: Option<TextRange>,
    /// `!tag` attached to the node, if any.
    pub tag: Option<TextRange>,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    /// A block (`- item`) or flow (`[a, b]`) sequence.
    Sequence(Sequence),
    /// A block or flow (`{a: b}`) mapping.
    Mapping(Mapping),
    /// `*alias`; the text is the alias name.
    Alias(String),
    /// Text the parser could not make sense of; the matching error is in [`Frontmatter::errors`].
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub flow: bool,
    pub items: Vec<Node>,
    /// False for a flow sequence whose closing `]` is missing.
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    pub flow: bool,
    pub entries: Vec<Entry>,
    /// False for a flow mapping whose closing `}` is missing.
    pub closed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub style: ScalarStyle,
    /// The value after YAML processing: quotes removed, escapes applied, lines folded,
    /// block indentation removed, chomping applied.
    pub value: String,
    /// Range of the text between the quotes (quoted scalars), of the content lines (block
    /// scalars, header excluded) or of the whole token (plain scalars).
    pub content: TextRange,
    /// True when the scalar spans more than one source line (multi-line plain or quoted scalar).
    pub multiline: bool,
    /// For a plain scalar: a ` #…` comment that YAML cut off the end of the value on its line.
    pub cut_comment: Option<TextRange>,
    /// For a quoted scalar: false when the closing quote is missing.
    pub terminated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&Sequence> {
        match &self.kind {
            NodeKind::Sequence(sequence) => Some(sequence),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&Mapping> {
        match &self.kind {
            NodeKind::Mapping(mapping) => Some(mapping),
            _ => None,
        }
    }

    /// Depth-first search for the innermost node whose range contains `offset`.
    pub fn node_at(&self, offset: usize) -> Option<&Node> {
        if !self.range.contains_inclusive(offset) {
            return None;
        }
        let inner = match &self.kind {
            NodeKind::Sequence(sequence) => sequence.items.iter().find_map(|n| n.node_at(offset)),
            NodeKind::Mapping(mapping) => mapping
                .entries
                .iter()
                .filter_map(|e| e.value.as_ref())
                .find_map(|n| n.node_at(offset)),
            _ => None,
        };
        inner.or(Some(self))
    }
}

impl Frontmatter {
    /// The first top-level entry with this key (Claude Code keeps the last one of duplicates;
    /// see [`Frontmatter::last`]).
    pub fn first(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The last top-level entry with this key: the one a YAML loader that tolerates duplicate
    /// keys keeps.
    pub fn last(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

impl ScalarStyle {
    pub const fn is_quoted(self) -> bool {
        matches!(self, Self::SingleQuoted | Self::DoubleQuoted)
    }

    pub const fn is_block(self) -> bool {
        matches!(self, Self::Literal | Self::Folded)
    }
}
