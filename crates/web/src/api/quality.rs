//! The data quality API: a council's open DfE rule findings, by rule and team, over time.

use crate::error::ApiError;
use crate::pages::quality::council_quality;
use crate::pages::Ctx;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct QualityParams {
    /// The council's id.
    pub council: String,
    /// The collection year, named by the year it ends (2027 is April 2026 to March 2027); by
    /// default the year in progress.
    pub year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleFindings {
    /// The return the rule is of: CIN or SSDA903.
    pub statutory_return: String,
    pub rule: String,
    /// Error or Query.
    pub severity: String,
    pub message: String,
    pub children: i64,
    pub findings: i64,
}

#[derive(Serialize, ToSchema)]
pub struct OpenCounts {
    pub errors: i64,
    pub queries: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TeamFindings {
    pub team: String,
    pub errors: i64,
    pub queries: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonthFindings {
    pub month_end: NaiveDate,
    pub errors: i64,
    pub queries: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DataQualityOut {
    pub council_id: String,
    pub collection_year: i32,
    pub open: OpenCounts,
    pub by_rule: Vec<RuleFindings>,
    pub by_team: Vec<TeamFindings>,
    pub over_time: Vec<MonthFindings>,
}

/// A council's open data quality findings under the DfE's CIN census and SSDA903 rules.
#[utoipa::path(get, path = "/api/v1/data-quality", params(QualityParams),
    responses((status = 200, body = DataQualityOut), (status = 404, description = "No such council, or not one whose data quality you may see")))]
pub async fn data_quality(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(params): Query<QualityParams>,
) -> Result<Json<DataQualityOut>, ApiError> {
    let q = council_quality(&state, &ctx, &params.council, params.year).await?;
    Ok(Json(DataQualityOut {
        council_id: q.council_id,
        collection_year: q.year,
        open: OpenCounts { errors: q.open.errors, queries: q.open.queries },
        by_rule: q
            .by_rule
            .into_iter()
            .map(|r| RuleFindings {
                statutory_return: r.statutory_return,
                rule: r.rule,
                severity: r.severity,
                message: r.message,
                children: r.children,
                findings: r.findings,
            })
            .collect(),
        by_team: q
            .by_team
            .into_iter()
            .map(|(team, c)| TeamFindings { team, errors: c.errors, queries: c.queries })
            .collect(),
        over_time: q
            .over_time
            .into_iter()
            .map(|(month_end, c)| MonthFindings { month_end, errors: c.errors, queries: c.queries })
            .collect(),
    }))
}
