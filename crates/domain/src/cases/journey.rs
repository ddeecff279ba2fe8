//! The child's journey as a state machine. Every change is an [`Event`]; the journey is what the
//! events add up to. An event that would break a rule of Working Together or the CIN census is
//! refused with a message that says why, and changes nothing.

use super::codes::{
    AbuseCategory, AssessmentFactor, AssessmentOutcome, ClosureReason, ContactDecision, PrimaryNeed, ReferralSource,
};
use super::ClockRules;
use crate::calendar::WorkingCalendar;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Something that happened in a child's journey, as recorded. Stored as JSON in the child's
/// history; never changed once written (a correction is a later event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    ContactReceived {
        contact: String,
        date: NaiveDate,
        source: ReferralSource,
        worry: String,
    },
    ContactDecided {
        contact: String,
        date: NaiveDate,
        decision: ContactDecision,
    },
    ReferralAccepted {
        episode: String,
        date: NaiveDate,
        source: ReferralSource,
        nfa: bool,
        /// The child's primary need as the referral shows it, where known; the assessment's
        /// conclusion replaces it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary_need: Option<PrimaryNeed>,
    },
    AssessmentStarted {
        episode: String,
        assessment: String,
        date: NaiveDate,
    },
    ChildSeen {
        assessment: String,
        date: NaiveDate,
    },
    AssessmentCompleted {
        assessment: String,
        date: NaiveDate,
        factors: Vec<AssessmentFactor>,
        primary_need: PrimaryNeed,
        outcome: AssessmentOutcome,
    },
    AssessmentAuthorised {
        assessment: String,
        date: NaiveDate,
        overrun_reason: Option<String>,
    },
    StrategyDiscussionHeld {
        episode: String,
        strategy: String,
        date: NaiveDate,
        section47_needed: bool,
        /// Who took part: the agencies and people (Working Together: at least social care,
        /// police and health).
        #[serde(default)]
        participants: String,
    },
    Section47Started {
        episode: String,
        section47: String,
        strategy: String,
        date: NaiveDate,
    },
    Section47Concluded {
        section47: String,
        date: NaiveDate,
        icpc_needed: bool,
    },
    InitialConferenceHeld {
        episode: String,
        conference: String,
        section47: String,
        date: NaiveDate,
        plan: Option<AbuseCategory>,
    },
    CoreGroupHeld {
        plan: String,
        date: NaiveDate,
    },
    ReviewConferenceHeld {
        plan: String,
        date: NaiveDate,
        category: AbuseCategory,
        continue_plan: bool,
    },
    ChildProtectionPlanEnded {
        plan: String,
        date: NaiveDate,
    },
    ChildInNeedPlanStarted {
        episode: String,
        plan: String,
        date: NaiveDate,
    },
    ChildInNeedPlanReviewed {
        plan: String,
        date: NaiveDate,
    },
    ChildInNeedPlanEnded {
        plan: String,
        date: NaiveDate,
    },
    VisitRecorded {
        date: NaiveDate,
        seen: bool,
        seen_alone: bool,
        bedroom_seen: bool,
    },
    EpisodeClosed {
        episode: String,
        date: NaiveDate,
        reason: ClosureReason,
    },
}

impl Event {
    /// The day the event happened, for the chronology.
    pub fn date(&self) -> NaiveDate {
        use Event::*;
        match self {
            ContactReceived { date, .. }
            | ContactDecided { date, .. }
            | ReferralAccepted { date, .. }
            | AssessmentStarted { date, .. }
            | ChildSeen { date, .. }
            | AssessmentCompleted { date, .. }
            | AssessmentAuthorised { date, .. }
            | StrategyDiscussionHeld { date, .. }
            | Section47Started { date, .. }
            | Section47Concluded { date, .. }
            | InitialConferenceHeld { date, .. }
            | CoreGroupHeld { date, .. }
            | ReviewConferenceHeld { date, .. }
            | ChildProtectionPlanEnded { date, .. }
            | ChildInNeedPlanStarted { date, .. }
            | ChildInNeedPlanReviewed { date, .. }
            | ChildInNeedPlanEnded { date, .. }
            | VisitRecorded { date, .. }
            | EpisodeClosed { date, .. } => *date,
        }
    }

