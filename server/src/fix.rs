//! Fixes are data: edits to one file's source, with how safe they are to apply blind;
//! and applying them until none is left, as `--fix` and the server's fix-all do.

use crate::text::TextRange;

/// Replace `range` with `content` (an insertion when the range is empty).
#[derive(
    serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn insertion(at: usize, content: impl Into<String>) -> Self {
        Self {
            range: TextRange::empty(at),
            content: content.into(),
        }
    }

    pub fn replacement(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn deletion(range: TextRange) -> Self {
        Self::replacement(range, "")
    }
}

/// Whether a fix may be applied without a person reading it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Keeps behaviour; applied by `--fix` and fix-all.
    Safe,
    /// May change behaviour; offered, never applied in bulk.
    Unsafe,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub message: String,
    /// Sorted by position, never overlapping.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(message, edits, Applicability::Safe)
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(message, edits, Applicability::Unsafe)
    }

    fn new(message: impl Into<String>, mut edits: Vec<Edit>, applicability: Applicability) -> Self {
        edits.sort();
        Self {
            message: message.into(),
            edits,
            applicability,
        }
    }
}

/// Applies the fixes to `source`, skipping any fix that overlaps one already taken.
/// Returns the new text and how many fixes were applied.
pub fn apply_fixes<'a>(source: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let mut fixes: Vec<&Fix> = fixes.into_iter().filter(|f| !f.edits.is_empty()).collect();
    fixes.sort_by_key(|f| f.edits[0].range);
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|edit| {
            taken.iter().any(|t| {
                (edit.range.start < t.range.end && t.range.start < edit.range.end)
                    || (edit.range == t.range)
            })
        });
        if overlaps || fix.edits.iter().any(|e| e.range.end > source.len()) {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied += 1;
    }
    taken.sort_by_key(|e| e.range);
    let mut out = String::with_capacity(source.len());
    let mut last = 0;
    for edit in taken {
        out.push_str(&source[last..edit.range.start]);
        out.push_str(&edit.content);
        last = edit.range.end;
    }
    out.push_str(&source[last..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_fixes_are_skipped() {
        let source = "abcdef";
        let a = Fix::safe("a", vec![Edit::replacement(TextRange::new(1, 3), "X")]);
        let b = Fix::safe("b", vec![Edit::replacement(TextRange::new(2, 4), "Y")]);
        let c = Fix::safe("c", vec![Edit::insertion(6, "!")]);
        let (out, n) = apply_fixes(source, [&a, &b, &c]);
        assert_eq!(out, "aXdef!");
        assert_eq!(n, 2);
    }
}
