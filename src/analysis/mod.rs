//! Analysis facade: everything agentls knows about one document version, as plain data.
//!
//! Architecture invariant: nothing here knows about LSP. Inputs are text chunks and byte offsets;
//! outputs are [`Diagnostic`], [`CompletionItem`] and [`Hover`] values with [`TextRange`]s. The
//! server and the CLI both call these functions.

mod completion;
mod diagnostics;
mod fix;
mod hover;
mod values;

pub use fix::{apply_edits, apply_safe_fixes};

use std::path::Path;

use crate::loader::{self, Loaded};
use crate::schema::{Detected, Dialect, Registry};
use crate::syntax::{Frontmatter, Split, parse_frontmatter, split};
use crate::text::TextRange;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The tool will not load the file, or will drop or ignore the value.
    Error,
    /// The tool loads it, but something is probably wrong (or other tools reject it).
    Warning,
    Information,
    Hint,
}

/// One problem found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The exact range of the offending token.
    pub range: TextRange,
    pub severity: Severity,
    /// Stable kebab-case rule code, e.g. `unknown-field`.
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Repairs offered as quick fixes (and applied by `agentls check --fix` when `safe`).
    pub fixes: Vec<Fix>,
}

/// A repair for a diagnostic: text edits on the same document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// Safe fixes preserve meaning (or restore the obvious intent) and may be applied without review.
    pub safe: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// What a completion item stands for (drives the editor's icon).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Field,
    Value,
    Color,
    Tool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// One-line summary shown next to the label (e.g. the field type).
    pub detail: Option<String>,
    /// Markdown documentation. For colors it contains the hex value (`#rrggbb`) so that editors
    /// can draw a swatch.
    pub documentation: Option<String>,
    /// The text the item replaces (the partially typed word; empty at the cursor otherwise).
    pub replace: TextRange,
    pub insert_text: String,
    /// Sort key (items are already in the intended order; this keeps editors from re-sorting).
    pub sort_text: String,
}

/// Hover documentation for the token under the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// The analysed state of one document version. Cheap to query repeatedly.
#[derive(Debug)]
pub struct Analysis {
    /// The dialect and whether the file is a plugin's; `None` for files agentls does not know.
    pub(crate) detected: Option<Detected<'static>>,
    pub(crate) split: Split,
    /// The tolerant parse of the block the author meant (up to the line-anchored closing fence when a `---` inside a value cut the real block short).
    pub(crate) frontmatter: Option<Frontmatter>,
    /// Where the parsed block lies (content range, absolute).
    pub(crate) parsed_range: Option<TextRange>,
    /// What Claude Code makes of the block it actually reads.
    pub(crate) loaded: Option<Loaded>,
    /// Total document size in bytes.
    pub(crate) len: usize,
}

/// Claude Code skips agent files larger than this (spec §1).
pub const MAX_FILE_SIZE: usize = 1024 * 1024;

impl Analysis {
    /// Analyses a document of `len` bytes given as text chunks in order (a rope's chunks, or one
    /// `&str`). `path` selects the dialect; `None`, or a path that matches no dialect, gives an
    /// analysis with no diagnostics. Only the frontmatter is read in full: the cost does not grow
    /// with the size of the body.
    pub fn with_len<'a>(
        path: Option<&Path>,
        len: usize,
        chunks: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let detected = path.and_then(|path| Registry::get().detect(path));
        Self::analyze(detected, len, chunks)
    }

    /// Analyses a document as the given dialect (by id, e.g. `claude-agent`), whatever its path.
    /// `plugin` selects the plugin-agent rules. Returns `None` for an unknown dialect id.
    pub fn with_dialect<'a>(
        dialect: &str,
        plugin: bool,
        len: usize,
        chunks: impl IntoIterator<Item = &'a str>,
    ) -> Option<Self> {
        let dialect = Registry::get().by_id(dialect)?;
        Some(Self::analyze(
            Some(Detected { dialect, plugin }),
            len,
            chunks,
        ))
    }

    fn analyze<'a>(
        detected: Option<Detected<'static>>,
        len: usize,
        chunks: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let split = split(chunks);
        let (frontmatter, parsed_range, loaded) = match &split.frontmatter {
            Some(block) if detected.is_some() => {
                let parsed_range = block
                    .truncated
                    .as_ref()
                    .map_or(block.content, |truncation| truncation.intended_content);
                let parsed_text = &split.head[parsed_range.as_range()];
                let frontmatter = parse_frontmatter(parsed_text, parsed_range.start);
                let loaded = loader::load_claude_code(&split.head[block.content.as_range()]);
                (Some(frontmatter), Some(parsed_range), Some(loaded))
            }
            _ => (None, None, None),
        };
        Self {
            detected,
            split,
            frontmatter,
            parsed_range,
            loaded,
            len,
        }
    }

    /// Analyses a document given as text chunks (prefer [`Analysis::with_len`] when the length is
    /// known without walking the chunks, as with a rope).
    pub fn new<'a>(path: Option<&Path>, chunks: impl IntoIterator<Item = &'a str>) -> Self {
        let chunks: Vec<&str> = chunks.into_iter().collect();
        let len = chunks.iter().map(|chunk| chunk.len()).sum();
        Self::with_len(path, len, chunks)
    }

    /// Analyses a whole document held in one string.
    pub fn from_text(path: Option<&Path>, text: &str) -> Self {
        Self::with_len(path, text.len(), std::iter::once(text))
    }

    /// The dialect of the document (`claude-agent`, …), if it has one.
    pub fn dialect(&self) -> Option<&str> {
        self.detected
            .map(|detected| detected.dialect.dialect.as_str())
    }

    /// Whether the file is a plugin's agent.
    pub fn is_plugin(&self) -> bool {
        self.detected.is_some_and(|detected| detected.plugin)
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnostics::diagnostics(self)
    }

    /// Completion candidates at byte `offset`.
    pub fn completion(&self, offset: usize) -> Vec<CompletionItem> {
        completion::completion(self, offset)
    }

    /// Hover documentation at byte `offset`.
    pub fn hover(&self, offset: usize) -> Option<Hover> {
        hover::hover(self, offset)
    }

    /// The document text the analysis read (the frontmatter and the closing fence line); ranges in
    /// the tree index into it.
    pub(crate) fn head(&self) -> &str {
        &self.split.head
    }

    pub(crate) fn dialect_schema(&self) -> Option<&'static Dialect> {
        self.detected.map(|detected| detected.dialect)
    }

    /// The parsed frontmatter with its schema, when the document has both.
    pub(crate) fn parsed(&self) -> Option<(&'static Dialect, &Frontmatter, TextRange)> {
        Some((
            self.dialect_schema()?,
            self.frontmatter.as_ref()?,
            self.parsed_range?,
        ))
    }
}
