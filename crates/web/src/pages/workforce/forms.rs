//! The forms that keep a worker's record: adding them as they join, and each change after, each
//! read into a [`StaffEvent`] for the domain to check against their history.

use crate::forms::FormData;
use crate::pages::{chosen, codes, past_date, Field};
use canopy_domain::budgets::Pence;
use canopy_domain::validation::{date_from_parts, required_text, FieldErrors};
use canopy_domain::workforce::{
    AbsenceReason, Cfkss, Employment, Fte, LeaverDestination, OrgRole, Post, QualificationLevel, ReasonLeave,
    StaffEvent, StartOrigin,
};
use chrono::NaiveDate;

/// What can be recorded about a worker, by the last part of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Team,
    Role,
    Hours,
    Employment,
    Absence,
    Cfkss,
    Asye,
    Leaving,
}

impl Change {
    pub(crate) const ALL: [Change; 8] = [
        Change::Team,
        Change::Role,
        Change::Hours,
        Change::Employment,
        Change::Absence,
        Change::Cfkss,
        Change::Asye,
        Change::Leaving,
    ];

    pub(crate) fn slug(self) -> &'static str {
        match self {
            Change::Team => "team",
            Change::Role => "role",
            Change::Hours => "hours",
            Change::Employment => "employment",
            Change::Absence => "absence",
            Change::Cfkss => "cfkss",
            Change::Asye => "asye",
            Change::Leaving => "leaving",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Change::Team => "Record a move to another team",
            Change::Role => "Record a change of role or grade",
            Change::Hours => "Record a change of hours",
            Change::Employment => "Record a change of employment (such as agency to permanent)",
            Change::Absence => "Record an absence",
            Change::Cfkss => "Record a knowledge and skills milestone",
            Change::Asye => "Record an ASYE milestone passed",
            Change::Leaving => "Record that the worker left",
        }
    }

    pub(crate) fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }
}

fn org_roles() -> Vec<(String, String)> {
    let mut roles = vec![(String::new(), "Not a social work post".to_string())];
    roles.extend(OrgRole::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())));
    roles
}

fn employment_fields(form: &FormData, cover: Option<&[(String, String)]>) -> Vec<Field> {
    let mut kinds = vec![
        ("permanent".to_string(), "Permanent".to_string()),
        ("fixed_term".into(), "Fixed term".into()),
        ("agency".into(), "Agency".into()),
        ("seconded_in".into(), "Seconded in from another council".into()),
    ];
    if cover.is_some() {
        kinds.push(("seconded_out".into(), "Seconded out to another council".into()));
        kinds.push(("placed_out".into(), "Placed out with a partner council (Prime)".into()));
    }
    let mut fields = vec![
        Field::choices("employment", "How they are employed", "radios", kinds, &[form.get("employment")]),
        Field::date("ends", "Fixed term ends (fixed term only)", form),
        Field::text("agency", "Agency (agency only)", form.get("agency")),
        Field::text("weekly_cost", "Weekly cost in pounds (agency only)", form.get("weekly_cost"))
            .width("govuk-input--width-10"),
        Field::text("contract_weeks", "Contract weeks (agency only)", form.get("contract_weeks"))
            .width("govuk-input--width-5"),
        Field::text("other_council", "The other council (secondments and placements)", form.get("other_council")),
        Field::text("day_rate", "Day rate charged in pounds (secondments and placements out)", form.get("day_rate"))
            .width("govuk-input--width-10"),
        Field::text("days", "Days agreed (secondments out)", form.get("days")).width("govuk-input--width-5"),
        Field::date("until", "Until (secondments and placements out, if agreed)", form),
    ];
    if let Some(staff) = cover {
        let mut choices = vec![(String::new(), "Nobody yet".to_string())];
        choices.extend(staff.iter().cloned());
        fields.push(Field::choices(
            "cover",
            "Covered at home by (secondments and placements out)",
            "select",
            choices,
            &[form.get("cover")],
        ));
    }
    fields
}

