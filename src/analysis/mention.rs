//! Names mentioned in prose ("use the code-reviewer agent", `@agent-reviewer`, `/deploy`): what
//! the word under the cursor may name, for go to definition.
//!
//! Which words and prefixes mark a mention is schema data (`mentions` in each dialect); this
//! module only reads the text around the cursor.

use std::sync::OnceLock;

use crate::schema::Registry;
use crate::text::TextRange;

/// A name at the cursor and the cues around it that say what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// The name (`code-reviewer`).
    pub name: String,
    /// Where the name is, relative to the text given to [`mention_at`].
    pub range: TextRange,
    /// The prefix glued before the name (`@agent-`), when one of the dialects' prefixes is.
    pub prefix: Option<String>,
    /// The words right before and after the name, lower-cased (`the`, `agent`).
    pub neighbours: Vec<String>,
    /// The name is in backticks or quotes: it is meant as a name.
    pub quoted: bool,
}

impl Mention {
    /// Whether the name alone, without a cue, is likely meant as a name: quoted, or a compound
    /// such as `code-reviewer` (a plain word like `review` is prose).
    pub fn looks_like_a_name(&self) -> bool {
        self.quoted || self.name.contains(['-', '_'])
    }
}

/// The name at byte `column` of `text` (typically the cursor's line), if the text there can be
/// one: letters, digits, `-` and `_`, possibly after a mention prefix (`@agent-`, `/`).
pub fn mention_at(text: &str, column: usize) -> Option<Mention> {
    if column > text.len() || !text.is_char_boundary(column) {
        return None;
    }
    let is_token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '@' | '/');
    let start = text[..column]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_token(c))
        .last()
        .map_or(column, |(i, _)| i);
    let end = text[column..]
        .char_indices()
        .find(|&(_, c)| !is_token(c))
        .map_or(text.len(), |(i, _)| column + i);
    let token = &text[start..end];
    let (prefix, name) = match prefixes()
        .iter()
        .find(|prefix| token.starts_with(prefix.as_str()))
    {
        // A `/` prefix only at the start of a word: `src/deploy` is a path.
        Some(prefix) => (Some(prefix.clone()), &token[prefix.len()..]),
        None => (None, token),
    };
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    if name.is_empty()
        || !name.chars().all(is_name_char)
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let name_start = end - name.len();
    let before = &text[..start];
    let after = &text[end..];
    let quotes = ['`', '"', '\'', '*'];
    let quoted = before.ends_with(quotes) && after.starts_with(quotes);
    let neighbours = [
        before
            .trim_end_matches(quotes)
            .trim_end()
            .rsplit(|c: char| !c.is_alphabetic())
            .next(),
        after
            .trim_start_matches(quotes)
            .trim_start()
            .split(|c: char| !c.is_alphabetic())
            .next(),
    ]
    .into_iter()
    .flatten()
    .filter(|word| !word.is_empty())
    .map(str::to_lowercase)
    .collect();
    Some(Mention {
        name: name.to_owned(),
        range: TextRange::new(name_start, end),
        prefix,
        neighbours,
        quoted,
    })
}

/// Every dialect's mention prefixes, longest first (`@agent-` before `@`).
fn prefixes() -> &'static [String] {
    static PREFIXES: OnceLock<Vec<String>> = OnceLock::new();
    PREFIXES.get_or_init(|| {
        let mut prefixes: Vec<String> = Registry::get()
            .dialects()
            .flat_map(|dialect| dialect.mentions.prefixes.iter().cloned())
            .collect();
        prefixes.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        prefixes.dedup();
        prefixes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mention at `$0` in `fixture`.
    fn at(fixture: &str) -> Option<Mention> {
        let column = fixture.find("$0").expect("a cursor");
        let text = fixture.replace("$0", "");
        let mention = mention_at(&text, column)?;
        assert_eq!(&text[mention.range.as_range()], mention.name);
        Some(mention)
    }

    #[test]
    fn words_around_a_name() {
        let mention = at("Use the code-re$0viewer agent.").unwrap();
        assert_eq!(mention.name, "code-reviewer");
        assert_eq!(mention.neighbours, ["the", "agent"]);
        assert_eq!(mention.prefix, None);
        assert!(!mention.quoted && mention.looks_like_a_name());

        let mention = at("Delegate to the `test-runner$0` subagent").unwrap();
        assert_eq!(mention.name, "test-runner");
        assert_eq!(mention.neighbours, ["the", "subagent"]);
        assert!(mention.quoted);

        let mention = at("$0review").unwrap();
        assert!(mention.neighbours.is_empty() && !mention.looks_like_a_name());
    }

    #[test]
    fn prefixes_from_the_schemas() {
        let mention = at("Ask @agent-code-$0reviewer first").unwrap();
        assert_eq!(
            (mention.name.as_str(), mention.prefix.as_deref()),
            ("code-reviewer", Some("@agent-"))
        );
        let mention = at("then run /dep$0loy").unwrap();
        assert_eq!(
            (mention.name.as_str(), mention.prefix.as_deref()),
            ("deploy", Some("/"))
        );
        let mention = at("ping @rev$0iewer").unwrap();
        assert_eq!(mention.prefix.as_deref(), Some("@"));
    }

    #[test]
    fn paths_and_punctuation_are_not_names() {
        assert_eq!(at("see src/dep$0loy.rs"), None);
        assert_eq!(at("a -$0- b"), None);
        assert_eq!(at("$0"), None);
        assert_eq!(at("emoji 😀$0 here"), None);
        let mention = at("(the planner$0).").unwrap();
        assert_eq!(mention.name, "planner");
        assert_eq!(mention_at("é", 1), None, "not a char boundary");
        assert_eq!(mention_at("abc", 9), None, "past the end");
    }
}
