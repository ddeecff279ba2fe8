//! Looked-after children for the demo: about one child in fifteen with a worker came into care
//! at some point in the last three years, under section 20 or an emergency order, then an interim
//! and a full care order; some moved placement, a few had a spell in hospital, some have left
//! care; with statutory visits and reviews, a few of them late, and now and then a night missing. Recorded through the same store
//! call and rules as the pages.

use canopy_domain::calendar::WorkingCalendar;
use canopy_domain::cases::care::{
    care_history, CareChange, CareEntry, LegalStatus, Placement, PlacementProvider, PlacementType, ReasonEpisodeCeased,
    ReasonPlaceChange, ReviewParticipation,
};
use canopy_store::children::ChildRow;
use canopy_store::{AuditContext, Scope, Store, StoreError};
use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

const CARERS: &[&str] = &["Adebayo", "Brennan", "Chowdhury", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal"];

fn placement(rng: &mut StdRng, postcode: Option<&String>) -> Placement {
    let (place, provider) = match rng.gen_range(0..10) {
        0 => (PlacementType::K2, PlacementProvider::PR4),
        1 => (PlacementType::U3, PlacementProvider::PR1),
        2 | 3 => (PlacementType::U6, PlacementProvider::PR4),
        _ => (PlacementType::U6, PlacementProvider::PR1),
    };
    let carer = match place {
        PlacementType::K2 => format!("{} House children's home", CARERS[rng.gen_range(0..CARERS.len())]),
        _ => format!("{} family", CARERS[rng.gen_range(0..CARERS.len())]),
    };
    Placement { place, provider: Some(provider), carer, postcode: postcode.cloned(), urn: None }
}

/// What one child's care looks like, in the order it happened.
fn story(rng: &mut StdRng, child: &ChildRow, today: NaiveDate, calendar: &WorkingCalendar) -> Vec<CareEntry> {
    let began = today - Days::new(rng.gen_range(60..1000));
    let left = (today - began).num_days() > 500 && rng.gen_ratio(1, 5);
    let ends = if left { began + Days::new(rng.gen_range(400..(today - began).num_days() as u64)) } else { today };
    let mut entries = Vec::new();
    let change = |change| CareEntry::Change { change };
    let emergency = rng.gen_ratio(1, 4);
    let mut home = placement(rng, child.postcode.as_ref());
    entries.push(change(CareChange::StartedToBeLookedAfter {
        date: began,
        legal_status: if emergency { LegalStatus::L2 } else { LegalStatus::V2 },
        placement: home.clone(),
    }));
    let interim = began + Days::new(rng.gen_range(8..60));
    if interim < ends && !rng.gen_ratio(1, 5) {
        entries.push(change(CareChange::LegalStatusChanged { date: interim, legal_status: LegalStatus::C1 }));
        let full = interim + Days::new(rng.gen_range(90..200));
        if full < ends {
            entries.push(change(CareChange::LegalStatusChanged { date: full, legal_status: LegalStatus::C2 }));
        }
    }
    let mut placed = began;
    for _ in 0..rng.gen_range(0..3) {
        let moved = placed + Days::new(rng.gen_range(40..300));
        if moved >= ends - Days::new(14) {
            break;
        }
        if rng.gen_ratio(1, 6) {
            // A spell in hospital, then home to the same carers.
            let back = moved + Days::new(rng.gen_range(2..10));
            let hospital = Placement {
                place: PlacementType::T1,
                provider: Some(PlacementProvider::PR3),
                carer: "Kingston Hospital".into(),
                postcode: None,
                urn: None,
            };
            entries.push(change(CareChange::PlacementChanged {
                date: moved,
                placement: hospital,
                reason: Some(ReasonPlaceChange::Other),
            }));
            entries.push(change(CareChange::PlacementChanged {
                date: back,
                placement: home.clone(),
                reason: Some(ReasonPlaceChange::Other),
            }));
            placed = back;
            continue;
        }
        let before = home.clone();
        while home == before {
            home = placement(rng, child.postcode.as_ref());
        }
        let reasons =
            [ReasonPlaceChange::Carpl, ReasonPlaceChange::Creqb, ReasonPlaceChange::Child, ReasonPlaceChange::Close];
        let reason = reasons[rng.gen_range(0..reasons.len())];
        entries.push(change(CareChange::PlacementChanged {
            date: moved,
            placement: home.clone(),
            reason: Some(reason),
        }));
        placed = moved;
    }
    // Reviews: on time or a little late.
    let mut review = calendar.add_working_days(began, 20) - Days::new(rng.gen_range(0..5));
    let mut held = 0;
    while review < ends {
        let participation = ReviewParticipation::ALL[rng.gen_range(1..ReviewParticipation::ALL.len())];
        entries.push(CareEntry::Review { date: review, participation });
        held += 1;
        review = canopy_domain::calendar::add_months(review, if held == 1 { 3 } else { 6 })
            - Days::new(rng.gen_range(0..10));
    }
    // Visits in the last six months of care, about every five weeks; some children are overdue one.
    let mut visit = (ends - Days::new(180)).max(placed + Days::new(3));
    let late = rng.gen_ratio(1, 6);
    while visit < ends - Days::new(if late { 50 } else { 0 }) {
        entries.push(CareEntry::Visit { date: visit, seen_alone: rng.gen_ratio(2, 3) });
        visit = visit + Days::new(rng.gen_range(28..40));
    }
    if rng.gen_ratio(1, 8) && ends - placed > chrono::TimeDelta::days(30) {
        // A night missing or away in the current placement, mostly with a return interview.
        let went = placed + Days::new(rng.gen_range(10..((ends - placed).num_days() as u64 - 5)));
        let offered = rng.gen_ratio(4, 5);
        entries.push(CareEntry::WentMissing { date: went, away: rng.gen_ratio(1, 3) });
        entries.push(CareEntry::Returned {
            date: went + Days::new(rng.gen_range(0..3)),
            interview_offered: offered,
            interview_accepted: offered && rng.gen_ratio(2, 3),
        });
    }
    if left {
        let reasons = [ReasonEpisodeCeased::E4A, ReasonEpisodeCeased::E13, ReasonEpisodeCeased::E46];
        entries.push(change(CareChange::CeasedToBeLookedAfter {
            date: ends,
            reason: reasons[rng.gen_range(0..reasons.len())],
        }));
    }
    entries.sort_by_key(CareEntry::date);
    entries
}

/// Adds looked-after children to the demo unless some child has a care history already; returns
/// how many children have one.
pub async fn ensure(store: &Store, today: NaiveDate) -> Result<usize, String> {
    let err = |e: StoreError| e.to_string();
    let teams = store.list_teams(&Scope::Organisation).await.map_err(err)?;
    let ids: Vec<String> = teams.iter().filter(|t| t.cluster_id.is_some()).map(|t| t.id.clone()).collect();
    let children = store.children_held(None, &ids, false).await.map_err(err)?;
    let mut with_care = 0;
    for child in &children {
        if !store.care_entries(&child.id).await.map_err(err)?.is_empty() {
            with_care += 1;
        }
    }
    if with_care > 0 {
        return Ok(with_care);
    }
    let mut rng = StdRng::seed_from_u64(20_14);
    let mut calendars: HashMap<String, WorkingCalendar> = HashMap::new();
    for child in children.iter().filter(|c| c.allocated_to.is_some()) {
        let old_enough = child.date_of_birth.is_some_and(|d| d < today - Days::new(1100));
        if !old_enough || !rng.gen_ratio(1, 15) {
            continue;
        }
        if !calendars.contains_key(&child.council_id) {
            calendars.insert(child.council_id.clone(), store.council_calendar(&child.council_id).await.map_err(err)?);
        }
        let Some(calendar) = calendars.get(&child.council_id) else { continue };
        let worker = child.allocated_to.clone().unwrap_or_default();
        for entry in story(&mut rng, child, today, calendar) {
            let at = entry.date().and_hms_opt(11, 0, 0).unwrap_or_default().and_utc().timestamp_millis();
            let ctx = AuditContext { actor_id: worker.clone(), source: "demo".into(), at_ms: at };
            let check = |entries: &[CareEntry]| care_history(entries).map(|h| h.clocks(calendar));
            if let Err(broken) = store.record_care_entry(&ctx, &child.id, &entry, check).await.map_err(err)? {
                return Err(format!("the demo's care story for {} breaks a rule: {broken}", child.id));
            }
        }
        with_care += 1;
    }
    Ok(with_care)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_domain::cases::care::ReasonNewEpisode;
    use canopy_store::testing::{TestDb, TestEngine};

    #[tokio::test]
    async fn the_demo_has_looked_after_children_whose_care_reads_as_903_episodes() {
        let db = TestDb::new(TestEngine::Sqlite).await.expect("db").expect("sqlite always runs");
        let store = &db.store;
        store.ensure_reference_data(&crate::cli_ctx()).await.expect("reference data");
        crate::demo::ensure(store).await.expect("demo");
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        crate::demo_children::ensure(store, 900, today).await.expect("children");
        let count = ensure(store, today).await.expect("care");
        assert!(count >= 10, "looked-after children in the demo: {count}");
        let teams = store.list_teams(&Scope::Organisation).await.expect("teams");
        let ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
        let mut rnes = Vec::new();
        for child in store.children_held(None, &ids, false).await.expect("children") {
            let entries = store.care_entries(&child.id).await.expect("entries");
            if !entries.is_empty() {
                let history = care_history(&entries).expect("the demo's care obeys the rules");
                rnes.extend(history.episodes.iter().map(|e| e.reason_new_episode));
            }
        }
        for code in [ReasonNewEpisode::S, ReasonNewEpisode::L, ReasonNewEpisode::P] {
            assert!(rnes.contains(&code), "some episodes begin with {code:?}");
        }
        let clocks = store
            .clocks(&canopy_store::children::ClockFilter {
                kinds: Some(vec!["statutory_visit".into()]),
                ..canopy_store::children::ClockFilter::default()
            })
            .await
            .expect("clocks");
        assert!(!clocks.is_empty(), "statutory visits are due in work trays");
        assert_eq!(ensure(store, today).await.expect("again"), count, "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
