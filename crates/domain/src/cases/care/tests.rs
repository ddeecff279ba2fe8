use super::*;
use proptest::prelude::*;
use LegalStatus::*;
use ReasonNewEpisode as Rne;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn foster(carer: &str) -> Placement {
    Placement {
        place: PlacementType::U6,
        provider: Some(PlacementProvider::PR1),
        carer: carer.into(),
        postcode: Some("KT1 1EU".into()),
        urn: None,
        address: None,
    }
}

fn at(place: PlacementType, carer: &str) -> Placement {
    Placement { place, ..foster(carer) }
}

fn start(on: NaiveDate, ls: LegalStatus, p: Placement) -> CareChange {
    CareChange::StartedToBeLookedAfter {
        date: on,
        legal_status: ls,
        placement: p,
        category_of_need: None,
        carried_on: None,
    }
}

fn ls(on: NaiveDate, status: LegalStatus) -> CareChange {
    CareChange::LegalStatusChanged { date: on, legal_status: status }
}

fn moved(on: NaiveDate, p: Placement) -> CareChange {
    CareChange::PlacementChanged {
        date: on,
        placement: p,
        reason: Some(ReasonPlaceChange::Carpl),
        match_not_known: false,
    }
}

fn ceased(on: NaiveDate, reason: ReasonEpisodeCeased) -> CareChange {
    CareChange::CeasedToBeLookedAfter { date: on, reason }
}

fn rnes(episodes: &[CareEpisode]) -> Vec<ReasonNewEpisode> {
    episodes.iter().map(|e| e.reason_new_episode).collect()
}

#[test]
fn starting_to_be_looked_after_opens_one_episode_with_rne_s() {
    let e = derive_episodes(&[start(d(1, 5), V2, foster("smith"))]).unwrap();
    assert_eq!(rnes(&e), vec![Rne::S]);
    assert_eq!((e[0].start, e[0].end, e[0].legal_status), (d(1, 5), None, V2));
}

#[test]
fn a_care_order_granted_is_a_change_of_legal_status_only() {
    let e = derive_episodes(&[start(d(1, 5), C1, foster("smith")), ls(d(3, 1), C2)]).unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::L]);
    assert_eq!(e[0].placement, e[1].placement);
}

#[test]
fn a_continuation_episode_starts_the_day_the_previous_one_ended_with_x1() {
    let e = derive_episodes(&[start(d(1, 5), V2, foster("smith")), ls(d(3, 1), C1)]).unwrap();
    assert_eq!((e[0].end, e[0].reason_ceased), (Some(d(3, 1)), Some(ReasonEpisodeCeased::X1)));
    assert_eq!(e[1].start, d(3, 1));
}

#[test]
fn moving_to_new_carers_is_p() {
    let e = derive_episodes(&[start(d(1, 5), V2, foster("smith")), moved(d(2, 10), foster("jones"))]).unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::P]);
    assert_eq!(e[1].reason_place_change, Some(ReasonPlaceChange::Carpl));
}

#[test]
fn the_same_carers_at_a_new_address_or_a_new_placement_type_is_t() {
    let mut moved_house = foster("smith");
    moved_house.postcode = Some("KT2 5AA".into());
    let e = derive_episodes(&[start(d(1, 5), V2, foster("smith")), moved(d(2, 10), moved_house)]).unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::T]);
    let e = derive_episodes(&[start(d(1, 5), C2, foster("smith")), moved(d(2, 10), at(PlacementType::U4, "smith"))])
        .unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::T], "short-term foster care becomes long-term with the same carers");
}

#[test]
fn a_new_legal_status_and_new_carers_on_one_day_is_u() {
    let e = derive_episodes(&[start(d(1, 5), V2, foster("smith")), ls(d(4, 1), C1), moved(d(4, 1), foster("jones"))])
        .unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::U]);
    assert_eq!(e.len(), 2, "changes on the same day make one episode");
}

#[test]
fn a_new_legal_status_and_placement_with_the_same_carers_is_b() {
    let e = derive_episodes(&[
        start(d(1, 5), C2, foster("smith")),
        ls(d(6, 1), E1),
        moved(d(6, 1), at(PlacementType::A5, "smith")),
    ])
    .unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::B]);
    assert_eq!((e[1].legal_status, e[1].placement.place), (E1, PlacementType::A5));
}

