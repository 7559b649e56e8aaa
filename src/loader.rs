//! The loader model: what Claude Code itself makes of a frontmatter block (spec §3).
//!
//! Claude Code parses the block with a strict YAML 1.2 parser; when that fails it rewrites the
//! text (quoting top-level values that contain YAML indicators, expanding leading tabs) and parses
//! again; when that fails too the frontmatter becomes `{}`. This module reproduces those steps
//! with `saphyr` (strict YAML 1.2, like Bun's parser: `yes` stays a string) and reports which step
//! succeeded, so that analysis can tell "valid", "valid for Claude Code only" and "ignored" apart.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use saphyr::{LoadableYamlNode, Scalar, Yaml};

/// A YAML value as Claude Code sees it after loading.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Value>),
    /// Keys in source order (duplicates removed, last one kept).
    Map(Vec<(Value, Value)>),
}

/// A strict-YAML parse error, located in the frontmatter text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// Byte offset into the frontmatter text.
    pub offset: usize,
}

/// Which step of Claude Code's loader produced the frontmatter.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Strict YAML accepted the block as written.
    Strict,
    /// Strict YAML rejected the block; Claude Code's quoting fallback rescued it.
    Rescued { strict_error: YamlError },
    /// Neither parse succeeded: Claude Code ignores the whole frontmatter.
    Failed {
        strict_error: YamlError,
        fallback_error: YamlError,
    },
}

/// The loaded frontmatter.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub outcome: Outcome,
    /// Top-level keys and values, as Claude Code sees them (empty when the parse failed or the
    /// block is not a mapping).
    pub fields: Vec<(String, Value)>,
    /// The block parsed to something other than a mapping (a list or a scalar).
    pub not_a_mapping: bool,
    /// Keys that appear more than once at the top level (the last value is kept).
    pub duplicate_keys: Vec<String>,
    /// The values the fallback quotes in the top-level entries strict YAML rejected, each as its
    /// line's start (in the frontmatter text) and the value's range in that line, when the block
    /// was loaded entry by entry; `None` when it was parsed as a whole.
    pub rescued_values: Option<Vec<(usize, Range<usize>)>>,
    /// Per-entry parse results, reused by the next version of the document.
    pub cache: EntryCache,
}

/// Parse results of top-level entries, keyed by their exact text. A keystroke changes one
/// entry, so the next version re-parses only that one.
#[derive(Clone, Debug, Default)]
pub struct EntryCache {
    /// Each entry's text is shared with the next version's cache while it stays the same.
    entries: Vec<(Arc<str>, Arc<EntryResult>)>,
}

impl PartialEq for EntryCache {
    /// Caches carry no meaning of their own: two loads are equal when their results are.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Debug)]
struct EntryResult {
    strict: Result<Document, YamlError>,
    /// Computed only when some entry of the block fails the strict parse.
    fallback: OnceLock<Result<Document, YamlError>>,
    /// The values the fallback quotes, computed for entries strict YAML rejects: their lines'
    /// starts (in the entry's text) and the values' ranges in those lines.
    rescued_values: OnceLock<Vec<(usize, Range<usize>)>>,
}

impl EntryResult {
    fn new(text: &str) -> Self {
        Self {
            strict: parse_entry(text),
            fallback: OnceLock::new(),
            rescued_values: OnceLock::new(),
        }
    }

    fn fallback(&self, text: &str) -> &Result<Document, YamlError> {
        self.fallback
            .get_or_init(|| parse_entry(&fallback_rewrite(text)))
    }

