//! A guarded transport in front of tower-lsp-server, so that no input can end the session.
//!
//! tower-lsp-server 0.23 reads through tokio-util's `FramedRead`, which yields `None` forever after
//! the first decode error; one malformed message therefore ends the whole connection. Here a
//! guard task reads the real input, does the `Content-Length` framing itself, and forwards only
//! messages that tower-lsp will decode. Anything else is answered with a JSON-RPC error (`-32700`
//! or `-32600`), and the reader resynchronises on the next `Content-Length` header.
//!
//! Architecture invariant: only whole frames reach the real output, one at a time, through the
//! [`Outbox`]. tower-lsp writes into a channel and an output task cuts that byte stream into
//! frames; the guard's error replies and the server's own frames (its diagnostics) go through
//! the same outbox, never inside another frame.
//!
//! A keystroke's `didChange`, and the requests the server chooses to answer the same way, skip
//! tower-lsp's pipeline (its decoder, router and output stream) when message order allows: the
//! guard hands each to the server's [`Direct`] handler as soon as every message forwarded before
//! it has started (see [`Gate`]), and the handler writes its diagnostics or its response through
//! the [`Outbox`] itself.
//!
//! Over stdio the guard runs on a thread of its own that blocks in `read`, and frames are written
//! to stdout in place: a keystroke wakes that thread and nothing else, as it would a plain
//! blocking loop. In-process sessions ([`serve`]) run the guard as a task over any `AsyncRead`,
//! and a task copies the outbox's frames to the `AsyncWrite`. The transport uses the
//! `AsyncRead`/`AsyncWrite` traits and channels only (no `io-util`).

use std::borrow::Cow;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc::{self, OwnedPermit, error::SendError};
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc::{self, Id, Request};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, Server};
use tower_service::Service;

/// Bodies larger than this are rejected unread: no legitimate agent file comes close, and
/// allocating whatever a corrupt header claims would let one bad frame exhaust memory.
pub const MAX_CONTENT_LENGTH: usize = 64 * 1024 * 1024;

/// A header block longer than this without its blank line is junk, not a header.
const MAX_HEADER_BYTES: usize = 8 * 1024;
const READ_CHUNK: usize = 64 * 1024;
/// Frames buffered between the tasks; small, so a slow side applies backpressure.
const QUEUE: usize = 32;
const HEADER_NAME: &[u8] = b"Content-Length";
const HEADER_END: &[u8] = b"\r\n\r\n";

/// How a session ended; decides the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// The client sent `exit`; LSP asks for exit code 0 only when `shutdown` came first.
    Exit { after_shutdown: bool },
    /// The input closed without `exit` (the client went away).
    InputClosed,
}

/// What the transport serves: tower-lsp's service, the handler of the notifications it may take
/// directly, and the outbox the server writes its own frames to.
pub struct Session<S, D> {
    pub service: LspService<S>,
    pub socket: ClientSocket,
    pub direct: D,
    /// Where the server writes its own frames; the session connects it to the output.
    pub outbox: Outbox,
}

/// Messages the server takes straight from the guard, bypassing tower-lsp's pipeline: the guard
/// offers each message only when that keeps message order (see [`Gate`]), and runs the handling
/// before it reads on. A request's handling writes its response through the [`Outbox`].
///
/// A handling must never wait for the client (a server-to-client request, a message still to
/// come): the guard that would read the answer is the one running it.
pub trait Direct: Send + Sync + 'static {
    /// The handling of `body` (a whole message) if it is a message this handler takes now (see
    /// [`direct_notification`] and [`direct_request`]); `None` leaves it to the guard's checks
    /// and tower-lsp.
    fn take(&self, body: &[u8]) -> Option<impl Future<Output = ()> + Send + '_>;
}

/// The parameters of `body` if it is exactly a JSON-RPC notification of `method`
/// (`{"jsonrpc": "2.0", "method", "params"}`, nothing else) with well-formed parameters: one
/// typed pass instead of the guard's envelope check and tower-lsp's decoding. Anything else,
/// even valid, is `None` and goes the usual way.
pub fn direct_notification<'a, P: Deserialize<'a>>(body: &'a [u8], method: &str) -> Option<P> {
    match strict_message(body, method)? {
        (None, params) => Some(params),
        (Some(_), _) => None,
    }
}

/// The id and parameters of `body` if it is exactly a JSON-RPC request of `method`
/// (`{"jsonrpc": "2.0", "id", "method", "params"}`, nothing else) with a number or string id and
/// well-formed parameters; see [`direct_notification`].
pub fn direct_request<'a, P: Deserialize<'a>>(body: &'a [u8], method: &str) -> Option<(Id, P)> {
    match strict_message(body, method)? {
        (Some(id @ (Id::Number(_) | Id::String(_))), params) => Some((id, params)),
        _ => None,
    }
}

/// `body`'s id (if it has one) and parameters, if it is a JSON-RPC 2.0 message of `method` with
/// no field but those.
fn strict_message<'a, P: Deserialize<'a>>(body: &'a [u8], method: &str) -> Option<(Option<Id>, P)> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Message<'a, P> {
        jsonrpc: &'a str,
        #[serde(default, deserialize_with = "present")]
        id: Option<Id>,
        method: &'a str,
        params: P,
    }
    // Most messages are something else: a byte search spares them the parse.
    memchr::memmem::find(body, method.as_bytes())?;
    let message: Message<'a, P> = serde_json::from_slice(body).ok()?;
    (message.jsonrpc == "2.0" && message.method == method).then_some((message.id, message.params))
}

