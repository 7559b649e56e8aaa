//! Analysis facade: everything agentls knows about one document version, as plain data.
//!
//! Architecture invariant: nothing here knows about LSP. Inputs are text chunks and byte offsets;
//! outputs are [`Diagnostic`], [`CompletionItem`] and [`Hover`] values with [`TextRange`]s. The
//! server and the CLI both call these functions.

mod body;
mod color;
mod completion;
pub mod config_file;
mod diagnostics;
mod fix;
mod format;
mod hover;
mod mention;
mod outline;
mod repair;
mod semantic;
mod tokens;
pub(crate) mod values;

pub use color::{ColorPresentation, DocumentColor, Rgb};
pub use fix::{apply_edits, apply_safe_fixes, fix_all, safe_fix_edits};
pub use format::{Formatting, Refusal};
pub use mention::{Mention, mention_at};
pub use outline::{Fold, FoldKind, Symbol, SymbolKind};
pub use semantic::{SemanticKind, SemanticToken};
pub use tokens::{InlayHint, estimate_tokens, format_tokens};

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::loader::{self, Loaded};
use crate::schema::{Detected, Dialect, LoaderKind, Registry};
use crate::syntax::{
    Frontmatter, Node, NodeKind, Split, parse_frontmatter, reparse_frontmatter, split, split_str,
};
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

impl Diagnostic {
    /// A copy without the fixes.
    pub fn without_fixes(&self) -> Self {
        Self {
            range: self.range,
            severity: self.severity,
            code: self.code,
            message: self.message.clone(),
            fixes: Vec::new(),
        }
    }
}

/// A repair for a diagnostic: text edits on the same document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// Safe fixes preserve meaning (or restore the obvious intent) and may be applied without review.
    pub safe: bool,
    /// The fix also renames (moves) the file to this path (never safe: the CLI does not apply it).
    pub rename: Option<std::path::PathBuf>,
}

impl Fix {
    /// A fix made of one edit.
    pub fn single(
        title: impl Into<String>,
        range: TextRange,
        new_text: impl Into<String>,
        safe: bool,
    ) -> Self {
        Self {
            title: title.into(),
            edits: vec![TextEdit {
                range,
                new_text: new_text.into(),
            }],
            safe,
            rename: None,
        }
    }
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
    /// The tolerant parse of the block the author meant (up to the line-anchored closing fence
    /// when a `---` inside a value cut the real block short).
    pub(crate) frontmatter: Option<Arc<Frontmatter>>,
    /// Where the parsed block lies (content range, absolute).
    pub(crate) parsed_range: Option<TextRange>,
    /// The block the tool itself reads (absolute); loader offsets are relative to it.
    pub(crate) loaded_range: Option<TextRange>,
    /// What Claude Code makes of the block it actually reads.
    pub(crate) loaded: Option<Arc<Loaded>>,
    /// Total document size in bytes.
    pub(crate) len: usize,
    /// The file's path, when analysed from one (file references resolve against it).
    pub(crate) path: Option<std::path::PathBuf>,
    /// The whole text, kept only for dialects with body syntax and documents their tools read
    /// (at most [`body::BODY_LIMIT`]); body checks and hovers use it.
    pub(crate) text: Option<String>,
    /// Diagnostics that depend only on the frontmatter, computed on first request and carried
    /// over by [`Analysis::update`] when an edit leaves the frontmatter alone.
    frontmatter_diagnostics: FrontmatterDiagnostics,
    /// For agentls's own configuration file (`.agentls.yaml`): its analysis, which answers
    /// diagnostics, completion and hover instead of the (absent) dialect's.
    config: Option<Arc<config_file::ConfigDocument>>,
}

