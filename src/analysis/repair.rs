//! Quick fixes that restructure the frontmatter: moving a misplaced closing `---`, and writing
//! multi-line text as a `|` block scalar. Each is checked by loading its result before it is
//! offered.

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::loader::{self, Outcome};
use crate::text::{TextRange, line_ending};

use super::{Analysis, Fix, TextEdit};

/// What the `not-strict-yaml` fixes write for a value Claude Code's fallback quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RescuedValue {
    /// The value as a `|` block of what the tool reads, for a field whose `\n` escapes it turns
    /// into newlines (`newline_escapes`), when the value has some and a block reads back exactly.
    pub block: Option<String>,
    /// The value double-quoted, as the fallback reads it.
    pub quoted: String,
}

/// The replacements for `value`, a rescued value on a line ending with `newline`.
pub(super) fn rescued_value(value: &str, newline_escapes: bool, newline: &str) -> RescuedValue {
    // Typing elsewhere in the frontmatter asks again about the same (often long) description on
    // every keystroke: the last answer is kept.
    thread_local! {
        static LAST: LastAnswer<(String, bool, &'static str), RescuedValue> =
            const { RefCell::new(None) };
    }
    let newline = kept_newline(newline);
    last_answer(
        &LAST,
        |(known, escapes, known_newline)| {
            known == value && *escapes == newline_escapes && *known_newline == newline
        },
        || (value.to_owned(), newline_escapes, newline),
        || RescuedValue {
            block: (newline_escapes && value.contains("\\n"))
                .then(|| literal_block(&value.replace("\\n", "\n"), newline))
                .flatten(),
            quoted: loader::double_quoted(value),
        },
    )
}

/// `text` as a literal block scalar (`|-`, `|`, `|+`) for a top-level key, indented by two
/// spaces, lines joined with `newline`: `None` when no block scalar reads back as exactly
/// `text` (checked by loading `key: <block>` as strict YAML).
pub(super) fn literal_block(text: &str, newline: &str) -> Option<String> {
    // Typing elsewhere in the frontmatter re-checks the same description on every keystroke:
    // the last answer is kept, so the proof (a YAML parse) runs once per text.
    thread_local! {
        static LAST: LastAnswer<(String, &'static str), Option<String>> =
            const { RefCell::new(None) };
    }
    let newline = kept_newline(newline);
    last_answer(
        &LAST,
        |(known, known_newline)| known == text && *known_newline == newline,
        || (text.to_owned(), newline),
        || prove_literal_block(text, newline),
    )
}

/// A thread's last question of some kind and its answer.
type LastAnswer<Question, Answer> = RefCell<Option<(Question, Answer)>>;

/// The answer kept in `last` if it was for the question `asked` recognises; otherwise the one
/// `answer` computes, kept in its place with the question `question` builds.
fn last_answer<Question, Answer: Clone>(
    last: &'static LocalKey<LastAnswer<Question, Answer>>,
    asked: impl FnOnce(&Question) -> bool,
    question: impl FnOnce() -> Question,
    answer: impl FnOnce() -> Answer,
) -> Answer {
    let kept = last.with_borrow(|last| {
        last.as_ref()
            .filter(|(known, _)| asked(known))
            .map(|(_, kept)| kept.clone())
    });
    if let Some(kept) = kept {
        return kept;
    }
    let answer = answer();
    last.set(Some((question(), answer.clone())));
    answer
}

/// A line ending as a `'static` string a kept question can hold.
fn kept_newline(newline: &str) -> &'static str {
    if newline == "\r\n" { "\r\n" } else { "\n" }
}

fn prove_literal_block(text: &str, newline: &str) -> Option<String> {
    if text.contains('\r') || text.trim().is_empty() {
        return None;
    }
    let trailing = text.len() - text.trim_end_matches('\n').len();
    let chomping = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let body = text.trim_end_matches('\n');
    // A first line starting with a space needs an explicit indentation.
    let indicator = if body.starts_with([' ', '\t']) {
        "2"
    } else {
        ""
    };
    let mut block = format!("|{indicator}{chomping}");
    for line in body.split('\n') {
        block.push_str(newline);
        if !line.is_empty() {
            block.push_str("  ");
            block.push_str(line);
        }
    }
    for _ in 1..trailing {
        block.push_str(newline);
    }
    loader::reads_as_string(&block, newline, text).then_some(block)
}

/// What a frontmatter line looks like, to tell where the fields end and the body begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    /// `key: value`, an indented continuation, a `- item`.
    Yaml,
    /// Blank, or `#…` (a YAML comment, or a Markdown heading).
    Neutral,
    /// Prose: the body has begun.
    Body,
}

