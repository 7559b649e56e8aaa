//! Diagnostics: every rule that checks a document against its dialect and the loader model.
//!
//! Severity policy (DEVELOPERS.md rule 3): *error* when the tool will not load the file or will
//! drop or ignore a value; *warning* when it loads it but something is probably wrong, or other
//! tools reject it; *information* for legacy spellings that still work.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

use super::values::{ListItem, list_items};
use super::{Analysis, Diagnostic, Fix, MAX_FILE_SIZE, Severity, repair};
use crate::loader::{self, Loaded, Outcome, Value};
use crate::schema::{Convention, Dialect, Field, FieldType, LoaderKind, OnInvalid, ToolMatch};
use crate::syntax::{Entry, Frontmatter, Missing, Node, NodeKind, ScalarStyle};
use crate::text::{TextRange, line_ending, line_start};

/// Diagnostics that depend only on the frontmatter text (the expensive part, reused across body
/// edits); the costlier repairs are built only `with_fixes`.
pub(super) fn frontmatter_diagnostics(analysis: &Analysis, with_fixes: bool) -> Vec<Diagnostic> {
    let Some(detected) = analysis.detected else {
        return Vec::new();
    };
    let mut sink = Sink {
        analysis,
        out: Vec::new(),
        with_fixes,
    };
    if let (Some(frontmatter), Some(loaded)) =
        (analysis.frontmatter.as_deref(), analysis.loaded.as_deref())
    {
        let checker = FieldChecker {
            head: analysis.head(),
            sink: &mut sink,
            dialect: detected.dialect,
            plugin: detected.plugin,
            frontmatter,
            loaded,
        };
        checker.run();
    }
    sink.out
}

/// Diagnostics about the file as a whole: size, fences, empty body. Cheap.
pub(super) fn file_diagnostics(analysis: &Analysis) -> Vec<Diagnostic> {
    if analysis.detected.is_none() {
        return Vec::new();
    }
    let mut sink = Sink {
        analysis,
        out: Vec::new(),
        with_fixes: true,
    };
    sink.file_level();
    sink.out
}

/// A file longer than its tool reads: a warning on the first character that is cut.
pub(super) fn length_diagnostics(analysis: &Analysis, text: &str) -> Vec<Diagnostic> {
    let Some(dialect) = analysis.dialect_schema() else {
        return Vec::new();
    };
    let Some(max) = dialect.max_chars else {
        return Vec::new();
    };
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return Vec::new();
    };
    let end = text[cut..].find('\n').map_or(text.len(), |i| cut + i);
    vec![Diagnostic {
        range: TextRange::new(cut, end),
        severity: Severity::Warning,
        code: "file-too-long",
        message: format!(
            "{} reads at most {max} characters of a {}: everything from here on ({} characters) is cut",
            dialect.tool,
            dialect.title,
            text[cut..].chars().count()
        ),
        fixes: Vec::new(),
    }]
}

/// Puts diagnostics in document order.
pub(super) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end, d.severity));
}

struct Sink<'a> {
    analysis: &'a Analysis,
    out: Vec<Diagnostic>,
    /// Whether fixes whose text costs something to build are wanted (they are dropped from
    /// published diagnostics anyway).
    with_fixes: bool,
}

impl<'a> Sink<'a> {
    fn push(
        &mut self,
        range: TextRange,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            range,
            severity,
            code,
            message: message.into(),
            fixes: Vec::new(),
        });
        self.out.last_mut().expect("just pushed")
    }

    fn head(&self) -> &'a str {
        self.analysis.head()
    }

    /// Checks that do not depend on the frontmatter's content: size, fences, body.
    fn file_level(&mut self) {
        let analysis = self.analysis;
        let Some(dialect) = analysis.dialect_schema() else {
            return;
        };
        let split = &analysis.split;
        let first_line = self.line_range_at(if split.bom { 3 } else { 0 });
        // Claude Code's size limit (spec §1); other tools document none.
        if dialect.loader == LoaderKind::ClaudeCode && analysis.len > MAX_FILE_SIZE {
            self.push(
                first_line,
                Severity::Error,
                "file-too-large",
                format!(
                    "this file is {} bytes; Claude Code skips files over 1 MiB ({MAX_FILE_SIZE} bytes)",
                    analysis.len
                ),
            );
        }
        if let Some(reason) = &dialect.deprecated {
            let range = first_line;
            let target = analysis
                .path
                .as_deref()
                .zip(dialect.rename_to.as_ref())
                .and_then(|(path, rename)| Some((rename.target(path)?, &rename.title)));
            let diagnostic = self.push(
                range,
                Severity::Warning,
                "deprecated-file",
                format!("{}: {}", dialect.title, reason.trim()),
            );
            if let Some((target, title)) = target {
                diagnostic.fixes.push(Fix {
                    title: title.clone(),
                    edits: Vec::new(),
                    safe: false,
                    rename: Some(target),
                });
            }
        }
        // Without required fields, a file needs no frontmatter at all (e.g. most commands).
        let needs_frontmatter = dialect.fields.iter().any(|f| f.required) && !analysis.is_plugin();
        let tool = &dialect.tool;
        match &split.missing {
            Some(_) if !needs_frontmatter => {}
            Some(Missing::NoOpeningFence) => {
                // An indented fence (possibly after blank lines) is a near miss worth naming.
                let start = if split.bom { 3 } else { 0 };
                let head = self.head();
                let skipped = head[start..].len() - head[start..].trim_start().len();
                let first_content = self.line_range_at(start + skipped);
                let indented = head[first_content.as_range()].trim() == "---"
                    && first_content.start < start + skipped;
                let (range, message) = if indented {
                    (
                        first_content,
                        format!(
                            "the frontmatter fence must start at column 1 of the first line: {tool} sees no frontmatter, so the required fields are missing and the file is ignored"
                        ),
                    )
                } else {
                    (
                        first_line,
                        format!(
                            "no frontmatter: {tool} ignores this file; start it with a `---` line, then {}, then `---`",
                            required_fields(dialect)
                        ),
                    )
                };
                self.push(range, Severity::Error, "missing-frontmatter", message);
            }
            Some(Missing::BlankLinesBeforeFence { fence }) => {
                let start = if split.bom { 3 } else { 0 };
                let blank = TextRange::new(start, fence.start);
                let diagnostic = self.push(
                    blank.cover(*fence),
                    Severity::Error,
                    "blank-line-before-frontmatter",
                    format!("the file must start with `---`: with a blank line first, {tool} sees no frontmatter and ignores the file"),
                );
                diagnostic.fixes.push(Fix::single(
                    "Remove the blank lines before `---`".to_owned(),
                    blank,
                    String::new(),
                    true,
                ));
            }
            Some(Missing::Unclosed { opening }) => {
                let head = self.head();
                let content_start = head[opening.end..]
                    .find('\n')
                    .map_or(head.len(), |i| opening.end + i + 1);
                let fix = repair::closing_fence_fix(
                    analysis,
                    TextRange::new(content_start, head.len()),
                    None,
                );
                let diagnostic = self.push(
                    *opening,
                    Severity::Error,
                    "unclosed-frontmatter",
                    format!("the frontmatter is never closed: add a `---` line after the last field ({tool} reads the whole file as body and ignores it)"),
                );
                diagnostic.fixes.extend(fix);
            }
            None => {}
        }
        if let Some(block) = &split.frontmatter {
            // Only Claude Code's splitter ends the block at a `---` inside a line.
            if block.truncated.is_some() && dialect.loader == LoaderKind::ClaudeCode {
                let lost: Vec<String> = analysis
                    .frontmatter
                    .iter()
                    .flat_map(|fm| fm.entries.iter())
                    .filter(|entry| {
                        entry.key_range.start >= block.closing.end && entry.colon.is_some()
                    })
                    .map(|entry| format!("`{}`", entry.key))
                    .collect();
                let consequence = if lost.is_empty() {
                    "the rest of the line becomes body text".to_owned()
                } else {
                    format!(
                        "the rest of the line and {} become body text",
                        lost.join(", ")
                    )
                };
                let diagnostic = self.push(
                    block.closing,
                    Severity::Error,
                    "frontmatter-cut-short",
                    format!(
                        "Claude Code ends the frontmatter at the first `---`, even inside a value: {consequence}; write it differently (e.g. `—`)"
                    ),
                );
                diagnostic.fixes.push(Fix::single(
                    "Replace `---` with an em dash".to_owned(),
                    block.closing,
                    "—".to_owned(),
                    false,
                ));
            }
            if split.body_is_blank {
                self.push(
                    block.closing,
                    Severity::Warning,
                    "empty-body",
                    "the body is empty: it is the agent's system prompt, so this agent gets no instructions",
                );
            }
        }
    }

    /// The range of the line containing `offset`, without its line break (inside the head).
    fn line_range_at(&self, offset: usize) -> TextRange {
        let head = self.head();
        let offset = offset.min(head.len());
        let start = line_start(head, offset);
        let end = head[start..]
            .find(['\n', '\r'])
            .map_or(head.len(), |i| start + i);
        TextRange::new(start, end)
    }
}

