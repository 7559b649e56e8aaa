//! Analysis results (byte ranges, plain data) to LSP types, in the session's position encoding.

use std::collections::HashMap;

use ropey::Rope;
use serde::Serialize;
use tower_lsp_server::ls_types as lsp;

use crate::analysis::{
    ColorPresentation, CompletionItem, CompletionKind, Diagnostic, DocumentColor, Fix, Fold,
    FoldKind, Hover, InlayHint, Rgb, SemanticKind, SemanticToken, Severity, Symbol, SymbolKind,
    TextEdit,
};
use crate::line_index::{PositionEncoding, offset_to_position, range_to_lsp};

/// The `source` of every diagnostic, shown by editors next to the message.
pub const SOURCE: &str = "agentls";

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        // YAML keys are properties of the frontmatter object (what JSON/YAML servers use too).
        CompletionKind::Field => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Value => lsp::CompletionItemKind::VALUE,
        CompletionKind::Color => lsp::CompletionItemKind::COLOR,
        CompletionKind::Tool => lsp::CompletionItemKind::FUNCTION,
    }
}

pub fn text_edit(rope: &Rope, edit: &TextEdit, encoding: PositionEncoding) -> lsp::TextEdit {
    lsp::TextEdit {
        range: range_to_lsp(rope, edit.range, encoding),
        new_text: edit.new_text.clone(),
    }
}

/// A diagnostic, with its fixes serialised into `data` so a client may keep them around.
pub fn diagnostic(
    rope: &Rope,
    diagnostic: &Diagnostic,
    encoding: PositionEncoding,
) -> lsp::Diagnostic {
    // The fixes are not sent along: code actions compute them on request, against the text
    // current then, and every publication stays small.
    lsp::Diagnostic {
        range: range_to_lsp(rope, diagnostic.range, encoding),
        severity: Some(severity(diagnostic.severity)),
        code: Some(lsp::NumberOrString::String(diagnostic.code.to_owned())),
        source: Some(SOURCE.to_owned()),
        message: diagnostic.message.clone(),
        ..lsp::Diagnostic::default()
    }
}

/// A document version's `textDocument/publishDiagnostics` parameters, serialised straight from
/// the analysis's diagnostics: the same JSON as [`lsp::PublishDiagnosticsParams`] of
/// [`diagnostic`]s, without copying each message, code and source into an LSP value first (a
/// keystroke publishes after every edit).
#[derive(Debug, Serialize)]
pub struct PublishedDiagnostics<'a> {
    uri: &'a lsp::Uri,
    diagnostics: Vec<PublishedDiagnostic<'a>>,
    version: i32,
}

/// One [`lsp::Diagnostic`] as [`diagnostic`] makes it, borrowed; fields in its serialised order.
#[derive(Debug, Serialize)]
struct PublishedDiagnostic<'a> {
    range: lsp::Range,
    severity: lsp::DiagnosticSeverity,
    code: &'static str,
    source: &'static str,
    message: &'a str,
}

impl<'a> PublishedDiagnostics<'a> {
    pub fn new(
        uri: &'a lsp::Uri,
        version: i32,
        rope: &Rope,
        diagnostics: &'a [Diagnostic],
        encoding: PositionEncoding,
    ) -> Self {
        let diagnostics = diagnostics
            .iter()
            .map(|diagnostic| PublishedDiagnostic {
                range: range_to_lsp(rope, diagnostic.range, encoding),
                severity: severity(diagnostic.severity),
                code: diagnostic.code,
                source: SOURCE,
                message: &diagnostic.message,
            })
            .collect();
        Self {
            uri,
            diagnostics,
            version,
        }
    }
}

