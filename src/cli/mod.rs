//! `agentls check`: lint agent files from the terminal and in CI (and `agentls format`, module
//! `formatting`, which finds its files the same way).
//!
//! The run: find the files (module `discover`: walk directories, classify agent files by path
//! and frontmatter), read and analyse each one in parallel (`rayon`; the analysis is per file and
//! pure), optionally apply the safe fixes (module `fix`), then print the report sorted by path in
//! the chosen [`Format`]. `--diff` prints only the unified diffs of what `--fix` would change.
//!
//! Exit status ([`ExitStatus`]): 0 when no file has an error, 1 when one has (or a warning, with
//! `--deny-warnings`; or, with `--diff`, when a file would change), 2 when the run itself failed
//! (a path that does not exist, a directory that cannot be walked, output that cannot be written).
//! A file that cannot be read, is not UTF-8, is binary or is too large is not a failure of the run:
//! it gets an error diagnostic (`unreadable-file`, `not-utf8`, `file-too-large`) like any other
//! problem.
//!
//! Files named on the command line are always checked when a dialect can be found for them: from
//! their path, from `--dialect`, or from frontmatter that loosely fits one (so an explicitly named
//! `notes.md` declaring `name` and `description` is checked as a Claude Code subagent). A named
//! file with no dialect is skipped with a note on stderr.
//!
//! # JSON output (`--format json`), schema version 1
//!
//! The schema is stable: fields may be added in a later version 1 output, never removed or
//! changed in meaning (that takes `"version": 2`).
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": { "name": "agentls", "version": "0.1.0" },
//!   "files": [ { "path": ".claude/agents/reviewer.md", "dialect": "claude-agent" } ],
//!   "diagnostics": [
//!     {
//!       "path": ".claude/agents/reviewer.md",
//!       "line": 3, "column": 1, "endLine": 3, "endColumn": 6,
//!       "severity": "warning",
//!       "code": "unknown-field",
//!       "message": "unknown field `modle`",
//!       "fixes": [
//!         { "title": "rename to `model`", "safe": true,
//!           "edits": [ { "start": { "line": 3, "column": 1 },
//!                        "end": { "line": 3, "column": 6 },
//!                        "newText": "model" } ] }
//!       ]
//!     }
//!   ],
//!   "summary": { "files": 1, "errors": 0, "warnings": 1, "information": 0, "hints": 0, "fixed": 0 }
//! }
//! ```
//!
//! * `files`: every file checked, sorted by path; `dialect` is `null` for a file that could not
//!   be read and whose path names no dialect. Paths are as given on the command line or found
//!   by the walk, with forward slashes.
//! * `diagnostics`: sorted by path, then position. Lines and columns are 1-based; columns count
//!   Unicode characters (scalar values), not bytes or UTF-16 units; `\n`, `\r\n` and `\r` end a
//!   line; a byte order mark is the character at line 1, column 1. The end is exclusive (the
//!   position just after the range); an empty range has `end == start`.
//! * `severity`: `error`, `warning`, `information` or `hint`.
//! * `fixes`: the repairs offered, in order; `safe` ones are those `--fix` applies. Edit
//!   positions use the same line/column convention and refer to the file as it is. A fix that
//!   also moves the file has `"rename": "<new path>"` (never safe: `--fix` leaves it to you).
//! * `summary.fixed`: the number of files `--fix` rewrote (0 without `--fix`). After `--fix`,
//!   diagnostics and positions describe the fixed files.
//!
//! The GitHub (`::error file=…,line=…,col=…,endLine=…,endColumn=…`) and SARIF (`region`, with
//! `columnKind: unicodeCodePoints`) formats use the same 1-based lines and character columns.

mod fix;
mod format;
mod formatting;
mod lines;
mod progress;
mod report;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;

use crate::analysis::{Analysis, Diagnostic, Severity};
use crate::config::{self, Settings};
use crate::schema::{Detected, Dialect, DialectOverrides, Registry};
use crate::text::TextRange;

pub use format::Format;
pub use formatting::{FormatArgs, format, run_format};

use crate::discover::{self, Candidate, Discovery, PathClass};
use crate::source::Source;
use progress::Progress;
use report::{FileReport, Report};

