//! The workspace index: what each agent-definition file declares (its name) and which other
//! files it names (skills, agents), for cross-file diagnostics, navigation and symbols.
//!
//! Facts are extracted from an [`Analysis`] (spans included) and kept per path; the index
//! answers by name. Which fields name what is schema data (`refers_to`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dashmap::DashMap;

use crate::analysis::values::list_items;
use crate::analysis::{Analysis, Diagnostic, Mention, Severity};
use crate::discover::{Candidate, classify_text};
use crate::schema::{Dialect, file_stem, plugin_root, plugin_shaped_root};
use crate::source::Source;
use crate::syntax::{Node, NodeKind};
use crate::text::TextRange;

/// What one file declares and references.
#[derive(Clone, Debug, PartialEq)]
pub struct FileFacts {
    /// The dialect id (`claude-agent`).
    pub dialect: &'static str,
    /// What a file of the dialect is (`Claude Code subagent`).
    pub title: &'static str,
    /// The name the tool knows the file by.
    pub name: Named,
    /// Where that name comes from.
    pub name_source: NameSource,
    /// The `name:` value, when the file has one (a skill's must match its folder).
    pub name_field: Option<TextRange>,
    /// Values that name other files.
    pub references: Vec<Reference>,
}

/// Where a file's name comes from: renaming it means editing that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameSource {
    /// The `name:` field.
    Field,
    /// The folder holding the file (skills).
    Folder,
    /// The file name (commands, prompt files).
    File,
}

/// A declared name and where it is written (an empty range at 0 when it comes from the path).
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    pub text: String,
    pub range: TextRange,
}

/// A value that names a file of one of `targets` (dialect ids).
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub name: String,
    pub range: TextRange,
    /// The field the name is written in.
    pub field: &'static str,
    pub targets: &'static [String],
    /// Names that need no file (built-in agents such as `Explore`).
    pub builtin: bool,
}

/// A file that declares a name.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub path: PathBuf,
    pub facts: Arc<FileFacts>,
}

impl FileFacts {
    /// The facts of the analysed file at `path`; `None` when it has no dialect.
    pub fn from_analysis(path: &Path, analysis: &Analysis) -> Option<Self> {
        let dialect: &'static Dialect = analysis.detected?.dialect;
        let head = analysis.head();
        let frontmatter = analysis.frontmatter.as_deref();
        let field_value = |key: &str| {
            let entry = frontmatter?.last(key)?;
            let scalar = entry.value.as_ref()?.as_scalar()?;
            let text = scalar.value.trim();
            (!text.is_empty()).then(|| Named {
                text: text.to_owned(),
                range: scalar.content,
            })
        };
        let name_field = field_value("name").map(|named| named.range);
        let (name, name_source) = declared_name(dialect, path, field_value)?;
        let mut references = Vec::new();
        for field in dialect.fields.iter().filter(|f| !f.refers_to.is_empty()) {
            let Some(node) = frontmatter
                .and_then(|fm| fm.last(&field.name))
                .and_then(|entry| entry.value.as_ref())
            else {
                continue;
            };
            let items = match &field.refers_via {
                Some(key) => values_under(node, key),
                None => list_items(node, head)
                    .into_iter()
                    .map(|item| (item.text, item.range))
                    .collect(),
            };
            for (text, range) in items {
                // `*` (all agents) and plugin-namespaced names (`plugin:agent`) are not files here.
                if text.contains(['*', ':']) {
                    continue;
                }
                let builtin = field.values.iter().any(|value| value.value == text);
                references.push(Reference {
                    name: text,
                    range,
                    field: &field.name,
                    targets: &field.refers_to,
                    builtin,
                });
            }
        }
        Some(Self {
            dialect: &dialect.dialect,
            title: &dialect.title,
            name,
            name_source,
            name_field,
            references,
        })
    }

