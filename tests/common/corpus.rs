//! The reference corpus (`../shared/corpus`, beside the repository): where it is, and where each
//! file's tool would read it from.

use std::path::{Path, PathBuf};

/// `../shared` when it holds the corpus; `None` (with a note naming `test`) otherwise, except
/// under `CI=true`, where a missing corpus fails the test.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    shared_dir_holding("corpus/MANIFEST.tsv", test)
}

/// `../shared` when it holds `file` (a path inside it); `None` (with a note naming `test`)
/// otherwise, except under `CI=true`, where a missing file fails the test.
pub fn shared_dir_holding(file: &str, test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join(file).is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI=true but ../shared/{file} is missing beside the checkout"
    );
    eprintln!("note: ../shared/{file} not found; {test} not run");
    None
}

/// Where the file's tool reads it from: the corpus keeps repositories' own layouts (`agents/`,
/// `skills/<name>/`, `rules/`…), so each file is analysed at the path its tool would see.
pub fn tool_path(kind: &str, original: &Path) -> PathBuf {
    let file = original.file_name().unwrap().to_string_lossy().into_owned();
    let folder = original
        .parent()
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let project = Path::new("/project");
    match kind {
        "claude-agent" => project.join(".claude/agents").join(file),
        "claude-command" => project.join(".claude/commands").join(file),
        "claude-skill" => project.join(".claude/skills").join(folder).join(file),
        "copilot-agent" => project.join(".github/agents").join(file),
        "copilot-chatmode" => project.join(".github/chatmodes").join(file),
        "copilot-prompt" => project.join(".github/prompts").join(file),
        "copilot-instructions" => project.join(".github/instructions").join(file),
        "cursor-rule" => project.join(".cursor/rules").join(file),
        "opencode-agent" => project.join(".opencode/agent").join(folder).join(file),
        other => panic!("unknown MANIFEST kind {other}"),
    }
}
