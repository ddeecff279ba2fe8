//! Spending limits, as data each council sets: for a role, a team, or a named person, a limit per
//! spend and a rolling limit per month. Within both, a spend is approved at once.

use super::Pence;
use chrono::{Days, NaiveDate};

/// Who a limit applies to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitSubject {
    /// Everyone holding a role, by the role's key.
    Role(String),
    /// Everyone in a team, overriding their roles' limits.
    Team(String),
    /// One person, overriding everything else.
    Person(String),
}

impl LimitSubject {
    pub fn kind(&self) -> &'static str {
        match self {
            LimitSubject::Role(_) => "role",
            LimitSubject::Team(_) => "team",
            LimitSubject::Person(_) => "person",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            LimitSubject::Role(id) | LimitSubject::Team(id) | LimitSubject::Person(id) => id,
        }
    }

    pub fn from_parts(kind: &str, id: &str) -> Option<Self> {
        Some(match kind {
            "role" => LimitSubject::Role(id.into()),
            "team" => LimitSubject::Team(id.into()),
            "person" => LimitSubject::Person(id.into()),
            _ => return None,
        })
    }
}

/// How much someone may spend without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendLimit {
    pub per_spend: Pence,
    pub per_month: Pence,
}

impl SpendLimit {
    /// What is left of the monthly limit after `spent` in the rolling month; never below £0.
    pub fn left_in_month(&self, spent: Pence) -> Pence {
        (self.per_month - spent).max(Pence::zero())
    }
}

/// One limit rule of a council.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitRule {
    pub subject: LimitSubject,
    pub limit: SpendLimit,
}

/// The person asking, as the limits see them.
#[derive(Debug, Clone, Default)]
pub struct Spender<'a> {
    pub user_id: &'a str,
    pub roles: &'a [String],
    pub teams: &'a [String],
}

/// The limit that applies to a spender, and where it comes from: a rule for them by name wins,
/// then their team's (the most generous, if they are in several), then their roles' (the most
/// generous). With no rule at all, every spend goes to a manager.
pub fn effective_limit(rules: &[LimitRule], spender: &Spender) -> Option<(SpendLimit, LimitSubject)> {
    let pick = |matches: &dyn Fn(&LimitSubject) -> bool| {
        rules
            .iter()
            .filter(|r| matches(&r.subject))
            .max_by_key(|r| (r.limit.per_spend, r.limit.per_month))
            .map(|r| (r.limit, r.subject.clone()))
    };
    pick(&|s| matches!(s, LimitSubject::Person(p) if p == spender.user_id))
        .or_else(|| pick(&|s| matches!(s, LimitSubject::Team(t) if spender.teams.contains(t))))
        .or_else(|| pick(&|s| matches!(s, LimitSubject::Role(r) if spender.roles.contains(r))))
}

/// The first day of the rolling month that ends on `today`: spends from this day on count
/// against the monthly limit.
pub fn month_window_start(today: NaiveDate) -> NaiveDate {
    // One month back, then a day forward: 23 November looks back to 24 October, and 31 March
    // (a month back is 28 or 29 February) to 1 March.
    let back = today.checked_sub_months(chrono::Months::new(1)).unwrap_or(today);
    back.checked_add_days(Days::new(1)).unwrap_or(back)
}

/// Whether a spend can be approved at once, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitCheck {
    WithinLimit,
    /// Over the limit: each reason in plain words, for the manager's queue.
    OverLimit(Vec<String>),
}

/// Checks a spend of `amount` by someone with `limit` who has already spent `spent_this_month`
/// in the rolling month.
pub fn check_limit(limit: Option<SpendLimit>, amount: Pence, spent_this_month: Pence) -> LimitCheck {
    let Some(limit) = limit else {
        return LimitCheck::OverLimit(vec!["No spending limit is set for this person, so a manager decides".into()]);
    };
    let mut reasons = Vec::new();
    if amount > limit.per_spend {
        reasons.push(format!("{} is over the limit of {} for one spend", amount.display(), limit.per_spend.display()));
    }
    if spent_this_month + amount > limit.per_month {
        reasons.push(format!(
            "With {} already spent in the last month, this goes over the monthly limit of {}",
            spent_this_month.display(),
            limit.per_month.display()
        ));
    }
    if reasons.is_empty() {
        LimitCheck::WithinLimit
    } else {
        LimitCheck::OverLimit(reasons)
    }
}
