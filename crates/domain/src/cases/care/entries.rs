//! What staff record in a looked-after child's care, and what it adds up to: the episodes, visits
//! and reviews, times missing, health, asylum status, the care plan, the IRO, the adoption steps
//! and, once care ends, leaving-care support. Each entry is checked against the rest when it is
//! recorded, so what is stored always reads.

use super::adoption::{AdopterMatch, AdoptionProgress, AdoptionStage};
use super::leaving::{leaving_care_clocks, LeavingCare};
use super::*;

/// One entry in a looked-after child's record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum CareEntry {
    Change {
        change: CareChange,
    },
    Visit {
        date: NaiveDate,
        seen_alone: bool,
    },
    /// A looked-after review (reg 33), with the IRO who chaired it.
    Review {
        date: NaiveDate,
        participation: ReviewParticipation,
        #[serde(default)]
        chair: Option<String>,
    },
    /// Missing from placement, or away from it without permission (`away`).
    WentMissing {
        date: NaiveDate,
        away: bool,
    },
    /// Back from being missing or away, and whether a return interview was offered and accepted.
    Returned {
        date: NaiveDate,
        interview_offered: bool,
        interview_accepted: bool,
    },
    HealthCheck {
        date: NaiveDate,
        check: HealthCheck,
    },
    /// A Strengths and Difficulties Questionnaire: its total score (0–40), or why there is none.
    Sdq {
        date: NaiveDate,
        score: Option<u8>,
        reason: Option<SdqReason>,
    },
    /// The child became an unaccompanied asylum-seeking child, or stopped being one (903 UASC).
    Unaccompanied {
        date: NaiveDate,
        asylum_seeking: bool,
    },
    /// The care plan, with its plan for permanence (CPPCR 2010, reg 5).
    CarePlan {
        date: NaiveDate,
        permanence: PermanencePlan,
        summary: String,
    },
    /// The independent reviewing officer for the child's case (Children Act 1989, s25A).
    IroAssigned {
        date: NaiveDate,
        iro: String,
        #[serde(default)]
        name: String,
    },
    /// The agency decision maker decided the child should be placed for adoption (AAR 2005, reg 19).
    AdoptionDecision {
        date: NaiveDate,
        /// The day it was made, when that was before Canopy's record of the child's care began
        /// (a record brought from an old system): it is then recorded on the day the record begins.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before_record: Option<NaiveDate>,
    },
    AdoptionDecisionReversed {
        date: NaiveDate,
        reason: ReasonPlacedCeased,
    },
    /// Matched with approved adopters, who may be the child's foster carers.
    MatchedWithAdopters {
        date: NaiveDate,
        adopters: String,
        #[serde(default)]
        adopters_name: String,
        foster_carers: bool,
        /// As for the decision: the day of a match made before the record of care began.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before_record: Option<NaiveDate>,
    },
    /// A review of a child placed for adoption (AAR 2005, reg 36).
    AdoptionReview {
        date: NaiveDate,
    },
    /// The care leaver's personal adviser (Children (Leaving Care) Act 2000).
    PersonalAdviser {
        date: NaiveDate,
        adviser: String,
    },
    PathwayPlanReviewed {
        date: NaiveDate,
    },
    /// The personal adviser's contact with a care leaver, and their circumstances in the DfE's codes.
    LeaverContact {
        date: NaiveDate,
        in_touch: InTouch,
        accommodation: Option<LeaverAccommodation>,
        suitable: bool,
        activity: Option<LeaverActivity>,
    },
    /// A care leaver whose care ended before Canopy's record began, as an old system's return
    /// (903 OC3) says: looked after for 13 weeks since 14 and at 16 or over, so entitled to
    /// leaving-care support. Recorded before any care the record holds.
    LeftCareBeforeRecord {
        date: NaiveDate,
    },
    /// The care leaver asked for support from their personal adviser up to 25 (CSWA 2017, s3).
    #[serde(rename = "support_to_25")]
    SupportTo25 {
        date: NaiveDate,
    },
    /// The young person became a mother: `date` is her child's birth (903 MOTHER, MC_DOB).
    BecameMother {
        date: NaiveDate,
    },
    /// Convicted, or given a final warning or reprimand (903 CONVICTED).
    Offence {
        date: NaiveDate,
    },
    /// A substance misuse problem identified, and whether an intervention was received, or
    /// else offered (903 SUBSTANCE_MISUSE, INTERVENTION_RECEIVED, INTERVENTION_OFFERED).
    SubstanceMisuse {
        date: NaiveDate,
        intervention_received: bool,
        intervention_offered: bool,
    },
}