/// The frontmatter's diagnostics, each way they are asked for. Published diagnostics carry no
/// fixes, and building the repairs (a long value rewritten as a `|` block, say) would be much of
/// a keystroke's checking; code actions and `check` ask for them with their fixes.
#[derive(Clone, Debug, Default)]
struct FrontmatterDiagnostics {
    with_fixes: OnceLock<Arc<[Diagnostic]>>,
    without_fixes: OnceLock<Arc<[Diagnostic]>>,
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
        Self::with_detected(path, detected, len, chunks)
    }

    /// Analyses a document at `path` whose dialect was detected by the caller (with user
    /// overrides, see [`crate::schema::DialectOverrides`]).
    pub fn with_detected<'a>(
        path: Option<&Path>,
        detected: Option<Detected<'static>>,
        len: usize,
        chunks: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        if let Some(path) = path.filter(|path| config_file::is_config_file(path)) {
            return Self::config_file(path, len, chunks);
        }
        let mut analysis = Self::analyze(detected, len, chunks);
        analysis.path = path.map(Path::to_path_buf);
        analysis
    }

    /// `.agentls.yaml`: no dialect, only the configuration file's own checks and help.
    fn config_file<'a>(path: &Path, len: usize, chunks: impl IntoIterator<Item = &'a str>) -> Self {
        let text: String = chunks.into_iter().collect();
        let mut analysis = Self::analyze(None, len, std::iter::once(text.as_str()));
        analysis.path = Some(path.to_path_buf());
        analysis.config = Some(Arc::new(config_file::ConfigDocument::new(path, text)));
        analysis
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
        Self::analyze_after(None, detected, len, chunks)
    }

    /// Analyses the next version of this document (same path), reusing what the edit did not
    /// touch: an edit in the body reuses the whole frontmatter analysis, an edit in one
    /// frontmatter entry re-parses only that entry.
    pub fn update<'a>(&self, len: usize, chunks: impl IntoIterator<Item = &'a str>) -> Self {
        if let (Some(_), Some(path)) = (&self.config, &self.path) {
            return Self::config_file(path, len, chunks);
        }
        Self::analyze_after(Some(self), self.detected, len, chunks)
    }

    fn analyze_after<'a>(
        previous: Option<&Self>,
        detected: Option<Detected<'static>>,
        len: usize,
        chunks: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        // Only dialects with body syntax need the whole text; the others read no further than the
        // frontmatter, whatever the size of the body.
        let keeps_text = len <= body::BODY_LIMIT
            && detected.is_some_and(|d| d.dialect.body.is_some() || d.dialect.max_chars.is_some());
        let (split, text) = if keeps_text {
            let text: String = chunks.into_iter().collect();
            (split_str(&text), Some(text))
        } else {
            (split(chunks), None)
        };
        let mut analysis = Self {
            detected,
            split,
            frontmatter: None,
            parsed_range: None,
            loaded_range: None,
            loaded: None,
            len,
            path: previous.and_then(|previous| previous.path.clone()),
            text,
            frontmatter_diagnostics: FrontmatterDiagnostics::default(),
            config: None,
        };
        if detected.is_none() {
            return analysis;
        }
        if let Some(previous) =
            previous.filter(|previous| previous.split.head == analysis.split.head)
        {
            // Same frontmatter text: the tree and the loader verdict cannot have changed.
            analysis.frontmatter = previous.frontmatter.clone();
            analysis.parsed_range = previous.parsed_range;
            analysis.loaded_range = previous.loaded_range;
            analysis.loaded = previous.loaded.clone();
            analysis.frontmatter_diagnostics = previous.frontmatter_diagnostics.clone();
            return analysis;
        }
        let Some(block) = &analysis.split.frontmatter else {
            return analysis;
        };
        let parsed_range = block
            .truncated
            .as_ref()
            .map_or(block.content, |truncation| truncation.intended_content);
        let parsed_text = &analysis.split.head[parsed_range.as_range()];
        // An edit inside one entry re-parses that entry alone.
        let frontmatter = match previous.and_then(Self::parsed_block) {
            Some((tree, range, text)) if range.start == parsed_range.start => {
                reparse_frontmatter(tree, text, parsed_text, parsed_range.start)
            }
            _ => parse_frontmatter(parsed_text, parsed_range.start),
        };
        // Claude Code reads up to the first `---` anywhere; other tools' readers end the block at
        // a `---` line, which is the block the author meant.
        let loaded_range = match detected.map(|d| d.dialect.loader) {
            Some(LoaderKind::ClaudeCode) => block.content,
            _ => parsed_range,
        };
        let content = &analysis.split.head[loaded_range.as_range()];
        let entry_starts = (parsed_range == loaded_range)
            .then(|| independent_entry_starts(&frontmatter, loaded_range.start, content))
            .flatten();
        let empty = loader::EntryCache::default();
        let cache = previous
            .and_then(|p| p.loaded.as_deref())
            .map_or(&empty, |loaded| &loaded.cache);
        let mut loaded = loader::load_claude_code_entries(content, entry_starts.as_deref(), cache);
        if detected.is_some_and(|d| d.dialect.loader == LoaderKind::Strict) {
            loaded = loaded.without_fallback();
        }
        analysis.frontmatter = Some(Arc::new(frontmatter));
        analysis.parsed_range = Some(parsed_range);
        analysis.loaded_range = Some(loaded_range);
        analysis.loaded = Some(Arc::new(loaded));
        analysis
    }

    /// The tolerant tree, where its block lies and that block's text.
    fn parsed_block(&self) -> Option<(&Frontmatter, TextRange, &str)> {
        let range = self.parsed_range?;
        let text = self.split.head.get(range.as_range())?;
        Some((self.frontmatter.as_deref()?, range, text))
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

    /// Whether the document is agentls's own configuration file (`.agentls.yaml`): its
    /// diagnostics are about the file itself, which no setting or comment can silence.
    pub fn is_config_file(&self) -> bool {
        self.config.is_some()
    }

    /// Whether the file is a plugin's agent.
    pub fn is_plugin(&self) -> bool {
        self.detected.is_some_and(|detected| detected.plugin)
    }

    /// Every diagnostic of the file, with its fixes, in document order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.collect_diagnostics(true)
    }

    /// [`Analysis::diagnostics`] without their fixes: what the server publishes after each
    /// keystroke, without copying the fixes' text (code actions ask for them on the current
    /// snapshot).
    pub fn diagnostics_without_fixes(&self) -> Vec<Diagnostic> {
        self.collect_diagnostics(false)
    }

    fn collect_diagnostics(&self, with_fixes: bool) -> Vec<Diagnostic> {
        let copy = |diagnostic: &Diagnostic| {
            if with_fixes {
                diagnostic.clone()
            } else {
                diagnostic.without_fixes()
            }
        };
        if let Some(config) = &self.config {
            return config.diagnostics().iter().map(copy).collect();
        }
        let computed = &self.frontmatter_diagnostics;
        let frontmatter = match computed.with_fixes.get() {
            Some(diagnostics) => diagnostics,
            None if with_fixes => computed
                .with_fixes
                .get_or_init(|| diagnostics::frontmatter_diagnostics(self, true).into()),
            None => computed
                .without_fixes
                .get_or_init(|| diagnostics::frontmatter_diagnostics(self, false).into()),
        };
        let mut all = diagnostics::file_diagnostics(self);
        if let Some(text) = &self.text {
            all.extend(body::diagnostics(self, text));
            all.extend(diagnostics::length_diagnostics(self, text));
        }
        if !with_fixes {
            all.iter_mut()
                .for_each(|diagnostic| diagnostic.fixes.clear());
        }
        all.extend(frontmatter.iter().map(copy));
        diagnostics::sort(&mut all);
        all
    }

    /// Completion candidates at byte `offset`.
    pub fn completion(&self, offset: usize) -> Vec<CompletionItem> {
        if let Some(config) = &self.config {
            return config.completion(offset);
        }
        completion::completion(self, offset)
    }

    /// The existing file that a body reference (`@path`, `#file:`, `#[[file:…]]`) at byte
    /// `offset` points to, if any.
    pub fn file_reference_at(&self, offset: usize) -> Option<std::path::PathBuf> {
        let text = self.text.as_deref()?;
        (offset >= self.split.body_start)
            .then(|| body::file_reference_at(self, text, offset))
            .flatten()
    }

    /// Hover documentation at byte `offset`.
    pub fn hover(&self, offset: usize) -> Option<Hover> {
        if let Some(config) = &self.config {
            return config.hover(offset);
        }
        if offset >= self.split.body_start
            && let Some(text) = &self.text
        {
            return body::hover(self, text, offset);
        }
        hover::hover(self, offset)
    }

    /// The document text the analysis read (the frontmatter and the closing fence line); ranges in
    /// the tree index into it.
    /// The text before the body: the frontmatter block with its fences (empty without one).
    /// Unlike [`Analysis::head`], never body text, however much the splitter read.
    pub fn frontmatter_text(&self) -> &str {
        self.split
            .head
            .get(..self.split.body_start)
            .unwrap_or_default()
    }

    pub(crate) fn head(&self) -> &str {
        &self.split.head
    }

    /// The name of the folder holding the file (skills are named after it).
    pub(crate) fn folder(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy())
    }

    pub(crate) fn dialect_schema(&self) -> Option<&'static Dialect> {
        self.detected.map(|detected| detected.dialect)
    }

    /// The parsed frontmatter with its schema, when the document has both.
    pub(crate) fn parsed(&self) -> Option<(&'static Dialect, &Frontmatter, TextRange)> {
        Some((
            self.dialect_schema()?,
            self.frontmatter.as_deref()?,
            self.parsed_range?,
        ))
    }
}

