//! The entries beyond episodes: adoption, health, asylum status, the IRO and leaving care.

use super::*;
use crate::cases::ClockKind;
use LegalStatus::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn carer(place: PlacementType, name: &str) -> Placement {
    Placement {
        place,
        provider: Some(PlacementProvider::PR1),
        carer: name.into(),
        postcode: None,
        urn: None,
        address: None,
    }
}

fn change(c: CareChange) -> CareEntry {
    CareEntry::Change { change: c }
}

fn started(on: NaiveDate, ls: LegalStatus, p: Placement) -> CareEntry {
    change(CareChange::StartedToBeLookedAfter {
        date: on,
        legal_status: ls,
        placement: p,
        category_of_need: None,
        carried_on: None,
    })
}

fn status(on: NaiveDate, ls: LegalStatus) -> CareEntry {
    change(CareChange::LegalStatusChanged { date: on, legal_status: ls })
}

fn moved(on: NaiveDate, p: Placement) -> CareEntry {
    change(CareChange::PlacementChanged {
        date: on,
        placement: p,
        reason: Some(ReasonPlaceChange::Carpl),
        match_not_known: false,
    })
}

fn left(on: NaiveDate, reason: ReasonEpisodeCeased) -> CareEntry {
    change(CareChange::CeasedToBeLookedAfter { date: on, reason })
}

fn matched(on: NaiveDate) -> CareEntry {
    CareEntry::MatchedWithAdopters {
        date: on,
        adopters: "a1".into(),
        adopters_name: "Sam and Alex".into(),
        foster_carers: false,
        before_record: None,
    }
}

fn due(clocks: &[crate::cases::RunningClock], kind: ClockKind) -> Option<NaiveDate> {
    clocks.iter().find(|c| c.kind == kind).map(|c| c.due)
}

fn calendar() -> crate::calendar::WorkingCalendar {
    crate::calendar::WorkingCalendar::england_and_wales()
}

/// Section 20, then interim and full care orders, two moves, the agency decision, a placement
/// order, a match, placing for adoption and the adoption order.
fn to_adoption() -> Vec<CareEntry> {
    vec![
        started(ymd(2025, 1, 6), V2, carer(PlacementType::U6, "Ash")),
        status(ymd(2025, 2, 3), C1),
        moved(ymd(2025, 3, 10), carer(PlacementType::U4, "Birch")),
        status(ymd(2025, 6, 2), C2),
        moved(ymd(2025, 7, 14), carer(PlacementType::U5, "Cedar")),
        CareEntry::AdoptionDecision { date: ymd(2025, 8, 1), before_record: None },
        status(ymd(2025, 10, 6), E1),
        matched(ymd(2025, 12, 1)),
        moved(ymd(2026, 1, 12), carer(PlacementType::A6, "Sam and Alex")),
    ]
}

#[test]
fn a_child_goes_from_section_20_through_a_care_order_and_two_moves_to_adoption() {
    let mut entries = to_adoption();
    let placed = care_history(&entries).unwrap();
    assert_eq!(placed.adoption_stage(), Some(AdoptionStage::Placed));
    let rnes: Vec<&str> = placed.episodes.iter().map(|e| e.reason_new_episode.code()).collect();
    assert_eq!(rnes, ["S", "L", "P", "L", "P", "L", "P"]);
    // Placed on 12 January: visited weekly until the first adoption review, due within 4 weeks.
    let clocks = placed.clocks(&calendar(), None);
    assert_eq!(due(&clocks, ClockKind::AdoptionReview), Some(ymd(2026, 2, 9)));
    entries.push(CareEntry::Visit { date: ymd(2026, 1, 16), seen_alone: false });
    let visited = care_history(&entries).unwrap();
    assert_eq!(due(&visited.clocks(&calendar(), None), ClockKind::StatutoryVisit), Some(ymd(2026, 1, 23)));
    entries.push(CareEntry::AdoptionReview { date: ymd(2026, 2, 6) });
    entries.push(left(ymd(2026, 6, 15), ReasonEpisodeCeased::E12));
    let adopted = care_history(&entries).unwrap();
    let progress = &adopted.adoption[0];
    assert_eq!(adopted.adoption_stage(), Some(AdoptionStage::Adopted));
    assert_eq!(progress.decided, ymd(2025, 8, 1));
    assert_eq!(progress.placement_order, Some(ymd(2025, 10, 6)));
    assert_eq!(progress.matched.as_ref().map(|m| m.date), Some(ymd(2025, 12, 1)));
    assert_eq!((progress.placed, progress.adopted), (Some(ymd(2026, 1, 12)), Some(ymd(2026, 6, 15))));
    assert_eq!(progress.reviews, vec![ymd(2026, 2, 6)]);
    assert!(adopted.clocks(&calendar(), None).is_empty(), "no clocks run once the child is adopted");
    assert_eq!(adopted.keep_until(Some(ymd(2023, 4, 1))), Some(ymd(2126, 6, 15)), "adoption records: 100 years");
    assert_eq!(placed.keep_until(Some(ymd(2023, 4, 1))), Some(ymd(2098, 4, 1)), "looked after: the 75th birthday");
}