    /// The facts of a file on disk, classified as `agentls check` would; `None` when it is not an
    /// agent file (or cannot be read).
    pub fn from_disk(candidate: &Candidate) -> Option<Self> {
        let (_, analysis) = analyse_disk(candidate)?;
        Self::from_analysis(&candidate.path, &analysis)
    }

    /// The reference at byte `offset`, if any.
    pub fn reference_at(&self, offset: usize) -> Option<&Reference> {
        self.references
            .iter()
            .find(|reference| reference.range.start <= offset && offset <= reference.range.end)
    }
}

/// The scalar values of `key` in each map of a list (`handoffs: [{agent: planner}]`), with
/// their ranges.
fn values_under(node: &Node, key: &str) -> Vec<(String, TextRange)> {
    let NodeKind::Sequence(sequence) = &node.kind else {
        return Vec::new();
    };
    sequence
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            NodeKind::Mapping(mapping) => mapping.entries.iter().rev().find(|e| e.key == key),
            _ => None,
        })
        .filter_map(|entry| {
            let scalar = entry.value.as_ref()?.as_scalar()?;
            let text = scalar.value.trim();
            (!text.is_empty()).then(|| (text.to_owned(), scalar.content))
        })
        .collect()
}

/// The name the tool knows a file by: a skill by its folder (its `name` must match it), a file
/// whose dialect has a `name` field by that field, else by its file name.
fn declared_name(
    dialect: &Dialect,
    path: &Path,
    field_value: impl Fn(&str) -> Option<Named>,
) -> Option<(Named, NameSource)> {
    let from_path = |text: &str, source| {
        (
            Named {
                text: text.to_owned(),
                range: TextRange::empty(0),
            },
            source,
        )
    };
    match dialect.field("name") {
        Some(field) if field.match_folder => {
            let folder = path.parent()?.file_name()?.to_str()?;
            Some(from_path(folder, NameSource::Folder))
        }
        Some(field) if field.ignored.is_none() => field_value("name")
            .map(|named| (named, NameSource::Field))
            .or_else(|| Some(from_path(&file_stem(path)?, NameSource::File))),
        _ => Some(from_path(&file_stem(path)?, NameSource::File)),
    }
}

/// What renaming the file at `path` (which declares `facts`) to `new_name` changes in it: text
/// edits in the file, and the path it moves to (a skill's folder, a command's file name).
pub fn rename_in_file(
    path: &Path,
    facts: &FileFacts,
    new_name: &str,
) -> (Vec<TextRange>, Option<(PathBuf, PathBuf)>) {
    let edits: Vec<TextRange> = facts.name_field.into_iter().collect();
    let moved = match facts.name_source {
        NameSource::Field => None,
        NameSource::Folder => path.parent().and_then(|folder| {
            let parent = folder.parent()?;
            Some((folder.to_path_buf(), parent.join(new_name)))
        }),
        NameSource::File => path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_prefix(facts.name.text.as_str()))
            .map(|suffix| {
                (
                    path.to_path_buf(),
                    path.with_file_name(format!("{new_name}{suffix}")),
                )
            }),
    };
    (edits, moved)
}

/// The file of `candidate` read from disk and analysed as `agentls check` would, with its path
/// (path-dependent checks run): its text and analysis. `None` when it is not an agent file or
/// cannot be read.
pub fn analyse_disk(candidate: &Candidate) -> Option<(String, Analysis)> {
    let (text, failure) = Source::read(&candidate.path).into_parts();
    if failure.is_some() {
        return None;
    }
    let detected = classify_text(candidate, &text)?;
    let analysis = Analysis::with_detected(
        Some(&candidate.path),
        Some(detected),
        text.len(),
        std::iter::once(text.as_str()),
    );
    Some((text, analysis))
}

