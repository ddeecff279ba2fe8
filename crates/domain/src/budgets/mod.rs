//! Devolved budgets: small sums a practitioner spends on a family at once, within their limit,
//! with every penny in a double-entry ledger and no budget ever overspent.

mod ledger;
mod limits;
mod money;
#[cfg(test)]
mod tests;

pub use ledger::{Account, Ledger, LedgerError, Line, Posting, PostingKind};
pub use limits::{
    check_limit, effective_limit, month_window_start, LimitCheck, LimitRule, LimitSubject, SpendLimit, Spender,
};
pub use money::{FinancialYear, Pence, MAX_PENCE};

use crate::code_list;

/// The spending categories every council starts with; each council can rename or add to them.
pub const DEFAULT_CATEGORIES: &[(&str, &str)] = &[
    ("clothing", "Clothing and uniform"),
    ("household", "Household goods"),
    ("activities", "Activities and relationship-building"),
    ("food", "Food"),
    ("travel", "Travel"),
    ("accommodation", "Emergency accommodation"),
    ("other", "Other"),
];

code_list!(
    /// How a spend was paid.
    PaymentMethod {
        PurchaseCard = "card": "Purchase card",
        Voucher = "voucher": "Voucher",
        Cash = "cash": "Cash",
        Invoice = "invoice": "Invoice",
    }
);

impl PaymentMethod {
    /// Card, voucher and cash are paid when the spend is made; an invoice stays a commitment
    /// until it is paid.
    pub fn paid_at_once(self) -> bool {
        !matches!(self, PaymentMethod::Invoice)
    }
}

code_list!(
    /// Where a spend is in its life.
    SpendStatus {
        AwaitingApproval = "awaiting_approval": "Waiting for a manager",
        Committed = "committed": "Approved, not yet paid",
        Paid = "paid": "Approved and paid",
        Declined = "declined": "Declined",
        Cancelled = "cancelled": "Cancelled",
        Refunded = "refunded": "Refunded",
    }
);

/// What can be done to a spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendChange {
    Approve,
    Decline,
    Pay,
    Cancel,
    Refund,
}

impl SpendStatus {
    /// Whether the spend's money is out of the budget's free balance.
    pub fn holds_money(self) -> bool {
        matches!(self, SpendStatus::Committed | SpendStatus::Paid)
    }

    /// The status after `change`, or why it cannot happen.
    pub fn after(self, change: SpendChange) -> Result<SpendStatus, String> {
        use SpendChange as C;
        use SpendStatus as S;
        match (self, change) {
            (S::AwaitingApproval, C::Approve) => Ok(S::Committed),
            (S::AwaitingApproval, C::Decline) => Ok(S::Declined),
            (S::Committed, C::Pay) => Ok(S::Paid),
            (S::Committed, C::Cancel) => Ok(S::Cancelled),
            (S::AwaitingApproval, C::Cancel) => Ok(S::Cancelled),
            (S::Paid, C::Refund) => Ok(S::Refunded),
            (status, change) => Err(format!(
                "A spend that is '{}' cannot be {}",
                status.label().to_lowercase(),
                match change {
                    C::Approve => "approved",
                    C::Decline => "declined",
                    C::Pay => "paid",
                    C::Cancel => "cancelled",
                    C::Refund => "refunded",
                }
            )),
        }
    }
}

/// The measures managers and directors see: how fast spends are decided, how many at once, and
/// spend per family.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpendMeasures {
    pub decided: usize,
    /// Median and 90th percentile of the time from request to decision, in seconds.
    pub median_decision_seconds: Option<i64>,
    pub p90_decision_seconds: Option<i64>,
    /// Share of decided spends approved at once, in whole per cent.
    pub decided_at_once_percent: Option<i64>,
    pub families: usize,
    pub spent: Pence,
    pub spend_per_family: Option<Pence>,
}

