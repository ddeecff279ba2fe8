use super::*;
use crate::cases::{ClosureReason, Event, ReferralSource, RuleContext};
use EarlyHelpEntry::*;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).expect("date")
}

fn lead(name: &str) -> LeadProfessional {
    LeadProfessional { name: name.into(), agency: PartnerAgency::School, user_id: None }
}

/// A journey with a contact decided for early help on 2 March and a child in need episode
/// closed on 10 April.
fn journey() -> Journey {
    let calendar = WorkingCalendar::england_and_wales();
    let rules = ClockRules::default();
    let events = [
        Event::ContactReceived {
            contact: "c1".into(),
            date: d(3, 2),
            source: ReferralSource::School,
            worry: "Often late".into(),
        },
        Event::ContactDecided { contact: "c1".into(), date: d(3, 2), decision: ContactDecision::EarlyHelp },
        Event::ReferralAccepted {
            episode: "ep1".into(),
            date: d(4, 1),
            source: ReferralSource::Police,
            nfa: true,
            primary_need: None,
        },
        Event::EpisodeClosed { episode: "ep1".into(), date: d(4, 10), reason: ClosureReason::NoFurtherAction },
    ];
    Journey::replay(&events, &RuleContext { calendar: &calendar, rules: &rules }).expect("journey")
}

fn started(on: NaiveDate) -> EarlyHelpEntry {
    Started { date: on, how: EarlyHelpStart::PartnerRequest, lead: lead("Ms Okafor") }
}

fn read(entries: &[EarlyHelpEntry]) -> Result<EarlyHelpHistory, String> {
    early_help_history(entries, &journey()).map_err(|e| e.0)
}

fn refused(entries: &[EarlyHelpEntry], expected: &str) {
    match read(entries) {
        Err(message) => assert!(message.contains(expected), "'{message}' should mention '{expected}'"),
        Ok(_) => panic!("should be refused: {expected}"),
    }
}

/// An episode with a completed assessment, two members and an agreed plan.
fn with_plan() -> Vec<EarlyHelpEntry> {
    vec![
        started(d(5, 1)),
        AssessmentStarted { date: d(5, 4), organisation: "Fern Hill Primary".into() },
        AssessmentCompleted { date: d(5, 20) },
        MemberJoined { date: d(5, 21), name: "Ms Okafor".into(), agency: PartnerAgency::School, role: "SENCO".into() },
        MemberJoined {
            date: d(5, 21),
            name: "Jo Patel".into(),
            agency: PartnerAgency::Health,
            role: "School nurse".into(),
        },
        MeetingHeld { date: d(5, 27), attended: vec!["Ms Okafor".into(), "jo patel".into()] },
        PlanAgreed { date: d(5, 27), goals: vec!["Attendance over 95%".into(), "Bedtime routine".into(), " ".into()] },
    ]
}

#[test]
fn an_episode_reads_as_lead_assessment_team_meetings_and_plan() {
    let history = read(&with_plan()).expect("valid");
    let episode = history.open().expect("open");
    assert_eq!(episode.lead.name, "Ms Okafor");
    assert_eq!(episode.assessment.as_ref().and_then(|a| a.completed), Some(d(5, 20)));
    assert_eq!(episode.members_now().count(), 2);
    assert_eq!(episode.meetings.len(), 1);
    let plan = episode.plan.as_ref().expect("plan");
    assert_eq!(plan.goals.len(), 2, "blank goals are dropped");
}

