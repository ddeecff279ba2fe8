//! Recruitment: the vacancy board, each vacancy's applications, candidates' records and their
//! steps, and a recruitment champion's interview list. Candidates' personal data is shown only to
//! workforce staff and the candidate's panel; every read of it is audited. A start fills the
//! vacancy and makes the worker's staff record, or makes an agency worker permanent.

use super::{render, show_date, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::pages::{codes, past_date};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action, Resource};
use canopy_domain::validation::{looks_like_email, required_text, FieldErrors};
use canopy_domain::workforce::{
    check_registration, staff_record, time_to_hire, validate_staff, ApplicationStage, ApplicationStep, Employment, Fte,
    OrgRole, Post, StaffEvent, StaffInput, StartOrigin,
};
use canopy_store::recruitment::{ApplicationRow, Hire, NewCandidate, NewVacancy, StepRefused, VacancyRow};
use canopy_store::AuditEvent;

/// The role whose holders sit on interview panels.
const CHAMPION_ROLE: &str = "recruitment_champion";

pub(crate) fn may_see_vacancy(ctx: &Ctx, vacancy: &VacancyRow) -> Result<bool, AppError> {
    let user = ctx.user()?;
    Ok(vacancy.council_ids.iter().any(|c| may(&user.actor, Action::RunRecruitment, &Resource::in_council(c))))
}

fn may_see_candidate(ctx: &Ctx, application: &ApplicationRow, vacancy: &VacancyRow) -> Result<bool, AppError> {
    let user = ctx.user()?;
    Ok(application.resources(vacancy).iter().any(|r| may(&user.actor, Action::ViewCandidate, r)))
}

async fn vacancy_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<VacancyRow, AppError> {
    let vacancy = state.store.vacancy(id).await.map_err(|_| AppError::NotFound)?;
    if !may_see_vacancy(ctx, &vacancy)? {
        return Err(AppError::NotFound);
    }
    Ok(vacancy)
}

/// An application and its vacancy, if the user may see the candidate; the read is audited.
async fn application_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<(ApplicationRow, VacancyRow), AppError> {
    let application = state.store.application(id).await.map_err(|_| AppError::NotFound)?;
    let vacancy = state.store.vacancy(&application.vacancy_id).await?;
    if !may_see_candidate(ctx, &application, &vacancy)? {
        return Err(AppError::NotFound);
    }
    state.store.audit(&ctx.audit(state), AuditEvent::succeeded("view_candidate", "application", id)).await?;
    Ok((application, vacancy))
}

async fn team_names(state: &AppState) -> Result<Vec<(String, String, Vec<String>)>, AppError> {
    Ok(state
        .store
        .list_teams(&canopy_store::Scope::Organisation)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name, t.council_ids))
        .collect())
}

/// The vacancy board: open vacancies with how long they have been open and their applications,
/// then those filled, with the time to hire.
pub async fn vacancies(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let today = state.clock.today();
    let teams = team_names(&state).await?;
    let team = |id: &str| teams.iter().find(|t| t.0 == id).map(|t| t.1.clone()).unwrap_or_default();
    let mut open = Vec::new();
    let mut filled = Vec::new();
    let mut pipeline: Vec<(ApplicationStage, usize)> =
        ApplicationStage::ALL.iter().filter(|s| s.is_open()).map(|s| (*s, 0)).collect();
    for v in state.store.vacancies().await? {
        if !may_see_vacancy(&ctx, &v)? {
            continue;
        }
        let applications = state.store.applications_for(&v.id).await?;
        for a in applications.iter().filter(|_| v.closed.is_none()) {
            if let Some(count) = pipeline.iter_mut().find(|(s, _)| *s == a.stage) {
                count.1 += 1;
            }
        }
        let link = Cell::link(&v.job_title, format!("/workforce/vacancies/{}", v.id));
        match v.closed {
            None => open.push(vec![
                link,
                Cell::text(team(&v.team_id)),
                Cell::text(v.fte.to_string()),
                Cell::text(show_date(v.opened)),
                Cell::text(format!("{} days", (today - v.opened).num_days())),
                Cell::text(if v.agency_cover { "Yes" } else { "No" }),
                Cell::text(applications.iter().filter(|a| a.stage.is_open()).count().to_string()),
            ]),
            Some(closed) => filled.push(vec![
                link,
                Cell::text(team(&v.team_id)),
                Cell::text(show_date(closed)),
                Cell::text(match v.filled_by {
                    Some(_) => format!("{} days", time_to_hire(v.opened, closed)),
                    None => "Closed unfilled".into(),
                }),
            ]),
        }
    }
    let mut page = DetailPage::new(&ctx, "Vacancies", "/workforce");
    if ctx.may_org(Action::RunRecruitment) {
        page.actions.push(Link::new("/workforce/vacancies/new", "Open a vacancy"));
    }
    page.actions.push(Link::new("/workforce/interviews", "Your interviews"));
    let mut table = Table::new(
        "Open vacancies",
        &["Post", "Team", "FTE", "Opened", "Open for", "Agency cover", "Applications in progress"],
        open,
    );
    table.empty = "No vacancies are open.".into();
    page.tables.push(table);
    let rows = pipeline.iter().map(|(stage, n)| vec![Cell::text(stage.label()), Cell::text(n.to_string())]).collect();
    page.tables.push(Table::new(
        "The pipeline: applications to open vacancies by stage",
        &["Stage", "Applications"],
        rows,
    ));
    let mut table = Table::new("Filled or closed", &["Post", "Team", "Closed", "Time to hire"], filled);
    table.empty = "None yet.".into();
    page.tables.push(table);
    render(page)
}

