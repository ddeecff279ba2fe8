//! A child from a CIN census file as Canopy records them: their details, and their journey as the
//! events that would have made it, checked by the same rules as a save. What the census does not
//! say (names, who decided what) is recorded as not known, never guessed.

use super::{flag, CinChild, CinDetails};
use crate::cases::{
    AbuseCategory, AssessmentFactor, AssessmentOutcome, ClosureReason, Event, Journey, PrimaryNeed, ReferralSource,
    RuleContext,
};
use crate::people::ChildInput;
use chrono::NaiveDate;

/// Why a child in a file cannot be imported, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub child: Option<String>,
    pub line: Option<u64>,
    pub reason: String,
}

/// Who took part in what the old system recorded, which the census does not say.
pub const FROM_OLD_SYSTEM: &str = "Recorded in the council's previous system";

/// The name given to a child the census names only by their id.
pub const NAME_NOT_KNOWN: &str = "Not known";

/// The child's details as a form would give them, for the people rules to check.
pub fn child_input(c: &CinChild) -> ChildInput {
    ChildInput {
        first_name: NAME_NOT_KNOWN.into(),
        last_name: NAME_NOT_KNOWN.into(),
        date_of_birth: c.birth_date,
        expected_date_of_birth: c.expected_birth_date,
        sex: c.sex.clone().unwrap_or_default(),
        ethnicity: c.ethnicity.clone().unwrap_or_default(),
        disabilities: c.disabilities.iter().filter(|d| !d.eq_ignore_ascii_case("NONE")).cloned().collect(),
        nhs_number: String::new(),
        upn: c.upn.clone().unwrap_or_default(),
        former_upn: c.former_upn.clone().unwrap_or_default(),
        upn_unknown: c.upn_unknown.clone().unwrap_or_default(),
        local_id: c.la_child_id.clone().unwrap_or_default(),
        date_of_death: c.death_date,
    }
}

fn code<T>(value: &Option<String>, read: impl Fn(&str) -> Option<T>, what: &str, at: &str) -> Result<T, String> {
    let text = value.as_deref().unwrap_or("");
    read(text).ok_or_else(|| format!("{at}: {what} '{text}' is not one of the census codes"))
}

fn date(value: Option<NaiveDate>, what: &str, at: &str) -> Result<NaiveDate, String> {
    value.ok_or_else(|| format!("{at}: the {what} is missing"))
}

/// A strategy discussion that decided on a section 47 enquiry, and the enquiry, on `date`.
fn enquiry(events: &mut Vec<Event>, episode: &str, strategy: &str, section47: &str, date: NaiveDate) {
    events.push(Event::StrategyDiscussionHeld {
        episode: episode.into(),
        strategy: strategy.into(),
        date,
        section47_needed: true,
        participants: FROM_OLD_SYSTEM.into(),
    });
    events.push(Event::Section47Started {
        episode: episode.into(),
        section47: section47.into(),
        strategy: strategy.into(),
        date,
    });
}