#[test]
fn leaving_care_closes_the_last_episode_and_only_the_last_may_be_open() {
    let e = derive_episodes(&[
        start(d(1, 5), V2, foster("smith")),
        moved(d(2, 1), foster("jones")),
        ceased(d(5, 1), ReasonEpisodeCeased::E4A),
    ])
    .unwrap();
    assert!(e.iter().all(|x| x.end.is_some()));
    assert_eq!(e[1].reason_ceased, Some(ReasonEpisodeCeased::E4A));
}

#[test]
fn a_second_period_of_care_starts_again_with_s() {
    let e = derive_episodes(&[
        start(d(1, 5), V2, foster("smith")),
        ceased(d(2, 1), ReasonEpisodeCeased::E4A),
        start(d(6, 1), V2, foster("smith")),
    ])
    .unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::S]);
}

#[test]
fn care_cannot_end_and_start_again_on_the_same_day() {
    let err = derive_episodes(&[
        start(d(1, 5), V2, foster("smith")),
        ceased(d(2, 1), ReasonEpisodeCeased::E8),
        start(d(2, 1), C1, foster("jones")),
    ])
    .unwrap_err();
    assert!(err.0.contains("change within one period of care"), "{err}");
}

#[test]
fn nothing_can_change_for_a_child_who_is_not_looked_after() {
    assert!(derive_episodes(&[ls(d(1, 5), C1)]).unwrap_err().0.contains("not looked after"));
    assert!(derive_episodes(&[ceased(d(1, 5), ReasonEpisodeCeased::E8)]).is_err());
    let err = derive_episodes(&[start(d(1, 5), V2, foster("a")), start(d(2, 5), V2, foster("b"))]).unwrap_err();
    assert!(err.0.contains("already looked after"));
}

#[test]
fn a_period_of_care_cannot_start_with_a_temporary_placement() {
    let err = derive_episodes(&[start(d(1, 5), V2, at(PlacementType::T1, "hospital"))]).unwrap_err();
    assert!(err.0.contains("cannot start with a temporary placement"), "{err}");
}

#[test]
fn a_period_of_care_cannot_end_in_a_temporary_placement() {
    let err = derive_episodes(&[
        start(d(1, 5), C2, foster("smith")),
        moved(d(2, 1), at(PlacementType::T1, "hospital")),
        ceased(d(2, 3), ReasonEpisodeCeased::E8),
    ])
    .unwrap_err();
    assert!(err.0.contains("cannot end with a temporary placement"));
}

#[test]
fn after_a_temporary_placement_the_child_returns_to_their_usual_placement_with_p() {
    let e = derive_episodes(&[
        start(d(1, 5), C2, foster("smith")),
        moved(d(2, 1), at(PlacementType::T1, "hospital")),
        moved(d(2, 4), foster("smith")),
    ])
    .unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::P, Rne::P]);
    let err = derive_episodes(&[
        start(d(1, 5), C2, foster("smith")),
        moved(d(2, 1), at(PlacementType::T3, "respite")),
        moved(d(2, 10), foster("jones")),
    ])
    .unwrap_err();
    assert!(err.0.contains("goes back to their usual placement"), "{err}");
}

#[test]
fn a_change_of_legal_status_during_a_temporary_placement_still_returns_to_the_usual_placement() {
    let e = derive_episodes(&[
        start(d(1, 5), C1, foster("smith")),
        moved(d(2, 1), at(PlacementType::T1, "hospital")),
        ls(d(2, 3), C2),
        moved(d(2, 6), foster("smith")),
    ])
    .unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::P, Rne::L, Rne::P]);
    let err = derive_episodes(&[
        start(d(1, 5), C1, foster("smith")),
        moved(d(2, 1), at(PlacementType::T1, "hospital")),
        ls(d(2, 3), C2),
        moved(d(2, 6), foster("jones")),
    ])
    .unwrap_err();
    assert!(err.0.contains("goes back to their usual placement"), "{err}");
    let err = derive_episodes(&[
        start(d(1, 5), C1, foster("smith")),
        moved(d(2, 1), at(PlacementType::T4, "emergency")),
        ls(d(2, 6), C2),
        moved(d(2, 10), foster("smith")),
    ])
    .unwrap_err();
    assert!(err.0.contains("seven days"), "the T4 limit counts from the start of the spell: {err}");
}

