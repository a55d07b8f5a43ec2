//! `--diff`: the changes `--fix` would make, as a unified diff.

use similar::TextDiff;

/// A unified diff of `before` → `after`, headed `a/<path>` and `b/<path>` as git writes
/// them, so `git apply` takes it from the directory `path` is relative to (empty when
/// equal).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let diff = TextDiff::from_lines(before, after);
    let mut text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_of_a_fix() {
        let before = "a = 1\nx = len(b)\nc = 3\n";
        let after = "a = 1\nx = b.count()\nc = 3\n";
        assert_eq!(
            unified_diff("blog/views.py", before, after),
            "--- a/blog/views.py\n+++ b/blog/views.py\n@@ -1,3 +1,3 @@\n a = 1\n-x = len(b)\n+x = b.count()\n c = 3\n"
        );
        assert_eq!(unified_diff("a.py", before, before), "");
    }
}
