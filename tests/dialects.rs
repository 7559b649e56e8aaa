//! One fixture per dialect: detection by path, a misspelt field flagged with its did-you-mean,
//! completion of the dialect's own fields and values, hover from its schema, and the per-tool
//! leniency rules (Claude Code's fallback applies to Claude files only).

use std::path::Path;

use agentls::analysis::{Analysis, Severity};

/// `(path, dialect, document with a `$0` cursor on an empty frontmatter line)`.
const FIXTURES: &[(&str, &str, &str)] = &[
    (
        "/p/.claude/commands/deploy.md",
        "claude-command",
        "---\ndescription: Deploy\n$0\n---\nDeploy $ARGUMENTS\n",
    ),
    (
        "/p/.claude/skills/pdf/SKILL.md",
        "claude-skill",
        "---\nname: pdf\ndescription: Fill PDF forms\n$0\n---\nUse the PDF tools.\n",
    ),
    (
        "/p/.agents/skills/pdf/SKILL.md",
        "agent-skill",
        "---\nname: pdf\ndescription: Fill PDF forms\n$0\n---\nUse the PDF tools.\n",
    ),
    (
        "/p/.claude/output-styles/terse.md",
        "claude-output-style",
        "---\nname: Terse\n$0\n---\nBe brief.\n",
    ),
    (
        "/p/.github/agents/reviewer.agent.md",
        "copilot-agent",
        "---\ndescription: Reviews\n$0\n---\nReview.\n",
    ),
    (
        "/p/.github/chatmodes/plan.chatmode.md",
        "copilot-chatmode",
        "---\ndescription: Plans\n$0\n---\nPlan.\n",
    ),
    (
        "/p/.github/prompts/fix.prompt.md",
        "copilot-prompt",
        "---\ndescription: Fix it\n$0\n---\nFix.\n",
    ),
    (
        "/p/.github/instructions/ts.instructions.md",
        "copilot-instructions",
        "---\napplyTo: '**/*.ts'\n$0\n---\nUse strict TS.\n",
    ),
    (
        "/p/.cursor/rules/style.mdc",
        "cursor-rule",
        "---\ndescription: Style\n$0\n---\nTabs.\n",
    ),
    (
        "/p/.cursor/agents/verifier.md",
        "cursor-subagent",
        "---\nname: verifier\ndescription: Verifies\n$0\n---\nVerify.\n",
    ),
    (
        "/p/.opencode/agent/review.md",
        "opencode-agent",
        "---\ndescription: Reviews\n$0\n---\nReview.\n",
    ),
    (
        "/p/.opencode/command/test.md",
        "opencode-command",
        "---\ndescription: Test\n$0\n---\nRun $ARGUMENTS.\n",
    ),
    (
        "/p/.gemini/agents/helper.md",
        "gemini-subagent",
        "---\nname: helper\ndescription: Helps\n$0\n---\nHelp.\n",
    ),
    (
        "/p/.kiro/steering/tech.md",
        "kiro-steering",
        "---\n$0\n---\nStack.\n",
    ),
    (
        "/p/.windsurf/rules/style.md",
        "windsurf-rule",
        "---\n$0\n---\nStyle.\n",
    ),
    (
        "/p/.factory/droids/reviewer.md",
        "factory-droid",
        "---\nname: reviewer\n$0\n---\nReview.\n",
    ),
    (
        "/home/u/.codex/prompts/explain.md",
        "codex-prompt",
        "---\n$0\n---\nExplain.\n",
    ),
];

fn analyse(path: &str, text: &str) -> Analysis {
    Analysis::from_text(Some(Path::new(path)), text)
}

