//! The clocks of a looked-after child, a child placed for adoption and a care leaver, and the
//! SSDA903 cohorts (OC2, OC3). The rules are in the design notes' timescales.md.

use super::CareEpisode;
use crate::calendar::{add_months, WorkingCalendar};
use crate::cases::{ClockKind, RunningClock};
use chrono::{Datelike, Days, NaiveDate};

/// What has happened in a child's care besides the episodes.
#[derive(Debug, Clone, Default)]
pub struct CareRecord<'a> {
    pub episodes: &'a [CareEpisode],
    /// Dates of looked-after reviews held.
    pub reviews: &'a [NaiveDate],
    /// Dates of statutory visits made.
    pub visits: &'a [NaiveDate],
    /// Dates of adoption reviews held.
    pub adoption_reviews: &'a [NaiveDate],
    /// The current placement is meant to last until the child is 18.
    pub placement_until_18: bool,
    /// A long-term foster placement of over a year where the child agreed to visits every 6 months.
    pub six_monthly_visits_agreed: bool,
}

fn latest_after(dates: &[NaiveDate], from: NaiveDate) -> Option<NaiveDate> {
    dates.iter().copied().filter(|d| *d >= from).max()
}

fn count_after(dates: &[NaiveDate], from: NaiveDate) -> usize {
    dates.iter().filter(|d| **d >= from).count()
}

/// The start of the current period of care, if care is open: the latest episode with RNE S, or
/// the first of a record that begins part-way through care.
fn period_start(episodes: &[CareEpisode]) -> Option<NaiveDate> {
    if episodes.last()?.end.is_some() {
        return None;
    }
    episodes
        .iter()
        .rev()
        .find(|e| e.reason_new_episode == super::ReasonNewEpisode::S)
        .or(episodes.first())
        .map(|e| e.start)
}

/// When the current placement began: the newest episode that changed placement (or began care).
fn placement_start(episodes: &[CareEpisode]) -> Option<NaiveDate> {
    use super::ReasonNewEpisode as R;
    let last = episodes.last().filter(|e| e.end.is_none())?;
    let mut start = last.start;
    for e in episodes.iter().rev() {
        start = e.start;
        if matches!(e.reason_new_episode, R::S | R::P | R::T | R::U | R::B) {
            break;
        }
    }
    Some(start)
}

fn days(n: u64) -> Days {
    Days::new(n)
}

fn clock(kind: ClockKind, started: NaiveDate, due: NaiveDate) -> RunningClock {
    RunningClock { kind, subject: "care".into(), started, due }
}

/// The clocks running for a looked-after child today.
pub fn care_clocks(record: &CareRecord, calendar: &WorkingCalendar) -> Vec<RunningClock> {
    let mut clocks = Vec::new();
    let Some(began) = period_start(record.episodes) else {
        return clocks;
    };
    let short_break = record.episodes.last().is_some_and(|e| e.legal_status.is_short_break());
    // Reviews: counted within this period of care.
    let held = count_after(record.reviews, began);
    let review_due = match (held, latest_after(record.reviews, began)) {
        (0, _) | (_, None) => calendar.add_working_days(began, 20),
        (1, Some(last)) => add_months(last, 3),
        (_, Some(last)) => add_months(last, 6),
    };
    if !short_break {
        clocks.push(clock(ClockKind::LookedAfterReview, began, review_due));
    }
    // Visits: counted within the current placement.
    if let Some(placed) = placement_start(record.episodes) {
        let placed_for_adoption = record.episodes.last().is_some_and(|e| e.placement.place.is_placed_for_adoption());
        // AAR 2005, reg 36: a child placed for adoption is visited weekly until the first review.
        let weekly = placed_for_adoption && count_after(record.adoption_reviews, placed) == 0;
        let visit_due = match latest_after(record.visits, placed) {
            None => placed + days(7),
            Some(last) if weekly => last + days(7),
            Some(last) if last < add_months(placed, 12) => last + days(42),
            Some(last) if record.six_monthly_visits_agreed && record.placement_until_18 => add_months(last, 6),
            Some(last) if record.placement_until_18 => add_months(last, 3),
            Some(last) => last + days(42),
        };
        if !short_break {
            clocks.push(clock(ClockKind::StatutoryVisit, placed, visit_due));
        }
        if placed_for_adoption {
            let held = count_after(record.adoption_reviews, placed);
            let due = match (held, latest_after(record.adoption_reviews, placed)) {
                (0, _) | (_, None) => placed + days(28),
                (1, Some(last)) => add_months(last, 3),
                (_, Some(last)) => add_months(last, 6),
            };
            clocks.push(clock(ClockKind::AdoptionReview, placed, due));
        }
    }
    clocks
}

/// The periods of care, as (start, end): episodes linked by X1 are one period.
pub fn periods_of_care(episodes: &[CareEpisode]) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut periods: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    for e in episodes {
        match periods.last_mut() {
            Some(last) if last.1 == Some(e.start) && e.reason_new_episode != super::ReasonNewEpisode::S => {
                last.1 = e.end;
            }
            _ => periods.push((e.start, e.end)),
        }
    }
    periods
}

/// OC2: looked after continuously for 12 months or more at 31 March of `year_end`, and not under
/// short breaks.
pub fn in_oc2(episodes: &[CareEpisode], year_end: NaiveDate) -> bool {
    // Looked after on 1 April a year before, and every day since: a child who left on 31 March
    // itself counts, as the DfE's validator counts them.
    let Some(from) = year_end.with_year(year_end.year() - 1).map(|d| d + days(1)) else { return false };
    let covering = periods_of_care(episodes).into_iter().find(|(s, e)| *s <= from && e.is_none_or(|e| e >= year_end));
    let Some((start, _)) = covering else { return false };
    let in_period = episodes.iter().filter(|e| e.start >= start && e.start <= year_end);
    !in_period.into_iter().any(|e| e.legal_status.is_short_break())
}

/// Whether a 17th to 21st birthday falls in the collection year ending `year_end`.
pub fn oc3_birthday_in_year(date_of_birth: NaiveDate, year_end: NaiveDate) -> bool {
    let Some(year_start) = year_end.with_year(year_end.year() - 1).map(|d| d + days(1)) else { return false };
    (17..=21).any(|age| (year_start..=year_end).contains(&add_months(date_of_birth, age * 12)))
}

/// OC3: a care leaver in the collection year (1 April to `year_end`, 31 March) of their 17th to
/// 21st birthday, who is a former relevant child: looked after for at least 13 weeks in all since
/// turning 14, and looked after on or after their 16th birthday.
pub fn in_oc3(date_of_birth: NaiveDate, episodes: &[CareEpisode], year_end: NaiveDate) -> bool {
    if !oc3_birthday_in_year(date_of_birth, year_end) {
        return false;
    }
    let birthday = |age: u32| add_months(date_of_birth, age * 12);
    let weeks_since_14 = super::days_looked_after_since_14(date_of_birth, episodes, year_end) / 7;
    let at_16 = birthday(16);
    let looked_after_at_16 = episodes.iter().any(|e| e.end.is_none_or(|end| end > at_16));
    weeks_since_14 >= 13 && looked_after_at_16
}