/// Where whole frames go, one at a time: the process's stdout written in place, or a channel to
/// the task that writes an in-process session's output.
trait FrameSink: Send {
    fn write_frame(&mut self, frame: &[u8]) -> io::Result<()>;
}

/// The session's one output: tower-lsp's frames, the guard's error replies and the server's own
/// frames (its diagnostics) are each written whole, in the order their writers reserve it.
/// Not connected before the session starts and after it ends: frames are then dropped.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Option<Box<dyn FrameSink>>>>);

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

/// The [`Outbox`], reserved: whatever is checked between reserving and sending cannot be
/// overtaken by another frame. Held briefly, never across an `.await`.
pub struct OutboxPermit<'a>(MutexGuard<'a, Option<Box<dyn FrameSink>>>);

impl Outbox {
    /// The output, for one frame; `None` when it is not connected (the session is over, or the
    /// client stopped reading).
    pub fn reserve(&self) -> Option<OutboxPermit<'_>> {
        // A panic while writing leaves nothing half-done worth refusing the output for.
        let sink = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sink.is_some().then_some(OutboxPermit(sink))
    }

    fn connect(&self, sink: Box<dyn FrameSink>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(sink);
    }

    /// Disconnects the output; frames sent afterwards are dropped.
    fn disconnect(&self) {
        let sink = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(sink);
    }

    /// Sends one whole frame; `false` when the output is gone.
    fn send(&self, frame: &[u8]) -> bool {
        self.reserve().is_some_and(|permit| permit.send(frame))
    }
}

impl OutboxPermit<'_> {
    /// Sends the JSON-RPC notification `method` with `params`, framed.
    pub fn notify(self, method: &str, params: &impl Serialize) {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let notification = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        match FrameBuffer::serialize(&notification) {
            Ok(frame) => {
                self.send_frame(frame);
            }
            Err(error) => tracing::error!(%error, method, "cannot serialise a notification"),
        }
    }

    /// Sends the response to request `id`: its `result`, or its `error`; `false` when the
    /// output is gone.
    pub fn respond<R: Serialize>(self, id: &Id, outcome: &jsonrpc::Result<R>) -> bool {
        #[derive(Serialize)]
        struct Success<'a, R> {
            jsonrpc: &'static str,
            id: &'a Id,
            result: &'a R,
        }
        #[derive(Serialize)]
        struct Failure<'a> {
            jsonrpc: &'static str,
            id: &'a Id,
            error: &'a jsonrpc::Error,
        }
        let failure = |error: &jsonrpc::Error| {
            FrameBuffer::serialize(&Failure {
                jsonrpc: "2.0",
                id,
                error,
            })
        };
        let frame = match outcome {
            Ok(result) => FrameBuffer::serialize(&Success {
                jsonrpc: "2.0",
                id,
                result,
            }),
            Err(error) => failure(error),
        };
        let frame = frame.or_else(|error| {
            tracing::error!(%error, %id, "cannot serialise a response");
            failure(&jsonrpc::Error::internal_error())
        });
        frame.is_ok_and(|frame| self.send_frame(frame))
    }

    /// Writes a serialised message as one frame (see [`OutboxPermit::send`]).
    fn send_frame(self, mut frame: FrameBuffer) -> bool {
        self.send(frame.framed())
    }

    /// Writes `frame`; on failure the output is disconnected and `false` returned.
    fn send(mut self, frame: &[u8]) -> bool {
        let Some(sink) = self.0.as_mut() else {
            return false;
        };
        match sink.write_frame(frame) {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "cannot write output; the client is probably gone");
                *self.0 = None;
                false
            }
        }
    }
}

/// Keeps directly handled notifications in message order. tower-lsp-server runs each message's
/// handler as a future, whose synchronous prefix (where every handler reads or edits the
/// documents) runs at its first poll; a notification may skip the pipeline only when every
/// message forwarded before it got that far, so it can neither overtake one nor be seen early.
#[derive(Debug, Default)]
struct Gate {
    /// Requests and notifications forwarded to tower-lsp (client responses are not handlers).
    forwarded: AtomicU64,
    /// Of those, the ones whose handler future has been polled once.
    started: AtomicU64,
}

impl Gate {
    fn is_open(&self) -> bool {
        self.started.load(Ordering::Acquire) == self.forwarded.load(Ordering::Acquire)
    }
}

/// tower-lsp's service, counting in the [`Gate`] each handler future's first poll.
struct Counted<S> {
    inner: S,
    gate: Arc<Gate>,
}

type Handled = Result<Option<jsonrpc::Response>, tower_lsp_server::ExitedError>;

impl<S> Service<Request> for Counted<S>
where
    S: Service<
            Request,
            Response = Option<jsonrpc::Response>,
            Error = tower_lsp_server::ExitedError,
        >,
    S::Future: Send + 'static,
{
    type Response = Option<jsonrpc::Response>;
    type Error = tower_lsp_server::ExitedError;
    type Future = Pin<Box<dyn Future<Output = Handled> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let mut handler = Box::pin(self.inner.call(request));
        let gate = Arc::clone(&self.gate);
        let mut first = true;
        Box::pin(poll_fn(move |cx| {
            let poll = handler.as_mut().poll(cx);
            if std::mem::take(&mut first) {
                gate.started.fetch_add(1, Ordering::AcqRel);
            }
            poll
        }))
    }
}

