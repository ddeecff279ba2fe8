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
use canopy_domain::cases::{
    clock_status, running_clocks, worker_episodes, ClockKind, Event, WorkerChangeReason, WorkerEpisode,
};
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
    let care = crate::pages::children::care_history_of(&state, &child).await?;
    let due = running_clocks(&journey, &calendar, &rules)
        .into_iter()
        .chain(care.clocks(&calendar, child.date_of_birth))
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChild {
    #[schema(max_length = 100)]
    pub first_name: String,
    #[schema(max_length = 100)]
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub expected_date_of_birth: Option<NaiveDate>,
    /// M, F or U.
    pub sex: String,
    /// A DfE ethnicity code; empty while not yet known.
    #[serde(default)]
    pub ethnicity: String,
    #[serde(default)]
    pub disabilities: Vec<String>,
    #[serde(default)]
    pub nhs_number: String,
    #[serde(default)]
    pub upn: String,
    #[serde(default)]
    pub local_id: String,
    /// The council the child belongs to.
    pub council_id: String,
    #[serde(default)]
    pub postcode: String,
    /// Set when the caller has seen the likely duplicates and this is a different child.
    #[serde(default)]
    pub confirmed_new: bool,
}

/// Adds a child. Likely duplicates are answered with 409 and the matches, unless `confirmed_new`.
#[utoipa::path(post, path = "/api/v1/children", request_body = NewChild,
    responses((status = 201, body = ChildSummary), (status = 409, body = [ChildMatch], description = "Likely the same child as an existing record"),
        (status = 422, description = "The child's details have problems, each named by field")))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<NewChild>,
) -> Result<Response, ApiError> {
    let user = ctx.user()?.clone();
    let today = state.clock.today();
    let input = canopy_domain::people::ChildInput {
        first_name: body.first_name,
        last_name: body.last_name,
        date_of_birth: body.date_of_birth,
        expected_date_of_birth: body.expected_date_of_birth,
        sex: body.sex,
        ethnicity: body.ethnicity,
        disabilities: body.disabilities,
        nhs_number: body.nhs_number,
        upn: body.upn,
        former_upn: String::new(),
        upn_unknown: String::new(),
        local_id: body.local_id,
        date_of_death: None,
    };
    let mut errors = match canopy_domain::people::validate_child(&input, today) {
        Ok(_) => FieldErrors::new(),
        Err(e) => e,
    };
    if !may(&user.actor, Action::EditChildRecord, &canopy_domain::access::Resource::in_council(&body.council_id))
        && !user.actor.councils.contains(&body.council_id)
    {
        errors.add("council_id", "You cannot add children in that council");
    }
    let postcode = if body.postcode.trim().is_empty() {
        None
    } else {
        match canopy_domain::org::Postcode::parse(&body.postcode) {
            Ok(p) => Some(p),
            Err(m) => {
                errors.add("postcode", m);
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let valid = canopy_domain::people::validate_child(&input, today).map_err(AppError::Invalid)?;
    if !body.confirmed_new {
        let facts = MatchFacts {
            first_name: valid.first_name.clone(),
            last_name: valid.last_name.clone(),
            date_of_birth: valid.date_of_birth.or(valid.expected_date_of_birth),
            nhs_number: valid.nhs_number.as_ref().map(|n| n.as_str().to_string()),
            upn: valid.upn.as_ref().map(|u| u.as_str().to_string()),
            local_id: Some(valid.local_id.clone()).filter(|l| !l.is_empty()),
        };
        let likely: Vec<ChildMatch> = matches(&state, &ctx, &facts)
            .await?
            .iter()
            .filter(|(s, _)| *s >= canopy_domain::people::MatchStrength::Likely)
            .map(|(s, c)| ChildMatch { child: c.into(), strength: format!("{s:?}").to_lowercase() })
            .collect();
        if !likely.is_empty() {
            return Ok((StatusCode::CONFLICT, Json(likely)).into_response());
        }
    }
    let team_id = state
        .store
        .list_teams(&canopy_store::Scope::Councils(vec![body.council_id.clone()]))
        .await?
        .into_iter()
        .find(|t| user.actor.teams.contains(&t.id))
        .map(|t| t.id);
    let placement = canopy_store::children::Placement {
        council_id: body.council_id,
        postcode: postcode.map(|p| p.to_string()),
        cluster_id: None,
        team_id,
        allocated_to: None,
    };
    let id = state.store.create_child(&ctx.audit(&state), &valid, &placement, today).await?;
    let child = state.store.get_child(&id).await?;
    Ok((StatusCode::CREATED, Json(ChildSummary::from(&child))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub team_id: String,
    pub worker_id: String,
    /// Why the social worker is changing, as a 903 SW_REASON code (MANAGE, FCONTA, LEFTRL, ORGRST,
    /// TSPROC, ABSENC, CHCHAN, PCCHAN, SWDIED or OTHERS); needed when the child already has another worker.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Allocates a child to a worker in a team (a manager's action).
#[utoipa::path(post, path = "/api/v1/children/{id}/allocation", params(("id" = String, Path, description = "The child's id")), request_body = Allocation,
    responses((status = 204, description = "Allocated"), (status = 422, description = "The team or worker is not one you may allocate to, or the reason is missing or unknown"), (status = 404, description = "No such child, or not one you may change")))]
pub async fn allocate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Allocation>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let reason = match body.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(code) => match WorkerChangeReason::from_code(code) {
            Some(reason) => Some(reason),
            None => {
                return Err(
                    AppError::Invalid(FieldErrors::one("reason", format!("'{code}' is not a SW_REASON code"))).into()
                )
            }
        },
    };
    match crate::pages::children::change_worker(&state, &ctx, &child, &body.team_id, &body.worker_id, reason).await? {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(errors) => Err(AppError::Invalid(errors).into()),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// case_note, home_visit, telephone, meeting, management_oversight, supervision or other.
    pub note_type: String,
    pub date: NaiveDate,
    #[schema(max_length = 10000)]
    pub text: String,
    #[serde(default)]
    pub significant: bool,
}

/// Adds a case note to a child's record.
#[utoipa::path(post, path = "/api/v1/children/{id}/notes", params(("id" = String, Path, description = "The child's id")), request_body = NewNote,
    responses((status = 201, description = "Added"), (status = 422, description = "The note has problems, each named by field"), (status = 404, description = "No such child, or not one you may change")))]
pub async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewNote>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let mut errors = FieldErrors::new();
    let note_type = canopy_domain::cases::NoteType::from_code(&body.note_type);
    if note_type.is_none() {
        errors.add("note_type", "Use one of the note types");
    }
    if body.date > state.clock.today() {
        errors.add("date", "The date must be today or in the past");
    }
    let text = canopy_domain::validation::required_text(&mut errors, "text", "the note", &body.text, 10_000);
    let (Some(note_type), true) = (note_type, errors.is_empty()) else {
        return Err(AppError::Invalid(errors).into());
    };
    let note = canopy_store::children::CaseNote {
        date: body.date,
        note_type: note_type.code().into(),
        text,
        significant: body.significant,
    };
    state.store.add_child_note(&ctx.audit(&state), &child.id, &note).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// The API's body as a form, so that the API and the pages check input with the same code.
pub(crate) fn as_form(fields: Vec<(&str, String)>, dates: Vec<(&str, Option<NaiveDate>)>) -> crate::forms::FormData {
    let mut pairs: Vec<(String, String)> = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for (name, date) in dates {
        if let Some(d) = date {
            pairs.push((format!("{name}-day"), d.format("%-d").to_string()));
            pairs.push((format!("{name}-month"), d.format("%-m").to_string()));
            pairs.push((format!("{name}-year"), d.format("%Y").to_string()));
        }
    }
    crate::forms::FormData(pairs)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFamilyMember {
    #[schema(max_length = 100)]
    pub first_name: String,
    #[schema(max_length = 100)]
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// mother, father, step_parent, sibling, half_sibling, grandparent, aunt_or_uncle, carer, household_member or other.
    pub relationship: String,
    pub same_household: bool,
    /// If they work for the organisation: they and their teams are then shut out of the record.
    pub work_email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FamilyMemberOut {
    pub person_id: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub relationship: String,
    pub same_household: bool,
}

/// The family members and other adults on a child's record.
#[utoipa::path(get, path = "/api/v1/children/{id}/people", params(("id" = String, Path, description = "The child's id")), responses((status = 200, body = [FamilyMemberOut])))]
pub async fn people(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<Vec<FamilyMemberOut>>, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::ViewChildRecord).await?;
    Ok(Json(
        state
            .store
            .relationships(&child.id)
            .await?
            .into_iter()
            .map(|p| FamilyMemberOut {
                person_id: p.person_id,
                first_name: p.first_name,
                last_name: p.last_name,
                date_of_birth: p.date_of_birth,
                relationship: p.relationship,
                same_household: p.same_household,
            })
            .collect(),
    ))
}

/// Adds a family member or other adult to a child's record.
#[utoipa::path(post, path = "/api/v1/children/{id}/people", params(("id" = String, Path, description = "The child's id")), request_body = NewFamilyMember,
    responses((status = 201, description = "Added"), (status = 422, description = "The person's details have problems, each named by field")))]
