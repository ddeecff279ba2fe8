//! A family's early help on the child's record: starting it (from the front door, as a step down
//! or at a partner's request), the lead professional, the assessment, the team around the family
//! and its meetings, the plan and its reviews, closing it, and stepping up to social care, which
//! makes a front-door contact that carries what early help did.

use super::{child_for, journey_of, render, show_date, Cell, Ctx, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::pages::codes;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::cases::{running_clocks, ContactDecision, Event, Journey, ReferralSource, RuleContext};
use canopy_domain::early_help::{
    early_help_history, step_up_summary, EarlyHelpEntry, EarlyHelpHistory, EarlyHelpOutcome, EarlyHelpRuleBroken,
    EarlyHelpStart, LeadProfessional, PartnerAgency,
};
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::children::ChildRow;
use canopy_store::early_help::EarlyHelpClocks;

/// What can be recorded, by the last part of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Start,
    Lead,
    Assessment,
    AssessmentDone,
    Member,
    MemberLeft,
    Meeting,
    Plan,
    Review,
    Close,
    StepUp,
}

impl Form {
    const ALL: [Form; 11] = [
        Form::Start,
        Form::Lead,
        Form::Assessment,
        Form::AssessmentDone,
        Form::Member,
        Form::MemberLeft,
        Form::Meeting,
        Form::Plan,
        Form::Review,
        Form::Close,
        Form::StepUp,
    ];

    fn slug(self) -> &'static str {
        match self {
            Form::Start => "start",
            Form::Lead => "lead",
            Form::Assessment => "assessment",
            Form::AssessmentDone => "assessment-completed",
            Form::Member => "member",
            Form::MemberLeft => "member-left",
            Form::Meeting => "meeting",
            Form::Plan => "plan",
            Form::Review => "review",
            Form::Close => "close",
            Form::StepUp => "step-up",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Form::Start => "Start early help",
            Form::Lead => "Change the lead professional",
            Form::Assessment => "Start the early help assessment",
            Form::AssessmentDone => "Complete the early help assessment",
            Form::Member => "Add to the team around the family",
            Form::MemberLeft => "Record someone leaving the team around the family",
            Form::Meeting => "Record a team around the family meeting",
            Form::Plan => "Agree the early help plan",
            Form::Review => "Review the early help plan",
            Form::Close => "Close early help",
            Form::StepUp => "Step up to children's social care",
        }
    }

    fn from_slug(slug: &str) -> Result<Self, AppError> {
        Self::ALL.into_iter().find(|f| f.slug() == slug).ok_or(AppError::NotFound)
    }

    /// What may be recorded now, from where the family's early help stands.
    fn open_now(history: &EarlyHelpHistory) -> Vec<Form> {
        let Some(episode) = history.open() else { return vec![Form::Start] };
        let mut open = vec![Form::Lead];
        match &episode.assessment {
            None => open.push(Form::Assessment),
            Some(a) if a.completed.is_none() => open.push(Form::AssessmentDone),
            Some(_) => open.push(Form::Plan),
        }
        open.push(Form::Member);
        if episode.members_now().next().is_some() {
            open.extend([Form::Meeting, Form::MemberLeft]);
        }
        if episode.plan.is_some() {
            open.push(Form::Review);
        }
        open.extend([Form::Close, Form::StepUp]);
        open
    }
}

/// The child's early help, read against their journey.
pub(crate) async fn history_of(
    state: &AppState,
    child: &ChildRow,
    journey: &Journey,
) -> Result<EarlyHelpHistory, AppError> {
    let entries = state.store.early_help_entries(&child.id).await?;
    early_help_history(&entries, journey)
        .map_err(|e| AppError::Internal(format!("stored early help of {} no longer reads: {e}", child.id)))
}

