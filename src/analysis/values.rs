//! Reading list-valued fields (`tools`, `skills`, …) out of the tree, with a range per item.

use crate::syntax::{Node, NodeKind, Scalar, ScalarStyle};
use crate::text::TextRange;

/// One item of a list-valued field, as Claude Code splits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    pub text: String,
    pub range: TextRange,
}

/// The items of a list field written as a string (`Read, Grep Bash(git log:*)`) or as a YAML
/// list. Strings are split on commas and whitespace outside parentheses, as Claude Code does
/// (spec §4, `tools`).
pub fn list_items(node: &Node, head: &str) -> Vec<ListItem> {
    match &node.kind {
        NodeKind::Scalar(scalar) => split_scalar(scalar, head),
        NodeKind::Sequence(sequence) => sequence
            .items
            .iter()
            .filter_map(|item| {
                let scalar = item.as_scalar()?;
                Some(ListItem {
                    text: scalar.value.trim().to_owned(),
                    range: trimmed(scalar.content, head),
                })
            })
            .filter(|item| !item.text.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// Splits a scalar's value into list items. When the source text between the scalar's content
/// bounds is the value itself (plain one-line scalars, quoted scalars without escapes), each item
/// gets its exact range; otherwise every item gets the whole scalar's range.
pub fn split_scalar(scalar: &Scalar, head: &str) -> Vec<ListItem> {
    let source = head.get(scalar.content.as_range()).unwrap_or_default();
    let verbatim = source == scalar.value
        && !matches!(scalar.style, ScalarStyle::Literal | ScalarStyle::Folded);
    split_outside_parentheses(&scalar.value)
        .into_iter()
        .map(|(start, piece)| {
            let range = if verbatim {
                TextRange::new(
                    scalar.content.start + start,
                    scalar.content.start + start + piece.len(),
                )
            } else {
                scalar.content
            };
            ListItem {
                text: piece.to_owned(),
                range,
            }
        })
        .collect()
}

/// Splits on `,` and whitespace that are not inside parentheses. Returns each piece with its byte
/// offset in `text`.
pub fn split_outside_parentheses(text: &str) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut start = None;
    for (index, ch) in text.char_indices() {
        let separator = depth == 0 && (ch == ',' || ch.is_whitespace());
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if separator {
            if let Some(begin) = start.take() {
                pieces.push((begin, &text[begin..index]));
            }
        } else if start.is_none() {
            start = Some(index);
        }
    }
    if let Some(begin) = start {
        pieces.push((begin, &text[begin..]));
    }
    pieces
}

fn trimmed(range: TextRange, head: &str) -> TextRange {
    let Some(text) = head.get(range.as_range()) else {
        return range;
    };
    let start = range.start + (text.len() - text.trim_start().len());
    let end = range.start + text.trim_end().len();
    TextRange::new(start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_claude_code() {
        let pieces: Vec<&str> =
            split_outside_parentheses("Read, Grep  Bash(git status:*),Agent(worker, reviewer)")
                .into_iter()
                .map(|(_, p)| p)
                .collect();
        assert_eq!(
            pieces,
            [
                "Read",
                "Grep",
                "Bash(git status:*)",
                "Agent(worker, reviewer)"
            ]
        );
        assert_eq!(split_outside_parentheses(" a ,b"), [(1, "a"), (4, "b")]);
        assert!(split_outside_parentheses(" , ").is_empty());
    }
}
