//! Which files are agent files: walking directories (for `agentls check` and the workspace index)
//! and telling agent files from the rest.
//!
//! Classification happens in two steps. From the path alone ([`classify_path`]), every file gets a
//! [`PathClass`]:
//!
//! 1. the path rules of a dialect in the [`Registry`] (`.claude/agents/**/*.md`, plugin agents)
//!    make it [`PathClass::Dialect`]: an agent file whatever its content;
//! 2. a dialect's collection layout — its plugin layout *without* the plugin manifest
//!    (`agents/**/*.md`, `commands/**/*.md`, `skills/*/SKILL.md`) or its `collection_paths`
//!    (`**/*.mdc`) — makes it [`PathClass::Collection`];
//! 3. any other Markdown file is [`PathClass::Other`].
//!
//! A walk skips documentation pages (`README.md`, `CHANGELOG.md`, …) everywhere: Claude Code
//! silently ignores a README without `name` in `.claude/agents/`. It also skips the remaining
//! files that lie in another tool's known layout (a skill's reference pages, instruction files,
//! see [`foreign_layout`]).
//!
//! Then, once the text is read ([`classify_text`]), the frontmatter decides for the candidates of
//! steps 2 and 3: a collection file needs frontmatter that *loosely* fits one of the dialects
//! whose layout it lies in, any other file one that fits *strongly* (see [`Fit`]) — or loosely,
//! when its body uses the argument placeholders only commands and skills have (`$ARGUMENTS`). A
//! file named on the command line is checked when its path or its frontmatter names a dialect,
//! even a loose fit outside any agent folder.

use std::sync::{Mutex, PoisonError};

use ignore::{DirEntry, WalkBuilder, WalkState};
use std::path::{Path, PathBuf};

use crate::schema::{Detected, Dialect, DialectOverrides, Registry, plugin_shaped_root};
use crate::syntax::{parse_frontmatter, split_str};

/// A file to read and, depending on its content, to check.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The path to read, as walked or as given.
    pub path: PathBuf,
    /// The path shown in reports: as given, forward slashes, without a leading `./`.
    pub display: String,
    /// Named on the command line (always checked when it has a dialect; read errors reported).
    pub explicit: bool,
    pub class: PathClass,
}

/// What the path alone says about a file.
#[derive(Clone, Debug)]
pub enum PathClass {
    /// A dialect's own path rules claim the file.
    Dialect(Detected<'static>),
    /// The file lies where collections keep files of these dialects (most specific first): an
    /// agent when its frontmatter loosely fits one of them.
    Collection(Vec<&'static Dialect>),
    /// Any other candidate: an agent only when its frontmatter fits a dialect strongly.
    Other,
}

/// What a directory walk found, and what went wrong on the way.
#[derive(Debug, Default)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
    /// Directories or entries the walk could not read (the run is incomplete).
    pub errors: Vec<String>,
}

/// Walks `root` (a directory) respecting `.gitignore`, `.ignore` and git excludes, entering
/// hidden directories (`.claude`!) but not version-control metadata, and returns the candidates
/// in no particular order. The walk and the classification run on every core.
pub fn walk(root: &Path, overrides: &DialectOverrides, discovery: &mut Discovery) {
    let found = Mutex::new(Discovery::default());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| !is_vcs_dir(entry.file_name()))
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let (candidate, error) = match entry {
                    Ok(entry) => (walked_candidate(entry, overrides), None),
                    Err(error) => (None, Some(error.to_string())),
                };
                if candidate.is_some() || error.is_some() {
                    // A poisoned lock only means another visitor panicked; its data is intact.
                    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
                    found.candidates.extend(candidate);
                    found.errors.extend(error);
                }
                WalkState::Continue
            })
        });
    let found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    discovery.candidates.extend(found.candidates);
    discovery.errors.extend(found.errors);
}

