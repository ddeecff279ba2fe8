//! The workforce: the staff directory and each worker's record (HR and workforce staff see every
//! record, managers their own teams', each worker their own), the forms that keep the record, and
//! the dashboard of workforce measures. Every read of a record is audited.

pub(crate) mod chart;
mod dashboard;
mod forms;
mod recruitment;
mod training;

pub use dashboard::dashboard;
pub(crate) use dashboard::{Figures, Of};
pub(crate) use recruitment::may_see_vacancy;
pub use recruitment::{
    application, create_vacancy, interviews, new_vacancy, save_apply, save_step, show_apply, show_step, vacancies,
    vacancy,
};
pub use training::{catalogue, course, create_course, new_course, save_request, show_request};
pub use training::{save_step as save_training_step, show_step as show_training_step};

use super::{render, show_date, show_time, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action};
use canopy_domain::validation::FieldErrors;
use canopy_domain::workforce::{
    check_registration, staff_record, supervision_due, validate_staff, StaffEvent, StaffInput, StaffRecord,
    SupervisionRule,
};
use canopy_store::workforce::StaffRow;
use canopy_store::AuditEvent;
use forms::Change;
use serde::Deserialize;

/// Whether the user may read this worker's record: by their workforce reach, or as their own.
pub(crate) fn may_read(ctx: &Ctx, row: &StaffRow) -> Result<bool, AppError> {
    let user = ctx.user()?;
    let resources = row.resources();
    Ok(resources.iter().any(|r| may(&user.actor, Action::ViewStaffRecords, r))
        || resources.iter().any(|r| may(&user.actor, Action::ViewOwnStaffRecord, r)))
}

/// A worker's record if the user may read it (otherwise "not found", like a missing one), with
/// the read audited.
pub(crate) async fn staff_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<StaffRow, AppError> {
    let row = match state.store.staff_member(id).await {
        Ok(row) => row,
        Err(canopy_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if !may_read(ctx, &row)? {
        return Err(AppError::NotFound);
    }
    state.store.audit(&ctx.audit(state), AuditEvent::succeeded("view_staff", "staff", id)).await?;
    Ok(row)
}

/// The teams the user may put staff in, as (id, name), and each team's councils.
async fn teams(state: &AppState) -> Result<(Vec<(String, String)>, Vec<(String, Vec<String>)>), AppError> {
    let teams = state.store.list_teams(&canopy_store::Scope::Organisation).await?;
    let names = teams.iter().map(|t| (t.id.clone(), t.name.clone())).collect();
    let councils = teams.into_iter().map(|t| (t.id, t.council_ids)).collect();
    Ok((names, councils))
}

fn councils_of(councils: &[(String, Vec<String>)], team_id: &str) -> Option<Vec<String>> {
    councils.iter().find(|(id, c)| id == team_id && !c.is_empty()).map(|(_, c)| c.clone())
}

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub leavers: bool,
}

/// The staff directory: the workers the user may see, in post (or leavers too), by name.
pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<DirectoryQuery>,
) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let wanted = query.name.trim().to_lowercase();
    let teams = state.store.list_teams(&canopy_store::Scope::Organisation).await?;
    let team_name = |id: &Option<String>| {
        id.as_ref().and_then(|id| teams.iter().find(|t| &t.id == id)).map(|t| t.name.clone()).unwrap_or_default()
    };
    let rows: Vec<Vec<Cell>> = state
        .store
        .staff()
        .await?
        .into_iter()
        .filter(|s| s.in_post || query.leavers)
        .filter(|s| wanted.is_empty() || s.name.to_lowercase().contains(&wanted))
        .filter(|s| s.resources().iter().any(|r| may(&user.actor, Action::ViewStaffRecords, r)))
        .take(500)
        .map(|s| {
            vec![
                Cell::link(&s.name, format!("/workforce/staff/{}", s.id)),
                Cell::text(&s.job_title),
                Cell::text(team_name(&s.team_id)),
                Cell::text(&s.employment),
                Cell::text(if s.in_post { "In post" } else { "Left" }),
            ]
        })
        .collect();
    let mut page = DetailPage::new(&ctx, "Staff", "/workforce");
    if ctx.may_org(Action::ManageStaffRecords) {
        page.actions.push(Link::new("/workforce/staff/new", "Add a worker"));
    }
    page.actions.push(Link::new("/workforce", "Workforce measures"));
    page.actions.push(Link::new("/workforce/staff?leavers=true", "Include leavers"));
    let mut table = Table::new("Staff", &["Name", "Job", "Team", "Employment", "Status"], rows);
    table.empty = "No staff records you may see match.".into();
    page.tables.push(table);
    render(page)
}