    fn rescued_values(&self, text: &str) -> &[(usize, Range<usize>)] {
        self.rescued_values.get_or_init(|| {
            fallback_quoted_values(text)
                .map(|(start, _, value)| (start, value))
                .collect()
        })
    }
}

/// A chunk must be one or more `key: value` entries (or only comments).
fn parse_entry(text: &str) -> Result<Document, YamlError> {
    if let Some(document) = simple_entry(text) {
        return Ok(document);
    }
    let document = parse_strict(text)?;
    match document.value {
        Value::Map(_) | Value::Null => Ok(document),
        _ => Err(YamlError {
            message: "expected a `key: value` entry".to_owned(),
            offset: 0,
        }),
    }
}

/// The document of a one-line `key: value` entry whose strict-YAML reading is plain to see,
/// worked out without the YAML parser; `None` sends the entry to the parser. Most entries are
/// like this (`model: sonnet`, `description: "…"`), and the parser costs several microseconds
/// each. A property test holds this to the parser's result.
fn simple_entry(text: &str) -> Option<Document> {
    let line = text.strip_suffix('\n').unwrap_or(text);
    if line.contains(['\n', '\r', '\t']) {
        return None;
    }
    let (key, rest) = line.split_once(':')?;
    let mut key_chars = key.chars();
    let key_is_plain = key_chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if !key_is_plain || !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let raw = rest.trim_matches(' ');
    let value = if raw.is_empty() {
        Value::Null
    } else if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Value::String(unescape_double_quoted(inner)?)
    } else if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        (!inner.contains('\'') && inner.chars().all(is_plain_char))
            .then(|| Value::String(inner.to_owned()))?
    } else {
        // A plain scalar: no indicator first, nothing that ends it early or starts a comment,
        // no flow brackets; the core schema decides its type, as in the parser.
        let starts_plain = !raw.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ]);
        let plain = starts_plain
            && !raw.ends_with(':')
            && !raw.contains(": ")
            && !raw.contains(" #")
            && !raw.contains(['[', ']', '{', '}'])
            && raw.chars().all(is_plain_char);
        if !plain {
            return None;
        }
        convert(&Yaml::Value(Scalar::parse_from_cow(raw.into())))
    };
    let key = convert(&Yaml::Value(Scalar::parse_from_cow(key.into())));
    Some(Document {
        value: Value::Map(vec![(key, value)]),
        duplicate_keys: Vec::new(),
    })
}

/// The text of a one-line double-quoted scalar with only the common escapes (`\n`, `\t`, `\"`,
/// `\\`); `None` for anything else (an inner unescaped quote, other escapes).
fn unescape_double_quoted(inner: &str) -> Option<String> {
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.push(match chars.next()? {
                'n' => '\n',
                't' => '\t',
                '"' => '"',
                '\\' => '\\',
                _ => return None,
            }),
            '"' => return None,
            c if is_plain_char(c) => text.push(c),
            _ => return None,
        }
    }
    Some(text)
}

