use super::*;
use crate::budgets::Pence;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn post(team: &str, council: &str, role: Option<OrgRole>, fte: u32) -> Post {
    Post {
        team_id: team.into(),
        councils: vec![council.into()],
        job_title: "Social worker".into(),
        org_role: role,
        grade: "SW2".into(),
        fte: Fte(fte),
    }
}

fn agency() -> Employment {
    Employment::Agency { agency: "Hays".into(), weekly_cost: Pence(160_000), contract_weeks: 26 }
}

fn joined(on: NaiveDate, post: Post, employment: Employment) -> StaffEvent {
    StaffEvent::Joined { date: on, post, employment, start_origin: Some(StartOrigin::OtherCouncil) }
}

fn left(on: NaiveDate) -> StaffEvent {
    StaffEvent::Left { date: on, destination: Some(LeaverDestination::Agency), reason: Some(ReasonLeave::Resigned) }
}

fn record(events: &[StaffEvent]) -> StaffRecord {
    staff_record(events).expect("valid history")
}

const CASE_HOLDER: Option<OrgRole> = Some(OrgRole::CaseHolder);

/// The census example: at 30 September 2026, who counts towards the agency rate.
fn census_staff() -> Vec<StaffRecord> {
    let kt = "kingston";
    vec![
        // A: permanent, full time, in post all along.
        record(&[joined(d(2025, 1, 1), post("t1", kt, CASE_HOLDER, 1000), Employment::Permanent)]),
        // B: agency, full time, whose last day was the 29th.
        record(&[joined(d(2025, 6, 1), post("t1", kt, CASE_HOLDER, 1000), agency()), left(d(2026, 9, 29))]),
        // C: agency, half time, starting on the reference date.
        record(&[joined(d(2026, 9, 30), post("t1", kt, CASE_HOLDER, 500), agency())]),
        // D: permanent, part time.
        record(&[joined(d(2024, 3, 1), post("t2", kt, Some(OrgRole::SeniorPractitioner), 600), Employment::Permanent)]),
        // E: agency, starting the day after.
        record(&[joined(d(2026, 10, 1), post("t1", kt, CASE_HOLDER, 1000), agency())]),
        // F: an agency family support worker: not a social worker.
        record(&[joined(d(2025, 1, 1), post("t1", kt, None, 1000), agency())]),
        // G: our social worker placed out with a partner council.
        record(&[joined(
            d(2025, 1, 1),
            post("t1", kt, CASE_HOLDER, 1000),
            Employment::PlacedOut { partner: "Slough".into(), day_rate: Pence(45_000), until: None, cover: None },
        )]),
        // H: an agency social worker serving another council.
        record(&[joined(d(2025, 1, 1), post("t9", "richmond", CASE_HOLDER, 1000), agency())]),
    ]
}

#[test]
fn the_agency_rate_counts_social_work_fte_in_post_on_the_reference_date() {
    let staff = census_staff();
    let rate = agency_rate(&staff, d(2026, 9, 30), Unit::Council("kingston")).expect("rate");
    // Own: A 1.0 + D 0.6; agency: C 0.5.
    assert!((rate - 0.5 / 2.1).abs() < 1e-9, "{rate}");
    assert_eq!(social_work_fte(&staff, d(2026, 9, 30), Unit::Council("kingston")), (1.6, 0.5));
    // The day before, B was still in post (the 29th was their last day) and C had not started.
    let before = agency_rate(&staff, d(2026, 9, 29), Unit::Council("kingston")).expect("rate");
    assert!((before - 1.0 / 2.6).abs() < 1e-9, "{before}");
    assert_eq!(headcount(&staff, d(2026, 9, 30), Unit::Council("kingston")), 3);
    // The organisation adds H.
    let org = agency_rate(&staff, d(2026, 9, 30), Unit::Organisation).expect("rate");
    assert!((org - 1.5 / 3.1).abs() < 1e-9, "{org}");
    let team = vec!["t2".to_string()];
    assert_eq!(agency_rate(&staff, d(2026, 9, 30), Unit::Teams(&team)), Some(0.0));
    assert_eq!(agency_rate(&staff, d(2020, 1, 1), Unit::Organisation), None, "nobody in post");
}

