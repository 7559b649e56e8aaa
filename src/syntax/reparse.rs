//! Incremental re-parsing of a frontmatter block: an edit inside one top-level entry re-parses
//! that entry alone and keeps the other entries' trees.
//!
//! A block mapping's entries at column 0 are independent for the tolerant parser: every
//! construct that may span lines (plain and quoted scalars, flow collections, block nodes) stops
//! before a line that starts a `key:` at the mapping's column. So the text from one such line to
//! the next parses the same alone as within the block, and an edit that keeps both lines (and the
//! line break before the second) changes only that entry. Anything else is parsed in full.

use super::parser::parse_frontmatter;
use super::tree::{Entry, Frontmatter, Node, NodeKind, SyntaxError};
use crate::text::TextRange;

/// The parse of `new`, the frontmatter text at absolute offset `base` after an edit of `old`
/// (at the same offset), whose parse was `previous`. Always equal to `parse_frontmatter(new,
/// base)`; cheaper when the edit stays inside one top-level entry.
pub fn reparse_frontmatter(
    previous: &Frontmatter,
    old: &str,
    new: &str,
    base: usize,
) -> Frontmatter {
    let Some(reparsed) = reparse_entry(previous, old, new, base) else {
        return parse_frontmatter(new, base);
    };
    // Every debug build (the whole test suite) holds the shortcut to the full parse.
    debug_assert_eq!(
        reparsed,
        parse_frontmatter(new, base),
        "incremental parse of {new:?} after {old:?}"
    );
    reparsed
}

/// The shortcut: `None` when the edit is not inside one independent entry.
fn reparse_entry(previous: &Frontmatter, old: &str, new: &str, base: usize) -> Option<Frontmatter> {
    let independent = |entry: &Entry| entry.indent == 0 && entry.colon.is_some();
    if !previous.entries.iter().all(independent) {
        return None;
    }
    // Where each entry's line starts, relative to the text (its key is at column 0).
    let starts: Vec<usize> = previous
        .entries
        .iter()
        .map(|entry| entry.key_range.start.checked_sub(base))
        .collect::<Option<_>>()?;
    let mut prefix = common_prefix(old.as_bytes(), new.as_bytes());
    // An edit that ends a line before an entry's line may as well end the line before (lines
    // added after an entry's last line belong to it, if to anything).
    if starts.binary_search(&prefix).is_ok() {
        prefix = prefix.saturating_sub(1);
    }
    let suffix = common_suffix(&old.as_bytes()[prefix..], &new.as_bytes()[prefix..]);
    // The entry whose line starts before the edit (its key's first byte is kept).
    let k = starts
        .partition_point(|&start| start < prefix)
        .checked_sub(1)?;
    let old_edit_end = old.len() - suffix;
    let old_chunk_end = match starts.get(k + 1) {
        // The line break before the next entry's line must be kept too.
        Some(&next) if old_edit_end < next => next,
        Some(_) => return None,
        None => old.len(),
    };
    let chunk_start = if k == 0 { 0 } else { starts[k] };
    let new_chunk_end = old_chunk_end - old_edit_end + (new.len() - suffix);
    let chunk = new.get(chunk_start..new_chunk_end)?;
    let mut parsed = parse_frontmatter(chunk, base + chunk_start);
    // Still exactly one independent entry, on the same line.
    match parsed.entries.as_slice() {
        [entry] if independent(entry) && entry.key_range.start == base + starts[k] => {}
        _ => return None,
    }

    let (old_start, old_end) = (base + chunk_start, base + old_chunk_end);
    let new_end = base + new_chunk_end;
    // Ranges after the edited entry keep their distance to its end.
    let moved = |range: TextRange| {
        TextRange::new(
            range.start - old_end + new_end,
            range.end - old_end + new_end,
        )
    };
    let mut entries = Vec::with_capacity(previous.entries.len());
    entries.extend_from_slice(&previous.entries[..k]);
    entries.append(&mut parsed.entries);
    entries.extend(previous.entries[k + 1..].iter().map(|entry| {
        let mut entry = entry.clone();
        if new_end != old_end {
            move_entry(&mut entry, &moved);
        }
        entry
    }));
    let comments = splice(
        &previous.comments,
        parsed.comments,
        |range| range.start,
        (old_start, old_end),
        |range| moved(*range),
    );
    let errors = splice(
        &previous.errors,
        parsed.errors,
        |error| error.range.start,
        (old_start, old_end),
        |error| SyntaxError {
            range: moved(error.range),
            message: error.message.clone(),
        },
    );
    Some(Frontmatter {
        entries,
        comments,
        errors,
    })
}

/// `previous`'s items before the edited entry, then `edited`, then `previous`'s items after it,
/// moved.
fn splice<T: Clone>(
    previous: &[T],
    edited: Vec<T>,
    start_of: impl Fn(&T) -> usize,
    (old_start, old_end): (usize, usize),
    moved: impl Fn(&T) -> T,
) -> Vec<T> {
    let before = previous.partition_point(|item| start_of(item) < old_start);
    let after = previous.partition_point(|item| start_of(item) < old_end);
    let mut items = Vec::with_capacity(before + edited.len() + previous.len() - after);
    items.extend_from_slice(&previous[..before]);
    items.extend(edited);
    items.extend(previous[after..].iter().map(moved));
    items
}

