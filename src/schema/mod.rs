//! Dialect knowledge as data: typed views of the embedded YAML schema files, and path detection.
//!
//! A new field, value or tool is an edit to a `*.yaml` file in this folder; the Rust side only
//! knows the *kinds* of checks (types, enums, name rules).

mod config_file;

pub use config_file::{ConfigKey, ConfigKeyType, ConfigSchema, Level, Vocabulary, Word};

use std::path::Path;
use std::sync::LazyLock;

use globset::GlobBuilder;
use regex::bytes::RegexSet;
use serde::Deserialize;

/// The type of a frontmatter field's value.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    String,
    Integer,
    /// Any number (integer or decimal).
    Number,
    Boolean,
    Enum,
    /// A tool list: comma/space separated string or YAML list of tool names and rules.
    Tools,
    /// A list of names: comma/space separated string or YAML list.
    StringList,
    Mapping,
    /// The settings.json `hooks` shape.
    Hooks,
    /// A list of server names or one-key `{name: config}` maps.
    McpServers,
    Any,
}

/// How a deprecated kind of file is renamed into its successor (chat modes into custom agents).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RenameTo {
    /// The quick fix's title.
    pub title: String,
    /// The new name's suffix (`.agent.md`).
    pub suffix: String,
    /// The suffixes it replaces, tried in order (`.chatmode.md`, then `.md`).
    pub replace_suffixes: Vec<String>,
    /// A file directly in a folder ending with `from` moves to the sibling path `to`
    /// (`.github/chatmodes` → `.github/agents`).
    #[serde(default)]
    pub move_folders: Vec<FolderMove>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FolderMove {
    pub from: String,
    pub to: String,
}

impl RenameTo {
    /// Where the file at `path` moves; `None` when its name has none of the old suffixes.
    pub fn target(&self, path: &Path) -> Option<std::path::PathBuf> {
        let name = path.file_name()?.to_str()?;
        let stem = self
            .replace_suffixes
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix.as_str()))
            .filter(|stem| !stem.is_empty())?;
        let folder = path.parent()?;
        let normalized = normalize(folder);
        let folder = self
            .move_folders
            .iter()
            .find_map(|moved| {
                let base = normalized.strip_suffix(moved.from.as_str())?;
                (base.is_empty() || base.ends_with('/'))
                    .then(|| std::path::PathBuf::from(format!("{base}{}", moved.to)))
            })
            .unwrap_or_else(|| folder.to_path_buf());
        Some(folder.join(format!("{stem}{}", self.suffix)))
    }
}

/// The values a mapping field allows (`tools: {bash: false}`, `permission: {edit: deny}`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MapValues {
    /// `boolean` or `enum`.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// The allowed values of an `enum`.
    #[serde(default)]
    pub values: Vec<String>,
    /// A value may also be a mapping (pattern → value) of such values.
    #[serde(default)]
    pub nested: bool,
}

/// What the tool does with an invalid value.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum OnInvalid {
    /// The file is not loaded at all.
    Reject,
    /// The value is ignored or dropped; the file still loads.
    #[default]
    Drop,
}

