//! Protocol-level benchmark for language servers speaking LSP over stdio.
//!
//! [`rpc`] is the JSON-RPC framing shared by the harness and the do-nothing baseline server
//! (`lspbench-null`); [`client`] drives a server process as an editor does; [`stats`] turns
//! latency samples into percentiles.

pub mod client;
pub mod rpc;
pub mod stats;
