//! Open documents as immutable, versioned snapshots, and the ordered application of edits to them.
//!
//! Architecture invariant: the store is only mutated synchronously (no `.await` between reading
//! the old snapshot and storing the new one), and readers clone an `Arc<Document>` out instead of
//! holding a map guard, so a snapshot never changes under a running handler.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use arc_swap::ArcSwap;

use crate::analysis::Analysis;
use crate::discover;
use crate::line_index::{PositionEncoding, range_from_lsp};
use crate::schema::{Detected, DialectOverrides};

/// One version of an open document with its analysis.
#[derive(Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    /// The file path for `file:` URIs; `None` for other schemes (no dialect, so no diagnostics).
    pub path: Option<PathBuf>,
    pub analysis: Arc<Analysis>,
}

impl Document {
    pub fn new(rope: Rope, version: i32, path: Option<PathBuf>) -> Self {
        Self::with_overrides(rope, version, path, &DialectOverrides::default())
    }

    /// A document whose dialect may be chosen by the user's overrides.
    pub fn with_overrides(
        rope: Rope,
        version: i32,
        path: Option<PathBuf>,
        overrides: &DialectOverrides,
    ) -> Self {
        let detected = path
            .as_deref()
            .and_then(|path| detect(path, &rope, overrides));
        let analysis = Arc::new(Analysis::with_detected(
            path.as_deref(),
            detected,
            rope.len_bytes(),
            rope.chunks(),
        ));
        Self {
            rope,
            version,
            path,
            analysis,
        }
    }

    /// The next version of this document: the analysis reuses what the edit did not touch.
    pub fn next(&self, rope: Rope, version: i32) -> Self {
        let analysis = Arc::new(self.analysis.update(rope.len_bytes(), rope.chunks()));
        Self {
            rope,
            version,
            path: self.path.clone(),
            analysis,
        }
    }
}

/// The dialect of an opened document: by the overrides and path rules, else as a workspace walk
/// classifies it (a plugin-shaped folder, a collection layout, a frontmatter that fits), so that a
/// file gets the same diagnostics open as closed. Decided when the document is opened.
fn detect(path: &Path, rope: &Rope, overrides: &DialectOverrides) -> Option<Detected<'static>> {
    if let Some(detected) = overrides.detect(path) {
        return Some(detected);
    }
    let candidate = discover::walked(path, overrides)?;
    discover::classify_text(&candidate, &rope.to_string())
}

/// What happened to a `didChange`.
#[derive(Debug)]
pub enum ChangeOutcome {
    Applied(Replaced),
    /// Applied, but the version did not increase as LSP requires (the client is confused).
    AppliedOutOfOrder {
        previous: i32,
        replaced: Replaced,
    },
    UnknownDocument,
}

/// The new snapshot, and the one it replaced: the caller drops that one once the new one's
/// diagnostics are out, since freeing an analysis is part of a keystroke's cost.
#[derive(Debug)]
pub struct Replaced {
    pub document: Arc<Document>,
    pub old: Arc<Document>,
}

/// All open documents, keyed by URI.
#[derive(Debug, Default)]
pub struct DocumentStore {
    documents: DashMap<Uri, Arc<Document>>,
    /// How many open documents have each file path (clients may spell one path as two URIs):
    /// "is this file open?" is asked for every file of the workspace.
    open_paths: DashMap<PathBuf, usize>,
    /// The user's dialect choices (the `dialect` initialization option); swapped whole.
    overrides: ArcSwap<DialectOverrides>,
}

impl DocumentStore {
    /// Stores a freshly opened document (replacing any previous one with the same URI).
    pub fn open(&self, uri: Uri, version: i32, text: &str) -> Arc<Document> {
        let path = file_path(&uri);
        let overrides = self.overrides.load();
        let document = Arc::new(Document::with_overrides(
            Rope::from_str(text),
            version,
            path,
            &overrides,
        ));
        let previous = self.documents.insert(uri, Arc::clone(&document));
        if previous.is_none()
            && let Some(path) = &document.path
        {
            *self.open_paths.entry(path.clone()).or_insert(0) += 1;
        }
        document
    }

