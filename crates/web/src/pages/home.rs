//! The home page and the organisation's structure as each user may see it.

use super::{render, Cell, Ctx, DetailPage, Link, Table};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::response::Html;
use canopy_domain::access::{may, Action, Actor, Permission, Reach, Resource};
use canopy_domain::org::Service;
use canopy_store::org::{CouncilRow, TeamRow};
use canopy_store::Scope;
use std::collections::HashMap;

/// The councils whose organisation details the actor may see.
pub fn org_scope(actor: &Actor) -> Scope {
    match actor.reach_of(Permission::OrgView) {
        Some(Reach::Organisation) => Scope::Organisation,
        _ => Scope::Councils(actor.councils.iter().cloned().collect()),
    }
}

fn service_label(code: &str) -> String {
    Service::from_code(code).map(|s| s.label().to_string()).unwrap_or_else(|| code.to_string())
}

fn council_names(councils: &[CouncilRow]) -> HashMap<String, String> {
    councils.iter().map(|c| (c.id.clone(), c.name.clone())).collect()
}

fn team_rows(teams: &[TeamRow], names: &HashMap<String, String>, clusters: &HashMap<String, String>) -> Vec<Vec<Cell>> {
    teams
        .iter()
        .map(|t| {
            vec![
                Cell::link(&t.name, format!("/teams/{}", t.id)),
                Cell::text(service_label(&t.service)),
                Cell::text(
                    t.cluster_id.as_ref().and_then(|c| clusters.get(c)).cloned().unwrap_or_else(|| "Central".into()),
                ),
                Cell::text(t.council_ids.iter().filter_map(|c| names.get(c).cloned()).collect::<Vec<_>>().join(", ")),
            ]
        })
        .collect()
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let org_name = state.store.organisation_name().await?.unwrap_or_else(|| "Canopy".into());
    let all_councils = state.store.list_councils(&Scope::Organisation).await?;
    let names = council_names(&all_councils);
    let teams = state.store.list_teams(&Scope::Organisation).await?;
    let clusters: HashMap<String, String> =
        state.store.list_clusters(&Scope::Organisation).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let my_teams: Vec<TeamRow> = teams.into_iter().filter(|t| user.actor.teams.contains(&t.id)).collect();
    let roles = state.store.list_roles().await?;
    let my_roles = state.store.get_user(&user.user_id).await?.role_ids;
    let mut page = DetailPage::new(&ctx, &format!("Welcome, {}", user.display_name), "/");
    page.caption = org_name.clone();
    page.summary = vec![
        ("Organisation".into(), org_name),
        (
            "Your roles".into(),
            roles.iter().filter(|r| my_roles.contains(&r.id)).map(|r| r.name.clone()).collect::<Vec<_>>().join(", "),
        ),
        (
            "Councils you work for".into(),
            match user.actor.reach_of(Permission::OrgView) {
                Some(Reach::Organisation) => "Every council".into(),
                _ => user.actor.councils.iter().filter_map(|c| names.get(c).cloned()).collect::<Vec<_>>().join(", "),
            },
        ),
    ];
    let mut table =
        Table::new("Your teams", &["Team", "Service", "Cluster", "Councils"], team_rows(&my_teams, &names, &clusters));
    table.empty = "You are not in a team.".into();
    page.tables.push(table);
    if ctx.may_org(Action::AdministerOrganisation) {
        page.actions.push(Link::new("/admin", "Administer the organisation"));
    }
    render(page)
}

