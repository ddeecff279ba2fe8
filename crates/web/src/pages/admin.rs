//! Administration of councils, clusters, teams, users and roles. Every form shows each problem
//! on its field and keeps what was typed.

use super::{render, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{Action, Permission, Reach};
use canopy_domain::org::{
    validate_cluster, validate_council, validate_team, ClusterCoverage, ClusterInput, CouncilCoverage, CouncilInput,
    LaCode, OnsCode, OtherCouncils, PostcodeDistrict, Service, TeamInput,
};
use canopy_domain::validation::{looks_like_email, required_text, FieldErrors};
use canopy_store::users::{RoleDetails, UserDetails};
use canopy_store::{Scope, StoreError};

type PageResult = Result<Response, AppError>;

fn invalid(page: FormPage) -> PageResult {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// Runs a save and turns a uniqueness conflict into an error on its field.
fn conflict_to_field<T>(result: Result<T, StoreError>) -> Result<Result<T, FieldErrors>, AppError> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(StoreError::Conflict { field, message }) => Ok(Err(FieldErrors::one(&field, message))),
        Err(e) => Err(e.into()),
    }
}

pub async fn index(ctx: Ctx) -> Result<Html<String>, AppError> {
    let mut page = DetailPage::new(&ctx, "Administer the organisation", "/admin");
    let mut links = Vec::new();
    if ctx.may_org(Action::AdministerOrganisation) {
        links.push(vec![
            Cell::link("Councils", "/admin/councils"),
            Cell::text("The councils served, their codes and postcode districts"),
        ]);
        links.push(vec![
            Cell::link("Clusters", "/admin/clusters"),
            Cell::text("Geographic clusters and the postcode areas they cover"),
        ]);
        links.push(vec![
            Cell::link("Teams", "/admin/teams"),
            Cell::text("Teams, their services, clusters and councils"),
        ]);
    }
    if ctx.may_org(Action::AdministerUsers) {
        links.push(vec![
            Cell::link("Users", "/admin/users"),
            Cell::text("Staff accounts, their roles, teams and councils"),
        ]);
        links.push(vec![
            Cell::link("Roles", "/admin/roles"),
            Cell::text("What each role may do, and how far it reaches"),
        ]);
    }
    page.tables
        .push(Table::new("What you can administer", &["Area", "What it holds"], links));
    render(page)
}

// Councils

