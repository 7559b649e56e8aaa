//! Body syntax the tools interpret: arguments, variables, inline shell and file references.
//!
//! Which syntax a dialect has is data (the schema's `body` section); the kinds of checks are here.
//! The body is scanned only for documents small enough for their tool to read (see
//! [`BODY_LIMIT`]), so huge documents keep a flat per-keystroke cost.

use std::path::{Component, Path, PathBuf};

use super::values::list_items;
use super::{Analysis, Diagnostic, Hover, Severity};
use crate::schema::{BodySyntax, Dialect, FileBase};
use crate::text::TextRange;

/// Bodies larger than this are not scanned (Claude Code skips files over 1 MiB anyway).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// One recognised token in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// `$ARGUMENTS`, `$ARGUMENTS[N]`, `$N`.
    Arguments { index: Option<String> },
    /// `$name` declared in the `arguments` field.
    NamedArgument(String),
    /// `${NAME}`.
    Variable(String),
    /// `` !`cmd` `` or a line inside a ```` ```! ```` block.
    Shell(String),
    /// `@path`, `#file:path`, `#[[file:path]]`.
    FileReference(String),
    /// `#tool:name`.
    ToolReference(String),
}

struct Found {
    token: Token,
    range: TextRange,
}

/// The body's tokens for semantic highlighting (`text` is the whole document).
pub(super) fn semantic_tokens(analysis: &Analysis, text: &str) -> Vec<super::SemanticToken> {
    use super::SemanticKind;
    let Some((_, syntax)) = syntax(analysis) else {
        return Vec::new();
    };
    scan(analysis, syntax, text)
        .into_iter()
        .map(|found| super::SemanticToken {
            range: found.range,
            kind: match found.token {
                Token::Arguments { .. } | Token::NamedArgument(_) => SemanticKind::Argument,
                Token::Variable(_) => SemanticKind::Variable,
                Token::Shell(_) => SemanticKind::Shell,
                Token::FileReference(_) => SemanticKind::FileReference,
                Token::ToolReference(_) => SemanticKind::ToolReference,
            },
        })
        .collect()
}

/// Diagnostics for the body of `analysis` (`text` is the whole document).
pub(super) fn diagnostics(analysis: &Analysis, text: &str) -> Vec<Diagnostic> {
    let Some((dialect, syntax)) = syntax(analysis) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let granted = shell_rules(analysis, syntax);
    for found in scan(analysis, syntax, text) {
        match &found.token {
            Token::Shell(command) => {
                let Some(rules) = &granted else { continue };
                if !rules.iter().any(|rule| rule_grants(rule, command)) {
                    let field = syntax.inline_shell.as_deref().unwrap_or("allowed-tools");
                    let first = command.split_whitespace().next().unwrap_or(command);
                    out.push(Diagnostic {
                        range: found.range,
                        severity: Severity::Error,
                        code: "shell-not-allowed",
                        message: format!(
                            "{} aborts the whole command here: no `{field}` rule grants `Bash({command})`; add e.g. `Bash({first}:*)` to `{field}`",
                            dialect.tool
                        ),
                        fixes: Vec::new(),
                    });
                }
            }
            Token::ToolReference(name) => {
                let Some(references) = &syntax.tool_references else {
                    continue;
                };
                let enabled = enabled_tools(analysis, &references.field);
                if let Some(enabled) = enabled
                    && !enabled
                        .iter()
                        .any(|tool| tool == name || name.starts_with(&format!("{tool}/")))
                {
                    out.push(warning(
                        found.range,
                        "tool-not-enabled",
                        format!("`{name}` is referenced here but not enabled in the header's `{}`; {} will not offer it", references.field, dialect.tool),
                    ));
                }
            }
            Token::Variable(name) => {
                if let Some(known) = syntax.variables.iter().find(|v| v.matches(name)) {
                    if known.plugin_only && !analysis.is_plugin() {
                        out.push(warning(found.range, "plugin-variable", format!("`${{{name}}}` is only set in plugins; here it stays as literal text")));
                    }
                } else if syntax.variables.iter().any(|v| {
                    name.starts_with(v.name.split('_').next().unwrap_or_default())
                        && v.name.contains('_')
                }) {
                    out.push(warning(
                        found.range,
                        "unknown-variable",
                        format!(
                            "`${{{name}}}` is not a variable {} sets; it stays as literal text",
                            dialect.tool
                        ),
                    ));
                }
            }
            Token::FileReference(reference) => {
                if let Some(problem) = missing_file(analysis, syntax, reference) {
                    out.push(warning(found.range, "missing-file", problem));
                }
            }
            Token::Arguments { .. } | Token::NamedArgument(_) => {}
        }
    }
    out
}