/// A naming convention checked as a warning only.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Convention {
    /// Lowercase letters, digits and single hyphens.
    KebabCase,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Value {
    pub value: String,
    #[serde(default)]
    pub doc: String,
    /// Color swatch for color values (`#rrggbb`).
    #[serde(default)]
    pub hex: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub doc: String,
    #[serde(default)]
    pub example: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub values: Vec<Value>,
    /// `values` are suggestions only: other values are allowed.
    #[serde(default)]
    pub open: bool,
    #[serde(default = "default_true")]
    pub case_sensitive: bool,
    /// An enum that also accepts an integer.
    #[serde(default)]
    pub integer_ok: bool,
    /// An integer that may also be written as a numeric string.
    #[serde(default)]
    pub numeric_string_ok: bool,
    /// A boolean that may also be written as the string `"true"`/`"false"`.
    #[serde(default)]
    pub string_bool_ok: bool,
    /// The value may also be a hex color `#RRGGBB` (OpenCode's `color`): a color field even when
    /// no value has a `hex` swatch.
    #[serde(default)]
    pub hex_ok: bool,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub max_length: Option<usize>,
    #[serde(default)]
    pub forbidden_chars: Vec<String>,
    #[serde(default)]
    pub forbidden_prefixes: Vec<String>,
    #[serde(default)]
    pub convention: Option<Convention>,
    #[serde(default)]
    pub invalid: OnInvalid,
    /// Ignored when the file is a plugin agent.
    #[serde(default)]
    pub plugin_ignored: bool,
    /// Other spellings of this key that deserve a targeted did-you-mean.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The value must equal the name of the folder holding the file (skills).
    #[serde(default)]
    pub match_folder: bool,
    /// The tool turns every literal two-character `\n` in the value into a newline (Claude
    /// Code's agent `description`): hover shows the result, and the quoting fix writes such
    /// text as a `|` block.
    #[serde(default)]
    pub newline_escapes: bool,
    /// The value (a string or a list) holds file globs.
    #[serde(default)]
    pub glob: bool,
    /// The value names files of these dialects (by their declared names): `skills:` names
    /// skills, `agent:` an agent. Its `values` (if any) are built-in names that need no file.
    #[serde(default)]
    pub refers_to: Vec<String>,
    /// For a list of maps (Copilot's `handoffs`), the key of each item whose value names the
    /// file; without it, the field's own values do.
    #[serde(default)]
    pub refers_via: Option<String>,
    /// What each value of a mapping (or, for `any`, the value itself when it is a string) must be.
    #[serde(default)]
    pub map_values: Option<MapValues>,
    /// Why the field is deprecated.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// The field that replaces a deprecated one.
    #[serde(default)]
    pub replaced_by: Option<String>,
    /// Why the tool ignores this field in this dialect.
    #[serde(default)]
    pub ignored: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub doc: String,
    /// Legacy names still accepted and mapped to this tool.
    #[serde(default)]
    pub legacy: Vec<String>,
    #[serde(default)]
    pub rule_syntax: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RemovedTool {
    pub name: String,
    #[serde(default)]
    pub doc: String,
    #[serde(default)]
    pub replacement: Option<String>,
}

/// Body syntax the tool interprets (see `analysis::body` for the checks).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct BodySyntax {
    /// `$ARGUMENTS`, `$ARGUMENTS[N]`, `$N` and `$name` (declared in `arguments`).
    #[serde(default)]
    pub arguments: bool,
    /// The field whose `Bash(...)` rules must grant inline shell (`` !`cmd` ``, ```` ```! ````).
    #[serde(default)]
    pub inline_shell: Option<String>,
    /// File-reference prefixes: `@`, `#file:`, `#[[file:`.
    #[serde(default)]
    pub file_references: Vec<String>,
    /// What file references are relative to.
    #[serde(default)]
    pub file_base: Option<FileBase>,
    /// Hover text for positional placeholders (`$1`), when the tool counts them differently from
    /// Claude Code (0-based).
    #[serde(default)]
    pub positional_doc: Option<String>,
    /// `${NAME}` variables the tool substitutes.
    #[serde(default)]
    pub variables: Vec<Variable>,
    /// The prefix of tool references (`#tool:`) and the field that must enable them.
    #[serde(default)]
    pub tool_references: Option<ToolReferences>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ToolReferences {
    pub prefix: String,
    /// The header field listing enabled tools.
    pub field: String,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FileBase {
    /// The folder holding the tool's hidden folder (`.claude`, `.kiro`…).
    ProjectRoot,
    /// The folder holding the file.
    FileFolder,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Variable {
    pub name: String,
    #[serde(default)]
    pub doc: String,
    /// Only set for plugins' files.
    #[serde(default)]
    pub plugin_only: bool,
    /// The name is a prefix: `input` covers `${input:name}` and `${input:name:placeholder}`.
    #[serde(default)]
    pub prefix: bool,
}

impl Variable {
    pub fn matches(&self, name: &str) -> bool {
        if self.prefix {
            name.strip_prefix(self.name.as_str())
                .is_some_and(|rest| rest.starts_with(':'))
        } else {
            name == self.name
        }
    }
}

/// Which loader model decides what the tool does with a file.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum LoaderKind {
    /// Strict YAML 1.2, then Claude Code's quoting fallback (spec/claude-code.md §3).
    ClaudeCode,
    /// Strict YAML only: what strict YAML rejects, the tool cannot read.
    Strict,
    /// The tool's own forgiving reader (VS Code's header parser, Cursor, OpenCode's repair
    /// pass): non-strict YAML such as unquoted `*.ts` globs loads, so it is not reported.
    Lenient,
}

/// One dialect: the schema of one kind of agent-definition file.
#[derive(Clone, Debug, Deserialize)]
pub struct Dialect {
    pub dialect: String,
    pub title: String,
    /// The program that reads the file (`Claude Code`, `GitHub Copilot`…), named in messages.
    pub tool: String,
    #[serde(default)]
    pub docs_url: Option<String>,
    pub loader: LoaderKind,
    /// Detection order when several dialects match a path: the highest wins.
    #[serde(default)]
    pub priority: i32,
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    #[serde(default)]
    pub plugin_paths: Vec<String>,
    /// Where collections (repositories of shareable files, e.g. `awesome-*` lists) keep this
    /// dialect's files outside the tool's own folders. `agentls check` checks a file there when
    /// its frontmatter loosely fits; `plugin_paths` count as collection layouts too.
    #[serde(default)]
    pub collection_paths: Vec<String>,
    /// Another dialect whose tool vocabulary this one shares.
    #[serde(default)]
    pub tools_from: Option<String>,
    pub fields: Vec<Field>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    #[serde(default)]
    pub removed_tools: Vec<RemovedTool>,
    /// Body syntax the tool interprets, if any.
    #[serde(default)]
    pub body: Option<BodySyntax>,
    /// Why the whole kind of file is deprecated (a warning on the file).
    #[serde(default)]
    pub deprecated: Option<String>,
    /// The file name (and folder) a deprecated kind of file moves to: the quick fix renames it.
    #[serde(default)]
    pub rename_to: Option<RenameTo>,
    /// The most characters of a file the tool reads (the rest is cut).
    #[serde(default)]
    pub max_chars: Option<usize>,
    /// Kinds of file the fields' combination makes (e.g. Cursor's rule types), first match wins;
    /// shown in hover.
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// How prose names a file of this dialect ("the code-reviewer agent", `@agent-reviewer`):
    /// go to definition follows such mentions.
    #[serde(default)]
    pub mentions: Mentions,
}

/// The words and prefixes that mark a name in prose as a file of one dialect.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mentions {
    /// A word right after (or before) the name: `agent` in "the code-reviewer agent".
    #[serde(default)]
    pub words: Vec<String>,
    /// Text glued before the name: `@agent-` in `@agent-code-reviewer`, `/` for commands.
    #[serde(default)]
    pub prefixes: Vec<String>,
}

/// A kind of file recognised by which fields are set.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Variant {
    pub name: String,
    #[serde(default)]
    pub doc: String,
    /// Field → condition: `present`, `absent`, or the value it must have (`true`, `false`, a word).
    #[serde(default)]
    pub when: std::collections::BTreeMap<String, String>,
}