#[test]
fn converting_an_agency_worker_to_permanent_is_a_conversion_and_lowers_the_rate() {
    let staff = vec![
        record(&[
            joined(d(2025, 1, 1), post("t1", "kingston", CASE_HOLDER, 1000), agency()),
            StaffEvent::EmploymentChanged { date: d(2026, 4, 1), employment: Employment::Permanent },
        ]),
        record(&[joined(d(2025, 1, 1), post("t1", "kingston", CASE_HOLDER, 1000), Employment::Permanent)]),
    ];
    assert_eq!(agency_rate(&staff, d(2026, 3, 31), Unit::Organisation), Some(0.5));
    assert_eq!(agency_rate(&staff, d(2026, 4, 1), Unit::Organisation), Some(0.0));
    assert_eq!(agency_conversions(&staff, d(2026, 9, 30), Unit::Organisation), 1);
    assert_eq!(agency_conversions(&staff, d(2027, 4, 1), Unit::Organisation), 0, "outside the 12 months");
    assert_eq!(staff[0].conversions[0].date, d(2026, 4, 1));
}

#[test]
fn turnover_is_leavers_over_the_average_headcount_of_the_year() {
    let kt = "kingston";
    let mut staff: Vec<StaffRecord> = (0..3)
        .map(|_| record(&[joined(d(2024, 1, 1), post("t1", kt, CASE_HOLDER, 1000), Employment::Permanent)]))
        .collect();
    // One more leaves on 31 March 2026: in post at 6 of the 12 month ends to 30 September 2026
    // (October to March), so the average headcount is 3.5.
    staff.push(record(&[
        joined(d(2024, 1, 1), post("t1", kt, CASE_HOLDER, 1000), Employment::Permanent),
        left(d(2026, 3, 31)),
    ]));
    let rate = turnover(&staff, d(2026, 9, 30), Unit::Council(kt)).expect("turnover");
    assert!((rate - 1.0 / 3.5).abs() < 1e-9, "{rate}");
    // A leaver who was not a social worker does not count.
    staff.push(record(&[
        joined(d(2024, 1, 1), post("t1", kt, None, 1000), Employment::Permanent),
        left(d(2026, 5, 31)),
    ]));
    assert!((turnover(&staff, d(2026, 9, 30), Unit::Council(kt)).expect("turnover") - 1.0 / 3.5).abs() < 1e-9);
    assert_eq!(staff[3].leavings[0].reason, Some(ReasonLeave::Resigned));
}

#[test]
fn absence_is_working_days_lost_in_the_year_per_fte_in_post() {
    let staff = vec![
        record(&[
            joined(d(2025, 1, 1), post("t1", "kingston", CASE_HOLDER, 1000), Employment::Permanent),
            StaffEvent::Absent {
                start: d(2026, 2, 2),
                end: d(2026, 2, 13),
                reason: AbsenceReason::Sick,
                working_days_lost: 1000,
            },
            StaffEvent::Absent {
                start: d(2025, 2, 2),
                end: d(2025, 2, 3),
                reason: AbsenceReason::Sick,
                working_days_lost: 200,
            },
        ]),
        record(&[joined(d(2025, 1, 1), post("t1", "kingston", CASE_HOLDER, 500), Employment::Permanent)]),
    ];
    // 10 days this year (the 2 days in 2025 are outside it) over 1.5 FTE.
    let days = absence_days_per_fte(&staff, d(2026, 9, 30), Unit::Organisation).expect("absence");
    assert!((days - 10.0 / 1.5).abs() < 1e-9, "{days}");
}