fn record_page(ctx: &Ctx, row: &StaffRow, record: &StaffRecord, history: Vec<Vec<Cell>>, manage: bool) -> DetailPage {
    let mut page = DetailPage::new(ctx, &row.name, "/workforce");
    page.caption = "Staff record".into();
    let now = record.now();
    page.summary = vec![
        ("Job".into(), row.job_title.clone()),
        ("Employment".into(), row.employment.clone()),
        ("Status".into(), if row.in_post { "In post".into() } else { "Left".into() }),
        ("Social Work England number".into(), row.swe_number.as_ref().map(|n| n.to_string()).unwrap_or_default()),
        ("Qualification".into(), row.qualification.map(|q| q.label().to_string()).unwrap_or_default()),
        ("Qualified at".into(), row.institution.clone().unwrap_or_default()),
    ];
    if let Some(state) = now {
        page.summary.push(("Full-time equivalent".into(), state.post.fte.to_string()));
        page.summary.push(("Grade".into(), state.post.grade.clone()));
        page.summary.push((
            "Census role".into(),
            state.post.org_role.map(|r| r.label().to_string()).unwrap_or_else(|| "Not a social work post".into()),
        ));
        page.summary.push(("In post since".into(), show_date(state.since)));
    }
    if let Some((date, status)) = record.cfkss {
        page.summary.push(("Knowledge and skills".into(), format!("{} since {}", status.label(), show_date(date))));
    }
    if manage {
        let open: Vec<Change> = match now {
            Some(_) => Change::ALL.to_vec(),
            None => vec![],
        };
        for change in open {
            page.actions.push(Link::new(format!("/workforce/staff/{}/{}", row.id, change.slug()), change.title()));
        }
    }
    page.tables.push(Table::new("History", &["Date", "What happened", "Recorded"], history));
    page
}

