//! Syntax: splitting a document into frontmatter and body, and the tolerant frontmatter parser.

mod parser;
mod reparse;
pub mod split;
pub mod tree;

pub use parser::parse_frontmatter;
pub use reparse::reparse_frontmatter;
pub use split::{FrontmatterBlock, Missing, Split, split, split_str};
pub use tree::*;