pub async fn organisation(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let scope = org_scope(&user.actor);
    let councils = state.store.list_councils(&scope).await?;
    let names = council_names(&state.store.list_councils(&Scope::Organisation).await?);
    let clusters = state.store.list_clusters(&scope).await?;
    let cluster_names: HashMap<String, String> = clusters.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
    let teams = state.store.list_teams(&scope).await?;
    let mut page = DetailPage::new(&ctx, "Organisation", "/organisation");
    page.tables.push(Table::new(
        "Councils",
        &["Council", "LA code", "ONS code"],
        councils
            .iter()
            .map(|c| {
                vec![
                    Cell::link(&c.name, format!("/councils/{}", c.id)),
                    Cell::text(&c.la_code),
                    Cell::text(&c.ons_code),
                ]
            })
            .collect(),
    ));
    page.tables.push(Table::new(
        "Clusters",
        &["Cluster", "Councils", "Postcode areas"],
        clusters
            .iter()
            .map(|c| {
                vec![
                    Cell::text(&c.name),
                    Cell::text(
                        c.council_ids.iter().filter_map(|id| names.get(id).cloned()).collect::<Vec<_>>().join(", "),
                    ),
                    Cell::text(c.areas.join(", ")),
                ]
            })
            .collect(),
    ));
    page.tables.push(Table::new(
        "Teams",
        &["Team", "Service", "Cluster", "Councils"],
        team_rows(&teams, &names, &cluster_names),
    ));
    render(page)
}

/// One council. Outside the user's scope it is "not found", exactly as a council that does not exist.
pub async fn council(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    if !may(&user.actor, Action::ViewOrganisation, &Resource::in_council(&id)) {
        return Err(AppError::NotFound);
    }
    let council = state.store.get_council(&org_scope(&user.actor), &id).await?;
    let teams = state.store.list_teams(&Scope::Councils(vec![id.clone()])).await?;
    let names = council_names(&state.store.list_councils(&Scope::Organisation).await?);
    let clusters: HashMap<String, String> = state
        .store
        .list_clusters(&Scope::Councils(vec![id.clone()]))
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut page = DetailPage::new(&ctx, &council.name, "/organisation");
    page.caption = "Council".into();
    page.summary = vec![
        ("DfE LA code".into(), council.la_code.clone()),
        ("ONS code".into(), council.ons_code.clone()),
        ("Postcode districts".into(), council.postcode_districts.join(", ")),
    ];
    page.tables.push(Table::new(
        "Teams serving this council",
        &["Team", "Service", "Cluster", "Councils"],
        team_rows(&teams, &names, &clusters),
    ));
    render(page)
}

/// One team. A team is visible when any council it serves is in the user's scope.
pub async fn team(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let user = ctx.user()?;
    let team = state.store.get_team(&Scope::Organisation, &id).await.map_err(|_| AppError::NotFound)?;
    let visible =
        team.council_ids.iter().any(|c| may(&user.actor, Action::ViewOrganisation, &Resource::team(&team.id, c)));
    if !visible {
        return Err(AppError::NotFound);
    }
    let names = council_names(&state.store.list_councils(&Scope::Organisation).await?);
    let cluster = match &team.cluster_id {
        Some(cid) => state
            .store
            .list_clusters(&Scope::Organisation)
            .await?
            .into_iter()
            .find(|c| &c.id == cid)
            .map(|c| c.name)
            .unwrap_or_default(),
        None => "Central".into(),
    };
    let members: Vec<_> =
        state.store.list_users().await?.into_iter().filter(|u| u.team_ids.contains(&team.id) && !u.disabled).collect();
    let mut page = DetailPage::new(&ctx, &team.name, "/organisation");
    page.caption = "Team".into();
    page.summary = vec![
        ("Service".into(), service_label(&team.service)),
        ("Cluster".into(), cluster),
        (
            "Councils".into(),
            team.council_ids.iter().filter_map(|c| names.get(c).cloned()).collect::<Vec<_>>().join(", "),
        ),
        ("Members".into(), members.len().to_string()),
    ];
    page.tables.push(Table::new(
        "Members",
        &["Name", "Job title"],
        members.iter().map(|m| vec![Cell::text(&m.display_name), Cell::text(&m.job_title)]).collect(),
    ));
    render(page)
}
