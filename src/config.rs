//! `.agentls.yaml`: a workspace's own settings (extra tools and fields, rule severities, dialect
//! overrides, ignored files), and inline suppression comments, applied to diagnostics.
//!
//! The analysis itself never sees the configuration: [`Settings::apply`] filters and re-grades
//! its diagnostics afterwards, so one analysis serves every configuration and the server can
//! swap the configuration (hot reload) without re-analysing anything.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::analysis::{Diagnostic, Severity};
use crate::schema::{ConfigSchema, DialectOverrides, Registry};
use crate::syntax::{Entry, Frontmatter, Node, NodeKind, parse_frontmatter};
use crate::text::{TextRange, line_start};

/// The configuration file's name, looked for at a workspace root (and, by `agentls check`, in
/// the current directory and its ancestors).
pub const FILE_NAME: &str = ".agentls.yaml";

/// A diagnostic code agentls reports: a key `rules:` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable kebab-case code, e.g. `unknown-field`.
    pub code: &'static str,
    /// What the rule reports, in one line (completion and hover in `.agentls.yaml`).
    pub summary: &'static str,
}

impl Rule {
    const fn new(code: &'static str, summary: &'static str) -> Self {
        Self { code, summary }
    }

    /// The rule with this code.
    pub fn get(code: &str) -> Option<&'static Self> {
        RULES.iter().find(|rule| rule.code == code)
    }
}

/// Every diagnostic code agentls reports, sorted: the keys `rules:` accepts.
pub const RULES: &[Rule] = &[
    Rule::new(
        "blank-line-before-frontmatter",
        "A blank line before the opening `---`: the tool finds no frontmatter",
    ),
    Rule::new(
        "comment-in-value",
        "` #` in a plain value starts a YAML comment and silently cuts the value",
    ),
    Rule::new(
        "deprecated-field",
        "A field the tool still reads but has replaced",
    ),
    Rule::new(
        "deprecated-file",
        "A kind of file the tool has replaced (Copilot chat modes)",
    ),
    Rule::new("duplicate-key", "A key set twice: the last one wins"),
    Rule::new(
        "duplicate-name",
        "Another file of the same kind and scope declares the same name",
    ),
    Rule::new("duplicate-tool", "A tool listed twice"),
    Rule::new("empty-body", "No body: the agent has no system prompt"),
    Rule::new("file-too-large", "Over 1 MiB: Claude Code skips the file"),
    Rule::new(
        "file-too-long",
        "Past the tool's character limit: the rest is cut",
    ),
    Rule::new(
        "frontmatter-cut-short",
        "A `---` inside a value ends the frontmatter there",
    ),
    Rule::new(
        "frontmatter-not-a-mapping",
        "The frontmatter is a list or a single value",
    ),
    Rule::new("ignored-field", "A field this kind of file does not use"),
    Rule::new(
        "ignored-in-plugin",
        "A field plugin agents ignore (`permissionMode`, `hooks`, `mcpServers`…)",
    ),
    Rule::new(
        "invalid-glob",
        "A glob in `applyTo`, `globs` or `paths` that does not compile",
    ),
    Rule::new(
        "invalid-tool-entry",
        "A non-string entry in a tools list: it is dropped",
    ),
    Rule::new(
        "invalid-type",
        "A value of the wrong type (`name: 123`, `description: [a, b]`…)",
    ),
    Rule::new(
        "invalid-value",
        "A value the tool drops (an unknown `color`, `permissionMode`…)",
    ),
    Rule::new(
        "invalid-value-rejected",
        "A value that makes the tool reject the whole file",
    ),
    Rule::new(
        "invalid-yaml",
        "YAML the tool cannot parse: the whole block is ignored",
    ),
    Rule::new(
        "legacy-tool",
        "A legacy tool name that still works (`Task` → `Agent`)",
    ),
    Rule::new(
        "missing-file",
        "A body file reference (`@path`) to a file that does not exist",
    ),
    Rule::new(
        "missing-frontmatter",
        "No `---` frontmatter: the tool ignores the file",
    ),
    Rule::new(
        "missing-required-field",
        "A required field is missing or empty",
    ),
    Rule::new(
        "name-convention",
        "`name` is not lowercase-hyphenated (a convention)",
    ),
    Rule::new(
        "name-folder-mismatch",
        "A skill's `name` differs from its folder, which the tool goes by",
    ),
    Rule::new(
        "not-strict-yaml",
        "Valid only thanks to Claude Code's fallback: other tools reject the file",
    ),
    Rule::new(
        "not-utf8",
        "`agentls check` could not read the file as UTF-8 text",
    ),
    Rule::new(
        "plugin-variable",
        "A `${…}` variable the tool sets only in plugins",
    ),
    Rule::new(
        "shell-not-allowed",
        "Inline shell that no `allowed-tools` `Bash(…)` rule grants",
    ),
    Rule::new(
        "tool-not-enabled",
        "A `#tool:` reference to a tool the header's `tools` does not enable",
    ),
    Rule::new(
        "unbalanced-tags",
        "`<example>` / `<commentary>` opened and closed a different number of times",
    ),
    Rule::new(
        "unclosed-frontmatter",
        "No closing `---`: the whole file is body",
    ),
    Rule::new(
        "unknown-field",
        "An unknown frontmatter key (with did-you-mean)",
    ),
    Rule::new("unknown-model", "A model the tool does not know"),
    Rule::new(
        "unknown-reference",
        "A skill or agent name that names nothing in the workspace",
    ),
    Rule::new(
        "unknown-tool",
        "An unknown or removed tool name (with did-you-mean)",
    ),
    Rule::new(
        "unknown-variable",
        "A `${…}` variable the tool does not set: it stays literal text",
    ),
    Rule::new("unreadable-file", "`agentls check` could not read the file"),
];

