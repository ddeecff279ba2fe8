//! A child from an SSDA903 as Canopy records them: their details, and their care as the entries
//! that would have made it, checked by the same rules as a save. What the return does not say
//! (names, carers) is recorded as not known, never guessed. A year's outcomes (OC2, OC3) carry
//! no dates, so they are recorded on a day of the year they are about, and the return of that
//! year gives them back. An AD1 row becomes adopters in the shared adoption service and the
//! child's match with them. The tables Canopy keeps no entry for (PrevPerm, DoLo), and social
//! worker episodes whose worker Canopy does not know, are reported, not dropped. A return begins
//! part-way through most children's care: the record begins where the file does, keeps why its
//! first episode began, and keeps the own days of a decision or match made before it; a placement
//! for adoption without an AD1 row stands without its match; a care leaver with no episode is one
//! whose care ended before the record began.

use super::rules::{CareRecord, Table};
use super::tables::EpisodeRow;
use super::UnreadableCell;
use crate::adoption::{validate_adopters, AdopterInput, ValidAdopters};
use crate::calendar::add_months;
use crate::cases::care::{
    care_history, CareChange, CareEntry, CareHistory, HealthCheck, InTouch, LeaverAccommodation, LeaverActivity,
    LegalStatus, Placement, PlacementProvider, PlacementType, ReasonEpisodeCeased, ReasonNewEpisode, ReasonPlaceChange,
    ReasonPlacedCeased, ReviewParticipation, SdqReason,
};
use crate::cases::{PrimaryNeed, WorkerChangeReason};
use crate::people::ChildInput;
use crate::returns::cin::import::{FROM_OLD_SYSTEM, NAME_NOT_KNOWN};
use crate::returns::CollectionYear;
use chrono::Datelike;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The child's details as a form would give them, from their header row.
pub fn child_input(c: &CareRecord) -> ChildInput {
    let h = c.head();
    let text = |v: Option<&Option<String>>| v.and_then(|v| v.clone()).unwrap_or_default();
    let upn = text(h.map(|h| &h.upn));
    let unknown = upn.starts_with("UN") && upn.len() == 3;
    ChildInput {
        first_name: NAME_NOT_KNOWN.into(),
        last_name: NAME_NOT_KNOWN.into(),
        date_of_birth: h.and_then(|h| h.dob),
        expected_date_of_birth: None,
        sex: text(h.map(|h| &h.sex)),
        ethnicity: text(h.map(|h| &h.ethnic)),
        disabilities: vec![],
        nhs_number: String::new(),
        upn: if unknown { String::new() } else { upn.clone() },
        former_upn: String::new(),
        upn_unknown: if unknown { upn } else { String::new() },
        local_id: c.child.to_string(),
        date_of_death: None,
    }
}

fn code<T>(value: &Option<String>, read: impl Fn(&str) -> Option<T>, what: &str, at: &str) -> Result<T, String> {
    let text = value.as_deref().unwrap_or("");
    read(text).ok_or_else(|| format!("{at}: {what} '{text}' is not one of the 903's codes"))
}

/// The carer of the `n`th carer of the child's record: the 903 does not name carers, only
/// whether a move was to new carers (RNE P and U) or the same carers elsewhere (T and B).
fn carer(n: usize) -> String {
    format!("Carers {n}: {FROM_OLD_SYSTEM}")
}

fn placement(e: &EpisodeRow, carer: String, at: &str) -> Result<Placement, String> {
    Ok(Placement {
        place: code(&e.place, PlacementType::from_code, "the placement type (PLACE)", at)?,
        provider: match &e.place_provider {
            None => None,
            provider => Some(code(provider, PlacementProvider::from_code, "the placement provider", at)?),
        },
        carer,
        postcode: e.pl_post.clone(),
        urn: e.urn.clone(),
        address: None,
    })
}