/// The dialect's required fields as a message names them: "`name:` and `description:`".
fn required_fields(dialect: &Dialect) -> String {
    let fields: Vec<String> = dialect
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| format!("`{}:`", f.name))
        .collect();
    fields.join(" and ")
}

struct FieldChecker<'a, 'b> {
    sink: &'b mut Sink<'a>,
    head: &'a str,
    dialect: &'static Dialect,
    plugin: bool,
    frontmatter: &'a Frontmatter,
    loaded: &'a Loaded,
}

impl<'a> FieldChecker<'a, '_> {
    fn run(mut self) {
        let ignored = self.yaml_validity();
        self.cut_comments();
        self.keys();
        if ignored {
            return;
        }
        if self.loaded.not_a_mapping {
            let range = self.content_range();
            self.sink.push(
                range,
                Severity::Error,
                "frontmatter-not-a-mapping",
                format!("the frontmatter is a list or a single value, not `key: value` fields: {tool} ignores it", tool = self.dialect.tool),
            );
            return;
        }
        for field in &self.dialect.fields {
            self.field(field);
        }
    }

    /// The content range of the block Claude Code reads.
    fn content_range(&self) -> TextRange {
        self.sink.analysis.loaded_range.unwrap_or_default()
    }

    fn opening_fence(&self) -> TextRange {
        self.sink
            .analysis
            .split
            .frontmatter
            .as_ref()
            .map_or(TextRange::empty(0), |block| block.opening)
    }

    /// Strict YAML, Claude Code's fallback, or neither. Returns true when Claude Code ignores the
    /// whole block.
    fn yaml_validity(&mut self) -> bool {
        let tool = &self.dialect.tool;
        let content = self.content_range();
        if self.dialect.loader == LoaderKind::Lenient {
            // The tool's own reader is forgiving: unquoted globs and `key: a: b` load there, and
            // a block agentls cannot read at all is reported without claiming what the tool does.
            if let Outcome::Failed { fallback_error, .. } = &self.loaded.outcome {
                let range = self.error_token(content.start + fallback_error.offset);
                let tool = &self.dialect.tool;
                self.sink.push(
                    range,
                    Severity::Warning,
                    "invalid-yaml",
                    format!("this frontmatter is not YAML that agentls can read ({}); {tool} may read it differently, other tools reject it", fallback_error.message),
                );
                return true;
            }
            return false;
        }
        match &self.loaded.outcome {
            Outcome::Strict => false,
            Outcome::Rescued { strict_error } => {
                self.not_strict_yaml(content, strict_error);
                false
            }
            Outcome::Failed { strict_error, .. } if self.dialect.loader == LoaderKind::Strict => {
                let range = self.error_token(content.start + strict_error.offset);
                let fixes = self.invalid_yaml_fixes(content.start + strict_error.offset);
                let tool = &self.dialect.tool;
                let diagnostic = self.sink.push(
                    range,
                    Severity::Error,
                    "invalid-yaml",
                    format!("{tool} reads the frontmatter as strict YAML and cannot parse it ({}); quote values that contain `: ` or start with `*`, `&`, `!`, `[` or `{{`", strict_error.message),
                );
                diagnostic.fixes.extend(fixes);
                true
            }
            Outcome::Failed {
                strict_error,
                fallback_error,
            } => {
                let range = self.error_token(content.start + strict_error.offset);
                let fixes = self.invalid_yaml_fixes(content.start + strict_error.offset);
                let diagnostic = self.sink.push(
                    range,
                    Severity::Error,
                    "invalid-yaml",
                    format!(
                        "{tool} cannot parse this frontmatter ({}), even with its quoting fallback ({}): the whole block is ignored and the agent is not loaded",
                        strict_error.message, fallback_error.message
                    ),
                );
                diagnostic.fixes.extend(fixes);
                true
            }
        }
    }

    /// Repairs for YAML the tool cannot read, with the error at `offset`: a multi-line plain
    /// value written as a `|` block (the usual culprit: a continuation line with `: `), and the
    /// closing `---` moved up when the block ran into the body.
    fn invalid_yaml_fixes(&self, offset: usize) -> Vec<Fix> {
        let mut fixes = Vec::new();
        if !self.sink.with_fixes {
            return fixes;
        }
        let head = self.head;
        let multiline = self.frontmatter.entries.iter().find_map(|entry| {
            let node = entry.value.as_ref()?;
            let scalar = node.as_scalar()?;
            (entry.indent == 0
                && scalar.multiline
                && scalar.style == ScalarStyle::Plain
                && node.range.start <= offset
                && offset <= node.range.end)
                .then_some(node.range)
        });
        if let Some(range) = multiline {
            // The lines as written, without their indentation: what the author meant to say.
            let lines: Vec<&str> = head[range.as_range()].lines().map(str::trim).collect();
            let newline = line_ending(head);
            if let Some(block) = repair::literal_block(&lines.join("\n"), newline) {
                fixes.push(Fix::single(
                    "Write the multi-line value as a `|` block",
                    range,
                    block,
                    false,
                ));
            }
        }
        let block = self.sink.analysis.split.frontmatter.as_ref();
        if let Some(block) = block.filter(|block| block.truncated.is_none()) {
            fixes.extend(repair::closing_fence_fix(
                self.sink.analysis,
                self.content_range(),
                Some(block.closing),
            ));
        }
        fixes
    }

    /// A warning with a quick fix on each line that strict YAML rejects and Claude Code's quoting
    /// fallback rescues.
    fn not_strict_yaml(&mut self, content: TextRange, strict_error: &loader::YamlError) {
        let tool = &self.dialect.tool;
        let head = self.head;
        let text = &head[content.as_range()];
        let loaded: &'a Loaded = self.loaded;
        // Entry by entry, the loader knows the values its fallback quotes in the entries strict
        // YAML rejects; otherwise each line that has one is tested alone.
        let rescued: Cow<'a, [(usize, Range<usize>)]> = match &loaded.rescued_values {
            Some(values) => Cow::Borrowed(values),
            None => Cow::Owned(
                loader::fallback_quoted_values(text)
                    .filter(|(_, line, value)| !loader::is_strict_yaml(&line[..value.end]))
                    .map(|(start, _, value)| (start, value))
                    .collect(),
            ),
        };
        for (relative, value) in rescued.iter().cloned() {
            let line_start = content.start + relative;
            let line = text[relative..]
                .split_inclusive('\n')
                .next()
                .unwrap_or_default();
            let line_text = line.trim_end_matches(['\n', '\r']);
            let range = TextRange::new(line_start + value.start, line_start + value.end);
            let value_text = &line_text[value.clone()];
            let with_fixes = self.sink.with_fixes;
            let diagnostic = self.sink.push(
                range,
                Severity::Warning,
                "not-strict-yaml",
                format!(
                    "not valid YAML ({}): {tool}'s lenient fallback quotes this value and loads it, but other tools (GitHub Copilot, YAML linters) reject the file; quote the value",
                    strict_error.message
                ),
            );
            if with_fixes {
                // Text whose `\n`s the tool turns into newlines reads best as a block.
                let key = line_text[..value.start].trim_end().trim_end_matches(':');
                let newline_escapes = self
                    .dialect
                    .field(key)
                    .is_some_and(|field| field.newline_escapes);
                let replacements =
                    repair::rescued_value(value_text, newline_escapes, line_ending(line));
                if let Some(block) = replacements.block {
                    diagnostic.fixes.push(Fix::single(
                        format!("Write the value as a `|` block, as {tool} reads it"),
                        range,
                        block,
                        true,
                    ));
                }
                diagnostic.fixes.push(Fix::single(
                    "Quote the value as Claude Code reads it".to_owned(),
                    range,
                    replacements.quoted,
                    true,
                ));
            }
        }
        if rescued.is_empty() {
            let range = self.error_token(content.start + strict_error.offset);
            self.sink.push(
                range,
                Severity::Warning,
                "not-strict-yaml",
                format!(
                    "not valid YAML ({}): {tool}'s lenient fallback loads it, but other tools reject the file",
                    strict_error.message
                ),
            );
        }
    }

    /// A non-empty range at `offset`: the token there, or the rest of the line.
    fn error_token(&self, offset: usize) -> TextRange {
        let head = self.head;
        let offset = offset.min(head.len());
        let rest = &head[offset..];
        let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        if len == 0 {
            // At a line end: point at the previous character instead, if any.
            let start = head[..offset]
                .char_indices()
                .next_back()
                .map_or(offset, |(i, _)| i);
            return TextRange::new(start, offset);
        }
        let token = rest[..len]
            .find(char::is_whitespace)
            .filter(|&i| i > 0)
            .unwrap_or(len);
        TextRange::new(offset, offset + token)
    }

    /// ` #` inside a plain scalar silently cuts the value (only when strict YAML read the block:
    /// the fallback quotes such values instead).
    fn cut_comments(&mut self) {
        if !matches!(self.loaded.outcome, Outcome::Strict)
            || self.dialect.loader == LoaderKind::Lenient
        {
            return;
        }
        for entry in &self.frontmatter.entries {
            let Some(node) = &entry.value else { continue };
            let Some(scalar) = node.as_scalar() else {
                continue;
            };
            let Some(comment) = scalar.cut_comment else {
                continue;
            };
            let head = self.head;
            let comment_text = head[comment.as_range()].to_owned();
            let whole = TextRange::new(scalar.content.start, comment.end);
            let with_fixes = self.sink.with_fixes;
            let diagnostic = self.sink.push(
                comment,
                Severity::Warning,
                "comment-in-value",
                format!(
                    "` #` starts a YAML comment: `{}` is cut off and `{}` keeps only `{}`; quote the value to keep it",
                    comment_text, entry.key, scalar.value
                ),
            );
            if with_fixes {
                diagnostic.fixes.push(Fix::single(
                    "Quote the whole value".to_owned(),
                    whole,
                    loader::double_quoted(&head[whole.as_range()]),
                    false,
                ));
            }
        }
    }

    /// Unknown and duplicate keys.
    fn keys(&mut self) {
        let entries = &self.frontmatter.entries;
        for (index, entry) in entries.iter().enumerate() {
            if entry.colon.is_none() {
                continue;
            }
            if entries[index + 1..]
                .iter()
                .any(|later| later.key == entry.key && later.colon.is_some())
            {
                let lines = self.entry_lines(entry);
                let diagnostic = self.sink.push(
                    entry.key_range,
                    Severity::Warning,
                    "duplicate-key",
                    format!(
                        "`{}` is set again below; the last one wins and this one is ignored",
                        entry.key
                    ),
                );
                diagnostic.fixes.push(Fix::single(
                    format!("Remove this `{}` entry", entry.key),
                    lines,
                    String::new(),
                    false,
                ));
            }
            if self.dialect.field(&entry.key).is_none() {
                self.unknown_key(entry);
            }
        }
    }

    fn unknown_key(&mut self, entry: &Entry) {
        let tool = &self.dialect.tool;
        let suggestion = suggest_field(self.dialect, &entry.key);
        let title = &self.dialect.title;
        let message = match &suggestion {
            Some(name) => format!(
                "unknown field `{}` for a {title}: did you mean `{name}`? ({tool} ignores it)",
                shorten(&entry.key)
            ),
            None => format!(
                "unknown field `{}`: {tool} ignores it (another tool may read it)",
                shorten(&entry.key)
            ),
        };
        let diagnostic =
            self.sink
                .push(entry.key_range, Severity::Warning, "unknown-field", message);
        if let Some(name) = suggestion {
            diagnostic.fixes.push(Fix::single(
                format!("Rename to `{name}`"),
                entry.key_range,
                name,
                true,
            ));
        }
    }

    /// The whole lines of an entry, including nested lines and the line break.
    fn entry_lines(&self, entry: &Entry) -> TextRange {
        let head = self.head;
        let start = head[..entry.key_range.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = head[entry.range.end.min(head.len())..]
            .find('\n')
            .map_or(head.len(), |i| entry.range.end + i + 1);
        TextRange::new(start, end)
    }

    fn field(&mut self, field: &'static Field) {
        let entry = self
            .frontmatter
            .last(&field.name)
            .filter(|entry| entry.colon.is_some());
        let value = self.loaded.get(&field.name);
        if self.plugin && field.plugin_ignored {
            if let Some(entry) = entry {
                self.sink.push(
                    entry.key_range,
                    Severity::Warning,
                    "ignored-in-plugin",
                    format!(
                        "`{}` is ignored for plugin agents (for security); define the agent in `.claude/agents/` to use it",
                        field.name
                    ),
                );
            }
            return;
        }
        if let Some(entry) = entry
            && self.lifecycle(field, entry)
        {
            return;
        }
        let present = value.is_some_and(|v| !matches!(v, Value::Null))
            && !matches!(value, Some(Value::String(s)) if s.trim().is_empty());
        if !present {
            self.missing(field, entry);
            return;
        }
        let Some(value) = value else { return };
        let range = entry.and_then(|e| e.value.as_ref()).map_or_else(
            || entry.map_or_else(|| self.opening_fence(), |e| e.key_range),
            |node| node.range,
        );
        let node = entry.and_then(|e| e.value.as_ref());
        if field.glob {
            self.globs(value, range);
        }
        if field.match_folder
            && let (Value::String(text), Some(folder)) = (value, self.sink.analysis.folder())
            && text.trim() != folder
        {
            let tool = &self.dialect.tool;
            let diagnostic = self.sink.push(
                range,
                Severity::Warning,
                "name-folder-mismatch",
                format!(
                    "`{}` must match the folder name `{folder}`; {tool} goes by the folder",
                    field.name
                ),
            );
            diagnostic
                .fixes
                .push(Fix::single(format!("Use `{folder}`"), range, folder, false));
        }
        match field.ty {
            FieldType::String => self.string(field, value, range),
            FieldType::Enum => self.enumeration(field, value, range),
            FieldType::Boolean => self.boolean(field, value, range),
            FieldType::Integer | FieldType::Number => self.integer(field, value, range),
            FieldType::Tools => self.tools(field, value, node, range),
            FieldType::StringList => {
                if !matches!(value, Value::String(_) | Value::Seq(_)) {
                    self.invalid(
                        field,
                        range,
                        format!(
                            "`{}` must be a list of names or a comma-separated string, not a {}",
                            field.name,
                            value.type_name()
                        ),
                    );
                }
            }
            FieldType::Mapping | FieldType::Any if field.map_values.is_some() => {
                self.map_values(field, value, node, range, 0);
            }
            FieldType::Mapping => {
                if !matches!(value, Value::Map(_)) {
                    self.invalid(field, range, not_a_mapping(field, value));
                }
            }
            FieldType::Hooks => self.hooks(field, value, range),
            FieldType::McpServers => self.mcp_servers(field, value, node, range),
            FieldType::Any => {}
        }
    }

    /// Deprecated and ignored fields. Returns true when the value need not be checked further.
    fn lifecycle(&mut self, field: &Field, entry: &Entry) -> bool {
        let tool = &self.dialect.tool;
        if let Some(reason) = &field.ignored {
            self.sink.push(
                entry.key_range,
                Severity::Warning,
                "ignored-field",
                format!(
                    "{tool} ignores `{}` in a {}: {}",
                    field.name,
                    self.dialect.title,
                    reason.trim()
                ),
            );
            return true;
        }
        if let Some(reason) = &field.deprecated {
            let diagnostic = self.sink.push(
                entry.key_range,
                Severity::Warning,
                "deprecated-field",
                format!("`{}` is deprecated: {}", field.name, reason.trim()),
            );
            if let Some(replacement) = &field.replaced_by {
                diagnostic.fixes.push(Fix::single(
                    format!("Rename to `{replacement}`"),
                    entry.key_range,
                    replacement.clone(),
                    true,
                ));
            }
        }
        false
    }

    /// Each glob in a string (comma-separated) or list value must compile.
    fn globs(&mut self, value: &Value, range: TextRange) {
        let patterns: Vec<&str> = match value {
            Value::String(text) => text.split(',').map(str::trim).collect(),
            Value::Seq(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .collect(),
            _ => Vec::new(),
        };
        for pattern in patterns.into_iter().filter(|p| !p.is_empty()) {
            if let Err(error) = globset::Glob::new(pattern) {
                let kind = error.kind().to_string();
                self.sink.push(
                    range,
                    Severity::Warning,
                    "invalid-glob",
                    format!("`{}` is not a valid glob: {kind}", shorten(pattern)),
                );
            }
        }
    }

    fn missing(&mut self, field: &Field, entry: Option<&Entry>) {
        if !field.required || (self.plugin && field.name != "description" && field.name != "name") {
            return;
        }
        if self.plugin {
            // Plugin agents fall back to the file name and a placeholder description (spec §5).
            return;
        }
        let range = entry.map_or_else(|| self.opening_fence(), |e| e.key_range);
        let insert_at = self.content_range().start;
        let what = if entry.is_some() {
            "is empty"
        } else {
            "is missing"
        };
        // Claude Code skips a nameless agent without a word (spec §1).
        let consequence = if field.name == "name" && self.dialect.loader == LoaderKind::ClaudeCode {
            format!(
                "{} silently ignores a file without a name",
                self.dialect.tool
            )
        } else {
            format!("{} will not load this file", self.dialect.tool)
        };
        let analysis = self.sink.analysis;
        let diagnostic = self.sink.push(
            range,
            Severity::Error,
            "missing-required-field",
            format!("required field `{}` {what}: {consequence}", field.name),
        );
        if entry.is_none() {
            let (value, title) = match placeholder(field, analysis.path.as_deref()) {
                Some(value) => {
                    let title = format!("Add `{}: {value}`", field.name);
                    (value, title)
                }
                None => (String::new(), format!("Add `{}`", field.name)),
            };
            diagnostic.fixes.push(Fix::single(
                title,
                TextRange::empty(insert_at),
                format!("{}: {value}\n", field.name),
                false,
            ));
        }
    }

    /// Reports an invalid value with the severity the field's loader behaviour implies.
    fn invalid(&mut self, field: &Field, range: TextRange, message: String) -> &mut Diagnostic {
        let consequence = match field.invalid {
            OnInvalid::Reject => format!("{} will not load this file", self.dialect.tool),
            OnInvalid::Drop => format!("{} ignores this value", self.dialect.tool),
        };
        self.sink.push(
            range,
            Severity::Error,
            invalid_code(field),
            format!("{message}; {consequence}"),
        )
    }

    fn string(&mut self, field: &'static Field, value: &Value, range: TextRange) {
        let Value::String(text) = value else {
            let message = format!(
                "`{}` must be a string, not a {} (`{value}`)",
                field.name,
                value.type_name()
            );
            let quote = matches!(value, Value::Int(_) | Value::Float(_) | Value::Bool(_));
            let literal = self
                .head
                .get(range.as_range())
                .unwrap_or_default()
                .to_owned();
            let diagnostic = if field.required && !self.plugin {
                self.sink.push(
                    range,
                    Severity::Error,
                    "invalid-type",
                    format!(
                        "{message}: {} treats the field as missing and will not load this file",
                        self.dialect.tool
                    ),
                )
            } else {
                self.invalid(field, range, message)
            };
            if quote {
                diagnostic.fixes.push(Fix::single(
                    "Quote the value".to_owned(),
                    range,
                    loader::double_quoted(&literal),
                    true,
                ));
            }
            return;
        };
        if let Some(max) = field.max_length
            && text.chars().count() > max
        {
            self.invalid(
                field,
                range,
                format!(
                    "`{}` is {} characters long; at most {max} are allowed",
                    field.name,
                    text.chars().count()
                ),
            );
            return;
        }
        // Claude Code checks forbidden characters after NFKC normalisation (spec §4); ASCII is
        // already normal, and normalising long descriptions on every keystroke is costly.
        let normalized: std::borrow::Cow<'_, str> =
            if field.forbidden_chars.is_empty() || text.is_ascii() {
                std::borrow::Cow::Borrowed(text.as_str())
            } else {
                std::borrow::Cow::Owned(text.nfkc().collect())
            };
        for forbidden in &field.forbidden_chars {
            if normalized.contains(forbidden.as_str()) {
                let fixed = normalized.replace(forbidden.as_str(), "-");
                let diagnostic = self.invalid(
                    field,
                    range,
                    format!(
                        "`{}` must not contain `{forbidden}` (reserved for plugin namespacing)",
                        field.name
                    ),
                );
                diagnostic.fixes.push(Fix::single(
                    format!("Replace `{forbidden}` with `-`"),
                    range,
                    fixed,
                    false,
                ));
                return;
            }
        }
        for prefix in &field.forbidden_prefixes {
            if text.starts_with(prefix.as_str()) {
                self.invalid(
                    field,
                    range,
                    format!("`{}` must not start with `{prefix}`", field.name),
                );
                return;
            }
        }
        if field.convention == Some(Convention::KebabCase) && !is_kebab_case(text) {
            let kebab = to_kebab_case(text);
            let diagnostic = self.sink.push(
                range,
                Severity::Warning,
                "name-convention",
                format!("by convention `{}` uses lowercase letters, digits and hyphens (`{kebab}`); {} accepts it as written", field.name, self.dialect.tool),
            );
            if !kebab.is_empty() {
                diagnostic.fixes.push(Fix::single(
                    format!("Rename to `{kebab}`"),
                    range,
                    kebab,
                    false,
                ));
            }
        }
        if field.name == "description" {
            self.balanced_tags(text, range);
        }
        if field.name == "model" && self.dialect.loader == LoaderKind::ClaudeCode {
            self.model(field, text, range);
        }
    }

    fn balanced_tags(&mut self, text: &str, range: TextRange) {
        const TAGS: [&str; 2] = ["example", "commentary"];
        // One pass over the `<`s: descriptions are long and this runs on every keystroke.
        let mut counts = [[0usize; 2]; TAGS.len()];
        for index in memchr::memchr_iter(b'<', text.as_bytes()) {
            let rest = &text[index + 1..];
            let (closing, name) = rest.strip_prefix('/').map_or((0, rest), |name| (1, name));
            for (tag, count) in TAGS.iter().zip(counts.iter_mut()) {
                if name
                    .strip_prefix(tag)
                    .is_some_and(|after| after.starts_with('>'))
                {
                    count[closing] += 1;
                }
            }
        }
        for (tag, [opened, closed]) in TAGS.iter().zip(counts) {
            if opened != closed {
                self.sink.push(
                    range,
                    Severity::Warning,
                    "unbalanced-tags",
                    format!("the description opens `<{tag}>` {opened} time(s) but closes it {closed} time(s); the model may misread the examples"),
                );
            }
        }
    }

    fn model(&mut self, field: &Field, text: &str, range: TextRange) {
        let trimmed = text.trim();
        if field.values.iter().any(|v| {
            v.value.eq_ignore_ascii_case(trimmed) && (v.value == trimmed || v.value == "inherit")
        }) {
            return;
        }
        if let Some(alias) = field
            .values
            .iter()
            .find(|v| v.value.eq_ignore_ascii_case(trimmed))
        {
            let diagnostic = self.sink.push(
                range,
                Severity::Warning,
                "unknown-model",
                format!("model aliases are lowercase: Claude Code keeps `{trimmed}` as written and it does not match the alias `{}`", alias.value),
            );
            diagnostic.fixes.push(Fix::single(
                format!("Use `{}`", alias.value),
                range,
                alias.value.clone(),
                true,
            ));
            return;
        }
        if trimmed.to_ascii_lowercase().contains("claude") {
            return;
        }
        let names: Vec<&str> = field.values.iter().map(|v| v.value.as_str()).collect();
        let suggestion = did_you_mean(trimmed, names.iter().copied());
        let hint = suggestion.map_or_else(String::new, |s| format!(" Did you mean `{s}`?"));
        let diagnostic = self.sink.push(
            range,
            Severity::Warning,
            "unknown-model",
            format!(
                "`{trimmed}` is neither a Claude model alias ({}) nor a Claude model ID.{hint}",
                names.join(", ")
            ),
        );
        if let Some(suggestion) = suggestion {
            diagnostic.fixes.push(Fix::single(
                format!("Use `{suggestion}`"),
                range,
                suggestion.to_owned(),
                true,
            ));
        }
    }

    fn enumeration(&mut self, field: &'static Field, value: &Value, range: TextRange) {
        if field.integer_ok && matches!(value, Value::Int(_)) {
            return;
        }
        let names = || field.values.iter().map(|v| v.value.as_str());
        // Built only for a message: most values are valid, and this runs on every keystroke.
        let allowed = || {
            let mut list = String::new();
            for (index, name) in names().enumerate() {
                if index > 0 {
                    list.push_str(", ");
                }
                list.extend(["`", name, "`"]);
            }
            list
        };
        let Value::String(text) = value else {
            self.invalid(
                field,
                range,
                format!(
                    "`{}` must be one of {}, not a {}",
                    field.name,
                    allowed(),
                    value.type_name()
                ),
            );
            return;
        };
        let text = text.trim();
        let matches = |candidate: &str| {
            if field.case_sensitive {
                candidate == text
            } else {
                candidate.eq_ignore_ascii_case(text)
            }
        };
        if names().any(matches) {
            return;
        }
        let suggestion = names()
            .find(|n| n.eq_ignore_ascii_case(text))
            .or_else(|| did_you_mean(text, names()));
        let hint = suggestion.map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"));
        let mut message = format!(
            "`{text}` is not a valid `{}`{hint}: use one of {}",
            field.name,
            allowed()
        );
        if field.values.iter().any(|v| v.hex.is_some()) {
            message.push_str(" (names are case-sensitive; hex colors are not supported)");
        }
        let diagnostic = self.invalid(field, range, message);
        if let Some(suggestion) = suggestion {
            diagnostic.fixes.push(Fix::single(
                format!("Change to `{suggestion}`"),
                range,
                suggestion.to_owned(),
                true,
            ));
        }
    }

    fn boolean(&mut self, field: &'static Field, value: &Value, range: TextRange) {
        match value {
            Value::Bool(_) => {}
            Value::String(s) if field.string_bool_ok && (s == "true" || s == "false") => {}
            other => {
                let shown = other.to_string();
                let suggestion = match shown.to_ascii_lowercase().as_str() {
                    "yes" | "on" | "y" | "true" => Some("true"),
                    "no" | "off" | "n" | "false" => Some("false"),
                    _ => None,
                };
                let diagnostic = self.invalid(
                    field,
                    range,
                    format!("`{}` must be `true` or `false`, not `{shown}`", field.name),
                );
                if let Some(suggestion) = suggestion {
                    diagnostic.fixes.push(Fix::single(
                        format!("Change to `{suggestion}`"),
                        range,
                        suggestion.to_owned(),
                        true,
                    ));
                }
            }
        }
    }

    fn integer(&mut self, field: &'static Field, value: &Value, range: TextRange) {
        let number = match value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) if field.ty == FieldType::Number => Some(*x),
            Value::String(s) if field.numeric_string_ok => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let kind = if field.ty == FieldType::Number {
            "a number"
        } else {
            "a whole number"
        };
        match number {
            None => {
                self.invalid(
                    field,
                    range,
                    format!("`{}` must be {kind}, not `{value}`", field.name),
                );
            }
            Some(n) if field.min.is_some_and(|min| n < min) => {
                let min = field.min.unwrap_or_default();
                self.invalid(
                    field,
                    range,
                    format!("`{}` must be at least {min}, not {n}", field.name),
                );
            }
            Some(n) if field.max.is_some_and(|max| n > max) => {
                let max = field.max.unwrap_or_default();
                self.invalid(
                    field,
                    range,
                    format!("`{}` must be at most {max}, not {n}", field.name),
                );
            }
            Some(_) => {}
        }
    }

    fn tools(
        &mut self,
        field: &'static Field,
        value: &Value,
        node: Option<&Node>,
        range: TextRange,
    ) {
        let tool = &self.dialect.tool;
        match value {
            Value::String(_) => {}
            Value::Seq(items) => {
                for (index, item) in items.iter().enumerate() {
                    if !matches!(item, Value::String(_)) {
                        let item_range = node
                            .and_then(Node::as_sequence)
                            .and_then(|seq| seq.items.get(index))
                            .map_or(range, |n| n.range);
                        self.sink.push(
                            item_range,
                            Severity::Error,
                            "invalid-tool-entry",
                            format!("`{item}` is not a tool name; {tool} drops non-string entries"),
                        );
                    }
                }
            }
            other => {
                self.invalid(
                    field,
                    range,
                    format!(
                        "`{}` must be a comma-separated string or a list of tool names, not a {}",
                        field.name,
                        other.type_name()
                    ),
                );
                return;
            }
        }
        let Some(node) = node else { return };
        let items = list_items(node, self.head);
        let mut seen: Vec<&str> = Vec::new();
        for item in &items {
            if seen.contains(&item.text.as_str()) {
                let fix = remove_list_item(node, item, self.head);
                let diagnostic = self.sink.push(
                    item.range,
                    Severity::Warning,
                    "duplicate-tool",
                    format!("`{}` is listed twice", item.text),
                );
                if let Some(fix) = fix {
                    diagnostic.fixes.push(fix);
                }
                continue;
            }
            seen.push(&item.text);
            self.tool(item);
        }
    }

    fn tool(&mut self, item: &ListItem) {
        let tool = &self.dialect.tool;
        match self.dialect.tool(&item.text) {
            ToolMatch::Known(_) | ToolMatch::Mcp | ToolMatch::Wildcard => {}
            ToolMatch::Legacy(legacy) => {
                let base = crate::schema::tool_base_name(&item.text);
                let replacement = item.text.replacen(base, &legacy.name, 1);
                let diagnostic = self.sink.push(
                    item.range,
                    Severity::Information,
                    "legacy-tool",
                    format!(
                        "`{base}` is the legacy name of `{}`; {tool} still accepts it",
                        legacy.name
                    ),
                );
                diagnostic.fixes.push(Fix::single(
                    format!("Use `{}`", legacy.name),
                    item.range,
                    replacement,
                    true,
                ));
            }
            ToolMatch::Removed(removed) => {
                let diagnostic = self.sink.push(
                    item.range,
                    Severity::Warning,
                    "unknown-tool",
                    format!(
                        "`{}` no longer exists in {tool}: {}",
                        removed.name,
                        removed.doc.trim()
                    ),
                );
                if let Some(replacement) = &removed.replacement {
                    diagnostic.fixes.push(Fix::single(
                        format!("Use `{replacement}`"),
                        item.range,
                        replacement.clone(),
                        false,
                    ));
                }
            }
            ToolMatch::Unknown => {
                let base = crate::schema::tool_base_name(&item.text);
                let names = self.dialect.tools.iter().flat_map(|t| {
                    std::iter::once(t.name.as_str()).chain(t.legacy.iter().map(String::as_str))
                });
                let suggestion = self
                    .dialect
                    .tools
                    .iter()
                    .find(|t| t.name.eq_ignore_ascii_case(base))
                    .map(|t| t.name.as_str())
                    .or_else(|| did_you_mean(base, names));
                let message = match suggestion {
                    Some(name) => format!(
                        "unknown tool `{base}`: did you mean `{name}`? ({tool} keeps the name but no such tool exists, so it grants nothing)"
                    ),
                    None => format!(
                        "unknown tool `{base}`: {tool} keeps the name but no such tool exists, so it grants nothing (MCP tools are named `mcp__<server>__<tool>`)"
                    ),
                };
                let replacement = suggestion.map(|name| item.text.replacen(base, name, 1));
                let diagnostic =
                    self.sink
                        .push(item.range, Severity::Warning, "unknown-tool", message);
                if let Some(replacement) = replacement {
                    diagnostic.fixes.push(Fix::single(
                        format!("Change to `{replacement}`"),
                        item.range,
                        replacement,
                        true,
                    ));
                }
            }
        }
    }

    /// The settings.json `hooks` shape: `{Event: [{matcher?, hooks: [{type: command, command}]}]}`.
    fn hooks(&mut self, field: &'static Field, value: &Value, range: TextRange) {
        let problem = hooks_problem(value);
        if let Some(problem) = problem {
            self.invalid(field, range, format!("`hooks` {problem}"));
        }
    }

    fn mcp_servers(
        &mut self,
        field: &'static Field,
        value: &Value,
        node: Option<&Node>,
        range: TextRange,
    ) {
        let Value::Seq(items) = value else {
            self.invalid(field, range, format!("`mcpServers` must be a list of server names or `name: config` entries, not a {}", value.type_name()));
            return;
        };
        for (index, item) in items.iter().enumerate() {
            let valid = match item {
                Value::String(_) => true,
                Value::Map(entries) => {
                    entries.len() == 1 && matches!(entries[0].0, Value::String(_))
                }
                _ => false,
            };
            if !valid {
                let item_range = node
                    .and_then(Node::as_sequence)
                    .and_then(|seq| seq.items.get(index))
                    .map_or(range, |n| n.range);
                self.sink.push(
                    item_range,
                    Severity::Error,
                    invalid_code(field),
                    format!("each `mcpServers` entry must be a server name or a one-key `name: config` mapping; {tool} drops this one", tool = self.dialect.tool),
                );
            }
        }
    }
}

