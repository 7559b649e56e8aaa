//! Document outline and folding: frontmatter fields plus the body's Markdown structure.
//!
//! Computed on request from the whole text (editors ask after edits settle), never on the
//! per-keystroke path.

use super::Analysis;
use crate::text::TextRange;

/// What an outline entry is (drives the editor's icon).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// The frontmatter block.
    Frontmatter,
    /// A frontmatter field.
    Field,
    /// A Markdown heading.
    Heading,
}

/// One entry of the document outline, with its children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// A short description (a field's value, a heading's level).
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole extent (a field with its value; a heading with its section).
    pub range: TextRange,
    /// What to select when the symbol is picked (the key; the heading text).
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

/// What a folding range covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Frontmatter,
    Section,
    CodeBlock,
    /// An `<example>` … `</example>` block.
    Example,
}

/// A foldable region: from the line holding `range.start` to the line holding `range.end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

impl Analysis {
    /// The outline of `text` (the whole document this analysis was made from): the frontmatter
    /// with its fields, then the body's headings nested by level.
    pub fn symbols(&self, text: &str) -> Vec<Symbol> {
        if self.detected.is_none() {
            return Vec::new();
        }
        let mut symbols = Vec::new();
        if let (Some(frontmatter), Some(block)) =
            (self.frontmatter.as_deref(), &self.split.frontmatter)
        {
            let end = block.intended_closing().end;
            let children = frontmatter
                .entries
                .iter()
                .filter(|entry| entry.colon.is_some())
                .map(|entry| Symbol {
                    name: entry.key.clone(),
                    detail: entry
                        .value
                        .as_ref()
                        .and_then(|node| node.as_scalar())
                        .map(|scalar| one_line(&scalar.value)),
                    kind: SymbolKind::Field,
                    range: entry.range,
                    selection: entry.key_range,
                    children: Vec::new(),
                })
                .collect();
            symbols.push(Symbol {
                name: "frontmatter".to_owned(),
                detail: self.detected.map(|d| d.dialect.title.clone()),
                kind: SymbolKind::Frontmatter,
                range: TextRange::new(block.opening.start, end),
                selection: block.opening,
                children,
            });
        }
        let body_start = self.body_start(text);
        symbols.extend(nest(headings(text, body_start, text.len())));
        symbols
    }

    /// Folding ranges of `text`: the frontmatter, each heading's section, fenced code blocks and
    /// `<example>` blocks.
    pub fn folding(&self, text: &str) -> Vec<Fold> {
        if self.detected.is_none() {
            return Vec::new();
        }
        let mut folds = Vec::new();
        if let Some(block) = &self.split.frontmatter {
            let end = block.intended_closing().end;
            folds.push(Fold {
                range: TextRange::new(block.opening.start, end),
                kind: FoldKind::Frontmatter,
            });
        }
        let body_start = self.body_start(text);
        for heading in headings(text, body_start, text.len()) {
            folds.push(Fold {
                range: heading.section,
                kind: FoldKind::Section,
            });
        }
        folds.extend(blocks(text, body_start));
        folds.retain(|fold| text[fold.range.as_range()].trim_end().contains('\n'));
        folds.sort_by_key(|fold| (fold.range.start, std::cmp::Reverse(fold.range.end)));
        folds
    }

    /// Where the body starts in `text` (the analysis may have read only part of it).
    fn body_start(&self, text: &str) -> usize {
        let mut start = self.split.body_start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        start
    }
}

struct Heading {
    level: usize,
    text: String,
    /// The heading line's text (after the `#`s).
    selection: TextRange,
    /// From the heading to the end of its section.
    section: TextRange,
}

/// ATX headings (`#` … `######`) outside fenced code blocks, each with the extent of its section.
fn headings(text: &str, start: usize, end: usize) -> Vec<Heading> {
    let mut found: Vec<Heading> = Vec::new();
    let mut fence: Option<&str> = None;
    for (offset, line) in lines(text, start, end) {
        let trimmed = line.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            match fence {
                Some(open) if trimmed.starts_with(open) => fence = None,
                None => fence = Some(marker),
                Some(_) => {}
            }
            continue;
        }
        if fence.is_some() || line.starts_with("    ") {
            continue;
        }
        let level = trimmed.bytes().take_while(|b| *b == b'#').count();
        let rest = &trimmed[level..];
        if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            continue;
        }
        let title = rest.trim().trim_end_matches('#').trim_end();
        let title_start =
            offset + (line.len() - rest.len()) + (rest.len() - rest.trim_start().len());
        // Close the sections this heading ends.
        for open in found.iter_mut().rev() {
            if open.section.end == usize::MAX && open.level >= level {
                open.section.end = offset;
            }
        }
        found.push(Heading {
            level,
            text: if title.is_empty() {
                "(untitled)".to_owned()
            } else {
                title.to_owned()
            },
            selection: TextRange::new(title_start, title_start + title.len()),
            section: TextRange::new(offset, usize::MAX),
        });
    }
    for heading in &mut found {
        if heading.section.end == usize::MAX {
            heading.section.end = end;
        }
        // A section ends with its last non-blank line.
        let section = &text[heading.section.as_range()];
        heading.section.end = heading.section.start + section.trim_end().len();
    }
    found
}