/// The file as written (see the README for a complete example).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// Extra tool names every `tools`-like field accepts (MCP servers' tools); `*` wildcards.
    #[serde(default)]
    tools: Vec<String>,
    /// Extra frontmatter keys that are not unknown, per dialect id (`"*"`: every dialect).
    #[serde(default)]
    fields: BTreeMap<String, Vec<String>>,
    /// Per rule (diagnostic code): `error`, `warning`, `information`, `hint` or `off`.
    #[serde(default)]
    rules: BTreeMap<String, String>,
    /// Glob (relative to the file's folder) → dialect id, before path detection.
    #[serde(default)]
    dialects: BTreeMap<String, String>,
    /// Globs (relative to the file's folder) of files never checked.
    #[serde(default)]
    ignore: Vec<String>,
}

/// What a rule is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Severity(Severity),
}

impl std::str::FromStr for RuleLevel {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "off" => Self::Off,
            "error" => Self::Severity(Severity::Error),
            "warning" => Self::Severity(Severity::Warning),
            "information" | "info" => Self::Severity(Severity::Information),
            "hint" => Self::Severity(Severity::Hint),
            other => {
                let levels: Vec<&str> = ConfigSchema::get()
                    .levels
                    .iter()
                    .map(|level| level.value.as_str())
                    .collect();
                return Err(format!(
                    "`{other}` is not a rule level ({})",
                    levels.join(", ")
                ));
            }
        })
    }
}

/// The settings in force: a configuration file's, possibly none.
#[derive(Debug, Default)]
pub struct Settings {
    /// The folder holding the file: relative globs start there.
    pub root: Option<PathBuf>,
    tools: GlobSet,
    /// Extra fields per dialect id; `*` for every dialect.
    fields: BTreeMap<String, Vec<String>>,
    rules: BTreeMap<String, RuleLevel>,
    /// Glob → dialect id, globs already anchored at `root`.
    dialects: Vec<(String, String)>,
    ignore: Vec<GlobMatcher>,
}

/// A problem in the configuration file, with where it is when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The line it is on (1-based).
    pub line: Option<usize>,
    /// The offending token's byte range in the file (a key, a value, a list item).
    pub range: Option<TextRange>,
    pub message: String,
    /// What the token probably meant (`unknown-model` for `unknown-modle`): a quick fix.
    pub replacement: Option<String>,
}

impl Problem {
    /// A problem that has no place in the file (it cannot be read, a client setting…).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            line: None,
            range: None,
            message: message.into(),
            replacement: None,
        }
    }

    /// A problem at `range` of `text`.
    fn at(text: &str, range: TextRange, message: String) -> Self {
        Self {
            line: Some(line_number(text, range.start)),
            range: Some(range),
            message,
            replacement: None,
        }
    }
}

