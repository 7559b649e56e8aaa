//! The splitter and the tolerant frontmatter parser on arbitrary UTF-8.
//!
//! Properties: neither panics; `split` gives the same answer whatever the chunking; every range
//! the splitter and the parser produce is ordered, inside the text and on char boundaries.
#![no_main]

use agentls::syntax::{
    Entry, Frontmatter, Node, NodeKind, Split, parse_frontmatter, split, split_str,
};
use agentls::text::TextRange;
use agentls_fuzz::{Piece, build, chunks};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    pieces: Vec<Piece>,
    cuts: Vec<u8>,
    base: u8,
}

fuzz_target!(|input: Input| {
    let text = build(&input.pieces);

    // The parser on the raw text, at an arbitrary base offset.
    let base = usize::from(input.base);
    let padded = format!("{}{text}", " ".repeat(base));
    let frontmatter = parse_frontmatter(&text, base);
    check_frontmatter(&frontmatter, &padded, base);

    // The splitter: chunking never changes the answer. Only `head` (how much text the lazy
    // splitter had to read) may differ; every range must lie inside it either way.
    let whole = split_str(&text);
    let chunked = split(chunks(&text, &input.cuts));
    check_split(&whole, &text);
    check_split(&chunked, &text);
    assert_eq!(
        Split {
            head: String::new(),
            ..whole.clone()
        },
        Split {
            head: String::new(),
            ..chunked
        },
        "chunking changed the split of {text:?}"
    );

    // The parser on the block the splitter found, as the analysis calls it.
    if let Some(block) = &whole.frontmatter {
        let content = &whole.head[block.content.as_range()];
        let frontmatter = parse_frontmatter(content, block.content.start);
        check_frontmatter(&frontmatter, &whole.head, block.content.start);
        if let Some(truncation) = &block.truncated {
            let intended = &whole.head[truncation.intended_content.as_range()];
            let frontmatter = parse_frontmatter(intended, truncation.intended_content.start);
            check_frontmatter(&frontmatter, &whole.head, truncation.intended_content.start);
        }
    }
});

fn check_range(range: TextRange, text: &str, base: usize, what: &str) {
    assert!(
        base <= range.start && range.start <= range.end && range.end <= text.len(),
        "{what} range {range:?} outside {base}..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what} range {range:?} splits a character of {text:?}"
    );
}

fn check_split(split: &Split, text: &str) {
    assert!(text.starts_with(&split.head), "head is not a prefix");
    assert!(split.body_start <= text.len(), "body_start past the end");
    assert!(text.is_char_boundary(split.body_start));
    assert_eq!(split.frontmatter.is_some(), split.missing.is_none());
    if let Some(block) = &split.frontmatter {
        for (range, what) in [
            (block.opening, "opening"),
            (block.content, "content"),
            (block.closing, "closing"),
        ] {
            check_range(range, &split.head, 0, what);
        }
        assert_eq!(&split.head[block.opening.as_range()], "---");
        assert_eq!(&split.head[block.closing.as_range()], "---");
        assert!(block.opening.end <= block.content.start);
        assert!(block.content.end <= block.closing.start);
        assert!(block.closing.end <= split.body_start);
        if let Some(truncation) = &block.truncated {
            check_range(
                truncation.intended_content,
                &split.head,
                0,
                "intended content",
            );
            if let Some(closing) = truncation.intended_closing {
                check_range(closing, &split.head, 0, "intended closing");
                assert_eq!(&split.head[closing.as_range()], "---");
            }
        }
    }
}

fn check_frontmatter(frontmatter: &Frontmatter, text: &str, base: usize) {
    for entry in &frontmatter.entries {
        check_entry(entry, text, base, 0);
    }
    for &comment in &frontmatter.comments {
        check_range(comment, text, base, "comment");
        assert!(
            text[comment.as_range()].starts_with('#'),
            "comment without #"
        );
    }
    for error in &frontmatter.errors {
        check_range(error.range, text, base, "error");
    }
}

fn check_entry(entry: &Entry, text: &str, base: usize, depth: usize) {
    check_range(entry.key_range, text, base, "key");
    check_range(entry.range, text, base, "entry");
    if let Some(colon) = entry.colon {
        check_range(colon, text, base, "colon");
        assert_eq!(&text[colon.as_range()], ":");
    }
    if let Some(value) = &entry.value {
        check_node(value, text, base, depth + 1);
    }
}

fn check_node(node: &Node, text: &str, base: usize, depth: usize) {
    assert!(depth < 1000, "unbounded nesting");
    check_range(node.range, text, base, "node");
    if let Some(anchor) = node.anchor {
        check_range(anchor, text, base, "anchor");
    }
    if let Some(tag) = node.tag {
        check_range(tag, text, base, "tag");
    }
    match &node.kind {
        NodeKind::Scalar(scalar) => {
            check_range(scalar.content, text, base, "scalar content");
            if let Some(comment) = scalar.cut_comment {
                check_range(comment, text, base, "cut comment");
            }
        }
        NodeKind::Sequence(sequence) => {
            for item in &sequence.items {
                check_node(item, text, base, depth + 1);
            }
        }
        NodeKind::Mapping(mapping) => {
            for entry in &mapping.entries {
                check_entry(entry, text, base, depth + 1);
            }
        }
        NodeKind::Alias(_) | NodeKind::Error => {}
    }
}
