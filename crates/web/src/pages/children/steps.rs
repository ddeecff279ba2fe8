//! The forms for each step of the child's journey. Which steps are open comes from the journey's
//! state; each step reads its fields and builds the domain event, and the domain decides whether
//! the event keeps the rules.

use crate::forms::FormData;
use crate::pages::Field;
use canopy_domain::cases::{
    AbuseCategory, AssessmentFactor, AssessmentOutcome, ClosureReason, ContactDecision, Event, Journey, PrimaryNeed,
    ReferralSource,
};
use canopy_domain::code_list;
use canopy_domain::validation::{required_text, FieldErrors};
use chrono::NaiveDate;

code_list!(
    /// A step a practitioner can record on a child's record.
    Step {
        Contact = "contact": "Record a contact",
        ContactDecision = "contact_decision": "Decide the contact",
        Referral = "referral": "Accept a referral",
        AssessmentStart = "assessment_start": "Start the child and family assessment",
        ChildSeen = "child_seen": "Record that the child was seen",
        AssessmentComplete = "assessment_complete": "Complete the assessment",
        AssessmentAuthorise = "assessment_authorise": "Authorise the assessment",
        Strategy = "strategy": "Record a strategy discussion",
        Section47Start = "section47_start": "Start the section 47 enquiry",
        Section47Conclude = "section47_conclude": "Conclude the section 47 enquiry",
        InitialConference = "initial_conference": "Record the initial child protection conference",
        CoreGroup = "core_group": "Record a core group meeting",
        ReviewConference = "review_conference": "Record a review conference",
        ProtectionPlanEnd = "protection_plan_end": "End the child protection plan",
        ChildInNeedPlanStart = "cin_plan_start": "Start a child in need plan",
        ChildInNeedPlanReview = "cin_plan_review": "Review the child in need plan",
        ChildInNeedPlanEnd = "cin_plan_end": "End the child in need plan",
        Visit = "visit": "Record a visit",
        CloseEpisode = "close_episode": "Close the episode",
    }
);

/// The steps open for a child now, in the order work usually goes.
pub fn open_steps(j: &Journey) -> Vec<Step> {
    let mut steps = vec![Step::Contact];
    if j.contacts.iter().any(|c| c.decided.is_none()) {
        steps.push(Step::ContactDecision);
    }
    let Some(e) = j.open_episode() else {
        steps.push(Step::Referral);
        steps.push(Step::Visit);
        return steps;
    };
    let open_assessment = e.assessments.iter().find(|a| a.authorised.is_none());
    match open_assessment {
        None if !e.nfa && !e.assessments.iter().any(|a| a.authorised.is_some()) => steps.push(Step::AssessmentStart),
        Some(a) => {
            if a.child_seen.is_none() {
                steps.push(Step::ChildSeen);
            }
            steps.push(if a.completed.is_none() { Step::AssessmentComplete } else { Step::AssessmentAuthorise });
        }
        None => {}
    }
    steps.push(Step::Strategy);
    let open_s47 = e.section47s.iter().find(|s| s.concluded.is_none());
    if open_s47.is_some() {
        steps.push(Step::Section47Conclude);
    } else if e.strategies.iter().any(|(id, _, needed)| *needed && !e.section47s.iter().any(|s| &s.strategy == id)) {
        steps.push(Step::Section47Start);
    }
    if e.section47s
        .iter()
        .any(|s| s.concluded.is_some_and(|(_, icpc)| icpc) && !e.conferences.iter().any(|(_, d)| *d >= s.start))
    {
        steps.push(Step::InitialConference);
    }
    let cp_open = e.cp_plans.iter().any(|p| p.end.is_none());
    let cin_open = e.cin_plans.iter().any(|p| p.end.is_none());
    if cp_open {
        steps.extend([Step::CoreGroup, Step::ReviewConference, Step::ProtectionPlanEnd]);
    }
    if cin_open {
        steps.extend([Step::ChildInNeedPlanReview, Step::ChildInNeedPlanEnd]);
    }
    if !cp_open && !cin_open {
        steps.push(Step::ChildInNeedPlanStart);
    }
    steps.push(Step::Visit);
    let nothing_open = open_assessment.is_none() && open_s47.is_none() && !cp_open && !cin_open;
    if nothing_open {
        steps.push(Step::CloseEpisode);
    }
    steps
}