/// Hover on a body token at `offset`.
pub(super) fn hover(analysis: &Analysis, text: &str, offset: usize) -> Option<Hover> {
    let (dialect, syntax) = syntax(analysis)?;
    let found = scan(analysis, syntax, text)
        .into_iter()
        .find(|found| found.range.contains_inclusive(offset))?;
    let markdown = match &found.token {
        Token::Arguments { index: None } => "**`$ARGUMENTS`** — everything typed after the command. If the body never uses it, the arguments are appended as `ARGUMENTS: <input>`.".to_owned(),
        Token::Arguments { index: Some(index) } => match &syntax.positional_doc {
            Some(doc) => format!("**Argument {index}** — {}", doc.trim()),
            None => format!(
                "**Argument {index}** (0-based: `$0` is the first argument, as `$ARGUMENTS[0]`). Older documentation counted `$1` as the first; with no such argument the placeholder stays as literal text."
            ),
        },
        Token::NamedArgument(name) => format!("**`${name}`** — the argument declared as `{name}` in `arguments`; empty when not given."),
        Token::ToolReference(name) => format!("**Tool reference** `{name}` — makes the tool available to this prompt; it must also be enabled in the header's tools."),
        Token::Variable(name) => match syntax.variables.iter().find(|v| v.matches(name)) {
            Some(variable) => format!("**`${{{name}}}`** — {}", variable.doc.trim()),
            None => format!("**`${{{name}}}`** — not a variable {} sets.", dialect.tool),
        },
        Token::Shell(command) => format!("**Inline shell** — {} runs `{command}` before sending the prompt and puts its output here. It never asks for permission: a `Bash(...)` rule in `allowed-tools` must grant it, or the command aborts.", dialect.tool),
        Token::FileReference(reference) => format!("**File reference** — {} inlines the contents of `{reference}` here.", dialect.tool),
    };
    Some(Hover {
        range: found.range,
        markdown,
    })
}

fn syntax(analysis: &Analysis) -> Option<(&'static Dialect, &'static BodySyntax)> {
    let dialect = analysis.dialect_schema()?;
    Some((dialect, dialect.body.as_ref()?))
}

fn warning(range: TextRange, code: &'static str, message: String) -> Diagnostic {
    Diagnostic {
        range,
        severity: Severity::Warning,
        code,
        message,
        fixes: Vec::new(),
    }
}

/// The tools the header enables, when it lists any (no list: every tool is available).
fn enabled_tools(analysis: &Analysis, field: &str) -> Option<Vec<String>> {
    let entry = analysis.frontmatter.as_deref()?.last(field)?;
    let node = entry.value.as_ref()?;
    Some(
        list_items(node, analysis.head())
            .into_iter()
            .map(|item| item.text)
            .collect(),
    )
}

/// The `Bash` rules of the field that grants inline shell; `None` when the dialect has no inline
/// shell check.
fn shell_rules(analysis: &Analysis, syntax: &BodySyntax) -> Option<Vec<String>> {
    let field = syntax.inline_shell.as_deref()?;
    let frontmatter = analysis.frontmatter.as_deref()?;
    let items = frontmatter
        .last(field)
        .and_then(|entry| entry.value.as_ref())
        .map(|node| list_items(node, analysis.head()))
        .unwrap_or_default();
    Some(items.into_iter().map(|item| item.text).collect())
}

/// Whether a tools entry (`Bash`, `Bash(git status:*)`, `Bash(npm run *)`) allows `command`.
fn rule_grants(rule: &str, command: &str) -> bool {
    let rule = rule.trim();
    if rule == "Bash" || rule == "*" || rule == "Bash(*)" {
        return true;
    }
    let Some(pattern) = rule.strip_prefix("Bash(").and_then(|r| r.strip_suffix(')')) else {
        return false;
    };
    let command = command.trim();
    if let Some(prefix) = pattern.strip_suffix(":*") {
        return command == prefix || command.starts_with(&format!("{prefix} "));
    }
    wildcard_match(pattern, command)
}

