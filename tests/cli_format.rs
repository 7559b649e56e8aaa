//! `agentls format` and `agentls format --check`.

mod cli_common;

use cli_common::{GOOD, age, agentls, modified, read, tree};
use pretty_assertions::assert_eq;

/// Fields out of order, a value only Claude Code's fallback reads, a list indented by four,
/// and no blank line before the body.
const MESSY: &str = "---\nmodel: sonnet\nname: writer\ndescription: Writes docs: fast\ntools:\n    - Read\n    - Write\n---\nYou write docs.\n";
const FORMATTED: &str = "---\nname: writer\ndescription: \"Writes docs: fast\"\nmodel: sonnet\ntools:\n  - Read\n  - Write\n---\n\nYou write docs.\n";
/// A block Claude Code cannot load: formatting it could not be proven safe.
const INVALID: &str =
    "---\nmodel: x\nname: broken\ndescription: first line\n  continued: with colon\n---\nBody.\n";
/// The same already formatted (`GOOD` has no blank line before its body).
const GOOD_FORMATTED: &str = "---\nname: reviewer\ndescription: Reviews code. Use after edits.\nmodel: sonnet\n---\n\nYou review code.\n";

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let dir = tree(&[
        (".claude/agents/messy.md", MESSY),
        (".claude/agents/good.md", GOOD_FORMATTED),
        (".claude/agents/invalid.md", INVALID),
    ]);
    let mtime = age(&dir, ".claude/agents/messy.md");
    let run = agentls(dir.path(), &["format", "--check"]);
    assert_eq!(
        run.stdout,
        "would format .claude/agents/messy.md\n1 file would be formatted, 1 already formatted, 1 not formatted\n"
    );
    assert_eq!(
        run.stderr,
        "note: `.claude/agents/invalid.md` is not formatted: the frontmatter does not load: invalid YAML or not a mapping (`agentls check` shows where)\n"
    );
    assert_eq!(run.code, 1, "a file would change");
    assert_eq!(read(dir.path(), ".claude/agents/messy.md"), MESSY);
    assert_eq!(modified(&dir, ".claude/agents/messy.md"), mtime);

    // A formatted tree passes, whatever cannot be formatted.
    let clean = tree(&[
        (".claude/agents/good.md", GOOD_FORMATTED),
        (".claude/agents/invalid.md", INVALID),
    ]);
    let run = agentls(clean.path(), &["format", "--check"]);
    assert_eq!(
        run.stdout,
        "0 files would be formatted, 1 already formatted, 1 not formatted\n"
    );
    assert_eq!(run.code, 0);
}

#[test]
fn format_rewrites_in_place_and_is_idempotent() {
    let dir = tree(&[
        (".claude/agents/messy.md", MESSY),
        (".claude/agents/good.md", GOOD),
        (".claude/agents/invalid.md", INVALID),
        ("notes/plain.md", "# Not an agent\n"),
    ]);
    let invalid_mtime = age(&dir, ".claude/agents/invalid.md");
    let run = agentls(dir.path(), &["format"]);
    assert_eq!(
        run.stdout,
        "formatted .claude/agents/good.md\nformatted .claude/agents/messy.md\n2 files formatted, 1 not formatted\n"
    );
    assert_eq!(run.code, 0);
    assert_eq!(read(dir.path(), ".claude/agents/messy.md"), FORMATTED);
    assert_eq!(read(dir.path(), ".claude/agents/good.md"), GOOD_FORMATTED);
    // What cannot be proven safe is never touched.
    assert_eq!(read(dir.path(), ".claude/agents/invalid.md"), INVALID);
    assert_eq!(modified(&dir, ".claude/agents/invalid.md"), invalid_mtime);
    assert_eq!(read(dir.path(), "notes/plain.md"), "# Not an agent\n");

    // A second run changes nothing, not even a modification time.
    let mtime = age(&dir, ".claude/agents/messy.md");
    let again = agentls(dir.path(), &["format", ".claude/agents/messy.md"]);
    assert_eq!(
        (again.code, again.stdout.as_str()),
        (0, "0 files formatted, 1 already formatted\n")
    );
    assert_eq!(modified(&dir, ".claude/agents/messy.md"), mtime);
    // And `check` agrees the formatted file is clean.
    let check = agentls(dir.path(), &["check", ".claude/agents/messy.md"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn format_keeps_line_endings_and_the_byte_order_mark() {
    let crlf = format!("\u{feff}{}", MESSY.replace('\n', "\r\n"));
    let dir = tree(&[(".claude/agents/crlf.md", &crlf)]);
    let run = agentls(dir.path(), &["format"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        read(dir.path(), ".claude/agents/crlf.md"),
        format!("\u{feff}{}", FORMATTED.replace('\n', "\r\n"))
    );
}

#[test]
fn format_follows_the_check_conventions() {
    let dir = tree(&[
        (".claude/agents/messy.md", MESSY),
        ("vendor/.claude/agents/theirs.md", MESSY),
        (".agentls.yaml", "ignore:\n  - \"vendor/**\"\n"),
        ("prompts/p.md", MESSY),
        ("notes.md", "# Notes\n"),
    ]);
    // Ignored files are not walked; a named file is formatted, as `--dialect` says.
    let run = agentls(dir.path(), &["format", "--check", "."]);
    assert_eq!(
        run.stdout,
        "would format .claude/agents/messy.md\n1 file would be formatted\n"
    );
    let run = agentls(
        dir.path(),
        &[
            "format",
            "--check",
            "--dialect",
            "claude-agent",
            "prompts/p.md",
        ],
    );
    assert_eq!(
        run.stdout,
        "would format prompts/p.md\n1 file would be formatted\n"
    );
    // A named file that is no agent file gets a note; a missing path fails the run.
    let run = agentls(dir.path(), &["format", "notes.md"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .starts_with("note: `notes.md` is not formatted: "),
        "{}",
        run.stderr
    );
    let run = agentls(dir.path(), &["format", "missing.md"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    let run = agentls(dir.path(), &["format", "--dialect", "nonsense", "."]);
    assert_eq!(run.code, 2);
    assert_eq!(read(dir.path(), "vendor/.claude/agents/theirs.md"), MESSY);
}
