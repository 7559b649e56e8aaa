//! The LSP edge: translates between tower-lsp-server and [`crate::analysis`], and nothing else.
//!
//! Architecture invariants:
//! - Document edits are applied to the store synchronously, before the handler's first `.await`.
//!   tower-lsp-server polls up to [`CONCURRENCY`] handlers at once, interleaving at `.await`s, so
//!   this is what keeps edits in arrival order. The transport may also run `did_change`, and the
//!   requests that read one document, itself (see `transport::Direct`; over stdio on its input
//!   thread, beside the runtime), only once every earlier message's handler has reached that
//!   point.
//! - Diagnostics go out through the transport's outbox, not tower-lsp's client, checked against
//!   the current snapshot while the output is reserved.
//! - No handler holds a map guard across an `.await`; they work on `Arc<Document>` snapshots.
//! - No handler can take the server down: each body runs under `catch_unwind`, and a panic
//!   becomes an `InternalError` (-32603) response or a logged notification failure.

mod capabilities;
mod closed;
mod documents;
mod from_proto;
mod to_proto;
mod transport;

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use dashmap::DashSet;

use futures::FutureExt;
use futures::future::Either;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    ColorInformation, ColorPresentation, ColorPresentationParams, CompletionParams,
    CompletionResponse, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentColorParams, DocumentSymbolParams, DocumentSymbolResponse,
    FileSystemWatcher, FoldingRange, FoldingRangeParams, GlobPattern, Hover, HoverParams,
    InitializeParams, InitializeResult, InitializedParams, InlayHint, InlayHintParams, MessageType,
    Registration, ResourceOperationKind, ServerInfo, TextDocumentIdentifier, Uri,
};
use tower_lsp_server::{Client, LanguageServer, LspService};
use tracing::Instrument;

pub use capabilities::{COMPLETION_TRIGGERS, FIX_ALL, negotiate_encoding, server_capabilities};
pub use documents::{Document, DocumentStore};
use transport::Outbox;
pub use transport::{MAX_CONTENT_LENGTH, SessionEnd};

use crate::analysis::{self, Diagnostic};
use crate::config::{self, Settings};
use crate::discover::{self, Discovery};
use crate::line_index::{PositionEncoding, range_to_lsp};
use crate::source::Source;
use crate::text::TextRange;
use crate::workspace::{self, FileFacts, Reference, WorkspaceIndex, rename_in_file};
use capabilities::kind_requested;
use closed::workspace_diagnostics;
use documents::ChangeOutcome;

/// Files analysed per blocking task while indexing (a progress report after each).
const INDEX_BATCH: usize = 256;
/// At most this many `workspace/symbol` results (each needs the file's text for its position).
const MAX_WORKSPACE_SYMBOLS: usize = 200;
const PUBLISH_DIAGNOSTICS: &str = "textDocument/publishDiagnostics";
const DID_CHANGE: &str = "textDocument/didChange";
const COMPLETION: &str = "textDocument/completion";
const HOVER: &str = "textDocument/hover";
const DOCUMENT_SYMBOL: &str = "textDocument/documentSymbol";
const FOLDING_RANGE: &str = "textDocument/foldingRange";
const SEMANTIC_TOKENS_FULL: &str = "textDocument/semanticTokens/full";
const CODE_ACTION: &str = "textDocument/codeAction";
const DOCUMENT_COLOR: &str = "textDocument/documentColor";
const INLAY_HINT: &str = "textDocument/inlayHint";

/// How many handlers tower-lsp-server may run at once. Edits are safe at any level (see the
/// module invariants); more than one keeps `$/cancelRequest` working and lets a slow request not
/// stall every later message.
pub const CONCURRENCY: usize = 4;
/// Larger messages always go through tower-lsp: the direct path is for keystrokes and the
/// requests around them, and looking for its methods in a whole pasted document is wasted.
const MAX_DIRECT_BODY: usize = 64 * 1024;

/// Test hook (request): panics inside a request handler.
pub const DEBUG_PANIC: &str = "agentls/debugPanic";
/// Test hook (notification): panics inside a notification handler.
pub const DEBUG_PANIC_NOTIFICATION: &str = "agentls/debugPanicNotification";
/// Test hook (request, `{ "uri" }`): the server's current `{ "version", "text" }` of a document.
pub const DEBUG_DOCUMENT_TEXT: &str = "agentls/debugDocumentText";

#[derive(Clone, Copy, Debug, Default)]
pub struct ServerOptions {
    /// Registers the `agentls/debug*` methods. Never on in normal use.
    pub test_hooks: bool,
}

/// Builds the service, with the outbox its diagnostics go to and the handler of the
/// notifications the transport may pass it directly.
fn session(options: ServerOptions) -> transport::Session<Backend, Backend> {
    let outbox = Outbox::default();
    let builder = LspService::build(|client| Backend::new(client, outbox.clone()));
    let builder = if options.test_hooks {
        builder
            .custom_method(DEBUG_PANIC, Backend::debug_panic)
            .custom_method(DEBUG_PANIC_NOTIFICATION, Backend::debug_panic_notification)
            .custom_method(DEBUG_DOCUMENT_TEXT, Backend::debug_document_text)
    } else {
        builder
    };
    let (service, socket) = builder.finish();
    let direct = service.inner().clone();
    transport::Session {
        service,
        socket,
        direct,
        outbox,
    }
}

/// Serves one session over any byte streams, through the guarded transport.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions) -> SessionEnd
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    transport::serve(input, output, session(options), CONCURRENCY).await
}

/// Serves one session over stdin/stdout.
pub async fn run_stdio(options: ServerOptions) -> SessionEnd {
    transport::serve_stdio(session(options), CONCURRENCY).await
}

/// The text of a rope slice, borrowed when the rope holds it in one piece (as it usually does
/// for a line or a token).
fn rope_text(slice: ropey::RopeSlice<'_>) -> Cow<'_, str> {
    match slice.as_str() {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Owned(slice.to_string()),
    }
}

/// Whether diagnostics are wanted with their fixes (for code actions) or without (to publish).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixes {
    With,
    Without,
}

/// The language server: a handle on the state all handlers share (tower-lsp's service holds one,
/// the transport another for the notifications it passes directly).
#[derive(Clone, Debug)]
pub struct Backend(Arc<State>);