/// The care entries of the child's episodes, reviews, missing periods and UASC status, in the
/// order they happened, and the care they make, checked by the care rules.
pub fn care_entries(c: &CareRecord, more: &[CareEntry]) -> Result<(Vec<CareEntry>, CareHistory), String> {
    let mut entries = Vec::new();
    let matched = more.iter().any(|e| matches!(e, CareEntry::MatchedWithAdopters { .. }));
    let mut previous: Option<&EpisodeRow> = None;
    let (mut carers, mut next_carer, mut before_temporary) = (0, 1, 0);
    for e in &c.episodes {
        let at = format!("Episodes row {}", e.number);
        let date = e.decom.ok_or_else(|| format!("{at}: the episode has no start date (DECOM)"))?;
        let rne = e.rne.as_deref().unwrap_or("");
        let in_care = previous.is_some_and(|p| p.rec.as_deref() == Some("X1"));
        let legal_status = || code(&e.ls, LegalStatus::from_code, "the legal status (LS)", &at);
        let change = |change: CareChange| CareEntry::Change { change };
        let back_from_temporary = previous.is_some_and(|p| {
            PlacementType::from_code(p.place.as_deref().unwrap_or("")).is_some_and(|t| t.code().starts_with('T'))
        });
        if back_from_temporary {
            // The child goes back to the carers they had before the temporary placement.
            carers = before_temporary;
        } else if matches!(rne, "S" | "P" | "U") {
            before_temporary = carers;
            carers = next_carer;
            next_carer += 1;
        }
        // A child's first episode in the file may carry on care that began before the return's
        // year (RNE P, T, U, B or L): Canopy's record of their care begins with it, and keeps
        // why it began.
        let carries_on = previous.is_none() && carries_on_care(rne);
        match (if carries_on { "S" } else { rne }, in_care) {
            ("S", false) => entries.push(change(CareChange::StartedToBeLookedAfter {
                date,
                legal_status: legal_status()?,
                placement: placement(e, carer(carers), &at)?,
                category_of_need: e.cin.as_deref().and_then(PrimaryNeed::from_code),
                carried_on: ReasonNewEpisode::from_code(rne).filter(|_| carries_on),
            })),
            ("S", true) => {
                return Err(format!("{at}: care begins again (RNE S) but the previous episode did not end it"))
            }
            (_, false) => {
                return Err(format!("{at}: the reason for new episode is '{rne}', but the child was not in care"))
            }
            ("L", true) => entries.push(change(CareChange::LegalStatusChanged { date, legal_status: legal_status()? })),
            ("P" | "T" | "U" | "B", true) => {
                if matches!(rne, "U" | "B") {
                    entries.push(change(CareChange::LegalStatusChanged { date, legal_status: legal_status()? }));
                }
                let reason =
                    previous.and_then(|p| p.reason_place_change.as_deref()).and_then(ReasonPlaceChange::from_code);
                let placement = placement(e, carer(carers), &at)?;
                // Without an AD1 row (a child placed but not yet adopted) the return does not
                // say when or with whom the child was matched.
                let match_not_known = placement.place.is_placed_for_adoption() && !matched;
                entries.push(change(CareChange::PlacementChanged { date, placement, reason, match_not_known }));
            }
            _ => return Err(format!("{at}: the reason for new episode '{rne}' is not one of the 903's codes")),
        }
        match (e.dec, e.rec.as_deref()) {
            (None, None) | (Some(_), Some("X1")) => {}
            (Some(end), Some(_)) => entries.push(change(CareChange::CeasedToBeLookedAfter {
                date: end,
                reason: code(&e.rec, ReasonEpisodeCeased::from_code, "the reason episode ceased (REC)", &at)?,
            })),
            _ => return Err(format!("{at}: the date and the reason the episode ceased must both be given")),
        }
        previous = Some(e.row);
    }
    for r in &c.reviews {
        let at = format!("Reviews row {}", r.number);
        let date = r.review.ok_or_else(|| format!("{at}: the review has no date"))?;
        let participation = code(&r.review_code, ReviewParticipation::from_code, "the participation code", &at)?;
        entries.push(CareEntry::Review { date, participation, chair: None });
    }
    for m in &c.missing {
        let at = format!("Missing row {}", m.number);
        let date = m.mis_start.ok_or_else(|| format!("{at}: the missing period has no start date"))?;
        entries.push(CareEntry::WentMissing { date, away: m.missing.as_deref() == Some("A") });
        if let Some(back) = m.mis_end {
            entries.push(CareEntry::Returned { date: back, interview_offered: false, interview_accepted: false });
        }
    }
    for p in &c.placed_adoption {
        let at = format!("PlacedAdoption row {}", p.number);
        let decided = p.date_placed.ok_or_else(|| format!("{at}: the decision has no date (DATE_PLACED)"))?;
        let (date, before_record) = on_record(c, decided);
        entries.push(CareEntry::AdoptionDecision { date, before_record });
        match (p.date_placed_ceased, &p.reason_placed_ceased) {
            (None, None) => {}
            (Some(ceased), reason @ Some(_)) => entries.push(CareEntry::AdoptionDecisionReversed {
                date: ceased,
                reason: code(reason, ReasonPlacedCeased::from_code, "the reason the decision ceased", &at)?,
            }),
            _ => return Err(format!("{at}: the date and the reason the decision ceased must both be given")),
        }
    }
    if !c.uasc.is_empty() {
        let first: Option<NaiveDate> = c.episodes.iter().filter_map(|e| e.decom).min();
        if let Some(date) = first {
            entries.push(CareEntry::Unaccompanied { date, asylum_seeking: true });
        }
    }
    // After the file's own entries, so that on one day a match follows the decision.
    entries.extend_from_slice(more);
    let history = care_history(&entries).map_err(|e| format!("the child's care breaks a rule: {}", e.0))?;
    Ok((entries, history))
}

/// A change of the child's social worker, as the record keeps it: from a day, the worker (none when
/// the child is left unallocated) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerChange {
    pub date: NaiveDate,
    pub worker: Option<String>,
    pub reason: Option<WorkerChangeReason>,
}