fn vacancy_form(ctx: &Ctx, form: &FormData, errors: &FieldErrors, teams: &[(String, String, Vec<String>)]) -> FormPage {
    let mut team_choices = vec![(String::new(), "Choose one".to_string())];
    team_choices.extend(teams.iter().map(|t| (t.0.clone(), t.1.clone())));
    let mut roles = vec![(String::new(), "Not a social work post".to_string())];
    roles.extend(OrgRole::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())));
    let fields = vec![
        Field::choices("team_id", "Team", "select", team_choices, &[form.get("team_id")]),
        Field::text("job_title", "Post", form.get("job_title")),
        Field::choices("org_role", "Social work role (for the census)", "select", roles, &[form.get("org_role")]),
        Field::text("fte", "Full-time equivalent", form.get("fte")).width("govuk-input--width-5"),
        Field::date("date", "Opened", form),
        Field::choices(
            "agency_cover",
            "Cover",
            "checkboxes",
            vec![("yes".into(), "An agency worker covers the post meanwhile".into())],
            &form.all("agency_cover"),
        ),
    ];
    FormPage::new(ctx, "Open a vacancy", "/workforce", "/workforce/vacancies/new", "Open the vacancy", fields, errors)
        .back("/workforce/vacancies")
}

pub async fn new_vacancy(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let teams = team_names(&state).await?;
    let mut form = FormData(crate::pages::date_parts("date", state.clock.today()));
    form.0.push(("fte".into(), "1".into()));
    render(vacancy_form(&ctx, &form, &FieldErrors::new(), &teams))
}

pub async fn create_vacancy(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let teams = team_names(&state).await?;
    let mut errors = FieldErrors::new();
    let team = teams.iter().find(|t| t.0 == form.get("team_id") && !t.2.is_empty());
    if team.is_none() {
        errors.add("team_id", "Select the team the post is in");
    }
    let job_title = required_text(&mut errors, "job_title", "the post", &form.get("job_title"), 120);
    let fte = Fte::parse(&form.get("fte")).map_err(|e| errors.add("fte", e)).ok();
    let opened = past_date(&form, &mut errors, "date", "the day it opened", state.clock.today(), true);
    if let (Some(team), Some(fte), Some(opened), true) = (team, fte, opened, errors.is_empty()) {
        let vacancy = NewVacancy {
            team_id: team.0.clone(),
            council_ids: team.2.clone(),
            job_title,
            org_role: OrgRole::from_code(&form.get("org_role")),
            fte,
            opened,
            agency_cover: form.all("agency_cover").iter().any(|v| v == "yes"),
        };
        let id = state.store.add_vacancy(&ctx.audit(&state), &vacancy).await?;
        return Ok(Redirect::to(&format!("/workforce/vacancies/{id}")).into_response());
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(vacancy_form(&ctx, &form, &errors, &teams))?).into_response())
}

