//! Comparisons for the returns' rules, in which a missing value never matches, as in the DfE's own
//! checks.

use chrono::NaiveDate;

pub(crate) fn lt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a < b)
}

pub(crate) fn le(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a <= b)
}

pub(crate) fn gt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    lt(b, a)
}

pub(crate) fn ge(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    le(b, a)
}

pub(crate) fn eq(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a == b)
}

/// A code that is one of `codes`.
pub(crate) fn is(value: &Option<String>, codes: &[&str]) -> bool {
    value.as_deref().is_some_and(|v| codes.contains(&v))
}
