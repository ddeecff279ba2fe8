//! Children and their journey through the API: search, the record with its running clocks, new
//! journey events, the work tray and the front-door queue. The same policy and audit as the pages.

use super::ApiJson;
use crate::error::ApiError;
use crate::pages::children::{child_for, journey_of, matches, record_event};
use crate::pages::Ctx;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use canopy_domain::access::{may, Action, Permission, Reach};
use canopy_domain::cases::{clock_status, running_clocks, ClockKind, Event};
use canopy_domain::people::{MatchFacts, NhsNumber, Upn};
use canopy_domain::validation::FieldErrors;
use canopy_store::children::{ChildRow, ClockFilter};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ChildSummary {
    pub id: String,
    pub council_id: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub expected_date_of_birth: Option<NaiveDate>,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub team_id: Option<String>,
    pub allocated_to: Option<String>,
}

impl From<&ChildRow> for ChildSummary {
    fn from(c: &ChildRow) -> Self {
        Self {
            id: c.id.clone(),
            council_id: c.council_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            date_of_birth: c.date_of_birth,
            expected_date_of_birth: c.expected_date_of_birth,
            nhs_number: c.nhs_number.clone(),
            upn: c.upn.clone(),
            team_id: c.team_id.clone(),
            allocated_to: c.allocated_to.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChildMatch {
    pub child: ChildSummary,
    /// How strongly the record matches: "certain", "likely" or "possible".
    pub strength: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChildSearch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// YYYY-MM-DD
    pub date_of_birth: Option<NaiveDate>,
    /// An NHS number, UPN or local id.
    pub identifier: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DueItem {
    pub child_id: String,
    pub child_name: String,
    /// The clock, such as "assessment" or "protection_visit".
    pub kind: String,
    pub label: String,
    pub due: NaiveDate,
    /// "overdue", "at_risk" (within 2 working days) or "due".
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChildRecord {
    pub child: ChildSummary,
    /// The journey as it stands: contacts, episodes (with assessments, enquiries, conferences
    /// and plans) and visits.
    #[schema(value_type = Object)]
    pub journey: serde_json::Value,
    pub due: Vec<DueItem>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    /// A journey event, tagged by `kind`: contact_received, contact_decided, referral_accepted,
    /// assessment_started, child_seen, assessment_completed, assessment_authorised,
    /// strategy_discussion_held, section47_started, section47_concluded,
    /// initial_conference_held, core_group_held, review_conference_held,
    /// child_protection_plan_ended, child_in_need_plan_started, child_in_need_plan_reviewed,
    /// child_in_need_plan_ended, visit_recorded, episode_closed. Ids of new parts of the record
    /// are chosen by the caller (UUIDs).
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

fn status_code(s: canopy_domain::cases::ClockStatus) -> &'static str {
    match s {
        canopy_domain::cases::ClockStatus::Overdue => "overdue",
        canopy_domain::cases::ClockStatus::AtRisk => "at_risk",
        canopy_domain::cases::ClockStatus::Due => "due",
    }
}

/// Children the caller may see who match a name, date of birth or identifier.
#[utoipa::path(get, path = "/api/v1/children", params(ChildSearch), responses((status = 200, body = [ChildMatch])))]
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChildSearch>,
) -> Result<Json<Vec<ChildMatch>>, ApiError> {
    let identifier = q.identifier.unwrap_or_default().trim().to_string();
    let nhs = NhsNumber::parse(&identifier).ok().map(|n| n.as_str().to_string());
    let upn = Upn::parse(&identifier).ok().map(|u| u.as_str().to_string());
    let facts = MatchFacts {
        first_name: q.first_name.unwrap_or_default(),
        last_name: q.last_name.unwrap_or_default(),
        date_of_birth: q.date_of_birth,
        local_id: Some(identifier.clone()).filter(|i| !i.is_empty() && nhs.is_none() && upn.is_none()),
        nhs_number: nhs,
        upn,
    };
    if facts.first_name.trim().is_empty()
        && facts.last_name.trim().is_empty()
        && facts.date_of_birth.is_none()
        && identifier.is_empty()
    {
        return Err(
            AppError::Invalid(FieldErrors::one("last_name", "Give a name, a date of birth or an identifier")).into()
        );
    }
    let found = matches(&state, &ctx, &facts).await?;
    Ok(Json(
        found.iter().map(|(s, c)| ChildMatch { child: c.into(), strength: format!("{s:?}").to_lowercase() }).collect(),
    ))
}

/// One child's record: details, journey and what is due. Reads are audited.
#[utoipa::path(get, path = "/api/v1/children/{id}", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = ChildRecord), (status = 404, description = "No such child, or not one you may see")))]
pub async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<ChildRecord>, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::ViewChildRecord).await?;
    let journey = journey_of(&state, &child).await?;
    let calendar = state.store.council_calendar(&child.council_id).await?;
    let rules = state.store.clock_rules(&child.council_id).await?;
    let today = state.clock.today();
    let due = running_clocks(&journey, &calendar, &rules)
        .into_iter()
        .map(|c| DueItem {
            child_id: child.id.clone(),
            child_name: child.full_name(),
            kind: c.kind.code().into(),
            label: c.kind.label().into(),
            due: c.due,
            status: status_code(clock_status(c.due, today, &calendar)).into(),
        })
        .collect();
    let journey = serde_json::to_value(&journey).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(ChildRecord { child: (&child).into(), journey, due }))
}

/// Records one journey event; the domain refuses an event that breaks a rule, with the reason.
#[utoipa::path(post, path = "/api/v1/children/{id}/events", params(("id" = String, Path, description = "The child's id")), request_body = NewEvent,
    responses((status = 201, description = "Recorded"), (status = 422, description = "The event breaks a rule of the journey, or is malformed"), (status = 404, description = "No such child, or not one you may change")))]