impl std::ops::Deref for Backend {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

/// The language server state shared by all handlers.
#[derive(Debug)]
pub struct State {
    client: Client,
    /// Where diagnostics go: frames of our own, written in the order they are published (tower-lsp
    /// would order them only among its own messages).
    outbox: Outbox,
    /// `initialized` arrived: the transport may pass `didChange`s directly from now on.
    ready: AtomicBool,
    documents: DocumentStore,
    /// Set once by `initialize`; UTF-16 until then, as LSP prescribes.
    encoding: OnceLock<PositionEncoding>,
    /// The client applies workspace edits that rename files (`documentChanges` with the
    /// `rename` resource operation); set by `initialize`.
    renames_files: OnceLock<bool>,
    /// The workspace's `.agentls.yaml` settings, swapped whole when the file changes.
    settings: ArcSwap<Settings>,
    /// The client's own dialect overrides (`initializationOptions.dialect`): they win over the
    /// configuration file's, and are kept to rebuild the overrides when the file changes.
    client_dialects: ArcSwap<Vec<(String, String)>>,
    /// The folder whose `.agentls.yaml` applies (the first workspace folder); set by
    /// `initialize`.
    config_folder: OnceLock<Option<PathBuf>>,
    /// The client can watch files for us (`workspace/didChangeWatchedFiles` dynamic
    /// registration).
    watches_files: OnceLock<bool>,
    /// The client answers `workspace/configuration` (settings are pulled on change).
    pulls_configuration: OnceLock<bool>,
    /// The client shows `$/progress` for work the server starts.
    shows_progress: OnceLock<bool>,
    /// The client fetches a completion item's documentation when it shows it
    /// (`completionItem/resolve`): lists go out without it.
    resolves_documentation: OnceLock<bool>,
    /// Every workspace folder (indexed on `initialized`; added and removed ones follow
    /// `workspace/didChangeWorkspaceFolders`).
    roots: ArcSwap<Vec<PathBuf>>,
    /// What every agent file in the workspace declares and names.
    index: Arc<WorkspaceIndex>,
    /// The index has been built: cross-file diagnostics are trustworthy from now on.
    index_ready: AtomicBool,
    /// The client wants diagnostics for files that are not open (`workspaceDiagnostics`, on
    /// unless turned off).
    workspace_diagnostics: AtomicBool,
    /// Closed files whose last published diagnostics were not empty (to clear them later).
    closed_published: DashSet<PathBuf>,
}

impl Backend {
    fn new(client: Client, outbox: Outbox) -> Self {
        Self(Arc::new(State {
            client,
            outbox,
            ready: AtomicBool::new(false),
            documents: DocumentStore::default(),
            encoding: OnceLock::new(),
            renames_files: OnceLock::new(),
            settings: ArcSwap::default(),
            client_dialects: ArcSwap::default(),
            config_folder: OnceLock::new(),
            watches_files: OnceLock::new(),
            pulls_configuration: OnceLock::new(),
            shows_progress: OnceLock::new(),
            resolves_documentation: OnceLock::new(),
            roots: ArcSwap::default(),
            index: Arc::default(),
            index_ready: AtomicBool::new(false),
            workspace_diagnostics: AtomicBool::new(true),
            closed_published: DashSet::new(),
        }))
    }

    fn encoding(&self) -> PositionEncoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    /// Publishes diagnostics for `document`, unless a newer snapshot replaced it meanwhile (that
    /// snapshot's own handler publishes) or the document was closed.
    async fn publish_diagnostics(&self, uri: &Uri, document: Arc<Document>) {
        let diagnostics = self.visible_diagnostics(&document, Fixes::Without);
        let params = to_proto::PublishedDiagnostics::new(
            uri,
            document.version,
            &document.rope,
            &diagnostics,
            self.encoding(),
        );
        // Checked once the place in the outbox is ours: a newer version's diagnostics, published
        // meanwhile, cannot then be overtaken by these.
        let Some(permit) = self.outbox.reserve() else {
            return;
        };
        let current = self.documents.get(uri);
        if !current.is_some_and(|current| Arc::ptr_eq(&current, &document)) {
            tracing::debug!(version = document.version, "skipped stale diagnostics");
            return;
        }
        permit.notify(PUBLISH_DIAGNOSTICS, &params);
    }

    /// Publishes diagnostics that belong to no document version (closed files, the
    /// configuration file's problems, clearing).
    async fn publish_unversioned(&self, uri: Uri, diagnostics: Vec<lsp::Diagnostic>) {
        if let Some(permit) = self.outbox.reserve() {
            permit.notify(
                PUBLISH_DIAGNOSTICS,
                &lsp::PublishDiagnosticsParams::new(uri, diagnostics, None),
            );
        }
    }

    /// The document's diagnostics as the workspace settings and its suppression comments want
    /// them (none for an ignored file).
    fn visible_diagnostics(&self, document: &Document, fixes: Fixes) -> Vec<Diagnostic> {
        let own = || match fixes {
            Fixes::With => document.analysis.diagnostics(),
            Fixes::Without => document.analysis.diagnostics_without_fixes(),
        };
        // `.agentls.yaml`'s own problems: no setting can hide them (its `ignore` included).
        if document.analysis.is_config_file() {
            return own();
        }
        let settings = self.settings.load();
        if document
            .path
            .as_deref()
            .is_some_and(|path| settings.ignores(path))
        {
            return Vec::new();
        }
        let mut diagnostics = own();
        if self.index_ready.load(Ordering::Acquire)
            && let Some(path) = document.path.as_deref()
        {
            diagnostics.extend(self.index.diagnostics(path));
        }
        if diagnostics.is_empty() {
            return diagnostics;
        }
        let rope = &document.rope;
        // The frontmatter's diagnostics (most of them) are answered from the head the analysis
        // read, which breaks lines as the rope does; the body's from the rope.
        let head = document.analysis.head();
        settings.apply(
            document.analysis.dialect(),
            document.analysis.frontmatter_text(),
            diagnostics,
            |range| {
                if range.end < head.len() {
                    return head.get(range.as_range()).map(Cow::Borrowed);
                }
                let end = range.end.min(rope.len_bytes());
                let start = range.start.min(end);
                Some(rope_text(rope.byte_slice(start..end)))
            },
            |offset| {
                if offset < head.len() {
                    return config::line_before(head, offset).map(Cow::Borrowed);
                }
                let line = rope.try_byte_to_line(offset).ok()?;
                let previous = line.checked_sub(1)?;
                Some(rope_text(rope.line(previous)))
            },
        )
    }

    /// Records an open document's facts in the index (its text wins over the disk's); returns
    /// the names other files' cross-file diagnostics may depend on, when they changed.
    fn index_document(&self, document: &Document) -> Option<Vec<String>> {
        let path = document.path.as_deref()?;
        self.index
            .replace(path, FileFacts::from_analysis(path, &document.analysis))
    }

