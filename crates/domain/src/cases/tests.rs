use super::*;
use crate::calendar::WorkingCalendar;
use chrono::NaiveDate;
use Event::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

struct World {
    calendar: WorkingCalendar,
    rules: ClockRules,
    journey: Journey,
}

impl World {
    fn new() -> Self {
        Self {
            calendar: WorkingCalendar::england_and_wales(),
            rules: ClockRules::default(),
            journey: Journey::default(),
        }
    }

    fn record(&mut self, e: Event) -> Result<(), RuleBroken> {
        let ctx = RuleContext { calendar: &self.calendar, rules: &self.rules };
        let before = self.journey.clone();
        let result = self.journey.apply(&e, &ctx);
        if result.is_err() {
            assert_eq!(self.journey, before, "a refused event changes nothing");
        }
        result
    }

    fn ok(&mut self, e: Event) {
        let shown = format!("{e:?}");
        if let Err(err) = self.record(e) {
            panic!("{shown} was refused: {err}");
        }
    }

    fn refused(&mut self, e: Event, expected: &str) {
        match self.record(e) {
            Err(RuleBroken(message)) => assert!(message.contains(expected), "'{message}' should mention '{expected}'"),
            Ok(()) => panic!("the event should be refused ({expected})"),
        }
    }

    fn clocks(&self) -> Vec<(ClockKind, NaiveDate)> {
        running_clocks(&self.journey, &self.calendar, &self.rules).into_iter().map(|c| (c.kind, c.due)).collect()
    }
}

fn referral(w: &mut World, on: NaiveDate) {
    w.ok(ReferralAccepted {
        episode: "ep1".into(),
        date: on,
        source: ReferralSource::Police,
        nfa: false,
        primary_need: None,
    });
}

fn completed(w: &mut World, on: NaiveDate) {
    w.ok(AssessmentCompleted {
        assessment: "a1".into(),
        date: on,
        factors: vec![AssessmentFactor::DomesticAbuseParent],
        primary_need: PrimaryNeed::AbuseOrNeglect,
        outcome: AssessmentOutcome::Strategy,
    });
}

#[test]
fn a_contact_from_the_police_on_the_friday_before_easter_is_due_on_tuesday() {
    let mut w = World::new();
    w.ok(ContactReceived {
        contact: "c1".into(),
        date: d(2026, 4, 2),
        source: ReferralSource::Police,
        worry: "DA incident".into(),
    });
    assert_eq!(w.clocks(), vec![(ClockKind::ContactDecision, d(2026, 4, 7))]);
    w.ok(ContactDecided { contact: "c1".into(), date: d(2026, 4, 7), decision: ContactDecision::Referral });
    assert!(w.clocks().is_empty());
    w.refused(
        ContactDecided { contact: "c1".into(), date: d(2026, 4, 7), decision: ContactDecision::Advice },
        "already been decided",
    );
}

#[test]
fn a_contact_cannot_be_decided_before_it_arrived() {
    let mut w = World::new();
    w.ok(ContactReceived {
        contact: "c1".into(),
        date: d(2026, 4, 2),
        source: ReferralSource::School,
        worry: "x".into(),
    });
    w.refused(
        ContactDecided { contact: "c1".into(), date: d(2026, 4, 1), decision: ContactDecision::Referral },
        "before the contact",
    );
    w.refused(
        ContactDecided { contact: "nope".into(), date: d(2026, 4, 2), decision: ContactDecision::Referral },
        "no such contact",
    );
}

#[test]
fn the_assessment_clock_runs_45_working_days_from_the_referral_across_christmas() {
    let mut w = World::new();
    referral(&mut w, d(2025, 12, 1));
    // 45 working days from 1 December 2025, skipping 25, 26 December and 1 January: 5 February 2026.
    assert_eq!(w.clocks(), vec![(ClockKind::Assessment, d(2026, 2, 5))]);
}