fn default_true() -> bool {
    true
}

/// What a tool name in a `tools:` list resolves to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ToolMatch<'a> {
    Known(&'a Tool),
    /// A legacy name; the tool it now stands for.
    Legacy(&'a Tool),
    Removed(&'a RemovedTool),
    /// `mcp__<server>__<tool>` or `mcp__<server>`.
    Mcp,
    /// `*` (all tools) or a name containing a `*` wildcard.
    Wildcard,
    Unknown,
}

impl Field {
    /// A color field: editors show its value as a swatch and offer a color picker. Either its
    /// values carry `hex` swatches (Claude Code's theme names) or it accepts hex codes.
    pub fn is_color(&self) -> bool {
        self.hex_ok || self.values.iter().any(|value| value.hex.is_some())
    }
}

impl Dialect {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Resolves a tool entry such as `Bash`, `Bash(git status:*)`, `Task` or `mcp__github__x`.
    pub fn tool(&self, entry: &str) -> ToolMatch<'_> {
        let name = tool_base_name(entry);
        if name == "*" || name.contains('*') {
            return ToolMatch::Wildcard;
        }
        if name.starts_with("mcp__") && name.len() > "mcp__".len() {
            return ToolMatch::Mcp;
        }
        if let Some(tool) = self.tools.iter().find(|t| t.name == name) {
            return ToolMatch::Known(tool);
        }
        if let Some(tool) = self
            .tools
            .iter()
            .find(|t| t.legacy.iter().any(|l| l == name))
        {
            return ToolMatch::Legacy(tool);
        }
        if let Some(removed) = self.removed_tools.iter().find(|t| t.name == name) {
            return ToolMatch::Removed(removed);
        }
        ToolMatch::Unknown
    }
}

/// The tool name of a tools-list entry: `Bash(git status:*)` → `Bash`.
pub fn tool_base_name(entry: &str) -> &str {
    entry.split_once('(').map_or(entry, |(name, _)| name).trim()
}

/// All dialects known to agentls, with compiled path rules. Built once, shared.
pub struct Registry {
    /// Most specific (highest priority) first.
    dialects: Vec<Dialect>,
    /// Every path glob of every dialect, as one regex set: a path is matched in a single pass,
    /// not once per glob (globset tries each `*.md` glob's regex in turn, ~10 µs a path).
    globs: RegexSet,
    /// For each glob of the set, what kind of rule it is and the index of its dialect.
    owners: Vec<(PathRule, usize)>,
}

/// The kinds of path glob a dialect declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathRule {
    Own,
    Exclude,
    Plugin,
    /// `collection_paths` (`plugin_paths` count as collection layouts too).
    Collection,
}