/// Serves a session over `input`/`output` through the guard until `exit` or the end of input: the
/// guard runs as a task, and a task copies the outbox's frames to `output`.
///
/// The copy is unbounded: meant for in-process sessions, whose client reads what it is sent.
/// [`serve_stdio`] writes in place instead, where a client that stops reading stops the server.
pub async fn serve<I, O, S, D>(
    input: I,
    output: O,
    session: Session<S, D>,
    concurrency: usize,
) -> SessionEnd
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    S: LanguageServer,
    D: Direct,
{
    let (frames_tx, frames_rx) = mpsc::unbounded_channel();
    let copier = tokio::spawn(copy_frames(frames_rx, output));
    let end = run_session(
        session,
        concurrency,
        Box::new(ChannelSink(frames_tx)),
        |forward, guard| Some(tokio::spawn(guard_input(input, forward, guard))),
    )
    .await;
    // The sink is dropped with the session's end: the copier writes what is left, then stops.
    if let Err(error) = copier.await {
        tracing::error!(%error, "output writer failed");
    }
    end
}

/// Serves one session over the process's stdin and stdout: a thread of its own blocks in
/// `read` and runs the guard, and every frame is written to stdout in place, by whichever thread
/// sends it.
///
/// A keystroke's `didChange` then wakes one thread, which reads it, runs the handler and writes
/// the diagnostics, like a plain blocking loop would: tokio's event loop and an output task in
/// between cost 30–60 µs of a keystroke's 300 µs after an idle pause (`benches/README.md`).
/// Writing in place blocks only while the client is not reading its input, when nothing could be
/// sent anyway.
pub async fn serve_stdio<S: LanguageServer, D: Direct>(
    session: Session<S, D>,
    concurrency: usize,
) -> SessionEnd {
    let runtime = tokio::runtime::Handle::current();
    run_session(
        session,
        concurrency,
        Box::new(StdoutWriter::new()),
        move |forward, guard| {
            // Never joined: after `exit` it may sit in `read` on an input that stays open.
            let input = std::thread::Builder::new()
                .name("agentls-input".to_owned())
                .spawn(move || runtime.block_on(guard_input(BlockingStdin, forward, guard)));
            if let Err(error) = input {
                tracing::error!(%error, "cannot start the input thread");
            }
            None
        },
    )
    .await
}

/// Runs tower-lsp behind the guard started by `start_guard` (which returns its task, if it is
/// one, to be stopped at the end), with every frame going to `sink`.
async fn run_session<S, D>(
    session: Session<S, D>,
    concurrency: usize,
    sink: Box<dyn FrameSink>,
    start_guard: impl FnOnce(mpsc::Sender<Vec<u8>>, Guard<D>) -> Option<JoinHandle<()>>,
) -> SessionEnd
where
    S: LanguageServer,
    D: Direct,
{
    let Session {
        service,
        socket,
        direct,
        outbox,
    } = session;
    outbox.connect(sink);
    let (forward_tx, forward_rx) = mpsc::channel(QUEUE);
    let (server_out_tx, server_out_rx) = mpsc::channel(QUEUE);
    let flags = Arc::new(SessionFlags::default());
    let gate = Arc::new(Gate::default());

    let guard = start_guard(
        forward_tx,
        Guard {
            outbox: outbox.clone(),
            flags: Arc::clone(&flags),
            gate: Arc::clone(&gate),
            direct,
        },
    );
    let writer = tokio::spawn(write_server_output(server_out_rx, outbox.clone()));

    Server::new(
        ChannelReader::new(forward_rx),
        ChannelWriter::new(server_out_tx),
        socket,
    )
    .concurrency_level(concurrency)
    .serve(Counted {
        inner: service,
        gate,
    })
    .await;

    // After `exit` the guard may still be blocked reading input that never closes.
    if let Some(guard) = guard {
        guard.abort();
        if let Err(error) = guard.await
            && !error.is_cancelled()
        {
            tracing::error!(%error, "input guard failed");
        }
    }
    if let Err(error) = writer.await {
        tracing::error!(%error, "output writer failed");
    }
    // The server's state, which holds the outbox too, may outlive the session in a task that
    // still runs: what it sends from now on goes nowhere.
    outbox.disconnect();
    flags.end()
}

/// The process's stdin, read with plain blocking `read`s: only for the input thread, where
/// blocking is the point (the client's bytes wake that thread directly).
struct BlockingStdin;

impl AsyncRead for BlockingStdin {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        use std::io::Read;
        let read = loop {
            match io::stdin().lock().read(buf.initialize_unfilled()) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                result => break result,
            }
        };
        Poll::Ready(read.map(|read| buf.advance(read)))
    }
}

/// The process's stdout, written in place. On Unix it writes to a duplicate of descriptor 1 as
/// a plain file: `std::io::stdout()` is line-buffered, which cuts every frame in two `write`s at
/// its header's line break.
struct StdoutWriter {
    #[cfg(unix)]
    file: Option<std::fs::File>,
}