impl CareEntry {
    pub fn date(&self) -> NaiveDate {
        use CareEntry::*;
        match self {
            Change { change } => change.date(),
            Visit { date, .. }
            | Review { date, .. }
            | WentMissing { date, .. }
            | Returned { date, .. }
            | HealthCheck { date, .. }
            | Sdq { date, .. }
            | Unaccompanied { date, .. }
            | CarePlan { date, .. }
            | IroAssigned { date, .. }
            | AdoptionDecision { date, .. }
            | AdoptionDecisionReversed { date, .. }
            | MatchedWithAdopters { date, .. }
            | AdoptionReview { date }
            | PersonalAdviser { date, .. }
            | PathwayPlanReviewed { date }
            | LeaverContact { date, .. }
            | SupportTo25 { date }
            | LeftCareBeforeRecord { date }
            | BecameMother { date }
            | Offence { date }
            | SubstanceMisuse { date, .. } => *date,
        }
    }

    /// Within a day, changes in care come in their own order, before anything else that day.
    fn order_in_day(&self) -> u8 {
        match self {
            CareEntry::Change { change } => change.order_in_day(),
            _ => 1,
        }
    }

    /// In words, for the chronology.
    pub fn describe(&self) -> String {
        use CareEntry::*;
        match self {
            Change { change: CareChange::StartedToBeLookedAfter { legal_status, placement, carried_on, .. } } => {
                format!(
                    "{} ({}), {}",
                    match carried_on {
                        Some(_) => "This record of care begins: looked after from before it",
                        None => "Started to be looked after",
                    },
                    legal_status.label(),
                    placement.place.label().to_lowercase()
                )
            }
            Change { change: CareChange::LegalStatusChanged { legal_status, .. } } => {
                format!("Legal status changed: {}", legal_status.label())
            }
            Change { change: CareChange::PlacementChanged { placement, match_not_known, .. } } => format!(
                "Moved placement: {}{}",
                placement.place.label().to_lowercase(),
                if *match_not_known {
                    " (the old system's return does not say when or with whom the match was)"
                } else {
                    ""
                }
            ),
            Change { change: CareChange::CeasedToBeLookedAfter { reason, .. } } => {
                format!("Ceased to be looked after: {}", reason.label().to_lowercase())
            }
            Visit { seen_alone, .. } => {
                format!("Statutory visit{}", if *seen_alone { ", child seen alone" } else { "" })
            }
            Review { participation, .. } => {
                format!("Looked-after review: {}", participation.label().to_lowercase())
            }
            WentMissing { away, .. } => {
                (if *away { "Away from placement without permission" } else { "Missing from placement" }).into()
            }
            Returned { interview_offered, interview_accepted, .. } => format!(
                "Returned; return interview {}",
                match (interview_offered, interview_accepted) {
                    (true, true) => "offered and accepted",
                    (true, false) => "offered, not accepted",
                    _ => "not offered",
                }
            ),
            HealthCheck { check, .. } => format!("Health: {}", check.label().to_lowercase()),
            Sdq { score: Some(score), .. } => format!("Strengths and difficulties questionnaire: score {score}"),
            Sdq { reason, .. } => format!(
                "Strengths and difficulties questionnaire not completed: {}",
                reason.map(|r| r.label().to_lowercase()).unwrap_or_default()
            ),
            Unaccompanied { asylum_seeking: true, .. } => "Unaccompanied asylum-seeking child".into(),
            Unaccompanied { .. } => "No longer an unaccompanied asylum-seeking child".into(),
            CarePlan { permanence, .. } => {
                format!("Care plan: permanence through {}", permanence.label().to_lowercase())
            }
            IroAssigned { name, .. } => format!("Independent reviewing officer: {name}"),
            AdoptionDecision { before_record, .. } => {
                format!("Agency decision: the child should be placed for adoption{}", made_before_record(before_record))
            }
            AdoptionDecisionReversed { reason, .. } => {
                format!("Adoption decision reversed: {}", reason.label().to_lowercase())
            }
            MatchedWithAdopters { adopters_name, foster_carers, before_record, .. } => format!(
                "Matched with adopters {adopters_name}{}{}",
                if *foster_carers { ", the child's foster carers" } else { "" },
                made_before_record(before_record)
            ),
            AdoptionReview { .. } => "Adoption review".into(),
            PersonalAdviser { adviser, .. } => format!("Personal adviser: {adviser}"),
            PathwayPlanReviewed { .. } => "Pathway plan reviewed".into(),
            LeaverContact { in_touch, .. } => format!("Care leaver contact: {}", in_touch.label().to_lowercase()),
            SupportTo25 { .. } => "Asked for leaving-care support up to 25".into(),
            LeftCareBeforeRecord { .. } => {
                "A care leaver: looked after, and left care before this record began (from the old system's return)"
                    .into()
            }
            BecameMother { .. } => "Became a mother".into(),
            Offence { .. } => "Convicted, or given a final warning or reprimand".into(),
            SubstanceMisuse { intervention_received, intervention_offered, .. } => format!(
                "Substance misuse problem identified; intervention {}",
                match (intervention_received, intervention_offered) {
                    (true, _) => "received",
                    (false, true) => "offered, not received",
                    _ => "not offered",
                }
            ),
        }
    }
}