/// The candidate a walked entry makes, if any; a dialect override (`.agentls.yaml`) claims a
/// file whatever its path.
fn walked_candidate(entry: DirEntry, overrides: &DialectOverrides) -> Option<Candidate> {
    // Symlinked files count (agent folders are often symlinked from dotfiles).
    let is_file = entry
        .file_type()
        .is_some_and(|kind| kind.is_file() || (kind.is_symlink() && entry.path().is_file()));
    if !is_file {
        return None;
    }
    walked(entry.path(), overrides)
}

/// A file named on the command line.
pub fn explicit(path: &Path) -> Candidate {
    Candidate {
        path: path.to_path_buf(),
        display: display_path(path),
        explicit: true,
        class: classify_path(path).unwrap_or(PathClass::Other),
    }
}

/// The candidate a walk would make of the file at `path` (a file the workspace index hears
/// about one at a time), or `None` when a walk would skip it.
pub fn walked(path: &Path, overrides: &DialectOverrides) -> Option<Candidate> {
    // Override globs are anchored where they were written: match the absolute path.
    let overridden = (!overrides.is_empty())
        .then(|| overrides.overridden(&std::path::absolute(path).unwrap_or_else(|_| path.into())))
        .flatten();
    let class = match overridden {
        Some(detected) => PathClass::Dialect(detected),
        None => classify_walked(path)?,
    };
    Some(Candidate {
        display: display_path(path),
        path: path.to_path_buf(),
        explicit: false,
        class,
    })
}

/// The class of a walked file, or `None` when the walk skips it.
fn classify_walked(path: &Path) -> Option<PathClass> {
    let name = path.file_name()?.to_str()?;
    if is_doc_page(name) {
        return None;
    }
    match classify_path(path)? {
        PathClass::Other if foreign_layout(path).is_some() => None,
        class => Some(class),
    }
}

/// The class of a file from its path; `None` for a file no dialect can claim.
pub fn classify_path(path: &Path) -> Option<PathClass> {
    let matched = Registry::get().match_path(path);
    if let Some(detected) = matched.detected(path) {
        return Some(PathClass::Dialect(detected));
    }
    // A plugin's layout in a plugin-shaped folder (`plugins/<name>/` holding `agents/` and
    // `commands/`) is a plugin whose manifest lives elsewhere (a marketplace's) or was not
    // copied: its files are agent files by path, even a command without frontmatter. They are
    // checked by the project rules: installed or copied, it cannot be told which.
    if let Some(dialect) = matched.plugin_layout
        && plugin_shaped_root(path).is_some()
    {
        return Some(PathClass::Dialect(Detected {
            dialect,
            plugin: false,
        }));
    }
    if !matched.collections.is_empty() {
        return Some(PathClass::Collection(matched.collections));
    }
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("md"))
        .then_some(PathClass::Other)
}

/// The dialect (and plugin flag) of a candidate, now that its text is known; `None` when it is
/// not an agent file after all.
pub fn classify_text(candidate: &Candidate, text: &str) -> Option<Detected<'static>> {
    let dialect = match &candidate.class {
        PathClass::Dialect(detected) => return Some(*detected),
        PathClass::Collection(dialects) => {
            let keys = frontmatter_keys(text)?;
            most_known(dialects.iter().copied(), &keys, Fit::Loose)?
        }
        // Walks never yield these; named files can be another tool's.
        PathClass::Other if foreign_layout(&candidate.path).is_some() => return None,
        PathClass::Other => {
            let keys = frontmatter_keys(text)?;
            if candidate.explicit {
                best_fit(&keys, Fit::Loose)?
            } else {
                best_fit(&keys, Fit::Strong).or_else(|| {
                    // `$ARGUMENTS` in the body marks a command or a skill: for those a loose fit
                    // (`name` + `description`, all a command needs) is evidence enough.
                    let takes_arguments = Registry::get()
                        .dialects()
                        .filter(|dialect| !dialect.plugin_paths.is_empty())
                        .filter(|dialect| dialect.body.as_ref().is_some_and(|body| body.arguments));
                    body_uses_arguments(text)
                        .then(|| most_known(takes_arguments, &keys, Fit::Loose))
                        .flatten()
                })?
            }
        }
    };
    Some(Detected {
        dialect,
        plugin: false,
    })
}

