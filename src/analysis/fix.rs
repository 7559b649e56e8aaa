//! Applying quick fixes to a document's text (`agentls check --fix`, `source.fixAll`).

use super::{Analysis, Diagnostic, Fix, TextEdit};

/// Applies the first safe fix of every diagnostic to `text`. Edits that overlap an edit already
/// taken are skipped (a later run picks them up). Returns `None` when there is nothing to fix.
pub fn apply_safe_fixes(text: &str, diagnostics: &[Diagnostic]) -> Option<String> {
    let mut edits = safe_fix_edits(diagnostics, text.len());
    apply_edits(text, &mut edits)
}

/// The edits of the first safe fix of every diagnostic, in document order, without those that
/// overlap an edit already taken or end past `len`: what [`apply_safe_fixes`] applies, as edits
/// that can be sent to an editor as they are.
pub fn safe_fix_edits(diagnostics: &[Diagnostic], len: usize) -> Vec<&TextEdit> {
    let mut edits: Vec<&TextEdit> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.fixes.iter().find(|fix| fix.safe))
        .flat_map(|fix| fix.edits.iter())
        .collect();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut position = 0;
    edits.retain(|edit| {
        let keep = edit.range.start >= position && edit.range.end <= len;
        if keep {
            position = edit.range.end;
        }
        keep
    });
    edits
}

impl Analysis {
    /// Every safe fix of the document as one fix (`source.fixAll`): the edits of the first round
    /// of `agentls check --fix`, as separate non-overlapping edits so that the editor keeps the
    /// cursor and the rest of the text untouched. An edit that overlapped another waits for the
    /// next invocation, as it waits for the next round in the CLI. `None` when there is nothing
    /// safe to fix.
    pub fn fix_all(&self) -> Option<Fix> {
        fix_all(&self.diagnostics(), self.len)
    }
}

/// [`Analysis::fix_all`] from diagnostics already computed, for a document of `len` bytes.
pub fn fix_all(diagnostics: &[Diagnostic], len: usize) -> Option<Fix> {
    let edits: Vec<TextEdit> = safe_fix_edits(diagnostics, len)
        .into_iter()
        .cloned()
        .collect();
    (!edits.is_empty()).then(|| Fix {
        title: "Apply all safe fixes".to_owned(),
        edits,
        safe: true,
        rename: None,
    })
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

    /// What each edit of [`fix_all_is_the_first_round_of_fixes_as_edits`] replaces, and with what.
    const EXPECTED_EDITS: [(&str, &str); 6] = [
        ("Use it: now", "\"Use it: now\""),
        ("modle", "model"),
        ("Yellow", "yellow"),
        ("Bassh", "Bash"),
        (", Read", ""),
        ("Task", "Agent"),
    ];
    const EXPECTED_RANGES: [(usize, usize); 6] =
        [(25, 36), (37, 42), (58, 64), (78, 83), (83, 89), (91, 95)];

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
    fn fix_all_is_the_first_round_of_fixes_as_edits() {
        let text = "---\nname: a\ndescription: Use it: now\nmodle: sonnet\ncolor: Yellow\ntools: Read, Bassh, Read, Task\n---\nBody\n";
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), text);
        let fix = analysis.fix_all().expect("safe fixes");
        assert!(fix.safe && fix.rename.is_none());
        let edits: Vec<(&str, &str)> = fix
            .edits
            .iter()
            .map(|edit| (&text[edit.range.as_range()], edit.new_text.as_str()))
            .collect();
        assert_eq!(edits, EXPECTED_EDITS);
        let ranges: Vec<(usize, usize)> = fix
            .edits
            .iter()
            .map(|edit| (edit.range.start, edit.range.end))
            .collect();
        assert_eq!(ranges, EXPECTED_RANGES);
        // Applied, the edits give what `--fix` gives.
        let mut edits: Vec<&TextEdit> = fix.edits.iter().collect();
        assert_eq!(
            apply_edits(text, &mut edits),
            apply_safe_fixes(text, &analysis.diagnostics())
        );
    }

    #[test]
    fn fix_all_needs_a_safe_fix() {
        let clean = "---\nname: a\ndescription: b\n---\nBody\n";
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), clean);
        assert_eq!(analysis.fix_all(), None);
        // `magenta` is invalid, but no name is close enough for a safe fix.
        let unsafe_only = "---\nname: a\ndescription: b\ncolor: magenta\n---\nBody\n";
        let analysis = Analysis::from_text(Some(Path::new(".claude/agents/a.md")), unsafe_only);
        assert!(!analysis.diagnostics().is_empty());
        assert_eq!(analysis.fix_all(), None);
    }

    #[test]
    fn safe_fix_edits_skip_overlaps_and_out_of_range_edits() {
        let edit = |start, end, new_text: &str| TextEdit {
            range: crate::text::TextRange::new(start, end),
            new_text: new_text.into(),
        };
        let diagnostic = |edits: Vec<TextEdit>, safe| Diagnostic {
            range: crate::text::TextRange::new(0, 1),
            severity: crate::analysis::Severity::Warning,
            code: "test",
            message: String::new(),
            fixes: vec![Fix {
                title: String::new(),
                edits,
                safe,
                rename: None,
            }],
        };
        let diagnostics = [
            diagnostic(vec![edit(4, 6, "b")], true),
            diagnostic(vec![edit(0, 5, "a")], true),
            diagnostic(vec![edit(7, 8, "unsafe")], false),
            diagnostic(vec![edit(8, 20, "past the end")], true),
            diagnostic(vec![edit(6, 6, "c")], true),
        ];
        let taken: Vec<&str> = safe_fix_edits(&diagnostics, 10)
            .iter()
            .map(|edit| edit.new_text.as_str())
            .collect();
        assert_eq!(taken, ["a", "c"]);
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