/// Bytes compared at once before the last few one by one: a byte loop does not vectorise, and
/// the common part is most of a kilobyte-long block on every keystroke.
const STRIDE: usize = 16;

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    // Whole strides compared as numbers: no call to `memcmp` per stride.
    let whole = STRIDE
        * a.as_chunks::<STRIDE>()
            .0
            .iter()
            .zip(b.as_chunks::<STRIDE>().0)
            .take_while(|(x, y)| u128::from_ne_bytes(**x) == u128::from_ne_bytes(**y))
            .count();
    whole
        + a[whole..]
            .iter()
            .zip(&b[whole..])
            .take_while(|(x, y)| x == y)
            .count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let whole = STRIDE
        * a.as_rchunks::<STRIDE>()
            .1
            .iter()
            .rev()
            .zip(b.as_rchunks::<STRIDE>().1.iter().rev())
            .take_while(|(x, y)| u128::from_ne_bytes(**x) == u128::from_ne_bytes(**y))
            .count();
    whole
        + a[..a.len() - whole]
            .iter()
            .rev()
            .zip(b[..b.len() - whole].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

fn move_entry(entry: &mut Entry, moved: &impl Fn(TextRange) -> TextRange) {
    entry.key_range = moved(entry.key_range);
    entry.colon = entry.colon.map(moved);
    entry.range = moved(entry.range);
    if let Some(value) = &mut entry.value {
        move_node(value, moved);
    }
}

fn move_node(node: &mut Node, moved: &impl Fn(TextRange) -> TextRange) {
    node.range = moved(node.range);
    node.anchor = node.anchor.map(moved);
    node.tag = node.tag.map(moved);
    match &mut node.kind {
        NodeKind::Scalar(scalar) => {
            scalar.content = moved(scalar.content);
            scalar.cut_comment = scalar.cut_comment.map(moved);
        }
        NodeKind::Sequence(sequence) => {
            for item in &mut sequence.items {
                move_node(item, moved);
            }
        }
        NodeKind::Mapping(mapping) => {
            for entry in &mut mapping.entries {
                move_entry(entry, moved);
            }
        }
        NodeKind::Alias(_) | NodeKind::Error => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `old` edited into `new`: the incremental parse, or `None` when it fell back.
    fn shortcut(old: &str, new: &str) -> Option<Frontmatter> {
        let reparsed = reparse_entry(&parse_frontmatter(old, 4), old, new, 4)?;
        assert_eq!(reparsed, parse_frontmatter(new, 4), "{old:?} → {new:?}");
        Some(reparsed)
    }

    #[test]
    fn common_prefixes_and_suffixes_at_every_length() {
        let a: Vec<u8> = (0..50).collect();
        for cut in 0..=a.len() {
            let mut b = a.clone();
            b.insert(cut, 99);
            assert_eq!(common_prefix(&a, &b), cut);
            assert_eq!(common_suffix(&a, &b), a.len() - cut);
            assert_eq!(common_prefix(&a[..cut], &a), cut);
            assert_eq!(common_suffix(&a[cut..], &a), a.len() - cut);
        }
    }

    #[test]
    fn an_edit_inside_one_entry_reparses_it_alone() {
        let old = "name: a\ndescription: one: two\ncolor: blue # sky\ntools: [Read]\n";
        for new in [
            "name: a\ndescription: one: two\ncolor: bluex # sky\ntools: [Read]\n",
            "name: a\ndescription: one: two\ncolor: blu # sky\ntools: [Read]\n",
            "name: ab\ndescription: one: two\ncolor: blue # sky\ntools: [Read]\n",
            "name: a\ndescription: one: two\ncolor: blue # sky\ntools: [Read, Bash]\n",
            "name: a\ndescription: one: two\ncolor: blue # sky\n  more\ntools: [Read]\n",
            "name: a\ndescription: \"one\ncolor: blue # sky\ntools: [Read]\n",
        ] {
            assert!(shortcut(old, new).is_some(), "{new:?}");
        }
    }

    #[test]
    fn edits_that_join_split_or_unkey_entries_parse_in_full() {
        let old = "name: a\ndescription: b\ncolor: blue\n";
        for new in [
            // The line break before the next entry goes: one line.
            "name: a\ndescription: bcolor: blue\n",
            // A new entry inside the edited one.
            "name: a\ndescription: b\nmodel: x\ncolor: blue\n",
            // The key loses its colon.
            "name: a\ndescription b\ncolor: blue\n",
            // The edit starts at an entry's first byte.
            "name: a\n description: b\ncolor: blue\n",
        ] {
            assert_eq!(shortcut(old, new), None, "{new:?}");
        }
        // A block that is not all column-0 entries is never split.
        let indented = " a: b\n c: d\n";
        assert_eq!(shortcut(indented, " a: bx\n c: d\n"), None);
    }

    #[test]
    fn later_entries_comments_and_errors_move_with_the_edit() {
        let old = "name: a\ncolor: blue\n# note\ntools: [Read\n\tmodel: x\n";
        let longer = shortcut(
            old,
            "name: abc\ncolor: blue\n# note\ntools: [Read\n\tmodel: x\n",
        );
        let shorter = shortcut(
            old,
            "name: \ncolor: blue\n# note\ntools: [Read\n\tmodel: x\n",
        );
        assert!(longer.is_some_and(|fm| !fm.errors.is_empty() && !fm.comments.is_empty()));
        assert!(shorter.is_some());
    }
}