/// Why an explicitly named file is not checked, for the note on stderr.
pub fn not_an_agent_reason(path: &Path) -> String {
    match foreign_layout(path) {
        Some(kind) => format!("looks like {kind}, which agentls does not check yet"),
        None => {
            "no dialect matches its path or its frontmatter (use --dialect to force one)".to_owned()
        }
    }
}

/// How well a frontmatter's keys fit a dialect's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    None,
    /// At least one field of the dialect, and fewer unknown keys than known ones.
    Loose,
    /// Every required field, at least one more field of the dialect, and fewer unknown keys than
    /// known ones: `name` + `description` alone is not enough (skills and slash commands have
    /// them too), `name` + `description` + `model` is.
    Strong,
}

pub fn fit(dialect: &Dialect, keys: &[String]) -> Fit {
    let known = keys
        .iter()
        .filter(|key| dialect.field(key).is_some())
        .count();
    let unknown = keys.len() - known;
    if known == 0 || unknown >= known {
        return Fit::None;
    }
    let required = dialect.fields.iter().filter(|field| field.required);
    let mut required_count = 0;
    let mut has_required = true;
    for field in required {
        required_count += 1;
        has_required &= keys.contains(&field.name);
    }
    // A dialect with no required field cannot be recognised strongly: any `name` +
    // `description` would fit it.
    if has_required && required_count > 0 && known > required_count {
        Fit::Strong
    } else {
        Fit::Loose
    }
}

/// The dialect that fits `keys` at least as well as `needed`, preferring the one that knows
/// most of the keys. Only dialects that live in collections (those with a plugin layout: Claude
/// Code's) are recognised by frontmatter alone; other tools find their files by path and name,
/// so their path rules alone decide.
fn best_fit(keys: &[String], needed: Fit) -> Option<&'static Dialect> {
    let collected = Registry::get()
        .dialects()
        .filter(|dialect| !dialect.plugin_paths.is_empty());
    most_known(collected, keys, needed)
}

/// Among `dialects`, the one that fits `keys` at least as well as `needed` and knows most of
/// them; ties go to the more specific dialect (the registry's priority).
fn most_known<'a>(
    dialects: impl Iterator<Item = &'a Dialect>,
    keys: &[String],
    needed: Fit,
) -> Option<&'a Dialect> {
    dialects
        .filter(|dialect| fit(dialect, keys) >= needed)
        .max_by_key(|dialect| {
            let known = keys
                .iter()
                .filter(|key| dialect.field(key).is_some())
                .count();
            (known, dialect.priority)
        })
}

/// The body (after the frontmatter) substitutes the command arguments.
fn body_uses_arguments(text: &str) -> bool {
    let body_start = split_str(text).body_start;
    text.get(body_start..)
        .is_some_and(|body| body.contains("$ARGUMENTS"))
}

/// The top-level keys of the document's frontmatter. Also reads a *displaced* block (blank
/// lines before the opening `---`, or an indented one), which Claude Code does not load but
/// whose author clearly meant frontmatter: the analysis then reports why it is not loaded.
pub fn frontmatter_keys(text: &str) -> Option<Vec<String>> {
    let split = split_str(text);
    if let Some(block) = &split.frontmatter {
        let range = block
            .truncated
            .as_ref()
            .map_or(block.content, |truncation| truncation.intended_content);
        let frontmatter = parse_frontmatter(&split.head[range.as_range()], range.start);
        return Some(
            frontmatter
                .entries
                .into_iter()
                .map(|entry| entry.key)
                .collect(),
        );
    }
    displaced_block(text).map(|block| {
        parse_frontmatter(&block, 0)
            .entries
            .into_iter()
            .map(|entry| entry.key)
            .collect()
    })
}

