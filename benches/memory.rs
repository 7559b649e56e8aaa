//! Resident memory of 1 000 open seed-sized documents (rope + analysis snapshot each), measured
//! from `/proc/self/status` (Linux). Run with `cargo bench --bench memory`.

use agentls::server::DocumentStore;
use tower_lsp_server::ls_types::Uri;

const SEED: &str = include_str!("../tests/fixtures/rust-backend-expert.md");
const DOCUMENTS: usize = 1_000;

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter this harness ignores.
    let store = DocumentStore::default();
    let before = resident_kib();
    for index in 0..DOCUMENTS {
        let uri: Uri = format!("file:///project/.claude/agents/agent-{index}.md")
            .parse()
            .unwrap();
        // Each document differs a little, as real ones do.
        let text = SEED.replacen("rust-backend-expert", &format!("agent-{index}"), 1);
        let document = store.open(uri, 1, &text);
        assert!(!document.analysis.diagnostics().is_empty());
    }
    let after = resident_kib();
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "memory: {DOCUMENTS} open seed-sized documents: resident {:.1} MB in total ({:.1} MB for the documents, {:.1} KB each)",
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 / 1024.0,
            after.saturating_sub(before) as f64 / DOCUMENTS as f64
        ),
        _ => println!("memory: /proc/self/status is not available on this platform"),
    }
}
