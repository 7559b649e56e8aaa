//! Semantic tokens: frontmatter keys, and the body syntax the tool substitutes (arguments,
//! variables, inline shell, file and tool references), for editors that colour by meaning.

use super::{Analysis, body};
use crate::text::TextRange;

/// What a highlighted token is. The server's legend lists them in [`SemanticKind::ALL`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemanticKind {
    /// A frontmatter key.
    Key,
    /// `$ARGUMENTS`, `$1`, a declared `$name`.
    Argument,
    /// `${NAME}`.
    Variable,
    /// `` !`cmd` `` and the lines of a ```` ```! ```` block.
    Shell,
    /// `@path`, `#file:path`, `#[[file:path]]`.
    FileReference,
    /// `#tool:name`.
    ToolReference,
}

impl SemanticKind {
    pub const ALL: [Self; 6] = [
        Self::Key,
        Self::Argument,
        Self::Variable,
        Self::Shell,
        Self::FileReference,
        Self::ToolReference,
    ];

    /// The index in the legend.
    pub fn index(self) -> u32 {
        Self::ALL
            .iter()
            .position(|kind| *kind == self)
            .and_then(|index| u32::try_from(index).ok())
            .unwrap_or(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: TextRange,
    pub kind: SemanticKind,
}

impl Analysis {
    /// Every token to highlight, in document order, none overlapping.
    pub fn semantic_tokens(&self) -> Vec<SemanticToken> {
        let mut tokens: Vec<SemanticToken> = self
            .frontmatter
            .as_deref()
            .map(|frontmatter| {
                frontmatter
                    .entries
                    .iter()
                    .filter(|entry| !entry.key_range.is_empty())
                    .map(|entry| SemanticToken {
                        range: entry.key_range,
                        kind: SemanticKind::Key,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(text) = &self.text {
            tokens.extend(body::semantic_tokens(self, text));
        }
        tokens.sort_by_key(|token| token.range.start);
        let mut end = 0;
        tokens.retain(|token| {
            let keep = token.range.start >= end;
            end = end.max(token.range.end);
            keep
        });
        tokens
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn keys_and_body_syntax() {
        let text = "---\ndescription: Ship\nallowed-tools: Bash(git:*)\n---\nShip $ARGUMENTS with ${CLAUDE_SESSION_ID}, see @docs/x.md and !`git status`.\n";
        let analysis = Analysis::from_text(Some(Path::new("/w/.claude/commands/ship.md")), text);
        let found: Vec<(&str, SemanticKind)> = analysis
            .semantic_tokens()
            .iter()
            .map(|token| (&text[token.range.as_range()], token.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("description", SemanticKind::Key),
                ("allowed-tools", SemanticKind::Key),
                ("$ARGUMENTS", SemanticKind::Argument),
                ("${CLAUDE_SESSION_ID}", SemanticKind::Variable),
                ("@docs/x.md", SemanticKind::FileReference),
                ("!`git status`", SemanticKind::Shell),
            ]
        );
        assert_eq!(SemanticKind::Shell.index(), 3);
    }

    #[test]
    fn agents_highlight_their_keys_only() {
        let analysis = Analysis::from_text(
            Some(Path::new("/w/.claude/agents/a.md")),
            "---\nname: a\ndescription: b\n---\n$ARGUMENTS stays text here\n",
        );
        let kinds: Vec<SemanticKind> = analysis.semantic_tokens().iter().map(|t| t.kind).collect();
        assert_eq!(kinds, [SemanticKind::Key, SemanticKind::Key]);
    }
}