/// The child's social worker episodes as changes of worker, each worker found by their SW_ID (their
/// Social Work England number) with `worker_of`. Gives the changes and how many episodes name a
/// worker Canopy does not know, or have no start date: those are left out and reported.
pub fn worker_changes(c: &CareRecord, worker_of: &dyn Fn(&str) -> Option<String>) -> (Vec<WorkerChange>, usize) {
    let mut rows: Vec<_> = c.sw_episodes.iter().collect();
    rows.sort_by_key(|r| (r.sw_decom.is_none(), r.sw_decom, r.at));
    let mut changes: Vec<WorkerChange> = Vec::new();
    let mut unknown = 0;
    for (i, r) in rows.iter().enumerate() {
        let (Some(date), Some(worker)) = (r.sw_decom, r.sw_id.as_deref().and_then(worker_of)) else {
            unknown += 1;
            continue;
        };
        let reason = r.sw_reason.as_deref().and_then(WorkerChangeReason::from_code);
        changes.push(WorkerChange { date, worker: Some(worker), reason });
        // An episode that ends with no other starting that day leaves the child unallocated.
        let next_starts = rows.get(i + 1).and_then(|n| n.sw_decom);
        if let Some(end) = r.sw_dec.filter(|end| next_starts != Some(*end)) {
            changes.push(WorkerChange { date: end, worker: None, reason: None });
        }
    }
    (changes, unknown)
}

/// Rows of one of a child's tables that the import leaves out, and why, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotImported {
    pub table: &'static str,
    pub rows: usize,
    pub reason: String,
}

/// The latest date in a return's care: its episodes, reviews, missing periods, placements for
/// adoption, social workers and adoptions.
pub fn latest_date_of(census: &super::Ssda903Return) -> Option<NaiveDate> {
    let dates = census
        .episodes
        .iter()
        .flat_map(|e| [e.decom, e.dec])
        .chain(census.reviews.iter().map(|r| r.review))
        .chain(census.missing.iter().flat_map(|m| [m.mis_start, m.mis_end]))
        .chain(census.placed_adoption.iter().flat_map(|p| [p.date_placed, p.date_placed_ceased]))
        .chain(census.sw_episodes.iter().flat_map(|w| [w.sw_decom, w.sw_dec]))
        .chain(census.ad1.iter().flat_map(|a| [a.date_int, a.date_match]));
    dates.flatten().max()
}

/// The first collection year whose reference date (31 March) is on or after `latest`.
pub fn collection_year_ending_after(latest: NaiveDate) -> CollectionYear {
    let year = if (latest.month(), latest.day()) <= (3, 31) { latest.year() } else { latest.year() + 1 };
    CollectionYear(year)
}

/// The values of a return that could not be read, by the row they are in, to tell a child whose
/// rows hold one why they cannot come in as the file has them.
pub struct UnreadableValues<'a>(HashMap<(&'static str, usize), Vec<&'a UnreadableCell>>);

impl<'a> UnreadableValues<'a> {
    pub fn of(census: &'a super::Ssda903Return) -> Self {
        let mut by_row: HashMap<_, Vec<_>> = HashMap::new();
        for u in &census.unreadable {
            by_row.entry((u.table, u.row)).or_default().push(u);
        }
        UnreadableValues(by_row)
    }

    /// Each value of the child's rows that could not be read, as "Episodes row 2: DEC
    /// '31/13/2025' cannot be read". The tables the import leaves out are not looked at.
    pub fn of_child(&self, c: &CareRecord) -> Vec<String> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let left_out = [Table::PrevPerm, Table::Dolo];
        let mut found = Vec::new();
        for (table, at, number) in c.rows().into_iter().filter(|(t, ..)| !left_out.contains(t)) {
            for u in self.0.get(&(table.name(), at)).into_iter().flatten() {
                found.push(format!("{} row {number}: {} '{}' cannot be read", table.name(), u.column, u.value));
            }
        }
        found
    }
}

/// A 0 or 1 of an outcome table: `None` when blank.
fn yes_no(value: &Option<String>, column: &str, at: &str) -> Result<Option<bool>, String> {
    match value.as_deref().unwrap_or("") {
        "" => Ok(None),
        "0" => Ok(Some(false)),
        "1" => Ok(Some(true)),
        other => Err(format!("{at}: {column} '{other}' is not 0 or 1")),
    }
}

/// The entries of the child's OC2 row. The 903 gives the year's outcomes without their dates:
/// each is recorded on `on`, a day of the year the child was looked after.
fn oc2_entries(c: &CareRecord, on: NaiveDate) -> Result<Vec<CareEntry>, String> {
    let mut entries = Vec::new();
    for r in &c.oc2 {
        let at = format!("OC2 row {}", r.number);
        let score = match r.sdq_score.as_deref().unwrap_or("") {
            "" => None,
            s => Some(s.parse::<u8>().map_err(|_| format!("{at}: SDQ_SCORE '{s}' is not a whole number"))?),
        };
        let reason = match &r.sdq_reason {
            None => None,
            reason => Some(code(reason, SdqReason::from_code, "the SDQ reason (SDQ_REASON)", &at)?),
        };
        if score.is_some() || reason.is_some() {
            entries.push(CareEntry::Sdq { date: on, score, reason });
        }
        if yes_no(&r.convicted, "CONVICTED", &at)? == Some(true) {
            entries.push(CareEntry::Offence { date: on });
        }
        // HEALTH_CHECK (under 5s' development checks) is the health assessment Canopy records.
        let assessed = yes_no(&r.health_assessment, "HEALTH_ASSESSMENT", &at)? == Some(true)
            || yes_no(&r.health_check, "HEALTH_CHECK", &at)? == Some(true);
        let checks = [
            (assessed, HealthCheck::HealthAssessment),
            (yes_no(&r.immunisations, "IMMUNISATIONS", &at)? == Some(true), HealthCheck::Immunisations),
            (yes_no(&r.teeth_check, "TEETH_CHECK", &at)? == Some(true), HealthCheck::DentalCheck),
        ];
        entries.extend(
            checks.into_iter().filter(|(done, _)| *done).map(|(_, check)| CareEntry::HealthCheck { date: on, check }),
        );
        if yes_no(&r.substance_misuse, "SUBSTANCE_MISUSE", &at)? == Some(true) {
            let received = yes_no(&r.intervention_received, "INTERVENTION_RECEIVED", &at)? == Some(true);
            let offered = yes_no(&r.intervention_offered, "INTERVENTION_OFFERED", &at)? == Some(true);
            entries.push(CareEntry::SubstanceMisuse {
                date: on,
                intervention_received: received,
                intervention_offered: offered || received,
            });
        }
    }
    Ok(entries)
}