/// The facts of every candidate that is an agent file, read from disk in parallel (what the
/// server's index is built from).
pub fn scan(candidates: &[Candidate]) -> Vec<(PathBuf, FileFacts)> {
    use rayon::prelude::*;
    candidates
        .par_iter()
        .filter_map(|candidate| Some((candidate.path.clone(), FileFacts::from_disk(candidate)?)))
        .collect()
}

/// A duplicate-name warning lists at most this many of the other files.
const MAX_NAMESAKES_LISTED: usize = 3;

/// Every indexed file's facts, by path.
#[derive(Debug, Default)]
pub struct WorkspaceIndex {
    files: DashMap<PathBuf, Arc<FileFacts>>,
    /// Paths by declared name: lookups by name are per keystroke (cross-file diagnostics).
    by_name: DashMap<String, Vec<PathBuf>>,
    /// The scope (plugin or project) of each folder holding files, found by looking at the disk:
    /// per keystroke, the duplicate check needs it for every namesake.
    scopes: DashMap<PathBuf, Option<PathBuf>>,
    /// The files of one name, dialect and scope, sorted by path: a duplicate-name check per
    /// keystroke is a lookup, however many files share the name.
    groups: DashMap<GroupKey, Vec<PathBuf>>,
    /// The group each file was filed under (scopes can change on disk meanwhile).
    group_of: DashMap<PathBuf, GroupKey>,
}