/// What every dialect's path rules say about one file, from a single glob match.
#[derive(Clone, Debug, Default)]
pub struct PathMatch<'r> {
    /// The most specific dialect whose own `paths` hold the file.
    pub own: Option<&'r Dialect>,
    /// The most specific dialect whose plugin layout (`plugin_paths`) holds the file, whether
    /// or not a plugin manifest confirms it.
    pub plugin_layout: Option<&'r Dialect>,
    /// The dialects whose collection layouts (`plugin_paths` and `collection_paths`) hold the
    /// file, most specific first: a guess its frontmatter must confirm.
    pub collections: Vec<&'r Dialect>,
}

/// How a file was matched to its dialect.
#[derive(Clone, Copy, Debug)]
pub struct Detected<'a> {
    pub dialect: &'a Dialect,
    /// The file is a plugin's agent (plugin rules apply: `description` optional, some fields
    /// ignored).
    pub plugin: bool,
}

/// The embedded dialect schemas (see `README.md` in this folder).
const BUILTIN: &[(&str, &str)] = &[
    ("claude-agent.yaml", include_str!("claude-agent.yaml")),
    ("claude-command.yaml", include_str!("claude-command.yaml")),
    ("claude-skill.yaml", include_str!("claude-skill.yaml")),
    (
        "claude-output-style.yaml",
        include_str!("claude-output-style.yaml"),
    ),
    ("agent-skill.yaml", include_str!("agent-skill.yaml")),
    ("copilot-agent.yaml", include_str!("copilot-agent.yaml")),
    (
        "copilot-chatmode.yaml",
        include_str!("copilot-chatmode.yaml"),
    ),
    ("copilot-prompt.yaml", include_str!("copilot-prompt.yaml")),
    (
        "copilot-instructions.yaml",
        include_str!("copilot-instructions.yaml"),
    ),
    ("cursor-rule.yaml", include_str!("cursor-rule.yaml")),
    ("cursor-subagent.yaml", include_str!("cursor-subagent.yaml")),
    ("opencode-agent.yaml", include_str!("opencode-agent.yaml")),
    (
        "opencode-command.yaml",
        include_str!("opencode-command.yaml"),
    ),
    ("gemini-subagent.yaml", include_str!("gemini-subagent.yaml")),
    ("kiro-steering.yaml", include_str!("kiro-steering.yaml")),
    ("windsurf-rule.yaml", include_str!("windsurf-rule.yaml")),
    ("factory-droid.yaml", include_str!("factory-droid.yaml")),
    ("codex-prompt.yaml", include_str!("codex-prompt.yaml")),
];

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::builtin);