pub async fn add_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewEvent>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let reason = body.reason.unwrap_or_default();
    if reason.chars().count() > 2000 {
        return Err(AppError::Invalid(FieldErrors::one("reason", "Use 2000 characters or fewer")).into());
    }
    let event: Event =
        serde_json::from_value(body.event).map_err(|e| AppError::Invalid(FieldErrors::one("event", e.to_string())))?;
    if event.date() > state.clock.today() {
        return Err(
            AppError::Invalid(FieldErrors::one("event", "The event's date must be today or in the past")).into()
        );
    }
    if serde_json::to_string(&event).map(|t| t.len()).unwrap_or(0) > 8_000 {
        return Err(AppError::Invalid(FieldErrors::one("event", "The event is too long")).into());
    }
    match record_event(&state, &ctx, &child, &event, reason.trim(), &[]).await? {
        Ok(()) => Ok(StatusCode::CREATED.into_response()),
        Err(broken) => Err(AppError::Invalid(FieldErrors::one("event", broken.0)).into()),
    }
}

async fn due_items(state: &AppState, ctx: &Ctx, filter: ClockFilter) -> Result<Vec<DueItem>, AppError> {
    let user = ctx.user()?;
    let today = state.clock.today();
    let mut calendars = std::collections::HashMap::new();
    let mut out = Vec::new();
    for r in state
        .store
        .clocks(&filter)
        .await?
        .into_iter()
        .filter(|r| may(&user.actor, Action::ViewChildRecord, &r.child.resource()))
    {
        if !calendars.contains_key(&r.child.council_id) {
            calendars.insert(r.child.council_id.clone(), state.store.council_calendar(&r.child.council_id).await?);
        }
        let Some(calendar) = calendars.get(&r.child.council_id) else {
            continue;
        };
        out.push(DueItem {
            child_id: r.child.id.clone(),
            child_name: r.child.full_name(),
            label: ClockKind::from_code(&r.kind).map(|k| k.label()).unwrap_or("").into(),
            kind: r.kind,
            due: r.due,
            status: status_code(clock_status(r.due, today, calendar)).into(),
        });
    }
    Ok(out)
}

/// What is due for the children allocated to the caller.
#[utoipa::path(get, path = "/api/v1/work-tray", responses((status = 200, body = [DueItem])))]
pub async fn work_tray(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<DueItem>>, ApiError> {
    let me = ctx.user()?.user_id.clone();
    Ok(Json(due_items(&state, &ctx, ClockFilter { allocated_to: Some(me), ..ClockFilter::default() }).await?))
}

/// Contacts waiting for a front-door decision in the caller's councils.
#[utoipa::path(get, path = "/api/v1/front-door", responses((status = 200, body = [DueItem])))]
pub async fn front_door(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<DueItem>>, ApiError> {
    let user = ctx.user()?;
    let councils = match user.actor.reach_of(Permission::CaseView) {
        Some(Reach::Organisation) => None,
        _ => Some(user.actor.councils.iter().cloned().collect()),
    };
    let filter =
        ClockFilter { councils, kinds: Some(vec![ClockKind::ContactDecision.code().into()]), ..ClockFilter::default() };
    Ok(Json(due_items(&state, &ctx, filter).await?))
}