/// One spend, as the measures see it.
#[derive(Debug, Clone)]
pub struct SpendFact<'a> {
    pub requested_at_ms: i64,
    pub decided_at_ms: Option<i64>,
    pub at_once: bool,
    /// The family: the household the child lived in, or the child alone.
    pub family: &'a str,
    /// What the spend took out of budgets, if it holds money.
    pub amount_held: Pence,
}

/// The value at `q` (0–100) of sorted values, by the nearest-rank method.
pub fn percentile(sorted: &[i64], q: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(q) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

pub fn measure_spends(facts: &[SpendFact]) -> SpendMeasures {
    let mut waits: Vec<i64> =
        facts.iter().filter_map(|f| f.decided_at_ms.map(|d| (d - f.requested_at_ms).max(0) / 1000)).collect();
    waits.sort_unstable();
    let decided = waits.len();
    let at_once = facts.iter().filter(|f| f.decided_at_ms.is_some() && f.at_once).count();
    let held: Vec<&SpendFact> = facts.iter().filter(|f| f.amount_held.0 > 0).collect();
    let families: std::collections::BTreeSet<&str> = held.iter().map(|f| f.family).collect();
    let spent: Pence = held.iter().map(|f| f.amount_held).sum();
    SpendMeasures {
        decided,
        median_decision_seconds: percentile(&waits, 50),
        p90_decision_seconds: percentile(&waits, 90),
        decided_at_once_percent: (decided > 0).then(|| (at_once * 100 / decided) as i64),
        families: families.len(),
        spent,
        spend_per_family: (!families.is_empty()).then(|| Pence(spent.0 / families.len() as i64)),
    }
}

/// A spend as typed, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct SpendInput<'a> {
    pub amount: &'a str,
    pub category: &'a str,
    pub purpose: &'a str,
    pub supplier: &'a str,
    pub method: &'a str,
    /// The date it was spent, if a valid date was given (the caller reports a malformed one).
    pub spent_on: Option<chrono::NaiveDate>,
}

/// A spend that has passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSpend {
    pub amount: Pence,
    pub category_code: String,
    pub purpose: String,
    pub supplier: String,
    pub method: PaymentMethod,
    pub spent_on: chrono::NaiveDate,
}

/// Checks a spend: an amount over £0, one of the council's categories, a purpose and a supplier
/// in plain words, a way it was paid, and a date that is not in the future and falls in the
/// budget's financial year.
pub fn validate_spend(
    input: &SpendInput,
    categories: &[(String, String)],
    year: FinancialYear,
    today: chrono::NaiveDate,
) -> Result<ValidSpend, crate::validation::FieldErrors> {
    use crate::validation::{required_text, FieldErrors};
    let mut errors = FieldErrors::new();
    let amount = Pence::parse_positive(input.amount).map_err(|m| errors.add("amount", m)).ok();
    let category = categories.iter().find(|(code, _)| code == input.category.trim()).map(|(c, _)| c.clone());
    if category.is_none() {
        errors.add("category", "Select what the money is for");
    }
    let purpose = required_text(&mut errors, "purpose", "what the spend is for", input.purpose, 1_000);
    let supplier = required_text(&mut errors, "supplier", "who was paid", input.supplier, 200);
    let method = PaymentMethod::from_code(input.method);
    if method.is_none() {
        errors.add("method", "Select how it was paid");
    }
    match input.spent_on {
        Some(d) if d > today => errors.add("spent_on", "The date cannot be in the future"),
        Some(d) if !year.contains(d) => {
            errors.add("spent_on", format!("The date must be in the budget's financial year, {}", year.label()))
        }
        _ => {}
    }
    match (amount, category, method, input.spent_on) {
        (Some(amount), Some(category_code), Some(method), Some(spent_on)) if errors.is_empty() => {
            Ok(ValidSpend { amount, category_code, purpose, supplier, method, spent_on })
        }
        _ => {
            if input.spent_on.is_none() && errors.for_field("spent_on").is_none() {
                errors.add("spent_on", "Enter the date of the spend");
            }
            Err(errors)
        }
    }
}
