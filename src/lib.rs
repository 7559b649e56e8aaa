//! agentls: the language server and linter for AI agent definition files.
//!
//! Layers, from the bottom: [`text`] (byte ranges), [`syntax`] (splitting and tolerant parsing),
//! [`schema`] (dialect knowledge as data), [`loader`] (how each tool really loads a file),
//! [`analysis`] (diagnostics, completion, hover as plain functions), then the edges:
//! [`line_index`] and [`server`] (LSP) and the CLI.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod discover;
pub mod line_index;
pub mod loader;
pub mod schema;
pub mod server;
pub mod source;
pub mod syntax;
pub mod text;
pub mod workspace;