#[test]
fn part_time_hours_and_team_moves_are_read_as_at_each_day() {
    let r = record(&[
        joined(d(2025, 1, 1), post("t1", "kingston", CASE_HOLDER, 1000), Employment::Permanent),
        StaffEvent::HoursChanged { date: d(2025, 9, 1), fte: Fte(600) },
        StaffEvent::MovedTeam { date: d(2026, 1, 5), team_id: "t2".into(), councils: vec!["richmond".into()] },
    ]);
    assert_eq!(r.on(d(2025, 8, 31)).map(|s| s.post.fte), Some(Fte(1000)));
    assert_eq!(r.on(d(2025, 9, 1)).map(|s| s.post.fte), Some(Fte(600)));
    assert_eq!(r.on(d(2026, 1, 4)).map(|s| s.post.team_id.as_str()), Some("t1"));
    assert_eq!(r.on(d(2026, 1, 5)).map(|s| s.post.team_id.as_str()), Some("t2"));
    assert_eq!(r.on(d(2024, 12, 31)), None);
    let staff = vec![r];
    assert_eq!(social_work_fte(&staff, d(2025, 10, 1), Unit::Council("kingston")), (0.6, 0.0));
    assert_eq!(headcount(&staff, d(2026, 2, 1), Unit::Council("kingston")), 0, "moved to Richmond");
}

#[test]
fn a_history_is_checked_event_by_event() {
    let p = || post("t1", "kingston", CASE_HOLDER, 1000);
    let refused = |events: &[StaffEvent], expected: &str| {
        let err = staff_record(events).expect_err(expected);
        assert!(err.0.contains(expected), "'{err}' should mention '{expected}'");
    };
    refused(&[left(d(2026, 1, 1))], "not in post");
    refused(
        &[joined(d(2026, 1, 1), p(), Employment::Permanent), joined(d(2026, 2, 1), p(), Employment::Permanent)],
        "already in post",
    );
    refused(
        &[joined(d(2026, 1, 1), p(), Employment::Permanent), left(d(2025, 12, 1))],
        "before the last thing recorded",
    );
    refused(
        &[
            joined(d(2026, 1, 1), p(), Employment::Permanent),
            left(d(2026, 3, 1)),
            joined(d(2026, 3, 1), p(), Employment::Permanent),
        ],
        "rejoins after their last day",
    );
    refused(&[joined(d(2026, 1, 1), p(), Employment::FixedTerm { ends: d(2025, 1, 1) })], "fixed term ends after");
    let no_cost = Employment::Agency { agency: "Hays".into(), weekly_cost: Pence(0), contract_weeks: 10 };
    refused(&[joined(d(2026, 1, 1), p(), no_cost)], "weekly cost");
    refused(&[joined(d(2026, 1, 1), post("", "kingston", CASE_HOLDER, 1000), Employment::Permanent)], "team");
    refused(
        &[
            joined(d(2026, 1, 1), p(), Employment::Permanent),
            StaffEvent::EmploymentChanged { date: d(2026, 2, 1), employment: Employment::Permanent },
        ],
        "already",
    );
    refused(
        &[
            joined(d(2026, 1, 1), p(), Employment::Permanent),
            StaffEvent::Absent {
                start: d(2026, 2, 2),
                end: d(2026, 2, 3),
                reason: AbsenceReason::Sick,
                working_days_lost: 500,
            },
        ],
        "more working days lost",
    );
    // Rejoining the day after the last day is a new spell.
    let r = record(&[
        joined(d(2026, 1, 1), p(), Employment::Permanent),
        left(d(2026, 3, 1)),
        joined(d(2026, 3, 2), p(), agency()),
    ]);
    assert!(r.on(d(2026, 3, 1)).is_some_and(|s| !s.employment.is_agency()), "still in post on the last day");
    assert!(r.on(d(2026, 3, 2)).is_some_and(|s| s.employment.is_agency()));
    assert_eq!(r.joined(), Some(d(2026, 3, 2)));
}

