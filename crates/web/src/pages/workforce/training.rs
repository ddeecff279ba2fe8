//! Training and development: the catalogue every worker can read, asking for a place for oneself,
//! the manager's decision, and HR's record of attendance and completion. Who asked is shown only
//! to those who may read their staff record.

use super::{may_read, may_supervise, render, show_date, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::pages::{codes, past_date};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::Action;
use canopy_domain::validation::{date_from_parts, required_text, FieldErrors};
use canopy_domain::workforce::{Programme, TrainingStatus};
use canopy_store::training::{CourseRow, NewCourse};

/// How many places requests hold: all but those declined or missed.
fn places_held(requests: &[canopy_store::training::TrainingRequestRow]) -> usize {
    requests.iter().filter(|r| r.status.holds_place()).count()
}

/// The course catalogue, soonest first, with the places left.
pub async fn catalogue(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let mut rows = Vec::new();
    for course in state.store.courses().await? {
        let requests = state.store.training_for_course(&course.id).await?;
        let holding = places_held(&requests);
        rows.push(vec![
            Cell::link(&course.title, format!("/workforce/training/{}", course.id)),
            Cell::text(course.programme.label()),
            Cell::text(&course.provider),
            Cell::text(show_date(course.starts)),
            Cell::text((course.places as usize).saturating_sub(holding).to_string()),
        ]);
    }
    let mut page = DetailPage::new(&ctx, "Training and development", "/workforce");
    if ctx.may_org(Action::ManageStaffRecords) {
        page.actions.push(Link::new("/workforce/training/new", "Add a course"));
    }
    let mut table =
        Table::new("Courses, events and programmes", &["Course", "Kind", "Provider", "Starts", "Places left"], rows);
    table.empty = "No courses are in the catalogue yet.".into();
    page.tables.push(table);
    render(page)
}

fn course_form(ctx: &Ctx, form: &FormData, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::text("title", "Title", form.get("title")),
        Field::choices(
            "programme",
            "Kind",
            "select",
            codes(Programme::ALL, Programme::code, Programme::label),
            &[form.get("programme")],
        ),
        Field::text("provider", "Provider", form.get("provider")),
        Field::date("starts", "Starts", form),
        Field::text("places", "Places", form.get("places")).width("govuk-input--width-3"),
    ];
    FormPage::new(ctx, "Add a course", "/workforce", "/workforce/training/new", "Add the course", fields, errors)
        .back("/workforce/training")
}

pub async fn new_course(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let form = FormData(crate::pages::date_parts("starts", state.clock.today()));
    render(course_form(&ctx, &form, &FieldErrors::new()))
}

pub async fn create_course(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let title = required_text(&mut errors, "title", "the title", &form.get("title"), 200);
    let provider = required_text(&mut errors, "provider", "the provider", &form.get("provider"), 200);
    let programme = crate::pages::chosen(&mut errors, &form, "programme", Programme::from_code, "the kind of course");
    let part = |p: &str| form.get(&format!("starts-{p}"));
    let starts = date_from_parts("the start", &part("day"), &part("month"), &part("year"))
        .map_err(|e| errors.add("starts", e))
        .ok();
    let places = form.get("places").trim().parse::<u32>().ok().filter(|p| (1..=500).contains(p));
    if places.is_none() {
        errors.add("places", "Enter the number of places, from 1 to 500");
    }
    if let (Some(programme), Some(starts), Some(places), true) = (programme, starts, places, errors.is_empty()) {
        let id = state
            .store
            .add_course(&ctx.audit(&state), &NewCourse { title, programme, provider, starts, places })
            .await?;
        return Ok(Redirect::to(&format!("/workforce/training/{id}")).into_response());
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(course_form(&ctx, &form, &errors))?).into_response())
}

async fn course_for(state: &AppState, id: &str) -> Result<CourseRow, AppError> {
    state.store.course(id).await.map_err(|_| AppError::NotFound)
}

/// A course: who asked for a place (as far as the user may see), and asking for one.
pub async fn course(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let course = course_for(&state, &id).await?;
    let user = ctx.user()?;
    let mine = state.store.staff_of_user(&user.user_id).await?;
    let requests = state.store.training_for_course(&id).await?;
    let mut page = DetailPage::new(&ctx, &course.title, "/workforce");
    page.caption = course.programme.label().into();
    page.summary = vec![
        ("Provider".into(), course.provider.clone()),
        ("Starts".into(), show_date(course.starts)),
        ("Places".into(), course.places.to_string()),
    ];
    let holding = places_held(&requests);
    page.summary.push(("Places left".into(), (course.places as usize).saturating_sub(holding).to_string()));
    let room = holding < course.places as usize;
    if room && mine.is_some_and(|m| m.in_post && !requests.iter().any(|r| r.staff_id == m.id)) {
        page.actions.push(Link::new(format!("/workforce/training/{id}/request"), "Ask for a place"));
    }
    let mut rows = Vec::new();
    for r in &requests {
        let staff = state.store.staff_member(&r.staff_id).await?;
        if !may_read(&ctx, &staff)? {
            continue;
        }
        let mut cell = vec![
            Cell::link(&staff.name, format!("/workforce/staff/{}", staff.id)),
            Cell::text(r.status.label()),
            Cell::text(show_date(r.status_date)),
        ];
        let may_step = r.status.next().iter().any(|to| match to.is_decision() {
            true => may_supervise(&ctx, &staff).unwrap_or(false),
            false => ctx.may_org(Action::ManageStaffRecords),
        });
        cell.push(match may_step {
            true => Cell::link("Record the next step", format!("/workforce/training/requests/{}", r.id)),
            false => Cell::text(""),
        });
        rows.push(cell);
    }
    let mut table = Table::new("Places asked for", &["Worker", "Status", "Since", "Next"], rows);
    table.empty = "Nobody you may see has asked for a place.".into();
    page.tables.push(table);
    page.actions.push(Link::new("/workforce/training", "Back to the catalogue"));
    render(page)
}