/// A looked-after review as held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewHeld {
    pub date: NaiveDate,
    pub participation: ReviewParticipation,
    pub chair: Option<String>,
}

/// An SDQ as recorded: a score or the reason there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdqResult {
    pub date: NaiveDate,
    pub score: Option<u8>,
    pub reason: Option<SdqReason>,
}

/// The care plan in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanRecorded {
    pub date: NaiveDate,
    pub permanence: PermanencePlan,
    pub summary: String,
}

/// The child's IRO, since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IroOfChild {
    pub since: NaiveDate,
    pub user_id: String,
    pub name: String,
}

/// What a child's care entries come to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareHistory {
    pub episodes: Vec<CareEpisode>,
    pub visits: Vec<NaiveDate>,
    pub reviews: Vec<ReviewHeld>,
    /// Times missing or away, as the 903 Missing table and Annex A read them.
    pub missing: Vec<MissingEpisode>,
    pub health: Vec<(NaiveDate, HealthCheck)>,
    pub sdq: Vec<SdqResult>,
    /// Periods as an unaccompanied asylum-seeking child, as (from, to).
    pub unaccompanied: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub care_plan: Option<CarePlanRecorded>,
    pub iro: Option<IroOfChild>,
    /// Each decision that the child should be placed for adoption, in order.
    pub adoption: Vec<AdoptionProgress>,
    pub leaving: LeavingCare,
    /// The birth of the young person's first child, if she is a mother.
    pub first_child_born: Option<NaiveDate>,
    pub offences: Vec<NaiveDate>,
    /// (date identified, intervention received, intervention offered).
    pub substance_misuse: Vec<(NaiveDate, bool, bool)>,
}

/// A time a looked-after child was missing (M) or away without permission (A).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingEpisode {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub away: bool,
    pub interview_offered: bool,
    pub interview_accepted: bool,
}