/// Lint agent definition files (Claude Code subagents, …) and report problems.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CheckArgs {
    /// Files or directories to check [default: the current directory]. Directories are walked
    /// respecting .gitignore and .ignore; agent files are recognised by their location and
    /// frontmatter.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: Format,

    /// When to color the human output (`auto`: when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Exit with status 1 when there are warnings, not only errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Apply the safe quick fixes to the files, then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// Print the changes `--fix` would make as a unified diff, without writing anything (exit
    /// status 1 when a file would change).
    #[arg(long)]
    pub diff: bool,

    /// Check every file as this dialect (e.g. `claude-agent`), whatever its path.
    #[arg(long, value_name = "NAME")]
    pub dialect: Option<String>,

    /// The configuration file to use (default: the nearest `.agentls.yaml` in the current
    /// directory or its ancestors).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// How a `check` run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// No errors (and no warnings with `--deny-warnings`).
    Clean,
    /// Problems that fail the check.
    Problems,
    /// The run itself failed or is incomplete.
    Failure,
}

impl ExitStatus {
    pub const fn code(self) -> u8 {
        match self {
            Self::Clean => 0,
            Self::Problems => 1,
            Self::Failure => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        Self::from(status.code())
    }
}

/// Why a run could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cannot check `{}`: {source}", path.display())]
    Path { path: PathBuf, source: io::Error },
    #[error("unknown dialect `{name}` (known: {known})")]
    UnknownDialect { name: String, known: String },
    #[error("cannot write the report: {0}")]
    Output(#[from] io::Error),
    #[error("invalid configuration {}:\n{problems}", path.display())]
    Config { path: PathBuf, problems: String },
}

/// Runs `agentls check` with the process's stdout and stderr and returns the exit code: the
/// whole command for `main`. Errors of the run are printed to stderr and give exit code 2.
pub fn check(args: &CheckArgs) -> ExitCode {
    with_std_streams(|stdout, stderr| run(args, stdout, stderr))
}

/// Runs a command with the process's stdout (buffered: it is line-buffered, and a report of a
/// large tree is many thousand lines) and stderr, and turns its outcome into the exit code: a
/// closed stdout (`| head`) fails quietly, other errors are printed.
pub(crate) fn with_std_streams(
    command: impl FnOnce(&mut dyn Write, &mut dyn Write) -> Result<ExitStatus, CheckError>,
) -> ExitCode {
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let mut stderr = io::stderr();
    match command(&mut stdout, &mut stderr) {
        Ok(status) => status.into(),
        Err(CheckError::Output(error)) if error.kind() == io::ErrorKind::BrokenPipe => {
            ExitStatus::Failure.into()
        }
        Err(error) => {
            // Nothing more can be done if stderr is gone too.
            let _ = writeln!(stderr, "error: {error}");
            ExitStatus::Failure.into()
        }
    }
}

/// Checks the files `args` names, writes the report to `stdout` (notes and walk errors go to
/// `stderr`) and returns the exit status.
pub fn run(
    args: &CheckArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<ExitStatus, CheckError> {
    let forced = forced_dialect(args.dialect.as_deref())?;
    let progress = Progress::new();
    let (config, discovery) = prepare(&args.paths, args.config.as_deref())?;
    for error in &discovery.errors {
        writeln!(stderr, "error: {error}")?;
    }
    progress.set_total(discovery.candidates.len());

    let mode = if args.diff {
        FixMode::Diff
    } else if args.fix {
        FixMode::Write
    } else {
        FixMode::Off
    };
    let outcomes: Vec<Outcome> = discovery
        .candidates
        .par_iter()
        .map(|candidate| {
            let outcome = check_file(candidate, forced, &config, mode);
            progress.inc();
            outcome
        })
        .collect();
    progress.finish();

    let mut report = Report::default();
    let mut diffs = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Checked { file, fixed, diff } => {
                report.fixed += usize::from(fixed);
                diffs.extend(diff);
                report.files.push(file);
            }
            Outcome::Skipped { path, reason } => {
                writeln!(stderr, "note: `{path}` is not checked: {reason}")?;
            }
            Outcome::NotAnAgent => {}
        }
    }

    let mut status = if mode == FixMode::Diff {
        for diff in &diffs {
            stdout.write_all(diff.as_bytes())?;
        }
        if diffs.is_empty() {
            ExitStatus::Clean
        } else {
            ExitStatus::Problems
        }
    } else {
        format::emit(args.format, &report, use_color(args.color), stdout)?;
        let summary = report.summary();
        let failing = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
        if failing {
            ExitStatus::Problems
        } else {
            ExitStatus::Clean
        }
    };
    stdout.flush()?;
    if !discovery.errors.is_empty() {
        status = ExitStatus::Failure;
    }
    Ok(status)
}