impl FieldChecker<'_, '_> {
    /// A mapping's values against the field's `map_values` (and, for an `any` field, a string
    /// value itself: `permission: ask`). `depth` 1 is a nested pattern map.
    fn map_values(
        &mut self,
        field: &'static Field,
        value: &Value,
        node: Option<&Node>,
        range: TextRange,
        depth: usize,
    ) {
        let Some(spec) = &field.map_values else {
            return;
        };
        let allowed = || match spec.ty {
            FieldType::Boolean => "`true` or `false`".to_owned(),
            _ => spec
                .values
                .iter()
                .map(|value| format!("`{value}`"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        match value {
            Value::Map(entries) => {
                for (key, item) in entries {
                    let key = key.to_string();
                    let item_node = node
                        .and_then(Node::as_mapping)
                        .and_then(|mapping| mapping.entries.iter().rev().find(|e| e.key == key))
                        .and_then(|entry| entry.value.as_ref());
                    let item_range = item_node.map_or(range, |n| n.range);
                    if matches!(item, Value::Map(_)) && spec.nested && depth == 0 {
                        self.map_values(field, item, item_node, item_range, 1);
                        continue;
                    }
                    let valid = match (spec.ty, item) {
                        (FieldType::Boolean, Value::Bool(_)) => true,
                        (FieldType::Enum, Value::String(text)) => spec.values.contains(text),
                        _ => false,
                    };
                    if !valid {
                        self.invalid(
                            field,
                            item_range,
                            format!(
                                "`{}`: the value for `{key}` must be {}, not `{item}`",
                                field.name,
                                allowed()
                            ),
                        );
                    }
                }
            }
            Value::String(text)
                if depth == 0
                    && field.ty == FieldType::Any
                    && spec.ty == FieldType::Enum
                    && !spec.values.contains(text) =>
            {
                self.invalid(
                    field,
                    range,
                    format!(
                        "`{}` must be {} or a mapping, not `{text}`",
                        field.name,
                        allowed()
                    ),
                );
            }
            Value::String(_) if field.ty == FieldType::Any && depth == 0 => {}
            other => {
                self.invalid(field, range, not_a_mapping(field, other));
            }
        }
    }
}

/// A value to start a missing required field with, written as YAML that loads as a string: a
/// `name` from the file's path (a skill's folder, else the file name, as the tools' own
/// conventions have it), any other field its one-line summary, to be replaced (editors without
/// snippet edits cannot select a placeholder for the author).
fn placeholder(field: &Field, path: Option<&std::path::Path>) -> Option<String> {
    let text = if field.name == "name" {
        let path = path?;
        if field.match_folder {
            path.parent()?.file_name()?.to_str()?.to_owned()
        } else {
            crate::schema::file_stem(path)?
        }
    } else {
        field.summary.trim().to_owned()
    };
    if text.is_empty() || text.contains(['\n', '\r']) {
        return None;
    }
    Some(if loader::reads_as_string(&text, "\n", &text) {
        text
    } else {
        loader::double_quoted(&text)
    })
}

fn not_a_mapping(field: &Field, value: &Value) -> String {
    format!(
        "`{}` must be a mapping of `key: value` pairs, not a {}",
        field.name,
        value.type_name()
    )
}

fn invalid_code(field: &Field) -> &'static str {
    match field.invalid {
        OnInvalid::Reject => "invalid-value-rejected",
        OnInvalid::Drop => "invalid-value",
    }
}

/// What is wrong with a `hooks` value, if anything.
///
/// Event names are not checked: the spec does not list the events Claude Code accepts.
fn hooks_problem(value: &Value) -> Option<String> {
    let Value::Map(entries) = value else {
        return Some(format!(
            "must be a mapping of hook events, not a {}",
            value.type_name()
        ));
    };
    for (event, matchers) in entries {
        let event_name = event.to_string();
        let Value::Seq(matchers) = matchers else {
            return Some(format!(
                "`{event_name}` must be a list of `{{matcher, hooks}}` entries"
            ));
        };
        for matcher in matchers {
            let Value::Map(fields) = matcher else {
                return Some(format!(
                    "`{event_name}` entries must be mappings with a `hooks` list"
                ));
            };
            let get = |key: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(key))
                    .map(|(_, v)| v)
            };
            if get("matcher").is_some_and(|m| !matches!(m, Value::String(_))) {
                return Some(format!("`{event_name}`: `matcher` must be a string"));
            }
            let Some(Value::Seq(hooks)) = get("hooks") else {
                return Some(format!("`{event_name}` entries need a `hooks` list"));
            };
            for hook in hooks {
                let Value::Map(hook) = hook else {
                    return Some(format!(
                        "`{event_name}`: each hook must be a mapping with `type` and `command`"
                    ));
                };
                let get = |key: &str| {
                    hook.iter()
                        .find(|(k, _)| k.as_str() == Some(key))
                        .map(|(_, v)| v)
                };
                match get("type") {
                    Some(Value::String(kind)) if kind == "command" => {
                        if !matches!(get("command"), Some(Value::String(_))) {
                            return Some(format!(
                                "`{event_name}`: a `command` hook needs a `command` string"
                            ));
                        }
                    }
                    Some(Value::String(kind)) if kind == "prompt" || kind == "agent" => {
                        if !matches!(get("prompt"), Some(Value::String(_))) {
                            return Some(format!(
                                "`{event_name}`: a `{kind}` hook needs a `prompt` string"
                            ));
                        }
                    }
                    Some(Value::String(kind)) => {
                        return Some(format!("`{event_name}`: unknown hook type `{kind}`"));
                    }
                    _ => {
                        return Some(format!(
                            "`{event_name}`: each hook needs a `type` (e.g. `command`)"
                        ));
                    }
                }
            }
        }
    }
    None
}

