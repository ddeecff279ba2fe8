//! Leaving care: who is a care leaver and for how long (Children (Leaving Care) Act 2000, Children
//! and Social Work Act 2017), and their clocks: the pathway plan and the personal adviser's contact.

use super::{CareEpisode, InTouch, LeaverAccommodation, LeaverActivity};
use crate::calendar::add_months;
use crate::cases::{ClockKind, RunningClock};
use crate::code_list;
use chrono::{Days, NaiveDate};

code_list!(
    /// The leaving-care categories.
    LeaverCategory {
        Eligible = "eligible": "Eligible: aged 16 or 17 and still looked after",
        Relevant = "relevant": "Relevant: aged 16 or 17 and has left care",
        FormerRelevant = "former_relevant": "Former relevant: aged 18 or over",
        Qualifying = "qualifying": "Qualifying: looked after at 16 or later, for less than 13 weeks since 14",
    }
);

/// A personal adviser's contact with a care leaver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaverContactHeld {
    pub date: NaiveDate,
    pub in_touch: InTouch,
    pub accommodation: Option<LeaverAccommodation>,
    pub suitable: bool,
    pub activity: Option<LeaverActivity>,
}

/// What is recorded of a young person's leaving-care support.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeavingCare {
    pub adviser: Option<(NaiveDate, String)>,
    pub plan_reviews: Vec<NaiveDate>,
    pub contacts: Vec<LeaverContactHeld>,
    /// The date they asked for support up to 25.
    pub support_to_25: Option<NaiveDate>,
    /// Known as a care leaver from this day: their care ended before Canopy's record began.
    pub left_before_record: Option<NaiveDate>,
}

impl LeavingCare {
    pub fn latest_contact(&self) -> Option<&LeaverContactHeld> {
        self.contacts.iter().max_by_key(|c| c.date)
    }
}

fn birthday(date_of_birth: NaiveDate, age: u32) -> NaiveDate {
    add_months(date_of_birth, age * 12)
}

/// Days looked after from the 14th birthday up to `until`, leaving out short breaks (V3, V4),
/// which do not make a child a care leaver.
pub fn days_looked_after_since_14(date_of_birth: NaiveDate, episodes: &[CareEpisode], until: NaiveDate) -> i64 {
    let from = birthday(date_of_birth, 14);
    episodes
        .iter()
        .filter(|e| !e.legal_status.is_short_break())
        .map(|e| {
            let (start, end) = (e.start.max(from), e.end.unwrap_or(until).min(until));
            (end - start).num_days().max(0)
        })
        .sum()
}

/// The day a young person became entitled to leaving-care support: the first day, at 16 or over,
/// when they were looked after and had been for 13 weeks in all since turning 14.
pub fn entitled_from(date_of_birth: NaiveDate, episodes: &[CareEpisode]) -> Option<NaiveDate> {
    let at_16 = birthday(date_of_birth, 16);
    let mut total = 0i64;
    for e in episodes.iter().filter(|e| !e.legal_status.is_short_break()) {
        let start = e.start.max(birthday(date_of_birth, 14));
        let end = e.end.unwrap_or(NaiveDate::MAX);
        if end <= start {
            continue;
        }
        // The day within this episode when 13 weeks (91 days) are reached, if it is.
        let reached = start.checked_add_days(Days::new((91 - total).max(0) as u64)).unwrap_or(NaiveDate::MAX);
        let entitled = reached.max(at_16).max(start);
        if entitled < end {
            return Some(entitled);
        }
        total += (end - start).num_days();
    }
    None
}

/// The end of leaving-care support: the 21st birthday, or the 25th for a young person who asked
/// for support up to 25.
pub fn support_ends(date_of_birth: NaiveDate, leaving: &LeavingCare) -> NaiveDate {
    birthday(date_of_birth, if leaving.support_to_25.is_some() { 25 } else { 21 })
}

/// The young person's leaving-care category on `date`, if they have one.
pub fn leaver_category(
    date_of_birth: NaiveDate,
    episodes: &[CareEpisode],
    leaving: &LeavingCare,
    date: NaiveDate,
) -> Option<LeaverCategory> {
    let looked_after = episodes.iter().any(|e| e.start <= date && e.end.is_none_or(|end| end > date));
    let under_18 = date < birthday(date_of_birth, 18);
    if date < birthday(date_of_birth, 16) || date >= support_ends(date_of_birth, leaving) {
        return None;
    }
    match entitled_from(date_of_birth, episodes).or(leaving.left_before_record).filter(|e| *e <= date) {
        Some(_) if under_18 && looked_after => Some(LeaverCategory::Eligible),
        Some(_) if under_18 => Some(LeaverCategory::Relevant),
        Some(_) => Some(LeaverCategory::FormerRelevant),
        None => {
            let after_16 = episodes.iter().any(|e| e.end.is_none_or(|end| end > birthday(date_of_birth, 16)));
            (after_16 && date < birthday(date_of_birth, 21)).then_some(LeaverCategory::Qualifying)
        }
    }
}

fn clock(kind: ClockKind, started: NaiveDate, due: NaiveDate) -> RunningClock {
    RunningClock { kind, subject: "leaving care".into(), started, due }
}

/// A care leaver's clocks (CPPCR 2010 and the Care Leavers (England) Regulations 2010): the needs
/// assessment and pathway plan within 3 months of becoming entitled, then a review at least every 6
/// months; once care has ended, the personal adviser in touch at least every 2 months. No clock
/// runs past the end of support, nor after the young person died, returned home or said they no
/// longer need it.
pub fn leaving_care_clocks(
    date_of_birth: NaiveDate,
    episodes: &[CareEpisode],
    leaving: &LeavingCare,
) -> Vec<RunningClock> {
    let Some(entitled) = entitled_from(date_of_birth, episodes).or(leaving.left_before_record) else {
        return Vec::new();
    };
    let ends = support_ends(date_of_birth, leaving);
    let stopped = leaving
        .latest_contact()
        .is_some_and(|c| matches!(c.in_touch, InTouch::Died | InTouch::NotRequired | InTouch::ReturnedHome));
    if stopped {
        return Vec::new();
    }
    let mut clocks = Vec::new();
    let plan_due = match leaving.plan_reviews.iter().filter(|d| **d >= entitled).max() {
        Some(last) => add_months(*last, 6),
        None => add_months(entitled, 3),
    };
    if plan_due < ends {
        clocks.push(clock(ClockKind::PathwayPlanReview, entitled, plan_due));
    }
    let left = episodes.last().and_then(|e| e.end).or(leaving.left_before_record).filter(|left| *left >= entitled);
    if let Some(left) = left {
        let last = leaving.contacts.iter().map(|c| c.date).filter(|d| *d >= left).max().unwrap_or(left);
        let due = add_months(last, 2);
        if due < ends {
            clocks.push(clock(ClockKind::PersonalAdviserContact, left, due));
        }
    }
    clocks
}