/// Records an early help entry if the family's early help still reads with it, with the
/// front door's new contact for a step up (its id is made here, and its text carries the
/// history); for the page and the API alike.
pub(crate) async fn record_entry(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    entry: &EarlyHelpEntry,
) -> Result<Result<(), EarlyHelpRuleBroken>, AppError> {
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let mut entry = entry.clone();
    let contact = match &mut entry {
        EarlyHelpEntry::SteppedUp { date, contact, reason } => {
            let journey = journey_of(state, child).await?;
            let history = history_of(state, child, &journey).await?;
            let Some(episode) = history.open() else {
                return Ok(Err(EarlyHelpRuleBroken("there is no open early help episode to step up".into())));
            };
            *contact = canopy_store::new_id();
            Some(Event::ContactReceived {
                contact: contact.clone(),
                date: *date,
                source: ReferralSource::EarlyHelp,
                worry: step_up_summary(episode, reason),
            })
        }
        _ => None,
    };
    let stepping_up = contact.is_some();
    let check = |entries: &[EarlyHelpEntry], events: &[Event]| {
        let journey = Journey::replay(events, &RuleContext { calendar: &calendar, rules: &rules })
            .map_err(|e| EarlyHelpRuleBroken(e.0))?;
        let history = early_help_history(entries, &journey)?;
        Ok(EarlyHelpClocks {
            early_help: history.clocks(&calendar, &rules),
            journey: stepping_up.then(|| running_clocks(&journey, &calendar, &rules)),
        })
    };
    Ok(state.store.record_early_help(&ctx.audit(state), &child.id, &entry, contact.as_ref(), check).await?)
}

/// What the record shows of early help: links to record, summary lines and tables.
#[derive(Default)]
pub(crate) struct EarlyHelpSection {
    pub links: Vec<Link>,
    pub summary: Vec<(String, String)>,
    pub tables: Vec<Table>,
}

fn how_it_began(how: &EarlyHelpStart) -> &'static str {
    match how {
        EarlyHelpStart::FrontDoor { .. } => "Front door decision",
        EarlyHelpStart::SteppedDown { .. } => "Stepped down from social care",
        EarlyHelpStart::PartnerRequest => "A partner's request",
    }
}

pub(crate) fn early_help_section(child: &ChildRow, history: &EarlyHelpHistory, may_edit: bool) -> EarlyHelpSection {
    let mut section = EarlyHelpSection::default();
    if may_edit {
        section.links = Form::open_now(history)
            .into_iter()
            .map(|f| Link::new(format!("/children/{}/early-help/{}", child.id, f.slug()), f.title()))
            .collect();
    }
    if history.episodes.is_empty() {
        return section;
    }
    if let Some(open) = history.open() {
        section.summary.push((
            "Early help".into(),
            format!("Since {}, led by {} ({})", show_date(open.start), open.lead.name, open.lead.agency.label()),
        ));
        let members = open
            .members_now()
            .map(|m| {
                vec![
                    Cell::text(&m.name),
                    Cell::text(&m.role),
                    Cell::text(m.agency.label()),
                    Cell::text(show_date(m.joined)),
                ]
            })
            .collect();
        let mut team = Table::new("Team around the family", &["Name", "Role", "Agency", "Joined"], members);
        team.empty = "Nobody has joined the team around the family yet.".into();
        section.tables.push(team);
        if let Some(plan) = &open.plan {
            let goals = plan
                .goals
                .iter()
                .map(|g| {
                    vec![Cell::text(&g.text), Cell::text(g.met.map(show_date).unwrap_or_else(|| "Not yet".into()))]
                })
                .collect();
            let reviewed =
                plan.reviews.last().map(|d| format!(", last reviewed {}", show_date(*d))).unwrap_or_default();
            let title = format!("Early help plan, agreed {}{reviewed}", show_date(plan.agreed));
            section.tables.push(Table::new(&title, &["Goal", "Met"], goals));
        }
    }
    let episodes = history
        .episodes
        .iter()
        .rev()
        .map(|e| {
            let assessment = match &e.assessment {
                Some(a) => match a.completed {
                    Some(done) => format!("{}, completed {}", a.organisation, show_date(done)),
                    None => format!("{}, started {}", a.organisation, show_date(a.started)),
                },
                None => "Not started".into(),
            };
            vec![
                Cell::text(show_date(e.start)),
                Cell::text(how_it_began(&e.how)),
                Cell::text(format!("{} ({})", e.lead.name, e.lead.agency.label())),
                Cell::text(assessment),
                Cell::text(match e.closed {
                    Some((day, outcome)) => format!("{}: {}", show_date(day), outcome.label()),
                    None => "Open".into(),
                }),
            ]
        })
        .collect();
    section.tables.push(Table::new(
        "Early help episodes",
        &["Began", "How", "Lead professional", "Assessment", "Closed"],
        episodes,
    ));
    section
}

fn agencies() -> Vec<(String, String)> {
    codes(PartnerAgency::ALL, PartnerAgency::code, PartnerAgency::label)
}

