//! The shared adoption service over the API: its board of children and adopters by stage, the
//! adopters' records with their history, new adopters and their steps. Matching and placing are
//! the child's care entries (`POST /api/v1/children/{id}/care`), which move adopters on with them.

use super::children::ChildSummary;
use super::ApiJson;
use crate::error::ApiError;
use crate::pages::adoption::{add_adopters, adopters_for, children_on_board};
use crate::pages::Ctx;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use canopy_domain::access::Action;
use canopy_domain::adoption::{AdopterEvent, AdopterInput};
use canopy_domain::validation::FieldErrors;
use canopy_store::adoption::AdopterRow;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ChildInAdoption {
    pub child: ChildSummary,
    /// decision, placement_order, matched, placed, adopted or reversed.
    pub stage: String,
}

#[derive(Serialize, ToSchema)]
pub struct AdoptersOut {
    pub id: String,
    pub name: String,
    /// MF, MM, FF, M1 or F1 (903 SEX_ADOPTR).
    pub sexes: String,
    /// 903 LS_ADOPTR.
    pub legal_status: String,
    /// enquiry, stage_1, stage_2, approved, matched, placed or left.
    pub stage: String,
    pub since: NaiveDate,
}

impl From<&AdopterRow> for AdoptersOut {
    fn from(a: &AdopterRow) -> Self {
        Self {
            id: a.id.clone(),
            name: a.name.clone(),
            sexes: a.sexes.clone(),
            legal_status: a.legal_status.clone(),
            stage: a.stage.code().into(),
            since: a.stage_date,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AdoptionBoard {
    /// The children in adoption whom you may see, in stage order.
    pub children: Vec<ChildInAdoption>,
    /// Every council's adopters; only for the adoption service, otherwise empty.
    pub adopters: Vec<AdoptersOut>,
}

/// The adoption board: children by stage, and for the adoption service the adopters.
#[utoipa::path(get, path = "/api/v1/adoption", responses((status = 200, body = AdoptionBoard)))]
pub async fn board(State(state): State<AppState>, ctx: Ctx) -> Result<Json<AdoptionBoard>, ApiError> {
    let children = children_on_board(&state, &ctx)
        .await?
        .iter()
        .map(|(c, stage)| ChildInAdoption { child: ChildSummary::from(c), stage: stage.code().into() })
        .collect();
    let adopters = match ctx.may_org(Action::WorkInAdoption) {
        true => state.store.adopters().await?.iter().map(AdoptersOut::from).collect(),
        false => Vec::new(),
    };
    Ok(Json(AdoptionBoard { children, adopters }))
}

#[derive(Serialize, ToSchema)]
pub struct AdopterStepOut {
    pub date: NaiveDate,
    pub what: String,
    pub by: String,
}

#[derive(Serialize, ToSchema)]
pub struct AdoptersRecord {
    #[serde(flatten)]
    pub adopters: AdoptersOut,
    pub history: Vec<AdopterStepOut>,
}

/// One set of adopters with their history (the read is audited).
#[utoipa::path(get, path = "/api/v1/adoption/adopters/{id}", params(("id" = String, Path, description = "The adopters' id")),
    responses((status = 200, body = AdoptersRecord), (status = 404, description = "No such adopters")))]
pub async fn adopters(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<AdoptersRecord>, ApiError> {
    let row = adopters_for(&state, &ctx, &id).await?;
    let history = state
        .store
        .adopter_history(&id)
        .await?
        .iter()
        .map(|h| AdopterStepOut { date: h.event.date(), what: h.event.describe(), by: h.actor_id.clone() })
        .collect();
    Ok(Json(AdoptersRecord { adopters: AdoptersOut::from(&row), history }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdopters {
    pub name: String,
    /// MF, MM, FF, M1 or F1.
    pub sexes: String,
    /// 903 LS_ADOPTR, such as L0 or L11.
    pub legal_status: String,
    /// The day they first enquired.
    pub enquired: NaiveDate,
}

/// Adds prospective adopters from their enquiry.
#[utoipa::path(post, path = "/api/v1/adoption/adopters", request_body = NewAdopters,
    responses((status = 201, description = "Added; Location names the record"), (status = 422, description = "The adopters' details have problems, each named by field")))]
pub async fn create_adopters(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewAdopters>,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::new();
    if body.enquired > state.clock.today() {
        errors.add("enquired", "The enquiry date cannot be in the future");
    }
    let input = AdopterInput { name: body.name, sexes: body.sexes, legal_status: body.legal_status };
    match add_adopters(&state, &ctx, &input, Some(body.enquired), errors).await? {
        Ok(id) => {
            let location = format!("/api/v1/adoption/adopters/{id}");
            Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)]).into_response())
        }
        Err(errors) => Err(AppError::Invalid(errors).into()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, tag = "step", rename_all = "snake_case")]
pub enum AdopterStep {
    /// On to the next stage (enquiry → stage 1 → stage 2 → approved).
    MoveOn { date: NaiveDate },
    /// They left the process.
    Leave { date: NaiveDate, reason: String },
}

/// Moves adopters on a stage, or records that they left.
#[utoipa::path(post, path = "/api/v1/adoption/adopters/{id}/steps", params(("id" = String, Path, description = "The adopters' id")), request_body = AdopterStep,
    responses((status = 201, description = "Recorded"), (status = 422, description = "The step breaks a rule, which is named"), (status = 404, description = "No such adopters")))]
pub async fn adopter_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdopterStep>,
) -> Result<Response, ApiError> {
    let row = state.store.adopter(&id).await.map_err(AppError::from)?;
    let event = match body {
        AdopterStep::MoveOn { date } => match row.stage.next_by_hand() {
            Some(to) => AdopterEvent::MovedOn { date, to },
            None => {
                let message =
                    format!("adopters at {} are moved on by the child's steps", row.stage.label().to_lowercase());
                return Err(AppError::Invalid(FieldErrors::one("step", message)).into());
            }
        },
        AdopterStep::Leave { date, reason } => AdopterEvent::LeftProcess { date, reason: reason.trim().to_string() },
    };
    if event.date() > state.clock.today() {
        return Err(AppError::Invalid(FieldErrors::one("date", "The date cannot be in the future")).into());
    }
    match state.store.record_adopter_event(&ctx.audit(&state), &id, &event).await? {
        Ok(()) => Ok(StatusCode::CREATED.into_response()),
        Err(broken) => Err(AppError::Invalid(FieldErrors::one("step", broken.0)).into()),
    }
}
