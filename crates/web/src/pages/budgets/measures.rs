//! The measures managers and directors see: how long a spend waits for its decision (median and
//! 90th percentile), the share decided at once, and spend per family, for each council and for
//! the whole of what the user watches.

use super::finance::BudgetQuery;
use super::show_wait;
use crate::pages::{render, Cell, Ctx, DetailPage, Table};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Query, State};
use axum::response::Html;
use canopy_domain::access::{may, Action, Permission};
use canopy_domain::budgets::{measure_spends, SpendFact, SpendMeasures};
use canopy_store::budgets::{BudgetFilter, SpendFilter, SpendRow};
use canopy_store::Scope;
use std::collections::{BTreeMap, BTreeSet};

fn row(name: &str, m: &SpendMeasures) -> Vec<Cell> {
    let wait = |s: Option<i64>| s.map(show_wait).unwrap_or_else(|| "No decisions yet".into());
    vec![
        Cell::text(name),
        Cell::text(m.decided.to_string()),
        Cell::text(m.decided_at_once_percent.map(|p| format!("{p}%")).unwrap_or_default()),
        Cell::text(wait(m.median_decision_seconds)),
        Cell::text(wait(m.p90_decision_seconds)),
        Cell::text(m.families.to_string()),
        Cell::text(m.spend_per_family.map(|p| p.display()).unwrap_or_default()),
    ]
}

fn facts(spends: &[&SpendRow]) -> SpendMeasures {
    let facts: Vec<SpendFact> = spends
        .iter()
        .map(|s| SpendFact {
            requested_at_ms: s.requested_at,
            decided_at_ms: s.decided_at,
            at_once: s.at_once,
            family: &s.family_key,
            amount_held: if s.status.holds_money() { s.amount } else { Default::default() },
        })
        .collect();
    measure_spends(&facts)
}

pub async fn measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
) -> Result<Html<String>, AppError> {
    let user = ctx.user()?.clone();
    if !user.actor.holds(Permission::BudgetApprove) && !user.actor.holds(Permission::BudgetManage) {
        return Err(AppError::Forbidden);
    }
    let year = query.year_or(state.clock.today());
    // The budgets the user watches: those they may decide spends for, or manage.
    let watched: BTreeSet<String> = state
        .store
        .budgets(&BudgetFilter { year: Some(year), ..BudgetFilter::in_scope(Scope::Organisation) })
        .await?
        .into_iter()
        .filter(|b| {
            may(&user.actor, Action::DecideSpend, &b.resource())
                || may(&user.actor, Action::ManageBudgets, &b.resource())
        })
        .map(|b| b.id)
        .collect();
    let spends = state
        .store
        .spends(&SpendFilter { since: Some(year.starts()), ..SpendFilter::in_scope(Scope::Organisation) })
        .await?;
    let spends: Vec<&SpendRow> = spends.iter().filter(|s| watched.contains(&s.budget_id)).collect();
    let councils = state.store.list_councils(&Scope::Organisation).await?;
    let mut by_council: BTreeMap<String, Vec<&SpendRow>> = BTreeMap::new();
    for s in &spends {
        by_council.entry(s.council_id.clone()).or_default().push(s);
    }
    let mut rows: Vec<Vec<Cell>> = by_council
        .iter()
        .map(|(id, list)| {
            let name = councils.iter().find(|c| &c.id == id).map(|c| c.name.clone()).unwrap_or_default();
            row(&name, &facts(list))
        })
        .collect();
    rows.push(row("All you watch", &facts(&spends)));
    let mut page = DetailPage::new(&ctx, &format!("Devolved budget measures, {}", year.label()), "/budgets/measures");
    page.intro = "Time from asking to a decision, for every spend decided this year: a spend within its maker's limit is decided at once. A family is a household at one address.".into();
    page.tables.push(Table::new(
        "Decisions and spend per family",
        &[
            "Council",
            "Decided",
            "Decided at once",
            "Median wait",
            "90th percentile wait",
            "Families helped",
            "Spend per family",
        ],
        rows,
    ));
    render(page)
}
