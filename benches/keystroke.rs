//! Per-keystroke cost as the server pays it: apply one incremental LSP edit to the stored rope
//! (position conversion included), re-analyse the new snapshot, compute its diagnostics.

use std::hint::black_box;

use agentls::line_index::PositionEncoding;
use agentls::server::DocumentStore;
use criterion::{Criterion, criterion_group, criterion_main};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

const SEED: &str = include_str!("../tests/fixtures/rust-backend-expert.md");

/// A document open in a store, and a place in it to type at.
struct Typing {
    store: DocumentStore,
    uri: Uri,
    version: i32,
    at: Position,
}

impl Typing {
    fn new(name: &str, text: &str, at: Position) -> Self {
        Self::at_path(&format!("/project/.claude/agents/{name}.md"), text, at)
    }

    fn at_path(path: &str, text: &str, at: Position) -> Self {
        let store = DocumentStore::default();
        let uri: Uri = format!("file://{path}").parse().unwrap();
        store.open(uri.clone(), 0, text);
        Self {
            store,
            uri,
            version: 0,
            at,
        }
    }

    /// One keystroke: type `x` at the cursor (or delete it again, every other call, so the
    /// document does not grow across iterations).
    fn keystroke(&mut self) -> usize {
        self.version += 1;
        let insert = self.version % 2 == 1;
        let end = Position::new(self.at.line, self.at.character + u32::from(!insert));
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(self.at, end)),
            range_length: None,
            text: if insert {
                "x".to_owned()
            } else {
                String::new()
            },
        };
        let outcome =
            self.store
                .change(&self.uri, self.version, &[change], PositionEncoding::Utf16);
        black_box(outcome);
        let document = self.store.get(&self.uri).unwrap();
        black_box(document.analysis.diagnostics()).len()
    }
}

fn position_of(text: &str, needle: &str) -> Position {
    let offset = text.find(needle).unwrap();
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    Position::new(line as u32, column as u32)
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("keystroke");

    let mut seed = Typing::new("seed", SEED, position_of(SEED, "yellow"));
    group.bench_function("seed: frontmatter", |b| b.iter(|| seed.keystroke()));

    let mut seed_description = Typing::new("seed", SEED, position_of(SEED, "or optimize Rust"));
    group.bench_function("seed: description", |b| {
        b.iter(|| seed_description.keystroke())
    });

    let mut seed_body = Typing::new("seed", SEED, position_of(SEED, "Your expertise"));
    group.bench_function("seed: body", |b| b.iter(|| seed_body.keystroke()));

    // A slash command: its dialect has body syntax, so the whole (6 KB) text is kept and the body
    // scanned for arguments, inline shell and file references on every keystroke.
    let command = SEED.replacen("name: rust-backend-expert\n", "", 1);
    let at = position_of(&command, "Your expertise");
    let mut command = Typing::at_path("/project/.claude/commands/expert.md", &command, at);
    group.bench_function("command: body", |b| b.iter(|| command.keystroke()));

    // 5 MB: the seed with its body repeated; the keystroke lands in the middle of the body.
    let body_start = SEED.find("\n---\n").unwrap() + 5;
    let mut big = String::from(SEED);
    while big.len() < 5_000_000 {
        big.push_str(&SEED[body_start..]);
    }
    let middle = big.len() / 2;
    let line = big[..middle].matches('\n').count() as u32;
    let mut big = Typing::new("big", &big, Position::new(line, 0));
    group.bench_function("5 MB: body", |b| b.iter(|| big.keystroke()));
    group.finish();
}

criterion_group!(keystrokes, benches);
criterion_main!(keystrokes);