impl MissingEpisode {
    /// The 903's code: M for missing, A for away from placement without authorisation.
    pub fn code(&self) -> &'static str {
        if self.away {
            "A"
        } else {
            "M"
        }
    }
}

/// What the store keeps beside the history so that trays, the IRO's list and the adoption board
/// are one query each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareProjection {
    pub clocks: Vec<crate::cases::RunningClock>,
    pub iro: Option<String>,
    pub adoption_stage: Option<AdoptionStage>,
}

impl CareHistory {
    /// Whether the child was looked after on `date`.
    pub fn looked_after_on(&self, date: NaiveDate) -> bool {
        self.episode_on(date).is_some()
    }

    /// The episode the child was in on `date`.
    pub fn episode_on(&self, date: NaiveDate) -> Option<&CareEpisode> {
        self.episodes.iter().rev().find(|e| e.start <= date && e.end.is_none_or(|end| end > date))
    }

    pub fn in_care_now(&self) -> bool {
        self.episodes.last().is_some_and(|e| e.end.is_none())
    }

    /// Whether the young person has been looked after: in Canopy's record, or before it began.
    pub fn ever_looked_after(&self) -> bool {
        !self.episodes.is_empty() || self.leaving.left_before_record.is_some()
    }

    /// The decision to place for adoption that is in force, if any.
    pub fn adoption_in_force(&self) -> Option<&AdoptionProgress> {
        self.adoption.last().filter(|a| a.in_force())
    }

    pub fn adoption_stage(&self) -> Option<AdoptionStage> {
        self.adoption.last().map(AdoptionProgress::stage)
    }

    /// The clocks this care sets running: looked-after reviews and visits, adoption reviews, and
    /// leaving care (which needs the date of birth).
    pub fn clocks(
        &self,
        calendar: &crate::calendar::WorkingCalendar,
        date_of_birth: Option<NaiveDate>,
    ) -> Vec<crate::cases::RunningClock> {
        let reviews: Vec<NaiveDate> = self.reviews.iter().map(|r| r.date).collect();
        let adoption_reviews = self.adoption_in_force().map(|a| a.reviews.clone()).unwrap_or_default();
        let record = CareRecord {
            episodes: &self.episodes,
            reviews: &reviews,
            visits: &self.visits,
            adoption_reviews: &adoption_reviews,
            ..CareRecord::default()
        };
        let mut clocks = care_clocks(&record, calendar);
        if let Some(dob) = date_of_birth {
            clocks.extend(leaving_care_clocks(dob, &self.episodes, &self.leaving));
        }
        clocks
    }

    /// How long the record is kept (security.md's defaults): 100 years from an adoption order,
    /// otherwise to the 75th birthday of a child who was looked after.
    pub fn keep_until(&self, date_of_birth: Option<NaiveDate>) -> Option<NaiveDate> {
        use crate::calendar::add_months;
        match self.adoption.iter().find_map(|a| a.adopted) {
            Some(adopted) => Some(add_months(adopted, 100 * 12)),
            None if self.ever_looked_after() => date_of_birth.map(|d| add_months(d, 75 * 12)),
            None => None,
        }
    }

    pub fn projection(
        &self,
        calendar: &crate::calendar::WorkingCalendar,
        date_of_birth: Option<NaiveDate>,
    ) -> CareProjection {
        CareProjection {
            clocks: self.clocks(calendar, date_of_birth),
            iro: self.iro.as_ref().map(|i| i.user_id.clone()),
            adoption_stage: self.adoption_stage(),
        }
    }
}

const NOT_LOOKED_AFTER: &str = "the child was not looked after on this date";