#[test]
fn a_child_is_placed_for_adoption_only_after_the_decision_and_a_match() {
    let mut no_decision = to_adoption();
    no_decision.retain(|e| !matches!(e, CareEntry::AdoptionDecision { .. } | CareEntry::MatchedWithAdopters { .. }));
    assert!(care_history(&no_decision).unwrap_err().0.contains("after the agency decision"));
    let mut no_match = to_adoption();
    no_match.retain(|e| !matches!(e, CareEntry::MatchedWithAdopters { .. }));
    assert!(care_history(&no_match).unwrap_err().0.contains("record the match"));
}

#[test]
fn a_placement_for_adoption_from_an_old_systems_return_stands_until_its_match_is_recorded() {
    let mut imported = to_adoption();
    imported.retain(|e| !matches!(e, CareEntry::MatchedWithAdopters { .. }));
    let placed_on = ymd(2026, 1, 12);
    let without_match = |place| {
        change(CareChange::PlacementChanged {
            date: placed_on,
            placement: carer(place, "Not known"),
            reason: None,
            match_not_known: true,
        })
    };
    imported.pop();
    imported.push(without_match(PlacementType::A6));
    let placed = care_history(&imported).unwrap();
    let progress = &placed.adoption[0];
    assert_eq!((progress.placed, progress.matched.is_none()), (Some(placed_on), true));
    assert!(imported.last().unwrap().describe().contains("does not say when or with whom the match was"));

    // The match is recorded later, with its own day before the placement; not after it.
    let mut late = imported.clone();
    late.push(matched(ymd(2026, 2, 1)));
    assert!(care_history(&late).unwrap_err().0.contains("already placed"));
    imported.push(matched(ymd(2025, 12, 1)));
    let matched = care_history(&imported).unwrap();
    assert_eq!(matched.adoption[0].matched.as_ref().map(|m| m.date), Some(ymd(2025, 12, 1)));

    let mut not_for_adoption = to_adoption();
    not_for_adoption.pop();
    not_for_adoption.push(without_match(PlacementType::U4));
    assert!(care_history(&not_for_adoption).unwrap_err().0.contains("only a placement for adoption"));
}

#[test]
fn placing_under_a_placement_order_needs_the_order_and_with_one_needs_a5_or_a6() {
    let mut with_consent = to_adoption();
    with_consent.pop();
    with_consent.push(moved(ymd(2026, 1, 12), carer(PlacementType::A4, "Sam and Alex")));
    assert!(care_history(&with_consent).unwrap_err().0.contains("A5 or A6"));
    let mut no_order = to_adoption();
    no_order.retain(|e| {
        !matches!(e, CareEntry::Change { change: CareChange::LegalStatusChanged { legal_status: E1, .. } })
    });
    assert!(care_history(&no_order).unwrap_err().0.contains("needs the placement order"));
}

#[test]
fn an_adoption_order_ends_care_only_for_a_child_placed_for_adoption() {
    let entries = vec![
        started(ymd(2025, 1, 6), C2, carer(PlacementType::U4, "Ash")),
        left(ymd(2025, 9, 1), ReasonEpisodeCeased::E11),
    ];
    assert!(care_history(&entries).unwrap_err().0.contains("placed for adoption"));
}

#[test]
fn a_reversed_decision_gives_its_reason_and_a_new_decision_can_follow() {
    let mut entries = to_adoption();
    entries.truncate(8); // matched, not placed
    entries.push(CareEntry::AdoptionDecisionReversed { date: ymd(2026, 1, 5), reason: ReasonPlacedCeased::Rd1 });
    let reversed = care_history(&entries).unwrap();
    assert_eq!(reversed.adoption_stage(), Some(AdoptionStage::Reversed));
    assert_eq!(reversed.adoption[0].ceased, Some((ymd(2026, 1, 5), ReasonPlacedCeased::Rd1)));
    entries.push(CareEntry::AdoptionDecision { date: ymd(2026, 3, 2), before_record: None });
    let again = care_history(&entries).unwrap();
    assert_eq!(again.adoption.len(), 2, "each decision is its own PlacedAdoption row");
    assert_eq!(again.adoption[1].placement_order, Some(ymd(2026, 3, 2)), "the placement order still stands");
}