/// A fix that removes `item` from a list (with its separator).
fn remove_list_item(node: &Node, item: &ListItem, head: &str) -> Option<Fix> {
    let range = match &node.kind {
        NodeKind::Scalar(scalar) if !scalar.style.is_block() && item.range != scalar.content => {
            // Remove the separator before the item (`, Bash`), or after it when it comes first.
            let before = &head[scalar.content.start..item.range.start];
            let separator = before.len() - before.trim_end_matches([',', ' ', '\t']).len();
            if separator > 0 {
                TextRange::new(item.range.start - separator, item.range.end)
            } else {
                let after = &head[item.range.end..scalar.content.end];
                let separator = after.len() - after.trim_start_matches([',', ' ', '\t']).len();
                TextRange::new(item.range.start, item.range.end + separator)
            }
        }
        NodeKind::Sequence(sequence) if sequence.flow => {
            let before = &head[node.range.start..item.range.start];
            let trimmed = before.trim_end_matches([' ', '\t', '"', '\'']);
            let separator_start = trimmed
                .strip_suffix(',')
                .map(|t| node.range.start + t.len())?;
            let quote_end = head[item.range.end..]
                .chars()
                .take_while(|c| *c == '"' || *c == '\'')
                .count();
            TextRange::new(separator_start, item.range.end + quote_end)
        }
        NodeKind::Sequence(_) => {
            let line_start = head[..item.range.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = head[item.range.end..]
                .find('\n')
                .map_or(head.len(), |i| item.range.end + i + 1);
            TextRange::new(line_start, line_end)
        }
        _ => return None,
    };
    Some(Fix::single(
        format!("Remove the duplicate `{}`", item.text),
        range,
        String::new(),
        true,
    ))
}

/// The best field-name suggestion for an unknown key: a documented alias, a case-insensitive
/// match, or the closest name by edit distance.
pub(super) fn suggest_field(dialect: &Dialect, key: &str) -> Option<String> {
    if let Some(field) = dialect
        .fields
        .iter()
        .find(|f| f.aliases.iter().any(|a| a == key))
    {
        return Some(field.name.clone());
    }
    if let Some(field) = dialect
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(key))
    {
        return Some(field.name.clone());
    }
    did_you_mean(key, dialect.fields.iter().map(|f| f.name.as_str())).map(str::to_owned)
}