impl Registry {
    /// The registry of embedded schemas (built on first use).
    pub fn get() -> &'static Registry {
        &REGISTRY
    }

    fn builtin() -> Self {
        let mut dialects: Vec<Dialect> = BUILTIN
            .iter()
            .filter_map(
                |(file, text)| match serde_saphyr::from_str::<Dialect>(text) {
                    Ok(dialect) => Some(dialect),
                    Err(error) => {
                        // A broken embedded schema is a build defect caught by the unit tests; at
                        // run time it only costs that dialect.
                        tracing::error!("schema {file} is invalid: {error}");
                        None
                    }
                },
            )
            .collect();
        // Shared tool vocabularies are resolved once, here, so lookups stay simple.
        for index in 0..dialects.len() {
            let Some(source) = dialects[index].tools_from.clone() else {
                continue;
            };
            if !dialects[index].tools.is_empty() {
                continue;
            }
            match dialects.iter().find(|d| d.dialect == source) {
                Some(shared) => {
                    let (tools, removed) = (shared.tools.clone(), shared.removed_tools.clone());
                    dialects[index].tools = tools;
                    dialects[index].removed_tools = removed;
                }
                None => tracing::error!(
                    "schema {}: tools_from names the unknown dialect {source}",
                    dialects[index].dialect
                ),
            }
        }
        // Most specific first; ties keep file order.
        dialects.sort_by_key(|dialect| std::cmp::Reverse(dialect.priority));
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for (index, dialect) in dialects.iter().enumerate() {
            let rules = [
                (PathRule::Own, &dialect.paths),
                (PathRule::Exclude, &dialect.exclude_paths),
                (PathRule::Plugin, &dialect.plugin_paths),
                (PathRule::Collection, &dialect.plugin_paths),
                (PathRule::Collection, &dialect.collection_paths),
            ];
            for (rule, globs) in rules {
                for glob in globs {
                    // `*` stays within one path component, as in shells and gitignore; `**`
                    // crosses them.
                    match GlobBuilder::new(glob).literal_separator(true).build() {
                        Ok(glob) => {
                            patterns.push(glob.regex().to_owned());
                            owners.push((rule, index));
                        }
                        Err(error) => tracing::error!(
                            "invalid path glob {glob:?} in schema {}: {error}",
                            dialect.dialect
                        ),
                    }
                }
            }
        }
        let globs = RegexSet::new(&patterns).unwrap_or_else(|error| {
            tracing::error!("path globs do not compile: {error}");
            owners.clear();
            RegexSet::empty()
        });
        Self {
            dialects,
            globs,
            owners,
        }
    }

    pub fn dialects(&self) -> impl Iterator<Item = &Dialect> {
        self.dialects.iter()
    }

    pub fn by_id(&self, id: &str) -> Option<&Dialect> {
        self.dialects().find(|d| d.dialect == id)
    }

    /// Finds the dialect of a file from its path (checking the file system for a plugin
    /// manifest when the path looks like a plugin's agent).
    pub fn detect(&self, path: &Path) -> Option<Detected<'_>> {
        self.match_path(path).detected(path)
    }

    /// Matches `path` against every dialect's path rules at once.
    pub fn match_path(&self, path: &Path) -> PathMatch<'_> {
        let normalized = normalize(path);
        let mut hits: Vec<usize> = self
            .globs
            .matches(normalized.as_bytes())
            .into_iter()
            .collect();
        hits.sort_unstable_by_key(|&glob| self.owners.get(glob).map(|&(_, dialect)| dialect));
        let owned = |rule| {
            hits.iter()
                .filter_map(move |&glob| self.owners.get(glob))
                .filter(move |&&(kind, _)| kind == rule)
                .map(|&(_, dialect)| dialect)
        };
        let excluded: Vec<usize> = owned(PathRule::Exclude).collect();
        let eligible = |rule| owned(rule).filter(|dialect| !excluded.contains(dialect));
        let mut collections: Vec<&Dialect> = eligible(PathRule::Collection)
            .map(|dialect| &self.dialects[dialect])
            .collect();
        collections.dedup_by(|a, b| std::ptr::eq(*a, *b));
        PathMatch {
            own: eligible(PathRule::Own)
                .next()
                .map(|dialect| &self.dialects[dialect]),
            plugin_layout: eligible(PathRule::Plugin)
                .next()
                .map(|dialect| &self.dialects[dialect]),
            collections,
        }
    }
}

