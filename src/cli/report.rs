//! The result of a `check` run as plain data, shared by every output format.

use std::fmt;

use crate::analysis::{Diagnostic, Severity};

use super::lines::{LineColumn, LineIndex};

/// The checked files (sorted by path) with their diagnostics.
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
    /// Files whose safe fixes `--fix` wrote.
    pub fixed: usize,
}

/// One checked file.
#[derive(Debug)]
pub struct FileReport {
    /// The path as shown (forward slashes, as given on the command line or walked).
    pub path: String,
    /// The dialect it was checked as (`None` when it could not be read and no path rule names
    /// one).
    pub dialect: Option<&'static str>,
    /// The text the diagnostic ranges index into (after `--fix`, the fixed text). Empty when the
    /// file has no diagnostics: it is not needed then.
    pub text: String,
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// The 1-based start and end of each diagnostic (the end is exclusive: the character after
    /// the range).
    pub fn positions(&self) -> impl Iterator<Item = (&Diagnostic, LineColumn, LineColumn)> {
        let index = LineIndex::new(&self.text);
        self.diagnostics.iter().map(move |diagnostic| {
            let start = index.line_column(diagnostic.range.start);
            let end = index.line_column(diagnostic.range.end);
            (diagnostic, start, end)
        })
    }
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub information: usize,
    pub hints: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            files: self.files.len(),
            ..Summary::default()
        };
        for diagnostic in self.files.iter().flat_map(|file| &file.diagnostics) {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Information => summary.information += 1,
                Severity::Hint => summary.hints += 1,
            }
        }
        summary
    }
}

impl Summary {
    pub fn problems(self) -> usize {
        self.errors + self.warnings + self.information + self.hints
    }
}

/// `3 errors, 2 warnings in 14 files`, `no problems in 14 files`, `no agent files found`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.files == 0 {
            return f.write_str("no agent files found");
        }
        let files = plural(self.files, "file", "files");
        if self.problems() == 0 {
            return write!(f, "no problems in {files}");
        }
        let counts = [
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.information, "note", "notes"),
            (self.hints, "hint", "hints"),
        ];
        let parts: Vec<String> = counts
            .into_iter()
            .filter(|(count, ..)| *count > 0)
            .map(|(count, one, many)| plural(count, one, many))
            .collect();
        write!(f, "{} in {files}", parts.join(", "))
    }
}

pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The lowercase name of a severity as used by the JSON format (the LSP names).
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "information",
        Severity::Hint => "hint",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(files: usize, errors: usize, warnings: usize, information: usize) -> String {
        Summary {
            files,
            errors,
            warnings,
            information,
            hints: 0,
        }
        .to_string()
    }

    #[test]
    fn summary_pluralises() {
        assert_eq!(summary(14, 3, 2, 0), "3 errors, 2 warnings in 14 files");
        assert_eq!(summary(1, 1, 0, 0), "1 error in 1 file");
        assert_eq!(summary(2, 0, 1, 1), "1 warning, 1 note in 2 files");
        assert_eq!(summary(14, 0, 0, 0), "no problems in 14 files");
        assert_eq!(summary(1, 0, 0, 0), "no problems in 1 file");
        assert_eq!(summary(0, 0, 0, 0), "no agent files found");
    }
}
