//! Looked-after children for the demo: about one child in fifteen with a worker came into care
//! at some point in the last three years, under section 20 or an emergency order, then an interim
//! and a full care order; some moved placement, a few had a spell in hospital, some have left
//! care; with an IRO, a care plan, health checks, statutory visits and reviews, a few of them late,
//! and now and then a night missing. Some young children go on through adoption with the shared
//! service's adopters, and some 16- and 17-year-olds have left care with a personal adviser and a
//! pathway plan. Recorded through the same store call and rules as the pages.

use canopy_domain::adoption::{AdopterEvent, AdopterStage, ValidAdopters};
use canopy_domain::calendar::{add_months, WorkingCalendar};
use canopy_domain::cases::care::{
    care_history, AdopterLegalStatus, AdopterSexes, CareChange, CareEntry, HealthCheck, InTouch, LeaverAccommodation,
    LeaverActivity, LegalStatus, PermanencePlan, Placement, PlacementProvider, PlacementType, ReasonEpisodeCeased,
    ReasonPlaceChange, ReviewParticipation, SdqReason,
};
use canopy_domain::cases::{PrimaryNeed, WorkerChangeReason};
use canopy_store::children::ChildRow;
use canopy_store::{AuditContext, Scope, Store, StoreError};
use chrono::Datelike;
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
    let urn = Some(demo_urn(&carer));
    let postcode = placed_at(postcode, &carer);
    Placement { place, provider: Some(provider), carer, postcode, urn, address: None }
}

/// Why a child's care began, as often as councils see each; chosen from `seed`, so the demo's
/// other choices stay as they were.
fn category_of_need(seed: &str) -> PrimaryNeed {
    const NEEDS: [PrimaryNeed; 6] = [
        PrimaryNeed::AbuseOrNeglect,
        PrimaryNeed::AbuseOrNeglect,
        PrimaryNeed::AbuseOrNeglect,
        PrimaryNeed::Dysfunction,
        PrimaryNeed::AcuteStress,
        PrimaryNeed::AbsentParenting,
    ];
    NEEDS[seed.bytes().map(usize::from).sum::<usize>() % NEEDS.len()]
}

/// The Ofsted unique reference number of the home or fostering service a carer works for.
fn demo_urn(carer: &str) -> String {
    let n = carer.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("SC{:06}", n % 1_000_000)
}

/// Where a placement is: mostly near the child's home (the same district, another street), and
/// now and then out of the area. Chosen from the home and carer, so the demo's other choices
/// stay as they were.
fn placed_at(home: Option<&String>, carer: &str) -> Option<String> {
    let home = home?;
    let n = home.bytes().chain(carer.bytes()).map(usize::from).sum::<usize>();
    if n % 5 == 0 {
        return Some(crate::demo_postcodes::out_of_area(n / 5).to_string());
    }
    let district = home.split_whitespace().next()?;
    // Another street: never the child's own home.
    let street = crate::demo_postcodes::in_district(district, n)?;
    let street = if street == home { crate::demo_postcodes::in_district(district, n + 1)? } else { street };
    Some(street.to_string())
}

