//! `--diff`: the changes `--fix` would make, as a unified diff.

use std::path::Path;

use similar::TextDiff;

/// A unified diff of `before` → `after`, headed by the file's path (empty when equal).
pub fn unified_diff(path: &Path, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let name = super::render::path_str(path);
    let diff = TextDiff::from_lines(before, after);
    let mut text = diff
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
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
            unified_diff(Path::new("blog/views.py"), before, after),
            "--- blog/views.py\n+++ blog/views.py\n@@ -1,3 +1,3 @@\n a = 1\n-x = len(b)\n+x = b.count()\n c = 3\n"
        );
        assert_eq!(unified_diff(Path::new("a.py"), before, before), "");
    }
}
