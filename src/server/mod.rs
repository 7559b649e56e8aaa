//! The LSP edge: translates between tower-lsp-server and [`crate::analysis`], and nothing else.
//!
//! Architecture invariants:
//! - Document edits are applied to the store synchronously, before the handler's first `.await`.
//!   tower-lsp-server polls up to [`CONCURRENCY`] handlers at once, interleaving at `.await`s, so
//!   this is what keeps edits in arrival order.
//! - No handler holds a map guard across an `.await`; they work on `Arc<Document>` snapshots.
//! - No handler can take the server down: each body runs under `catch_unwind`, and a panic
//!   becomes an `InternalError` (-32603) response or a logged notification failure.

mod capabilities;
mod documents;
mod from_proto;
mod to_proto;
mod transport;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};

use futures::FutureExt;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    ColorInformation, ColorPresentation, ColorPresentationParams, CompletionParams,
    CompletionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentColorParams, DocumentSymbolParams, DocumentSymbolResponse,
    FoldingRange, FoldingRangeParams, Hover, HoverParams, InitializeParams, InitializeResult,
    InitializedParams, InlayHint, InlayHintParams, MessageType, ResourceOperationKind, ServerInfo,
    TextDocumentIdentifier, Uri,
};
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};
use tracing::Instrument;

pub use capabilities::{COMPLETION_TRIGGERS, FIX_ALL, negotiate_encoding, server_capabilities};
pub use documents::{Document, DocumentStore};
pub use transport::{MAX_CONTENT_LENGTH, SessionEnd};

use crate::analysis;
use crate::line_index::PositionEncoding;
use crate::schema::DialectOverrides;
use capabilities::kind_requested;
use documents::ChangeOutcome;

/// How many handlers tower-lsp-server may run at once. Edits are safe at any level (see the
/// module invariants); more than one keeps `$/cancelRequest` working and lets a slow request not
/// stall every later message.
pub const CONCURRENCY: usize = 4;

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

/// Builds the service; tests use this (or [`serve`]) to run the server in-process.
pub fn service(options: ServerOptions) -> (LspService<Backend>, ClientSocket) {
    let builder = LspService::build(Backend::new);
    let builder = if options.test_hooks {
        builder
            .custom_method(DEBUG_PANIC, Backend::debug_panic)
            .custom_method(DEBUG_PANIC_NOTIFICATION, Backend::debug_panic_notification)
            .custom_method(DEBUG_DOCUMENT_TEXT, Backend::debug_document_text)
    } else {
        builder
    };
    builder.finish()
}

/// Serves one session over any byte streams, through the guarded transport.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions) -> SessionEnd
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (service, socket) = service(options);
    transport::serve(input, output, service, socket, CONCURRENCY).await
}

/// Serves one session over stdin/stdout.
pub async fn run_stdio(options: ServerOptions) -> SessionEnd {
    serve(tokio::io::stdin(), tokio::io::stdout(), options).await
}

/// The language server state shared by all handlers.
#[derive(Debug)]
pub struct Backend {
    client: Client,
    documents: DocumentStore,
    /// Set once by `initialize`; UTF-16 until then, as LSP prescribes.
    encoding: OnceLock<PositionEncoding>,
    /// The client applies workspace edits that rename files (`documentChanges` with the
    /// `rename` resource operation); set by `initialize`.
    renames_files: OnceLock<bool>,
}

impl Backend {
    fn new(client: Client) -> Self {
        Self {
            client,
            documents: DocumentStore::default(),
            encoding: OnceLock::new(),
            renames_files: OnceLock::new(),
        }
    }

