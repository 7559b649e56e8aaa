//! Multi-file fixtures: one string lays out a workspace, rust-analyzer style.
//!
//! ```text
//! //- /.claude/agents/reviewer.md
//! ---
//! name: reviewer
//! skills: [$0api-style]
//! ---
//! //- /.claude/skills/api-style/SKILL.md
//! ---
//! name: api-style
//! ---
//! ```
//!
//! Each `//- /path` line starts a file (paths are relative to a fresh temporary folder); the
//! lines up to the next marker are its text. At most one `$0` marks the cursor; it is removed
//! from the text.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{Position, Uri};

use super::file_uri;

const FILE_MARKER: &str = "//- ";
const CURSOR: &str = "$0";

/// A workspace written to a temporary folder from a fixture.
pub struct Workspace {
    dir: tempfile::TempDir,
    files: Vec<(String, String)>,
    cursor: Option<(String, usize)>,
}

impl Workspace {
    /// Writes the files of `fixture` to a new temporary folder.
    pub fn new(fixture: &str) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut files: Vec<(String, String)> = Vec::new();
        for line in fixture.split_inclusive('\n') {
            match line.strip_prefix(FILE_MARKER) {
                Some(path) => {
                    let path = path.trim().trim_start_matches('/');
                    assert!(!path.is_empty(), "`//-` needs a path");
                    files.push((path.to_owned(), String::new()));
                }
                None => match files.last_mut() {
                    Some((_, text)) => text.push_str(line),
                    None => assert!(
                        line.trim().is_empty(),
                        "text before the first `//- /path`: {line:?}"
                    ),
                },
            }
        }
        let mut cursor = None;
        for (path, text) in &mut files {
            if let Some(offset) = text.find(CURSOR) {
                assert!(cursor.is_none(), "more than one `$0` in the fixture");
                text.replace_range(offset..offset + CURSOR.len(), "");
                cursor = Some((path.clone(), offset));
            }
        }
        let workspace = Self { dir, files, cursor };
        for (path, text) in &workspace.files {
            workspace.write(path, text);
        }
        workspace
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The absolute path of a fixture path (`/x` and `x` alike).
    pub fn path(&self, path: &str) -> PathBuf {
        self.root().join(path.trim_start_matches('/'))
    }

    pub fn uri(&self, path: &str) -> Uri {
        file_uri(&self.path(path))
    }

    /// The fixture text of a file (cursor marker removed).
    pub fn text(&self, path: &str) -> &str {
        let path = path.trim_start_matches('/');
        self.files
            .iter()
            .find(|(known, _)| known == path)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("no `{path}` in the fixture"))
    }

    /// The file holding `$0` and the cursor's LSP position there (UTF-16 columns).
    pub fn cursor(&self) -> (Uri, Position) {
        let (path, offset) = self.cursor.as_ref().expect("the fixture has no `$0`");
        (self.uri(path), position(self.text(path), *offset))
    }

    /// Writes (or overwrites) a file of the workspace, creating its folders.
    pub fn write(&self, path: &str, text: &str) {
        let path = self.path(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(path, text).expect("write fixture file");
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path(path)).expect("remove fixture file");
    }
}

/// The LSP position (UTF-16) of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count();
    Position::new(
        u32::try_from(line).expect("line"),
        u32::try_from(character).expect("column"),
    )
}