impl StdoutWriter {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            let file = io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .map(std::fs::File::from)
                .ok();
            Self { file }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

impl FrameSink for StdoutWriter {
    fn write_frame(&mut self, frame: &[u8]) -> io::Result<()> {
        use std::io::Write;
        #[cfg(unix)]
        if let Some(file) = &mut self.file {
            return file.write_all(frame);
        }
        let mut stdout = io::stdout().lock();
        stdout.write_all(frame)?;
        stdout.flush()
    }
}

/// An in-process session's output: frames for [`copy_frames`].
struct ChannelSink(mpsc::UnboundedSender<Vec<u8>>);

impl FrameSink for ChannelSink {
    fn write_frame(&mut self, frame: &[u8]) -> io::Result<()> {
        self.0
            .send(frame.to_vec())
            .map_err(|_| io::ErrorKind::BrokenPipe.into())
    }
}

/// Writes the frames of a [`ChannelSink`] to `output` until the sink is gone.
async fn copy_frames<O: AsyncWrite + Unpin>(
    mut frames: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: O,
) {
    while let Some(frame) = frames.recv().await {
        if let Err(error) = write_all(&mut output, &frame)
            .await
            .and(flush(&mut output).await)
        {
            tracing::warn!(%error, "cannot write output; the client is probably gone");
            return;
        }
    }
}

#[derive(Debug, Default)]
struct SessionFlags {
    shutdown: AtomicBool,
    exit: AtomicBool,
}

impl SessionFlags {
    fn end(&self) -> SessionEnd {
        if self.exit.load(Ordering::Acquire) {
            SessionEnd::Exit {
                after_shutdown: self.shutdown.load(Ordering::Acquire),
            }
        } else {
            SessionEnd::InputClosed
        }
    }
}

/// What the input guard works with besides its input and tower-lsp's.
struct Guard<D> {
    /// For error replies.
    outbox: Outbox,
    flags: Arc<SessionFlags>,
    gate: Arc<Gate>,
    direct: D,
}

/// Reads frames from the real input, forwards the valid ones (or hands them to the direct
/// handler) and answers the rest.
async fn guard_input<I: AsyncRead + Unpin, D: Direct>(
    input: I,
    forward: mpsc::Sender<Vec<u8>>,
    guard: Guard<D>,
) {
    let mut reader = FrameReader::new(input);
    loop {
        let frame = match reader.next_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(error) => {
                tracing::error!(%error, "cannot read input");
                break;
            }
        };
        if let Frame::Body(body) = &frame
            && !guard.flags.shutdown.load(Ordering::Acquire)
            && guard.gate.is_open()
            && let Some(handling) = guard.direct.take(body)
        {
            handling.await;
            continue;
        }
        let (id, error) = match frame {
            Frame::Body(body) => match validate(&body) {
                Verdict::Forward(kind) => {
                    match kind {
                        Kind::Request { shutdown: true } => {
                            guard.flags.shutdown.store(true, Ordering::Release);
                        }
                        Kind::Notification { exit: true } => {
                            guard.flags.exit.store(true, Ordering::Release);
                        }
                        _ => {}
                    }
                    if kind != Kind::Response {
                        guard.gate.forwarded.fetch_add(1, Ordering::AcqRel);
                    }
                    let header = frame_header(body.len());
                    // Two sends avoid copying a large body just to prepend its header.
                    if forward.send(header).await.is_err() || forward.send(body).await.is_err() {
                        break; // The server stopped reading (after `exit`).
                    }
                    continue;
                }
                Verdict::Drop(reason) => {
                    tracing::warn!(reason, "dropped an invalid response from the client");
                    continue;
                }
                Verdict::Reject(id, error) => {
                    tracing::warn!(%id, code = %error.code, message = %error.message, "rejected a message");
                    (id, error)
                }
            },
            Frame::BadHeader => {
                tracing::warn!("bad message header; skipping to the next Content-Length");
                (Id::Null, jsonrpc::Error::parse_error())
            }
            Frame::TooLarge(len) => {
                tracing::warn!(
                    len,
                    max = MAX_CONTENT_LENGTH,
                    "message too large; skipping it"
                );
                let mut error = jsonrpc::Error::invalid_request();
                error.message = Cow::Owned(format!(
                    "message of {len} bytes exceeds the limit of {MAX_CONTENT_LENGTH} bytes"
                ));
                (Id::Null, error)
            }
        };
        // Written before the guard forwards anything else: the reply reaches the client before
        // the response to any later request.
        let replied = guard
            .outbox
            .reserve()
            .is_some_and(|permit| permit.respond(&id, &Err::<(), _>(error)));
        if !replied {
            break;
        }
    }
    tracing::debug!("input closed");
}

/// Cuts tower-lsp's output into frames and sends each through the outbox.
async fn write_server_output(mut server: mpsc::Receiver<Vec<u8>>, outbox: Outbox) {
    let mut splitter = FrameSplitter::default();
    while let Some(chunk) = server.recv().await {
        splitter.push(&chunk);
        while let Some(frame) = splitter.next_frame() {
            if !outbox.send(&frame) {
                // The client is gone: stop reading tower-lsp's output, which ends its session.
                return;
            }
        }
    }
    if !splitter.is_empty() {
        tracing::warn!("the server's output ended inside a message");
    }
}

// ---------------------------------------------------------------------------------------------
// Framing

/// One unit read from the input.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    Body(Vec<u8>),
    /// A header block that is not `Content-Length` framing (reported once per run of junk).
    BadHeader,
    /// A `Content-Length` above [`MAX_CONTENT_LENGTH`]; its body is skipped, not read.
    TooLarge(usize),
}

