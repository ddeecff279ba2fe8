//! The statutory clocks: what is due for a child, and when, from their journey, the council's
//! calendar and its clock rules (national defaults with local overrides; see timescales.md).

use super::journey::Journey;
use crate::calendar::{add_months, WorkingCalendar};
use chrono::NaiveDate;
use serde::Serialize;

/// The clock rules of one council. National defaults come from Working Together 2023; visit
/// frequencies have no national rule, and these defaults are common local practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockRules {
    /// WT: a contact is decided within 1 working day.
    pub contact_decision_working_days: u32,
    /// WT: a child and family assessment within 45 working days of the referral.
    pub assessment_working_days: u32,
    /// WT: the initial conference within 15 working days of the (last) strategy discussion.
    pub icpc_working_days: u32,
    /// WT: the first core group within 10 working days of the initial conference.
    pub core_group_working_days: u32,
    /// WT: the first review conference within 3 months of the initial conference.
    pub first_review_months: u32,
    /// WT: later reviews at most every 6 months.
    pub later_review_months: u32,
    /// Local: a child on a protection plan is visited at least every N working days.
    pub cp_visit_working_days: u32,
    /// Local: a child on a child in need plan is visited at least every N working days.
    pub cin_visit_working_days: u32,
    /// Local: a child in need plan is reviewed at least every N months.
    pub cin_review_months: u32,
    /// Local: an early help assessment is completed within N working days of starting.
    pub early_help_assessment_working_days: u32,
    /// Local: the team around the family reviews the early help plan at least every N working days.
    pub early_help_review_working_days: u32,
    /// Local: how much each kind of case counts in a caseload, in tenths of a case.
    pub caseload_weight_looked_after: u32,
    pub caseload_weight_protection: u32,
    pub caseload_weight_in_need: u32,
    pub caseload_weight_other: u32,
    /// Local: the weighted caseload above which a case holder counts as over the threshold.
    pub caseload_threshold: u32,
}

impl Default for ClockRules {
    fn default() -> Self {
        Self {
            contact_decision_working_days: 1,
            assessment_working_days: 45,
            icpc_working_days: 15,
            core_group_working_days: 10,
            first_review_months: 3,
            later_review_months: 6,
            cp_visit_working_days: 10,
            cin_visit_working_days: 20,
            cin_review_months: 3,
            early_help_assessment_working_days: 30,
            early_help_review_working_days: 30,
            caseload_weight_looked_after: 15,
            caseload_weight_protection: 15,
            caseload_weight_in_need: 10,
            caseload_weight_other: 5,
            caseload_threshold: 22,
        }
    }
}

impl ClockRules {
    /// The rule names a council may override, with what each means.
    pub const KEYS: [(&'static str, &'static str); 16] = [
        ("contact_decision_working_days", "Working days to decide a contact"),
        ("assessment_working_days", "Working days from referral to an authorised assessment"),
        ("icpc_working_days", "Working days from the strategy discussion to the initial conference"),
        ("core_group_working_days", "Working days from the initial conference to the first core group"),
        ("first_review_months", "Months from the initial conference to the first review"),
        ("later_review_months", "Months between later review conferences"),
        ("cp_visit_working_days", "Working days between visits to a child on a protection plan"),
        ("cin_visit_working_days", "Working days between visits to a child on a child in need plan"),
        ("cin_review_months", "Months between child in need plan reviews"),
        ("early_help_assessment_working_days", "Working days to complete an early help assessment"),
        ("early_help_review_working_days", "Working days between reviews of an early help plan"),
        ("caseload_weight_looked_after", "A looked-after child's weight in a caseload, in tenths of a case"),
        ("caseload_weight_protection", "A child on a protection plan's weight in a caseload, in tenths"),
        ("caseload_weight_in_need", "A child in need's weight in a caseload, in tenths"),
        ("caseload_weight_other", "Any other child's weight in a caseload, in tenths"),
        ("caseload_threshold", "The weighted caseload above which a case holder is over the threshold"),
    ];

    fn slot(&mut self, key: &str) -> Option<&mut u32> {
        Some(match key {
            "contact_decision_working_days" => &mut self.contact_decision_working_days,
            "assessment_working_days" => &mut self.assessment_working_days,
            "icpc_working_days" => &mut self.icpc_working_days,
            "core_group_working_days" => &mut self.core_group_working_days,
            "first_review_months" => &mut self.first_review_months,
            "later_review_months" => &mut self.later_review_months,
            "cp_visit_working_days" => &mut self.cp_visit_working_days,
            "cin_visit_working_days" => &mut self.cin_visit_working_days,
            "cin_review_months" => &mut self.cin_review_months,
            "early_help_assessment_working_days" => &mut self.early_help_assessment_working_days,
            "early_help_review_working_days" => &mut self.early_help_review_working_days,
            "caseload_weight_looked_after" => &mut self.caseload_weight_looked_after,
            "caseload_weight_protection" => &mut self.caseload_weight_protection,
            "caseload_weight_in_need" => &mut self.caseload_weight_in_need,
            "caseload_weight_other" => &mut self.caseload_weight_other,
            "caseload_threshold" => &mut self.caseload_threshold,
            _ => return None,
        })
    }

