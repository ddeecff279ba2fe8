//! The workforce: staff records kept apart from user accounts, each a history of what happened
//! (joined, moved team, changed role or hours, converted from agency to permanent, absent, left),
//! from which the state of any worker on any day is read, and so every measure "as at" any date.
//! Definitions follow the Children's Social Work Workforce census (design notes,
//! data-standards.md).

mod caseload;
mod census;
mod codes;
mod measures;
mod recruitment;
mod supervision;
#[cfg(test)]
mod tests;
mod training;

pub use caseload::{caseload_figures, caseloads, Case, CaseKind};
pub use census::{census, census_xml, reference_date, Census, CensusPerson, CensusWorker};
pub use codes::{
    AbsenceReason, Cfkss, LeaverDestination, OrgRole, QualificationLevel, ReasonLeave, StartOrigin, SweNumber,
};
pub use measures::{
    absence_days_per_fte, agency_conversions, agency_rate, headcount, month_ends, social_work_fte, turnover,
    vacancy_rate, Unit,
};
pub use recruitment::{
    average_time_to_hire, take_step, time_to_hire, vacant_fte, ApplicationStage, ApplicationStep, OpenPost,
    RecruitmentRuleBroken,
};
pub use supervision::{supervision_due, SupervisionRule};
pub use training::{asye_milestones, check_training_step, Programme, TrainingRuleBroken, TrainingStatus};

use crate::budgets::Pence;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Full-time equivalence in thousandths: 1000 is one full-time post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Fte(pub u32);

impl Fte {
    pub const FULL_TIME: Fte = Fte(1000);

    /// Reads "1", "0.6" or "0.725" (up to three decimal places), above 0 and at most 1.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bad = || format!("'{t}' is not a full-time equivalent between 0.001 and 1 (like 0.6)");
        let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.len() > 3 {
            return Err(bad());
        }
        let whole: u32 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
        let fraction: u32 =
            if fraction.is_empty() { 0 } else { format!("{fraction:0<3}").parse().map_err(|_| bad())? };
        let value = whole.checked_mul(1000).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)?;
        if value == 0 || value > 1000 {
            return Err(bad());
        }
        Ok(Fte(value))
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl fmt::Display for Fte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{}.{:03}", self.0 / 1000, self.0 % 1000);
        f.write_str(text.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// How a worker is employed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Employment {
    Permanent,
    FixedTerm {
        ends: NaiveDate,
    },
    /// Supplied by an agency: what they cost a week and for how many weeks they are contracted.
    Agency {
        agency: String,
        weekly_cost: Pence,
        contract_weeks: u32,
    },
    /// Employed by another council and working here.
    SecondedIn {
        from: String,
    },
    /// The organisation's worker, seconded to another council (such as for improvement work),
    /// charged at a day rate for the days agreed, until a day if one is set.
    SecondedOut {
        to: String,
        #[serde(default)]
        day_rate: Pence,
        #[serde(default)]
        days: u32,
        #[serde(default)]
        until: Option<NaiveDate>,
        /// Who covers their post at home meanwhile (a staff record), if anyone.
        #[serde(default)]
        cover: Option<String>,
    },
    /// On the organisation's payroll and placed with a partner council (the "Prime" scheme),
    /// charged at a day rate, until a day if one is set.
    PlacedOut {
        partner: String,
        #[serde(default)]
        day_rate: Pence,
        #[serde(default)]
        until: Option<NaiveDate>,
        /// Who covers their post at home meanwhile (a staff record), if anyone.
        #[serde(default)]
        cover: Option<String>,
    },
}

impl Employment {
    pub fn is_agency(&self) -> bool {
        matches!(self, Employment::Agency { .. })
    }

    /// Whether the worker works for the organisation's councils (not seconded or placed out).
    pub fn works_here(&self) -> bool {
        !matches!(self, Employment::SecondedOut { .. } | Employment::PlacedOut { .. })
    }

    pub fn label(&self) -> String {
        match self {
            Employment::Permanent => "Permanent".into(),
            Employment::FixedTerm { ends } => format!("Fixed term to {}", ends.format("%-d %B %Y")),
            Employment::Agency { agency, .. } => format!("Agency ({agency})"),
            Employment::SecondedIn { from } => format!("Seconded in from {from}"),
            Employment::SecondedOut { to, .. } => format!("Seconded out to {to}"),
            Employment::PlacedOut { partner, .. } => format!("Placed out with {partner}"),
        }
    }
}