/// The problems found in one configuration text, each at its token when the tree finds it,
/// else on the first line mentioning a needle.
struct Problems<'a> {
    text: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn add(&mut self, range: Option<TextRange>, needle: &str, message: String) {
        self.add_fixable(range, needle, message, None);
    }

    fn add_fixable(
        &mut self,
        range: Option<TextRange>,
        needle: &str,
        message: String,
        replacement: Option<&str>,
    ) {
        let mut problem = match range {
            Some(range) => Problem::at(self.text, range, message),
            None => Problem {
                line: line_of(self.text, needle),
                ..Problem::new(message)
            },
        };
        problem.replacement = replacement.filter(|_| range.is_some()).map(str::to_owned);
        self.list.push(problem);
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Settings {
    /// Reads `<folder>/.agentls.yaml`; no file means default settings. Problems come back beside
    /// the usable part: one typo costs only its own entry. A file that does not parse at all
    /// gives default settings and the parse error.
    pub fn load(folder: &Path) -> (Self, Vec<Problem>) {
        let path = folder.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(folder, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                (Self::default(), Vec::new())
            }
            Err(error) => (
                Self::default(),
                vec![Problem::new(format!(
                    "cannot read {}: {error}",
                    path.display()
                ))],
            ),
        }
    }

    /// The nearest `.agentls.yaml` in `start` or its ancestors, and the folder holding it.
    pub fn find(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .find(|folder| folder.join(FILE_NAME).is_file())
            .map(Path::to_path_buf)
    }

    /// Settings from the text of the file in `folder`. Each problem points at the token it is
    /// about (found with the tolerant parser, which reads any text).
    pub fn parse(folder: &Path, text: &str) -> (Self, Vec<Problem>) {
        let tree = parse_frontmatter(text, 0);
        let file: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            match serde_saphyr::from_str(text) {
                Ok(file) => file,
                Err(error) => {
                    let message = yaml_error_message(&error.to_string());
                    let range = error
                        .location()
                        .and_then(|location| {
                            let line = usize::try_from(location.line()).ok()?;
                            let column = usize::try_from(location.column()).ok()?;
                            offset_of(text, line, column)
                        })
                        .map(|offset| token_at(&tree, text, offset));
                    let problem = match range {
                        Some(range) => Problem::at(text, range, message),
                        None => Problem {
                            line: error_line(&error.to_string()),
                            ..Problem::new(message)
                        },
                    };
                    return (Self::default(), vec![problem]);
                }
            }
        };
        let located = Located(&tree);
        let mut problems = Problems {
            text,
            list: Vec::new(),
        };
        let registry = Registry::get();
        let root = folder.to_path_buf();
        let anchored = |glob: &str| {
            let base = globset::escape(&root.to_string_lossy().replace('\\', "/"));
            let glob = glob.trim_start_matches("./");
            if base.is_empty() {
                glob.to_owned()
            } else {
                format!("{}/{glob}", base.trim_end_matches('/'))
            }
        };

        let mut tools = GlobSetBuilder::new();
        for tool in &file.tools {
            match globset::Glob::new(tool) {
                Ok(glob) => {
                    tools.add(glob);
                }
                Err(error) => problems.add(
                    located.item("tools", tool),
                    tool,
                    format!("tool pattern `{tool}`: {error}"),
                ),
            }
        }
        let tools = tools.build().unwrap_or_else(|error| {
            problems.add(
                located.key("tools"),
                "tools",
                format!("tool patterns: {error}"),
            );
            GlobSet::empty()
        });

        for dialect in file.fields.keys() {
            if dialect != "*" && registry.by_id(dialect).is_none() {
                problems.add(
                    located
                        .entry("fields", dialect)
                        .map(|entry| entry.key_range),
                    dialect,
                    unknown_dialect(dialect),
                );
            }
        }

        let mut rules = BTreeMap::new();
        for (rule, level) in &file.rules {
            if Rule::get(rule).is_none() {
                let codes: Vec<&str> = RULES.iter().map(|rule| rule.code).collect();
                let known = strsim_suggestion(rule, &codes);
                let hint = known
                    .map(|known| format!(" (did you mean `{known}`?)"))
                    .unwrap_or_default();
                problems.add_fixable(
                    located.entry("rules", rule).map(|entry| entry.key_range),
                    rule,
                    format!("unknown rule `{rule}`{hint}"),
                    known,
                );
                continue;
            }
            match level.parse::<RuleLevel>() {
                Ok(level) => {
                    rules.insert(rule.clone(), level);
                }
                Err(message) => problems.add(
                    located.value("rules", rule),
                    rule,
                    format!("rule `{rule}`: {message}"),
                ),
            }
        }

        let mut dialects = Vec::new();
        for (glob, id) in &file.dialects {
            if registry.by_id(id).is_none() {
                problems.add(located.value("dialects", glob), id, unknown_dialect(id));
                continue;
            }
            if let Err(error) = GlobBuilder::new(glob).literal_separator(true).build() {
                problems.add(
                    located.entry("dialects", glob).map(|entry| entry.key_range),
                    glob,
                    format!("invalid glob `{glob}`: {error}"),
                );
                continue;
            }
            dialects.push((anchored(glob), id.clone()));
        }

        let mut ignore = Vec::new();
        for glob in &file.ignore {
            match GlobBuilder::new(&anchored(glob))
                .literal_separator(true)
                .build()
            {
                Ok(compiled) => ignore.push(compiled.compile_matcher()),
                Err(error) => problems.add(
                    located.item("ignore", glob),
                    glob,
                    format!("invalid glob `{glob}`: {error}"),
                ),
            }
        }

        let mut problems = problems.list;
        problems.sort_by_key(|problem| problem.line);
        let settings = Self {
            root: Some(root),
            tools,
            fields: file.fields,
            rules,
            dialects,
            ignore,
        };
        (settings, problems)
    }

    /// The file's dialect overrides, after `first` (the client's own, which win).
    pub fn dialect_overrides(&self, first: &[(String, String)]) -> (DialectOverrides, Vec<String>) {
        DialectOverrides::new(
            first
                .iter()
                .chain(&self.dialects)
                .map(|(glob, id)| (glob.as_str(), id.as_str())),
        )
    }

    /// The file is never checked.
    pub fn ignores(&self, path: &Path) -> bool {
        // Asked on every keystroke: no path to normalise when nothing is ignored.
        if self.ignore.is_empty() {
            return false;
        }
        let normalized = path.to_string_lossy().replace('\\', "/");
        self.ignore.iter().any(|glob| glob.is_match(&normalized))
    }

    /// The diagnostics of a document of dialect `dialect` as the settings and the document's
    /// suppression comments want them: `text_of(range)` gives the document's text in a range
    /// (`None` past its end), `line_before(offset)` the text of the line above the one holding
    /// `offset`.
    pub fn apply<'t>(
        &self,
        dialect: Option<&str>,
        frontmatter: &str,
        diagnostics: Vec<Diagnostic>,
        text_of: impl Fn(TextRange) -> Option<Cow<'t, str>>,
        line_before: impl Fn(usize) -> Option<Cow<'t, str>>,
    ) -> Vec<Diagnostic> {
        let disabled_in_file = file_suppressions(frontmatter);
        diagnostics
            .into_iter()
            .filter_map(|mut diagnostic| {
                let code = diagnostic.code;
                if disabled_in_file
                    .iter()
                    .any(|rule| rule == code || rule == "all")
                {
                    return None;
                }
                if line_before(diagnostic.range.start)
                    .is_some_and(|line| line_suppresses(&line, code))
                {
                    return None;
                }
                match code {
                    "unknown-tool"
                        if text_of(diagnostic.range)
                            .is_some_and(|tool| self.tools.is_match(tool.trim())) =>
                    {
                        return None;
                    }
                    "unknown-field"
                        if text_of(diagnostic.range)
                            .is_some_and(|key| self.known_field(dialect, key.trim())) =>
                    {
                        return None;
                    }
                    _ => {}
                }
                match self.rules.get(code) {
                    Some(RuleLevel::Off) => None,
                    Some(RuleLevel::Severity(severity)) => {
                        diagnostic.severity = *severity;
                        Some(diagnostic)
                    }
                    None => Some(diagnostic),
                }
            })
            .collect()
    }

    /// Applies to the diagnostics of a whole text (what `agentls check` has); `frontmatter` is
    /// the text the analysis split off as the head.
    pub fn apply_to_text(
        &self,
        dialect: Option<&str>,
        text: &str,
        frontmatter: &str,
        diagnostics: Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        self.apply(
            dialect,
            frontmatter,
            diagnostics,
            |range| text.get(range.as_range()).map(Cow::Borrowed),
            |offset| line_before(text, offset).map(Cow::Borrowed),
        )
    }

    fn known_field(&self, dialect: Option<&str>, key: &str) -> bool {
        let listed = |id: &str| {
            self.fields
                .get(id)
                .is_some_and(|fields| fields.iter().any(|field| field == key))
        };
        listed("*") || dialect.is_some_and(listed)
    }

    /// Nothing configured: [`Settings::apply`] would only honour suppression comments.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
            && self.fields.is_empty()
            && self.rules.is_empty()
            && self.dialects.is_empty()
            && self.ignore.is_empty()
    }
}

