//! `.agentls.yaml` as a document: its problems as diagnostics on their exact token, and
//! completion and hover from the configuration file's schema (`src/schema/agentls-config.yaml`)
//! and the live lists it names: rule codes with their summaries, levels, dialect ids with their
//! titles, each dialect's fields and every dialect's tools.
//!
//! The problems are those [`Settings::parse`] finds (the very check the server and `agentls
//! check` apply when they load the file), so the editor shows exactly what loading would
//! report. Like frontmatter completion, the cursor context for completion is read from the text
//! of the line and the keys above it, so that half-typed lines work; hover reads the tree.

use std::fmt::Write as _;
use std::path::Path;

use super::diagnostics::{did_you_mean, shorten};
use super::hover::{field_markdown, tool_markdown};
use super::{CompletionItem, CompletionKind, Diagnostic, Fix, Hover, Severity};
use crate::config::{self, RULES, Rule, Settings};
use crate::schema::{
    ConfigKey, ConfigKeyType, ConfigSchema, Dialect, Registry, ToolMatch, Vocabulary,
};
use crate::syntax::{Frontmatter, Node, parse_frontmatter};
use crate::text::TextRange;

/// The code of a problem in the configuration file. Not a rule: the file cannot re-grade or
/// silence its own problems.
pub const CODE: &str = "invalid-config";

/// Whether `path` names a configuration file. Any `.agentls.yaml` is one (`agentls check` uses
/// the nearest), not only the workspace root's.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == config::FILE_NAME)
}

/// One version of a configuration file, analysed.
#[derive(Debug)]
pub struct ConfigDocument {
    text: String,
    tree: Frontmatter,
    diagnostics: Vec<Diagnostic>,
}

impl ConfigDocument {
    /// Analyses the text of the configuration file at `path` (its folder anchors the globs).
    pub fn new(path: &Path, text: String) -> Self {
        let folder = path.parent().unwrap_or(Path::new(""));
        let (_, problems) = Settings::parse(folder, &text);
        let diagnostics = problems
            .into_iter()
            .map(|problem| {
                let range = problem
                    .range
                    .unwrap_or_else(|| line_range(&text, problem.line));
                let fixes = problem
                    .replacement
                    .map(|known| Fix::single(format!("Use `{known}`"), range, known, true))
                    .into_iter()
                    .collect();
                Diagnostic {
                    range,
                    severity: Severity::Error,
                    code: CODE,
                    message: problem.message,
                    fixes,
                }
            })
            .collect();
        Self {
            tree: parse_frontmatter(&text, 0),
            text,
            diagnostics,
        }
    }

    /// What loading the file would report, each problem on its token.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Completion candidates at byte `offset`.
    pub fn completion(&self, offset: usize) -> Vec<CompletionItem> {
        let Some(cursor) = Cursor::at(&self.text, offset) else {
            return Vec::new();
        };
        let schema = ConfigSchema::get();
        match (cursor.parents.as_slice(), &cursor.place) {
            ([], Place::Key { colon_follows }) => {
                self.top_level_keys(schema, cursor.replace, *colon_follows)
            }
            ([section], Place::Key { colon_follows }) => schema
                .key(section)
                .map(|key| self.mapping_keys(key, cursor.replace, *colon_follows))
                .unwrap_or_default(),
            ([section], Place::Value { after_colon }) => {
                let Some(vocabulary) = schema.key(section).and_then(|key| key.values) else {
                    return Vec::new();
                };
                let mut items = words(vocabulary, cursor.replace);
                // Right after the colon (completion triggered by typing it): YAML needs a space.
                if *after_colon {
                    for item in &mut items {
                        item.insert_text.insert(0, ' ');
                    }
                }
                items
            }
            _ => Vec::new(),
        }
    }