/// Reads a child's care entries, refusing what the rules do not allow: episodes as
/// [`derive_episodes`] allows them; visits, reviews, health, the care plan and the adoption
/// steps only while the child is looked after; leaving-care contact only once care has ended.
pub fn care_history(entries: &[CareEntry]) -> Result<CareHistory, CareRuleBroken> {
    let changes: Vec<CareChange> = entries
        .iter()
        .filter_map(|e| match e {
            CareEntry::Change { change } => Some(change.clone()),
            _ => None,
        })
        .collect();
    let mut history = CareHistory { episodes: derive_episodes(&changes)?, ..CareHistory::default() };
    let mut in_order: Vec<&CareEntry> = entries.iter().collect();
    in_order.sort_by_key(|e| (e.date(), e.order_in_day()));
    for entry in in_order {
        apply(&mut history, entry)?;
    }
    Ok(history)
}

fn apply(h: &mut CareHistory, entry: &CareEntry) -> Result<(), CareRuleBroken> {
    use CareEntry::*;
    let date = entry.date();
    let needs_care = !matches!(
        entry,
        Change { .. }
            | Returned { .. }
            | Unaccompanied { .. }
            | PersonalAdviser { .. }
            | PathwayPlanReviewed { .. }
            | LeaverContact { .. }
            | SupportTo25 { .. }
            | LeftCareBeforeRecord { .. }
            | BecameMother { .. }
    );
    if needs_care && !h.looked_after_on(date) {
        return Err(broken(date, NOT_LOOKED_AFTER));
    }
    match entry {
        Change { change } => apply_adoption_change(h, change)?,
        Visit { date, .. } => h.visits.push(*date),
        Review { date, participation, chair } => {
            h.reviews.push(ReviewHeld { date: *date, participation: *participation, chair: chair.clone() })
        }
        WentMissing { date, away } => {
            if h.missing.last().is_some_and(|m| m.end.is_none()) {
                return Err(broken(*date, "the child is already missing or away: record their return first"));
            }
            h.missing.push(MissingEpisode {
                start: *date,
                end: None,
                away: *away,
                interview_offered: false,
                interview_accepted: false,
            })
        }
        Returned { date, interview_offered, interview_accepted } => {
            let Some(open) = h.missing.last_mut().filter(|m| m.end.is_none()) else {
                return Err(broken(*date, "the child was not missing or away"));
            };
            if *interview_accepted && !*interview_offered {
                return Err(broken(*date, "a return interview can only be accepted if it was offered"));
            }
            open.end = Some(*date);
            open.interview_offered = *interview_offered;
            open.interview_accepted = *interview_accepted;
        }
        HealthCheck { date, check } => h.health.push((*date, *check)),
        Sdq { date, score, reason } => {
            match (score, reason) {
                (Some(s), None) if *s <= 40 => {}
                (Some(_), None) => return Err(broken(*date, "an SDQ total score is between 0 and 40")),
                (None, Some(_)) => {}
                _ => return Err(broken(*date, "give either the SDQ score or the reason there is none, not both")),
            }
            h.sdq.push(SdqResult { date: *date, score: *score, reason: *reason })
        }
        Unaccompanied { date, asylum_seeking } => {
            let open = h.unaccompanied.last_mut().filter(|(_, to)| to.is_none());
            match (asylum_seeking, open) {
                (true, None) => h.unaccompanied.push((*date, None)),
                (true, Some(_)) => {
                    return Err(broken(*date, "the child is already recorded as an unaccompanied asylum seeker"))
                }
                (false, Some(open)) => open.1 = Some(*date),
                (false, None) => {
                    return Err(broken(*date, "the child is not recorded as an unaccompanied asylum seeker"))
                }
            }
        }
        CarePlan { date, permanence, summary } => {
            h.care_plan = Some(CarePlanRecorded { date: *date, permanence: *permanence, summary: summary.clone() })
        }
        IroAssigned { date, iro, name } => {
            h.iro = Some(IroOfChild { since: *date, user_id: iro.clone(), name: name.clone() })
        }
        AdoptionDecision { date, before_record } => {
            check_before_record(h, *date, *before_record)?;
            if h.adoption_in_force().is_some() {
                return Err(broken(
                    *date,
                    "a decision that the child should be placed for adoption is already in force",
                ));
            }
            let placement_order = h.episode_on(*date).filter(|e| e.legal_status == LegalStatus::E1).map(|_| *date);
            h.adoption.push(AdoptionProgress::decided(before_record.unwrap_or(*date), placement_order));
        }
        AdoptionDecisionReversed { date, reason } => {
            let placed = h.episode_on(*date).is_some_and(|e| e.placement.place.is_placed_for_adoption());
            let Some(progress) = h.adoption.last_mut().filter(|a| a.in_force()) else {
                return Err(broken(*date, "there is no decision to place the child for adoption to reverse"));
            };
            if placed {
                return Err(broken(*date, "record the child's move from their adoptive placement first"));
            }
            progress.ceased = Some((*date, *reason));
        }
        MatchedWithAdopters { date, adopters, adopters_name, foster_carers, before_record } => {
            check_before_record(h, *date, *before_record)?;
            // A record that begins with the child placed for adoption, matched before it began.
            let placed_as_record_begins = before_record.is_some()
                && h.episode_on(*date).is_some_and(|e| e.placement.place.is_placed_for_adoption());
            let Some(progress) = h.adoption.last_mut().filter(|a| a.in_force()) else {
                return Err(broken(*date, "a child is matched only after the decision to place them for adoption"));
            };
            if progress.placed.is_some() {
                return Err(broken(*date, "the child is already placed for adoption"));
            }
            progress.matched = Some(AdopterMatch {
                date: before_record.unwrap_or(*date),
                adopters: adopters.clone(),
                adopters_name: adopters_name.clone(),
                foster_carers: *foster_carers,
            });
            if placed_as_record_begins {
                progress.placed = Some(*date);
            }
        }
        AdoptionReview { date } => {
            let placed = h.episode_on(*date).is_some_and(|e| e.placement.place.is_placed_for_adoption());
            match h.adoption.last_mut().filter(|a| a.in_force()) {
                Some(progress) if placed => progress.reviews.push(*date),
                _ => return Err(broken(*date, "adoption reviews are held while the child is placed for adoption")),
            }
        }
        PersonalAdviser { date, adviser } => {
            check_ever_looked_after(h, *date)?;
            h.leaving.adviser = Some((*date, adviser.clone()));
        }
        PathwayPlanReviewed { date } => {
            check_ever_looked_after(h, *date)?;
            h.leaving.plan_reviews.push(*date);
        }
        LeaverContact { date, in_touch, accommodation, suitable, activity } => {
            check_left_care(h, *date)?;
            if !in_touch.has_circumstances() && (accommodation.is_some() || activity.is_some()) {
                return Err(broken(
                    *date,
                    "no accommodation or activity is recorded for a young person who has died or returned home",
                ));
            }
            h.leaving.contacts.push(super::leaving::LeaverContactHeld {
                date: *date,
                in_touch: *in_touch,
                accommodation: *accommodation,
                suitable: *suitable,
                activity: *activity,
            });
        }
        SupportTo25 { date } => {
            check_left_care(h, *date)?;
            h.leaving.support_to_25 = Some(*date);
        }
        LeftCareBeforeRecord { date } => {
            if h.episodes.first().is_some_and(|e| e.start <= *date) || h.leaving.left_before_record.is_some() {
                return Err(broken(*date, "care that ended before the record began comes before any care it holds"));
            }
            h.leaving.left_before_record = Some(*date);
        }
        BecameMother { date } => {
            // Her child may have been born before she came into care.
            if !h.ever_looked_after() {
                return Err(broken(*date, "motherhood is recorded for a young person who is or was looked after"));
            }
            h.first_child_born.get_or_insert(*date);
        }
        Offence { date } => h.offences.push(*date),
        SubstanceMisuse { date, intervention_received, intervention_offered } => {
            if *intervention_received && !*intervention_offered {
                return Err(broken(*date, "an intervention that was received was also offered"));
            }
            h.substance_misuse.push((*date, *intervention_received, *intervention_offered))
        }
    }
    Ok(())
}

