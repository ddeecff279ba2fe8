//! Looked-after children: periods of care made of episodes, as SSDA903 counts them. Staff record
//! what happened ("started to be looked after", "moved placement", "care order granted", "left
//! care"); the episodes, their reasons for a new episode (RNE) and the links between them are
//! worked out here, so the Episodes table can be read straight off the record.

mod adoption;
mod clocks;
mod codes;
mod entries;
#[cfg(test)]
mod entries_tests;
mod leaving;
mod location;
#[cfg(test)]
mod tests;

pub use adoption::{AdopterMatch, AdoptionProgress, AdoptionStage};
pub use clocks::{care_clocks, in_oc2, in_oc3, oc3_birthday_in_year, periods_of_care, CareRecord};
pub use codes::{
    AdopterLegalStatus, AdopterSexes, HealthCheck, InTouch, LeaverAccommodation, LeaverActivity, LegalStatus,
    PermanencePlan, PlacementProvider, PlacementType, ReasonEpisodeCeased, ReasonNewEpisode, ReasonPlaceChange,
    ReasonPlacedCeased, ReviewParticipation, SdqReason,
};
pub use entries::{
    care_history, CareEntry, CareHistory, CarePlanRecorded, CareProjection, IroOfChild, MissingEpisode, ReviewHeld,
    SdqResult,
};
pub use leaving::{
    days_looked_after_since_14, entitled_from, leaver_category, leaving_care_clocks, support_ends, LeaverCategory,
    LeaverContactHeld, LeavingCare,
};
pub use location::{placement_location, PlacementLocation};

use chrono::NaiveDate;

/// Where a child lives while looked after, and with whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    pub place: PlacementType,
    pub provider: Option<PlacementProvider>,
    /// The carer or home looking after the child: the same carer at a new address is a "T" move.
    pub carer: String,
    pub postcode: Option<String>,
    /// The Ofsted unique reference number of the home or agency, where it has one.
    pub urn: Option<String>,
    /// The placement's address, before its postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Something that happened in a child's care, as staff record it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CareChange {
    StartedToBeLookedAfter {
        date: NaiveDate,
        legal_status: LegalStatus,
        placement: Placement,
        /// Why care began: the category of need (903 CIN, N1 to N8).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category_of_need: Option<crate::cases::PrimaryNeed>,
        /// Set when Canopy's record begins part-way through a period of care, as a record
        /// brought from an old system's return does: why the episode it begins with began.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        carried_on: Option<ReasonNewEpisode>,
    },
    LegalStatusChanged {
        date: NaiveDate,
        legal_status: LegalStatus,
    },
    PlacementChanged {
        date: NaiveDate,
        placement: Placement,
        reason: Option<ReasonPlaceChange>,
        /// A placement for adoption brought from an old system's return, which says neither when
        /// nor with whom the child was matched: it stands without a match in Canopy's record,
        /// and the match can be recorded later with its own, earlier day.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        match_not_known: bool,
    },
    CeasedToBeLookedAfter {
        date: NaiveDate,
        reason: ReasonEpisodeCeased,
    },
}

impl CareChange {
    pub fn date(&self) -> NaiveDate {
        match self {
            CareChange::StartedToBeLookedAfter { date, .. }
            | CareChange::LegalStatusChanged { date, .. }
            | CareChange::PlacementChanged { date, .. }
            | CareChange::CeasedToBeLookedAfter { date, .. } => *date,
        }
    }

    /// Within a day: a start comes first and an end last.
    pub(crate) fn order_in_day(&self) -> u8 {
        match self {
            CareChange::StartedToBeLookedAfter { .. } => 0,
            CareChange::LegalStatusChanged { .. } | CareChange::PlacementChanged { .. } => 1,
            CareChange::CeasedToBeLookedAfter { .. } => 2,
        }
    }
}

/// One 903 episode: one legal status and one placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareEpisode {
    pub start: NaiveDate,
    pub reason_new_episode: ReasonNewEpisode,
    pub legal_status: LegalStatus,
    pub placement: Placement,
    /// Why the placement changed, for a new episode that began with a move.
    pub reason_place_change: Option<ReasonPlaceChange>,
    pub end: Option<NaiveDate>,
    pub reason_ceased: Option<ReasonEpisodeCeased>,
    /// Why the period of care this episode is part of began.
    pub category_of_need: Option<crate::cases::PrimaryNeed>,
}

