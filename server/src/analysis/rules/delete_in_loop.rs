//! ORM403: a row deleted per iteration of a loop over a queryset's rows.

use super::{Context, Rule, Violation, report_write, transaction_note, write_may_do_more, writes_in_loops};
use crate::analysis::Diagnostic;
use crate::analysis::flow::WriteKind;
use crate::fix::Applicability;

pub struct DeleteInLoop {
    /// `post.delete()`.
    pub subject: String,
    pub model: String,
    /// The iterated queryset, as written, when its `delete()` deletes the loop's rows.
    pub queryset: Option<String>,
    pub in_atomic: bool,
    /// The model defines (or may define) its own `delete()`.
    pub delete_does_more: bool,
}

impl Violation for DeleteInLoop {
    const RULE: Rule = Rule::DeleteInLoop;

    fn message(&self) -> String {
        format!(
            "`{}` deletes one row per iteration of the loop over `{}` rows: {} deletes them in bulk{}{}",
            self.subject,
            self.model,
            match &self.queryset {
                Some(queryset) => format!("`{queryset}.delete()`"),
                None => "`delete()` on their queryset".to_string(),
            },
            if self.delete_does_more {
                format!(
                    " (but calls no `{}.delete()`, which this model may rely on)",
                    self.model
                )
            } else {
                String::new()
            },
            transaction_note(self.in_atomic, "DELETE")
        )
    }

    fn fix_title(&self) -> Option<String> {
        let queryset = self.queryset.as_ref()?;
        Some(format!("Replace the loop with `{queryset}.delete()`"))
    }
}

pub fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let deletes = |kind: &WriteKind| matches!(kind, WriteKind::Delete);
    for write in writes_in_loops(ctx, deletes) {
        // `QuerySet.delete()` sends `pre_delete`/`post_delete` for every row, as
        // `Model.delete()` does, but never calls the model's `delete()`.
        let delete_does_more = write_may_do_more(ctx, write.model, "delete", &[]);
        let violation = DeleteInLoop {
            subject: write.subject.clone(),
            model: ctx.model_name(write.model).to_string(),
            queryset: write
                .whole_queryset
                .then(|| ctx.text(write.iter_range).to_string()),
            in_atomic: write.in_atomic,
            delete_does_more,
        };
        let safety = if delete_does_more {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        report_write(ctx, &violation, write, Some(safety), out);
    }
}