/// The text of the line above the one holding `offset`, without its line break. Breaks are
/// `\n`, `\r\n` and a lone `\r`, as in the server's rope: `check` and the editor honour the same
/// suppression comments.
pub fn line_before(text: &str, offset: usize) -> Option<&str> {
    let mut before = text.get(..offset)?;
    // Between the `\r` and `\n` of a CRLF, the line is the one that break ends.
    if before.ends_with('\r') && text[offset..].starts_with('\n') {
        before = &before[..before.len() - 1];
    }
    // Byte searches: both breaks are ASCII, and a description line can be kilobytes long.
    let break_start = memchr::memrchr2(b'\n', b'\r', before.as_bytes())?;
    let previous_end = if before[..=break_start].ends_with("\r\n") {
        break_start - 1
    } else {
        break_start
    };
    Some(&text[line_start(before, previous_end)..previous_end])
}

/// `<!-- agentls-disable-next-line rule-a, rule-b -->` (no rule: every rule) on `line`.
fn line_suppresses(line: &str, code: &str) -> bool {
    let Some(rest) = line
        .trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .map(str::trim)
        .and_then(|rest| rest.strip_prefix("agentls-disable-next-line"))
    else {
        return false;
    };
    let rules: Vec<&str> = rule_list(rest).collect();
    rules.is_empty() || rules.contains(&code)
}

