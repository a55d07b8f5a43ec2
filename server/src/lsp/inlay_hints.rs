//! Inlay hints: what a loop costs ("1 + 2N queries"), at the end of its iterated
//! expression, for every loop that runs more than one query. Off unless the client asks
//! with the setting `inlayHints.queryCost: true` (read in `config`).

use tower_lsp_server::ls_types::{
    InlayHint, InlayHintLabel, InlayHintTooltip, MarkupContent, MarkupKind, Range,
};

use super::encoding::{self, Encoding};
use crate::analysis::cost::LoopCost;
use crate::text::LineIndex;

/// The hints of the loops whose iterated expression ends within `range` of `text`.
pub fn hints(text: &str, costs: &[LoopCost], range: Range, encoding: Encoding) -> Vec<InlayHint> {
    let lines = LineIndex::new(text);
    let start = encoding::offset(text, &lines, range.start, encoding);
    let end = encoding::offset(text, &lines, range.end, encoding);
    let mut hints: Vec<InlayHint> = Vec::new();
    for cost in costs.iter().filter(|c| !c.per_row.is_empty()) {
        let at = cost.iter_range.end;
        if at < start || at > end {
            continue;
        }
        let position = encoding::position(text, &lines, at, encoding);
        // One hint per place, even when two walks recorded the same loop.
        if hints.iter().any(|h| h.position == position) {
            continue;
        }
        hints.push(InlayHint {
            position,
            label: InlayHintLabel::String(cost.estimate()),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!("`{}` rows: {}", cost.model, cost.summary()),
            })),
            padding_left: Some(true),
            padding_right: Some(false),
            data: None,
        });
    }
    hints
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::Position;

    use super::*;
    use crate::analysis::cost::PerRowQuery;
    use crate::text::TextRange;

    fn cost(iter: TextRange, reads: usize) -> LoopCost {
        LoopCost {
            iter_range: iter,
            body_range: TextRange::new(iter.end + 2, iter.end + 10),
            model: "Post".into(),
            applied: Vec::new(),
            per_row: (0..reads)
                .map(|i| PerRowQuery {
                    lookup: format!("r{i}"),
                    relation: "foreign key",
                    why: "not selected".into(),
                    range: TextRange::new(iter.end + 2, iter.end + 3),
                })
                .collect(),
        }
    }

    #[test]
    fn hints_sit_at_the_end_of_costly_loops_in_range() {
        let text = "for é in qs:\n    x\nfor p in rows:\n    y\nfor q in other:\n    z\n";
        let first = text.find("qs").unwrap();
        let second = text.find("rows").unwrap();
        let third = text.find("other").unwrap();
        let costs = [
            cost(TextRange::new(first, first + 2), 2),
            cost(TextRange::new(second, second + 4), 0),
            cost(TextRange::new(third, third + 5), 1),
        ];
        let all = Range::new(Position::new(0, 0), Position::new(9, 0));
        let found = hints(text, &costs, all, Encoding::Utf16);
        let shown: Vec<(Position, String)> = found
            .iter()
            .map(|h| match &h.label {
                InlayHintLabel::String(label) => (h.position, label.clone()),
                InlayHintLabel::LabelParts(_) => unreachable!(),
            })
            .collect();
        assert_eq!(
            shown,
            [
                (Position::new(0, 11), "1 + 2N queries".to_string()),
                (Position::new(4, 14), "1 + N queries".to_string()),
            ]
        );
        // In UTF-8, `é` is two columns.
        let found = hints(text, &costs, all, Encoding::Utf8);
        assert_eq!(found[0].position, Position::new(0, 12));
        // Only the lines asked for.
        let last = Range::new(Position::new(3, 0), Position::new(5, 0));
        let found = hints(text, &costs, last, Encoding::Utf16);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].position, Position::new(4, 14));
    }
}
