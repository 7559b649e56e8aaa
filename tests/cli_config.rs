//! `agentls check` with a `.agentls.yaml`: extra tools and fields, rule levels, dialect overrides,
//! ignored files, suppression comments, and a broken configuration failing the run.

mod cli_common;

use cli_common::{agentls, tree};

const CONFIG: &str = "\
tools: [mcp__tracker__*]
fields:
  claude-agent: [team]
rules:
  unknown-model: off
  empty-body: error
dialects:
  \"prompts/**/*.md\": copilot-prompt
ignore:
  - \"vendor/**\"
";

const AGENT: &str = "---\nname: reviewer\ndescription: Reviews code\nteam: core\nmood: calm\nmodel: gpt-5\ntools: Read, mcp__tracker__create, Bassh\n---\n";

fn codes(run: &cli_common::Run) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                format!("{}:{}", d["path"].as_str().unwrap(), d["line"]),
                format!(
                    "{} {}",
                    d["severity"].as_str().unwrap(),
                    d["code"].as_str().unwrap()
                ),
            )
        })
        .collect()
}

#[test]
fn the_configuration_shapes_the_report() {
    let dir = tree(&[
        (".agentls.yaml", CONFIG),
        (".claude/agents/reviewer.md", AGENT),
        ("vendor/.claude/agents/broken.md", "no frontmatter\n"),
        ("prompts/team/review.md", "---\nmode: agent\n---\nReview.\n"),
    ]);
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        codes(&run),
        [
            (
                ".claude/agents/reviewer.md:5".to_owned(),
                "warning unknown-field".to_owned()
            ),
            (
                ".claude/agents/reviewer.md:7".to_owned(),
                "warning unknown-tool".to_owned()
            ),
            // `empty-body` raised to an error by the configuration.
            (
                ".claude/agents/reviewer.md:8".to_owned(),
                "error empty-body".to_owned()
            ),
            // Not a Copilot path, but the configuration says it is one.
            (
                "prompts/team/review.md:2".to_owned(),
                "warning deprecated-field".to_owned()
            ),
        ],
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "empty-body is an error now");

    // The same configuration is found from a subfolder.
    let nested = agentls(&dir.path().join("prompts"), &["check", "--format", "json"]);
    assert_eq!(
        codes(&nested),
        [(
            "team/review.md:2".to_owned(),
            "warning deprecated-field".to_owned()
        )]
    );
}

#[test]
fn suppression_comments_silence_single_findings() {
    // (The Markdown heading at the end is body text, not a frontmatter comment: it silences
    // nothing.)
    let dir = tree(&[(
        ".claude/agents/a.md",
        "---\n# agentls-disable unknown-model\nname: a\ndescription: A\nmodel: gpt-5\nmood: calm\n---\n<!-- agentls-disable-next-line unbalanced-tags -->\n<example>\nBody\n# agentls-disable unknown-field\n",
    )]);
    let run = agentls(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        codes(&run),
        [(
            ".claude/agents/a.md:6".to_owned(),
            "warning unknown-field".to_owned()
        )],
        "{}",
        run.stdout
    );
}

#[test]
fn a_broken_configuration_fails_the_run() {
    let dir = tree(&[
        (".agentls.yaml", "rules:\n  unknown-modle: off\n"),
        (".claude/agents/a.md", AGENT),
    ]);
    let run = agentls(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid configuration")
            && run
                .stderr
                .contains("line 2: unknown rule `unknown-modle` (did you mean `unknown-model`?)"),
        "{}",
        run.stderr
    );
    // `--config` names another file.
    std::fs::write(
        dir.path().join("other.yaml"),
        "rules:\n  unknown-field: off\n",
    )
    .unwrap();
    let other = agentls(
        dir.path(),
        &["check", "--config", "other.yaml", "--format", "json"],
    );
    assert!(
        !codes(&other)
            .iter()
            .any(|(_, code)| code.ends_with("unknown-field")),
        "{}",
        other.stdout
    );
}