/// The ways early help may begin now: from the contact the front door last decided for early
/// help, from the last closed child in need episode, or at a partner's request.
fn starts(journey: &Journey) -> Vec<(String, String, EarlyHelpStart)> {
    let mut ways = Vec::new();
    let decided = journey.contacts.iter().rev().find(|c| matches!(c.decided, Some((_, ContactDecision::EarlyHelp))));
    if let Some(c) = decided {
        let label = format!("The front door's decision on the contact of {}", show_date(c.received));
        ways.push(("front_door".into(), label, EarlyHelpStart::FrontDoor { contact: c.id.clone() }));
    }
    if let Some(e) = journey.episodes.iter().rev().find(|e| e.closed.is_some()) {
        let label = format!("A step down from the child in need episode referred on {}", show_date(e.referral_date));
        ways.push(("step_down".into(), label, EarlyHelpStart::SteppedDown { episode: e.id.clone() }));
    }
    ways.push((
        "partner".into(),
        "A partner's request, with the family's consent".into(),
        EarlyHelpStart::PartnerRequest,
    ));
    ways
}

fn lead_fields(form: &FormData) -> Vec<Field> {
    vec![
        Field::text("lead_name", "Lead professional's name", form.get("lead_name")),
        Field::choices("lead_agency", "Their agency", "select", agencies(), &[form.get("lead_agency")]),
    ]
}

fn fields(what: Form, history: &EarlyHelpHistory, journey: &Journey, form: &FormData) -> Vec<Field> {
    let mut fields = vec![Field::date("date", "Date", form)];
    let open = history.open();
    let members: Vec<(String, String)> = open
        .map(|e| e.members_now().map(|m| (m.name.clone(), format!("{} ({})", m.name, m.role))).collect())
        .unwrap_or_default();
    match what {
        Form::Start => {
            let ways = starts(journey).into_iter().map(|(v, l, _)| (v, l)).collect();
            fields.push(Field::choices("how", "How early help began", "radios", ways, &[form.get("how")]));
            fields.extend(lead_fields(form));
        }
        Form::Lead => fields.extend(lead_fields(form)),
        Form::Assessment => fields.push(
            Field::text("organisation", "Organisation doing the assessment", form.get("organisation"))
                .hint("For example, the child's school or the early help service"),
        ),
        Form::AssessmentDone => {}
        Form::Member => {
            fields.push(Field::text("name", "Name", form.get("name")));
            fields.push(Field::text("role", "Role", form.get("role")).hint("For example, SENCO or health visitor"));
            fields.push(Field::choices("agency", "Agency", "select", agencies(), &[form.get("agency")]));
        }
        Form::MemberLeft => {
            let mut choices = vec![(String::new(), "Choose one".to_string())];
            choices.extend(members);
            fields.push(Field::choices("name", "Who left", "select", choices, &[form.get("name")]));
        }
        Form::Meeting => {
            fields.push(Field::choices("attended", "Who attended", "checkboxes", members, &form.all("attended")))
        }
        Form::Plan => fields.push(
            Field::text("goals", "Goals", form.get("goals"))
                .kind("textarea")
                .hint("One goal a line, in the family's words where you can"),
        ),
        Form::Review => {
            let unmet = open
                .and_then(|e| e.plan.as_ref())
                .map(|p| p.goals.iter().filter(|g| g.met.is_none()).map(|g| (g.text.clone(), g.text.clone())).collect())
                .unwrap_or_default();
            fields.push(Field::choices(
                "goals_met",
                "Goals met since the last review",
                "checkboxes",
                unmet,
                &form.all("goals_met"),
            ));
            fields.push(Field::text("note", "What the review found", form.get("note")).kind("textarea"));
        }
        Form::Close => {
            let outcomes: Vec<EarlyHelpOutcome> =
                EarlyHelpOutcome::ALL.iter().copied().filter(|o| *o != EarlyHelpOutcome::SteppedUp).collect();
            let choices = codes(&outcomes, EarlyHelpOutcome::code, EarlyHelpOutcome::label);
            fields.push(Field::choices("outcome", "Outcome", "select", choices, &[form.get("outcome")]));
        }
        Form::StepUp => fields.push(
            Field::text("reason", "Why the family needs social care now", form.get("reason"))
                .kind("textarea")
                .hint("The front door will read this with what early help has done"),
        ),
    }
    fields
}

fn parse_lead(form: &FormData, errors: &mut FieldErrors) -> Option<LeadProfessional> {
    let name = required_text(errors, "lead_name", "the lead professional's name", &form.get("lead_name"), 120);
    let agency = PartnerAgency::from_code(&form.get("lead_agency"));
    if agency.is_none() {
        errors.add("lead_agency", "Select the lead professional's agency");
    }
    Some(LeadProfessional { name, agency: agency?, user_id: None })
}