/// Reads `Content-Length` frames and resynchronises after garbage.
struct FrameReader<R> {
    reader: R,
    /// Input read but not yet returned as a frame.
    buf: Vec<u8>,
    /// What each read fills, allocated once: growing `buf` by a zeroed 64 KiB for every read
    /// cost a keystroke's message an allocation and a 64 KiB memset.
    chunk: Box<[u8]>,
    /// Discarding input until the next `Content-Length`.
    resyncing: bool,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::new(),
            chunk: vec![0; READ_CHUNK].into_boxed_slice(),
            resyncing: false,
        }
    }

    /// The next frame; `Ok(None)` at the end of input (a truncated last message is dropped).
    async fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        loop {
            if self.resyncing {
                match find(&self.buf, HEADER_NAME) {
                    Some(at) => {
                        self.buf.drain(..at);
                        self.resyncing = false;
                    }
                    None => {
                        // Keep a tail that may be the start of a header split across reads.
                        let keep = self.buf.len().min(HEADER_NAME.len() - 1);
                        self.buf.drain(..self.buf.len() - keep);
                        if !self.fill().await? {
                            return Ok(None);
                        }
                        continue;
                    }
                }
            }
            let Some(header_len) = find(&self.buf, HEADER_END) else {
                if self.buf.len() > MAX_HEADER_BYTES {
                    self.start_resync(1);
                    return Ok(Some(Frame::BadHeader));
                }
                if !self.fill().await? {
                    return Ok(None);
                }
                continue;
            };
            match parse_content_length(&self.buf[..header_len]) {
                None => {
                    // Resync from inside this block: junk glued to a real header recovers it.
                    self.start_resync(1);
                    return Ok(Some(Frame::BadHeader));
                }
                Some(len) if len > MAX_CONTENT_LENGTH => {
                    self.start_resync(header_len + HEADER_END.len());
                    return Ok(Some(Frame::TooLarge(len)));
                }
                Some(len) => {
                    self.buf.drain(..header_len + HEADER_END.len());
                    self.buf.reserve(len.saturating_sub(self.buf.len()));
                    while self.buf.len() < len {
                        if !self.fill().await? {
                            return Ok(None);
                        }
                    }
                    let body = if self.buf.len() == len {
                        std::mem::take(&mut self.buf)
                    } else {
                        let rest = self.buf.split_off(len);
                        std::mem::replace(&mut self.buf, rest)
                    };
                    return Ok(Some(Frame::Body(body)));
                }
            }
        }
    }

    /// Drops the first `skip` bytes and discards input up to the next `Content-Length`.
    fn start_resync(&mut self, skip: usize) {
        self.buf.drain(..skip.min(self.buf.len()));
        self.resyncing = true;
    }

    /// Reads more input; `false` at the end of input.
    async fn fill(&mut self) -> io::Result<bool> {
        let read = read_some(&mut self.reader, &mut self.chunk).await?;
        self.buf.extend_from_slice(&self.chunk[..read]);
        Ok(read > 0)
    }
}

/// The `Content-Length` of a header block (without its final blank line). Other headers
/// (`Content-Type`) are accepted and ignored; frames are re-emitted with a canonical header.
fn parse_content_length(block: &[u8]) -> Option<usize> {
    let block = std::str::from_utf8(block).ok()?;
    let mut len = None;
    // Stray blank lines between messages are harmless; skip them.
    for line in block.split("\r\n").filter(|line| !line.is_empty()) {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            len = Some(value.trim().parse().ok()?);
        }
    }
    len
}

/// Cuts tower-lsp's output byte stream into whole frames.
#[derive(Debug, Default)]
struct FrameSplitter {
    buf: Vec<u8>,
}

impl FrameSplitter {
    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn next_frame(&mut self) -> Option<Vec<u8>> {
        let header_len = find(&self.buf, HEADER_END)?;
        let Some(len) = parse_content_length(&self.buf[..header_len]) else {
            // tower-lsp always writes a valid header; if that ever changes, pass bytes through
            // rather than stalling the session.
            tracing::error!("unexpected server output framing");
            return Some(std::mem::take(&mut self.buf));
        };
        let total = header_len + HEADER_END.len() + len;
        if self.buf.len() < total {
            return None;
        }
        let rest = self.buf.split_off(total);
        Some(std::mem::replace(&mut self.buf, rest))
    }
}

fn frame_header(len: usize) -> Vec<u8> {
    let mut header = Vec::with_capacity(HEADER_ROOM);
    write_frame_header(&mut header, len).expect("writing to a Vec cannot fail");
    header
}

/// The one spelling of a frame's header, for a body of `len` bytes.
fn write_frame_header(out: &mut impl io::Write, len: usize) -> io::Result<()> {
    write!(out, "Content-Length: {len}\r\n\r\n")
}

/// One outgoing message built in a single buffer: the body is serialised after room for the
/// longest header, and the header is then written just before it, so that the frame is written
/// out without copying the body again (it runs on every keystroke's diagnostics).
struct FrameBuffer(Vec<u8>);

/// The longest header: `Content-Length` with the largest `usize`.
const HEADER_ROOM: usize = "Content-Length: 18446744073709551615\r\n\r\n".len();

impl FrameBuffer {
    /// Most messages (a keystroke's diagnostics, a hover) fit without growing the buffer.
    const TYPICAL_BODY: usize = 2048;

    fn serialize(message: &impl Serialize) -> serde_json::Result<Self> {
        let mut buffer = Vec::with_capacity(HEADER_ROOM + Self::TYPICAL_BODY);
        buffer.resize(HEADER_ROOM, 0);
        serde_json::to_writer(&mut buffer, message)?;
        Ok(Self(buffer))
    }

