//! `agentls check --fix` and `--diff`.

mod cli_common;

use cli_common::{BROKEN, GOOD, age, agentls, modified, read, tree};
use pretty_assertions::assert_eq;

const FIXED: &str = "---\nname: writer\ndescription: Writes docs.\nmodel: sonnet\ncolor: magenta\n---\nYou write docs.\n";

#[test]
fn fix_applies_safe_fixes_and_reports_what_is_left() {
    let dir = tree(&[
        (".claude/agents/broken.md", BROKEN),
        (".claude/agents/good.md", GOOD),
    ]);
    let good_mtime = age(&dir, ".claude/agents/good.md");

    let run = agentls(dir.path(), &["check", "--fix", "--color", "never"]);
    assert_eq!(read(dir.path(), ".claude/agents/broken.md"), FIXED);
    // The error without a safe fix remains, and is reported.
    let expected = "\
error[invalid-value]: `magenta` is not a valid `color`: use one of `red`, `blue`, `green`, `yellow`, `purple`, `orange`, `pink`, `cyan` (names are case-sensitive; hex colors are not supported); Claude Code ignores this value
 --> .claude/agents/broken.md:5:8
  |
5 | color: magenta
  |        ^^^^^^^

fixed 1 file
1 error in 2 files
";
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, 1);
    assert_eq!(
        modified(&dir, ".claude/agents/good.md"),
        good_mtime,
        "a file with nothing to fix is not touched"
    );

    // Idempotent: a second run changes nothing, not even the modification time.
    let fixed_mtime = age(&dir, ".claude/agents/broken.md");
    let again = agentls(dir.path(), &["check", "--fix", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(value["summary"]["fixed"], 0);
    assert_eq!(read(dir.path(), ".claude/agents/broken.md"), FIXED);
    assert_eq!(modified(&dir, ".claude/agents/broken.md"), fixed_mtime);
}

#[test]
fn fix_keeps_permissions_and_leaves_no_temporary_files() {
    let dir = tree(&[(".claude/agents/broken.md", BROKEN)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join(".claude/agents/broken.md");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    agentls(dir.path(), &["check", "--fix"]);
    let entries: Vec<String> = std::fs::read_dir(dir.path().join(".claude/agents"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["broken.md"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = std::fs::metadata(dir.path().join(".claude/agents/broken.md")).unwrap();
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let dir = tree(&[
        (".claude/agents/broken.md", BROKEN),
        (".claude/agents/good.md", GOOD),
    ]);
    let mtime = age(&dir, ".claude/agents/broken.md");
    let run = agentls(dir.path(), &["check", "--diff"]);
    let expected = "\
--- a/.claude/agents/broken.md
+++ b/.claude/agents/broken.md
@@ -1,7 +1,7 @@
 ---
 name: writer
 description: Writes docs.
-modle: sonnet
+model: sonnet
 color: magenta
 ---
 You write docs.
";
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, 1, "a file would change");
    assert_eq!(read(dir.path(), ".claude/agents/broken.md"), BROKEN);
    assert_eq!(modified(&dir, ".claude/agents/broken.md"), mtime);

    let clean = tree(&[(".claude/agents/good.md", GOOD)]);
    let run = agentls(clean.path(), &["check", "--diff"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}

#[test]
fn fix_handles_crlf_files() {
    let crlf = BROKEN.replace('\n', "\r\n");
    let dir = tree(&[(".claude/agents/broken.md", &crlf)]);
    agentls(dir.path(), &["check", "--fix"]);
    assert_eq!(
        read(dir.path(), ".claude/agents/broken.md"),
        FIXED.replace('\n', "\r\n")
    );
}