#[test]
fn reviews_mark_goals_met_and_the_review_clock_follows_the_last_review() {
    let calendar = WorkingCalendar::england_and_wales();
    let rules = ClockRules::default();
    let mut entries = with_plan();
    let history = read(&entries).expect("valid");
    let clocks = history.clocks(&calendar, &rules);
    assert_eq!(clocks.len(), 1, "the assessment is complete, so only the review is due");
    assert_eq!((clocks[0].kind, clocks[0].due), (ClockKind::EarlyHelpReview, calendar.add_working_days(d(5, 27), 30)));
    entries.push(PlanReviewed { date: d(7, 1), goals_met: vec!["Bedtime routine".into()], note: String::new() });
    let history = read(&entries).expect("valid");
    let plan = history.open().and_then(|e| e.plan.as_ref()).expect("plan");
    assert_eq!(plan.goals[1].met, Some(d(7, 1)));
    assert_eq!(history.clocks(&calendar, &rules)[0].due, calendar.add_working_days(d(7, 1), 30));
    let mut again = entries.clone();
    again.push(PlanReviewed { date: d(8, 1), goals_met: vec!["Bedtime routine".into()], note: String::new() });
    refused(&again, "already met");
    let mut unknown = entries;
    unknown.push(PlanReviewed { date: d(8, 1), goals_met: vec!["Fly".into()], note: String::new() });
    refused(&unknown, "not a goal");
}

#[test]
fn an_assessment_has_its_own_clock_until_it_is_completed() {
    let calendar = WorkingCalendar::england_and_wales();
    let rules = ClockRules::default().with_override("early_help_assessment_working_days", 20).expect("rule");
    let entries = [started(d(5, 1)), AssessmentStarted { date: d(5, 4), organisation: "Fern Hill".into() }];
    let clocks = read(&entries).expect("valid").clocks(&calendar, &rules);
    assert_eq!(clocks.len(), 1);
    assert_eq!(
        (clocks[0].kind, clocks[0].due),
        (ClockKind::EarlyHelpAssessment, calendar.add_working_days(d(5, 4), 20))
    );
}

#[test]
fn the_order_of_things_is_checked() {
    refused(&[AssessmentStarted { date: d(5, 4), organisation: "X".into() }], "no open early help episode");
    refused(&[started(d(5, 1)), started(d(5, 2))], "already open");
    refused(&[started(d(5, 1)), AssessmentCompleted { date: d(5, 2) }], "start the early help assessment");
    refused(
        &[started(d(5, 1)), AssessmentStarted { date: d(4, 1), organisation: "X".into() }],
        "before early help began",
    );
    refused(
        &[started(d(5, 1)), PlanAgreed { date: d(5, 2), goals: vec!["x".into()] }],
        "completed early help assessment",
    );
    refused(
        &[started(d(5, 1)), PlanReviewed { date: d(5, 2), goals_met: vec![], note: String::new() }],
        "no early help plan",
    );
    refused(
        &[Started { date: d(5, 1), how: EarlyHelpStart::PartnerRequest, lead: lead(" ") }],
        "name the lead professional",
    );
    let mut no_goals = with_plan();
    no_goals.push(PlanAgreed { date: d(6, 1), goals: vec![" ".into()] });
    refused(&no_goals, "at least one goal");
}

#[test]
fn the_team_around_the_family_is_kept_member_by_member() {
    let mut entries = with_plan();
    entries.push(MemberLeft { date: d(6, 1), name: "Jo Patel".into() });
    let history = read(&entries).expect("valid");
    let episode = history.open().expect("open");
    assert_eq!(episode.members_now().count(), 1);
    assert_eq!(episode.team[1].left, Some(d(6, 1)), "leavers stay in the history");
    let mut stranger = entries.clone();
    stranger.push(MeetingHeld { date: d(6, 2), attended: vec!["Jo Patel".into()] });
    refused(&stranger, "not in the team");
    let mut twice = entries.clone();
    twice.push(MemberJoined {
        date: d(6, 2),
        name: "ms okafor".into(),
        agency: PartnerAgency::School,
        role: String::new(),
    });
    refused(&twice, "already in the team");
    let mut nobody = entries;
    nobody.push(MeetingHeld { date: d(6, 2), attended: vec![] });
    refused(&nobody, "who attended");
}

