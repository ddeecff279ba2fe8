//! Early help: support below the statutory threshold. An episode has a lead professional (who
//! may work for a partner agency such as a school), an early help assessment, a team around the
//! family with its meetings, and a plan with goals and reviews, and closes with an outcome. It
//! can begin from the front door's decision or as a step down from a closing child in need
//! episode, and it can step up to social care as a new contact that carries its history.
//! Staff record what happened; the episodes and their clocks are worked out here.

#[cfg(test)]
mod tests;

use crate::calendar::WorkingCalendar;
use crate::cases::{ClockKind, ClockRules, ContactDecision, Journey, RunningClock};
use crate::code_list;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_list!(
    /// The agency a lead professional or a member of the team around the family works for.
    PartnerAgency {
        School = "school": "School or college",
        EarlyYears = "early_years": "Early years setting",
        Health = "health": "Health (GP, health visitor, school nurse)",
        Police = "police": "Police",
        Housing = "housing": "Housing",
        Voluntary = "voluntary": "Voluntary or community organisation",
        EarlyHelpService = "early_help": "The early help service",
        Other = "other": "Other agency",
    }
);

code_list!(
    /// How an early help episode ended.
    EarlyHelpOutcome {
        NeedsMet = "needs_met": "Needs met: the plan's goals were achieved",
        Universal = "universal": "Stepped down to universal services",
        SteppedUp = "stepped_up": "Stepped up to children's social care",
        Withdrew = "withdrew": "The family withdrew their consent",
        MovedAway = "moved_away": "The family moved away",
        Other = "other": "Other outcome",
    }
);

/// Who leads the support: by name and agency, and their Canopy account when they have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadProfessional {
    pub name: String,
    pub agency: PartnerAgency,
    #[serde(default)]
    pub user_id: Option<String>,
}

/// How an episode began; a link to the social care record it came from, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EarlyHelpStart {
    /// The front door decided a contact should go to early help.
    FrontDoor { contact: String },
    /// A child in need episode closed and the family stepped down to early help.
    SteppedDown { episode: String },
    /// A partner (a school, a health visitor) asked, with the family's consent.
    PartnerRequest,
}

/// Something that happened in a family's early help, as staff record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum EarlyHelpEntry {
    Started {
        date: NaiveDate,
        how: EarlyHelpStart,
        lead: LeadProfessional,
    },
    LeadChanged {
        date: NaiveDate,
        lead: LeadProfessional,
    },
    AssessmentStarted {
        date: NaiveDate,
        organisation: String,
    },
    AssessmentCompleted {
        date: NaiveDate,
    },
    MemberJoined {
        date: NaiveDate,
        name: String,
        agency: PartnerAgency,
        role: String,
    },
    MemberLeft {
        date: NaiveDate,
        name: String,
    },
    MeetingHeld {
        date: NaiveDate,
        attended: Vec<String>,
    },
    PlanAgreed {
        date: NaiveDate,
        goals: Vec<String>,
    },
    PlanReviewed {
        date: NaiveDate,
        goals_met: Vec<String>,
        note: String,
    },
    Closed {
        date: NaiveDate,
        outcome: EarlyHelpOutcome,
    },
    /// Worries rose above the threshold: the episode closes and `contact` opens at the front door.
    SteppedUp {
        date: NaiveDate,
        contact: String,
        reason: String,
    },
}

impl EarlyHelpEntry {
    pub fn date(&self) -> NaiveDate {
        use EarlyHelpEntry::*;
        match self {
            Started { date, .. }
            | LeadChanged { date, .. }
            | AssessmentStarted { date, .. }
            | AssessmentCompleted { date }
            | MemberJoined { date, .. }
            | MemberLeft { date, .. }
            | MeetingHeld { date, .. }
            | PlanAgreed { date, .. }
            | PlanReviewed { date, .. }
            | Closed { date, .. }
            | SteppedUp { date, .. } => *date,
        }
    }

