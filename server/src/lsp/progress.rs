//! Work-done progress (`$/progress`) for indexing, when the client declared
//! `window.workDoneProgress`: a token from `window/workDoneProgress/create`, then
//! begin, reports ("340/1,200") and end.

use std::sync::atomic::{AtomicU64, Ordering};

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::NumberOrString;
use tower_lsp_server::{Bounded, NotCancellable, OngoingProgress};

/// The title of the indexing progress.
pub const INDEXING: &str = "Indexing Django models";

/// Makes each token unique within the process.
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// A progress shown by the client, or nothing when it cannot show one.
pub struct Progress {
    ongoing: Option<OngoingProgress<Bounded, NotCancellable>>,
    /// The last percentage sent, so that a report that changes nothing is not sent.
    last: Option<(usize, u32)>,
}

impl Progress {
    /// Begins a progress titled `title` when `supported` and the client accepts the
    /// token; else a progress that reports nothing.
    pub async fn begin(client: &Client, supported: bool, title: &str, message: &str) -> Self {
        let mut ongoing = None;
        if supported {
            let n = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
            let token = NumberOrString::String(format!("ormhint/indexing/{n}"));
            if client
                .create_work_done_progress(token.clone())
                .await
                .is_ok()
            {
                let progress = client
                    .progress(token, title)
                    .with_percentage(0)
                    .with_message(message)
                    .begin()
                    .await;
                ongoing = Some(progress);
            }
        }
        Self {
            ongoing,
            last: None,
        }
    }

    /// Reports `done` of `total` files ("340/1,200").
    pub async fn report(&mut self, done: usize, total: usize) {
        let Some(ongoing) = &self.ongoing else {
            return;
        };
        let percentage = percentage(done, total);
        if self.last == Some((done, percentage)) {
            return;
        }
        self.last = Some((done, percentage));
        let message = format!("{}/{}", thousands(done), thousands(total));
        ongoing.report_with_message(message, percentage).await;
    }

    pub async fn end(self, message: String) {
        if let Some(ongoing) = self.ongoing {
            ongoing.finish_with_message(message).await;
        }
    }
}

fn percentage(done: usize, total: usize) -> u32 {
    if total == 0 {
        return 100;
    }
    u32::try_from(done.min(total) * 100 / total).unwrap_or(100)
}

/// `1200` → `"1,200"`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(340), "340");
        assert_eq!(thousands(1200), "1,200");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn percentages() {
        assert_eq!(percentage(0, 0), 100);
        assert_eq!(percentage(340, 1200), 28);
        assert_eq!(percentage(1200, 1200), 100);
        assert_eq!(percentage(5, 3), 100);
    }
}