/// A character a one-line scalar may hold without the parser having a say: printable, and not
/// one YAML treats specially (byte order mark, line separators).
fn is_plain_char(c: char) -> bool {
    !c.is_control() && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

impl Loaded {
    /// The verdict of a reader without Claude Code's fallback: what strict YAML rejects fails.
    pub fn without_fallback(mut self) -> Self {
        if let Outcome::Rescued { strict_error } = &self.outcome {
            let strict_error = strict_error.clone();
            self.outcome = Outcome::Failed {
                fallback_error: strict_error.clone(),
                strict_error,
            };
            self.fields.clear();
            self.duplicate_keys.clear();
        }
        self
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Loads a frontmatter block the way Claude Code does.
pub fn load_claude_code(text: &str) -> Loaded {
    let strict = parse_strict(text);
    let (outcome, document) = match strict {
        Ok(document) => (Outcome::Strict, Some(document)),
        Err(strict_error) => {
            let rewritten = fallback_rewrite(text);
            match parse_strict(&rewritten) {
                Ok(document) => (Outcome::Rescued { strict_error }, Some(document)),
                Err(mut fallback_error) => {
                    fallback_error.offset = fallback_error.offset.min(text.len());
                    (
                        Outcome::Failed {
                            strict_error,
                            fallback_error,
                        },
                        None,
                    )
                }
            }
        }
    };
    let mut loaded = Loaded {
        outcome,
        fields: Vec::new(),
        not_a_mapping: false,
        duplicate_keys: Vec::new(),
        rescued_values: None,
        cache: EntryCache::default(),
    };
    match document {
        Some(Document {
            value: Value::Map(entries),
            duplicate_keys,
        }) => {
            loaded.duplicate_keys = duplicate_keys;
            loaded.fields = entries
                .into_iter()
                .map(|(key, value)| match key {
                    Value::String(key) => (key, value),
                    // Claude Code reads keys as object properties: a non-string key becomes its
                    // string form, which never matches a known field; keep it visible anyway.
                    other => (other.to_string(), value),
                })
                .collect();
        }
        Some(Document {
            value: Value::Null, ..
        })
        | None => {}
        Some(_) => loaded.not_a_mapping = true,
    }
    loaded
}

#[derive(Debug)]
struct Document {
    value: Value,
    duplicate_keys: Vec<String>,
}

/// Loads a frontmatter block entry by entry: `entry_starts` are the byte offsets (in `text`) of
/// the lines that start top-level `key:` entries, in order. Parsing each entry alone gives the
/// same result as parsing the block (a block mapping's entries are independent), except when
/// anchors, aliases or document markers tie them together: the caller passes `None` then, and
/// the block is parsed as a whole. Entries whose text is in `previous` are not parsed again.
pub fn load_claude_code_entries(
    text: &str,
    entry_starts: Option<&[usize]>,
    previous: &EntryCache,
) -> Loaded {
    let Some(starts) = entry_starts.filter(|starts| starts.len() >= 2) else {
        return load_claude_code(text);
    };
    // The first chunk also holds anything before the first entry (comments, blank lines).
    let mut bounds: Vec<usize> = starts
        .iter()
        .copied()
        .filter(|&s| s > 0 && s < text.len())
        .collect();
    bounds.insert(0, 0);
    bounds.dedup();
    bounds.push(text.len());
    let mut cache = EntryCache {
        entries: Vec::with_capacity(bounds.len() - 1),
    };
    for window in bounds.windows(2) {
        let chunk = &text[window[0]..window[1]];
        let entry = previous
            .entries
            .iter()
            .find(|(cached, _)| **cached == *chunk)
            .map_or_else(
                || (Arc::from(chunk), Arc::new(EntryResult::new(chunk))),
                |(cached, result)| (Arc::clone(cached), Arc::clone(result)),
            );
        cache.entries.push(entry);
    }
    // Kept with each entry's result, so an unchanged entry is not scanned again.
    let rescued_values: Vec<(usize, Range<usize>)> = bounds
        .windows(2)
        .zip(&cache.entries)
        .filter(|(_, (_, result))| result.strict.is_err())
        .flat_map(|(window, (chunk, result))| {
            result
                .rescued_values(chunk)
                .iter()
                .map(|(line, value)| (window[0] + line, value.clone()))
        })
        .collect();
    let at = |start: usize, error: &YamlError| YamlError {
        message: error.message.clone(),
        offset: start + error.offset,
    };
    let first_failure = bounds
        .windows(2)
        .zip(&cache.entries)
        .find_map(|(window, (_, result))| result.strict.as_ref().err().map(|e| at(window[0], e)));
    let (outcome, documents): (Outcome, Vec<&Document>) = match first_failure {
        None => (
            Outcome::Strict,
            cache
                .entries
                .iter()
                .filter_map(|(_, r)| r.strict.as_ref().ok())
                .collect(),
        ),
        Some(strict_error) => {
            let mut documents = Vec::new();
            let mut fallback_error = None;
            for (window, (chunk, result)) in bounds.windows(2).zip(&cache.entries) {
                match result.fallback(chunk) {
                    Ok(document) => documents.push(document),
                    Err(error) => {
                        let mut error = at(window[0], error);
                        error.offset = error.offset.min(text.len());
                        fallback_error = Some(error);
                        break;
                    }
                }
            }
            match fallback_error {
                None => (Outcome::Rescued { strict_error }, documents),
                Some(fallback_error) => (
                    Outcome::Failed {
                        strict_error,
                        fallback_error,
                    },
                    Vec::new(),
                ),
            }
        }
    };
    let mut loaded = Loaded {
        outcome,
        fields: Vec::new(),
        not_a_mapping: false,
        duplicate_keys: Vec::new(),
        rescued_values: Some(rescued_values),
        cache: EntryCache::default(),
    };
    for document in documents {
        loaded
            .duplicate_keys
            .extend(document.duplicate_keys.iter().cloned());
        let Value::Map(entries) = &document.value else {
            continue;
        };
        for (key, value) in entries {
            let key = match key {
                Value::String(key) => key.clone(),
                other => other.to_string(),
            };
            if let Some(existing) = loaded.fields.iter_mut().find(|(k, _)| *k == key) {
                // A duplicate key across entries: the last one wins, as in the whole-block parse.
                loaded.duplicate_keys.push(key);
                existing.1 = value.clone();
            } else {
                loaded.fields.push((key, value.clone()));
            }
        }
    }
    loaded.cache = cache;
    loaded
}

/// Strict YAML 1.2. Duplicate top-level keys are tolerated (last one wins, as in a JavaScript
/// object) and reported separately; any other error fails the parse.
fn parse_strict(text: &str) -> Result<Document, YamlError> {
    let mut duplicate_keys = Vec::new();
    let mut current = std::borrow::Cow::Borrowed(text);
    // Each round blanks the earlier occurrence of one duplicated key; bounded by the line count.
    for _ in 0..=text.lines().count() {
        let loaded = load_yaml(&current).map(|documents| {
            documents
                .into_iter()
                .next()
                .map_or(Value::Null, |doc| convert(&doc))
        });
        match loaded {
            Ok(value) => {
                return Ok(Document {
                    value,
                    duplicate_keys,
                });
            }
            Err(error) => {
                let offset =
                    char_position_to_byte(&current, error.marker().line(), error.marker().col());
                let message = error.info().to_owned();
                if message.contains("duplicated key")
                    && let Some((key, blanked)) = blank_earlier_duplicate(&current, offset)
                {
                    duplicate_keys.push(key);
                    current = blanked.into();
                    continue;
                }
                return Err(YamlError { message, offset });
            }
        }
    }
    Err(YamlError {
        message: "too many duplicated keys".to_owned(),
        offset: 0,
    })
}

/// Replaces the first top-level entry whose key equals the key at `offset` with spaces (keeping
/// every offset stable), so that the later one wins.
fn blank_earlier_duplicate(text: &str, offset: usize) -> Option<(String, String)> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let key = top_level_key(line.lines().next()?)?;
    let mut position = 0;
    for line in text.split_inclusive('\n') {
        if position >= line_start {
            break;
        }
        if top_level_key(line) == Some(key) {
            let mut blanked = text.to_owned();
            // Blank the entry line and its indented continuation lines.
            let mut end = position + line.len();
            for next in text[end..].split_inclusive('\n') {
                if next.starts_with([' ', '\t']) || next.trim().is_empty() {
                    end += next.len();
                } else {
                    break;
                }
            }
            let replacement: String = text[position..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' })
                .collect();
            blanked.replace_range(position..end, &replacement);
            return Some((key.to_owned(), blanked));
        }
        position += line.len();
    }
    None
}

fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim_end();
    (!key.is_empty()).then_some(key)
}

/// Whether strict YAML 1.2 accepts `text`.
pub fn is_strict_yaml(text: &str) -> bool {
    parse_strict(text).is_ok()
}

/// Claude Code's rewrite of a frontmatter block that strict YAML rejected (spec §3, step 1–2).
pub fn fallback_rewrite(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (content, ending) = split_line_ending(line);
        let rewritten = quote_top_level_value(content).unwrap_or_else(|| content.to_owned());
        out.push_str(&expand_leading_tabs(&rewritten));
        out.push_str(ending);
    }
    out
}

/// The values the fallback would wrap in quotes in `text`: each line's start, its text (without
/// the line break) and the value's range in it.
pub fn fallback_quoted_values(text: &str) -> impl Iterator<Item = (usize, &str, Range<usize>)> {
    text.split_inclusive('\n')
        .scan(0, |line_start, line| {
            let start = *line_start;
            *line_start += line.len();
            Some((start, split_line_ending(line).0))
        })
        .filter_map(|(start, line)| Some((start, line, fallback_quoted_value(line)?)))
}

/// The byte range of the value that the fallback would wrap in quotes on this line, if any
/// (relative to the line start).
fn fallback_quoted_value(line: &str) -> Option<std::ops::Range<usize>> {
    let value_start = eligible_value_start(line)?;
    let value = line[value_start..].trim_end();
    needs_quoting(value).then(|| value_start..value_start + value.len())
}

/// `key: value` where the key is only ASCII letters, `_` or `-`, unindented, with a non-empty
/// value on the same line. Returns where the value starts.
fn eligible_value_start(line: &str) -> Option<usize> {
    let key_end = line.find(':')?;
    let key = &line[..key_end];
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
    {
        return None;
    }
    let after = &line[key_end + 1..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    if spaces == 0 {
        return None;
    }
    let value_start = key_end + 1 + spaces;
    (!line[value_start..].trim().is_empty()).then_some(value_start)
}

fn needs_quoting(value: &str) -> bool {
    let already_quoted = (value.len() >= 2 && value.starts_with('"') && value.ends_with('"'))
        || (value.len() >= 2 && value.starts_with('\'') && value.ends_with('\''));
    if already_quoted {
        return false;
    }
    if value.starts_with('[') && value.ends_with(']') && parses_as_list(value) {
        return false;
    }
    value.contains([
        '{', '}', '[', ']', '*', '&', '#', '!', '|', '>', '%', '@', '`',
    ]) || value.contains(": ")
}

/// Strict YAML 1.2 documents, read straight from the string.
fn load_yaml(text: &str) -> Result<Vec<Yaml<'_>>, saphyr::ScanError> {
    Yaml::load_from_parser(&mut saphyr_parser::Parser::new_from_str(text))
}

fn parses_as_list(value: &str) -> bool {
    matches!(
        load_yaml(value)
            .ok()
            .and_then(|docs| docs.into_iter().next()),
        Some(Yaml::Sequence(_))
    )
}

fn quote_top_level_value(line: &str) -> Option<String> {
    let range = fallback_quoted_value(line)?;
    let value = &line[range.clone()];
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!(
        "{}\"{escaped}\"{}",
        &line[..range.start],
        &line[range.end..]
    ))
}