/// The events of one episode, in the order they happened.
fn episode_events(d: &CinDetails, e: usize, ctx: &RuleContext) -> Result<Vec<Event>, String> {
    let at = format!("CINdetails {}", e + 1);
    let id = |kind: &str, n: usize| format!("import-{e}-{kind}-{n}");
    let episode = id("episode", 0);
    let referral = date(d.referral_date, "referral date", &at)?;
    let nfa = flag(d.referral_nfa.as_deref()).ok_or_else(|| format!("{at}: ReferralNFA must be 0 or 1"))?;
    let need = match d.primary_need.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            PrimaryNeed::from_code(text)
                .ok_or_else(|| format!("{at}: the primary need '{text}' is not a census code"))?,
        ),
    };
    let mut events = vec![Event::ReferralAccepted {
        episode: episode.clone(),
        date: referral,
        source: code(&d.referral_source, ReferralSource::from_code, "the referral source", &at)?,
        nfa,
        primary_need: need,
    }];
    for (i, a) in d.assessments.iter().enumerate() {
        let at = format!("{at} Assessments {}", i + 1);
        let assessment = id("assessment", i);
        let start = date(a.start, "assessment start", &at)?;
        events.push(Event::AssessmentStarted { episode: episode.clone(), assessment: assessment.clone(), date: start });
        if let Some(done) = a.authorised {
            let factors: Vec<AssessmentFactor> = a
                .factors
                .iter()
                .map(|f| {
                    AssessmentFactor::from_code(f).ok_or_else(|| format!("{at}: the factor '{f}' is not a census code"))
                })
                .collect::<Result<_, _>>()?;
            let primary_need =
                need.ok_or_else(|| format!("{at}: a completed assessment needs the episode's primary need"))?;
            let outcome = if !d.cp_plans.is_empty() || !d.section47s.is_empty() {
                AssessmentOutcome::Strategy
            } else if !d.cin_plans.is_empty() {
                AssessmentOutcome::ChildInNeed
            } else {
                AssessmentOutcome::NoFurtherAction
            };
            events.push(Event::AssessmentCompleted {
                assessment: assessment.clone(),
                date: done,
                factors,
                primary_need,
                outcome,
            });
            let due = ctx.calendar.add_working_days(referral, ctx.rules.assessment_working_days);
            let overrun_reason = (done > due).then(|| FROM_OLD_SYSTEM.to_string());
            events.push(Event::AssessmentAuthorised { assessment, date: done, overrun_reason });
        }
    }
    // Each enquiry, and each plan's conference; a plan begun before the census year has no
    // enquiry in it, so its conference stands alone on the day the plan began.
    let mut conferences: Vec<NaiveDate> = Vec::new();
    for (i, s) in d.section47s.iter().enumerate() {
        let at = format!("{at} Section47 {}", i + 1);
        let start = date(s.start, "enquiry start", &at)?;
        let section47 = id("s47", i);
        enquiry(&mut events, &episode, &id("strategy", i), &section47, start);
        match (s.date_of_initial_cpc, flag(s.icpc_not_required.as_deref())) {
            (Some(icpc), _) => {
                events.push(Event::Section47Concluded { section47: section47.clone(), date: icpc, icpc_needed: true });
                let plan = d.cp_plans.iter().find(|p| p.start == Some(icpc));
                events.push(Event::InitialConferenceHeld {
                    episode: episode.clone(),
                    conference: id("conference", i),
                    section47,
                    date: icpc,
                    plan: plan
                        .map(|p| code(&p.initial_category, AbuseCategory::from_code, "the initial category", &at))
                        .transpose()?,
                });
                conferences.push(icpc);
            }
            (None, Some(true)) => {
                events.push(Event::Section47Concluded { section47, date: start, icpc_needed: false });
            }
            _ => {}
        }
    }
    for (i, p) in d.cp_plans.iter().enumerate() {
        let at = format!("{at} ChildProtectionPlans {}", i + 1);
        let start = date(p.start, "plan start", &at)?;
        let initial = code(&p.initial_category, AbuseCategory::from_code, "the initial category", &at)?;
        let conference = if conferences.contains(&start) {
            d.section47s.iter().position(|s| s.date_of_initial_cpc == Some(start)).map(|n| id("conference", n))
        } else {
            None
        };
        let plan_id = match conference {
            Some(c) => c,
            None => {
                let (section47, conference) = (id("plan-s47", i), id("plan-conference", i));
                enquiry(&mut events, &episode, &id("plan-strategy", i), &section47, start);
                events.push(Event::Section47Concluded { section47: section47.clone(), date: start, icpc_needed: true });
                events.push(Event::InitialConferenceHeld {
                    episode: episode.clone(),
                    conference: conference.clone(),
                    section47,
                    date: start,
                    plan: Some(initial),
                });
                conference
            }
        };
        let latest = code(&p.latest_category, AbuseCategory::from_code, "the latest category", &at)?;
        for review in p.reviews.iter().flatten() {
            events.push(Event::ReviewConferenceHeld {
                plan: plan_id.clone(),
                date: *review,
                category: latest,
                continue_plan: true,
            });
        }
        if let Some(end) = p.end {
            events.push(Event::ChildProtectionPlanEnded { plan: plan_id, date: end });
        }
    }
    for (i, p) in d.cin_plans.iter().enumerate() {
        let at = format!("{at} CINPlanDates {}", i + 1);
        let plan = id("cin-plan", i);
        events.push(Event::ChildInNeedPlanStarted {
            episode: episode.clone(),
            plan: plan.clone(),
            date: date(p.start, "plan start", &at)?,
        });
        if let Some(end) = p.end {
            events.push(Event::ChildInNeedPlanEnded { plan, date: end });
        }
    }
    if let Some(closed) = d.closure_date {
        let reason = code(&d.reason_for_closure, ClosureReason::from_code, "the reason for closure", &at)?;
        events.push(Event::EpisodeClosed { episode, date: closed, reason });
    }
    Ok(events)
}