/// Files clash when they share a name, a dialect and a scope (plugin or project).
type GroupKey = (String, &'static str, Option<PathBuf>);

impl WorkspaceIndex {
    /// Records (or, with `None`, forgets) the facts of the file at `path`.
    /// Returns whether what the file declares or names changed.
    pub fn update(&self, path: &Path, facts: Option<FileFacts>) -> bool {
        self.replace(path, facts).is_some()
    }

    /// Records (or forgets) the facts of the file at `path`; when they changed, returns the
    /// names whose files' cross-file diagnostics may change with them (the old and new declared
    /// names). `None` when nothing changed.
    pub fn replace(&self, path: &Path, facts: Option<FileFacts>) -> Option<Vec<String>> {
        if let (Some(new), Some(known)) = (&facts, self.files.get(path))
            && **known == *new
        {
            return None;
        }
        let new = facts.map(Arc::new);
        let previous = match &new {
            Some(new) => self.files.insert(path.to_path_buf(), Arc::clone(new)),
            None => self.files.remove(path).map(|(_, previous)| previous),
        };
        let mut names = Vec::new();
        if let Some(previous) = previous {
            if let Some(mut paths) = self.by_name.get_mut(&previous.name.text) {
                paths.retain(|known| known != path);
            }
            if let Some((_, key)) = self.group_of.remove(path)
                && let Some(mut group) = self.groups.get_mut(&key)
                && let Ok(at) = group.binary_search_by(|known| known.as_path().cmp(path))
            {
                group.remove(at);
            }
            names.push(previous.name.text.clone());
        }
        if let Some(new) = new {
            self.by_name
                .entry(new.name.text.clone())
                .or_default()
                .push(path.to_path_buf());
            let key = (new.name.text.clone(), new.dialect, self.scope_of(path));
            let mut group = self.groups.entry(key.clone()).or_default();
            if let Err(at) = group.binary_search_by(|known| known.as_path().cmp(path)) {
                group.insert(at, path.to_path_buf());
            }
            drop(group);
            self.group_of.insert(path.to_path_buf(), key);
            if !names.contains(&new.name.text) {
                names.push(new.name.text.clone());
            }
        }
        Some(names)
    }

    /// Whether the cross-file diagnostics of a file declaring `facts` depend on files named
    /// `names` (it names one of them, or shares one).
    pub fn depends_on(facts: &FileFacts, names: &[String]) -> bool {
        names.contains(&facts.name.text)
            || facts
                .references
                .iter()
                .any(|reference| names.contains(&reference.name))
    }

    /// The plugin or project whose names the file at `path` shares (see [`find_scope`]), looked
    /// up on disk once per folder.
    fn scope_of(&self, path: &Path) -> Option<PathBuf> {
        let folder = path.parent().unwrap_or(path);
        if let Some(scope) = self.scopes.get(folder) {
            return scope.clone();
        }
        let scope = find_scope(path);
        self.scopes.insert(folder.to_path_buf(), scope.clone());
        scope
    }

    /// Forgets the scopes found on disk (folders or plugin manifests may have come or gone).
    pub fn forget_scopes(&self) {
        self.scopes.clear();
    }

    /// Every indexed path.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files.iter().map(|entry| entry.key().clone()).collect()
    }

    /// The indexed files whose cross-file diagnostics depend on files named `names`
    /// (see [`WorkspaceIndex::depends_on`]).
    pub fn dependents(&self, names: &[String]) -> Vec<PathBuf> {
        if names.is_empty() {
            return Vec::new();
        }
        self.files
            .iter()
            .filter(|entry| Self::depends_on(entry.value(), names))
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// Forgets every file under `folder` (a workspace folder that was removed).
    pub fn remove_under(&self, folder: &Path) {
        let gone: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|entry| entry.key().starts_with(folder))
            .map(|entry| entry.key().clone())
            .collect();
        for path in gone {
            self.update(&path, None);
        }
    }

    /// The facts recorded for `path`.
    pub fn get(&self, path: &Path) -> Option<Arc<FileFacts>> {
        self.files.get(path).map(|facts| Arc::clone(&facts))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files of one of `dialects` declaring `name`, sorted by path.
    pub fn definitions(&self, name: &str, dialects: &[String]) -> Vec<Definition> {
        let paths = self
            .by_name
            .get(name)
            .map(|paths| paths.clone())
            .unwrap_or_default();
        let mut found: Vec<Definition> = paths
            .into_iter()
            .filter_map(|path| {
                let facts = self.get(&path)?;
                (facts.name.text == name && dialects.iter().any(|d| d == facts.dialect))
                    .then_some(Definition { path, facts })
            })
            .collect();
        found.sort_by(|a, b| a.path.cmp(&b.path));
        found
    }

    /// The files a prose mention may name: those of the dialects its cues point to (a prefix
    /// such as `@agent-`, or a word such as `agent` next to it), else, for a name that looks
    /// like one (quoted, or compound like `code-reviewer`), a file of any dialect that prose
    /// mentions. Sorted by path.
    pub fn mentioned(&self, mention: &Mention) -> Vec<Definition> {
        let registry = crate::schema::Registry::get();
        let cued: Vec<String> = registry
            .dialects()
            .filter(|dialect| {
                let cues = &dialect.mentions;
                match &mention.prefix {
                    Some(prefix) => cues.prefixes.contains(prefix),
                    None => mention
                        .neighbours
                        .iter()
                        .any(|word| cues.words.contains(word)),
                }
            })
            .map(|dialect| dialect.dialect.clone())
            .collect();
        if !cued.is_empty() {
            return self.definitions(&mention.name, &cued);
        }
        if mention.prefix.is_some() || !mention.looks_like_a_name() {
            return Vec::new();
        }
        let mentionable: Vec<String> = registry
            .dialects()
            .filter(|dialect| {
                !dialect.mentions.words.is_empty() || !dialect.mentions.prefixes.is_empty()
            })
            .map(|dialect| dialect.dialect.clone())
            .collect();
        self.definitions(&mention.name, &mentionable)
    }

    /// Every file whose name contains `query` (case-insensitive), sorted by name then path.
    pub fn symbols(&self, query: &str) -> Vec<Definition> {
        let query = query.to_lowercase();
        let mut found: Vec<Definition> = self
            .files
            .iter()
            .filter(|entry| entry.name.text.to_lowercase().contains(&query))
            .map(|entry| Definition {
                path: entry.key().clone(),
                facts: Arc::clone(entry.value()),
            })
            .collect();
        found.sort_by(|a, b| (&a.facts.name.text, &a.path).cmp(&(&b.facts.name.text, &b.path)));
        found
    }

    /// The references to the file at `path` (which declares `facts`) from every indexed file,
    /// as `(referring file, range)`, sorted.
    pub fn references_to(&self, facts: &FileFacts) -> Vec<(PathBuf, TextRange)> {
        let mut found: Vec<(PathBuf, TextRange)> = self
            .files
            .iter()
            .flat_map(|entry| {
                entry
                    .references
                    .iter()
                    .filter(|reference| {
                        reference.name == facts.name.text
                            && reference.targets.iter().any(|t| t == facts.dialect)
                    })
                    .map(|reference| (entry.key().clone(), reference.range))
                    .collect::<Vec<_>>()
            })
            .collect();
        found.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
        found
    }

    /// The cross-file diagnostics of the indexed file at `path`: references that name nothing
    /// in the workspace, and a name another file of the same dialect and scope declares too.
    /// None for a file the index does not hold.
    pub fn diagnostics(&self, path: &Path) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        let Some(facts) = self.get(path) else {
            return diagnostics;
        };
        for reference in facts.references.iter().filter(|r| !r.builtin) {
            if self
                .definitions(&reference.name, reference.targets)
                .is_empty()
            {
                diagnostics.push(Diagnostic {
                    range: reference.range,
                    severity: Severity::Warning,
                    code: "unknown-reference",
                    message: format!(
                        "`{}` names no {} in this workspace",
                        reference.name,
                        target_title(reference.targets)
                    ),
                    fixes: Vec::new(),
                });
            }
        }
        let key = self.group_of.get(path).map(|key| key.clone());
        let clash = key.and_then(|key| {
            let group = self.groups.get(&key)?;
            if group.len() < 2 || group.binary_search_by(|p| p.as_path().cmp(path)).is_err() {
                return None;
            }
            let others: Vec<PathBuf> = group
                .iter()
                .filter(|other| other.as_path() != path)
                .take(MAX_NAMESAKES_LISTED)
                .cloned()
                .collect();
            Some((
                group.last().cloned().unwrap_or_default(),
                others,
                group.len(),
            ))
        });
        if let Some((winner, others, clashing)) = clash {
            let mut others: Vec<String> = others
                .iter()
                .map(|other| format!("`{}`", other.display()))
                .collect();
            let unlisted = clashing - 1 - others.len();
            if unlisted > 0 {
                others.push(format!("and {unlisted} more"));
            }
            let verdict = if winner == path {
                "this file wins (the last by path)".to_owned()
            } else {
                format!("`{}` wins (the last by path)", winner.display())
            };
            diagnostics.push(Diagnostic {
                range: facts.name.range,
                severity: Severity::Warning,
                code: "duplicate-name",
                message: format!(
                    "another {} is named `{}` ({}); {verdict}",
                    facts.title,
                    facts.name.text,
                    others.join(", ")
                ),
                fixes: Vec::new(),
            });
        }
        diagnostics
    }
}