#[test]
fn a_t4_temporary_placement_lasts_at_most_seven_days() {
    let ok = [
        start(d(1, 5), C2, foster("smith")),
        moved(d(2, 1), at(PlacementType::T4, "emergency")),
        moved(d(2, 8), foster("smith")),
    ];
    assert!(derive_episodes(&ok).is_ok());
    let too_long = [
        start(d(1, 5), C2, foster("smith")),
        moved(d(2, 1), at(PlacementType::T4, "emergency")),
        moved(d(2, 9), foster("smith")),
    ];
    assert!(derive_episodes(&too_long).unwrap_err().0.contains("more than seven days"));
}

#[test]
fn a_short_break_recorded_as_its_own_period_cannot_change_part_way() {
    let err = derive_episodes(&[start(d(1, 5), V3, foster("respite")), moved(d(1, 7), foster("other"))]).unwrap_err();
    assert!(err.0.contains("short break"), "{err}");
    let e = derive_episodes(&[start(d(1, 5), V3, foster("respite")), ceased(d(1, 7), ReasonEpisodeCeased::E13)]);
    assert!(e.is_ok());
}

#[test]
fn short_breaks_are_at_most_17_days_each_and_75_days_in_12_months() {
    let mut changes = Vec::new();
    // Five breaks of 16 days: 80 days within the year.
    for m in [1, 3, 5, 7, 9] {
        changes.push(start(d(m, 1), V3, foster("respite")));
        changes.push(ceased(d(m, 16), ReasonEpisodeCeased::E13));
    }
    let e = derive_episodes(&changes).unwrap();
    let problems = short_break_problems(&e, d(11, 23));
    assert_eq!(problems, vec![ShortBreakProblem::TooManyDays { year_ending: d(9, 16), days: 80 }]);
    let long =
        derive_episodes(&[start(d(1, 1), V3, foster("respite")), ceased(d(1, 18), ReasonEpisodeCeased::E13)]).unwrap();
    assert_eq!(short_break_problems(&long, d(11, 23)), vec![ShortBreakProblem::TooLong { start: d(1, 1), days: 18 }]);
    let fine =
        derive_episodes(&[start(d(1, 1), V3, foster("respite")), ceased(d(1, 17), ReasonEpisodeCeased::E13)]).unwrap();
    assert!(short_break_problems(&fine, d(11, 23)).is_empty());
}

#[test]
fn x1_is_kept_for_linking_episodes_and_cannot_end_care() {
    let err =
        derive_episodes(&[start(d(1, 5), V2, foster("a")), ceased(d(2, 1), ReasonEpisodeCeased::X1)]).unwrap_err();
    assert!(err.0.contains("X1"));
}

#[test]
fn recording_what_is_already_so_changes_nothing_and_is_refused() {
    let err = derive_episodes(&[start(d(1, 5), V2, foster("a")), ls(d(2, 1), V2)]).unwrap_err();
    assert!(err.0.contains("nothing changed"));
}

#[test]
fn changes_are_read_in_date_order_whatever_order_they_were_recorded_in() {
    let recorded_late = [ls(d(3, 1), C2), moved(d(2, 1), foster("jones")), start(d(1, 5), C1, foster("smith"))];
    let e = derive_episodes(&recorded_late).unwrap();
    assert_eq!(rnes(&e), vec![Rne::S, Rne::P, Rne::L]);
}

#[test]
fn the_codes_read_as_the_903_writes_them() {
    assert_eq!(LegalStatus::from_code("c2"), Some(C2));
    assert_eq!(PlacementType::from_code("Z11").map(|p| p.code()), Some("Z11"));
    assert!(PlacementType::T0.is_temporary() && !PlacementType::U6.is_temporary());
    assert_eq!(ReasonEpisodeCeased::from_code("E4A"), Some(ReasonEpisodeCeased::E4A));
    assert_eq!(ReasonPlaceChange::from_code("CREQB").map(|r| r.code()), Some("CREQB"));
    assert_eq!(ReviewParticipation::ALL.len(), 8);
    assert_eq!(PlacementProvider::ALL.len(), 6);
    assert!(V3.is_short_break() && V4.is_short_break() && !C2.is_short_break());
}