/// The post a worker holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub team_id: String,
    /// The councils the worker serves.
    pub councils: Vec<String>,
    pub job_title: String,
    /// Their social work role, for the census; none for staff who are not social workers.
    pub org_role: Option<OrgRole>,
    pub grade: String,
    pub fte: Fte,
}

/// Something that happened in a worker's employment, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum StaffEvent {
    Joined {
        date: NaiveDate,
        post: Post,
        employment: Employment,
        start_origin: Option<StartOrigin>,
    },
    MovedTeam {
        date: NaiveDate,
        team_id: String,
        councils: Vec<String>,
    },
    RoleChanged {
        date: NaiveDate,
        job_title: String,
        org_role: Option<OrgRole>,
        grade: String,
    },
    HoursChanged {
        date: NaiveDate,
        fte: Fte,
    },
    /// A change in how they are employed: an agency worker made permanent, a secondment.
    EmploymentChanged {
        date: NaiveDate,
        employment: Employment,
    },
    /// An absence, with the working days it lost (in hundredths, as the census gives two places).
    Absent {
        start: NaiveDate,
        end: NaiveDate,
        reason: AbsenceReason,
        working_days_lost: u32,
    },
    CfkssReached {
        date: NaiveDate,
        status: Cfkss,
    },
    /// A milestone of the assessed and supported year in employment passed (see
    /// [`asye_milestones`]).
    AsyeMilestonePassed {
        date: NaiveDate,
        milestone: String,
    },
    /// Their last day in post (the census RoleEndDate).
    Left {
        date: NaiveDate,
        destination: Option<LeaverDestination>,
        reason: Option<ReasonLeave>,
    },
}

impl StaffEvent {
    pub fn date(&self) -> NaiveDate {
        use StaffEvent::*;
        match self {
            Joined { date, .. }
            | MovedTeam { date, .. }
            | RoleChanged { date, .. }
            | HoursChanged { date, .. }
            | EmploymentChanged { date, .. }
            | CfkssReached { date, .. }
            | AsyeMilestonePassed { date, .. }
            | Left { date, .. } => *date,
            Absent { start, .. } => *start,
        }
    }

    /// One line for the staff record's history and the audit log.
    pub fn describe(&self) -> String {
        use StaffEvent::*;
        match self {
            Joined { post, employment, .. } => format!("Joined as {} ({})", post.job_title, employment.label()),
            MovedTeam { .. } => "Moved team".into(),
            RoleChanged { job_title, grade, .. } => format!("Now {job_title}, {grade}"),
            HoursChanged { fte, .. } => format!("Hours changed to {fte} FTE"),
            EmploymentChanged { employment, .. } => format!("Employment changed: {}", employment.label()),
            Absent { reason, working_days_lost, .. } => {
                format!("Absent: {} ({} working days)", reason.label(), f64::from(*working_days_lost) / 100.0)
            }
            CfkssReached { status, .. } => format!("Reached {}", status.label()),
            AsyeMilestonePassed { milestone, .. } => format!("ASYE: {} passed", milestone.to_lowercase()),
            Left { reason, .. } => format!("Left{}", reason.map(|r| format!(": {}", r.label())).unwrap_or_default()),
        }
    }
}

/// Where a worker stands on one day while in post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InPost {
    pub post: Post,
    pub employment: Employment,
    /// The day this spell of employment began.
    pub since: NaiveDate,
}

/// A spell of employment that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaving {
    pub date: NaiveDate,
    /// Their post on their last day.
    pub post: Post,
    pub employment: Employment,
    pub destination: Option<LeaverDestination>,
    pub reason: Option<ReasonLeave>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Absence {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub reason: AbsenceReason,
    pub working_days_lost: u32,
}

/// A change from agency to the organisation's own employment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    pub date: NaiveDate,
    pub post: Post,
}

/// A worker's employment read from their history: their state from each day it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    /// From each date, the worker's state (none once they left).
    pub timeline: Vec<(NaiveDate, Option<InPost>)>,
    pub leavings: Vec<Leaving>,
    pub absences: Vec<Absence>,
    pub conversions: Vec<Conversion>,
    pub cfkss: Option<(NaiveDate, Cfkss)>,
    /// The ASYE milestones passed, with the day each was.
    pub asye_passed: Vec<(String, NaiveDate)>,
    pub start_origin: Option<StartOrigin>,
}

