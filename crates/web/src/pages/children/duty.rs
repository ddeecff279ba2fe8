//! Duty: each cluster's board of unallocated work and work due today or overdue across its
//! teams, so one team can see another's demand and help; and lending a worker to another team's
//! duty for a while.

use super::{render, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action, Permission, Reach, Resource};
use canopy_domain::cases::{clock_status, ClockStatus};
use canopy_domain::validation::{date_from_parts, FieldErrors};
use canopy_store::children::ClockFilter;
use canopy_store::Scope;
use std::collections::BTreeMap;

pub(crate) fn case_scope(ctx: &Ctx) -> Result<Scope, AppError> {
    let user = ctx.user()?;
    Ok(match user.actor.reach_of(Permission::CaseView) {
        Some(Reach::Organisation) => Scope::Organisation,
        _ => Scope::Councils(user.actor.councils.iter().cloned().collect()),
    })
}

/// The clusters whose duty boards the user may open.
pub async fn duty_index(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let clusters = state.store.list_clusters(&case_scope(&ctx)?).await?;
    let mut page = DetailPage::new(&ctx, "Duty boards", "/duty");
    page.intro = "Each cluster's unallocated work and what is due today or overdue, across its teams.".into();
    page.tables.push(Table::new(
        "Clusters",
        &["Cluster", "Postcode areas"],
        clusters
            .iter()
            .map(|c| vec![Cell::link(&c.name, format!("/clusters/{}/duty", c.id)), Cell::text(c.areas.join(", "))])
            .collect(),
    ));
    render(page)
}

/// One cluster's duty board.
/// What a cluster's duty board shows, for the page and the API alike.
pub(crate) struct DutyBoard {
    pub cluster: canopy_store::org::ClusterRow,
    pub teams: Vec<canopy_store::org::TeamRow>,
    /// Per team: unallocated children, overdue clocks, clocks due today.
    pub demand: BTreeMap<String, (usize, usize, usize)>,
    pub pressing: Vec<(ClockStatus, canopy_store::children::ClockRow)>,
    pub unallocated: Vec<canopy_store::children::ChildRow>,
    /// Workers lent to the cluster's teams: (worker, team, until).
    pub lent: Vec<(String, String, String)>,
}

/// A cluster's duty board, filtered by the policy; another cluster is "not found".
pub(crate) async fn duty_board_data(state: &AppState, ctx: &Ctx, id: &str) -> Result<DutyBoard, AppError> {
    let user = ctx.user()?.clone();
    let scope = case_scope(ctx)?;
    let cluster =
        state.store.list_clusters(&scope).await?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    let teams: Vec<_> =
        state.store.list_teams(&scope).await?.into_iter().filter(|t| t.cluster_id.as_deref() == Some(id)).collect();
    let team_ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
    let today = state.clock.today();
    let unallocated: Vec<_> = state
        .store
        .children_held(None, &team_ids, true)
        .await?
        .into_iter()
        .filter(|c| may(&user.actor, Action::ViewChildRecord, &c.resource()))
        .collect();
    let clocks = state.store.clocks(&ClockFilter { teams: Some(team_ids.clone()), ..ClockFilter::default() }).await?;
    let mut calendars = BTreeMap::new();
    let mut pressing = Vec::new();
    let mut demand: BTreeMap<String, (usize, usize, usize)> = team_ids.iter().map(|t| (t.clone(), (0, 0, 0))).collect();
    for c in &unallocated {
        if let Some(t) = c.team_id.as_ref().and_then(|t| demand.get_mut(t)) {
            t.0 += 1;
        }
    }
    for r in clocks.into_iter().filter(|r| may(&user.actor, Action::ViewChildRecord, &r.child.resource())) {
        if !calendars.contains_key(&r.child.council_id) {
            calendars.insert(r.child.council_id.clone(), state.store.council_calendar(&r.child.council_id).await?);
        }
        let Some(calendar) = calendars.get(&r.child.council_id) else { continue };
        let status = clock_status(r.due, today, calendar);
        if status != ClockStatus::Overdue && r.due != today {
            continue;
        }
        if let Some(t) = r.child.team_id.as_ref().and_then(|t| demand.get_mut(t)) {
            if status == ClockStatus::Overdue {
                t.1 += 1;
            } else {
                t.2 += 1;
            }
        }
        pressing.push((status, r));
    }
    let lent = state.store.loans_into(&team_ids, today).await?;
    Ok(DutyBoard { cluster, teams, demand, pressing, unallocated, lent })
}