/// Why what was recorded cannot stand, in words staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CareRuleBroken(pub String);

fn broken(date: NaiveDate, message: &str) -> CareRuleBroken {
    CareRuleBroken(format!("{}: {message}", date.format("%-d %B %Y")))
}

const SAME_DAY: &str = "care ended on the same day, so this is a change within one period of care, not a new one";

/// The longest a T4 temporary placement may last, in days.
pub const MAX_T4_DAYS: i64 = 7;

/// Works out the episodes from what happened, in date order, and refuses what the 903 rules do
/// not allow.
pub fn derive_episodes(changes: &[CareChange]) -> Result<Vec<CareEpisode>, CareRuleBroken> {
    let mut sorted: Vec<&CareChange> = changes.iter().collect();
    sorted.sort_by_key(|c| (c.date(), c.order_in_day()));
    let mut episodes: Vec<CareEpisode> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let date = sorted[i].date();
        let day: Vec<&CareChange> = sorted[i..].iter().take_while(|c| c.date() == date).copied().collect();
        i += day.len();
        apply_day(&mut episodes, date, &day)?;
    }
    Ok(episodes)
}

fn apply_day(episodes: &mut Vec<CareEpisode>, date: NaiveDate, day: &[&CareChange]) -> Result<(), CareRuleBroken> {
    let open = episodes.last().filter(|e| e.end.is_none()).cloned();
    let mut legal_status = None;
    let mut placement = None;
    let mut place_reason = None;
    let mut started = None;
    let mut ceased = None;
    for change in day {
        match change {
            CareChange::StartedToBeLookedAfter {
                legal_status: ls, placement: p, category_of_need, carried_on, ..
            } => {
                let ends_today = day.iter().any(|c| matches!(c, CareChange::CeasedToBeLookedAfter { .. }));
                if open.is_some() && ends_today {
                    return Err(broken(date, SAME_DAY));
                }
                if started.is_some() || open.is_some() {
                    return Err(broken(date, "the child is already looked after"));
                }
                started = Some((*ls, p.clone(), *category_of_need, *carried_on));
            }
            CareChange::LegalStatusChanged { legal_status: ls, .. } => legal_status = Some(*ls),
            CareChange::PlacementChanged { placement: p, reason, .. } => {
                placement = Some(p.clone());
                place_reason = *reason;
            }
            CareChange::CeasedToBeLookedAfter { reason, .. } => ceased = Some(*reason),
        }
    }
    if let Some((ls, p, category_of_need, carried_on)) = started {
        if episodes.last().and_then(|e| e.end) == Some(date) {
            return Err(broken(date, SAME_DAY));
        }
        if p.place.is_temporary() && carried_on.is_none() {
            return Err(broken(date, "a period of care cannot start with a temporary placement"));
        }
        if legal_status.is_some() || placement.is_some() {
            return Err(broken(date, "record the child's legal status and placement as they were when care began"));
        }
        episodes.push(CareEpisode {
            start: date,
            reason_new_episode: carried_on.unwrap_or(ReasonNewEpisode::S),
            legal_status: ls,
            placement: p,
            reason_place_change: None,
            end: None,
            reason_ceased: None,
            category_of_need,
        });
        if let Some(reason) = ceased {
            return end_period(episodes, date, reason);
        }
        return Ok(());
    }
    let Some(current) = open else {
        return Err(broken(date, "the child is not looked after on this date"));
    };
    if legal_status.is_some() || placement.is_some() {
        if current.legal_status == LegalStatus::V3 {
            return Err(broken(date, "a short break recorded as its own period of care cannot change part-way"));
        }
        let ls = legal_status.unwrap_or(current.legal_status);
        let p = placement.clone().unwrap_or_else(|| current.placement.clone());
        let ls_changed = ls != current.legal_status;
        let place_changed = p != current.placement;
        let same_carer = p.carer == current.placement.carer;
        let rne = match (ls_changed, place_changed, same_carer) {
            (false, false, _) => {
                return Err(broken(date, "nothing changed: the legal status and placement are as before"))
            }
            (true, false, _) => ReasonNewEpisode::L,
            (false, true, false) => ReasonNewEpisode::P,
            (false, true, true) => ReasonNewEpisode::T,
            (true, true, false) => ReasonNewEpisode::U,
            (true, true, true) => ReasonNewEpisode::B,
        };
        if current.placement.place.is_temporary() && place_changed {
            check_return_from_temporary(episodes, date, &current, &p)?;
        }
        if place_changed && p.place.is_temporary() && ls_changed {
            return Err(broken(date, "a temporary move cannot come with a change of legal status"));
        }
        if let Some(last) = episodes.last_mut() {
            last.end = Some(date);
            last.reason_ceased = Some(ReasonEpisodeCeased::X1);
        }
        episodes.push(CareEpisode {
            start: date,
            reason_new_episode: rne,
            legal_status: ls,
            placement: p,
            reason_place_change: if place_changed { place_reason } else { None },
            end: None,
            reason_ceased: None,
            category_of_need: current.category_of_need,
        });
    }
    match ceased {
        Some(reason) => end_period(episodes, date, reason),
        None => Ok(()),
    }
}