    /// The whole frame: its header, then the body.
    fn framed(&mut self) -> &[u8] {
        let mut header = [0; HEADER_ROOM];
        let mut cursor = io::Cursor::new(&mut header[..]);
        let len = self.0.len() - HEADER_ROOM;
        write_frame_header(&mut cursor, len).expect("the room fits the longest header");
        let header_len = usize::try_from(cursor.position()).expect("a header's length fits");
        let start = HEADER_ROOM - header_len;
        self.0[start..HEADER_ROOM].copy_from_slice(&header[..header_len]);
        &self.0[start..]
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

// ---------------------------------------------------------------------------------------------
// Validation

/// What a message tower-lsp can decode is.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// A request (`shutdown` is tracked to pick the exit code).
    Request { shutdown: bool },
    /// A notification (`exit` is tracked to pick the exit code).
    Notification { exit: bool },
    /// A response to one of the server's requests.
    Response,
}

#[derive(Debug, PartialEq)]
enum Verdict {
    /// tower-lsp can decode it.
    Forward(Kind),
    /// Answer with this error instead of forwarding.
    Reject(Id, jsonrpc::Error),
    /// An unusable response to one of our requests: nothing to answer, just drop it.
    Drop(&'static str),
}

/// The top-level fields of a message, without materialising `params` or `result`.
/// `present` distinguishes an explicit `null` from an absent field.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "present")]
    jsonrpc: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    method: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    id: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    result: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "present")]
    error: Option<IgnoredAny>,
}

fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    de: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(de).map(Some)
}

/// Decides whether tower-lsp can decode `body` (its decoder ends the session otherwise).
/// serde_json's recursion limit.
const MAX_NESTING: usize = 128;

/// The deepest nesting of `[`/`{` in a JSON text, ignoring brackets inside strings. Stops early
/// past the limit.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_NESTING {
                    break;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn validate(body: &[u8]) -> Verdict {
    let parse_error = || Verdict::Reject(Id::Null, jsonrpc::Error::parse_error());
    let invalid = |id: Id| Verdict::Reject(id, jsonrpc::Error::invalid_request());

    // tower-lsp rejects the whole body on invalid UTF-8, even inside a string it would ignore.
    let Ok(text) = std::str::from_utf8(body) else {
        return parse_error();
    };
    // tower-lsp decodes `params` fully, and serde_json refuses nesting deeper than 128: such a
    // body would end the session at tower-lsp's decoder, so refuse it here, with its id.
    if nesting_depth(text) > MAX_NESTING {
        let id = serde_json::from_str::<Envelope>(text)
            .ok()
            .and_then(|envelope| envelope.id.as_ref().and_then(request_id))
            .unwrap_or(Id::Null);
        return invalid(id);
    }
    if !text.trim_start().starts_with('{') {
        // Derived struct deserialisers also accept arrays, so check the shape first.
        return match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => invalid(Id::Null),
            Err(_) => parse_error(),
        };
    }
    let envelope = match serde_json::from_str::<Envelope>(text) {
        Ok(envelope) => envelope,
        Err(error) if error.is_data() => return invalid(Id::Null), // e.g. a duplicate field
        Err(_) => return parse_error(),
    };
    let id = match envelope.id.as_ref().map(request_id) {
        None => None,
        Some(Some(id)) => Some(id),
        Some(None) => return invalid(Id::Null),
    };
    if envelope.jsonrpc.as_ref().and_then(Value::as_str) != Some("2.0") {
        return invalid(id.unwrap_or_default());
    }
    match (&envelope.method, &id) {
        (Some(Value::String(method)), Some(_)) => Verdict::Forward(Kind::Request {
            shutdown: method == "shutdown",
        }),
        (Some(Value::String(method)), None) => Verdict::Forward(Kind::Notification {
            exit: method == "exit",
        }),
        (Some(_), _) => invalid(id.unwrap_or_default()),
        (None, Some(_)) if envelope.result.is_some() || envelope.error.is_some() => {
            // Responses are small; check them exactly as tower-lsp will decode them.
            match serde_json::from_str::<jsonrpc::Response>(text) {
                Ok(_) => Verdict::Forward(Kind::Response),
                Err(_) => Verdict::Drop("malformed response"),
            }
        }
        (None, id) => invalid(id.clone().unwrap_or_default()),
    }
}

/// A JSON-RPC id as tower-lsp accepts it (integer, string or null).
fn request_id(value: &Value) -> Option<Id> {
    match value {
        Value::Null => Some(Id::Null),
        Value::String(id) => Some(Id::String(id.clone())),
        Value::Number(number) => number.as_i64().map(Id::Number),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// In-memory pipes between the guard, tower-lsp and the writer

/// An `AsyncRead` over a channel of byte chunks; end of input when all senders are gone.
struct ChannelReader {
    rx: mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<Vec<u8>>) -> Self {
        Self {
            rx,
            chunk: Vec::new(),
            pos: 0,
        }
    }
}

impl AsyncRead for ChannelReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        while this.pos == this.chunk.len() {
            match ready!(this.rx.poll_recv(cx)) {
                Some(chunk) => {
                    this.chunk = chunk;
                    this.pos = 0;
                }
                None => return Poll::Ready(Ok(())),
            }
        }
        let len = buf.remaining().min(this.chunk.len() - this.pos);
        buf.put_slice(&this.chunk[this.pos..this.pos + len]);
        this.pos += len;
        Poll::Ready(Ok(()))
    }
}

type Reservation =
    Pin<Box<dyn Future<Output = Result<OwnedPermit<Vec<u8>>, SendError<()>>> + Send>>;