impl StaffRecord {
    /// The worker's state on `day`: none before they joined or after they left.
    pub fn on(&self, day: NaiveDate) -> Option<&InPost> {
        let i = self.timeline.partition_point(|(from, _)| *from <= day);
        i.checked_sub(1).and_then(|i| self.timeline[i].1.as_ref())
    }

    /// The worker's state now (after every event).
    pub fn now(&self) -> Option<&InPost> {
        self.timeline.last().and_then(|(_, s)| s.as_ref())
    }

    /// The day the current (or last) spell began.
    pub fn joined(&self) -> Option<NaiveDate> {
        self.timeline.iter().rev().find_map(|(_, s)| s.as_ref().map(|s| s.since))
    }
}

/// Why what was recorded cannot stand, in words staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StaffRuleBroken(pub String);

fn broken<T>(message: impl Into<String>) -> Result<T, StaffRuleBroken> {
    Err(StaffRuleBroken(message.into()))
}

fn check_employment(employment: &Employment, date: NaiveDate) -> Result<(), StaffRuleBroken> {
    match employment {
        Employment::Agency { agency, weekly_cost, contract_weeks } => {
            if agency.trim().is_empty() {
                return broken("name the agency");
            }
            if weekly_cost.0 <= 0 {
                return broken("an agency worker's weekly cost must be more than nothing");
            }
            if *contract_weeks == 0 || *contract_weeks > 520 {
                return broken("contract weeks must be between 1 and 520");
            }
        }
        Employment::FixedTerm { ends } if *ends <= date => return broken("a fixed term ends after it begins"),
        Employment::SecondedIn { from: name }
        | Employment::SecondedOut { to: name, .. }
        | Employment::PlacedOut { partner: name, .. }
            if name.trim().is_empty() =>
        {
            return broken("name the other council");
        }
        Employment::SecondedOut { day_rate, .. } | Employment::PlacedOut { day_rate, .. } if day_rate.0 <= 0 => {
            return broken("a secondment or placement out is charged at a day rate of more than nothing");
        }
        Employment::SecondedOut { until: Some(until), .. } | Employment::PlacedOut { until: Some(until), .. }
            if *until <= date =>
        {
            return broken("a secondment or placement ends after it begins");
        }
        _ => {}
    }
    Ok(())
}

fn check_post(post: &Post) -> Result<(), StaffRuleBroken> {
    if post.team_id.is_empty() {
        return broken("choose the worker's team");
    }
    if post.councils.is_empty() {
        return broken("choose at least one council the worker serves");
    }
    if post.job_title.trim().is_empty() {
        return broken("enter the job title");
    }
    if post.fte.0 == 0 || post.fte.0 > 1000 {
        return broken("the full-time equivalent is between 0.001 and 1");
    }
    Ok(())
}

