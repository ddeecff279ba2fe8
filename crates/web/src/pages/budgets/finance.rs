//! Finance's side of devolved budgets: budgets by council, cluster, team and category with spend
//! against allocation over the year; creating budgets, moving money, closing the year; and each
//! council's spending limits and categories.

use super::chart::YearSpend;
use super::{budgets_for, holder_name, scope_of};
use crate::forms::FormData;
use crate::pages::{render, Cell, Ctx, DetailPage, Field, Figure, FormPage, Link, Table};
use crate::state::AppState;
use crate::AppError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use canopy_domain::access::{may, Action, Permission, Resource};
use canopy_domain::budgets::{FinancialYear, LimitRule, LimitSubject, Pence, SpendLimit};
use canopy_domain::validation::{required_text, FieldErrors};
use canopy_store::budgets::{BudgetFilter, BudgetRow, NewBudget, SpendFilter};
use canopy_store::org::{ClusterRow, CouncilRow, TeamRow};
use canopy_store::Scope;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The filters of the finance views and the ledger export.
#[derive(Debug, Default, Deserialize)]
pub struct BudgetQuery {
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub budget: String,
    /// A cluster or team holding budgets: `cluster:ID` or `team:ID`.
    #[serde(default)]
    pub holder: String,
}

impl BudgetQuery {
    pub fn year_or(&self, today: chrono::NaiveDate) -> FinancialYear {
        FinancialYear::parse(&self.year).unwrap_or_else(|_| FinancialYear::of(today))
    }

    pub fn council(&self) -> Option<String> {
        (!self.council.is_empty()).then(|| self.council.clone())
    }
}

/// The organisation as finance sees it: councils in reach, clusters and teams.
pub(crate) struct Structure {
    pub councils: Vec<CouncilRow>,
    pub clusters: Vec<ClusterRow>,
    pub teams: Vec<TeamRow>,
}

pub(crate) async fn structure(state: &AppState, scope: &Scope) -> Result<Structure, AppError> {
    Ok(Structure {
        councils: state.store.list_councils(scope).await?,
        clusters: state.store.list_clusters(scope).await?,
        teams: state.store.list_teams(scope).await?,
    })
}

impl Structure {
    fn council_name(&self, id: &str) -> String {
        self.councils.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default()
    }

    /// Links to the same page for each other council in reach.
    fn other_councils(&self, council: &CouncilRow, path: &str, label: &str) -> Vec<Link> {
        self.councils
            .iter()
            .filter(|c| c.id != council.id)
            .map(|c| Link::new(format!("{path}?council={}", c.id), format!("{label} {}", c.name)))
            .collect()
    }

    fn council_options(&self) -> Vec<(String, String)> {
        self.councils.iter().map(|c| (c.id.clone(), c.name.clone())).collect()
    }
}

fn money_cells(b: &BudgetRow) -> Vec<Cell> {
    vec![
        Cell::text(b.allocated.display()),
        Cell::text(b.spent.display()),
        Cell::text(b.committed.display()),
        Cell::text(b.available.display()),
    ]
}

