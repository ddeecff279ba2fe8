//! The adoption service that every council shares: its board of children and adopters by stage,
//! adopters' records and their steps, and an independent reviewing officer's list of reviews.

use super::children::{care_history_of, case_scope};
use super::{render, show_date, show_time, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action};
use canopy_domain::adoption::{validate_adopters, AdopterEvent, AdopterInput, AdopterStage};
use canopy_domain::cases::care::{AdopterLegalStatus, AdopterSexes, AdoptionStage};
use canopy_domain::cases::{clock_status, ClockKind};
use canopy_domain::validation::FieldErrors;
use canopy_store::adoption::AdopterRow;
use canopy_store::children::ChildRow;
use canopy_store::AuditEvent;
use chrono::NaiveDate;

/// The children in adoption whom the user may see, with their stage, in stage order.
pub(crate) async fn children_on_board(state: &AppState, ctx: &Ctx) -> Result<Vec<(ChildRow, AdoptionStage)>, AppError> {
    let user = ctx.user()?;
    let mut children: Vec<(ChildRow, AdoptionStage)> = state
        .store
        .children_in_adoption(&case_scope(ctx)?)
        .await?
        .into_iter()
        .filter(|c| may(&user.actor, Action::ViewChildRecord, &c.resource()))
        .filter_map(|c| {
            let stage = c.adoption_stage.as_deref().and_then(AdoptionStage::from_code)?;
            Some((c, stage))
        })
        .collect();
    children.sort_by_key(|(c, stage)| (*stage, c.last_name.clone()));
    Ok(children)
}

fn counts<T: Copy + PartialEq>(all: &[T], of: impl Iterator<Item = T> + Clone, label: fn(T) -> &'static str) -> Table {
    Table::new(
        "",
        &["Stage", "Number"],
        all.iter()
            .map(|s| vec![Cell::text(label(*s)), Cell::text(of.clone().filter(|x| x == s).count().to_string())])
            .collect(),
    )
}

pub async fn board(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let children = children_on_board(&state, &ctx).await?;
    let councils = state.store.list_councils(&canopy_store::Scope::Organisation).await?;
    let council_name = |id: &str| councils.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    let mut page = DetailPage::new(&ctx, "Adoption service", "/adoption");
    page.intro = "One adoption service for every council. Each child's record stays with their own council.".into();
    let mut by_stage = counts(AdoptionStage::ALL, children.iter().map(|(_, s)| *s), AdoptionStage::label);
    by_stage.title = "Children by stage".into();
    page.tables.push(by_stage);
    page.tables.push(Table::new(
        "Children in adoption",
        &["Child", "Council", "Stage"],
        children
            .iter()
            .map(|(c, stage)| {
                vec![
                    Cell::link(c.full_name(), format!("/children/{}", c.id)),
                    Cell::text(council_name(&c.council_id)),
                    Cell::text(stage.label()),
                ]
            })
            .collect(),
    ));
    if ctx.may_org(Action::WorkInAdoption) {
        page.actions.push(Link::new("/adoption/adopters/new", "Add prospective adopters"));
        let adopters = state.store.adopters().await?;
        let mut by_stage = counts(AdopterStage::ALL, adopters.iter().map(|a| a.stage), AdopterStage::label);
        by_stage.title = "Adopters by stage".into();
        page.tables.push(by_stage);
        page.tables.push(Table::new(
            "Adopters",
            &["Adopters", "Stage", "Since"],
            adopters
                .iter()
                .map(|a| {
                    vec![
                        Cell::link(&a.name, format!("/adoption/adopters/{}", a.id)),
                        Cell::text(a.stage.label()),
                        Cell::text(show_date(a.stage_date)),
                    ]
                })
                .collect(),
        ));
    }
    render(page)
}