/// Files in different plugins (or projects) may share names: a plugin's are namespaced.
fn find_scope(path: &Path) -> Option<PathBuf> {
    plugin_root(path)
        .or_else(|| plugin_shaped_root(path))
        .map(Path::to_path_buf)
}

fn target_title(targets: &[String]) -> String {
    let registry = crate::schema::Registry::get();
    targets
        .first()
        .and_then(|id| registry.by_id(id))
        .map_or_else(|| "file".to_owned(), |dialect| dialect.title.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::mention_at;

    fn facts(path: &str, text: &str) -> FileFacts {
        let analysis = Analysis::from_text(Some(Path::new(path)), text);
        FileFacts::from_analysis(Path::new(path), &analysis).expect("a dialect")
    }

    #[test]
    fn names_and_references() {
        let text = "---\nname: reviewer\ndescription: R\nskills: [api-style, Explore]\n---\nBody\n";
        let agent = facts("/w/.claude/agents/reviewer.md", text);
        assert_eq!(agent.name.text, "reviewer");
        assert_eq!(&text[agent.name.range.as_range()], "reviewer");
        let names: Vec<&str> = agent.references.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["api-style", "Explore"]);
        assert_eq!(&text[agent.references[0].range.as_range()], "api-style");

        // A skill goes by its folder; a command by its file name.
        let skill = facts(
            "/w/.claude/skills/api-style/SKILL.md",
            "---\nname: other\ndescription: d\n---\n",
        );
        assert_eq!(skill.name.text, "api-style");
        let command = facts(
            "/w/.claude/commands/deploy.md",
            "---\ndescription: d\ncontext: fork\nagent: Explore\n---\nGo\n",
        );
        assert_eq!(command.name.text, "deploy");
        assert_eq!(command.name_source, NameSource::File);
        assert_eq!(
            rename_in_file(Path::new("/w/.claude/commands/deploy.md"), &command, "ship"),
            (
                Vec::new(),
                Some((
                    PathBuf::from("/w/.claude/commands/deploy.md"),
                    PathBuf::from("/w/.claude/commands/ship.md")
                ))
            )
        );
        let skill_path = Path::new("/w/.claude/skills/api-style/SKILL.md");
        let (edits, moved) = rename_in_file(skill_path, &skill, "api-guide");
        assert_eq!(edits.len(), 1, "its name field");
        assert_eq!(
            moved,
            Some((
                PathBuf::from("/w/.claude/skills/api-style"),
                PathBuf::from("/w/.claude/skills/api-guide")
            ))
        );
        assert!(command.references[0].builtin, "Explore is built in");
    }

    #[test]
    fn many_namesakes_are_one_lookup_and_a_short_message() {
        let index = WorkspaceIndex::default();
        let text = "---\nname: twin\ndescription: d\n---\nBody\n";
        let path = |i: usize| PathBuf::from(format!("/w/.claude/agents/twin-{i:02}.md"));
        for i in 0..12 {
            index.update(&path(i), Some(facts(&path(i).to_string_lossy(), text)));
        }
        let found = index.diagnostics(&path(5));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "another Claude Code subagent is named `twin` (`/w/.claude/agents/twin-00.md`, \
             `/w/.claude/agents/twin-01.md`, `/w/.claude/agents/twin-02.md`, and 8 more); \
             `/w/.claude/agents/twin-11.md` wins (the last by path)"
        );
        // Renamed, a file leaves its group.
        let renamed = "---\nname: single\ndescription: d\n---\nBody\n";
        for i in 1..12 {
            index.update(&path(i), Some(facts(&path(i).to_string_lossy(), renamed)));
        }
        assert_eq!(index.diagnostics(&path(0)), []);
    }

    #[test]
    fn handoffs_name_agents() {
        let text = "---\ndescription: Plans\nhandoffs:\n  - label: Build\n    agent: implementer\n    prompt: Go\n  - label: Review\n    agent: reviewer\n---\nPlan.\n";
        let planner = facts("/w/.github/agents/planner.agent.md", text);
        let named: Vec<(&str, &str, &str)> = planner
            .references
            .iter()
            .map(|r| (r.field, r.name.as_str(), &text[r.range.as_range()]))
            .collect();
        assert_eq!(
            named,
            [
                ("handoffs", "implementer", "implementer"),
                ("handoffs", "reviewer", "reviewer")
            ]
        );
    }

    #[test]
    fn unresolved_references_and_duplicates() {
        let index = WorkspaceIndex::default();
        let agent_text =
            "---\nname: reviewer\ndescription: R\nskills: api-style, missing-skill\n---\nBody\n";
        let agent_path = Path::new("/w/.claude/agents/reviewer.md");
        let agent = facts("/w/.claude/agents/reviewer.md", agent_text);
        index.update(agent_path, Some(agent.clone()));
        index.update(
            Path::new("/w/.claude/skills/api-style/SKILL.md"),
            Some(facts(
                "/w/.claude/skills/api-style/SKILL.md",
                "---\nname: api-style\ndescription: d\n---\n",
            )),
        );
        let found = index.diagnostics(agent_path);
        let rendered: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.code, &agent_text[d.range.as_range()]))
            .collect();
        assert_eq!(rendered, [("unknown-reference", "missing-skill")]);
        assert_eq!(
            found[0].message,
            "`missing-skill` names no Claude Code skill in this workspace"
        );

        // A second agent with the same name in the same project.
        let twin_path = Path::new("/w/.claude/agents/reviewer-2.md");
        index.update(
            twin_path,
            Some(facts(
                "/w/.claude/agents/reviewer-2.md",
                "---\nname: reviewer\ndescription: R2\n---\nBody\n",
            )),
        );
        let found = index.diagnostics(agent_path);
        let duplicate = found.iter().find(|d| d.code == "duplicate-name").unwrap();
        assert_eq!(&agent_text[duplicate.range.as_range()], "reviewer");
        assert!(
            duplicate
                .message
                .contains("(`/w/.claude/agents/reviewer-2.md`); this file wins (the last by path)"),
            "{}",
            duplicate.message
        );
        assert_eq!(index.references_to(&agent), []);
        let skill = index.definitions("api-style", &["claude-skill".to_owned()]);
        assert_eq!(skill.len(), 1);
        assert_eq!(
            index.references_to(&skill[0].facts),
            [(agent_path.to_path_buf(), agent.references[0].range)]
        );
        let symbols: Vec<String> = index
            .symbols("REVIEW")
            .iter()
            .map(|d| d.path.display().to_string())
            .collect();
        assert_eq!(
            symbols,
            [
                "/w/.claude/agents/reviewer-2.md",
                "/w/.claude/agents/reviewer.md"
            ]
        );
        assert!(WorkspaceIndex::depends_on(
            &agent,
            &["api-style".to_owned()]
        ));
        assert!(WorkspaceIndex::depends_on(&agent, &["reviewer".to_owned()]));
        // The agent names the skill, which declares the name.
        let mut dependents = index.dependents(&["api-style".to_owned()]);
        dependents.sort();
        assert_eq!(
            dependents,
            [
                agent_path.to_path_buf(),
                PathBuf::from("/w/.claude/skills/api-style/SKILL.md")
            ]
        );
        assert_eq!(
            index.dependents(&["unrelated".to_owned()]),
            Vec::<PathBuf>::new()
        );
        assert!(!WorkspaceIndex::depends_on(
            &agent,
            &["unrelated".to_owned()]
        ));
        // Prose mentions: cued by a word or prefix, or a compound name alone.
        let mentioned = |line: &str| -> Vec<String> {
            let column = line.find('|').expect("a cursor");
            let line = line.replace('|', "");
            let mention = mention_at(&line, column).expect("a mention");
            index
                .mentioned(&mention)
                .iter()
                .map(|definition| definition.facts.dialect.to_owned())
                .collect()
        };
        assert_eq!(mentioned("use the api-st|yle skill"), ["claude-skill"]);
        assert_eq!(mentioned("use the api-st|yle agent"), Vec::<String>::new());
        assert_eq!(mentioned("see `api-st|yle`"), ["claude-skill"]);
        assert_eq!(
            mentioned("ask @agent-rev|iewer"),
            ["claude-agent", "claude-agent"]
        );
        assert_eq!(
            mentioned("a rev|iewer"),
            Vec::<String>::new(),
            "a plain word is prose"
        );
        index.remove_under(Path::new("/w/.claude/agents/reviewer-2.md"));
        assert!(
            index
                .diagnostics(agent_path)
                .iter()
                .all(|d| d.code != "duplicate-name")
        );
    }
}