    fn encoding(&self) -> PositionEncoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    /// Publishes diagnostics for `document`, unless a newer snapshot replaced it meanwhile (that
    /// snapshot's own handler publishes) or the document was closed.
    async fn publish_diagnostics(&self, uri: Uri, document: Arc<Document>) {
        let encoding = self.encoding();
        let diagnostics = document
            .analysis
            .diagnostics()
            .iter()
            .map(|diagnostic| to_proto::diagnostic(&document.rope, diagnostic, encoding))
            .collect();
        let current = self.documents.get(&uri);
        if !current.is_some_and(|current| Arc::ptr_eq(&current, &document)) {
            tracing::debug!(version = document.version, "skipped stale diagnostics");
            return;
        }
        self.client
            .publish_diagnostics(uri, diagnostics, Some(document.version))
            .await;
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
            if let Some(options) = &params.initialization_options {
                let (overrides, problems) = dialect_overrides(options);
                self.documents.set_overrides(overrides);
                for problem in problems {
                    tracing::warn!("initializationOptions: {problem}");
                    // window/showMessage is allowed while `initialize` is pending (LSP 3.17).
                    self.client
                        .show_message(MessageType::WARNING, format!("agentls: {problem}"))
                        .await;
                }
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
        notification("initialized", async { tracing::info!("initialized") }).await;
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
            self.publish_diagnostics(document.uri, snapshot).await;
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
            let snapshot = match outcome {
                ChangeOutcome::Applied(snapshot) => snapshot,
                ChangeOutcome::AppliedOutOfOrder { previous, document } => {
                    tracing::warn!(
                        uri = uri.as_str(),
                        version,
                        previous,
                        "document version did not increase"
                    );
                    document
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
            self.publish_diagnostics(uri, snapshot).await;
        })
        .await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        notification("textDocument/didClose", async {
            let uri = params.text_document.uri;
            if !self.documents.close(&uri) {
                tracing::warn!(
                    uri = uri.as_str(),
                    "didClose for a document that is not open"
                );
            }
            // Clear what the editor shows for the closed file.
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        })
        .await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        request("textDocument/completion", async {
            let position = params.text_document_position;
            let Some(document) = self.documents.get(&position.text_document.uri) else {
                return Ok(None);
            };
            let encoding = self.encoding();
            let offset = from_proto::offset(&document.rope, position.position, encoding);
            let items = document
                .analysis
                .completion(offset)
                .iter()
                .map(|item| to_proto::completion_item(&document.rope, item, encoding))
                .collect();
            Ok(Some(CompletionResponse::Array(items)))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        request("textDocument/hover", async {
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
        request("textDocument/documentSymbol", async {
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
        request("textDocument/foldingRange", async {
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

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        request("textDocument/codeAction", async {
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
            // Recomputed on the current snapshot, so the edits always match the current text.
            let diagnostics = document.analysis.diagnostics();
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

    async fn document_color(&self, params: DocumentColorParams) -> Result<Vec<ColorInformation>> {
        request("textDocument/documentColor", async {
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
        request("textDocument/inlayHint", async {
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
fn dialect_overrides(options: &Value) -> (DialectOverrides, Vec<String>) {
    let Some(dialect) = options.get("dialect") else {
        return (DialectOverrides::default(), Vec::new());
    };
    let Some(map) = dialect.as_object() else {
        return (
            DialectOverrides::default(),
            vec!["`dialect` must map globs to dialect ids".to_owned()],
        );
    };
    let mut problems = Vec::new();
    let entries: Vec<(&str, &str)> = map
        .iter()
        .filter_map(|(glob, id)| match id.as_str() {
            Some(id) => Some((glob.as_str(), id)),
            None => {
                problems.push(format!("`dialect` entry `{glob}` must name a dialect id"));
                None
            }
        })
        .collect();
    let (overrides, more) = DialectOverrides::new(entries);
    problems.extend(more);
    (overrides, problems)
}

async fn request<T>(method: &'static str, body: impl Future<Output = Result<T>>) -> Result<T> {
    let span = tracing::info_span!("request", method);
    match AssertUnwindSafe(body)
        .catch_unwind()
        .instrument(span.clone())
        .await
    {
        Ok(result) => result,
        Err(payload) => {
            span.in_scope(|| {
                tracing::error!(panic = panic_message(&*payload), "request handler panicked")
            });
            Err(jsonrpc::Error::internal_error())
        }
    }
}

/// Runs a notification handler body in its own span; a panic is logged and swallowed.
async fn notification(method: &'static str, body: impl Future<Output = ()>) {
    let span = tracing::info_span!("notification", method);
    if let Err(payload) = AssertUnwindSafe(body)
        .catch_unwind()
        .instrument(span.clone())
        .await
    {
        span.in_scope(|| {
            tracing::error!(
                panic = panic_message(&*payload),
                "notification handler panicked"
            )
        });
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