fn arb_change() -> impl Strategy<Value = (u32, u8, u8)> {
    (0..200u32, 0..4u8, 0..4u8)
}

proptest! {
    /// Whatever is recorded, anything accepted is a proper 903 history: episodes in order, each
    /// continuation starting the day the one before ended, only the last open, and S exactly
    /// where a period of care begins.
    #[test]
    fn accepted_histories_are_well_formed(raw in proptest::collection::vec(arb_change(), 1..12)) {
        let base = d(1, 1);
        let carers = ["a", "b", "c", "d"];
        let statuses = [V2, C1, C2, E1];
        let changes: Vec<CareChange> = raw
            .iter()
            .map(|&(day, kind, pick)| {
                let on = base + chrono::Days::new(u64::from(day));
                match kind {
                    0 => start(on, statuses[pick as usize], foster(carers[pick as usize])),
                    1 => ls(on, statuses[pick as usize]),
                    2 => moved(on, foster(carers[pick as usize])),
                    _ => ceased(on, ReasonEpisodeCeased::E8),
                }
            })
            .collect();
        if let Ok(e) = derive_episodes(&changes) {
            for w in e.windows(2) {
                prop_assert!(w[0].start <= w[1].start);
                prop_assert!(w[0].end.is_some(), "only the last episode may be open");
                match w[1].reason_new_episode {
                    Rne::S => prop_assert!(w[0].reason_ceased != Some(ReasonEpisodeCeased::X1) && w[0].end < Some(w[1].start)),
                    _ => prop_assert!(w[0].end == Some(w[1].start) && w[0].reason_ceased == Some(ReasonEpisodeCeased::X1)),
                }
            }
            prop_assert!(e.first().map(|x| x.reason_new_episode) == Some(Rne::S));
        }
    }
}

fn calendar() -> crate::calendar::WorkingCalendar {
    crate::calendar::WorkingCalendar::england_and_wales()
}

fn due(clocks: &[crate::cases::RunningClock], kind: crate::cases::ClockKind) -> Option<NaiveDate> {
    clocks.iter().find(|c| c.kind == kind).map(|c| c.due)
}

#[test]
fn the_first_review_is_within_20_working_days_then_3_months_then_every_6() {
    let e = derive_episodes(&[start(d(1, 5), V2, foster("smith"))]).unwrap();
    let record = CareRecord { episodes: &e, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::LookedAfterReview), Some(d(2, 2)));
    let one = [d(1, 30)];
    let record = CareRecord { episodes: &e, reviews: &one, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::LookedAfterReview), Some(d(4, 30)));
    let two = [d(1, 30), d(4, 20)];
    let record = CareRecord { episodes: &e, reviews: &two, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::LookedAfterReview), Some(d(10, 20)));
}

#[test]
fn the_first_review_counts_working_days_past_bank_holidays() {
    // Care begins on Maundy Thursday 2026: Good Friday and Easter Monday are not working days.
    let e = derive_episodes(&[start(d(4, 2), V2, foster("smith"))]).unwrap();
    let record = CareRecord { episodes: &e, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::LookedAfterReview), Some(d(5, 5)));
}

#[test]
fn visits_are_due_a_week_after_each_placement_then_every_six_weeks_in_its_first_year() {
    let e = derive_episodes(&[start(d(1, 5), C2, foster("smith")), moved(d(3, 2), foster("jones"))]).unwrap();
    let before_move = [d(1, 9), d(2, 16)];
    let record = CareRecord { episodes: &e, visits: &before_move, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::StatutoryVisit), Some(d(3, 9)));
    let after = [d(1, 9), d(3, 6)];
    let record = CareRecord { episodes: &e, visits: &after, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::StatutoryVisit), Some(d(4, 17)));
}

