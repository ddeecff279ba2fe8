//! Changing a child's social worker: a manager hands the case to a worker in a team they allocate
//! for, saying why, and the record keeps every worker the child has had (903 SWEpisodes).

use super::{child_for, render, show_date, Cell, Ctx, Field, FormPage, Table};
use crate::forms::FormData;
use crate::pages::codes;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action, Resource};
use canopy_domain::cases::{check_worker_change, worker_episodes, WorkerChangeReason, WorkerEpisode};
use canopy_domain::validation::FieldErrors;
use canopy_store::children::ChildRow;
use std::collections::HashMap;

/// Hands the child's case to `worker` in `team`, if the user allocates for that team of the
/// child's council, the worker is in it, and a change of worker says why. For the page and the
/// API alike.
pub(crate) async fn change_worker(
    state: &AppState,
    ctx: &Ctx,
    child: &ChildRow,
    team_id: &str,
    worker_id: &str,
    reason: Option<WorkerChangeReason>,
) -> Result<Result<(), FieldErrors>, AppError> {
    let user = ctx.user()?;
    let mut errors = FieldErrors::new();
    let team = state.store.get_team(&canopy_store::Scope::Organisation, team_id).await.ok();
    let team_ok = team.as_ref().is_some_and(|t| {
        t.council_ids.contains(&child.council_id)
            && may(&user.actor, Action::AllocateWork, &Resource::team(&t.id, &child.council_id))
    });
    if !team_ok {
        errors.add("team_id", "Choose a team of the child's council that you allocate for");
    }
    let worker_ok = state
        .store
        .get_user(worker_id)
        .await
        .ok()
        .is_some_and(|u| u.team_ids.iter().any(|t| t == team_id) && !u.disabled);
    if !worker_ok {
        errors.add("worker_id", "Choose a worker in that team");
    }
    if let Err(more) = check_worker_change(child.allocated_to.as_deref(), Some(worker_id), reason) {
        errors.0.extend(more.0);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let today = state.clock.today();
    state.store.allocate_child(&ctx.audit(state), &child.id, Some(team_id), Some(worker_id), reason, today).await?;
    Ok(Ok(()))
}

/// The child's social worker episodes, newest first, with each worker's name.
pub(crate) async fn workers_table(state: &AppState, child: &ChildRow) -> Result<Table, AppError> {
    let episodes = worker_episodes(&state.store.allocations(&child.id).await?);
    let names: HashMap<String, String> =
        state.store.list_users().await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let rows = episodes
        .iter()
        .rev()
        .map(|e: &WorkerEpisode| {
            vec![
                Cell::text(names.get(&e.worker).cloned().unwrap_or_else(|| e.worker.clone())),
                Cell::text(show_date(e.start)),
                Cell::text(e.end.map(show_date).unwrap_or_else(|| "Now".into())),
                Cell::text(e.reason.map(|r| format!("{} ({})", r.label(), r.code())).unwrap_or_default()),
            ]
        })
        .collect();
    let mut table = Table::new("Social workers", &["Worker", "From", "To", "Why they took over"], rows);
    table.empty = "The child has not had an allocated social worker.".into();
    Ok(table)
}

/// Workers the user may hand the case to: `team:worker` for each worker of each team of the
/// child's council the user allocates for.
async fn worker_choices(state: &AppState, ctx: &Ctx, child: &ChildRow) -> Result<Vec<(String, String)>, AppError> {
    let user = ctx.user()?;
    let teams: Vec<_> = state
        .store
        .list_teams(&canopy_store::Scope::Organisation)
        .await?
        .into_iter()
        .filter(|t| {
            t.council_ids.contains(&child.council_id)
                && may(&user.actor, Action::AllocateWork, &Resource::team(&t.id, &child.council_id))
        })
        .collect();
    let users = state.store.list_users().await?;
    let mut choices = vec![(String::new(), "Choose one".to_string())];
    for team in &teams {
        for u in users.iter().filter(|u| !u.disabled && u.team_ids.contains(&team.id)) {
            choices.push((
                format!("{}:{}", team.id, u.id),
                format!("{} ({}), {}", u.display_name, u.job_title, team.name),
            ));
        }
    }
    Ok(choices)
}

fn worker_form(
    ctx: &Ctx,
    child: &ChildRow,
    choices: Vec<(String, String)>,
    form: &FormData,
    errors: &FieldErrors,
    table: Table,
) -> FormPage {
    let hand_over: Vec<WorkerChangeReason> = WorkerChangeReason::for_hand_over().collect();
    let reasons = codes(&hand_over, WorkerChangeReason::code, WorkerChangeReason::label);
    let fields = vec![
        Field::choices("worker_id", "New social worker", "select", choices, &[form.get("worker_id")]),
        Field::choices("reason", "Why the social worker is changing", "select", reasons, &[form.get("reason")])
            .hint("Not needed when the child has no worker yet"),
    ];
    let action = format!("/children/{}/worker", child.id);
    let mut page = FormPage::new(ctx, "Change the social worker", "/work-tray", &action, "Save", fields, errors)
        .back(&format!("/children/{}", child.id));
    page.caption = child.full_name();
    page.tables.push(table);
    page
}

pub async fn show_worker(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let choices = worker_choices(&state, &ctx, &child).await?;
    let table = workers_table(&state, &child).await?;
    render(worker_form(&ctx, &child, choices, &FormData::default(), &FieldErrors::new(), table))
}

pub async fn save_worker(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let choices = worker_choices(&state, &ctx, &child).await?;
    let picked = form.get("worker_id");
    let errors =
        match picked.split_once(':').filter(|_| !picked.is_empty() && choices.iter().any(|(v, _)| *v == picked)) {
            None => FieldErrors::one("worker_id", "Select a worker in a team you allocate for"),
            Some((team, worker)) => {
                let code = form.get("reason");
                match (code.is_empty(), WorkerChangeReason::from_code(&code)) {
                    (false, None) => FieldErrors::one("reason", "Select a reason from the list"),
                    (_, reason) => match change_worker(&state, &ctx, &child, team, worker, reason).await? {
                        Ok(()) => return Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
                        Err(errors) => errors,
                    },
                }
            }
        };
    let table = workers_table(&state, &child).await?;
    let page = worker_form(&ctx, &child, choices, &form, &errors, table);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}