pub async fn duty_board(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let DutyBoard { cluster, teams, demand: per_team, pressing, unallocated, lent } =
        duty_board_data(&state, &ctx, &id).await?;
    let mut page = DetailPage::new(&ctx, &format!("{} duty board", cluster.name), "/duty");
    page.page.back_link = Some("/duty".into());
    page.tables.push(Table::new(
        "Demand by team",
        &["Team", "Unallocated", "Overdue", "Due today"],
        teams
            .iter()
            .map(|t| {
                let (u, o, d) = per_team.get(&t.id).copied().unwrap_or_default();
                vec![
                    Cell::text(&t.name),
                    Cell::text(u.to_string()),
                    Cell::text(o.to_string()),
                    Cell::text(d.to_string()),
                ]
            })
            .collect(),
    ));
    let team_name = |id: &Option<String>| {
        id.as_ref().and_then(|i| teams.iter().find(|t| &t.id == i)).map(|t| t.name.clone()).unwrap_or_default()
    };
    let mut table = Table::new(
        "Overdue and due today",
        &["Status", "Child", "What", "Team"],
        pressing
            .iter()
            .map(|(s, r)| {
                vec![
                    Cell::text(if *s == ClockStatus::Overdue { "Overdue" } else { "Due today" }),
                    Cell::link(r.child.full_name(), format!("/children/{}", r.child.id)),
                    Cell::text(super::clock_label(&r.kind)),
                    Cell::text(team_name(&r.child.team_id)),
                ]
            })
            .collect(),
    );
    table.empty = "Nothing is overdue or due today.".into();
    page.tables.push(table);
    let mut table = Table::new(
        "Waiting for a worker",
        &["Child", "Team"],
        unallocated
            .iter()
            .map(|c| vec![Cell::link(c.full_name(), format!("/children/{}", c.id)), Cell::text(team_name(&c.team_id))])
            .collect(),
    );
    table.empty = "Every child has a worker.".into();
    page.tables.push(table);
    if !lent.is_empty() {
        let users = state.store.list_users().await?;
        page.tables.push(Table::new(
            "Workers lent to this cluster's duty",
            &["Worker", "Team", "Until"],
            lent.iter()
                .map(|(u, t, until)| {
                    let name = users.iter().find(|x| &x.id == u).map(|x| x.display_name.clone()).unwrap_or_default();
                    vec![Cell::text(name), Cell::text(team_name(&Some(t.clone()))), Cell::text(until)]
                })
                .collect(),
        ));
    }
    page.actions.push(Link::new("/work-tray", "Your work"));
    render(page)
}

async fn lend_form(
    state: &AppState,
    ctx: &Ctx,
    team_id: &str,
    form: &FormData,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let team = state.store.get_team(&Scope::Organisation, team_id).await?;
    let workers: Vec<(String, String)> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.team_ids.contains(&team.id) && !u.disabled)
        .map(|u| (u.id, u.display_name))
        .collect();
    let others: Vec<(String, String)> = state
        .store
        .list_teams(&Scope::Organisation)
        .await?
        .into_iter()
        .filter(|t| t.id != team.id)
        .map(|t| (t.id, t.name))
        .collect();
    let fields = vec![
        Field::choices("worker_id", "Worker", "select", workers, &[form.get("worker_id")]),
        Field::choices("to_team", "Lend to the duty of", "select", others, &[form.get("to_team")]),
        Field::date("until", "Until (inclusive)", form),
    ];
    let action = format!("/teams/{}/loans", team.id);
    let mut page = FormPage::new(
        ctx,
        &format!("Lend a worker from {}", team.name),
        "/work-tray",
        &action,
        "Lend worker",
        fields,
        errors,
    )
    .back(&format!("/teams/{}/allocation", team.id));
    page.intro = "The worker joins the other team's duty until the date you choose, and sees its work. A worker can only go to a team in a council they already serve.".into();
    Ok(page)
}

pub async fn show_lend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(team_id): Path<String>,
) -> Result<Html<String>, AppError> {
    super::trays::team_in_scope(&state, &ctx, &team_id).await?;
    render(lend_form(&state, &ctx, &team_id, &FormData::default(), &FieldErrors::new()).await?)
}

/// Lends one of the team's workers to another team's duty.
pub async fn lend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(team_id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let team = super::trays::team_in_scope(&state, &ctx, &team_id).await?;
    let today = state.clock.today();
    let mut errors = FieldErrors::new();
    let worker_id = form.get("worker_id");
    let worker = state.store.get_user(&worker_id).await.ok().filter(|u| u.team_ids.contains(&team.id) && !u.disabled);
    if worker.is_none() {
        errors.add("worker_id", "Select a worker in this team");
    }
    let to = state.store.get_team(&Scope::Organisation, &form.get("to_team")).await.ok().filter(|t| t.id != team.id);
    if to.is_none() {
        errors.add("to_team", "Select the team whose duty they join");
    }
    let until = match date_from_parts(
        "the last day of the loan",
        &form.get("until-day"),
        &form.get("until-month"),
        &form.get("until-year"),
    ) {
        Ok(d) if d < today => {
            errors.add("until", "The loan must run until today or later");
            None
        }
        Ok(d) if d > today + chrono::Duration::days(92) => {
            errors.add("until", "Lend a worker for 3 months at most; lend again to go on");
            None
        }
        Ok(d) => Some(d),
        Err(m) => {
            errors.add("until", m);
            None
        }
    };
    if let (Some(worker), Some(to)) = (&worker, &to) {
        let worker_actor = state.store.actor(&worker.id, today).await?;
        let allowed = to.council_ids.iter().any(|c| worker_actor.councils.contains(c));
        if !allowed {
            errors.add(
                "to_team",
                format!("{} does not serve any council of that team, so cannot join its duty", worker.display_name),
            );
        }
        let user = ctx.user()?;
        if !to.council_ids.iter().any(|c| {
            may(&user.actor, Action::ViewChildRecord, &Resource::in_council(c)) || user.actor.councils.contains(c)
        }) {
            errors.add("to_team", "You can lend workers only to teams in your councils");
        }
    }
    let (Some(worker), Some(to), Some(until), true) = (worker, to, until, errors.is_empty()) else {
        let page = lend_form(&state, &ctx, &team.id, &form, &errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    };
    state.store.lend_worker(&ctx.audit(&state), &worker.id, &to.id, today, until).await?;
    Ok(Redirect::to(&format!("/teams/{}/allocation", team.id)).into_response())
}