fn adopters_form(ctx: &Ctx, form: &FormData, errors: &FieldErrors) -> FormPage {
    let choices = |all: &[(String, String)]| {
        std::iter::once((String::new(), "Choose one".to_string())).chain(all.iter().cloned()).collect::<Vec<_>>()
    };
    let sexes: Vec<(String, String)> = AdopterSexes::ALL.iter().map(|s| (s.code().into(), s.label().into())).collect();
    let statuses: Vec<(String, String)> =
        AdopterLegalStatus::ALL.iter().map(|s| (s.code().into(), s.label().into())).collect();
    let fields = vec![
        Field::text("name", "The adopters' names", form.get("name")).hint("For example, Sam and Alex Taylor"),
        Field::choices("sexes", "Who the adopters are", "select", choices(&sexes), &[form.get("sexes")]),
        Field::choices("legal_status", "Their legal status", "select", choices(&statuses), &[form.get("legal_status")]),
        Field::date("date", "Date of the enquiry", form),
    ];
    FormPage::new(ctx, "Add prospective adopters", "/adoption", "/adoption/adopters/new", "Add", fields, errors)
        .back("/adoption")
}

pub async fn new_adopters(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let form = FormData(super::date_parts("date", state.clock.today()));
    render(adopters_form(&ctx, &form, &FieldErrors::new()))
}

/// Checks new adopters and adds them from their enquiry.
pub(crate) async fn add_adopters(
    state: &AppState,
    ctx: &Ctx,
    input: &AdopterInput,
    enquired: Option<NaiveDate>,
    mut errors: FieldErrors,
) -> Result<Result<String, FieldErrors>, AppError> {
    let valid = validate_adopters(input);
    if let Err(e) = &valid {
        errors.0.extend(e.0.iter().cloned());
    }
    match (valid, enquired) {
        (Ok(valid), Some(date)) if errors.is_empty() => {
            Ok(Ok(state.store.add_adopters(&ctx.audit(state), &valid, date).await?))
        }
        _ => Ok(Err(errors)),
    }
}

pub async fn create_adopters(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let date = super::past_date(&form, &mut errors, "date", "the date of the enquiry", state.clock.today(), true);
    let input =
        AdopterInput { name: form.get("name"), sexes: form.get("sexes"), legal_status: form.get("legal_status") };
    match add_adopters(&state, &ctx, &input, date, errors).await? {
        Ok(id) => Ok(Redirect::to(&format!("/adoption/adopters/{id}")).into_response()),
        Err(errors) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(adopters_form(&ctx, &form, &errors))?).into_response())
        }
    }
}

/// Loads adopters and audits the read: their record is as sensitive as a child's.
pub(crate) async fn adopters_for(state: &AppState, ctx: &Ctx, id: &str) -> Result<AdopterRow, AppError> {
    let adopters = state.store.adopter(id).await?;
    state.store.audit(&ctx.audit(state), AuditEvent::succeeded("view_adopters", "adopters", id)).await?;
    Ok(adopters)
}

pub async fn adopters_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let adopters = adopters_for(&state, &ctx, &id).await?;
    let history = state.store.adopter_history(&id).await?;
    let mut page = DetailPage::new(&ctx, &adopters.name, "/adoption");
    page.caption = "Prospective adopters".into();
    page.summary = vec![
        ("Stage".into(), adopters.stage.label().into()),
        ("Since".into(), show_date(adopters.stage_date)),
        ("Who they are".into(), AdopterSexes::from_code(&adopters.sexes).map(|s| s.label()).unwrap_or("").into()),
        (
            "Legal status".into(),
            AdopterLegalStatus::from_code(&adopters.legal_status).map(|s| s.label()).unwrap_or("").into(),
        ),
    ];
    if let Some(next) = adopters.stage.next_by_hand() {
        page.actions.push(Link::new(
            format!("/adoption/adopters/{id}/move-on"),
            format!("Move on to {}", next.label().to_lowercase()),
        ));
    }
    if adopters.stage.is_open() {
        page.actions.push(Link::new(format!("/adoption/adopters/{id}/leave"), "Record that they left the process"));
    }
    page.tables.push(Table::new(
        "History",
        &["Date", "What happened", "Recorded"],
        history
            .iter()
            .rev()
            .map(|h| {
                vec![
                    Cell::text(show_date(h.event.date())),
                    Cell::text(h.event.describe()),
                    Cell::text(show_time(h.at_ms)),
                ]
            })
            .collect(),
    ));
    page.actions.push(Link::new("/adoption", "Back to the adoption board"));
    render(page)
}