/// The text Claude Code's fallback would write for `value` (for quick fixes).
/// Whether `value`, written as YAML after a key (a plain or quoted scalar, or a block scalar
/// whose lines end with `newline`), loads as strict YAML into exactly the string `expected`:
/// the proof a quick fix's rewritten value means what it should.
pub fn reads_as_string(value: &str, newline: &str, expected: &str) -> bool {
    let loaded = load_claude_code(&format!("k: {value}{newline}"));
    matches!(loaded.outcome, Outcome::Strict)
        && matches!(loaded.get("k"), Some(Value::String(read)) if read == expected)
}

pub fn double_quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn expand_leading_tabs(line: &str) -> String {
    let tabs = line.len() - line.trim_start_matches('\t').len();
    if tabs == 0 {
        return line.to_owned();
    }
    format!("{}{}", "  ".repeat(tabs), &line[tabs..])
}

fn split_line_ending(line: &str) -> (&str, &str) {
    let content = line.trim_end_matches(['\n', '\r']);
    (content, &line[content.len()..])
}

/// saphyr reports a 1-based line and a 0-based column in characters.
fn char_position_to_byte(text: &str, line: usize, col: usize) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        .min(text.len());
    let rest = &text[line_start..];
    let col_bytes = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
    line_start + col_bytes
}

