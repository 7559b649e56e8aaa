//! The GitHub Actions format: one workflow command per diagnostic, which the runner turns into
//! an annotation on the pull request.
//!
//! ```text
//! ::warning file=.claude/agents/x.md,line=3,col=1,endLine=3,endColumn=6,title=agentls (unknown-field)::unknown field `modle`%0Ahelp: rename to `model`
//! ```
//!
//! Errors become `::error`, warnings `::warning`, information and hints `::notice`. The message
//! escapes `%`, `\r` and `\n`; property values also escape `:` and `,` (GitHub's rules).

use std::io::{self, Write};

use crate::analysis::Severity;
use crate::cli::report::Report;

pub fn emit(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for file in &report.files {
        for (diagnostic, start, end) in file.positions() {
            let command = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "notice",
            };
            let mut message = diagnostic.message.clone();
            if let Some(fix) = diagnostic.fixes.first() {
                message.push_str("\nhelp: ");
                message.push_str(&fix.title);
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&file.path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("agentls ({})", diagnostic.code)),
                escape_data(&message),
            )?;
        }
    }
    Ok(())
}

/// Escapes a command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::format::test_support::sample;

    #[test]
    fn workflow_commands_are_escaped() {
        let mut out = Vec::new();
        emit(&sample(), &mut out).unwrap();
        let expected = "\
::error file=a dir/.claude/agents/x.md,line=2,col=7,endLine=2,endColumn=8,title=agentls (name-convention)::bad, very: bad%0A100%25
::warning file=a dir/.claude/agents/x.md,line=3,col=1,endLine=3,endColumn=6,title=agentls (unknown-field)::unknown field `modle`%0Ahelp: rename to `model`
";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        assert_eq!(escape_property("a:b,c%\r\n"), "a%3Ab%2Cc%25%0D%0A");
    }
}
