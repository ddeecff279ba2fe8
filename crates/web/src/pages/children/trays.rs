//! Work trays, the front-door queue and the team's allocation queue, all computed from the
//! clocks projection and filtered by the one policy.

use super::{clock_label, render, Cell, Ctx, DetailPage, Field, FormPage, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action, Permission, Reach, Resource};
use canopy_domain::cases::{clock_status, ClockKind, ClockStatus};
use canopy_domain::validation::FieldErrors;
use canopy_store::children::{ClockFilter, ClockRow};
use canopy_store::Scope;
use std::collections::HashMap;

async fn clock_rows(state: &AppState, ctx: &Ctx, rows: Vec<ClockRow>) -> Result<Vec<Vec<Cell>>, AppError> {
    clock_rows_with(state, ctx, rows, None).await
}

/// The rows of a clock table; with cluster names, a column says which cluster each child is in.
async fn clock_rows_with(
    state: &AppState,
    ctx: &Ctx,
    rows: Vec<ClockRow>,
    clusters: Option<&HashMap<String, String>>,
) -> Result<Vec<Vec<Cell>>, AppError> {
    let user = ctx.user()?;
    let today = state.clock.today();
    let mut calendars = HashMap::new();
    let mut out: Vec<(ClockStatus, chrono::NaiveDate, Vec<Cell>)> = Vec::new();
    for r in rows.into_iter().filter(|r| may(&user.actor, Action::ViewChildRecord, &r.child.resource())) {
        if !calendars.contains_key(&r.child.council_id) {
            calendars.insert(r.child.council_id.clone(), state.store.council_calendar(&r.child.council_id).await?);
        }
        let status =
            calendars.get(&r.child.council_id).map(|cal| clock_status(r.due, today, cal)).unwrap_or(ClockStatus::Due);
        out.push((
            status,
            r.due,
            vec![
                Cell::text(status.label()),
                Cell::link(r.child.full_name(), format!("/children/{}", r.child.id)),
                Cell::text(clock_label(&r.kind)),
                Cell::text(r.due.format("%-d %b %Y").to_string()),
            ]
            .into_iter()
            .chain(clusters.map(|names| {
                Cell::text(
                    r.child
                        .cluster_id
                        .as_ref()
                        .and_then(|c| names.get(c))
                        .cloned()
                        .unwrap_or_else(|| "No cluster".into()),
                )
            }))
            .collect(),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(out.into_iter().map(|(_, _, cells)| cells).collect())
}

/// What is due, due soon and overdue for the signed-in worker, and for a manager their teams'.
pub async fn work_tray(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?.clone();
    let mine =
        state.store.clocks(&ClockFilter { allocated_to: Some(user.user_id.clone()), ..ClockFilter::default() }).await?;
    let mut page = DetailPage::new(&ctx, "Your work", "/work-tray");
    if state.store.reviews_any_child(&user.user_id).await? {
        page.actions.push(crate::pages::Link::new("/reviews", "Your reviews as independent reviewing officer"));
    }
    let mut table =
        Table::new("Due for your children", &["Status", "Child", "What", "Due"], clock_rows(&state, &ctx, mine).await?);
    table.empty = "Nothing is due for the children allocated to you.".into();
    page.tables.push(table);
    if user.actor.holds(Permission::CaseAllocate) && !user.actor.teams.is_empty() {
        let teams: Vec<String> = user.actor.teams.iter().cloned().collect();
        let theirs = state.store.clocks(&ClockFilter { teams: Some(teams), ..ClockFilter::default() }).await?;
        let mut table = Table::new(
            "Due across your teams",
            &["Status", "Child", "What", "Due"],
            clock_rows(&state, &ctx, theirs).await?,
        );
        table.empty = "Nothing is due across your teams.".into();
        page.tables.push(table);
    }
    if let Some(table) = crate::pages::workforce::supervision_tray(&state, &ctx).await? {
        page.tables.push(table);
    }
    if let Some(table) = crate::pages::quality::tray_table(&state, &ctx).await? {
        page.tables.push(table);
    }
    let caseload = state.store.children_held(Some(&user.user_id), &[], false).await?;
    let mut table = Table::new(
        "Your caseload",
        &["Child", "Date of birth"],
        caseload
            .iter()
            .filter(|c| may(&user.actor, Action::ViewChildRecord, &c.resource()))
            .map(|c| {
                vec![
                    Cell::link(c.full_name(), format!("/children/{}", c.id)),
                    Cell::text(c.date_of_birth.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default()),
                ]
            })
            .collect(),
    );
    table.empty = "No children are allocated to you.".into();
    page.summary.push(("Children allocated to you".into(), caseload.len().to_string()));
    page.tables.push(table);
    page.actions.push(crate::pages::Link::new("/children", "Find or add a child"));
    render(page)
}

/// The front door: contacts waiting for a decision in the user's councils, oldest first.
pub async fn front_door(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let councils = match user.actor.reach_of(Permission::CaseView) {
        Some(Reach::Organisation) => None,
        _ => Some(user.actor.councils.iter().cloned().collect()),
    };
    let rows = state
        .store
        .clocks(&ClockFilter {
            councils,
            kinds: Some(vec![ClockKind::ContactDecision.code().into()]),
            ..ClockFilter::default()
        })
        .await?;
    let mut page = DetailPage::new(&ctx, "Front door", "/front-door");
    page.intro = "Every contact is decided within one working day of arriving.".into();
    let clusters: HashMap<String, String> = state
        .store
        .list_clusters(&canopy_store::Scope::Organisation)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut table = Table::new(
        "Contacts waiting for a decision",
        &["Status", "Child", "What", "Due", "Cluster"],
        clock_rows_with(&state, &ctx, rows, Some(&clusters)).await?,
    );
    table.empty = "No contact is waiting.".into();
    page.tables.push(table);
    page.actions.push(crate::pages::Link::new("/children", "Record a new contact"));
    render(page)
}

pub(super) async fn team_in_scope(
    state: &AppState,
    ctx: &Ctx,
    team_id: &str,
) -> Result<canopy_store::org::TeamRow, AppError> {
    let user = ctx.user()?;
    let team = state.store.get_team(&Scope::Organisation, team_id).await.map_err(|_| AppError::NotFound)?;
    let allowed = team.council_ids.iter().any(|c| {
        may(&user.actor, Action::AllocateWork, &Resource::team(&team.id, c))
            && (user.actor.teams.contains(&team.id)
                || user.actor.reach_of(Permission::CaseAllocate) != Some(Reach::Team))
    });
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(team)
}

fn allocation_page(
    ctx: &Ctx,
    team: &canopy_store::org::TeamRow,
    children: Vec<Vec<Cell>>,
    workers: Vec<(String, String)>,
    children_opts: Vec<(String, String)>,
    form: &FormData,
    errors: &FieldErrors,
) -> FormPage {
    let fields = vec![
        Field::choices("child_id", "Child", "select", children_opts, &[form.get("child_id")]),
        Field::choices("worker_id", "Allocate to", "select", workers, &[form.get("worker_id")]),
    ];
    let action = format!("/teams/{}/allocation", team.id);
    let mut page =
        FormPage::new(ctx, &format!("{}: allocation", team.name), "/work-tray", &action, "Allocate", fields, errors);
    let mut table = Table::new("Waiting for a worker", &["Child", "Date of birth"], children);
    table.empty = "Every child in this team has a worker.".into();
    page.tables.push(table);
    page
}

async fn allocation_data(
    state: &AppState,
    ctx: &Ctx,
    team: &canopy_store::org::TeamRow,
) -> Result<(Vec<Vec<Cell>>, Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let user = ctx.user()?;
    let waiting: Vec<_> = state
        .store
        .children_held(None, std::slice::from_ref(&team.id), true)
        .await?
        .into_iter()
        .filter(|c| may(&user.actor, Action::ViewChildRecord, &c.resource()))
        .collect();
    let rows = waiting
        .iter()
        .map(|c| {
            vec![
                Cell::link(c.full_name(), format!("/children/{}", c.id)),
                Cell::text(c.date_of_birth.map(|d| d.format("%-d %b %Y").to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    let child_opts = waiting.iter().map(|c| (c.id.clone(), c.full_name())).collect();
    let workers = state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.team_ids.contains(&team.id) && !u.disabled)
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.job_title)))
        .collect();
    Ok((rows, workers, child_opts))
}

/// The team manager's allocation queue: the team's children with no worker yet.
pub async fn allocation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(team_id): Path<String>,
) -> Result<Html<String>, AppError> {
    let team = team_in_scope(&state, &ctx, &team_id).await?;
    let (rows, workers, child_opts) = allocation_data(&state, &ctx, &team).await?;
    render(allocation_page(&ctx, &team, rows, workers, child_opts, &FormData::default(), &FieldErrors::new()))
}

/// Allocates one of the team's children to one of its workers.
pub async fn allocate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(team_id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let team = team_in_scope(&state, &ctx, &team_id).await?;
    let (rows, workers, child_opts) = allocation_data(&state, &ctx, &team).await?;
    let mut errors = FieldErrors::new();
    let child = form.get("child_id");
    let worker = form.get("worker_id");
    if !child_opts.iter().any(|(id, _)| *id == child) {
        errors.add("child_id", "Select a child waiting in this team");
    }
    if !workers.iter().any(|(id, _)| *id == worker) {
        errors.add("worker_id", "Select a worker in this team");
    }
    if !errors.is_empty() {
        let page = allocation_page(&ctx, &team, rows, workers, child_opts, &form, &errors);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    state
        .store
        .allocate_child(&ctx.audit(&state), &child, Some(&team.id), Some(&worker), None, state.clock.today())
        .await?;
    Ok(Redirect::to(&format!("/teams/{}/allocation", team.id)).into_response())
}
