//! Where an edit's time goes inside the server, for `benches/lsp_latency.py`: with
//! `ORMHINT_TIMINGS` set in its environment, the server writes one line per phase of
//! each version it handles to stderr, `ormhint-timing <phase> <version> <microseconds>`.
//! Unset, a phase costs one branch.

use std::sync::LazyLock;
use std::time::Instant;

static ON: LazyLock<bool> = LazyLock::new(|| std::env::var_os("ORMHINT_TIMINGS").is_some());

/// Whether timings are reported: what is measured only for them is skipped otherwise.
pub fn on() -> bool {
    *ON
}

/// Reports `phase` of `version` as having run from `start` until now.
pub fn since(phase: &str, version: i32, start: Instant) {
    if *ON {
        eprintln!(
            "ormhint-timing {phase} {version} {}",
            start.elapsed().as_micros()
        );
    }
}

/// Reports a count for `version` (in the microseconds' place).
pub fn count(what: &str, version: i32, n: usize) {
    if *ON {
        eprintln!("ormhint-timing {what} {version} {n}");
    }
}

/// Reports that `version` is a `what` (with 0 microseconds), for the bench to sort
/// edits by.
pub fn note(what: &str, version: i32) {
    if *ON {
        eprintln!("ormhint-timing {what} {version} 0");
    }
}
