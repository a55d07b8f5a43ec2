use super::TextRange;

/// A 0-based line and a 0-based column counted in the unit the caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// Offsets of line starts, so byte offsets convert to lines and columns in O(log n).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        // `\r\n` ends one line, a lone `\r` too, as Python and LSP count them.
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Self { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// The 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The text of the line containing `offset`, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let start = self.line_start(line).min(text.len());
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .min(text.len());
        text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Line and column in Unicode scalar values (what the CLI prints, 0-based here).
    pub fn line_col_chars(&self, text: &str, offset: usize) -> LineCol {
        self.line_col_with(text, offset, |s| s.chars().count())
    }

    /// Line and column in UTF-16 code units (LSP's default encoding).
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> LineCol {
        self.line_col_with(text, offset, |s| s.encode_utf16().count())
    }

    /// Line and column in bytes (LSP's UTF-8 encoding).
    pub fn line_col_utf8(&self, text: &str, offset: usize) -> LineCol {
        self.line_col_with(text, offset, str::len)
    }

    fn line_col_with(&self, text: &str, offset: usize, width: impl Fn(&str) -> usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        LineCol {
            line,
            col: width(&text[start..offset]),
        }
    }

    /// The range's start and end as 0-based lines with character columns.
    pub fn range_chars(&self, text: &str, range: TextRange) -> (LineCol, LineCol) {
        (
            self.line_col_chars(text, range.start),
            self.line_col_chars(text, range.end),
        )
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_each_unit() {
        let text = "a = 1\r\né😀x = 2\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.line_col_chars(text, x), LineCol { line: 1, col: 2 });
        assert_eq!(index.line_col_utf16(text, x), LineCol { line: 1, col: 3 });
        assert_eq!(index.line_col_utf8(text, x), LineCol { line: 1, col: 6 });
        assert_eq!(index.line_text(text, 0), "a = 1");
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col_chars(text, 1), LineCol { line: 0, col: 0 });
        assert_eq!(index.line_col_chars(text, 99), LineCol { line: 0, col: 1 });
    }
}
