//! Multi-file fixtures: each file started by a `# --- path/to/file.py` line.

/// The files of a fixture, as (path, text).
pub fn split(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.trim_end().strip_prefix("# --- ") {
            files.push((path.trim().to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        }
    }
    files
}