/// The closest candidate by Damerau–Levenshtein distance, when it is close enough to be the
/// obvious intent (one edit for short words, up to a third of the length for longer ones).
pub(super) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    // The distance is at least the length difference: skip hopeless candidates before paying
    // for the quadratic comparison (a pasted 100 KB "key" must not stall hover). The distance is
    // the restricted Damerau one (adjacent swaps, each substring edited once): typos are that,
    // and the unrestricted one builds a hash map per candidate, on every keystroke that leaves a
    // value misspelt.
    let close_in_length = |candidate: &&str| candidate.chars().count().abs_diff(length) <= limit;
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(close_in_length)
        .map(|candidate| {
            (
                strsim::osa_distance(&lower, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// User text quoted in a message, cut to a readable length.
pub(super) fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

fn is_kebab_case(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
}

fn to_kebab_case(text: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            if ch.is_ascii_uppercase() && previous_lower && !out.ends_with('-') {
                out.push('-');
            }
            out.push(ch.to_ascii_lowercase());
            previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
            previous_lower = false;
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_is_conservative_and_cheap_on_huge_words() {
        assert_eq!(did_you_mean(&"x".repeat(100_000), ["model", "name"]), None);
        assert_eq!(shorten(&"y".repeat(100)).chars().count(), 61);
        assert_eq!(did_you_mean("modle", ["model", "name"]), Some("model"));
        assert_eq!(did_you_mean("Bassh", ["Bash", "Read"]), Some("Bash"));
        assert_eq!(did_you_mean("yelow", ["yellow", "red"]), Some("yellow"));
        assert_eq!(did_you_mean("frobnicate", ["Bash", "Read"]), None);
    }

    use std::path::Path;

    /// Renders each diagnostic as `line:col-line:col severity code \`text\``, 1-based lines and
    /// byte columns, so that expected results read like an editor's problem list.
    fn check(fixture: &str) -> Vec<String> {
        check_at(".claude/agents/test.md", fixture)
    }

    fn check_at(path: &str, fixture: &str) -> Vec<String> {
        let analysis = Analysis::from_text(Some(Path::new(path)), fixture);
        analysis
            .diagnostics()
            .into_iter()
            .map(|d| {
                let (l1, c1) = line_col(fixture, d.range.start);
                let (l2, c2) = line_col(fixture, d.range.end);
                let severity = format!("{:?}", d.severity).to_lowercase();
                format!(
                    "{l1}:{c1}-{l2}:{c2} {severity} {} `{}`",
                    d.code,
                    &fixture[d.range.as_range()]
                )
            })
            .collect()
    }

    fn line_col(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = offset - before.rfind('\n').map_or(0, |i| i + 1);
        (line, col)
    }

    fn messages(fixture: &str) -> Vec<String> {
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/test.md")), fixture);
        analysis
            .diagnostics()
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn opencode_tools_and_permission_values() {
        let path = ".opencode/agent/review.md";
        let fixture = "---\ndescription: Reviews\npermission:\n  edit: deny\n  bash:\n    \"*\": ask\n    \"git push*\": never\n  webfetch: maybe\n---\nBody\n";
        assert_eq!(
            check_at(path, fixture),
            [
                "7:17-7:22 error invalid-value-rejected `never`",
                "8:12-8:17 error invalid-value-rejected `maybe`",
            ]
        );
        assert_eq!(
            check_at(path, "---\ndescription: R\npermission: ask\n---\nBody\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            check_at(path, "---\ndescription: R\npermission: always\n---\nBody\n"),
            ["3:12-3:18 error invalid-value-rejected `always`"]
        );
        let tools = "---\ndescription: R\ntools:\n  write: false\n  bash: \"no\"\n---\nBody\n";
        let found = check_at(path, tools);
        assert!(
            found.contains(&"5:8-5:12 error invalid-value-rejected `\"no\"`".to_owned()),
            "{found:?}"
        );
    }

    #[test]
    fn seed_has_no_errors_only_the_strict_yaml_warning() {
        let seed = include_str!("../../tests/fixtures/rust-backend-expert.md");
        let found = check(seed);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("3:13-3:"), "{found:?}");
        assert!(
            found[0].contains("warning not-strict-yaml `Use this agent when"),
            "{found:?}"
        );
    }

    #[test]
    fn clean_agent_has_nothing() {
        let text = "---\nname: reviewer\ndescription: Reviews code\nmodel: sonnet\ntools: Read, Grep, Bash(git diff:*)\ncolor: blue\n---\nYou review code.\n";
        assert_eq!(check(text), Vec::<String>::new());
    }

    #[test]
    fn many_mistakes_each_at_its_token() {
        let text = "---
name: My Agent
description: Finds bugs
modle: sonnet
color: yelow
tools: Read, Bassh, Read, Task
permissionMode: yolo
effort: extreme
memory: global
isolation: docker
background: yes
maxTurns: 0
allowed-tools: Read
---
Body.
";
        assert_eq!(
            check(text),
            [
                "2:6-2:14 warning name-convention `My Agent`",
                "4:0-4:5 warning unknown-field `modle`",
                "5:7-5:12 error invalid-value `yelow`",
                "6:13-6:18 warning unknown-tool `Bassh`",
                "6:20-6:24 warning duplicate-tool `Read`",
                "6:26-6:30 information legacy-tool `Task`",
                "7:16-7:20 error invalid-value `yolo`",
                "8:8-8:15 error invalid-value `extreme`",
                "9:8-9:14 error invalid-value `global`",
                "10:11-10:17 error invalid-value `docker`",
                "11:12-11:15 error invalid-value `yes`",
                "12:10-12:11 error invalid-value `0`",
                "13:0-13:13 warning unknown-field `allowed-tools`",
            ]
        );
        let messages = messages(text);
        assert!(
            messages.iter().any(|m| m.contains("did you mean `model`")),
            "{messages:#?}"
        );
        assert!(messages.iter().any(|m| m.contains("did you mean `tools`")));
        assert!(messages.iter().any(|m| m.contains("did you mean `Bash`")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("(did you mean `yellow`?)"))
        );
    }

    #[test]
    fn missing_and_mistyped_required_fields() {
        assert_eq!(
            check("---\nmodel: opus\n---\nBody\n"),
            [
                "1:0-1:3 error missing-required-field `---`",
                "1:0-1:3 error missing-required-field `---`"
            ]
        );
        assert_eq!(
            check("---\nname: 123\ndescription: [a, b]\n---\nBody\n"),
            [
                "2:6-2:9 error invalid-type `123`",
                "3:13-3:19 error invalid-type `[a, b]`"
            ]
        );
    }

    #[test]
    fn missing_required_fields_get_a_starting_value() {
        let text = "---\nmodel: sonnet\n---\nBody\n";
        let analysis =
            Analysis::from_text(Some(Path::new(".claude/agents/code-reviewer.md")), text);
        let fixes: Vec<(String, String)> = analysis
            .diagnostics()
            .iter()
            .filter(|d| d.code == "missing-required-field")
            .flat_map(|d| d.fixes.iter())
            .map(|fix| (fix.title.clone(), fix.edits[0].new_text.clone()))
            .collect();
        assert_eq!(
            fixes,
            [
                (
                    "Add `name: code-reviewer`".to_owned(),
                    "name: code-reviewer\n".to_owned()
                ),
                (
                    "Add `description: When Claude should delegate to this subagent`".to_owned(),
                    "description: When Claude should delegate to this subagent\n".to_owned()
                ),
            ]
        );
        // A name YAML would read as a number is quoted.
        let numbered = Analysis::from_text(
            Some(Path::new(".claude/agents/2024.md")),
            "---\ndescription: d\n---\nBody\n",
        );
        let edit = numbered
            .diagnostics()
            .iter()
            .find(|d| d.code == "missing-required-field")
            .map(|d| d.fixes[0].edits[0].new_text.clone());
        assert_eq!(edit.as_deref(), Some("name: \"2024\"\n"));
    }

    #[test]
    fn name_rules() {
        let long = "a".repeat(257);
        assert_eq!(
            check(&format!("---\nname: {long}\ndescription: d\n---\nB\n")).len(),
            1
        );
        assert_eq!(
            check("---\nname: plugin:agent\ndescription: d\n---\nB\n"),
            ["2:6-2:18 error invalid-value-rejected `plugin:agent`"]
        );
        assert_eq!(
            check("---\nname: -agent\ndescription: d\n---\nB\n"),
            ["2:6-2:12 error invalid-value-rejected `-agent`"]
        );
    }

    #[test]
    fn fences() {
        assert_eq!(
            check("\n---\nname: a\n---\n")[0],
            "1:0-2:3 error blank-line-before-frontmatter `\n---`"
        );
        assert_eq!(
            check("# Title\n"),
            ["1:0-1:7 error missing-frontmatter `# Title`"]
        );
        assert_eq!(
            check("\n  ---\n  name: a\n  ---\n"),
            ["2:0-2:5 error missing-frontmatter `  ---`"]
        );
        // A lone `\r` ends a line too (old Mac line ends).
        assert_eq!(
            check("\r  ---\r  name: a\r  ---\r"),
            ["1:1-1:6 error missing-frontmatter `  ---`"]
        );
        assert_eq!(
            check("---\nname: a\n"),
            ["1:0-1:3 error unclosed-frontmatter `---`"]
        );
        let cut = check("---\nname: a\ndescription: before --- after\nmodel: haiku\n---\nBody\n");
        assert!(
            cut.contains(&"3:20-3:23 error frontmatter-cut-short `---`".to_owned()),
            "{cut:#?}"
        );
        let messages =
            messages("---\nname: a\ndescription: before --- after\nmodel: haiku\n---\nBody\n");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`model` become body text")),
            "{messages:#?}"
        );
    }

    #[test]
    fn yaml_the_fallback_cannot_rescue() {
        let found =
            check("---\nname: a\ndescription: first line\n  continued: with colon\n---\nBody\n");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("error invalid-yaml"), "{found:?}");
        assert!(found[0].starts_with("4:11-"), "{found:?}");
    }

    #[test]
    fn comment_cut_and_duplicates_and_empty_body() {
        assert_eq!(
            check("---\nname: a\ndescription: see #42 # todo\nname: b\n---\n"),
            [
                "2:0-2:4 warning duplicate-key `name`",
                "3:17-3:27 warning comment-in-value `#42 # todo`",
                "5:0-5:3 warning empty-body `---`",
            ]
        );
    }

    #[test]
    fn plugin_agents_differ() {
        let dir = std::env::temp_dir().join(format!("agentls-diag-plugin-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".claude-plugin")).unwrap();
        std::fs::write(dir.join(".claude-plugin/plugin.json"), "{}").unwrap();
        let path = dir.join("agents/x.md");
        let found = check_at(
            path.to_str().unwrap(),
            "---\npermissionMode: plan\n---\nBody\n",
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found,
            ["2:0-2:14 warning ignored-in-plugin `permissionMode`"]
        );
    }

    #[test]
    fn other_markdown_gets_nothing() {
        assert!(check_at("docs/README.md", "no frontmatter").is_empty());
    }

    #[test]
    fn oversized_files_are_errors() {
        let text = format!(
            "---\nname: a\ndescription: b\n---\n{}",
            "x".repeat(super::MAX_FILE_SIZE)
        );
        assert_eq!(check(&text), ["1:0-1:3 error file-too-large `---`"]);
    }

    #[test]
    fn unbalanced_example_tags() {
        let found = check(
            "---\nname: a\ndescription: \"<example>one</example><example>two <commentary>x</commentary>\"\n---\nB\n",
        );
        assert_eq!(
            found,
            [
                "3:13-3:76 warning unbalanced-tags `\"<example>one</example><example>two <commentary>x</commentary>\"`"
            ]
        );
        assert!(
            check("---\nname: a\ndescription: \"<example>a</example> <examples>\"\n---\nB\n")
                .is_empty()
        );
    }

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("code-reviewer-2"));
        assert!(!is_kebab_case("Code Reviewer"));
        assert_eq!(to_kebab_case("My Fancy Agent"), "my-fancy-agent");
        assert_eq!(to_kebab_case("codeReviewer"), "code-reviewer");
    }
}