fn line_kind(line: &str) -> LineKind {
    let trimmed = line.trim_end();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return LineKind::Neutral;
    }
    if trimmed.starts_with([' ', '\t', '-', '[', '{']) {
        return LineKind::Yaml;
    }
    let key_end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(trimmed.len());
    let rest = &trimmed[key_end..];
    if key_end > 0 && (rest == ":" || rest.starts_with(": ") || rest.starts_with(":\t")) {
        LineKind::Yaml
    } else {
        LineKind::Body
    }
}

/// A closing `---` right after the fields, when the frontmatter runs into the body: the block is
/// unclosed (`old_fence` is `None`: the fence is inserted), or its closing fence comes after
/// body text (the fence moves up). Offered only when the fields are followed by a blank line or
/// a heading and then prose, and when the repaired block loads.
pub(super) fn closing_fence_fix(
    analysis: &Analysis,
    content: TextRange,
    old_fence: Option<TextRange>,
) -> Option<Fix> {
    let head = analysis.head();
    let text = head.get(content.as_range())?;
    let mut fields_end = None;
    let mut separated = false;
    let mut body_found = false;
    let mut offset = content.start;
    for line in text.split_inclusive('\n') {
        match line_kind(line) {
            LineKind::Yaml => {
                fields_end = Some(offset + line.len());
                separated = false;
            }
            LineKind::Neutral => separated = fields_end.is_some(),
            // Prose after a blank line or a heading that follows the fields: the body.
            LineKind::Body if separated => {
                body_found = true;
                break;
            }
            // Prose right after a field may be its continuation: no guess.
            LineKind::Body => return None,
        }
        offset += line.len();
    }
    let fields_end = fields_end?;
    if !body_found && old_fence.is_some() {
        return None;
    }
    let newline = line_ending(head);
    let mut insert = String::new();
    if !head[..fields_end].ends_with('\n') {
        insert.push_str(newline);
    }
    insert.push_str("---");
    insert.push_str(newline);
    let mut edits = vec![TextEdit {
        range: TextRange::empty(fields_end),
        new_text: insert,
    }];
    if let Some(fence) = old_fence {
        // The whole line of the old fence goes.
        let line_end = head[fence.end..]
            .find('\n')
            .map_or(head.len(), |i| fence.end + i + 1);
        if !head[fence.end..line_end].trim().is_empty() {
            return None;
        }
        edits.push(TextEdit {
            range: TextRange::new(fence.start, line_end),
            new_text: String::new(),
        });
    }
    // The repaired head must give a frontmatter the tool loads.
    let mut refs: Vec<&TextEdit> = edits.iter().collect();
    let repaired = super::apply_edits(head, &mut refs)?;
    let check = Analysis::with_detected(
        analysis.path.as_deref(),
        analysis.detected,
        repaired.len(),
        std::iter::once(repaired.as_str()),
    );
    let loads = check.split.frontmatter.is_some()
        && check
            .loaded
            .as_ref()
            .is_some_and(|loaded| !matches!(loaded.outcome, Outcome::Failed { .. }));
    let title = if old_fence.is_some() {
        "Move the closing `---` up, after the fields"
    } else {
        "Close the frontmatter after the fields"
    };
    loads.then(|| Fix {
        title: title.to_owned(),
        edits,
        safe: false,
        rename: None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::analysis::apply_edits;

    #[test]
    fn rescued_values_are_quoted_and_their_escapes_written_as_blocks() {
        let value = r#"Use it.\n\nuser: "hi""#;
        let expected = RescuedValue {
            block: Some("|-\n  Use it.\n\n  user: \"hi\"".to_owned()),
            quoted: r#""Use it.\\n\\nuser: \"hi\"""#.to_owned(),
        };
        assert_eq!(rescued_value(value, true, "\n"), expected);
        // Asked again (remembered), the answer is the same.
        assert_eq!(rescued_value(value, true, "\n"), expected);
        let no_block = rescued_value(value, false, "\n");
        assert_eq!((no_block.block, no_block.quoted), (None, expected.quoted));
        assert_eq!(rescued_value("a: b", true, "\n").block, None);
    }

    #[test]
    fn literal_blocks_read_back_exactly() {
        assert_eq!(
            literal_block("Use it.\n\nuser: \"hi\"", "\n").as_deref(),
            Some("|-\n  Use it.\n\n  user: \"hi\"")
        );
        assert_eq!(literal_block("a\n", "\n").as_deref(), Some("|\n  a"));
        assert_eq!(literal_block("a\n\n", "\n").as_deref(), Some("|+\n  a\n"));
        assert_eq!(
            literal_block("  indented\nb", "\n").as_deref(),
            Some("|2-\n    indented\n  b")
        );
        assert_eq!(
            literal_block("a\nb", "\r\n").as_deref(),
            Some("|-\r\n  a\r\n  b")
        );
        assert_eq!(literal_block("", "\n"), None);
        assert_eq!(literal_block("a\rb", "\n"), None);
    }

    fn fixed(text: &str) -> Option<String> {
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let fix = analysis
            .diagnostics()
            .into_iter()
            .flat_map(|diagnostic| diagnostic.fixes)
            .find(|fix| fix.title.contains("`---`") || fix.title.contains("Close the"))?;
        let mut edits: Vec<&TextEdit> = fix.edits.iter().collect();
        apply_edits(text, &mut edits)
    }

    #[test]
    fn a_late_closing_fence_moves_up() {
        let text = "---\nname: a\ndescription: d\n\n# Role\nYou review code.\n---\nMore.\n";
        assert_eq!(
            fixed(text).as_deref(),
            Some("---\nname: a\ndescription: d\n---\n\n# Role\nYou review code.\nMore.\n")
        );
    }

    #[test]
    fn an_unclosed_frontmatter_is_closed_after_the_fields() {
        let text = "---\r\nname: a\r\ndescription: d\r\ntools: [Read]\r\n\r\nYou review code.\r\n";
        assert_eq!(
            fixed(text).as_deref(),
            Some(
                "---\r\nname: a\r\ndescription: d\r\ntools: [Read]\r\n---\r\n\r\nYou review code.\r\n"
            )
        );
        // Fields only, to the end of the file.
        assert_eq!(
            fixed("---\nname: a\ndescription: d").as_deref(),
            Some("---\nname: a\ndescription: d\n---\n")
        );
    }

    #[test]
    fn no_guess_without_a_clear_boundary() {
        // A continuation at column 0 right after a field is not the body.
        assert_eq!(
            fixed("---\nname: a\ndescription: d\nmore words here\n---\nBody\n"),
            None
        );
        assert_eq!(line_kind("key: value"), LineKind::Yaml);
        assert_eq!(line_kind("You are: an expert"), LineKind::Body);
        assert_eq!(line_kind("# Role"), LineKind::Neutral);
        assert_eq!(line_kind("  - Read"), LineKind::Yaml);
    }
}

#[cfg(test)]
mod block_fix_tests {
    use std::path::Path;

    use crate::analysis::{Analysis, TextEdit, apply_edits};

    /// The fixes of the diagnostic with `code`, applied one by one: `(title, safe, result)`.
    fn fixes(text: &str, code: &str) -> Vec<(String, bool, String)> {
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let diagnostic = analysis
            .diagnostics()
            .into_iter()
            .find(|diagnostic| diagnostic.code == code)
            .unwrap_or_else(|| panic!("no {code}"));
        diagnostic
            .fixes
            .iter()
            .map(|fix| {
                let mut edits: Vec<&TextEdit> = fix.edits.iter().collect();
                let fixed = apply_edits(text, &mut edits).expect("a change");
                (fix.title.clone(), fix.safe, fixed)
            })
            .collect()
    }

    #[test]
    fn escaped_newlines_become_a_block_with_the_same_meaning() {
        let text = "---\nname: a\ndescription: Use it: now.\\n\\nuser: \"hi\"\n---\nBody\n";
        let found = fixes(text, "not-strict-yaml");
        assert_eq!(found.len(), 2, "{found:#?}");
        let (title, safe, block) = &found[0];
        assert!(*safe && title.contains("`|` block"), "{title}");
        assert_eq!(
            block,
            "---\nname: a\ndescription: |-\n  Use it: now.\n\n  user: \"hi\"\n---\nBody\n"
        );
        // What Claude Code reads is the same text, `\n`s processed.
        let before = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let after = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), block);
        let description = |analysis: &Analysis| {
            let loaded = analysis.loaded.as_ref().expect("loaded");
            loaded
                .get("description")
                .and_then(|value| value.as_str())
                .map(|text| text.replace("\\n", "\n"))
        };
        assert_eq!(description(&before), description(&after));
        assert!(
            after
                .diagnostics()
                .iter()
                .all(|d| d.code != "not-strict-yaml"),
            "strict YAML now"
        );
        // The plain quoting stays on offer.
        assert!(found[1].0.starts_with("Quote the value"));
    }

    #[test]
    fn a_multi_line_plain_value_with_colons_becomes_a_block() {
        let text = "---\nname: a\ndescription: Use it when\n  Context: the user asks\nmodel: sonnet\n---\nBody\n";
        let found = fixes(text, "invalid-yaml");
        let (title, safe, fixed) = &found[0];
        assert!(!*safe, "the author chooses: the lines keep their breaks");
        assert_eq!(title, "Write the multi-line value as a `|` block");
        assert_eq!(
            fixed,
            "---\nname: a\ndescription: |-\n  Use it when\n  Context: the user asks\nmodel: sonnet\n---\nBody\n"
        );
        let after = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), fixed);
        assert!(
            after.diagnostics().iter().all(|d| d.code != "invalid-yaml"),
            "{:#?}",
            after.diagnostics()
        );
    }
}
