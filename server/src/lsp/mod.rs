//! `ormhint server`: the language server over stdio. The only module that knows LSP:
//! everything below speaks byte offsets, converted here (`encoding`).

mod code_actions;
mod diagnostics;
mod documents;
mod encoding;
mod fix_all;
mod hover;
mod inlay_hints;
mod server;
mod transport;

pub use server::run;