pub async fn vacancy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let vacancy = vacancy_for(&state, &ctx, &id).await?;
    let mut page = DetailPage::new(&ctx, &vacancy.job_title, "/workforce");
    page.caption = "Vacancy".into();
    page.summary = vec![
        ("FTE".into(), vacancy.fte.to_string()),
        ("Opened".into(), show_date(vacancy.opened)),
        ("Agency cover".into(), if vacancy.agency_cover { "Yes".into() } else { "No".into() }),
        (
            "Status".into(),
            match (vacancy.closed, &vacancy.filled_by) {
                (None, _) => "Open".into(),
                (Some(d), Some(_)) => {
                    format!("Filled {} ({} days to hire)", show_date(d), time_to_hire(vacancy.opened, d))
                }
                (Some(d), None) => format!("Closed {}", show_date(d)),
            },
        ),
    ];
    if vacancy.closed.is_none() && ctx.may_org(Action::RunRecruitment) {
        page.actions.push(Link::new(format!("/workforce/vacancies/{id}/apply"), "Add an application"));
    }
    page.actions.push(Link::new("/workforce/vacancies", "Back to the vacancy board"));
    let mut rows = Vec::new();
    for a in state.store.applications_for(&id).await? {
        let name = match may_see_candidate(&ctx, &a, &vacancy)? {
            true => Cell::link(&a.candidate_name, format!("/workforce/applications/{}", a.id)),
            false => Cell::text("A candidate"),
        };
        let internal = if a.staff_id.is_some() { "Works here already" } else { "" };
        rows.push(vec![name, Cell::text(a.stage.label()), Cell::text(show_date(a.stage_date)), Cell::text(internal)]);
    }
    let mut table = Table::new("Applications", &["Candidate", "Stage", "Since", "Internal candidate"], rows);
    table.empty = "No applications yet.".into();
    page.tables.push(table);
    render(page)
}

fn apply_form(
    ctx: &Ctx,
    vacancy: &VacancyRow,
    form: &FormData,
    errors: &FieldErrors,
    staff: Vec<(String, String)>,
) -> FormPage {
    let mut internal = vec![(String::new(), "No: a new candidate".to_string())];
    internal.extend(staff);
    let fields = vec![
        Field::choices(
            "staff_id",
            "Does the candidate work here already (such as an agency worker)?",
            "select",
            internal,
            &[form.get("staff_id")],
        ),
        Field::text("name", "Candidate's name", form.get("name")),
        Field::text("email", "Email", form.get("email")).kind("email"),
        Field::text("phone", "Phone", form.get("phone")).width("govuk-input--width-20"),
        Field::date("date", "Applied on", form),
    ];
    let action = format!("/workforce/vacancies/{}/apply", vacancy.id);
    let mut page =
        FormPage::new(ctx, "Add an application", "/workforce", &action, "Add the application", fields, errors)
            .back(&format!("/workforce/vacancies/{}", vacancy.id));
    page.caption = vacancy.job_title.clone();
    page
}

/// Staff in post who could apply from within: agency workers first.
async fn internal_candidates(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let mut staff: Vec<_> = state.store.staff().await?.into_iter().filter(|s| s.in_post).collect();
    staff.sort_by_key(|s| !s.employment.starts_with("Agency"));
    Ok(staff.into_iter().map(|s| (s.id, format!("{} ({})", s.name, s.employment))).collect())
}

pub async fn show_apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let vacancy = vacancy_for(&state, &ctx, &id).await?;
    let form = FormData(crate::pages::date_parts("date", state.clock.today()));
    render(apply_form(&ctx, &vacancy, &form, &FieldErrors::new(), internal_candidates(&state).await?))
}

pub async fn save_apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let vacancy = vacancy_for(&state, &ctx, &id).await?;
    let staff = internal_candidates(&state).await?;
    let mut errors = FieldErrors::new();
    let staff_id = Some(form.get("staff_id")).filter(|s| !s.is_empty());
    if staff_id.as_ref().is_some_and(|s| !staff.iter().any(|(id, _)| id == s)) {
        errors.add("staff_id", "Select a member of staff in post");
    }
    let name = required_text(&mut errors, "name", "the candidate's name", &form.get("name"), 200);
    let email = form.get("email").trim().to_string();
    if !looks_like_email(&email) {
        errors.add("email", "Enter an email address, like name@example.com");
    }
    let phone = form.get("phone").trim().to_string();
    let applied = past_date(&form, &mut errors, "date", "the day they applied", state.clock.today(), true);
    if let (Some(applied), true) = (applied, errors.is_empty()) {
        let candidate = NewCandidate { name, email, phone, staff_id };
        match state.store.add_application(&ctx.audit(&state), &vacancy.id, &candidate, applied).await? {
            Ok(app) => return Ok(Redirect::to(&format!("/workforce/applications/{app}")).into_response()),
            Err(broken) => errors.add("date", broken.0),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(apply_form(&ctx, &vacancy, &form, &errors, staff))?).into_response())
}