    /// Hover documentation at byte `offset`.
    pub fn hover(&self, offset: usize) -> Option<Hover> {
        let entry = self
            .tree
            .entries
            .iter()
            .find(|entry| entry.range.contains_inclusive(offset))?;
        entry.colon?;
        let schema = ConfigSchema::get();
        let Some(key) = schema.key(&entry.key) else {
            return entry.key_range.contains_inclusive(offset).then(|| Hover {
                range: entry.key_range,
                markdown: unknown_key_markdown(schema, &entry.key),
            });
        };
        if entry.key_range.contains_inclusive(offset) {
            return Some(Hover {
                range: entry.key_range,
                markdown: key_markdown(key),
            });
        }
        let node = entry.value.as_ref()?;
        // The word under the cursor: a list item, or a mapping's key or value (whose own key is
        // the word's parent: the dialect of a `fields:` list).
        let word = match key.ty {
            ConfigKeyType::List => item_at(node, offset)
                .and_then(|(range, text)| Some((range, key.items?, text, None))),
            ConfigKeyType::Mapping => node.as_mapping().and_then(|mapping| {
                let inner = mapping
                    .entries
                    .iter()
                    .find(|inner| inner.range.contains_inclusive(offset))?;
                if inner.key_range.contains_inclusive(offset) {
                    return Some((inner.key_range, key.keys?, inner.key.clone(), None));
                }
                let (range, text) = item_at(inner.value.as_ref()?, offset)?;
                Some((range, key.values?, text, Some(inner)))
            }),
        };
        let Some((range, vocabulary, text, parent)) = word else {
            // On the value but on no word of it (a bracket, a comment): the key's own docs.
            return Some(Hover {
                range: node.range,
                markdown: key_markdown(key),
            });
        };
        let extra = extra_key(key, &text).filter(|_| parent.is_none() && key.keys.is_some());
        let markdown = match extra {
            Some(doc) => format!("**`{text}`** — {doc}"),
            // Free text (globs), or a word the diagnostics already flag: the key's own docs.
            None => word_markdown(vocabulary, &text, parent.map(|entry| entry.key.as_str()))
                .unwrap_or_else(|| key_markdown(key)),
        };
        Some(Hover { range, markdown })
    }

    fn top_level_keys(
        &self,
        schema: &ConfigSchema,
        replace: TextRange,
        colon_follows: bool,
    ) -> Vec<CompletionItem> {
        let present = |name: &str| {
            self.tree.entries.iter().any(|entry| {
                entry.key == name
                    && entry.colon.is_some()
                    && !entry.key_range.contains_inclusive(replace.start)
            })
        };
        schema
            .keys
            .iter()
            .filter(|key| !present(&key.name))
            .enumerate()
            .map(|(rank, key)| CompletionItem {
                label: key.name.clone(),
                kind: CompletionKind::Field,
                detail: Some(key.summary.clone()),
                documentation: Some(key_markdown(key)),
                replace,
                insert_text: if colon_follows {
                    key.name.clone()
                } else {
                    format!("{}:", key.name)
                },
                sort_text: format!("{rank:03}"),
            })
            .collect()
    }