/// Reads a worker's history into their record, checking each event against what came before:
/// the history begins when they join, events are in date order, nothing but a rejoining follows
/// a leaving, and the numbers are sensible.
pub fn staff_record(events: &[StaffEvent]) -> Result<StaffRecord, StaffRuleBroken> {
    let mut record = StaffRecord::default();
    let mut last_day: Option<NaiveDate> = None;
    for event in events {
        let date = event.date();
        if last_day.is_some_and(|d| date < d) && !matches!(event, StaffEvent::Absent { .. }) {
            return broken(format!("{} is before the last thing recorded", date.format("%-d %B %Y")));
        }
        let current = record.now().cloned();
        let next = match (event, current) {
            (StaffEvent::Joined { post, employment, start_origin, .. }, None) => {
                if record.leavings.last().is_some_and(|l| date <= l.date) {
                    return broken("a worker rejoins after their last day");
                }
                check_post(post)?;
                check_employment(employment, date)?;
                record.start_origin = *start_origin;
                Some(InPost { post: post.clone(), employment: employment.clone(), since: date })
            }
            (StaffEvent::Joined { .. }, Some(_)) => return broken("the worker is already in post"),
            (_, None) => return broken("the worker is not in post on that date"),
            (StaffEvent::MovedTeam { team_id, councils, .. }, Some(mut state)) => {
                state.post.team_id = team_id.clone();
                state.post.councils = councils.clone();
                check_post(&state.post)?;
                Some(state)
            }
            (StaffEvent::RoleChanged { job_title, org_role, grade, .. }, Some(mut state)) => {
                state.post.job_title = job_title.clone();
                state.post.org_role = *org_role;
                state.post.grade = grade.clone();
                check_post(&state.post)?;
                Some(state)
            }
            (StaffEvent::HoursChanged { fte, .. }, Some(mut state)) => {
                state.post.fte = *fte;
                check_post(&state.post)?;
                Some(state)
            }
            (StaffEvent::EmploymentChanged { employment, .. }, Some(mut state)) => {
                if *employment == state.employment {
                    return broken("that is how the worker is employed already");
                }
                check_employment(employment, date)?;
                if state.employment.is_agency() && !employment.is_agency() {
                    record.conversions.push(Conversion { date, post: state.post.clone() });
                }
                state.employment = employment.clone();
                Some(state)
            }
            (StaffEvent::Absent { start, end, reason, working_days_lost }, Some(state)) => {
                if end < start {
                    return broken("an absence ends on or after the day it starts");
                }
                if *start < state.since {
                    return broken("the absence is before the worker joined");
                }
                let calendar_days = (*end - *start).num_days() + 1;
                if i64::from(*working_days_lost) > calendar_days * 100 {
                    return broken("more working days lost than days in the absence");
                }
                record.absences.push(Absence {
                    start: *start,
                    end: *end,
                    reason: *reason,
                    working_days_lost: *working_days_lost,
                });
                continue;
            }
            (StaffEvent::CfkssReached { status, .. }, Some(_)) => {
                record.cfkss = Some((date, *status));
                last_day = Some(date);
                continue;
            }
            (StaffEvent::AsyeMilestonePassed { milestone, .. }, Some(_)) => {
                let Some((began, Cfkss::Asye)) = record.cfkss else {
                    return broken("the worker is not in their assessed and supported year in employment");
                };
                if !asye_milestones(began).iter().any(|(name, _)| name == milestone) {
                    return broken(format!("'{milestone}' is not an ASYE milestone"));
                }
                if record.asye_passed.iter().any(|(name, _)| name == milestone) {
                    return broken(format!("the {} has already been passed", milestone.to_lowercase()));
                }
                record.asye_passed.push((milestone.clone(), date));
                last_day = Some(date);
                continue;
            }
            (StaffEvent::Left { destination, reason, .. }, Some(state)) => {
                record.leavings.push(Leaving {
                    date,
                    post: state.post,
                    employment: state.employment,
                    destination: *destination,
                    reason: *reason,
                });
                None
            }
        };
        last_day = Some(date);
        // The leaving date is the last day in post; several changes on one day leave its last state.
        let from = match event {
            StaffEvent::Left { .. } => date.succ_opt().unwrap_or(date),
            _ => date,
        };
        match record.timeline.last_mut() {
            Some((day, state)) if *day == from => *state = next,
            _ => record.timeline.push((from, next)),
        }
    }
    Ok(record)
}

/// Who a worker is, as typed.
#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub name: String,
    pub swe_number: String,
    pub qualification: String,
    /// Where they qualified as a social worker.
    pub institution: String,
}

/// Who a worker is, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidStaff {
    pub name: String,
    pub swe_number: Option<SweNumber>,
    pub qualification: Option<QualificationLevel>,
    pub institution: Option<String>,
}

/// Checks who a worker is, field by field: a name, and a Social Work England number and
/// qualification where given (a social worker's post needs the number; see [`check_registration`]).
pub fn validate_staff(input: &StaffInput) -> Result<ValidStaff, crate::validation::FieldErrors> {
    let mut errors = crate::validation::FieldErrors::new();
    let name = crate::validation::required_text(&mut errors, "name", "the worker's name", &input.name, 200);
    let swe_number = match input.swe_number.trim() {
        "" => None,
        text => match SweNumber::parse(text) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.add("swe_number", e);
                None
            }
        },
    };
    let qualification = match input.qualification.trim() {
        "" => None,
        code => {
            let level = QualificationLevel::from_code(code);
            if level.is_none() {
                errors.add("qualification", "Select the level of their social work qualification");
            }
            level
        }
    };
    let institution = input.institution.trim();
    if institution.chars().count() > 200 {
        errors.add("institution", "Where they qualified must be 200 characters or fewer");
    }
    let institution = (!institution.is_empty()).then(|| institution.to_string());
    errors.into_result(ValidStaff { name, swe_number, qualification, institution })
}

/// A social work post (one with an OrgRole) needs the worker's Social Work England number.
pub fn check_registration(staff: &ValidStaff, post: &Post) -> Result<(), StaffRuleBroken> {
    match (post.org_role, &staff.swe_number) {
        (Some(_), None) => broken("a social worker's post needs their Social Work England number"),
        _ => Ok(()),
    }
}
