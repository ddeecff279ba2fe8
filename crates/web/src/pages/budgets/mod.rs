//! Devolved budgets: spending for a child or family within one's limit, the manager's queue for
//! spends over it, and finance's budgets, ledger, limits and exports.

mod chart;
mod export;
mod finance;
mod measures;
mod queues;
mod spend;

pub use export::{export_csv, export_xlsx};
pub use finance::{
    allocate, budget, categories, close, create_budget, new_budget, overview, remove_limit, save_category, set_limit,
    show_allocate, show_close, show_limits, show_transfer, transfer,
};
pub use measures::measures;
pub use queues::{approvals, mine};
pub(crate) use spend::{check_note, decidable, parse_spend, spend_for, SpendAccess, DECLINE_NOTE};

pub use spend::{create_spend, decide, new_spend, receipt, settle, show_decision, show_settle, show_spend};

use super::{Cell, Ctx, Table};
use crate::state::AppState;
use crate::AppError;
use canopy_domain::access::{may, Action, Permission, Reach};
use canopy_store::budgets::{BudgetFilter, BudgetRow, SpendFilter};
use canopy_store::children::ChildRow;
use canopy_store::Scope;

/// The councils whose budgets a user's `permission` reaches.
pub(crate) fn scope_of(ctx: &Ctx, permission: Permission) -> Result<Scope, AppError> {
    let user = ctx.user()?;
    Ok(match user.actor.reach_of(permission) {
        Some(Reach::Organisation) => Scope::Organisation,
        _ => Scope::Councils(user.actor.councils.iter().cloned().collect()),
    })
}

/// Budgets in the user's reach that the policy lets them `action`.
pub(crate) async fn budgets_for(
    state: &AppState,
    ctx: &Ctx,
    action: Action,
    filter: BudgetFilter,
) -> Result<Vec<BudgetRow>, AppError> {
    let user = ctx.user()?;
    Ok(state.store.budgets(&filter).await?.into_iter().filter(|b| may(&user.actor, action, &b.resource())).collect())
}

/// The open budgets a user may spend from for a child: held by their team or cluster, in the
/// child's council.
pub(crate) async fn spendable_budgets(
    state: &AppState,
    ctx: &Ctx,
    council_id: &str,
) -> Result<Vec<BudgetRow>, AppError> {
    let filter = BudgetFilter {
        council_id: Some(council_id.to_string()),
        open_only: true,
        ..BudgetFilter::in_scope(scope_of(ctx, Permission::BudgetSpend)?)
    };
    budgets_for(state, ctx, Action::SpendFromBudget, filter).await
}

/// What has been spent for a child, for their record. Only the people who may see the record
/// get here, so the purpose is shown.
pub(crate) async fn child_spends_table(state: &AppState, child: &ChildRow) -> Result<Table, AppError> {
    let filter = SpendFilter { child_id: Some(child.id.clone()), ..SpendFilter::in_scope(Scope::Organisation) };
    let spends = state.store.spends(&filter).await?;
    let mut table = spends_table("Spent for this child and family", "What for", &spends, |s| {
        format!("{}: {}", s.category_name, s.purpose)
    });
    table.empty = "Nothing has been spent from a devolved budget for this child.".into();
    Ok(table)
}

/// Spends as a table of date, amount (linking to the spend), `middle`, and status.
pub(crate) fn spends_table(
    title: &str,
    middle_heading: &str,
    spends: &[canopy_store::budgets::SpendRow],
    middle: impl Fn(&canopy_store::budgets::SpendRow) -> String,
) -> Table {
    Table::new(
        title,
        &["Date", "Amount", middle_heading, "Status"],
        spends
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.spent_on.format("%-d %b %Y").to_string()),
                    Cell::link(s.amount.display(), format!("/spends/{}", s.id)),
                    Cell::text(middle(s)),
                    Cell::text(s.status.label()),
                ]
            })
            .collect(),
    )
}

/// A budget's holder as people say it: "North cluster" or a team's name.
pub(crate) fn holder_name(
    budget: &BudgetRow,
    clusters: &[canopy_store::org::ClusterRow],
    teams: &[canopy_store::org::TeamRow],
) -> String {
    if let Some(t) = &budget.team_id {
        return teams.iter().find(|x| &x.id == t).map(|x| x.name.clone()).unwrap_or_default();
    }
    if let Some(c) = &budget.cluster_id {
        return clusters.iter().find(|x| &x.id == c).map(|x| format!("{} cluster", x.name)).unwrap_or_default();
    }
    "The whole council".into()
}

/// How long a decision took, in words.
pub(crate) fn show_wait(seconds: i64) -> String {
    match seconds {
        0 => "At once".into(),
        s if s < 60 => "Under a minute".into(),
        s if s < 3600 => format!("{} minutes", s / 60),
        s if s < 86_400 => format!("{} hours {} minutes", s / 3600, (s % 3600) / 60),
        s => format!("{} days {} hours", s / 86_400, (s % 86_400) / 3600),
    }
}