/// The dedented content of a `---` block that starts after blank lines or is indented.
fn displaced_block(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().skip_while(|line| line.trim().is_empty());
    if lines.next()?.trim() != "---" {
        return None;
    }
    let content: Vec<&str> = lines.take_while(|line| line.trim() != "---").collect();
    let indent = content
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut block = String::new();
    for line in content {
        block.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        block.push('\n');
    }
    Some(block)
}

/// Another tool's file layout, described for the user (`None` when the path has none of them).
pub fn foreign_layout(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    const NAMES: &[(&str, &str)] = &[
        ("skill.md", "a skill (SKILL.md)"),
        ("agents.md", "an AGENTS.md instruction file"),
        ("claude.md", "a CLAUDE.md memory file"),
        ("claude.local.md", "a CLAUDE.md memory file"),
        ("gemini.md", "a GEMINI.md instruction file"),
        ("copilot-instructions.md", "a Copilot instructions file"),
    ];
    const SUFFIXES: &[(&str, &str)] = &[
        (".agent.md", "a GitHub Copilot agent"),
        (".chatmode.md", "a GitHub Copilot chat mode"),
        (".prompt.md", "a GitHub Copilot prompt file"),
        (".instructions.md", "a GitHub Copilot instructions file"),
    ];
    const DIRECTORIES: &[(&str, &str)] = &[
        ("commands", "a slash command"),
        ("command", "a slash command"),
        ("skills", "a skill's file"),
        ("output-styles", "a Claude Code output style"),
        ("rules", "a rules file"),
        (".github", "a GitHub Copilot file"),
        ("prompts", "a prompt file"),
        ("chatmodes", "a GitHub Copilot chat mode"),
        ("instructions", "an instructions file"),
        (".opencode", "an OpenCode file"),
        ("mode", "an OpenCode mode"),
        ("modes", "an OpenCode mode"),
        (".cursor", "a Cursor file"),
        (".kiro", "a Kiro steering file"),
        (".windsurf", "a Windsurf rule"),
        (".devin", "a Devin rule"),
        (".gemini", "a Gemini CLI file"),
        (".factory", "a Factory droid"),
        (".codex", "a Codex file"),
    ];
    if let Some((_, kind)) = NAMES.iter().find(|(known, _)| *known == name) {
        return Some(kind);
    }
    if let Some((_, kind)) = SUFFIXES.iter().find(|(suffix, _)| name.ends_with(suffix)) {
        return Some(kind);
    }
    let parent = path.parent()?;
    parent.components().find_map(|component| {
        let component = component.as_os_str().to_str()?;
        DIRECTORIES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(component))
            .map(|(_, kind)| *kind)
    })
}

/// Documentation pages that sit beside agent files and are never agents themselves.
fn is_doc_page(name: &str) -> bool {
    const STEMS: &[&str] = &[
        "readme",
        "changelog",
        "changes",
        "contributing",
        "license",
        "licence",
        "code_of_conduct",
        "code-of-conduct",
        "security",
        "support",
        "authors",
        "notice",
        "history",
    ];
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    STEMS.contains(&stem.as_str())
}

fn is_vcs_dir(name: &std::ffi::OsStr) -> bool {
    [".git", ".hg", ".svn", ".jj"]
        .iter()
        .any(|vcs| name == *vcs)
}