#[test]
fn a_front_door_start_needs_the_contact_decided_for_early_help() {
    let from = |contact: &str, on| Started {
        date: on,
        how: EarlyHelpStart::FrontDoor { contact: contact.into() },
        lead: lead("A"),
    };
    assert!(read(&[from("c1", d(3, 3))]).is_ok());
    refused(&[from("c9", d(3, 3))], "not decided for early help");
    refused(&[from("c1", d(3, 1))], "before the front door decided");
}

#[test]
fn a_step_down_links_to_a_closed_child_in_need_episode() {
    let down = |episode: &str, on| Started {
        date: on,
        how: EarlyHelpStart::SteppedDown { episode: episode.into() },
        lead: lead("A"),
    };
    let history = read(&[down("ep1", d(4, 10))]).expect("same day as the closure");
    assert_eq!(history.episodes[0].how, EarlyHelpStart::SteppedDown { episode: "ep1".into() });
    refused(&[down("ep1", d(4, 9))], "on or after the day");
    refused(&[down("nope", d(4, 20))], "has closed");
}

#[test]
fn a_step_up_closes_the_episode_with_its_contact_and_the_summary_carries_the_history() {
    let mut entries = with_plan();
    entries.push(SteppedUp { date: d(6, 10), contact: "c2".into(), reason: "Disclosure at school".into() });
    let history = read(&entries).expect("valid");
    assert!(history.open().is_none());
    let episode = &history.episodes[0];
    assert_eq!(episode.closed, Some((d(6, 10), EarlyHelpOutcome::SteppedUp)));
    assert_eq!(episode.stepped_up_to.as_deref(), Some("c2"));
    let summary = step_up_summary(episode, "Disclosure at school");
    for part in
        ["Disclosure at school", "Ms Okafor", "Fern Hill Primary", "Jo Patel", "Attendance over 95%", "0 of 2 met"]
    {
        assert!(summary.contains(part), "{part} in '{summary}'");
    }
    let mut no_reason = with_plan();
    no_reason.push(SteppedUp { date: d(6, 10), contact: "c2".into(), reason: " ".into() });
    refused(&no_reason, "say why");
    let mut closed_as_step_up = with_plan();
    closed_as_step_up.push(Closed { date: d(6, 10), outcome: EarlyHelpOutcome::SteppedUp });
    refused(&closed_as_step_up, "recorded as a step up");
}

#[test]
fn after_closing_a_new_episode_may_begin_but_not_before_the_close() {
    let mut entries = with_plan();
    entries.push(Closed { date: d(7, 1), outcome: EarlyHelpOutcome::NeedsMet });
    assert!(read(&entries).expect("valid").open().is_none());
    assert!(read(&entries)
        .expect("valid")
        .clocks(&WorkingCalendar::england_and_wales(), &ClockRules::default())
        .is_empty());
    let mut late = entries.clone();
    late.push(AssessmentStarted { date: d(7, 2), organisation: "X".into() });
    refused(&late, "no open early help episode");
    let mut early = entries.clone();
    early.push(started(d(6, 30)));
    refused(&early, "before the last one closed");
    entries.push(started(d(9, 1)));
    let history = read(&entries).expect("valid");
    assert_eq!(history.episodes.len(), 2);
    assert_eq!(history.open().map(|e| e.number), Some(2));
}

#[test]
fn entries_are_stored_in_a_stable_tagged_form() {
    let entry = Started { date: d(5, 1), how: EarlyHelpStart::SteppedDown { episode: "ep1".into() }, lead: lead("A") };
    let json = serde_json::to_value(&entry).expect("json");
    assert_eq!(json["entry"], "started");
    assert_eq!(json["how"]["kind"], "stepped_down");
    assert_eq!(json["lead"]["agency"], "school");
    let back: EarlyHelpEntry = serde_json::from_value(json).expect("back");
    assert_eq!(back, entry);
    assert!(back.describe().contains("led by A"));
}
