//! What the server advertises in `initialize`, and the position-encoding negotiation.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    ColorProviderCapability, CompletionOptions, FoldingRangeProviderCapability,
    HoverProviderCapability, OneOf, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions,
};

use crate::line_index::PositionEncoding;

/// Characters after which editors should ask for completion without an explicit invoke:
/// after a key's colon, between flow-list items, inside `[`, and after a block-list dash.
pub const COMPLETION_TRIGGERS: [&str; 5] = [":", ",", " ", "[", "-"];

/// The kind of the action that applies every safe fix: under `source.fixAll`, so that editors
/// run it on save (`editor.codeActionsOnSave`) next to other servers' fix-all actions.
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.agentls");

/// Whether an action of `kind` answers a request for `requested` kinds: kinds are hierarchical
/// (`source` covers `source.fixAll.agentls`), and the empty kind covers every kind.
pub fn kind_requested(requested: &CodeActionKind, kind: &CodeActionKind) -> bool {
    let (requested, kind) = (requested.as_str(), kind.as_str());
    requested.is_empty()
        || kind
            .strip_prefix(requested)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// UTF-8 when the client offers it (no conversion cost), otherwise the mandatory UTF-16.
pub fn negotiate_encoding(client: &ClientCapabilities) -> PositionEncoding {
    let offered = client
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    let offers_utf8 = offered.is_some_and(|kinds| {
        kinds
            .iter()
            .any(|kind| PositionEncoding::try_from(kind) == Ok(PositionEncoding::Utf8))
    });
    if offers_utf8 {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    }
}

pub fn server_capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.into()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(COMPLETION_TRIGGERS.iter().map(|&c| c.to_owned()).collect()),
            // Documentation is sent on `completionItem/resolve` to clients that ask for it.
            resolve_provider: Some(true),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(tower_lsp_server::ls_types::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(
            tower_lsp_server::ls_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
                tower_lsp_server::ls_types::SemanticTokensOptions {
                    legend: tower_lsp_server::ls_types::SemanticTokensLegend {
                        token_types: super::to_proto::semantic_token_types(),
                        token_modifiers: Vec::new(),
                    },
                    full: Some(tower_lsp_server::ls_types::SemanticTokensFullOptions::Bool(
                        true,
                    )),
                    range: None,
                    work_done_progress_options: Default::default(),
                },
            ),
        ),
        workspace: Some(tower_lsp_server::ls_types::WorkspaceServerCapabilities {
            workspace_folders: Some(
                tower_lsp_server::ls_types::WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                },
            ),
            file_operations: None,
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, FIX_ALL]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        color_provider: Some(ColorProviderCapability::Simple(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{GeneralClientCapabilities, PositionEncodingKind};

    use super::*;

    fn client(encodings: Option<Vec<PositionEncodingKind>>) -> ClientCapabilities {
        ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: encodings,
                ..GeneralClientCapabilities::default()
            }),
            ..ClientCapabilities::default()
        }
    }

    #[test]
    fn code_action_kinds_are_hierarchical() {
        let kind = |name: &'static str| CodeActionKind::new(name);
        for requested in ["", "source", "source.fixAll", "source.fixAll.agentls"] {
            assert!(kind_requested(&kind(requested), &FIX_ALL), "{requested}");
        }
        for requested in [
            "quickfix",
            "sour",
            "source.fix",
            "source.fixAll.other",
            "refactor",
        ] {
            assert!(!kind_requested(&kind(requested), &FIX_ALL), "{requested}");
        }
        assert!(kind_requested(&kind("quickfix"), &CodeActionKind::QUICKFIX));
        assert!(!kind_requested(&kind("source"), &CodeActionKind::QUICKFIX));
    }

    #[test]
    fn negotiation() {
        use PositionEncodingKind as K;
        assert_eq!(
            negotiate_encoding(&ClientCapabilities::default()),
            PositionEncoding::Utf16
        );
        assert_eq!(negotiate_encoding(&client(None)), PositionEncoding::Utf16);
        assert_eq!(
            negotiate_encoding(&client(Some(vec![K::UTF32]))),
            PositionEncoding::Utf16
        );
        let all = Some(vec![K::UTF16, K::UTF32, K::UTF8]);
        assert_eq!(negotiate_encoding(&client(all)), PositionEncoding::Utf8);
    }
}