    /// Re-publishes the open documents (except `except`) whose cross-file diagnostics depend on
    /// files named `names`: only those, so that opening many documents stays linear.
    async fn republish_dependents(&self, names: &[String], except: Option<&Uri>) {
        if !self.index_ready.load(Ordering::Acquire) || names.is_empty() {
            return;
        }
        for (uri, document) in self.documents.all() {
            let depends = document
                .path
                .as_deref()
                .and_then(|path| self.index.get(path))
                .is_some_and(|facts| WorkspaceIndex::depends_on(&facts, names));
            if depends && Some(&uri) != except {
                self.publish_diagnostics(&uri, document).await;
            }
        }
        self.publish_closed(self.index.dependents(names)).await;
    }

    /// Re-publishes every open document except `except` (after a change other files'
    /// cross-file diagnostics depend on).
    async fn republish_others(&self, except: Option<&Uri>) {
        for (uri, document) in self.documents.all() {
            if Some(&uri) != except {
                self.publish_diagnostics(&uri, document).await;
            }
        }
    }

    /// Indexes every agent file of every workspace folder off the request path (blocking
    /// work on the blocking pool, in batches), reporting `$/progress` when the client shows it,
    /// then publishes the cross-file diagnostics of the open documents.
    async fn build_index(&self, roots: Vec<PathBuf>) {
        if roots.is_empty() {
            return;
        }
        let overrides = self.documents.overrides();
        let settings = self.settings.load_full();
        let progress = if self.shows_progress.get().copied().unwrap_or(false) {
            let token = lsp::NumberOrString::String("agentls/index".to_owned());
            match self.client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(
                    self.client
                        .progress(token, "Indexing agent files")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(error) => {
                    tracing::debug!("no progress: {error}");
                    None
                }
            }
        } else {
            None
        };
        let walk = tokio::task::spawn_blocking(move || {
            let mut discovery = Discovery::default();
            for root in &roots {
                discover::walk(root, &overrides, &mut discovery);
            }
            discovery
                .candidates
                .retain(|candidate| !settings.ignores(&candidate.path));
            discovery.candidates
        });
        let candidates = walk.await.unwrap_or_default();
        let total = candidates.len();
        let mut done = 0;
        for batch in candidates.chunks(INDEX_BATCH) {
            let batch = batch.to_vec();
            let facts = tokio::task::spawn_blocking(move || workspace::scan(&batch))
                .await
                .unwrap_or_default();
            for (path, facts) in facts {
                if !self.documents.is_open_path(&path) {
                    self.index.update(&path, Some(facts));
                }
            }
            done += INDEX_BATCH.min(total - done);
            if let Some(progress) = &progress {
                let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
                progress
                    .report_with_message(format!("{done}/{total} files"), percentage)
                    .await;
            }
        }
        for (_, document) in self.documents.all() {
            self.index_document(&document);
        }
        self.index_ready.store(true, Ordering::Release);
        tracing::info!(files = self.index.len(), "workspace indexed");
        if let Some(progress) = progress {
            progress
                .finish_with_message(format!("{} agent files", self.index.len()))
                .await;
        }
        self.republish_others(None).await;
        self.publish_all_closed().await;
    }

    /// An LSP location for a byte range of the file at `path` (its open text, else the disk's).
    fn location(&self, path: &Path, range: TextRange) -> Option<lsp::Location> {
        let uri = Uri::from_file_path(path)?;
        let rope = match self.documents.get(&uri) {
            Some(document) => document.rope.clone(),
            None if range.is_empty() && range.start == 0 => ropey::Rope::new(),
            None => {
                let (text, failure) = Source::read(path).into_parts();
                if failure.is_some() {
                    return None;
                }
                ropey::Rope::from_str(&text)
            }
        };
        Some(lsp::Location::new(
            uri,
            range_to_lsp(&rope, range, self.encoding()),
        ))
    }

    /// Reads the workspace's `.agentls.yaml` again and applies it: new settings, new dialect
    /// overrides (every open document re-detected), diagnostics re-published, and the file's
    /// own problems published on it.
    async fn reload_config(&self) {
        let folder = self.config_folder.get().cloned().flatten();
        let (settings, mut problems) = folder.as_deref().map(Settings::load).unwrap_or_default();
        let (overrides, more) = settings.dialect_overrides(&self.client_dialects.load());
        self.settings.store(Arc::new(settings));
        self.documents.set_overrides(overrides);
        tracing::info!(
            problems = problems.len() + more.len(),
            "configuration loaded"
        );
        problems.extend(more.into_iter().map(config::Problem::new));
        if let Some(folder) = &folder {
            self.publish_config_problems(folder, &problems).await;
        }
        for (uri, snapshot) in self.documents.redetect_all() {
            self.index_document(&snapshot);
            self.publish_diagnostics(&uri, snapshot).await;
        }
        self.publish_all_closed().await;
    }

    /// The configuration file's problems on disk, as diagnostics on the file (cleared when
    /// none). Not while the file is open: then its open text's diagnostics are the ones shown.
    async fn publish_config_problems(&self, folder: &Path, problems: &[config::Problem]) {
        let path = folder.join(config::FILE_NAME);
        let Some(uri) = Uri::from_file_path(&path) else {
            return;
        };
        if self.documents.is_open_path(&path) {
            return;
        }
        // The text the problems' ranges index into (read again: ranges are clamped should it
        // have changed meanwhile).
        let rope = ropey::Rope::from_str(&std::fs::read_to_string(&path).unwrap_or_default());
        let encoding = self.encoding();
        let diagnostics = problems
            .iter()
            .map(|problem| {
                let line = problem
                    .line
                    .map_or(0, |line| u32::try_from(line.saturating_sub(1)).unwrap_or(0));
                lsp::Diagnostic {
                    range: problem.range.map_or_else(
                        || {
                            lsp::Range::new(
                                lsp::Position::new(line, 0),
                                lsp::Position::new(line + 1, 0),
                            )
                        },
                        |range| range_to_lsp(&rope, range, encoding),
                    ),
                    severity: Some(lsp::DiagnosticSeverity::ERROR),
                    code: Some(lsp::NumberOrString::String(
                        analysis::config_file::CODE.to_owned(),
                    )),
                    source: Some("agentls".to_owned()),
                    message: problem.message.clone(),
                    ..lsp::Diagnostic::default()
                }
            })
            .collect();
        self.publish_unversioned(uri, diagnostics).await;
    }

    /// The files a reference names, with their facts.
    fn named_by(&self, reference: &Reference) -> Vec<(PathBuf, Arc<FileFacts>)> {
        self.index
            .definitions(&reference.name, reference.targets)
            .into_iter()
            .map(|definition| (definition.path, definition.facts))
            .collect()
    }

