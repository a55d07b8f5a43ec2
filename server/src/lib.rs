//! ormhint: reads a Django code base without running it and points at ORM code that
//! queries the database more than it needs to.
//!
//! Layers, bottom to top: `text` (ranges, line/column conversion, close names),
//! `syntax` (tree-sitter parsing and queries), `index` (models, fields, relations,
//! managers), `analysis` (queryset flow and the rules), then the front ends (`cli`,
//! `lsp`). Nothing below the front ends knows about terminals or LSP: positions are byte
//! offsets.

pub mod analysis;
pub mod cache;
pub mod cli;
pub mod config;
pub mod fix;
pub mod index;
pub mod lsp;
pub mod module_texts;
pub mod panic;
pub mod project;
pub mod python_env;
pub mod requirements;
pub mod roots;
pub mod syntax;
pub mod text;
