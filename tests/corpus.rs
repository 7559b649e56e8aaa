//! The real-world corpus against Claude Code's own verdicts (`shared/reference/claude-code-verdicts.tsv`).
//!
//! For every Claude Code subagent in `shared/corpus`: no panic; an error on every file Claude Code
//! did not load and on every value it dropped; no error on a file it loaded intact.

mod common;

use std::path::{Path, PathBuf};

use agentls::analysis::{Analysis, Severity};

/// `../shared` when it holds Claude Code's verdicts (see [`common::corpus::shared_dir_holding`]).
fn shared_dir() -> Option<PathBuf> {
    common::corpus::shared_dir_holding("reference/claude-code-verdicts.tsv", "corpus test")
}

struct Verdict {
    path: String,
    loaded: bool,
    drops: String,
}

fn verdicts(shared: &Path) -> Vec<Verdict> {
    let text = std::fs::read_to_string(shared.join("reference/claude-code-verdicts.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            Verdict {
                path: columns[0].to_owned(),
                loaded: columns[1] == "yes",
                drops: columns.get(4).copied().unwrap_or_default().to_owned(),
            }
        })
        .collect()
}

#[test]
fn claude_agents_match_claude_codes_verdicts() {
    let Some(shared) = shared_dir() else { return };
    let verdicts = verdicts(&shared);
    assert!(
        verdicts.len() > 400,
        "expected the whole verdict table, got {}",
        verdicts.len()
    );
    let mut failures = Vec::new();
    let (mut loaded_intact, mut rejected, mut with_drops) = (0, 0, 0);
    for verdict in &verdicts {
        let text = std::fs::read_to_string(shared.join("corpus").join(&verdict.path)).unwrap();
        // Claude Code judged each file as a project agent: analyse it at such a path.
        let file_name = Path::new(&verdict.path).file_name().unwrap();
        let virtual_path = Path::new("/project/.claude/agents").join(file_name);
        let analysis = Analysis::from_text(Some(&virtual_path), &text);
        let diagnostics = analysis.diagnostics();
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !verdict.loaded {
            rejected += 1;
            if errors.is_empty() {
                failures.push(format!(
                    "{}: Claude Code does not load it, but agentls reports no error",
                    verdict.path
                ));
            }
        } else if !verdict.drops.is_empty() {
            with_drops += 1;
            // e.g. "color: magenta (not one of the 8 lowercase names; ...)"
            let (key, rest) = verdict.drops.split_once(':').unwrap();
            let value = rest.split_whitespace().next().unwrap();
            let flagged = errors
                .iter()
                .any(|d| text[d.range.start..d.range.end].contains(value));
            if !flagged {
                failures.push(format!(
                    "{}: Claude Code drops `{key}: {value}`, agentls reports no error on it",
                    verdict.path
                ));
            }
        } else {
            loaded_intact += 1;
            for error in errors {
                failures.push(format!(
                    "{}: loaded intact by Claude Code, but agentls reports an error: {} {} at {:?}",
                    verdict.path, error.code, error.message, error.range
                ));
            }
        }
    }
    eprintln!(
        "corpus: {loaded_intact} loaded intact, {with_drops} with dropped values, {rejected} rejected"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every file the corpus manifest lists: its manifest path, its path on disk and its text (lossily
/// decoded: a few files are not UTF-8).
fn corpus_files(shared: &Path) -> impl Iterator<Item = (String, PathBuf, String)> {
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap();
    let root = shared.join("..");
    let paths: Vec<String> = manifest
        .lines()
        .skip(1)
        .map(|line| line.split('\t').nth(1).unwrap().to_owned())
        .collect();
    paths.into_iter().map(move |corpus_path| {
        let path = root.join(&corpus_path);
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        (corpus_path, path, text)
    })
}

/// Every corpus file of every kind analyses without panicking, at its own path and as a Claude agent.
#[test]
fn every_corpus_file_analyses_without_panic() {
    let Some(shared) = shared_dir() else { return };
    let mut count = 0;
    for (_, path, text) in corpus_files(&shared) {
        let as_agent = Path::new("/p/.claude/agents/x.md");
        for analysis in [
            Analysis::from_text(Some(&path), &text),
            Analysis::from_text(Some(as_agent), &text),
        ] {
            let _ = analysis.diagnostics();
            for offset in (0..text.len().min(600))
                .step_by(7)
                .filter(|o| text.is_char_boundary(*o))
            {
                let _ = analysis.completion(offset);
                let _ = analysis.hover(offset);
            }
        }
        count += 1;
    }
    assert_eq!(count, 1574);
}

/// Typing a character at the end of each frontmatter line of every corpus file, then deleting it:
/// the parser's incremental path (one entry re-parsed) gives the full parse's tree each time.
#[test]
fn typing_in_corpus_frontmatter_reparses_like_a_full_parse() {
    use agentls::syntax::{parse_frontmatter, reparse_frontmatter, split_str};
    let Some(shared) = shared_dir() else { return };
    let mut edits = 0;
    for (corpus_path, _, text) in corpus_files(&shared) {
        let Some(block) = split_str(&text).frontmatter else {
            continue;
        };
        let (base, content) = (block.content.start, &text[block.content.as_range()]);
        let tree = parse_frontmatter(content, base);
        let line_ends = content.match_indices('\n').map(|(at, _)| at);
        for at in line_ends.take(40) {
            let mut typed = content.to_owned();
            typed.insert(at, 'x');
            let typed_tree = reparse_frontmatter(&tree, content, &typed, base);
            assert_eq!(
                typed_tree,
                parse_frontmatter(&typed, base),
                "{corpus_path}: x at {at}"
            );
            let deleted = reparse_frontmatter(&typed_tree, &typed, content, base);
            assert_eq!(deleted, tree, "{corpus_path}: x deleted at {at}");
            edits += 2;
        }
    }
    assert!(edits > 10_000, "only {edits} edits");
}
