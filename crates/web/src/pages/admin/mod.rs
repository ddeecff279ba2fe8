//! Administration of councils, clusters, teams, users and roles, a file each. Every form shows
//! each problem on its field and keeps what was typed.

mod clusters;
mod councils;
mod roles;
mod teams;
mod users;

pub use clusters::*;
pub use councils::*;
pub use roles::*;
pub use teams::*;
pub use users::*;

use super::{render, Cell, Ctx, DetailPage, Field, FormPage, Link, Table};
use crate::forms::FormData;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{Action, Permission, Reach};
use canopy_domain::cases::ClockRules;
use canopy_domain::org::{
    validate_cluster, validate_council, validate_team, ClusterCoverage, ClusterInput, CouncilCoverage, CouncilInput,
    Service, TeamInput,
};
use canopy_domain::validation::{date_from_parts, looks_like_email, required_text, FieldErrors};
use canopy_store::org::CouncilRow;
use canopy_store::users::{RoleDetails, UserDetails};
use canopy_store::{Scope, StoreError};
use chrono::{Datelike, NaiveDate};

pub type PageResult = Result<Response, AppError>;

pub fn invalid(page: FormPage) -> PageResult {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// Runs a save and turns a uniqueness conflict into an error on its field.
pub fn conflict_to_field<T>(result: Result<T, StoreError>) -> Result<Result<T, FieldErrors>, AppError> {
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
        links.push(vec![Cell::link("Organisation", "/admin/organisation"), Cell::text("The organisation's name")]);
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
    page.tables.push(Table::new("What you can administer", &["Area", "What it holds"], links));
    render(page)
}

fn organisation_form(ctx: &Ctx, name: &str, errors: &FieldErrors) -> FormPage {
    let fields = vec![Field::text("name", "The organisation's name", name)
        .hint("The company or trust that delivers children's services for its councils")];
    FormPage::new(ctx, "The organisation", "/admin", "/admin/organisation", "Save", fields, errors).back("/admin")
}

pub async fn organisation(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let name = state.store.organisation_name().await?.unwrap_or_default();
    render(organisation_form(&ctx, &name, &FieldErrors::new()))
}

pub async fn save_organisation(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let mut errors = FieldErrors::new();
    let name = required_text(&mut errors, "name", "the organisation's name", &form.get("name"), 120);
    if !errors.is_empty() {
        return invalid(organisation_form(&ctx, &name, &errors));
    }
    state.store.set_organisation_name(&ctx.audit(&state), &name).await?;
    Ok(Redirect::to("/admin").into_response())
}
