//! ORM402: a row updated per iteration of a loop over a queryset's rows.

use super::{Context, Rule, Violation, report_write, transaction_note, write_may_do_more, writes_in_loops};
use crate::analysis::Diagnostic;
use crate::analysis::flow::WriteKind;
use crate::fix::Applicability;

pub struct SaveInLoop {
    /// `post.save()`.
    pub subject: String,
    pub model: String,
    /// The bulk write that replaces the loop: `qs.update(...)` or `bulk_update(...)`.
    pub bulk: String,
    pub in_atomic: bool,
    /// The model's `save()`, its save signals or `auto_now` fields do more than the
    /// UPDATE.
    pub save_does_more: bool,
}

impl Violation for SaveInLoop {
    const RULE: Rule = Rule::SaveInLoop;

    fn message(&self) -> String {
        let skips = if self.save_does_more {
            format!(
                " (but calls no `{}.save()`, sends no `pre_save`/`post_save` and sets no `auto_now` field, which this model may rely on)",
                self.model
            )
        } else {
            String::new()
        };
        format!(
            "`{}` updates one row per iteration of the loop over `{}` rows: {} updates them in bulk{skips}{}",
            self.subject,
            self.model,
            self.bulk,
            transaction_note(self.in_atomic, "UPDATE")
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("Replace the loop with one `update()`".to_string())
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let saves = |kind: &WriteKind| matches!(kind, WriteKind::Save { .. });
    for write in writes_in_loops(ctx, saves) {
        let WriteKind::Save {
            fields,
            row_independent,
            fields_complete,
        } = &write.kind
        else {
            continue;
        };
        let model = ctx.index.model(write.model);
        let set: Vec<String> = fields.iter().map(|f| format!("{f}=...")).collect();
        let bulk = if *row_independent && write.whole_queryset {
            format!("`{}.update({})`", ctx.text(write.iter_range), set.join(", "))
        } else if *row_independent {
            format!("`update({})` on their queryset", set.join(", "))
        } else if !fields_complete {
            format!(
                "`{}.objects.bulk_update(rows, [...])`, given every field the loop changes,",
                model.name
            )
        } else {
            let names: Vec<String> = fields.iter().map(|f| format!("\"{f}\"")).collect();
            format!(
                "`{}.objects.bulk_update(rows, [{}])`",
                model.name,
                names.join(", ")
            )
        };
        // `update()` and `bulk_update()` call no `save()`, send no signal, and leave
        // `auto_now` fields.
        let save_does_more =
            write_may_do_more(ctx, write.model, "save", &["pre_save", "post_save"])
                || model.fields.iter().any(|f| f.auto_now);
        let violation = SaveInLoop {
            subject: write.subject.clone(),
            model: model.name.clone(),
            bulk,
            in_atomic: write.in_atomic,
            save_does_more,
        };
        // A value computed once for all rows may differ from one computed per row.
        let unsafe_fix =
            save_does_more || write.batched.as_ref().is_some_and(|b| b.computed_once);
        let safety = if unsafe_fix {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        report_write(ctx, &violation, write, Some(safety), out);
    }
}
