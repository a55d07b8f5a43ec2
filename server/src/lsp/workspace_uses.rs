//! The column uses of every file of a workspace, for the rules that count over it
//! (ORM701): read once in the background when such a rule is selected, then kept up to
//! date by the analyses of the open documents.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::workspace::Workspace;
use crate::analysis::check_file_guarded;
use crate::analysis::column_uses::{ColumnUse, WorkspaceUses};
use crate::analysis::flow::FlowCache;
use crate::index::Origin;
use crate::panic::caught;
use crate::project;

/// A file's uses with the version of the document they were read from (`None`: from
/// disk).
type Recorded = (Option<i32>, Vec<ColumnUse>);

#[derive(Debug, Default)]
pub(super) struct Uses {
    by_file: Mutex<HashMap<PathBuf, Recorded>>,
    /// Every file's uses were read.
    complete: AtomicBool,
    /// The reading of every file has begun.
    started: AtomicBool,
}

impl Uses {
    /// Records the uses of `version` of the document at `rel` (relative to the root);
    /// `true` when they differ from those recorded. The analysis of an older version
    /// that ends after a newer one's changes nothing.
    pub fn record(&self, rel: &Path, version: i32, uses: Vec<ColumnUse>) -> bool {
        let mut by_file = self.by_file.lock().unwrap_or_else(PoisonError::into_inner);
        match by_file.get(rel) {
            Some((Some(recorded), _)) if *recorded > version => false,
            Some((_, recorded)) if *recorded == uses => {
                by_file.insert(rel.to_path_buf(), (Some(version), uses));
                false
            }
            _ => {
                by_file.insert(rel.to_path_buf(), (Some(version), uses));
                true
            }
        }
    }

    /// The document at `rel` was closed: the next to open it starts its versions again.
    pub fn closed(&self, rel: &Path) {
        let mut by_file = self.by_file.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((version, _)) = by_file.get_mut(rel) {
            *version = None;
        }
    }

    pub fn started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    /// The workspace's uses, once every file's were read.
    pub fn workspace(&self) -> Option<WorkspaceUses> {
        if !self.complete.load(Ordering::Acquire) {
            return None;
        }
        let by_file = self.by_file.lock().unwrap_or_else(PoisonError::into_inner);
        let mut uses = WorkspaceUses::default();
        for (path, (_, found)) in by_file.iter() {
            uses.add(path, found);
        }
        Some(uses)
    }

    /// `true` the first time: the caller reads every file ([`read_all`]).
    pub fn start(&self) -> bool {
        !self.started.swap(true, Ordering::AcqRel)
    }
}

/// Reads the uses of every project file of `workspace` from disk, keeping those the
/// open documents recorded meanwhile (their text is newer).
pub(super) fn read_all(workspace: &Workspace) {
    let read: Vec<(PathBuf, Vec<ColumnUse>)> = workspace
        .index
        .files()
        .par_iter()
        .filter(|facts| facts.origin == Origin::Project)
        .filter_map(|facts| Some((facts.path.clone(), read_one(workspace, &facts.path)?)))
        .collect();
    let uses = &workspace.uses;
    let mut by_file = uses.by_file.lock().unwrap_or_else(PoisonError::into_inner);
    for (path, found) in read {
        by_file.entry(path).or_insert((None, found));
    }
    uses.complete.store(true, Ordering::Release);
}

/// Reads the uses of the file at `rel` again from disk (it changed there), unless an
/// open document recorded its own; `true` when they changed.
pub(super) fn read_again(workspace: &Workspace, rel: &Path) -> bool {
    let found = read_one(workspace, rel).unwrap_or_default();
    let mut by_file = workspace
        .uses
        .by_file
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match by_file.get(rel) {
        Some((Some(_), _)) => false,
        Some((None, recorded)) if *recorded == found => false,
        _ => {
            by_file.insert(rel.to_path_buf(), (None, found));
            true
        }
    }
}

/// The uses of the file at `rel` as it is on disk; `None` when it cannot be read or
/// analysed.
fn read_one(workspace: &Workspace, rel: &Path) -> Option<Vec<ColumnUse>> {
    let rules = workspace.config.rules.workspace_rules();
    let file = project::read_source(&workspace.root, rel)
        .ok()?
        .in_module(workspace.roots.module_name(rel));
    let found = caught(|| {
        let mut cache = FlowCache::reading(workspace.modules.clone());
        check_file_guarded(&file, &workspace.index, rules, &mut cache)
    });
    Some(found.ok()?.ok()?.column_uses)
}
