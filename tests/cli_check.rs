//! `agentls check` end to end: output formats, exit codes, discovery and unreadable files.

mod cli_common;

use cli_common::{BROKEN, GOOD, WARNING_ONLY, agentls, tree, write};
use pretty_assertions::assert_eq;

fn good_and_broken() -> tempfile::TempDir {
    tree(&[
        (".claude/agents/good.md", GOOD),
        (".claude/agents/broken.md", BROKEN),
        ("README.md", "# A project\n"),
        ("docs/guide.md", "---\ntitle: Guide\n---\nText.\n"),
    ])
}

#[test]
fn human_format() {
    let dir = good_and_broken();
    let run = agentls(dir.path(), &["check", "--color", "never"]);
    let expected = "\
warning[unknown-field]: unknown field `modle` for a Claude Code subagent: did you mean `model`? (Claude Code ignores it)
 --> .claude/agents/broken.md:4:1
  |
4 | modle: sonnet
  | ^^^^^
  |
  = help: Rename to `model`

error[invalid-value]: `magenta` is not a valid `color`: use one of `red`, `blue`, `green`, `yellow`, `purple`, `orange`, `pink`, `cyan` (names are case-sensitive; hex colors are not supported); Claude Code ignores this value
 --> .claude/agents/broken.md:5:8
  |
5 | color: magenta
  |        ^^^^^^^

1 error, 1 warning in 2 files
";
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
}

#[test]
fn human_format_colors_only_when_asked() {
    let dir = good_and_broken();
    let always = agentls(dir.path(), &["check", "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["), "{}", always.stdout);
    // Auto: stdout is a pipe here, so no colors.
    let auto = agentls(dir.path(), &["check"]);
    assert!(!auto.stdout.contains('\u{1b}'), "{}", auto.stdout);
}

#[test]
fn json_format() {
    let dir = good_and_broken();
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    let expected = r#"{
  "version": 1,
  "tool": {
    "name": "agentls",
    "version": "VERSION"
  },
  "files": [
    {
      "path": ".claude/agents/broken.md",
      "dialect": "claude-agent"
    },
    {
      "path": ".claude/agents/good.md",
      "dialect": "claude-agent"
    }
  ],
  "diagnostics": [
    {
      "path": ".claude/agents/broken.md",
      "line": 4,
      "column": 1,
      "endLine": 4,
      "endColumn": 6,
      "severity": "warning",
      "code": "unknown-field",
      "message": "unknown field `modle` for a Claude Code subagent: did you mean `model`? (Claude Code ignores it)",
      "fixes": [
        {
          "title": "Rename to `model`",
          "safe": true,
          "edits": [
            {
              "start": {
                "line": 4,
                "column": 1
              },
              "end": {
                "line": 4,
                "column": 6
              },
              "newText": "model"
            }
          ]
        }
      ]
    },
    {
      "path": ".claude/agents/broken.md",
      "line": 5,
      "column": 8,
      "endLine": 5,
      "endColumn": 15,
      "severity": "error",
      "code": "invalid-value",
      "message": "`magenta` is not a valid `color`: use one of `red`, `blue`, `green`, `yellow`, `purple`, `orange`, `pink`, `cyan` (names are case-sensitive; hex colors are not supported); Claude Code ignores this value",
      "fixes": []
    }
  ],
  "summary": {
    "files": 2,
    "errors": 1,
    "warnings": 1,
    "information": 0,
    "hints": 0,
    "fixed": 0
  }
}
"#
    .replace("VERSION", env!("CARGO_PKG_VERSION"));
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, 1);
}

#[test]
fn json_columns_count_characters() {
    let dir = tree(&[(
        ".claude/agents/a.md",
        "\u{feff}---\nname: a\ndescription: Für 🎉 Tests\nmodle: x\n---\nBody\n",
    )]);
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diagnostic = &value["diagnostics"][0];
    assert_eq!(diagnostic["code"], "unknown-field");
    assert_eq!(
        (&diagnostic["line"], &diagnostic["column"]),
        (&4.into(), &1.into())
    );
}