    /// A line for the chronology, in plain words.
    pub fn describe(&self) -> String {
        use Event::*;
        match self {
            ContactReceived { source, worry, .. } => format!("Contact from {}: {worry}", source.label().to_lowercase()),
            ContactDecided { decision, .. } => format!("Front door decision: {}", decision.label().to_lowercase()),
            ReferralAccepted { nfa: true, .. } => "Referral accepted, no further action".into(),
            ReferralAccepted { source, .. } => format!("Referral accepted from {}", source.label().to_lowercase()),
            AssessmentStarted { .. } => "Child and family assessment started".into(),
            ChildSeen { .. } => "Child seen for the assessment".into(),
            AssessmentCompleted { outcome, primary_need, .. } => {
                format!(
                    "Assessment completed: {}; primary need {}",
                    outcome.label().to_lowercase(),
                    primary_need.label().to_lowercase()
                )
            }
            AssessmentAuthorised { overrun_reason: Some(r), .. } => format!("Assessment authorised late: {r}"),
            AssessmentAuthorised { .. } => "Assessment authorised by the manager".into(),
            StrategyDiscussionHeld { section47_needed, participants, .. } => format!(
                "Strategy discussion{}: {}",
                if participants.is_empty() { String::new() } else { format!(" with {participants}") },
                if *section47_needed { "section 47 enquiry to start" } else { "no section 47 enquiry" }
            ),
            Section47Started { .. } => "Section 47 enquiry started".into(),
            Section47Concluded { icpc_needed: true, .. } => {
                "Section 47 enquiry concluded: initial conference needed".into()
            }
            Section47Concluded { .. } => "Section 47 enquiry concluded: no conference".into(),
            InitialConferenceHeld { plan: Some(c), .. } => {
                format!("Initial child protection conference: plan for {}", c.label().to_lowercase())
            }
            InitialConferenceHeld { .. } => "Initial child protection conference: no plan".into(),
            CoreGroupHeld { .. } => "Core group meeting".into(),
            ReviewConferenceHeld { continue_plan: true, .. } => "Review conference: plan continues".into(),
            ReviewConferenceHeld { .. } => "Review conference: plan ends".into(),
            ChildProtectionPlanEnded { .. } => "Child protection plan ended".into(),
            ChildInNeedPlanStarted { .. } => "Child in need plan started".into(),
            ChildInNeedPlanReviewed { .. } => "Child in need plan reviewed".into(),
            ChildInNeedPlanEnded { .. } => "Child in need plan ended".into(),
            VisitRecorded { seen, seen_alone, bedroom_seen, .. } => format!(
                "Visit: child {}{}{}",
                if *seen { "seen" } else { "not seen" },
                if *seen_alone { ", seen alone" } else { "" },
                if *bedroom_seen { ", bedroom seen" } else { "" }
            ),
            EpisodeClosed { reason, .. } => format!("Episode closed: {}", reason.label().to_lowercase()),
        }
    }
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleBroken(pub String);

fn broken<T>(message: impl Into<String>) -> Result<T, RuleBroken> {
    Err(RuleBroken(message.into()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: String,
    pub received: NaiveDate,
    pub source: ReferralSource,
    pub decided: Option<(NaiveDate, ContactDecision)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub id: String,
    pub start: NaiveDate,
    pub child_seen: Option<NaiveDate>,
    pub completed: Option<NaiveDate>,
    pub factors: Vec<AssessmentFactor>,
    pub outcome: Option<AssessmentOutcome>,
    pub authorised: Option<NaiveDate>,
    pub overrun_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section47 {
    pub id: String,
    pub strategy: String,
    pub start: NaiveDate,
    pub concluded: Option<(NaiveDate, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildProtectionPlan {
    pub id: String,
    pub start: NaiveDate,
    pub initial_category: AbuseCategory,
    pub latest_category: AbuseCategory,
    pub core_groups: Vec<NaiveDate>,
    pub reviews: Vec<NaiveDate>,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildInNeedPlan {
    pub id: String,
    pub start: NaiveDate,
    pub reviews: Vec<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// A child in need episode: from the referral to its closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Episode {
    pub id: String,
    pub referral_date: NaiveDate,
    pub source: ReferralSource,
    pub nfa: bool,
    pub primary_need: Option<PrimaryNeed>,
    pub assessments: Vec<Assessment>,
    /// Strategy discussions: (id, date, section 47 needed).
    pub strategies: Vec<(String, NaiveDate, bool)>,
    pub section47s: Vec<Section47>,
    /// Initial conferences: (id, date).
    pub conferences: Vec<(String, NaiveDate)>,
    pub cp_plans: Vec<ChildProtectionPlan>,
    pub cin_plans: Vec<ChildInNeedPlan>,
    pub closed: Option<(NaiveDate, ClosureReason)>,
}

impl Episode {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    fn open_cp_plan(&self) -> Option<&ChildProtectionPlan> {
        self.cp_plans.iter().find(|p| p.end.is_none())
    }

    fn open_cin_plan(&self) -> Option<&ChildInNeedPlan> {
        self.cin_plans.iter().find(|p| p.end.is_none())
    }

    /// The last day anything happened in the episode: closure may not come before it.
    fn last_activity(&self) -> NaiveDate {
        let mut last = self.referral_date;
        for a in &self.assessments {
            last = last.max(a.start).max(a.completed.unwrap_or(a.start)).max(a.authorised.unwrap_or(a.start));
        }
        for s in &self.section47s {
            last = last.max(s.start).max(s.concluded.map(|c| c.0).unwrap_or(s.start));
        }
        for p in &self.cp_plans {
            last = last.max(p.end.unwrap_or(p.start));
        }
        for p in &self.cin_plans {
            last = last.max(p.end.unwrap_or(p.start));
        }
        last
    }
}

/// A statutory visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub date: NaiveDate,
    pub seen: bool,
    pub seen_alone: bool,
    pub bedroom_seen: bool,
}

/// Everything recorded of a child's journey so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Journey {
    pub contacts: Vec<Contact>,
    pub episodes: Vec<Episode>,
    pub visits: Vec<Visit>,
}

/// What the rules need to know besides the journey: the council's calendar and clock rules.
pub struct RuleContext<'a> {
    pub calendar: &'a WorkingCalendar,
    pub rules: &'a ClockRules,
}

impl Journey {
    /// Replays a child's history in the order things happened: by date, and in the order they were
    /// recorded on the same day. So a visit recorded late, or a record merged in, takes its place
    /// in time, and every rule is checked against the whole story.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>, ctx: &RuleContext) -> Result<Self, RuleBroken> {
        let mut ordered: Vec<&Event> = events.into_iter().collect();
        ordered.sort_by_key(|e| e.date());
        let mut journey = Self::default();
        for e in ordered {
            journey.apply(e, ctx)?;
        }
        Ok(journey)
    }

    /// The journey with `event` added in its place in time, or the rule it breaks. The event is
    /// first checked against the story so far (which gives the plainest reason, such as "before
    /// its referral"), then the whole story is checked again in time order.
    pub fn with_event(events: &[Event], event: &Event, ctx: &RuleContext) -> Result<Self, RuleBroken> {
        let mut so_far = Self::replay(events, ctx)?;
        so_far.apply(event, ctx)?;
        Self::replay(events.iter().chain(std::iter::once(event)), ctx)
    }

    pub fn open_episode(&self) -> Option<&Episode> {
        self.episodes.iter().find(|e| e.is_open())
    }

    fn episode_mut(&mut self, id: &str) -> Result<&mut Episode, RuleBroken> {
        match self.episodes.iter_mut().find(|e| e.id == id) {
            Some(e) if e.is_open() => Ok(e),
            Some(_) => broken("That episode is closed: reopen work with a new referral"),
            None => broken("There is no such episode for this child"),
        }
    }

    fn find_assessment(&mut self, id: &str) -> Result<(&mut Assessment, NaiveDate), RuleBroken> {
        for e in self.episodes.iter_mut().filter(|e| e.is_open()) {
            let referral = e.referral_date;
            if let Some(a) = e.assessments.iter_mut().find(|a| a.id == id) {
                return Ok((a, referral));
            }
        }
        broken("There is no such assessment in an open episode")
    }

    fn find_cp_plan(&mut self, id: &str) -> Result<&mut ChildProtectionPlan, RuleBroken> {
        match self.episodes.iter_mut().flat_map(|e| e.cp_plans.iter_mut()).find(|p| p.id == id) {
            Some(p) if p.end.is_none() => Ok(p),
            Some(_) => broken("That child protection plan has ended"),
            None => broken("There is no such child protection plan"),
        }
    }

    fn find_cin_plan(&mut self, id: &str) -> Result<&mut ChildInNeedPlan, RuleBroken> {
        match self.episodes.iter_mut().flat_map(|e| e.cin_plans.iter_mut()).find(|p| p.id == id) {
            Some(p) if p.end.is_none() => Ok(p),
            Some(_) => broken("That child in need plan has ended"),
            None => broken("There is no such child in need plan"),
        }
    }

    /// Checks `event` against the rules and, if it keeps them, records it.
    pub fn apply(&mut self, event: &Event, ctx: &RuleContext) -> Result<(), RuleBroken> {
        use Event::*;
        match event {
            ContactReceived { contact, date, source, .. } => {
                if self.contacts.iter().any(|c| &c.id == contact) {
                    return broken("That contact is already recorded");
                }
                self.contacts.push(Contact { id: contact.clone(), received: *date, source: *source, decided: None });
            }
            ContactDecided { contact, date, decision } => {
                let c = match self.contacts.iter_mut().find(|c| &c.id == contact) {
                    Some(c) => c,
                    None => return broken("There is no such contact for this child"),
                };
                if c.decided.is_some() {
                    return broken("That contact has already been decided");
                }
                if *date < c.received {
                    return broken("A decision cannot come before the contact was received");
                }
                c.decided = Some((*date, *decision));
            }
            ReferralAccepted { episode, date, source, nfa, primary_need } => {
                if self.open_episode().is_some() {
                    return broken("The child already has an open episode: add to it, or close it first");
                }
                if let Some(last_close) = self.episodes.iter().filter_map(|e| e.closed.map(|c| c.0)).max() {
                    if *date <= last_close {
                        return broken(format!(
                            "A new referral must come after the last episode closed on {last_close}"
                        ));
                    }
                }
                self.episodes.push(Episode {
                    id: episode.clone(),
                    referral_date: *date,
                    source: *source,
                    nfa: *nfa,
                    primary_need: *primary_need,
                    assessments: vec![],
                    strategies: vec![],
                    section47s: vec![],
                    conferences: vec![],
                    cp_plans: vec![],
                    cin_plans: vec![],
                    closed: None,
                });
            }
            AssessmentStarted { episode, assessment, date } => {
                let e = self.episode_mut(episode)?;
                if e.nfa {
                    return broken("A referral marked no further action has no assessment");
                }
                if *date < e.referral_date {
                    return broken("An assessment cannot start before its referral");
                }
                if e.assessments.iter().any(|a| a.authorised.is_none()) {
                    return broken("An assessment is already open in this episode");
                }
                e.assessments.push(Assessment {
                    id: assessment.clone(),
                    start: *date,
                    child_seen: None,
                    completed: None,
                    factors: vec![],
                    outcome: None,
                    authorised: None,
                    overrun_reason: None,
                });
            }
            ChildSeen { assessment, date } => {
                let (a, _) = self.find_assessment(assessment)?;
                if *date < a.start {
                    return broken("The child cannot be seen for an assessment before it started");
                }
                a.child_seen.get_or_insert(*date);
            }
            AssessmentCompleted { assessment, date, factors, primary_need, outcome } => {
                super::codes::check_factors(factors).map_err(RuleBroken)?;
                if factors.is_empty() {
                    return broken("Record the factors identified, or 21 for no factors");
                }
                let (a, _) = self.find_assessment(assessment)?;
                if a.completed.is_some() {
                    return broken("That assessment is already completed");
                }
                if *date < a.start {
                    return broken("An assessment cannot be completed before it started");
                }
                a.completed = Some(*date);
                a.factors = factors.clone();
                a.outcome = Some(*outcome);
                let need = *primary_need;
                if let Some(e) = self.episodes.iter_mut().find(|e| e.assessments.iter().any(|a| &a.id == assessment)) {
                    e.primary_need = Some(need);
                }
            }
            AssessmentAuthorised { assessment, date, overrun_reason } => {
                let (a, referral) = self.find_assessment(assessment)?;
                let Some(completed) = a.completed else {
                    return broken("An assessment is authorised only once it is completed");
                };
                if a.authorised.is_some() {
                    return broken("That assessment is already authorised");
                }
                if *date < a.start {
                    return broken("An assessment cannot be authorised before it started");
                }
                if *date < completed {
                    return broken("An assessment cannot be authorised before it was completed");
                }
                let due = ctx.calendar.add_working_days(referral, ctx.rules.assessment_working_days);
                let reason = overrun_reason.as_ref().map(|r| r.trim()).filter(|r| !r.is_empty());
                if *date > due && reason.is_none() {
                    return broken(format!(
                        "This assessment is authorised after its {} working days (due {due}): record the reason it ran over",
                        ctx.rules.assessment_working_days
                    ));
                }
                a.authorised = Some(*date);
                a.overrun_reason = reason.map(str::to_string);
            }
            StrategyDiscussionHeld { episode, strategy, date, section47_needed, .. } => {
                let e = self.episode_mut(episode)?;
                if *date < e.referral_date {
                    return broken("A strategy discussion cannot come before the referral");
                }
                e.strategies.push((strategy.clone(), *date, *section47_needed));
            }
            Section47Started { episode, section47, strategy, date } => {
                let e = self.episode_mut(episode)?;
                if *date < e.referral_date {
                    return broken("A section 47 enquiry cannot start before its referral");
                }
                let Some((_, held, needed)) = e.strategies.iter().find(|s| &s.0 == strategy) else {
                    return broken("A section 47 enquiry starts from a strategy discussion: record that first");
                };
                if !needed {
                    return broken("That strategy discussion decided no section 47 enquiry was needed");
                }
                if date < held {
                    return broken("A section 47 enquiry cannot start before its strategy discussion");
                }
                if e.section47s.iter().any(|s| s.concluded.is_none()) {
                    return broken("A section 47 enquiry is already open in this episode");
                }
                e.section47s.push(Section47 {
                    id: section47.clone(),
                    strategy: strategy.clone(),
                    start: *date,
                    concluded: None,
                });
            }
            Section47Concluded { section47, date, icpc_needed } => {
                let s = self
                    .episodes
                    .iter_mut()
                    .filter(|e| e.is_open())
                    .flat_map(|e| e.section47s.iter_mut())
                    .find(|s| &s.id == section47);
                let Some(s) = s else {
                    return broken("There is no such section 47 enquiry in an open episode");
                };
                if s.concluded.is_some() {
                    return broken("That section 47 enquiry is already concluded");
                }
                if *date < s.start {
                    return broken("A section 47 enquiry cannot conclude before it started");
                }
                s.concluded = Some((*date, *icpc_needed));
            }
            InitialConferenceHeld { episode, conference, section47, date, plan } => {
                let e = self.episode_mut(episode)?;
                let Some(s) = e.section47s.iter().find(|s| &s.id == section47) else {
                    return broken("An initial conference follows a section 47 enquiry: record that first");
                };
                match s.concluded {
                    Some((_, true)) => {}
                    Some((_, false)) => {
                        return broken("That section 47 enquiry concluded that no conference was needed")
                    }
                    None => return broken("Conclude the section 47 enquiry before the conference"),
                }
                if *date < s.start {
                    return broken("The conference cannot come before its section 47 enquiry");
                }
                if e.conferences.iter().any(|(_, d)| d >= &s.start) {
                    return broken("This section 47 enquiry already has its initial conference");
                }
                if plan.is_some() {
                    if e.open_cin_plan().is_some() {
                        return broken("End the child in need plan before a child protection plan starts: they cannot be open together");
                    }
                    if e.open_cp_plan().is_some() {
                        return broken("The child already has an open child protection plan");
                    }
                }
                e.conferences.push((conference.clone(), *date));
                if let Some(category) = plan {
                    e.cp_plans.push(ChildProtectionPlan {
                        id: conference.clone(),
                        start: *date,
                        initial_category: *category,
                        latest_category: *category,
                        core_groups: vec![],
                        reviews: vec![],
                        end: None,
                    });
                }
            }
            CoreGroupHeld { plan, date } => {
                let p = self.find_cp_plan(plan)?;
                if *date < p.start {
                    return broken("A core group cannot meet before the plan started");
                }
                p.core_groups.push(*date);
            }
            ReviewConferenceHeld { plan, date, category, continue_plan } => {
                let p = self.find_cp_plan(plan)?;
                if *date <= p.start {
                    return broken("A review conference comes after the plan started");
                }
                p.reviews.push(*date);
                p.latest_category = *category;
                if !continue_plan {
                    p.end = Some(*date);
                }
            }
            ChildProtectionPlanEnded { plan, date } => {
                let p = self.find_cp_plan(plan)?;
                if *date <= p.start {
                    return broken("A child protection plan ends after the day it started, never on it");
                }
                p.end = Some(*date);
            }
            ChildInNeedPlanStarted { episode, plan, date } => {
                let e = self.episode_mut(episode)?;
                if e.open_cp_plan().is_some() {
                    return broken("End the child protection plan before a child in need plan starts: they cannot be open together");
                }
                if e.open_cin_plan().is_some() {
                    return broken("The child already has an open child in need plan");
                }
                if *date < e.referral_date {
                    return broken("A child in need plan cannot start before the referral");
                }
                if let Some(ended) = e.cp_plans.iter().filter_map(|p| p.end).max() {
                    if *date < ended {
                        return broken("A child in need plan cannot start before the child protection plan ended");
                    }
                }
                e.cin_plans.push(ChildInNeedPlan { id: plan.clone(), start: *date, reviews: vec![], end: None });
            }
            ChildInNeedPlanReviewed { plan, date } => {
                let p = self.find_cin_plan(plan)?;
                if *date < p.start {
                    return broken("A review cannot come before the plan started");
                }
                p.reviews.push(*date);
            }
            ChildInNeedPlanEnded { plan, date } => {
                let p = self.find_cin_plan(plan)?;
                if *date <= p.start {
                    return broken("A child in need plan ends after the day it started, never on it");
                }
                p.end = Some(*date);
            }
            VisitRecorded { date, seen, seen_alone, bedroom_seen } => {
                if *seen_alone && !*seen {
                    return broken("A child seen alone was seen: tick 'seen' too");
                }
                self.visits.push(Visit {
                    date: *date,
                    seen: *seen,
                    seen_alone: *seen_alone,
                    bedroom_seen: *bedroom_seen,
                });
            }
            EpisodeClosed { episode, date, reason } => {
                let e = self.episode_mut(episode)?;
                if e.assessments.iter().any(|a| a.authorised.is_none()) {
                    return broken("An assessment is still open: complete and authorise it before closing the episode");
                }
                if e.section47s.iter().any(|s| s.concluded.is_none()) {
                    return broken("A section 47 enquiry is still open: conclude it before closing the episode");
                }
                if e.open_cp_plan().is_some() {
                    return broken("A child protection plan is still open: end it before closing the episode");
                }
                if e.open_cin_plan().is_some() {
                    return broken("A child in need plan is still open: end it before closing the episode");
                }
                let last = e.last_activity();
                if *date < last {
                    return broken(format!(
                        "An episode cannot close before the last thing that happened in it, on {last}"
                    ));
                }
                e.closed = Some((*date, *reason));
            }
        }
        Ok(())
    }
}
