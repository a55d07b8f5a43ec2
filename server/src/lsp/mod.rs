//! `ormhint server`: the language server over stdio. The only module that knows LSP:
//! everything below speaks byte offsets, converted here (`encoding`).

// `config`, `documents` and `encoding` are public for the fuzz targets (`fuzz/`), which
// drive a document's edits and the settings reader without a client.
mod client;
mod code_actions;
pub mod config;
mod diagnostics;
pub mod documents;
pub mod encoding;
mod fix_all;
mod hover;
mod inlay_hints;
mod progress;
mod server;
mod templates;
mod timings;
mod transport;
mod workspace;
mod workspace_uses;

pub use server::run;