#[test]
fn after_a_placements_first_year_visits_follow_the_plan() {
    let e = derive_episodes(&[start(d(1, 5), C2, foster("smith"))]).unwrap();
    let last = NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
    let visits = [last];
    let plain = CareRecord { episodes: &e, visits: &visits, ..CareRecord::default() };
    assert_eq!(
        due(&care_clocks(&plain, &calendar()), crate::cases::ClockKind::StatutoryVisit),
        Some(last + chrono::Days::new(42))
    );
    let until_18 = CareRecord { placement_until_18: true, ..plain.clone() };
    assert_eq!(
        due(&care_clocks(&until_18, &calendar()), crate::cases::ClockKind::StatutoryVisit),
        NaiveDate::from_ymd_opt(2027, 5, 1)
    );
    let agreed = CareRecord { six_monthly_visits_agreed: true, ..until_18 };
    assert_eq!(
        due(&care_clocks(&agreed, &calendar()), crate::cases::ClockKind::StatutoryVisit),
        NaiveDate::from_ymd_opt(2027, 8, 1)
    );
}

#[test]
fn a_child_placed_for_adoption_has_reviews_at_4_weeks_3_months_then_6_months() {
    let e = derive_episodes(&[
        start(d(1, 5), C2, foster("smith")),
        ls(d(5, 1), E1),
        moved(d(5, 1), at(PlacementType::A6, "adopters")),
    ])
    .unwrap();
    let record = CareRecord { episodes: &e, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::AdoptionReview), Some(d(5, 29)));
    let one = [d(5, 27)];
    let record = CareRecord { episodes: &e, adoption_reviews: &one, ..CareRecord::default() };
    assert_eq!(due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::AdoptionReview), Some(d(8, 27)));
    let two = [d(5, 27), d(8, 20)];
    let record = CareRecord { episodes: &e, adoption_reviews: &two, ..CareRecord::default() };
    assert_eq!(
        due(&care_clocks(&record, &calendar()), crate::cases::ClockKind::AdoptionReview),
        NaiveDate::from_ymd_opt(2027, 2, 20)
    );
}

#[test]
fn no_clocks_run_once_care_has_ended_or_for_a_short_break() {
    let ended = derive_episodes(&[start(d(1, 5), V2, foster("a")), ceased(d(2, 1), ReasonEpisodeCeased::E4A)]).unwrap();
    assert!(care_clocks(&CareRecord { episodes: &ended, ..CareRecord::default() }, &calendar()).is_empty());
    let short = derive_episodes(&[start(d(1, 5), V3, foster("respite"))]).unwrap();
    assert!(care_clocks(&CareRecord { episodes: &short, ..CareRecord::default() }, &calendar()).is_empty());
}

#[test]
fn oc2_is_children_looked_after_continuously_for_12_months_at_31_march() {
    let year_end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
    let since_1_april = derive_episodes(&[start(d(4, 1), V2, foster("a")), ls(d(9, 1), C2)]).unwrap();
    assert!(in_oc2(&since_1_april, year_end), "a change of legal status keeps the period of care");
    let since_2_april = derive_episodes(&[start(d(4, 2), C2, foster("a"))]).unwrap();
    assert!(!in_oc2(&since_2_april, year_end));
    let broken = derive_episodes(&[
        start(d(1, 5), C2, foster("a")),
        ceased(d(6, 1), ReasonEpisodeCeased::E4B),
        start(d(7, 1), C2, foster("a")),
    ])
    .unwrap();
    assert!(!in_oc2(&broken, year_end), "a break in care restarts the 12 months");
    let left = derive_episodes(&[start(d(1, 5), C2, foster("a")), ceased(d(12, 1), ReasonEpisodeCeased::E4A)]).unwrap();
    assert!(!in_oc2(&left, year_end));
}