    /// The keys a mapping section accepts that it does not have yet.
    fn mapping_keys(
        &self,
        key: &ConfigKey,
        replace: TextRange,
        colon_follows: bool,
    ) -> Vec<CompletionItem> {
        let Some(vocabulary) = key.keys else {
            return Vec::new();
        };
        let present: Vec<&str> = self
            .tree
            .last(&key.name)
            .and_then(|entry| entry.value.as_ref())
            .and_then(Node::as_mapping)
            .map(|mapping| {
                mapping
                    .entries
                    .iter()
                    .filter(|entry| !entry.key_range.contains_inclusive(replace.start))
                    .map(|entry| entry.key.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let extra = key.extra_keys.iter().map(|word| CompletionItem {
            label: word.value.clone(),
            kind: CompletionKind::Field,
            detail: Some(word.doc.clone()),
            documentation: None,
            replace,
            insert_text: word.value.clone(),
            sort_text: String::new(),
        });
        words(vocabulary, replace)
            .into_iter()
            .chain(extra)
            .filter(|item| !present.contains(&item.label.as_str()))
            .enumerate()
            .map(|(rank, mut item)| {
                item.kind = CompletionKind::Field;
                item.insert_text = yaml_key(&item.label);
                if !colon_follows {
                    item.insert_text.push_str(": ");
                }
                item.sort_text = format!("{rank:03}");
                item
            })
            .collect()
    }
}

/// Where the cursor is: the keys of the lines above that hold it (outermost first) and what it
/// is on in its own line, with the text a completion replaces.
#[derive(Debug)]
struct Cursor<'t> {
    parents: Vec<&'t str>,
    place: Place,
    replace: TextRange,
}

#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// A key, possibly half-typed.
    Key {
        /// The line already has the key's colon after the word (completing `ru|les:`).
        colon_follows: bool,
    },
    /// The value after `key:`.
    Value {
        /// Nothing (not even a space) between the colon and the cursor.
        after_colon: bool,
    },
    /// A block-list item (`- …`).
    Item,
}

impl<'t> Cursor<'t> {
    fn at(text: &'t str, offset: usize) -> Option<Self> {
        let before_cursor = text.get(..offset)?;
        let line_start = before_cursor.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..]
            .find(['\r', '\n'])
            .map_or(text.len(), |i| offset + i);
        let before = &text[line_start..offset];
        let after = &text[offset..line_end];
        let content = before.trim_start_matches(' ');
        let indent = before.len() - content.len();
        if content.starts_with(['#', '\t']) || content.contains(" #") {
            return None;
        }
        let (place, replace) = if let Some(item) = content.strip_prefix('-') {
            if !item.is_empty() && !item.starts_with(' ') {
                return None;
            }
            let start = offset - item.trim_start().len();
            (Place::Item, TextRange::new(start, offset + word_len(after)))
        } else if let Some(colon) = colon_in(content) {
            let value_start = offset - content.len() + colon + 1;
            let typed = &text[value_start..offset];
            let start = value_start + (typed.len() - typed.trim_start().len());
            let rest = after.split(" #").next().unwrap_or_default().trim_end();
            let replace = TextRange::new(start.min(offset), offset + rest.len());
            let after_colon = offset == value_start;
            (Place::Value { after_colon }, replace)
        } else {
            let start = offset - content.len();
            let end = offset + word_len(after);
            let colon_follows = text[end..line_end].starts_with(':');
            (Place::Key { colon_follows }, TextRange::new(start, end))
        };
        let parents = parents(&text[..line_start], indent, place == Place::Item)?;
        Some(Self {
            parents,
            place,
            replace,
        })
    }
}

/// The keys of the lines above (`above` ends where the cursor's line starts) that hold a line
/// indented by `indent`, outermost first. A list item (`item`) also belongs to a key at its own
/// indentation (`ignore:` followed by `- a` at column 0). `None` inside a structure the file
/// format does not have (a mapping inside a list).
fn parents(above: &str, indent: usize, item: bool) -> Option<Vec<&str>> {
    let mut parents = Vec::new();
    let mut threshold = indent;
    let mut same_level_counts = item;
    for line in above.lines().rev() {
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        let level = line.len() - content.len();
        let holds = level < threshold || (same_level_counts && level == threshold);
        if content.starts_with('-') {
            if level < threshold {
                return None;
            }
            continue;
        }
        if !holds {
            continue;
        }
        let colon = colon_in(content)?;
        parents.push(unquote(content[..colon].trim()));
        threshold = level;
        same_level_counts = false;
        if level == 0 {
            break;
        }
    }
    parents.reverse();
    Some(parents)
}

/// The `:` ending a key in `line` (followed by a space or the end), outside quotes.
fn colon_in(line: &str) -> Option<usize> {
    let mut quote = None;
    let bytes = line.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(open), _) if byte == open => quote = None,
            (None, b':') if bytes.get(index + 1).is_none_or(|next| *next == b' ') => {
                return Some(index);
            }
            _ => {}
        }
    }
    None
}

fn unquote(key: &str) -> &str {
    key.strip_prefix('"')
        .and_then(|key| key.strip_suffix('"'))
        .or_else(|| {
            key.strip_prefix('\'')
                .and_then(|key| key.strip_suffix('\''))
        })
        .unwrap_or(key)
}

/// The length of the word continuing after the cursor (what a completion also replaces).
fn word_len(after: &str) -> usize {
    after
        .find(|c: char| c.is_whitespace() || c == ':' || c == '#')
        .unwrap_or(after.len())
}

/// A key as YAML needs it written: `*` (an alias indicator) must be quoted.
fn yaml_key(key: &str) -> String {
    if key.starts_with(['*', '&', '!', '[', '{', '"', '\'']) {
        format!("\"{key}\"")
    } else {
        key.to_owned()
    }
}

