//! `ormhint server`: the language server over stdio. The only module that knows LSP:
//! everything below speaks byte offsets, converted here (`encoding`).

mod client;
mod code_actions;
mod config;
mod diagnostics;
mod documents;
mod encoding;
mod fix_all;
mod hover;
mod inlay_hints;
mod progress;
mod server;
mod timings;
mod transport;
mod workspace;

pub use server::run;