/// A worker's record: who they are, their post now, and their history.
pub async fn staff_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let row = staff_for(&state, &ctx, &id).await?;
    let history = state.store.staff_history(&id).await?;
    let events: Vec<StaffEvent> = history.iter().map(|h| h.event.clone()).collect();
    let record = staff_record(&events).map_err(|e| AppError::Internal(format!("stored staff history of {id}: {e}")))?;
    let rows = history
        .iter()
        .rev()
        .map(|h| {
            vec![Cell::text(show_date(h.event.date())), Cell::text(h.event.describe()), Cell::text(show_time(h.at_ms))]
        })
        .collect();
    let manage = ctx.may_org(Action::ManageStaffRecords);
    let mut page = record_page(&ctx, &row, &record, rows, manage);
    if let Some(state_now) = record.now() {
        let cover = match &state_now.employment {
            canopy_domain::workforce::Employment::SecondedOut { cover, .. }
            | canopy_domain::workforce::Employment::PlacedOut { cover, .. } => cover.clone(),
            _ => None,
        };
        if let Some(cover) = cover {
            let name = state.store.staff_member(&cover).await.map(|s| s.name).unwrap_or_default();
            page.summary.push(("Covered at home by".into(), name));
        }
    }
    let sessions = state.store.supervision_sessions(&id).await?;
    let due =
        supervision_due(&record, sessions.first().map(|s| s.held_on), SupervisionRule::default(), state.clock.today());
    if let Some(due) = due {
        page.summary.push(("Next supervision due".into(), show_date(due)));
    }
    if may_supervise(&ctx, &row)? && record.now().is_some() {
        page.actions.insert(0, Link::new(format!("/workforce/staff/{id}/supervision"), "Record a supervision session"));
    }
    let users = state.store.list_users().await?;
    let name = |id: &str| users.iter().find(|u| u.id == id).map(|u| u.display_name.clone()).unwrap_or_default();
    let supervision = sessions
        .iter()
        .map(|s| {
            vec![
                Cell::text(show_date(s.held_on)),
                Cell::text(name(&s.supervisor_id)),
                Cell::text(if s.kind == "group" { "Group" } else { "One to one" }),
                Cell::text(&s.note),
            ]
        })
        .collect();
    let mut table = Table::new("Supervision", &["Date", "Supervisor", "Kind", "Note"], supervision);
    table.empty = "No supervision is recorded.".into();
    page.tables.insert(0, table);
    let mut training = Vec::new();
    for r in state.store.training_for_staff(&id).await? {
        let course = state.store.course(&r.course_id).await?;
        training.push(vec![
            Cell::link(&course.title, format!("/workforce/training/{}", course.id)),
            Cell::text(course.programme.label()),
            Cell::text(r.status.label()),
            Cell::text(show_date(r.status_date)),
        ]);
    }
    let mut table = Table::new("Training", &["Course", "Kind", "Status", "Since"], training);
    table.empty = "No training is recorded.".into();
    page.tables.insert(1, table);
    if let Some((began, canopy_domain::workforce::Cfkss::Asye)) = record.cfkss {
        for (milestone, due) in canopy_domain::workforce::asye_milestones(began) {
            let passed = record.asye_passed.iter().find(|(name, _)| name == milestone).map(|(_, on)| *on);
            let state = match passed {
                Some(on) => format!("Passed {}", show_date(on)),
                None => format!("Due {}", show_date(due)),
            };
            page.summary.push((format!("ASYE {}", milestone.to_lowercase()), state));
        }
    }
    render(page)
}

pub(crate) fn may_supervise(ctx: &Ctx, row: &StaffRow) -> Result<bool, AppError> {
    let user = ctx.user()?;
    Ok(user.user_id.as_str() != row.user_id.as_deref().unwrap_or("")
        && row.resources().iter().any(|r| may(&user.actor, Action::SuperviseStaff, r)))
}

fn supervision_form(ctx: &Ctx, row: &StaffRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let kinds =
        vec![("one_to_one".to_string(), "One to one".to_string()), ("group".into(), "Group supervision".into())];
    let fields = vec![
        Field::date("date", "Date", form),
        Field::choices("kind", "Kind", "radios", kinds, &[form.get("kind")]),
        Field::text("note", "Note (optional)", form.get("note"))
            .kind("textarea")
            .hint("What was agreed, not case detail: that belongs on each child's record"),
    ];
    let action = format!("/workforce/staff/{}/supervision", row.id);
    let mut page = FormPage::new(ctx, "Record a supervision session", "/workforce", &action, "Save", fields, errors)
        .back(&format!("/workforce/staff/{}", row.id));
    page.caption = row.name.clone();
    page
}