/// The line starts (relative to `content`) of the top-level entries, when the block can be loaded
/// entry by entry: every top-level line is a `key:` entry at column 0, and no anchor, alias or
/// document marker ties entries together.
fn independent_entry_starts(
    frontmatter: &Frontmatter,
    content_start: usize,
    content: &str,
) -> Option<Vec<usize>> {
    let entries_are_plain = frontmatter
        .entries
        .iter()
        .all(|entry| entry.indent == 0 && entry.colon.is_some());
    let linked = frontmatter
        .entries
        .iter()
        .filter_map(|entry| entry.value.as_ref())
        .any(has_anchor_or_alias);
    let line_starts =
        std::iter::once(0).chain(memchr::memchr_iter(b'\n', content.as_bytes()).map(|at| at + 1));
    let markers = line_starts
        .map(|start| &content.as_bytes()[start..])
        .any(|line| line.starts_with(b"---") || line.starts_with(b"...") || line.starts_with(b"%"));
    if !entries_are_plain || linked || markers {
        return None;
    }
    Some(
        frontmatter
            .entries
            .iter()
            .map(|entry| entry.key_range.start - content_start)
            .collect(),
    )
}

fn has_anchor_or_alias(node: &Node) -> bool {
    node.anchor.is_some()
        || match &node.kind {
            NodeKind::Alias(_) => true,
            NodeKind::Sequence(sequence) => sequence.items.iter().any(has_anchor_or_alias),
            NodeKind::Mapping(mapping) => mapping
                .entries
                .iter()
                .filter_map(|entry| entry.value.as_ref())
                .any(has_anchor_or_alias),
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/rust-backend-expert.md");
    const MISTAKES: &str = "---\nname: My Agent\ndescription: Finds bugs: fast # really\nmodle: sonnet\ncolor: yelow\ntools: Read, Bassh, Read\nname: again\n---\nBody.\n";

    #[test]
    fn diagnostics_without_fixes_are_the_same_diagnostics() {
        let path = Some(Path::new("/p/.claude/agents/a.md"));
        let unreadable = "---\nname: a\ndescription: b\n  c: d: e\n---\n";
        for text in [MISTAKES, SEED, unreadable] {
            // Without fixes first: that path builds no repairs, and must not keep any for later.
            let analysis = Analysis::from_text(path, text);
            let without = analysis.diagnostics_without_fixes();
            let with = analysis.diagnostics();
            assert!(
                with.iter().any(|diagnostic| !diagnostic.fixes.is_empty()),
                "{text}"
            );
            let stripped: Vec<Diagnostic> = with.iter().map(Diagnostic::without_fixes).collect();
            assert_eq!(without, stripped);
            assert_eq!(Analysis::from_text(path, text).diagnostics(), with);
        }
    }

    /// The incremental path (reusing the previous version's work) must always give what a fresh
    /// analysis of the same text gives: type and delete a character at every position.
    #[test]
    fn update_equals_fresh_analysis() {
        let path = Path::new("/p/.claude/agents/a.md");
        for original in [SEED, MISTAKES] {
            let mut previous = Analysis::from_text(Some(path), original);
            let _ = previous.diagnostics();
            let mut text = original.to_owned();
            let positions: Vec<usize> = (0..original.len())
                .step_by(3)
                .filter(|&i| original.is_char_boundary(i))
                .collect();
            for (step, &at) in positions.iter().enumerate() {
                let inserted = [":", " ", "x", "#", "\n", "-"][step % 6];
                text.insert_str(at.min(text.len()), inserted);
                let updated = previous.update(text.len(), std::iter::once(text.as_str()));
                let fresh = Analysis::from_text(Some(path), &text);
                assert_eq!(
                    updated.diagnostics(),
                    fresh.diagnostics(),
                    "after inserting {inserted:?} at {at}:\n{text}"
                );
                previous = updated;
                text.replace_range(
                    at.min(text.len() - 1)..at.min(text.len() - 1) + inserted.len(),
                    "",
                );
                let updated = previous.update(text.len(), std::iter::once(text.as_str()));
                let fresh = Analysis::from_text(Some(path), &text);
                assert_eq!(
                    updated.diagnostics(),
                    fresh.diagnostics(),
                    "after deleting at {at}:\n{text}"
                );
                previous = updated;
            }
            assert_eq!(text, original);
        }
    }

    /// Hostile frontmatter gets a diagnostic, never a panic or a hang.
    #[test]
    fn bad_input_gets_diagnostics() {
        let path = Path::new("/p/.claude/agents/a.md");
        let mut bomb =
            String::from("---\nname: a\ndescription: b\na0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..10 {
            bomb.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(",")
            ));
        }
        bomb.push_str("---\nBody\n");
        let deep = format!(
            "---\nname: a\ndescription: b\nx:\n{}---\nBody\n",
            (0..5_000)
                .map(|i| format!("{}- \n", " ".repeat(i % 200)))
                .collect::<String>()
        );
        let flow = format!("---\nname: a\n{}\n---\nBody\n", "[".repeat(100_000));
        let binary: String = (0u8..=255).cycle().take(10_000).map(char::from).collect();
        let binary = format!("---\n{binary}\n---\n");
        for text in [
            bomb,
            deep,
            flow,
            binary,
            "---\n\u{0}\u{1}\n---\n".to_owned(),
        ] {
            let analysis = Analysis::from_text(Some(path), &text);
            let diagnostics = analysis.diagnostics();
            assert!(!diagnostics.is_empty(), "{}", &text[..80.min(text.len())]);
            for offset in (0..text.len())
                .step_by(97)
                .filter(|&o| text.is_char_boundary(o))
            {
                let _ = analysis.completion(offset);
                let _ = analysis.hover(offset);
            }
            // Offsets past the end are answered with nothing, not a panic.
            assert!(analysis.completion(text.len() + 10).is_empty());
            assert!(analysis.hover(usize::MAX).is_none());
        }
    }
}
