//! Color swatches and the color picker for color fields (`color: blue`, `color: "#ff5733"`).
//!
//! Which fields are colors, which names they accept and the swatch of each name all come from the
//! schema (a field's `values` with `hex`, and `hex_ok`); nothing here names a color.

use super::{Analysis, TextEdit};
use crate::schema::Field;
use crate::syntax::{Entry, Scalar, ScalarStyle};
use crate::text::TextRange;

/// An sRGB color, 8 bits a channel: what `#rrggbb` can say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb {
    pub red: u8,
    pub green: u8,
    pub blue: u8,
}

impl Rgb {
    pub const fn new(red: u8, green: u8, blue: u8) -> Self {
        Self { red, green, blue }
    }

    /// Parses exactly `#rrggbb` (either case); anything else, including `#rgb`, is `None`.
    pub fn from_hex(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('#')?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |at: usize| u8::from_str_radix(&digits[at..at + 2], 16).ok();
        Some(Self::new(channel(0)?, channel(2)?, channel(4)?))
    }

    /// `#rrggbb`, lowercase.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.red, self.green, self.blue)
    }

    /// Squared Euclidean distance in RGB space: enough to rank a handful of named colors.
    fn distance(self, other: Self) -> u32 {
        let d = |a: u8, b: u8| u32::from(a.abs_diff(b)).pow(2);
        d(self.red, other.red) + d(self.green, other.green) + d(self.blue, other.blue)
    }
}

/// A color written in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentColor {
    /// The value token, quotes included.
    pub range: TextRange,
    pub color: Rgb,
}

/// One way of writing a picked color into the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColorPresentation {
    /// What the picker shows (`blue`, `#1e90ff`).
    pub label: String,
    /// Replaces the whole value token (keeping its quotes).
    pub edit: TextEdit,
}

/// The value of a color field: its token range and scalar.
struct ColorValue<'a> {
    field: &'a Field,
    token: TextRange,
    scalar: &'a Scalar,
}

impl Analysis {
    /// The colors written in the document's color fields: a named value with a `hex` swatch
    /// (matched as the tool matches it, case-sensitively when the field is), or a `#rrggbb`
    /// literal. Hex literals get a swatch even where the tool drops them (Claude Code): the
    /// diagnostic says so, and the picker then offers the nearest name the tool accepts.
    pub fn colors(&self) -> Vec<DocumentColor> {
        self.color_values()
            .filter_map(|value| {
                let color = named_color(value.field, &value.scalar.value)
                    .or_else(|| Rgb::from_hex(&value.scalar.value))?;
                Some(DocumentColor {
                    range: value.token,
                    color,
                })
            })
            .collect()
    }

    /// Ways to write `color` over the color value whose token covers `range`: the field's named
    /// values with a swatch, nearest first, and the `#rrggbb` form only when the field accepts
    /// hex codes (`hex_ok`). An exact name comes before the hex form. Empty when `range` is not
    /// on a color value.
    pub fn color_presentations(&self, range: TextRange, color: Rgb) -> Vec<ColorPresentation> {
        let Some(value) = self
            .color_values()
            .find(|value| value.token.start <= range.start && range.end <= value.token.end)
        else {
            return Vec::new();
        };
        // Keep the author's quotes; a hex code must be quoted, or YAML reads `#` as a comment.
        let quote = match value.scalar.style {
            ScalarStyle::SingleQuoted => Some('\''),
            ScalarStyle::DoubleQuoted => Some('"'),
            _ => None,
        };
        let presentation = |label: String, quote: Option<char>| {
            let new_text = match quote {
                Some(quote) => format!("{quote}{label}{quote}"),
                None => label.clone(),
            };
            ColorPresentation {
                label,
                edit: TextEdit {
                    range: value.token,
                    new_text,
                },
            }
        };
        let mut named: Vec<(u32, &str)> = value
            .field
            .values
            .iter()
            .filter_map(|named| {
                let swatch = Rgb::from_hex(named.hex.as_deref()?)?;
                Some((swatch.distance(color), named.value.as_str()))
            })
            .collect();
        // Stable: equally distant names keep the schema's order.
        named.sort_by_key(|&(distance, _)| distance);
        let exact = named.iter().take_while(|&&(distance, _)| distance == 0);
        let mut presentations: Vec<ColorPresentation> = exact
            .clone()
            .map(|&(_, name)| presentation(name.to_owned(), quote))
            .collect();
        if value.field.hex_ok {
            presentations.push(presentation(color.to_hex(), quote.or(Some('"'))));
        }
        presentations.extend(
            named
                .iter()
                .skip(exact.count())
                .map(|&(_, name)| presentation(name.to_owned(), quote)),
        );
        presentations
    }