#[test]
fn a_decision_cannot_be_reversed_while_the_child_is_with_the_adopters() {
    let mut entries = to_adoption();
    entries.push(CareEntry::AdoptionDecisionReversed { date: ymd(2026, 2, 1), reason: ReasonPlacedCeased::Rd4 });
    assert!(care_history(&entries).unwrap_err().0.contains("move from their adoptive placement first"));
}

#[test]
fn adoption_reviews_are_held_only_while_placed_and_a_second_decision_waits_for_the_first_to_end() {
    let mut entries = to_adoption();
    entries.truncate(6);
    let mut review = entries.clone();
    review.push(CareEntry::AdoptionReview { date: ymd(2025, 9, 1) });
    assert!(care_history(&review).unwrap_err().0.contains("while the child is placed"));
    entries.push(CareEntry::AdoptionDecision { date: ymd(2025, 9, 1), before_record: None });
    assert!(care_history(&entries).unwrap_err().0.contains("already in force"));
}

#[test]
fn an_sdq_has_a_score_from_0_to_40_or_a_reason_and_health_checks_are_for_looked_after_children() {
    let care = started(ymd(2025, 1, 6), C2, carer(PlacementType::U4, "Ash"));
    let sdq = |score: Option<u8>, reason: Option<SdqReason>| {
        care_history(&[care.clone(), CareEntry::Sdq { date: ymd(2025, 6, 1), score, reason }])
    };
    assert_eq!(sdq(Some(14), None).unwrap().sdq[0].score, Some(14));
    assert!(sdq(None, Some(SdqReason::Sdq1)).is_ok());
    assert!(sdq(Some(41), None).is_err());
    assert!(sdq(None, None).is_err());
    assert!(sdq(Some(3), Some(SdqReason::Sdq2)).is_err());
    let before = CareEntry::HealthCheck { date: ymd(2024, 12, 1), check: HealthCheck::DentalCheck };
    assert!(care_history(&[care.clone(), before]).unwrap_err().0.contains("not looked after"));
    let during = CareEntry::HealthCheck { date: ymd(2025, 2, 1), check: HealthCheck::HealthAssessment };
    assert_eq!(care_history(&[care, during]).unwrap().health, vec![(ymd(2025, 2, 1), HealthCheck::HealthAssessment)]);
}

#[test]
fn an_unaccompanied_asylum_seeking_period_opens_and_closes_once() {
    let care = started(ymd(2025, 1, 6), C2, carer(PlacementType::K2, "Oak House"));
    let uasc = |date, asylum_seeking| CareEntry::Unaccompanied { date, asylum_seeking };
    let h = care_history(&[care.clone(), uasc(ymd(2025, 1, 6), true), uasc(ymd(2026, 3, 1), false)]).unwrap();
    assert_eq!(h.unaccompanied, vec![(ymd(2025, 1, 6), Some(ymd(2026, 3, 1)))]);
    assert!(care_history(&[care.clone(), uasc(ymd(2026, 3, 1), false)]).is_err());
    assert!(care_history(&[care, uasc(ymd(2025, 1, 6), true), uasc(ymd(2025, 2, 6), true)]).is_err());
}

#[test]
fn the_iro_and_the_reviews_they_chair_are_kept() {
    let entries = [
        started(ymd(2025, 1, 6), C2, carer(PlacementType::U4, "Ash")),
        CareEntry::IroAssigned { date: ymd(2025, 1, 7), iro: "u-iro".into(), name: "Priya Shah".into() },
        CareEntry::Review {
            date: ymd(2025, 1, 30),
            participation: ReviewParticipation::Pn1,
            chair: Some("u-iro".into()),
        },
    ];
    let h = care_history(&entries).unwrap();
    assert_eq!(h.iro.as_ref().map(|i| i.user_id.as_str()), Some("u-iro"));
    assert_eq!(h.reviews[0].chair.as_deref(), Some("u-iro"));
    assert_eq!(h.projection(&calendar(), None).iro.as_deref(), Some("u-iro"));
}