#[test]
fn github_format() {
    let dir = good_and_broken();
    let run = agentls(dir.path(), &["check", "--format", "github"]);
    let expected = "\
::warning file=.claude/agents/broken.md,line=4,col=1,endLine=4,endColumn=6,title=agentls (unknown-field)::unknown field `modle` for a Claude Code subagent: did you mean `model`? (Claude Code ignores it)%0Ahelp: Rename to `model`
::error file=.claude/agents/broken.md,line=5,col=8,endLine=5,endColumn=15,title=agentls (invalid-value)::`magenta` is not a valid `color`: use one of `red`, `blue`, `green`, `yellow`, `purple`, `orange`, `pink`, `cyan` (names are case-sensitive; hex colors are not supported); Claude Code ignores this value
";
    assert_eq!(run.stdout, expected);
    assert_eq!(run.code, 1);
}

#[test]
fn sarif_format() {
    let dir = good_and_broken();
    let run = agentls(dir.path(), &["check", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run0 = &sarif["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "agentls");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["invalid-value", "unknown-field"]);
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "unknown-field");
    assert_eq!(results[0]["level"], "warning");
    assert_eq!(results[1]["level"], "error");
    let location = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        ".claude/agents/broken.md"
    );
    assert_eq!(location["region"]["startLine"], 5);
    assert_eq!(location["region"]["startColumn"], 8);
    assert_eq!(location["region"]["endLine"], 5);
    assert_eq!(location["region"]["endColumn"], 15);
    assert_eq!(run.code, 1);
}

#[test]
fn exit_codes() {
    let clean = tree(&[(".claude/agents/good.md", GOOD)]);
    let run = agentls(clean.path(), &["check", "--color", "never"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "no problems in 1 file\n")
    );

    let warnings = tree(&[(".claude/agents/w.md", WARNING_ONLY)]);
    assert_eq!(agentls(warnings.path(), &["check"]).code, 0);
    assert_eq!(
        agentls(warnings.path(), &["check", "--deny-warnings"]).code,
        1
    );

    let broken = tree(&[(".claude/agents/b.md", BROKEN)]);
    assert_eq!(agentls(broken.path(), &["check"]).code, 1);

    let empty = tree(&[("notes.txt", "nothing here")]);
    let run = agentls(empty.path(), &["check"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "no agent files found\n")
    );
}

#[test]
fn usage_and_run_failures_exit_2() {
    let dir = tree(&[(".claude/agents/good.md", GOOD)]);
    let missing = agentls(dir.path(), &["check", "does-not-exist"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("does-not-exist"),
        "{}",
        missing.stderr
    );
    assert_eq!(missing.stdout, "");

    let bad_format = agentls(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(bad_format.code, 2);

    let bad_dialect = agentls(dir.path(), &["check", "--dialect", "nope"]);
    assert_eq!(bad_dialect.code, 2);
    assert!(
        bad_dialect.stderr.contains("claude-agent"),
        "{}",
        bad_dialect.stderr
    );
}

#[test]
fn explicit_files() {
    let dir = tree(&[
        // Outside any agent folder, with subagent frontmatter: named, it is checked as one.
        ("notes.md", WARNING_ONLY),
        // No frontmatter, no agent path: named, it is skipped with a note.
        ("README.md", "# Readme\n"),
        // An AGENTS.md: an instruction file without frontmatter, skipped with a note saying so.
        ("AGENTS.md", "# Conventions\n"),
    ]);
    let run = agentls(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "notes.md",
            "README.md",
            "AGENTS.md",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["files"][0]["path"], "notes.md");
    assert_eq!(value["files"][0]["dialect"], "claude-agent");
    assert_eq!(value["files"].as_array().unwrap().len(), 1);
    assert_eq!(value["diagnostics"][0]["code"], "unknown-field");
    assert!(
        run.stderr.contains("note: `README.md` is not checked"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`AGENTS.md` is not checked: looks like an AGENTS.md instruction file"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 0);

    // Walking the same folder checks none of them.
    let walked = agentls(dir.path(), &["check", "--color", "never"]);
    assert_eq!(walked.stdout, "no agent files found\n");

    // `--dialect` forces a named file through.
    let forced = agentls(
        dir.path(),
        &[
            "check",
            "--dialect",
            "claude-agent",
            "--format",
            "json",
            "README.md",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&forced.stdout).unwrap();
    assert_eq!(value["files"][0]["dialect"], "claude-agent");
    assert_eq!(value["diagnostics"][0]["code"], "missing-frontmatter");
    assert_eq!(forced.code, 1);
}

#[test]
fn collection_layouts() {
    let dir = tree(&[
        // A collection's `agents/` folder: name + description is enough.
        (
            "collection/agents/reviewer.md",
            "---\nname: reviewer\ndescription: Reviews.\n---\nBody\n",
        ),
        // Elsewhere, the frontmatter must fit strongly (name, description and a subagent field).
        (
            "categories/01-core/api.md",
            "---\nname: api\ndescription: APIs.\ntools: Read\n---\nBody\n",
        ),
        // Name and description alone outside any layout: not checked…
        (
            "tools/catalog/notes.md",
            "---\nname: notes\ndescription: Notes.\n---\nBody\n",
        ),
        // …unless the body takes `$ARGUMENTS`: a command.
        (
            "tools/catalog/search.md",
            "---\nname: search\ndescription: Search.\n---\nFind $ARGUMENTS.\n",
        ),
        // A plugin-shaped folder (`agents/` and `commands/`): its command needs no frontmatter.
        (
            "plugins/p/agents/a.md",
            "---\nname: a\ndescription: A.\n---\n",
        ),
        ("plugins/p/commands/run.md", "Run the tests.\n"),
        (
            "plugins/p/skills/s/SKILL.md",
            "---\nname: s\ndescription: S.\nmodel: sonnet\n---\n",
        ),
        // A skill's other pages are not agent files.
        ("plugins/p/skills/s/reference.md", "---\nname: ref\n---\n"),
        // A Cursor rule outside `.cursor/rules/`, as rule collections keep them.
        (
            "rules/ts.mdc",
            "---\ndescription: TS\nglobs: *.ts\nalwaysApply: false\n---\nUse strict.\n",
        ),
        // A documentation folder named `commands` is not a plugin: frontmatter must decide.
        ("docs/commands/install.md", "# Install\n"),
        (
            "copilot/agents/x.agent.md",
            "---\nname: x\ndescription: X.\ntools: ['read']\n---\n",
        ),
        (
            "collection/agents/README.md",
            "---\nname: readme\ndescription: Not an agent.\n---\n",
        ),
    ]);
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(&str, &str)> = value["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap(),
                file["dialect"].as_str().unwrap(),
            )
        })
        .collect();
    // `x.agent.md` is a GitHub Copilot agent by its name: checked as that dialect.
    assert_eq!(
        found,
        [
            ("categories/01-core/api.md", "claude-agent"),
            ("collection/agents/reviewer.md", "claude-agent"),
            ("copilot/agents/x.agent.md", "copilot-agent"),
            ("plugins/p/agents/a.md", "claude-agent"),
            ("plugins/p/commands/run.md", "claude-command"),
            ("plugins/p/skills/s/SKILL.md", "claude-skill"),
            ("rules/ts.mdc", "cursor-rule"),
            ("tools/catalog/search.md", "claude-command"),
        ]
    );
}

#[test]
fn ignore_files_are_respected_and_hidden_folders_walked() {
    let dir = tree(&[
        (".claude/agents/good.md", GOOD),
        ("vendor/.claude/agents/broken.md", BROKEN),
        ("build/.claude/agents/broken.md", BROKEN),
        (".gitignore", "vendor/\n"),
        (".ignore", "build/\n"),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), ".git/agents/x.md", BROKEN.as_bytes());
    let run = agentls(dir.path(), &["check", "--color", "never"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "no problems in 1 file\n")
    );
    // Named explicitly, an ignored file is checked.
    let named = agentls(dir.path(), &["check", "vendor/.claude/agents/broken.md"]);
    assert_eq!(named.code, 1);
}

#[test]
fn unreadable_non_utf8_and_binary_files_are_reported() {
    let dir = tree(&[(".claude/agents/good.md", GOOD)]);
    write(
        dir.path(),
        ".claude/agents/latin1.md",
        b"---\nname: caf\xe9\n---\n",
    );
    write(
        dir.path(),
        ".claude/agents/image.md",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    );
    write(
        dir.path(),
        ".claude/agents/nul.md",
        b"---\nname: a\0b\n---\n",
    );
    // Not an agent location: a non-UTF-8 Markdown file elsewhere is not an agent file.
    write(dir.path(), "docs/old.md", b"caf\xe9\n");
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, String, u64, u64)> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        (".claude/agents/image.md", "not-utf8", 1, 1),
        (".claude/agents/latin1.md", "not-utf8", 2, 10),
        (".claude/agents/nul.md", "not-utf8", 2, 8),
    ];
    let expected: Vec<(String, String, u64, u64)> = expected
        .iter()
        .map(|(p, c, l, col)| ((*p).to_owned(), (*c).to_owned(), *l, *col))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(value["summary"]["files"], 4);
    assert_eq!(run.code, 1);

    // The human format shows where the bad byte is.
    let human = agentls(
        dir.path(),
        &["check", "--color", "never", ".claude/agents/latin1.md"],
    );
    assert!(human.stdout.contains("error[not-utf8]"), "{}", human.stdout);
    assert!(
        human.stdout.contains(" --> .claude/agents/latin1.md:2:10"),
        "{}",
        human.stdout
    );
}

#[test]
fn huge_files_are_reported_without_being_read() {
    let dir = tree(&[(".claude/agents/good.md", GOOD)]);
    // A sparse 65 MiB file: over the 64 MiB cap, cheap to create.
    let huge = std::fs::File::create(dir.path().join(".claude/agents/huge.md")).unwrap();
    huge.set_len(65 * 1024 * 1024).unwrap();
    let run = agentls(dir.path(), &["check", "--color", "never"]);
    assert!(
        run.stdout
            .starts_with("error[file-too-large]: this file is 68157440 bytes"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("1 error in 2 files\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1);
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_diagnostics_not_crashes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[
        (".claude/agents/good.md", GOOD),
        (".claude/agents/secret.md", GOOD),
    ]);
    let secret = dir.path().join(".claude/agents/secret.md");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Not a regular file (and opening a FIFO or device must not block).
    std::os::unix::fs::symlink("/dev/null", dir.path().join(".claude/agents/device.md")).unwrap();
    let run = agentls(
        dir.path(),
        &["check", "--format", "json", ".", ".claude/agents/device.md"],
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let unreadable: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unreadable-file")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    // Root reads files whatever their permissions.
    let root = std::fs::read(&secret).is_ok();
    let expected: &[&str] = if root {
        &[".claude/agents/device.md"]
    } else {
        &[".claude/agents/device.md", ".claude/agents/secret.md"]
    };
    assert_eq!(unreadable, expected);
    assert_eq!(value["summary"]["files"], 3);
    assert_eq!(run.code, 1);
}

#[test]
fn examples_folder_shows_real_problems() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let run = agentls(&examples, &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut codes: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    for code in [
        "comment-in-value",
        "frontmatter-cut-short",
        "invalid-value",
        "missing-required-field",
        "not-strict-yaml",
        "unknown-field",
        "unknown-tool",
    ] {
        assert!(codes.contains(&code), "examples show `{code}`: {codes:?}");
    }
    assert_eq!(value["summary"]["files"], 7, "the README is not linted");
    assert_eq!(run.code, 1);
}

#[test]
fn chat_mode_migration_is_reported_not_applied() {
    let dir = tree(&[(
        ".github/chatmodes/plan.chatmode.md",
        "---\ndescription: Plans\n---\nPlan.\n",
    )]);
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diagnostic = &value["diagnostics"][0];
    assert_eq!(diagnostic["code"], "deprecated-file");
    let fix = &diagnostic["fixes"][0];
    assert_eq!(fix["title"], "Migrate to custom agent file");
    assert_eq!(fix["safe"], false);
    assert_eq!(fix["rename"], ".github/agents/plan.agent.md");
    // `--fix` applies safe fixes only: the file stays where it is.
    let fixed = agentls(dir.path(), &["check", "--fix"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert!(
        dir.path()
            .join(".github/chatmodes/plan.chatmode.md")
            .is_file()
    );
    assert!(!dir.path().join(".github/agents").exists());
}
