//! Hover: Markdown documentation for keys and values, generated from the schema.

use std::fmt::Write as _;

use super::diagnostics::{shorten, suggest_field};
use super::values::list_items;
use super::{Analysis, Hover};
use crate::loader::Value;
use crate::schema::{Dialect, Field, FieldType, Tool, ToolMatch, Variant};
use crate::syntax::Entry;

pub(super) fn hover(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let mut hover = frontmatter_hover(analysis, offset)?;
    if let Some(variant) = variant(analysis) {
        let title = &analysis.dialect_schema()?.title;
        let _ = write!(
            hover.markdown,
            "\n\n---\n\nThis {title} is **{}**: {}",
            variant.name,
            variant.doc.trim()
        );
    }
    Some(hover)
}

/// The first of the dialect's variants whose conditions the loaded fields meet.
pub(super) fn variant(analysis: &Analysis) -> Option<&'static Variant> {
    let dialect = analysis.dialect_schema()?;
    let loaded = analysis.loaded.as_deref()?;
    let present = |field: &str| match loaded.get(field) {
        None | Some(Value::Null) => false,
        Some(Value::String(text)) => !text.trim().is_empty(),
        Some(Value::Seq(items)) => !items.is_empty(),
        Some(_) => true,
    };
    dialect.variants.iter().find(|variant| {
        variant
            .when
            .iter()
            .all(|(field, condition)| match condition.as_str() {
                "present" => present(field),
                "absent" => !present(field),
                expected => loaded
                    .get(field)
                    .is_some_and(|value| value.to_string() == expected),
            })
    })
}

fn frontmatter_hover(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let (dialect, frontmatter, _) = analysis.parsed()?;
    // Innermost first: a key, else the value of the entry under the cursor.
    let entry = frontmatter
        .entries
        .iter()
        .find(|entry| entry.range.contains_inclusive(offset))?;
    // A line without a colon is not a field yet (half-typed, or junk): nothing to explain.
    entry.colon?;
    if entry.key_range.contains_inclusive(offset) {
        let markdown = match dialect.field(&entry.key) {
            Some(field) => field_markdown(dialect, field),
            None => unknown_field_markdown(dialect, &entry.key),
        };
        return Some(Hover {
            range: entry.key_range,
            markdown,
        });
    }
    let field = dialect.field(&entry.key)?;
    let node = entry.value.as_ref()?;
    narrow_to_tool(analysis, dialect, field, entry, offset).or_else(|| {
        Some(Hover {
            range: node.range,
            markdown: value_markdown(analysis, dialect, field, entry),
        })
    })
}

/// For a tools list: the hover of the single tool under the cursor.
fn narrow_to_tool(
    analysis: &Analysis,
    dialect: &Dialect,
    field: &Field,
    entry: &Entry,
    offset: usize,
) -> Option<Hover> {
    if field.ty != FieldType::Tools {
        return None;
    }
    let item = list_items(entry.value.as_ref()?, analysis.head())
        .into_iter()
        .find(|item| item.range.contains_inclusive(offset))?;
    let markdown = match dialect.tool(&item.text) {
        ToolMatch::Known(tool) => tool_markdown(tool),
        ToolMatch::Legacy(tool) => format!(
            "`{}` is the legacy name of **`{}`** (still accepted).\n\n{}",
            crate::schema::tool_base_name(&item.text),
            tool.name,
            tool_markdown(tool)
        ),
        ToolMatch::Removed(removed) => format!(
            "**`{}`** — no longer exists in Claude Code.\n\n{}",
            removed.name,
            removed.doc.trim()
        ),
        ToolMatch::Mcp => mcp_markdown(&item.text),
        ToolMatch::Wildcard if item.text.trim() == "*" => {
            "**`*`** — all tools available to subagents.".to_owned()
        }
        ToolMatch::Wildcard => format!(
            "**`{}`** — a wildcard: every tool whose name matches.",
            item.text
        ),
        ToolMatch::Unknown => format!(
            "**`{}`** — not a Claude Code tool. Claude Code keeps the name, but it grants nothing.",
            crate::schema::tool_base_name(&item.text)
        ),
    };
    Some(Hover {
        range: item.range,
        markdown,
    })
}