#[test]
fn oc3_is_former_relevant_children_in_the_year_of_their_17th_to_21st_birthday() {
    let year_end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
    let dob = NaiveDate::from_ymd_opt(2009, 10, 1).unwrap(); // 17 in October 2026
    let on = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let former_relevant = derive_episodes(&[
        CareChange::StartedToBeLookedAfter {
            date: on(2024, 1, 10),
            legal_status: C2,
            placement: foster("a"),
            category_of_need: None,
            carried_on: None,
        },
        CareChange::CeasedToBeLookedAfter { date: on(2026, 2, 1), reason: ReasonEpisodeCeased::E5 },
    ])
    .unwrap();
    assert!(in_oc3(dob, &former_relevant, year_end));
    let too_young = NaiveDate::from_ymd_opt(2010, 10, 1).unwrap();
    assert!(!in_oc3(too_young, &former_relevant, year_end));
    let left_at_15 = derive_episodes(&[
        CareChange::StartedToBeLookedAfter {
            date: on(2024, 1, 10),
            legal_status: C2,
            placement: foster("a"),
            category_of_need: None,
            carried_on: None,
        },
        CareChange::CeasedToBeLookedAfter { date: on(2025, 3, 1), reason: ReasonEpisodeCeased::E4A },
    ])
    .unwrap();
    assert!(!in_oc3(dob, &left_at_15, year_end), "not looked after at 16");
    let brief = derive_episodes(&[
        CareChange::StartedToBeLookedAfter {
            date: on(2025, 11, 1),
            legal_status: V2,
            placement: foster("a"),
            category_of_need: None,
            carried_on: None,
        },
        CareChange::CeasedToBeLookedAfter { date: on(2025, 12, 1), reason: ReasonEpisodeCeased::E4A },
    ])
    .unwrap();
    assert!(!in_oc3(dob, &brief, year_end), "under 13 weeks since 14");
}

#[test]
fn care_entries_round_trip_as_json_and_visits_need_the_child_in_care() {
    let entries = vec![
        CareEntry::Change { change: start(d(1, 5), V2, foster("smith")) },
        CareEntry::Visit { date: d(1, 9), seen_alone: true },
        CareEntry::Review { date: d(1, 30), participation: ReviewParticipation::Pn1, chair: None },
        CareEntry::Change { change: ceased(d(3, 1), ReasonEpisodeCeased::E4A) },
    ];
    let json = serde_json::to_string(&entries).unwrap();
    assert!(json.contains("\"legal_status\":\"V2\"") && json.contains("\"participation\":\"PN1\""), "{json}");
    let back: Vec<CareEntry> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, entries);
    let history = care_history(&entries).unwrap();
    assert_eq!(history.visits, vec![d(1, 9)]);
    assert_eq!(history.reviews.iter().map(|r| r.date).collect::<Vec<_>>(), vec![d(1, 30)]);
    assert!(history.looked_after_on(d(2, 28)) && !history.looked_after_on(d(3, 1)));
    let late = [entries[0].clone(), entries[3].clone(), CareEntry::Visit { date: d(3, 5), seen_alone: false }];
    assert!(care_history(&late).unwrap_err().0.contains("not looked after"));
    assert_eq!(entries[1].describe(), "Statutory visit, child seen alone");
}

#[test]
fn missing_and_away_episodes_are_read_in_order_with_their_return_interviews() {
    let entries = vec![
        CareEntry::Change { change: start(d(1, 5), C2, foster("smith")) },
        CareEntry::Returned { date: d(3, 4), interview_offered: true, interview_accepted: true },
        CareEntry::WentMissing { date: d(3, 2), away: false },
        CareEntry::WentMissing { date: d(5, 1), away: true },
    ];
    let history = care_history(&entries).unwrap();
    assert_eq!(history.missing.len(), 2);
    assert_eq!(
        (history.missing[0].code(), history.missing[0].end, history.missing[0].interview_accepted),
        ("M", Some(d(3, 4)), true)
    );
    assert_eq!((history.missing[1].code(), history.missing[1].end), ("A", None));
    let twice = [
        entries[0].clone(),
        CareEntry::WentMissing { date: d(2, 1), away: false },
        CareEntry::WentMissing { date: d(2, 3), away: false },
    ];
    assert!(care_history(&twice).unwrap_err().0.contains("already missing"));
    let never = [
        entries[0].clone(),
        CareEntry::Returned { date: d(2, 1), interview_offered: false, interview_accepted: false },
    ];
    assert!(care_history(&never).unwrap_err().0.contains("was not missing"));
    let refused = [
        entries[0].clone(),
        CareEntry::WentMissing { date: d(2, 1), away: false },
        CareEntry::Returned { date: d(2, 2), interview_offered: false, interview_accepted: true },
    ];
    assert!(care_history(&refused).unwrap_err().0.contains("only be accepted if it was offered"));
    let before_care = [CareEntry::WentMissing { date: d(1, 1), away: false }, entries[0].clone()];
    assert!(care_history(&before_care).unwrap_err().0.contains("not looked after"));
}