/// The completion items of a vocabulary (nothing for free text).
fn words(vocabulary: Vocabulary, replace: TextRange) -> Vec<CompletionItem> {
    let item = |rank: usize, label: &str, detail: &str, documentation: String| CompletionItem {
        label: label.to_owned(),
        kind: CompletionKind::Value,
        detail: Some(detail.to_owned()).filter(|detail| !detail.is_empty()),
        documentation: Some(documentation),
        replace,
        insert_text: label.to_owned(),
        sort_text: format!("{rank:03}"),
    };
    match vocabulary {
        Vocabulary::Rule => RULES
            .iter()
            .enumerate()
            .map(|(rank, rule)| item(rank, rule.code, rule.summary, rule_markdown(rule)))
            .collect(),
        Vocabulary::Level => ConfigSchema::get()
            .levels
            .iter()
            .enumerate()
            .map(|(rank, level)| {
                let markdown = format!("**`{}`** — {}", level.value, level.doc.trim());
                item(rank, &level.value, level.doc.trim(), markdown)
            })
            .collect(),
        Vocabulary::Dialect => Registry::get()
            .dialects()
            .enumerate()
            .map(|(rank, dialect)| {
                item(
                    rank,
                    &dialect.dialect,
                    &dialect.title,
                    dialect_markdown(dialect),
                )
            })
            .collect(),
        Vocabulary::Field | Vocabulary::Tool | Vocabulary::Glob => Vec::new(),
    }
}

/// The word of a value node under the cursor: a list item, or the scalar itself.
fn item_at(node: &Node, offset: usize) -> Option<(TextRange, String)> {
    let scalar_of = |node: &Node| {
        let scalar = node.as_scalar()?;
        node.range
            .contains_inclusive(offset)
            .then(|| (node.range, scalar.value.trim().to_owned()))
    };
    match node.as_sequence() {
        Some(sequence) => sequence.items.iter().find_map(scalar_of),
        None => scalar_of(node),
    }
}

fn extra_key<'k>(key: &'k ConfigKey, text: &str) -> Option<&'k str> {
    key.extra_keys
        .iter()
        .find(|word| word.value == text)
        .map(|word| word.doc.as_str())
}

/// The hover text of a word of a vocabulary; `parent` is the key of the entry holding it (the
/// dialect whose fields a `fields:` list names).
fn word_markdown(vocabulary: Vocabulary, text: &str, parent: Option<&str>) -> Option<String> {
    let registry = Registry::get();
    match vocabulary {
        Vocabulary::Rule => Some(match Rule::get(text) {
            Some(rule) => rule_markdown(rule),
            None => {
                let mut markdown = format!("**`{}`** — not a rule code", shorten(text));
                let codes = RULES.iter().map(|rule| rule.code);
                if let Some(code) = did_you_mean(text, codes) {
                    let _ = write!(markdown, "\n\nDid you mean **`{code}`**?");
                }
                markdown
            }
        }),
        Vocabulary::Level => ConfigSchema::get()
            .level(text)
            .map(|level| format!("**`{}`** — {}", level.value, level.doc.trim())),
        Vocabulary::Dialect => registry.by_id(text).map(dialect_markdown),
        Vocabulary::Field => Some(field_word_markdown(text, parent?)),
        Vocabulary::Tool => Some(tool_word_markdown(text)),
        Vocabulary::Glob => None,
    }
}

/// A name listed under `fields: <dialect>:`.
fn field_word_markdown(name: &str, dialect_id: &str) -> String {
    let shown = shorten(name);
    if dialect_id == "*" {
        let knowing: Vec<&str> = Registry::get()
            .dialects()
            .filter(|dialect| dialect.field(name).is_some())
            .map(|dialect| dialect.title.as_str())
            .collect();
        let mut markdown =
            format!("**`{shown}`** — an extra key: no `unknown-field` warning for it in any file");
        if !knowing.is_empty() {
            let _ = write!(markdown, "\n\nAlready a field of: {}.", knowing.join(", "));
        }
        return markdown;
    }
    let Some(dialect) = Registry::get().by_id(dialect_id) else {
        return format!("**`{shown}`** — an extra key");
    };
    match dialect.field(name) {
        Some(field) => format!(
            "**`{shown}`** is already a {} field: listing it changes nothing.\n\n---\n\n{}",
            dialect.title,
            field_markdown(dialect, field)
        ),
        None => format!(
            "**`{shown}`** — an extra key: no `unknown-field` warning for it in a {}",
            dialect.title
        ),
    }
}