/// Budgets by council, cluster, team and category, with spend against allocation over the year.
pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
) -> Result<Html<String>, AppError> {
    let scope = scope_of(&ctx, Permission::BudgetManage)?;
    let org = structure(&state, &scope).await?;
    let today = state.clock.today();
    let year = query.year_or(today);
    let (cluster_id, team_id) = match query.holder.split_once(':') {
        Some(("cluster", id)) => (Some(id.to_string()), None),
        Some(("team", id)) => (None, Some(id.to_string())),
        _ => (None, None),
    };
    let filter = BudgetFilter {
        council_id: query.council(),
        cluster_id,
        team_id,
        year: Some(year),
        ..BudgetFilter::in_scope(scope.clone())
    };
    let budgets = budgets_for(&state, &ctx, Action::ManageBudgets, filter).await?;
    let mut councils = vec![(String::new(), "All councils".to_string())];
    councils.extend(org.council_options());
    let years: Vec<(String, String)> =
        (0..3).map(|i| FinancialYear(FinancialYear::of(today).0 - i)).map(|y| (y.label(), y.label())).collect();
    let form = FormData(vec![
        ("council".into(), query.council.clone()),
        ("holder".into(), query.holder.clone()),
        ("year".into(), year.label()),
    ]);
    let mut holders = holder_options(&org);
    holders[0].1 = "Every cluster and team".into();
    let fields = vec![
        Field::choices("council", "Council", "select", councils, &[form.get("council")]),
        Field::choices("holder", "Cluster or team", "select", holders, &[form.get("holder")]),
        Field::choices("year", "Financial year", "select", years, &[form.get("year")]),
    ];
    let mut page = FormPage::new(&ctx, "Devolved budgets", "/budgets", "/budgets", "Show", fields, &FieldErrors::new());
    page.method_get = true;
    let allocated: Pence = budgets.iter().map(|b| b.allocated).sum();
    let spent: Pence = budgets.iter().map(|b| b.spent + b.committed).sum();
    let left: Pence = budgets.iter().map(|b| b.available).sum();
    page.intro = format!(
        "{} budgets. Allocated {}, spent or committed {}, left {}.",
        budgets.len(),
        allocated.display(),
        spent.display(),
        left.display()
    );
    let ids: Vec<String> = budgets.iter().map(|b| b.id.clone()).collect();
    let monthly = state.store.monthly_spend(&ids).await?;
    let chart = YearSpend::new(year, allocated, &monthly, &today.format("%Y-%m").to_string());
    page.figure = Some(Figure { title: format!("Spend against allocation, {}", year.label()), svg: chart.svg() });
    page.tables.push(chart.table());
    page.tables.push(Table::new(
        "Budgets",
        &["Budget", "Council", "Held by", "Allocated", "Spent", "Committed", "Left"],
        budgets
            .iter()
            .map(|b| {
                let mut row = vec![
                    Cell::link(
                        format!("{}{}", b.name, if b.open { "" } else { " (closed)" }),
                        format!("/budgets/{}", b.id),
                    ),
                    Cell::text(org.council_name(&b.council_id)),
                    Cell::text(holder_name(b, &org.clusters, &org.teams)),
                ];
                row.extend(money_cells(b));
                row
            })
            .collect(),
    ));
    let mut by_category: BTreeMap<String, (usize, Pence)> = BTreeMap::new();
    let spends =
        state.store.spends(&SpendFilter { since: Some(year.starts()), ..SpendFilter::in_scope(scope.clone()) }).await?;
    for s in spends.iter().filter(|s| s.status.holds_money() && ids.contains(&s.budget_id)) {
        let entry = by_category.entry(s.category_name.clone()).or_default();
        entry.0 += 1;
        entry.1 = entry.1 + s.amount;
    }
    page.tables.push(Table::new(
        "Spend by kind",
        &["Kind of spend", "Spends", "Amount"],
        by_category
            .into_iter()
            .map(|(k, (n, p))| vec![Cell::text(k), Cell::text(n.to_string()), Cell::text(p.display())])
            .collect(),
    ));
    let export_query = format!("?council={}&year={}", query.council, year.label());
    page.extra_links = vec![
        Link::new("/budgets/new", "Set up a budget"),
        Link::new("/budgets/limits", "Spending limits"),
        Link::new("/budgets/categories", "Kinds of spend"),
        Link::new("/budgets/measures", "How fast spends are decided"),
        Link::new(format!("/budgets/ledger.csv{export_query}"), "Download the ledger (CSV)"),
        Link::new(format!("/budgets/ledger.xlsx{export_query}"), "Download the ledger (Excel)"),
    ];
    render(page)
}

fn holder_options(org: &Structure) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "Choose a cluster or team".to_string())];
    options.extend(org.clusters.iter().map(|c| (format!("cluster:{}", c.id), format!("{} cluster", c.name))));
    options.extend(org.teams.iter().map(|t| (format!("team:{}", t.id), format!("Team: {}", t.name))));
    options
}

fn budget_form(ctx: &Ctx, org: &Structure, form: &FormData, errors: &FieldErrors) -> FormPage {
    let fields = vec![
        Field::choices("council_id", "Council", "select", org.council_options(), &[form.get("council_id")]),
        Field::choices("holder", "Held by", "select", holder_options(org), &[form.get("holder")])
            .hint("The cluster or team whose staff spend from it"),
        Field::text("name", "Name", form.get("name")).hint("For example, Direct help to families"),
        Field::text("year", "Financial year", form.get("year"))
            .hint("April to March, like 2026/27")
            .width("govuk-input--width-5"),
        Field::text("allocation", "Allocation", form.get("allocation"))
            .kind("money")
            .hint("What the council puts in at the start"),
    ];
    FormPage::new(ctx, "Set up a budget", "/budgets", "/budgets/new", "Set up budget", fields, errors).back("/budgets")
}