    /// The value of one rule, by name.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.clone().slot(key).map(|v| *v)
    }

    /// These rules with a council's override applied; an unknown name or a value outside
    /// 1..=365 is refused with a message.
    pub fn with_override(mut self, key: &str, value: u32) -> Result<Self, String> {
        if !(1..=365).contains(&value) {
            return Err(format!("{key} must be between 1 and 365"));
        }
        *self.slot(key).ok_or_else(|| format!("there is no clock rule called {key}"))? = value;
        Ok(self)
    }
}

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    ContactDecision,
    Assessment,
    InitialConference,
    FirstCoreGroup,
    ReviewConference,
    ProtectionVisit,
    ChildInNeedVisit,
    ChildInNeedReview,
    /// Reg 33: first within 20 working days of becoming looked after, the second within 3 months
    /// of the first, then at most every 6 months.
    LookedAfterReview,
    /// Reg 28: within 1 week of a placement starting, then every 6 weeks in the placement's first
    /// year, then every 3 months if it is meant to last until 18 (6 months for a long-term foster
    /// placement where the child agrees), otherwise every 6 weeks.
    StatutoryVisit,
    /// Adoption Agencies Regulations 2005, reg 36: within 4 weeks of placement for adoption, then
    /// 3 months later, then every 6 months.
    AdoptionReview,
    /// A care leaver's pathway plan is reviewed at least every 6 months.
    PathwayPlanReview,
    /// A care leaver's personal adviser is in touch at least every 2 months.
    PersonalAdviserContact,
    /// Local: an early help assessment is completed within the council's working days.
    EarlyHelpAssessment,
    /// Local: the team around the family reviews the early help plan.
    EarlyHelpReview,
}

/// Which part of the record a clock comes from, and so which history rebuilds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// The front door, child in need and child protection.
    Journey,
    /// Looked after, adoption and leaving care.
    Care,
    EarlyHelp,
}

impl ClockKind {
    pub const ALL: [ClockKind; 15] = [
        ClockKind::ContactDecision,
        ClockKind::Assessment,
        ClockKind::InitialConference,
        ClockKind::FirstCoreGroup,
        ClockKind::ReviewConference,
        ClockKind::ProtectionVisit,
        ClockKind::ChildInNeedVisit,
        ClockKind::ChildInNeedReview,
        ClockKind::LookedAfterReview,
        ClockKind::StatutoryVisit,
        ClockKind::AdoptionReview,
        ClockKind::PathwayPlanReview,
        ClockKind::PersonalAdviserContact,
        ClockKind::EarlyHelpAssessment,
        ClockKind::EarlyHelpReview,
    ];

    /// Which part of the record the clock comes from.
    pub fn source(self) -> ClockSource {
        match self {
            ClockKind::LookedAfterReview
            | ClockKind::StatutoryVisit
            | ClockKind::AdoptionReview
            | ClockKind::PathwayPlanReview
            | ClockKind::PersonalAdviserContact => ClockSource::Care,
            ClockKind::EarlyHelpAssessment | ClockKind::EarlyHelpReview => ClockSource::EarlyHelp,
            _ => ClockSource::Journey,
        }
    }

    /// The codes of the clocks that come from one part of the record.
    pub fn codes(source: ClockSource) -> Vec<&'static str> {
        Self::ALL.into_iter().filter(|k| k.source() == source).map(|k| k.code()).collect()
    }

    pub fn code(self) -> &'static str {
        match self {
            ClockKind::ContactDecision => "contact_decision",
            ClockKind::Assessment => "assessment",
            ClockKind::InitialConference => "initial_conference",
            ClockKind::FirstCoreGroup => "first_core_group",
            ClockKind::ReviewConference => "review_conference",
            ClockKind::ProtectionVisit => "protection_visit",
            ClockKind::ChildInNeedVisit => "child_in_need_visit",
            ClockKind::ChildInNeedReview => "child_in_need_review",
            ClockKind::LookedAfterReview => "looked_after_review",
            ClockKind::StatutoryVisit => "statutory_visit",
            ClockKind::AdoptionReview => "adoption_review",
            ClockKind::PathwayPlanReview => "pathway_plan_review",
            ClockKind::PersonalAdviserContact => "personal_adviser_contact",
            ClockKind::EarlyHelpAssessment => "early_help_assessment",
            ClockKind::EarlyHelpReview => "early_help_review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockKind::ContactDecision => "Decide the contact",
            ClockKind::Assessment => "Complete and authorise the assessment",
            ClockKind::InitialConference => "Hold the initial child protection conference",
            ClockKind::FirstCoreGroup => "Hold the first core group",
            ClockKind::ReviewConference => "Hold the review conference",
            ClockKind::ProtectionVisit => "Visit the child (protection plan)",
            ClockKind::ChildInNeedVisit => "Visit the child (child in need plan)",
            ClockKind::ChildInNeedReview => "Review the child in need plan",
            ClockKind::LookedAfterReview => "Hold the looked-after review",
            ClockKind::StatutoryVisit => "Statutory visit to the looked-after child",
            ClockKind::AdoptionReview => "Hold the adoption review",
            ClockKind::PathwayPlanReview => "Review the pathway plan",
            ClockKind::PersonalAdviserContact => "Personal adviser to be in touch",
            ClockKind::EarlyHelpAssessment => "Complete the early help assessment",
            ClockKind::EarlyHelpReview => "Review the early help plan with the team around the family",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One running clock: what is due, about which part of the record, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunningClock {
    pub kind: ClockKind,
    /// The contact, episode, assessment or plan the clock belongs to.
    pub subject: String,
    pub started: NaiveDate,
    pub due: NaiveDate,
}

/// Where a clock stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ClockStatus {
    Overdue,
    /// Due within 2 working days.
    AtRisk,
    Due,
}