/// Born 1 June 2009: 14 on 1 June 2023, 16 on 1 June 2025, 18 on 1 June 2027, 21 on 1 June 2030.
fn dob() -> NaiveDate {
    ymd(2009, 6, 1)
}

fn care_from_15() -> Vec<CareEntry> {
    vec![started(ymd(2024, 9, 2), C2, carer(PlacementType::U4, "Ash"))]
}

#[test]
fn a_young_person_is_eligible_at_16_in_care_then_former_relevant_after_leaving_at_18_until_21() {
    let mut entries = care_from_15();
    let category = |entries: &[CareEntry], on| {
        let h = care_history(entries).unwrap();
        leaver_category(dob(), &h.episodes, &h.leaving, on)
    };
    assert_eq!(category(&entries, ymd(2025, 5, 31)), None, "not yet 16");
    assert_eq!(category(&entries, ymd(2025, 7, 1)), Some(LeaverCategory::Eligible));
    entries.push(left(ymd(2027, 6, 1), ReasonEpisodeCeased::E17));
    assert_eq!(category(&entries, ymd(2027, 7, 1)), Some(LeaverCategory::FormerRelevant));
    assert_eq!(category(&entries, ymd(2030, 6, 1)), None, "support ends at 21");
    entries.push(CareEntry::SupportTo25 { date: ymd(2030, 3, 1) });
    assert_eq!(category(&entries, ymd(2030, 7, 1)), Some(LeaverCategory::FormerRelevant));
    assert_eq!(category(&entries, ymd(2034, 6, 1)), None, "support ends at 25");
}

#[test]
fn a_young_person_who_leaves_care_at_17_is_relevant_and_one_looked_after_briefly_at_16_is_qualifying() {
    let mut relevant = care_from_15();
    relevant.push(left(ymd(2026, 8, 3), ReasonEpisodeCeased::E4A));
    let h = care_history(&relevant).unwrap();
    assert_eq!(leaver_category(dob(), &h.episodes, &h.leaving, ymd(2026, 9, 1)), Some(LeaverCategory::Relevant));
    let brief = [
        started(ymd(2025, 7, 1), V2, carer(PlacementType::U6, "Ash")),
        left(ymd(2025, 8, 5), ReasonEpisodeCeased::E13),
    ];
    let h = care_history(&brief).unwrap();
    assert_eq!(leaver_category(dob(), &h.episodes, &h.leaving, ymd(2025, 9, 1)), Some(LeaverCategory::Qualifying));
    assert!(
        leaving_care_clocks(dob(), &h.episodes, &h.leaving).is_empty(),
        "a qualifying young person has no pathway plan"
    );
}

#[test]
fn short_breaks_alone_do_not_make_a_care_leaver() {
    let breaks = [
        started(ymd(2024, 9, 2), V3, carer(PlacementType::U6, "Respite")),
        left(ymd(2024, 9, 5), ReasonEpisodeCeased::E8),
    ];
    let h = care_history(&breaks).unwrap();
    assert_eq!(entitled_from(dob(), &h.episodes), None);
}

#[test]
fn the_pathway_plan_is_due_3_months_after_16_then_every_6_months_and_the_adviser_every_2_months() {
    let mut entries = care_from_15();
    let clocks = |entries: &[CareEntry]| care_history(entries).unwrap().clocks(&calendar(), Some(dob()));
    assert_eq!(due(&clocks(&entries), ClockKind::PathwayPlanReview), Some(ymd(2025, 9, 1)));
    assert_eq!(due(&clocks(&entries), ClockKind::PersonalAdviserContact), None, "still in care");
    entries.push(CareEntry::PathwayPlanReviewed { date: ymd(2025, 8, 15) });
    assert_eq!(due(&clocks(&entries), ClockKind::PathwayPlanReview), Some(ymd(2026, 2, 15)));
    entries.push(left(ymd(2027, 6, 1), ReasonEpisodeCeased::E5));
    assert_eq!(due(&clocks(&entries), ClockKind::PersonalAdviserContact), Some(ymd(2027, 8, 1)));
    let contact = |date, in_touch| CareEntry::LeaverContact {
        date,
        in_touch,
        accommodation: Some(LeaverAccommodation::Independent),
        suitable: true,
        activity: Some(LeaverActivity::F4),
    };
    entries.push(contact(ymd(2027, 7, 20), InTouch::Yes));
    assert_eq!(due(&clocks(&entries), ClockKind::PersonalAdviserContact), Some(ymd(2027, 9, 20)));
    // Near 21 the next contact would fall after support ends, so no clock runs.
    entries.push(contact(ymd(2030, 4, 10), InTouch::Yes));
    entries.push(CareEntry::PathwayPlanReviewed { date: ymd(2030, 4, 10) });
    assert!(clocks(&entries).is_empty());
    entries.push(CareEntry::SupportTo25 { date: ymd(2030, 4, 20) });
    assert_eq!(due(&clocks(&entries), ClockKind::PersonalAdviserContact), Some(ymd(2030, 6, 10)));
}