pub async fn add_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewFamilyMember>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let form = as_form(
        vec![
            ("first_name", body.first_name),
            ("last_name", body.last_name),
            ("relationship", body.relationship),
            ("same_household", if body.same_household { "yes" } else { "no" }.to_string()),
            ("work_email", body.work_email.unwrap_or_default()),
        ],
        vec![("date_of_birth", body.date_of_birth)],
    );
    let member = crate::pages::children::parse_member(&state, &form).await?.map_err(AppError::Invalid)?;
    state.store.add_family_member(&ctx.audit(&state), &child.id, &member, state.clock.today()).await?;
    Ok(StatusCode::CREATED.into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHome {
    #[schema(max_length = 120)]
    pub line1: String,
    #[schema(max_length = 60)]
    pub town: String,
    pub postcode: String,
    pub moved_in: NaiveDate,
}

/// Records that a child moved; the record follows the new address to its cluster.
#[utoipa::path(post, path = "/api/v1/children/{id}/addresses", params(("id" = String, Path, description = "The child's id")), request_body = NewHome,
    responses((status = 201, description = "Recorded"), (status = 422, description = "The address has problems, or is in another council")))]
pub async fn add_address(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewHome>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let form = as_form(
        vec![("line1", body.line1), ("town", body.town), ("postcode", body.postcode)],
        vec![("moved_in", Some(body.moved_in))],
    );
    let address = crate::pages::children::parse_move(&state, &child, &form).await?.map_err(AppError::Invalid)?;
    state.store.move_child(&ctx.audit(&state), &child.id, &address).await?;
    Ok(StatusCode::CREATED.into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate record, which joins this one.
    pub duplicate_id: String,
}

/// Merges a duplicate record of the same child into this one (a manager's action).
#[utoipa::path(post, path = "/api/v1/children/{id}/merge", params(("id" = String, Path, description = "The record to keep")), request_body = MergeRequest,
    responses((status = 204, description = "Merged"), (status = 422, description = "The records cannot be merged, and why")))]