/// What every run starts with: the configuration, and the candidates under `paths` (the current
/// directory when empty) that it does not ignore (named files are never ignored).
fn prepare(paths: &[PathBuf], config: Option<&Path>) -> Result<(Config, Discovery), CheckError> {
    let default_paths = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default_paths[..]
    } else {
        paths
    };
    // The schema registry (YAML schemas, compiled path globs) takes a few milliseconds to
    // build: build it on another core while this one walks the tree.
    rayon::spawn(|| {
        Registry::get();
    });
    let config = Config::load(config)?;
    let mut discovery = discover(paths, &config.overrides)?;
    discovery.candidates.retain(|candidate| {
        candidate.explicit || !config.settings.ignores(&absolute(&candidate.path))
    });
    Ok((config, discovery))
}

fn forced_dialect(name: Option<&str>) -> Result<Option<&'static Dialect>, CheckError> {
    let Some(name) = name else {
        return Ok(None);
    };
    let registry = Registry::get();
    registry
        .by_id(name)
        .map(Some)
        .ok_or_else(|| CheckError::UnknownDialect {
            name: name.to_owned(),
            known: registry
                .dialects()
                .map(|dialect| dialect.dialect.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Every candidate under `paths`, sorted by displayed path, each file once (a file both named
/// and walked counts as named).
fn discover(paths: &[PathBuf], overrides: &DialectOverrides) -> Result<Discovery, CheckError> {
    let mut discovery = Discovery::default();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| CheckError::Path {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            discover::walk(path, overrides, &mut discovery);
        } else {
            discovery.candidates.push(discover::explicit(path));
        }
    }
    discovery.candidates.sort_by(|a, b| {
        a.display
            .cmp(&b.display)
            .then_with(|| b.explicit.cmp(&a.explicit))
    });
    discovery
        .candidates
        .dedup_by(|later, earlier| later.display == earlier.display);
    Ok(discovery)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FixMode {
    Off,
    Write,
    Diff,
}

/// What happened to one candidate.
enum Outcome {
    Checked {
        file: FileReport,
        fixed: bool,
        diff: Option<String>,
    },
    /// A named file that is not checked, and why.
    Skipped { path: String, reason: String },
    /// A walked file that turned out not to be an agent file.
    NotAnAgent,
}

/// The configuration a run uses: `.agentls.yaml` (or `--config`), if any.
struct Config {
    settings: Settings,
    overrides: DialectOverrides,
}

impl Config {
    /// `--config FILE`, else the nearest `.agentls.yaml` from the current directory up; any
    /// problem in it fails the run (a CI gate must not pass on a misread configuration).
    fn load(file: Option<&Path>) -> Result<Self, CheckError> {
        let (path, folder) = match file {
            Some(file) => {
                let file = absolute(file);
                let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
                (file, folder)
            }
            None => {
                let cwd = absolute(Path::new("."));
                match Settings::find(&cwd) {
                    Some(folder) => (folder.join(config::FILE_NAME), folder),
                    None => {
                        return Ok(Self {
                            settings: Settings::default(),
                            overrides: DialectOverrides::default(),
                        });
                    }
                }
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| CheckError::Path {
            path: path.clone(),
            source,
        })?;
        let (settings, mut problems) = Settings::parse(&folder, &text);
        let (overrides, more) = settings.dialect_overrides(&[]);
        problems.extend(more.into_iter().map(config::Problem::new));
        if !problems.is_empty() {
            let problems: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            return Err(CheckError::Config {
                path,
                problems: problems.join("\n"),
            });
        }
        Ok(Self {
            settings,
            overrides,
        })
    }

    /// The file's diagnostics as the configuration and its suppression comments want them.
    /// Analysed with its path: checks such as a skill's name against its folder and `@file`
    /// references need it.
    fn diagnose(&self, path: &Path, detected: Detected<'static>, text: &str) -> Vec<Diagnostic> {
        let analysis = Analysis::with_detected(
            Some(path),
            Some(detected),
            text.len(),
            std::iter::once(text),
        );
        let diagnostics = analysis.diagnostics();
        if self.settings.is_empty() && !text.contains("agentls-disable") {
            return diagnostics;
        }
        self.settings.apply_to_text(
            Some(&detected.dialect.dialect),
            text,
            analysis.frontmatter_text(),
            diagnostics,
        )
    }
}

/// `path` made absolute (not resolving links), for matching the configuration's globs.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The dialect a candidate is checked (or formatted) as: the configuration's override, else what
/// its path and text say (only its path when it could not be read), unless `--dialect` forces
/// one; `None` when it is not an agent file.
fn detect(
    candidate: &Candidate,
    text: &str,
    readable: bool,
    forced: Option<&'static Dialect>,
    config: &Config,
) -> Option<Detected<'static>> {
    let overridden = config.overrides.overridden(&absolute(&candidate.path));
    let detected = if overridden.is_some() {
        overridden
    } else if readable {
        discover::classify_text(candidate, text)
    } else {
        // Unreadable: only the path can tell.
        match &candidate.class {
            PathClass::Dialect(detected) => Some(*detected),
            PathClass::Collection(dialects) => dialects.first().map(|&dialect| Detected {
                dialect,
                plugin: false,
            }),
            PathClass::Other => None,
        }
    };
    match forced {
        Some(dialect) if candidate.explicit || detected.is_some() => Some(Detected {
            dialect,
            plugin: detected.is_some_and(|d| d.plugin && d.dialect.dialect == dialect.dialect),
        }),
        _ => detected,
    }
}

fn check_file(
    candidate: &Candidate,
    forced: Option<&'static Dialect>,
    config: &Config,
    mode: FixMode,
) -> Outcome {
    let (text, failure) = Source::read(&candidate.path).into_parts();
    let detected = detect(candidate, &text, failure.is_none(), forced, config);
    let dialect = detected.map(|detected| detected.dialect.dialect.as_str());

    if let Some(failure) = failure {
        return if candidate.explicit || dialect.is_some() {
            Outcome::Checked {
                file: file_report(candidate, dialect, text, vec![failure]),
                fixed: false,
                diff: None,
            }
        } else {
            Outcome::NotAnAgent
        };
    }
    let Some(detected) = detected else {
        return if candidate.explicit {
            Outcome::Skipped {
                path: candidate.display.clone(),
                reason: discover::not_an_agent_reason(&candidate.path),
            }
        } else {
            Outcome::NotAnAgent
        };
    };

    let mut text = text;
    let mut diagnostics = config.diagnose(&candidate.path, detected, &text);
    let mut fixed = false;
    let mut diff = None;
    let fixable = diagnostics
        .iter()
        .any(|diagnostic| diagnostic.fixes.iter().any(|fix| fix.safe));
    let new_text = (mode != FixMode::Off && fixable)
        .then(|| {
            fix::fix_text(&text, |text| {
                config.diagnose(&candidate.path, detected, text)
            })
        })
        .flatten();
    if let Some(new_text) = new_text {
        if mode == FixMode::Diff {
            diff = Some(fix::unified_diff(&candidate.display, &text, &new_text));
        } else {
            match fix::write_atomically(&candidate.path, &new_text) {
                Ok(()) => {
                    fixed = true;
                    diagnostics = config.diagnose(&candidate.path, detected, &new_text);
                    text = new_text;
                }
                Err(error) => diagnostics.insert(0, write_failed(&error)),
            }
        }
    }
    Outcome::Checked {
        file: file_report(candidate, dialect, text, diagnostics),
        fixed,
        diff,
    }
}

fn write_failed(error: &io::Error) -> Diagnostic {
    Diagnostic {
        range: TextRange::empty(0),
        severity: Severity::Error,
        code: "write-failed",
        message: format!("cannot write the fixes to this file: {error}"),
        fixes: Vec::new(),
    }
}

fn file_report(
    candidate: &Candidate,
    dialect: Option<&'static str>,
    text: String,
    diagnostics: Vec<Diagnostic>,
) -> FileReport {
    FileReport {
        path: candidate.display.clone(),
        dialect,
        // The text is only needed to place diagnostics.
        text: if diagnostics.is_empty() {
            String::new()
        } else {
            text
        },
        diagnostics,
    }
}

/// `--color`: `auto` means stdout is a terminal and `NO_COLOR` is unset or empty.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                && io::stdout().is_terminal()
        }
    }
}
