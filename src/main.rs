//! The `agentls` binary: command-line parsing, logging to stderr, and the stdio language server.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use agentls::server::{self, ServerOptions, SessionEnd};

/// Language server for AI agent definition files (Claude Code subagents and friends).
#[derive(Debug, Parser)]
#[command(name = "agentls", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Serve over stdin/stdout (the default; accepted because editors pass it).
    #[arg(long, global = true)]
    stdio: bool,

    /// Log level for stderr: trace, debug, info, warn, error, or a tracing filter such as
    /// `agentls=debug,tower_lsp_server=warn`.
    #[arg(long, global = true, env = "AGENTLS_LOG", value_name = "LEVEL")]
    log_level: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Language Server Protocol over stdio (what running without a command does).
    Serve,
    /// Lint agent definition files (the same analysis as the server), for the terminal and CI.
    Check(agentls::cli::CheckArgs),
    /// Format the frontmatter of agent files in place (`--check`: list the files that would
    /// change), proven to keep its meaning.
    Format(agentls::cli::FormatArgs),
}

/// Test hooks (`agentls/debug*` methods) are enabled only through this environment variable.
const TEST_HOOKS_ENV: &str = "AGENTLS_TEST_HOOKS";

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    // The server logs its life cycle; a lint run stays quiet unless something goes wrong.
    let default_level = match command {
        Command::Serve => "info",
        Command::Check(_) | Command::Format(_) => "warn",
    };
    init_logging(cli.log_level.as_deref(), default_level)?;
    match command {
        Command::Serve => serve(),
        // Exit codes: 0 no errors, 1 errors (or warnings with `--deny-warnings`), 2 the run failed.
        Command::Check(args) => Ok(agentls::cli::check(&args)),
        // Exit codes: 0 formatted, 1 with `--check` when a file would change, 2 the run failed.
        Command::Format(args) => Ok(agentls::cli::format(&args)),
    }
}

fn serve() -> anyhow::Result<ExitCode> {
    let options = ServerOptions {
        test_hooks: std::env::var_os(TEST_HOOKS_ENV).is_some_and(|v| v == "1"),
    };
    // One thread: the stdin pipe is polled by this runtime's event loop and frames are written
    // in place, so a keystroke wakes one thread, not three (the analysis runs in the handlers
    // either way; indexing goes to the blocking pool and rayon).
    // The dialect registry (schemas parsed, path globs compiled) takes a few milliseconds: build
    // it while the client sends `initialize`, not when the first document opens.
    std::thread::spawn(|| {
        agentls::schema::Registry::get();
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "agentls language server starting"
    );
    let end = runtime.block_on(server::run_stdio(options));
    // When stdin is not a pipe, a thread reads it and may still sit in `read`: do not wait.
    runtime.shutdown_background();
    tracing::info!(?end, "agentls language server stopped");
    Ok(match end {
        SessionEnd::Exit {
            after_shutdown: false,
        } => ExitCode::FAILURE,
        SessionEnd::Exit {
            after_shutdown: true,
        }
        | SessionEnd::InputClosed => ExitCode::SUCCESS,
    })
}

/// Logs go to stderr only: stdout carries the protocol.
fn init_logging(level: Option<&str>, default_level: &str) -> anyhow::Result<()> {
    let filter = match level {
        Some(level) => {
            EnvFilter::try_new(level).with_context(|| format!("invalid log level `{level}`"))?
        }
        None => EnvFilter::new(default_level),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    // Route panic messages through tracing too, so they land in the editor's server log with the
    // request span; handlers still recover from them (see `server`).
    std::panic::set_hook(Box::new(|info| tracing::error!(%info, "panic")));
    Ok(())
}