#[test]
fn an_assessment_keeps_its_dates_in_order() {
    let mut w = World::new();
    referral(&mut w, d(2026, 3, 2));
    w.refused(
        AssessmentStarted { episode: "ep1".into(), assessment: "a1".into(), date: d(2026, 3, 1) },
        "before its referral",
    );
    w.ok(AssessmentStarted { episode: "ep1".into(), assessment: "a1".into(), date: d(2026, 3, 3) });
    w.refused(
        AssessmentStarted { episode: "ep1".into(), assessment: "a2".into(), date: d(2026, 3, 4) },
        "already open",
    );
    w.refused(ChildSeen { assessment: "a1".into(), date: d(2026, 3, 2) }, "before it started");
    w.refused(
        AssessmentAuthorised { assessment: "a1".into(), date: d(2026, 3, 10), overrun_reason: None },
        "once it is completed",
    );
    w.refused(
        AssessmentCompleted {
            assessment: "a1".into(),
            date: d(2026, 3, 10),
            factors: vec![AssessmentFactor::NoFactors, AssessmentFactor::Gangs],
            primary_need: PrimaryNeed::AcuteStress,
            outcome: AssessmentOutcome::NoFurtherAction,
        },
        "21",
    );
    completed(&mut w, d(2026, 3, 20));
    w.refused(
        AssessmentAuthorised { assessment: "a1".into(), date: d(2026, 3, 19), overrun_reason: None },
        "before it was completed",
    );
    w.ok(AssessmentAuthorised { assessment: "a1".into(), date: d(2026, 3, 23), overrun_reason: None });
    assert!(w.clocks().is_empty());
}

#[test]
fn an_assessment_authorised_late_needs_a_reason() {
    let mut w = World::new();
    referral(&mut w, d(2026, 1, 5));
    w.ok(AssessmentStarted { episode: "ep1".into(), assessment: "a1".into(), date: d(2026, 1, 6) });
    completed(&mut w, d(2026, 3, 20));
    w.refused(
        AssessmentAuthorised { assessment: "a1".into(), date: d(2026, 3, 23), overrun_reason: Some("  ".into()) },
        "reason it ran over",
    );
    w.ok(AssessmentAuthorised {
        assessment: "a1".into(),
        date: d(2026, 3, 23),
        overrun_reason: Some("Family moved abroad for 3 weeks".into()),
    });
}

#[test]
fn a_referral_marked_nfa_has_no_assessment_and_no_clock() {
    let mut w = World::new();
    w.ok(ReferralAccepted {
        episode: "ep1".into(),
        date: d(2026, 3, 2),
        source: ReferralSource::School,
        nfa: true,
        primary_need: None,
    });
    assert!(w.clocks().is_empty());
    w.refused(
        AssessmentStarted { episode: "ep1".into(), assessment: "a1".into(), date: d(2026, 3, 3) },
        "no further action",
    );
}

#[test]
fn episodes_never_overlap() {
    let mut w = World::new();
    referral(&mut w, d(2026, 3, 2));
    w.refused(
        ReferralAccepted {
            episode: "ep2".into(),
            date: d(2026, 3, 9),
            source: ReferralSource::School,
            nfa: false,
            primary_need: None,
        },
        "already has an open episode",
    );
    w.ok(AssessmentStarted { episode: "ep1".into(), assessment: "a1".into(), date: d(2026, 3, 2) });
    completed(&mut w, d(2026, 3, 10));
    w.refused(
        EpisodeClosed { episode: "ep1".into(), date: d(2026, 3, 11), reason: ClosureReason::NoFurtherAction },
        "assessment is still open",
    );
    w.ok(AssessmentAuthorised { assessment: "a1".into(), date: d(2026, 3, 11), overrun_reason: None });
    w.refused(
        EpisodeClosed { episode: "ep1".into(), date: d(2026, 3, 10), reason: ClosureReason::NoFurtherAction },
        "before the last thing",
    );
    w.ok(EpisodeClosed { episode: "ep1".into(), date: d(2026, 3, 11), reason: ClosureReason::NoFurtherAction });
    w.refused(
        ReferralAccepted {
            episode: "ep2".into(),
            date: d(2026, 3, 11),
            source: ReferralSource::School,
            nfa: false,
            primary_need: None,
        },
        "after the last episode closed",
    );
    w.ok(ReferralAccepted {
        episode: "ep2".into(),
        date: d(2026, 3, 12),
        source: ReferralSource::School,
        nfa: false,
        primary_need: None,
    });
}

#[test]
fn a_section_47_needs_its_strategy_discussion_and_cannot_precede_the_referral() {
    let mut w = World::new();
    referral(&mut w, d(2026, 3, 2));
    w.refused(
        Section47Started { episode: "ep1".into(), section47: "s1".into(), strategy: "st1".into(), date: d(2026, 3, 3) },
        "strategy discussion",
    );
    w.ok(StrategyDiscussionHeld {
        episode: "ep1".into(),
        strategy: "st1".into(),
        date: d(2026, 3, 3),
        section47_needed: true,
        participants: "Social care, police, health".into(),
    });
    w.refused(
        Section47Started { episode: "ep1".into(), section47: "s1".into(), strategy: "st1".into(), date: d(2026, 3, 1) },
        "before its referral",
    );
    w.refused(
        Section47Started { episode: "ep1".into(), section47: "s1".into(), strategy: "st1".into(), date: d(2026, 3, 2) },
        "before its strategy",
    );
    w.ok(Section47Started {
        episode: "ep1".into(),
        section47: "s1".into(),
        strategy: "st1".into(),
        date: d(2026, 3, 3),
    });
    assert!(w.clocks().contains(&(ClockKind::InitialConference, d(2026, 3, 24))), "{:?}", w.clocks());
}