fn value_markdown(analysis: &Analysis, dialect: &Dialect, field: &Field, entry: &Entry) -> String {
    let loaded = analysis
        .loaded
        .as_ref()
        .and_then(|loaded| loaded.get(&field.name));
    if field.newline_escapes
        && let Some(Value::String(text)) = loaded
    {
        {
            // Claude Code turns every literal `\n` into a newline (spec §4).
            let seen = text.replace("\\n", "\n");
            let fence = "`".repeat(longest_backtick_run(&seen).max(2) + 1);
            return format!(
                "**`description`** as Claude Code will see it (after YAML, its quoting fallback and `\\n` processing):\n\n{fence}text\n{seen}\n{fence}"
            );
        }
    }
    let written = entry
        .value
        .as_ref()
        .and_then(|node| node.as_scalar())
        .map(|scalar| scalar.value.trim().to_owned())
        .unwrap_or_default();
    let matched = field.values.iter().find(|value| {
        if field.case_sensitive {
            value.value == written
        } else {
            value.value.eq_ignore_ascii_case(&written)
        }
    });
    match matched {
        Some(value) => {
            let mut markdown = format!("**`{}: {}`**", field.name, value.value);
            if let Some(hex) = &value.hex {
                let _ = write!(markdown, " — `{hex}`");
            }
            let _ = write!(
                markdown,
                "\n\n{}\n\n---\n\n{}",
                value.doc.trim(),
                field_markdown(dialect, field)
            );
            markdown
        }
        None => field_markdown(dialect, field),
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn mcp_markdown(entry: &str) -> String {
    let name = crate::schema::tool_base_name(entry);
    let rest = name.trim_start_matches("mcp__");
    match rest.split_once("__") {
        Some((server, tool)) => format!(
            "**MCP tool** `{tool}` from the server `{server}`.\n\nMCP tools are named `mcp__<server>__<tool>`."
        ),
        None => format!(
            "**Every tool of the MCP server** `{rest}`.\n\nMCP tools are named `mcp__<server>__<tool>`; `mcp__<server>` grants all of them."
        ),
    }
}

/// The hover/completion documentation of a field.
pub(super) fn field_markdown(dialect: &Dialect, field: &Field) -> String {
    let requirement = if field.required {
        "required"
    } else {
        "optional"
    };
    let mut markdown = format!(
        "**`{}`** — {} ({requirement})\n\n",
        field.name,
        type_label(field)
    );
    if !field.doc.trim().is_empty() {
        markdown.push_str(field.doc.trim());
        markdown.push_str("\n\n");
    } else if !field.summary.is_empty() {
        markdown.push_str(&field.summary);
        markdown.push_str("\n\n");
    }
    if !field.values.is_empty() {
        let label = if field.open {
            "Common values"
        } else {
            "Values"
        };
        let _ = writeln!(markdown, "**{label}:**\n");
        for value in &field.values {
            let doc = value.doc.lines().next().unwrap_or_default().trim();
            let _ = writeln!(
                markdown,
                "- `{}`{}{}",
                value.value,
                value
                    .hex
                    .as_ref()
                    .map_or(String::new(), |h| format!(" ({h})")),
                if doc.is_empty() {
                    String::new()
                } else {
                    format!(" — {doc}")
                }
            );
        }
        markdown.push('\n');
    }
    if let Some(default) = &field.default {
        let _ = writeln!(markdown, "**Default:** {default}\n");
    }
    if let Some(example) = &field.example {
        let _ = writeln!(
            markdown,
            "**Example:**\n\n```yaml\n{}\n```\n",
            example.trim_end()
        );
    }
    if let Some(url) = &dialect.docs_url {
        let _ = writeln!(markdown, "[{} documentation]({url})", dialect.title);
    }
    markdown.trim_end().to_owned()
}

fn type_label(field: &Field) -> &'static str {
    if let Some(spec) = &field.map_values {
        return match (field.ty, spec.ty) {
            (FieldType::Any, _) => "an action, or a mapping to actions",
            (_, FieldType::Boolean) => "mapping of names to `true`/`false`",
            _ => "mapping of names to values",
        };
    }
    match field.ty {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Number => "number",
        FieldType::Boolean => "boolean",
        FieldType::Enum => "one of a fixed set of values",
        FieldType::Tools => "tool list",
        FieldType::StringList => "list of names",
        FieldType::Mapping => "mapping",
        FieldType::Hooks => "hooks mapping",
        FieldType::McpServers => "list of MCP servers",
        FieldType::Any => "any value",
    }
}

pub(super) fn tool_markdown(tool: &Tool) -> String {
    let mut markdown = format!(
        "**`{}`** — {}\n\n{}",
        tool.name,
        tool.summary,
        tool.doc.trim()
    );
    if let Some(rule) = &tool.rule_syntax {
        let _ = write!(markdown, "\n\n**Rule syntax:** `{rule}`");
    }
    if !tool.legacy.is_empty() {
        let legacy: Vec<String> = tool.legacy.iter().map(|l| format!("`{l}`")).collect();
        let _ = write!(markdown, "\n\n**Legacy names:** {}", legacy.join(", "));
    }
    markdown.trim_end().to_owned()
}

fn unknown_field_markdown(dialect: &Dialect, key: &str) -> String {
    let shown = shorten(key);
    let mut markdown = format!(
        "**`{shown}`** — not a {} field: Claude Code ignores it.",
        dialect.title
    );
    if let Some(suggestion) = suggest_field(dialect, key) {
        let _ = write!(markdown, "\n\nDid you mean **`{suggestion}`**?");
    }
    markdown
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn hover_at(fixture: &str) -> Option<Hover> {
        let offset = fixture.find("$0").expect("fixture has a $0 cursor");
        let text = fixture.replacen("$0", "", 1);
        Analysis::from_text(Some(Path::new(".claude/agents/a.md")), &text).hover(offset)
    }

    #[test]
    fn key_hover_documents_the_field() {
        let hover = hover_at("---\nco$0lor: blue\n---\n").unwrap();
        assert!(
            hover.markdown.starts_with("**`color`**"),
            "{}",
            hover.markdown
        );
        assert!(hover.markdown.contains("`yellow`"));
        assert_eq!(hover.range.start, 4);
        assert_eq!(hover.range.end, 9);
    }

    #[test]
    fn value_hover_documents_the_value() {
        let hover = hover_at("---\npermissionMode: pl$0an\n---\n").unwrap();
        assert!(
            hover.markdown.starts_with("**`permissionMode: plan`**"),
            "{}",
            hover.markdown
        );
    }

    #[test]
    fn tool_hover_narrows_to_the_tool() {
        let text = "---\ntools: Read, Ba$0sh(git status:*), Task, mcp__github__create_issue\n---\n";
        let hover = hover_at(text).unwrap();
        assert!(
            hover.markdown.starts_with("**`Bash`**"),
            "{}",
            hover.markdown
        );
        let legacy = hover_at("---\ntools: Read, Ta$0sk\n---\n").unwrap();
        assert!(legacy.markdown.contains("legacy name of **`Agent`**"));
        let mcp = hover_at("---\ntools: mcp__github__cre$0ate_issue\n---\n").unwrap();
        assert!(
            mcp.markdown
                .contains("`create_issue` from the server `github`")
        );
    }

    #[test]
    fn description_hover_shows_what_claude_code_sees() {
        let hover =
            hover_at("---\nname: a\ndescription: Use it: n$0ow.\\nuser: \"hi\"\n---\n").unwrap();
        assert!(
            hover.markdown.contains("Use it: now.\nuser: \"hi\""),
            "{}",
            hover.markdown
        );
    }

    #[test]
    fn unknown_key_suggests() {
        let hover = hover_at("---\nmod$0le: opus\n---\n").unwrap();
        assert!(hover.markdown.contains("Did you mean **`model`**"));
    }
}