/// A name listed under `tools:`.
fn tool_word_markdown(name: &str) -> String {
    let shown = shorten(name);
    if name.contains('*') {
        return format!(
            "**`{shown}`** — a pattern: tools fields accept every tool name it matches (`*` is a wildcard)"
        );
    }
    let mut knowing: Vec<(&str, &crate::schema::Tool)> = Vec::new();
    for dialect in Registry::get().dialects() {
        if let ToolMatch::Known(tool) | ToolMatch::Legacy(tool) = dialect.tool(name)
            && !knowing.iter().any(|(title, _)| *title == dialect.title)
        {
            knowing.push((dialect.title.as_str(), tool));
        }
    }
    match knowing.first() {
        Some((_, tool)) => {
            let titles: Vec<&str> = knowing.iter().map(|(title, _)| *title).collect();
            format!(
                "**`{shown}`** is already a tool of: {}. Listing it changes nothing there.\n\n---\n\n{}",
                titles.join(", "),
                tool_markdown(tool)
            )
        }
        None => format!(
            "**`{shown}`** — an extra tool name: tools fields accept it without an `unknown-tool` warning"
        ),
    }
}

fn rule_markdown(rule: &Rule) -> String {
    let levels: Vec<String> = ConfigSchema::get()
        .levels
        .iter()
        .map(|level| format!("`{}`", level.value))
        .collect();
    format!(
        "**`{}`** — {}\n\nA rule of agentls: set its level with one of {}.",
        rule.code,
        rule.summary,
        levels.join(", ")
    )
}

fn dialect_markdown(dialect: &Dialect) -> String {
    let paths: Vec<String> = dialect
        .paths
        .iter()
        .map(|path| format!("`{path}`"))
        .collect();
    let mut markdown = format!(
        "**`{}`** — {}\n\nRead by {}. Files: {}.",
        dialect.dialect,
        dialect.title,
        dialect.tool,
        paths.join(", ")
    );
    if let Some(url) = &dialect.docs_url {
        let _ = write!(markdown, "\n\n[{} documentation]({url})", dialect.title);
    }
    markdown
}

fn key_markdown(key: &ConfigKey) -> String {
    let noun = |vocabulary: Option<Vocabulary>| match vocabulary {
        Some(Vocabulary::Rule) => "rule codes",
        Some(Vocabulary::Level) => "levels",
        Some(Vocabulary::Dialect) => "dialect ids",
        Some(Vocabulary::Field) => "field names",
        Some(Vocabulary::Tool) => "tool names",
        Some(Vocabulary::Glob) | None => "globs",
    };
    let shape = match key.ty {
        ConfigKeyType::List => format!("list of {}", noun(key.items)),
        ConfigKeyType::Mapping => {
            format!("mapping from {} to {}", noun(key.keys), noun(key.values))
        }
    };
    let mut markdown = format!("**`{}`** — {shape}\n\n{}", key.name, key.doc.trim());
    if let Some(example) = &key.example {
        let _ = write!(
            markdown,
            "\n\n**Example:**\n\n```yaml\n{}\n```",
            example.trim_end()
        );
    }
    markdown
}

fn unknown_key_markdown(schema: &ConfigSchema, key: &str) -> String {
    let names: Vec<&str> = schema.keys.iter().map(|key| key.name.as_str()).collect();
    let mut markdown = format!(
        "**`{}`** — not a key of `{}` (keys: {})",
        shorten(key),
        config::FILE_NAME,
        names.join(", ")
    );
    if let Some(name) = did_you_mean(key, names.iter().copied()) {
        let _ = write!(markdown, "\n\nDid you mean **`{name}`**?");
    }
    markdown
}

