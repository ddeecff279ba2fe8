//! The workforce over the API: the staff the caller may see, one worker's record with its history,
//! and every workforce measure for a council or the organisation as at any day.

use crate::error::ApiError;
use crate::pages::workforce::{staff_for, Figures};
use crate::pages::Ctx;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use canopy_domain::access::{may, Action};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct StaffOut {
    pub id: String,
    pub name: String,
    pub job_title: String,
    pub team_id: Option<String>,
    pub council_ids: Vec<String>,
    /// How they are employed now, in words.
    pub employment: String,
    pub in_post: bool,
    pub swe_number: Option<String>,
}

impl From<&canopy_store::workforce::StaffRow> for StaffOut {
    fn from(s: &canopy_store::workforce::StaffRow) -> Self {
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            job_title: s.job_title.clone(),
            team_id: s.team_id.clone(),
            council_ids: s.council_ids.clone(),
            employment: s.employment.clone(),
            in_post: s.in_post,
            swe_number: s.swe_number.as_ref().map(|n| n.to_string()),
        }
    }
}

/// The staff records the caller may see (in post and leavers).
#[utoipa::path(get, path = "/api/v1/workforce/staff", responses((status = 200, body = Vec<StaffOut>)))]
pub async fn staff(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<StaffOut>>, ApiError> {
    let user = ctx.user()?;
    let rows = state.store.staff().await?;
    Ok(Json(
        rows.iter()
            .filter(|s| s.resources().iter().any(|r| may(&user.actor, Action::ViewStaffRecords, r)))
            .map(StaffOut::from)
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct StaffRecordOut {
    #[serde(flatten)]
    pub staff: StaffOut,
    /// Each event as recorded, tagged by `event`: joined, moved_team, role_changed, hours_changed,
    /// employment_changed, absent, cfkss_reached or left.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<canopy_domain::workforce::StaffEvent>,
}

/// One worker's record and history (their own, or one the caller may see; the read is audited).
#[utoipa::path(get, path = "/api/v1/workforce/staff/{id}", params(("id" = String, Path, description = "The staff record's id")),
    responses((status = 200, body = StaffRecordOut), (status = 404, description = "No such record, or not one you may see")))]
pub async fn staff_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<StaffRecordOut>, ApiError> {
    let row = staff_for(&state, &ctx, &id).await?;
    let history = state.store.staff_history(&id).await?.into_iter().map(|h| h.event).collect();
    Ok(Json(StaffRecordOut { staff: StaffOut::from(&row), history }))
}

#[derive(Deserialize, IntoParams)]
pub struct MeasuresQuery {
    /// A council's id; the whole organisation when absent (and no cluster or team is given).
    #[serde(default)]
    pub council: String,
    /// A cluster's id: the figures of its teams.
    #[serde(default)]
    pub cluster: String,
    /// A team's id.
    #[serde(default)]
    pub team: String,
    /// The day the figures are as at; today when absent.
    #[serde(default)]
    pub as_at: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct MeasuresOut {
    pub council_id: Option<String>,
    /// What the figures are of, in words: a team, a cluster, a council or the organisation.
    pub of: String,
    pub as_at: NaiveDate,
    /// agency_rate, vacancy_rate and turnover as fractions; headcount, fte, absence (working days
    /// lost per FTE in the 12 months) and conversions (in the 12 months) as numbers.
    #[schema(value_type = Object)]
    pub measures: std::collections::BTreeMap<String, f64>,
}

/// Every workforce measure as at a day.
#[utoipa::path(get, path = "/api/v1/workforce/measures", params(MeasuresQuery),
    responses((status = 200, body = MeasuresOut), (status = 404, description = "No such council, or not one whose figures you may see")))]
pub async fn measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<MeasuresQuery>,
) -> Result<Json<MeasuresOut>, ApiError> {
    let as_at = query.as_at.map(|d| d.to_string()).unwrap_or_default();
    let of = crate::pages::workforce::Of { council: &query.council, cluster: &query.cluster, team: &query.team };
    let figures = Figures::load(&state, &ctx, &of, &as_at).await?;
    Ok(Json(MeasuresOut {
        council_id: figures.council.as_ref().map(|c| c.id.clone()),
        of: figures.label.clone(),
        as_at: figures.as_at,
        measures: figures.all().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VacancyOut {
    pub id: String,
    pub team_id: String,
    pub council_ids: Vec<String>,
    pub job_title: String,
    /// The census OrgRole code, for a social work post.
    pub org_role: Option<String>,
    pub fte: f64,
    pub opened: NaiveDate,
    pub closed: Option<NaiveDate>,
    pub filled: bool,
    pub agency_cover: bool,
    /// Days from opening to the new worker's first day, once filled.
    pub time_to_hire: Option<i64>,
    /// The applications at each stage (applied, shortlisted, interviewed, offered, accepted,
    /// started, withdrawn); candidates' details are on their records.
    #[schema(value_type = Object)]
    pub applications: std::collections::BTreeMap<String, usize>,
}

/// The vacancies the caller may see, with their applications by stage.
#[utoipa::path(get, path = "/api/v1/workforce/vacancies", responses((status = 200, body = Vec<VacancyOut>)))]
pub async fn vacancies(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Vec<VacancyOut>>, ApiError> {
    let mut out = Vec::new();
    for v in state.store.vacancies().await? {
        if !crate::pages::workforce::may_see_vacancy(&ctx, &v)? {
            continue;
        }
        let mut applications = std::collections::BTreeMap::new();
        for a in state.store.applications_for(&v.id).await? {
            *applications.entry(a.stage.code().to_string()).or_insert(0) += 1;
        }
        out.push(VacancyOut {
            time_to_hire: v
                .closed
                .filter(|_| v.filled_by.is_some())
                .map(|c| canopy_domain::workforce::time_to_hire(v.opened, c)),
            id: v.id,
            team_id: v.team_id,
            council_ids: v.council_ids,
            job_title: v.job_title,
            org_role: v.org_role.map(|r| r.code().to_string()),
            fte: v.fte.as_f64(),
            opened: v.opened,
            closed: v.closed,
            filled: v.filled_by.is_some(),
            agency_cover: v.agency_cover,
            applications,
        });
    }
    Ok(Json(out))
}
