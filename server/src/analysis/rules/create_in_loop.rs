//! ORM401: a row inserted per iteration of a loop over data that grows.

use super::{Context, Rule, Violation, report_write, transaction_note, write_may_do_more, writes_in_loops};
use crate::analysis::Diagnostic;
use crate::analysis::flow::WriteKind;
use crate::fix::Applicability;

pub struct CreateInLoop {
    /// `Post.objects.create(...)`, `Post(...).save()`.
    pub subject: String,
    pub model: String,
    /// `Post.objects`: the manager the bulk write goes through.
    pub manager: String,
    pub in_atomic: bool,
    /// The model inherits from a concrete model: `bulk_create()` refuses it.
    pub multi_table: bool,
    /// The model's `save()` or its save signals may do more than the INSERT.
    pub save_does_more: bool,
}

impl Violation for CreateInLoop {
    const RULE: Rule = Rule::CreateInLoop;

    fn message(&self) -> String {
        if self.multi_table {
            return format!(
                "`{}` inserts one row per iteration of the loop; `bulk_create()` refuses `{}`, a multi-table inheritance child: insert the parent rows in bulk, or keep the loop inside `transaction.atomic()`",
                self.subject, self.model
            );
        }
        let skips = if self.save_does_more {
            format!(
                " (but it calls no `{}.save()` and sends no `pre_save`/`post_save`, which this model may rely on)",
                self.model
            )
        } else {
            String::new()
        };
        format!(
            "`{}` inserts one row per iteration of the loop: `{}.bulk_create([...])` inserts them in one query{skips}{}",
            self.subject,
            self.manager,
            transaction_note(self.in_atomic, "INSERT")
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("Replace the loop with one `bulk_create()`".to_string())
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let creates = |kind: &WriteKind| matches!(kind, WriteKind::Create { .. } | WriteKind::SaveNew);
    for write in writes_in_loops(ctx, creates) {
        let model = ctx.index.model(write.model);
        let multi_table = model.has_concrete_parent();
        let manager = match &write.kind {
            WriteKind::Create { manager } => Some(manager.as_str()),
            _ => model.managers.first().map(|m| m.name.as_str()),
        };
        // `bulk_create()` calls no `save()` and sends no `pre_save`/`post_save`.
        let save_does_more =
            write_may_do_more(ctx, write.model, "save", &["pre_save", "post_save"]);
        let violation = CreateInLoop {
            subject: write.subject.clone(),
            model: model.name.clone(),
            manager: format!("{}.{}", model.name, manager.unwrap_or("objects")),
            in_atomic: write.in_atomic,
            multi_table,
            save_does_more,
        };
        let safety = if multi_table {
            None
        } else if save_does_more {
            Some(Applicability::Unsafe)
        } else {
            Some(Applicability::Safe)
        };
        report_write(ctx, &violation, write, safety, out);
    }
}