/// Forward slashes, so that one set of globs serves every platform.
fn normalize(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The path as shown in reports: forward slashes, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let normalized = normalize(path);
    let mut rest = normalized.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped.trim_start_matches('/');
    }
    if rest.is_empty() {
        normalized
    } else {
        rest.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        frontmatter_keys(text).unwrap_or_default()
    }

    fn claude() -> &'static Dialect {
        Registry::get().by_id("claude-agent").unwrap()
    }

    fn candidate(path: &str, explicit: bool) -> Candidate {
        Candidate {
            path: path.into(),
            display: path.into(),
            explicit,
            class: classify_path(Path::new(path)).unwrap(),
        }
    }

    fn dialect_of(path: &str, explicit: bool, text: &str) -> Option<String> {
        classify_text(&candidate(path, explicit), text).map(|d| d.dialect.dialect.clone())
    }

    #[test]
    fn fit_levels() {
        let fit_of = |text| fit(claude(), &keys(text));
        assert_eq!(
            fit_of("---\nname: a\ndescription: b\nmodel: sonnet\n---\n"),
            Fit::Strong
        );
        assert_eq!(fit_of("---\nname: a\ndescription: b\n---\n"), Fit::Loose);
        assert_eq!(fit_of("---\nname: a\nmodel: opus\n---\n"), Fit::Loose);
        assert_eq!(
            fit_of("---\ntitle: Agents\ndescription: b\n---\n"),
            Fit::None
        );
        assert_eq!(
            fit_of(
                "---\nname: a\ndescription: b\ntools: x\nmode: sub\nid: a\ntemperature: 0.1\n---\n"
            ),
            Fit::None,
            "mostly foreign keys (an OpenCode agent)"
        );
        assert_eq!(fit_of("# README\n"), Fit::None);
    }

    #[test]
    fn displaced_frontmatter_still_has_keys() {
        let text = "\n    ---\n    name: sqs-expert\n    description: Queues\n    ---\n\nBody\n";
        assert_eq!(keys(text), ["name", "description"]);
        assert_eq!(keys("\n\n---\nname: a\n---\n"), ["name"]);
        assert_eq!(frontmatter_keys("Just text\n---\n"), None);
    }

    #[test]
    fn classification_by_layout_and_frontmatter() {
        let agent = "---\nname: a\ndescription: b\nmodel: sonnet\n---\nYou are a.\n";
        let minimal = "---\nname: a\ndescription: b\n---\nYou are a.\n";
        let claude = Some("claude-agent".to_owned());
        // A project agent: the path decides, whatever the content.
        assert_eq!(dialect_of(".claude/agents/x.md", false, "hello"), claude);
        // A collection's agents folder: a loose fit is enough.
        assert_eq!(dialect_of("repo/agents/x.md", false, minimal), claude);
        assert_eq!(dialect_of("repo/agents/x.md", false, "# Notes\n"), None);
        // Elsewhere the frontmatter must fit strongly.
        assert_eq!(dialect_of("categories/01/x.md", false, agent), claude);
        assert_eq!(dialect_of("tools/catalog/x.md", false, minimal), None);
        // An explicitly named file: a loose fit is enough.
        assert_eq!(dialect_of("notes.md", true, minimal), claude);
        assert_eq!(dialect_of("notes.md", true, "# Notes\n"), None);
        // A skill folder's SKILL.md is a skill, even with an agent's fields.
        assert_eq!(
            dialect_of("skills/x/SKILL.md", true, agent).as_deref(),
            Some("claude-skill")
        );
        // A Copilot agent by its name: its own dialect, never a Claude agent.
        assert_eq!(
            dialect_of("agents/x.agent.md", true, agent).as_deref(),
            Some("copilot-agent")
        );
    }

    #[test]
    fn foreign_layouts_and_doc_pages() {
        let foreign = |p: &str| foreign_layout(Path::new(p));
        assert_eq!(foreign("p/skills/x/SKILL.md"), Some("a skill (SKILL.md)"));
        assert_eq!(
            foreign("p/agents/x.agent.md"),
            Some("a GitHub Copilot agent")
        );
        assert_eq!(foreign("plugins/p/commands/x.md"), Some("a slash command"));
        assert_eq!(foreign(".opencode/agent/x.md"), Some("an OpenCode file"));
        assert_eq!(foreign("plugins/p/agents/x.md"), None);
        assert!(is_doc_page("README.md") && is_doc_page("readme.MD"));
        assert!(!is_doc_page("readme-generator.md"));
        assert!(classify_walked(Path::new("agents/README.md")).is_none());
        assert!(matches!(
            classify_walked(Path::new("x/commands/y.md")),
            Some(PathClass::Collection(dialects)) if dialects[0].dialect == "claude-command"
        ));
        assert!(classify_walked(Path::new("x/skills/y/reference.md")).is_none());
        assert!(classify_walked(Path::new("x/notes.txt")).is_none());
        assert!(classify_walked(Path::new("x/.claude/agents/README.md")).is_none());
        assert!(matches!(
            classify_walked(Path::new("x/.claude/agents/a.md")),
            Some(PathClass::Dialect(_))
        ));
        assert!(matches!(
            classify_walked(Path::new("x/agents/a.md")),
            Some(PathClass::Collection(_))
        ));
    }

    #[test]
    fn collection_layouts_of_every_dialect() {
        let command = "---\nname: a\ndescription: b\n---\nDo $ARGUMENTS.\n";
        let dialect = |path, text| dialect_of(path, false, text);
        assert_eq!(
            dialect("p/commands/x.md", command).as_deref(),
            Some("claude-command")
        );
        assert_eq!(
            dialect("p/skills/x/SKILL.md", "---\nname: x\ndescription: b\n---\n").as_deref(),
            Some("claude-skill")
        );
        // Cursor's `.mdc` is checked anywhere when the frontmatter is a rule's.
        let rule = "---\ndescription: TS\nglobs: *.ts\nalwaysApply: false\n---\nUse strict.\n";
        assert_eq!(
            dialect("rules/ts.mdc", rule).as_deref(),
            Some("cursor-rule")
        );
        assert_eq!(dialect("docs/page.mdc", "---\ntitle: x\n---\n"), None);
        // Outside any layout, `$ARGUMENTS` in the body makes name + description a command.
        assert_eq!(
            dialect("tools/catalog/search.md", command).as_deref(),
            Some("claude-command")
        );
        assert_eq!(
            dialect(
                "tools/catalog/search.md",
                "---\nname: a\ndescription: b\n---\nNo arguments.\n"
            ),
            None
        );
        assert_eq!(
            dialect("notes/x.md", "---\ntitle: $ARGUMENTS\n---\n$ARGUMENTS\n"),
            None,
            "the frontmatter must still fit"
        );
    }

    #[test]
    fn plugin_shaped_folders_decide_by_path() {
        let root = tempfile::tempdir().unwrap();
        let plugin = root.path().join("plugins/review");
        for folder in ["agents", "commands"] {
            std::fs::create_dir_all(plugin.join(folder)).unwrap();
        }
        let docs = root.path().join("docs/commands");
        std::fs::create_dir_all(&docs).unwrap();
        // A marketplace plugin's command needs no frontmatter, as in `.claude/commands/`.
        let command = plugin.join("commands/review.md");
        let class = classify_walked(&command);
        assert!(
            matches!(class, Some(PathClass::Dialect(d)) if d.dialect.dialect == "claude-command" && !d.plugin),
            "{class:?}"
        );
        // A documentation folder named `commands` is not a plugin: frontmatter must decide.
        let page = docs.join("install.md");
        let candidate = Candidate {
            path: page.clone(),
            display: String::new(),
            explicit: false,
            class: classify_walked(&page).unwrap(),
        };
        assert!(classify_text(&candidate, "# Install\n").is_none());
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_path(Path::new("./a/b.md")), "a/b.md");
        assert_eq!(display_path(Path::new(".//a.md")), "a.md");
        assert_eq!(display_path(Path::new("../x.md")), "../x.md");
        assert_eq!(display_path(Path::new(".")), ".");
    }
}
