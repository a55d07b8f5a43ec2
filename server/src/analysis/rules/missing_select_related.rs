//! ORM101: a foreign key or one-to-one loaded on each row of a queryset that does not
//! select it.

use super::Checker;
use crate::analysis::loads::Problem;

pub fn check(checker: &mut Checker<'_>) {
    super::missing_prefetch_related::report_loads(checker, Problem::SingleNotSelected);
}