impl<'r> PathMatch<'r> {
    /// The dialect the path rules give the file at `path` (looking for the plugin manifest when
    /// only a plugin layout holds it).
    pub fn detected(&self, path: &Path) -> Option<Detected<'r>> {
        if let Some(dialect) = self.own {
            return Some(Detected {
                dialect,
                plugin: false,
            });
        }
        self.plugin_layout
            .filter(|_| plugin_root(path).is_some())
            .map(|dialect| Detected {
                dialect,
                plugin: true,
            })
    }
}

/// Forward slashes, so that one set of globs serves every platform.
fn normalize(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// User-chosen dialects for paths (the `dialect` initialization option: glob → dialect id),
/// consulted before the registry's own path rules.
#[derive(Clone, Debug, Default)]
pub struct DialectOverrides {
    globs: Vec<(globset::GlobMatcher, &'static Dialect)>,
}

impl DialectOverrides {
    /// Builds overrides from `glob → dialect id` pairs; returns the problems (bad glob, unknown
    /// dialect) beside the usable overrides, so that one typo costs only its own entry.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Self, Vec<String>) {
        let mut overrides = Self::default();
        let mut problems = Vec::new();
        for (glob, id) in entries {
            // Only when there is something to look up: the server's `initialize` builds
            // overrides, and should not wait for the registry.
            let registry = Registry::get();
            let Some(dialect) = registry.by_id(id) else {
                let known: Vec<&str> = registry.dialects().map(|d| d.dialect.as_str()).collect();
                problems.push(format!(
                    "unknown dialect `{id}` for `{glob}` (known: {})",
                    known.join(", ")
                ));
                continue;
            };
            match GlobBuilder::new(glob).literal_separator(true).build() {
                Ok(compiled) => overrides.globs.push((compiled.compile_matcher(), dialect)),
                Err(error) => problems.push(format!("invalid glob `{glob}`: {error}")),
            }
        }
        (overrides, problems)
    }

    /// The dialect of `path`: an override when one matches (most recently listed wins ties by
    /// order: the first match), else the registry's detection.
    pub fn detect(&self, path: &Path) -> Option<Detected<'static>> {
        self.overridden(path)
            .or_else(|| Registry::get().detect(path))
    }

    /// No override at all.
    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// The dialect an override gives `path`, if one matches.
    pub fn overridden(&self, path: &Path) -> Option<Detected<'static>> {
        let normalized = normalize(path);
        self.globs
            .iter()
            .find(|(matcher, _)| matcher.is_match(&normalized))
            .map(|(_, dialect)| Detected {
                dialect,
                plugin: false,
            })
    }
}

/// The name a file goes by when nothing else names it: `reviewer` for `reviewer.md`,
/// `reviewer.agent.md`, `reviewer.chatmode.md`.
pub fn file_stem(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = [
        ".agent.md",
        ".chatmode.md",
        ".prompt.md",
        ".instructions.md",
        ".mdc",
        ".md",
    ]
    .iter()
    .find_map(|suffix| name.strip_suffix(suffix))
    .unwrap_or(name);
    (!stem.is_empty()).then(|| stem.to_owned())
}

/// The folders of a Claude Code plugin that hold its files (spec/claude-code.md §5).
const PLUGIN_COMPONENTS: &[&str] = &["agents", "commands", "skills", "output-styles"];

/// The plugin folder holding a file: the nearest ancestor that holds the file's component folder
/// (`<plugin>/agents/…/x.md`, `<plugin>/skills/<name>/SKILL.md`) and `.claude-plugin/plugin.json`.
pub fn plugin_root(path: &Path) -> Option<&Path> {
    component_roots(path).find(|root| root.join(".claude-plugin").join("plugin.json").is_file())
}