#[test]
fn each_dialect_is_detected_completes_and_hovers_its_own_fields() {
    for (path, dialect, fixture) in FIXTURES {
        let offset = fixture.find("$0").unwrap();
        let text = fixture.replacen("$0", "", 1);
        let analysis = analyse(path, &text);
        assert_eq!(analysis.dialect(), Some(*dialect), "{path}");
        let schema = agentls::schema::Registry::get().by_id(dialect).unwrap();
        let labels: Vec<String> = analysis
            .completion(offset)
            .into_iter()
            .map(|item| item.label)
            .collect();
        assert!(!labels.is_empty(), "{dialect}: no completion");
        for label in &labels {
            assert!(
                schema.field(label).is_some(),
                "{dialect}: offered `{label}`, not one of its fields"
            );
        }
        // Keys already present are not offered again.
        let present = text
            .lines()
            .nth(1)
            .and_then(|line| line.split_once(':'))
            .map(|(key, _)| key);
        if let Some(present) = present {
            assert!(
                !labels.iter().any(|l| l == present),
                "{dialect}: re-offers `{present}`"
            );
        }
        // Hover on the first completed field, once written, comes from this dialect's schema.
        let field = &labels[0];
        let written = text.replacen("\n\n---", &format!("\n{field}: x\n---"), 1);
        let key_offset = written.find(&format!("\n{field}:")).unwrap() + 1;
        let hover = analyse(path, &written)
            .hover(key_offset)
            .unwrap_or_else(|| panic!("{dialect}: no hover on {field}"));
        assert!(
            hover.markdown.starts_with(&format!("**`{field}`**")),
            "{dialect}: {}",
            hover.markdown
        );
        // The clean fixture has no error.
        let errors: Vec<_> = analysis
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{dialect}: {errors:#?}");
    }
}

#[test]
fn misspelt_fields_get_a_did_you_mean_in_every_dialect() {
    for (path, dialect, fixture) in FIXTURES {
        let schema = agentls::schema::Registry::get().by_id(dialect).unwrap();
        let field = &schema
            .fields
            .iter()
            .find(|f| f.name.len() >= 5)
            .unwrap()
            .name;
        // Swap two letters in the middle: one transposition away.
        let mut letters: Vec<char> = field.chars().collect();
        letters.swap(2, 3);
        let typo: String = letters.into_iter().collect();
        if schema.field(&typo).is_some() {
            continue;
        }
        let text = fixture.replacen("$0", &format!("{typo}: x"), 1);
        let diagnostics = analyse(path, &text).diagnostics();
        let unknown = diagnostics
            .iter()
            .find(|d| d.code == "unknown-field")
            .unwrap_or_else(|| panic!("{dialect}: {diagnostics:#?}"));
        assert!(
            unknown.message.contains(&format!("did you mean `{field}`")),
            "{dialect}: {}",
            unknown.message
        );
        assert!(
            unknown.message.contains(&schema.tool),
            "{dialect}: names its tool: {}",
            unknown.message
        );
        assert_eq!(&text[unknown.range.start..unknown.range.end], typo);
    }
}

#[test]
fn values_and_deprecations() {
    let modes = analyse(
        "/p/.opencode/agent/r.md",
        "---\ndescription: d\nmode: $0\n---\nB\n"
            .replace("$0", "")
            .as_str(),
    )
    .completion("---\ndescription: d\nmode: ".len());
    let labels: Vec<&str> = modes.iter().map(|item| item.label.as_str()).collect();
    assert_eq!(labels, ["primary", "subagent", "all"]);

    let prompt = "---\ndescription: d\nmode: agent\n---\nB\n";
    let diagnostics = analyse("/p/.github/prompts/x.prompt.md", prompt).diagnostics();
    let deprecated = diagnostics
        .iter()
        .find(|d| d.code == "deprecated-field")
        .expect("`mode` is deprecated");
    assert_eq!(
        &prompt[deprecated.range.start..deprecated.range.end],
        "mode"
    );
    assert_eq!(deprecated.fixes[0].edits[0].new_text, "agent");

    let ignored = analyse(
        "/p/.claude/commands/x.md",
        "---\nname: x\ndescription: d\n---\nB\n",
    )
    .diagnostics();
    assert!(
        ignored.iter().any(|d| d.code == "ignored-field"),
        "{ignored:#?}"
    );
}

#[test]
fn skill_names_follow_their_folder() {
    let diagnostics = analyse(
        "/p/.claude/skills/pdf-tools/SKILL.md",
        "---\nname: pdf\ndescription: d\n---\nB\n",
    )
    .diagnostics();
    let mismatch = diagnostics
        .iter()
        .find(|d| d.code == "name-folder-mismatch")
        .expect("name ≠ folder");
    assert!(mismatch.message.contains("`pdf-tools`"));
    assert_eq!(mismatch.fixes[0].edits[0].new_text, "pdf-tools");
}

#[test]
fn leniency_is_per_tool() {
    // Cursor reads unquoted globs; strict YAML would take `*` for an alias. No warning there.
    let cursor = "---\ndescription: TS\nglobs: **/*.ts, src/**\nalwaysApply: false\n---\nRule.\n";
    let diagnostics = analyse("/p/.cursor/rules/ts.mdc", cursor).diagnostics();
    assert!(
        diagnostics
            .iter()
            .all(|d| d.code != "not-strict-yaml" && d.code != "invalid-yaml"),
        "{diagnostics:#?}"
    );
    // The same non-strict line in a Claude file is a portability warning (the fallback rescues it).
    let claude = "---\nname: a\ndescription: Use it: now\n---\nBody\n";
    let diagnostics = analyse("/p/.claude/agents/a.md", claude).diagnostics();
    assert!(diagnostics.iter().any(|d| d.code == "not-strict-yaml"));
    // An invalid glob is reported.
    let broken = "---\ndescription: TS\nglobs: \"src/[a-\"\n---\nRule.\n";
    let diagnostics = analyse("/p/.cursor/rules/ts.mdc", broken).diagnostics();
    assert!(
        diagnostics.iter().any(|d| d.code == "invalid-glob"),
        "{diagnostics:#?}"
    );
}

#[test]
fn commands_without_frontmatter_are_fine_but_agents_are_not() {
    assert!(
        analyse("/p/.claude/commands/x.md", "Run the tests.\n")
            .diagnostics()
            .is_empty()
    );
    let agent = analyse("/p/.claude/agents/x.md", "Run the tests.\n").diagnostics();
    assert_eq!(agent[0].code, "missing-frontmatter");
}

#[test]
fn strict_readers_have_no_fallback() {
    // Kiro's reader is assumed strict: the line Claude Code's fallback would rescue is an error.
    let text = "---\ninclusion: always\ndescription: Use it: now\n---\nSteer.\n";
    let diagnostics = analyse("/p/.kiro/steering/tech.md", text).diagnostics();
    let invalid = diagnostics
        .iter()
        .find(|d| d.code == "invalid-yaml")
        .expect("strict YAML failure");
    assert_eq!(invalid.severity, Severity::Error);
    assert!(
        invalid
            .message
            .starts_with("Kiro reads the frontmatter as strict YAML"),
        "{}",
        invalid.message
    );
    // ` #` still cuts plain values in a strict reader.
    let text = "---\ninclusion: always\ndescription: see #42 # later\n---\nSteer.\n";
    let diagnostics = analyse("/p/.kiro/steering/tech.md", text).diagnostics();
    assert!(
        diagnostics.iter().any(|d| d.code == "comment-in-value"),
        "{diagnostics:#?}"
    );
}

/// A temporary project folder with files, removed on drop.
struct Project(std::path::PathBuf);

impl Project {
    fn new(files: &[&str]) -> Self {
        let root = std::env::temp_dir().join(format!(
            "agentls-body-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        Self(root)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn codes_at(path: &Path, text: &str) -> Vec<(String, String)> {
    Analysis::from_text(Some(path), text)
        .diagnostics()
        .into_iter()
        .map(|d| {
            (
                d.code.to_owned(),
                text[d.range.start..d.range.end].to_owned(),
            )
        })
        .collect()
}

#[test]
fn inline_shell_needs_a_bash_grant() {
    let path = Path::new("/p/.claude/commands/commit.md");
    let text = "---\ndescription: Commit\nallowed-tools: Bash(git status:*), Bash(git diff:*)\n---\nStatus: !`git status --short`\nLog: !`git log -3`\n```!\ngit diff --stat\nrm -rf build\n```\n";
    let found = codes_at(path, text);
    assert_eq!(
        found,
        [
            ("shell-not-allowed".to_owned(), "!`git log -3`".to_owned()),
            ("shell-not-allowed".to_owned(), "rm -rf build".to_owned()),
        ]
    );
    let analysis = Analysis::from_text(Some(path), text);
    let error = analysis.diagnostics().into_iter().next().unwrap();
    assert_eq!(error.severity, Severity::Error);
    assert!(
        error.message.contains("add e.g. `Bash(git:*)`"),
        "{}",
        error.message
    );
    // Outside any Bash grant field (Copilot prompts have no inline shell), nothing is checked.
    assert!(
        codes_at(
            Path::new("/p/.github/prompts/x.prompt.md"),
            "---\ndescription: d\n---\n!`ls`\n"
        )
        .is_empty()
    );
}

#[test]
fn file_references_resolve_against_the_right_base() {
    let project = Project::new(&["src/main.rs", ".github/prompts/notes.md"]);
    let command = project.0.join(".claude/commands/review.md");
    let text = "---\ndescription: Review\n---\nRead @src/main.rs and @src/missing.rs, ping @octocat, skip @/etc/passwd and @../secret.md\n";
    assert_eq!(
        codes_at(&command, text),
        [("missing-file".to_owned(), "@src/missing.rs".to_owned())]
    );
    // Copilot's #file: is relative to the prompt file itself.
    let prompt = project.0.join(".github/prompts/fix.prompt.md");
    let text = "---\ndescription: Fix\n---\nSee #file:notes.md and #file:gone.md\n";
    assert_eq!(
        codes_at(&prompt, text),
        [("missing-file".to_owned(), "#file:gone.md".to_owned())]
    );
    // Kiro includes are relative to the workspace.
    let steering = project.0.join(".kiro/steering/tech.md");
    let text = "---\ninclusion: always\n---\n#[[file:src/main.rs]] #[[file:docs/api.md]]\n";
    assert_eq!(
        codes_at(&steering, text),
        [(
            "missing-file".to_owned(),
            "#[[file:docs/api.md]]".to_owned()
        )]
    );
}

#[test]
fn variables_and_arguments_hover() {
    let path = Path::new("/p/.claude/skills/fix/SKILL.md");
    let text = "---\nname: fix\ndescription: Fix\narguments: [issue]\n---\nFix $issue ($ARGUMENTS, $0) in ${CLAUDE_PROJECT_DIR} with ${CLAUDE_PLUGIN_ROOT} and ${CLAUDE_NOPE}; $HOME stays.\n";
    let analysis = Analysis::from_text(Some(path), text);
    let hover = |needle: &str| {
        analysis
            .hover(text.find(needle).unwrap() + 1)
            .map(|h| h.markdown)
            .unwrap_or_default()
    };
    assert!(hover("$issue").contains("declared as `issue`"));
    assert!(hover("$ARGUMENTS").starts_with("**`$ARGUMENTS`**"));
    assert!(hover("$0").contains("0-based"));
    assert!(hover("${CLAUDE_PROJECT_DIR}").contains("project's root folder"));
    assert_eq!(hover("$HOME"), "");
    let found = codes_at(path, text);
    assert_eq!(
        found,
        [
            (
                "plugin-variable".to_owned(),
                "${CLAUDE_PLUGIN_ROOT}".to_owned()
            ),
            ("unknown-variable".to_owned(), "${CLAUDE_NOPE}".to_owned()),
        ]
    );
}

#[test]
fn cursor_rule_type_shows_in_hover() {
    let path = Path::new("/p/.cursor/rules/ts.mdc");
    for (frontmatter, kind) in [
        ("description: TS style\nalwaysApply: true", "Always"),
        (
            "description: TS style\nglobs: src/**/*.ts\nalwaysApply: false",
            "Auto Attached",
        ),
        (
            "description: TS style\nalwaysApply: false",
            "Agent Requested",
        ),
        ("alwaysApply: false", "Manual"),
    ] {
        let text = format!("---\n{frontmatter}\n---\nRule.\n");
        let hover = analyse(path.to_str().unwrap(), &text)
            .hover(5)
            .expect("hover on the first key");
        assert!(
            hover
                .markdown
                .contains(&format!("This Cursor rule is **{kind}**")),
            "{frontmatter}: {}",
            hover.markdown
        );
    }
}

#[test]
fn chat_modes_are_deprecated() {
    let found = codes_at(
        Path::new("/p/.github/chatmodes/plan.chatmode.md"),
        "---\ndescription: Plan\n---\nPlan.\n",
    );
    assert_eq!(found, [("deprecated-file".to_owned(), "---".to_owned())]);
}

#[test]
fn copilot_tool_references_and_variables() {
    let path = Path::new("/p/.github/prompts/fix.prompt.md");
    let text = "---\ndescription: Fix\ntools: ['search', 'edit']\n---\nUse #tool:search and #tool:fetch on ${input:issue:Issue number}.\n";
    assert_eq!(
        codes_at(path, text),
        [("tool-not-enabled".to_owned(), "#tool:fetch".to_owned())]
    );
    let analysis = Analysis::from_text(Some(path), text);
    let hover = analysis.hover(text.find("${input").unwrap() + 3).unwrap();
    assert!(
        hover.markdown.contains("asks the user for"),
        "{}",
        hover.markdown
    );
    // Without a `tools` list every tool is available: nothing to flag.
    let text = "---\ndescription: Fix\n---\nUse #tool:fetch.\n";
    assert!(codes_at(path, text).is_empty());
}

#[test]
fn windsurf_rules_are_cut_at_12000_characters() {
    let path = Path::new("/p/.windsurf/rules/style.md");
    let text = format!(
        "---\ntrigger: always_on\n---\n{}\ntail\n",
        "é".repeat(12_000)
    );
    let found = Analysis::from_text(Some(path), &text).diagnostics();
    let long = found
        .iter()
        .find(|d| d.code == "file-too-long")
        .expect("over the limit");
    assert_eq!(text[..long.range.start].chars().count(), 12_000);
    assert!(
        long.message
            .contains("Windsurf reads at most 12000 characters"),
        "{}",
        long.message
    );
    let short = "---\ntrigger: always_on\n---\nShort.\n";
    assert!(
        Analysis::from_text(Some(path), short)
            .diagnostics()
            .is_empty()
    );
}

#[test]
fn opencode_commands_count_arguments_from_one() {
    let path = Path::new("/p/.opencode/command/test.md");
    let text = "---\ndescription: Test\nsubtask: true\n---\nRun tests for $1 with $ARGUMENTS\n";
    let analysis = Analysis::from_text(Some(path), text);
    assert_eq!(analysis.dialect(), Some("opencode-command"));
    assert!(
        analysis.diagnostics().is_empty(),
        "{:#?}",
        analysis.diagnostics()
    );
    let hover = analysis.hover(text.find("$1").unwrap() + 1).unwrap();
    assert!(
        hover.markdown.contains("1-based in OpenCode"),
        "{}",
        hover.markdown
    );
}