fn post_fields(form: &FormData, teams: &[(String, String)]) -> Vec<Field> {
    let mut team_choices = vec![(String::new(), "Choose one".to_string())];
    team_choices.extend(teams.iter().cloned());
    vec![
        Field::choices("team_id", "Team", "select", team_choices, &[form.get("team_id")]),
        Field::text("job_title", "Job title", form.get("job_title")),
        Field::choices("org_role", "Social work role (for the census)", "select", org_roles(), &[form.get("org_role")]),
        Field::text("grade", "Grade", form.get("grade")).width("govuk-input--width-10"),
        Field::text("fte", "Full-time equivalent", form.get("fte"))
            .hint("1 for full time, 0.6 for three days a week")
            .width("govuk-input--width-5"),
    ]
}

/// The fields of the form that adds a worker.
pub(crate) fn joining_fields(form: &FormData, teams: &[(String, String)]) -> Vec<Field> {
    let qualifications = codes(QualificationLevel::ALL, QualificationLevel::code, QualificationLevel::label);
    let mut fields = vec![
        Field::text("name", "Full name", form.get("name")),
        Field::text("email", "Their Canopy sign-in email, if they have one", form.get("email")).kind("email"),
        Field::text("swe_number", "Social Work England number", form.get("swe_number"))
            .hint("For social workers, like SW123456")
            .width("govuk-input--width-10"),
        Field::choices(
            "qualification",
            "Social work qualification",
            "select",
            qualifications,
            &[form.get("qualification")],
        ),
        Field::text("institution", "Where they qualified", form.get("institution")),
        Field::date("date", "Start date", form),
        Field::choices(
            "start_origin",
            "Where they came from",
            "select",
            codes(StartOrigin::ALL, StartOrigin::code, StartOrigin::label),
            &[form.get("start_origin")],
        ),
    ];
    fields.extend(post_fields(form, teams));
    fields.extend(employment_fields(form, None));
    fields
}

/// The fields of a change to a worker's record.
pub(crate) fn change_fields(
    change: Change,
    form: &FormData,
    teams: &[(String, String)],
    staff: &[(String, String)],
) -> Vec<Field> {
    let mut fields = vec![];
    if change != Change::Absence {
        fields.push(Field::date("date", "Date", form));
    }
    match change {
        Change::Team => fields.extend(post_fields(form, teams).into_iter().take(1)),
        Change::Role => {
            fields.extend(post_fields(form, teams).into_iter().skip(1).take(3));
        }
        Change::Hours => fields.extend(post_fields(form, teams).into_iter().skip(4)),
        Change::Employment => fields.extend(employment_fields(form, Some(staff))),
        Change::Absence => {
            fields.push(Field::date("start", "First day of the absence", form));
            fields.push(Field::date("end", "Last day of the absence", form));
            fields.push(Field::choices(
                "reason",
                "Why",
                "select",
                codes(AbsenceReason::ALL, AbsenceReason::code, AbsenceReason::label),
                &[form.get("reason")],
            ));
            fields.push(
                Field::text("days_lost", "Working days lost", form.get("days_lost"))
                    .hint("Up to two decimal places, like 3.5")
                    .width("govuk-input--width-5"),
            );
        }
        Change::Cfkss => fields.push(Field::choices(
            "status",
            "Milestone",
            "select",
            codes(Cfkss::ALL, Cfkss::code, Cfkss::label),
            &[form.get("status")],
        )),
        Change::Asye => {
            let milestones = ["Three-month review", "Six-month review", "Final assessment"]
                .iter()
                .map(|m| (m.to_string(), m.to_string()))
                .collect();
            fields.push(Field::choices("milestone", "Milestone", "radios", milestones, &[form.get("milestone")]));
        }
        Change::Leaving => {
            fields.push(Field::choices(
                "destination",
                "Where they went",
                "select",
                codes(LeaverDestination::ALL, LeaverDestination::code, LeaverDestination::label),
                &[form.get("destination")],
            ));
            fields.push(Field::choices(
                "reason",
                "Why they left",
                "select",
                codes(ReasonLeave::ALL, ReasonLeave::code, ReasonLeave::label),
                &[form.get("reason")],
            ));
        }
    }
    if let Some(date) = fields.iter_mut().find(|f| f.name == "date") {
        date.label = if change == Change::Leaving { "Their last day".into() } else { "From".into() };
    }
    fields
}