fn options<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_string(), format!("{} ({})", label(*v), code(*v)))).collect()
}

fn plain_options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_string(), label(*v).to_string())).collect()
}

fn yes_no(name: &str, label: &str, form: &FormData) -> Field {
    Field::choices(
        name,
        label,
        "radios",
        vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
        &[form.get(name)],
    )
}

/// The fields of a step's form, filled from what was typed (or today's date to start with).
pub fn fields(step: Step, form: &FormData) -> Vec<Field> {
    let date = |label: &str| Field::date("date", label, form);
    let selected = |name: &str| vec![form.get(name)];
    match step {
        Step::Contact => vec![
            date("Date the contact came in"),
            Field::choices(
                "source",
                "Who made contact",
                "select",
                options(ReferralSource::ALL, ReferralSource::code, ReferralSource::label),
                &selected("source"),
            ),
            Field::text("worry", "What the worry is", form.get("worry")).kind("textarea"),
        ],
        Step::ContactDecision => vec![
            date("Date of the decision"),
            Field::choices(
                "decision",
                "Decision",
                "radios",
                plain_options(ContactDecision::ALL, ContactDecision::code, ContactDecision::label),
                &selected("decision"),
            ),
        ],
        Step::Referral => vec![
            date("Referral date"),
            Field::choices(
                "source",
                "Referral source",
                "select",
                options(ReferralSource::ALL, ReferralSource::code, ReferralSource::label),
                &selected("source"),
            ),
            yes_no("nfa", "Is the referral closed with no further action?", form),
            Field::choices(
                "primary_need",
                "Primary need, if the referral shows it",
                "select",
                options(PrimaryNeed::ALL, PrimaryNeed::code, PrimaryNeed::label),
                &selected("primary_need"),
            )
            .hint("The CIN census needs a primary need for every referral with further action; the assessment can change it"),
        ],
        Step::AssessmentStart => vec![date("Date the assessment started")],
        Step::ChildSeen => vec![date("Date the child was seen")],
        Step::AssessmentComplete => vec![
            date("Date the assessment was completed"),
            Field::choices(
                "factors",
                "Factors identified",
                "checkboxes",
                options(AssessmentFactor::ALL, AssessmentFactor::code, AssessmentFactor::label),
                &form.all("factors"),
            )
            .hint("Select every factor found, or 'No factors identified' on its own"),
            Field::choices(
                "primary_need",
                "Primary need",
                "select",
                options(PrimaryNeed::ALL, PrimaryNeed::code, PrimaryNeed::label),
                &selected("primary_need"),
            ),
            Field::choices(
                "outcome",
                "Outcome",
                "radios",
                plain_options(AssessmentOutcome::ALL, AssessmentOutcome::code, AssessmentOutcome::label),
                &selected("outcome"),
            ),
        ],
        Step::AssessmentAuthorise => vec![
            date("Date the manager authorised it"),
            Field::text("overrun_reason", "Why it ran over 45 working days, if it did", form.get("overrun_reason"))
                .kind("textarea"),
        ],
        Step::Strategy => vec![
            date("Date of the strategy discussion"),
            Field::text("participants", "Who took part", form.get("participants"))
                .kind("textarea")
                .hint("The agencies and people, for example: social care, police, school nurse"),
            yes_no("section47_needed", "Is a section 47 enquiry needed?", form),
        ],
        Step::Section47Start => vec![date("Date the enquiry started")],
        Step::Section47Conclude => vec![
            date("Date the enquiry concluded"),
            yes_no("icpc_needed", "Is an initial child protection conference needed?", form),
        ],
        Step::InitialConference => vec![
            date("Date of the conference"),
            Field::choices(
                "category",
                "Category of abuse, if the conference made a plan",
                "radios",
                std::iter::once(("none".to_string(), "No plan".to_string()))
                    .chain(plain_options(AbuseCategory::ALL, AbuseCategory::code, AbuseCategory::label))
                    .collect(),
                &selected("category"),
            ),
        ],
        Step::CoreGroup | Step::ChildInNeedPlanStart | Step::ChildInNeedPlanReview => vec![date("Date")],
        Step::ReviewConference => vec![
            date("Date of the review conference"),
            Field::choices(
                "category",
                "Latest category of abuse",
                "radios",
                plain_options(AbuseCategory::ALL, AbuseCategory::code, AbuseCategory::label),
                &selected("category"),
            ),
            yes_no("continue_plan", "Does the plan continue?", form),
        ],
        Step::ProtectionPlanEnd | Step::ChildInNeedPlanEnd => vec![date("Date the plan ended")],
        Step::Visit => vec![
            date("Date of the visit"),
            yes_no("seen", "Was the child seen?", form),
            yes_no("seen_alone", "Was the child seen alone?", form),
            yes_no("bedroom_seen", "Was the child's bedroom seen?", form),
        ],
        Step::CloseEpisode => vec![
            date("Date the episode closed"),
            Field::choices(
                "reason",
                "Reason for closure",
                "radios",
                options(ClosureReason::ALL, ClosureReason::code, ClosureReason::label),
                &selected("reason"),
            ),
        ],
    }
}