    /// The open document at a position: its path, indexed facts and the byte offset.
    fn facts_at(
        &self,
        position: &lsp::TextDocumentPositionParams,
    ) -> Option<(PathBuf, Arc<FileFacts>, usize)> {
        let document = self.documents.get(&position.text_document.uri)?;
        let path = document.path.clone()?;
        let facts = self.index.get(&path)?;
        let offset = from_proto::offset(&document.rope, position.position, self.encoding());
        Some((path, facts, offset))
    }

    /// The name mentioned in prose at a position of an open document, read from the text
    /// around it (a window of the line: lines can be megabytes long).
    fn mention_at(&self, position: &lsp::TextDocumentPositionParams) -> Option<analysis::Mention> {
        const WINDOW: usize = 256;
        let document = self.documents.get(&position.text_document.uri)?;
        let rope = &document.rope;
        let offset = from_proto::offset(rope, position.position, self.encoding());
        let line = rope.try_byte_to_line(offset).ok()?;
        let line_start = rope.line_to_byte(line);
        let line_end = line_start + rope.line(line).len_bytes();
        let floor = |byte: usize| rope.char_to_byte(rope.byte_to_char(byte));
        let start = floor(offset.saturating_sub(WINDOW).max(line_start));
        let end = floor((offset + WINDOW).min(line_end));
        let window = rope.byte_slice(start..end).to_string();
        analysis::mention_at(&window, offset - start)
    }

    async fn debug_panic(&self) -> Result<()> {
        request(DEBUG_PANIC, async { deliberate_panic() }).await
    }

    async fn debug_panic_notification(&self) {
        notification(DEBUG_PANIC_NOTIFICATION, async {
            let _: Result<()> = deliberate_panic();
        })
        .await;
    }

