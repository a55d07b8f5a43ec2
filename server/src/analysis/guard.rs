//! What keeps one pathological file from holding up a check or overflowing a stack: a
//! limit on how deep a file's tree may nest, and a wall-clock limit on its analysis.
//! A file over either is refused, with its reason; the rest of the project is checked.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, Instant};

pub use crate::syntax::MAX_NESTING;

/// The stack the front ends give the threads that analyse files: room for
/// [`MAX_NESTING`] levels in a debug build too.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;

/// How long the analysis of one file may take. Files take milliseconds; only a
/// pathological one comes near this.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Why a file was not analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooDeep,
    TooSlow,
    /// Parsing took longer than [`crate::syntax::PARSE_TIME_LIMIT`].
    ParseTooSlow,
    /// The text holds a NUL byte: not source Python runs (the CLI skips such files), and
    /// tree-sitter's reading of what follows it depends on the edits that led there.
    NulByte,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::TooDeep => write!(f, "nested more than {MAX_NESTING} levels deep"),
            Refusal::ParseTooSlow => write!(
                f,
                "parsing it took longer than {} s",
                crate::syntax::PARSE_TIME_LIMIT.as_secs()
            ),
            Refusal::NulByte => write!(f, "it contains a NUL byte"),
            Refusal::TooSlow => write!(
                f,
                "its analysis took longer than {} s",
                TIME_LIMIT.as_secs()
            ),
        }
    }
}

/// When the analysis of one file must stop; once passed, it stays passed.
#[derive(Debug)]
pub struct Deadline {
    at: Instant,
    passed: Cell<bool>,
}

impl Deadline {
    pub fn new(limit: Duration) -> Self {
        Self {
            at: Instant::now() + limit,
            passed: Cell::new(false),
        }
    }

    pub fn passed(&self) -> bool {
        if !self.passed.get() && Instant::now() >= self.at {
            self.passed.set(true);
        }
        self.passed.get()
    }
}
