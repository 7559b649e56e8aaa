//! The human format: rustc-style annotated snippets (`annotate-snippets`), then a summary line.
//!
//! ```text
//! warning[unknown-field]: unknown field `modle`
//!  --> .claude/agents/x.md:3:1
//!   |
//! 3 | modle: sonnet
//!   | ^^^^^
//!   |
//!   = help: rename to `model`
//! ```

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::analysis::{Diagnostic, Severity};
use crate::cli::lines::LineIndex;
use crate::cli::report::{FileReport, Report, plural};

pub fn emit(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for file in &report.files {
        let index = LineIndex::new(&file.text);
        for diagnostic in &file.diagnostics {
            let group = group(file, &index, diagnostic);
            writeln!(out, "{}\n", renderer.render(&[group]))?;
        }
    }
    if report.fixed > 0 {
        writeln!(out, "fixed {}", plural(report.fixed, "file", "files"))?;
    }
    writeln!(out, "{}", report.summary())
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information | Severity::Hint => Level::NOTE,
    }
}

/// One diagnostic: title with the code, the lines the range covers with the range underlined,
/// and the first fix as `help:`.
fn group<'a>(file: &'a FileReport, index: &LineIndex<'_>, diagnostic: &'a Diagnostic) -> Group<'a> {
    let title = level(diagnostic.severity)
        .primary_title(diagnostic.message.as_str())
        .id(diagnostic.code);
    let range = diagnostic.range;
    let start = index.line_column(range.start);
    let group = if file.text.is_empty() {
        title.element(
            Origin::path(file.path.as_str())
                .line(start.line)
                .char_column(start.column),
        )
    } else {
        // The last line the range touches (a range that ends just after a line break ends on
        // that line, not at the start of the next one).
        let last = if range.is_empty() {
            start.line
        } else {
            index.line_column(range.end - 1).line
        };
        let excerpt = index.line_range(start.line).start..index.line_range(last).end;
        let span_start = range.start.clamp(excerpt.start, excerpt.end) - excerpt.start;
        let span_end = range.end.clamp(excerpt.start, excerpt.end) - excerpt.start;
        title.element(
            Snippet::source(&file.text[excerpt])
                .line_start(start.line)
                .path(file.path.as_str())
                .annotation(AnnotationKind::Primary.span(span_start..span_end)),
        )
    };
    match diagnostic.fixes.first() {
        Some(fix) => group.element(Level::HELP.message(fix.title.as_str())),
        None => group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::format::test_support::sample;
    use crate::text::TextRange;

    fn render(report: &Report, color: bool) -> String {
        let mut out = Vec::new();
        emit(report, color, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn snippets_help_and_summary() {
        let expected = "\
error[name-convention]: bad, very: bad
                        100%
 --> a dir/.claude/agents/x.md:2:7
  |
2 | name: é
  |       ^

warning[unknown-field]: unknown field `modle`
 --> a dir/.claude/agents/x.md:3:1
  |
3 | modle: sonnet
  | ^^^^^
  |
  = help: rename to `model`

1 error, 1 warning in 1 file
";
        assert_eq!(render(&sample(), false), expected);
        assert!(
            render(&sample(), true).contains("\u{1b}["),
            "styled output has colors"
        );
    }

    #[test]
    fn unreadable_files_have_no_snippet() {
        let mut report = sample();
        report.files[0].text.clear();
        report.files[0].diagnostics.truncate(1);
        report.files[0].diagnostics[0].range = TextRange::empty(0);
        let output = render(&report, false);
        assert!(
            output.contains("\n--> a dir/.claude/agents/x.md:1:1\n"),
            "{output}"
        );
    }

    #[test]
    fn a_range_ending_after_a_line_break_stays_on_its_line() {
        let mut report = sample();
        report.files[0].diagnostics.truncate(1);
        report.files[0].diagnostics[0].range = TextRange::new(0, 4);
        let output = render(&report, false);
        assert!(output.contains("1 | ---\n  | ^^^\n"), "{output}");
        assert!(!output.contains("2 |"), "{output}");
    }
}
