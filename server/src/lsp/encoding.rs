//! Every conversion between LSP positions and byte offsets.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as LSP (and Python) count them; columns are
//! UTF-8 bytes or UTF-16 code units, as negotiated. A position past the end of its line
//! means the end of the line; a line past the last one means the end of the document; a
//! column inside a character means the start of that character.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

use crate::text::{LineIndex, TextRange};

/// The position encoding agreed with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    /// What LSP clients speak when they say nothing.
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion needed inside), else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The byte offset of `position` in `rope`, clamped into the document.
pub fn rope_offset(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    rope.line_to_byte(line) + column_bytes(rope.line(line).chars(), position, encoding)
}

/// The byte offset of `position` in `text` (whose line index is `lines`), clamped, for
/// requests answered on a snapshot (no rope); also the reference the rope conversion is
/// tested against.
pub fn offset(text: &str, lines: &LineIndex, position: Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= lines.line_count() {
        return text.len();
    }
    lines.line_start(line) + column_bytes(lines.line_text(text, line).chars(), position, encoding)
}

/// The bytes of a line (given as its characters) before `position`'s character, which
/// counts in `encoding`'s units; clamped to the line's end, before its line break.
fn column_bytes(line: impl Iterator<Item = char>, position: Position, encoding: Encoding) -> usize {
    let wanted = position.character as usize;
    let mut units = 0;
    let mut bytes = 0;
    for c in line {
        let width = encoding.width(c);
        if c == '\n' || c == '\r' || units + width > wanted {
            break;
        }
        units += width;
        bytes += c.len_utf8();
    }
    bytes
}

/// The LSP position of byte `offset` in `text`.
pub fn position(text: &str, lines: &LineIndex, offset: usize, encoding: Encoding) -> Position {
    let at = match encoding {
        Encoding::Utf8 => lines.line_col_utf8(text, offset),
        Encoding::Utf16 => lines.line_col_utf16(text, offset),
    };
    Position::new(to_u32(at.line), to_u32(at.col))
}

pub fn range(text: &str, lines: &LineIndex, range: TextRange, encoding: Encoding) -> Range {
    Range::new(
        position(text, lines, range.start, encoding),
        position(text, lines, range.end, encoding),
    )
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a = 1\r\né😀x = 2\rlast 中\n";

    fn both(text: &str, position: Position, encoding: Encoding) -> usize {
        let from_rope = rope_offset(&Rope::from_str(text), position, encoding);
        let from_text = offset(text, &LineIndex::new(text), position, encoding);
        assert_eq!(from_rope, from_text, "{position:?} {encoding:?}");
        from_rope
    }

    #[test]
    fn negotiation_prefers_utf8() {
        let offered = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        let offered = [PositionEncodingKind::UTF32, PositionEncodingKind::UTF16];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }

    #[test]
    fn columns_in_each_encoding() {
        let x = TEXT.find('x').unwrap();
        assert_eq!(both(TEXT, Position::new(1, 3), Encoding::Utf16), x);
        assert_eq!(both(TEXT, Position::new(1, 6), Encoding::Utf8), x);
        let lines = LineIndex::new(TEXT);
        assert_eq!(
            position(TEXT, &lines, x, Encoding::Utf16),
            Position::new(1, 3)
        );
        assert_eq!(
            position(TEXT, &lines, x, Encoding::Utf8),
            Position::new(1, 6)
        );
        // A lone `\r` ends a line.
        let last = TEXT.find("last").unwrap();
        assert_eq!(both(TEXT, Position::new(2, 0), Encoding::Utf16), last);
        assert_eq!(
            position(TEXT, &lines, last, Encoding::Utf8),
            Position::new(2, 0)
        );
    }

    #[test]
    fn positions_are_clamped() {
        // Past the end of a line: its end, before `\r\n`.
        assert_eq!(both(TEXT, Position::new(0, 99), Encoding::Utf16), 5);
        // Inside the surrogate pair of 😀 or the bytes of é: the character's start.
        let emoji = TEXT.find('😀').unwrap();
        assert_eq!(both(TEXT, Position::new(1, 2), Encoding::Utf16), emoji);
        assert_eq!(both(TEXT, Position::new(1, 1), Encoding::Utf8), emoji - 2);
        // Past the last line: the end of the document.
        assert_eq!(both(TEXT, Position::new(9, 0), Encoding::Utf8), TEXT.len());
        assert_eq!(both(TEXT, Position::new(3, 4), Encoding::Utf8), TEXT.len());
        assert_eq!(both("", Position::new(0, 4), Encoding::Utf16), 0);
    }
}