/// The entries of the child's OC3 row: a contact on the birthday the row is about.
fn oc3_entries(c: &CareRecord, start: NaiveDate, end: NaiveDate) -> Result<Vec<CareEntry>, String> {
    let mut entries = Vec::new();
    for r in &c.oc3 {
        let at = format!("OC3 row {}", r.number);
        let dob = r.dob.or_else(|| c.head().and_then(|h| h.dob));
        let birthday =
            dob.and_then(|dob| (17..=21).map(|age| add_months(dob, age * 12)).find(|d| (start..=end).contains(d)));
        let Some(date) = birthday else {
            return Err(format!("{at}: the young person has no 17th to 21st birthday in the year"));
        };
        let in_touch = code(&r.in_touch, InTouch::from_code, "IN_TOUCH", &at)?;
        let activity = match r.activ.as_deref().unwrap_or("0") {
            "0" | "" => None,
            _ => Some(code(&r.activ, LeaverActivity::from_code, "the activity (ACTIV)", &at)?),
        };
        let (accommodation, suitable) = match r.accom.as_deref().unwrap_or("0") {
            "0" | "" => (None, false),
            accom => {
                let (letter, digit) = accom.split_at(accom.len().saturating_sub(1));
                let place = LeaverAccommodation::from_code(letter).filter(|_| matches!(digit, "1" | "2"));
                let place = place.ok_or_else(|| {
                    format!("{at}: the accommodation (ACCOM) '{accom}' is not one of the 903's codes")
                })?;
                (Some(place), digit == "1")
            }
        };
        entries.push(CareEntry::LeaverContact { date, in_touch, accommodation, suitable, activity });
    }
    Ok(entries)
}

/// Adds `more` to the child's care entries if all of them together keep the care rules.
fn add_entries(entries: &mut Vec<CareEntry>, history: &mut CareHistory, more: Vec<CareEntry>) -> Result<(), String> {
    let all: Vec<CareEntry> = entries.iter().cloned().chain(more).collect();
    let checked = care_history(&all).map_err(|e| format!("the row breaks a care rule: {}", e.0))?;
    (*entries, *history) = (all, checked);
    Ok(())
}

/// The adopters a child's AD1 row names, and the child's match with them. The 903 gives who the
/// adopters are and when they were matched, not their names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMatch {
    pub adopters: ValidAdopters,
    pub matched: NaiveDate,
    pub foster_carers: bool,
}

/// The adopters and match of the child's AD1 row, if they have one.
pub fn ad1_match(c: &CareRecord) -> Result<Option<ImportedMatch>, String> {
    let Some(r) = c.ad1.first() else { return Ok(None) };
    let at = format!("AD1 row {}", r.number);
    let matched = r.date_match.ok_or_else(|| format!("{at}: the date of the match (DATE_MATCH) is missing"))?;
    let input = AdopterInput {
        name: NAME_NOT_KNOWN.into(),
        sexes: r.sex_adoptr.clone().unwrap_or_default(),
        legal_status: r.ls_adoptr.clone().unwrap_or_default(),
    };
    let adopters = validate_adopters(&input).map_err(|errors| {
        let column = |field: &str| if field == "sexes" { "SEX_ADOPTR" } else { "LS_ADOPTR" };
        let why: Vec<String> = errors.0.iter().map(|e| format!("{}: {}", column(&e.field), e.message)).collect();
        format!("{at}: {}", why.join("; "))
    })?;
    let number = r.nb_adoptr.as_deref().unwrap_or("");
    if number != adopters.sexes.number().to_string() {
        return Err(format!("{at}: NB_ADOPTR '{number}' does not match SEX_ADOPTR '{}'", adopters.sexes.code()));
    }
    let foster_carers = yes_no(&r.foster_care, "FOSTER_CARE", &at)?.unwrap_or(false);
    Ok(Some(ImportedMatch { adopters, matched, foster_carers }))
}