fn step_form(
    ctx: &Ctx,
    adopters: &AdopterRow,
    step: &str,
    form: &FormData,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let mut fields = vec![Field::date("date", "Date", form)];
    let title = match (step, adopters.stage.next_by_hand()) {
        ("move-on", Some(next)) => format!("Move on to {}", next.label().to_lowercase()),
        ("leave", _) => {
            fields.push(Field::text("reason", "Why they left", form.get("reason")).kind("textarea"));
            "Record that the adopters left the process".into()
        }
        _ => return Err(AppError::NotFound),
    };
    let action = format!("/adoption/adopters/{}/{step}", adopters.id);
    let mut page = FormPage::new(ctx, &title, "/adoption", &action, "Save", fields, errors)
        .back(&format!("/adoption/adopters/{}", adopters.id));
    page.caption = adopters.name.clone();
    Ok(page)
}

pub async fn show_adopter_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let adopters = adopters_for(&state, &ctx, &id).await?;
    let form = FormData(super::date_parts("date", state.clock.today()));
    render(step_form(&ctx, &adopters, &step, &form, &FieldErrors::new())?)
}

pub async fn save_adopter_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, AppError> {
    let adopters = state.store.adopter(&id).await?;
    let mut errors = FieldErrors::new();
    let date = super::past_date(&form, &mut errors, "date", "the date", state.clock.today(), true);
    let event = match (step.as_str(), date, adopters.stage.next_by_hand()) {
        ("move-on", Some(date), Some(to)) => Some(AdopterEvent::MovedOn { date, to }),
        ("leave", Some(date), _) => {
            Some(AdopterEvent::LeftProcess { date, reason: form.get("reason").trim().to_string() })
        }
        ("move-on" | "leave", _, _) => None,
        _ => return Err(AppError::NotFound),
    };
    if let Some(event) = event {
        match state.store.record_adopter_event(&ctx.audit(&state), &id, &event).await? {
            Ok(()) => return Ok(Redirect::to(&format!("/adoption/adopters/{id}")).into_response()),
            Err(broken) => errors.add("date", broken.0),
        }
    }
    let page = step_form(&ctx, &adopters, &step, &form, &errors)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// An IRO's list: the looked-after children they review, when each next review is due, and the
/// reviews they chaired.
pub async fn iro_reviews(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let today = state.clock.today();
    let children = state.store.children_of_iro(&case_scope(&ctx)?, &user.user_id).await?;
    let mut due_rows = Vec::new();
    let mut held_rows = Vec::new();
    let mut calendars = std::collections::HashMap::new();
    for child in children.iter().filter(|c| may(&user.actor, Action::ViewChildRecord, &c.resource())) {
        let history = care_history_of(&state, child).await?;
        if !calendars.contains_key(&child.council_id) {
            calendars.insert(child.council_id.clone(), state.store.council_calendar(&child.council_id).await?);
        }
        let Some(calendar) = calendars.get(&child.council_id) else { continue };
        let next =
            history.clocks(calendar, child.date_of_birth).into_iter().find(|c| c.kind == ClockKind::LookedAfterReview);
        let status = next.as_ref().map(|c| clock_status(c.due, today, calendar).label());
        due_rows.push((
            next.as_ref().map(|c| c.due),
            vec![
                Cell::link(child.full_name(), format!("/children/{}", child.id)),
                Cell::text(next.as_ref().map(|c| show_date(c.due)).unwrap_or_else(|| "No review due".into())),
                Cell::text(status.unwrap_or_default()),
            ],
        ));
        for review in history.reviews.iter().filter(|r| r.chair.as_deref() == Some(user.user_id.as_str())) {
            held_rows.push((
                review.date,
                vec![
                    Cell::text(show_date(review.date)),
                    Cell::link(child.full_name(), format!("/children/{}", child.id)),
                    Cell::text(format!("{} ({})", review.participation.label(), review.participation.code())),
                ],
            ));
        }
    }
    due_rows.sort_by_key(|(due, _)| due.unwrap_or(NaiveDate::MAX));
    held_rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut page = DetailPage::new(&ctx, "Your reviews", "/reviews");
    page.intro = "The looked-after children you are the independent reviewing officer for.".into();
    page.tables.push(Table::new(
        "Reviews due",
        &["Child", "Next review due", "Status"],
        due_rows.into_iter().map(|(_, r)| r).collect(),
    ));
    page.tables.push(Table::new(
        "Reviews you chaired",
        &["Date", "Child", "How the child took part"],
        held_rows.into_iter().map(|(_, r)| r).collect(),
    ));
    render(page)
}
