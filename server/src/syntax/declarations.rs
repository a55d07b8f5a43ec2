//! The part of a module the model index reads, found without parsing: every module-level
//! statement but function definitions. Top-level functions hold most of a project's
//! bytes (views, services, tests) and none of what the index records (imports, classes,
//! module-level assignments) but model getters (`get_model`, `get_image_model`), whose
//! names say so: the index parses only the rest and those. A small lexer finds
//! where module-level statements start: a line that begins at column 0 outside any
//! string, bracket or backslash continuation.

use tree_sitter::{Point, Range};

use crate::text::LineIndex;

/// The byte ranges (whole lines) of `source`'s module-level statements that are not
/// function definitions, decorated or not, other than those whose name mentions a model
/// and those that name a model signal;
/// `None` when that is the whole file.
pub fn declaration_ranges(source: &str) -> Option<Vec<Range>> {
    // Lines ended by a lone `\r` are lines to Python but not to the lexer.
    let bytes = source.as_bytes();
    if bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    {
        return None;
    }
    let starts = statement_starts(source);
    let mut keep: Vec<(usize, usize)> = Vec::new();
    let mut skipped_any = false;
    let mut i = 0;
    while i < starts.len() {
        // Decorators and what they decorate go together.
        let mut j = i;
        while j + 1 < starts.len() && bytes[starts[j]] == b'@' {
            j += 1;
        }
        let end = starts.get(j + 1).copied().unwrap_or(source.len());
        let start = starts[i];
        // A receiver (`@receiver(post_save, ...)`, or a function connecting one) is
        // read like a model getter: the index records which models' signals have one.
        if is_function(&source[starts[j]..end])
            && !crate::syntax::scan::mentions_model_signal(&source[start..end])
        {
            skipped_any = true;
        } else {
            match keep.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => keep.push((start, end)),
            }
        }
        i = j + 1;
    }
    if !skipped_any {
        return None;
    }
    let lines = LineIndex::new(source);
    let point = |offset: usize| {
        let row = lines.line_of(offset);
        Point::new(row, offset - lines.line_start(row))
    };
    Some(
        keep.into_iter()
            .map(|(start, end)| Range {
                start_byte: start,
                end_byte: end,
                start_point: point(start),
                end_point: point(end),
            })
            .collect(),
    )
}

fn is_function(statement: &str) -> bool {
    let word = |s: &str, w: &str| {
        s.strip_prefix(w)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '\\']))
    };
    (word(statement, "def") || word(statement, "async")) && !names_a_model_getter(statement)
}

/// `def get_image_model(...)`: the index reads what such a function returns. Read from
/// the text up to the first `(`; a name split by a line continuation does not count.
fn names_a_model_getter(statement: &str) -> bool {
    let head = statement.split('(').next().unwrap_or("").trim_end();
    crate::index::mentions_model(head.rsplit([' ', '\t']).next().unwrap_or(""))
}

/// Byte offset of each line where a module-level statement starts.
fn statement_starts(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let mut line_start = true;
    let mut continued = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if line_start {
            line_start = false;
            if depth == 0
                && !continued
                && !matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'#' | 0x0c)
            {
                starts.push(i);
            }
            continued = false;
        }
        match byte {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    continued = true;
                } else if bytes.get(i + 1..i + 3) == Some(b"\r\n") {
                    continued = true;
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'\'' | b'"' => {
                i = string_end(bytes, i);
            }
            _ => i += 1,
        }
    }
    starts
}

/// Where the string literal opening at `open` ends (one past its closing quote, or
/// where an unclosed one-line string meets its line's end). Prefixes do not matter:
/// in every kind of string a backslash keeps the next byte from closing it.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let triple = bytes.get(open + 1) == Some(&quote) && bytes.get(open + 2) == Some(&quote);
    let mut i = open + if triple { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return i,
            b if b == quote => {
                if !triple {
                    return i + 1;
                }
                if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                    return i + 3;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(source: &str) -> Vec<&str> {
        match declaration_ranges(source) {
            None => vec![source],
            Some(ranges) => ranges
                .iter()
                .map(|r| &source[r.start_byte..r.end_byte])
                .collect(),
        }
    }

    #[test]
    fn functions_are_left_out_and_the_rest_kept_in_runs() {
        let source = "import a\nfrom b import (\n    c,\n)\n\ndef f():\n    return 1\n\n\n@register\nclass C:\n    def m(self):\n        pass\nX = 1\n@cached\n@other(\n  1)\nasync def g():\n    pass\nif True:\n    def h(): pass\nelse:\n    pass\n";
        assert_eq!(
            kept(source),
            [
                "import a\nfrom b import (\n    c,\n)\n\n",
                "@register\nclass C:\n    def m(self):\n        pass\nX = 1\n",
                "if True:\n    def h(): pass\nelse:\n    pass\n",
            ]
        );
    }

    #[test]
    fn model_getters_are_kept() {
        let source = "def view(request):\n    pass\n@lru_cache\ndef get_image_model():\n    return apps.get_model(IMAGE_MODEL)\nasync def get_Model ( x ):\n    pass\ndef models_of(x):\n    pass\ndef remodel(x): pass\ndef f(model):\n    pass\n";
        assert_eq!(
            kept(source),
            [
                "@lru_cache\ndef get_image_model():\n    return apps.get_model(IMAGE_MODEL)\nasync def get_Model ( x ):\n    pass\ndef models_of(x):\n    pass\ndef remodel(x): pass\n",
            ]
        );
    }

    #[test]
    fn functions_naming_a_model_signal_are_kept() {
        let source = "def view(request):\n    pass\n@receiver(post_save, sender=Post)\ndef on_save(sender, **kw):\n    pass\ndef connect():\n    pre_delete.connect(f)\ndef other():\n    pass\n";
        assert_eq!(
            kept(source),
            [
                "@receiver(post_save, sender=Post)\ndef on_save(sender, **kw):\n    pass\ndef connect():\n    pre_delete.connect(f)\n",
            ]
        );
    }

    #[test]
    fn column_zero_text_inside_strings_and_brackets_starts_nothing() {
        let source = "X = \"\"\"\ndef not_code():\n\"\"\"\nY = [\ndef\n]\nZ = 'a\\\n'\ndef real():\n    s = '''\ndef inner(): '''\nW = \\\n  1\n";
        assert_eq!(
            kept(source),
            [
                "X = \"\"\"\ndef not_code():\n\"\"\"\nY = [\ndef\n]\nZ = 'a\\\n'\n",
                "W = \\\n  1\n"
            ]
        );
    }

    #[test]
    fn a_file_without_functions_is_kept_whole() {
        assert!(declaration_ranges("class A:\n    pass\n").is_none());
        assert!(declaration_ranges("").is_none());
        // `define = 1` and `asyncio.run()` are not definitions.
        assert!(declaration_ranges("define = 1\nasyncio.run()\n").is_none());
        assert!(declaration_ranges("x = 1\rdef f():\r    pass\r").is_none());
    }

    #[test]
    fn points_are_rows_and_byte_columns() {
        let ranges = declaration_ranges("def f():\n    pass\nx = 1\n").unwrap();
        assert_eq!(ranges[0].start_point, Point::new(2, 0));
        assert_eq!(ranges[0].end_point, Point::new(3, 0));
    }
}