/// The rules a `# agentls-disable rule-a, rule-b` comment line in the frontmatter turns off for
/// the whole file (`all` when it names none).
fn file_suppressions(frontmatter: &str) -> Vec<String> {
    let mut rules = Vec::new();
    // Most files have none: one substring search instead of a walk over every line.
    if memchr::memmem::find(frontmatter.as_bytes(), b"agentls-disable").is_none() {
        return rules;
    }
    for line in frontmatter.lines() {
        let Some(rest) = line
            .trim()
            .strip_prefix('#')
            .map(str::trim)
            .and_then(|rest| rest.strip_prefix("agentls-disable"))
        else {
            continue;
        };
        // `agentls-disable-next-line` belongs to the body's syntax, not here.
        if rest.starts_with('-') {
            continue;
        }
        let named: Vec<String> = rule_list(rest).map(str::to_owned).collect();
        if named.is_empty() {
            rules.push("all".to_owned());
        } else {
            rules.extend(named);
        }
    }
    rules
}

fn rule_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|rule| !rule.is_empty())
}

fn unknown_dialect(id: &str) -> String {
    let known: Vec<&str> = Registry::get()
        .dialects()
        .map(|dialect| dialect.dialect.as_str())
        .collect();
    format!("unknown dialect `{id}` (known: {})", known.join(", "))
}

fn strsim_suggestion<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), *candidate))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// Where the file's keys and values are: its tolerant parse, looked up by the path serde took.
struct Located<'t>(&'t Frontmatter);