/// A step taken before Canopy's record of the child's care began is recorded on the day it begins,
/// with the earlier day it was taken.
fn check_before_record(h: &CareHistory, date: NaiveDate, before: Option<NaiveDate>) -> Result<(), CareRuleBroken> {
    let Some(before) = before else { return Ok(()) };
    if before >= date {
        return Err(broken(date, "the day the step was taken before the record began must be before this day"));
    }
    if h.episodes.first().map(|e| e.start) != Some(date) {
        return Err(broken(date, "a step taken before the record of care began is recorded on the day it begins"));
    }
    Ok(())
}

/// ", made on 14 December 2024, before this record of care began", or nothing.
fn made_before_record(before: &Option<NaiveDate>) -> String {
    before.map(|d| format!(", made on {}, before this record of care began", d.format("%-d %B %Y"))).unwrap_or_default()
}

fn check_ever_looked_after(h: &CareHistory, date: NaiveDate) -> Result<(), CareRuleBroken> {
    let from = h.episodes.first().map(|first| first.start).into_iter().chain(h.leaving.left_before_record).min();
    match from {
        Some(from) if from <= date => Ok(()),
        _ => Err(broken(date, "the young person had not been looked after by this date")),
    }
}

fn check_left_care(h: &CareHistory, date: NaiveDate) -> Result<(), CareRuleBroken> {
    check_ever_looked_after(h, date)?;
    if h.looked_after_on(date) {
        return Err(broken(date, "the young person is still looked after: record a visit or a review instead"));
    }
    Ok(())
}