/// An `AsyncWrite` into a bounded channel: a write waits for room, which is the backpressure
/// that keeps a client that stops reading from growing the server's memory.
struct ChannelWriter {
    tx: mpsc::Sender<Vec<u8>>,
    reservation: Option<Reservation>,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<Vec<u8>>) -> Self {
        Self {
            tx,
            reservation: None,
        }
    }
}

impl AsyncWrite for ChannelWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let tx = &this.tx;
        let reservation = this
            .reservation
            .get_or_insert_with(|| Box::pin(tx.clone().reserve_owned()));
        let permit = ready!(reservation.as_mut().poll(cx));
        this.reservation = None;
        match permit {
            Ok(permit) => {
                permit.send(buf.to_vec());
                Poll::Ready(Ok(buf.len()))
            }
            Err(_) => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

// Minimal read/write helpers (tokio's `io-util` extension traits are not enabled for the library).

async fn read_some<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    poll_fn(|cx| {
        let mut read_buf = ReadBuf::new(buf);
        ready!(Pin::new(&mut *reader).poll_read(cx, &mut read_buf))?;
        Poll::Ready(Ok(read_buf.filled().len()))
    })
    .await
}

async fn write_all<W: AsyncWrite + Unpin>(writer: &mut W, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let written = poll_fn(|cx| Pin::new(&mut *writer).poll_write(cx, buf)).await?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        buf = &buf[written..];
    }
    Ok(())
}

