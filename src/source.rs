//! Reading one agent file from disk (for `check` and the workspace index): size cap, UTF-8
//! validation and binary detection.
//!
//! Every failure becomes a value ([`Source`]), so that the run goes on and the file gets a
//! diagnostic of its own instead of aborting the check.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::analysis::{Diagnostic, Severity};
use crate::text::TextRange;

/// Files larger than this are reported without being read.
pub const SIZE_CAP: u64 = 64 * 1024 * 1024;

/// What reading a file gave.
#[derive(Debug)]
pub enum Source {
    Text(String),
    /// Not valid UTF-8; `prefix` is the valid part before the first bad byte.
    NotUtf8 {
        prefix: String,
    },
    /// Valid UTF-8 with a NUL byte: a binary file.
    Binary {
        nul_at: usize,
        text: String,
    },
    TooLarge {
        len: u64,
    },
    Unreadable(io::Error),
}

impl Source {
    pub fn read(path: &Path) -> Self {
        match read_capped(path) {
            Ok(Ok(bytes)) => Self::from_bytes(bytes),
            Ok(Err(len)) => Self::TooLarge { len },
            Err(error) => Self::Unreadable(error),
        }
    }

    fn from_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => match text.find('\0') {
                Some(nul_at) => Self::Binary { nul_at, text },
                None => Self::Text(text),
            },
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let mut bytes = error.into_bytes();
                bytes.truncate(valid);
                // The prefix is valid by construction; the fallback never runs.
                let prefix = String::from_utf8(bytes).unwrap_or_default();
                Self::NotUtf8 { prefix }
            }
        }
    }

    /// The text diagnostics refer to, and the diagnostic for a file that could not be analysed
    /// (`None` for readable text).
    pub fn into_parts(self) -> (String, Option<Diagnostic>) {
        let error = |range: TextRange, code: &'static str, message: String| Diagnostic {
            range,
            severity: Severity::Error,
            code,
            message,
            fixes: Vec::new(),
        };
        match self {
            Self::Text(text) => (text, None),
            Self::NotUtf8 { prefix } => {
                let at = TextRange::empty(prefix.len());
                let message = format!(
                    "this file is not valid UTF-8 (byte {} is not part of a UTF-8 character); agent files must be UTF-8",
                    prefix.len()
                );
                (prefix, Some(error(at, "not-utf8", message)))
            }
            Self::Binary { nul_at, text } => {
                let message = format!(
                    "this looks like a binary file (a NUL byte at byte {nul_at}), not a Markdown agent file"
                );
                let at = TextRange::new(nul_at, nul_at + 1);
                (text, Some(error(at, "not-utf8", message)))
            }
            Self::TooLarge { len } => {
                let message = format!(
                    "this file is {len} bytes; agentls does not read files over {} MiB (and Claude Code skips agent files over 1 MiB)",
                    SIZE_CAP / (1024 * 1024)
                );
                (
                    String::new(),
                    Some(error(TextRange::empty(0), "file-too-large", message)),
                )
            }
            Self::Unreadable(io_error) => {
                let message = format!("cannot read this file: {io_error}");
                (
                    String::new(),
                    Some(error(TextRange::empty(0), "unreadable-file", message)),
                )
            }
        }
    }
}

/// The file's bytes, or `Err(len)` when it is over [`SIZE_CAP`] (checked on the metadata and
/// again while reading, for files that grow or lie about their size).
fn read_capped(path: &Path) -> io::Result<Result<Vec<u8>, u64>> {
    // Checked before opening: opening a FIFO would block.
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let len = metadata.len();
    if len > SIZE_CAP {
        return Ok(Err(len));
    }
    let file = File::open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(SIZE_CAP + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > SIZE_CAP {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(bytes: &[u8]) -> (String, Option<(&'static str, TextRange)>) {
        let (text, diagnostic) = Source::from_bytes(bytes.to_vec()).into_parts();
        (text, diagnostic.map(|d| (d.code, d.range)))
    }

    #[test]
    fn text_binary_and_invalid_utf8() {
        assert_eq!(parts(b"---\nname: a\n"), ("---\nname: a\n".into(), None));
        assert_eq!(
            parts(b"ab\0c"),
            ("ab\0c".into(), Some(("not-utf8", TextRange::new(2, 3))))
        );
        assert_eq!(
            parts(b"---\nn\xff\xfe"),
            ("---\nn".into(), Some(("not-utf8", TextRange::empty(5))))
        );
    }

    #[test]
    fn unreadable_and_missing_files() {
        let (text, diagnostic) = Source::read(Path::new("/nonexistent/agentls/x.md")).into_parts();
        assert_eq!(text, "");
        assert_eq!(diagnostic.unwrap().code, "unreadable-file");
        // A directory cannot be read as a file either.
        let (_, diagnostic) = Source::read(Path::new("/")).into_parts();
        assert_eq!(diagnostic.unwrap().code, "unreadable-file");
    }
}
