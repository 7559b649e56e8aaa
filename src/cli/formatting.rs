//! `agentls format`: formats the frontmatter of agent files in place, or with `--check` lists the
//! files that would change (for CI).
//!
//! The files are the ones `agentls check` finds (same discovery, `.agentls.yaml` ignores and
//! dialect overrides, `--dialect`); each one is formatted by [`Analysis::formatting`], which
//! proves that the new frontmatter loads to the same values. A file it cannot prove safe (its
//! frontmatter does not load, duplicate keys…) is never touched: a note on stderr says why.
//!
//! Exit status: 0 when every file is formatted (or, with `--check`, already was), 1 with
//! `--check` when a file would change, 2 when the run failed (a path that does not exist, a file
//! that cannot be read or written).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

use super::{
    CheckError, Config, ExitStatus, detect, fix, forced_dialect, prepare, with_std_streams,
};
use crate::analysis::{Analysis, Formatting, Refusal, TextEdit, apply_edits};
use crate::discover::Candidate;
use crate::schema::Dialect;
use crate::source::Source;

/// Format the frontmatter of agent files (field order, quoting, spacing), proven to keep its
/// meaning.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct FormatArgs {
    /// Files or directories to format [default: the current directory], found as `agentls
    /// check` finds them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write nothing: list the files that would change, and exit with status 1 if there is one.
    #[arg(long)]
    pub check: bool,

    /// Format every file as this dialect (e.g. `claude-agent`), whatever its path.
    #[arg(long, value_name = "NAME")]
    pub dialect: Option<String>,

    /// The configuration file to use (default: the nearest `.agentls.yaml` in the current
    /// directory or its ancestors).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Runs `agentls format` with the process's stdout and stderr and returns the exit code.
pub fn format(args: &FormatArgs) -> ExitCode {
    with_std_streams(|stdout, stderr| run_format(args, stdout, stderr))
}

/// Formats (or with `--check`, checks) the files `args` names; lists changed files on `stdout`,
/// notes and errors on `stderr`, and returns the exit status.
pub fn run_format(
    args: &FormatArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus, CheckError> {
    let forced = forced_dialect(args.dialect.as_deref())?;
    let (config, discovery) = prepare(&args.paths, args.config.as_deref())?;
    for error in &discovery.errors {
        writeln!(stderr, "error: {error}")?;
    }
    let outcomes: Vec<Outcome> = discovery
        .candidates
        .par_iter()
        .map(|candidate| format_file(candidate, forced, &config, args.check))
        .collect();

    let (mut changed, mut unchanged, mut refused) = (0, 0, 0);
    let mut failed = !discovery.errors.is_empty();
    for (candidate, outcome) in discovery.candidates.iter().zip(outcomes) {
        let path = &candidate.display;
        match outcome {
            Outcome::Changed if args.check => {
                changed += 1;
                writeln!(stdout, "would format {path}")?;
            }
            Outcome::Changed => {
                changed += 1;
                writeln!(stdout, "formatted {path}")?;
            }
            Outcome::Unchanged => unchanged += 1,
            Outcome::Refused(refusal) => {
                refused += 1;
                // These are problems `check` reports, at their place.
                let hint = match refusal {
                    Refusal::Unsupported | Refusal::MeaningChanged => "",
                    _ => " (`agentls check` shows where)",
                };
                writeln!(
                    stderr,
                    "note: `{path}` is not formatted: {}{hint}",
                    refusal.reason()
                )?;
            }
            Outcome::Skipped(reason) => {
                writeln!(stderr, "note: `{path}` is not formatted: {reason}")?;
            }
            Outcome::Failed(message) => {
                failed = true;
                writeln!(stderr, "error: `{path}`: {message}")?;
            }
            Outcome::NotAnAgent => {}
        }
    }
    writeln!(
        stdout,
        "{}",
        summary(changed, unchanged, refused, args.check)
    )?;
    stdout.flush()?;
    Ok(if failed {
        ExitStatus::Failure
    } else if args.check && changed > 0 {
        ExitStatus::Problems
    } else {
        ExitStatus::Clean
    })
}

/// What happened to one candidate.
enum Outcome {
    /// Formatted (or, with `--check`, would be).
    Changed,
    Unchanged,
    Refused(Refusal),
    /// A named file that is not an agent file, and why.
    Skipped(String),
    /// The file could not be read or written.
    Failed(String),
    /// A walked file that turned out not to be an agent file.
    NotAnAgent,
}

fn format_file(
    candidate: &Candidate,
    forced: Option<&'static Dialect>,
    config: &Config,
    check: bool,
) -> Outcome {
    let (text, failure) = Source::read(&candidate.path).into_parts();
    let detected = detect(candidate, &text, failure.is_none(), forced, config);
    if let Some(failure) = failure {
        return if candidate.explicit || detected.is_some() {
            Outcome::Failed(failure.message)
        } else {
            Outcome::NotAnAgent
        };
    }
    let Some(detected) = detected else {
        return if candidate.explicit {
            Outcome::Skipped(crate::discover::not_an_agent_reason(&candidate.path))
        } else {
            Outcome::NotAnAgent
        };
    };
    let analysis = Analysis::with_detected(
        Some(&candidate.path),
        Some(detected),
        text.len(),
        std::iter::once(text.as_str()),
    );
    let edits = match analysis.formatting() {
        Formatting::Edits(edits) => edits,
        Formatting::Unchanged => return Outcome::Unchanged,
        Formatting::Refused(refusal) => return Outcome::Refused(refusal),
    };
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    let Some(formatted) = apply_edits(&text, &mut edits) else {
        return Outcome::Unchanged;
    };
    if check {
        return Outcome::Changed;
    }
    match fix::write_atomically(&candidate.path, &formatted) {
        Ok(()) => Outcome::Changed,
        Err(error) => Outcome::Failed(format!("cannot write the formatted file: {error}")),
    }
}

/// `2 files formatted, 1 already formatted, 1 not formatted`.
fn summary(changed: usize, unchanged: usize, refused: usize, check: bool) -> String {
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_owned()
        } else {
            format!("{n} files")
        }
    };
    let mut parts = vec![if check {
        format!("{} would be formatted", files(changed))
    } else {
        format!("{} formatted", files(changed))
    }];
    if unchanged > 0 {
        parts.push(format!("{unchanged} already formatted"));
    }
    if refused > 0 {
        parts.push(format!("{refused} not formatted"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        assert_eq!(summary(0, 0, 0, false), "0 files formatted");
        assert_eq!(
            summary(1, 2, 0, false),
            "1 file formatted, 2 already formatted"
        );
        assert_eq!(
            summary(2, 0, 1, true),
            "2 files would be formatted, 1 not formatted"
        );
    }
}