fn parse_fte(form: &FormData, errors: &mut FieldErrors) -> Option<Fte> {
    match Fte::parse(&form.get("fte")) {
        Ok(fte) => Some(fte),
        Err(e) => {
            errors.add("fte", e);
            None
        }
    }
}

fn parse_employment(form: &FormData, errors: &mut FieldErrors) -> Option<Employment> {
    let other = form.get("other_council").trim().to_string();
    let named = |errors: &mut FieldErrors| {
        if other.is_empty() {
            errors.add("other_council", "Enter the other council");
        }
        other.clone()
    };
    match form.get("employment").as_str() {
        "permanent" => Some(Employment::Permanent),
        "fixed_term" => {
            let part = |p: &str| form.get(&format!("ends-{p}"));
            match date_from_parts("the end of the fixed term", &part("day"), &part("month"), &part("year")) {
                Ok(ends) => Some(Employment::FixedTerm { ends }),
                Err(e) => {
                    errors.add("ends", e);
                    None
                }
            }
        }
        "agency" => {
            let agency = required_text(errors, "agency", "the agency", &form.get("agency"), 120);
            let cost = Pence::parse_positive(&form.get("weekly_cost"));
            if let Err(e) = &cost {
                errors.add("weekly_cost", e.clone());
            }
            let weeks = form.get("contract_weeks").trim().parse::<u32>().ok().filter(|w| (1..=520).contains(w));
            if weeks.is_none() {
                errors.add("contract_weeks", "Enter the contract weeks, a whole number from 1 to 520");
            }
            Some(Employment::Agency { agency, weekly_cost: cost.ok()?, contract_weeks: weeks? })
        }
        "seconded_in" => Some(Employment::SecondedIn { from: named(errors) }),
        "seconded_out" | "placed_out" => {
            let name = named(errors);
            let day_rate = Pence::parse_positive(&form.get("day_rate")).map_err(|e| errors.add("day_rate", e)).ok();
            let part = |p: &str| form.get(&format!("until-{p}"));
            let until = match [part("day"), part("month"), part("year")].iter().all(|p| p.trim().is_empty()) {
                true => None,
                false => date_from_parts("the end", &part("day"), &part("month"), &part("year"))
                    .map_err(|e| errors.add("until", e))
                    .ok(),
            };
            let cover = Some(form.get("cover")).filter(|c| !c.is_empty());
            if form.get("employment") == "placed_out" {
                return Some(Employment::PlacedOut { partner: name, day_rate: day_rate?, until, cover });
            }
            let days = form.get("days").trim().parse::<u32>().ok().filter(|d| (1..=1000).contains(d));
            if days.is_none() {
                errors.add("days", "Enter the days agreed, a whole number from 1 to 1000");
            }
            Some(Employment::SecondedOut { to: name, day_rate: day_rate?, days: days?, until, cover })
        }
        _ => {
            errors.add("employment", "Select how they are employed");
            None
        }
    }
}

/// The post typed on the form, in `councils` (the team's).
fn parse_post(form: &FormData, errors: &mut FieldErrors, councils: Option<Vec<String>>) -> Option<Post> {
    let job_title = required_text(errors, "job_title", "the job title", &form.get("job_title"), 120);
    let org_role = match form.get("org_role").as_str() {
        "" => None,
        code => {
            let role = OrgRole::from_code(code);
            if role.is_none() {
                errors.add("org_role", "Select the social work role");
            }
            Some(role?)
        }
    };
    let grade = form.get("grade").trim().to_string();
    let fte = parse_fte(form, errors);
    if councils.is_none() {
        errors.add("team_id", "Select the worker's team");
    }
    Some(Post { team_id: form.get("team_id"), councils: councils?, job_title, org_role, grade, fte: fte? })
}

