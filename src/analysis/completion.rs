//! Completion: field names, enumerated values, colors and tool names, from the schema.
//!
//! The cursor context is read from the text of the current line (and the nearest parent key), not
//! from the tree, so that completion works in half-typed lines the parser could not make sense of.

use super::hover::field_markdown;
use super::values::list_items;
use super::{Analysis, CompletionItem, CompletionKind};
use crate::schema::{Dialect, Field, FieldType};
use crate::text::TextRange;

pub(super) fn completion(analysis: &Analysis, offset: usize) -> Vec<CompletionItem> {
    let Some((dialect, frontmatter, content)) = analysis.parsed() else {
        return Vec::new();
    };
    if !content.contains_inclusive(offset) {
        return Vec::new();
    }
    let head = analysis.head();
    let line_start = head[..offset]
        .rfind('\n')
        .map_or(0, |i| i + 1)
        .max(content.start);
    let line_end = head[offset..]
        .find(['\n', '\r'])
        .map_or(head.len(), |i| offset + i)
        .min(content.end.max(offset));
    let before = &head[line_start..offset];
    let after = &head[offset..line_end];

    if !before.starts_with([' ', '\t']) {
        return match before.find(':') {
            None if !before.starts_with(['#', '-']) => {
                let word_end =
                    offset + after.find(|c: char| !is_key_char(c)).unwrap_or(after.len());
                let replace = TextRange::new(line_start, word_end);
                field_names(dialect, frontmatter, replace)
            }
            None => Vec::new(),
            Some(colon) => {
                let key = before[..colon].trim();
                let Some(field) = dialect.field(key) else {
                    return Vec::new();
                };
                let value_start = line_start + colon + 1;
                value_items(analysis, dialect, field, value_start, offset, line_end)
            }
        };
    }
    // An indented line: a block-list item under a top-level key.
    let trimmed = before.trim_start();
    if let Some(item) = trimmed.strip_prefix('-') {
        if !item.is_empty() && !item.starts_with(' ') {
            return Vec::new();
        }
        let Some(key) = parent_key(head, content.start, line_start) else {
            return Vec::new();
        };
        let Some(field) = dialect.field(key) else {
            return Vec::new();
        };
        let item_start = offset - item.trim_start().len();
        let token_end = offset + after.find([',', '#', '\r', '\n']).unwrap_or(after.len());
        let replace = TextRange::new(
            item_start,
            offset + after[..token_end - offset].trim_end().len(),
        );
        return match field.ty {
            FieldType::Tools => tool_items(analysis, dialect, field, replace, offset),
            FieldType::Enum | FieldType::Boolean => enum_items(field, replace),
            _ => Vec::new(),
        };
    }
    Vec::new()
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The nearest unindented `key:` above `line_start`.
fn parent_key(head: &str, content_start: usize, line_start: usize) -> Option<&str> {
    head[content_start..line_start]
        .lines()
        .rev()
        .find(|line| {
            !line.starts_with([' ', '\t']) && !line.trim().is_empty() && !line.starts_with('#')
        })
        .and_then(|line| line.split_once(':'))
        .map(|(key, _)| key.trim())
}

fn field_names(
    dialect: &Dialect,
    frontmatter: &crate::syntax::Frontmatter,
    replace: TextRange,
) -> Vec<CompletionItem> {
    let mut fields: Vec<(usize, &Field)> = dialect
        .fields
        .iter()
        .enumerate()
        .filter(|(_, field)| {
            !frontmatter.entries.iter().any(|entry| {
                entry.key == field.name
                    && entry.colon.is_some()
                    && !entry.key_range.contains_inclusive(replace.start)
            })
        })
        .collect();
    // Required fields first, then schema order (which lists the common fields first).
    fields.sort_by_key(|(index, field)| (!field.required, *index));
    fields
        .into_iter()
        .enumerate()
        .map(|(rank, (_, field))| CompletionItem {
            label: field.name.clone(),
            kind: CompletionKind::Field,
            detail: Some(field.summary.clone()).filter(|s| !s.is_empty()),
            documentation: Some(field_markdown(dialect, field)),
            replace,
            insert_text: format!("{}: ", field.name),
            sort_text: format!("{rank:03}"),
        })
        .collect()
}

fn value_items(
    analysis: &Analysis,
    dialect: &Dialect,
    field: &Field,
    value_start: usize,
    offset: usize,
    line_end: usize,
) -> Vec<CompletionItem> {
    let head = analysis.head();
    let mut items = match field.ty {
        FieldType::Tools => {
            // The token under the cursor: from the last separator to the next one.
            let before = &head[value_start..offset];
            let token_start = before
                .rfind([',', ' ', '\t', '[', '"', '\''])
                .map_or(value_start, |i| value_start + i + 1);
            let after = &head[offset..line_end];
            let token_end = offset
                + after
                    .find([',', ' ', '\t', ']', '"', '\'', '#'])
                    .unwrap_or(after.len());
            tool_items(
                analysis,
                dialect,
                field,
                TextRange::new(token_start, token_end),
                offset,
            )
        }
        FieldType::Enum | FieldType::Boolean | FieldType::String
            if !field.values.is_empty() || field.ty == FieldType::Boolean =>
        {
            let text = &head[value_start..line_end];
            let start = value_start + (text.len() - text.trim_start().len());
            let end = start + text.trim().len();
            let replace = TextRange::new(start.min(offset), end.max(offset));
            enum_items(field, replace)
        }
        _ => Vec::new(),
    };
    // Completion triggered by typing `:` lands right after the colon: YAML needs a space there.
    for item in &mut items {
        if item.replace.start == value_start {
            item.insert_text.insert(0, ' ');
        }
    }
    items
}

fn enum_items(field: &Field, replace: TextRange) -> Vec<CompletionItem> {
    if field.ty == FieldType::Boolean {
        return ["true", "false"]
            .into_iter()
            .enumerate()
            .map(|(rank, value)| CompletionItem {
                label: value.to_owned(),
                kind: CompletionKind::Value,
                detail: None,
                documentation: None,
                replace,
                insert_text: value.to_owned(),
                sort_text: format!("{rank:03}"),
            })
            .collect();
    }
    field
        .values
        .iter()
        .enumerate()
        .map(|(rank, value)| match &value.hex {
            // Editors draw a swatch when a color item's documentation is just the color.
            Some(hex) => CompletionItem {
                label: value.value.clone(),
                kind: CompletionKind::Color,
                detail: Some(first_line(&value.doc)),
                documentation: Some(hex.clone()),
                replace,
                insert_text: value.value.clone(),
                sort_text: format!("{rank:03}"),
            },
            None => CompletionItem {
                label: value.value.clone(),
                kind: CompletionKind::Value,
                detail: Some(first_line(&value.doc)).filter(|d| !d.is_empty()),
                documentation: Some(value.doc.clone()).filter(|d| !d.is_empty()),
                replace,
                insert_text: value.value.clone(),
                sort_text: format!("{rank:03}"),
            },
        })
        .collect()
}

fn tool_items(
    analysis: &Analysis,
    dialect: &Dialect,
    field: &Field,
    replace: TextRange,
    offset: usize,
) -> Vec<CompletionItem> {
    let listed: Vec<String> = analysis
        .frontmatter
        .as_ref()
        .and_then(|fm| fm.last(&field.name))
        .and_then(|entry| entry.value.as_ref())
        .map(|node| list_items(node, analysis.head()))
        .unwrap_or_default()
        .into_iter()
        .filter(|item| !item.range.contains_inclusive(offset))
        .map(|item| crate::schema::tool_base_name(&item.text).to_owned())
        .collect();
    dialect
        .tools
        .iter()
        .filter(|tool| {
            !listed
                .iter()
                .any(|l| *l == tool.name || tool.legacy.contains(l))
        })
        .enumerate()
        .map(|(rank, tool)| CompletionItem {
            label: tool.name.clone(),
            kind: CompletionKind::Tool,
            detail: Some(tool.summary.clone()).filter(|s| !s.is_empty()),
            documentation: Some(super::hover::tool_markdown(tool)),
            replace,
            insert_text: tool.name.clone(),
            sort_text: format!("{rank:03}"),
        })
        .collect()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Completion labels at the `$0` marker of a Claude agent fixture.
    fn labels(fixture: &str) -> Vec<String> {
        let offset = fixture.find("$0").expect("fixture has a $0 cursor");
        let text = fixture.replacen("$0", "", 1);
        let analysis = Analysis::from_text(Some(Path::new("/p/.claude/agents/a.md")), &text);
        analysis
            .completion(offset)
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    #[test]
    fn field_names_skip_present_ones() {
        let labels = labels("---\nname: a\n$0\n---\nBody\n");
        assert!(labels.contains(&"description".to_owned()), "{labels:?}");
        assert!(labels.contains(&"model".to_owned()));
        assert!(!labels.contains(&"name".to_owned()));
        assert_eq!(labels[0], "description", "required fields come first");
    }

    #[test]
    fn half_typed_key() {
        let labels = labels("---\nname: a\nmod$0\n---\n");
        assert!(labels.contains(&"model".to_owned()));
    }

    #[test]
    fn colors() {
        let text = "---\nname: a\ncolor: ye\n---\n";
        let offset = text.find("ye").unwrap() + 2;
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let items = analysis.completion(offset);
        let yellow = items
            .iter()
            .find(|i| i.label == "yellow")
            .expect("yellow offered");
        assert_eq!(yellow.kind, CompletionKind::Color);
        assert!(
            yellow
                .documentation
                .as_deref()
                .is_some_and(|d| d.starts_with('#'))
        );
        assert_eq!(&text[yellow.replace.as_range()], "ye");
        assert_eq!(items.len(), 8);
    }

    #[test]
    fn tools_in_every_form() {
        for fixture in [
            "---\ntools: Read, $0\n---\n",
            "---\ntools: Read $0\n---\n",
            "---\ntools: [Read, $0]\n---\n",
            "---\ntools:\n  - Read\n  - $0\n---\n",
        ] {
            let labels = labels(fixture);
            assert!(
                labels.contains(&"Bash".to_owned()),
                "{fixture:?}: {labels:?}"
            );
            assert!(
                !labels.contains(&"Read".to_owned()),
                "{fixture:?} re-offers Read"
            );
        }
    }

    #[test]
    fn partial_tool_replaces_the_token() {
        let text = "---\ntools: Read, Gr\n---\n";
        let offset = text.find("Gr").unwrap() + 2;
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let grep = analysis
            .completion(offset)
            .into_iter()
            .find(|i| i.label == "Grep")
            .unwrap();
        assert_eq!(&text[grep.replace.as_range()], "Gr");
    }

    #[test]
    fn enum_values_and_booleans() {
        assert!(labels("---\npermissionMode: $0\n---\n").contains(&"plan".to_owned()));
        assert_eq!(labels("---\nbackground: $0\n---\n"), ["true", "false"]);
        assert!(labels("---\nmodel: $0\n---\n").contains(&"inherit".to_owned()));
    }

    #[test]
    fn a_space_is_inserted_right_after_the_colon() {
        let text = "---\ncolor:\n---\n";
        let offset = text.find("color:").unwrap() + 6;
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let red = analysis
            .completion(offset)
            .into_iter()
            .find(|i| i.label == "red")
            .unwrap();
        assert_eq!(red.insert_text, " red");
        let text = "---\ncolor: \n---\n";
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let red = analysis
            .completion(offset + 1)
            .into_iter()
            .find(|i| i.label == "red")
            .unwrap();
        assert_eq!(red.insert_text, "red");
        let text = "---\ntools:\n---\n";
        let offset = text.find("tools:").unwrap() + 6;
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let bash = analysis
            .completion(offset)
            .into_iter()
            .find(|i| i.label == "Bash")
            .unwrap();
        assert_eq!(bash.insert_text, " Bash");
    }

    #[test]
    fn nothing_outside_the_frontmatter_or_for_unknown_files() {
        assert!(labels("---\nname: a\n---\nBody $0\n").is_empty());
        let analysis = Analysis::from_text(Some(Path::new("README.md")), "---\n\n---\n");
        assert!(analysis.completion(4).is_empty());
    }
}