#[test]
fn a_full_journey_from_contact_to_closure() {
    let mut w = World::new();
    w.ok(ContactReceived {
        contact: "c1".into(),
        date: d(2026, 1, 12),
        source: ReferralSource::School,
        worry: "Bruising".into(),
    });
    w.ok(ContactDecided { contact: "c1".into(), date: d(2026, 1, 13), decision: ContactDecision::Referral });
    referral(&mut w, d(2026, 1, 13));
    w.ok(AssessmentStarted { episode: "ep1".into(), assessment: "a1".into(), date: d(2026, 1, 13) });
    w.ok(ChildSeen { assessment: "a1".into(), date: d(2026, 1, 14) });
    w.ok(StrategyDiscussionHeld {
        episode: "ep1".into(),
        strategy: "st1".into(),
        date: d(2026, 1, 14),
        section47_needed: true,
        participants: "Social care, police, health".into(),
    });
    w.ok(Section47Started {
        episode: "ep1".into(),
        section47: "s1".into(),
        strategy: "st1".into(),
        date: d(2026, 1, 14),
    });
    w.refused(
        InitialConferenceHeld {
            episode: "ep1".into(),
            conference: "icpc".into(),
            section47: "s1".into(),
            date: d(2026, 1, 30),
            plan: Some(AbuseCategory::Physical),
        },
        "Conclude the section 47",
    );
    w.ok(Section47Concluded { section47: "s1".into(), date: d(2026, 1, 28), icpc_needed: true });
    // The ICPC is due 15 working days after the strategy discussion: 4 February.
    assert!(w.clocks().contains(&(ClockKind::InitialConference, d(2026, 2, 4))));
    w.ok(InitialConferenceHeld {
        episode: "ep1".into(),
        conference: "icpc".into(),
        section47: "s1".into(),
        date: d(2026, 2, 3),
        plan: Some(AbuseCategory::Physical),
    });
    let clocks = w.clocks();
    assert!(clocks.contains(&(ClockKind::FirstCoreGroup, d(2026, 2, 17))), "{clocks:?}");
    assert!(clocks.contains(&(ClockKind::ReviewConference, d(2026, 5, 3))));
    assert!(clocks.contains(&(ClockKind::ProtectionVisit, d(2026, 2, 17))));
    w.refused(
        ChildInNeedPlanStarted { episode: "ep1".into(), plan: "cin1".into(), date: d(2026, 2, 4) },
        "cannot be open together",
    );
    w.ok(CoreGroupHeld { plan: "icpc".into(), date: d(2026, 2, 12) });
    w.ok(VisitRecorded { date: d(2026, 2, 10), seen: true, seen_alone: true, bedroom_seen: true });
    w.refused(VisitRecorded { date: d(2026, 2, 11), seen: false, seen_alone: true, bedroom_seen: false }, "seen alone");
    completed(&mut w, d(2026, 2, 20));
    w.ok(AssessmentAuthorised { assessment: "a1".into(), date: d(2026, 2, 23), overrun_reason: None });
    w.ok(ReviewConferenceHeld {
        plan: "icpc".into(),
        date: d(2026, 4, 28),
        category: AbuseCategory::Emotional,
        continue_plan: true,
    });
    assert!(w.clocks().contains(&(ClockKind::ReviewConference, d(2026, 10, 28))));
    w.refused(ChildProtectionPlanEnded { plan: "icpc".into(), date: d(2026, 2, 3) }, "never on it");
    w.ok(ReviewConferenceHeld {
        plan: "icpc".into(),
        date: d(2026, 10, 20),
        category: AbuseCategory::Emotional,
        continue_plan: false,
    });
    let episode = w.journey.open_episode().expect("open").clone();
    assert_eq!(episode.cp_plans[0].initial_category, AbuseCategory::Physical);
    assert_eq!(episode.cp_plans[0].latest_category, AbuseCategory::Emotional);
    w.refused(
        ChildInNeedPlanStarted { episode: "ep1".into(), plan: "cin1".into(), date: d(2026, 10, 19) },
        "before the child protection plan ended",
    );
    w.ok(ChildInNeedPlanStarted { episode: "ep1".into(), plan: "cin1".into(), date: d(2026, 10, 20) });
    assert!(w.clocks().contains(&(ClockKind::ChildInNeedReview, d(2027, 1, 20))));
    w.refused(
        EpisodeClosed { episode: "ep1".into(), date: d(2027, 1, 15), reason: ClosureReason::ServicesCeased },
        "child in need plan is still open",
    );
    w.ok(ChildInNeedPlanReviewed { plan: "cin1".into(), date: d(2027, 1, 14) });
    w.ok(ChildInNeedPlanEnded { plan: "cin1".into(), date: d(2027, 1, 15) });
    w.ok(EpisodeClosed { episode: "ep1".into(), date: d(2027, 1, 15), reason: ClosureReason::ServicesCeased });
    assert!(w.clocks().is_empty());
    w.refused(CoreGroupHeld { plan: "icpc".into(), date: d(2027, 1, 16) }, "has ended");
}