pub async fn merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MergeRequest>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    match crate::pages::children::merge_records(&state, &ctx, &child, &body.duplicate_id).await? {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(message) => Err(AppError::Invalid(FieldErrors::one("duplicate_id", message)).into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Where to download it (with the same token).
    pub href: String,
}

/// The documents on a child's record. Downloading needs the case-narrative permission.
#[utoipa::path(get, path = "/api/v1/children/{id}/documents", params(("id" = String, Path, description = "The child's id")), responses((status = 200, body = [DocumentOut])))]
pub async fn documents(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<Vec<DocumentOut>>, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::ViewCaseNarrative).await?;
    Ok(Json(
        state
            .store
            .documents(&child.id)
            .await?
            .into_iter()
            .map(|d| DocumentOut {
                href: format!("/children/{}/documents/{}", child.id, d.id),
                id: d.id,
                title: d.title,
                kind: d.kind,
                size_bytes: d.size_bytes,
                sha256: d.sha256,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TeamDemand {
    pub team_id: String,
    pub name: String,
    pub unallocated: usize,
    pub overdue: usize,
    pub due_today: usize,
}

#[derive(Serialize, ToSchema)]
pub struct DutyBoardOut {
    pub cluster_id: String,
    pub cluster: String,
    pub teams: Vec<TeamDemand>,
    /// Overdue and due today, across the cluster's teams.
    pub pressing: Vec<DueItem>,
    pub unallocated: Vec<ChildSummary>,
}

/// A cluster's duty board: demand by team, what is overdue or due today, and unallocated children.
#[utoipa::path(get, path = "/api/v1/clusters/{id}/duty", params(("id" = String, Path, description = "The cluster's id")),
    responses((status = 200, body = DutyBoardOut), (status = 404, description = "No such cluster, or not one you may see")))]
pub async fn duty_board(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<DutyBoardOut>, ApiError> {
    let board = crate::pages::children::duty_board_data(&state, &ctx, &id).await?;
    Ok(Json(DutyBoardOut {
        cluster_id: board.cluster.id.clone(),
        cluster: board.cluster.name.clone(),
        teams: board
            .teams
            .iter()
            .map(|t| {
                let (unallocated, overdue, due_today) = board.demand.get(&t.id).copied().unwrap_or_default();
                TeamDemand { team_id: t.id.clone(), name: t.name.clone(), unallocated, overdue, due_today }
            })
            .collect(),
        pressing: board
            .pressing
            .iter()
            .map(|(s, r)| DueItem {
                child_id: r.child.id.clone(),
                child_name: r.child.full_name(),
                kind: r.kind.clone(),
                label: ClockKind::from_code(&r.kind).map(|k| k.label()).unwrap_or("").into(),
                due: r.due,
                status: status_code(*s).into(),
            })
            .collect(),
        unallocated: board.unallocated.iter().map(ChildSummary::from).collect(),
    }))
}

/// One 903 episode of a looked-after child, with the codes the return uses.
#[derive(Serialize, ToSchema)]
pub struct CareEpisodeOut {
    pub start: NaiveDate,
    /// RNE: S, L, P, T, U or B.
    pub reason_new_episode: String,
    /// LS code, such as C2 or V2.
    pub legal_status: String,
    /// PLACE code, such as U6.
    pub placement: String,
    pub provider: Option<String>,
    pub carer: String,
    pub postcode: Option<String>,
    pub urn: Option<String>,
    pub address: Option<String>,
    pub reason_place_change: Option<String>,
    pub end: Option<NaiveDate>,
    /// REC code; X1 links to the next episode.
    pub reason_ceased: Option<String>,
    /// Whether the placement is in the child's council; null without a placement postcode.
    pub inside_council: Option<bool>,
    /// Miles from the child's home then, district centre to district centre; null when unknown.
    pub distance_miles: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct CareOut {
    pub episodes: Vec<CareEpisodeOut>,
    pub visits: Vec<NaiveDate>,
    pub reviews: Vec<NaiveDate>,
    /// The user id of the child's independent reviewing officer.
    pub iro: Option<String>,
    /// Where the child is in adoption: decision, placement_order, matched, placed, adopted or reversed.
    pub adoption_stage: Option<String>,
    /// The leaving-care category today: eligible, relevant, former_relevant or qualifying.
    pub leaving_care: Option<String>,
    /// How long the record is kept: 100 years from an adoption order, or to the 75th birthday.
    pub keep_until: Option<NaiveDate>,
    /// Every allocated social worker the child has had (903 SWEpisodes), oldest first.
    pub social_workers: Vec<WorkerEpisodeOut>,
}

/// A period with one allocated social worker.
#[derive(Serialize, ToSchema)]
pub struct WorkerEpisodeOut {
    /// The worker's user id (SW_ID).
    pub worker: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// SW_REASON: why this worker took over; none for the child's first worker.
    pub reason: Option<String>,
}

impl From<&WorkerEpisode> for WorkerEpisodeOut {
    fn from(e: &WorkerEpisode) -> Self {
        Self { worker: e.worker.clone(), start: e.start, end: e.end, reason: e.reason.map(|r| r.code().into()) }
    }
}

/// A child's care as 903 episodes, worked out from what was recorded, with visits and reviews.
#[utoipa::path(get, path = "/api/v1/children/{id}/care", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = CareOut), (status = 404, description = "No such child, or not one you may see")))]
pub async fn care(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<CareOut>, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::ViewChildRecord).await?;
    let history = crate::pages::children::care_history_of(&state, &child).await?;
    let locations = crate::pages::children::episode_locations(&state, &child, &history).await?;
    let episodes = history
        .episodes
        .iter()
        .zip(locations)
        .map(|(e, at)| CareEpisodeOut {
            start: e.start,
            reason_new_episode: e.reason_new_episode.code().into(),
            legal_status: e.legal_status.code().into(),
            placement: e.placement.place.code().into(),
            provider: e.placement.provider.map(|p| p.code().into()),
            carer: e.placement.carer.clone(),
            postcode: e.placement.postcode.clone(),
            urn: e.placement.urn.clone(),
            address: e.placement.address.clone(),
            reason_place_change: e.reason_place_change.map(|r| r.code().into()),
            end: e.end,
            reason_ceased: e.reason_ceased.map(|r| r.code().into()),
            inside_council: at.inside_council,
            distance_miles: at.distance_miles,
        })
        .collect();
    let leaving_care = child.date_of_birth.and_then(|dob| {
        canopy_domain::cases::care::leaver_category(dob, &history.episodes, &history.leaving, state.clock.today())
    });
    Ok(Json(CareOut {
        episodes,
        visits: history.visits.clone(),
        reviews: history.reviews.iter().map(|r| r.date).collect(),
        iro: history.iro.as_ref().map(|i| i.user_id.clone()),
        adoption_stage: history.adoption_stage().map(|s| s.code().into()),
        leaving_care: leaving_care.map(|c| c.code().into()),
        keep_until: history.keep_until(child.date_of_birth),
        social_workers: worker_episodes(&state.store.allocations(&child.id).await?).iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCareEntry {
    /// What happened, tagged by `entry`: `change` (with `change`, tagged by `kind`:
    /// started_to_be_looked_after, legal_status_changed, placement_changed,
    /// ceased_to_be_looked_after), `visit` (date, seen_alone), `review` (date, participation),
    /// `went_missing`, `returned`, `health_check` (check: health_assessment, dental_check,
    /// immunisations), `sdq` (score or reason), `unaccompanied` (asylum_seeking), `care_plan`
    /// (permanence, summary), `iro_assigned` (iro: a user id), `adoption_decision`,
    /// `adoption_decision_reversed` (reason RD1–RD4), `matched_with_adopters` (adopters,
    /// foster_carers; the adoption service only), `adoption_review`, `personal_adviser`,
    /// `pathway_plan_reviewed`, `leaver_contact` (in_touch, accommodation, suitable, activity) or
    /// `support_to_25`. Codes are the 903's: legal status C2, placement U6, provider PR1, and so on.
    #[schema(value_type = Object)]
    pub entry: serde_json::Value,
}

/// Records what happened in a child's care; the 903 rules refuse what they do not allow, with
/// the reason.
#[utoipa::path(post, path = "/api/v1/children/{id}/care", params(("id" = String, Path, description = "The child's id")), request_body = NewCareEntry,
    responses((status = 201, description = "Recorded"), (status = 422, description = "The entry breaks a rule of the 903, or is malformed"), (status = 404, description = "No such child, or not one you may change")))]
pub async fn add_care(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewCareEntry>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let entry: canopy_domain::cases::care::CareEntry = serde_json::from_value(body.entry)
        .map_err(|e| AppError::Invalid(FieldErrors::one("entry", format!("The entry is not one Canopy knows: {e}"))))?;
    if entry.date() > state.clock.today() {
        return Err(AppError::Invalid(FieldErrors::one("entry", "The date cannot be in the future")).into());
    }
    match crate::pages::children::record_care_entry(&state, &ctx, &child, &entry).await? {
        Ok(()) => Ok(StatusCode::CREATED.into_response()),
        Err(broken) => Err(AppError::Invalid(FieldErrors::one("entry", broken.0)).into()),
    }
}

/// A child's early help, episode by episode, as worked out from what was recorded.
#[derive(Serialize, ToSchema)]
pub struct EarlyHelpOut {
    /// Each episode: start, how (front_door with its contact, stepped_down with its episode,
    /// or partner_request), lead (name, agency), assessment (started, organisation, completed),
    /// team (name, agency, role, joined, left), meetings, plan (agreed, goals with the date
    /// each was met, reviews), closed (date and outcome) and stepped_up_to (the contact).
    #[schema(value_type = Vec<Object>)]
    pub episodes: Vec<canopy_domain::early_help::EarlyHelpEpisode>,
}

/// A child's early help episodes.
#[utoipa::path(get, path = "/api/v1/children/{id}/early-help", params(("id" = String, Path, description = "The child's id")),
    responses((status = 200, body = EarlyHelpOut), (status = 404, description = "No such child, or not one you may see")))]
pub async fn early_help(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<EarlyHelpOut>, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::ViewChildRecord).await?;
    let journey = journey_of(&state, &child).await?;
    let history = crate::pages::children::early_help_of(&state, &child, &journey).await?;
    Ok(Json(EarlyHelpOut { episodes: history.episodes }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEarlyHelpEntry {
    /// What happened, tagged by `entry`: `started` (date, how tagged by `kind`: front_door with
    /// contact, stepped_down with episode, or partner_request; lead with name and agency),
    /// `lead_changed`, `assessment_started` (organisation), `assessment_completed`,
    /// `member_joined` (name, agency, role), `member_left` (name), `meeting_held` (attended:
    /// names), `plan_agreed` (goals), `plan_reviewed` (goals_met, note), `closed` (outcome:
    /// needs_met, universal, withdrew, moved_away or other), or `stepped_up` (reason; the
    /// contact is made at the front door and its id is Canopy's, whatever is sent).
    #[schema(value_type = Object)]
    pub entry: serde_json::Value,
}

/// Records something that happened in a child's early help.
#[utoipa::path(post, path = "/api/v1/children/{id}/early-help", params(("id" = String, Path, description = "The child's id")), request_body = NewEarlyHelpEntry,
    responses((status = 201, description = "Recorded"), (status = 422, description = "The entry is not understood, or breaks a rule, which is named"), (status = 404, description = "No such child, or not one you may change")))]
pub async fn add_early_help(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewEarlyHelpEntry>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let mut value = body.entry;
    // The contact a step up makes is named by Canopy, so a caller need not send one.
    if value["entry"] == "stepped_up" && value.get("contact").is_none() {
        value["contact"] = serde_json::Value::String(String::new());
    }
    let entry: canopy_domain::early_help::EarlyHelpEntry = serde_json::from_value(value)
        .map_err(|e| AppError::Invalid(FieldErrors::one("entry", format!("The entry is not one Canopy knows: {e}"))))?;
    if entry.date() > state.clock.today() {
        return Err(AppError::Invalid(FieldErrors::one("entry", "The date cannot be in the future")).into());
    }
    match crate::pages::children::record_early_help(&state, &ctx, &child, &entry).await? {
        Ok(()) => Ok(StatusCode::CREATED.into_response()),
        Err(broken) => Err(AppError::Invalid(FieldErrors::one("entry", broken.0)).into()),
    }
}