/// The child's match with the adopters whose record will be `adopters_id`, as a care entry.
pub fn match_entry(c: &CareRecord, adopters_id: &str, m: &ImportedMatch) -> CareEntry {
    let (date, before_record) = on_record(c, m.matched);
    CareEntry::MatchedWithAdopters {
        date,
        adopters: adopters_id.into(),
        adopters_name: m.adopters.name.clone(),
        foster_carers: m.foster_carers,
        before_record,
    }
}

/// The day Canopy's record of the child's care begins, when the child's first episode in the file
/// carries on care that began before it (RNE other than S): the file says nothing of the care
/// before that day.
fn record_begins(c: &CareRecord) -> Option<NaiveDate> {
    let first = c.episodes.first()?;
    first.decom.filter(|_| carries_on_care(first.rne.as_deref().unwrap_or("")))
}

/// Whether an episode with this RNE carries on care rather than beginning it.
fn carries_on_care(rne: &str) -> bool {
    matches!(rne, "P" | "T" | "U" | "B" | "L")
}

/// The day a step is recorded on, and the day it was taken when that was before the record of
/// care begins: a decision to place for adoption or a match from an earlier year.
fn on_record(c: &CareRecord, taken: NaiveDate) -> (NaiveDate, Option<NaiveDate>) {
    match record_begins(c) {
        Some(begins) if taken < begins => (begins, Some(taken)),
        _ => (taken, None),
    }
}

/// The day the child was placed with the adopters they were matched with, if they were.
pub fn placed_with_match(history: &CareHistory) -> Option<NaiveDate> {
    history.adoption.iter().rev().find(|a| a.matched.is_some()).and_then(|a| a.placed)
}

/// The day in the year to `end` that the year's outcomes are recorded on: the last the child was
/// looked after.
fn last_day_looked_after(history: &CareHistory, start: NaiveDate, end: NaiveDate) -> Option<NaiveDate> {
    if history.looked_after_on(end) {
        return Some(end);
    }
    let ended = history.episodes.iter().filter_map(|e| e.end).filter(|d| *d > start && *d <= end).max()?;
    ended.pred_opt().filter(|d| history.looked_after_on(*d))
}

