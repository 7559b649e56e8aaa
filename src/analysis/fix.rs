//! Applying quick fixes to a document's text (`agentls check --fix`, `source.fixAll`).

use super::{Diagnostic, TextEdit};

/// Applies the first safe fix of every diagnostic to `text`. Edits that overlap an edit already
/// taken are skipped (a later run picks them up). Returns `None` when there is nothing to fix.
pub fn apply_safe_fixes(text: &str, diagnostics: &[Diagnostic]) -> Option<String> {
    let mut edits: Vec<&TextEdit> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.fixes.iter().find(|fix| fix.safe))
        .flat_map(|fix| fix.edits.iter())
        .collect();
    apply_edits(text, &mut edits)
}

/// Applies non-overlapping edits (in any order) to `text`; overlapping or out-of-range edits are
/// skipped. Returns `None` when no edit changes the text.
pub fn apply_edits(text: &str, edits: &mut Vec<&TextEdit>) -> Option<String> {
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut position = 0;
    for edit in edits.iter() {
        let range = edit.range;
        let valid = range.start >= position
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end);
        if !valid {
            continue;
        }
        out.push_str(&text[position..range.start]);
        out.push_str(&edit.new_text);
        position = range.end;
    }
    out.push_str(&text[position..]);
    (out != text).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::analysis::Analysis;

    fn fix(text: &str) -> Option<String> {
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        apply_safe_fixes(text, &analysis.diagnostics())
    }

    #[test]
    fn fixes_typos_and_quotes_and_is_idempotent() {
        let text = "---\nname: a\ndescription: Use it: now\nmodle: sonnet\ncolor: Yellow\ntools: Read, Bassh, Read, Task\n---\nBody\n";
        let fixed = fix(text).unwrap();
        assert_eq!(
            fixed,
            "---\nname: a\ndescription: \"Use it: now\"\nmodel: sonnet\ncolor: yellow\ntools: Read, Bash, Agent\n---\nBody\n"
        );
        assert_eq!(fix(&fixed), None, "a second run changes nothing");
    }

    #[test]
    fn overlapping_edits_are_skipped() {
        let a = TextEdit {
            range: crate::text::TextRange::new(0, 3),
            new_text: "x".into(),
        };
        let b = TextEdit {
            range: crate::text::TextRange::new(2, 4),
            new_text: "y".into(),
        };
        assert_eq!(
            apply_edits("abcdef", &mut vec![&a, &b]).as_deref(),
            Some("xdef")
        );
        assert_eq!(apply_edits("abc", &mut Vec::new()), None);
    }
}
