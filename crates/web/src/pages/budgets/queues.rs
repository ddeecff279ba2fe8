//! The practitioner's own limits and spends, and the manager's queue of spends over a limit.

use super::{budgets_for, holder_name, scope_of};
use crate::pages::{render, Cell, Ctx, DetailPage, Link, Table};
use crate::state::AppState;
use crate::AppError;
use axum::extract::State;
use axum::response::Html;
use canopy_domain::access::{may, Action, Permission, Reach};
use canopy_domain::budgets::{FinancialYear, SpendStatus};
use canopy_store::budgets::{BudgetFilter, SpendFilter};
use canopy_store::Scope;
use std::collections::BTreeMap;

/// A practitioner's limits in each of their councils, what is left this month, the budgets they
/// may spend from and their own recent spends.
pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?.clone();
    let today = state.clock.today();
    let councils = state.store.list_councils(&Scope::Councils(user.actor.councils.iter().cloned().collect())).await?;
    let mut limits = Vec::new();
    for council in &councils {
        let (limit, spent) = state.store.spender_position(&council.id, &user.user_id, today).await?;
        limits.push(match limit {
            Some((l, _)) => vec![
                Cell::text(&council.name),
                Cell::text(l.per_spend.display()),
                Cell::text(l.per_month.display()),
                Cell::text(spent.display()),
                Cell::text(l.left_in_month(spent).display()),
            ],
            None => vec![
                Cell::text(&council.name),
                Cell::text("None: a manager decides"),
                Cell::text(""),
                Cell::text(spent.display()),
                Cell::text(""),
            ],
        });
    }
    let mut page = DetailPage::new(&ctx, "Your spending", "/budgets/mine");
    page.intro = "Spend on a child or family from their record: a spend within your limit is approved at once. The month is the last month up to today.".into();
    page.tables.push(Table::new(
        "Your limits",
        &["Council", "Per spend", "Per month", "Spent in the last month", "Left this month"],
        limits,
    ));
    let filter = BudgetFilter { open_only: true, ..BudgetFilter::in_scope(scope_of(&ctx, Permission::BudgetSpend)?) };
    let budgets = budgets_for(&state, &ctx, Action::SpendFromBudget, filter).await?;
    let clusters = state.store.list_clusters(&Scope::Organisation).await?;
    let teams = state.store.list_teams(&Scope::Organisation).await?;
    let council_name = |id: &str| councils.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    let mut table = Table::new(
        "Budgets you can spend from",
        &["Budget", "Council", "Held by", "Left"],
        budgets
            .iter()
            .map(|b| {
                vec![
                    Cell::text(format!("{} {}", b.name, b.year.label())),
                    Cell::text(council_name(&b.council_id)),
                    Cell::text(holder_name(b, &clusters, &teams)),
                    Cell::text(b.available.display()),
                ]
            })
            .collect(),
    );
    table.empty = "Your team and cluster hold no open budget.".into();
    page.tables.push(table);
    let filter = SpendFilter {
        requested_by: Some(user.user_id.clone()),
        limit: Some(50),
        ..SpendFilter::in_scope(Scope::Organisation)
    };
    let spends = state.store.spends(&filter).await?;
    let mut table = super::spends_table("Your recent spends", "Child", &spends, |s| s.child_name.clone());
    table.empty = "You have not spent from a devolved budget yet.".into();
    page.tables.push(table);
    render(page)
}

/// The manager's queue: spends over a limit from budgets they may decide for, oldest first, with
/// each one's reasons; and their teams' budgets this year.
pub async fn approvals(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.user()?.clone();
    let scope = scope_of(&ctx, Permission::BudgetApprove)?;
    let holder_teams = match user.actor.reach_of(Permission::BudgetApprove) {
        Some(Reach::Team) => Some(user.actor.teams.iter().cloned().collect()),
        _ => None,
    };
    let filter = SpendFilter {
        status: Some(SpendStatus::AwaitingApproval),
        holder_teams,
        ..SpendFilter::in_scope(scope.clone())
    };
    let waiting = state.store.spends(&filter).await?;
    let budgets: BTreeMap<String, _> = state
        .store
        .budgets(&BudgetFilter::in_scope(scope.clone()))
        .await?
        .into_iter()
        .map(|b| (b.id.clone(), b))
        .collect();
    let mut rows = Vec::new();
    for s in waiting.iter().rev() {
        let Some(budget) = budgets.get(&s.budget_id) else { continue };
        if !may(&user.actor, Action::DecideSpend, &budget.resource()) || s.requested_by == user.user_id {
            continue;
        }
        let child = state.store.get_child(&s.child_id).await?;
        let who = if may(&user.actor, Action::ViewChildRecord, &child.resource()) {
            s.child_name.clone()
        } else {
            "A child outside your caseloads".into()
        };
        rows.push(vec![
            Cell::text(crate::pages::show_time(s.requested_at)),
            Cell::text(&s.requested_by_name),
            Cell::text(who),
            Cell::link(s.amount.display(), format!("/spends/{}/decision", s.id)),
            Cell::text(&s.category_name),
            Cell::text(s.limit_reasons.join(". ")),
        ]);
    }
    let mut page = DetailPage::new(&ctx, "Spends waiting for a decision", "/budgets/approvals");
    page.intro = "Spends over their maker's limit. Open one to see the family's recent spends and decide.".into();
    let mut table = Table::new("Waiting", &["Asked", "By", "For", "Amount", "Kind", "Why it needs you"], rows);
    table.empty = "Nothing is waiting for you.".into();
    page.tables.push(table);
    let year = FinancialYear::of(state.clock.today());
    let clusters = state.store.list_clusters(&Scope::Organisation).await?;
    let teams = state.store.list_teams(&Scope::Organisation).await?;
    let mut table = Table::new(
        &format!("Your teams' budgets, {}", year.label()),
        &["Budget", "Held by", "Allocated", "Spent", "Committed", "Left"],
        budgets
            .values()
            .filter(|b| b.year == year && may(&user.actor, Action::DecideSpend, &b.resource()))
            .map(|b| {
                vec![
                    Cell::link(&b.name, format!("/budgets/{}", b.id)),
                    Cell::text(holder_name(b, &clusters, &teams)),
                    Cell::text(b.allocated.display()),
                    Cell::text(b.spent.display()),
                    Cell::text(b.committed.display()),
                    Cell::text(b.available.display()),
                ]
            })
            .collect(),
    );
    table.empty = "Your teams hold no budget this year.".into();
    page.tables.push(table);
    page.actions.push(Link::new("/budgets/measures", "How fast spends are decided"));
    render(page)
}