/// Adds the child's OC2 and OC3 rows for the return of `year` to their care entries, each table
/// only if its entries keep the care rules, and gives the rows left out with why: OC2 and OC3
/// rows that break a rule, and the tables Canopy keeps no entry for.
pub fn add_outcomes(
    c: &CareRecord,
    year: CollectionYear,
    entries: &mut Vec<CareEntry>,
    history: &mut CareHistory,
) -> Vec<NotImported> {
    let mut left_out = Vec::new();
    let (Some(start), Some(end)) = (year.start(), year.reference_date()) else { return left_out };
    let oc2 = match last_day_looked_after(history, start, end) {
        Some(on) => oc2_entries(c, on),
        None => Err(format!("the child was not looked after in the year ending {}", end.format("%d/%m/%Y"))),
    };
    let oc3 = oc3_entries(c, start, end).map(|mut contacts| {
        // A care leaver the file gives no care for: their care ended before it.
        let first = contacts.iter().map(CareEntry::date).min();
        if let Some(date) = first.filter(|_| history.episodes.is_empty()) {
            contacts.insert(0, CareEntry::LeftCareBeforeRecord { date });
        }
        contacts
    });
    for (table, rows, outcome) in [("OC2", c.oc2.len(), oc2), ("OC3", c.oc3.len(), oc3)] {
        if rows == 0 {
            continue;
        }
        if let Err(reason) = outcome.and_then(|more| add_entries(entries, history, more)) {
            left_out.push(NotImported { table, rows, reason });
        }
    }
    if c.ad1.len() > 1 {
        let reason = "a child is adopted once in a year: the first AD1 row is read".to_string();
        left_out.push(NotImported { table: "AD1", rows: c.ad1.len() - 1, reason });
    }
    // Z1 says the order is not known, as Canopy's own return says for every child.
    let known_permanence = c
        .prev_perm
        .iter()
        .filter(|p| p.prev_perm.as_deref() != Some("Z1") || p.la_perm.is_some() || p.date_perm.is_some())
        .count();
    let kept_elsewhere = [
        ("PrevPerm", known_permanence, "Canopy does not record a permanence order the child had before care"),
        ("DoLo", c.dolo.len(), "Canopy does not yet record deprivation of liberty orders"),
    ];
    left_out.extend(
        kept_elsewhere.into_iter().filter(|(_, rows, _)| *rows > 0).map(|(table, rows, reason)| NotImported {
            table,
            rows,
            reason: reason.into(),
        }),
    );
    left_out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::ssda903::rules::care_records;
    use crate::returns::ssda903::{HeaderRow, ReviewRow, Ssda903Return};

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    fn s(t: &str) -> Option<String> {
        Some(t.into())
    }

    fn episode(
        decom: Option<NaiveDate>,
        rne: &str,
        ls: &str,
        place: &str,
        dec: Option<NaiveDate>,
        rec: Option<&str>,
    ) -> EpisodeRow {
        EpisodeRow {
            child: s("K1"),
            decom,
            rne: s(rne),
            ls: s(ls),
            cin: s("N1"),
            place: s(place),
            place_provider: s("PR1"),
            dec,
            rec: rec.map(String::from),
            pl_post: s("KT2 5AA"),
            ..Default::default()
        }
    }

    #[test]
    fn a_value_that_cannot_be_read_is_named_by_its_row_in_the_file_not_taken_as_blank() {
        use crate::returns::ssda903::rules::{care_records_numbered, RowNumbers, Table};
        use crate::returns::ssda903::{DoloRow, UnreadableCell};
        // Part of the files: K1's second episode is the file's 7th row, their DoLo row its 3rd.
        let mut census = Ssda903Return {
            episodes: vec![
                episode(d(2025, 4, 1), "S", "C2", "U1", None, None),
                EpisodeRow { child: s("K2"), ..episode(d(2025, 5, 1), "S", "C2", "U1", None, None) },
            ],
            dolo: vec![DoloRow { child: s("K1"), ..Default::default() }],
            ..Default::default()
        };
        let cell = |table, row, column| UnreadableCell { table, row, column, value: "31/13/2025".into() };
        census.unreadable = vec![cell("Episodes", 0, "DEC"), cell("Dolo", 0, "DOLO_START")];
        let mut numbers = RowNumbers::default();
        numbers.push(Table::Episodes, 7);
        numbers.push(Table::Episodes, 9);
        numbers.push(Table::Dolo, 3);
        let records = care_records_numbered(&census, &numbers);
        assert_eq!(records[0].episodes[0].number, 7);
        assert_eq!(records[0].episodes[0].at, 0, "the rules still find the row in the census");
        assert_eq!(care_records(&census)[0].episodes[0].number, 1, "a whole file numbers rows by their place");
        let unreadable = UnreadableValues::of(&census);
        assert_eq!(
            unreadable.of_child(&records[0]),
            vec!["Episodes row 7: DEC '31/13/2025' cannot be read"],
            "the DoLo row is left out of an import, so its value does not stop the child"
        );
        assert!(unreadable.of_child(&records[1]).is_empty(), "K2's rows read");
    }

    #[test]
    fn social_worker_episodes_become_changes_of_worker_found_by_their_number() {
        use crate::returns::ssda903::SwEpisodeRow;
        let sw = |id: &str, from, to, reason: &str| SwEpisodeRow {
            child: s("K1"),
            sw_id: s(id),
            sw_decom: from,
            sw_dec: to,
            sw_reason: s(reason),
            ..Default::default()
        };
        let census = Ssda903Return {
            sw_episodes: vec![
                sw("SW2", d(2025, 1, 1), d(2025, 6, 1), "LEFTRL"),
                sw("SW1", d(2024, 6, 1), d(2025, 1, 1), "FCONTA"),
                sw("SW9", d(2025, 7, 1), None, "MANAGE"),
            ],
            ..Default::default()
        };
        let known = |id: &str| (id != "SW9").then(|| format!("user-{id}"));
        let (changes, unknown) = worker_changes(&care_records(&census)[0], &known);
        assert_eq!(unknown, 1, "SW9 is not a member of staff");
        let workers: Vec<_> = changes.iter().map(|c| (c.date, c.worker.clone())).collect();
        assert_eq!(
            workers,
            vec![
                (d(2024, 6, 1).expect("d"), s("user-SW1")),
                (d(2025, 1, 1).expect("d"), s("user-SW2")),
                (d(2025, 6, 1).expect("d"), None)
            ],
            "handed over on the day, then unallocated when the second episode ended"
        );
        assert_eq!(changes[0].reason, Some(WorkerChangeReason::FirstContact));
    }

    #[test]
    fn a_decision_and_match_from_before_the_first_episode_in_the_file_keep_their_days() {
        use crate::returns::ssda903::{Ad1Row, PlacedAdoptionRow};
        // Placed for adoption under a placement order in January, before the year: the file's
        // first episode carries on care, so the decision and the match come before it.
        let census = Ssda903Return {
            episodes: vec![EpisodeRow {
                ls: s("E1"),
                ..episode(d(2025, 1, 10), "P", "E1", "A5", d(2025, 9, 1), Some("E11"))
            }],
            placed_adoption: vec![PlacedAdoptionRow {
                child: s("K1"),
                date_placed: d(2024, 6, 1),
                ..Default::default()
            }],
            ad1: vec![Ad1Row {
                child: s("K1"),
                date_int: d(2024, 6, 1),
                date_match: d(2024, 11, 1),
                foster_care: s("0"),
                nb_adoptr: s("2"),
                sex_adoptr: s("MF"),
                ls_adoptr: s("L2"),
                ..Default::default()
            }],
            ..Default::default()
        };
        let record = &care_records(&census)[0];
        let m = ad1_match(record).expect("read").expect("a match");
        let (entries, history) =
            care_entries(record, &[match_entry(record, "A1", &m)]).expect("the care keeps the rules");
        let begins = d(2025, 1, 10).expect("d");
        assert!(entries.contains(&CareEntry::AdoptionDecision { date: begins, before_record: d(2024, 6, 1) }));
        let progress = &history.adoption[0];
        assert_eq!(progress.decided, d(2024, 6, 1).expect("d"), "the return's DATE_PLACED and DATE_INT");
        assert_eq!(progress.matched.as_ref().map(|m| m.date), d(2024, 11, 1), "the return's DATE_MATCH");
        assert_eq!((progress.placed, progress.adopted), (Some(begins), d(2025, 9, 1)), "placed as the record begins");
        let decision = entries.iter().find(|e| matches!(e, CareEntry::AdoptionDecision { .. })).expect("decision");
        assert!(decision.describe().ends_with(", made on 1 June 2024, before this record of care began"));

        // Only on the day the record begins.
        let late = [CareEntry::AdoptionDecision { date: d(2025, 2, 1).expect("d"), before_record: d(2024, 6, 1) }];
        let why =
            care_entries(&care_records(&Ssda903Return { placed_adoption: vec![], ad1: vec![], ..census })[0], &late)
                .expect_err("not the day the record begins");
        assert!(why.contains("recorded on the day it begins"), "{why}");
    }

    #[test]
    fn an_ad1_row_gives_the_adopters_and_the_match_or_says_what_is_wrong_with_it() {
        use crate::returns::ssda903::Ad1Row;
        let row = |nb: &str, sexes: &str, ls: &str| Ad1Row {
            child: s("K1"),
            date_int: d(2025, 5, 1),
            date_match: d(2025, 7, 1),
            foster_care: s("1"),
            nb_adoptr: s(nb),
            sex_adoptr: s(sexes),
            ls_adoptr: s(ls),
            ..Default::default()
        };
        let census = |ad1: Vec<Ad1Row>| Ssda903Return {
            header: vec![HeaderRow { child: s("K1"), sex: s("M"), dob: d(2022, 2, 10), ..Default::default() }],
            episodes: vec![episode(d(2023, 6, 1), "S", "C2", "U1", None, None)],
            ad1,
            ..Default::default()
        };
        let read = |ad1| ad1_match(&care_records(&census(ad1))[0]);
        let m = read(vec![row("2", "MF", "L2")]).expect("read").expect("a match");
        assert_eq!((m.matched, m.foster_carers), (d(2025, 7, 1).expect("d"), true));
        assert_eq!((m.adopters.sexes.code(), m.adopters.legal_status.code()), ("MF", "L2"));
        assert_eq!(m.adopters.name, NAME_NOT_KNOWN);
        assert_eq!(read(vec![]), Ok(None));
        let why = read(vec![row("1", "MF", "L2")]).expect_err("one adopter is not a couple");
        assert_eq!(why, "AD1 row 1: NB_ADOPTR '1' does not match SEX_ADOPTR 'MF'");
        let why = read(vec![row("1", "M1", "L2")]).expect_err("a married couple is not one man");
        assert!(why.starts_with("AD1 row 1: LS_ADOPTR: "), "{why}");
        let why = read(vec![Ad1Row { date_match: None, ..row("2", "MF", "L2") }]).expect_err("no date");
        assert!(why.contains("DATE_MATCH"), "{why}");
        // No decision to place for adoption in the file: the match breaks a care rule, and the
        // care is left as it was.
        let with_match = census(vec![row("2", "MF", "L2")]);
        let record = &care_records(&with_match)[0];
        let m = ad1_match(record).expect("read").expect("a match");
        let why = care_entries(record, &[match_entry(record, "A1", &m)]).expect_err("no decision");
        assert!(why.contains("after the decision to place them for adoption"), "{why}");
        assert!(care_entries(record, &[]).is_ok(), "without it the child's care keeps the rules");
    }

    #[test]
    fn the_year_outcomes_are_recorded_on_a_day_of_the_year_they_are_about() {
        use crate::returns::ssda903::{Oc2Row, Oc3Row, PrevPermRow};
        let mut census = Ssda903Return {
            header: vec![HeaderRow { child: s("K1"), sex: s("M"), dob: d(2009, 2, 10), ..Default::default() }],
            episodes: vec![episode(d(2023, 6, 1), "S", "C2", "U1", None, None)],
            oc2: vec![Oc2Row {
                child: s("K1"),
                sdq_score: s("14"),
                convicted: s("1"),
                immunisations: s("1"),
                teeth_check: s("0"),
                health_assessment: s("1"),
                substance_misuse: s("1"),
                intervention_received: s("0"),
                intervention_offered: s("1"),
                ..Default::default()
            }],
            prev_perm: vec![PrevPermRow { child: s("K1"), prev_perm: s("Z1"), ..Default::default() }],
            ..Default::default()
        };
        let year = latest_date_of(&census).map(collection_year_ending_after);
        assert_eq!(year, Some(CollectionYear(2024)), "the year its dates end in");
        let record = &care_records(&census)[0];
        let (mut entries, mut history) = care_entries(record, &[]).expect("care");
        let left_out = add_outcomes(record, CollectionYear(2026), &mut entries, &mut history);
        assert_eq!(left_out, vec![], "a Z1 previous permanence says nothing Canopy does not");
        let year_end = d(2026, 3, 31).expect("d");
        assert_eq!(history.sdq.len(), 1);
        assert_eq!((history.sdq[0].date, history.sdq[0].score), (year_end, Some(14)));
        assert_eq!(history.offences, vec![year_end]);
        assert_eq!(
            history.health,
            vec![(year_end, HealthCheck::HealthAssessment), (year_end, HealthCheck::Immunisations)]
        );
        assert_eq!(history.substance_misuse, vec![(year_end, false, true)]);

        // A care leaver: in care from 14 to 16, their 17th birthday in the year, and a code
        // that is not the 903's.
        census.episodes = vec![episode(d(2023, 1, 1), "S", "C2", "U1", d(2025, 6, 1), Some("E8"))];
        census.oc2[0].convicted = s("Y");
        census.oc3 =
            vec![Oc3Row { child: s("K1"), dob: d(2009, 2, 10), in_touch: s("YES"), activ: s("F2"), accom: s("D1") }];
        census.prev_perm[0].prev_perm = s("P1");
        let record = &care_records(&census)[0];
        let (mut entries, mut history) = care_entries(record, &[]).expect("care");
        let left_out = add_outcomes(record, CollectionYear(2026), &mut entries, &mut history);
        let tables: Vec<(&str, &str)> = left_out.iter().map(|n| (n.table, n.reason.as_str())).collect();
        assert_eq!(tables.len(), 2, "{tables:?}");
        assert_eq!(tables[0], ("OC2", "OC2 row 1: CONVICTED 'Y' is not 0 or 1"));
        assert_eq!(tables[1].0, "PrevPerm");
        let contact = history.leaving.contacts.first().expect("the OC3 contact");
        assert_eq!(contact.date, d(2026, 2, 10).expect("d"), "the 17th birthday");
        assert_eq!(
            (contact.in_touch, contact.accommodation, contact.suitable, contact.activity),
            (InTouch::Yes, Some(LeaverAccommodation::SemiIndependent), true, Some(LeaverActivity::F2))
        );
        // Contact recorded while still in care breaks a rule: the row is left out with why.
        census.episodes[0].dec = None;
        census.episodes[0].rec = None;
        let record = &care_records(&census)[0];
        let (mut entries, mut history) = care_entries(record, &[]).expect("care");
        let left_out = add_outcomes(record, CollectionYear(2026), &mut entries, &mut history);
        let oc3 = left_out.iter().find(|n| n.table == "OC3").expect("OC3 left out");
        assert!(oc3.reason.contains("still looked after"), "{oc3:?}");
        assert!(history.leaving.contacts.is_empty());
    }

    #[test]
    fn episodes_become_the_care_that_makes_them() {
        let census = Ssda903Return {
            header: vec![HeaderRow {
                child: s("K1"),
                sex: s("F"),
                dob: d(2012, 5, 10),
                ethnic: s("WBRI"),
                upn: s("UN2"),
                ..Default::default()
            }],
            episodes: vec![
                episode(d(2024, 6, 1), "S", "V2", "U6", d(2024, 9, 1), Some("X1")),
                episode(d(2024, 9, 1), "L", "C2", "U6", d(2025, 1, 1), Some("X1")),
                episode(d(2025, 1, 1), "P", "C2", "K2", d(2025, 6, 1), Some("E8")),
            ],
            reviews: vec![ReviewRow {
                child: s("K1"),
                dob: d(2012, 5, 10),
                review: d(2024, 7, 1),
                review_code: s("PN1"),
            }],
            ..Default::default()
        };
        let records = care_records(&census);
        let input = child_input(&records[0]);
        assert_eq!((input.upn.as_str(), input.upn_unknown.as_str(), input.local_id.as_str()), ("", "UN2", "K1"));
        let (entries, history) = care_entries(&records[0], &[]).expect("care");
        assert_eq!(entries.len(), 5, "start, legal status, placement, end, review: {entries:?}");
        assert_eq!(history.episodes.len(), 3);
        assert_eq!(history.episodes[2].end, d(2025, 6, 1));

        let mut broken = census.clone();
        broken.episodes[1].rne = s("S");
        let e = care_entries(&care_records(&broken)[0], &[]).expect_err("care began twice");
        assert!(e.starts_with("Episodes row 2:"), "{e}");
        let mut bad_code = census.clone();
        bad_code.episodes[2].place = s("Q9");
        let e = care_entries(&care_records(&bad_code)[0], &[]).expect_err("bad code");
        assert!(e.contains("Episodes row 3") && e.contains("'Q9'"), "{e}");

        // The file begins part-way through care, with a move to a temporary placement: the
        // record begins with that episode, keeps why it began, and its clocks run from it.
        let mut carried = census.clone();
        carried.episodes = vec![episode(d(2025, 1, 1), "T", "C2", "T0", None, None)];
        carried.reviews.clear();
        let (entries, history) = care_entries(&care_records(&carried)[0], &[]).expect("carried on");
        assert_eq!(history.episodes[0].reason_new_episode, ReasonNewEpisode::T);
        assert!(entries[0].describe().starts_with("This record of care begins: looked after from before it"));
        let calendar = crate::calendar::WorkingCalendar::new(vec![]);
        let clocks = history.projection(&calendar, d(2012, 5, 10)).clocks;
        assert!(clocks.iter().any(|c| c.started == d(2025, 1, 1).expect("d")), "{clocks:?}");
    }
}