/// Reads the joining form: the worker's first event.
pub(crate) fn parse_joining(
    form: &FormData,
    councils: Option<Vec<String>>,
    today: NaiveDate,
    errors: &mut FieldErrors,
) -> Option<StaffEvent> {
    let date = past_date(form, errors, "date", "the start date", today, true);
    let origin = match form.get("start_origin").as_str() {
        "" => None,
        code => StartOrigin::from_code(code),
    };
    let post = parse_post(form, errors, councils);
    let employment = parse_employment(form, errors);
    Some(StaffEvent::Joined { date: date?, post: post?, employment: employment?, start_origin: origin })
}

/// Reads a change form into its event.
pub(crate) fn parse_change(
    change: Change,
    form: &FormData,
    councils: Option<Vec<String>>,
    today: NaiveDate,
) -> Result<StaffEvent, FieldErrors> {
    let mut errors = FieldErrors::new();
    let date =
        if change == Change::Absence { None } else { past_date(form, &mut errors, "date", "the date", today, true) };
    let event = match change {
        Change::Team => {
            if councils.is_none() {
                errors.add("team_id", "Select the worker's new team");
            }
            councils.zip(date).map(|(councils, date)| StaffEvent::MovedTeam {
                date,
                team_id: form.get("team_id"),
                councils,
            })
        }
        Change::Role => {
            let job_title = required_text(&mut errors, "job_title", "the job title", &form.get("job_title"), 120);
            let org_role = OrgRole::from_code(&form.get("org_role"));
            let grade = form.get("grade").trim().to_string();
            date.map(|date| StaffEvent::RoleChanged { date, job_title, org_role, grade })
        }
        Change::Hours => {
            parse_fte(form, &mut errors).zip(date).map(|(fte, date)| StaffEvent::HoursChanged { date, fte })
        }
        Change::Employment => parse_employment(form, &mut errors)
            .zip(date)
            .map(|(employment, date)| StaffEvent::EmploymentChanged { date, employment }),
        Change::Absence => {
            let start = past_date(form, &mut errors, "start", "the first day", today, true);
            let end = past_date(form, &mut errors, "end", "the last day", today, true);
            let reason = chosen(&mut errors, form, "reason", AbsenceReason::from_code, "why they were absent");
            let days = form.get("days_lost").trim().parse::<f64>().ok().filter(|d| *d >= 0.0 && *d <= 366.0);
            if days.is_none() {
                errors.add("days_lost", "Enter the working days lost, a number like 3.5");
            }
            match (start, end, reason, days) {
                (Some(start), Some(end), Some(reason), Some(days)) => {
                    Some(StaffEvent::Absent { start, end, reason, working_days_lost: (days * 100.0).round() as u32 })
                }
                _ => None,
            }
        }
        Change::Cfkss => chosen(&mut errors, form, "status", Cfkss::from_code, "the milestone")
            .zip(date)
            .map(|(status, date)| StaffEvent::CfkssReached { date, status }),
        Change::Asye => {
            let milestone = form.get("milestone");
            if milestone.is_empty() {
                errors.add("milestone", "Select the milestone");
            }
            date.map(|date| StaffEvent::AsyeMilestonePassed { date, milestone })
        }
        Change::Leaving => {
            let destination = chosen(&mut errors, form, "destination", LeaverDestination::from_code, "where they went");
            let reason = chosen(&mut errors, form, "reason", ReasonLeave::from_code, "why they left");
            date.map(|date| StaffEvent::Left { date, destination, reason })
        }
    };
    match event {
        Some(event) if errors.is_empty() => Ok(event),
        _ => Err(errors),
    }
}
