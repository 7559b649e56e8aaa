//! Output formats of `agentls check`: one module per format, each a function from a [`Report`]
//! to text.

mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use super::report::Report;

/// How `check` prints its findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets, rustc style, and a one-line summary.
    #[default]
    Human,
    /// One JSON document (schema version 1, documented in the `agentls::cli` module).
    Json,
    /// GitHub Actions workflow commands (`::error file=…::message`).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Writes `report` in `format`. `color` only affects the human format.
pub fn emit(format: Format, report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::emit(report, color, out),
        Format::Json => json::emit(report, out),
        Format::Github => github::emit(report, out),
        Format::Sarif => sarif::emit(report, out),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::analysis::{Diagnostic, Fix, Severity, TextEdit};
    use crate::cli::report::{FileReport, Report};
    use crate::text::TextRange;

    /// A report with one file, one warning with a safe fix, and one error without fixes.
    pub fn sample() -> Report {
        let text = "---\nname: é\nmodle: sonnet\n---\n".to_owned();
        let modle = text.find("modle").unwrap();
        let name_value = text.find('é').unwrap();
        Report {
            files: vec![FileReport {
                path: "a dir/.claude/agents/x.md".into(),
                dialect: Some("claude-agent"),
                text,
                diagnostics: vec![
                    Diagnostic {
                        range: TextRange::new(name_value, name_value + 2),
                        severity: Severity::Error,
                        code: "name-convention",
                        message: "bad, very: bad\n100%".into(),
                        fixes: Vec::new(),
                    },
                    Diagnostic {
                        range: TextRange::new(modle, modle + 5),
                        severity: Severity::Warning,
                        code: "unknown-field",
                        message: "unknown field `modle`".into(),
                        fixes: vec![Fix {
                            title: "rename to `model`".into(),
                            edits: vec![TextEdit {
                                range: TextRange::new(modle, modle + 5),
                                new_text: "model".into(),
                            }],
                            safe: true,
                            rename: None,
                        }],
                    },
                ],
            }],
            fixed: 0,
        }
    }
}