/// One quick fix for a diagnostic of the document at `uri` (at `version`); `None` when the fix
/// renames the file to a path that has no `file:` URI.
pub fn code_action(
    uri: &lsp::Uri,
    version: i32,
    rope: &Rope,
    diagnostic: &lsp::Diagnostic,
    fix: &Fix,
    encoding: PositionEncoding,
) -> Option<lsp::CodeAction> {
    let edits: Vec<lsp::TextEdit> = fix
        .edits
        .iter()
        .map(|edit| text_edit(rope, edit, encoding))
        .collect();
    let edit = match &fix.rename {
        // Text edits first (against this version), then the rename: the order the client
        // applies them in.
        Some(target) => {
            let mut operations = Vec::new();
            if !edits.is_empty() {
                operations.push(lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri: uri.clone(),
                        version: Some(version),
                    },
                    edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                }));
            }
            operations.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Rename(
                lsp::RenameFile {
                    old_uri: uri.clone(),
                    new_uri: lsp::Uri::from_file_path(target)?,
                    // Never clobber an agent that already has the new name.
                    options: Some(lsp::RenameFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(false),
                    }),
                    annotation_id: None,
                },
            )));
            lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Operations(operations)),
                ..lsp::WorkspaceEdit::default()
            }
        }
        None => lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..lsp::WorkspaceEdit::default()
        },
    };
    Some(lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        is_preferred: Some(fix.safe),
        ..lsp::CodeAction::default()
    })
}

/// Every safe fix of the document at `uri` as one action of `kind` (`source.fixAll.agentls`).
pub fn fix_all_action(
    uri: &lsp::Uri,
    rope: &Rope,
    fix: &Fix,
    kind: lsp::CodeActionKind,
    encoding: PositionEncoding,
) -> lsp::CodeAction {
    let edits = fix
        .edits
        .iter()
        .map(|edit| text_edit(rope, edit, encoding))
        .collect();
    lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(kind),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..lsp::WorkspaceEdit::default()
        }),
        ..lsp::CodeAction::default()
    }
}

/// An 8-bit color as LSP's RGBA floats (opaque: `#rrggbb` has no alpha).
pub fn color(color: Rgb) -> lsp::Color {
    let channel = |value: u8| f32::from(value) / 255.0;
    lsp::Color {
        red: channel(color.red),
        green: channel(color.green),
        blue: channel(color.blue),
        alpha: 1.0,
    }
}

pub fn color_information(
    rope: &Rope,
    color: &DocumentColor,
    encoding: PositionEncoding,
) -> lsp::ColorInformation {
    lsp::ColorInformation {
        range: range_to_lsp(rope, color.range, encoding),
        color: self::color(color.color),
    }
}

pub fn color_presentation(
    rope: &Rope,
    presentation: &ColorPresentation,
    encoding: PositionEncoding,
) -> lsp::ColorPresentation {
    lsp::ColorPresentation {
        label: presentation.label.clone(),
        text_edit: Some(text_edit(rope, &presentation.edit, encoding)),
        additional_text_edits: None,
    }
}

pub fn inlay_hint(rope: &Rope, hint: &InlayHint, encoding: PositionEncoding) -> lsp::InlayHint {
    lsp::InlayHint {
        position: offset_to_position(rope, hint.offset, encoding),
        label: lsp::InlayHintLabel::String(hint.label.clone()),
        // Neither a type nor a parameter hint: the client styles it as a plain hint.
        kind: None,
        text_edits: None,
        tooltip: Some(lsp::InlayHintTooltip::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hint.tooltip.clone(),
        })),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// The legend's token types, in [`SemanticKind::ALL`] order.
pub fn semantic_token_types() -> Vec<lsp::SemanticTokenType> {
    SemanticKind::ALL
        .iter()
        .map(|kind| match kind {
            SemanticKind::Key => lsp::SemanticTokenType::PROPERTY,
            SemanticKind::Argument => lsp::SemanticTokenType::PARAMETER,
            SemanticKind::Variable => lsp::SemanticTokenType::VARIABLE,
            SemanticKind::Shell => lsp::SemanticTokenType::MACRO,
            SemanticKind::FileReference => lsp::SemanticTokenType::STRING,
            SemanticKind::ToolReference => lsp::SemanticTokenType::FUNCTION,
        })
        .collect()
}