    /// The single-line scalar values of the top-level color fields, with their token ranges.
    fn color_values(&self) -> impl Iterator<Item = ColorValue<'_>> {
        let parsed = self.parsed();
        let head = self.head();
        parsed
            .into_iter()
            .flat_map(|(dialect, frontmatter, _)| {
                frontmatter
                    .entries
                    .iter()
                    .map(move |entry| (dialect, entry))
            })
            .filter_map(move |(dialect, entry)| {
                let field = dialect.field(&entry.key).filter(|field| field.is_color())?;
                let (token, scalar) = value_token(entry, head)?;
                Some(ColorValue {
                    field,
                    token,
                    scalar,
                })
            })
    }
}

/// The swatch of a named value of `field`, matched as the tool matches names.
fn named_color(field: &Field, value: &str) -> Option<Rgb> {
    field
        .values
        .iter()
        .find(|named| {
            if field.case_sensitive {
                named.value == value
            } else {
                named.value.eq_ignore_ascii_case(value)
            }
        })
        .and_then(|named| Rgb::from_hex(named.hex.as_deref()?))
}

/// The token of a one-line scalar value (quotes included), or `None` for block, multi-line and
/// unterminated scalars, whose text cannot be replaced by a one-word color.
fn value_token<'a>(entry: &'a Entry, head: &str) -> Option<(TextRange, &'a Scalar)> {
    let scalar = entry.value.as_ref()?.as_scalar()?;
    if scalar.multiline || scalar.style.is_block() || !scalar.terminated {
        return None;
    }
    let token = if scalar.style.is_quoted() {
        let token = TextRange::new(scalar.content.start.checked_sub(1)?, scalar.content.end + 1);
        // The quotes must really be there: the token is what an edit will replace.
        let text = head.get(token.as_range())?;
        let quoted =
            text.len() >= 2 && text.starts_with(['"', '\'']) && text.ends_with(['"', '\'']);
        quoted.then_some(token)?
    } else {
        scalar.content
    };
    Some((token, scalar))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const CLAUDE: &str = ".claude/agents/a.md";
    const OPENCODE: &str = ".opencode/agent/a.md";

    fn analysis(path: &str, text: &str) -> Analysis {
        Analysis::from_text(Some(Path::new(path)), text)
    }

    fn labels(presentations: &[ColorPresentation]) -> Vec<&str> {
        presentations.iter().map(|p| p.label.as_str()).collect()
    }

    #[test]
    fn hex_parsing() {
        assert_eq!(Rgb::from_hex("#2563eb"), Some(Rgb::new(0x25, 0x63, 0xeb)));
        assert_eq!(Rgb::from_hex("#FF5733"), Some(Rgb::new(255, 0x57, 0x33)));
        assert_eq!(Rgb::new(255, 0x57, 0x33).to_hex(), "#ff5733");
        for bad in [
            "2563eb",
            "#abc",
            "#2563ebff",
            "#25 3eb",
            "#gggggg",
            "#+f0000",
            "#é0000",
        ] {
            assert_eq!(Rgb::from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn claude_named_colors_at_their_token() {
        let text = "---\nname: a\ncolor: blue\n---\nBody\n";
        let colors = analysis(CLAUDE, text).colors();
        // `blue` is bytes 19..23; its swatch is the schema's `#2563eb`.
        assert_eq!(
            colors,
            [DocumentColor {
                range: TextRange::new(19, 23),
                color: Rgb::new(0x25, 0x63, 0xeb),
            }]
        );
        assert_eq!(&text[19..23], "blue");
    }

    #[test]
    fn quoted_values_include_their_quotes() {
        let text = "---\ncolor: 'cyan'\ncolor: \"#FF0000\"\n---\n";
        let colors = analysis(CLAUDE, text).colors();
        assert_eq!(
            colors,
            [
                DocumentColor {
                    range: TextRange::new(11, 17),
                    color: Rgb::new(0x08, 0x91, 0xb2),
                },
                DocumentColor {
                    range: TextRange::new(25, 34),
                    color: Rgb::new(255, 0, 0),
                },
            ]
        );
        assert_eq!(&text[11..17], "'cyan'");
        assert_eq!(&text[25..34], "\"#FF0000\"");
    }

    #[test]
    fn values_the_tool_would_not_show_get_no_swatch() {
        // Claude Code's names are case-sensitive; an unquoted `#…` is a YAML comment (no value);
        // other fields are not colors; a file without a dialect has no fields at all.
        for text in [
            "---\ncolor: Blue\n---\n",
            "---\ncolor: magenta\n---\n",
            "---\ncolor: #ff0000\n---\n",
            "---\ncolor: \"#ff00\"\n---\n",
            "---\ncolor: |\n  blue\n---\n",
            "---\ndescription: blue\n---\n",
            "no frontmatter, color: blue\n",
        ] {
            assert_eq!(analysis(CLAUDE, text).colors(), [], "{text}");
        }
        assert_eq!(
            analysis("notes/a.md", "---\ncolor: blue\n---\n").colors(),
            []
        );
    }

    #[test]
    fn opencode_hex_colors_and_theme_names() {
        let text = "---\ndescription: d\ncolor: \"#FF5733\"\n---\n";
        let colors = analysis(OPENCODE, text).colors();
        assert_eq!(
            colors,
            [DocumentColor {
                range: TextRange::new(26, 35),
                color: Rgb::new(0xff, 0x57, 0x33),
            }]
        );
        // A theme name's color depends on the theme: no swatch.
        assert_eq!(
            analysis(OPENCODE, "---\ncolor: primary\n---\n").colors(),
            []
        );
    }

    #[test]
    fn claude_presentations_are_names_nearest_first_and_never_hex() {
        let text = "---\ncolor: blue\n---\n";
        let range = TextRange::new(11, 15);
        let presentations =
            analysis(CLAUDE, text).color_presentations(range, Rgb::new(0xf0, 0x10, 0x10));
        // Distances from #f01010 to the Tailwind 600 swatches in claude-agent.yaml.
        assert_eq!(
            labels(&presentations),
            [
                "red", "orange", "pink", "yellow", "purple", "green", "blue", "cyan"
            ]
        );
        assert!(
            presentations
                .iter()
                .all(|p| p.edit.range == range && p.edit.new_text == p.label)
        );
    }

    #[test]
    fn an_exact_name_comes_first_and_quotes_are_kept() {
        let text = "---\ncolor: \"#2563eb\"\n---\n";
        let range = TextRange::new(11, 20);
        let presentations =
            analysis(CLAUDE, text).color_presentations(range, Rgb::new(0x25, 0x63, 0xeb));
        assert_eq!(presentations[0].label, "blue");
        assert_eq!(
            presentations[0].edit,
            TextEdit {
                range,
                new_text: "\"blue\"".into()
            }
        );
        assert_eq!(presentations.len(), 8, "no hex form for Claude Code");
    }

    #[test]
    fn opencode_presentations_offer_the_quoted_hex_form() {
        let text = "---\ncolor: primary\n---\n";
        let range = TextRange::new(11, 18);
        let presentations =
            analysis(OPENCODE, text).color_presentations(range, Rgb::new(0x1e, 0x90, 0xff));
        // Theme names have no fixed color, so only the hex form; unquoted it would be a comment.
        assert_eq!(
            presentations,
            [ColorPresentation {
                label: "#1e90ff".into(),
                edit: TextEdit {
                    range,
                    new_text: "\"#1e90ff\"".into()
                },
            }]
        );
        let single = "---\ncolor: '#000000'\n---\n";
        let presentations = analysis(OPENCODE, single)
            .color_presentations(TextRange::new(11, 20), Rgb::new(1, 2, 3));
        assert_eq!(presentations[0].edit.new_text, "'#010203'");
    }

    #[test]
    fn presentations_only_on_a_color_value() {
        let text = "---\nname: blue\ncolor: blue\n---\n";
        let analysis = analysis(CLAUDE, text);
        let red = Rgb::new(255, 0, 0);
        assert_eq!(
            analysis.color_presentations(TextRange::new(10, 14), red),
            []
        );
        // A range inside the token is enough; the edit replaces the whole token.
        let inside = analysis.color_presentations(TextRange::new(23, 23), red);
        assert_eq!(inside[0].edit.range, TextRange::new(22, 26));
        assert_eq!(
            analysis.color_presentations(TextRange::new(0, 1000), red),
            []
        );
    }
}