    async fn debug_document_text(&self, params: TextDocumentIdentifier) -> Result<Option<Value>> {
        request(DEBUG_DOCUMENT_TEXT, async {
            Ok(self.documents.get(&params.uri).map(|document| {
                json!({ "version": document.version, "text": document.rope.to_string() })
            }))
        })
        .await
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        request("initialize", async {
            let encoding = negotiate_encoding(&params.capabilities);
            if self.encoding.set(encoding).is_err() {
                tracing::warn!("initialize received twice; keeping the first position encoding");
            }
            let _ = self.renames_files.set(renames_files(&params.capabilities));
            let _ = self.watches_files.set(watches_files(&params.capabilities));
            let _ = self.pulls_configuration.set(
                params
                    .capabilities
                    .workspace
                    .as_ref()
                    .and_then(|workspace| workspace.configuration)
                    .unwrap_or(false),
            );
            let _ = self.shows_progress.set(
                params
                    .capabilities
                    .window
                    .as_ref()
                    .and_then(|window| window.work_done_progress)
                    .unwrap_or(false),
            );
            let _ = self
                .resolves_documentation
                .set(resolves_documentation(&params.capabilities));
            self.roots.store(Arc::new(workspace_folders(&params)));
            let folder = workspace_folder(&params);
            let (settings, config_problems) =
                folder.as_deref().map(Settings::load).unwrap_or_default();
            let _ = self.config_folder.set(folder);
            let mut problems: Vec<String> = config_problems
                .iter()
                .map(|problem| format!("{}: {problem}", config::FILE_NAME))
                .collect();
            if let Some(options) = &params.initialization_options {
                let (entries, more) = client_dialects(options);
                self.client_dialects.store(Arc::new(entries));
                problems.extend(more);
                match workspace_diagnostics(options) {
                    Ok(Some(on)) => self.workspace_diagnostics.store(on, Ordering::Release),
                    Ok(None) => {}
                    Err(problem) => problems.push(problem),
                }
            }
            let (overrides, more) = settings.dialect_overrides(&self.client_dialects.load());
            problems.extend(more);
            self.settings.store(Arc::new(settings));
            self.documents.set_overrides(overrides);
            for problem in problems {
                tracing::warn!("configuration: {problem}");
                // window/showMessage is allowed while `initialize` is pending (LSP 3.17).
                self.client
                    .show_message(MessageType::WARNING, format!("agentls: {problem}"))
                    .await;
            }
            let client = params.client_info.as_ref().map(|info| info.name.as_str());
            tracing::info!(encoding = %self.encoding(), client, "initializing");
            Ok(InitializeResult {
                capabilities: server_capabilities(self.encoding()),
                server_info: Some(ServerInfo {
                    name: env!("CARGO_PKG_NAME").to_owned(),
                    version: Some(env!("CARGO_PKG_VERSION").to_owned()),
                }),
                ..InitializeResult::default()
            })
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        notification("initialized", async {
            tracing::info!("initialized");
            self.ready.store(true, Ordering::Release);
            let Some(folder) = self.config_folder.get().cloned().flatten() else {
                return;
            };
            // Hot reload of `.agentls.yaml`, and the index kept current: the client tells us
            // when these files change on disk.
            if self.watches_files.get().copied().unwrap_or(false) {
                let watch = |pattern: String| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(pattern),
                    kind: None,
                };
                let options = DidChangeWatchedFilesRegistrationOptions {
                    watchers: vec![
                        watch(format!("**/{}", config::FILE_NAME)),
                        watch("**/*.md".to_owned()),
                        watch("**/*.mdc".to_owned()),
                    ],
                };
                let registration = Registration {
                    id: "agentls-config-watcher".to_owned(),
                    method: "workspace/didChangeWatchedFiles".to_owned(),
                    register_options: serde_json::to_value(options).ok(),
                };
                // Not awaited here: a client slow to answer must not hold up this handler.
                let client = self.client.clone();
                tokio::spawn(async move {
                    if let Err(error) = client.register_capability(vec![registration]).await {
                        tracing::warn!("cannot watch {}: {error}", config::FILE_NAME);
                    }
                });
            }
            let (_, problems) = Settings::load(&folder);
            if !problems.is_empty() {
                self.publish_config_problems(&folder, &problems).await;
            }
            self.build_index(self.roots.load().to_vec()).await;
        })
        .await;
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        notification("workspace/didChangeConfiguration", async {
            // Pushed settings (`{"agentls": {...}}`), else pulled when the client serves them.
            let pushed = params
                .settings
                .get("agentls")
                .filter(|settings| !settings.is_null())
                .cloned();
            let settings = match pushed {
                Some(settings) => Some(settings),
                None if self.pulls_configuration.get().copied().unwrap_or(false) => {
                    let item = lsp::ConfigurationItem {
                        scope_uri: None,
                        section: Some("agentls".to_owned()),
                    };
                    // A client that never answers must not hold this handler forever.
                    let pulled = tokio::time::timeout(
                        std::time::Duration::from_secs(5),
                        self.client.configuration(vec![item]),
                    )
                    .await;
                    match pulled {
                        Ok(Ok(mut values)) => values.pop().filter(|value| !value.is_null()),
                        Ok(Err(error)) => {
                            tracing::warn!("workspace/configuration failed: {error}");
                            None
                        }
                        Err(_) => {
                            tracing::warn!("workspace/configuration timed out");
                            None
                        }
                    }
                }
                None => None,
            };
            let Some(settings) = settings else {
                return;
            };
            let (entries, mut problems) = client_dialects(&settings);
            match workspace_diagnostics(&settings) {
                Ok(Some(on)) => {
                    if !self.workspace_diagnostics.swap(on, Ordering::AcqRel) && on {
                        tracing::info!("diagnostics for closed files turned on");
                    } else if !on {
                        self.clear_closed(None).await;
                    }
                }
                Ok(None) => {}
                Err(problem) => problems.push(problem),
            }
            for problem in problems {
                self.client
                    .show_message(MessageType::WARNING, format!("agentls: {problem}"))
                    .await;
            }
            self.client_dialects.store(Arc::new(entries));
            self.reload_config().await;
        })
        .await;
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        notification("workspace/didChangeWorkspaceFolders", async {
            let paths = |folders: &[lsp::WorkspaceFolder]| -> Vec<PathBuf> {
                folders
                    .iter()
                    .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
                    .collect()
            };
            let added = paths(&params.event.added);
            let removed = paths(&params.event.removed);
            let mut roots = self.roots.load().to_vec();
            roots.retain(|root| !removed.contains(root));
            roots.extend(added.iter().cloned());
            self.roots.store(Arc::new(roots));
            for root in &removed {
                self.index.remove_under(root);
                self.clear_closed(Some(root)).await;
            }
            tracing::info!(
                added = added.len(),
                removed = removed.len(),
                "workspace folders"
            );
            if added.is_empty() {
                self.republish_others(None).await;
            } else {
                self.build_index(added).await;
            }
        })
        .await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        notification("workspace/didChangeWatchedFiles", async {
            let Some(folder) = self.config_folder.get().cloned().flatten() else {
                return;
            };
            let config_file = folder.join(config::FILE_NAME);
            let mut config_changed = false;
            let mut names = Vec::new();
            let mut changed_files = Vec::new();
            let overrides = self.documents.overrides();
            // Plugin manifests and component folders may have come or gone with the files.
            self.index.forget_scopes();
            for change in &params.changes {
                let Some(path) = change.uri.to_file_path().map(|path| path.into_owned()) else {
                    continue;
                };
                if path == config_file {
                    config_changed = true;
                    continue;
                }
                // An open document's text wins over the disk's.
                if self.documents.is_open_path(&path) {
                    continue;
                }
                let facts = if change.typ == lsp::FileChangeType::DELETED {
                    None
                } else {
                    discover::walked(&path, &overrides)
                        .and_then(|candidate| FileFacts::from_disk(&candidate))
                };
                if let Some(changed) = self.index.replace(&path, facts) {
                    names.extend(changed);
                }
                changed_files.push(path);
            }
            if config_changed {
                self.reload_config().await;
            } else {
                // The changed files themselves (even with the same facts: their own
                // diagnostics), then the files whose cross-file diagnostics depend on them.
                self.publish_closed(changed_files).await;
                self.republish_dependents(&names, None).await;
            }
        })
        .await;
    }

    async fn shutdown(&self) -> Result<()> {
        request("shutdown", async {
            tracing::info!("shutdown requested");
            Ok(())
        })
        .await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        notification("textDocument/didOpen", async {
            let document = params.text_document;
            // Synchronous store update first: see the module invariants.
            let snapshot =
                self.documents
                    .open(document.uri.clone(), document.version, &document.text);
            tracing::debug!(
                uri = document.uri.as_str(),
                version = document.version,
                "opened"
            );
            if let Some(path) = &snapshot.path {
                self.forget_closed(path);
            }
            let changed = self.index_document(&snapshot);
            self.publish_diagnostics(&document.uri, snapshot).await;
            if let Some(names) = changed {
                self.republish_dependents(&names, Some(&document.uri)).await;
            }
        })
        .await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        notification("textDocument/didChange", async {
            let uri = params.text_document.uri;
            let version = params.text_document.version;
            let outcome =
                self.documents
                    .change(&uri, version, &params.content_changes, self.encoding());
            let replaced = match outcome {
                ChangeOutcome::Applied(replaced) => replaced,
                ChangeOutcome::AppliedOutOfOrder { previous, replaced } => {
                    tracing::warn!(
                        uri = uri.as_str(),
                        version,
                        previous,
                        "document version did not increase"
                    );
                    replaced
                }
                ChangeOutcome::UnknownDocument => {
                    tracing::warn!(
                        uri = uri.as_str(),
                        version,
                        "didChange for a document that is not open"
                    );
                    return;
                }
            };
            let changed = self.index_document(&replaced.document);
            self.publish_diagnostics(&uri, replaced.document).await;
            // Freed once the diagnostics are out: not on the keystroke's critical path.
            drop(replaced.old);
            if let Some(names) = changed {
                self.republish_dependents(&names, Some(&uri)).await;
            }
        })
        .await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        notification("textDocument/didClose", async {
            let uri = params.text_document.uri;
            let path = self
                .documents
                .get(&uri)
                .and_then(|document| document.path.clone());
            // Closed: the disk's version counts again.
            let names = path.as_deref().and_then(|path| {
                let facts = discover::walked(path, &self.documents.overrides())
                    .and_then(|candidate| FileFacts::from_disk(&candidate));
                self.index.replace(path, facts)
            });
            if !self.documents.close(&uri) {
                tracing::warn!(
                    uri = uri.as_str(),
                    "didClose for a document that is not open"
                );
            }
            // Clear what the editor shows for the open text: the saved text's problems count
            // again (the configuration file's, or, for an agent file, its closed diagnostics).
            if let Some(folder) = self.config_folder.get().cloned().flatten()
                && path
                    .as_deref()
                    .is_some_and(|path| path == folder.join(config::FILE_NAME))
            {
                let (_, problems) = Settings::load(&folder);
                self.publish_config_problems(&folder, &problems).await;
            } else {
                self.publish_unversioned(uri, Vec::new()).await;
                if let Some(path) = path {
                    self.publish_closed(vec![path]).await;
                }
            }
            if let Some(names) = names {
                self.republish_dependents(&names, None).await;
            }
        })
        .await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        request(COMPLETION, async {
            let position = params.text_document_position;
            let Some(document) = self.documents.get(&position.text_document.uri) else {
                return Ok(None);
            };
            let encoding = self.encoding();
            let offset = from_proto::offset(&document.rope, position.position, encoding);
            let lazy = self.resolves_documentation.get().copied().unwrap_or(false);
            let items = document
                .analysis
                .completion(offset)
                .iter()
                .map(|item| {
                    let mut lsp_item = to_proto::completion_item(&document.rope, item, encoding);
                    // Colors keep their hex value: editors draw the swatch from it up front.
                    if lazy && item.kind != analysis::CompletionKind::Color {
                        lsp_item.documentation = None;
                        lsp_item.data = Some(json!({
                            "uri": position.text_document.uri,
                            "version": document.version,
                            "offset": offset,
                        }));
                    }
                    lsp_item
                })
                .collect();
            Ok(Some(CompletionResponse::Array(items)))
        })
        .await
    }

    async fn completion_resolve(&self, item: lsp::CompletionItem) -> Result<lsp::CompletionItem> {
        request("completionItem/resolve", async {
            let mut item = item;
            let Some(data) = item.data.take() else {
                return Ok(item);
            };
            let uri = data["uri"].as_str().and_then(|uri| uri.parse::<Uri>().ok());
            let offset = data["offset"]
                .as_u64()
                .and_then(|o| usize::try_from(o).ok());
            let version = data["version"].as_i64();
            let (Some(uri), Some(offset)) = (uri, offset) else {
                return Ok(item);
            };
            // Against the version the list came from; after an edit there is nothing to add.
            let Some(document) = self
                .documents
                .get(&uri)
                .filter(|document| Some(i64::from(document.version)) == version)
            else {
                return Ok(item);
            };
            let encoding = self.encoding();
            let resolved = document
                .analysis
                .completion(offset)
                .iter()
                .find(|candidate| candidate.label == item.label)
                .map(|candidate| to_proto::completion_item(&document.rope, candidate, encoding));
            if let Some(resolved) = resolved {
                item.documentation = resolved.documentation;
            }
            Ok(item)
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        request(HOVER, async {
            let position = params.text_document_position_params;
            let Some(document) = self.documents.get(&position.text_document.uri) else {
                return Ok(None);
            };
            let encoding = self.encoding();
            let offset = from_proto::offset(&document.rope, position.position, encoding);
            let hover = document.analysis.hover(offset);
            Ok(hover.map(|hover| to_proto::hover(&document.rope, &hover, encoding)))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        request(DOCUMENT_SYMBOL, async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            let encoding = self.encoding();
            let text = document.rope.to_string();
            let symbols = document
                .analysis
                .symbols(&text)
                .iter()
                .map(|symbol| to_proto::document_symbol(&document.rope, symbol, encoding))
                .collect();
            Ok(Some(DocumentSymbolResponse::Nested(symbols)))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        request(FOLDING_RANGE, async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            let text = document.rope.to_string();
            let folds = document.analysis.folding(&text);
            Ok(Some(
                folds
                    .iter()
                    .map(|fold| to_proto::folding_range(&document.rope, fold))
                    .collect(),
            ))
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        request("textDocument/definition", async {
            let position = params.text_document_position_params;
            // A body file reference (`@docs/style.md`): the file itself.
            if let Some(document) = self.documents.get(&position.text_document.uri) {
                let offset = from_proto::offset(&document.rope, position.position, self.encoding());
                if let Some(target) = document.analysis.file_reference_at(offset)
                    && let Some(uri) = Uri::from_file_path(&target)
                {
                    let start = lsp::Position::new(0, 0);
                    return Ok(Some(lsp::GotoDefinitionResponse::Scalar(
                        lsp::Location::new(uri, lsp::Range::new(start, start)),
                    )));
                }
            }
            let reference = self
                .facts_at(&position)
                .and_then(|(_, facts, offset)| facts.reference_at(offset).cloned());
            let definitions = match reference {
                Some(reference) => self.index.definitions(&reference.name, reference.targets),
                // Prose: "use the code-reviewer agent", `@agent-code-reviewer`, `/deploy`.
                None => match self.mention_at(&position) {
                    Some(mention) => self.index.mentioned(&mention),
                    None => return Ok(None),
                },
            };
            let locations: Vec<lsp::Location> = definitions
                .iter()
                .filter_map(|definition| {
                    self.location(&definition.path, definition.facts.name.range)
                })
                .collect();
            Ok((!locations.is_empty()).then_some(lsp::GotoDefinitionResponse::Array(locations)))
        })
        .await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        request("textDocument/references", async {
            let position = params.text_document_position;
            let Some((path, facts, offset)) = self.facts_at(&position) else {
                return Ok(None);
            };
            // On a reference: the references to what it names; on the file's own name: to it.
            let targets = match facts.reference_at(offset) {
                Some(reference) => self.named_by(reference),
                None if facts.name.range.start <= offset
                    && offset <= facts.name.range.end
                    && !facts.name.range.is_empty() =>
                {
                    vec![(path, Arc::clone(&facts))]
                }
                None => return Ok(None),
            };
            let mut locations = Vec::new();
            for (target_path, target) in targets {
                if params.context.include_declaration {
                    locations.extend(self.location(&target_path, target.name.range));
                }
                for (referrer, range) in self.index.references_to(&target) {
                    locations.extend(self.location(&referrer, range));
                }
            }
            Ok(Some(locations))
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        request(SEMANTIC_TOKENS_FULL, async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            let data = to_proto::semantic_tokens(
                &document.rope,
                &document.analysis.semantic_tokens(),
                self.encoding(),
            );
            Ok(Some(lsp::SemanticTokensResult::Tokens(
                lsp::SemanticTokens {
                    result_id: None,
                    data,
                },
            )))
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        request("textDocument/prepareRename", async {
            let Some((_, facts, offset)) = self.facts_at(&params) else {
                return Ok(None);
            };
            let Some((range, name)) = renamable_at(&facts, offset) else {
                return Ok(None);
            };
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
                range: range_to_lsp(&document.rope, range, self.encoding()),
                placeholder: name,
            }))
        })
        .await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        request("textDocument/rename", async {
            let new_name = params.new_name.trim();
            if new_name.is_empty()
                || new_name.contains(|c: char| c.is_whitespace() || matches!(c, ':' | '/' | '\\'))
            {
                return Err(jsonrpc::Error::invalid_params(format!(
                    "`{new_name}` cannot be a name: no spaces, `:` or slashes"
                )));
            }
            let position = params.text_document_position;
            let Some((path, facts, offset)) = self.facts_at(&position) else {
                return Ok(None);
            };
            let Some((_, old_name)) = renamable_at(&facts, offset) else {
                return Ok(None);
            };
            let targets = match facts.reference_at(offset) {
                Some(reference) => self.named_by(reference),
                None => vec![(path, Arc::clone(&facts))],
            };
            let mut edits: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
            let mut moves = Vec::new();
            let mut edit = |path: &Path, range: TextRange| {
                if let Some(location) = self.location(path, range) {
                    edits
                        .entry(location.uri)
                        .or_default()
                        .push(lsp::TextEdit::new(location.range, new_name.to_owned()));
                }
            };
            for (target_path, target) in &targets {
                let (own, moved) = rename_in_file(target_path, target, new_name);
                for range in own {
                    edit(target_path, range);
                }
                for (referrer, range) in self.index.references_to(target) {
                    edit(&referrer, range);
                }
                moves.extend(moved);
            }
            if targets.is_empty() {
                // A reference to nothing: rename the reference alone.
                if let Some(reference) = facts.reference_at(offset) {
                    edit(&position_path(&position), reference.range);
                }
            }
            tracing::debug!(old_name, new_name, files = edits.len(), "rename");
            let renames_files = self.renames_files.get().copied().unwrap_or(false);
            if moves.is_empty() || !renames_files {
                return Ok(Some(lsp::WorkspaceEdit {
                    changes: Some(edits),
                    ..lsp::WorkspaceEdit::default()
                }));
            }
            // Text edits first (against the files' current paths), then the moves.
            let mut operations: Vec<lsp::DocumentChangeOperation> = edits
                .into_iter()
                .map(|(uri, edits)| {
                    let version = self.documents.version(&uri);
                    lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                        text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                            uri,
                            version,
                        },
                        edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                    })
                })
                .collect();
            for (from, to) in moves {
                let (Some(old_uri), Some(new_uri)) =
                    (Uri::from_file_path(&from), Uri::from_file_path(&to))
                else {
                    continue;
                };
                operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
                    lsp::RenameFile {
                        old_uri,
                        new_uri,
                        options: Some(lsp::RenameFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            Ok(Some(lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(operations)),
                ..lsp::WorkspaceEdit::default()
            }))
        })
        .await
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        request("workspace/symbol", async {
            let symbols: Vec<lsp::WorkspaceSymbol> = self
                .index
                .symbols(&params.query)
                .into_iter()
                .take(MAX_WORKSPACE_SYMBOLS)
                .filter_map(|definition| {
                    let location = self.location(&definition.path, definition.facts.name.range)?;
                    Some(lsp::WorkspaceSymbol {
                        name: definition.facts.name.text.clone(),
                        kind: lsp::SymbolKind::CLASS,
                        tags: None,
                        container_name: Some(definition.facts.title.to_owned()),
                        location: lsp::OneOf::Left(location),
                        data: None,
                    })
                })
                .collect();
            Ok(Some(lsp::WorkspaceSymbolResponse::Nested(symbols)))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        request(CODE_ACTION, async {
            let wanted =
                |kind: &CodeActionKind| {
                    params.context.only.as_ref().is_none_or(|only| {
                        only.iter().any(|requested| kind_requested(requested, kind))
                    })
                };
            let (quick_fixes, fix_all) = (wanted(&CodeActionKind::QUICKFIX), wanted(&FIX_ALL));
            if !quick_fixes && !fix_all {
                return Ok(None);
            }
            let uri = &params.text_document.uri;
            let Some(document) = self.documents.get(uri) else {
                return Ok(None);
            };
            let encoding = self.encoding();
            // Recomputed on the current snapshot, so the edits always match the current text;
            // what the configuration turns off or a comment suppresses is not fixed either.
            let diagnostics = self.visible_diagnostics(&document, Fixes::With);
            let mut actions = Vec::new();
            if quick_fixes {
                let range = from_proto::text_range(&document.rope, params.range, encoding);
                let renames_files = self.renames_files.get().copied().unwrap_or(false);
                for diagnostic in &diagnostics {
                    let touches =
                        diagnostic.range.start <= range.end && range.start <= diagnostic.range.end;
                    if !touches || diagnostic.fixes.is_empty() {
                        continue;
                    }
                    let lsp_diagnostic = to_proto::diagnostic(&document.rope, diagnostic, encoding);
                    for fix in &diagnostic.fixes {
                        // A client that cannot rename files would apply only half of such a fix.
                        if fix.rename.is_some() && !renames_files {
                            continue;
                        }
                        let action = to_proto::code_action(
                            uri,
                            document.version,
                            &document.rope,
                            &lsp_diagnostic,
                            fix,
                            encoding,
                        );
                        actions.extend(action.map(CodeActionOrCommand::CodeAction));
                    }
                }
            }
            // The whole document, whatever the range: editors ask for it on save.
            if fix_all && let Some(fix) = analysis::fix_all(&diagnostics, document.rope.len_bytes())
            {
                let action = to_proto::fix_all_action(uri, &document.rope, &fix, FIX_ALL, encoding);
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
            Ok(Some(actions))
        })
        .await
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        request("textDocument/formatting", async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            // A file the configuration ignores is not the server's to rewrite.
            let settings = self.settings.load();
            if document
                .path
                .as_deref()
                .is_some_and(|path| settings.ignores(path))
            {
                return Ok(None);
            }
            let encoding = self.encoding();
            // The frontmatter only, and only when reloading the result proves it reads the same;
            // the editor's indentation options do not apply (YAML layout is fixed by policy).
            let edits = document.analysis.format().map(|edits| {
                edits
                    .iter()
                    .map(|edit| to_proto::text_edit(&document.rope, edit, encoding))
                    .collect()
            });
            Ok(edits)
        })
        .await
    }

    async fn document_color(&self, params: DocumentColorParams) -> Result<Vec<ColorInformation>> {
        request(DOCUMENT_COLOR, async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(Vec::new());
            };
            let encoding = self.encoding();
            Ok(document
                .analysis
                .colors()
                .iter()
                .map(|color| to_proto::color_information(&document.rope, color, encoding))
                .collect())
        })
        .await
    }

    async fn color_presentation(
        &self,
        params: ColorPresentationParams,
    ) -> Result<Vec<ColorPresentation>> {
        request("textDocument/colorPresentation", async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(Vec::new());
            };
            let encoding = self.encoding();
            let range = from_proto::text_range(&document.rope, params.range, encoding);
            let color = from_proto::color(params.color);
            Ok(document
                .analysis
                .color_presentations(range, color)
                .iter()
                .map(|presentation| {
                    to_proto::color_presentation(&document.rope, presentation, encoding)
                })
                .collect())
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        request(INLAY_HINT, async {
            let Some(document) = self.documents.get(&params.text_document.uri) else {
                return Ok(None);
            };
            let encoding = self.encoding();
            let range = from_proto::text_range(&document.rope, params.range, encoding);
            Ok(Some(
                document
                    .analysis
                    .inlay_hints(range)
                    .iter()
                    .map(|hint| to_proto::inlay_hint(&document.rope, hint, encoding))
                    .collect(),
            ))
        })
        .await
    }
}

/// The client applies `documentChanges` with file renames.
fn renames_files(capabilities: &ClientCapabilities) -> bool {
    let Some(edit) = capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.workspace_edit.as_ref())
    else {
        return false;
    };
    edit.document_changes == Some(true)
        && edit
            .resource_operations
            .as_ref()
            .is_some_and(|operations| operations.contains(&ResourceOperationKind::Rename))
}

/// Runs a request handler body in its own span; a panic becomes `InternalError`.
/// The `dialect` initialization option: `{ "dialect": { "<glob>": "<dialect id>" } }`, for files
/// whose path does not say what they are (or says it wrongly).
fn client_dialects(options: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let Some(dialect) = options.get("dialect") else {
        return (Vec::new(), Vec::new());
    };
    let Some(map) = dialect.as_object() else {
        return (
            Vec::new(),
            vec!["`dialect` must map globs to dialect ids".to_owned()],
        );
    };
    let mut problems = Vec::new();
    let entries = map
        .iter()
        .filter_map(|(glob, id)| match id.as_str() {
            Some(id) => Some((glob.clone(), id.to_owned())),
            None => {
                problems.push(format!("`dialect` entry `{glob}` must name a dialect id"));
                None
            }
        })
        .collect();
    (entries, problems)
}

/// The folder whose `.agentls.yaml` applies: the first workspace folder, else the root URI.
fn workspace_folder(params: &InitializeParams) -> Option<PathBuf> {
    let from_folders = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri);
    #[allow(deprecated)] // `rootUri`: still what many clients send.
    let uri = from_folders.or(params.root_uri.as_ref())?;
    uri.to_file_path().map(|path| path.into_owned())
}

/// The name that can be renamed at `offset`: a reference's (to a file, not a built-in) or the
/// file's own `name:` value, with its range.
fn renamable_at(facts: &FileFacts, offset: usize) -> Option<(TextRange, String)> {
    if let Some(reference) = facts.reference_at(offset) {
        return (!reference.builtin).then(|| (reference.range, reference.name.clone()));
    }
    let range = facts.name_field?;
    (range.start <= offset && offset <= range.end).then(|| (range, facts.name.text.clone()))
}

/// The file path of the document a position is in.
fn position_path(position: &lsp::TextDocumentPositionParams) -> PathBuf {
    position
        .text_document
        .uri
        .to_file_path()
        .map(|path| path.into_owned())
        .unwrap_or_default()
}

/// Every workspace folder (else the root URI's folder).
fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    let folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
        .collect();
    if folders.is_empty() {
        workspace_folder(params).into_iter().collect()
    } else {
        folders
    }
}

/// The client resolves a completion item's `documentation` lazily.
fn resolves_documentation(capabilities: &ClientCapabilities) -> bool {
    capabilities
        .text_document
        .as_ref()
        .and_then(|text| text.completion.as_ref())
        .and_then(|completion| completion.completion_item.as_ref())
        .and_then(|item| item.resolve_support.as_ref())
        .is_some_and(|support| support.properties.iter().any(|p| p == "documentation"))
}

/// The client registers file watchers for us on request.
fn watches_files(capabilities: &ClientCapabilities) -> bool {
    capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false)
}

async fn request<T>(method: &'static str, body: impl Future<Output = Result<T>>) -> Result<T> {
    let span = tracing::debug_span!("request", method);
    match AssertUnwindSafe(body).catch_unwind().instrument(span).await {
        Ok(result) => result,
        Err(payload) => {
            tracing::error!(
                method,
                panic = panic_message(&*payload),
                "request handler panicked"
            );
            Err(jsonrpc::Error::internal_error())
        }
    }
}

/// Messages taken straight from the transport once the session is initialized (and not yet shut
/// down): a keystroke's `didChange`, and the requests editors send as the user types or moves the
/// cursor, which read one document. Each runs the same handler as through tower-lsp, without its
/// decoding, routing and output stream; a request's response goes out through the outbox.
impl transport::Direct for Backend {
    fn take(&self, body: &[u8]) -> Option<impl Future<Output = ()> + Send + '_> {
        type Handling<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
        if !self.ready.load(Ordering::Acquire) || body.len() > MAX_DIRECT_BODY {
            return None;
        }
        // The keystroke's handling is not boxed: its future is kilobytes, and allocating that
        // much on every keystroke made the allocator consolidate its free lists each time.
        if let Some(params) = transport::direct_notification(body, DID_CHANGE) {
            return Some(Either::Left(self.did_change(params)));
        }
        // Each request method and the handler that answers it.
        macro_rules! requests {
            ($($method:ident => $handler:ident),* $(,)?) => {$(
                if let Some((id, params)) = transport::direct_request(body, $method) {
                    let handling: Handling<'_> = Box::pin(self.respond(id, self.$handler(params)));
                    return Some(Either::Right(handling));
                }
            )*};
        }
        requests! {
            COMPLETION => completion,
            HOVER => hover,
            CODE_ACTION => code_action,
            DOCUMENT_COLOR => document_color,
            INLAY_HINT => inlay_hint,
            SEMANTIC_TOKENS_FULL => semantic_tokens_full,
            FOLDING_RANGE => folding_range,
            DOCUMENT_SYMBOL => document_symbol,
        }
        None
    }
}

impl Backend {
    /// Answers request `id` with what its handler returns.
    async fn respond<R: serde::Serialize>(
        &self,
        id: jsonrpc::Id,
        outcome: impl Future<Output = Result<R>>,
    ) {
        let outcome = outcome.await;
        if let Some(permit) = self.outbox.reserve() {
            // Nothing to do when the client is gone: the transport ends the session.
            let _ = permit.respond(&id, &outcome);
        }
    }
}

/// Runs a notification handler body in its own span; a panic is logged and swallowed.
async fn notification(method: &'static str, body: impl Future<Output = ()>) {
    // A debug span: at the default level it costs nothing, where an enabled one is allocated and
    // entered at every poll of every keystroke. The panic report names the method itself.
    let span = tracing::debug_span!("notification", method);
    if let Err(payload) = AssertUnwindSafe(body).catch_unwind().instrument(span).await {
        tracing::error!(
            method,
            panic = panic_message(&*payload),
            "notification handler panicked"
        );
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "non-string panic payload"
    }
}

fn deliberate_panic() -> Result<()> {
    panic!("deliberate panic requested through a test hook")
}