/// The child's journey from the census, checked by the rules a save is checked by: the events
/// to record, and the journey they make.
pub fn journey_events(c: &CinChild, ctx: &RuleContext) -> Result<(Vec<Event>, Journey), String> {
    if let Some(u) = c.unreadable.first() {
        return Err(format!("line {}: <{}> '{}' cannot be read", u.line, u.element, u.value));
    }
    let mut events = Vec::new();
    for (e, d) in c.details.iter().enumerate() {
        events.extend(episode_events(d, e, ctx)?);
    }
    let journey = Journey::replay(&events, ctx).map_err(|broken| format!("the journey breaks a rule: {}", broken.0))?;
    Ok((events, journey))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::cases::ClockRules;
    use crate::returns::cin::{CinAssessment, CinPlan, CinProtectionPlan, CinSection47};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn child() -> CinChild {
        CinChild {
            la_child_id: Some("K1".into()),
            sex: Some("F".into()),
            ethnicity: Some("WBRI".into()),
            birth_date: Some(d(2015, 6, 1)),
            disabilities: vec!["NONE".into()],
            details: vec![CinDetails {
                referral_date: Some(d(2025, 5, 1)),
                referral_source: Some("2A".into()),
                primary_need: Some("N1".into()),
                referral_nfa: Some("0".into()),
                assessments: vec![CinAssessment {
                    start: Some(d(2025, 5, 2)),
                    authorised: Some(d(2025, 6, 2)),
                    factors: vec!["1A".into()],
                    ..Default::default()
                }],
                section47s: vec![CinSection47 {
                    start: Some(d(2025, 5, 2)),
                    icpc_target: None,
                    date_of_initial_cpc: Some(d(2025, 5, 20)),
                    icpc_not_required: Some("0".into()),
                }],
                cp_plans: vec![CinProtectionPlan {
                    start: Some(d(2025, 5, 20)),
                    end: Some(d(2025, 9, 1)),
                    initial_category: Some("NEG".into()),
                    latest_category: Some("EMO".into()),
                    number_of_previous: Some("0".into()),
                    reviews: vec![Some(d(2025, 8, 20))],
                }],
                cin_plans: vec![CinPlan { start: Some(d(2025, 9, 1)), end: None }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn a_census_child_becomes_a_journey_that_keeps_the_rules() {
        let calendar = WorkingCalendar::england_and_wales();
        let rules = ClockRules::default();
        let ctx = RuleContext { calendar: &calendar, rules: &rules };
        let (events, journey) = journey_events(&child(), &ctx).expect("imports");
        assert_eq!(Journey::replay(&events, &ctx).expect("replays"), journey, "the events make the journey");
        let e = &journey.episodes[0];
        assert_eq!(e.primary_need, Some(PrimaryNeed::AbuseOrNeglect));
        assert_eq!(e.cp_plans[0].latest_category, AbuseCategory::Emotional);
        assert_eq!(e.cin_plans.len(), 1);
        assert_eq!(child_input(&child()).disabilities, Vec::<String>::new(), "NONE is no disability");

        let mut bad = child();
        bad.details[0].referral_source = Some("99".into());
        assert!(journey_events(&bad, &ctx).expect_err("refused").contains("CINdetails 1: the referral source '99'"));
        let mut broken = child();
        broken.details[0].assessments[0].start = Some(d(2025, 4, 1));
        assert!(journey_events(&broken, &ctx).expect_err("refused").contains("breaks a rule"));
    }
}
