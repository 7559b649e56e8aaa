//! `--fix` and `--diff`: applying safe quick fixes until nothing changes, writing atomically, and
//! showing the change as a unified diff.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use similar::TextDiff;

use crate::analysis::{Diagnostic, apply_safe_fixes};

/// At most this many rounds of fixes (edits that overlap one already taken wait for the next).
const MAX_ROUNDS: usize = 10;

/// Applies safe fixes to `text` until none is left (or [`MAX_ROUNDS`]). `analyze` gives the
/// diagnostics of a text. Returns `None` when nothing changes.
pub fn fix_text(text: &str, analyze: impl Fn(&str) -> Vec<Diagnostic>) -> Option<String> {
    let mut current: Option<String> = None;
    for _ in 0..MAX_ROUNDS {
        let source = current.as_deref().unwrap_or(text);
        match apply_safe_fixes(source, &analyze(source)) {
            Some(fixed) => current = Some(fixed),
            None => break,
        }
    }
    current.filter(|fixed| fixed != text)
}

/// Replaces the file at `path` with `contents` atomically: a temporary file in the same folder,
/// with the original's permissions, renamed over it. A symlink is followed, not replaced.
pub fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let permissions = fs::metadata(&target)?.permissions();
    let folder = target
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the file has no folder"))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".agentls-fix-")
        .tempfile_in(folder)?;
    temporary.write_all(contents.as_bytes())?;
    temporary.as_file().sync_all()?;
    fs::set_permissions(temporary.path(), permissions)?;
    temporary.persist(&target).map_err(|error| error.error)?;
    Ok(())
}

/// A unified diff of one file (`--- a/path`, `+++ b/path`, three lines of context).
pub fn unified_diff(display: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .missing_newline_hint(true)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;

    fn analyze(text: &str) -> Vec<Diagnostic> {
        Analysis::with_dialect("claude-agent", false, text.len(), std::iter::once(text))
            .map(|analysis| analysis.diagnostics())
            .unwrap_or_default()
    }

    #[test]
    fn fixes_until_stable() {
        let text = "---\nname: a\ndescription: Use it: now\nmodle: sonnet\n---\nBody\n";
        let fixed = fix_text(text, analyze).unwrap();
        assert_eq!(
            fixed,
            "---\nname: a\ndescription: \"Use it: now\"\nmodel: sonnet\n---\nBody\n"
        );
        assert_eq!(fix_text(&fixed, analyze), None);
    }

    #[test]
    fn diff_shows_the_change() {
        let diff = unified_diff("a.md", "x\nmodle: 1\n", "x\nmodel: 1\n");
        assert_eq!(
            diff,
            "--- a/a.md\n+++ b/a.md\n@@ -1,2 +1,2 @@\n x\n-modle: 1\n+model: 1\n"
        );
    }

    #[test]
    fn atomic_write_keeps_permissions() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("a.md");
        fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let leftovers = fs::read_dir(folder.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