pub async fn councils(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_councils(&Scope::Organisation).await?;
    let mut page = DetailPage::new(&ctx, "Councils", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/councils/new", "Add a council"));
    page.tables.push(Table::new(
        "Councils",
        &["Council", "LA code", "ONS code", "Postcode districts"],
        rows.iter()
            .map(|c| {
                vec![
                    Cell::link(&c.name, format!("/admin/councils/{}/edit", c.id)),
                    Cell::text(&c.la_code),
                    Cell::text(&c.ons_code),
                    Cell::text(c.postcode_districts.join(", ")),
                ]
            })
            .collect(),
    ));
    render(page)
}

fn council_form(ctx: &Ctx, id: Option<&str>, input: &CouncilInput, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::text("name", "Council name", &input.name),
        Field::text("la_code", "DfE LA code", &input.la_code)
            .hint("Three digits, for example 314")
            .width("govuk-input--width-3"),
        Field::text("ons_code", "ONS code", &input.ons_code)
            .hint("For example E09000021")
            .width("govuk-input--width-10"),
        Field::text("postcode_districts", "Postcode districts", &input.postcode_districts)
            .kind("textarea")
            .hint("The districts the council covers, separated by commas, for example KT1, KT2, KT3"),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a council".to_string(), format!("/admin/councils/{id}/edit")),
        None => ("Add a council".to_string(), "/admin/councils/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save council", fields, errors).back("/admin/councils")
}

fn council_input(form: &FormData) -> CouncilInput {
    CouncilInput {
        name: form.get("name"),
        la_code: form.get("la_code"),
        ons_code: form.get("ons_code"),
        postcode_districts: form.get("postcode_districts"),
    }
}

pub async fn new_council(ctx: Ctx) -> Result<Html<String>, AppError> {
    render(council_form(&ctx, None, &CouncilInput::default(), &FieldErrors::new()))
}

pub async fn edit_council(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let c = state.store.get_council(&Scope::Organisation, &id).await?;
    let input = CouncilInput {
        name: c.name,
        la_code: c.la_code,
        ons_code: c.ons_code,
        postcode_districts: c.postcode_districts.join(", "),
    };
    render(council_form(&ctx, Some(&id), &input, &FieldErrors::new()))
}

/// What the other councils hold, for the uniqueness checks on `except`'s form.
pub async fn other_councils(state: &AppState, except: Option<&str>) -> Result<OtherCouncils, AppError> {
    let mut others = OtherCouncils::default();
    for c in state.store.list_councils(&Scope::Organisation).await? {
        if Some(c.id.as_str()) == except {
            continue;
        }
        others.names.push(c.name.clone());
        if let Ok(code) = LaCode::parse(&c.la_code) {
            others.la_codes.push(code);
        }
        if let Ok(code) = OnsCode::parse(&c.ons_code) {
            others.ons_codes.push(code);
        }
        for d in &c.postcode_districts {
            if let Ok(d) = PostcodeDistrict::parse(d) {
                others.districts.push((d, c.name.clone()));
            }
        }
    }
    Ok(others)
}

async fn save_council(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let input = council_input(&form);
    let others = other_councils(state, id).await?;
    let result = match validate_council(&input, &others) {
        Ok(valid) => conflict_to_field(state.store.save_council(&ctx.audit(state), id, &valid).await)?.map(|_| ()),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/councils").into_response()),
        Err(errors) => invalid(council_form(ctx, id, &input, &errors)),
    }
}

pub async fn create_council(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_council(&state, &ctx, None, form).await
}

pub async fn update_council(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    state.store.get_council(&Scope::Organisation, &id).await?;
    save_council(&state, &ctx, Some(&id), form).await
}

// Clusters

/// Every council as clusters and teams see it.
pub async fn coverage(state: &AppState) -> Result<Vec<CouncilCoverage>, AppError> {
    Ok(state
        .store
        .list_councils(&Scope::Organisation)
        .await?
        .into_iter()
        .map(|c| CouncilCoverage {
            districts: c
                .postcode_districts
                .iter()
                .filter_map(|d| PostcodeDistrict::parse(d).ok())
                .collect(),
            id: c.id,
            name: c.name,
        })
        .collect())
}

fn council_options(councils: &[CouncilCoverage]) -> Vec<(String, String)> {
    councils.iter().map(|c| (c.id.clone(), c.name.clone())).collect()
}

pub async fn clusters(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_clusters(&Scope::Organisation).await?;
    let councils = coverage(&state).await?;
    let mut page = DetailPage::new(&ctx, "Clusters", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/clusters/new", "Add a cluster"));
    page.tables.push(Table::new(
        "Clusters",
        &["Cluster", "Councils", "Postcode areas"],
        rows.iter()
            .map(|c| {
                vec![
                    Cell::link(&c.name, format!("/admin/clusters/{}/edit", c.id)),
                    Cell::text(
                        councils
                            .iter()
                            .filter(|k| c.council_ids.contains(&k.id))
                            .map(|k| k.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::text(c.areas.join(", ")),
                ]
            })
            .collect(),
    ));
    render(page)
}

fn cluster_form(
    ctx: &Ctx,
    id: Option<&str>,
    input: &ClusterInput,
    councils: &[CouncilCoverage],
    errors: &FieldErrors,
) -> FormPage {
    let fields = vec![
        Field::text("name", "Cluster name", &input.name).hint("For example North or South West"),
        Field::choices(
            "council_ids",
            "Councils the cluster serves",
            "checkboxes",
            council_options(councils),
            &input.council_ids,
        ),
        Field::text("areas", "Postcode areas", &input.areas)
            .kind("textarea")
            .hint("Districts or sectors of those councils, separated by commas, for example KT2, KT1 4"),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a cluster".to_string(), format!("/admin/clusters/{id}/edit")),
        None => ("Add a cluster".to_string(), "/admin/clusters/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save cluster", fields, errors).back("/admin/clusters")
}

pub async fn new_cluster(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    render(cluster_form(
        &ctx,
        None,
        &ClusterInput::default(),
        &coverage(&state).await?,
        &FieldErrors::new(),
    ))
}

pub async fn edit_cluster(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let c = state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    let input = ClusterInput {
        name: c.name,
        areas: c.areas.join(", "),
        council_ids: c.council_ids,
    };
    render(cluster_form(
        &ctx,
        Some(&id),
        &input,
        &coverage(&state).await?,
        &FieldErrors::new(),
    ))
}

async fn save_cluster(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let input = ClusterInput {
        name: form.get("name"),
        areas: form.get("areas"),
        council_ids: form.all("council_ids"),
    };
    let councils = coverage(state).await?;
    let other_names: Vec<String> = state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .into_iter()
        .filter(|c| Some(c.id.as_str()) != id)
        .map(|c| c.name)
        .collect();
    let result = match validate_cluster(&input, &councils, &other_names) {
        Ok(valid) => conflict_to_field(state.store.save_cluster(&ctx.audit(state), id, &valid).await)?.map(|_| ()),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/clusters").into_response()),
        Err(errors) => invalid(cluster_form(ctx, id, &input, &councils, &errors)),
    }
}

pub async fn create_cluster(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_cluster(&state, &ctx, None, form).await
}

pub async fn update_cluster(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    if !state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .iter()
        .any(|c| c.id == id)
    {
        return Err(AppError::NotFound);
    }
    save_cluster(&state, &ctx, Some(&id), form).await
}

// Teams

pub async fn cluster_coverage(state: &AppState) -> Result<Vec<(ClusterCoverage, String)>, AppError> {
    Ok(state
        .store
        .list_clusters(&Scope::Organisation)
        .await?
        .into_iter()
        .map(|c| {
            (
                ClusterCoverage {
                    id: c.id,
                    council_ids: c.council_ids,
                },
                c.name,
            )
        })
        .collect())
}

pub async fn teams(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_teams(&Scope::Organisation).await?;
    let councils = coverage(&state).await?;
    let clusters = cluster_coverage(&state).await?;
    let mut page = DetailPage::new(&ctx, "Teams", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/teams/new", "Add a team"));
    page.tables.push(Table::new(
        "Teams",
        &["Team", "Service", "Cluster", "Councils"],
        rows.iter()
            .map(|t| {
                vec![
                    Cell::link(&t.name, format!("/admin/teams/{}/edit", t.id)),
                    Cell::text(Service::from_code(&t.service).map(|s| s.label()).unwrap_or("")),
                    Cell::text(
                        t.cluster_id
                            .as_ref()
                            .and_then(|id| clusters.iter().find(|(c, _)| &c.id == id))
                            .map(|(_, n)| n.clone())
                            .unwrap_or_else(|| "Central".into()),
                    ),
                    Cell::text(
                        councils
                            .iter()
                            .filter(|k| t.council_ids.contains(&k.id))
                            .map(|k| k.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]
            })
            .collect(),
    ));
    render(page)
}

fn team_form(
    ctx: &Ctx,
    id: Option<&str>,
    input: &TeamInput,
    councils: &[CouncilCoverage],
    clusters: &[(ClusterCoverage, String)],
    errors: &FieldErrors,
) -> FormPage {
    let services = Service::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect();
    let mut cluster_options = vec![(String::new(), "None: a central team".to_string())];
    cluster_options.extend(clusters.iter().map(|(c, n)| (c.id.clone(), n.clone())));
    let fields = vec![
        Field::text("name", "Team name", &input.name),
        Field::choices(
            "service",
            "Service",
            "select",
            services,
            std::slice::from_ref(&input.service),
        ),
        Field::choices(
            "cluster_id",
            "Cluster",
            "select",
            cluster_options,
            &[input.cluster_id.clone().unwrap_or_default()],
        )
        .hint("Central teams serve every council they are set to serve, from no one cluster"),
        Field::choices(
            "council_ids",
            "Councils the team serves",
            "checkboxes",
            council_options(councils),
            &input.council_ids,
        ),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a team".to_string(), format!("/admin/teams/{id}/edit")),
        None => ("Add a team".to_string(), "/admin/teams/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save team", fields, errors).back("/admin/teams")
}

pub async fn new_team(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let input = TeamInput {
        service: Service::Safeguarding.code().into(),
        ..TeamInput::default()
    };
    render(team_form(
        &ctx,
        None,
        &input,
        &coverage(&state).await?,
        &cluster_coverage(&state).await?,
        &FieldErrors::new(),
    ))
}

pub async fn edit_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let t = state.store.get_team(&Scope::Organisation, &id).await?;
    let input = TeamInput {
        name: t.name,
        service: t.service,
        cluster_id: t.cluster_id,
        council_ids: t.council_ids,
    };
    render(team_form(
        &ctx,
        Some(&id),
        &input,
        &coverage(&state).await?,
        &cluster_coverage(&state).await?,
        &FieldErrors::new(),
    ))
}

async fn save_team(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let input = TeamInput {
        name: form.get("name"),
        service: form.get("service"),
        cluster_id: Some(form.get("cluster_id")).filter(|c| !c.is_empty()),
        council_ids: form.all("council_ids"),
    };
    let councils = coverage(state).await?;
    let clusters = cluster_coverage(state).await?;
    let plain: Vec<ClusterCoverage> = clusters.iter().map(|(c, _)| c.clone()).collect();
    let result = match validate_team(&input, &councils, &plain) {
        Ok(valid) => conflict_to_field(state.store.save_team(&ctx.audit(state), id, &valid).await)?.map(|_| ()),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(errors) => invalid(team_form(ctx, id, &input, &councils, &clusters, &errors)),
    }
}

pub async fn create_team(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_team(&state, &ctx, None, form).await
}

pub async fn update_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    state.store.get_team(&Scope::Organisation, &id).await?;
    save_team(&state, &ctx, Some(&id), form).await
}

// Users

pub async fn users(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_users().await?;
    let roles = state.store.list_roles().await?;
    let mut page = DetailPage::new(&ctx, "Users", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/users/new", "Add a user"));
    page.intro = format!("{} accounts.", rows.len());
    page.tables.push(Table::new(
        "Users",
        &["Name", "Email", "Roles", "Status"],
        rows.iter()
            .map(|u| {
                vec![
                    Cell::link(&u.display_name, format!("/admin/users/{}/edit", u.id)),
                    Cell::text(&u.email),
                    Cell::text(
                        roles
                            .iter()
                            .filter(|r| u.role_ids.contains(&r.id))
                            .map(|r| r.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Cell::text(if u.disabled { "Disabled" } else { "Active" }),
                ]
            })
            .collect(),
    ));
    render(page)
}

async fn user_form(
    state: &AppState,
    ctx: &Ctx,
    id: Option<&str>,
    d: &UserDetails,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let roles = state
        .store
        .list_roles()
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let teams = state
        .store
        .list_teams(&Scope::Organisation)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let councils = council_options(&coverage(state).await?);
    let fields = vec![
        Field::text("display_name", "Full name", &d.display_name).autocomplete("off"),
        Field::text("email", "Work email address", &d.email)
            .kind("email")
            .autocomplete("off"),
        Field::text("job_title", "Job title", &d.job_title),
        Field::choices("role_ids", "Roles", "checkboxes", roles, &d.role_ids),
        Field::choices("team_ids", "Teams", "checkboxes", teams, &d.team_ids)
            .hint("A member of a team serves that team's councils"),
        Field::choices(
            "council_ids",
            "Other councils they serve",
            "checkboxes",
            councils,
            &d.council_ids,
        )
        .hint("Only for councils that none of their teams serves"),
    ];
    let (title, action) = match id {
        Some(id) => ("Change a user".to_string(), format!("/admin/users/{id}/edit")),
        None => ("Add a user".to_string(), "/admin/users/new".to_string()),
    };
    let mut page = FormPage::new(ctx, &title, "/admin", &action, "Save user", fields, errors).back("/admin/users");
    if let Some(id) = id {
        let disabled = state.store.get_user(id).await?.disabled;
        page.extra_actions.push(Link::new(
            format!("/admin/users/{id}/reset-password"),
            "Give a new temporary password",
        ));
        page.extra_actions.push(if disabled {
            Link::new(format!("/admin/users/{id}/enable"), "Enable this account")
        } else {
            Link::new(format!("/admin/users/{id}/disable"), "Disable this account")
        });
    }
    Ok(page)
}

fn user_details(form: &FormData, errors: &mut FieldErrors) -> UserDetails {
    let email = required_text(errors, "email", "a work email address", &form.get("email"), 254);
    if !email.is_empty() && !looks_like_email(&email) {
        errors.add(
            "email",
            "Enter an email address in the right format, like name@example.org",
        );
    }
    UserDetails {
        email,
        display_name: required_text(
            errors,
            "display_name",
            "their full name",
            &form.get("display_name"),
            120,
        ),
        job_title: required_text(errors, "job_title", "their job title", &form.get("job_title"), 120),
        role_ids: form.all("role_ids"),
        team_ids: form.all("team_ids"),
        council_ids: form.all("council_ids"),
    }
}

/// A one-time password for a new account or a reset: four random words' worth of entropy.
pub fn temporary_password() -> String {
    let raw: [u8; 12] = rand::random();
    let text = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw);
    format!("{}-{}-{}-{}", &text[0..4], &text[4..8], &text[8..12], &text[12..16])
}

pub async fn new_user(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    render(user_form(&state, &ctx, None, &UserDetails::default(), &FieldErrors::new()).await?)
}

pub async fn edit_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let u = state.store.get_user(&id).await?;
    let d = UserDetails {
        email: u.email,
        display_name: u.display_name,
        job_title: u.job_title,
        role_ids: u.role_ids,
        team_ids: u.team_ids,
        council_ids: u.council_ids,
    };
    render(user_form(&state, &ctx, Some(&id), &d, &FieldErrors::new()).await?)
}

pub async fn create_user(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let mut errors = FieldErrors::new();
    let details = user_details(&form, &mut errors);
    if errors.is_empty() {
        let password = temporary_password();
        let hash = state.hasher.hash(password.clone()).await.map_err(AppError::Internal)?;
        match conflict_to_field(state.store.create_user(&ctx.audit(&state), &details, &hash, true).await)? {
            Ok(id) => {
                let mut page = user_form(&state, &ctx, Some(&id), &details, &FieldErrors::new()).await?;
                page.page.notice = Some(format!(
                    "Account created. Their temporary password is {password}. Give it to them in person; they choose their own when they first sign in."
                ));
                return Ok(render(page)?.into_response());
            }
            Err(e) => errors = e,
        }
    }
    invalid(user_form(&state, &ctx, None, &details, &errors).await?)
}

pub async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    state.store.get_user(&id).await?;
    let mut errors = FieldErrors::new();
    let details = user_details(&form, &mut errors);
    if errors.is_empty() {
        match conflict_to_field(state.store.update_user(&ctx.audit(&state), &id, &details).await)? {
            Ok(()) => return Ok(Redirect::to("/admin/users").into_response()),
            Err(e) => errors = e,
        }
    }
    invalid(user_form(&state, &ctx, Some(&id), &details, &errors).await?)
}

pub async fn disable_user(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    if ctx.user()?.user_id == id {
        return Err(AppError::BadRequest("You cannot disable your own account".into()));
    }
    state.store.set_user_disabled(&ctx.audit(&state), &id, true).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}/edit")).into_response())
}

pub async fn enable_user(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    state.store.set_user_disabled(&ctx.audit(&state), &id, false).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}/edit")).into_response())
}

pub async fn reset_password(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let u = state.store.get_user(&id).await?;
    let password = temporary_password();
    let hash = state.hasher.hash(password.clone()).await.map_err(AppError::Internal)?;
    state.store.set_password(&ctx.audit(&state), &id, &hash, true).await?;
    let d = UserDetails {
        email: u.email,
        display_name: u.display_name,
        job_title: u.job_title,
        role_ids: u.role_ids,
        team_ids: u.team_ids,
        council_ids: u.council_ids,
    };
    let mut page = user_form(&state, &ctx, Some(&id), &d, &FieldErrors::new()).await?;
    page.page.notice = Some(format!(
        "Their sessions have ended. Their new temporary password is {password}."
    ));
    Ok(render(page)?.into_response())
}

// Roles

pub async fn roles(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let rows = state.store.list_roles().await?;
    let mut page = DetailPage::new(&ctx, "Roles", "/admin");
    page.page.back_link = Some("/admin".into());
    page.actions.push(Link::new("/admin/roles/new", "Add a role"));
    page.tables.push(Table::new(
        "Roles",
        &["Role", "Reach", "Permissions"],
        rows.iter()
            .map(|r| {
                vec![
                    Cell::link(&r.name, format!("/admin/roles/{}/edit", r.id)),
                    Cell::text(Reach::from_code(&r.reach).map(|x| x.label()).unwrap_or("")),
                    Cell::text(
                        r.permissions
                            .iter()
                            .filter_map(|p| Permission::from_code(p))
                            .map(|p| p.label())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ]
            })
            .collect(),
    ));
    render(page)
}

struct RoleInput {
    key: String,
    name: String,
    description: String,
    reach: String,
    permissions: Vec<String>,
}

fn role_form(ctx: &Ctx, id: Option<&str>, r: &RoleInput, errors: &FieldErrors) -> FormPage {
    let reaches = Reach::ALL
        .iter()
        .map(|x| (x.code().to_string(), x.label().to_string()))
        .collect();
    let perms = Permission::ALL
        .iter()
        .map(|p| (p.code().to_string(), p.label().to_string()))
        .collect();
    let mut fields = Vec::new();
    if id.is_none() {
        fields.push(
            Field::text("key", "Key", &r.key).hint("Lower-case letters and underscores, for example duty_manager"),
        );
    }
    fields.push(Field::text("name", "Role name", &r.name));
    fields.push(Field::text("description", "What the role does", &r.description).kind("textarea"));
    fields.push(Field::choices(
        "reach",
        "How far it reaches",
        "radios",
        reaches,
        std::slice::from_ref(&r.reach),
    ));
    fields.push(Field::choices(
        "permissions",
        "Permissions",
        "checkboxes",
        perms,
        &r.permissions,
    ));
    let (title, action) = match id {
        Some(id) => ("Change a role".to_string(), format!("/admin/roles/{id}/edit")),
        None => ("Add a role".to_string(), "/admin/roles/new".to_string()),
    };
    FormPage::new(ctx, &title, "/admin", &action, "Save role", fields, errors).back("/admin/roles")
}

pub async fn new_role(ctx: Ctx) -> Result<Html<String>, AppError> {
    let input = RoleInput {
        key: String::new(),
        name: String::new(),
        description: String::new(),
        reach: Reach::Team.code().into(),
        permissions: vec![],
    };
    render(role_form(&ctx, None, &input, &FieldErrors::new()))
}

pub async fn edit_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let r = state
        .store
        .list_roles()
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let input = RoleInput {
        key: r.key,
        name: r.name,
        description: r.description,
        reach: r.reach,
        permissions: r.permissions,
    };
    render(role_form(&ctx, Some(&id), &input, &FieldErrors::new()))
}

async fn save_role(state: &AppState, ctx: &Ctx, id: Option<&str>, form: FormData) -> PageResult {
    let mut errors = FieldErrors::new();
    let existing = match id {
        Some(id) => Some(
            state
                .store
                .list_roles()
                .await?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let input = RoleInput {
        key: existing
            .as_ref()
            .map(|r| r.key.clone())
            .unwrap_or_else(|| form.get("key").trim().to_string()),
        name: required_text(&mut errors, "name", "the role's name", &form.get("name"), 80),
        description: required_text(
            &mut errors,
            "description",
            "what the role does",
            &form.get("description"),
            500,
        ),
        reach: form.get("reach"),
        permissions: form.all("permissions"),
    };
    if input.key.is_empty() || input.key.len() > 40 || !input.key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        errors.add("key", "Enter a key of lower-case letters and underscores, up to 40");
    }
    let reach = Reach::from_code(&input.reach);
    if reach.is_none() {
        errors.add("reach", "Select how far the role reaches");
    }
    let perms: Vec<Permission> = input
        .permissions
        .iter()
        .filter_map(|p| Permission::from_code(p))
        .collect();
    if perms.len() != input.permissions.len() {
        errors.add("permissions", "Select permissions from the list");
    }
    if let (true, Some(reach)) = (errors.is_empty(), reach) {
        let details = RoleDetails {
            key: input.key.clone(),
            name: input.name.clone(),
            description: input.description.clone(),
            reach,
            permissions: perms,
        };
        let saved = state.store.save_role(&ctx.audit(state), id, &details).await;
        match conflict_to_field(saved)? {
            Ok(_) => return Ok(Redirect::to("/admin/roles").into_response()),
            Err(e) => errors = e,
        }
    }
    invalid(role_form(ctx, id, &input, &errors))
}

pub async fn create_role(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    save_role(&state, &ctx, None, form).await
}

pub async fn update_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    save_role(&state, &ctx, Some(&id), form).await
}