/// The slug of each step an open application may take next.
fn steps_open(stage: ApplicationStage) -> Vec<(&'static str, String)> {
    let mut steps = Vec::new();
    if let Some(next) = stage.next() {
        let slug = match next {
            ApplicationStage::Shortlisted => "shortlist",
            ApplicationStage::Interviewed => "interview",
            ApplicationStage::Offered => "offer",
            ApplicationStage::Accepted => "accept",
            _ => "start",
        };
        steps.push((slug, format!("Record: {}", next.label().to_lowercase())));
        steps.push(("withdraw", "Record that the application was withdrawn".to_string()));
    }
    steps
}

pub async fn application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let (application, vacancy) = application_for(&state, &ctx, &id).await?;
    let users = state.store.list_users().await?;
    let name = |id: &str| users.iter().find(|u| u.id == id).map(|u| u.display_name.clone()).unwrap_or_default();
    let mut page = DetailPage::new(&ctx, &application.candidate_name, "/workforce");
    page.caption = format!("Application for {}", vacancy.job_title);
    page.summary = vec![
        ("Stage".into(), format!("{} since {}", application.stage.label(), show_date(application.stage_date))),
        ("Email".into(), application.candidate_email.clone()),
        ("Phone".into(), application.candidate_phone.clone()),
        ("Panel".into(), application.panel.iter().map(|p| name(p)).collect::<Vec<_>>().join(", ")),
    ];
    if ctx.may_org(Action::RunRecruitment) {
        for (slug, label) in steps_open(application.stage) {
            page.actions.push(Link::new(format!("/workforce/applications/{id}/{slug}"), label));
        }
    }
    page.actions.push(Link::new(format!("/workforce/vacancies/{}", vacancy.id), "Back to the vacancy"));
    let rows = state
        .store
        .application_steps(&id)
        .await?
        .iter()
        .rev()
        .map(|(_, actor, step)| {
            vec![Cell::text(show_date(step.date())), Cell::text(step.describe()), Cell::text(name(actor))]
        })
        .collect();
    page.tables.push(Table::new("History", &["Date", "What happened", "Recorded by"], rows));
    render(page)
}

/// The recruitment champions who may sit on a panel.
async fn champions(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let roles = state.store.list_roles().await?;
    let role = roles.iter().find(|r| r.key == CHAMPION_ROLE).map(|r| r.id.clone()).unwrap_or_default();
    Ok(state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.role_ids.contains(&role))
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.job_title)))
        .collect())
}

fn step_form(
    ctx: &Ctx,
    application: &ApplicationRow,
    slug: &str,
    form: &FormData,
    errors: &FieldErrors,
    panel: Vec<(String, String)>,
) -> Result<FormPage, AppError> {
    let mut fields = vec![Field::date("date", "Date", form)];
    let title = match slug {
        "shortlist" => "Record that the candidate was shortlisted",
        "interview" => {
            fields.push(Field::choices("panel", "The panel", "checkboxes", panel, &form.all("panel")));
            "Record the interview"
        }
        "offer" => "Record the offer",
        "accept" => "Record that the offer was accepted",
        "start" => {
            if application.staff_id.is_none() {
                fields.push(
                    Field::text(
                        "swe_number",
                        "Social Work England number (for a social work post)",
                        form.get("swe_number"),
                    )
                    .width("govuk-input--width-10"),
                );
                fields.push(Field::text("institution", "Where they qualified", form.get("institution")));
                fields.push(Field::text("grade", "Grade", form.get("grade")).width("govuk-input--width-10"));
                fields.push(Field::choices(
                    "start_origin",
                    "Where they came from",
                    "select",
                    codes(StartOrigin::ALL, StartOrigin::code, StartOrigin::label),
                    &[form.get("start_origin")],
                ));
            }
            "Record the first day in post"
        }
        "withdraw" => {
            fields.push(Field::text("reason", "Why", form.get("reason")).kind("textarea"));
            "Record that the application was withdrawn"
        }
        _ => return Err(AppError::NotFound),
    };
    let action = format!("/workforce/applications/{}/{slug}", application.id);
    let mut page = FormPage::new(ctx, title, "/workforce", &action, "Save", fields, errors)
        .back(&format!("/workforce/applications/{}", application.id));
    page.caption = application.candidate_name.clone();
    Ok(page)
}

pub async fn show_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, slug)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let (application, _) = application_for(&state, &ctx, &id).await?;
    let form = FormData(crate::pages::date_parts("date", state.clock.today()));
    render(step_form(&ctx, &application, &slug, &form, &FieldErrors::new(), champions(&state).await?)?)
}

