//! The SARIF 2.1.0 format, for GitHub code scanning and other dashboards.
//!
//! One run; `tool.driver.rules` lists the rule codes that occur, sorted, with a short
//! description derived from the code; each result has `ruleId`, `ruleIndex`, `level` (`error`,
//! `warning`, or `note` for information and hints), `message.text` and one physical location
//! (the path as reported, as a relative URI reference against `%SRCROOT%`, or a `file://` URI for
//! absolute paths). `run.columnKind` is `unicodeCodePoints`: columns count characters, as in
//! every other `check` format.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::analysis::Severity;
use crate::cli::report::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The package's homepage, else its crates.io page.
fn information_uri() -> &'static str {
    match env!("CARGO_PKG_HOMEPAGE") {
        "" => concat!("https://crates.io/crates/", env!("CARGO_PKG_NAME")),
        homepage => homepage,
    }
}

pub fn emit(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Rule codes in order, each with the level of its first occurrence.
    let mut rules: BTreeMap<&str, &str> = BTreeMap::new();
    for diagnostic in report.files.iter().flat_map(|file| &file.diagnostics) {
        rules
            .entry(diagnostic.code)
            .or_insert_with(|| level(diagnostic.severity));
    }
    let rule_index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(index, code)| (*code, index))
        .collect();
    let mut results = Vec::new();
    for file in &report.files {
        let uri = uri(&file.path);
        for (diagnostic, start, end) in file.positions() {
            let mut text = diagnostic.message.clone();
            if let Some(fix) = diagnostic.fixes.first() {
                text.push_str("\nhelp: ");
                text.push_str(&fix.title);
            }
            let mut location = json!({
                "uri": uri,
            });
            if !file.path.starts_with('/') {
                location["uriBaseId"] = json!("%SRCROOT%");
            }
            results.push(json!({
                "ruleId": diagnostic.code,
                "ruleIndex": rule_index[diagnostic.code],
                "level": level(diagnostic.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {
                            "startLine": start.line,
                            "startColumn": start.column,
                            "endLine": end.line,
                            "endColumn": end.column,
                        }
                    }
                }]
            }));
        }
    }
    let rules: Vec<Value> = rules
        .iter()
        .map(|(code, level)| {
            json!({
                "id": code,
                "name": code,
                "shortDescription": { "text": describe(code) },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": information_uri(),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// `unknown-field` → `Unknown field`.
fn describe(code: &str) -> String {
    let text = code.replace('-', " ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A URI reference for a reported path: percent-encoded, `file://` for absolute paths.
fn uri(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::format::test_support::sample;

    #[test]
    fn sarif_2_1_0_shape() {
        let mut out = Vec::new();
        emit(&sample(), &mut out).unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["version"], "2.1.0");
        let run = &value["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "agentls");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules[0]["id"], "name-convention");
        assert_eq!(rules[1]["shortDescription"]["text"], "Unknown field");
        let result = &run["results"][1];
        assert_eq!(result["ruleId"], "unknown-field");
        assert_eq!(result["ruleIndex"], 1);
        assert_eq!(result["level"], "warning");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "a%20dir/.claude/agents/x.md"
        );
        assert_eq!(location["region"]["startLine"], 3);
        assert_eq!(location["region"]["endColumn"], 6);
    }

    #[test]
    fn uris() {
        assert_eq!(uri("../a b/é.md"), "../a%20b/%C3%A9.md");
        assert_eq!(uri("/tmp/x.md"), "file:///tmp/x.md");
    }
}
