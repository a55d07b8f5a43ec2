//! Work-done progress (`$/progress`) for indexing, when the client declared
//! `window.workDoneProgress`: a token from `window/workDoneProgress/create`, then
//! begin, reports ("340/1,200", one per percent) and end ("1,200 files").

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::NumberOrString;

/// The title of the indexing progress.
pub const INDEXING: &str = "Indexing Django models";

/// Makes each token unique within the process.
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// The progress of one indexing run. Reported from any thread; shown by a task of its
/// own, so a client slow to answer `window/workDoneProgress/create` never holds up the
/// indexing.
pub struct Indexing {
    reports: mpsc::UnboundedSender<(usize, usize)>,
    end: oneshot::Sender<usize>,
}

impl Indexing {
    /// Starts showing the progress of an indexing run, when `supported`.
    pub fn start(client: &Client, supported: bool) -> Self {
        let (reports, receiver) = mpsc::unbounded_channel();
        let (end, ended) = oneshot::channel();
        if supported {
            tokio::spawn(show(client.clone(), receiver, ended));
        }
        Self { reports, end }
    }

    /// What the indexing calls as files are done: `report(done, total)`.
    pub fn reporter(&self) -> impl Fn(usize, usize) + Send + Sync + 'static {
        let reports = self.reports.clone();
        move |done, total| {
            // Nobody listens when the client shows no progress.
            let _ = reports.send((done, total));
        }
    }

    /// Ends the progress: `files` were indexed.
    pub fn end(self, files: usize) {
        let _ = self.end.send(files);
    }
}

/// Begins a progress (when the client accepts the token), reports until every reporter
/// is gone, then ends it.
async fn show(
    client: Client,
    mut reports: mpsc::UnboundedReceiver<(usize, usize)>,
    ended: oneshot::Receiver<usize>,
) {
    let n = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
    let token = NumberOrString::String(format!("ormhint/indexing/{n}"));
    if client
        .create_work_done_progress(token.clone())
        .await
        .is_err()
    {
        return;
    }
    let progress = client
        .progress(token, INDEXING)
        .with_percentage(0)
        .with_message("Finding Python files")
        .begin()
        .await;
    let mut last = None;
    while let Some((done, total)) = reports.recv().await {
        let percentage = percentage(done, total);
        // One report per percent, never going back.
        if last.is_some_and(|(d, p)| d >= done || p == percentage) {
            continue;
        }
        last = Some((done, percentage));
        let message = format!("{}/{}", thousands(done), thousands(total));
        progress.report_with_message(message, percentage).await;
    }
    let message = match ended.await {
        Ok(files) => format!("{} files", thousands(files)),
        Err(_) => "stopped".to_string(),
    };
    progress.finish_with_message(message).await;
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