fn parse(
    what: Form,
    form: &FormData,
    journey: &Journey,
    today: chrono::NaiveDate,
) -> Result<EarlyHelpEntry, FieldErrors> {
    use EarlyHelpEntry::*;
    let mut errors = FieldErrors::new();
    let date = crate::pages::past_date(form, &mut errors, "date", "the date", today, true);
    let entry = match what {
        Form::Start => {
            let how = starts(journey).into_iter().find(|(v, _, _)| *v == form.get("how")).map(|(_, _, how)| how);
            if how.is_none() {
                errors.add("how", "Select how early help began");
            }
            let lead = parse_lead(form, &mut errors);
            match (date, how, lead) {
                (Some(date), Some(how), Some(lead)) => Some(Started { date, how, lead }),
                _ => None,
            }
        }
        Form::Lead => parse_lead(form, &mut errors).zip(date).map(|(lead, date)| LeadChanged { date, lead }),
        Form::Assessment => {
            let organisation =
                required_text(&mut errors, "organisation", "the organisation", &form.get("organisation"), 120);
            date.map(|date| AssessmentStarted { date, organisation })
        }
        Form::AssessmentDone => date.map(|date| AssessmentCompleted { date }),
        Form::Member => {
            let name = required_text(&mut errors, "name", "their name", &form.get("name"), 120);
            let role = required_text(&mut errors, "role", "their role", &form.get("role"), 120);
            let agency = PartnerAgency::from_code(&form.get("agency"));
            if agency.is_none() {
                errors.add("agency", "Select their agency");
            }
            agency.zip(date).map(|(agency, date)| MemberJoined { date, name, agency, role })
        }
        Form::MemberLeft => {
            let name = required_text(&mut errors, "name", "who left", &form.get("name"), 120);
            date.map(|date| MemberLeft { date, name })
        }
        Form::Meeting => {
            let attended = form.all("attended");
            if attended.is_empty() {
                errors.add("attended", "Select who attended");
            }
            date.map(|date| MeetingHeld { date, attended })
        }
        Form::Plan => {
            let goals: Vec<String> =
                form.get("goals").lines().map(str::trim).filter(|g| !g.is_empty()).map(str::to_string).collect();
            if goals.is_empty() {
                errors.add("goals", "Enter at least one goal");
            }
            date.map(|date| PlanAgreed { date, goals })
        }
        Form::Review => {
            let note = form.get("note").trim().to_string();
            date.map(|date| PlanReviewed { date, goals_met: form.all("goals_met"), note })
        }
        Form::Close => {
            let outcome =
                EarlyHelpOutcome::from_code(&form.get("outcome")).filter(|o| *o != EarlyHelpOutcome::SteppedUp);
            if outcome.is_none() {
                errors.add("outcome", "Select the outcome");
            }
            outcome.zip(date).map(|(outcome, date)| Closed { date, outcome })
        }
        Form::StepUp => {
            let reason =
                required_text(&mut errors, "reason", "why the family needs social care", &form.get("reason"), 2000);
            date.map(|date| SteppedUp { date, contact: String::new(), reason })
        }
    };
    match entry {
        Some(entry) if errors.is_empty() => Ok(entry),
        _ => Err(errors),
    }
}

fn early_help_form(
    ctx: &Ctx,
    child: &ChildRow,
    what: Form,
    history: &EarlyHelpHistory,
    journey: &Journey,
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let action = format!("/children/{}/early-help/{}", child.id, what.slug());
    let mut page =
        FormPage::new(ctx, what.title(), "/work-tray", &action, "Save", fields(what, history, journey, form), errors)
            .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page
}

pub async fn show_early_help(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let what = Form::from_slug(&what)?;
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let journey = journey_of(&state, &child).await?;
    let history = history_of(&state, &child, &journey).await?;
    let form = FormData(crate::pages::date_parts("date", state.clock.today()));
    render(early_help_form(&ctx, &child, what, &history, &journey, &form, &FieldErrors::new()))
}

pub async fn save_early_help(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let what = Form::from_slug(&what)?;
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let journey = journey_of(&state, &child).await?;
    let errors = match parse(what, &form, &journey, state.clock.today()) {
        Ok(entry) => match record_entry(&state, &ctx, &child, &entry).await? {
            Ok(()) => return Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
            Err(broken) => FieldErrors::one("date", broken.0),
        },
        Err(errors) => errors,
    };
    let history = history_of(&state, &child, &journey).await?;
    let page = early_help_form(&ctx, &child, what, &history, &journey, &form, &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}
