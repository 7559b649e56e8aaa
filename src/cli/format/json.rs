//! The JSON format: one document per run, schema version 1 (documented in [`crate::cli`], the
//! public face of the command).

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::lines::{LineColumn, LineIndex};
use crate::cli::report::{Report, severity_name};

/// The schema version of the JSON output.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    files: Vec<File<'a>>,
    diagnostics: Vec<Diagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    dialect: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Diagnostic<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'static str,
    code: &'a str,
    message: &'a str,
    fixes: Vec<Fix<'a>>,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    safe: bool,
    edits: Vec<Edit<'a>>,
    /// The path the fix moves the file to, written as the file's own path is.
    #[serde(skip_serializing_if = "Option::is_none")]
    rename: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Edit<'a> {
    start: Position,
    end: Position,
    new_text: &'a str,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

impl From<LineColumn> for Position {
    fn from(position: LineColumn) -> Self {
        Self {
            line: position.line,
            column: position.column,
        }
    }
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    information: usize,
    hints: usize,
    fixed: usize,
}

pub fn emit(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let summary = report.summary();
    let mut diagnostics = Vec::new();
    for file in &report.files {
        let index = LineIndex::new(&file.text);
        for diagnostic in &file.diagnostics {
            let start = index.line_column(diagnostic.range.start);
            let end = index.line_column(diagnostic.range.end);
            let fixes = diagnostic
                .fixes
                .iter()
                .map(|fix| Fix {
                    title: &fix.title,
                    safe: fix.safe,
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| Edit {
                            start: index.line_column(edit.range.start).into(),
                            end: index.line_column(edit.range.end).into(),
                            new_text: &edit.new_text,
                        })
                        .collect(),
                    rename: fix.rename.as_deref().map(crate::discover::display_path),
                })
                .collect();
            diagnostics.push(Diagnostic {
                path: &file.path,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                severity: severity_name(diagnostic.severity),
                code: diagnostic.code,
                message: &diagnostic.message,
                fixes,
            });
        }
    }
    let document = Document {
        version: VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        files: report
            .files
            .iter()
            .map(|file| File {
                path: &file.path,
                dialect: file.dialect,
            })
            .collect(),
        diagnostics,
        summary: Summary {
            files: summary.files,
            errors: summary.errors,
            warnings: summary.warnings,
            information: summary.information,
            hints: summary.hints,
            fixed: report.fixed,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::format::test_support::sample;

    #[test]
    fn schema_version_1() {
        let mut out = Vec::new();
        emit(&sample(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["files"][0]["dialect"], "claude-agent");
        let first = &value["diagnostics"][0];
        assert_eq!(
            (
                &first["line"],
                &first["column"],
                &first["endLine"],
                &first["endColumn"]
            ),
            (&2.into(), &7.into(), &2.into(), &8.into()),
            "character columns: `é` is one column wide"
        );
        assert_eq!(first["severity"], "error");
        let fix = &value["diagnostics"][1]["fixes"][0];
        assert_eq!(fix["safe"], true);
        assert_eq!(fix["edits"][0]["start"]["line"], 3);
        assert_eq!(fix["edits"][0]["newText"], "model");
        assert_eq!(value["summary"]["errors"], 1);
        assert_eq!(value["summary"]["warnings"], 1);
    }
}
