//! `lspbench`: drives language servers over stdio as an editor does and prints Markdown tables
//! comparing them with the do-nothing baseline server (`lspbench-null`). See
//! `benches/README.md`, section "Protocol benchmark".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use clap::Parser;
use serde_json::json;

use lspbench::client::{Encoding, Server};
use lspbench::stats::{format_duration, median, percentile};

/// The seed agent every document starts from.
const SEED: &str = include_str!("../../../tests/fixtures/rust-backend-expert.md");

const OPEN: &str = "didOpen → diagnostics";
const TYPING: &str = "edit → diagnostics, typing";
const FAST: &str = "edit → diagnostics, as fast as possible";
const COMPLETION_TOOLS: &str = "completion after `tools: `";
const COMPLETION_EMPTY: &str = "completion on an empty frontmatter line";
const HOVER: &str = "hover on `description:`";

/// Protocol-level benchmark of a language server against a do-nothing baseline.
#[derive(Debug, Parser)]
#[command(name = "lspbench", version, about)]
struct Args {
    /// The language server to measure (spoken to over stdio, started without arguments).
    #[arg(long, default_value = "target/release/agentls")]
    server: PathBuf,
    /// The do-nothing baseline server [default: lspbench-null next to this executable].
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// CI mode: few samples, no 5 MB document; checks that the exchange works, nothing more.
    #[arg(long)]
    quick: bool,
    /// Rounds; each runs every server once and the samples are pooled [default: 3, quick: 1].
    #[arg(long)]
    rounds: Option<usize>,
    /// Pause between keystrokes of the typing stream, in milliseconds.
    #[arg(long, default_value_t = 30)]
    typing_interval_ms: u64,
    /// Keystrokes in the typing stream [default: 600, quick: 40].
    #[arg(long)]
    typing_edits: Option<usize>,
    /// Completions and a hover after every Nth keystroke of the typing stream; 0 for none.
    #[arg(long, default_value_t = 4)]
    probe_every: usize,
}

/// How much work one round does per server.
#[derive(Debug)]
struct Plan {
    rounds: usize,
    startups: usize,
    documents: usize,
    typing_edits: usize,
    typing_interval: Duration,
    probe_every: usize,
    fast_edits: usize,
    scaling_sizes: Vec<usize>,
    scaling_edits: usize,
}

impl Plan {
    fn new(args: &Args) -> Self {
        let typing_interval = Duration::from_millis(args.typing_interval_ms);
        if args.quick {
            Self {
                rounds: args.rounds.unwrap_or(1),
                startups: 2,
                documents: 50,
                typing_edits: args.typing_edits.unwrap_or(40),
                typing_interval,
                probe_every: args.probe_every,
                fast_edits: 100,
                scaling_sizes: vec![5_000, 500_000],
                scaling_edits: 20,
            }
        } else {
            Self {
                rounds: args.rounds.unwrap_or(3),
                startups: 10,
                documents: 1_000,
                typing_edits: args.typing_edits.unwrap_or(600),
                typing_interval,
                probe_every: args.probe_every,
                fast_edits: 3_000,
                scaling_sizes: vec![5_000, 500_000, 5_000_000],
                scaling_edits: 300,
            }
        }
    }
}

/// Everything measured for one server, pooled over rounds.
#[derive(Debug, Default)]
struct Results {
    latency: BTreeMap<String, Vec<Duration>>,
    startup: Vec<Duration>,
    resident_kib: Vec<f64>,
    edits_per_second: Vec<f64>,
}

impl Results {
    fn record(&mut self, key: &str, sample: Duration) {
        self.latency.entry(key.to_owned()).or_default().push(sample);
    }
}

/// An open document and its current version.
struct Document {
    uri: String,
    version: i64,
}

/// A place to type: where `x` is inserted, then deleted again, alternately.
#[derive(Debug, Clone, Copy)]
struct Site {
    line: usize,
    character: usize,
}

/// The end of the first line starting with `prefix`.
fn line_end(text: &str, prefix: &str, encoding: Encoding) -> Result<Site> {
    text.lines()
        .enumerate()
        .find(|(_, line)| line.starts_with(prefix))
        .map(|(line, content)| Site {
            line,
            character: encoding.len(content),
        })
        .with_context(|| format!("no line starting with {prefix:?}"))
}

/// The start of the line halfway between the closing frontmatter fence and the end.
fn body_middle(text: &str) -> Result<Site> {
    let fence = text
        .lines()
        .enumerate()
        .skip(1)
        .find_map(|(line, content)| (content == "---").then_some(line))
        .context("no closing frontmatter fence")?;
    Ok(Site {
        line: (fence + 1 + text.lines().count()) / 2,
        character: 0,
    })
}