async fn supervisable(state: &AppState, ctx: &Ctx, id: &str) -> Result<StaffRow, AppError> {
    let row = staff_for(state, ctx, id).await?;
    if !may_supervise(ctx, &row)? || !row.in_post {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

pub async fn show_supervision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let row = supervisable(&state, &ctx, &id).await?;
    let form = FormData(super::date_parts("date", state.clock.today()));
    render(supervision_form(&ctx, &row, &form, &FieldErrors::new()))
}

pub async fn save_supervision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let row = supervisable(&state, &ctx, &id).await?;
    let mut errors = FieldErrors::new();
    let date = super::past_date(&form, &mut errors, "date", "the date", state.clock.today(), true);
    let kind = form.get("kind");
    if !["one_to_one", "group"].contains(&kind.as_str()) {
        errors.add("kind", "Select the kind of supervision");
    }
    let note = form.get("note").trim().to_string();
    if note.chars().count() > 2000 {
        errors.add("note", "The note must be 2,000 characters or fewer");
    }
    if let (Some(held_on), true) = (date, errors.is_empty()) {
        let session =
            canopy_store::workforce::SupervisionRow { held_on, supervisor_id: ctx.user()?.user_id.clone(), kind, note };
        state.store.record_supervision(&ctx.audit(&state), &id, &session).await?;
        return Ok(Redirect::to(&format!("/workforce/staff/{id}")).into_response());
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(supervision_form(&ctx, &row, &form, &errors))?).into_response())
}

/// For a manager's work tray: the workers in their teams whose supervision is due or overdue
/// within the next week.
pub(crate) async fn supervision_tray(state: &AppState, ctx: &Ctx) -> Result<Option<Table>, AppError> {
    let user = ctx.user()?;
    if !user.actor.holds(canopy_domain::access::Permission::CaseAllocate) || user.actor.teams.is_empty() {
        return Ok(None);
    }
    let today = state.clock.today();
    let teams: Vec<String> = user.actor.teams.iter().cloned().collect();
    let mut rows = Vec::new();
    for (row, events, last) in state.store.team_staff_for_supervision(&teams).await? {
        if !may_supervise(ctx, &row)? {
            continue;
        }
        let record = staff_record(&events)
            .map_err(|e| AppError::Internal(format!("stored staff history of {}: {e}", row.id)))?;
        let Some(due) = supervision_due(&record, last, SupervisionRule::default(), today) else { continue };
        if due <= today + chrono::Days::new(7) {
            let status = if due < today { "Overdue" } else { "Due" };
            rows.push((
                due,
                vec![
                    Cell::text(status),
                    Cell::link(&row.name, format!("/workforce/staff/{}", row.id)),
                    Cell::text(show_date(due)),
                ],
            ));
        }
    }
    rows.sort_by_key(|(due, _)| *due);
    let mut table = Table::new(
        "Supervision due in your teams",
        &["Status", "Worker", "Due"],
        rows.into_iter().map(|(_, r)| r).collect(),
    );
    table.empty = "Every worker in your teams has supervision in hand.".into();
    Ok(Some(table))
}

/// The signed-in worker's own record.
pub async fn own_record(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.user()?;
    match state.store.staff_of_user(&user.user_id).await? {
        Some(row) => Ok(Redirect::to(&format!("/workforce/staff/{}", row.id)).into_response()),
        None => Err(AppError::NotFound),
    }
}

fn joining_form(ctx: &Ctx, form: &FormData, errors: &FieldErrors, teams: &[(String, String)]) -> FormPage {
    FormPage::new(
        ctx,
        "Add a worker",
        "/workforce",
        "/workforce/staff/new",
        "Add the worker",
        forms::joining_fields(form, teams),
        errors,
    )
    .back("/workforce/staff")
}

pub async fn new_staff(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let (names, _) = teams(&state).await?;
    let mut form = FormData(super::date_parts("date", state.clock.today()));
    form.0.push(("fte".into(), "1".into()));
    render(joining_form(&ctx, &form, &FieldErrors::new(), &names))
}

