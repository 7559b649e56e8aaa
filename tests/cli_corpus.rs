//! `agentls check` on the shared corpus of real agent-definition files (`../shared/corpus`):
//! every file is found and classified as the kind its manifest names, in the repositories' own
//! layouts (collections' `agents/`, plugin marketplaces' `plugins/<name>/commands/`, skill
//! folders, bare `rules/*.mdc`), nothing else is checked, and the run does not panic.
//!
//! `MANIFEST.tsv` gives each file's kind. The test prints the confusion matrix (kind × dialect
//! found) and fails on any miss. Without `../shared` it is skipped with a note, unless `CI=true`,
//! where a missing corpus is a failure.

mod cli_common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cli_common::agentls;

#[test]
fn corpus_classification_and_run() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = manifest_dir.join("../shared/corpus");
    let manifest = corpus.join("MANIFEST.tsv");
    if !manifest.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the shared corpus is missing at {} (required on CI)",
            corpus.display()
        );
        println!("note: {} is absent; corpus test skipped", corpus.display());
        return;
    }

    // kind by displayed path (`../shared/corpus/…`, as the run reports it).
    let manifest = std::fs::read_to_string(&manifest).unwrap();
    let kinds: BTreeMap<String, String> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let kind = columns.next()?;
            let path = columns.next()?;
            Some((format!("../{path}"), kind.to_owned()))
        })
        .collect();
    assert!(kinds.len() > 1000, "the manifest lists the corpus");

    let run = agentls(
        manifest_dir,
        &["check", "--format", "json", "../shared/corpus"],
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.code == 0 || run.code == 1,
        "exit code {}: {}",
        run.code,
        run.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    let found: BTreeMap<&str, &str> = files
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap(),
                file["dialect"].as_str().unwrap_or("(none)"),
            )
        })
        .collect();

    // Confusion matrix: manifest kind × dialect found (`-` = not checked).
    let mut matrix: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for (path, kind) in &kinds {
        let dialect = found.get(path.as_str()).copied().unwrap_or("-");
        *matrix.entry((kind.as_str(), dialect)).or_default() += 1;
        if dialect != kind {
            misses.push(format!("{path}: {kind} checked as {dialect}"));
        }
    }
    let unexpected: Vec<&&str> = found
        .keys()
        .filter(|path| !kinds.contains_key(**path))
        .collect();
    println!("{:<22} {:<14} files", "kind", "found as");
    for ((kind, dialect), count) in &matrix {
        println!("{kind:<22} {dialect:<14} {count}");
    }
    assert!(misses.is_empty(), "misclassified:\n{}", misses.join("\n"));
    assert!(
        unexpected.is_empty(),
        "checked files outside the manifest: {unexpected:?}"
    );

    // Every file accounted for: the summary counts exactly the files found, once each.
    let unique: BTreeSet<&str> = found.keys().copied().collect();
    assert_eq!(unique.len(), files.len(), "no file is reported twice");
    assert_eq!(report["summary"]["files"], files.len());
    assert_eq!(files.len(), kinds.len(), "every manifest file is checked");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .all(|d| found.contains_key(d["path"].as_str().unwrap())),
        "diagnostics are only reported on checked files"
    );
    // The displaced (indented) frontmatter of this collection agent is reported, not skipped.
    assert!(
        diagnostics.iter().any(|d| d["path"]
            .as_str()
            .unwrap()
            .ends_with("0xfurai__claude-code-subagents/agents/sqs-expert.md")),
        "sqs-expert.md's broken frontmatter is reported"
    );
}

#[test]
fn corpus_human_output_runs_in_every_format() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !manifest_dir.join("../shared/corpus/MANIFEST.tsv").is_file() {
        println!("note: ../shared/corpus is absent; skipped (the other corpus test covers CI)");
        return;
    }
    for format in ["human", "github", "sarif"] {
        let run = agentls(
            manifest_dir,
            &[
                "check",
                "--format",
                format,
                "--color",
                "always",
                "../shared/corpus",
            ],
        );
        assert!(run.code == 0 || run.code == 1, "{format}: {}", run.stderr);
        assert!(!run.stdout.is_empty(), "{format} prints something");
    }
}