/// The seed declaring `name`: the files of one project have names of their own (a thousand
/// namesakes would measure the duplicate-name warning's fan-out instead).
fn named_seed(name: &str) -> String {
    SEED.replacen("name: rust-backend-expert", &format!("name: {name}"), 1)
}

/// The seed followed by copies of its body until the text is at least `size` bytes long.
fn sized_document(size: usize) -> String {
    let body = SEED.splitn(3, "---\n").nth(2).unwrap_or(SEED);
    let mut text = SEED.to_owned();
    while text.len() < size {
        text.push_str(body);
    }
    text
}

fn size_label(bytes: usize) -> String {
    match bytes {
        ..1_000_000 => format!("{:.0} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

fn open(server: &mut Server, uri: String, text: &str) -> Result<(Document, Duration)> {
    let item = json!({"uri": uri, "languageId": "markdown", "version": 1, "text": text});
    let sent = Instant::now();
    server.notify("textDocument/didOpen", json!({"textDocument": item}))?;
    let took = server.wait_diagnostics(&uri, 1)? - sent;
    Ok((Document { uri, version: 1 }, took))
}

/// One incremental `didChange` replacing `length` code units at `site` with `text`; returns
/// the time until that version's diagnostics arrived.
fn change(
    server: &mut Server,
    document: &mut Document,
    site: Site,
    length: usize,
    text: &str,
) -> Result<Duration> {
    document.version += 1;
    let start = json!({"line": site.line, "character": site.character});
    let end = json!({"line": site.line, "character": site.character + length});
    let params = json!({
        "textDocument": {"uri": document.uri, "version": document.version},
        "contentChanges": [{"range": {"start": start, "end": end}, "text": text}],
    });
    let sent = Instant::now();
    server.notify("textDocument/didChange", params)?;
    Ok(server.wait_diagnostics(&document.uri, document.version)? - sent)
}

/// Keystroke number `n` at `site`: even ones type `x`, odd ones delete it.
fn keystroke(
    server: &mut Server,
    document: &mut Document,
    site: Site,
    n: usize,
) -> Result<Duration> {
    match n % 2 {
        0 => change(server, document, site, 0, "x"),
        _ => change(server, document, site, 1, ""),
    }
}

fn probe(server: &mut Server, method: &str, uri: &str, site: Site) -> Result<Duration> {
    let params = json!({
        "textDocument": {"uri": uri},
        "position": {"line": site.line, "character": site.character},
    });
    Ok(server.request(method, params)?.1)
}

/// One full session: open the documents, measure memory, type, then the scaling documents.
fn session(program: &Path, plan: &Plan, results: &mut Results) -> Result<()> {
    let root = format!("file:///tmp/lspbench-{}", std::process::id());
    let uri = |name: &str| format!("{root}/.claude/agents/{name}.md");
    let mut server = Server::start(program, &root)?;
    let encoding = server.encoding;

    let mut documents = Vec::with_capacity(plan.documents);
    for n in 0..plan.documents {
        let name = format!("agent-{n}");
        let (document, took) = open(&mut server, uri(&name), &named_seed(&name))?;
        results.record(OPEN, took);
        documents.push(document);
    }
    results.resident_kib.push(server.resident_kib()? as f64);

    // An editor-like setup for the probes: a `tools: ` line and an empty line after `color:`.
    let document = &mut documents[0];
    let color = line_end(SEED, "color:", encoding)?;
    change(&mut server, document, color, 0, "\ntools: \n")?;
    let tools = Site {
        line: color.line + 1,
        character: encoding.len("tools: "),
    };
    let empty = Site {
        line: color.line + 2,
        character: 0,
    };
    let description = Site {
        line: line_end(SEED, "description:", encoding)?.line,
        character: 3,
    };

    let started = Instant::now();
    for n in 0..plan.typing_edits {
        let due = started + plan.typing_interval * u32::try_from(n)?;
        thread::sleep(due.saturating_duration_since(Instant::now()));
        results.record(TYPING, keystroke(&mut server, document, color, n)?);
        if plan.probe_every > 0 && n % plan.probe_every == 0 {
            let uri = document.uri.clone();
            results.record(
                COMPLETION_TOOLS,
                probe(&mut server, "textDocument/completion", &uri, tools)?,
            );
            results.record(
                COMPLETION_EMPTY,
                probe(&mut server, "textDocument/completion", &uri, empty)?,
            );
            results.record(
                HOVER,
                probe(&mut server, "textDocument/hover", &uri, description)?,
            );
        }
    }

    let started = Instant::now();
    for n in 0..plan.fast_edits {
        results.record(FAST, keystroke(&mut server, document, color, n)?);
    }
    results
        .edits_per_second
        .push(plan.fast_edits as f64 / started.elapsed().as_secs_f64());

    for &size in &plan.scaling_sizes {
        let text = sized_document(size);
        let (mut document, _) = open(&mut server, uri(&format!("scaling-{size}")), &text)?;
        let sites = [
            ("frontmatter", line_end(&text, "color:", encoding)?),
            ("body", body_middle(&text)?),
        ];
        for (place, site) in sites {
            let key = scaling_key(text.len(), place);
            for n in 0..plan.scaling_edits {
                results.record(&key, keystroke(&mut server, &mut document, site, n)?);
            }
        }
        server.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": document.uri}}),
        )?;
    }
    server.shutdown()
}

fn scaling_key(bytes: usize, place: &str) -> String {
    format!("{} document, edit in the {place}", size_label(bytes))
}

/// A server under test, its results, and whether a failure is fatal.
struct Subject {
    program: PathBuf,
    optional: bool,
    failure: Option<String>,
    results: Results,
}

impl Subject {
    fn new(program: PathBuf, optional: bool) -> Self {
        Self {
            program,
            optional,
            failure: None,
            results: Results::default(),
        }
    }

    fn name(&self) -> String {
        self.program.file_name().map_or_else(
            || self.program.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    }

    fn run_round(&mut self, plan: &Plan) -> Result<()> {
        for _ in 0..plan.startups {
            let server = Server::start(&self.program, "file:///tmp")?;
            self.results.startup.push(server.startup);
            server.shutdown()?;
        }
        session(&self.program, plan, &mut self.results)
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let field = |text: &str, key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key))
            .map(|value| {
                value
                    .trim_start_matches([' ', '\t', ':', '='])
                    .trim_matches('"')
                    .to_owned()
            })
    };
    let cpu = field(&read("/proc/cpuinfo"), "model name").unwrap_or_else(|| "unknown CPU".into());
    let cores = thread::available_parallelism().map_or(0, usize::from);
    let memory = field(&read("/proc/meminfo"), "MemTotal")
        .and_then(|kib| kib.trim_end_matches(" kB").parse::<f64>().ok())
        .map_or_else(String::new, |kib| {
            format!(", {:.0} GiB", kib / 1024.0 / 1024.0)
        });
    let os = field(&read("/etc/os-release"), "PRETTY_NAME").unwrap_or_else(|| "unknown OS".into());
    format!("{cpu}, {cores} cores{memory}, {os}")
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lspbench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let plan = Plan::new(args);
    let baseline = match args.baseline.clone() {
        Some(path) => path,
        None => std::env::current_exe()?.with_file_name("lspbench-null"),
    };
    ensure!(
        baseline.is_file(),
        "no baseline server at {} (cargo build --release -p lspbench)",
        baseline.display()
    );
    ensure!(
        args.server.is_file(),
        "no server at {} (cargo build --release)",
        args.server.display()
    );
    let mut subjects = vec![
        Subject::new(baseline, false),
        Subject::new(args.server.clone(), false),
    ];
    let agnix = on_path("agnix-lsp");
    if let Some(agnix) = &agnix {
        subjects.push(Subject::new(agnix.clone(), true));
    }

    for round in 1..=plan.rounds {
        for subject in subjects
            .iter_mut()
            .filter(|subject| subject.failure.is_none())
        {
            eprintln!(
                "lspbench: round {round}/{}: {}",
                plan.rounds,
                subject.name()
            );
            if let Err(error) = subject.run_round(&plan) {
                let error = error.context(format!("{} failed", subject.name()));
                ensure!(subject.optional, "{error:#}");
                eprintln!("lspbench: {error:#} (optional comparison, skipped)");
                subject.failure = Some(format!("{error:#}"));
            }
        }
    }

    print_report(args, &plan, &subjects, agnix.is_some());
    Ok(())
}

fn cell(samples: Option<&Vec<Duration>>) -> String {
    let Some(samples) = samples.filter(|samples| !samples.is_empty()) else {
        return "–".into();
    };
    let [p50, p95, p99] = [50.0, 95.0, 99.0]
        .map(|p| percentile(samples, p).map_or_else(String::new, format_duration));
    format!("{p50} / {p95} / {p99}")
}

/// `measured`'s percentile `p` over the baseline's.
fn ratio(measured: &Results, baseline: &Results, key: &str, p: f64) -> Option<f64> {
    let of = |results: &Results| {
        results
            .latency
            .get(key)
            .and_then(|samples| percentile(samples, p))
    };
    Some(of(measured)?.as_secs_f64() / of(baseline)?.as_secs_f64())
}

fn latency_table(subjects: &[&Subject], keys: &[String]) {
    let (baseline, others) = subjects
        .split_first()
        .expect("the baseline is always measured");
    let mut header = String::from("| measurement | samples |");
    for subject in subjects {
        header += &format!(" {} p50 / p95 / p99 |", subject.name());
    }
    for subject in others {
        header += &format!(" {} ÷ baseline, p50 / p99 |", subject.name());
    }
    println!("{header}");
    println!(
        "|---|---:|{}",
        "---:|".repeat(subjects.len() + others.len())
    );
    for key in keys {
        let samples = subjects[1].results.latency.get(key).map_or(0, Vec::len);
        let mut row = format!("| {key} | {samples} |");
        for subject in subjects {
            row += &format!(" {} |", cell(subject.results.latency.get(key)));
        }
        for subject in others {
            let [p50, p99] = [50.0, 99.0].map(|p| {
                ratio(&subject.results, &baseline.results, key, p)
                    .map_or_else(|| "–".into(), |r| format!("{r:.1}×"))
            });
            row += &format!(" {p50} / {p99} |");
        }
        println!("{row}");
    }
}

fn print_report(args: &Args, plan: &Plan, all: &[Subject], agnix_found: bool) {
    let subjects: Vec<&Subject> = all
        .iter()
        .filter(|subject| subject.failure.is_none())
        .collect();
    println!(
        "Machine: {}. Server: `{}`. {} round(s), samples pooled.",
        machine(),
        args.server.display(),
        plan.rounds
    );
    if args.quick {
        println!(
            "\n**Quick mode**: a check that the protocol exchange works; the figures mean nothing."
        );
    }
    println!();
    let keys = [
        OPEN,
        TYPING,
        FAST,
        COMPLETION_TOOLS,
        COMPLETION_EMPTY,
        HOVER,
    ]
    .map(String::from);
    latency_table(&subjects, &keys);

    println!(
        "\n| figure |{}",
        subjects
            .iter()
            .map(|s| format!(" {} |", s.name()))
            .collect::<String>()
    );
    println!("|---|{}", "---:|".repeat(subjects.len()));
    let row = |label: &str, value: &dyn Fn(&Results) -> String| {
        println!(
            "| {label} |{}",
            subjects
                .iter()
                .map(|s| format!(" {} |", value(&s.results)))
                .collect::<String>()
        );
    };
    row("start-up to the `initialize` response (median)", &|r| {
        percentile(&r.startup, 50.0).map_or_else(String::new, format_duration)
    });
    row(
        "edits per second, as fast as possible (median of rounds)",
        &|r| median(&r.edits_per_second).map_or_else(String::new, |v| format!("{v:.0}")),
    );
    row(
        &format!(
            "resident memory after opening {} documents (median of rounds)",
            plan.documents
        ),
        &|r| {
            median(&r.resident_kib)
                .map_or_else(String::new, |kib| format!("{:.1} MB", kib * 1024.0 / 1e6))
        },
    );

    println!();
    let keys: Vec<String> = plan
        .scaling_sizes
        .iter()
        .flat_map(|&size| {
            let bytes = sized_document(size).len();
            ["frontmatter", "body"].map(|place| scaling_key(bytes, place))
        })
        .collect();
    latency_table(&subjects, &keys);

    if let [baseline, measured, ..] = subjects.as_slice() {
        println!("\nTarget: edit → diagnostics p50 ≤ 2× and p99 ≤ 3× the baseline.");
        for key in [TYPING, FAST] {
            let verdict = |p: f64, limit: f64| {
                ratio(&measured.results, &baseline.results, key, p).map_or_else(
                    || "–".into(),
                    |r| format!("{r:.2}× {}", if r <= limit { "✔" } else { "✘" }),
                )
            };
            println!(
                "- {key}: p50 {}, p99 {}",
                verdict(50.0, 2.0),
                verdict(99.0, 3.0)
            );
        }
    }
    for subject in all.iter().filter(|subject| subject.failure.is_some()) {
        println!(
            "\n{} was skipped: {}",
            subject.name(),
            subject.failure.as_deref().unwrap_or_default()
        );
    }
    if !agnix_found {
        println!("\n`agnix-lsp` is not on PATH: no comparison with it.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_document_declares_its_own_name() {
        let text = named_seed("agent-7");
        assert!(text.starts_with("---\nname: agent-7\n"), "{}", &text[..40]);
        assert_eq!(
            text.len(),
            SEED.len() - "rust-backend-expert".len() + "agent-7".len()
        );
    }
}