#[test]
fn a_council_can_set_its_own_visit_frequency() {
    let rules = ClockRules::default().with_override("cp_visit_working_days", 20).expect("override");
    assert_eq!(rules.cp_visit_working_days, 20);
    assert!(ClockRules::default().with_override("nonsense", 3).is_err());
    assert!(ClockRules::default().with_override("assessment_working_days", 0).is_err());
}

#[test]
fn a_clock_is_at_risk_within_two_working_days_and_overdue_after_its_day() {
    let cal = WorkingCalendar::england_and_wales();
    // Due Tuesday 7 April 2026; Thursday 2 April is 1 working day before (Easter in between).
    assert_eq!(clock_status(d(2026, 4, 7), d(2026, 4, 2), &cal), ClockStatus::AtRisk);
    assert_eq!(clock_status(d(2026, 4, 7), d(2026, 3, 31), &cal), ClockStatus::Due);
    assert_eq!(clock_status(d(2026, 4, 7), d(2026, 4, 7), &cal), ClockStatus::AtRisk);
    assert_eq!(clock_status(d(2026, 4, 7), d(2026, 4, 8), &cal), ClockStatus::Overdue);
}

#[test]
fn events_round_trip_through_their_stored_json() {
    let e = AssessmentCompleted {
        assessment: "a1".into(),
        date: d(2026, 3, 2),
        factors: vec![AssessmentFactor::Neglect],
        primary_need: PrimaryNeed::AbuseOrNeglect,
        outcome: AssessmentOutcome::ChildInNeed,
    };
    let json = serde_json::to_string(&e).expect("json");
    assert!(json.contains("\"kind\":\"assessment_completed\""));
    assert!(
        json.contains("\"primary_need\":\"N1\"") && json.contains("\"factors\":[\"15A\"]"),
        "codes are stored as the DfE's: {json}"
    );
    assert!(serde_json::from_str::<Event>(&json.replace("N1", "N77")).is_err(), "an unknown code is refused");
    assert_eq!(serde_json::from_str::<Event>(&json).expect("back"), e);
    assert_eq!(e.date(), d(2026, 3, 2));
    assert!(e.describe().contains("child in need plan"));
}

#[test]
fn a_visit_recorded_late_takes_its_place_in_time() {
    let w = World::new();
    let ctx = RuleContext { calendar: &w.calendar, rules: &w.rules };
    let events = vec![
        ReferralAccepted {
            episode: "ep1".into(),
            date: d(2026, 3, 2),
            source: ReferralSource::Police,
            nfa: false,
            primary_need: None,
        },
        ChildInNeedPlanStarted { episode: "ep1".into(), plan: "p".into(), date: d(2026, 3, 20) },
        ChildInNeedPlanEnded { plan: "p".into(), date: d(2026, 6, 1) },
    ];
    // Closing the episode in May, before the plan ended in June, breaks the rules even though it
    // is recorded last.
    let late_close =
        EpisodeClosed { episode: "ep1".into(), date: d(2026, 5, 1), reason: ClosureReason::ServicesCeased };
    assert!(Journey::with_event(&events, &late_close, &ctx).is_err());
    let visit = VisitRecorded { date: d(2026, 4, 1), seen: true, seen_alone: false, bedroom_seen: false };
    let journey = Journey::with_event(&events, &visit, &ctx).expect("a late visit is fine");
    assert_eq!(journey.visits.len(), 1);
}