#[test]
fn a_care_leaver_whose_care_ended_before_the_record_is_one_with_their_clocks_and_contacts() {
    // Known from an old system's OC3 row on their 19th birthday, 1 June 2028.
    let known = ymd(2028, 6, 1);
    let mut entries = vec![CareEntry::LeftCareBeforeRecord { date: known }];
    entries.push(CareEntry::LeaverContact {
        date: known,
        in_touch: InTouch::Yes,
        accommodation: Some(LeaverAccommodation::Independent),
        suitable: true,
        activity: Some(LeaverActivity::F4),
    });
    let h = care_history(&entries).unwrap();
    assert!(h.ever_looked_after() && !h.in_care_now());
    assert_eq!(leaver_category(dob(), &h.episodes, &h.leaving, ymd(2028, 7, 1)), Some(LeaverCategory::FormerRelevant));
    let clocks = h.clocks(&calendar(), Some(dob()));
    assert_eq!(due(&clocks, ClockKind::PersonalAdviserContact), Some(ymd(2028, 8, 1)));
    assert_eq!(due(&clocks, ClockKind::PathwayPlanReview), Some(ymd(2028, 9, 1)));
    assert_eq!(h.keep_until(Some(dob())), Some(ymd(2084, 6, 1)), "a care leaver's record: the 75th birthday");
    assert!(entries[0].describe().contains("left care before this record began"));

    // Before it, no contact; care may begin again after it, not before.
    let early = vec![entries[0].clone(), CareEntry::SupportTo25 { date: ymd(2028, 5, 1) }];
    assert!(care_history(&early).unwrap_err().0.contains("had not been looked after"));
    let mut back_in_care = entries.clone();
    back_in_care.push(started(ymd(2028, 9, 1), V2, carer(PlacementType::U4, "Ash")));
    assert!(care_history(&back_in_care).is_ok());
    let mut in_care_before = entries.clone();
    in_care_before.push(started(ymd(2027, 9, 1), V2, carer(PlacementType::U4, "Ash")));
    assert!(care_history(&in_care_before).unwrap_err().0.contains("comes before any care it holds"));
}

#[test]
fn no_leaving_care_clock_runs_once_a_young_person_no_longer_needs_support() {
    let mut entries = care_from_15();
    entries.push(left(ymd(2027, 6, 1), ReasonEpisodeCeased::E5));
    entries.push(CareEntry::LeaverContact {
        date: ymd(2027, 7, 1),
        in_touch: InTouch::NotRequired,
        accommodation: None,
        suitable: false,
        activity: None,
    });
    assert!(care_history(&entries).unwrap().clocks(&calendar(), Some(dob())).is_empty());
}

#[test]
fn leaver_contact_is_for_young_people_who_have_left_care_and_records_nothing_after_a_death() {
    let mut entries = care_from_15();
    let contact = |date, in_touch, accommodation| CareEntry::LeaverContact {
        date,
        in_touch,
        accommodation,
        suitable: true,
        activity: None,
    };
    entries.push(contact(ymd(2026, 1, 5), InTouch::Yes, None));
    assert!(care_history(&entries).unwrap_err().0.contains("still looked after"));
    entries.pop();
    entries.push(left(ymd(2027, 6, 1), ReasonEpisodeCeased::E5));
    entries.push(contact(ymd(2027, 7, 1), InTouch::Died, Some(LeaverAccommodation::Independent)));
    assert!(care_history(&entries).unwrap_err().0.contains("died"));
}

#[test]
fn accommodation_codes_carry_their_suitability_and_some_places_are_never_suitable() {
    assert_eq!(LeaverAccommodation::Independent.code_with_suitability(true), "U1");
    assert_eq!(LeaverAccommodation::BedAndBreakfast.code_with_suitability(false), "W2");
    assert_eq!(LeaverAccommodation::NoFixedAbode.code_with_suitability(true), "S2");
    assert_eq!(LeaverAccommodation::Custody.code_with_suitability(true), "X2");
}
