//! A child from an SSDA903 as Canopy records them: their details, and their care as the entries
//! that would have made it, checked by the same rules as a save. What the return does not say
//! (names, carers) is recorded as not known, never guessed. The tables that have no dated entry
//! to become (OC2, OC3, AD1, PrevPerm, DoLo), and social worker episodes whose worker Canopy does
//! not know, are reported, not dropped.

use super::rules::CareRecord;
use super::tables::EpisodeRow;
use crate::cases::care::{
    care_history, CareChange, CareEntry, CareHistory, LegalStatus, Placement, PlacementProvider, PlacementType,
    ReasonEpisodeCeased, ReasonPlaceChange, ReasonPlacedCeased, ReviewParticipation,
};
use crate::cases::{PrimaryNeed, WorkerChangeReason};
use crate::people::ChildInput;
use crate::returns::cin::import::{FROM_OLD_SYSTEM, NAME_NOT_KNOWN};
use chrono::NaiveDate;

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
pub fn care_entries(c: &CareRecord) -> Result<(Vec<CareEntry>, CareHistory), String> {
    let mut entries = Vec::new();
    let mut previous: Option<&EpisodeRow> = None;
    let (mut carers, mut next_carer, mut before_temporary) = (0, 1, 0);
    for e in &c.episodes {
        let at = format!("Episodes row {}", e.at + 1);
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
        // year (RNE P, T, U, B or L): Canopy's record of their care begins with it.
        let carries_on = previous.is_none() && matches!(rne, "P" | "T" | "U" | "B" | "L");
        match (if carries_on { "S" } else { rne }, in_care) {
            ("S", false) => entries.push(change(CareChange::StartedToBeLookedAfter {
                date,
                legal_status: legal_status()?,
                placement: placement(e, carer(carers), &at)?,
                category_of_need: e.cin.as_deref().and_then(PrimaryNeed::from_code),
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
                entries.push(change(CareChange::PlacementChanged {
                    date,
                    placement: placement(e, carer(carers), &at)?,
                    reason,
                }));
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
        let at = format!("Reviews row {}", r.at + 1);
        let date = r.review.ok_or_else(|| format!("{at}: the review has no date"))?;
        let participation = code(&r.review_code, ReviewParticipation::from_code, "the participation code", &at)?;
        entries.push(CareEntry::Review { date, participation, chair: None });
    }
    for m in &c.missing {
        let at = format!("Missing row {}", m.at + 1);
        let date = m.mis_start.ok_or_else(|| format!("{at}: the missing period has no start date"))?;
        entries.push(CareEntry::WentMissing { date, away: m.missing.as_deref() == Some("A") });
        if let Some(back) = m.mis_end {
            entries.push(CareEntry::Returned { date: back, interview_offered: false, interview_accepted: false });
        }
    }
    for p in &c.placed_adoption {
        let at = format!("PlacedAdoption row {}", p.at + 1);
        let date = p.date_placed.ok_or_else(|| format!("{at}: the decision has no date (DATE_PLACED)"))?;
        entries.push(CareEntry::AdoptionDecision { date });
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

/// The rows of a child's tables that become no care entry, by table, for the report.
pub fn not_imported(c: &CareRecord) -> Vec<(&'static str, usize)> {
    [
        ("OC2", c.oc2.len()),
        ("OC3", c.oc3.len()),
        ("AD1", c.ad1.len()),
        ("PrevPerm", c.prev_perm.len()),
        ("DoLo", c.dolo.len()),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect()
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
        let (entries, history) = care_entries(&records[0]).expect("care");
        assert_eq!(entries.len(), 5, "start, legal status, placement, end, review: {entries:?}");
        assert_eq!(history.episodes.len(), 3);
        assert_eq!(history.episodes[2].end, d(2025, 6, 1));

        let mut broken = census.clone();
        broken.episodes[1].rne = s("S");
        let e = care_entries(&care_records(&broken)[0]).expect_err("care began twice");
        assert!(e.starts_with("Episodes row 2:"), "{e}");
        let mut bad_code = census.clone();
        bad_code.episodes[2].place = s("Q9");
        let e = care_entries(&care_records(&bad_code)[0]).expect_err("bad code");
        assert!(e.contains("Episodes row 3") && e.contains("'Q9'"), "{e}");
    }
}
