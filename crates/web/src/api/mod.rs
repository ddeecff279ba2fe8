//! The JSON API under `/api/v1`, described by the OpenAPI document generated from this code.
//! Bodies reject unknown fields and over-long strings; errors are RFC 9457 problem documents.

pub mod adoption;
pub mod budgets;
pub mod children;
pub mod quality;
pub mod workforce;

use crate::error::ApiError;
use crate::pages::home::org_scope;
use crate::pages::Ctx;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use canopy_domain::access::{may, Action, Resource};
use canopy_domain::org::{validate_council, CouncilInput};
use canopy_domain::validation::FieldErrors;
use canopy_store::org::{CouncilRow, TeamRow};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// A JSON body, whose problems are answered as a problem document naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(AppError::TooLarge)),
            Err(rejection) => Err(ApiError(AppError::BadRequest(rejection.body_text()))),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// The councils the user serves.
    pub councils: Vec<String>,
    pub teams: Vec<String>,
    /// The permission codes the user holds, with any reach.
    pub permissions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Council {
    pub id: String,
    pub name: String,
    /// The DfE's three-digit LA code.
    pub la_code: String,
    pub ons_code: String,
    pub postcode_districts: Vec<String>,
}

impl From<CouncilRow> for Council {
    fn from(c: CouncilRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            la_code: c.la_code,
            ons_code: c.ons_code,
            postcode_districts: c.postcode_districts,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCouncil {
    #[schema(max_length = 120)]
    pub name: String,
    #[schema(max_length = 3)]
    pub la_code: String,
    #[schema(max_length = 9)]
    pub ons_code: String,
    #[schema(max_items = 200)]
    pub postcode_districts: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub service: String,
    /// None for a central team.
    pub cluster_id: Option<String>,
    pub council_ids: Vec<String>,
}

impl From<TeamRow> for Team {
    fn from(t: TeamRow) -> Self {
        Self { id: t.id, name: t.name, service: t.service, cluster_id: t.cluster_id, council_ids: t.council_ids }
    }
}

/// The signed-in user (or the owner of the API token).
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, description = "Not signed in")))]
pub async fn me(ctx: Ctx) -> Result<Json<Me>, ApiError> {
    let u = ctx.user()?;
    Ok(Json(Me {
        id: u.user_id.clone(),
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        councils: u.actor.councils.iter().cloned().collect(),
        teams: u.actor.teams.iter().cloned().collect(),
        permissions: u
            .actor
            .grants
            .iter()
            .map(|g| g.permission.code().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    }))
}

/// The councils the user may see.
#[utoipa::path(get, path = "/api/v1/councils", responses((status = 200, body = [Council])))]
pub async fn list_councils(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<Council>>, ApiError> {
    let scope = org_scope(&ctx.user()?.actor);
    Ok(Json(state.store.list_councils(&scope).await?.into_iter().map(Council::from).collect()))
}

/// One council; outside the user's scope it is not found, exactly like a missing one.
#[utoipa::path(get, path = "/api/v1/councils/{id}", params(("id" = String, Path, description = "The council's id")),
    responses((status = 200, body = Council), (status = 404, description = "No such council, or not in your scope")))]
pub async fn get_council(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<Council>, ApiError> {
    let user = ctx.user()?;
    if !may(&user.actor, Action::ViewOrganisation, &Resource::in_council(&id)) {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(state.store.get_council(&org_scope(&user.actor), &id).await?.into()))
}

/// Adds a council.
#[utoipa::path(post, path = "/api/v1/councils", request_body = NewCouncil,
    responses((status = 201, body = Council), (status = 422, description = "The council has problems, each named by field")))]
pub async fn create_council(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewCouncil>,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::new();
    if body.postcode_districts.len() > 200 {
        errors.add("postcode_districts", "List at most 200 postcode districts");
    }
    for (field, value, max) in
        [("name", &body.name, 120), ("la_code", &body.la_code, 3), ("ons_code", &body.ons_code, 9)]
    {
        if value.chars().count() > max {
            errors.add(field, format!("Use {max} characters or fewer"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let input = CouncilInput {
        name: body.name,
        la_code: body.la_code,
        ons_code: body.ons_code,
        postcode_districts: body.postcode_districts.join(","),
    };
    let valid = validate_council(&input, &state.store.other_councils(None).await?).map_err(AppError::Invalid)?;
    let id = state.store.save_council(&ctx.audit(&state), None, &valid).await?;
    let council: Council = state.store.get_council(&canopy_store::Scope::Organisation, &id).await?.into();
    Ok((StatusCode::CREATED, Json(council)).into_response())
}

/// The teams serving the councils the user may see.
#[utoipa::path(get, path = "/api/v1/teams", responses((status = 200, body = [Team])))]
pub async fn list_teams(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<Team>>, ApiError> {
    let scope = org_scope(&ctx.user()?.actor);
    Ok(Json(state.store.list_teams(&scope).await?.into_iter().map(Team::from).collect()))
}

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&BearerToken),
    security(("api_token" = [])),
    info(
        title = "Canopy API",
        description = "Children's services across councils. Authenticate with `Authorization: Bearer <token>`; make a token on the API tokens page."
    ),
    paths(me, list_councils, get_council, create_council, list_teams, children::search, children::record, children::add_event, children::work_tray, children::front_door, children::create, children::allocate, children::add_note, children::people, children::add_person, children::add_address, children::merge, children::documents, children::duty_board, children::care, children::add_care, children::early_help, children::add_early_help, adoption::board, adoption::adopters, adoption::create_adopters, adoption::adopter_step, workforce::staff, workforce::staff_record, workforce::measures, workforce::vacancies, quality::data_quality, budgets::list, budgets::create, budgets::get, budgets::decide, budgets::ledger),
    components(schemas(Me, Council, NewCouncil, Team, children::ChildSummary, children::ChildMatch, children::ChildRecord, children::DueItem, children::NewEvent, children::NewChild, children::Allocation, children::NewNote, children::NewFamilyMember, children::FamilyMemberOut, children::NewHome, children::MergeRequest, children::DocumentOut, children::TeamDemand, children::DutyBoardOut, children::CareEpisodeOut, children::CareOut, children::WorkerEpisodeOut, children::EarlyHelpOut, children::NewEarlyHelpEntry, adoption::ChildInAdoption, adoption::AdoptersOut, adoption::AdoptionBoard, adoption::AdopterStepOut, adoption::AdoptersRecord, adoption::NewAdopters, adoption::AdopterStep, workforce::StaffOut, workforce::StaffRecordOut, workforce::MeasuresOut, workforce::VacancyOut, quality::DataQualityOut, quality::RuleFindings, quality::OpenCounts, quality::TeamFindings, quality::MonthFindings, children::NewCareEntry, budgets::BudgetOut, budgets::NewSpendBody, budgets::SpendOut, budgets::Decision, budgets::LedgerLineOut))
)]
pub struct ApiDoc;

/// The OpenAPI document.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