/// A health assessment from `first` and then each year until `ends`, a dental check after each
/// and, from 4, a strengths and difficulties questionnaire.
fn yearly_checks(
    rng: &mut StdRng,
    entries: &mut Vec<CareEntry>,
    first: NaiveDate,
    ends: NaiveDate,
    dob: Option<NaiveDate>,
) {
    let mut check = first;
    while check < ends {
        entries.push(CareEntry::HealthCheck { date: check, check: HealthCheck::HealthAssessment });
        let dental = check + Days::new(rng.gen_range(20..90));
        if dental < ends {
            entries.push(CareEntry::HealthCheck { date: dental, check: HealthCheck::DentalCheck });
        }
        let aged_4 = dob.is_some_and(|d| add_months(d, 48) <= check);
        let (score, reason) = if aged_4 { (Some(rng.gen_range(4..30)), None) } else { (None, Some(SdqReason::Sdq1)) };
        entries.push(CareEntry::Sdq { date: check, score, reason });
        check = add_months(check, 12) - Days::new(rng.gen_range(0..20));
    }
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
        category_of_need: Some(if emergency { PrimaryNeed::AbuseOrNeglect } else { category_of_need(&child.id) }),
        carried_on: None,
    }));
    // An emergency protection order lasts at most 21 days; then the court makes an interim order.
    let interim = began + Days::new(if emergency { rng.gen_range(3..21) } else { rng.gen_range(8..60) });
    let ordered = interim < ends && !rng.gen_ratio(1, 5);
    if interim < ends && (emergency || ordered) {
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
            // A spell in hospital, then home to the same carers, on days the legal status stays.
            let back = moved + Days::new(rng.gen_range(2..10));
            let status_changes = entries.iter().filter(|e| {
                matches!(e, CareEntry::Change { change: CareChange::LegalStatusChanged { date, .. } } if *date == moved || *date == back)
            });
            if status_changes.count() > 0 {
                continue;
            }
            let hospital = Placement {
                place: PlacementType::T1,
                provider: Some(PlacementProvider::PR3),
                carer: "Kingston Hospital".into(),
                postcode: crate::demo_postcodes::in_district("KT2", 7).map(str::to_string),
                urn: None,
                address: None,
            };
            entries.push(change(CareChange::PlacementChanged {
                date: moved,
                placement: hospital,
                reason: Some(ReasonPlaceChange::Other),
                match_not_known: false,
            }));
            entries.push(change(CareChange::PlacementChanged {
                date: back,
                placement: home.clone(),
                reason: Some(ReasonPlaceChange::Other),
                match_not_known: false,
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
            match_not_known: false,
        }));
        placed = moved;
    }
    // Reviews: on time or a little late.
    let mut review = calendar.add_working_days(began, 20) - Days::new(rng.gen_range(0..5));
    let mut held = 0;
    while review < ends {
        // PN0 is for a child under 4 at the review.
        let under_4 = child.date_of_birth.is_some_and(|d| add_months(d, 48) > review);
        let drawn = ReviewParticipation::ALL[rng.gen_range(1..ReviewParticipation::ALL.len())];
        let participation = if under_4 { ReviewParticipation::Pn0 } else { drawn };
        entries.push(CareEntry::Review { date: review, participation, chair: None });
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
    // A care plan within a month; a health assessment within 20 working days and then each year, a
    // dental check each year and, from 4, a strengths and difficulties questionnaire.
    let permanence = [PermanencePlan::LongTermFostering, PermanencePlan::ReturnHome, PermanencePlan::Kinship];
    let plan = began + Days::new(rng.gen_range(10..30));
    if plan < ends {
        entries.push(CareEntry::CarePlan {
            date: plan,
            permanence: permanence[rng.gen_range(0..permanence.len())],
            summary: "Stay safe and settled with the carers; keep up family time and school.".into(),
        });
    }
    let first = calendar.add_working_days(began, rng.gen_range(12..24));
    yearly_checks(rng, &mut entries, first, ends, child.date_of_birth);
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

/// The demo's adopters: households at every stage, most of them approved and waiting.
const ADOPTERS: &[(&str, AdopterSexes, AdopterLegalStatus)] = &[
    ("Sam and Alex Taylor", AdopterSexes::Mm, AdopterLegalStatus::L12),
    ("Priya and Tom Shah", AdopterSexes::Mf, AdopterLegalStatus::L2),
    ("Jo Okafor", AdopterSexes::F1, AdopterLegalStatus::L11),
    ("Ruth and Hana Berg", AdopterSexes::Ff, AdopterLegalStatus::L12),
    ("Dan and Mia Lewis", AdopterSexes::Mf, AdopterLegalStatus::L4),
    ("Kofi and Ama Mensah", AdopterSexes::Mf, AdopterLegalStatus::L2),
    ("Lee Morgan", AdopterSexes::M1, AdopterLegalStatus::L11),
    ("Eve and Nia Price", AdopterSexes::Ff, AdopterLegalStatus::L3),
];

/// Records an adopter event, or says which rule of the demo's story it broke.
async fn adopter_step(store: &Store, ctx: &AuditContext, id: &str, event: AdopterEvent) -> Result<(), String> {
    match store.record_adopter_event(ctx, id, &event).await.map_err(|e| e.to_string())? {
        Ok(()) => Ok(()),
        Err(broken) => Err(format!("the demo's adopters {id} break a rule: {broken}")),
    }
}

/// Adds the adoption service's adopters, each taken as far as their story goes: four rounds of
/// households, so that some are still in assessment and most are approved.
/// Returns the approved adopters as (id, name, date approved).
async fn add_adopters(
    store: &Store,
    ctx: &AuditContext,
    today: NaiveDate,
) -> Result<Vec<(String, String, NaiveDate)>, String> {
    let mut approved = Vec::new();
    for round in 0..4u64 {
        for (n, (name, sexes, legal_status)) in ADOPTERS.iter().enumerate() {
            let household = if round == 0 { name.to_string() } else { format!("{name} ({})", round + 1) };
            let adopters = ValidAdopters { name: household.clone(), sexes: *sexes, legal_status: *legal_status };
            let enquired = today - Days::new(60 + 90 * round + 11 * n as u64);
            let id = store.add_adopters(ctx, &adopters, enquired).await.map_err(|e| e.to_string())?;
            let steps = [(AdopterStage::Stage1, 20), (AdopterStage::Stage2, 80), (AdopterStage::Approved, 200)];
            let leaves = n == 6 && round == 1;
            for (to, after) in steps {
                let date = enquired + Days::new(after);
                if date > today || (leaves && to != AdopterStage::Stage1) {
                    break;
                }
                adopter_step(store, ctx, &id, AdopterEvent::MovedOn { date, to }).await?;
                if to == AdopterStage::Approved {
                    approved.push((id.clone(), household.clone(), date));
                }
            }
            if leaves {
                let date = enquired + Days::new(30);
                let reason = "Decided adoption was not right for them now".into();
                adopter_step(store, ctx, &id, AdopterEvent::LeftProcess { date, reason }).await?;
            }
        }
    }
    Ok(approved)
}

/// The rest of a young child's way through adoption after their story so far: the agency
/// decision, the placement order, a match with approved adopters, placing and the adoption order,
/// as far as today allows. Entries of the story after the adoption order are dropped.
fn adoption_story(
    rng: &mut StdRng,
    entries: &mut Vec<CareEntry>,
    approved: &mut Vec<(String, String, NaiveDate)>,
    today: NaiveDate,
) -> Option<String> {
    let full_order = entries.iter().find_map(|e| match e {
        CareEntry::Change { change: CareChange::LegalStatusChanged { date, legal_status: LegalStatus::C2 } } => {
            Some(*date)
        }
        _ => None,
    })?;
    let last_change = entries.iter().filter(|e| matches!(e, CareEntry::Change { .. })).map(CareEntry::date).max()?;
    let decided = full_order.max(last_change) + Days::new(rng.gen_range(20..60));
    let order = decided + Days::new(rng.gen_range(40..90));
    let matched = order + Days::new(rng.gen_range(30..90));
    let placed = matched + Days::new(rng.gen_range(14..40));
    let adopted = placed + Days::new(rng.gen_range(150..260));
    if decided >= today {
        return None;
    }
    let mut steps = vec![CareEntry::AdoptionDecision { date: decided, before_record: None }];
    let change = |change| CareEntry::Change { change };
    if order < today {
        steps.push(change(CareChange::LegalStatusChanged { date: order, legal_status: LegalStatus::E1 }));
    }
    let mut matched_with = None;
    // Adopters approved by the day of the match.
    let pick = approved.iter().position(|(_, _, approved_on)| *approved_on < matched);
    let adopters = pick.filter(|_| matched < today && order < today).map(|i| approved.remove(i));
    if let Some((id, name, _)) = adopters {
        steps.push(CareEntry::MatchedWithAdopters {
            date: matched,
            adopters: id.clone(),
            adopters_name: name.clone(),
            foster_carers: false,
            before_record: None,
        });
        matched_with = Some(id);
        if placed < today {
            let placement = Placement {
                place: PlacementType::A6,
                provider: Some(PlacementProvider::PR1),
                carer: name,
                postcode: None,
                urn: None,
                address: None,
            };
            steps.push(change(CareChange::PlacementChanged {
                date: placed,
                placement,
                reason: Some(ReasonPlaceChange::Carpl),
                match_not_known: false,
            }));
            let review = placed + Days::new(rng.gen_range(20..28));
            if review < today {
                steps.push(CareEntry::AdoptionReview { date: review });
            }
            if adopted < today {
                steps.push(change(CareChange::CeasedToBeLookedAfter {
                    date: adopted,
                    reason: ReasonEpisodeCeased::E12,
                }));
                entries.retain(|e| e.date() < adopted);
            }
        }
    }
    entries.extend(steps);
    entries.sort_by_key(CareEntry::date);
    matched_with
}

/// A 16- or 17-year-old who came into care at 14 or 15 and has left it: their personal adviser,
/// pathway plan reviews and contact, in the DfE's codes.
fn leaver_story(rng: &mut StdRng, child: &ChildRow, today: NaiveDate) -> Option<Vec<CareEntry>> {
    let dob = child.date_of_birth?;
    let began = came_into_care(rng, dob);
    let left = add_months(dob, 16 * 12) + Days::new(rng.gen_range(30..200));
    leaving_at(rng, dob, (began, left), ReasonEpisodeCeased::E5, child.postcode.clone(), today)
}

/// Care leavers came into care at 14 and a half to 15 and a half.
fn came_into_care(rng: &mut StdRng, dob: NaiveDate) -> NaiveDate {
    add_months(dob, 14 * 12 + rng.gen_range(6..18))
}

/// Care from `began` until `left`, then the leaving-care support that follows: an adviser from
/// 16, pathway plan reviews and contact every month or two.
fn leaving_at(
    rng: &mut StdRng,
    dob: NaiveDate,
    (began, left): (NaiveDate, NaiveDate),
    reason: ReasonEpisodeCeased,
    postcode: Option<String>,
    today: NaiveDate,
) -> Option<Vec<CareEntry>> {
    let at_16 = add_months(dob, 16 * 12);
    if left >= today - Days::new(30) {
        return None;
    }
    let carer = format!("{} family", CARERS[rng.gen_range(0..CARERS.len())]);
    let home = Placement {
        place: PlacementType::U4,
        provider: Some(PlacementProvider::PR1),
        postcode: placed_at(postcode.as_ref(), &carer),
        urn: Some(demo_urn(&carer)),
        carer,
        address: None,
    };
    let change = |change| CareEntry::Change { change };
    let mut entries = vec![
        change(CareChange::StartedToBeLookedAfter {
            date: began,
            legal_status: LegalStatus::V2,
            placement: home,
            category_of_need: Some(category_of_need(&format!("{dob}{began}"))),
            carried_on: None,
        }),
        CareEntry::PersonalAdviser { date: at_16, adviser: "Leaving care team".into() },
        CareEntry::PathwayPlanReviewed { date: at_16 + Days::new(rng.gen_range(30..80)) },
        change(CareChange::CeasedToBeLookedAfter { date: left, reason }),
    ];
    // A generator of their own, so the demo's other choices stay as they were.
    let mut checks = StdRng::seed_from_u64(dob.num_days_from_ce().unsigned_abs().into());
    let first = began + Days::new(checks.gen_range(20..35));
    yearly_checks(&mut checks, &mut entries, first, left, Some(dob));
    let mut contact = left + Days::new(rng.gen_range(20..50));
    let mut review = add_months(left, 5);
    while contact < today {
        let accommodation = [
            LeaverAccommodation::SemiIndependent,
            LeaverAccommodation::SupportedLodgings,
            LeaverAccommodation::Parents,
        ];
        let activity = [LeaverActivity::F2, LeaverActivity::F4, LeaverActivity::G5];
        entries.push(CareEntry::LeaverContact {
            date: contact,
            in_touch: InTouch::Yes,
            accommodation: Some(accommodation[rng.gen_range(0..accommodation.len())]),
            suitable: rng.gen_ratio(9, 10),
            activity: Some(activity[rng.gen_range(0..activity.len())]),
        });
        if review < contact {
            entries.push(CareEntry::PathwayPlanReviewed { date: contact });
            review = add_months(contact, 5);
        }
        contact = contact + Days::new(rng.gen_range(35..62));
    }
    entries.sort_by_key(CareEntry::date);
    Some(entries)
}

/// Which children come into care: the demo's one in fifteen (and every council's older care
/// leavers), or, for the bench, every child of one council old enough, up to a number.
#[derive(Debug, Clone, Copy)]
pub enum Intake<'a> {
    Demo,
    Council { id: &'a str, up_to: usize },
}

/// Adds looked-after children to the demo unless some child has a care history already; returns
/// how many children have one.
pub async fn ensure(store: &Store, today: NaiveDate) -> Result<usize, String> {
    ensure_with(store, today, Intake::Demo).await
}

/// As [`ensure`], with the children chosen by `intake`.
pub async fn ensure_with(store: &Store, today: NaiveDate, intake: Intake<'_>) -> Result<usize, String> {
    let err = |e: StoreError| e.to_string();
    let teams = store.list_teams(&Scope::Organisation).await.map_err(err)?;
    let ids: Vec<String> = teams.iter().filter(|t| t.cluster_id.is_some()).map(|t| t.id.clone()).collect();
    // The demo's looked-after children are held by cluster teams; the bench's by any team.
    let children = match intake {
        Intake::Demo => store.children_held(None, &ids, false).await.map_err(err)?,
        Intake::Council { id, .. } => store.children_in_council(id).await.map_err(err)?,
    };
    let mut with_care = 0;
    for child in &children {
        if !store.care_entries(&child.id).await.map_err(err)?.is_empty() {
            with_care += 1;
        }
    }
    if with_care > 0 {
        return Ok(with_care);
    }
    let users = store.list_users().await.map_err(err)?;
    let roles: HashMap<String, String> =
        store.list_roles().await.map_err(err)?.into_iter().map(|r| (r.key, r.id)).collect();
    let holding = |key: &str| {
        let role = roles.get(key).cloned().unwrap_or_default();
        users.iter().filter(move |u| u.role_ids.contains(&role)).cloned().collect::<Vec<_>>()
    };
    let team_councils: HashMap<String, Vec<String>> =
        teams.iter().map(|t| (t.id.clone(), t.council_ids.clone())).collect();
    let iros = holding("independent_reviewing_officer");
    let adoption_worker = holding("adoption_service").into_iter().next().map(|u| u.id).unwrap_or_default();
    let service_ctx = AuditContext { actor_id: adoption_worker, source: "demo".into(), at_ms: 0 };
    let mut approved = add_adopters(store, &service_ctx, today).await?;
    let mut rng = StdRng::seed_from_u64(20_14);
    let mut calendars: HashMap<String, WorkingCalendar> = HashMap::new();
    for child in children.iter().filter(|c| c.allocated_to.is_some()) {
        let age_days = child.date_of_birth.map(|d| (today - d).num_days()).unwrap_or(0);
        let leaver = age_days > 16 * 365 + 120 && rng.gen_ratio(1, 4);
        let chosen = match intake {
            Intake::Demo => leaver || (age_days >= 1100 && rng.gen_ratio(1, 15)),
            Intake::Council { id, up_to } => {
                child.council_id == id && with_care < up_to && (leaver || age_days >= 1100)
            }
        };
        if !chosen {
            continue;
        }
        if !calendars.contains_key(&child.council_id) {
            calendars.insert(child.council_id.clone(), store.council_calendar(&child.council_id).await.map_err(err)?);
        }
        let Some(calendar) = calendars.get(&child.council_id) else { continue };
        let worker = child.allocated_to.clone().unwrap_or_default();
        let mut entries = match leaver {
            true => match leaver_story(&mut rng, child, today) {
                Some(entries) => entries,
                None => continue,
            },
            false => story(&mut rng, child, today, calendar),
        };
        let iros_here: Vec<_> = iros
            .iter()
            .filter(|u| u.team_ids.iter().any(|t| team_councils.get(t).is_some_and(|c| c.contains(&child.council_id))))
            .collect();
        if let (Some(first), false) = (entries.first().map(CareEntry::date), iros_here.is_empty()) {
            let iro = iros_here[rng.gen_range(0..iros_here.len())];
            entries.push(CareEntry::IroAssigned {
                date: first + Days::new(2),
                iro: iro.id.clone(),
                name: iro.display_name.clone(),
            });
            entries.sort_by_key(CareEntry::date);
        }
        let young = age_days < 6 * 365;
        let in_care = !entries
            .iter()
            .any(|e| matches!(e, CareEntry::Change { change: CareChange::CeasedToBeLookedAfter { .. } }));
        let mut matched = None;
        // Young children on a full care order have a plan for adoption.
        if young && in_care && !leaver {
            matched = adoption_story(&mut rng, &mut entries, &mut approved, today);
        }
        let care_began = entries.first().map(CareEntry::date);
        for entry in entries {
            let at = entry.date().and_hms_opt(11, 0, 0).unwrap_or_default().and_utc().timestamp_millis();
            let ctx = AuditContext { actor_id: worker.clone(), source: "demo".into(), at_ms: at };
            let adopter_event = match (&entry, &matched) {
                (CareEntry::MatchedWithAdopters { date, adopters, .. }, _) => {
                    Some((adopters.clone(), AdopterEvent::MatchedWithChild { date: *date, child: child.id.clone() }))
                }
                (CareEntry::Change { change: CareChange::PlacementChanged { date, placement, .. } }, Some(id))
                    if placement.place.is_placed_for_adoption() =>
                {
                    Some((id.clone(), AdopterEvent::ChildPlaced { date: *date, child: child.id.clone() }))
                }
                _ => None,
            };
            let date_of_birth = child.date_of_birth;
            let check = |entries: &[CareEntry]| care_history(entries).map(|h| h.projection(calendar, date_of_birth));
            let event = adopter_event.as_ref().map(|(id, e)| (id.as_str(), e.clone()));
            if let Err(broken) = store.record_care_entry(&ctx, &child.id, &entry, event, check).await.map_err(err)? {
                return Err(format!("the demo's care story for {} breaks a rule: {broken}", child.id));
            }
        }
        // A story can begin before the child's first allocation; the worker then held the case
        // from the start of care, as the 903's social worker episodes need.
        if let Some(began) = care_began {
            let first_allocation = store.allocations(&child.id).await.map_err(err)?.iter().map(|a| a.date).min();
            if first_allocation.is_none_or(|d| d > began) {
                let at = began.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc().timestamp_millis();
                let ctx = AuditContext { actor_id: worker.clone(), source: "demo".into(), at_ms: at };
                let first_contact = Some(WorkerChangeReason::FirstContact);
                store
                    .allocate_child(&ctx, &child.id, child.team_id.as_deref(), Some(&worker), first_contact, began)
                    .await
                    .map_err(err)?;
            }
        }
        with_care += 1;
    }
    if matches!(intake, Intake::Demo) {
        with_care += add_older_leavers(store, &mut rng, today, &teams, &users).await?;
    }
    Ok(with_care)
}

/// Care leavers aged 18 to 20 (the demo's other children are under 18): a few in each council,
/// who left care at 18, some staying put with their foster carers, still supported by an
/// adviser and held by a cluster's safeguarding team.
async fn add_older_leavers(
    store: &Store,
    rng: &mut StdRng,
    today: NaiveDate,
    teams: &[canopy_store::org::TeamRow],
    users: &[canopy_store::users::UserRow],
) -> Result<usize, String> {
    let err = |e: StoreError| e.to_string();
    let mut added = 0;
    for council in store.list_councils(&Scope::Organisation).await.map_err(err)? {
        let team = teams
            .iter()
            .find(|t| t.service == "safeguarding" && t.cluster_id.is_some() && t.council_ids.contains(&council.id));
        let Some(team) = team else { continue };
        let Some(worker) = users.iter().find(|u| !u.disabled && u.team_ids.contains(&team.id)) else { continue };
        let calendar = store.council_calendar(&council.id).await.map_err(err)?;
        for n in 0..8 {
            let dob = today - Days::new(rng.gen_range(18 * 365 + 40..20 * 365 + 300));
            let district = &council.postcode_districts[n % council.postcode_districts.len().max(1)];
            let postcode = crate::demo_postcodes::in_district(district, n).map(str::to_string);
            let reason = if rng.gen_ratio(1, 3) { ReasonEpisodeCeased::E17 } else { ReasonEpisodeCeased::E5 };
            let span = (came_into_care(rng, dob), add_months(dob, 18 * 12));
            let Some(entries) = leaving_at(rng, dob, span, reason, postcode.clone(), today) else {
                continue;
            };
            let began = entries.first().map(CareEntry::date).unwrap_or(today);
            let young_person = crate::demo_children::young_person(rng, &council.la_code, added + 1, dob);
            let ctx = AuditContext { actor_id: worker.id.clone(), source: "demo".into(), at_ms: 0 };
            let record = canopy_store::children::ChildWithHistory {
                child: young_person,
                placement: canopy_store::children::Placement {
                    council_id: council.id.clone(),
                    postcode,
                    cluster_id: team.cluster_id.clone(),
                    team_id: Some(team.id.clone()),
                    allocated_to: Some(worker.id.clone()),
                },
                created_on: began,
                events: Vec::new(),
                clocks: Vec::new(),
                care: Vec::new(),
                care_clocks: Vec::new(),
                workers: vec![],
                adopters: None,
            };
            let ids = store.add_children_with_history(&ctx, &[record]).await.map_err(err)?;
            for (id, entry) in ids.iter().flat_map(|id| entries.iter().map(move |e| (id, e))) {
                let check = |all: &[CareEntry]| care_history(all).map(|h| h.projection(&calendar, Some(dob)));
                if let Err(broken) = store.record_care_entry(&ctx, id, entry, None, check).await.map_err(err)? {
                    return Err(format!("the demo's care leaver {id} breaks a rule: {broken}"));
                }
            }
            added += 1;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_domain::cases::care::ReasonNewEpisode;

    #[tokio::test]
    async fn the_demo_has_looked_after_children_whose_care_reads_as_903_episodes() {
        let (db, today) = crate::demo_children::demo_for_tests(900).await;
        let store = &db.store;
        let count = ensure(store, today).await.expect("care");
        assert!(count >= 10, "looked-after children in the demo: {count}");
        let teams = store.list_teams(&Scope::Organisation).await.expect("teams");
        let ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
        let (mut rnes, mut placements) = (Vec::new(), Vec::new());
        for child in store.children_held(None, &ids, false).await.expect("children") {
            let entries = store.care_entries(&child.id).await.expect("entries");
            if !entries.is_empty() {
                let history = care_history(&entries).expect("the demo's care obeys the rules");
                rnes.extend(history.episodes.iter().map(|e| e.reason_new_episode));
                placements.extend(history.episodes.iter().filter_map(|e| e.placement.postcode.clone()));
            }
        }
        let placed: Vec<String> =
            placements.iter().filter_map(|p| p.split_whitespace().next()).map(str::to_string).collect();
        let known = store.district_centres(&placed).await.expect("gazetteer");
        assert!(placed.iter().all(|d| known.contains_key(d)), "every placement's district is in the demo gazetteer");
        let kingston = ["KT1", "KT2", "KT3", "KT4", "KT5", "KT6", "KT9", "TW", "SW", "SL"];
        assert!(
            placed.iter().any(|d| !kingston.iter().any(|k| d.starts_with(k))),
            "some placements are out of the area"
        );
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
        let in_adoption = store.children_in_adoption(&Scope::Organisation).await.expect("adoption");
        assert!(in_adoption.len() >= 3, "children in adoption: {}", in_adoption.len());
        assert!(in_adoption.iter().all(|c| !c.shared_teams.is_empty()), "the adoption service works with each record");
        let adopters = store.adopters().await.expect("adopters");
        for stage in [AdopterStage::Stage2, AdopterStage::Approved, AdopterStage::Left] {
            assert!(adopters.iter().any(|a| a.stage == stage), "some adopters are at {stage:?}");
        }
        let leavers = store
            .clocks(&canopy_store::children::ClockFilter {
                kinds: Some(vec![canopy_domain::cases::ClockKind::PersonalAdviserContact.code().into()]),
                ..canopy_store::children::ClockFilter::default()
            })
            .await
            .expect("clocks");
        assert!(!leavers.is_empty(), "care leavers' advisers have contact due");
        let mut adults = 0;
        for clock in &leavers {
            let dob = store.get_child(&clock.child.id).await.expect("child").date_of_birth.expect("dob");
            if (today - dob).num_days() >= 18 * 365 {
                adults += 1;
            }
        }
        assert!(adults >= 3, "care leavers aged 18 to 21 have advisers in touch: {adults}");
        assert_eq!(ensure(store, today).await.expect("again"), count, "the demo is reused, not duplicated");
        db.cleanup().await;
    }
}