type Check =
    fn(&[StaffEvent]) -> Result<canopy_domain::workforce::StaffRecord, canopy_domain::workforce::StaffRuleBroken>;

/// The staff record a start makes: a new worker in the vacancy's post, or an internal candidate
/// made permanent.
fn hire_for(
    application: &ApplicationRow,
    vacancy: &VacancyRow,
    form: &FormData,
    date: chrono::NaiveDate,
    errors: &mut FieldErrors,
) -> Option<Hire<Check>> {
    if let Some(staff_id) = &application.staff_id {
        let event = StaffEvent::EmploymentChanged { date, employment: Employment::Permanent };
        return Some(Hire::ExistingWorker { staff_id: staff_id.clone(), event, check: staff_record });
    }
    let input = StaffInput {
        name: application.candidate_name.clone(),
        swe_number: form.get("swe_number"),
        qualification: String::new(),
        institution: form.get("institution"),
    };
    let staff = validate_staff(&input).map_err(|e| errors.0.extend(e.0)).ok()?;
    let post = Post {
        team_id: vacancy.team_id.clone(),
        councils: vacancy.council_ids.clone(),
        job_title: vacancy.job_title.clone(),
        org_role: vacancy.org_role,
        grade: form.get("grade").trim().to_string(),
        fte: vacancy.fte,
    };
    if let Err(broken) = check_registration(&staff, &post) {
        errors.add("swe_number", broken.0);
        return None;
    }
    let joined = StaffEvent::Joined {
        date,
        post,
        employment: Employment::Permanent,
        start_origin: StartOrigin::from_code(&form.get("start_origin")),
    };
    Some(Hire::NewWorker { staff, joined, check: staff_record })
}

pub async fn save_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, slug)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let (application, vacancy) = application_for(&state, &ctx, &id).await?;
    let panel_choices = champions(&state).await?;
    let mut errors = FieldErrors::new();
    let date = past_date(&form, &mut errors, "date", "the date", state.clock.today(), true);
    let step = date.and_then(|date| match slug.as_str() {
        "shortlist" => Some(ApplicationStep::Shortlisted { date }),
        "interview" => {
            let panel: Vec<String> =
                form.all("panel").into_iter().filter(|p| panel_choices.iter().any(|(id, _)| id == p)).collect();
            if panel.is_empty() {
                errors.add("panel", "Select at least one recruitment champion for the panel");
            }
            Some(ApplicationStep::Interviewed { date, panel })
        }
        "offer" => Some(ApplicationStep::Offered { date }),
        "accept" => Some(ApplicationStep::Accepted { date }),
        "start" => Some(ApplicationStep::Started { date }),
        "withdraw" => Some(ApplicationStep::Withdrawn { date, reason: form.get("reason").trim().to_string() }),
        _ => None,
    });
    if !["shortlist", "interview", "offer", "accept", "start", "withdraw"].contains(&slug.as_str()) {
        return Err(AppError::NotFound);
    }
    if let (Some(step), true) = (step, errors.is_empty()) {
        let hire = match &step {
            ApplicationStep::Started { date } => hire_for(&application, &vacancy, &form, *date, &mut errors),
            _ => None,
        };
        if errors.is_empty() {
            match state.store.record_application_step(&ctx.audit(&state), &id, &step, hire).await {
                Ok(Ok(())) => return Ok(Redirect::to(&format!("/workforce/applications/{id}")).into_response()),
                Ok(Err(StepRefused::Recruitment(broken))) => errors.add("date", broken.0),
                Ok(Err(StepRefused::Staff(broken))) => errors.add("date", broken.0),
                Err(canopy_store::StoreError::Conflict { field, message }) => errors.add(&field, message),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let page = step_form(&ctx, &application, &slug, &form, &errors, panel_choices)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// A recruitment champion's interview list: the applications whose panel they sit on.
pub async fn interviews(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let mut rows = Vec::new();
    for a in state.store.interviews_of(&user.user_id).await? {
        let vacancy = state.store.vacancy(&a.vacancy_id).await?;
        rows.push(vec![
            Cell::link(&a.candidate_name, format!("/workforce/applications/{}", a.id)),
            Cell::text(&vacancy.job_title),
            Cell::text(a.stage.label()),
            Cell::text(show_date(a.stage_date)),
        ]);
    }
    let mut page = DetailPage::new(&ctx, "Your interviews", "/workforce");
    let mut table = Table::new("Interviews you sit on", &["Candidate", "Post", "Stage", "Since"], rows);
    table.empty = "You are not on any interview panel.".into();
    page.tables.push(table);
    render(page)
}