impl ClockStatus {
    pub fn label(self) -> &'static str {
        match self {
            ClockStatus::Overdue => "Overdue",
            ClockStatus::AtRisk => "Due soon",
            ClockStatus::Due => "Due",
        }
    }
}

/// Where a clock due on `due` stands on `today`: overdue after its day, at risk when it falls
/// within the next 2 working days, otherwise simply due.
pub fn clock_status(due: NaiveDate, today: NaiveDate, calendar: &WorkingCalendar) -> ClockStatus {
    if today > due {
        ClockStatus::Overdue
    } else if calendar.working_days_between(today, due) <= 2 {
        ClockStatus::AtRisk
    } else {
        ClockStatus::Due
    }
}

/// Every clock running for a child now.
pub fn running_clocks(journey: &Journey, calendar: &WorkingCalendar, rules: &ClockRules) -> Vec<RunningClock> {
    let mut out = Vec::new();
    let wd = |from: NaiveDate, n: u32| calendar.add_working_days(from, n);
    for c in journey.contacts.iter().filter(|c| c.decided.is_none()) {
        out.push(RunningClock {
            kind: ClockKind::ContactDecision,
            subject: c.id.clone(),
            started: c.received,
            due: wd(c.received, rules.contact_decision_working_days),
        });
    }
    let last_visit = journey.visits.iter().map(|v| v.date).max();
    for e in journey.episodes.iter().filter(|e| e.is_open()) {
        let authorised = e.assessments.iter().any(|a| a.authorised.is_some());
        if !e.nfa && !authorised {
            out.push(RunningClock {
                kind: ClockKind::Assessment,
                subject: e.id.clone(),
                started: e.referral_date,
                due: wd(e.referral_date, rules.assessment_working_days),
            });
        }
        // The conference is due from the last strategy discussion that led to an enquiry that
        // still needs its conference.
        for s in &e.section47s {
            let needs_conference = s.concluded.is_none_or(|(_, icpc)| icpc);
            let held = e.conferences.iter().any(|(_, d)| *d >= s.start);
            if needs_conference && !held {
                let strategy = e.strategies.iter().filter(|st| st.1 <= s.start).map(|st| st.1).max().unwrap_or(s.start);
                out.push(RunningClock {
                    kind: ClockKind::InitialConference,
                    subject: s.id.clone(),
                    started: strategy,
                    due: wd(strategy, rules.icpc_working_days),
                });
            }
        }
        for p in e.cp_plans.iter().filter(|p| p.end.is_none()) {
            if p.core_groups.is_empty() {
                out.push(RunningClock {
                    kind: ClockKind::FirstCoreGroup,
                    subject: p.id.clone(),
                    started: p.start,
                    due: wd(p.start, rules.core_group_working_days),
                });
            }
            let (from, months) = match p.reviews.iter().max() {
                None => (p.start, rules.first_review_months),
                Some(last) => (*last, rules.later_review_months),
            };
            out.push(RunningClock {
                kind: ClockKind::ReviewConference,
                subject: p.id.clone(),
                started: from,
                due: add_months(from, months),
            });
            let from = last_visit.filter(|v| *v >= p.start).unwrap_or(p.start);
            out.push(RunningClock {
                kind: ClockKind::ProtectionVisit,
                subject: p.id.clone(),
                started: from,
                due: wd(from, rules.cp_visit_working_days),
            });
        }
        for p in e.cin_plans.iter().filter(|p| p.end.is_none()) {
            let from = last_visit.filter(|v| *v >= p.start).unwrap_or(p.start);
            out.push(RunningClock {
                kind: ClockKind::ChildInNeedVisit,
                subject: p.id.clone(),
                started: from,
                due: wd(from, rules.cin_visit_working_days),
            });
            let from = p.reviews.iter().max().copied().unwrap_or(p.start);
            out.push(RunningClock {
                kind: ClockKind::ChildInNeedReview,
                subject: p.id.clone(),
                started: from,
                due: add_months(from, rules.cin_review_months),
            });
        }
    }
    out.sort_by_key(|c| c.due);
    out
}