    /// One line for the chronology and the audit log.
    pub fn describe(&self) -> String {
        use EarlyHelpEntry::*;
        match self {
            Started { lead, .. } => format!("Early help began, led by {} ({})", lead.name, lead.agency.label()),
            LeadChanged { lead, .. } => format!("Lead professional is now {} ({})", lead.name, lead.agency.label()),
            AssessmentStarted { organisation, .. } => format!("Early help assessment started by {organisation}"),
            AssessmentCompleted { .. } => "Early help assessment completed".into(),
            MemberJoined { name, agency, role, .. } => {
                format!("{name} ({role}, {}) joined the team around the family", agency.label())
            }
            MemberLeft { name, .. } => format!("{name} left the team around the family"),
            MeetingHeld { attended, .. } => format!("Team around the family met ({} attended)", attended.len()),
            PlanAgreed { goals, .. } => format!("Early help plan agreed with {} goals", goals.len()),
            PlanReviewed { goals_met, .. } => format!("Early help plan reviewed ({} goals met)", goals_met.len()),
            Closed { outcome, .. } => format!("Early help closed: {}", outcome.label()),
            SteppedUp { reason, .. } => format!("Stepped up to children's social care: {reason}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlyHelpAssessment {
    pub started: NaiveDate,
    pub organisation: String,
    pub completed: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamMember {
    pub name: String,
    pub agency: PartnerAgency,
    pub role: String,
    pub joined: NaiveDate,
    pub left: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    pub text: String,
    pub met: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlyHelpPlan {
    pub agreed: NaiveDate,
    pub goals: Vec<Goal>,
    pub reviews: Vec<NaiveDate>,
}

/// One episode of early help, worked out from the entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlyHelpEpisode {
    /// The episode's place among the child's early help episodes, from 1.
    pub number: usize,
    pub start: NaiveDate,
    pub how: EarlyHelpStart,
    pub lead: LeadProfessional,
    pub assessment: Option<EarlyHelpAssessment>,
    pub team: Vec<TeamMember>,
    pub meetings: Vec<(NaiveDate, Vec<String>)>,
    pub plan: Option<EarlyHelpPlan>,
    pub closed: Option<(NaiveDate, EarlyHelpOutcome)>,
    /// The contact made at the front door when the episode stepped up.
    pub stepped_up_to: Option<String>,
}

impl EarlyHelpEpisode {
    /// The current members of the team around the family.
    pub fn members_now(&self) -> impl Iterator<Item = &TeamMember> {
        self.team.iter().filter(|m| m.left.is_none())
    }
}

/// Why what was recorded cannot stand, in words staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EarlyHelpRuleBroken(pub String);

fn broken<T>(message: impl Into<String>) -> Result<T, EarlyHelpRuleBroken> {
    Err(EarlyHelpRuleBroken(message.into()))
}

/// A child's early help, episode by episode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EarlyHelpHistory {
    pub episodes: Vec<EarlyHelpEpisode>,
}

impl EarlyHelpHistory {
    /// The episode open now, if any.
    pub fn open(&self) -> Option<&EarlyHelpEpisode> {
        self.episodes.last().filter(|e| e.closed.is_none())
    }

    /// What is due in the open episode: the assessment's completion, then the plan's review.
    pub fn clocks(&self, calendar: &WorkingCalendar, rules: &ClockRules) -> Vec<RunningClock> {
        let Some(episode) = self.open() else { return Vec::new() };
        let subject = format!("early_help_{}", episode.number);
        let mut clocks = Vec::new();
        if let Some(a) = episode.assessment.as_ref().filter(|a| a.completed.is_none()) {
            clocks.push(RunningClock {
                kind: ClockKind::EarlyHelpAssessment,
                subject: subject.clone(),
                started: a.started,
                due: calendar.add_working_days(a.started, rules.early_help_assessment_working_days),
            });
        }
        if let Some(plan) = &episode.plan {
            let last = plan.reviews.last().copied().unwrap_or(plan.agreed);
            clocks.push(RunningClock {
                kind: ClockKind::EarlyHelpReview,
                subject,
                started: last,
                due: calendar.add_working_days(last, rules.early_help_review_working_days),
            });
        }
        clocks
    }
}

/// Reads a child's early help entries (in the order recorded) into episodes, checking each
/// against what came before it and against the child's social care `journey`: a front-door
/// start needs a contact decided for early help, a step down needs a closed child in need episode.
pub fn early_help_history(
    entries: &[EarlyHelpEntry],
    journey: &Journey,
) -> Result<EarlyHelpHistory, EarlyHelpRuleBroken> {
    let mut history = EarlyHelpHistory::default();
    for entry in entries {
        apply(&mut history, entry, journey)?;
    }
    Ok(history)
}

fn check_start(how: &EarlyHelpStart, date: NaiveDate, journey: &Journey) -> Result<(), EarlyHelpRuleBroken> {
    match how {
        EarlyHelpStart::FrontDoor { contact } => {
            let decided = journey.contacts.iter().find(|c| &c.id == contact).and_then(|c| c.decided);
            match decided {
                Some((day, ContactDecision::EarlyHelp)) if day <= date => Ok(()),
                Some((_, ContactDecision::EarlyHelp)) => {
                    broken("early help cannot begin before the front door decided it")
                }
                _ => broken("that contact was not decided for early help at the front door"),
            }
        }
        EarlyHelpStart::SteppedDown { episode } => {
            match journey.episodes.iter().find(|e| &e.id == episode).and_then(|e| e.closed) {
                Some((day, _)) if day <= date => Ok(()),
                Some(_) => broken("a step down begins on or after the day the child in need episode closed"),
                None => broken("a step down comes from a child in need episode that has closed"),
            }
        }
        EarlyHelpStart::PartnerRequest => Ok(()),
    }
}

fn check_lead(lead: &LeadProfessional) -> Result<(), EarlyHelpRuleBroken> {
    if lead.name.trim().is_empty() {
        return broken("name the lead professional");
    }
    Ok(())
}

fn apply(history: &mut EarlyHelpHistory, entry: &EarlyHelpEntry, journey: &Journey) -> Result<(), EarlyHelpRuleBroken> {
    use EarlyHelpEntry::*;
    if let Started { date, how, lead } = entry {
        if history.open().is_some() {
            return broken("early help is already open; close it before starting another episode");
        }
        if let Some((closed, _)) = history.episodes.last().and_then(|e| e.closed) {
            if *date < closed {
                return broken("a new episode cannot begin before the last one closed");
            }
        }
        check_start(how, *date, journey)?;
        check_lead(lead)?;
        history.episodes.push(EarlyHelpEpisode {
            number: history.episodes.len() + 1,
            start: *date,
            how: how.clone(),
            lead: lead.clone(),
            assessment: None,
            team: Vec::new(),
            meetings: Vec::new(),
            plan: None,
            closed: None,
            stepped_up_to: None,
        });
        return Ok(());
    }
    let Some(episode) = history.episodes.last_mut().filter(|e| e.closed.is_none()) else {
        return broken("there is no open early help episode; start one first");
    };
    let date = entry.date();
    if date < episode.start {
        return broken("the date is before early help began");
    }
    match entry {
        Started { .. } => {} // handled above
        LeadChanged { lead, .. } => {
            check_lead(lead)?;
            episode.lead = lead.clone();
        }
        AssessmentStarted { organisation, .. } => {
            if episode.assessment.is_some() {
                return broken("this episode already has an early help assessment");
            }
            if organisation.trim().is_empty() {
                return broken("say which organisation is doing the assessment");
            }
            episode.assessment =
                Some(EarlyHelpAssessment { started: date, organisation: organisation.clone(), completed: None });
        }
        AssessmentCompleted { .. } => match episode.assessment.as_mut() {
            None => return broken("start the early help assessment before completing it"),
            Some(a) if a.completed.is_some() => return broken("the assessment is already complete"),
            Some(a) if date < a.started => return broken("an assessment cannot be completed before it started"),
            Some(a) => a.completed = Some(date),
        },
        MemberJoined { name, agency, role, .. } => {
            if name.trim().is_empty() {
                return broken("name the member of the team around the family");
            }
            if episode.members_now().any(|m| m.name.eq_ignore_ascii_case(name.trim())) {
                return broken(format!("{name} is already in the team around the family"));
            }
            episode.team.push(TeamMember {
                name: name.trim().to_string(),
                agency: *agency,
                role: role.clone(),
                joined: date,
                left: None,
            });
        }
        MemberLeft { name, .. } => {
            match episode.team.iter_mut().find(|m| m.left.is_none() && m.name.eq_ignore_ascii_case(name.trim())) {
                Some(m) => m.left = Some(date),
                None => return broken(format!("{name} is not in the team around the family")),
            }
        }
        MeetingHeld { attended, .. } => {
            if attended.is_empty() {
                return broken("say who attended the meeting");
            }
            if let Some(stranger) =
                attended.iter().find(|a| !episode.members_now().any(|m| m.name.eq_ignore_ascii_case(a.trim())))
            {
                return broken(format!("{stranger} is not in the team around the family"));
            }
            episode.meetings.push((date, attended.clone()));
        }
        PlanAgreed { goals, .. } => {
            if episode.assessment.as_ref().and_then(|a| a.completed).is_none() {
                return broken("the plan follows the completed early help assessment");
            }
            let goals: Vec<Goal> = goals
                .iter()
                .map(|g| g.trim())
                .filter(|g| !g.is_empty())
                .map(|g| Goal { text: g.to_string(), met: None })
                .collect();
            if goals.is_empty() {
                return broken("a plan needs at least one goal");
            }
            // A plan agreed again replaces the goals and starts its reviews afresh.
            episode.plan = Some(EarlyHelpPlan { agreed: date, goals, reviews: Vec::new() });
        }
        PlanReviewed { goals_met, .. } => {
            let Some(plan) = episode.plan.as_mut() else {
                return broken("there is no early help plan to review");
            };
            if date < plan.reviews.last().copied().unwrap_or(plan.agreed) {
                return broken("a review cannot be dated before the plan or its last review");
            }
            for met in goals_met {
                match plan.goals.iter_mut().find(|g| g.text == *met) {
                    Some(g) if g.met.is_none() => g.met = Some(date),
                    Some(_) => return broken(format!("the goal '{met}' was already met")),
                    None => return broken(format!("'{met}' is not a goal of the plan")),
                }
            }
            plan.reviews.push(date);
        }
        Closed { outcome, .. } => {
            if *outcome == EarlyHelpOutcome::SteppedUp {
                return broken("stepping up to social care is recorded as a step up, which makes the contact");
            }
            episode.closed = Some((date, *outcome));
        }
        SteppedUp { contact, reason, .. } => {
            if reason.trim().is_empty() {
                return broken("say why the family is stepping up to social care");
            }
            episode.closed = Some((date, EarlyHelpOutcome::SteppedUp));
            episode.stepped_up_to = Some(contact.clone());
        }
    }
    Ok(())
}

/// What the contact made by a step up says, so that the front door reads the early help
/// history without looking it up: the reason, then what early help did.
pub fn step_up_summary(episode: &EarlyHelpEpisode, reason: &str) -> String {
    let mut lines = vec![format!("Stepped up from early help: {}", reason.trim())];
    lines.push(format!(
        "Early help since {}, led by {} ({}).",
        episode.start.format("%-d %B %Y"),
        episode.lead.name,
        episode.lead.agency.label()
    ));
    if let Some(a) = &episode.assessment {
        lines.push(match a.completed {
            Some(done) => format!("Assessment by {} completed {}.", a.organisation, done.format("%-d %B %Y")),
            None => {
                format!("Assessment by {} started {}, not completed.", a.organisation, a.started.format("%-d %B %Y"))
            }
        });
    }
    let members: Vec<String> = episode.members_now().map(|m| format!("{} ({})", m.name, m.agency.label())).collect();
    if !members.is_empty() {
        lines.push(format!("Team around the family: {}; {} meetings.", members.join(", "), episode.meetings.len()));
    }
    if let Some(plan) = &episode.plan {
        let met = plan.goals.iter().filter(|g| g.met.is_some()).count();
        let goals: Vec<&str> = plan.goals.iter().map(|g| g.text.as_str()).collect();
        lines.push(format!("Plan goals ({met} of {} met): {}.", plan.goals.len(), goals.join("; ")));
    }
    lines.join("\n")
}