impl Located<'_> {
    /// The key of the top-level entry `section`.
    fn key(&self, section: &str) -> Option<TextRange> {
        Some(self.0.last(section)?.key_range)
    }

    fn section(&self, section: &str) -> Option<&Node> {
        self.0.last(section)?.value.as_ref()
    }

    /// The entry `key` of the mapping `section` (the last one: a YAML loader keeps it).
    fn entry(&self, section: &str, key: &str) -> Option<&Entry> {
        self.section(section)?
            .as_mapping()?
            .entries
            .iter()
            .rev()
            .find(|entry| entry.key == key)
    }

    /// The value of the entry `key` of the mapping `section`.
    fn value(&self, section: &str, key: &str) -> Option<TextRange> {
        Some(self.entry(section, key)?.value.as_ref()?.range)
    }

    /// The item `item` of the list `section`.
    fn item(&self, section: &str, item: &str) -> Option<TextRange> {
        self.section(section)?
            .as_sequence()?
            .items
            .iter()
            .find(|node| node.as_scalar().is_some_and(|scalar| scalar.value == item))
            .map(|node| node.range)
    }
}

/// The token of the tree at `offset` (a key or a scalar), else the rest of its line: where a
/// YAML error points.
fn token_at(tree: &Frontmatter, text: &str, offset: usize) -> TextRange {
    fn in_entries(entries: &[Entry], offset: usize) -> Option<TextRange> {
        entries.iter().find_map(|entry| {
            if entry.key_range.contains_inclusive(offset) && !entry.key_range.is_empty() {
                return Some(entry.key_range);
            }
            entry.value.as_ref().and_then(|node| in_node(node, offset))
        })
    }
    fn in_node(node: &Node, offset: usize) -> Option<TextRange> {
        if !node.range.contains_inclusive(offset) {
            return None;
        }
        match &node.kind {
            NodeKind::Mapping(mapping) => in_entries(&mapping.entries, offset),
            NodeKind::Sequence(sequence) => {
                sequence.items.iter().find_map(|item| in_node(item, offset))
            }
            _ => Some(node.range),
        }
    }
    if let Some(range) = in_entries(&tree.entries, offset) {
        return range;
    }
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..]
        .find(['\r', '\n'])
        .map_or(text.len(), |i| offset + i);
    let rest = text[offset..line_end].trim_end();
    if !rest.trim().is_empty() {
        return TextRange::new(offset, offset + rest.len());
    }
    let line = &text[line_start..line_end];
    let start = line_start + (line.len() - line.trim_start().len());
    TextRange::new(start, start + line.trim().len())
}

/// The byte offset of a 1-based line and 1-based column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let line_text = &text[line_start..];
    let line_text = &line_text[..line_text.find('\n').unwrap_or(line_text.len())];
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(index, _)| index);
    Some(line_start + within)
}

/// The line (1-based) holding byte `offset`.
fn line_number(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The first line (1-based) whose text contains `needle`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
}

/// What a YAML error says, without the position and the source snippet serde-saphyr renders
/// around it (the problem carries the position): `error: line 1 column 1: unknown field `x`…`
/// → `unknown field `x`…`.
fn yaml_error_message(rendered: &str) -> String {
    let first = rendered.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let after_position = first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
        .filter(|(position, _)| position.contains(" column "))
        .map_or(first, |(_, message)| message);
    after_position.to_owned()
}