/// Headings nested by level into symbols.
fn nest(headings: Vec<Heading>) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    let mut stack: Vec<(usize, Symbol)> = Vec::new();
    for heading in headings {
        let symbol = Symbol {
            name: heading.text,
            detail: Some("#".repeat(heading.level)),
            kind: SymbolKind::Heading,
            range: heading.section,
            selection: heading.selection,
            children: Vec::new(),
        };
        while stack
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            let (_, done) = stack.pop().expect("checked non-empty");
            attach(&mut roots, &mut stack, done);
        }
        stack.push((heading.level, symbol));
    }
    while let Some((_, done)) = stack.pop() {
        attach(&mut roots, &mut stack, done);
    }
    roots
}

fn attach(roots: &mut Vec<Symbol>, stack: &mut [(usize, Symbol)], symbol: Symbol) {
    match stack.last_mut() {
        Some((_, parent)) => parent.children.push(symbol),
        None => roots.push(symbol),
    }
}

/// Fenced code blocks and `<example>` blocks in the body.
fn blocks(text: &str, start: usize) -> Vec<Fold> {
    let mut folds = Vec::new();
    let mut fence: Option<(&str, usize)> = None;
    let mut example: Option<usize> = None;
    for (offset, line) in lines(text, start, text.len()) {
        let trimmed = line.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            match fence {
                Some((open, begin)) if trimmed.starts_with(open) => {
                    folds.push(Fold {
                        range: TextRange::new(begin, offset + line.len()),
                        kind: FoldKind::CodeBlock,
                    });
                    fence = None;
                }
                None => fence = Some((marker, offset)),
                Some(_) => {}
            }
            continue;
        }
        if fence.is_some() {
            continue;
        }
        if trimmed.starts_with("<example>") && example.is_none() {
            example = Some(offset);
        }
        if let (Some(begin), Some(close)) = (example, line.find("</example>")) {
            folds.push(Fold {
                range: TextRange::new(begin, offset + close + "</example>".len()),
                kind: FoldKind::Example,
            });
            example = None;
        }
    }
    folds
}

/// The opening marker of a fenced code block (three or more backticks or tildes).
fn fence_marker(line: &str) -> Option<&str> {
    ["```", "~~~"]
        .into_iter()
        .find(|marker| line.starts_with(marker))
}

/// Lines of `text[start..end]` with their offsets, without line breaks.
fn lines(text: &str, start: usize, end: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = start;
    text[start..end].split_inclusive('\n').map(move |line| {
        let at = offset;
        offset += line.len();
        (at, line.trim_end_matches(['\n', '\r']))
    })
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const DOC: &str = "---\nname: a\ndescription: Reviews code\n---\n# Role\nYou review.\n\n## Steps\n1. Read\n\n```sh\n# not a heading\ngit diff\n```\n\n## Output\n<example>\nuser: hi\n</example>\n# Notes\nEnd.\n";

    fn analysis() -> Analysis {
        Analysis::from_text(Some(Path::new(".claude/agents/a.md")), DOC)
    }

    fn render(symbols: &[Symbol], depth: usize, out: &mut Vec<String>) {
        for symbol in symbols {
            out.push(format!(
                "{}{:?} {} [{}]",
                "  ".repeat(depth),
                symbol.kind,
                symbol.name,
                &DOC[symbol.selection.as_range()]
            ));
            render(&symbol.children, depth + 1, out);
        }
    }

    #[test]
    fn outline_nests_fields_and_headings() {
        let mut out = Vec::new();
        render(&analysis().symbols(DOC), 0, &mut out);
        assert_eq!(
            out,
            [
                "Frontmatter frontmatter [---]",
                "  Field name [name]",
                "  Field description [description]",
                "Heading Role [Role]",
                "  Heading Steps [Steps]",
                "  Heading Output [Output]",
                "Heading Notes [Notes]",
            ]
        );
    }

    #[test]
    fn folds_cover_frontmatter_sections_code_and_examples() {
        let folds: Vec<String> = analysis()
            .folding(DOC)
            .into_iter()
            .map(|fold| {
                let text = &DOC[fold.range.as_range()];
                format!(
                    "{:?} {}…{}",
                    fold.kind,
                    text.lines().next().unwrap(),
                    text.lines().last().unwrap()
                )
            })
            .collect();
        assert_eq!(
            folds,
            [
                "Frontmatter ---…---",
                "Section # Role…</example>",
                "Section ## Steps…```",
                "CodeBlock ```sh…```",
                "Section ## Output…</example>",
                "Example <example>…</example>",
                "Section # Notes…End.",
            ]
        );
    }

    #[test]
    fn unknown_files_have_no_outline() {
        let analysis = Analysis::from_text(Some(Path::new("README.md")), DOC);
        assert!(analysis.symbols(DOC).is_empty() && analysis.folding(DOC).is_empty());
    }
}