fn convert(yaml: &Yaml<'_>) -> Value {
    match yaml {
        Yaml::Value(scalar) => match scalar {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => Value::Bool(*b),
            Scalar::Integer(i) => Value::Int(*i),
            Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
            Scalar::String(s) => Value::String(s.to_string()),
        },
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Seq(items.iter().map(convert).collect()),
        Yaml::Mapping(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (convert(k), convert(v)))
                .collect(),
        ),
        Yaml::Tagged(_, inner) => convert(inner),
        Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::Int(_) => "integer",
            Self::Float(_) => "number",
            Self::String(_) => "string",
            Self::Seq(_) => "list",
            Self::Map(_) => "mapping",
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::String(s) => f.write_str(s),
            Self::Seq(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::Map(_) => f.write_str("{…}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `simple_entry` must agree with the parser wherever it answers.
    fn agrees_with_parser(line: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        if let Some(simple) = simple_entry(line) {
            let parsed = parse_strict(line);
            proptest::prop_assert!(parsed.is_ok(), "{line:?}: {parsed:?}");
            proptest::prop_assert_eq!(
                format!("{:?}", simple.value),
                format!("{:?}", parsed.unwrap().value),
                "{:?}",
                line
            );
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn simple_entries_read_as_the_parser_reads_them(
            line in "[a-zA-Z_][a-zA-Z0-9_-]{0,6}:( {0,2}[ -~é😀—\u{a0}\u{85}\u{2028}]{0,24})? {0,2}\n?"
        ) {
            agrees_with_parser(&line)?;
        }

        #[test]
        fn simple_scalars_resolve_as_the_parser_resolves_them(
            key in "(name|true|null|1|on|y|_x)",
            value in "(null|Null|~|true|True|TRUE|yes|no|on|0x1F|0o17|0b1|1e3|1E-2|.5|5.|.inf|-.inf|.NaN|.nan|\\+12|012|1_000|-1|0|\\\\x|a'b|\"[ -~]{0,8}\"|\"([a-z ]|\\\\[nt\"\\\\0ux])*\"|'[ -~]{0,8}'|[ -~]{0,10})"
        ) {
            agrees_with_parser(&format!("{key}: {value}\n"))?;
        }
    }

    #[test]
    fn common_entries_take_the_fast_path() {
        for line in [
            "name: code-reviewer\n",
            "model: sonnet",
            "description: \"Use after edits — reviews code: style, bugs.\"\n",
            "description: \"Use it.\\n\\n<example>\\\"quoted\\\"</example>\"\n",
            "description: Reviews code, proactively. See https://example.com/x\n",
            "maxTurns: 12\n",
            "tools:\n",
        ] {
            assert!(simple_entry(line).is_some(), "{line:?}");
        }
        for line in [
            "description: a: b\n",
            "tools: [Read, Grep]\n",
            "color: blue # comment\n",
            "description: |\n",
            "key:value\n",
            "  indented: x\n",
        ] {
            assert!(simple_entry(line).is_none(), "{line:?}");
        }
    }

    const SEED: &str = include_str!("../tests/fixtures/rust-backend-expert.md");

    fn seed_frontmatter() -> &'static str {
        let rest = SEED.strip_prefix("---\n").unwrap();
        &rest[..rest.find("\n---").unwrap() + 1]
    }

    #[test]
    fn strict_yaml_1_2_scalars() {
        let loaded = load_claude_code("a: yes\nb: 5\nc: true\nd: ~\ne: 1.5\n");
        assert_eq!(loaded.outcome, Outcome::Strict);
        assert_eq!(loaded.get("a"), Some(&Value::String("yes".into())));
        assert_eq!(loaded.get("b"), Some(&Value::Int(5)));
        assert_eq!(loaded.get("c"), Some(&Value::Bool(true)));
        assert_eq!(loaded.get("d"), Some(&Value::Null));
        assert_eq!(loaded.get("e"), Some(&Value::Float(1.5)));
    }

    #[test]
    fn the_seed_is_rescued_by_the_fallback() {
        let loaded = load_claude_code(seed_frontmatter());
        let Outcome::Rescued { strict_error } = &loaded.outcome else {
            panic!(
                "expected the fallback to rescue the seed, got {:?}",
                loaded.outcome
            );
        };
        assert!(
            strict_error.message.contains("mapping values"),
            "{strict_error:?}"
        );
        let description = loaded.get("description").and_then(Value::as_str).unwrap();
        assert!(description.starts_with("Use this agent when"));
        assert!(description.contains(
            "<example>Context: User needs help with Rust backend development.\\nuser: \"Create"
        ));
        assert_eq!(loaded.get("color"), Some(&Value::String("yellow".into())));
    }

    #[test]
    fn comments_cut_plain_scalars_silently() {
        let loaded = load_claude_code("description: see issue #42 for details\n");
        assert_eq!(loaded.outcome, Outcome::Strict);
        assert_eq!(
            loaded.get("description"),
            Some(&Value::String("see issue".into()))
        );
    }

    #[test]
    fn multi_line_plain_scalar_with_colon_is_not_rescued() {
        let loaded =
            load_claude_code("name: a\ndescription: first line\n  continued: with colon\n");
        assert!(
            matches!(loaded.outcome, Outcome::Failed { .. }),
            "{:?}",
            loaded.outcome
        );
        assert!(loaded.fields.is_empty());
    }

    #[test]
    fn keys_with_digits_are_not_quoted() {
        assert_eq!(fallback_rewrite("key2: a: b\n"), "key2: a: b\n");
        assert_eq!(fallback_rewrite("key: a: b\n"), "key: \"a: b\"\n");
        assert_eq!(fallback_rewrite("key: [a, b]\n"), "key: [a, b]\n");
        assert_eq!(fallback_rewrite("key: 'a: b'\n"), "key: 'a: b'\n");
        assert_eq!(
            fallback_rewrite("k: a \\n \"q\" #x\r\n"),
            "k: \"a \\\\n \\\"q\\\" #x\"\r\n"
        );
        assert_eq!(fallback_rewrite("\t\tx: 1\n"), "    x: 1\n");
    }

    #[test]
    fn unterminated_quote_fails() {
        let loaded = load_claude_code("name: \"abc\ndescription: x\n");
        assert!(matches!(loaded.outcome, Outcome::Failed { .. }));
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        let loaded = load_claude_code("name: a\nmodel: opus\nname: b\n");
        assert_eq!(loaded.outcome, Outcome::Strict);
        assert_eq!(loaded.get("name"), Some(&Value::String("b".into())));
        assert_eq!(loaded.duplicate_keys, vec!["name".to_owned()]);
    }

    #[test]
    fn non_mapping_and_empty() {
        assert!(load_claude_code("- a\n- b\n").not_a_mapping);
        let empty = load_claude_code("");
        assert_eq!(empty.outcome, Outcome::Strict);
        assert!(empty.fields.is_empty() && !empty.not_a_mapping);
    }

    #[test]
    fn alias_bombs_and_deep_nesting_fail_cleanly() {
        let mut bomb = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(",");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert!(matches!(
            load_claude_code(&bomb).outcome,
            Outcome::Failed { .. }
        ));
        let deep = "[".repeat(100_000);
        assert!(matches!(
            load_claude_code(&deep).outcome,
            Outcome::Failed { .. }
        ));
        // As a top-level value the fallback quotes it, exactly as Claude Code would.
        let quoted = format!("a: {deep}");
        assert!(matches!(
            load_claude_code(&quoted).outcome,
            Outcome::Rescued { .. }
        ));
    }

    /// The entry-by-entry load must agree with the whole-block load.
    fn assert_entries_agree(text: &str) {
        let starts: Vec<usize> = text
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .chain(std::iter::once(0))
            .filter(|&i| i < text.len() && !text[i..].starts_with([' ', '\t', '#', '\n', '-']))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let whole = load_claude_code(text);
        let entries = load_claude_code_entries(text, Some(&starts), &EntryCache::default());
        assert_eq!(entries.fields, whole.fields, "{text:?}");
        // Failure messages may differ in wording when an entry is cut short; the verdict may not.
        assert_eq!(
            std::mem::discriminant(&entries.outcome),
            std::mem::discriminant(&whole.outcome),
            "{text:?}: {:?} vs {:?}",
            entries.outcome,
            whole.outcome
        );
        assert_eq!(entries.duplicate_keys, whole.duplicate_keys, "{text:?}");
        // And again with every entry taken from the cache.
        let cached = load_claude_code_entries(text, Some(&starts), &entries.cache);
        assert_eq!(cached.fields, whole.fields, "{text:?}");
        assert_eq!(cached.outcome, entries.outcome, "{text:?}");
    }

    #[test]
    fn entry_by_entry_equals_whole_block() {
        assert_entries_agree(seed_frontmatter());
        assert_entries_agree(
            "name: a\ndescription: b\ntools:\n  - Read\n  - Grep\nmodel: opus # c\n",
        );
        assert_entries_agree("name: a\ndescription: Use it: now\nmodel: opus # c\n");
        assert_entries_agree("# lead\nname: a\ndescription: first\n  continued: colon\nmodel: x\n");
        assert_entries_agree("name: a\nname: b\nx: \"unterminated\ny: 1\n");
        assert_entries_agree(
            "name: a\ndescription: >\n  folded\n  text\n\nhooks:\n  Stop:\n    - hooks: []\n",
        );
        assert_entries_agree("name: 123\nbackground: yes\nmaxTurns: \"5\"\n\ttabbed: x\n");
    }

    #[test]
    fn error_offsets_are_bytes() {
        let loaded = load_claude_code("name: é😀\nx: a: b\n");
        let Outcome::Rescued { strict_error } = loaded.outcome else {
            panic!()
        };
        assert_eq!(strict_error.offset, "name: é😀\nx: a".len());
    }
}
