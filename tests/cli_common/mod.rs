//! Shared helpers for the `agentls check` integration tests: temporary trees and running the
//! binary.

#![allow(dead_code)] // Each test crate uses a different subset.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The result of one `agentls` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `agentls <args>` in `dir`, with colors and the terminal environment neutralised.
///
/// `AGENTLS_BIN` overrides the binary under test (e.g. to test an installed build).
pub fn agentls(dir: &Path, args: &[&str]) -> Run {
    let binary = std::env::var_os("AGENTLS_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_agentls")),
        PathBuf::from,
    );
    let output = Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .env_remove("AGENTLS_LOG")
        .output()
        .expect("the agentls binary runs");
    Run {
        code: output
            .status
            .code()
            .expect("agentls exits normally (no signal)"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A temporary directory filled with `files` (path, contents); removed when dropped.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, contents) in files {
        write(dir.path(), path, contents.as_bytes());
    }
    dir
}

pub fn write(root: &Path, path: &str, contents: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("folders");
    std::fs::write(path, contents).expect("a file");
}

pub fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).expect("a readable file")
}

/// A clean Claude Code subagent.
pub const GOOD: &str = "---\nname: reviewer\ndescription: Reviews code. Use after edits.\nmodel: sonnet\n---\nYou review code.\n";

/// A subagent with a warning that has a safe fix (`modle`) and an error without one (`magenta`).
pub const BROKEN: &str = "---\nname: writer\ndescription: Writes docs.\nmodle: sonnet\ncolor: magenta\n---\nYou write docs.\n";

/// A subagent whose only problem is a warning (a misspelt field) with a safe fix.
pub const WARNING_ONLY: &str =
    "---\nname: helper\ndescription: Helps.\nmodle: haiku\n---\nYou help.\n";

/// The modification time of `path` in `dir`.
pub fn modified(dir: &tempfile::TempDir, path: &str) -> std::time::SystemTime {
    std::fs::metadata(dir.path().join(path))
        .unwrap()
        .modified()
        .unwrap()
}

/// Moves a file's modification time an hour into the past, so that any rewrite shows.
pub fn age(dir: &tempfile::TempDir, path: &str) -> std::time::SystemTime {
    let file = std::fs::File::options()
        .write(true)
        .open(dir.path().join(path))
        .unwrap();
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    file.set_modified(past).unwrap();
    modified(dir, path)
}