/// The text of 1-based line `line` (the first line when unknown), without its break.
fn line_range(text: &str, line: Option<usize>) -> TextRange {
    let start = match line {
        Some(line) if line > 1 => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(index, _)| index + 1),
        _ => 0,
    };
    let end = text[start..]
        .find(['\r', '\n'])
        .map_or(text.len(), |index| start + index);
    TextRange::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/w/.agentls.yaml";

    /// The document of a fixture and the offset of its `$0` cursor.
    fn at(fixture: &str) -> (ConfigDocument, usize) {
        let offset = fixture.find("$0").expect("fixture has a $0 cursor");
        let text = fixture.replacen("$0", "", 1);
        (ConfigDocument::new(Path::new(PATH), text), offset)
    }

    fn labels(fixture: &str) -> Vec<String> {
        let (document, offset) = at(fixture);
        document
            .completion(offset)
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    fn offered(fixture: &str, label: &str) -> (CompletionItem, String) {
        let (document, offset) = at(fixture);
        let item = document
            .completion(offset)
            .into_iter()
            .find(|item| item.label == label)
            .unwrap_or_else(|| panic!("no {label} in {fixture:?}"));
        let replaced = document.text[item.replace.as_range()].to_owned();
        (item, replaced)
    }

    fn hover(fixture: &str) -> Option<(String, String)> {
        let (document, offset) = at(fixture);
        let hover = document.hover(offset)?;
        Some((
            document.text[hover.range.as_range()].to_owned(),
            hover.markdown,
        ))
    }

    #[test]
    fn config_files_are_recognised_by_name() {
        assert!(is_config_file(Path::new("/w/.agentls.yaml")));
        assert!(is_config_file(Path::new("sub/.agentls.yaml")));
        assert!(!is_config_file(Path::new("/w/agentls.yaml")));
        assert!(!is_config_file(Path::new("/w/.agentls.yml")));
    }

    #[test]
    fn diagnostics_sit_on_the_token() {
        let text = "rules:\n  unknown-model: loud\n  unknown-modle: off\n";
        let document = ConfigDocument::new(Path::new(PATH), text.to_owned());
        let shown: Vec<(&str, &str, Severity)> = document
            .diagnostics()
            .iter()
            .map(|d| (&text[d.range.as_range()], d.code, d.severity))
            .collect();
        assert_eq!(
            shown,
            [
                ("loud", CODE, Severity::Error),
                ("unknown-modle", CODE, Severity::Error)
            ]
        );
        assert!(
            document.diagnostics()[1]
                .message
                .contains("`unknown-model`")
        );
        // The misspelt rule has a quick fix; a bad level has none to guess.
        let fixes: Vec<(&str, &str)> = document
            .diagnostics()
            .iter()
            .flat_map(|d| &d.fixes)
            .map(|fix| (fix.title.as_str(), fix.edits[0].new_text.as_str()))
            .collect();
        assert_eq!(fixes, [("Use `unknown-model`", "unknown-model")]);
        let clean = ConfigDocument::new(Path::new(PATH), "rules: {}\n".to_owned());
        assert_eq!(clean.diagnostics(), []);
    }

    #[test]
    fn top_level_keys_not_yet_present() {
        assert_eq!(
            labels("$0"),
            ["tools", "fields", "rules", "dialects", "ignore"]
        );
        assert_eq!(
            labels("rules: {}\nig$0\n"),
            ["tools", "fields", "dialects", "ignore"]
        );
        let (item, replaced) = offered("rules: {}\nig$0nore\n", "ignore");
        assert_eq!(
            (item.insert_text.as_str(), replaced.as_str()),
            ("ignore:", "ignore")
        );
        // The key being typed is not "present".
        assert!(labels("rul$0\n").contains(&"rules".to_owned()));
    }

    #[test]
    fn a_key_before_its_colon_keeps_the_colon() {
        let (key, replaced) = offered("ru$0les:\n", "rules");
        assert_eq!(
            (key.insert_text.as_str(), replaced.as_str()),
            ("rules", "rules")
        );
        let (code, replaced) = offered("rules:\n  empty-bo$0: off\n", "empty-body");
        assert_eq!(
            (code.insert_text.as_str(), replaced.as_str()),
            ("empty-body", "empty-bo")
        );
    }

    /// The analysis of any `.agentls.yaml` is this module's, before and after an edit.
    #[test]
    fn the_analysis_of_a_config_file() {
        let text = "rules:\n  empty-body: loud\n";
        let analysis = super::super::Analysis::from_text(Some(Path::new(PATH)), text);
        assert!(analysis.is_config_file());
        assert_eq!(analysis.diagnostics().len(), 1);
        assert!(analysis.hover(text.find("empty").unwrap()).is_some());
        let fixed = "rules:\n  empty-body: off\n  \n";
        let updated = analysis.update(fixed.len(), std::iter::once(fixed));
        assert!(updated.is_config_file());
        assert_eq!(updated.diagnostics(), []);
        assert_eq!(updated.completion(fixed.len() - 1).len(), RULES.len() - 1);
        assert!(updated.symbols(fixed).is_empty() && updated.folding(fixed).is_empty());
        let other = super::super::Analysis::from_text(Some(Path::new("/w/agentls.yaml")), text);
        assert!(!other.is_config_file());
        assert_eq!(other.diagnostics(), []);
    }

    #[test]
    fn rule_codes_under_rules() {
        let labels = labels("rules:\n  $0\n");
        assert_eq!(labels.len(), RULES.len());
        assert_eq!(labels[0], "blank-line-before-frontmatter");
        let (item, replaced) = offered(
            "rules:\n  empty-body: off\n  unknown-mo$0\n",
            "unknown-model",
        );
        assert_eq!(item.insert_text, "unknown-model: ");
        assert_eq!(replaced, "unknown-mo");
        assert_eq!(
            item.detail.as_deref(),
            Some("A model the tool does not know")
        );
        // Already set: not offered again.
        assert!(!labels_contain(
            "rules:\n  empty-body: off\n  $0\n",
            "empty-body"
        ));
    }

    fn labels_contain(fixture: &str, label: &str) -> bool {
        labels(fixture).iter().any(|l| l == label)
    }

    #[test]
    fn levels_as_rule_values() {
        assert_eq!(
            labels("rules:\n  empty-body: $0\n"),
            ["error", "warning", "information", "hint", "off"]
        );
        let (item, replaced) = offered("rules:\n  empty-body: wa$0rn\n", "warning");
        assert_eq!(
            (item.insert_text.as_str(), replaced.as_str()),
            ("warning", "warn")
        );
        // Typing the colon triggers completion before the space YAML needs.
        let (item, _) = offered("rules:\n  empty-body:$0\n", "off");
        assert_eq!(item.insert_text, " off");
        // Under another parent, levels mean nothing.
        assert!(
            labels("dialects:\n  \"*.md\": $0\n")
                .iter()
                .all(|l| l != "off")
        );
    }

    #[test]
    fn dialect_ids_as_dialects_values_and_fields_keys() {
        let values = labels("dialects:\n  \"prompts/**/*.md\": $0\n");
        assert!(values.contains(&"copilot-prompt".to_owned()), "{values:?}");
        let (item, _) = offered("dialects:\n  \"x/*.md\": $0\n", "claude-agent");
        assert_eq!(item.detail.as_deref(), Some("Claude Code subagent"));
        let keys = labels("fields:\n  claude-agent: [team]\n  $0\n");
        assert!(keys.contains(&"copilot-agent".to_owned()), "{keys:?}");
        assert!(
            !keys.contains(&"claude-agent".to_owned()),
            "present: {keys:?}"
        );
        assert_eq!(keys.last().map(String::as_str), Some("*"));
        let (star, _) = offered("fields:\n  $0\n", "*");
        assert_eq!(star.insert_text, "\"*\": ");
        let (agent, _) = offered("fields:\n  $0\n", "claude-agent");
        assert_eq!(agent.insert_text, "claude-agent: ");
        // Present `"*"` (quoted in the file) is not offered again.
        assert!(!labels_contain("fields:\n  \"*\": [a]\n  $0\n", "*"));
        // Globs, field names and tool names are free text.
        assert!(labels("dialects:\n  $0\n").is_empty());
        assert!(labels("ignore:\n  - $0\n").is_empty());
        assert!(labels("ignore:\n- $0\n").is_empty());
        assert!(labels("fields:\n  claude-agent:\n    - $0\n").is_empty());
    }

    #[test]
    fn a_document_marker_and_comments_change_nothing() {
        let fixture = "# agentls settings\n---\nrules:\n  # quiet\n  empty-body: off\n  $0\n";
        let labels = labels(fixture);
        assert_eq!(labels.len(), RULES.len() - 1, "{labels:?}");
        let (range, _) = hover("---\nrules:\n  empty-bo$0dy: off\n").unwrap();
        assert_eq!(range, "empty-body");
        let document = ConfigDocument::new(Path::new(PATH), "---\nrules:\n  x: off\n".to_owned());
        let problem = &document.diagnostics()[0];
        assert_eq!(&document.text[problem.range.as_range()], "x");
    }

    #[test]
    fn nothing_in_comments_or_odd_places() {
        assert!(labels("# $0\n").is_empty());
        assert!(labels("rules:\n  empty-body: off # $0\n").is_empty());
        assert!(labels("rules: $0\n").is_empty());
        assert!(labels("unknown:\n  $0\n").is_empty());
    }

    #[test]
    fn hover_on_keys_and_words() {
        let (range, markdown) = hover("ru$0les:\n  unknown-model: off\n").unwrap();
        assert_eq!(range, "rules");
        assert!(
            markdown.starts_with("**`rules`** — mapping from rule codes to levels"),
            "{markdown}"
        );
        assert!(markdown.contains("**Example:**"), "{markdown}");

        let (range, markdown) = hover("rules:\n  unknown-mo$0del: off\n").unwrap();
        assert_eq!(range, "unknown-model");
        assert!(
            markdown.starts_with("**`unknown-model`** — A model the tool does not know"),
            "{markdown}"
        );
        let (_, markdown) = hover("rules:\n  unknown-mo$0dle: off\n").unwrap();
        assert!(
            markdown.contains("Did you mean **`unknown-model`**?"),
            "{markdown}"
        );

        let (range, markdown) = hover("rules:\n  unknown-model: o$0ff\n").unwrap();
        assert_eq!(
            (range.as_str(), markdown.as_str()),
            ("off", "**`off`** — Not reported at all.")
        );
        let (_, markdown) = hover("rules: {empty-body: in$0fo}\n").unwrap();
        assert!(markdown.starts_with("**`information`**"), "{markdown}");

        let (range, markdown) = hover("dialects:\n  \"*.md\": claude-a$0gent\n").unwrap();
        assert_eq!(range, "claude-agent");
        assert!(markdown.starts_with("**`claude-agent`** — Claude Code subagent"));
        let (_, markdown) = hover("fields:\n  \"$0*\": [a]\n").unwrap();
        assert_eq!(markdown, "**`*`** — Every dialect");
        let (_, markdown) = hover("dialects:\n  \"*.m$0d\": claude-agent\n").unwrap();
        assert!(
            markdown.starts_with("**`dialects`**"),
            "globs explain the key: {markdown}"
        );
    }

    #[test]
    fn hover_on_listed_fields_and_tools() {
        let (range, markdown) = hover("fields:\n  claude-agent: [te$0am, model]\n").unwrap();
        assert_eq!(range, "team");
        assert!(markdown.contains("an extra key"), "{markdown}");
        let (_, markdown) = hover("fields:\n  claude-agent: [team, mod$0el]\n").unwrap();
        assert!(
            markdown.starts_with("**`model`** is already a Claude Code subagent field"),
            "{markdown}"
        );
        let (_, markdown) = hover("tools:\n  - Ba$0sh\n").unwrap();
        assert!(
            markdown.starts_with("**`Bash`** is already a tool of"),
            "{markdown}"
        );
        let (_, markdown) = hover("tools: [Deploy$0Preview]\n").unwrap();
        assert!(markdown.contains("an extra tool name"), "{markdown}");
        let (_, markdown) = hover("tools: [\"mcp__x__$0*\"]\n").unwrap();
        assert!(markdown.contains("a pattern"), "{markdown}");
    }

    #[test]
    fn hover_on_unknown_keys_and_nothing_elsewhere() {
        let (_, markdown) = hover("rulez$0:\n  a: b\n").unwrap();
        assert!(markdown.contains("Did you mean **`rules`**?"), "{markdown}");
        assert!(hover("# a comm$0ent\n").is_none());
        assert!(hover("rulez:\n  a: b$0\n").is_none());
    }

    /// Whatever the text and the offset: an answer, never a panic.
    #[test]
    fn any_offset_of_any_text() {
        let texts = [
            "rules:\n  a: [\n",
            "- a\n- b: c\n  d: e\n",
            "tools: \"unterminated\nfields: {a: [b, c\n",
            "\u{feff}rules:\n\tx: off\r\n  \"é😀\": 'x\n",
            "",
        ];
        for text in texts {
            let document = ConfigDocument::new(Path::new(PATH), text.to_owned());
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let _ = document.completion(offset);
                let _ = document.hover(offset);
            }
            assert!(document.completion(text.len() + 1).is_empty());
        }
    }
}