#[test]
fn fte_is_read_and_shown_to_three_places() {
    assert_eq!(Fte::parse("1"), Ok(Fte(1000)));
    assert_eq!(Fte::parse("0.6"), Ok(Fte(600)));
    assert_eq!(Fte::parse(".725"), Ok(Fte(725)));
    for bad in ["0", "1.2", "0.1234", "half", "", "-0.5"] {
        assert!(Fte::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Fte(600).to_string(), "0.6");
    assert_eq!(Fte(1000).to_string(), "1");
}

#[test]
fn social_work_england_numbers_are_checked_and_padded_for_the_census() {
    let n = SweNumber::parse(" sw 123456 ").expect("valid");
    assert_eq!(n.as_str(), "SW123456");
    assert_eq!(n.census_form(), "SW0000123456");
    for bad in ["123456", "SW", "SWX123", "SW12345678901", "XY123456"] {
        assert!(SweNumber::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn month_ends_cover_every_month_between_two_days() {
    let ends = month_ends(d(2024, 1, 15), d(2024, 4, 1));
    assert_eq!(ends, vec![d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 31), d(2024, 4, 30)]);
    assert_eq!(month_ends(d(2021, 12, 1), d(2026, 11, 30)).len(), 60, "five years of monthly points");
}

#[test]
fn vacancy_rate_is_vacant_over_vacant_and_filled() {
    assert_eq!(vacancy_rate(2.0, 8.0), Some(0.2));
    assert_eq!(vacancy_rate(0.0, 0.0), None);
}

#[test]
fn who_a_worker_is_is_checked_field_by_field_and_social_workers_need_their_number() {
    let input = StaffInput {
        name: " ".into(),
        swe_number: "12345".into(),
        qualification: "7".into(),
        institution: String::new(),
    };
    let errors = validate_staff(&input).expect_err("three problems");
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["name", "swe_number", "qualification"]);
    let valid = validate_staff(&StaffInput { name: "Ana Silva".into(), ..StaffInput::default() }).expect("valid");
    assert_eq!(valid.institution, None);
    assert!(check_registration(&valid, &post("t1", "k", CASE_HOLDER, 1000)).is_err());
    assert!(check_registration(&valid, &post("t1", "k", None, 1000)).is_ok(), "a family support worker needs none");
}

#[test]
fn secondments_out_are_charged_at_a_day_rate_and_stop_counting_here() {
    let p = post("t1", "kingston", CASE_HOLDER, 1000);
    let out = |day_rate| Employment::SecondedOut {
        to: "Slough".into(),
        day_rate: Pence(day_rate),
        days: 60,
        until: Some(d(2026, 12, 31)),
        cover: None,
    };
    let err = staff_record(&[
        joined(d(2026, 1, 1), p.clone(), Employment::Permanent),
        StaffEvent::EmploymentChanged { date: d(2026, 3, 1), employment: out(0) },
    ])
    .expect_err("no rate");
    assert!(err.0.contains("day rate"));
    let r = record(&[
        joined(d(2026, 1, 1), p, Employment::Permanent),
        StaffEvent::EmploymentChanged { date: d(2026, 3, 1), employment: out(55_000) },
        StaffEvent::EmploymentChanged { date: d(2026, 9, 1), employment: Employment::Permanent },
    ]);
    let staff = vec![r];
    assert_eq!(headcount(&staff, d(2026, 2, 1), Unit::Organisation), 1);
    assert_eq!(headcount(&staff, d(2026, 5, 1), Unit::Organisation), 0, "working in Slough");
    assert_eq!(headcount(&staff, d(2026, 9, 1), Unit::Organisation), 1, "back home");
    assert!(staff[0].conversions.is_empty(), "a secondment is not a conversion");
}

#[test]
fn asye_milestones_are_passed_once_each_during_the_year() {
    let p = post("t1", "kingston", CASE_HOLDER, 1000);
    let start = [
        joined(d(2026, 1, 5), p, Employment::Permanent),
        StaffEvent::CfkssReached { date: d(2026, 1, 5), status: Cfkss::Asye },
    ];
    let passed = |name: &str, on| StaffEvent::AsyeMilestonePassed { date: on, milestone: name.into() };
    let mut events = start.to_vec();
    events.push(passed("Three-month review", d(2026, 4, 6)));
    let r = record(&events);
    assert_eq!(r.asye_passed, vec![("Three-month review".to_string(), d(2026, 4, 6))]);
    let mut twice = events.clone();
    twice.push(passed("Three-month review", d(2026, 4, 7)));
    assert!(staff_record(&twice).expect_err("twice").0.contains("already been passed"));
    let mut unknown = events;
    unknown.push(passed("Party", d(2026, 4, 7)));
    assert!(staff_record(&unknown).is_err());
    let not_asye = [start[0].clone(), passed("Three-month review", d(2026, 4, 6))];
    assert!(staff_record(&not_asye).expect_err("not in ASYE").0.contains("assessed and supported year"));
}