/// `*` matches any run of characters; everything else is literal.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    if parts.is_empty() {
        return rest.is_empty();
    }
    for (index, part) in parts.iter().enumerate() {
        if index == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Why `reference` does not resolve, if it does not. References outside the project are not
/// followed (nothing outside the workspace is read or even looked at).
fn missing_file(analysis: &Analysis, syntax: &BodySyntax, reference: &str) -> Option<String> {
    let target = resolve(analysis, syntax, reference)?;
    (!target.exists()).then(|| {
        format!(
            "`{reference}` does not exist (looked for `{}`)",
            target.display()
        )
    })
}

/// Where a file reference points, relative to the dialect's base; `None` for references that
/// leave the project (absolute, `..`) or are globs: those are never followed.
fn resolve(analysis: &Analysis, syntax: &BodySyntax, reference: &str) -> Option<PathBuf> {
    let path = analysis.path.as_deref()?;
    let base = match syntax.file_base? {
        FileBase::ProjectRoot => project_root(path)?,
        FileBase::FileFolder => path.parent()?.to_path_buf(),
    };
    let relative = Path::new(reference);
    let escapes = relative.is_absolute()
        || relative
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if escapes || reference.contains('*') {
        return None;
    }
    Some(base.join(relative))
}

/// The existing file a body file reference at `offset` points to (go to definition).
pub(super) fn file_reference_at(analysis: &Analysis, text: &str, offset: usize) -> Option<PathBuf> {
    let (_, syntax) = syntax(analysis)?;
    let found = scan(analysis, syntax, text)
        .into_iter()
        .find(|found| found.range.contains_inclusive(offset))?;
    let Token::FileReference(reference) = &found.token else {
        return None;
    };
    resolve(analysis, syntax, reference).filter(|target| target.is_file())
}

/// The project folder: the one holding the dialect's hidden folder (`.claude`, `.kiro`, `.github`…).
fn project_root(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| {
            dir.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .and_then(Path::parent)
        .map(Path::to_path_buf)
}

/// Every token of the body (outside fenced code blocks, except ```` ```! ```` shell blocks).
fn scan(analysis: &Analysis, syntax: &BodySyntax, text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let start = analysis.split.body_start.min(text.len());
    if text.len() > BODY_LIMIT || !text.is_char_boundary(start) {
        return found;
    }
    let declared: Vec<String> = analysis
        .frontmatter
        .as_deref()
        .and_then(|fm| fm.last("arguments"))
        .and_then(|entry| entry.value.as_ref())
        .map(|node| {
            list_items(node, analysis.head())
                .into_iter()
                .map(|item| item.text)
                .collect()
        })
        .unwrap_or_default();
    let triggers = Triggers::of(syntax);
    let mut fence: Option<bool> = None; // Some(true) inside a ```! shell block
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = match fence {
                Some(_) => None,
                None => Some(syntax.inline_shell.is_some() && trimmed.starts_with("```!")),
            };
            continue;
        }
        match fence {
            Some(true) if !trimmed.is_empty() => {
                let at = line_start + (content.len() - trimmed.len());
                found.push(Found {
                    token: Token::Shell(trimmed.to_owned()),
                    range: TextRange::new(at, at + trimmed.len()),
                });
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        scan_line(
            syntax, &triggers, &declared, content, line_start, &mut found,
        );
    }
    found
}

/// The ASCII bytes a token of this dialect's body syntax can start with: a line is skimmed for
/// these bytes only (with `memchr`, vectorised), and most lines hold none.
struct Triggers(Vec<u8>);

impl Triggers {
    fn of(syntax: &BodySyntax) -> Self {
        let mut bytes = Vec::new();
        let mut add = |prefix: &str| {
            if let Some(&first) = prefix.as_bytes().first()
                && first.is_ascii()
                && !bytes.contains(&first)
            {
                bytes.push(first);
            }
        };
        if syntax.arguments || !syntax.variables.is_empty() {
            add("$");
        }
        if syntax.inline_shell.is_some() {
            add("!");
        }
        for prefix in &syntax.file_references {
            add(prefix);
        }
        if let Some(references) = &syntax.tool_references {
            add(&references.prefix);
        }
        Self(bytes)
    }

    /// The offset of the next trigger byte in `haystack`.
    fn next_in(&self, haystack: &[u8]) -> Option<usize> {
        match self.0[..] {
            [] => None,
            [a] => memchr::memchr(a, haystack),
            [a, b] => memchr::memchr2(a, b, haystack),
            [a, b, c] => memchr::memchr3(a, b, c, haystack),
            ref many => haystack.iter().position(|byte| many.contains(byte)),
        }
    }
}

fn scan_line(
    syntax: &BodySyntax,
    triggers: &Triggers,
    declared: &[String],
    line: &str,
    base: usize,
    found: &mut Vec<Found>,
) {
    let bytes = line.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        // Every token starts with a trigger byte (ASCII, so a char boundary): skip straight to
        // the next candidate.
        let Some(skip) = triggers.next_in(&bytes[index..]) else {
            break;
        };
        index += skip;
        let at_word_start = index == 0 || bytes[index - 1].is_ascii_whitespace();
        let rest = &line[index..];
        let has_prefix = |prefix: &str| syntax.file_references.iter().any(|p| p == prefix);
        let token = None
            .or_else(|| {
                (!syntax.variables.is_empty() && rest.starts_with("${"))
                    .then(|| {
                        rest.find('}')
                            .map(|end| (Token::Variable(rest[2..end].to_owned()), end + 1))
                    })
                    .flatten()
            })
            .or_else(|| {
                (syntax.arguments && rest.starts_with('$'))
                    .then(|| arguments_token(rest, declared))
                    .flatten()
            })
            .or_else(|| {
                (syntax.inline_shell.is_some() && at_word_start && rest.starts_with("!`"))
                    .then(|| {
                        rest[2..]
                            .find('`')
                            .map(|end| (Token::Shell(rest[2..2 + end].to_owned()), end + 3))
                    })
                    .flatten()
            })
            .or_else(|| {
                (has_prefix("@") && at_word_start && rest.starts_with('@'))
                    .then(|| {
                        path_token(&rest[1..])
                            .map(|path| (Token::FileReference(path.to_owned()), path.len() + 1))
                    })
                    .flatten()
            })
            .or_else(|| {
                (has_prefix("#file:") && rest.starts_with("#file:"))
                    .then(|| {
                        path_token(&rest[6..])
                            .map(|path| (Token::FileReference(path.to_owned()), path.len() + 6))
                    })
                    .flatten()
            })
            .or_else(|| {
                syntax
                    .tool_references
                    .as_ref()
                    .filter(|references| rest.starts_with(references.prefix.as_str()))
                    .and_then(|references| {
                        let name = &rest[references.prefix.len()..];
                        let len = name
                            .find(|c: char| {
                                c.is_whitespace() || matches!(c, ',' | ')' | ']' | '`' | '.')
                            })
                            .unwrap_or(name.len());
                        (len > 0).then(|| {
                            (
                                Token::ToolReference(name[..len].to_owned()),
                                references.prefix.len() + len,
                            )
                        })
                    })
            })
            .or_else(|| {
                (has_prefix("#[[file:") && rest.starts_with("#[[file:"))
                    .then(|| {
                        rest.find("]]")
                            .map(|end| (Token::FileReference(rest[8..end].to_owned()), end + 2))
                    })
                    .flatten()
            });
        match token {
            Some((token, len)) if len > 0 => {
                found.push(Found {
                    token,
                    range: TextRange::new(base + index, base + index + len),
                });
                index += len;
            }
            _ => index += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
}

fn arguments_token(rest: &str, declared: &[String]) -> Option<(Token, usize)> {
    if let Some(after) = rest.strip_prefix("$ARGUMENTS") {
        if let Some(inner) = after.strip_prefix('[') {
            let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && inner[digits..].starts_with(']') {
                return Some((
                    Token::Arguments {
                        index: Some(inner[..digits].to_owned()),
                    },
                    "$ARGUMENTS[".len() + digits + 1,
                ));
            }
        }
        return Some((Token::Arguments { index: None }, "$ARGUMENTS".len()));
    }
    let after = &rest[1..];
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return Some((
            Token::Arguments {
                index: Some(after[..digits].to_owned()),
            },
            digits + 1,
        ));
    }
    let name_len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let name = &after[..name_len];
    (name_len > 0 && declared.iter().any(|d| d == name))
        .then(|| (Token::NamedArgument(name.to_owned()), name_len + 1))
}

/// A file path after `@`/`#file:`: up to whitespace or closing punctuation; it must look like a
/// path (contain `/` or `.`), so `@mentions` are left alone.
fn path_token(rest: &str) -> Option<&str> {
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ')' | ']' | ',' | ';' | '`' | '"' | '\''))
        .unwrap_or(rest.len());
    let path = rest[..end].trim_end_matches(['.', ':']);
    (!path.is_empty() && (path.contains('/') || path.contains('.'))).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_rules() {
        assert!(rule_grants("Bash", "rm -rf x"));
        assert!(rule_grants("Bash(git status:*)", "git status --short"));
        assert!(rule_grants("Bash(git status:*)", "git status"));
        assert!(!rule_grants("Bash(git status:*)", "git statusx"));
        assert!(rule_grants("Bash(npm run *)", "npm run test"));
        assert!(!rule_grants("Bash(npm run *)", "npm install"));
        assert!(rule_grants("Bash(git diff)", "git diff"));
        assert!(!rule_grants("Read", "cat x"));
    }

    #[test]
    fn paths_and_mentions() {
        assert_eq!(path_token("src/main.rs, and"), Some("src/main.rs"));
        assert_eq!(path_token("README.md."), Some("README.md"));
        assert_eq!(path_token("octocat hi"), None);
    }
}
