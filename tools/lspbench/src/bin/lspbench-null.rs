//! The do-nothing baseline server: the protocol's own round trip, with no analysis at all.
//!
//! It answers `initialize` with incremental sync, completion and hover capabilities, answers
//! every other request with `null`, publishes an empty `publishDiagnostics` carrying the
//! version for each `didOpen`/`didChange`, and exits on `exit` or at the end of its input.

use std::io::{self, BufWriter};

use anyhow::Result;
use serde_json::{Value, json};

use lspbench::rpc::{read_message, write_message};

fn initialize_result(params: &Value) -> Value {
    let offered = params["capabilities"]["general"]["positionEncodings"].as_array();
    let utf8 = offered.is_some_and(|kinds| kinds.iter().any(|kind| kind == "utf-8"));
    json!({
        "capabilities": {
            "positionEncoding": if utf8 { "utf-8" } else { "utf-16" },
            "textDocumentSync": {"openClose": true, "change": 2},
            "completionProvider": {},
            "hoverProvider": true,
        },
        "serverInfo": {"name": "lspbench-null"},
    })
}

fn main() -> Result<()> {
    let mut input = io::stdin().lock();
    let mut output = BufWriter::new(io::stdout().lock());
    while let Some(message) = read_message(&mut input)? {
        let method = message["method"].as_str().unwrap_or_default();
        let reply = match (message.get("id"), method) {
            (Some(id), "initialize") => {
                json!({"jsonrpc": "2.0", "id": id, "result": initialize_result(&message["params"])})
            }
            (Some(id), _) => json!({"jsonrpc": "2.0", "id": id, "result": null}),
            (None, "textDocument/didOpen" | "textDocument/didChange") => {
                let document = &message["params"]["textDocument"];
                json!({
                    "jsonrpc": "2.0",
                    "method": "textDocument/publishDiagnostics",
                    "params": {"uri": document["uri"], "version": document["version"], "diagnostics": []},
                })
            }
            (None, "exit") => break,
            _ => continue,
        };
        write_message(&mut output, &reply)?;
    }
    Ok(())
}