/// `line N` in a YAML error message.
fn error_line(message: &str) -> Option<usize> {
    let after = message.split("line ").nth(1)?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(code: &'static str, start: usize, end: usize) -> Diagnostic {
        Diagnostic {
            range: TextRange::new(start, end),
            severity: Severity::Warning,
            code,
            message: String::new(),
            fixes: Vec::new(),
        }
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<(&str, Severity)> {
        diagnostics.iter().map(|d| (d.code, d.severity)).collect()
    }

    const CONFIG: &str = "\
tools: [mcp__github__*, Deploy]
fields:
  claude-agent: [team]
  \"*\": [x-owner]
rules:
  unknown-model: off
  name-convention: error
dialects:
  \"prompts/**/*.md\": copilot-prompt
ignore:
  - \"vendor/**\"
";

    #[test]
    fn a_complete_file_loads_without_problems() {
        let (settings, problems) = Settings::parse(Path::new("/w"), CONFIG);
        assert_eq!(problems, []);
        assert!(settings.ignores(Path::new("/w/vendor/a/.claude/agents/x.md")));
        assert!(!settings.ignores(Path::new("/w/.claude/agents/x.md")));
        let (overrides, problems) = settings.dialect_overrides(&[]);
        assert!(problems.is_empty(), "{problems:?}");
        let detected = overrides.detect(Path::new("/w/prompts/a/b.md")).unwrap();
        assert_eq!(detected.dialect.dialect, "copilot-prompt");
    }

    #[test]
    fn settings_filter_and_regrade_diagnostics() {
        let (settings, _) = Settings::parse(Path::new("/w"), CONFIG);
        let text = "---\nteam: core\nx-owner: me\nmood: ok\ntools: mcp__github__issue, Bassh\nmodel: gpt\nname: My_Agent\n---\nBody\n";
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            (start, start + needle.len())
        };
        let found = vec![
            diagnostic("unknown-field", at("team").0, at("team").1),
            diagnostic("unknown-field", at("x-owner").0, at("x-owner").1),
            diagnostic("unknown-field", at("mood").0, at("mood").1),
            diagnostic(
                "unknown-tool",
                at("mcp__github__issue").0,
                at("mcp__github__issue").1,
            ),
            diagnostic("unknown-tool", at("Bassh").0, at("Bassh").1),
            diagnostic("unknown-model", at("gpt").0, at("gpt").1),
            diagnostic("name-convention", at("My_Agent").0, at("My_Agent").1),
        ];
        let kept = settings.apply_to_text(Some("claude-agent"), text, text, found);
        assert_eq!(
            codes(&kept),
            [
                ("unknown-field", Severity::Warning),
                ("unknown-tool", Severity::Warning),
                ("name-convention", Severity::Error),
            ]
        );
        assert_eq!(&text[kept[0].range.as_range()], "mood");
        assert_eq!(&text[kept[1].range.as_range()], "Bassh");
        // `team` is an extra field of Claude agents only.
        let other = settings.apply_to_text(
            Some("copilot-agent"),
            text,
            text,
            vec![diagnostic("unknown-field", at("team").0, at("team").1)],
        );
        assert_eq!(other.len(), 1);
    }

    /// The line above an offset is the rope's (the server's), for every kind of line break.
    #[test]
    fn line_before_counts_every_line_break() {
        for text in [
            "a\nbc\n\nd",
            "a\r\nbc\r\n\r\nd\r\n",
            "a\rbc\r\rd",
            "a\r\nb\rc\nd\r\r\ne😀\n",
            "",
        ] {
            let rope = ropey::Rope::from_str(text);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let line = rope.byte_to_line(offset);
                let expected = line.checked_sub(1).map(|previous| {
                    let previous = rope.line(previous).to_string();
                    previous.trim_end_matches(['\n', '\r']).to_owned()
                });
                assert_eq!(
                    line_before(text, offset).map(str::to_owned),
                    expected,
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn suppression_comments() {
        let text = "---\n# agentls-disable unknown-model\nmodel: gpt\nmood: ok\n---\n<!-- agentls-disable-next-line unbalanced-tags -->\n<example>\n<!-- agentls-disable-next-line -->\n@missing.md\n";
        let at = |needle: &str| text.find(needle).unwrap();
        let found = vec![
            diagnostic("unknown-model", at("gpt"), at("gpt") + 3),
            diagnostic("unknown-field", at("mood"), at("mood") + 4),
            diagnostic("unbalanced-tags", at("<example>"), at("<example>") + 9),
            diagnostic("missing-file", at("@missing"), at("@missing") + 11),
        ];
        let frontmatter_end = at("---\n<!--");
        let kept = Settings::default().apply_to_text(
            Some("claude-agent"),
            text,
            &text[..frontmatter_end],
            found,
        );
        assert_eq!(codes(&kept), [("unknown-field", Severity::Warning)]);
    }

    #[test]
    fn problems_point_at_their_line() {
        let text = "rules:\n  unknown-modle: off\n  empty-body: loud\ndialects:\n  \"*.md\": claude-agnet\nignore: [\"a/{\"]\n";
        let (settings, problems) = Settings::parse(Path::new("/w"), text);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 4, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "line 2: unknown rule `unknown-modle` (did you mean `unknown-model`?)"
            ),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("line 3: rule `empty-body`: `loud` is not a rule level"),
            "{shown:?}"
        );
        assert!(
            shown[2].starts_with("line 5: unknown dialect `claude-agnet`"),
            "{shown:?}"
        );
        assert!(
            shown[3].starts_with("line 6: invalid glob `a/{`"),
            "{shown:?}"
        );
        assert!(settings.rules.is_empty());

        let (_, problems) = Settings::parse(Path::new("/w"), "rulez: {}\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "line 1: unknown field `rulez`, expected one of tools, fields, rules, dialects, ignore"
        );
        let (_, problems) = Settings::parse(Path::new("/w"), "rules: [\n");
        assert_eq!(problems.len(), 1, "malformed YAML is one problem");
    }

    /// Each problem's range is the token it is about, whatever the YAML style.
    #[test]
    fn problems_point_at_their_token() {
        let tokens = |text: &str| -> Vec<String> {
            let (_, problems) = Settings::parse(Path::new("/w"), text);
            problems
                .iter()
                .map(|problem| {
                    let range = problem.range.expect("a located problem");
                    assert_eq!(problem.line, Some(line_number(text, range.start)));
                    text[range.as_range()].to_owned()
                })
                .collect()
        };
        let text = "\
# unknown-modle is mentioned here first
tools: [\"a{\"]
fields:
  claude-agnet: [team]
rules:
  unknown-modle: off
  empty-body: loud
  \"name-convention\": 'very'
dialects:
  \"*.md\": claude-agnet
  \"b{\": claude-agent
ignore:
  - ok/**
  - \"c{\"
";
        assert_eq!(
            tokens(text),
            [
                "\"a{\"",
                "claude-agnet",
                "unknown-modle",
                "loud",
                "'very'",
                "claude-agnet",
                "\"b{\"",
                "\"c{\""
            ]
        );
        assert_eq!(tokens("rulez: {}\n"), ["rulez"]);
        assert_eq!(tokens("rules:\n  empty-body: [off]\n"), ["[off]"]);
        assert_eq!(tokens("rules: {empty-body: loud}\n"), ["loud"]);
    }

    #[test]
    fn every_rule_is_documented_in_the_readme() {
        let readme = include_str!("../README.md");
        for rule in RULES {
            assert!(
                readme.contains(&format!("`{}`", rule.code)),
                "{} is not in the README",
                rule.code
            );
        }
    }

    /// `agentls-config.yaml` (completion and hover in the file) describes exactly the keys and
    /// levels this module reads.
    #[test]
    fn the_config_schema_matches_the_file_format() {
        let schema = ConfigSchema::get();
        let every_key: String = schema
            .keys
            .iter()
            .map(|key| match key.ty {
                crate::schema::ConfigKeyType::List => format!("{}: []\n", key.name),
                crate::schema::ConfigKeyType::Mapping => format!("{}: {{}}\n", key.name),
            })
            .collect();
        let (_, problems) = Settings::parse(Path::new("/w"), &every_key);
        assert_eq!(problems, [], "{every_key}");
        // serde lists the keys it expects when it meets another one.
        let (_, problems) = Settings::parse(Path::new("/w"), "zzz: 1\n");
        let message = &problems[0].message;
        let mut expected: Vec<&str> = message
            .split_once("expected one of ")
            .map(|(_, list)| list.trim().split(", ").collect())
            .unwrap_or_default();
        let mut documented: Vec<&str> = schema.keys.iter().map(|key| key.name.as_str()).collect();
        documented.sort_unstable();
        expected.sort_unstable();
        assert_eq!(documented, expected, "{message}");
        for level in &schema.levels {
            for word in std::iter::once(&level.value).chain(&level.aliases) {
                assert!(word.parse::<RuleLevel>().is_ok(), "{word}");
            }
        }
        assert_eq!(
            schema.levels.len(),
            5,
            "error, warning, information, hint, off"
        );
    }

    #[test]
    fn rules_are_sorted_unique_and_summarised() {
        let codes: Vec<&str> = RULES.iter().map(|rule| rule.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "RULES must be sorted and unique");
        for rule in RULES {
            assert!(
                !rule.summary.is_empty() && !rule.summary.ends_with('.'),
                "{}: a one-line summary without a full stop",
                rule.code
            );
            assert!(!rule.summary.contains('\n'), "{}: one line", rule.code);
        }
        assert_eq!(
            Rule::get("unknown-model").map(|rule| rule.code),
            Some("unknown-model")
        );
        assert!(Rule::get("unknown-modle").is_none());
    }
}