/// A child in a temporary placement goes back to the placement before it, within the time a T4
/// placement may last.
fn check_return_from_temporary(
    episodes: &[CareEpisode],
    date: NaiveDate,
    temporary: &CareEpisode,
    next: &Placement,
) -> Result<(), CareRuleBroken> {
    // The spell may span episodes, when the legal status changed during it.
    let spell = episodes.iter().rev().take_while(|e| e.placement == temporary.placement).count().max(1);
    let spell_start = episodes.iter().rev().nth(spell - 1).map_or(temporary.start, |e| e.start);
    if temporary.placement.place == PlacementType::T4 && (date - spell_start).num_days() > MAX_T4_DAYS {
        return Err(broken(date, "a temporary placement for another reason (T4) cannot last more than seven days"));
    }
    let before = episodes.iter().rev().nth(spell).filter(|e| e.end == Some(spell_start));
    match before {
        Some(usual) if usual.placement != *next => {
            Err(broken(date, "after a temporary placement the child goes back to their usual placement"))
        }
        _ => Ok(()),
    }
}

fn end_period(
    episodes: &mut [CareEpisode],
    date: NaiveDate,
    reason: ReasonEpisodeCeased,
) -> Result<(), CareRuleBroken> {
    if reason == ReasonEpisodeCeased::X1 {
        return Err(broken(date, "X1 links episodes within a period of care; choose why care ended"));
    }
    let Some(last) = episodes.last_mut().filter(|e| e.end.is_none()) else {
        return Err(broken(date, "the child is not looked after on this date"));
    };
    if last.placement.place.is_temporary() {
        return Err(broken(date, "a period of care cannot end with a temporary placement"));
    }
    last.end = Some(date);
    last.reason_ceased = Some(reason);
    Ok(())
}

/// A short break that breaks the statutory limits (Care Planning Regulations 2010, reg 48): no
/// single break over 17 days, and no more than 75 days of breaks in any 12 months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortBreakProblem {
    TooLong { start: NaiveDate, days: i64 },
    TooManyDays { year_ending: NaiveDate, days: i64 },
}

/// Checks the short breaks among the episodes, counting a break's days inclusive and an open
/// break up to `today`.
pub fn short_break_problems(episodes: &[CareEpisode], today: NaiveDate) -> Vec<ShortBreakProblem> {
    let breaks: Vec<(NaiveDate, NaiveDate)> = episodes
        .iter()
        .filter(|e| e.legal_status.is_short_break())
        .map(|e| (e.start, e.end.unwrap_or(today)))
        .collect();
    let mut problems = Vec::new();
    for (start, end) in &breaks {
        let days = (*end - *start).num_days() + 1;
        if days > 17 {
            problems.push(ShortBreakProblem::TooLong { start: *start, days });
        }
    }
    // Every 12-month window that ends on the last day of a break.
    for (_, end) in &breaks {
        let from = end.checked_sub_months(chrono::Months::new(12)).unwrap_or(*end);
        let days: i64 = breaks
            .iter()
            .map(|(s, e)| {
                let (s, e) = ((*s).max(from + chrono::Days::new(1)), (*e).min(*end));
                if e >= s {
                    (e - s).num_days() + 1
                } else {
                    0
                }
            })
            .sum();
        if days > 75 && !problems.iter().any(|p| matches!(p, ShortBreakProblem::TooManyDays { .. })) {
            problems.push(ShortBreakProblem::TooManyDays { year_ending: *end, days });
        }
    }
    problems
}
