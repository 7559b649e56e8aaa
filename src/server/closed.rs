//! Diagnostics for agent files that are not open: read from disk, analysed as `agentls check`
//! does, published when the workspace is indexed and re-published or cleared as it changes.
//!
//! Editors list them in their problem panels (VS Code's Problems, Helix's workspace diagnostics
//! picker, Neovim's `vim.diagnostic.setqflist()`), so a broken agent nobody has open is found
//! before CI finds it. Clients that do not want them say `"workspaceDiagnostics": false`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;
use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::{Backend, INDEX_BATCH, to_proto};
use crate::config::Settings;
use crate::discover;
use crate::line_index::PositionEncoding;
use crate::schema::DialectOverrides;
use crate::workspace::{self, WorkspaceIndex};

impl Backend {
    /// Closed files get diagnostics: the client wants them and the index (which cross-file
    /// diagnostics need) is built.
    fn closed_diagnostics_on(&self) -> bool {
        self.workspace_diagnostics.load(Ordering::Acquire)
            && self.index_ready.load(Ordering::Acquire)
    }

    /// Publishes the diagnostics of the files at `paths` that are not open, or clears what was
    /// published for them when they have none now (or are gone). Files are read and analysed on
    /// the blocking pool, a batch at a time.
    pub(super) async fn publish_closed(&self, paths: Vec<PathBuf>) {
        if !self.closed_diagnostics_on() || paths.is_empty() {
            return;
        }
        let overrides = self.documents.overrides();
        let settings = self.settings.load_full();
        let encoding = self.encoding();
        for batch in paths.chunks(INDEX_BATCH) {
            let batch: Vec<PathBuf> = batch
                .iter()
                .filter(|path| !self.documents.is_open_path(path))
                .cloned()
                .collect();
            if batch.is_empty() {
                continue;
            }
            let (overrides, settings, index) = (
                overrides.clone(),
                Arc::clone(&settings),
                Arc::clone(&self.index),
            );
            let reports = tokio::task::spawn_blocking(move || {
                batch
                    .into_par_iter()
                    .map(|path| {
                        let diagnostics =
                            closed_file_diagnostics(&path, &overrides, &settings, &index, encoding);
                        (path, diagnostics)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            for (path, diagnostics) in reports {
                self.publish_closed_file(path, diagnostics).await;
            }
        }
    }

    /// Publishes one closed file's diagnostics; an empty list only when something was published
    /// for it before (ten thousand clean files cost no message).
    async fn publish_closed_file(&self, path: PathBuf, diagnostics: Vec<lsp::Diagnostic>) {
        // Opened meanwhile: the open text's diagnostics win (no `.await` between this check and
        // queueing the message, so a later `didOpen`'s publication always comes after it).
        if self.documents.is_open_path(&path) {
            return;
        }
        let Some(uri) = Uri::from_file_path(&path) else {
            return;
        };
        if diagnostics.is_empty() {
            if self.closed_published.remove(&path).is_none() {
                return;
            }
        } else {
            self.closed_published.insert(path);
        }
        self.publish_unversioned(uri, diagnostics).await;
    }

    /// Clears the diagnostics published for closed files under `folder` (every one with `None`).
    pub(super) async fn clear_closed(&self, folder: Option<&Path>) {
        let gone: Vec<PathBuf> = self
            .closed_published
            .iter()
            .map(|path| path.key().clone())
            .filter(|path| folder.is_none_or(|folder| path.starts_with(folder)))
            .collect();
        for path in gone {
            self.closed_published.remove(&path);
            if let Some(uri) = Uri::from_file_path(&path) {
                self.publish_unversioned(uri, Vec::new()).await;
            }
        }
    }

    /// An open document's path: what was published for it while closed is replaced by its
    /// own diagnostics.
    pub(super) fn forget_closed(&self, path: &Path) {
        self.closed_published.remove(path);
    }

    /// Every indexed file again (the settings changed, or the client turned them on).
    pub(super) async fn publish_all_closed(&self) {
        self.publish_closed(self.index.paths()).await;
    }
}

/// The `workspaceDiagnostics` option (diagnostics for closed files): `Ok(None)` when absent.
pub(super) fn workspace_diagnostics(options: &Value) -> std::result::Result<Option<bool>, String> {
    match options.get("workspaceDiagnostics") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(on)) => Ok(Some(*on)),
        Some(other) => Err(format!(
            "`workspaceDiagnostics` must be true or false, not {other}"
        )),
    }
}

/// What the editor shows for the closed file at `path`: the same as for the file open with the
/// disk's text, or nothing when it is ignored, gone or not an agent file.
fn closed_file_diagnostics(
    path: &Path,
    overrides: &DialectOverrides,
    settings: &Settings,
    index: &WorkspaceIndex,
    encoding: PositionEncoding,
) -> Vec<lsp::Diagnostic> {
    if settings.ignores(path) {
        return Vec::new();
    }
    let Some((text, analysis)) =
        discover::walked(path, overrides).and_then(|candidate| workspace::analyse_disk(&candidate))
    else {
        return Vec::new();
    };
    let mut diagnostics = analysis.diagnostics_without_fixes();
    diagnostics.extend(index.diagnostics(path));
    let diagnostics = settings.apply_to_text(
        analysis.dialect(),
        &text,
        analysis.frontmatter_text(),
        diagnostics,
    );
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let rope = Rope::from_str(&text);
    diagnostics
        .iter()
        .map(|diagnostic| to_proto::diagnostic(&rope, diagnostic, encoding))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_option_is_a_boolean() {
        assert_eq!(workspace_diagnostics(&json!({})), Ok(None));
        assert_eq!(
            workspace_diagnostics(&json!({ "workspaceDiagnostics": null })),
            Ok(None)
        );
        assert_eq!(
            workspace_diagnostics(&json!({ "workspaceDiagnostics": false })),
            Ok(Some(false))
        );
        assert_eq!(
            workspace_diagnostics(&json!({ "workspaceDiagnostics": "no" })),
            Err("`workspaceDiagnostics` must be true or false, not \"no\"".to_owned())
        );
    }
}