    /// Applies `changes` in order on the current snapshot and stores the result as `version`.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: PositionEncoding,
    ) -> ChangeOutcome {
        // The guard makes read-modify-write atomic; it is dropped before returning.
        let Some(mut entry) = self.documents.get_mut(uri) else {
            return ChangeOutcome::UnknownDocument;
        };
        let current = &*entry;
        let previous = current.version;
        let rope = apply_changes(current.rope.clone(), changes, encoding);
        let document = Arc::new(current.next(rope, version));
        let old = std::mem::replace(&mut *entry, Arc::clone(&document));
        let replaced = Replaced { document, old };
        if version <= previous {
            ChangeOutcome::AppliedOutOfOrder { previous, replaced }
        } else {
            ChangeOutcome::Applied(replaced)
        }
    }

    /// The dialect overrides in force.
    pub fn overrides(&self) -> Arc<DialectOverrides> {
        self.overrides.load_full()
    }

    /// Every open document's current snapshot.
    pub fn all(&self) -> Vec<(Uri, Arc<Document>)> {
        self.documents
            .iter()
            .map(|entry| (entry.key().clone(), Arc::clone(entry.value())))
            .collect()
    }

    /// Whether a document with this file path is open (its text wins over the disk's).
    pub fn is_open_path(&self, path: &std::path::Path) -> bool {
        self.open_paths.contains_key(path)
    }

    /// Replaces the dialect overrides (documents opened from now on use them).
    pub fn set_overrides(&self, overrides: DialectOverrides) {
        self.overrides.store(Arc::new(overrides));
    }

    /// Re-detects every open document's dialect with the current overrides (after a
    /// configuration change) and returns the new snapshots. A document replaced meanwhile by an
    /// edit keeps the edit: only the snapshot it was built from is swapped.
    pub fn redetect_all(&self) -> Vec<(Uri, Arc<Document>)> {
        let overrides = self.overrides.load();
        let uris: Vec<Uri> = self
            .documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        let mut snapshots = Vec::new();
        for uri in uris {
            // The guard is held only for this synchronous rebuild: never across an `.await`.
            if let Some(mut entry) = self.documents.get_mut(&uri) {
                let current = Arc::clone(&entry);
                let document = Arc::new(Document::with_overrides(
                    current.rope.clone(),
                    current.version,
                    current.path.clone(),
                    &overrides,
                ));
                *entry = Arc::clone(&document);
                snapshots.push((uri, document));
            }
        }
        snapshots
    }

    /// Forgets a document; returns whether it was open.
    pub fn close(&self, uri: &Uri) -> bool {
        let Some((_, document)) = self.documents.remove(uri) else {
            return false;
        };
        if let Some(path) = &document.path {
            self.open_paths.remove_if_mut(path, |_, count| {
                *count -= 1;
                *count == 0
            });
        }
        true
    }

    /// The current snapshot of a document.
    pub fn get(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.documents
            .get(uri)
            .map(|document| Arc::clone(&document))
    }

    /// The version currently stored for `uri`.
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.documents.get(uri).map(|document| document.version)
    }
}

/// Applies LSP content changes in order. Positions are clamped (see [`crate::line_index`]), so a
/// confused client produces a wrong edit rather than a panic.
pub fn apply_changes(
    mut rope: Rope,
    changes: &[TextDocumentContentChangeEvent],
    encoding: PositionEncoding,
) -> Rope {
    for change in changes {
        match change.range {
            None => rope = Rope::from_str(&change.text),
            Some(range) => {
                let range = range_from_lsp(&rope, range, encoding);
                // Clamped offsets are char boundaries, so these conversions are exact.
                let start = rope.byte_to_char(range.start);
                let end = rope.byte_to_char(range.end);
                rope.remove(start..end);
                rope.insert(start, &change.text);
            }
        }
    }
    rope
}

/// The local path of a `file:` URI (percent-decoded); `None` for any other scheme.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(start.0, start.1),
                Position::new(end.0, end.1),
            )),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn open_paths_count_every_uri_of_a_file() {
        let store = DocumentStore::default();
        let path = std::path::Path::new("/p/.claude/agents/a b.md");
        let plain = Uri::from_str("file:///p/.claude/agents/a%20b.md").unwrap();
        let encoded = Uri::from_str("file:///p/.claude/agents/a%20%62.md").unwrap();
        store.open(plain.clone(), 1, "x");
        store.open(plain.clone(), 2, "x"); // opened again: still one
        store.open(encoded.clone(), 1, "x");
        assert!(store.is_open_path(path));
        assert!(store.close(&plain));
        assert!(store.is_open_path(path), "the other URI is still open");
        assert!(store.close(&encoded));
        assert!(!store.is_open_path(path));
        assert!(!store.close(&encoded));
    }

    #[test]
    fn changes_apply_in_order() {
        let changes = [
            edit((0, 0), (0, 0), "ab"),
            edit((0, 2), (0, 2), "\ncd"),
            edit((1, 0), (1, 1), "X"),
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            },
            edit((0, 3), (0, 3), "!"),
        ];
        let rope = apply_changes(Rope::new(), &changes[..3], PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "ab\nXd");
        let rope = apply_changes(rope, &changes[3..], PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "new!");
    }

    #[test]
    fn out_of_range_edits_clamp() {
        let rope = Rope::from_str("a😀\nb");
        let changes = [edit((0, 2), (9, 9), "Z"), edit((7, 0), (7, 0), "!")];
        let rope = apply_changes(rope, &changes, PositionEncoding::Utf16);
        // (0, 2) is inside the surrogate pair, so the edit starts before the emoji.
        assert_eq!(rope.to_string(), "aZ!");
    }

    #[test]
    fn store_versions_and_unknown_documents() {
        let store = DocumentStore::default();
        let uri = Uri::from_str("file:///tmp/a%20b/x.md").unwrap();
        assert!(matches!(
            store.change(&uri, 2, &[], PositionEncoding::Utf8),
            ChangeOutcome::UnknownDocument
        ));
        let document = store.open(uri.clone(), 1, "x");
        assert_eq!(
            document.path.as_deref(),
            Some(std::path::Path::new("/tmp/a b/x.md"))
        );
        assert!(matches!(
            store.change(
                &uri,
                2,
                &[edit((0, 1), (0, 1), "y")],
                PositionEncoding::Utf8
            ),
            ChangeOutcome::Applied(_)
        ));
        assert!(matches!(
            store.change(&uri, 2, &[], PositionEncoding::Utf8),
            ChangeOutcome::AppliedOutOfOrder { previous: 2, .. }
        ));
        assert_eq!(store.get(&uri).unwrap().rope.to_string(), "xy");
        assert!(store.close(&uri));
        assert!(store.get(&uri).is_none());
    }

    #[test]
    fn only_file_uris_have_paths() {
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(file_path(&untitled), None);
        let https = Uri::from_str("https://example.com/x.md").unwrap();
        assert_eq!(file_path(&https), None);
    }
}