/// Tokens in LSP's relative encoding (line delta, start delta, length in the negotiated
/// encoding's units). Tokens spanning lines are left out: clients need not support them.
pub fn semantic_tokens(
    rope: &Rope,
    tokens: &[SemanticToken],
    encoding: PositionEncoding,
) -> Vec<lsp::SemanticToken> {
    let mut encoded = Vec::with_capacity(tokens.len());
    let (mut line, mut character) = (0, 0);
    for token in tokens {
        let range = range_to_lsp(rope, token.range, encoding);
        if range.start.line != range.end.line || range.end.character <= range.start.character {
            continue;
        }
        let delta_line = range.start.line - line;
        let delta_start = if delta_line == 0 {
            range.start.character - character
        } else {
            range.start.character
        };
        encoded.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character - range.start.character,
            token_type: token.kind.index(),
            token_modifiers_bitset: 0,
        });
        (line, character) = (range.start.line, range.start.character);
    }
    encoded
}

pub fn completion_item(
    rope: &Rope,
    item: &CompletionItem,
    encoding: PositionEncoding,
) -> lsp::CompletionItem {
    let documentation = match (item.kind, item.documentation.as_deref()) {
        // VS Code draws a swatch only when the documentation of a COLOR item is a bare color
        // string, so send just the hex value there.
        (CompletionKind::Color, Some(markdown)) => match first_hex_color(markdown) {
            Some(hex) => Some(lsp::Documentation::String(hex.to_owned())),
            None => Some(markdown_documentation(markdown)),
        },
        (_, Some(markdown)) => Some(markdown_documentation(markdown)),
        (_, None) => None,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(completion_kind(item.kind)),
        detail: item.detail.clone(),
        documentation,
        sort_text: Some(item.sort_text.clone()),
        // The edit's range is what lets editors replace a half-typed word instead of appending.
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: range_to_lsp(rope, item.replace, encoding),
            new_text: item.insert_text.clone(),
        })),
        ..lsp::CompletionItem::default()
    }
}

pub fn hover(rope: &Rope, hover: &Hover, encoding: PositionEncoding) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hover.markdown.clone(),
        }),
        range: Some(range_to_lsp(rope, hover.range, encoding)),
    }
}

pub fn document_symbol(
    rope: &Rope,
    symbol: &Symbol,
    encoding: PositionEncoding,
) -> lsp::DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a required field of the struct, itself deprecated.
    lsp::DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: match symbol.kind {
            SymbolKind::Frontmatter => lsp::SymbolKind::NAMESPACE,
            SymbolKind::Field => lsp::SymbolKind::FIELD,
            SymbolKind::Heading => lsp::SymbolKind::STRING,
        },
        tags: None,
        deprecated: None,
        range: range_to_lsp(rope, symbol.range, encoding),
        selection_range: range_to_lsp(rope, symbol.selection, encoding),
        children: Some(
            symbol
                .children
                .iter()
                .map(|child| document_symbol(rope, child, encoding))
                .collect(),
        ),
    }
}

/// Folding ranges are whole lines, so no encoding is involved.
pub fn folding_range(rope: &Rope, fold: &Fold) -> lsp::FoldingRange {
    let line = |offset: usize| rope.byte_to_line(offset.min(rope.len_bytes())) as u32;
    lsp::FoldingRange {
        start_line: line(fold.range.start),
        end_line: line(fold.range.end),
        kind: Some(match fold.kind {
            FoldKind::Frontmatter | FoldKind::Section | FoldKind::CodeBlock | FoldKind::Example => {
                lsp::FoldingRangeKind::Region
            }
        }),
        ..lsp::FoldingRange::default()
    }
}

fn markdown_documentation(markdown: &str) -> lsp::Documentation {
    lsp::Documentation::MarkupContent(lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value: markdown.to_owned(),
    })
}