fn pick<T>(errors: &mut FieldErrors, field: &str, value: Option<T>, message: &str) -> Option<T> {
    if value.is_none() {
        errors.add(field, message);
    }
    value
}

fn yes(errors: &mut FieldErrors, form: &FormData, field: &str) -> Option<bool> {
    match form.get(field).as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add(field, "Select yes or no");
            None
        }
    }
}

/// The event a submitted step records, or what is wrong with the form. `new_id` makes the ids
/// of new contacts, episodes, assessments and plans.
pub fn build_event(
    step: Step,
    form: &FormData,
    journey: &Journey,
    today: NaiveDate,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Event, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date = crate::pages::past_date(form, &mut errors, "date", "the date", today, true);
    let episode = journey.open_episode();
    let missing = |what: &str| FieldErrors::one("date", format!("There is no {what} to record this against"));
    let open_assessment =
        episode.and_then(|e| e.assessments.iter().find(|a| a.authorised.is_none())).map(|a| a.id.clone());
    let open_cp = episode.and_then(|e| e.cp_plans.iter().find(|p| p.end.is_none())).map(|p| p.id.clone());
    let open_cin = episode.and_then(|e| e.cin_plans.iter().find(|p| p.end.is_none())).map(|p| p.id.clone());
    let episode_id = episode.map(|e| e.id.clone());
    let event = match step {
        Step::Contact => {
            let source =
                pick(&mut errors, "source", ReferralSource::from_code(&form.get("source")), "Select who made contact");
            let worry = required_text(&mut errors, "worry", "what the worry is", &form.get("worry"), 2000);
            match (date, source) {
                (Some(date), Some(source)) => Some(Event::ContactReceived { contact: new_id(), date, source, worry }),
                _ => None,
            }
        }
        Step::ContactDecision => {
            let contact = journey
                .contacts
                .iter()
                .find(|c| c.decided.is_none())
                .map(|c| c.id.clone())
                .ok_or_else(|| missing("undecided contact"))?;
            let decision =
                pick(&mut errors, "decision", ContactDecision::from_code(&form.get("decision")), "Select the decision");
            match (date, decision) {
                (Some(date), Some(decision)) => Some(Event::ContactDecided { contact, date, decision }),
                _ => None,
            }
        }
        Step::Referral => {
            let source = pick(
                &mut errors,
                "source",
                ReferralSource::from_code(&form.get("source")),
                "Select the referral source",
            );
            let nfa = yes(&mut errors, form, "nfa");
            let need = form.get("primary_need");
            let primary_need = match need.as_str() {
                "" => None,
                code => pick(
                    &mut errors,
                    "primary_need",
                    PrimaryNeed::from_code(code),
                    "Select a primary need from the list",
                ),
            };
            match (date, source, nfa) {
                (Some(date), Some(source), Some(nfa)) => {
                    Some(Event::ReferralAccepted { episode: new_id(), date, source, nfa, primary_need })
                }
                _ => None,
            }
        }
        Step::AssessmentStart => {
            let episode = episode_id.ok_or_else(|| missing("open episode"))?;
            date.map(|date| Event::AssessmentStarted { episode, assessment: new_id(), date })
        }
        Step::ChildSeen => {
            let assessment = open_assessment.ok_or_else(|| missing("open assessment"))?;
            date.map(|date| Event::ChildSeen { assessment, date })
        }
        Step::AssessmentComplete => {
            let assessment = open_assessment.ok_or_else(|| missing("open assessment"))?;
            let mut factors = Vec::new();
            for code in form.all("factors") {
                match AssessmentFactor::from_code(&code) {
                    Some(f) => factors.push(f),
                    None => errors.add("factors", "Select factors from the list"),
                }
            }
            if factors.is_empty() {
                errors.add("factors", "Select the factors identified, or 'No factors identified'");
            } else if let Err(message) = canopy_domain::cases::check_factors(&factors) {
                errors.add("factors", message);
            }
            let need = pick(
                &mut errors,
                "primary_need",
                PrimaryNeed::from_code(&form.get("primary_need")),
                "Select the primary need",
            );
            let outcome =
                pick(&mut errors, "outcome", AssessmentOutcome::from_code(&form.get("outcome")), "Select the outcome");
            match (date, need, outcome) {
                (Some(date), Some(primary_need), Some(outcome)) => {
                    Some(Event::AssessmentCompleted { assessment, date, factors, primary_need, outcome })
                }
                _ => None,
            }
        }
        Step::AssessmentAuthorise => {
            let assessment = open_assessment.ok_or_else(|| missing("completed assessment"))?;
            let reason = form.get("overrun_reason").trim().to_string();
            date.map(|date| Event::AssessmentAuthorised {
                assessment,
                date,
                overrun_reason: Some(reason).filter(|r| !r.is_empty()),
            })
        }
        Step::Strategy => {
            let episode = episode_id.ok_or_else(|| missing("open episode"))?;
            let participants =
                required_text(&mut errors, "participants", "who took part", &form.get("participants"), 500);
            let needed = yes(&mut errors, form, "section47_needed");
            match (date, needed) {
                (Some(date), Some(section47_needed)) => Some(Event::StrategyDiscussionHeld {
                    episode,
                    strategy: new_id(),
                    date,
                    section47_needed,
                    participants: participants.clone(),
                }),
                _ => None,
            }
        }
        Step::Section47Start => {
            let e = episode.ok_or_else(|| missing("open episode"))?;
            let strategy = e
                .strategies
                .iter()
                .rev()
                .find(|(id, _, needed)| *needed && !e.section47s.iter().any(|s| &s.strategy == id))
                .map(|s| s.0.clone())
                .ok_or_else(|| missing("strategy discussion that called for an enquiry"))?;
            date.map(|date| Event::Section47Started { episode: e.id.clone(), section47: new_id(), strategy, date })
        }
        Step::Section47Conclude => {
            let s = episode
                .and_then(|e| e.section47s.iter().find(|s| s.concluded.is_none()))
                .map(|s| s.id.clone())
                .ok_or_else(|| missing("open section 47 enquiry"))?;
            let icpc = yes(&mut errors, form, "icpc_needed");
            match (date, icpc) {
                (Some(date), Some(icpc_needed)) => Some(Event::Section47Concluded { section47: s, date, icpc_needed }),
                _ => None,
            }
        }
        Step::InitialConference => {
            let e = episode.ok_or_else(|| missing("open episode"))?;
            let s = e
                .section47s
                .iter()
                .rev()
                .find(|s| s.concluded.is_some_and(|(_, icpc)| icpc))
                .map(|s| s.id.clone())
                .ok_or_else(|| missing("section 47 enquiry that called for a conference"))?;
            let category = form.get("category");
            let plan = if category == "none" {
                Some(None)
            } else {
                pick(
                    &mut errors,
                    "category",
                    AbuseCategory::from_code(&category).map(Some),
                    "Select a category of abuse, or no plan",
                )
            };
            match (date, plan) {
                (Some(date), Some(plan)) => Some(Event::InitialConferenceHeld {
                    episode: e.id.clone(),
                    conference: new_id(),
                    section47: s,
                    date,
                    plan,
                }),
                _ => None,
            }
        }
        Step::CoreGroup => {
            let plan = open_cp.ok_or_else(|| missing("open child protection plan"))?;
            date.map(|date| Event::CoreGroupHeld { plan, date })
        }
        Step::ReviewConference => {
            let plan = open_cp.ok_or_else(|| missing("open child protection plan"))?;
            let category = pick(
                &mut errors,
                "category",
                AbuseCategory::from_code(&form.get("category")),
                "Select the latest category of abuse",
            );
            let continues = yes(&mut errors, form, "continue_plan");
            match (date, category, continues) {
                (Some(date), Some(category), Some(continue_plan)) => {
                    Some(Event::ReviewConferenceHeld { plan, date, category, continue_plan })
                }
                _ => None,
            }
        }
        Step::ProtectionPlanEnd => {
            let plan = open_cp.ok_or_else(|| missing("open child protection plan"))?;
            date.map(|date| Event::ChildProtectionPlanEnded { plan, date })
        }
        Step::ChildInNeedPlanStart => {
            let episode = episode_id.ok_or_else(|| missing("open episode"))?;
            date.map(|date| Event::ChildInNeedPlanStarted { episode, plan: new_id(), date })
        }
        Step::ChildInNeedPlanReview => {
            let plan = open_cin.ok_or_else(|| missing("open child in need plan"))?;
            date.map(|date| Event::ChildInNeedPlanReviewed { plan, date })
        }
        Step::ChildInNeedPlanEnd => {
            let plan = open_cin.ok_or_else(|| missing("open child in need plan"))?;
            date.map(|date| Event::ChildInNeedPlanEnded { plan, date })
        }
        Step::Visit => {
            let seen = yes(&mut errors, form, "seen");
            let alone = yes(&mut errors, form, "seen_alone");
            let bedroom = yes(&mut errors, form, "bedroom_seen");
            match (date, seen, alone, bedroom) {
                (Some(date), Some(seen), Some(seen_alone), Some(bedroom_seen)) => {
                    Some(Event::VisitRecorded { date, seen, seen_alone, bedroom_seen })
                }
                _ => None,
            }
        }
        Step::CloseEpisode => {
            let episode = episode_id.ok_or_else(|| missing("open episode"))?;
            let reason = pick(
                &mut errors,
                "reason",
                ClosureReason::from_code(&form.get("reason")),
                "Select the reason for closure",
            );
            match (date, reason) {
                (Some(date), Some(reason)) => Some(Event::EpisodeClosed { episode, date, reason }),
                _ => None,
            }
        }
    };
    match event {
        Some(e) if errors.is_empty() => Ok(e),
        _ => Err(errors),
    }
}
