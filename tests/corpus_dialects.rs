//! Every dialect against its real-world files in `shared/corpus`: each file is detected as the
//! dialect its MANIFEST kind names (at the path its tool would read it from), no analysis panics,
//! and no file its tool loads intact gets an error-severity diagnostic.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use agentls::analysis::{Analysis, Severity};
use common::corpus::{shared_dir, tool_path};

/// Errors the corpus legitimately earns, each a judgement call:
const EXPECTED_ERRORS: &[(&str, &str, &str)] = &[
    // GitHub's custom-agent reference makes `description` required: the GitHub cloud agent does
    // not load an agent without one (VS Code is laxer). One corpus agent has none.
    (
        "copilot-agent",
        "missing-required-field",
        "declarative-agents-architect.agent.md",
    ),
    // `applyTo` must be a string of comma-separated globs; VS Code's validator reports a list as
    // a type error and the instructions are not applied automatically (the value is dropped).
    ("copilot-instructions", "invalid-value", "applyTo"),
];

#[test]
fn every_dialect_matches_its_tool_on_the_corpus() {
    let Some(shared) = shared_dir("dialect corpus test") else {
        return;
    };
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap();
    let mut misdetected = Vec::new();
    let mut errors: BTreeMap<(String, &'static str), Vec<String>> = BTreeMap::new();
    let mut files = 0;
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (kind, corpus_path) = (columns[0], columns[1]);
        // Claude agents are judged against Claude Code's own verdicts in tests/corpus.rs.
        if kind == "claude-agent" {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(shared.join("..").join(corpus_path)).unwrap();
        let path = tool_path(kind, Path::new(columns[4]));
        let analysis = Analysis::from_text(Some(&path), &text);
        if analysis.dialect() != Some(kind) {
            misdetected.push(format!(
                "{corpus_path}: detected {:?} at {}",
                analysis.dialect(),
                path.display()
            ));
            continue;
        }
        for diagnostic in analysis
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
        {
            errors
                .entry((kind.to_owned(), diagnostic.code))
                .or_default()
                .push(format!("{corpus_path}: {}", diagnostic.message));
        }
    }
    for ((kind, code), found) in &errors {
        eprintln!("{kind} {code}: {} file(s), e.g. {}", found.len(), found[0]);
    }
    errors.retain(|(kind, code), found| {
        found.retain(|message| {
            !EXPECTED_ERRORS
                .iter()
                .any(|(k, c, hint)| k == kind && c == code && message.contains(hint))
        });
        !found.is_empty()
    });
    assert!(
        misdetected.is_empty(),
        "{} misdetected:\n{}",
        misdetected.len(),
        misdetected.join("\n")
    );
    assert!(files > 1000, "expected the whole manifest, got {files}");
    assert!(
        errors.is_empty(),
        "errors on files their tools load: see above"
    );
}