fn request_form(ctx: &Ctx, course: &CourseRow, form: &FormData, errors: &FieldErrors) -> FormPage {
    let action = format!("/workforce/training/{}/request", course.id);
    let mut page = FormPage::new(
        ctx,
        "Ask for a place",
        "/workforce",
        &action,
        "Ask for a place",
        vec![Field::date("date", "Asked on", form)],
        errors,
    )
    .back(&format!("/workforce/training/{}", course.id));
    page.caption = course.title.clone();
    page.intro = "Your manager decides; you will see the decision on your staff record.".into();
    page
}

pub async fn show_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let course = course_for(&state, &id).await?;
    let form = FormData(crate::pages::date_parts("date", state.clock.today()));
    render(request_form(&ctx, &course, &form, &FieldErrors::new()))
}

/// Asks for a place for the signed-in worker's own staff record.
pub async fn save_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let course = course_for(&state, &id).await?;
    let user = ctx.user()?;
    let Some(me) = state.store.staff_of_user(&user.user_id).await?.filter(|m| m.in_post) else {
        return Err(AppError::NotFound);
    };
    let mut errors = FieldErrors::new();
    if let Some(on) = past_date(&form, &mut errors, "date", "the date", state.clock.today(), true) {
        match state.store.request_training(&ctx.audit(&state), &course.id, &me.id, on).await? {
            Ok(_) => return Ok(Redirect::to(&format!("/workforce/training/{}", course.id)).into_response()),
            Err(broken) => errors.add("date", broken.0),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(request_form(&ctx, &course, &form, &errors))?).into_response())
}

/// The steps the user may record for a request: the manager decides, HR records the rest.
async fn steps_for(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(canopy_store::training::TrainingRequestRow, CourseRow, String, Vec<TrainingStatus>), AppError> {
    let request = state.store.training_request(id).await.map_err(|_| AppError::NotFound)?;
    let staff = state.store.staff_member(&request.staff_id).await?;
    if !may_read(ctx, &staff)? {
        return Err(AppError::NotFound);
    }
    let course = state.store.course(&request.course_id).await?;
    let steps: Vec<TrainingStatus> = request
        .status
        .next()
        .iter()
        .copied()
        .filter(|to| {
            if to.is_decision() {
                may_supervise(ctx, &staff).unwrap_or(false)
            } else {
                ctx.may_org(Action::ManageStaffRecords)
            }
        })
        .collect();
    if steps.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok((request, course, staff.name, steps))
}

fn step_form(
    ctx: &Ctx,
    id: &str,
    course: &CourseRow,
    name: &str,
    steps: &[TrainingStatus],
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let choices = steps.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect();
    let fields = vec![
        Field::choices("status", "What happened", "radios", choices, &[form.get("status")]),
        Field::date("date", "Date", form),
    ];
    let action = format!("/workforce/training/requests/{id}");
    let mut page =
        FormPage::new(ctx, &format!("{name}: {}", course.title), "/workforce", &action, "Save", fields, errors)
            .back(&format!("/workforce/training/{}", course.id));
    page.caption = "Training request".into();
    page
}

pub async fn show_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let (_, course, name, steps) = steps_for(&state, &ctx, &id).await?;
    let form = FormData(crate::pages::date_parts("date", state.clock.today()));
    render(step_form(&ctx, &id, &course, &name, &steps, &form, &FieldErrors::new()))
}

pub async fn save_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let (_, course, name, steps) = steps_for(&state, &ctx, &id).await?;
    let mut errors = FieldErrors::new();
    let to = TrainingStatus::from_code(&form.get("status")).filter(|s| steps.contains(s));
    if to.is_none() {
        errors.add("status", "Select what happened");
    }
    let on = past_date(&form, &mut errors, "date", "the date", state.clock.today(), true);
    if let (Some(to), Some(on), true) = (to, on, errors.is_empty()) {
        match state.store.record_training_step(&ctx.audit(&state), &id, to, on).await? {
            Ok(()) => return Ok(Redirect::to(&format!("/workforce/training/{}", course.id)).into_response()),
            Err(broken) => errors.add("date", broken.0),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(step_form(&ctx, &id, &course, &name, &steps, &form, &errors))?)
        .into_response())
}