/// A plugin-shaped folder holding a file, manifest or not: the nearest ancestor that holds the
/// file's component folder and at least one other (`plugins/<name>/` with `agents/` and
/// `commands/`), as plugin marketplaces and collections lay out their plugins.
pub fn plugin_shaped_root(path: &Path) -> Option<&Path> {
    component_roots(path).find(|root| {
        PLUGIN_COMPONENTS
            .iter()
            .filter(|component| root.join(component).is_dir())
            .nth(1)
            .is_some()
    })
}

/// The folders that would be the file's plugin root, nearest first: the parent of each ancestor
/// named like a plugin component folder.
fn component_roots(path: &Path) -> impl Iterator<Item = &Path> {
    path.ancestors()
        .skip(1)
        .filter(|folder| {
            folder
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| PLUGIN_COMPONENTS.contains(&name))
        })
        .filter_map(Path::parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claude() -> &'static Dialect {
        Registry::get()
            .by_id("claude-agent")
            .expect("the Claude agent schema loads")
    }

    #[test]
    fn chat_modes_rename_to_agent_files() {
        let rename = Registry::get()
            .by_id("copilot-chatmode")
            .and_then(|dialect| dialect.rename_to.as_ref())
            .expect("chat modes say how they migrate");
        let target = |path: &str| rename.target(Path::new(path));
        assert_eq!(
            target("/w/.github/chatmodes/plan.chatmode.md"),
            Some("/w/.github/agents/plan.agent.md".into())
        );
        assert_eq!(
            target("/w/.github/chatmodes/plan.md"),
            Some("/w/.github/agents/plan.agent.md".into())
        );
        assert_eq!(
            target("/w/docs/plan.chatmode.md"),
            Some("/w/docs/plan.agent.md".into())
        );
        assert_eq!(
            target(".github/chatmodes/a.chatmode.md"),
            Some(".github/agents/a.agent.md".into())
        );
        assert_eq!(target("/w/.chatmode.md"), None);
    }

    #[test]
    fn plugin_roots_at_any_depth() {
        let root = tempfile::tempdir().unwrap();
        let plugin = root.path().join("my-plugin");
        std::fs::create_dir_all(plugin.join(".claude-plugin")).unwrap();
        std::fs::write(plugin.join(".claude-plugin/plugin.json"), "{}").unwrap();
        let deep = plugin.join("agents/a/b/c/x.md");
        assert_eq!(plugin_root(&deep), Some(plugin.as_path()));
        let skill = plugin.join("skills/review/SKILL.md");
        assert_eq!(plugin_root(&skill), Some(plugin.as_path()));
        assert_eq!(plugin_root(&plugin.join("docs/x.md")), None);
        let detected = Registry::get().detect(&deep).unwrap();
        assert_eq!(
            (detected.dialect.dialect.as_str(), detected.plugin),
            ("claude-agent", true)
        );
        // Without a manifest, a folder holding two component folders is plugin-shaped.
        std::fs::create_dir_all(plugin.join("agents")).unwrap();
        assert_eq!(plugin_shaped_root(&deep), None);
        std::fs::create_dir_all(plugin.join("commands")).unwrap();
        assert_eq!(plugin_shaped_root(&deep), Some(plugin.as_path()));
    }

    #[test]
    fn embedded_schemas_deserialize() {
        for (file, text) in BUILTIN {
            if let Err(error) = serde_saphyr::from_str::<Dialect>(text) {
                panic!("{file}: {error}");
            }
        }
    }

    #[test]
    fn claude_schema_has_every_recognised_key() {
        // spec/claude-code.md §4: the recognised agent key set, exactly.
        let keys = "name, description, model, tools, disallowedTools, color, effort, permissionMode, \
                    mcpServers, hooks, maxTurns, autoCompactWindow, skills, initialPrompt, memory, \
                    background, omitClaudeMd, isolation, observer, observerMessage, \
                    observeToolResults, observeSubagents, experimental";
        let mut expected: Vec<&str> = keys.split(", ").map(str::trim).collect();
        let mut actual: Vec<&str> = claude().fields.iter().map(|f| f.name.as_str()).collect();
        expected.sort_unstable();
        actual.sort_unstable();
        assert_eq!(actual, expected);
    }

    #[test]
    fn colors_have_swatches() {
        let color = claude().field("color").unwrap();
        assert_eq!(color.values.len(), 8);
        assert!(
            color
                .values
                .iter()
                .all(|v| v.hex.as_deref().is_some_and(|h| h.starts_with('#')))
        );
    }

    #[test]
    fn color_fields() {
        let opencode = Registry::get()
            .by_id("opencode-agent")
            .and_then(|dialect| dialect.field("color"))
            .expect("OpenCode agents have a color");
        // OpenCode accepts `#RRGGBB`; its theme names have no fixed color.
        assert!(opencode.hex_ok && opencode.is_color());
        let color = claude().field("color").unwrap();
        // Claude Code drops hex colors (spec/claude-code.md §4); its names have swatches.
        assert!(!color.hex_ok && color.is_color());
        assert!(!claude().field("model").unwrap().is_color());
    }

    #[test]
    fn tool_resolution() {
        let dialect = claude();
        assert!(matches!(dialect.tool("Bash"), ToolMatch::Known(t) if t.name == "Bash"));
        assert!(matches!(
            dialect.tool("Bash(git status:*)"),
            ToolMatch::Known(_)
        ));
        assert!(matches!(dialect.tool("Task"), ToolMatch::Legacy(t) if t.name == "Agent"));
        assert!(matches!(dialect.tool("LS"), ToolMatch::Removed(_)));
        assert_eq!(dialect.tool("mcp__github__create_issue"), ToolMatch::Mcp);
        assert_eq!(dialect.tool("mcp__github"), ToolMatch::Mcp);
        assert_eq!(dialect.tool("*"), ToolMatch::Wildcard);
        assert_eq!(dialect.tool("Bassh"), ToolMatch::Unknown);
    }

    #[test]
    fn detection_by_path() {
        let registry = Registry::get();
        let id = |p: &str| {
            registry
                .detect(Path::new(p))
                .map(|d| d.dialect.dialect.clone())
        };
        assert_eq!(
            id("/home/u/proj/.claude/agents/reviewer.md").as_deref(),
            Some("claude-agent")
        );
        assert_eq!(
            id(".claude/agents/sub/nested.md").as_deref(),
            Some("claude-agent")
        );
        assert_eq!(
            id("C:\\proj\\.claude\\agents\\x.md").as_deref(),
            Some("claude-agent")
        );
        assert_eq!(id("/home/u/proj/README.md"), None);
        assert_eq!(id("/home/u/proj/.claude/agents/notes.txt"), None);
        // An `agents/` folder without a plugin manifest is not a plugin.
        assert_eq!(id("/nonexistent/plugin/agents/x.md"), None);
    }

    #[test]
    fn overrides_come_first_and_report_their_problems() {
        let (overrides, problems) = DialectOverrides::new([
            ("**/prompts/*.md", "claude-command"),
            ("**/x/*.md", "nope"),
            ("[bad", "claude-agent"),
        ]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let id = |p: &str| {
            overrides
                .detect(Path::new(p))
                .map(|d| d.dialect.dialect.clone())
        };
        assert_eq!(
            id("/p/prompts/deploy.md").as_deref(),
            Some("claude-command")
        );
        assert_eq!(
            id("/p/.claude/agents/a.md").as_deref(),
            Some("claude-agent")
        );
        assert_eq!(id("/p/notes.md"), None);
    }

    #[test]
    fn plugin_agents_need_a_manifest() {
        let dir = std::env::temp_dir().join(format!("agentls-plugin-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".claude-plugin")).unwrap();
        std::fs::create_dir_all(dir.join("agents")).unwrap();
        std::fs::write(dir.join(".claude-plugin/plugin.json"), "{}").unwrap();
        let detected = Registry::get().detect(&dir.join("agents/x.md")).unwrap();
        assert!(detected.plugin);
        assert_eq!(detected.dialect.dialect, "claude-agent");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