/// The adoption steps that are changes in care: the placement order (legal status E1), placing
/// for adoption (A3–A6) and the adoption order (E11, E12).
fn apply_adoption_change(h: &mut CareHistory, change: &CareChange) -> Result<(), CareRuleBroken> {
    let date = change.date();
    match change {
        CareChange::LegalStatusChanged { legal_status: LegalStatus::E1, .. }
        | CareChange::StartedToBeLookedAfter { legal_status: LegalStatus::E1, .. } => {
            if let Some(progress) = h.adoption.last_mut().filter(|a| a.in_force()) {
                progress.placement_order.get_or_insert(date);
            }
        }
        _ => {}
    }
    if let CareChange::PlacementChanged { placement, match_not_known, .. } = change {
        if *match_not_known && !placement.place.is_placed_for_adoption() {
            return Err(broken(date, "only a placement for adoption can be without its match"));
        }
        if placement.place.is_placed_for_adoption() {
            let legal_status = h.episode_on(date).map(|e| e.legal_status);
            let Some(progress) = h.adoption.last_mut().filter(|a| a.in_force()) else {
                return Err(broken(date, "a child is placed for adoption only after the agency decision"));
            };
            if progress.matched.is_none() && !match_not_known {
                return Err(broken(date, "record the match with the adopters before placing the child with them"));
            }
            let with_order = matches!(placement.place, PlacementType::A5 | PlacementType::A6);
            if with_order != (legal_status == Some(LegalStatus::E1)) {
                return Err(broken(
                    date,
                    if with_order {
                        "a placement for adoption under a placement order needs the placement order (legal status E1)"
                    } else {
                        "the child has a placement order: choose a placement for adoption under it (A5 or A6)"
                    },
                ));
            }
            progress.placed.get_or_insert(date);
        }
    }
    if let CareChange::CeasedToBeLookedAfter { reason, .. } = change {
        if matches!(reason, ReasonEpisodeCeased::E11 | ReasonEpisodeCeased::E12) {
            let ending = h.episodes.iter().find(|e| e.end == Some(date) && e.reason_ceased == Some(*reason));
            let placed = ending.is_some_and(|e| e.placement.place.is_placed_for_adoption());
            match h.adoption.last_mut().filter(|a| a.in_force()) {
                Some(progress) if placed => progress.adopted = Some(date),
                _ => return Err(broken(date, "an adoption order ends care only for a child placed for adoption")),
            }
        }
    }
    Ok(())
}
