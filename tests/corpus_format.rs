//! Formatting every file of `shared/corpus`: for each one formatted, the frontmatter loads to the
//! same values (checked here with the loader directly, independently of the formatter's own
//! check), the body is byte for byte the same, a second format changes nothing, and no error
//! diagnostic appears.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use agentls::analysis::{Analysis, Formatting, Severity, TextEdit, apply_edits};
use agentls::loader::{self, Value};
use agentls::schema::{LoaderKind, Registry};
use agentls::syntax::split_str;
use common::corpus::{shared_dir, tool_path};

/// The top-level values the dialect's tool loads from `text`'s frontmatter, sorted by key.
fn loaded_fields(text: &str, loader_kind: LoaderKind) -> Option<Vec<(String, Value)>> {
    let split = split_str(text);
    let block = split.frontmatter?;
    let mut loaded = loader::load_claude_code(&text[block.content.as_range()]);
    if loader_kind == LoaderKind::Strict {
        loaded = loaded.without_fallback();
    }
    let mut fields = loaded.fields;
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    Some(fields)
}

/// Error codes and how often each occurs.
fn errors(analysis: &Analysis) -> BTreeMap<&'static str, usize> {
    let mut errors = BTreeMap::new();
    for diagnostic in analysis.diagnostics() {
        if diagnostic.severity == Severity::Error {
            *errors.entry(diagnostic.code).or_default() += 1;
        }
    }
    errors
}

#[derive(Default, Debug)]
struct Tally {
    formatted: usize,
    unchanged: usize,
    refused: BTreeMap<String, usize>,
}

/// Formats `text` at `path`, checks every guarantee, and counts what happened.
fn check(path: &Path, text: &str, tally: &mut Tally, failures: &mut Vec<String>) {
    let analysis = Analysis::from_text(Some(path), text);
    let Some(dialect) = analysis.dialect() else {
        failures.push(format!("{}: no dialect", path.display()));
        return;
    };
    let loader_kind = Registry::get().by_id(dialect).unwrap().loader;
    let edits = match analysis.formatting() {
        Formatting::Edits(edits) => edits,
        Formatting::Unchanged => {
            tally.unchanged += 1;
            return;
        }
        Formatting::Refused(refusal) => {
            *tally.refused.entry(format!("{refusal:?}")).or_default() += 1;
            return;
        }
    };
    tally.formatted += 1;
    let mut refs: Vec<&TextEdit> = edits.iter().collect();
    let Some(formatted) = apply_edits(text, &mut refs) else {
        failures.push(format!("{}: edits that change nothing", path.display()));
        return;
    };
    let after = Analysis::from_text(Some(path), &formatted);
    let mut problems = Vec::new();
    if loaded_fields(text, loader_kind) != loaded_fields(&formatted, loader_kind) {
        problems.push("the loaded values differ".to_owned());
    }
    let body = &text[analysis.frontmatter_text().len()..];
    if body != &formatted[after.frontmatter_text().len()..] {
        problems.push("the body changed".to_owned());
    }
    if after.format().is_some() {
        problems.push("formatting again changes the text".to_owned());
    }
    let (before_errors, after_errors) = (errors(&analysis), errors(&after));
    for (code, count) in &after_errors {
        if before_errors.get(code).copied().unwrap_or(0) < *count {
            problems.push(format!("a new `{code}` error"));
        }
    }
    if !problems.is_empty() {
        failures.push(format!(
            "{}: {}\n--- before\n{}\n--- after\n{}",
            path.display(),
            problems.join(", "),
            analysis.frontmatter_text(),
            after.frontmatter_text()
        ));
    }
}

#[test]
fn every_corpus_file_formats_safely() {
    let Some(shared) = shared_dir("formatting corpus test") else {
        return;
    };
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap();
    let mut own = Tally::default();
    let mut as_agent = Tally::default();
    let mut failures = Vec::new();
    let mut files = 0;
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (kind, corpus_path) = (columns[0], columns[1]);
        let bytes = std::fs::read(shared.join("..").join(corpus_path)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let original = Path::new(columns[4]);
        check(&tool_path(kind, original), &text, &mut own, &mut failures);
        // As a Claude Code subagent too: the quoting of what Claude Code's fallback rescues.
        let stem = original.file_stem().unwrap().to_string_lossy();
        let agent = Path::new("/project/.claude/agents").join(format!("{stem}.md"));
        check(&agent, &text, &mut as_agent, &mut failures);
        files += 1;
    }
    eprintln!("corpus formatting, own dialect: {own:?}");
    eprintln!("corpus formatting, as Claude Code agents: {as_agent:?}");
    assert_eq!(files, 1574);
    for tally in [&own, &as_agent] {
        // Not vacuous: most files with frontmatter out of shape get edits.
        assert!(tally.formatted > 500, "{tally:?}");
        // The formatter's own layout never fails its meaning check on real files: such a
        // refusal would be a formatter bug caught late, not a problem of the file.
        assert!(!tally.refused.contains_key("MeaningChanged"), "{tally:?}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