/// The first `#rrggbb` in `text`.
fn first_hex_color(text: &str) -> Option<&str> {
    text.match_indices('#').find_map(|(start, _)| {
        let candidate = text.get(start..start + 7)?;
        let digits_ok = candidate[1..].bytes().all(|b| b.is_ascii_hexdigit());
        let ends_ok = !text[start + 7..].starts_with(|c: char| c.is_ascii_alphanumeric());
        (digits_ok && ends_ok).then_some(candidate)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextRange;

    #[test]
    fn published_diagnostics_are_the_lsp_types_json() {
        let text = "---\nname: 😀 \"x\"\ncolor: yelow\r\n---\n<example>\n";
        let path = std::path::Path::new("/p/.claude/agents/a.md");
        let analysis = crate::analysis::Analysis::from_text(Some(path), text);
        let mut diagnostics = analysis.diagnostics_without_fixes();
        // Every severity, and a message with quotes, a backslash, a newline and an emoji.
        diagnostics.extend(
            [Severity::Information, Severity::Hint].map(|severity| Diagnostic {
                range: TextRange::new(5, 9),
                severity,
                code: "test-code",
                message: "say \"hi\" \\ to\n😀".to_owned(),
                fixes: Vec::new(),
            }),
        );
        let severities: Vec<Severity> = diagnostics.iter().map(|d| d.severity).collect();
        assert!(severities.contains(&Severity::Error) && severities.contains(&Severity::Warning));
        let uri: lsp::Uri = "file:///p/.claude/agents/a.md".parse().unwrap();
        let rope = Rope::from_str(text);
        for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            let expected = lsp::PublishDiagnosticsParams::new(
                uri.clone(),
                diagnostics
                    .iter()
                    .map(|d| diagnostic(&rope, d, encoding))
                    .collect(),
                Some(7),
            );
            let published = PublishedDiagnostics::new(&uri, 7, &rope, &diagnostics, encoding);
            assert_eq!(
                serde_json::to_string(&published).unwrap(),
                serde_json::to_string(&expected).unwrap()
            );
        }
    }

    #[test]
    fn hex_colors() {
        assert_eq!(first_hex_color("Blue `#1e90ff` swatch"), Some("#1e90ff"));
        assert_eq!(first_hex_color("#12 then #abcdef"), Some("#abcdef"));
        assert_eq!(first_hex_color("#abcdefg"), None);
        assert_eq!(first_hex_color("no color ##"), None);
    }

    #[test]
    fn colors_are_opaque_unit_floats() {
        let lsp = color(Rgb::new(255, 0, 51));
        assert_eq!(
            (lsp.red, lsp.green, lsp.blue, lsp.alpha),
            (1.0, 0.0, 0.2, 1.0)
        );
    }

    #[test]
    fn inlay_hints_follow_the_encoding() {
        // `é` is 2 UTF-8 bytes but 1 UTF-16 unit: the hint after it is at 3 bytes or 2 units.
        let rope = Rope::from_str("é---\nBody\n");
        let hint = InlayHint {
            offset: 5,
            label: "≈ 2 tokens".into(),
            tooltip: "t".into(),
        };
        let position = |encoding| inlay_hint(&rope, &hint, encoding).position;
        assert_eq!(position(PositionEncoding::Utf16), lsp::Position::new(0, 4));
        assert_eq!(position(PositionEncoding::Utf8), lsp::Position::new(0, 5));
    }

    #[test]
    fn diagnostic_carries_code_and_source_not_fixes() {
        let rope = Rope::from_str("---\nmodle: x\n---\n");
        let fix_edit = TextEdit {
            range: TextRange::new(4, 9),
            new_text: "model".into(),
        };
        let diagnostic = Diagnostic {
            range: TextRange::new(4, 9),
            severity: Severity::Warning,
            code: "unknown-field",
            message: "unknown field".into(),
            fixes: vec![Fix {
                title: "Rename".into(),
                edits: vec![fix_edit],
                safe: true,
                rename: None,
            }],
        };
        let lsp = super::diagnostic(&rope, &diagnostic, PositionEncoding::Utf16);
        assert_eq!(
            lsp.range,
            lsp::Range::new(lsp::Position::new(1, 0), lsp::Position::new(1, 5))
        );
        assert_eq!(
            lsp.code,
            Some(lsp::NumberOrString::String("unknown-field".into()))
        );
        assert_eq!(lsp.source.as_deref(), Some(SOURCE));
        assert_eq!(lsp.severity, Some(lsp::DiagnosticSeverity::WARNING));
        // Fixes travel as code actions, computed on request: publications stay small.
        assert_eq!(lsp.data, None);
    }
}