pub async fn create_staff(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let (names, councils) = teams(&state).await?;
    let input = StaffInput {
        name: form.get("name"),
        swe_number: form.get("swe_number"),
        qualification: form.get("qualification"),
        institution: form.get("institution"),
    };
    let mut errors = FieldErrors::new();
    let valid = validate_staff(&input).map_err(|e| errors.0.extend(e.0)).ok();
    let email = form.get("email").trim().to_lowercase();
    let user_id = match email.as_str() {
        "" => None,
        email => match state.store.credentials_by_email(email).await? {
            Some(c) => Some(c.user_id),
            None => {
                errors.add("email", "No Canopy user has that email; leave it empty if they do not sign in");
                None
            }
        },
    };
    let joined =
        forms::parse_joining(&form, councils_of(&councils, &form.get("team_id")), state.clock.today(), &mut errors);
    if let (Some(valid), Some(joined), true) = (&valid, &joined, errors.is_empty()) {
        let check = |events: &[StaffEvent]| {
            if let Some(StaffEvent::Joined { post, .. }) = events.first() {
                check_registration(valid, post)?;
            }
            staff_record(events)
        };
        match state.store.add_staff(&ctx.audit(&state), valid, user_id.as_deref(), joined, check).await {
            Ok(Ok(id)) => return Ok(Redirect::to(&format!("/workforce/staff/{id}")).into_response()),
            Ok(Err(broken)) => errors.add("date", broken.0),
            Err(canopy_store::StoreError::Conflict { field, message }) => errors.add(&field, message),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(joining_form(&ctx, &form, &errors, &names))?).into_response())
}

fn change_form(
    ctx: &Ctx,
    row: &StaffRow,
    change: Change,
    form: &FormData,
    errors: &FieldErrors,
    teams: &[(String, String)],
    staff: &[(String, String)],
) -> FormPage {
    let action = format!("/workforce/staff/{}/{}", row.id, change.slug());
    let fields = forms::change_fields(change, form, teams, staff);
    let mut page = FormPage::new(ctx, change.title(), "/workforce", &action, "Save", fields, errors)
        .back(&format!("/workforce/staff/{}", row.id));
    page.caption = row.name.clone();
    page
}

/// Who could cover a worker's post at home: the other staff in post.
async fn cover_choices(state: &AppState, row: &StaffRow) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .store
        .staff()
        .await?
        .into_iter()
        .filter(|s| s.in_post && s.id != row.id)
        .map(|s| (s.id, format!("{} ({})", s.name, s.employment)))
        .collect())
}

pub async fn show_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, change)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let change = Change::from_slug(&change).ok_or(AppError::NotFound)?;
    let row = staff_for(&state, &ctx, &id).await?;
    let (names, _) = teams(&state).await?;
    let today = state.clock.today();
    let mut form = FormData(super::date_parts("date", today));
    form.0.extend(super::date_parts("start", today));
    form.0.extend(super::date_parts("end", today));
    let staff = cover_choices(&state, &row).await?;
    render(change_form(&ctx, &row, change, &form, &FieldErrors::new(), &names, &staff))
}

pub async fn save_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, change)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let change = Change::from_slug(&change).ok_or(AppError::NotFound)?;
    let row = staff_for(&state, &ctx, &id).await?;
    let (names, councils) = teams(&state).await?;
    let staff = cover_choices(&state, &row).await?;
    let cover = form.get("cover");
    let parsed =
        match forms::parse_change(change, &form, councils_of(&councils, &form.get("team_id")), state.clock.today()) {
            Ok(_) if !cover.is_empty() && !staff.iter().any(|(id, _)| *id == cover) => {
                Err(FieldErrors::one("cover", "Select a worker in post to cover"))
            }
            other => other,
        };
    let errors = match parsed {
        Ok(event) => match state.store.record_staff_event(&ctx.audit(&state), &id, &event, staff_record).await? {
            Ok(()) => return Ok(Redirect::to(&format!("/workforce/staff/{id}")).into_response()),
            Err(broken) => FieldErrors::one(if change == Change::Absence { "start" } else { "date" }, broken.0),
        },
        Err(errors) => errors,
    };
    let page = change_form(&ctx, &row, change, &form, &errors, &names, &staff);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}