pub async fn new_budget(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let form = FormData(vec![("year".into(), FinancialYear::of(state.clock.today()).label())]);
    render(budget_form(&ctx, &org, &form, &FieldErrors::new()))
}

pub async fn create_budget(State(state): State<AppState>, ctx: Ctx, form: FormData) -> Result<Response, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let mut errors = FieldErrors::new();
    let council = org.councils.iter().find(|c| c.id == form.get("council_id"));
    if council.is_none() {
        errors.add("council_id", "Select a council");
    }
    let holder = form.get("holder");
    let (cluster_id, team_id) = match holder.split_once(':') {
        Some(("cluster", id)) if org.clusters.iter().any(|c| c.id == id) => (Some(id.to_string()), None),
        Some(("team", id)) if org.teams.iter().any(|t| t.id == id) => (None, Some(id.to_string())),
        _ => {
            errors.add("holder", "Select the cluster or team that holds the budget");
            (None, None)
        }
    };
    if let Some(c) = council {
        let serves = match (&cluster_id, &team_id) {
            (Some(id), _) => org.clusters.iter().any(|x| &x.id == id && x.council_ids.contains(&c.id)),
            (_, Some(id)) => org.teams.iter().any(|x| &x.id == id && x.council_ids.contains(&c.id)),
            _ => true,
        };
        if !serves {
            errors.add("holder", format!("That cluster or team does not serve {}", c.name));
        }
    }
    let name = required_text(&mut errors, "name", "the budget's name", &form.get("name"), 120);
    let year = FinancialYear::parse(&form.get("year")).map_err(|m| errors.add("year", m)).ok();
    let allocation = if form.get("allocation").trim().is_empty() {
        None
    } else {
        Pence::parse_positive(&form.get("allocation")).map_err(|m| errors.add("allocation", m)).ok()
    };
    let user = ctx.user()?;
    if let Some(c) = council {
        let resource = Resource::in_council(&c.id);
        if !may(&user.actor, Action::ManageBudgets, &resource) {
            errors.add("council_id", "You do not manage that council's budgets");
        }
    }
    let (Some(council), Some(year), true) = (council, year, errors.is_empty()) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(budget_form(&ctx, &org, &form, &errors))?).into_response());
    };
    let budget = NewBudget { council_id: council.id.clone(), cluster_id, team_id, name, year, allocation };
    match state.store.create_budget(&ctx.audit(&state), &budget, state.clock.today()).await {
        Ok(id) => Ok(Redirect::to(&format!("/budgets/{id}")).into_response()),
        Err(canopy_store::StoreError::Conflict { field, message }) => {
            let errors = FieldErrors::one(&field, message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(budget_form(&ctx, &org, &form, &errors))?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A budget the user may manage (finance) or watch (a manager who decides its spends).
async fn budget_in_reach(state: &AppState, ctx: &Ctx, id: &str) -> Result<(BudgetRow, bool), AppError> {
    let user = ctx.user()?;
    let budget = state.store.budget(&Scope::Organisation, id).await?;
    let manages = may(&user.actor, Action::ManageBudgets, &budget.resource());
    if !manages && !may(&user.actor, Action::DecideSpend, &budget.resource()) {
        return Err(AppError::NotFound);
    }
    Ok((budget, manages))
}

async fn managed_budget(state: &AppState, ctx: &Ctx, id: &str) -> Result<BudgetRow, AppError> {
    match budget_in_reach(state, ctx, id).await? {
        (budget, true) => Ok(budget),
        _ => Err(AppError::NotFound),
    }
}

/// One budget: its balances, spend over the year, spends and (for finance) its ledger.
pub async fn budget(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Html<String>, AppError> {
    let (budget, manages) = budget_in_reach(&state, &ctx, &id).await?;
    let user = ctx.user()?.clone();
    let org = structure(&state, &Scope::Organisation).await?;
    let mut page = DetailPage::new(&ctx, &budget.name, if manages { "/budgets" } else { "/budgets/approvals" });
    page.caption = format!("{} · {}", org.council_name(&budget.council_id), budget.year.label());
    page.summary = vec![
        ("Held by".into(), holder_name(&budget, &org.clusters, &org.teams)),
        ("Status".into(), if budget.open { "Open".into() } else { "Closed at year end".into() }),
        ("Allocated".into(), budget.allocated.display()),
        ("Spent".into(), budget.spent.display()),
        ("Committed, not yet paid".into(), budget.committed.display()),
        ("Left".into(), budget.available.display()),
    ];
    if manages && budget.open {
        page.actions.push(Link::new(format!("/budgets/{}/allocate", budget.id), "Add money"));
        page.actions.push(Link::new(format!("/budgets/{}/transfer", budget.id), "Move money to another budget"));
        page.actions.push(Link::new(format!("/budgets/{}/close", budget.id), "Close the year"));
    }
    let monthly = state.store.monthly_spend(std::slice::from_ref(&budget.id)).await?;
    let through = state.clock.today().min(budget.year.ends()).format("%Y-%m").to_string();
    let chart = YearSpend::new(budget.year, budget.allocated, &monthly, &through);
    page.figure =
        Some(Figure { title: format!("Spend against allocation, {}", budget.year.label()), svg: chart.svg() });
    page.tables.push(chart.table());
    let spends = state
        .store
        .spends(&SpendFilter {
            budget_id: Some(budget.id.clone()),
            limit: Some(200),
            ..SpendFilter::in_scope(Scope::Organisation)
        })
        .await?;
    let mut rows = Vec::new();
    for s in &spends {
        // Finance sees amounts, kinds and suppliers; the child only by those who may open the record.
        let child = state.store.get_child(&s.child_id).await?;
        let sees_child = may(&user.actor, Action::ViewChildRecord, &child.resource());
        rows.push(vec![
            Cell::text(s.spent_on.format("%-d %b %Y").to_string()),
            Cell::link(s.amount.display(), format!("/spends/{}", s.id)),
            Cell::text(&s.category_name),
            Cell::text(&s.supplier),
            Cell::text(if sees_child { s.child_name.clone() } else { "Not shown".into() }),
            Cell::text(s.status.label()),
        ]);
    }
    let mut table = Table::new("Latest spends", &["Date", "Amount", "Kind", "Paid to", "Child", "Status"], rows);
    table.empty = "Nothing has been spent from this budget.".into();
    page.tables.push(table);
    if manages {
        let entries = state.store.ledger_entries(&Scope::Organisation, Some(&budget.id), None).await?;
        page.tables.push(Table::new(
            "Ledger",
            &["Date", "What", "Account", "Amount", "Note"],
            entries
                .iter()
                .rev()
                .take(200)
                .map(|e| {
                    let account = match &e.account {
                        canopy_domain::budgets::Account::Funding { council_id } => {
                            format!("{} funding", org.council_name(council_id))
                        }
                        other => format!("{}: {}", e.budget_name, other.kind()),
                    };
                    vec![
                        Cell::text(&e.posted_on),
                        Cell::text(e.kind.label()),
                        Cell::text(account),
                        Cell::text(e.amount.display()),
                        Cell::text(&e.memo),
                    ]
                })
                .collect(),
        ));
    }
    render(page)
}

fn money_action_form(
    ctx: &Ctx,
    budget: &BudgetRow,
    title: &str,
    path: &str,
    submit: &str,
    fields: Vec<Field>,
    errors: &FieldErrors,
) -> FormPage {
    let action = format!("/budgets/{}/{path}", budget.id);
    let mut page =
        FormPage::new(ctx, title, "/budgets", &action, submit, fields, errors).back(&format!("/budgets/{}", budget.id));
    page.caption = format!("{} {} · {} left", budget.name, budget.year.label(), budget.available.display());
    page
}

fn allocate_fields(form: &FormData) -> Vec<Field> {
    vec![
        Field::text("amount", "Amount", form.get("amount")).kind("money"),
        Field::text("memo", "Reason", form.get("memo"))
            .hint("For example, in-year top-up agreed at the budget meeting"),
    ]
}

pub async fn show_allocate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let budget = managed_budget(&state, &ctx, &id).await?;
    render(money_action_form(
        &ctx,
        &budget,
        "Add money to a budget",
        "allocate",
        "Add money",
        allocate_fields(&FormData::default()),
        &FieldErrors::new(),
    ))
}

pub async fn allocate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let budget = managed_budget(&state, &ctx, &id).await?;
    let mut errors = FieldErrors::new();
    let amount = Pence::parse_positive(&form.get("amount")).map_err(|m| errors.add("amount", m)).ok();
    let memo = required_text(&mut errors, "memo", "the reason", &form.get("memo"), 200);
    if let (Some(amount), true) = (amount, errors.is_empty()) {
        match state.store.allocate(&ctx.audit(&state), &budget.id, amount, &memo, state.clock.today()).await {
            Ok(()) => return Ok(Redirect::to(&format!("/budgets/{}", budget.id)).into_response()),
            Err(canopy_store::StoreError::Conflict { field, message }) => errors.add(&field, message),
            Err(e) => return Err(e.into()),
        }
    }
    let page = money_action_form(
        &ctx,
        &budget,
        "Add money to a budget",
        "allocate",
        "Add money",
        allocate_fields(&form),
        &errors,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

async fn sibling_budgets(state: &AppState, budget: &BudgetRow) -> Result<Vec<(String, String)>, AppError> {
    let filter = BudgetFilter {
        council_id: Some(budget.council_id.clone()),
        open_only: true,
        ..BudgetFilter::in_scope(Scope::Organisation)
    };
    Ok(state
        .store
        .budgets(&filter)
        .await?
        .into_iter()
        .filter(|b| b.id != budget.id)
        .map(|b| (b.id, format!("{} {} ({} left)", b.name, b.year.label(), b.available.display())))
        .collect())
}

fn transfer_fields(form: &FormData, others: Vec<(String, String)>) -> Vec<Field> {
    vec![
        Field::choices("to_budget", "Move to", "select", others, &[form.get("to_budget")]),
        Field::text("amount", "Amount", form.get("amount")).kind("money"),
        Field::text("memo", "Reason", form.get("memo")),
    ]
}

pub async fn show_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let budget = managed_budget(&state, &ctx, &id).await?;
    let others = sibling_budgets(&state, &budget).await?;
    render(money_action_form(
        &ctx,
        &budget,
        "Move money to another budget",
        "transfer",
        "Move money",
        transfer_fields(&FormData::default(), others),
        &FieldErrors::new(),
    ))
}

pub async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let budget = managed_budget(&state, &ctx, &id).await?;
    let others = sibling_budgets(&state, &budget).await?;
    let mut errors = FieldErrors::new();
    let to = form.get("to_budget");
    let amount = Pence::parse_positive(&form.get("amount")).map_err(|m| errors.add("amount", m)).ok();
    let memo = required_text(&mut errors, "memo", "the reason", &form.get("memo"), 200);
    if let (Some(amount), true) = (amount, errors.is_empty()) {
        match state.store.transfer(&ctx.audit(&state), &budget.id, &to, amount, &memo, state.clock.today()).await {
            Ok(()) => return Ok(Redirect::to(&format!("/budgets/{}", budget.id)).into_response()),
            Err(canopy_store::StoreError::Conflict { field, message }) => errors.add(&field, message),
            Err(canopy_store::StoreError::NotFound) => errors.add("to_budget", "Select a budget to move the money to"),
            Err(e) => return Err(e.into()),
        }
    }
    let page = money_action_form(
        &ctx,
        &budget,
        "Move money to another budget",
        "transfer",
        "Move money",
        transfer_fields(&form, others),
        &errors,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

fn close_fields(form: &FormData, others: Vec<(String, String)>) -> Vec<Field> {
    let mut options = vec![(String::new(), "Nothing: return what is left to the council".to_string())];
    options.extend(others);
    vec![Field::choices("carry_to", "Carry forward what is left into", "select", options, &[form.get("carry_to")])
        .hint("Only when finance has agreed to carry money forward")]
}

pub async fn show_close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let budget = managed_budget(&state, &ctx, &id).await?;
    let others = sibling_budgets(&state, &budget).await?;
    let mut page = money_action_form(
        &ctx,
        &budget,
        "Close the year",
        "close",
        "Close the year",
        close_fields(&FormData::default(), others),
        &FieldErrors::new(),
    );
    page.intro =
        "Closing stops all spending from this budget. Spends still committed must be paid or cancelled first.".into();
    render(page)
}

pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let budget = managed_budget(&state, &ctx, &id).await?;
    let carry = form.get("carry_to");
    let carry_to = (!carry.is_empty()).then_some(carry.as_str());
    match state.store.close_budget(&ctx.audit(&state), &budget.id, carry_to, state.clock.today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/budgets/{}", budget.id)).into_response()),
        Err(canopy_store::StoreError::Conflict { field, message }) => {
            let others = sibling_budgets(&state, &budget).await?;
            let errors = FieldErrors::one(if field == "budget" { "carry_to" } else { &field }, message);
            let page = money_action_form(
                &ctx,
                &budget,
                "Close the year",
                "close",
                "Close the year",
                close_fields(&form, others),
                &errors,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The council a limits or categories page is about: the one asked for, or the first in reach.
fn chosen_council<'a>(org: &'a Structure, query: &BudgetQuery, form: &FormData) -> Result<&'a CouncilRow, AppError> {
    let wanted = if query.council.is_empty() { form.get("council") } else { query.council.clone() };
    org.councils
        .iter()
        .find(|c| c.id == wanted)
        .or_else(|| if wanted.is_empty() { org.councils.first() } else { None })
        .ok_or(AppError::NotFound)
}

async fn limits_page(
    state: &AppState,
    ctx: &Ctx,
    council: &CouncilRow,
    org: &Structure,
    form: &FormData,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let roles = state.store.list_roles().await?;
    let users = state.store.list_users().await?;
    let mut subjects = vec![(String::new(), "Choose who the limit is for".to_string())];
    subjects.extend(
        roles.iter().map(|r| (format!("role:{}", r.key), format!("Everyone who is a {}", r.name.to_lowercase()))),
    );
    subjects.extend(
        org.teams
            .iter()
            .filter(|t| t.council_ids.contains(&council.id))
            .map(|t| (format!("team:{}", t.id), format!("Team: {}", t.name))),
    );
    subjects.extend(
        users
            .iter()
            .filter(|u| !u.disabled && u.council_ids.contains(&council.id))
            .map(|u| (format!("person:{}", u.id), format!("Person: {}", u.display_name))),
    );
    let fields = vec![
        Field::choices("subject", "Who", "select", subjects.clone(), &[form.get("subject")])
            .hint("A person's own limit wins over their team's, and a team's over their roles'"),
        Field::text("per_spend", "Limit for one spend", form.get("per_spend")).kind("money"),
        Field::text("per_month", "Limit in a month", form.get("per_month")).kind("money"),
    ];
    let action = format!("/budgets/limits?council={}", council.id);
    let mut page = FormPage::new(
        ctx,
        &format!("Spending limits in {}", council.name),
        "/budgets",
        &action,
        "Set limit",
        fields,
        errors,
    )
    .back("/budgets");
    page.intro = "Within both limits a spend is approved at once. Over either, it goes to a manager.".into();
    let rules = state.store.limit_rules(&council.id).await?;
    let label = |s: &LimitSubject| {
        let key = format!("{}:{}", s.kind(), s.id());
        subjects.iter().find(|(k, _)| k == &key).map(|(_, l)| l.clone()).unwrap_or(key)
    };
    page.tables.push(Table::new(
        "Limits now",
        &["Who", "Per spend", "Per month"],
        rules
            .iter()
            .map(|r| {
                vec![
                    Cell::text(label(&r.subject)),
                    Cell::text(r.limit.per_spend.display()),
                    Cell::text(r.limit.per_month.display()),
                ]
            })
            .collect(),
    ));
    page.extra_actions = rules
        .iter()
        .map(|r| {
            Link::new(
                format!(
                    "/budgets/limits/remove?council={}&subject={}:{}",
                    council.id,
                    r.subject.kind(),
                    r.subject.id()
                ),
                format!("Remove the limit for {}", label(&r.subject)),
            )
        })
        .collect();
    page.extra_links = org.other_councils(council, "/budgets/limits", "Limits in");
    Ok(page)
}

pub async fn show_limits(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
) -> Result<Html<String>, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let council = chosen_council(&org, &query, &FormData::default())?;
    render(limits_page(&state, &ctx, council, &org, &FormData::default(), &FieldErrors::new()).await?)
}

fn parse_subject(text: &str) -> Option<LimitSubject> {
    let (kind, id) = text.split_once(':')?;
    LimitSubject::from_parts(kind, id).filter(|_| !id.is_empty())
}

pub async fn set_limit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
    form: FormData,
) -> Result<Response, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let council = chosen_council(&org, &query, &form)?;
    let mut errors = FieldErrors::new();
    let subject = parse_subject(&form.get("subject"));
    if subject.is_none() {
        errors.add("subject", "Select who the limit is for");
    }
    let per_spend = Pence::parse_positive(&form.get("per_spend")).map_err(|m| errors.add("per_spend", m)).ok();
    let per_month = Pence::parse_positive(&form.get("per_month")).map_err(|m| errors.add("per_month", m)).ok();
    if let (Some(s), Some(m)) = (per_spend, per_month) {
        if m < s {
            errors.add("per_month", "The monthly limit cannot be less than the limit for one spend");
        }
    }
    if let (Some(subject), Some(per_spend), Some(per_month), true) = (subject, per_spend, per_month, errors.is_empty())
    {
        let rule = LimitRule { subject, limit: SpendLimit { per_spend, per_month } };
        state.store.set_limit(&ctx.audit(&state), &council.id, &rule).await?;
        return Ok(Redirect::to(&format!("/budgets/limits?council={}", council.id)).into_response());
    }
    let page = limits_page(&state, &ctx, council, &org, &form, &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RemoveLimit {
    council: String,
    subject: String,
}

pub async fn remove_limit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<RemoveLimit>,
) -> Result<Response, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let council = org.councils.iter().find(|c| c.id == query.council).ok_or(AppError::NotFound)?;
    let subject = parse_subject(&query.subject)
        .ok_or_else(|| AppError::BadRequest(format!("'{}' is not a limit's subject", query.subject)))?;
    state.store.remove_limit(&ctx.audit(&state), &council.id, &subject).await?;
    Ok(Redirect::to(&format!("/budgets/limits?council={}", council.id)).into_response())
}

async fn categories_page(
    state: &AppState,
    ctx: &Ctx,
    council: &CouncilRow,
    org: &Structure,
    form: &FormData,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let fields = vec![
        Field::text("code", "Short code", form.get("code"))
            .hint("Lower-case letters and underscores, like school_trips. Use an existing code to rename it.")
            .width("govuk-input--width-20"),
        Field::text("name", "Name", form.get("name")),
    ];
    let action = format!("/budgets/categories?council={}", council.id);
    let mut page =
        FormPage::new(ctx, &format!("Kinds of spend in {}", council.name), "/budgets", &action, "Save", fields, errors)
            .back("/budgets");
    let categories = state.store.budget_categories(&council.id).await?;
    page.tables.push(Table::new(
        "Kinds of spend now",
        &["Code", "Name"],
        categories.into_iter().map(|(c, n)| vec![Cell::text(c), Cell::text(n)]).collect(),
    ));
    page.extra_links = org.other_councils(council, "/budgets/categories", "Kinds of spend in");
    Ok(page)
}

pub async fn categories(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
) -> Result<Html<String>, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let council = chosen_council(&org, &query, &FormData::default())?;
    render(categories_page(&state, &ctx, council, &org, &FormData::default(), &FieldErrors::new()).await?)
}

pub async fn save_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<BudgetQuery>,
    form: FormData,
) -> Result<Response, AppError> {
    let org = structure(&state, &scope_of(&ctx, Permission::BudgetManage)?).await?;
    let council = chosen_council(&org, &query, &form)?;
    let mut errors = FieldErrors::new();
    let code = form.get("code").trim().to_string();
    if code.is_empty() || code.len() > 40 || !code.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        errors.add("code", "Enter a short code of lower-case letters and underscores, up to 40");
    }
    let name = required_text(&mut errors, "name", "the name", &form.get("name"), 80);
    if errors.is_empty() {
        state.store.save_budget_category(&ctx.audit(&state), &council.id, &code, &name).await?;
        return Ok(Redirect::to(&format!("/budgets/categories?council={}", council.id)).into_response());
    }
    let page = categories_page(&state, &ctx, council, &org, &form, &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}
