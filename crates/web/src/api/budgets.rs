//! Devolved budgets through the API: budgets with their balances, spending for a child, a
//! spend, a manager's decision and a budget's ledger. The same checks, policy and audit as the
//! pages.

use super::children::as_form;
use super::ApiJson;
use crate::error::ApiError;
use crate::pages::budgets::{budgets_for, check_note, decidable, parse_spend, scope_of, spend_for, DECLINE_NOTE};
use crate::pages::children::child_for;
use crate::pages::Ctx;
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use canopy_domain::access::{may, Action, Permission};
use canopy_domain::budgets::FinancialYear;
use canopy_store::budgets::BudgetFilter;
use canopy_store::Scope;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Amounts are whole pence.
#[derive(Serialize, ToSchema)]
pub struct BudgetOut {
    pub id: String,
    pub council_id: String,
    pub cluster_id: Option<String>,
    pub team_id: Option<String>,
    pub name: String,
    /// Like "2026/27".
    pub financial_year: String,
    pub open: bool,
    pub allocated_pence: i64,
    pub available_pence: i64,
    pub committed_pence: i64,
    pub spent_pence: i64,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BudgetListQuery {
    pub council_id: Option<String>,
    /// Like "2026/27".
    pub financial_year: Option<String>,
}

/// The budgets you manage, with balances worked out from the ledger.
#[utoipa::path(get, path = "/api/v1/budgets", params(BudgetListQuery),
    responses((status = 200, description = "Budgets", body = [BudgetOut]), (status = 400, description = "The financial year is not like 2026/27")))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BudgetListQuery>,
) -> Result<Json<Vec<BudgetOut>>, ApiError> {
    let year = match &q.financial_year {
        Some(y) => Some(FinancialYear::parse(y).map_err(AppError::BadRequest)?),
        None => None,
    };
    let filter = BudgetFilter {
        council_id: q.council_id.clone(),
        year,
        ..BudgetFilter::in_scope(scope_of(&ctx, Permission::BudgetManage)?)
    };
    let budgets = budgets_for(&state, &ctx, Action::ManageBudgets, filter).await?;
    Ok(Json(
        budgets
            .into_iter()
            .map(|b| BudgetOut {
                id: b.id,
                council_id: b.council_id,
                cluster_id: b.cluster_id,
                team_id: b.team_id,
                name: b.name,
                financial_year: b.year.label(),
                open: b.open,
                allocated_pence: b.allocated.0,
                available_pence: b.available.0,
                committed_pence: b.committed.0,
                spent_pence: b.spent.0,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpendBody {
    pub budget_id: String,
    /// In pounds and pence, like "24.99".
    pub amount: String,
    /// One of the council's kinds of spend, such as "clothing".
    pub category: String,
    #[schema(max_length = 1000)]
    pub purpose: String,
    #[schema(max_length = 200)]
    pub supplier: String,
    /// card, voucher, cash or invoice.
    pub method: String,
    pub spent_on: NaiveDate,
    #[serde(default)]
    pub for_family: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SpendOut {
    pub id: String,
    pub council_id: String,
    pub budget_id: String,
    /// Shown only to those who may open the child's record.
    pub child_id: Option<String>,
    pub amount_pence: i64,
    pub category: String,
    /// Shown only to those who may open the child's record.
    pub purpose: Option<String>,
    pub supplier: String,
    pub method: String,
    pub spent_on: NaiveDate,
    /// awaiting_approval, committed, paid, declined, cancelled or refunded.
    pub status: String,
    /// Approved at once, within its maker's limit.
    pub at_once: bool,
    /// Why it needed a manager's decision.
    pub limit_reasons: Vec<String>,
}

/// Records a spend for a child. Within your limit it is approved at once (201 with status
/// "paid" or "committed"); over it, it waits for a manager (status "awaiting_approval").
#[utoipa::path(post, path = "/api/v1/children/{id}/spends", params(("id" = String, Path, description = "The child's id")), request_body = NewSpendBody,
    responses((status = 201, description = "Recorded", body = SpendOut), (status = 422, description = "The spend has problems, each named by field, including a budget without enough left"), (status = 404, description = "No such child, or not one you may spend for")))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSpendBody>,
) -> Result<Response, ApiError> {
    let child = child_for(&state, &ctx, &id, Action::EditChildRecord).await?;
    let form = as_form(
        vec![
            ("budget_id", body.budget_id),
            ("amount", body.amount),
            ("category", body.category),
            ("purpose", body.purpose),
            ("supplier", body.supplier),
            ("method", body.method),
            ("for_family", if body.for_family { "yes".into() } else { String::new() }),
        ],
        vec![("spent_on", Some(body.spent_on))],
    );
    let spend = parse_spend(&state, &ctx, &child, &form).await?.map_err(AppError::Invalid)?;
    let outcome = state.store.record_spend(&ctx.audit(&state), &spend, state.clock.today()).await?;
    let access = spend_for(&state, &ctx, &outcome.id).await?;
    Ok((StatusCode::CREATED, Json(spend_out(&access))).into_response())
}

fn spend_out(access: &crate::pages::budgets::SpendAccess) -> SpendOut {
    let s = &access.spend;
    SpendOut {
        id: s.id.clone(),
        council_id: s.council_id.clone(),
        budget_id: s.budget_id.clone(),
        child_id: access.sees_child.then(|| s.child_id.clone()),
        amount_pence: s.amount.0,
        category: s.category_code.clone(),
        purpose: access.sees_child.then(|| s.purpose.clone()),
        supplier: s.supplier.clone(),
        method: s.method.code().into(),
        spent_on: s.spent_on,
        status: s.status.code().into(),
        at_once: s.at_once,
        limit_reasons: s.limit_reasons.clone(),
    }
}

/// One spend, to its maker, a manager who may decide it, finance, or anyone who may open the
/// child's record.
#[utoipa::path(get, path = "/api/v1/spends/{id}", params(("id" = String, Path, description = "The spend's id")),
    responses((status = 200, description = "The spend", body = SpendOut), (status = 404, description = "No such spend, or not one you may see")))]
pub async fn get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Json<SpendOut>, ApiError> {
    let access = spend_for(&state, &ctx, &id).await?;
    Ok(Json(spend_out(&access)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub approve: bool,
    /// Needed when declining.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

/// A manager's decision on a spend over its maker's limit.
#[utoipa::path(post, path = "/api/v1/spends/{id}/decision", params(("id" = String, Path, description = "The spend's id")), request_body = Decision,
    responses((status = 200, description = "Decided", body = SpendOut), (status = 409, description = "Your own spend"), (status = 422, description = "Already decided, or the budget has not enough left"), (status = 404, description = "No such spend, or not one you may decide")))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Decision>,
) -> Result<Json<SpendOut>, ApiError> {
    decidable(&state, &ctx, &id).await?;
    let note = body.note.trim();
    let mut errors = canopy_domain::validation::FieldErrors::new();
    check_note(&mut errors, note, (!body.approve).then_some(DECLINE_NOTE));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    state.store.decide_spend(&ctx.audit(&state), &id, body.approve, note, state.clock.today()).await?;
    Ok(Json(spend_out(&spend_for(&state, &ctx, &id).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerLineOut {
    pub posting_id: String,
    pub posted_on: String,
    /// allocation, transfer, commitment, payment, reversal, year_end_return or carry_forward.
    pub kind: String,
    /// funding, available, committed or spent.
    pub account: String,
    /// The budget or (for funding) the council.
    pub account_owner: String,
    /// Into the account when positive, out of it when negative.
    pub amount_pence: i64,
    pub memo: String,
    pub spend_id: Option<String>,
    pub reverses: Option<String>,
}

/// Every ledger line of a posting that touches the budget, oldest first.
#[utoipa::path(get, path = "/api/v1/budgets/{id}/ledger", params(("id" = String, Path, description = "The budget's id")),
    responses((status = 200, description = "The ledger", body = [LedgerLineOut]), (status = 404, description = "No such budget, or not one you manage")))]
pub async fn ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Json<Vec<LedgerLineOut>>, ApiError> {
    let user = ctx.user()?;
    let budget = state.store.budget(&Scope::Organisation, &id).await?;
    if !may(&user.actor, Action::ManageBudgets, &budget.resource()) {
        return Err(AppError::NotFound.into());
    }
    let entries = state.store.ledger_entries(&Scope::Organisation, Some(&budget.id), None).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| LedgerLineOut {
                posting_id: e.posting_id,
                posted_on: e.posted_on,
                kind: e.kind.code().into(),
                account: e.account.kind().into(),
                account_owner: e.account.owner().into(),
                amount_pence: e.amount.0,
                memo: e.memo,
                spend_id: e.spend_id,
                reverses: e.reverses,
            })
            .collect(),
    ))
}