async fn flush<W: AsyncWrite + Unpin>(writer: &mut W) -> io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *writer).poll_flush(cx)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    async fn frames(input: &[u8]) -> Vec<Frame> {
        let mut reader = FrameReader::new(input);
        let mut frames = Vec::new();
        while let Some(frame) = reader.next_frame().await.unwrap() {
            frames.push(frame);
        }
        frames
    }

    fn body(text: &str) -> Frame {
        Frame::Body(text.as_bytes().to_vec())
    }

    #[tokio::test]
    async fn reads_consecutive_frames() {
        let input = format!(
            "{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}",
            framed("{}"),
            framed("[1]")
        );
        // The second frame's extra header line comes before its Content-Length.
        assert_eq!(frames(input.as_bytes()).await, [body("{}"), body("[1]")]);
    }

    #[tokio::test]
    async fn resyncs_after_bad_headers() {
        let input = format!(
            "junk\r\n\r\n{}Content-Length: abc\r\n\r\nxx{}garbage{}",
            framed("a"),
            framed("b"),
            framed("c")
        );
        let expected = [
            Frame::BadHeader,
            body("a"),
            Frame::BadHeader,
            body("b"),
            // "garbage" is glued to the next header: one error, then the frame.
            Frame::BadHeader,
            body("c"),
        ];
        assert_eq!(frames(input.as_bytes()).await, expected);
    }

    #[tokio::test]
    async fn long_junk_reports_once() {
        let junk = vec![0xffu8; 5 * MAX_HEADER_BYTES];
        let mut input = junk.clone();
        input.extend_from_slice(framed("ok").as_bytes());
        assert_eq!(frames(&input).await, [Frame::BadHeader, body("ok")]);
    }

    #[tokio::test]
    async fn oversized_frames_are_skipped() {
        let input = format!(
            "Content-Length: 999999999999\r\n\r\n{{\"huge\"...{}",
            framed("next")
        );
        assert_eq!(
            frames(input.as_bytes()).await,
            [Frame::TooLarge(999_999_999_999), body("next")]
        );
    }

    #[tokio::test]
    async fn truncated_frame_at_eof_ends() {
        let input = format!("{}Content-Length: 100\r\n\r\n{{\"jsonrpc\"", framed("a"));
        assert_eq!(frames(input.as_bytes()).await, [body("a")]);
    }

    /// Frames into a shared vector, failing once `fail` is set.
    #[derive(Clone, Default)]
    struct Recorder {
        frames: Arc<Mutex<Vec<Vec<u8>>>>,
        fail: Arc<AtomicBool>,
    }

    impl FrameSink for Recorder {
        fn write_frame(&mut self, frame: &[u8]) -> io::Result<()> {
            if self.fail.load(Ordering::Acquire) {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            self.frames.lock().unwrap().push(frame.to_vec());
            Ok(())
        }
    }

    #[test]
    fn a_frame_buffer_frames_its_body_exactly() {
        for text in ["", "x", &"y".repeat(5000)] {
            let mut frame = FrameBuffer::serialize(&text).unwrap();
            let expected = framed(&serde_json::to_string(text).unwrap());
            assert_eq!(frame.framed(), expected.as_bytes());
            // Framing twice gives the same bytes: the header is rewritten in its room, not added.
            assert_eq!(frame.framed(), expected.as_bytes());
        }
    }

    #[test]
    fn the_outbox_writes_whole_frames_until_its_output_fails() {
        let outbox = Outbox::default();
        assert!(outbox.reserve().is_none(), "not connected yet");
        let recorder = Recorder::default();
        outbox.connect(Box::new(recorder.clone()));

        outbox
            .reserve()
            .expect("connected")
            .notify("m/x", &serde_json::json!([1]));
        outbox.reserve().expect("connected").respond(
            &Id::Number(7),
            &Ok::<_, jsonrpc::Error>(Option::<u32>::None),
        );
        outbox.reserve().expect("connected").respond(
            &Id::String("a".to_owned()),
            &Err::<u32, _>(jsonrpc::Error::internal_error()),
        );
        let frames: Vec<String> = recorder
            .frames
            .lock()
            .unwrap()
            .iter()
            .map(|frame| String::from_utf8(frame.clone()).unwrap())
            .collect();
        assert_eq!(
            frames,
            [
                framed(r#"{"jsonrpc":"2.0","method":"m/x","params":[1]}"#),
                framed(r#"{"jsonrpc":"2.0","id":7,"result":null}"#),
                framed(
                    r#"{"jsonrpc":"2.0","id":"a","error":{"code":-32603,"message":"Internal error"}}"#
                ),
            ]
        );

        // A client that stopped reading: the output is dropped, not retried on every frame.
        recorder.fail.store(true, Ordering::Release);
        assert!(!outbox.send(b"lost"));
        assert!(outbox.reserve().is_none());
        recorder.fail.store(false, Ordering::Release);
        assert!(!outbox.send(b"after"));
        assert_eq!(recorder.frames.lock().unwrap().len(), 3);

        // Reconnected (a new session), it writes again; disconnected, it drops.
        outbox.connect(Box::new(recorder.clone()));
        assert!(outbox.send(b"again"));
        outbox.disconnect();
        assert!(!outbox.send(b"gone"));
        assert_eq!(recorder.frames.lock().unwrap().len(), 4);
    }

    #[test]
    fn splitter_waits_for_whole_frames() {
        let mut splitter = FrameSplitter::default();
        let both = format!("{}{}", framed("first"), framed("second"));
        let (a, b) = both.split_at(10);
        splitter.push(a.as_bytes());
        assert_eq!(splitter.next_frame(), None);
        splitter.push(b.as_bytes());
        assert_eq!(splitter.next_frame(), Some(framed("first").into_bytes()));
        assert_eq!(splitter.next_frame(), Some(framed("second").into_bytes()));
        assert!(splitter.is_empty());
    }

    fn rejected(body: &str) -> (Id, i64) {
        match validate(body.as_bytes()) {
            Verdict::Reject(id, error) => (id, error.code.code()),
            other => panic!("{body} was not rejected: {other:?}"),
        }
    }

    #[test]
    fn direct_notifications_are_exactly_notifications_of_their_method() {
        let take = |body: &str| direct_notification::<Vec<u32>>(body.as_bytes(), "m/x");
        assert_eq!(
            take(r#"{"jsonrpc":"2.0","method":"m/x","params":[1,2]}"#),
            Some(vec![1, 2])
        );
        assert_eq!(
            take(r#"{"params":[3],"method":"m/x","jsonrpc":"2.0"}"#),
            Some(vec![3])
        );
        for other in [
            r#"{"jsonrpc":"2.0","id":1,"method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"1.0","method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","method":"m/y","params":[1],"x":"m/x"}"#,
            r#"{"jsonrpc":"2.0","method":"m/x","params":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"m/x"}"#,
            r#"{"jsonrpc":"2.0","method":"m/x","method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","method":"m/x","params":[1]"#,
        ] {
            assert_eq!(take(other), None, "{other}");
        }
    }

    #[test]
    fn direct_requests_are_exactly_requests_of_their_method() {
        let take = |body: &str| direct_request::<Vec<u32>>(body.as_bytes(), "m/x");
        assert_eq!(
            take(r#"{"jsonrpc":"2.0","id":7,"method":"m/x","params":[1,2]}"#),
            Some((Id::Number(7), vec![1, 2]))
        );
        assert_eq!(
            take(r#"{"params":[3],"method":"m/x","id":"a","jsonrpc":"2.0"}"#),
            Some((Id::String("a".to_owned()), vec![3]))
        );
        for other in [
            r#"{"jsonrpc":"2.0","method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"m/x","params":[1]}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m/y","params":[1],"x":"m/x"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m/x","params":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m/x"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":null,"method":"m/x","params":[1]}"#,
        ] {
            assert_eq!(take(other), None, "{other}");
        }
    }

    #[test]
    fn validation() {
        let forward = Verdict::Forward;
        assert_eq!(
            validate(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#),
            forward(Kind::Request { shutdown: false })
        );
        assert_eq!(
            validate(br#"{"jsonrpc":"2.0","method":"exit"}"#),
            forward(Kind::Notification { exit: true })
        );
        assert_eq!(
            validate(br#"{"jsonrpc":"2.0","id":"a","method":"shutdown"}"#),
            forward(Kind::Request { shutdown: true })
        );
        assert_eq!(
            validate(br#"{"jsonrpc":"2.0","id":3,"result":null}"#),
            forward(Kind::Response)
        );
        assert!(matches!(
            validate(br#"{"jsonrpc":"2.0","id":3,"error":{"x":1}}"#),
            Verdict::Drop(_)
        ));

        assert_eq!(rejected("{nope"), (Id::Null, -32700));
        assert_eq!(rejected(""), (Id::Null, -32700));
        assert_eq!(rejected("\u{1}"), (Id::Null, -32700));
        assert_eq!(rejected("[1, 2]"), (Id::Null, -32600));
        assert_eq!(rejected(r#"{"hello":"world"}"#), (Id::Null, -32600));
        assert_eq!(
            rejected(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#),
            (Id::Number(7), -32600)
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":"q","method":5}"#),
            (Id::String("q".into()), -32600)
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
            (Id::Null, -32600)
        );
        assert_eq!(
            rejected(r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}"#),
            (Id::Null, -32600)
        );
        let invalid_utf8 = b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"\xff\"}";
        assert!(matches!(
            validate(invalid_utf8),
            Verdict::Reject(Id::Null, _)
        ));
    }
}
